"""Use cases for concerns and cases (R2-R4). Each is atomic and writes its audit event."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import access as case_access
from ssp.cases import adhoc, routing
from ssp.cases.cpr import CPR_DIGITS, full_cpr_of, parse_cpr
from ssp.cases.models import (
    PRIMARY_STATEMENTS,
    RISK_FACTORS,
    ActionAgreement,
    Case,
    CaseEvent,
    CaseStatus,
    Concern,
    ConcernStatus,
    ConcernSubject,
    Consent,
    CustodyHolder,
    Disclosure,
    LegalBasis,
    Level,
    LevelChange,
    Task,
    TaskStatus,
    YoungPerson,
)
from ssp.crypto import blind_index, encrypt
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.models import (
    Forum,
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
from ssp.validation import PLANNING_HORIZON, has_control_characters
from ssp.versioning import StaleEdit, save_versioned

DEFAULT_LEGAL_BASES: tuple[dict[str, Any], ...] = (
    {
        "code": "consent",
        "title": "Samtykke fra forældremyndighedsindehaver",
        "reference": "",
        "is_consent": True,
        "requires_parent_involvement": False,
    },
    {
        "code": "rpl-115-clarify",
        "title": "Afklaring af tværfaglig bekymring uden samtykke",
        "reference": "Retsplejeloven § 115, stk. 1, nr. 1",
        "is_consent": False,
        "requires_parent_involvement": True,
    },
    {
        "code": "rpl-115-effort",
        "title": "Kriminalpræventiv indsats, forældrene afviser samtykke",
        "reference": "Retsplejeloven § 115, stk. 1, nr. 1",
        "is_consent": False,
        "requires_parent_involvement": True,
    },
)


# Field lengths that free text is cut to before it is stored.
EVENT_TEXT_MAX = 500
REPORTED_NAME_MAX = 200
# How a search for young people was made, as the audit event records it (not the words).
SEARCH_BY_CPR = "cpr"
SEARCH_BY_NAME = "name"
# Issue 15: the list of the young people without a CPR number ("Mangler CPR").
SEARCH_BY_MISSING_CPR = "missing_cpr"


def _subject(person: YoungPerson) -> str:
    """The audit trail's reference to a young person: an id, never a name."""
    return f"youngperson:{person.pk}"


# --- Who may be chosen, and rows created once ---------------------------------------------------


def _check_choosable(actor_user: User, case: Case, members: Iterable[Member]) -> None:
    """The services' re-check of `case_access.choosable_members` (one rule for every channel)."""
    chosen = {member.pk for member in members}
    if not chosen:
        return
    allowed = set(
        case_access.choosable_members(access.get_actor(actor_user), case)
        .filter(pk__in=chosen)
        .values_list("pk", flat=True)
    )
    if chosen - allowed:
        raise DomainError(
            _(
                "Kun SSP-medarbejdere og myndighedspersoner i kommunen kan vælges i en sag "
                "(ikke politikere, administratorer eller andre medarbejdere)."
            )
        )


CreatedT = TypeVar("CreatedT", bound=models.Model)


def _create_once(
    model: type[CreatedT],
    *,
    token: uuid.UUID | None,
    case: Case,
    create: Callable[[], CreatedT],
) -> tuple[CreatedT, bool]:
    """Create a row for a creating form's one-time token, once: the same form posted again (a
    double click, a retry, two tabs) returns the row the first post made, and `False`.

    The token's column is unique: of two concurrent posts one INSERT wins, the other waits for
    it, fails on the constraint and then reads the winner's row.
    """
    if token is None:
        return create(), True
    manager = model._default_manager
    existing = manager.filter(form_token=token).first()
    if existing is None:
        try:
            with transaction.atomic():
                return create(), True
        except IntegrityError:
            existing = manager.filter(form_token=token).first()
            if existing is None:
                raise
    if getattr(existing, "case_id", None) != case.pk:
        raise DomainError(_("Formularen er allerede brugt. Hent siden igen."))
    return existing, False


# --- Worksheet rule ------------------------------------------------------------------------


def worksheet_status(*, primary: Iterable[str], risk: Iterable[str], other: str = "") -> str:
    """R2, Fredericia Bilag 1: a primary statement makes an action agreement mandatory; only
    risk factors put the concern up for decision at the next local-group meeting."""
    if any(True for _name in primary):
        return ConcernStatus.ACTION_REQUIRED
    if any(True for _name in risk) or other.strip():
        return ConcernStatus.AWAITING_DECISION
    return ConcernStatus.NEW


# --- Young people --------------------------------------------------------------------------


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_target_age(municipality: Municipality, birth: date, today: date | None = None) -> None:
    age = age_on(birth, today or timezone.localdate())
    in_target = municipality.target_age_min <= age <= municipality.target_age_max
    in_plus = (
        municipality.ssp_plus_age_min is not None
        and municipality.ssp_plus_age_max is not None
        and municipality.ssp_plus_age_min <= age <= municipality.ssp_plus_age_max
    )
    if not (in_target or in_plus):
        raise DomainError(
            _(
                "Den unge er %(age)s år. SSP i %(municipality)s arbejder med "
                "%(lo)s-%(hi)s-årige, så der kan ikke oprettes en SSP-sag. "
                "Kontakt SSP-koordinatoren, hvis du er i tvivl."
            )
            % {
                "age": age,
                "municipality": municipality.name,
                "lo": municipality.target_age_min,
                "hi": municipality.ssp_plus_age_max or municipality.target_age_max,
            }
        )


@dataclass
class CustodyHolderData:
    name: str
    relation: str = ""
    phone: str = ""
    email: str = ""


# Issue 15: a child named without a CPR number is identified by a birth date, or by school and
# class; a birth date is checked against a range around the target ages.
CUSTODY_HOLDERS_MAX = 3
# The form's custody holder fields: "parent_name"/"parent_phone", then "_2", "_3".
CUSTODY_HOLDER_SUFFIXES = ("", "_2", "_3")
# The key of `identity_problems` for the custody holders (the form shows it at the holder's name).
CUSTODY_HOLDERS_FIELD = "custody_holders"
BIRTH_DATE_MARGIN_YEARS = 5
# The kinds of unit a pupil's school may be (not the council, the police, the health visitors).
SCHOOL_KINDS = (UnitKind.SCHOOL, UnitKind.YOUTH_SCHOOL)


def missing_identity_message() -> str:
    return _(
        "Skriv barnets CPR-nummer. Kender du det ikke, så skriv fødselsdatoen eller både "
        "skole og klasse."
    )


