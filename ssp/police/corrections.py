"""Issue 16: a police report imported or typed in error is corrected or withdrawn, with a reason,
by the SSP staff or the police's SSP contact.

The values before the change are kept, encrypted, in `ReportCorrection.original`; the audit trail
names the changed fields only. The deadlines derived from the report follow the correction:

- no longer serious (or the person was 18 or over at the corrected incident date): the open
  network-council or plan-revision deadline (unmet, no council called) is deleted;
- now serious: the deadline is created as for a new report, from the report's received date
  (the law counts from the receipt of the police's documentation);
- a changed received date moves the open deadline;
- a council already called or held is kept (the page says so).

Withdrawing sets the status WITHDRAWN and deletes the report's open deadlines (met ones are
kept): the report leaves the weekly review and the deadline board.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.police import access as police_access
from ssp.police import deadlines
from ssp.police.models import (
    CorrectionKind,
    Deadline,
    DeadlineKind,
    Offence,
    PoliceReport,
    ReportCorrection,
    ReportStatus,
)
from ssp.police.services import (
    _deadlines_for_new_report,
    enforce_for_service,
    load_offences,
    require_date_in_range,
)
from ssp.validation import has_control_characters, max_length_of

REASON_MAX = 1000
OFFENCE_TEXT_MAX = max_length_of(PoliceReport, "offence_text")
REFERENCE_MAX = max_length_of(PoliceReport, "police_reference")
# The deadlines a report's offence decides (R5); the family meeting follows the routing.
COUNCIL_KINDS = (DeadlineKind.NETWORK_COUNCIL, DeadlineKind.PLAN_REVISION)
CORRECTED_FIELDS = (
    "offence",
    "offence_text",
    "attempt",
    "incident_at",
    "police_reference",
    "received_on",
)


class StaleReport(DomainError):
    """The report changed after the correction form was opened."""

    status_code = 409


@dataclass(frozen=True)
class CorrectionData:
    offence: Offence | None
    offence_text: str
    attempt: bool
    incident_on: date
    incident_time: time
    police_reference: str
    received_on: date
    reason: str


@dataclass(frozen=True)
class Outcome:
    """What a correction did: the correction (None when nothing was changed) and its effect
    on the deadlines, for the page's message."""

    correction: ReportCorrection | None
    removed: int = 0
    added: int = 0
    moved: int = 0
    kept_council: bool = False


def _enforce(actor_user: User) -> None:
    enforce_for_service(
        police_access.can_correct_report,
        actor_user,
        _("Kun SSP-medarbejdere og politiets SSP-kontakt retter politiets rapporter."),
    )


def _values(report: PoliceReport) -> dict[str, Any]:
    """The corrected fields as JSON values (the offence by id and name)."""
    return {
        "offence": report.offence_id,
        "offence_name": report.offence.name if report.offence else "",
        "offence_text": report.offence_text,
        "attempt": report.attempt,
        "incident_at": timezone.localtime(report.incident_at).isoformat(),
        "police_reference": report.police_reference,
        "received_on": report.received_on.isoformat(),
        "status": report.status,
    }


