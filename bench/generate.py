"""Synthetic data for the municipality-scale profiles (`copenhagen10`, and `demo` with the same
shape in miniature), all in the demo municipality `aadal` after `seed_all()`.

Rows are written with PostgreSQL `COPY` (or `bulk_create` on SQLite) with ids assigned here,
so that a million rows take minutes. Every value goes through its model field's
`get_db_prep_save`, so encrypted fields (`EncryptedTextField`) are encrypted as the application
writes them; CPR numbers are encrypted and blind-indexed with `ssp.crypto` as the services do.

A marker table (`bench_marker`, outside Django's models) records that a profile was generated
and which case and meeting the benchmark requests, so that a second run can skip generation.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

BATCH = 5000


@dataclass(frozen=True)
class Profile:
    """Row counts of a scale profile (all in the demo municipality)."""

    young_people: int
    concerns: int
    cases: int
    open_cases: int
    tasks: int
    police_reports: int
    waiting_reports: int
    overdue_deadlines: int
    upcoming_deadlines: int
    fora: int
    meetings_per_forum: int
    agenda_items: int
    members: int
    school_districts: int
    units: int
    coordinator_fora: int
    social_worker_fora: int
    teacher_fora: int
    members_per_forum: int
    agenda_meeting_items: int


PROFILES: dict[str, Profile] = {
    # Ten times Copenhagen (issue 11).
    "copenhagen10": Profile(
        young_people=50_000,
        concerns=100_000,
        cases=40_000,
        open_cases=15_000,
        tasks=150_000,
        police_reports=250_000,
        waiting_reports=400,
        overdue_deadlines=1_500,
        upcoming_deadlines=300,
        fora=1_000,
        meetings_per_forum=20,
        agenda_items=150_000,
        members=5_000,
        school_districts=30,
        units=300,
        coordinator_fora=200,
        social_worker_fora=40,
        teacher_fora=12,
        members_per_forum=12,
        agenda_meeting_items=88,
    ),
    # The same shape in miniature: the queries per page must be the same as at copenhagen10.
    "demo": Profile(
        young_people=60,
        concerns=120,
        cases=40,
        open_cases=15,
        tasks=150,
        police_reports=250,
        waiting_reports=12,
        overdue_deadlines=6,
        upcoming_deadlines=4,
        fora=10,
        meetings_per_forum=4,
        agenda_items=60,
        members=40,
        school_districts=3,
        units=6,
        coordinator_fora=6,
        social_worker_fora=4,
        teacher_fora=3,
        members_per_forum=4,
        agenda_meeting_items=8,
    ),
}


@dataclass
class Marker:
    """What the benchmark needs to find again in generated data."""

    profile: str
    case_id: int
    meeting_id: int
    forum_id: int
    generated_at: str
    seconds: float


# --- the marker -----------------------------------------------------------------------------


def _ensure_marker_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (profile varchar(40) PRIMARY KEY, info text)"
        )


def read_marker(profile: str) -> Marker | None:
    _ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute("SELECT info FROM bench_marker WHERE profile = %s", [profile])
        row = cursor.fetchone()
    return Marker(**json.loads(row[0])) if row else None


def _write_marker(marker: Marker) -> None:
    _ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_marker WHERE profile = %s", [marker.profile])
        cursor.execute(
            "INSERT INTO bench_marker (profile, info) VALUES (%s, %s)",
            [marker.profile, json.dumps(asdict(marker))],
        )


# --- bulk writing ---------------------------------------------------------------------------


class _Ids:
    """Ids handed out here (the rows are copied with their ids; sequences are set after)."""

    def __init__(self, model: type[models.Model]) -> None:
        top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
        self.next = (top or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


_ids: dict[type[models.Model], _Ids] = {}


def new_id(model: type[models.Model]) -> int:
    if model not in _ids:
        _ids[model] = _Ids(model)
    return _ids[model].take()


_MISSING = object()


def _preparers(model: type[models.Model]) -> list[Callable[[dict[str, Any]], Any]]:
    result: list[Callable[[dict[str, Any]], Any]] = []
    for field in model._meta.concrete_fields:
        default = field.get_default() if not callable(field.default) else _MISSING

        def prepare(row: dict[str, Any], field: Any = field, default: Any = default) -> Any:
            value = row.get(field.attname, _MISSING)
            if value is _MISSING:
                value = field.get_default() if default is _MISSING else default
            return field.get_db_prep_save(value, connection)

        result.append(prepare)
    return result


def write(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows (dicts by attname, each with its `id`) in batches; return how many."""
    count = 0
    if connection.vendor == "postgresql":
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        preparers = _preparers(model)
        for chunk in _chunks(rows, BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row([prepare(row) for prepare in preparers])
            count += len(chunk)
    else:
        for chunk in _chunks(rows, BATCH):
            model._default_manager.bulk_create([model(**row) for row in chunk])
            count += len(chunk)
    return count


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            top = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


# --- the generator --------------------------------------------------------------------------

FIRST_NAMES = [
    "Emil",
    "Noah",
    "Oscar",
    "William",
    "Lucas",
    "Oliver",
    "Carl",
    "Alfred",
    "Malthe",
    "Victor",
    "Aksel",
    "Valdemar",
    "Elias",
    "Arthur",
    "Ella",
    "Alma",
    "Freja",
    "Ida",
    "Clara",
    "Karla",
    "Agnes",
    "Sofia",
    "Olivia",
    "Ellen",
    "Josefine",
    "Luna",
    "Laura",
    "Emma",
    "Mathilde",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Holm",
    "Berg",
    "Dahl",
    "Lund",
    "Krogh",
    "Bech",
    "Friis",
    "Juhl",
    "Kofoed",
    "Vestergaard",
]
CONCERN_TEXTS = (
    "Ses ofte sammen med ældre unge ved stationen om aftenen.",
    "Har været væk fra skole mange dage den seneste måned.",
    "Er set ryge hash i frikvarteret og virker påvirket i timerne.",
    "Har truet en kammerat og virker meget vred for tiden.",
    "Forældrene har svært ved at få kontakt med den unge.",
)
TASK_TEXTS = (
    "Samtale med den unge",
    "Kontakt forældrene",
    "Afklar fritidstilbud",
    "Bekymringssamtale",
    "Følg op på fravær",
    "Indkald til netværksmøde",
)
ITEM_TITLES = (
    "Status fra skolerne",
    "Orientering fra politiet",
    "Uro i området",
    "Fritidstilbud og klubber",
    "Opfølgning på sag",
    "Nye bekymringer",
    "Eventuelt",
)


def _log(line: str) -> None:
    print(line, flush=True)


def generate(profile_name: str, *, log: Callable[[str], None] = _log) -> Marker:
    """Generate the profile's data in the demo municipality (after `seed_all()`)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from ssp.accounts import confidentiality
    from ssp.accounts.models import ConfidentialityAcknowledgement
    from ssp.cases.models import (
        ActionAgreement,
        Case,
        CaseEvent,
        CaseStatus,
        Concern,
        ConcernSource,
        ConcernStatus,
        ConcernSubject,
        Level,
        Outcome,
        Task,
        TaskStatus,
        YoungPerson,
    )
    from ssp.crypto import blind_index, encrypt
    from ssp.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus, Visibility
    from ssp.organisation.models import (
        AccessRole,
        Cadence,
        Forum,
        ForumLevel,
        ForumType,
        Member,
        Membership,
        MembershipRole,
        Municipality,
        SchoolDistrict,
        Sector,
        Unit,
        UnitKind,
    )
    from ssp.police import deadlines as deadline_rules
    from ssp.police.models import (
        Deadline,
        DeadlineKind,
        Offence,
        PoliceReport,
        ReportStatus,
        Routing,
    )

    p = PROFILES[profile_name]
    started = time.perf_counter()
    rng = random.Random(11)  # noqa: S311 - synthetic data, not security
    _ids.clear()
    now = timezone.now()
    today = timezone.localdate()
    municipality = Municipality.objects.get(slug="aadal")
    mid = municipality.pk
    users = {u.username: u for u in User.objects.filter(member__municipality=municipality)}
    demo_members = {
        m.user.username: m
        for m in Member.objects.filter(user__in=users.values()).select_related("user")
        if m.user is not None
    }
    coordinator_user = users["koordinator"]
    coordinator = demo_members["koordinator"]
    social = demo_members["socialraadgiver"]
    teacher = demo_members["laerer"]
    koordinationsgruppe = Forum.objects.get(municipality=municipality, key="koordinationsgruppe")
    offences = list(Offence.objects.all())
    step_at = time.perf_counter()

    def step(what: str, count: int) -> None:
        nonlocal step_at
        log(f"  {what:<28}{count:>9} rows {time.perf_counter() - step_at:7.1f} s")
        step_at = time.perf_counter()

    def moment(days_ago: float) -> datetime:
        return now - timedelta(days=days_ago)

    # Organisation: school districts, units, members with logins, fora and memberships.
    districts = [
        {"id": new_id(SchoolDistrict), "municipality_id": mid, "name": f"Distrikt {i}"}
        for i in range(p.school_districts)
    ]
    for d, row in enumerate(districts):
        row["slug"] = f"bench-distrikt-{d}"
    write(SchoolDistrict, districts)
    unit_rows: list[dict[str, Any]] = []
    for i in range(p.units):
        unit_kind = UnitKind.SCHOOL if i % 3 else UnitKind.CLUB
        unit_rows.append(
            {
                "id": new_id(Unit),
                "municipality_id": mid,
                "name": f"{'Skole' if unit_kind == UnitKind.SCHOOL else 'Klub'} {i}",
                "slug": f"bench-enhed-{i}",
                "kind": unit_kind,
                "sector": Sector.BUF if unit_kind == UnitKind.SCHOOL else Sector.KFF,
                "school_district_id": districts[i % len(districts)]["id"],
                "address": f"Skolevej {i}, Ådal",
            }
        )
    write(Unit, unit_rows)
    schools = [u for u in unit_rows if u["kind"] == UnitKind.SCHOOL]
    step("districts and units", len(districts) + len(unit_rows))

    unusable = make_password(None)
    user_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    sectors = [Sector.BUF, Sector.SOF, Sector.POLICE, Sector.KFF, Sector.HEALTH, Sector.HOUSING]
    for i in range(p.members):
        user_id = new_id(User)
        user_rows.append(
            {
                "id": user_id,
                "username": f"bench-{i}",
                "password": unusable,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "email": f"bench-{i}@aadal.invalid",
                "is_active": True,
                "date_joined": moment(900),
            }
        )
        staff = i % 100 == 0
        politician = i % 50 == 1
        member_rows.append(
            {
                "id": new_id(Member),
                "user_id": user_id,
                "municipality_id": mid,
                "name": f"{user_rows[-1]['first_name']} {user_rows[-1]['last_name']} {i}",
                "title": "SSP-konsulent" if staff else "Medarbejder",
                "unit_id": unit_rows[i % len(unit_rows)]["id"],
                "sector": Sector.POLITICS if politician else sectors[i % len(sectors)],
                "access_role": (
                    AccessRole.SSP_STAFF
                    if staff
                    else AccessRole.POLITICIAN
                    if politician
                    else AccessRole.EMPLOYEE
                ),
                "is_authority": not politician and i % 10 < 7,
                "email": f"bench-{i}@aadal.invalid",
                "phone": f"70 {i % 100:02d} {i // 100 % 100:02d} 00",
            }
        )
    write(User, user_rows)
    write(Member, member_rows)
    text = confidentiality.text_for(municipality)
    write(
        ConfidentialityAcknowledgement,
        (
            {
                "id": new_id(ConfidentialityAcknowledgement),
                "user_id": row["id"],
                "municipality_id": mid,
                "text_hash": confidentiality.hash_of(text),
                "text": text,
                "acknowledged_at": moment(30),
            }
            for row in user_rows
        ),
    )
    step("users and members", len(user_rows) * 3)
    authority_ids = [m["id"] for m in member_rows if m["is_authority"]]
    staff_users = [
        u["id"]
        for u, m in zip(user_rows, member_rows, strict=True)
        if m["access_role"] == AccessRole.SSP_STAFF
    ] + [coordinator_user.pk]

    forum_types = [ForumType.LOKALGRUPPE] * 16 + [ForumType.OMRAADEGRUPPE] * 2
    forum_types += [ForumType.SSP_PLUS, ForumType.TRIVSELSRAAD]
    forum_rows: list[dict[str, Any]] = []
    for i in range(p.fora):
        forum_type = forum_types[i % len(forum_types)]
        forum_rows.append(
            {
                "id": new_id(Forum),
                "municipality_id": mid,
                "key": f"bench-forum-{i}",
                "name": f"{forum_type.label} {i}",
                "forum_type": forum_type,
                "level": ForumLevel.OPERATIONAL,
                "cadence": Cadence.MONTHLY,
                "parent_id": koordinationsgruppe.pk,
                "school_district_id": districts[i % len(districts)]["id"],
                "may_discuss_individuals": forum_type == ForumType.LOKALGRUPPE,
                "purpose": "Tværfagligt samarbejde om børn og unge i området.",
                "standing_items": [],
            }
        )
    write(Forum, forum_rows)
    forum_ids = [f["id"] for f in forum_rows]
    individual_fora = [f["id"] for f in forum_rows if f["may_discuss_individuals"]]
    memberships: list[dict[str, Any]] = []

    def join(forum_id: int, member_id: int, role: str = MembershipRole.MEMBER) -> None:
        memberships.append(
            {"id": new_id(Membership), "forum_id": forum_id, "member_id": member_id, "role": role}
        )

    demo_fora = Membership.objects.filter(member=coordinator).count()
    for index, forum_id in enumerate(forum_ids):
        chosen = rng.sample(range(len(member_rows)), p.members_per_forum)
        for n, pick in enumerate(chosen):
            join(forum_id, member_rows[pick]["id"], MembershipRole.CHAIR if n == 0 else "member")
        if index < p.coordinator_fora - demo_fora:
            join(forum_id, coordinator.pk, MembershipRole.COORDINATOR)
        if index < p.social_worker_fora:
            join(forum_id, social.pk)
        if index < p.teacher_fora:
            join(forum_id, teacher.pk)
    write(Membership, memberships)
    step("fora and memberships", len(forum_rows) + len(memberships))
    # The fora the demo roles sit in first: their cases and meetings exist for every role.
    social_fora = forum_ids[: p.social_worker_fora]
    teacher_fora = forum_ids[: p.teacher_fora]

    # Young people.
    person_rows: list[dict[str, Any]] = []
    for i in range(p.young_people):
        birth = today - timedelta(days=10 * 365 + (i * 7919) % (7 * 365))
        # Persons i and i + 2555 share a birth date (7919 is prime to 2555): the serial differs.
        cpr = f"{birth:%d%m%y}{4000 + i // (7 * 365):04d}"
        school = schools[i % len(schools)]
        person_rows.append(
            {
                "id": new_id(YoungPerson),
                "municipality_id": mid,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "cpr_encrypted": encrypt(cpr),
                "cpr_index": blind_index(cpr),
                "birth_date": birth,
                "school_id": school["id"],
                "class_name": f"{rng.randint(4, 10)}.{rng.choice('abc')}",
                "school_district_id": school["school_district_id"],
                "created_at": moment(rng.uniform(0, 1800)),
            }
        )
    write(YoungPerson, person_rows)
    person_ids = [row["id"] for row in person_rows]
    step("young people", len(person_rows))

    # Cases, each with the concern it came from, an action agreement, tasks and two events.
    case_rows: list[dict[str, Any]] = []
    concern_rows: list[dict[str, Any]] = []
    agreement_rows: list[dict[str, Any]] = []
    task_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    bench_case_id = 0
    bench_forum = forum_ids[0]
    tasks_per_case = p.tasks / p.cases
    for i in range(p.cases):
        is_open = i < p.open_cases
        # The demo roles' fora hold a realistic share of the cases (socialraadgiver sees
        # ~1,600, laerer ~500 at copenhagen10).
        if i % 25 == 0:
            forum_id = social_fora[i // 25 % len(social_fora)]
        elif i % 80 == 1:
            forum_id = teacher_fora[i // 80 % len(teacher_fora)]
        else:
            forum_id = rng.choice(individual_fora)
        opened_days = rng.uniform(0, 400) if is_open else rng.uniform(100, 1800)
        opened_at = moment(opened_days)
        person_id = person_ids[i % len(person_ids)]
        case_id = new_id(Case)
        if i == 0:
            bench_case_id, forum_id, is_open = case_id, bench_forum, True
        case_rows.append(
            {
                "id": case_id,
                "municipality_id": mid,
                "young_person_id": person_id,
                "level": rng.choice([Level.YELLOW, Level.YELLOW, Level.RED]),
                "forum_id": forum_id,
                "status": CaseStatus.OPEN if is_open else CaseStatus.CLOSED,
                "opened_by_id": rng.choice(staff_users),
                "opened_at": opened_at,
                "closed_at": None if is_open else opened_at + timedelta(days=rng.randint(30, 90)),
                "evaluation_outcome": "" if is_open else rng.choice(list(Outcome.values)),
                "evaluation_partners": "" if is_open else "Skole og familieafdeling",
            }
        )
        concern_rows.append(
            {
                "id": new_id(Concern),
                "municipality_id": mid,
                "subject": ConcernSubject.PERSON,
                "young_person_id": person_id,
                "reported_name": "",
                "source": rng.choice(list(ConcernSource.values)),
                "description": rng.choice(CONCERN_TEXTS),
                "level": case_rows[-1]["level"],
                "forum_id": forum_id,
                "status": ConcernStatus.CASE_OPENED,
                "raised_by_id": rng.choice(staff_users),
                "raised_at": opened_at - timedelta(days=rng.randint(1, 20)),
                "case_id": case_id,
            }
        )
        coordinator_id = rng.choice(authority_ids)
        contact_id = rng.choice(authority_ids)
        if i == 0 or i % 50 == 0:
            coordinator_id = social.pk
        if i == 0 or i % 90 == 1:
            contact_id = teacher.pk
        agreement_id = new_id(ActionAgreement)
        agreement_rows.append(
            {
                "id": agreement_id,
                "case_id": case_id,
                "first_action": "Samtale med den unge og forældrene.",
                "coordinator_id": coordinator_id,
                "contact_person_id": contact_id,
                "follow_up_date": (
                    today + timedelta(days=rng.randint(-30, 60))
                    if is_open
                    else opened_at.date() + timedelta(days=30)
                ),
                "created_by_id": case_rows[-1]["opened_by_id"],
                "created_at": opened_at + timedelta(hours=2),
            }
        )
        count = int(tasks_per_case * (i + 1)) - int(tasks_per_case * i)
        for t in range(count if i else max(count, 6)):
            owner = rng.choice(authority_ids)
            if i % 25 == 0 and t % 2 == 0:
                # Her tasks are in the cases of her own fora, as a social worker's are.
                owner = social.pk
            done = not is_open or rng.random() < 0.5
            task_rows.append(
                {
                    "id": new_id(Task),
                    "case_id": case_id,
                    "agreement_id": agreement_id,
                    "owner_id": owner,
                    "description": TASK_TEXTS[(i + t) % len(TASK_TEXTS)],
                    "due_date": (
                        today + timedelta(days=rng.randint(-20, 40))
                        if is_open
                        else opened_at.date() + timedelta(days=14)
                    ),
                    "status": TaskStatus.DONE if done else TaskStatus.OPEN,
                }
            )
        for n, text in enumerate(("Sag oprettet", "Handlingsaftale indgået")):
            event_rows.append(
                {
                    "id": new_id(CaseEvent),
                    "case_id": case_id,
                    "at": opened_at + timedelta(hours=n * 2),
                    "actor_id": case_rows[-1]["opened_by_id"],
                    "text": text,
                }
            )
    write(Case, case_rows)
    step("cases", len(case_rows))
    # Concerns not (yet) cases: new and awaiting ones in the fora, most dropped, some about
    # groups and places; laerer raised a few hundred.
    others = p.concerns - len(concern_rows)
    for i in range(others):
        roll = i % 100
        status = (
            ConcernStatus.NEW
            if roll < 3
            else ConcernStatus.AWAITING_DECISION
            if roll < 5
            else ConcernStatus.ACTION_REQUIRED
            if roll < 6
            else ConcernStatus.DROPPED
        )
        subject = ConcernSubject.PERSON if i % 20 else ConcernSubject.GROUP
        person_id = person_ids[(i * 7) % len(person_ids)] if subject == "person" else None
        raised_by = teacher.user_id if i % 150 == 0 else rng.choice(user_rows)["id"]
        forum_id = (
            rng.choice(forum_ids[: p.coordinator_fora])
            if status != ConcernStatus.DROPPED and i % 2
            else rng.choice(individual_fora)
        )
        concern_rows.append(
            {
                "id": new_id(Concern),
                "municipality_id": mid,
                "subject": subject,
                "young_person_id": person_id,
                "reported_name": "",
                "group_size": None if person_id else 4,
                "place": "" if person_id else "Ved stationen",
                "source": rng.choice(list(ConcernSource.values)),
                "description": rng.choice(CONCERN_TEXTS),
                "level": Level.YELLOW,
                "forum_id": forum_id,
                "status": status,
                "raised_by_id": raised_by,
                "raised_at": moment(
                    rng.uniform(0, 60) if status != ConcernStatus.DROPPED else rng.uniform(0, 1800)
                ),
                "truancy": i % 3 == 0,
                "isolated": i % 5 == 0,
                "has_worksheet": i % 4 == 0,
            }
        )
    write(Concern, concern_rows)
    step("concerns", len(concern_rows))
    write(ActionAgreement, agreement_rows)
    step("action agreements", len(agreement_rows))
    write(Task, task_rows)
    step("tasks", len(task_rows))
    write(CaseEvent, event_rows)
    step("case events", len(event_rows))
    del concern_rows, agreement_rows, task_rows, event_rows

    # Police reports (most reviewed and routed, some waiting for the weekly review) and their
    # deadlines: a family meeting for every routed report, a network council for serious
    # offences before 18. Open deadlines: some overdue, some due in the coming days.
    report_rows: list[dict[str, Any]] = []
    deadline_rows: list[dict[str, Any]] = []
    serious = [o for o in offences if o.serious]
    mild = [o for o in offences if not o.serious]
    open_overdue = p.overdue_deadlines
    open_upcoming = p.upcoming_deadlines
    for i in range(p.police_reports):
        waiting = i >= p.police_reports - p.waiting_reports
        person_index = (i * 13) % len(person_rows)
        person = person_rows[person_index]
        offence = rng.choice(serious) if i % 7 == 0 else rng.choice(mild)
        received_days = rng.randint(0, 13) if waiting else 14 + (i * 1800) // p.police_reports
        if not waiting and i % 97 == 0:
            received_days = rng.randint(8, 30)
        received = today - timedelta(days=received_days)
        incident = moment(received_days + rng.randint(1, 10))
        report_id = new_id(PoliceReport)
        report: dict[str, Any] = {
            "id": report_id,
            "municipality_id": mid,
            "young_person_id": person["id"],
            "incident_at": incident,
            "offence_id": offence.pk,
            "offence_text": offence.name,
            "police_reference": f"0100-7{i:07d}-26",
            "description": "Anmeldt af patruljen.",
            "received_on": received,
            "status": ReportStatus.WAITING if waiting else ReportStatus.ROUTED,
            "created_by_id": coordinator_user.pk,
        }
        home_contact = rng.choice(authority_ids)
        if not waiting:
            presented = received + timedelta(days=rng.randint(0, 6))
            presented = min(presented, today)
            routing = rng.choice(list(Routing.values))
            report.update(
                presented_on=presented,
                routing=routing,
                routed_to_member_id=home_contact if routing != Routing.LOCAL_GROUP else None,
                routed_to_forum_id=rng.choice(individual_fora)
                if routing == Routing.LOCAL_GROUP
                else None,
                home_contact_id=home_contact,
            )
        report_rows.append(report)
        kinds: list[tuple[str, date, date]] = []
        if not waiting:
            kinds.append(
                (
                    DeadlineKind.FAMILY_MEETING,
                    report["presented_on"],
                    deadline_rules.due_date(report["presented_on"], 7),
                )
            )
        if offence.serious and (incident.date() - person["birth_date"]).days < 18 * 365:
            kinds.append(
                (DeadlineKind.NETWORK_COUNCIL, received, deadline_rules.due_date(received, 7))
            )
        for deadline_kind, starts, due in kinds:
            met_on: date | None = min(due, today) - timedelta(days=rng.randint(0, 3))
            if due >= today and open_upcoming > 0 and due <= today + timedelta(days=7):
                met_on, open_upcoming = None, open_upcoming - 1
            elif due < today and open_overdue > 0 and received_days < 400 and i % 17 == 3:
                met_on, open_overdue = None, open_overdue - 1
            deadline_rows.append(
                {
                    "id": new_id(Deadline),
                    "municipality_id": mid,
                    "kind": deadline_kind,
                    "young_person_id": person["id"],
                    "report_id": report_id,
                    "starts_on": starts,
                    "due_on": due,
                    "responsible_id": None if waiting else home_contact,
                    "met_on": met_on if met_on is None else max(met_on, starts),
                }
            )
    write(PoliceReport, report_rows)
    step("police reports", len(report_rows))
    write(Deadline, deadline_rows)
    step("deadlines", len(deadline_rows))
    del report_rows, deadline_rows, person_rows

    # Meetings: each forum monthly, two thirds held, a third planned; agenda items spread over
    # them; the benchmark's meeting (upcoming, in the demo roles' forum) has its own count.
    meeting_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    bench_meeting_id = 0
    total_meetings = p.fora * p.meetings_per_forum
    items_left = p.agenda_items - p.agenda_meeting_items
    per_meeting = items_left / (total_meetings - 1)
    cases_by_forum = {row["forum_id"]: row["id"] for row in case_rows}
    visibilities = [Visibility.INTERNAL, Visibility.INTERNAL, Visibility.PUBLIC, Visibility.CLOSED]
    n = 0
    for forum_id in forum_ids:
        for m in range(p.meetings_per_forum):
            offset = (m - p.meetings_per_forum * 2 // 3) * 30 + forum_id % 20
            starts = (now + timedelta(days=offset)).replace(minute=0, second=0, microsecond=0)
            meeting_id = new_id(Meeting)
            held = offset < 0
            meeting_rows.append(
                {
                    "id": meeting_id,
                    "forum_id": forum_id,
                    "kind": "regular",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "location": "Mødelokale 1",
                    "status": MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                    "approved_at": starts + timedelta(days=3) if held else None,
                }
            )
            special = not bench_meeting_id and forum_id == bench_forum and offset > 3
            if special:
                bench_meeting_id = meeting_id
                count = p.agenda_meeting_items
            else:
                count = int(per_meeting * (n + 1)) - int(per_meeting * n)
                n += 1
            for position in range(1, count + 1):
                visibility = visibilities[position % len(visibilities)]
                item_case = (
                    cases_by_forum.get(forum_id) if visibility == Visibility.CLOSED else None
                )
                item_rows.append(
                    {
                        "id": new_id(AgendaItem),
                        "meeting_id": meeting_id,
                        "position": position,
                        "title": ITEM_TITLES[position % len(ITEM_TITLES)],
                        "description": "Kort orientering og drøftelse.",
                        "visibility": visibility,
                        "kind": ItemKind.CASE_FOLLOW_UP if item_case else ItemKind.FREE,
                        "case_id": item_case,
                        "decision": "Taget til efterretning." if held else "",
                    }
                )
    write(Meeting, meeting_rows)
    step("meetings", len(meeting_rows))
    write(AgendaItem, item_rows)
    step("agenda items", len(item_rows))
    _reset_sequences(list(_ids))
    if connection.vendor == "postgresql":
        # As autovacuum leaves a production database: statistics, and a visibility map that
        # lets index-only scans skip the table (the access rules' arms rely on them).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        step("vacuum analyze", 0)
    marker = Marker(
        profile=profile_name,
        case_id=bench_case_id,
        meeting_id=bench_meeting_id,
        forum_id=bench_forum,
        generated_at=now.isoformat(),
        seconds=round(time.perf_counter() - started, 1),
    )
    _write_marker(marker)
    return marker