def earliest_birth_date(municipality: Municipality, today: date | None = None) -> date:
    """The oldest birth date a concern may give: the oldest target age and a margin."""
    day = today or timezone.localdate()
    oldest = max(
        municipality.target_age_max,
        municipality.ssp_plus_age_max or 0,
    )
    years = oldest + 1 + BIRTH_DATE_MARGIN_YEARS
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_birth_date(municipality: Municipality, birth: date, today: date | None = None) -> None:
    """A typed birth date within the domain: not in the future, not long before the target ages."""
    day = today or timezone.localdate()
    if birth > day:
        raise DomainError(_("Fødselsdatoen kan ikke ligge i fremtiden."))
    earliest = earliest_birth_date(municipality, day)
    if birth < earliest:
        raise DomainError(
            _("Fødselsdatoen skal være efter %(date)s.") % {"date": f"{earliest:%d.%m.%Y}"}
        )


def is_school(unit: Unit | None, municipality_id: int) -> bool:
    return (
        unit is not None and unit.municipality_id == municipality_id and unit.kind in SCHOOL_KINDS
    )


@dataclass
class YoungPersonData:
    first_name: str
    last_name: str
    cpr: str = ""
    school: Unit | None = None
    class_name: str = ""
    custody_holders: list[CustodyHolderData] = field(default_factory=list)
    # Issue 15: without a CPR number, the birth date if the reporter knows it.
    birth_date: date | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, school: Unit | None) -> YoungPersonData:
        """From validated input: a form's cleaned data or an API payload (shared by both)."""
        given = [
            (values.get(f"parent_name{suffix}"), values.get(f"parent_phone{suffix}"))
            for suffix in CUSTODY_HOLDER_SUFFIXES
        ]
        given += [
            (holder.get("name"), holder.get("phone"))
            for holder in values.get("custody_holders") or []
        ]
        # Every holder with a name or a phone: `identity_problems` refuses a phone without a
        # name and more than `CUSTODY_HOLDERS_MAX` (nothing is dropped without a word).
        holders = [
            CustodyHolderData(name=(name or "").strip(), phone=(phone or "").strip())
            for name, phone in given
            if (name or "").strip() or (phone or "").strip()
        ]
        return cls(
            first_name=values["first_name"],
            last_name=values["last_name"],
            cpr=(values.get("cpr") or "").strip(),
            school=school,
            class_name=(values.get("class_name") or "").strip(),
            custody_holders=holders,
            birth_date=values.get("birth_date"),
        )


def identity_problems(municipality: Municipality, data: YoungPersonData) -> dict[str, str]:
    """Issue 15: what is wrong with a named child's identity, by field ("" for the whole);
    shared by the concern form, the API and `find_or_register_young_person`.

    A named child needs a first and a last name and either a valid CPR number, a birth date in
    the domain range, or both school and class."""
    problems: dict[str, str] = {}
    for name in ("first_name", "last_name"):
        if not getattr(data, name).strip():
            problems[name] = _("Udfyld feltet, når bekymringen handler om et navngivet barn.")
    if data.cpr:
        try:
            _digits, birth = parse_cpr(data.cpr)
        except DomainError as exc:
            problems["cpr"] = exc.message
        else:
            if data.birth_date is not None and data.birth_date != birth:
                problems["birth_date"] = _("Fødselsdatoen passer ikke med CPR-nummeret.")
    elif data.birth_date is not None:
        try:
            check_birth_date(municipality, data.birth_date)
        except DomainError as exc:
            problems["birth_date"] = exc.message
    elif not (is_school(data.school, municipality.pk) and data.class_name.strip()):
        problems["cpr"] = missing_identity_message()
    holders = data.custody_holders
    if any(holder.phone.strip() and not holder.name.strip() for holder in holders):
        problems[CUSTODY_HOLDERS_FIELD] = phone_without_name_message()
    elif len(holders) > CUSTODY_HOLDERS_MAX:
        problems[CUSTODY_HOLDERS_FIELD] = _(
            "Skriv højst %(max)s forældremyndighedsindehavere i alt."
        ) % {"max": CUSTODY_HOLDERS_MAX}
    return problems


def phone_without_name_message() -> str:
    return _("Skriv navnet på forældremyndighedsindehaveren til telefonnummeret.")


def _register(
    *,
    actor_user: User,
    municipality: Municipality,
    data: YoungPersonData,
    birth: date | None,
    digits: str = "",
) -> YoungPerson:
    school = data.school if is_school(data.school, municipality.pk) else None
    person = YoungPerson.objects.create(
        municipality=municipality,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        cpr_encrypted=encrypt(digits) if digits else "",
        cpr_index=blind_index(digits) if digits else "",
        birth_date=birth,
        school=school,
        class_name=data.class_name.strip(),
        school_district=school.school_district if school else None,
    )
    for holder in data.custody_holders[:CUSTODY_HOLDERS_MAX]:
        if holder.name.strip():
            CustodyHolder.objects.create(
                young_person=person,
                name=holder.name.strip(),
                relation=holder.relation,
                phone=holder.phone,
                email=holder.email,
            )
    record_event(
        actor=actor_user,
        action=AuditAction.YOUNG_PERSON_REGISTERED,
        obj=person,
        municipality_id=municipality.pk,
        subject_ref=_subject(person),
        data={"cpr": bool(digits)},
    )
    return person


def find_or_register_young_person(
    *, actor_user: User, municipality: Municipality, data: YoungPersonData
) -> YoungPerson:
    """R3: CPR validated, stored encrypted and found by its blind index; age in target range.

    Issue 15: without a CPR number (a birth date, or school and class) a new young person is
    registered, never matched to an existing one by name; the target age is checked on the
    birth date when it is known. SSP staff complete the identity later (`cases.identity`)."""
    problems = identity_problems(municipality, data)
    if problems:
        raise DomainError(next(iter(problems.values())))
    if not data.cpr:
        if data.birth_date is not None:
            check_target_age(municipality, data.birth_date)
        return _register(
            actor_user=actor_user, municipality=municipality, data=data, birth=data.birth_date
        )
    digits, birth = parse_cpr(data.cpr)
    check_target_age(municipality, birth)
    index = blind_index(digits)
    person = YoungPerson.objects.filter(municipality=municipality, cpr_index=index).first()
    if person is not None:
        return person
    return _register(
        actor_user=actor_user, municipality=municipality, data=data, birth=birth, digits=digits
    )


# --- Concerns ------------------------------------------------------------------------------


