"""Use cases for police reports, deadlines, network councils, absence and hot spots (R5)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import services as case_services
from ssp.cases.models import Case, ConcernSource, ConcernSubject, Level, YoungPerson
from ssp.crypto import blind_index, encrypt
from ssp.errors import DomainError
from ssp.organisation.models import AccessRole, Forum, Member, Municipality, Unit
from ssp.police import access as police_access
from ssp.police import deadlines, imports
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    HotSpot,
    ImportBatch,
    ImportKind,
    NetworkCouncil,
    Offence,
    PoliceReport,
    ReportStatus,
    Routing,
)

DEFAULT_OFFENCES: tuple[tuple[str, str, bool, str], ...] = (
    ("vold", "Vold", True, "vold,simpel vold,straffelovens § 244,244"),
    ("grov-vold", "Grov vold", True, "grov vold,§ 245,245"),
    ("voldtaegt", "Voldtægt", True, "voldtægt,§ 216,216"),
    ("roeveri", "Røveri", True, "røveri,§ 288,288"),
    ("groft-haervaerk", "Groft hærværk", True, "groft hærværk,§ 291 stk. 2"),
    ("betydeligt-tyveri", "Betydeligt tyveri", True, "grov tyveri,betydeligt tyveri,§ 286"),
    ("tyveri", "Tyveri", False, "tyveri,butikstyveri,§ 276,276"),
    ("haervaerk", "Hærværk", False, "hærværk,§ 291,291"),
    ("indbrud", "Indbrud", False, "indbrud,indbrudstyveri"),
    ("trusler", "Trusler", False, "trusler,§ 266,266"),
    ("brugstyveri", "Brugstyveri", False, "brugstyveri,§ 293"),
    ("narko", "Besiddelse af euforiserende stoffer", False, "narko,hash,euforiserende stoffer"),
    ("knivloven", "Overtrædelse af knivloven", False, "knivloven,kniv"),
)


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


def _municipality(user: User) -> Municipality:
    return Municipality.objects.get(pk=access.municipality_of(access.get_actor(user)))


def _require_review(user: User) -> None:
    if not police_access.can_review(access.get_actor(user)):
        raise DomainError(_("Kun SSP-medarbejdere gennemgår politiets lister."))


# --- Offences -------------------------------------------------------------------------------


def ensure_offences() -> None:
    for code, name, serious, aliases in DEFAULT_OFFENCES:
        Offence.objects.get_or_create(
            code=code, defaults={"name": name, "serious": serious, "aliases": aliases}
        )


def match_offence(text: str) -> tuple[Offence | None, bool]:
    """(offence, attempt) for a text such as 'Forsøg på røveri' or '§ 245'."""
    ensure_offences()
    lowered = text.strip().lower()
    attempt = lowered.startswith(("forsøg på ", "forsøg ", "forsøgt "))
    for prefix in ("forsøg på ", "forsøgt ", "forsøg "):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    offences = list(Offence.objects.all())
    for offence in offences:
        names = {
            offence.name.lower(),
            *(a.strip().lower() for a in offence.aliases.split(",") if a),
        }
        if lowered in names:
            return offence, attempt
    return None, attempt


# --- Police reports -------------------------------------------------------------------------


@dataclass
class ImportReport:
    """The answer to an import: what was created, skipped, and which rows failed."""

    created: int = 0
    duplicates: int = 0
    outside_target: list[int] = field(default_factory=list)
    errors: list[imports.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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
            report.received_on, int(municipality.rule("network_council_deadline_days", 7))
        ),
    )


def _create_report(
    *,
    user: User,
    municipality: Municipality,
    row: dict[str, Any],
    batch: ImportBatch | None,
    received: date,
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
    offence, attempt = match_offence(row["offence"])
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
def import_police_list(
    *, actor_user: User, filename: str, content: bytes, received_on: date | None = None
) -> ImportReport:
    """R5: all or nothing. Bad rows import nothing and are reported with the reason; the same
    file twice creates no duplicates; young people outside the target ages are left out."""
    _require_review(actor_user)
    municipality = _municipality(actor_user)
    try:
        parsed = imports.parse_police_list(filename, content)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    result = ImportReport(errors=parsed.errors)
    if parsed.errors:
        return result
    batch = ImportBatch.objects.create(
        municipality=municipality,
        kind=ImportKind.POLICE,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(parsed.rows),
        created_by=actor_user,
    )
    received = received_on or timezone.localdate()
    for row in parsed.rows:
        try:
            report = _create_report(
                user=actor_user, municipality=municipality, row=row, batch=batch, received=received
            )
        except DomainError:
            result.outside_target.append(row["row"])
            continue
        if report is None:
            result.duplicates += 1
        else:
            result.created += 1
    batch.created = result.created
    batch.skipped = result.duplicates + len(result.outside_target)
    batch.save(update_fields=["created", "skipped"])
    _audit(
        actor_user,
        AuditAction.POLICE_LIST_IMPORTED,
        batch,
        municipality.pk,
        created=result.created,
        duplicates=result.duplicates,
    )
    return result


@transaction.atomic
def register_report(*, actor_user: User, row: dict[str, Any]) -> PoliceReport:
    """One report entered by hand (same rules as the import)."""
    _require_review(actor_user)
    municipality = _municipality(actor_user)
    report = _create_report(
        user=actor_user,
        municipality=municipality,
        row=row,
        batch=None,
        received=timezone.localdate(),
    )
    if report is None:
        raise DomainError(_("Rapporten med dette journalnummer er allerede registreret."))
    _audit(actor_user, AuditAction.POLICE_REPORT_REGISTERED, report, municipality.pk)
    return report


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
    concern in one step. The family-meeting deadline runs from today."""
    _require_review(actor_user)
    if report.status == ReportStatus.ROUTED:
        raise DomainError(_("Rapporten er allerede fordelt."))
    if data.routing == Routing.SOCIAL_WORKER and data.member is None:
        raise DomainError(_("Vælg socialrådgiveren."))
    if data.routing == Routing.LOCAL_GROUP and data.forum is None:
        raise DomainError(_("Vælg lokalgruppen."))
    if data.routing == Routing.OTHER and not data.other.strip() and data.member is None:
        raise DomainError(_("Skriv hvem rapporten sendes til."))
    if data.home_contact is None:
        raise DomainError(_("Vælg hvem der kontakter hjemmet."))
    report.presented_on = presented_on or report.presented_on or timezone.localdate()
    report.status = ReportStatus.ROUTED
    report.routing = data.routing
    report.routed_to_member = data.member
    report.routed_to_forum = data.forum
    report.routed_to_other = data.other.strip()
    report.home_contact = data.home_contact
    if data.raise_concern:
        open_case = Case.objects.filter(young_person=report.young_person, status="open").first()
        concern = case_services.raise_concern(
            actor_user=actor_user,
            data=case_services.ConcernData(
                subject=ConcernSubject.PERSON,
                source=ConcernSource.POLICE,
                description=_("Politiets rapport %(ref)s: %(offence)s.")
                % {"ref": report.police_reference, "offence": report.offence_text},
                level=Level.RED if report.is_serious else Level.YELLOW,
                young_person=case_services.YoungPersonData(
                    first_name=report.young_person.first_name,
                    last_name=report.young_person.last_name,
                    cpr=report.young_person.cpr_formatted,
                ),
            ),
        )
        if data.forum is not None:
            concern.forum = data.forum
            concern.save(update_fields=["forum"])
        if open_case is not None:
            concern.case = open_case
            concern.status = "case_opened"
            concern.save(update_fields=["case", "status"])
        report.concern = concern
    report.save()
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


