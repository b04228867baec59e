"""Who sees police reports, deadlines, councils, absence data and hot spots (in a municipality).

- SSP staff run the weekly review: they see and route every police report, every deadline and
  every network council, import the lists and keep the hot spots.
- Authority members see the reports routed to them and the deadlines they are responsible for.
- A school's SSP contact sees the worrying absence of that school; SSP staff see all schools.
  Absence below the municipality's threshold is nobody's business: no page lists it and no
  record below it can be reached by its id.
- Hot spots describe places, not persons: every employee sees them.
- The 14-day counts go to the steering group: counts per SSP-team member, no children.

The `get_*_for` lookups answer 404 for a record the actor may not see, the same as for one that
does not exist: that a report, deadline or council exists about someone is personal data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from ssp.access import (
    Actor,
    get_or_404,
    is_authority_employee,
    is_employee,
    is_politician,
    is_ssp_staff,
    municipality_of,
)
from ssp.organisation.models import AccessRole, Municipality, Unit, UnitKind
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    HotSpot,
    ImportJob,
    ImportKind,
    NetworkCouncil,
    Offence,
    OffenceAlias,
    PoliceReport,
)

DEFAULT_ABSENCE_THRESHOLD_PERCENT = 10

# --- Kinds of work ----------------------------------------------------------------------------


def can_review(actor: Actor) -> bool:
    """R5: SSP staff hold the weekly review of the police's lists."""
    return is_ssp_staff(actor)


def is_police_ssp_contact(actor: Actor) -> bool:
    """The police's SSP contact (issue 16): a police-sector authority employee who is the SSP
    contact of a police unit (`Unit.ssp_contact`), not every officer. Read with the actor."""
    return actor.is_police and actor.is_police_contact and is_authority_employee(actor)


def can_import_police_list(actor: Actor) -> bool:
    """Issue 15: the police are the source of their list: SSP staff and the police's SSP
    contact upload it. The weekly review and the routing stay SSP staff's."""
    return is_ssp_staff(actor) or is_police_ssp_contact(actor)


def can_register_report(actor: Actor) -> bool:
    """A report entered by hand follows the same rules as the import (and the same people)."""
    return can_import_police_list(actor)