def fingerprint(report: PoliceReport) -> str:
    """What the correction form was opened with: a correction against other values (a
    colleague corrected meanwhile) is refused."""
    text = json.dumps(_values(report), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _clean_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise DomainError(_("Skriv begrundelsen."))
    if len(text) > REASON_MAX:
        raise DomainError(_("Begrundelsen må højst være %(n)s tegn.") % {"n": REASON_MAX})
    if has_control_characters(text):
        raise DomainError(_("Teksten indeholder tegn, der ikke kan gemmes."))
    return text


def _lock(report: PoliceReport) -> PoliceReport:
    locked = (
        PoliceReport.objects.select_for_update(of=("self",))
        .select_related("offence", "young_person", "municipality")
        .get(pk=report.pk)
    )
    if locked.anonymised_at is not None:
        raise DomainError(
            _("Rapporten er anonymiseret efter opbevaringsreglerne og kan ikke rettes.")
        )
    return locked


def _open(report: PoliceReport, kinds: tuple[str, ...] | None = None) -> list[Deadline]:
    """The report's open deadlines: not met, no council called for them."""
    rows = Deadline.objects.filter(report=report, met_on__isnull=True, council__isnull=True)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return list(rows.select_for_update(of=("self",)))


def _follow(report: PoliceReport, *, received_before: date) -> Outcome:
    """The council deadlines follow the corrected report (see the module docstring)."""
    open_rows = _open(report, COUNCIL_KINDS)
    kept = (
        Deadline.objects.filter(report=report, kind__in=COUNCIL_KINDS)
        .exclude(pk__in=[d.pk for d in open_rows])
        .exists()
    )
    needed = deadlines.needs_network_council(
        serious=report.is_serious,
        birth=report.young_person.birth_date,
        incident=timezone.localtime(report.incident_at).date(),
    )
    if not needed:
        Deadline.objects.filter(pk__in=[d.pk for d in open_rows]).delete()
        return Outcome(None, removed=len(open_rows), kept_council=kept)
    if not open_rows and not kept:
        _deadlines_for_new_report(report)
        if report.home_contact_id is not None:
            # Routed already: whoever contacts the home answers for it, as `route_report` sets.
            Deadline.objects.filter(report=report, responsible__isnull=True).update(
                responsible_id=report.home_contact_id
            )
        return Outcome(None, added=1)
    moved = 0
    if report.received_on != received_before:
        days = configuration.network_council_days(report.municipality)
        for row in open_rows:
            row.starts_on = report.received_on
            row.due_on = deadlines.due_date(report.received_on, days)
            row.save(update_fields=["starts_on", "due_on"])
            moved += 1
    return Outcome(None, moved=moved, kept_council=kept)


@transaction.atomic
def correct_report(
    *, actor_user: User, report: PoliceReport, data: CorrectionData, opened: str
) -> Outcome:
    """Correct the report's offence, text, attempt, incident time, journal number or received
    date, with a reason. A second post of the same correction (a double click) finds the values
    saved and changes nothing."""
    _enforce(actor_user)
    current = _lock(report)
    if current.status == ReportStatus.WITHDRAWN:
        raise DomainError(_("Rapporten er trukket tilbage og kan ikke rettes."))
    reason = _clean_reason(data.reason)
    incident_at = timezone.make_aware(datetime.combine(data.incident_on, data.incident_time))
    require_date_in_range(data.incident_on, latest=timezone.localdate())
    if incident_at > timezone.now():
        raise DomainError(_("Gerningstidspunktet ligger i fremtiden."))
    if data.received_on != current.received_on:
        # A corrected receipt lies after the crime and not in the future.
        require_date_in_range(
            data.received_on, earliest=data.incident_on, latest=timezone.localdate()
        )
    offence_text = " ".join(data.offence_text.split())
    reference = data.police_reference.strip()
    if not offence_text or not reference:
        raise DomainError(_("Skriv forholdet og politiets journalnummer."))
    if len(offence_text) > OFFENCE_TEXT_MAX or len(reference) > REFERENCE_MAX:
        raise DomainError(_("Teksten er for lang."))
    if data.offence is not None and data.offence.pk not in {
        o.pk for o in load_offences(current.municipality_id)
    } | {current.offence_id}:
        raise DomainError(_("Vælg en af kommunens kategorier."))
    wanted = {
        "offence": data.offence.pk if data.offence else None,
        "offence_text": offence_text,
        "attempt": data.attempt,
        "incident_at": incident_at,
        "police_reference": reference,
        "received_on": data.received_on,
    }
    stored = {
        "offence": current.offence_id,
        "offence_text": current.offence_text,
        "attempt": current.attempt,
        "incident_at": current.incident_at,
        "police_reference": current.police_reference,
        "received_on": current.received_on,
    }
    changed = [name for name in CORRECTED_FIELDS if wanted[name] != stored[name]]
    if not changed:
        return Outcome(None)  # nothing to correct, or this correction was saved a moment ago
    if fingerprint(current) != opened:
        raise StaleReport(
            _("Rapporten er rettet af en anden, mens du skrev. Se rapporten igen, og ret på ny.")
        )
    if (
        "police_reference" in changed
        and PoliceReport.objects.filter(
            municipality_id=current.municipality_id,
            police_reference=reference,
            young_person_id=current.young_person_id,
        )
        .exclude(pk=current.pk)
        .exists()
    ):
        raise DomainError(_("Den unge har allerede en rapport med dette journalnummer."))
    original = _values(current)
    received_before = current.received_on
    current.offence = data.offence
    current.offence_text = offence_text
    current.attempt = data.attempt
    current.incident_at = incident_at
    current.police_reference = reference
    current.received_on = data.received_on
    current.save(update_fields=changed)
    correction = ReportCorrection.objects.create(
        report=current,
        kind=CorrectionKind.CORRECTED,
        reason=reason,
        original=json.dumps(original, ensure_ascii=False),
        corrected_by=actor_user,
    )
    effect = _follow(current, received_before=received_before)
    record_event(
        actor=actor_user,
        action=AuditAction.POLICE_REPORT_CORRECTED,
        obj=current,
        municipality_id=current.municipality_id,
        data={
            "report": current.pk,
            "fields": changed,
            "correction": correction.pk,
            "deadlines_removed": effect.removed,
            "deadlines_added": effect.added,
            "deadlines_moved": effect.moved,
        },
    )
    return Outcome(
        correction,
        removed=effect.removed,
        added=effect.added,
        moved=effect.moved,
        kept_council=effect.kept_council,
    )


@transaction.atomic
def withdraw_report(*, actor_user: User, report: PoliceReport, reason: str) -> Outcome:
    """Withdraw a report imported or typed in error: out of the weekly review and the board
    (its open deadlines deleted, met ones kept). Withdrawing it again changes nothing."""
    _enforce(actor_user)
    current = _lock(report)
    if current.status == ReportStatus.WITHDRAWN:
        return Outcome(
            ReportCorrection.objects.filter(report=current, kind=CorrectionKind.WITHDRAWN).last()
        )
    text = _clean_reason(reason)
    original = _values(current)
    open_rows = _open(current)
    kept = (
        Deadline.objects.filter(report=current, kind__in=COUNCIL_KINDS)
        .exclude(pk__in=[d.pk for d in open_rows])
        .exists()
    )
    Deadline.objects.filter(pk__in=[d.pk for d in open_rows]).delete()
    current.status = ReportStatus.WITHDRAWN
    current.save(update_fields=["status"])
    correction = ReportCorrection.objects.create(
        report=current,
        kind=CorrectionKind.WITHDRAWN,
        reason=text,
        original=json.dumps(original, ensure_ascii=False),
        corrected_by=actor_user,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.POLICE_REPORT_WITHDRAWN,
        obj=current,
        municipality_id=current.municipality_id,
        data={
            "report": current.pk,
            "correction": correction.pk,
            "deadlines_removed": len(open_rows),
        },
    )
    return Outcome(correction, removed=len(open_rows), kept_council=kept)


def original_values(correction: ReportCorrection) -> dict[str, Any]:
    """The values a correction replaced (for the report's page)."""
    try:
        values = json.loads(correction.original)
    except (TypeError, ValueError):
        return {}
    return values if isinstance(values, dict) else {}