@transaction.atomic
def meet_deadline(*, actor_user: User, deadline: Deadline, met_on: date) -> Deadline:
    if met_on > timezone.localdate():
        raise DomainError(_("Datoen ligger i fremtiden."))
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
) -> NetworkCouncil:
    """R5: the child, the parents, relevant professionals and network are called."""
    _require_review(actor_user)
    if deadline.kind != DeadlineKind.NETWORK_COUNCIL:
        raise DomainError(_("Fristen gælder ikke et netværkssamråd."))
    council = NetworkCouncil.objects.create(
        municipality_id=deadline.municipality_id,
        young_person=deadline.young_person,
        report=deadline.report,
        case=Case.objects.filter(young_person=deadline.young_person, status="open").first(),
        meeting_at=meeting_at,
        network=network.strip(),
        invited_young_person=invited_young_person,
        invited_custody_holders=invited_custody_holders,
        created_by=actor_user,
    )
    council.professionals.set(professionals)
    deadline.met_on = timezone.localdate()
    deadline.save(update_fields=["met_on"])
    _audit(actor_user, AuditAction.COUNCIL_CALLED, council, deadline.municipality_id)
    return council


@transaction.atomic
def record_council_held(
    *, actor_user: User, council: NetworkCouncil, held_on: date
) -> NetworkCouncil:
    _require_review(actor_user)
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
    for deadline in open_deadlines.filter(due_on__lte=today + timedelta(days=2), due_on__gte=today):
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


