"""GDPR art. 15-16 for one young person (R4, DOMAIN.md "data subjects"): the subject-access
export and corrections recorded as corrections.

The export holds everything the platform keeps that names the young person: the register's
facts and the person's own custody holders, concerns, cases, agreements, tasks, consents,
disclosures (what, to whom, on which legal basis, when), police-list rows, deadlines, network
councils, absence rows, agenda items and minutes about their concerns and cases, corrections,
and who has seen or handled the records (from the audit trail). Other young people and other
families' custody holders are never reached (every query starts from this person), and staff
appear by function and unit only, never by name.

The case timeline (`CaseEvent`) is left out on purpose: it repeats the records above in sentences
that name staff ("Tovholder: <name>").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import HTML

from ssp import access
from ssp.audit.models import AuditAction, AuditEvent, Correction
from ssp.audit.services import record_event
from ssp.cases.models import (
    ActionAgreement,
    Case,
    Concern,
    Consent,
    CustodyHolder,
    Disclosure,
    Task,
    YoungPerson,
)
from ssp.errors import DomainError
from ssp.meetings.models import AgendaItem
from ssp.organisation.models import Member, SchoolDistrict, Unit
from ssp.police.models import AbsenceRecord, Deadline, NetworkCouncil, PoliceReport
from ssp.versioning import StaleEdit

# Practice (DOMAIN.md): the young person asks on their own from this age; before it, a custody
# holder asks.
OWN_REQUEST_AGE = 15


class Requester(models.TextChoices):
    """Who asked for the export (recorded in the audit event, by kind and id only)."""

    YOUNG_PERSON = "young_person", gettext_lazy("Den unge selv")
    CUSTODY_HOLDER = "custody_holder", gettext_lazy("En forældremyndighedsindehaver")


class ExportFormat(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF til familien")
    JSON = "json", gettext_lazy("JSON (maskinlæsbar)")


def subject_ref_of(person: YoungPerson) -> str:
    """The audit trail's reference to a young person (as the cases services write it)."""
    return f"youngperson:{person.pk}"


def age_on(person: YoungPerson, day: date) -> int | None:
    """The person's age on `day`; None when the birth date is unknown (issue 15)."""
    born = person.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- Staff by function and unit ------------------------------------------------------------


def staff_label(member: Member | None) -> str:
    """A member as the export names staff: function and unit, never the name."""
    if member is None:
        return _("Ukendt funktion")
    function = member.title or member.get_sector_display()
    return f"{function}, {member.unit.name}" if member.unit else function


class _Staff:
    """Function-and-unit labels of the municipality's staff, by member id and by user id."""

    def __init__(self, municipality_id: int) -> None:
        members = list(
            Member.objects.filter(municipality_id=municipality_id).select_related("unit")
        )
        self.by_member = {m.pk: staff_label(m) for m in members}
        self.by_user = {m.user_id: staff_label(m) for m in members if m.user_id is not None}

    def member(self, member_id: int | None) -> str:
        if member_id is None:
            return ""
        return self.by_member.get(member_id, _("Ukendt funktion"))

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return _("Systemet (automatisk)")
        return self.by_user.get(user_id, _("Ukendt funktion"))


# --- Collecting the export ---------------------------------------------------------------------


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value)) if value else ""


def _action_label(value: str) -> str:
    try:
        return str(AuditAction(value).label)
    except ValueError:
        return value