@dataclass
class ConcernData:
    subject: str
    source: str
    description: str
    level: str = Level.YELLOW
    case_level: int | None = None
    young_person: YoungPersonData | None = None
    group_size: int | None = None
    group_age_min: int | None = None
    group_age_max: int | None = None
    place: str = ""
    school_district: SchoolDistrict | None = None
    worksheet: dict[str, Any] | None = None
    # A group or place concern's catalogue intervention (R7), if any; never a person concern's.
    intervention_id: int | None = None
    # A concern about a young person already registered (a routed police report's): used as
    # is instead of `young_person`, never looked up again by CPR number (a person merged from
    # registrations without one has none).
    existing_person: YoungPerson | None = None

    @classmethod
    def from_values(
        cls,
        values: Mapping[str, Any],
        *,
        young_person: YoungPersonData | None,
        worksheet: dict[str, Any] | None,
    ) -> ConcernData:
        """From validated input: a form's cleaned data or an API payload (shared by both)."""
        return cls(
            subject=values["subject"],
            source=values["source"],
            description=values["description"],
            level=values.get("level") or Level.YELLOW,
            case_level=values.get("case_level"),
            young_person=young_person,
            group_size=values.get("group_size"),
            group_age_min=values.get("group_age_min"),
            group_age_max=values.get("group_age_max"),
            place=values.get("place") or "",
            school_district=values.get("school_district"),
            worksheet=worksheet,
            intervention_id=values.get("intervention_id"),
        )


@transaction.atomic
def raise_concern(*, actor_user: User, data: ConcernData) -> Concern:
    """R2: anyone raises a concern; it is routed and the worksheet rule sets its status."""
    actor = access.get_actor(actor_user)
    if not case_access.can_raise_concern(actor):
        raise DomainError(_("Din rolle kan ikke indberette bekymringer."))
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    if data.intervention_id is not None:
        if data.subject == ConcernSubject.PERSON:
            raise DomainError(
                _("Kun en bekymring om en gruppe eller et sted kan pege på en indsats.")
            )
        _check_intervention(actor, data.intervention_id, municipality.pk)
    person = None
    district = data.school_district
    if data.subject == ConcernSubject.PERSON:
        if data.existing_person is not None:
            person = _registered_person(municipality, data.existing_person)
        elif data.young_person is None:
            raise DomainError(_("Udfyld oplysningerne om barnet eller den unge."))
        else:
            person = find_or_register_young_person(
                actor_user=actor_user, municipality=municipality, data=data.young_person
            )
        district = person.school_district or district
    worksheet = data.worksheet or {}
    primary = [name for name, _label in PRIMARY_STATEMENTS if worksheet.get(name)]
    risk = [name for name, _label in RISK_FACTORS if worksheet.get(name)]
    status = (
        worksheet_status(primary=primary, risk=risk, other=worksheet.get("other_factor", ""))
        if data.worksheet is not None
        else ConcernStatus.NEW
    )
    concern = Concern(
        municipality=municipality,
        subject=data.subject,
        young_person=person,
        group_size=data.group_size if data.subject == ConcernSubject.GROUP else None,
        group_age_min=data.group_age_min if data.subject == ConcernSubject.GROUP else None,
        group_age_max=data.group_age_max if data.subject == ConcernSubject.GROUP else None,
        place=data.place,
        intervention_id=data.intervention_id,
        source=data.source,
        description=data.description,
        level=data.level,
        case_level=data.case_level if municipality.rule("case_levels") else None,
        reported_name=_reported_name(data, person),
        # R1/R3: a named person's concern only to a forum that may discuss individuals.
        # Issue 16: a general (green) group or place concern goes to general prevention.
        forum=routing.forum_for_concern(
            municipality, district, named=person is not None, level=data.level
        ),
        status=status,
        raised_by=actor_user,
        has_worksheet=data.worksheet is not None,
        other_factor=worksheet.get("other_factor", ""),
        worksheet_coordinator=worksheet.get("worksheet_coordinator", ""),
        worksheet_contact_person=worksheet.get("worksheet_contact_person", ""),
        worksheet_first_action=worksheet.get("worksheet_first_action", ""),
    )
    for name in primary + risk:
        setattr(concern, name, True)
    concern.save()
    record_event(
        actor=actor_user,
        action=AuditAction.CONCERN_RAISED,
        obj=concern,
        municipality_id=municipality.pk,
        subject_ref=_subject(person) if person else "",
        data={"status": status, "forum": concern.forum_id},
    )
    return concern


def _registered_person(municipality: Municipality, person: YoungPerson) -> YoungPerson:
    """A concern about a young person already registered: of the municipality, not anonymised,
    in the target ages when the birth date is known (as `find_or_register_young_person`)."""
    if person.municipality_id != municipality.pk:
        raise DomainError(_("Den unge findes ikke i kommunens register."))
    if person.anonymised_at is not None:
        raise DomainError(_("Den unge er anonymiseret: der kan ikke rejses en ny bekymring."))
    if person.birth_date is not None:
        check_target_age(municipality, person.birth_date)
    return person


def _reported_name(data: ConcernData, person: YoungPerson | None) -> str:
    """The name as reported (kept when the person is corrected or merged later)."""
    if data.young_person is not None and data.existing_person is None:
        name = f"{data.young_person.first_name.strip()} {data.young_person.last_name.strip()}"
    elif person is not None:
        name = f"{person.first_name} {person.last_name}"
    else:
        name = ""
    return name[:REPORTED_NAME_MAX]


def concern_receivers(concern: Concern) -> list[Member]:
    """Whom the concern went to: the coordinators and chairs of the receiving forum."""
    if concern.forum is None:
        return []
    return [
        ms.member
        for ms in Membership.objects.current()
        .filter(forum=concern.forum, role__in=(MembershipRole.COORDINATOR, MembershipRole.CHAIR))
        .select_related("member")
    ]