# --- Absence --------------------------------------------------------------------------------


@dataclass
class AbsenceImportReport:
    created: int = 0
    updated: int = 0
    errors: list[imports.RowError] = field(default_factory=list)


def _school(municipality: Municipality, name: str) -> Unit | None:
    return Unit.objects.filter(
        municipality=municipality, kind="school", name__iexact=name.strip()
    ).first()


@transaction.atomic
def import_absence(*, actor_user: User, filename: str, content: bytes) -> AbsenceImportReport:
    """R5: the monthly absence per pupil; all or nothing; the same file twice changes nothing."""
    _require_review(actor_user)
    municipality = _municipality(actor_user)
    try:
        parsed = imports.parse_absence(filename, content)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    errors = list(parsed.errors)
    schools: dict[str, Unit | None] = {}
    for row in parsed.rows:
        schools.setdefault(row["school"], _school(municipality, row["school"]))
        if schools[row["school"]] is None:
            errors.append(
                imports.RowError(
                    row["row"],
                    _("skolen '%(school)s' findes ikke i kommunen") % {"school": row["school"]},
                )
            )
    if errors:
        return AbsenceImportReport(errors=sorted(errors, key=lambda e: e.row))
    batch = ImportBatch.objects.create(
        municipality=municipality,
        kind=ImportKind.ABSENCE,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(parsed.rows),
        created_by=actor_user,
    )
    result = AbsenceImportReport()
    for row in parsed.rows:
        school = schools[row["school"]]
        if school is None:
            continue
        _record, created = AbsenceRecord.objects.update_or_create(
            municipality=municipality,
            cpr_index=blind_index(row["cpr"]),
            month=row["month"],
            defaults={
                "school": school,
                "class_name": row["class"][:20],
                "cpr_encrypted": encrypt(row["cpr"]),
                "birth_date": row["birth"],
                "total_percent": row["total"],
                "unauthorised_percent": row["unauthorised"],
                "batch": batch,
            },
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    _audit(
        actor_user,
        AuditAction.ABSENCE_IMPORTED,
        batch,
        municipality.pk,
        created=result.created,
        updated=result.updated,
    )
    return result


def absence_threshold(municipality: Municipality) -> Decimal:
    return Decimal(str(municipality.rule("absence_threshold_percent", 10)))


# --- Hot spots ------------------------------------------------------------------------------


@transaction.atomic
def save_hot_spot(*, actor_user: User, hot_spot: HotSpot | None, data: dict[str, Any]) -> HotSpot:
    _require_review(actor_user)
    municipality = _municipality(actor_user)
    concerns = data.pop("concerns", [])
    if hot_spot is None:
        hot_spot = HotSpot.objects.create(municipality=municipality, created_by=actor_user, **data)
        action = AuditAction.HOT_SPOT_CREATED
    else:
        for name, value in data.items():
            setattr(hot_spot, name, value)
        hot_spot.save()
        action = AuditAction.HOT_SPOT_CHANGED
    hot_spot.concerns.set(concerns)
    _audit(actor_user, action, hot_spot, municipality.pk)
    return hot_spot