def collect_export(person: YoungPerson) -> dict[str, Any]:
    """Everything held about `person`, as plain data (the JSON export; the PDF renders it).

    Every query starts from the person (foreign keys to the person, or their concerns and
    cases); nothing is looked up by name, so namesakes and other families stay out.
    """
    staff = _Staff(person.municipality_id)
    concerns = list(
        Concern.objects.filter(young_person=person).select_related("forum").order_by("raised_at")
    )
    cases = list(
        Case.objects.filter(young_person=person).select_related("forum").order_by("opened_at")
    )
    concern_ids = [c.pk for c in concerns]
    case_ids = [c.pk for c in cases]
    return {
        "generated_at": timezone.localtime().replace(microsecond=0),
        "person": _person(person),
        "custody_holders": [
            {
                "name": holder.name,
                "relation": holder.relation,
                "phone": holder.phone,
                "email": holder.email,
                "address": holder.address,
            }
            for holder in CustodyHolder.objects.filter(young_person=person).order_by("pk")
        ],
        "corrections": _corrections(person, staff),
        "concerns": [_concern(c, staff) for c in concerns],
        "cases": [_case(c, staff) for c in cases],
        "agreements": _agreements(case_ids, staff),
        "tasks": [
            {
                "case": task.case_id,
                "description": task.description,
                "responsible": staff.member(task.owner_id),
                "due_date": task.due_date,
                "status": _label_of(task, "status"),
            }
            for task in Task.objects.filter(case_id__in=case_ids).order_by("due_date", "pk")
        ],
        "consents": _consents(case_ids),
        "disclosures": _disclosures(case_ids, staff),
        "police_reports": _police_reports(person, staff),
        "deadlines": [
            {
                "kind": _label_of(deadline, "kind"),
                "starts_on": deadline.starts_on,
                "due_on": deadline.due_on,
                "met_on": deadline.met_on,
                "responsible": staff.member(deadline.responsible_id),
            }
            for deadline in Deadline.objects.filter(young_person=person).order_by("due_on", "pk")
        ],
        "network_councils": [
            {
                "meeting_at": council.meeting_at,
                "held_on": council.held_on,
                "network": council.network,
                "professionals": [staff.member(m.pk) for m in council.professionals.all()],
            }
            for council in NetworkCouncil.objects.filter(young_person=person)
            .prefetch_related("professionals")
            .order_by("meeting_at")
        ],
        "absence": _absence(person),
        "agenda_items": _agenda_items(concern_ids, case_ids, staff),
        "access_log": _access_log(person, concern_ids, case_ids, staff),
    }


def _label_of(obj: models.Model, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if callable(display) else str(getattr(obj, field))


def _person(person: YoungPerson) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "cpr": person.cpr_masked if person.cpr_encrypted else "",
        "school": person.school.name if person.school else "",
        "class_name": person.class_name,
        "school_district": person.school_district.name if person.school_district else "",
        "registered_at": timezone.localtime(person.created_at).replace(microsecond=0),
    }


def _field_label(field: str) -> str:
    """The Danish name of a corrected field ("fornavn")."""
    try:
        model_field = YoungPerson._meta.get_field(field)
    except FieldDoesNotExist:
        return field
    return str(getattr(model_field, "verbose_name", field))


def _corrections(person: YoungPerson, staff: _Staff) -> list[dict[str, Any]]:
    return [
        {
            "corrected_at": timezone.localtime(c.corrected_at).replace(microsecond=0),
            "old_values": {
                _field_label(field): value
                for field, value in json.loads(c.old_values or "{}").items()
            },
            "reason": c.reason,
            "corrected_by": staff.user(c.corrected_by_id),
        }
        for c in Correction.objects.filter(young_person=person).order_by("corrected_at", "pk")
    ]


def _concern(concern: Concern, staff: _Staff) -> dict[str, Any]:
    return {
        "number": concern.pk,
        "raised_at": timezone.localtime(concern.raised_at).replace(microsecond=0),
        "source": _label_of(concern, "source"),
        "level": _label_of(concern, "level"),
        "status": _label_of(concern, "status"),
        "reported_name": concern.reported_name,
        "description": concern.description,
        "worksheet": [*concern.primary_ticked, *concern.risk_ticked],
        "other_factor": concern.other_factor,
        "first_action": concern.worksheet_first_action,
        "sent_to": concern.forum.name if concern.forum else "",
        "raised_by": staff.user(concern.raised_by_id),
        "decision_note": concern.decision_note,
        "case": concern.case_id,
    }


def _case(case: Case, staff: _Staff) -> dict[str, Any]:
    return {
        "number": case.pk,
        "opened_at": timezone.localtime(case.opened_at).replace(microsecond=0),
        "level": _label_of(case, "level"),
        "case_level": case.case_level,
        "handled_by": case.forum.name,
        "status": _label_of(case, "status"),
        "opened_by": staff.user(case.opened_by_id),
        "closed_at": (
            timezone.localtime(case.closed_at).replace(microsecond=0) if case.closed_at else None
        ),
        "outcome": _label_of(case, "evaluation_outcome") if case.evaluation_outcome else "",
        "partners": case.evaluation_partners,
        "what_worked": case.evaluation_what_worked,
    }


