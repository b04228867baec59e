"""Use cases of R5: police reports and their weekly review, statutory deadlines and network
councils. Absence monitoring lives in `absence.py`, hot spots in `hot_spots.py`, the police-list
import in `list_import.py`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import object_ref, record_event
from ssp.cases import routing
from ssp.cases import services as case_services
from ssp.cases.models import (
    Case,
    CaseStatus,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    Level,
    YoungPerson,
)
from ssp.crypto import blind_index
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.models import AccessRole, Forum, Member, Municipality
from ssp.police import access as police_access
from ssp.police import deadlines
from ssp.police import offences as offence_catalogue

# The police-list import (in bulk) lives in `list_import.py`; its use case and report are
# reached from here as well.
from ssp.police.list_import import ImportReport as ImportReport
from ssp.police.list_import import import_police_list as import_police_list
from ssp.police.models import (
    Deadline,
    DeadlineKind,
    ImportBatch,
    NetworkCouncil,
    Offence,
    OffenceAlias,
    PoliceReport,
    ReportStatus,
    Routing,
)
from ssp.validation import EARLIEST_DATE, LATEST_DATE, PLANNING_HORIZON, check_date_range

ATTEMPT_PREFIXES = ("forsøg på ", "forsøgt ", "forsøg ")
REMINDER_DAYS_BEFORE = deadlines.SOON_DAYS  # reminded when the board turns yellow


def _audit(
    user: User, action: AuditAction, obj: Any, municipality_id: int | None, **data: Any
) -> None:
    record_event(
        actor=user,
        action=action,
        obj=obj,
        municipality_id=municipality_id,
        data=data,
    )


def enforce_for_service(
    rule: Callable[[access.Actor], bool], user: User, message: str | None = None
) -> access.Actor:
    """The user's actor if it passes `rule` (from `police.access`), else a DomainError.

    For the police app's services (R5 here, `absence`, `hot_spots`). Most of the rules checked
    this way are SSP staff's work, hence the default message.
    """
    actor = access.get_actor(user)
    if not rule(actor):
        raise DomainError(message or _("Kun SSP-medarbejdere gennemgår politiets lister."))
    return actor


def _municipality(actor: access.Actor) -> Municipality:
    return Municipality.objects.get(pk=access.municipality_of(actor))


def require_date_in_range(
    value: date | datetime | None, *, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE
) -> None:
    """A date outside [earliest, latest] is a DomainError naming the bound: services are called
    from pages, the API and commands, and a saved year 1 would break the pages of everyone."""
    try:
        check_date_range(value, earliest=earliest, latest=latest)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


class AlreadyRouted(DomainError):
    """The report was routed already (by this user a moment ago, or by a colleague)."""


class LateWithoutReason(DomainError):
    """R5: a network council after the statutory deadline needs a written reason."""

    field = "late_reason"


# --- Offences -------------------------------------------------------------------------------


def load_offences(municipality: Municipality | int | None) -> list[Offence]:
    """The offences a list of `municipality` is matched against, read once per import (two
    queries, however long the list): the national kinds and the municipality's active local
    kinds, each with the municipality's own aliases attached (`offences.match_names`). National
    kinds come first, so a local kind never shadows a statutory one."""
    municipality_id = municipality.pk if isinstance(municipality, Municipality) else municipality
    local = Q(municipality_id=municipality_id, retired_at__isnull=True)
    rows = list(
        Offence.objects.filter(Q(municipality__isnull=True) | local).order_by(
            F("municipality_id").asc(nulls_first=True), "name", "pk"
        )
        if municipality_id is not None
        else Offence.objects.filter(municipality__isnull=True).order_by("name", "pk")
    )
    aliases: dict[int, list[str]] = {}
    if municipality_id is not None:
        for offence_id, alias in OffenceAlias.objects.filter(
            municipality_id=municipality_id
        ).values_list("offence_id", "alias"):
            aliases.setdefault(offence_id, []).append(alias)
    for offence in rows:
        offence_catalogue.attach_names(offence, aliases.get(offence.pk, []))
    return rows


def match_offence(text: str, offences: Sequence[Offence]) -> tuple[Offence | None, bool]:
    """(offence, attempt) for a text such as 'Forsøg på røveri' or '§ 245'. Reads nothing."""
    lowered = offence_catalogue.normalised(text)
    attempt = lowered.startswith(ATTEMPT_PREFIXES)
    for prefix in ATTEMPT_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    for offence in offences:
        if lowered in offence_catalogue.match_names(offence):
            return offence, attempt
    return None, attempt


# --- Police reports -------------------------------------------------------------------------


def _deadlines_for_new_report(report: PoliceReport) -> None:
    """R5: a serious offence by someone under 18 starts the network-council deadline; within a
    year of a held council it starts a plan revision instead."""
    municipality = report.municipality
    person = report.young_person
    if not deadlines.needs_network_council(
        serious=report.is_serious, birth=person.birth_date, incident=report.incident_at.date()
    ):
        return
    last = (
        NetworkCouncil.objects.filter(young_person=person, held_on__isnull=False)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    revise = deadlines.revises_plan(last_council_held=last, received=report.received_on)
    Deadline.objects.create(
        municipality=municipality,
        kind=DeadlineKind.PLAN_REVISION if revise else DeadlineKind.NETWORK_COUNCIL,
        young_person=person,
        report=report,
        starts_on=report.received_on,
        due_on=deadlines.due_date(
            report.received_on, configuration.network_council_days(municipality)
        ),
    )


def _create_report(
    *,
    user: User,
    municipality: Municipality,
    row: dict[str, Any],
    batch: ImportBatch | None,
    received: date,
    offences: Sequence[Offence],
) -> PoliceReport | None:
    person = YoungPerson.objects.filter(
        municipality=municipality, cpr_index=blind_index(row["cpr"])
    ).first()
    if person is None:
        person = case_services.find_or_register_young_person(
            actor_user=user,
            municipality=municipality,
            data=case_services.YoungPersonData(
                first_name=row["first_name"], last_name=row["last_name"], cpr=row["cpr"]
            ),
        )
    if PoliceReport.objects.filter(
        municipality=municipality, police_reference=row["reference"], young_person=person
    ).exists():
        return None
    offence, attempt = match_offence(row["offence"], offences)
    report = PoliceReport.objects.create(
        municipality=municipality,
        young_person=person,
        incident_at=timezone.make_aware(datetime.combine(row["date"], row["time"])),
        offence=offence,
        offence_text=row["offence"][:200],
        attempt=attempt,
        police_reference=row["reference"][:60],
        description=row.get("description", ""),
        received_on=received,
        batch=batch,
        created_by=user,
    )
    _deadlines_for_new_report(report)
    return report


@transaction.atomic
def register_report(*, actor_user: User, row: dict[str, Any]) -> PoliceReport:
    """One report entered by hand (same rules as the import)."""
    actor = enforce_for_service(police_access.can_register_report, actor_user)
    municipality = _municipality(actor)
    require_date_in_range(row["date"], latest=timezone.localdate())
    if timezone.make_aware(datetime.combine(row["date"], row["time"])) > timezone.now():
        raise DomainError(_("Gerningstidspunktet ligger i fremtiden."))
    report = _create_report(
        user=actor_user,
        municipality=municipality,
        row=row,
        batch=None,
        received=timezone.localdate(),
        offences=load_offences(municipality),
    )
    if report is None:
        raise DomainError(_("Rapporten med dette journalnummer er allerede registreret."))
    _audit(actor_user, AuditAction.POLICE_REPORT_REGISTERED, report, municipality.pk)
    return report


def _shown(
    records: Sequence[PoliceReport] | Sequence[Deadline], page: int | None
) -> dict[str, Any]:
    """What a page of the review or the board showed, for its view event: the records as
    `label:pk` and their young people as ids (who saw which persons stays traceable). The pages
    are bounded (one page of the queue or board), so the event is too."""
    young_people = dict.fromkeys(f"youngperson:{r.young_person_id}" for r in records)
    return {
        "page": page,
        "shown": [object_ref(r) for r in records],
        "young_people": list(young_people),
    }


@transaction.atomic
def record_review_viewed(
    *, actor_user: User, reports: Sequence[PoliceReport], page: int | None = None
) -> None:
    """The weekly review shows police reports about named children: each page of the queue (or
    one report's routing form, `page` None) is logged with the reports it showed."""
    actor = enforce_for_service(police_access.can_review, actor_user)
    record_event(
        actor=actor_user,
        action=AuditAction.REVIEW_VIEWED,
        municipality_id=actor.municipality_id,
        data={"reports": len(reports), **_shown(reports, page)},
    )


@dataclass
class RoutingData:
    routing: str
    home_contact: Member | None
    member: Member | None = None
    forum: Forum | None = None
    other: str = ""
    raise_concern: bool = True


@transaction.atomic
def route_report(
    *,
    actor_user: User,
    report: PoliceReport,
    data: RoutingData,
    presented_on: date | None = None,
) -> PoliceReport:
    """R5, the weekly review: route the report, name who contacts the home, and create the
    concern in one step. The family-meeting deadline runs from `presented_on`: by default the
    date of the SSP team's review meeting (issue 16), else today.

    Race-safe: the report's row is locked while it is routed, so six posts of the same form
    (a double click, two coordinators) give one concern and one deadline; the others get
    `AlreadyRouted`."""
    enforce_for_service(police_access.can_route_report, actor_user)
    status = (
        PoliceReport.objects.select_for_update()
        .filter(pk=report.pk)
        .values_list("status", flat=True)
        .get()
    )
    if status == ReportStatus.ROUTED:
        raise AlreadyRouted(_("Rapporten er allerede fordelt."))
    if status == ReportStatus.WITHDRAWN:
        raise AlreadyRouted(_("Rapporten er trukket tilbage og skal ikke fordeles."))
    if presented_on is not None:
        # Presented to the team after the crime, and not in the future.
        require_date_in_range(
            presented_on,
            earliest=timezone.localtime(report.incident_at).date(),
            latest=timezone.localdate(),
        )
    if data.routing == Routing.SOCIAL_WORKER and data.member is None:
        raise DomainError(_("Vælg socialrådgiveren."))
    if data.routing == Routing.LOCAL_GROUP and data.forum is None:
        raise DomainError(_("Vælg lokalgruppen."))
    if data.routing == Routing.OTHER and not data.other.strip() and data.member is None:
        raise DomainError(_("Skriv hvem rapporten sendes til."))
    if data.home_contact is None:
        raise DomainError(_("Vælg hvem der kontakter hjemmet."))
    if presented_on is None and report.presented_on is None:
        # Issue 16: presented at the SSP team's review meeting (today's or the last one since
        # the report came), else today; the family-contact deadline runs from it.
        from ssp.meetings.police_review import review_date  # meetings imports police

        presented_on = review_date(report)
    report.presented_on = presented_on or report.presented_on or timezone.localdate()
    report.status = ReportStatus.ROUTED
    report.routing = data.routing
    report.routed_to_member = data.member
    report.routed_to_forum = data.forum
    report.routed_to_other = data.other.strip()
    report.home_contact = data.home_contact
    if data.raise_concern:
        open_case = Case.objects.filter(
            young_person=report.young_person, status=CaseStatus.OPEN
        ).first()
        concern = case_services.raise_concern(
            actor_user=actor_user,
            data=case_services.ConcernData(
                subject=ConcernSubject.PERSON,
                source=ConcernSource.POLICE,
                description=_("Politiets rapport %(ref)s: %(offence)s.")
                % {"ref": report.police_reference, "offence": report.offence_text},
                level=Level.RED if report.is_serious else Level.YELLOW,
                # The report's own young person, not looked up again by CPR number: one
                # merged from registrations without it has none (issue 15).
                existing_person=report.young_person,
            ),
        )
        if data.forum is not None:
            # R1/R3: the chosen local group if it may discuss the named child, else the forum
            # its individual matters go to by the municipality's rule.
            named_forum = routing.forum_for_named_matter_from(data.forum)
            if named_forum is not None:
                concern.forum = named_forum
                concern.save(update_fields=["forum"])
        if open_case is not None:
            concern.case = open_case
            concern.status = ConcernStatus.CASE_OPENED
            concern.save(update_fields=["case", "status"])
        report.concern = concern
    report.save(
        update_fields=[
            "presented_on",
            "status",
            "routing",
            "routed_to_member",
            "routed_to_forum",
            "routed_to_other",
            "home_contact",
            "concern",
        ]
    )
    municipality = report.municipality
    Deadline.objects.create(
        municipality=municipality,
        kind=DeadlineKind.FAMILY_MEETING,
        young_person=report.young_person,
        report=report,
        starts_on=report.presented_on,
        due_on=deadlines.due_date(
            report.presented_on, int(municipality.rule("family_meeting_deadline_days", 7))
        ),
        responsible=data.home_contact,
    )
    Deadline.objects.filter(report=report, responsible__isnull=True).update(
        responsible=data.home_contact
    )
    _audit(
        actor_user, AuditAction.POLICE_REPORT_ROUTED, report, municipality.pk, routing=data.routing
    )
    return report


# --- Deadlines ------------------------------------------------------------------------------


@transaction.atomic
def record_deadlines_viewed(*, actor_user: User, deadlines: Sequence[Deadline], page: int) -> None:
    """The deadline board names the young people behind each deadline: each page of it is
    logged with the deadlines it showed."""
    actor = enforce_for_service(
        police_access.can_see_deadlines, actor_user, _("Din rolle har ikke adgang til fristerne.")
    )
    record_event(
        actor=actor_user,
        action=AuditAction.DEADLINES_VIEWED,
        municipality_id=actor.municipality_id,
        data={"deadlines": len(deadlines), **_shown(deadlines, page)},
    )


@transaction.atomic
def meet_deadline(*, actor_user: User, deadline: Deadline, met_on: date) -> Deadline:
    """Mark a deadline met; idempotent: marking it again keeps the first date, logs nothing."""
    enforce_for_service(
        police_access.can_meet_deadline, actor_user, _("Din rolle har ikke adgang til fristerne.")
    )
    if met_on > timezone.localdate():
        raise DomainError(_("Datoen ligger i fremtiden."))
    require_date_in_range(met_on, earliest=deadline.starts_on)
    already_met = (
        Deadline.objects.select_for_update()
        .filter(pk=deadline.pk)
        .values_list("met_on", flat=True)
        .get()
    )
    if already_met is not None:
        deadline.met_on = already_met
        return deadline
    deadline.met_on = met_on
    deadline.save(update_fields=["met_on"])
    if deadline.kind == DeadlineKind.PLAN_REVISION:
        # R5: the new offence revised the action plan of the last council held.
        council = (
            NetworkCouncil.objects.filter(young_person=deadline.young_person, held_on__isnull=False)
            .order_by("-held_on")
            .first()
        )
        if council is not None:
            council.revised_on = met_on
            council.save(update_fields=["revised_on"])
    _audit(actor_user, AuditAction.DEADLINE_MET, deadline, deadline.municipality_id)
    return deadline


# --- Network councils -----------------------------------------------------------------------


@transaction.atomic
def call_network_council(
    *,
    actor_user: User,
    deadline: Deadline,
    meeting_at: datetime,
    professionals: list[Member],
    network: str = "",
    invited_young_person: bool = True,
    invited_custody_holders: bool = True,
    late_reason: str = "",
) -> NetworkCouncil:
    """R5: the child, the parents, relevant professionals and network are called within the
    statutory deadline; after it only with a written reason (shown on the deadline board).

    One council per deadline: the deadline's row is locked, and calling a council for a deadline
    that has one returns that council (a double click, two coordinators at once)."""
    enforce_for_service(police_access.can_call_network_council, actor_user)
    if deadline.kind != DeadlineKind.NETWORK_COUNCIL:
        raise DomainError(_("Fristen gælder ikke et netværkssamråd."))
    Deadline.objects.select_for_update().filter(pk=deadline.pk).values_list("pk").get()
    existing = NetworkCouncil.objects.filter(deadline=deadline).first()
    if existing is not None:
        return existing
    require_date_in_range(
        meeting_at, earliest=deadline.starts_on, latest=timezone.localdate() + PLANNING_HORIZON
    )
    late = timezone.localtime(meeting_at).date() > deadline.due_on
    if late and not late_reason.strip():
        raise LateWithoutReason(
            _(
                "Fristen for netværkssamrådet er %(date)s. Skriv hvorfor samrådet holdes "
                "efter fristen."
            )
            % {"date": deadline.due_on.strftime("%d.%m.%Y")}
        )
    council = NetworkCouncil.objects.create(
        municipality_id=deadline.municipality_id,
        deadline=deadline,
        young_person=deadline.young_person,
        report=deadline.report,
        case=Case.objects.filter(
            young_person=deadline.young_person, status=CaseStatus.OPEN
        ).first(),
        meeting_at=meeting_at,
        network=network.strip(),
        late_reason=late_reason.strip() if late else "",
        invited_young_person=invited_young_person,
        invited_custody_holders=invited_custody_holders,
        created_by=actor_user,
    )
    council.professionals.set(professionals)
    deadline.met_on = timezone.localdate()
    deadline.save(update_fields=["met_on"])
    _audit(actor_user, AuditAction.COUNCIL_CALLED, council, deadline.municipality_id, late=late)
    return council


@transaction.atomic
def record_council_viewed(*, actor_user: User, council: NetworkCouncil) -> None:
    """A network council names the child, the parents and the network: every view is logged."""
    enforce_for_service(police_access.can_see_councils, actor_user)
    record_event(
        actor=actor_user,
        action=AuditAction.COUNCIL_VIEWED,
        obj=council,
        municipality_id=council.municipality_id,
        subject_ref=f"youngperson:{council.young_person_id}",  # as cases.services names it
    )


@transaction.atomic
def record_council_held(
    *, actor_user: User, council: NetworkCouncil, held_on: date
) -> NetworkCouncil:
    """Idempotent: a council registered as held keeps its first date, and nothing is logged."""
    enforce_for_service(police_access.can_record_council_held, actor_user)
    earliest = council.deadline.starts_on if council.deadline else EARLIEST_DATE
    require_date_in_range(held_on, earliest=earliest, latest=timezone.localdate())
    already_held = (
        NetworkCouncil.objects.select_for_update()
        .filter(pk=council.pk)
        .values_list("held_on", flat=True)
        .get()
    )
    if already_held is not None:
        council.held_on = already_held
        return council
    council.held_on = held_on
    council.action_plan = (
        council.case.agreements.order_by("-created_at").first() if council.case else None
    )
    council.save(update_fields=["held_on", "action_plan"])
    _audit(actor_user, AuditAction.COUNCIL_HELD, council, council.municipality_id)
    return council


# --- Reminders and escalation (the daily job) ----------------------------------------------


@dataclass
class Message:
    to: list[str]
    subject: str
    body: str


def due_messages(today: date) -> list[Message]:
    """Claim today's reminders (due within 2 days) and escalations (overdue) exactly once:
    safe to run twice and in parallel (claimed with a conditional UPDATE)."""
    messages: list[Message] = []
    open_deadlines = Deadline.objects.filter(met_on__isnull=True).select_related(
        "responsible", "municipality"
    )
    for deadline in open_deadlines.filter(
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE), due_on__gte=today
    ):
        claimed = (
            Deadline.objects.filter(pk=deadline.pk)
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
            .update(reminded_on=today)
        )
        if claimed and deadline.responsible and deadline.responsible.email:
            messages.append(
                Message(
                    [deadline.responsible.email],
                    _("Påmindelse: SSP-frist %(date)s")
                    % {"date": deadline.due_on.strftime("%d.%m.%Y")},
                    _("Du har en frist (%(kind)s) den %(date)s. Se fristtavlen på SSP-platformen.")
                    % {
                        "kind": deadline.get_kind_display(),
                        "date": deadline.due_on.strftime("%d.%m.%Y"),
                    },
                )
            )
    for deadline in open_deadlines.filter(due_on__lt=today, escalated_at__isnull=True):
        claimed = Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(
            escalated_at=timezone.now()
        )
        if not claimed:
            continue
        coordinators = list(
            Member.objects.filter(
                municipality_id=deadline.municipality_id, access_role=AccessRole.SSP_STAFF
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if coordinators:
            messages.append(
                Message(
                    coordinators,
                    _("Overskredet SSP-frist"),
                    _("En frist (%(kind)s) skulle være overholdt den %(date)s. Se fristtavlen.")
                    % {
                        "kind": deadline.get_kind_display(),
                        "date": deadline.due_on.strftime("%d.%m.%Y"),
                    },
                )
            )
    return messages