def can_route_report(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_see_deadlines(actor: Actor) -> bool:
    return is_ssp_staff(actor) or is_authority_employee(actor)


def can_meet_deadline(actor: Actor) -> bool:
    """Whoever sees a deadline (staff, or the member responsible for it) may mark it met."""
    return can_see_deadlines(actor)


def can_see_councils(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_call_network_council(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_send_council_invitations(actor: Actor) -> bool:
    """Issue 16: those who call a network council send its invitations and print the letter
    for the family."""
    return can_call_network_council(actor)


def can_correct_report(actor: Actor) -> bool:
    """Issue 16: a wrongly imported or typed police report is corrected or withdrawn by the
    SSP staff or by the police's SSP contact (the police are the source): a police authority
    employee who is the SSP contact of a police unit (`Unit.ssp_contact`), not every officer."""
    return is_ssp_staff(actor) or is_police_ssp_contact(actor)


def can_manage_offences(actor: Actor) -> bool:
    """Issue 16: the municipality's local offence kinds and aliases (the statutory catalogue
    itself is national and cannot be changed by a municipality)."""
    return is_ssp_staff(actor) or (
        actor.role == AccessRole.ADMINISTRATOR and actor.municipality_id is not None
    )


def can_record_council_held(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_see_counts(actor: Actor) -> bool:
    """The 14-day counts go to the steering group: counts per SSP-team member, no children."""
    return is_ssp_staff(actor) or is_politician(actor)


def sees_exact_counts(actor: Actor) -> bool:
    """SSP staff see the 14-day counts as they are (their own team's figures); everyone else
    (the politicians of the steering group) sees them suppressed like every published figure:
    1-4 as "<5" and what could reveal one as "x" (`ssp/reports/suppression.py`)."""
    return is_ssp_staff(actor)


def can_see_hot_spots(actor: Actor) -> bool:
    return is_employee(actor)


def can_edit_hot_spots(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_import_absence(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def absence_schools(actor: Actor) -> QuerySet[Unit]:
    """The schools whose absence the actor follows: all for SSP staff, else the contact's own."""
    if is_ssp_staff(actor):
        return Unit.objects.filter(municipality_id=municipality_of(actor), kind=UnitKind.SCHOOL)
    if is_authority_employee(actor) and actor.member_id is not None:
        return Unit.objects.filter(ssp_contact_id=actor.member_id)
    return Unit.objects.none()


def can_see_absence(actor: Actor) -> bool:
    """SSP staff, and the SSP contact of a school (read with the actor: no query per page)."""
    return is_ssp_staff(actor) or (is_authority_employee(actor) and actor.is_school_contact)


# --- Scoped querysets -------------------------------------------------------------------------


def visible_reports(actor: Actor) -> QuerySet[PoliceReport]:
    if is_ssp_staff(actor):
        return PoliceReport.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        return PoliceReport.objects.filter(municipality_id=municipality_of(actor)).filter(
            Q(routed_to_member_id=actor.member_id) | Q(home_contact_id=actor.member_id)
        )
    return PoliceReport.objects.none()


def correctable_reports(actor: Actor) -> QuerySet[PoliceReport]:
    """Issue 16: the municipality's reports, for those who may correct or withdraw them (SSP
    staff and the police's SSP contact). The correction pages show a report's list fields only
    (journal number, dates, offence, status), never the concern, case or people behind it."""
    if not can_correct_report(actor):
        return PoliceReport.objects.none()
    return PoliceReport.objects.filter(municipality_id=municipality_of(actor))


def visible_offences(actor: Actor) -> QuerySet[Offence]:
    """The national (statutory) kinds and the actor's municipality's local kinds."""
    if actor.municipality_id is None:
        return Offence.objects.none()
    return Offence.objects.filter(
        Q(municipality__isnull=True) | Q(municipality_id=actor.municipality_id)
    )


def may_edit_offence(actor: Actor, offence: Offence) -> bool:
    """A municipality edits (renames, retires) its own local kinds only; the statutory ones are
    national and read only (it may still give them its own aliases)."""
    return (
        can_manage_offences(actor)
        and offence.municipality_id is not None
        and offence.municipality_id == actor.municipality_id
    )


def visible_offence_aliases(actor: Actor) -> QuerySet[OffenceAlias]:
    if not can_manage_offences(actor):
        return OffenceAlias.objects.none()
    return OffenceAlias.objects.filter(municipality_id=municipality_of(actor))


def visible_deadlines(actor: Actor) -> QuerySet[Deadline]:
    if is_ssp_staff(actor):
        return Deadline.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        return Deadline.objects.filter(
            municipality_id=municipality_of(actor), responsible_id=actor.member_id
        )
    return Deadline.objects.none()


def visible_councils(actor: Actor) -> QuerySet[NetworkCouncil]:
    """Network councils are the SSP staff's to call and hold; nobody else sees them here."""
    if not can_see_councils(actor):
        return NetworkCouncil.objects.none()
    return NetworkCouncil.objects.filter(municipality_id=municipality_of(actor))


def absence_threshold(municipality: Municipality) -> Decimal:
    """The municipality's limit for worrying absence, in percent of the month."""
    return Decimal(
        str(municipality.rule("absence_threshold_percent", DEFAULT_ABSENCE_THRESHOLD_PERCENT))
    )


def _absence_of_schools(actor: Actor) -> QuerySet[AbsenceRecord]:
    if actor.municipality_id is None:
        return AbsenceRecord.objects.none()
    return AbsenceRecord.objects.filter(
        municipality_id=actor.municipality_id, school__in=absence_schools(actor)
    )


def latest_absence_month(actor: Actor) -> date | None:
    """The month of the newest absence file for the actor's schools (a month names nobody)."""
    month: date | None = (
        _absence_of_schools(actor).order_by("-month").values_list("month", flat=True).first()
    )
    return month


def visible_absence(actor: Actor) -> QuerySet[AbsenceRecord]:
    """The worrying absence of the actor's schools: records at or above the threshold only."""
    if actor.municipality_id is None:
        return AbsenceRecord.objects.none()
    municipality = Municipality.objects.filter(pk=actor.municipality_id).only("rules").first()
    if municipality is None:
        return AbsenceRecord.objects.none()
    return _absence_of_schools(actor).filter(total_percent__gte=absence_threshold(municipality))


def visible_hot_spots(actor: Actor) -> QuerySet[HotSpot]:
    if not can_see_hot_spots(actor):
        return HotSpot.objects.none()
    return HotSpot.objects.filter(municipality_id=municipality_of(actor))


# --- Lookups (404 when not visible) -----------------------------------------------------------


def get_report_for(actor: Actor, pk: int) -> PoliceReport:
    return get_or_404(
        visible_reports(actor).select_related(
            "young_person",
            "offence",
            "routed_to_member",
            "routed_to_forum",
            "home_contact",
            "concern",
        ),
        pk=pk,
    )


def get_report_to_correct_for(actor: Actor, pk: int) -> PoliceReport:
    """A report the actor may correct (with its offence), or Http404 (also another
    municipality's report: that a report exists about someone is personal data)."""
    return get_or_404(correctable_reports(actor).select_related("offence"), pk=pk)


def get_offence_for(actor: Actor, pk: int) -> Offence:
    """A national kind or one of the actor's municipality's local kinds, else Http404."""
    if not can_manage_offences(actor):
        return get_or_404(Offence.objects.none(), pk=pk)
    return get_or_404(visible_offences(actor), pk=pk)


def get_offence_alias_for(actor: Actor, pk: int) -> OffenceAlias:
    return get_or_404(visible_offence_aliases(actor).select_related("offence"), pk=pk)


def get_deadline_for(actor: Actor, pk: int) -> Deadline:
    return get_or_404(
        visible_deadlines(actor).select_related("young_person", "report"),
        pk=pk,
    )


def get_council_for(actor: Actor, pk: int) -> NetworkCouncil:
    return get_or_404(
        visible_councils(actor)
        .select_related("young_person", "report__offence", "case", "action_plan", "deadline")
        .prefetch_related("professionals", "young_person__custody_holders"),
        pk=pk,
    )


def get_hot_spot_for(actor: Actor, pk: int) -> HotSpot:
    return get_or_404(visible_hot_spots(actor).prefetch_related("concerns"), pk=pk)


def get_absence_record_for(actor: Actor, pk: int) -> AbsenceRecord:
    """A worrying absence record of the actor's schools; below the threshold it is a 404."""
    return get_or_404(visible_absence(actor).select_related("school"), pk=pk)


# --- Import jobs ----------------------------------------------------------------------------


def may_import(actor: Actor, kind: str) -> bool:
    """Whether the actor may upload a list of this kind (police list or absence)."""
    if kind == ImportKind.POLICE:
        return can_import_police_list(actor)
    return can_import_absence(actor)


def visible_import_jobs(actor: Actor) -> QuerySet[ImportJob]:
    """The jobs of the actor's municipality, of the kinds the actor may import. SSP staff see
    every such job; the police's SSP contact sees the jobs they uploaded themselves (issue 15:
    a job names who uploaded it and when, and SSP staff's jobs are not the police's business)."""
    kinds = [kind for kind in ImportKind.values if may_import(actor, kind)]
    if not kinds:
        return ImportJob.objects.none()
    jobs = ImportJob.objects.filter(municipality_id=municipality_of(actor), kind__in=kinds)
    if is_ssp_staff(actor):
        return jobs
    return jobs.filter(created_by_id=actor.user_id)


def get_import_job_for(actor: Actor, pk: int) -> ImportJob:
    """The job, or Http404 (also for another municipality's job or a kind the actor may not
    import: the job's existence tells about a list of children)."""
    return get_or_404(visible_import_jobs(actor), pk=pk)