@transaction.atomic
def route_concern(*, actor_user: User, concern: Concern, forum: Forum) -> Concern:
    if not case_access.can_route_concern(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan sende en bekymring videre."))
    if forum.municipality_id != concern.municipality_id or forum.dissolved_at is not None:
        raise DomainError(_("Vælg et aktivt forum i kommunen."))
    if concern.young_person_id is not None:
        routing.check_may_take_named_matter(forum)
    concern.forum = forum
    concern.save(update_fields=["forum"])
    record_event(
        actor=actor_user,
        action=AuditAction.CONCERN_ROUTED,
        obj=concern,
        municipality_id=concern.municipality_id,
        data={"forum": forum.pk},
    )
    return concern


@transaction.atomic
def drop_concern(*, actor_user: User, concern: Concern, note: str) -> Concern:
    if not case_access.can_drop_concern(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan henlægge en bekymring."))
    if concern.requires_agreement:
        raise DomainError(
            _("Arbejdsarket kræver en handlingsaftale. Bekymringen kan ikke henlægges.")
        )
    if not note.strip():
        raise DomainError(_("Skriv en begrundelse for at henlægge bekymringen."))
    concern.status = ConcernStatus.DROPPED
    concern.decision_note = note.strip()
    concern.save(update_fields=["status", "decision_note"])
    record_event(
        actor=actor_user,
        action=AuditAction.CONCERN_DROPPED,
        obj=concern,
        municipality_id=concern.municipality_id,
    )
    return concern


# --- Cases ---------------------------------------------------------------------------------


def _event(case: Case, actor_user: User | None, text: str) -> None:
    CaseEvent.objects.create(case=case, actor=actor_user, text=text[:EVENT_TEXT_MAX])


@transaction.atomic
def open_case(
    *,
    actor_user: User,
    concerns: Sequence[Concern],
    level: str,
    forum: Forum | None = None,
    case_level: int | None = None,
) -> Case:
    """R3: open a case from one or more concerns about one young person."""
    if not case_access.can_open_case(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan oprette sager."))
    if not concerns:
        raise DomainError(_("Vælg mindst én bekymring."))
    people = {concern.young_person_id for concern in concerns}
    if len(people) != 1 or None in people:
        raise DomainError(
            _("En sag handler om én navngiven ung. Vælg bekymringer om samme person.")
        )
    first = concerns[0]
    if first.young_person is None:
        raise DomainError(_("En sag handler om én navngiven ung."))
    # R1/R3: a case names its young person, so only a forum that may discuss individuals.
    if forum is None and first.forum is not None:
        forum = routing.forum_for_named_matter_from(first.forum)
    handling = forum
    if handling is None:
        raise DomainError(_("Vælg det forum, der skal behandle sagen."))
    routing.check_may_take_named_matter(handling)
    case = Case.objects.create(
        municipality_id=first.municipality_id,
        young_person=first.young_person,
        level=level,
        case_level=case_level,
        forum=handling,
        opened_by=actor_user,
    )
    Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(
        case=case, status=ConcernStatus.CASE_OPENED
    )
    # A concern left in a forum that may not discuss individuals (raised before the rule)
    # follows its case.
    Concern.objects.filter(
        pk__in=[c.pk for c in concerns], forum__may_discuss_individuals=False
    ).update(forum=handling)
    _event(case, actor_user, _("Sagen er oprettet og behandles i %(forum)s.") % {"forum": handling})
    record_event(
        actor=actor_user,
        action=AuditAction.CASE_OPENED,
        obj=case,
        municipality_id=case.municipality_id,
        subject_ref=_subject(first.young_person),
    )
    return case


@transaction.atomic
def escalate_case(*, actor_user: User, case: Case, forum: Forum, reason: str) -> Case:
    if not case_access.can_escalate_case(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan sende en sag videre."))
    if forum.municipality_id != case.municipality_id or not forum.may_discuss_individuals:
        raise DomainError(
            _("Sagen kan kun sendes til et forum i kommunen, der må drøfte enkeltpersoner.")
        )
    previous = case.forum
    case.forum = forum
    case.save(update_fields=["forum"])
    Concern.objects.filter(case=case).update(forum=forum)
    _event(
        case,
        actor_user,
        _("Sagen er sendt fra %(old)s til %(new)s: %(reason)s")
        % {"old": previous, "new": forum, "reason": reason},
    )
    record_event(
        actor=actor_user,
        action=AuditAction.CASE_ESCALATED,
        obj=case,
        municipality_id=case.municipality_id,
        data={"from": previous.pk, "to": forum.pk},
    )
    return case


# --- Case levels (issue 16) ----------------------------------------------------------------

# The reason for a level change: encrypted (`LevelChange.reason`), bounded here and on the form.
LEVEL_REASON_MAX_LENGTH = 1000
CASE_LEVEL_MIN = 1
CASE_LEVEL_MAX = 4
LEVEL_FIELDS = ("level", "case_level")


@dataclass
class LevelChangeResult:
    """The outcome of `change_case_level`: the change written (None when the same change had
    already been saved, e.g. a double click), and the level rules the case's current
    coordinator no longer meets (the page shows them as warnings)."""

    case: Case
    change: LevelChange | None
    warnings: list[str]


def _level_label(level: str, case_level: int | None) -> str:
    label = str(Level(level).label).split(" – ")[0] if level in Level.values else level
    if case_level is not None:
        return _("%(level)s (sagsniveau %(n)s)") % {"level": label, "n": case_level}
    return label


def _current_coordinator(case: Case) -> Member | None:
    """The coordinator of the case's newest action agreement: a new agreement replaces the
    former, so only its coordinator must meet the level rules."""
    agreement = (
        ActionAgreement.objects.filter(case=case)
        .select_related("coordinator")
        .order_by("-created_at", "-pk")
        .first()
    )
    return agreement.coordinator if agreement is not None else None


def level_rule_warnings(case: Case) -> list[str]:
    """What must be done now that the case is at its level: the rules (`rules_for_case`) its
    current coordinator does not meet, each with the way out (a new action agreement)."""
    coordinator = _current_coordinator(case)
    if coordinator is None:
        return []
    return [
        _(
            "%(rule)s Den nuværende tovholder opfylder ikke reglen. Lav en ny handlingsaftale "
            "med en tovholder, der gør."
        )
        % {"rule": breach}
        for breach in _agreement_rule_breaches(case, coordinator)
    ]


def _clean_level_input(level: str, case_level: int | None, reason: str) -> str:
    if level not in Level.values:
        raise DomainError(_("Vælg et niveau."))
    if case_level is not None and not CASE_LEVEL_MIN <= case_level <= CASE_LEVEL_MAX:
        raise DomainError(
            _("Sagsniveauet skal være mellem %(lo)s og %(hi)s.")
            % {"lo": CASE_LEVEL_MIN, "hi": CASE_LEVEL_MAX}
        )
    text = reason.strip()
    if not text:
        raise DomainError(_("Skriv en begrundelse for niveauændringen."))
    if len(text) > LEVEL_REASON_MAX_LENGTH:
        raise DomainError(
            _("Begrundelsen må højst være %(n)s tegn.") % {"n": LEVEL_REASON_MAX_LENGTH}
        )
    if has_control_characters(text):
        raise DomainError(_("Begrundelsen indeholder ugyldige tegn."))
    return text


@transaction.atomic
def change_case_level(
    *,
    actor_user: User,
    case: Case,
    level: str,
    case_level: int | None,
    reason: str,
    expected_version: int,
) -> LevelChangeResult:
    """Issue 16 (Fredericia's green/yellow/red, København's 1-4): change an open case's level
    with a reason. The case's sagsniveau changes only where the municipality uses case levels.

    Race-safe: the case row is locked and the form's version compared under the lock, so of two
    changes from the same version one wins and the other gets `StaleEdit` (unless it asked for
    exactly what is now stored: a double click, which writes nothing). The change is saved even
    when the case's current coordinator no longer meets the level's rule (an SSP coordinator
    must be able to raise a case to red at once); the rule is then named in the warnings and on
    the timeline, and a new action agreement puts it right."""
    if not case_access.can_change_case_level(access.get_actor(actor_user), case):
        raise DomainError(_("Kun SSP-medarbejdere og sagens tovholder kan ændre niveauet."))
    text = _clean_level_input(level, case_level, reason)
    locked = (
        Case.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=case.pk)
    )
    if locked.status != CaseStatus.OPEN:
        raise DomainError(_("Sagen er afsluttet. Niveauet kan ikke ændres."))
    if not locked.municipality.rule("case_levels"):
        case_level = locked.case_level  # kept as it is: the municipality does not use them
    wanted = (level, case_level)
    stored = (locked.level, locked.case_level)
    if locked.version != expected_version:
        if wanted == stored:
            return LevelChangeResult(case=locked, change=None, warnings=[])
        raise StaleEdit(
            current={name: getattr(locked, name) for name in LEVEL_FIELDS},
            version=locked.version,
        )
    if wanted == stored:
        raise DomainError(
            _("Sagen er allerede på dette niveau. Vælg et andet niveau, eller fortryd.")
        )
    case.level, case.case_level = wanted
    save_versioned(case, expected_version=locked.version, fields=LEVEL_FIELDS)
    change = LevelChange.objects.create(
        case=case,
        from_level=stored[0],
        to_level=level,
        from_case_level=stored[1],
        to_case_level=case_level,
        reason=text,
        changed_by=actor_user,
    )
    # The timeline's text is not encrypted: the levels only; the reason is shown from the
    # (encrypted) LevelChange on the case page.
    _event(
        case,
        actor_user,
        _("Niveau ændret fra %(old)s til %(new)s.")
        % {"old": _level_label(*stored), "new": _level_label(*wanted)},
    )
    warnings = level_rule_warnings(case)
    for warning in warnings:
        _event(case, actor_user, _("Niveaureglen er ikke opfyldt: %(w)s") % {"w": warning})
    record_event(
        actor=actor_user,
        action=AuditAction.CASE_LEVEL_CHANGED,
        obj=case,
        municipality_id=case.municipality_id,
        subject_ref=_subject(case.young_person),
        data={
            "from": stored[0],
            "to": level,
            "from_case_level": stored[1],
            "to_case_level": case_level,
            "rule_not_met": bool(warnings),
        },
    )
    return LevelChangeResult(case=case, change=change, warnings=warnings)


def may_become_activity(concern: Concern) -> bool:
    """Issue 16: a concern about a group or a place (never a named child) that has not been
    decided yet can become an activity in the prevention plan instead of a case."""
    return (
        concern.subject != ConcernSubject.PERSON
        and concern.young_person_id is None
        and concern.activity_id is None
        and concern.status in (ConcernStatus.NEW, ConcernStatus.AWAITING_DECISION)
    )


@dataclass
class TaskData:
    owner: Member
    description: str
    due_date: date
    # The catalogue intervention the task uses (R7), if any.
    intervention_id: int | None = None


def _check_intervention(actor: access.Actor, intervention_id: int, municipality_id: int) -> None:
    """A task or concern points only to an intervention in use in its municipality's catalogue
    (the actor's: `visible_interventions`)."""
    from ssp.prevention.usage import is_choosable  # prevention builds on cases: no cycle

    if not is_choosable(actor, intervention_id, municipality_id):
        raise DomainError(_("Vælg en indsats, der er i brug i kommunens katalog."))


@dataclass
class AgreementResult:
    agreement: ActionAgreement
    warnings: list[str]
    # The names of the professionals who were sent a copy (the SSP team's chair); empty when
    # no one could be told (no chair, or a chair without an e-mail address).
    notified: list[str] = field(default_factory=list)


def _agreement_rule_breaches(case: Case, coordinator: Member) -> list[str]:
    """Municipal rules (R3) the coordinator does not meet at the case's level: red level -> an
    authority social worker coordinates (Fredericia); the listed case levels -> social services
    lead (København). Read from the rules the case is judged by (`rules_for_case`: a closed
    case keeps the rules it was handled under)."""
    rules = configuration.rules_for_case(case)
    breaches: list[str] = []
    is_social_authority = coordinator.sector == Sector.SOF and coordinator.is_authority
    red_rule = case.level == Level.RED and rules.get("red_level_coordinator_authority")
    if red_rule and not is_social_authority:
        breaches.append(
            _(
                "På rødt niveau skal tovholderen være en myndighedssagsbehandler "
                "fra socialforvaltningen."
            )
        )
    lead_levels = rules.get("social_services_lead_levels") or []
    if (
        isinstance(lead_levels, list)
        and case.case_level in lead_levels
        and coordinator.sector != Sector.SOF
    ):
        breaches.append(
            _("Socialforvaltningen leder sager på niveau %(level)s: vælg en tovholder derfra.")
            % {"level": case.case_level}
        )
    return breaches


def _check_agreement_rules(case: Case, coordinator: Member) -> None:
    """A new agreement must meet the level rules (`_agreement_rule_breaches`)."""
    breaches = _agreement_rule_breaches(case, coordinator)
    if breaches:
        raise DomainError(breaches[0])


def _notify_ssp_team_chair(agreement: ActionAgreement) -> Member | None:
    """R3: a copy is registered with the chair of the SSP team (or, without one with an e-mail
    address, its coordinator): the first of them with an address (chairs first, then by id) is
    sent the e-mail; None when there is no one with an address."""
    chair = (
        Membership.objects.current()
        .filter(
            forum__municipality_id=agreement.case.municipality_id,
            forum__forum_type=ForumType.SSP_TEAM,
            role__in=(MembershipRole.CHAIR, MembershipRole.COORDINATOR),
            member__email__gt="",
        )
        .select_related("member")
        .annotate(
            chair_first=models.Case(
                models.When(role=MembershipRole.CHAIR, then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        )
        .order_by("chair_first", "pk")
        .first()
    )
    if chair is None:
        return None
    address = chair.member.email
    number = agreement.pk
    transaction.on_commit(
        lambda: send_mail(
            _("Ny handlingsaftale registreret"),
            _(
                "Der er registreret en ny SSP-handlingsaftale (nr. %(number)s). "
                "Log ind på SSP-platformen for at se den."
            )
            % {"number": number},
            None,
            [address],
            fail_silently=True,
        )
    )
    return chair.member


@transaction.atomic
def make_action_agreement(
    *,
    actor_user: User,
    case: Case,
    first_action: str,
    coordinator: Member,
    contact_person: Member,
    follow_up_date: date,
    participants: Sequence[Member] = (),
    tasks: Sequence[TaskData] = (),
) -> AgreementResult:
    """R3: who does what and when, with a coordinator and a contact person."""
    if case.status != CaseStatus.OPEN:
        raise DomainError(_("Sagen er afsluttet."))
    if not first_action.strip():
        raise DomainError(_("Skriv den første handling."))
    if follow_up_date < timezone.localdate():
        raise DomainError(_("Opfølgningsdatoen ligger i fortiden."))
    for day in (follow_up_date, *(task.due_date for task in tasks)):
        _check_planned(day)
    for task in tasks:
        if task.intervention_id is not None:
            _check_intervention(
                access.get_actor(actor_user), task.intervention_id, case.municipality_id
            )
    for member in (coordinator, contact_person, *participants, *(t.owner for t in tasks)):
        if member.municipality_id != case.municipality_id:
            raise DomainError(_("Alle deltagere skal høre til kommunens SSP-organisation."))
    _check_choosable(
        actor_user,
        case,
        [coordinator, contact_person, *participants, *(t.owner for t in tasks)],
    )
    _check_agreement_rules(case, coordinator)
    warnings = []
    if coordinator.pk == contact_person.pk:
        warnings.append(_("Tovholder og kontaktperson er den samme person. Det frarådes."))
    sectors = {m.sector for m in (coordinator, contact_person, *participants)}
    if len(sectors) < 2:
        warnings.append(
            _("Aftalen bør være tværfaglig: deltagere fra mindst to sektorer anbefales.")
        )
    agreement = ActionAgreement.objects.create(
        case=case,
        first_action=first_action.strip(),
        coordinator=coordinator,
        contact_person=contact_person,
        follow_up_date=follow_up_date,
        created_by=actor_user,
    )
    agreement.participants.set(participants)
    for task in tasks:
        Task.objects.create(
            case=case,
            agreement=agreement,
            owner=task.owner,
            description=task.description.strip(),
            due_date=task.due_date,
            intervention_id=task.intervention_id,
        )
    Concern.objects.filter(case=case, status=ConcernStatus.ACTION_REQUIRED).update(
        status=ConcernStatus.CASE_OPENED
    )
    told = _notify_ssp_team_chair(agreement)
    if told is not None:
        agreement.chair_notified_at = timezone.now()
        agreement.save(update_fields=["chair_notified_at"])
    _event(
        case,
        actor_user,
        _("Handlingsaftale indgået. Tovholder: %(c)s, kontaktperson: %(p)s.")
        % {"c": coordinator.name, "p": contact_person.name},
    )
    record_event(
        actor=actor_user,
        action=AuditAction.AGREEMENT_MADE,
        obj=agreement,
        municipality_id=case.municipality_id,
        subject_ref=_subject(case.young_person),
    )
    return AgreementResult(
        agreement=agreement, warnings=warnings, notified=[told.name] if told else []
    )


def _check_planned(day: date) -> None:
    """Task deadlines and follow-ups lie at most the planning horizon ahead (two years); the
    forms say the same with `ssp.validation.within_planning_horizon`."""
    if day > timezone.localdate() + PLANNING_HORIZON:
        raise DomainError(_("Datoen må højst ligge to år frem."))


@transaction.atomic
def add_task(
    *, actor_user: User, case: Case, data: TaskData, token: uuid.UUID | None = None
) -> Task:
    """R3: a task in the case for someone in its circle; the owner then sees the case.

    `token` is the creating form's one-time token: the same form posted twice makes one task.
    """
    if case.status != CaseStatus.OPEN:
        raise DomainError(_("Sagen er afsluttet."))
    if data.owner.municipality_id != case.municipality_id:
        raise DomainError(_("Den ansvarlige skal høre til kommunens SSP-organisation."))
    _check_choosable(actor_user, case, [data.owner])
    if not data.description.strip():
        raise DomainError(_("Skriv hvad opgaven går ud på."))
    _check_planned(data.due_date)
    if data.intervention_id is not None:
        _check_intervention(
            access.get_actor(actor_user), data.intervention_id, case.municipality_id
        )
    task, created = _create_once(
        Task,
        token=token,
        case=case,
        create=lambda: Task.objects.create(
            case=case,
            owner=data.owner,
            description=data.description.strip(),
            due_date=data.due_date,
            intervention_id=data.intervention_id,
            form_token=token,
        ),
    )
    if not created:
        return task
    _event(
        case,
        actor_user,
        _("Opgave til %(owner)s: %(text)s") % {"owner": data.owner.name, "text": task.description},
    )
    record_event(
        actor=actor_user,
        action=AuditAction.TASK_ADDED,
        obj=task,
        municipality_id=case.municipality_id,
    )
    return task


@transaction.atomic
def complete_task(*, actor_user: User, task: Task) -> Task:
    """Only the task's owner or the case's coordinator marks a task done; twice is once."""
    if not case_access.can_complete_task(access.get_actor(actor_user), task):
        raise DomainError(
            _("Kun den ansvarlige eller sagens tovholder kan markere opgaven som udført.")
        )
    done = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(status=TaskStatus.DONE)
    task.status = TaskStatus.DONE
    if not done:
        return task
    _event(task.case, actor_user, _("Opgave udført: %(text)s") % {"text": task.description})
    record_event(
        actor=actor_user,
        action=AuditAction.TASK_DONE,
        obj=task,
        municipality_id=task.case.municipality_id,
    )
    return task


@transaction.atomic
def record_consent(
    *,
    actor_user: User,
    case: Case,
    form: str,
    given_on: date,
    scope: str,
    custody_holder: CustodyHolder | None = None,
    by_young_person: bool = False,
    refused: bool = False,
    token: uuid.UUID | None = None,
) -> Consent:
    """R4: consent may be oral; who, when, form, scope. Consent or refusal ends the task to
    involve the parents. Below the municipality's own-consent age (default 15) only custody
    holders consent: the young person's own answer is refused (`check_own_consent_age`).

    `token` is the creating form's one-time token: the same form posted twice stores one
    consent; a second custody holder's consent comes from a new form and is a new row."""
    if custody_holder is None and not by_young_person:
        raise DomainError(_("Angiv hvem der har givet samtykket."))
    if custody_holder is not None and custody_holder.young_person_id != case.young_person_id:
        raise DomainError(_("Forældremyndighedsindehaveren hører ikke til sagens unge."))
    if given_on > timezone.localdate():
        raise DomainError(_("Datoen ligger i fremtiden."))
    if by_young_person:
        check_own_consent_age(case=case, given_on=given_on)
    consent, created = _create_once(
        Consent,
        token=token,
        case=case,
        create=lambda: Consent.objects.create(
            case=case,
            custody_holder=custody_holder,
            by_young_person=by_young_person,
            refused=refused,
            form=form,
            given_on=given_on,
            scope=scope.strip(),
            recorded_by=actor_user,
            form_token=token,
        ),
    )
    if not created:
        return consent
    Task.objects.filter(case=case, involve_parents=True, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE
    )
    who = custody_holder.name if custody_holder else case.young_person.full_name
    text = (
        _("Samtykke afvist af %(who)s.") if refused else _("Samtykke (%(form)s) givet af %(who)s.")
    )
    _event(case, actor_user, text % {"who": who, "form": consent.get_form_display().lower()})
    record_event(
        actor=actor_user,
        action=AuditAction.CONSENT_RECORDED,
        obj=consent,
        municipality_id=case.municipality_id,
        subject_ref=_subject(case.young_person),
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor_user: User, consent: Consent, withdrawn_on: date) -> Consent:
    if consent.withdrawn_on is not None or consent.refused:
        raise DomainError(_("Samtykket er allerede tilbagekaldt eller var et afslag."))
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    _event(consent.case, actor_user, _("Samtykke tilbagekaldt."))
    record_event(
        actor=actor_user,
        action=AuditAction.CONSENT_WITHDRAWN,
        obj=consent,
        municipality_id=consent.case.municipality_id,
    )
    return consent


@transaction.atomic
def install_default_legal_bases(*, municipality: Municipality) -> list[LegalBasis]:
    """R4: give a municipality the default catalogue of legal bases; safe to run twice.

    Reference data, written when a municipality is set up (demo loader, data migration 0003),
    never on a read path. A municipality with a catalogue of its own keeps it as it is.
    """
    existing = list(LegalBasis.objects.filter(municipality=municipality))
    if existing:
        return existing
    return [
        LegalBasis.objects.create(municipality=municipality, **basis)
        for basis in DEFAULT_LEGAL_BASES
    ]


def has_valid_consent(case: Case) -> bool:
    return Consent.objects.filter(case=case, refused=False, withdrawn_on__isnull=True).exists()


# The age from which the young person's own consent counts (and is asked for beside the custody
# holders'): the municipality's rule `own_consent_age`, else this.
DEFAULT_OWN_CONSENT_AGE = 15


def own_consent_age(municipality: Municipality) -> int:
    """R4: the municipality's rule `own_consent_age` (default 15)."""
    try:
        return int(municipality.rule("own_consent_age", DEFAULT_OWN_CONSENT_AGE))
    except (TypeError, ValueError):
        return DEFAULT_OWN_CONSENT_AGE


def may_consent_alone(*, case: Case, on: date) -> bool:
    """Whether the young person is old enough on `on` for their own consent to count (an
    unknown birth date, issue 15: not known to be old enough)."""
    birth = case.young_person.birth_date
    return birth is not None and age_on(birth, on) >= own_consent_age(case.municipality)


def check_own_consent_age(*, case: Case, given_on: date) -> None:
    """R4: below the own-consent age only the custody holders can consent (or refuse)."""
    if not may_consent_alone(case=case, on=given_on):
        raise DomainError(
            _(
                "Den unge var under %(age)s år, da samtykket blev givet. Samtykke skal gives "
                "af forældremyndighedsindehaverne."
            )
            % {"age": own_consent_age(case.municipality)}
        )


@dataclass(frozen=True)
class MissingConsent:
    """One person whose consent the case still needs, and why (none, refused, withdrawn)."""

    who: str
    reason: str
    is_young_person: bool = False


@dataclass(frozen=True)
class ConsentStatus:
    """R4: whose consent a case has and whose it lacks, for the case page to push for it."""

    has_valid: bool
    missing: list[MissingConsent]
    young_person_asked: bool
    own_consent_age: int


def _missing_reason(answers: list[Consent]) -> str | None:
    """None when the newest answer is a valid consent; else why it is still missing."""
    if any(not c.refused and c.withdrawn_on is None for c in answers):
        return None
    if not answers:
        return str(_("mangler"))
    newest = max(answers, key=lambda c: (c.given_on, c.pk))
    return str(_("afvist")) if newest.refused else str(_("tilbagekaldt"))


def consent_status(
    *, case: Case, consents: Sequence[Consent], holders: Sequence[CustodyHolder], today: date
) -> ConsentStatus:
    """R4: each custody holder's consent, and from the own-consent age the young person's own
    as well (practice asks both). Built from the case page's lists: no queries of its own."""
    missing = []
    for holder in holders:
        reason = _missing_reason([c for c in consents if c.custody_holder_id == holder.pk])
        if reason is not None:
            missing.append(MissingConsent(who=holder.name, reason=reason))
    asked = may_consent_alone(case=case, on=today)
    if asked:
        reason = _missing_reason([c for c in consents if c.by_young_person])
        if reason is not None:
            missing.append(
                MissingConsent(who=case.young_person.full_name, reason=reason, is_young_person=True)
            )
    return ConsentStatus(
        has_valid=any(not c.refused and c.withdrawn_on is None for c in consents),
        missing=missing,
        young_person_asked=asked,
        own_consent_age=own_consent_age(case.municipality),
    )


@transaction.atomic
def record_disclosure(
    *,
    actor_user: User,
    case: Case,
    legal_basis: LegalBasis,
    purpose: str,
    information: str,
    given_by: Member,
    receivers: Sequence[Member],
    disclosed_on: date,
    token: uuid.UUID | None = None,
) -> Disclosure:
    """R4: every passing-on of information is a disclosure with legal basis, purpose, giver
    and receivers. Without consent the case gets a task to involve the parents.

    Giver and receivers are people of the case's circle (`choosable_members`); the giver is not
    a receiver. `token`: the same form posted twice records one disclosure."""
    if legal_basis.municipality_id != case.municipality_id:
        raise DomainError(_("Ukendt hjemmel."))
    # Issue 16: only a current basis. The row is locked, so a basis retired on the
    # configuration page at this moment is either refused here or retired after this
    # disclosure was recorded under it (which keeps showing it).
    current = (
        LegalBasis.objects.select_for_update()
        .filter(pk=legal_basis.pk, retired_at__isnull=True)
        .exists()
    )
    if not current:
        raise DomainError(_("Hjemlen er ændret; vælg igen."))
    if not receivers:
        raise DomainError(_("Angiv hvem oplysningerne er givet til."))
    if any(not m.is_authority for m in receivers):
        raise DomainError(_("Oplysninger efter § 115 må kun gives til myndighedspersoner."))
    if any(m.pk == given_by.pk for m in receivers):
        raise DomainError(_("Den, der giver oplysningerne, kan ikke også være modtager."))
    if disclosed_on > timezone.localdate():
        raise DomainError(_("Datoen ligger i fremtiden."))
    # The purpose is shown in the disclosures log to the supervisor, who sees no personal data:
    # it states why, not about whom (what was passed on goes in `information`, encrypted).
    adhoc.check_free_of_personal_data(purpose, municipality_id=case.municipality_id)
    _check_choosable(actor_user, case, [given_by, *receivers])
    if legal_basis.is_consent and not has_valid_consent(case):
        raise DomainError(
            _(
                "Der er ikke registreret et gyldigt samtykke. "
                "Registrér samtykket først, eller vælg en anden hjemmel."
            )
        )
    disclosure, created = _create_once(
        Disclosure,
        token=token,
        case=case,
        create=lambda: Disclosure.objects.create(
            case=case,
            legal_basis=legal_basis,
            purpose=purpose.strip(),
            information=information.strip(),
            given_by=given_by,
            disclosed_on=disclosed_on,
            recorded_by=actor_user,
            form_token=token,
        ),
    )
    if not created:
        return disclosure
    disclosure.receivers.set(receivers)
    if legal_basis.requires_parent_involvement and not Consent.objects.filter(case=case).exists():
        open_task = Task.objects.filter(case=case, involve_parents=True, status=TaskStatus.OPEN)
        if not open_task.exists():
            owner = (
                case.agreements.order_by("-created_at")
                .values_list("coordinator", flat=True)
                .first()
            )
            Task.objects.create(
                case=case,
                owner_id=owner or given_by.pk,
                description=_("Inddrag forældrene: oplysninger er udvekslet uden samtykke."),
                due_date=timezone.localdate(),
                involve_parents=True,
            )
    _event(
        case,
        actor_user,
        _("Videregivelse (%(basis)s) fra %(giver)s til %(receivers)s.")
        % {
            "basis": legal_basis.title,
            "giver": given_by.name,
            "receivers": ", ".join(m.name for m in receivers),
        },
    )
    record_event(
        actor=actor_user,
        action=AuditAction.DISCLOSURE_RECORDED,
        obj=disclosure,
        municipality_id=case.municipality_id,
        subject_ref=_subject(case.young_person),
        data={"legal_basis": legal_basis.code, "receivers": [m.pk for m in receivers]},
    )
    return disclosure


EVALUATION_FIELDS = (
    "evaluation_outcome",
    "evaluation_partners",
    "evaluation_sectors",
    "evaluation_what_worked",
)


def evaluation_sectors(values: Iterable[str]) -> list[str]:
    """The partners' sectors as stored (R8): known `Sector` values only, each once, in the
    order of `Sector` (so equal choices store equal lists)."""
    chosen = set(values)
    unknown = chosen - set(Sector.values)
    if unknown:
        raise DomainError(_("Vælg samarbejdspartnernes sektorer på listen."))
    return [value for value in Sector.values if value in chosen]


class CaseAlreadyClosed(DomainError):
    """Somebody closed (and evaluated) the case first; `current` is the stored evaluation."""

    status_code = 409

    def __init__(self, case: Case) -> None:
        super().__init__(
            _(
                "Sagen er allerede afsluttet og evalueret af en anden. Evalueringen herunder er "
                "den gemte; din tekst er ikke gemt."
            )
        )
        self.current = {name: getattr(case, name) for name in EVALUATION_FIELDS}
        self.version = case.version


@transaction.atomic
def close_case(
    *,
    actor_user: User,
    case: Case,
    outcome: str,
    partners: str,
    what_worked: str,
    sectors: Sequence[str] = (),
    expected_version: int | None = None,
) -> Case:
    """R3: every case is evaluated when it ends; the evaluation feeds the annual report, which
    counts the partners by `sectors` (`Sector` values; the free text `partners` keeps names).

    Race-safe: the case row is locked and its state checked under the lock, so of several
    concurrent closes the first wins and the others get `CaseAlreadyClosed` with the stored
    evaluation; the evaluation is never overwritten. `expected_version` (the close form's
    version) refuses a close based on a case changed since the form was opened (`StaleEdit`).
    """
    if not case_access.can_close_case(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan afslutte sager."))
    if not outcome:
        raise DomainError(_("Vælg sagens resultat."))
    chosen_sectors = evaluation_sectors(sectors)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise CaseAlreadyClosed(locked)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            current={name: getattr(locked, name) for name in EVALUATION_FIELDS},
            version=locked.version,
        )
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.evaluation_outcome = outcome
    case.evaluation_partners = partners.strip()
    case.evaluation_sectors = chosen_sectors
    case.evaluation_what_worked = what_worked.strip()
    # Issue 16: the closed case keeps the rules it was handled under.
    case.rule_version = configuration.current_rule_version(case.municipality)
    save_versioned(
        case,
        expected_version=locked.version,
        fields=["status", "closed_at", "rule_version", *EVALUATION_FIELDS],
    )
    adhoc.dissolve_with_case(actor_user=actor_user, case=case)
    Task.objects.filter(case=case, status=TaskStatus.OPEN).update(status=TaskStatus.DONE)
    _event(case, actor_user, _("Sagen er afsluttet og evalueret."))
    record_event(
        actor=actor_user,
        action=AuditAction.CASE_CLOSED,
        obj=case,
        municipality_id=case.municipality_id,
    )
    return case


def _ssp_purpose() -> str:
    """The purpose every read of personal data in SSP serves (§115)."""
    return _("Kriminalpræventivt samarbejde (SSP)")


def record_view(
    *,
    actor_user: User,
    obj: Case | Concern | YoungPerson,
    person: YoungPerson | None,
    purpose: str = "",
) -> None:
    """Every view of a young person or a case is an audit event (police: with purpose)."""
    record_event(
        actor=actor_user,
        action=AuditAction.CASE_VIEWED,
        obj=obj,
        municipality_id=obj.municipality_id,
        subject_ref=_subject(person) if person else "",
        purpose=purpose or _ssp_purpose(),
    )


@transaction.atomic
def show_full_cpr(*, actor_user: User, person: YoungPerson) -> str:
    """The full CPR number ("Vis CPR"), for SSP staff only; each time an audit event.

    The event names the young person by id only (`subject_ref`), never by name or number.
    """
    if not case_access.can_see_full_cpr(access.get_actor(actor_user)):
        raise DomainError(_("Kun SSP-medarbejdere kan se det fulde CPR-nummer."))
    record_event(
        actor=actor_user,
        action=AuditAction.CPR_SHOWN,
        obj=person,
        municipality_id=person.municipality_id,
        subject_ref=_subject(person),
        purpose=_ssp_purpose(),
    )
    return full_cpr_of(person)


def record_pdf(*, actor_user: User, agreement: ActionAgreement) -> None:
    record_event(
        actor=actor_user,
        action=AuditAction.AGREEMENT_PDF,
        obj=agreement,
        municipality_id=agreement.case.municipality_id,
        subject_ref=_subject(agreement.case.young_person),
    )


def record_search(*, actor_user: User, query: str, hits: int, by: str = "") -> None:
    """A search or listing of young people: by CPR number or name (from the query), or `by`."""
    digits = "".join(ch for ch in query if ch.isdigit())
    kind = by or (SEARCH_BY_CPR if len(digits) == CPR_DIGITS else SEARCH_BY_NAME)
    # The search words themselves are not kept: the audit trail outlives retention rules.
    record_event(
        actor=actor_user, action=AuditAction.YOUNG_PEOPLE_SEARCHED, data={"by": kind, "hits": hits}
    )