def _agreements(case_ids: list[int], staff: _Staff) -> list[dict[str, Any]]:
    agreements = (
        ActionAgreement.objects.filter(case_id__in=case_ids)
        .prefetch_related("participants")
        .order_by("created_at", "pk")
    )
    return [
        {
            "case": agreement.case_id,
            "made_at": timezone.localtime(agreement.created_at).replace(microsecond=0),
            "first_action": agreement.first_action,
            "coordinator": staff.member(agreement.coordinator_id),
            "contact_person": staff.member(agreement.contact_person_id),
            "participants": [staff.member(m.pk) for m in agreement.participants.all()],
            "follow_up_date": agreement.follow_up_date,
        }
        for agreement in agreements
    ]


def _consents(case_ids: list[int]) -> list[dict[str, Any]]:
    consents = (
        Consent.objects.filter(case_id__in=case_ids)
        .select_related("custody_holder")
        .order_by("given_on", "pk")
    )
    rows = []
    for consent in consents:
        if consent.by_young_person:
            given_by = _("Den unge selv")
        elif consent.custody_holder is not None:
            given_by = consent.custody_holder.name
        else:
            given_by = ""
        rows.append(
            {
                "case": consent.case_id,
                "given_by": given_by,
                "refused": consent.refused,
                "form": _label_of(consent, "form"),
                "given_on": consent.given_on,
                "scope": consent.scope,
                "withdrawn_on": consent.withdrawn_on,
            }
        )
    return rows


def _disclosures(case_ids: list[int], staff: _Staff) -> list[dict[str, Any]]:
    disclosures = (
        Disclosure.objects.filter(case_id__in=case_ids)
        .select_related("legal_basis")
        .prefetch_related("receivers")
        .order_by("disclosed_on", "pk")
    )
    return [
        {
            "case": d.case_id,
            "disclosed_on": d.disclosed_on,
            "information": d.information,
            "purpose": d.purpose,
            "legal_basis": d.legal_basis.title,
            "legal_reference": d.legal_basis.reference,
            "given_by": staff.member(d.given_by_id),
            "receivers": [staff.member(m.pk) for m in d.receivers.all()],
        }
        for d in disclosures
    ]


def _police_reports(person: YoungPerson, staff: _Staff) -> list[dict[str, Any]]:
    reports = (
        PoliceReport.objects.filter(young_person=person)
        .select_related("routed_to_forum")
        .order_by("received_on", "incident_at")
    )
    return [
        {
            "received_on": r.received_on,
            "incident_at": timezone.localtime(r.incident_at).replace(microsecond=0),
            "offence": r.offence_text,
            "attempt": r.attempt,
            "police_reference": r.police_reference,
            "description": r.description,
            "status": _label_of(r, "status"),
            "presented_on": r.presented_on,
            "routing": _label_of(r, "routing") if r.routing else "",
            "sent_to": (
                staff.member(r.routed_to_member_id)
                if r.routed_to_member_id
                else r.routed_to_forum.name
                if r.routed_to_forum
                else r.routed_to_other
            ),
            "contacts_the_home": staff.member(r.home_contact_id),
        }
        for r in reports
    ]


def _absence(person: YoungPerson) -> list[dict[str, Any]]:
    if not person.cpr_index:
        return []
    records = (
        AbsenceRecord.objects.filter(
            municipality_id=person.municipality_id, cpr_index=person.cpr_index
        )
        .select_related("school")
        .order_by("month")
    )
    return [
        {
            "month": r.month,
            "school": r.school.name,
            "class_name": r.class_name,
            "total_percent": r.total_percent,
            "unauthorised_percent": r.unauthorised_percent,
        }
        for r in records
    ]


def _agenda_items(
    concern_ids: list[int], case_ids: list[int], staff: _Staff
) -> list[dict[str, Any]]:
    items = (
        AgendaItem.objects.filter(Q(concern_id__in=concern_ids) | Q(case_id__in=case_ids))
        .select_related("meeting__forum")
        .prefetch_related("contributions")
        .order_by("meeting__starts_at", "position")
    )
    return [
        {
            "meeting_at": timezone.localtime(item.meeting.starts_at).replace(microsecond=0),
            "forum": item.meeting.forum.name,
            "title": item.title,
            "description": item.description,
            "decision": item.decision,
            "contributions": [
                {"by": staff.member(c.member_id), "text": c.text} for c in item.contributions.all()
            ],
        }
        for item in items
    ]


# The registrations merged into a person (and into those, ...) that are followed: a bound, as
# `cases.identity.MERGE_CHAIN_MAX` bounds the chain the other way.
MERGED_REGISTRATIONS_MAX = 100


def registrations_of(person: YoungPerson) -> list[int]:
    """The person's id and the ids of the registrations merged into it, from the merge events
    on the audit trail (`{"merged_from": id}` on the survivor's reference), followed through
    earlier merges, at most `MERGED_REGISTRATIONS_MAX`."""
    found = [person.pk]
    queue = [person.pk]
    while queue and len(found) < MERGED_REGISTRATIONS_MAX:
        merged = AuditEvent.objects.filter(
            municipality_id=person.municipality_id,
            action=AuditAction.YOUNG_PERSON_MERGED,
            subject_ref__in=[f"youngperson:{pk}" for pk in queue],
            data__merged_from__isnull=False,
        ).values_list("data__merged_from", flat=True)
        queue = []
        for pk in merged:
            if isinstance(pk, int) and pk not in found and len(found) < MERGED_REGISTRATIONS_MAX:
                found.append(pk)
                queue.append(pk)
    return found


def _access_log(
    person: YoungPerson, concern_ids: list[int], case_ids: list[int], staff: _Staff
) -> list[dict[str, Any]]:
    """Who has seen or handled the records, from the audit trail: per function and unit and
    kind of event, how often, first and last time. The registrations merged into the person
    (issue 15) count as the person's: their events stay on their own references."""
    person_ids = [str(pk) for pk in registrations_of(person)]
    events = AuditEvent.objects.filter(
        Q(subject_ref__in=[f"youngperson:{pk}" for pk in person_ids])
        | Q(object_type="cases.youngperson", object_id__in=person_ids)
        | Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
        | Q(object_type="cases.concern", object_id__in=[str(pk) for pk in concern_ids])
    )
    grouped = (
        events.values("actor_id", "action")
        .annotate(count=Count("pk"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("first")
    )
    return [
        {
            "who": staff.user(row["actor_id"]),
            "what": _action_label(row["action"]),
            "count": row["count"],
            "first": timezone.localtime(row["first"]),
            "last": timezone.localtime(row["last"]),
        }
        for row in grouped
    ]


# --- Producing it (audited) ----------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccessRequest:
    requested_by: Requester
    custody_holder: CustodyHolder | None
    export_format: ExportFormat


def custody_holders_of(person: YoungPerson) -> list[CustodyHolder]:
    """The person's own custody holders (who may ask on the child's behalf)."""
    return list(CustodyHolder.objects.filter(young_person=person).order_by("name", "pk"))


@transaction.atomic
def produce_subject_access(
    *, actor_user: User, person: YoungPerson, request: SubjectAccessRequest
) -> dict[str, Any]:
    """GDPR art. 15: the export for the young person or a custody holder; audited.

    The young person asks on their own from `OWN_REQUEST_AGE`; a custody holder must be one of
    this person's own. The audit event records who asked (kind and id, no name) and the format.
    """
    actor = access.get_actor(actor_user)
    if not access.can_handle_subject_access(actor) or actor.municipality_id != (
        person.municipality_id
    ):
        raise DomainError(_("Kun SSP-medarbejdere i kommunen kan udlevere indsigt."))
    holder = request.custody_holder
    if request.requested_by == Requester.YOUNG_PERSON:
        age = age_on(person, timezone.localdate())
        if age is None or age < OWN_REQUEST_AGE:
            raise DomainError(
                _(
                    "Den unge kan selv bede om indsigt fra %(age)s år. Før da beder en "
                    "forældremyndighedsindehaver om den."
                )
                % {"age": OWN_REQUEST_AGE}
            )
        holder = None
    elif holder is None or holder.young_person_id != person.pk:
        raise DomainError(_("Vælg den forældremyndighedsindehaver, der har bedt om indsigt."))
    content = collect_export(person)
    record_event(
        actor=actor_user,
        action=AuditAction.SUBJECT_ACCESS_PRODUCED,
        obj=person,
        municipality_id=person.municipality_id,
        subject_ref=subject_ref_of(person),
        purpose=_("Indsigt efter databeskyttelsesforordningens artikel 15"),
        data={
            "requested_by": str(request.requested_by),
            "custody_holder": holder.pk if holder is not None else None,
            "format": str(request.export_format),
        },
    )
    return content


def export_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def export_pdf(*, request: HttpRequest, content: dict[str, Any]) -> bytes:
    html = render_to_string(
        "audit/subject_access_pdf.html",
        {"export": content, "own_request_age": OWN_REQUEST_AGE},
        request=request,
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def export_filename(person: YoungPerson, export_format: ExportFormat) -> str:
    """No name in the file name (it is seen in download lists and mail attachments)."""
    return f"indsigt-{person.pk}-{timezone.localdate():%Y%m%d}.{export_format}"


# --- Rectification (GDPR art. 16) ----------------------------------------------------------------

CORRECTABLE_FIELDS = ("first_name", "last_name", "school", "class_name", "school_district")


@dataclass(frozen=True)
class CorrectionData:
    first_name: str
    last_name: str
    school: Unit | None
    class_name: str
    school_district: SchoolDistrict | None
    reason: str


def _shown(person: YoungPerson, field: str) -> str:
    value = getattr(person, field)
    if isinstance(value, models.Model):
        return str(value)
    return "" if value is None else str(value)


def _stored(person: YoungPerson, field: str) -> Any:
    """The comparable stored value: the id for a foreign key, the text otherwise."""
    if field in {"school", "school_district"}:
        return getattr(person, f"{field}_id")
    return getattr(person, field)


def fingerprint_of(person: YoungPerson) -> str:
    """A digest of the correctable facts as the form showed them: a correction made by
    someone else in between makes the form stale (no lost update; YoungPerson has no
    version column)."""
    values = [str(_stored(person, field)) for field in CORRECTABLE_FIELDS]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()


@transaction.atomic
def correct_young_person(
    *, actor_user: User, person: YoungPerson, data: CorrectionData, fingerprint: str
) -> Correction:
    """GDPR art. 16: correct simple facts, keeping the old values in a `Correction` (encrypted,
    deleted with the person); the audit event names the changed fields only.

    The row is locked: a repeat of the same post (a double click) finds the values already
    stored and returns the correction it made; a form opened before somebody else's correction
    is refused as stale (409).
    """
    actor = access.get_actor(actor_user)
    if not access.can_correct_young_person(actor) or actor.municipality_id != (
        person.municipality_id
    ):
        raise DomainError(_("Kun SSP-medarbejdere i kommunen kan rette oplysninger om unge."))
    for unit in (data.school, data.school_district):
        if unit is not None and unit.municipality_id != person.municipality_id:
            raise DomainError(_("Skole og skoledistrikt skal høre til kommunen."))
    locked = (
        YoungPerson.objects.select_for_update(of=("self",))
        .select_related("school", "school_district")
        .get(pk=person.pk)
    )
    new_values: dict[str, Any] = {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "school": data.school,
        "class_name": data.class_name.strip(),
        "school_district": data.school_district,
    }
    changed = [
        field
        for field in CORRECTABLE_FIELDS
        if _stored(locked, field)
        != (
            new_values[field].pk
            if isinstance(new_values[field], models.Model)
            else new_values[field]
        )
    ]
    stale = fingerprint != fingerprint_of(locked)
    if not changed:
        latest = Correction.objects.filter(young_person=locked).order_by("-pk").first()
        if stale and latest is not None:
            return latest  # the same correction posted again
        raise DomainError(_("Der er ikke ændret noget."))
    if stale:
        raise StaleEdit(
            current={field: _shown(locked, field) for field in CORRECTABLE_FIELDS}, version=0
        )
    old_values = {field: _shown(locked, field) for field in changed}
    for field in changed:
        setattr(locked, field, new_values[field])
    locked.save(update_fields=changed)
    correction = Correction.objects.create(
        young_person=locked,
        changed_fields=",".join(changed),
        old_values=json.dumps(old_values, ensure_ascii=False),
        reason=data.reason.strip(),
        corrected_by=actor_user,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.YOUNG_PERSON_CORRECTED,
        obj=locked,
        municipality_id=locked.municipality_id,
        subject_ref=subject_ref_of(locked),
        data={"fields": changed, "correction": correction.pk},
    )
    return correction
