"""Retention by rule (issue 10, part 3; DOMAIN.md, retention): what is deleted or anonymised
when, the holds that stop it, and the destruction register.

The rules are the municipality's (`Municipality.rules`), in whole years, with defaults:

- `retention_years_after_close` (default 5), from a case's closing: the closed case with its
  concerns, agreements, tasks, consents, disclosures, events, police rows and agenda texts;
- `retention_years_dropped_concern` (default 1), from its dropping: a concern dropped without
  a case;
- `retention_years_police_list` (default 1), from its receipt: a police-list row never turned
  into a case;
- `retention_years_absence` (default 1), from its month: an absence row of a child without a
  case.

A young person with nothing left (every case, concern and police row anonymised) is deleted,
or anonymised where anonymised rows still point at them.

Rows are anonymised rather than removed where figures depend on them (cases, concerns, police
and absence rows, agreements, tasks, consents, disclosures): names, CPR numbers (the encrypted
value and the blind index), descriptions, places and every free text are cleared; dates, level,
outcome, sectors, forum and status stay, so the annual figures of past years do not change.
What no figure counts is deleted: case events (a free-text timeline), custody holders,
contributions and attachments of the agenda items about the case, corrections.

`apply_retention` is safe to run twice and in parallel (healthchecks' `sendalerts`): each
record is claimed by a conditional UPDATE (`anonymised_at IS NULL`, no active hold) inside its
own transaction, and only the run whose UPDATE changed the row goes on; the register rows are
written in that same transaction.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.deletion import ProtectedError, RestrictedError
from django.db.models.functions import Cast, Coalesce, Concat, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor, get_or_404, is_ssp_staff, municipality_of
from ssp.audit.models import (
    AuditAction,
    AuditEvent,
    Correction,
    DestructionAction,
    DestructionRecord,
    HoldReason,
    RetentionHold,
    RetentionKind,
    RetentionRule,
)
from ssp.audit.services import record_event
from ssp.cases.adhoc import check_free_of_personal_data
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseEvent,
    CaseStatus,
    Concern,
    ConcernStatus,
    Consent,
    CustodyHolder,
    Disclosure,
    LevelChange,
    Task,
    YoungPerson,
)
from ssp.errors import DomainError
from ssp.meetings.models import AgendaItem, Attachment, Contribution, MeetingTask, Visibility
from ssp.organisation.models import Municipality
from ssp.police.models import AbsenceRecord, NetworkCouncil, PoliceReport, ReportCorrection

DEFAULT_YEARS: dict[RetentionRule, int] = {
    RetentionRule.CASE_CLOSED: 5,
    RetentionRule.CONCERN_DROPPED: 1,
    RetentionRule.POLICE_LIST: 1,
    RetentionRule.ABSENCE: 1,
}
MAX_YEARS = 50
UPCOMING_DAYS = 30  # the coordinator page lists what goes within this many days
UPCOMING_CAP = 500  # per kind of record, so the page stays bounded
PAGE_SIZE = 50
CHUNK = 500  # police and absence rows are claimed this many at a time

# Stored in place of what was cleared (data, not interface text).
ANONYMOUS_FIRST_NAME = "Anonymiseret"
ANONYMISED_ITEM_TITLE = "Punkt om en ung (anonymiseret efter opbevaringsfristen)"
ANONYMISED_REFERENCE_PREFIX = "anonymiseret-"

D = TypeVar("D", date, datetime)

RULE_OF_KIND: dict[RetentionKind, RetentionRule] = {
    RetentionKind.CASE: RetentionRule.CASE_CLOSED,
    RetentionKind.CONCERN: RetentionRule.CONCERN_DROPPED,
    RetentionKind.POLICE_REPORT: RetentionRule.POLICE_LIST,
    RetentionKind.ABSENCE_RECORD: RetentionRule.ABSENCE,
}


class RetentionConfigError(DomainError):
    pass


# --- Access ---------------------------------------------------------------------------------


def can_manage_retention(actor: Actor) -> bool:
    """SSP staff see what is about to be deleted in their municipality and may hold it."""
    return is_ssp_staff(actor)


def visible_holds(actor: Actor) -> QuerySet[RetentionHold]:
    if not can_manage_retention(actor):
        return RetentionHold.objects.none()
    return RetentionHold.objects.filter(municipality_id=municipality_of(actor))


def get_hold_for(actor: Actor, pk: int) -> RetentionHold:
    return get_or_404(visible_holds(actor), pk=pk)


# --- Rules and dates --------------------------------------------------------------------------


def retention_years(municipality: Municipality, rule: RetentionRule) -> int:
    """The municipality's period for `rule`, in whole years; a broken value stops its run
    rather than deleting early."""
    value: Any = municipality.rule(rule.value, DEFAULT_YEARS[rule])
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_YEARS:
        raise RetentionConfigError(
            _("Reglen %(rule)s i %(municipality)s skal være et helt antal år (1-50).")
            % {"rule": rule.value, "municipality": municipality.name}
        )
    return value


def shift_years(moment: D, years: int) -> D:
    """`moment` moved by whole years; 29 February becomes 28 February in other years."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    """Records at or before these moments are due."""

    case_closed: datetime
    concern_dropped: datetime
    police_list: date
    absence: date

    @classmethod
    def at(cls, municipality: Municipality, now: datetime) -> Cutoffs:
        today = timezone.localdate(now)
        return cls(
            case_closed=shift_years(now, -retention_years(municipality, RetentionRule.CASE_CLOSED)),
            concern_dropped=shift_years(
                now, -retention_years(municipality, RetentionRule.CONCERN_DROPPED)
            ),
            police_list=shift_years(
                today, -retention_years(municipality, RetentionRule.POLICE_LIST)
            ),
            absence=shift_years(today, -retention_years(municipality, RetentionRule.ABSENCE)),
        )


def _held(kind: RetentionKind) -> Exists:
    return Exists(
        RetentionHold.objects.filter(kind=kind, object_id=OuterRef("pk"), lifted_at__isnull=True)
    )


def _dropped_at() -> Coalesce:
    """When a concern was dropped: its CONCERN_DROPPED audit event (the trail outlives the
    concern's text), or when it was raised, for concerns dropped before the trail."""
    event = AuditEvent.objects.filter(
        action=AuditAction.CONCERN_DROPPED,
        object_type="cases.concern",
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    ).order_by("-id")
    return Coalesce(Subquery(event.values("occurred_at")[:1]), F("raised_at"))


def cases_due(municipality_id: int, before: datetime) -> QuerySet[Case]:
    return Case.objects.filter(
        municipality_id=municipality_id,
        status=CaseStatus.CLOSED,
        closed_at__lte=before,
        anonymised_at__isnull=True,
    )


def dropped_concerns(municipality_id: int) -> QuerySet[Concern]:
    """Concerns dropped without a case, not yet anonymised; due by `_dropped_at()`."""
    return Concern.objects.filter(
        municipality_id=municipality_id,
        status=ConcernStatus.DROPPED,
        case__isnull=True,
        anonymised_at__isnull=True,
    )


def dropped_concerns_due(municipality_id: int, before: datetime) -> QuerySet[Concern]:
    return (
        dropped_concerns(municipality_id)
        .annotate(dropped_at=_dropped_at())
        .filter(dropped_at__lte=before)
    )


def police_rows_due(municipality_id: int, before: date) -> QuerySet[PoliceReport]:
    """Police-list rows never turned into a case (a row whose concern became a case goes with
    the case)."""
    return PoliceReport.objects.filter(
        Q(concern__isnull=True) | Q(concern__case__isnull=True),
        municipality_id=municipality_id,
        received_on__lte=before,
        anonymised_at__isnull=True,
    )


def absence_rows_due(municipality_id: int, before: date) -> QuerySet[AbsenceRecord]:
    """Absence rows of children without a live case (a case not yet anonymised)."""
    with_case = (
        Case.objects.filter(municipality_id=municipality_id, anonymised_at__isnull=True)
        .exclude(young_person__cpr_index="")
        .values("young_person__cpr_index")
    )
    return AbsenceRecord.objects.filter(
        municipality_id=municipality_id, month__lte=before, anonymised_at__isnull=True
    ).exclude(cpr_index__in=with_case)


def _live(model: type[models.Model], person: str = "young_person") -> Exists:
    return Exists(
        model._default_manager.filter(**{person: OuterRef("pk"), "anonymised_at__isnull": True})
    )


def young_people_left_without_records(municipality_id: int) -> QuerySet[YoungPerson]:
    return YoungPerson.objects.filter(
        ~_live(Case), ~_live(Concern), ~_live(PoliceReport),
        municipality_id=municipality_id,
        anonymised_at__isnull=True,
    )  # fmt: skip


# --- The run ----------------------------------------------------------------------------------


@dataclass
class _Tally:
    """What one municipality's run did, written to the register as it goes."""

    run_id: uuid.UUID
    municipality_id: int
    now: datetime
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(
        self, rule: RetentionRule, model: type[models.Model], action: DestructionAction, n: int
    ) -> None:
        """Count `n` rows in the register, in the caller's transaction (so a crash loses
        neither the change nor its register line)."""
        if n <= 0:
            return
        kind = model._meta.label_lower
        self.counts[(rule.value, kind, action.value)] += n
        updated = DestructionRecord.objects.filter(
            run_id=self.run_id,
            municipality_id=self.municipality_id,
            rule=rule,
            kind=kind,
            action=action,
        ).update(count=F("count") + n)
        if not updated:
            DestructionRecord.objects.create(
                run_id=self.run_id,
                occurred_at=self.now,
                municipality_id=self.municipality_id,
                rule=rule,
                kind=kind,
                action=action,
                count=n,
            )


@dataclass
class RunReport:
    run_id: uuid.UUID
    counts: dict[int, Counter[tuple[str, str, str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def total(self) -> int:
        return sum(sum(counter.values()) for counter in self.counts.values())


def apply_retention(
    *, now: datetime | None = None, municipality: Municipality | None = None
) -> RunReport:
    """DOMAIN.md retention: delete or anonymise what every municipality's rules say is due.

    Safe twice and in parallel; held records are skipped; every change is counted in the
    destruction register and each municipality's run ends with one audit event (counts only).
    """
    now = now or timezone.now()
    report = RunReport(run_id=uuid.uuid4())
    municipalities = (
        [municipality] if municipality is not None else Municipality.objects.order_by("pk")
    )
    for current in municipalities:
        try:
            cutoffs = Cutoffs.at(current, now)
        except RetentionConfigError as exc:
            report.errors.append(exc.message)
            continue
        tally = _Tally(run_id=report.run_id, municipality_id=current.pk, now=now)
        _apply_for(current.pk, cutoffs, tally)
        if tally.counts:
            report.counts[current.pk] = tally.counts
            record_event(
                actor=None,
                action=AuditAction.RETENTION_APPLIED,
                object_type=DestructionRecord._meta.label_lower,
                object_id=str(report.run_id),
                object_repr=f"run:{report.run_id}",
                municipality_id=current.pk,
                data={"counts": [[*key, n] for key, n in sorted(tally.counts.items())]},
            )
    return report


def _apply_for(municipality_id: int, cutoffs: Cutoffs, tally: _Tally) -> None:
    cases = cases_due(municipality_id, cutoffs.case_closed).exclude(_held(RetentionKind.CASE))
    for pk in list(cases.values_list("pk", flat=True)):
        _anonymise_case(pk, tally)
    concerns = dropped_concerns_due(municipality_id, cutoffs.concern_dropped).exclude(
        _held(RetentionKind.CONCERN)
    )
    for pk in list(concerns.values_list("pk", flat=True)):
        _anonymise_dropped_concern(pk, tally)
    reports = police_rows_due(municipality_id, cutoffs.police_list).exclude(
        _held(RetentionKind.POLICE_REPORT)
    )
    for chunk in _chunks(list(reports.values_list("pk", flat=True))):
        with transaction.atomic():
            n = _anonymise_police_rows(chunk, tally.now, RetentionKind.POLICE_REPORT)
            tally.add(RetentionRule.POLICE_LIST, PoliceReport, DestructionAction.ANONYMISED, n)
            n = _delete_corrections(chunk, tally.now)
            tally.add(RetentionRule.POLICE_LIST, ReportCorrection, DestructionAction.DELETED, n)
    absence = absence_rows_due(municipality_id, cutoffs.absence).exclude(
        _held(RetentionKind.ABSENCE_RECORD)
    )
    for chunk in _chunks(list(absence.values_list("pk", flat=True))):
        with transaction.atomic():
            n = _anonymise_absence_rows(chunk, tally.now)
            tally.add(RetentionRule.ABSENCE, AbsenceRecord, DestructionAction.ANONYMISED, n)
    people = young_people_left_without_records(municipality_id)
    for pk in list(people.values_list("pk", flat=True)):
        _settle_young_person(pk, tally)


def _chunks(pks: list[int]) -> list[list[int]]:
    return [pks[i : i + CHUNK] for i in range(0, len(pks), CHUNK)]


@transaction.atomic
def _anonymise_case(pk: int, tally: _Tally) -> None:
    """A closed case past its period, with everything that hangs off it."""
    rule = RetentionRule.CASE_CLOSED
    claimed = (
        Case.objects.filter(pk=pk, status=CaseStatus.CLOSED, anonymised_at__isnull=True)
        .exclude(_held(RetentionKind.CASE))
        .update(anonymised_at=tally.now, evaluation_partners="", evaluation_what_worked="")
    )
    if not claimed:
        return  # another run has it, or a hold was set meanwhile
    tally.add(rule, Case, DestructionAction.ANONYMISED, 1)
    deleted, _per_model = CaseEvent.objects.filter(case_id=pk).delete()
    tally.add(rule, CaseEvent, DestructionAction.DELETED, deleted)
    # Issue 16: a level change's reason may name people; the levels themselves stay.
    n = LevelChange.objects.filter(case_id=pk).update(reason="")
    tally.add(rule, LevelChange, DestructionAction.ANONYMISED, n)
    n = ActionAgreement.objects.filter(case_id=pk).update(first_action="")
    tally.add(rule, ActionAgreement, DestructionAction.ANONYMISED, n)
    n = Task.objects.filter(case_id=pk).update(description="")
    tally.add(rule, Task, DestructionAction.ANONYMISED, n)
    n = Consent.objects.filter(case_id=pk).update(scope="", custody_holder=None)
    tally.add(rule, Consent, DestructionAction.ANONYMISED, n)
    n = Disclosure.objects.filter(case_id=pk).update(purpose="", information="")
    tally.add(rule, Disclosure, DestructionAction.ANONYMISED, n)
    NetworkCouncil.objects.filter(case_id=pk).update(network="", late_reason="")
    concerns = Concern.objects.filter(case_id=pk, anonymised_at__isnull=True)
    concern_pks = list(concerns.values_list("pk", flat=True))
    n = _anonymise_concerns(concerns.filter(pk__in=concern_pks), tally.now)
    tally.add(rule, Concern, DestructionAction.ANONYMISED, n)
    report_pks = list(
        PoliceReport.objects.filter(concern__case_id=pk, anonymised_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    n = _anonymise_police_rows(report_pks, tally.now, None)
    tally.add(rule, PoliceReport, DestructionAction.ANONYMISED, n)
    n = _delete_corrections(report_pks, tally.now)
    tally.add(rule, ReportCorrection, DestructionAction.DELETED, n)
    _clear_agenda_items(Q(case_id=pk) | Q(concern_id__in=concern_pks), rule, tally)
    _clear_hold_notes(RetentionKind.CASE, [pk])
    _clear_hold_notes(RetentionKind.CONCERN, concern_pks)


@transaction.atomic
def _anonymise_dropped_concern(pk: int, tally: _Tally) -> None:
    rule = RetentionRule.CONCERN_DROPPED
    claimable = Concern.objects.filter(
        pk=pk, status=ConcernStatus.DROPPED, case__isnull=True
    ).exclude(_held(RetentionKind.CONCERN))
    n = _anonymise_concerns(claimable, tally.now)
    if not n:
        return
    tally.add(rule, Concern, DestructionAction.ANONYMISED, n)
    _clear_agenda_items(Q(concern_id=pk), rule, tally)
    _clear_hold_notes(RetentionKind.CONCERN, [pk])


def _anonymise_concerns(rows: QuerySet[Concern], now: datetime) -> int:
    """Clear every free text of these concerns (the claim: only rows not yet anonymised)."""
    return rows.filter(anonymised_at__isnull=True).update(
        anonymised_at=now,
        reported_name="",
        place="",
        description="",
        decision_note="",
        other_factor="",
        worksheet_coordinator="",
        worksheet_contact_person="",
        worksheet_first_action="",
    )


def _by_pk(prefix: str) -> Concat:
    """A value unique per row that names nobody (for columns in a unique constraint)."""
    return Concat(Value(prefix), Cast("pk", output_field=CharField()))


def _anonymise_police_rows(pks: list[int], now: datetime, held: RetentionKind | None) -> int:
    if not pks:
        return 0
    rows = PoliceReport.objects.filter(pk__in=pks, anonymised_at__isnull=True)
    if held is not None:
        rows = rows.exclude(_held(held))
    n = rows.update(
        anonymised_at=now,
        description="",
        routed_to_other="",
        police_reference=_by_pk(ANONYMISED_REFERENCE_PREFIX),
    )
    _clear_hold_notes(RetentionKind.POLICE_REPORT, pks)
    return n


def _delete_corrections(pks: list[int], now: datetime) -> int:
    """Issue 16: the corrections of the reports just anonymised (their original values hold the
    journal number and the offence as first imported, their reasons may name people)."""
    if not pks:
        return 0
    deleted, _per_model = ReportCorrection.objects.filter(
        report_id__in=pks, report__anonymised_at=now
    ).delete()
    return deleted


def _anonymise_absence_rows(pks: list[int], now: datetime) -> int:
    n = (
        AbsenceRecord.objects.filter(pk__in=pks, anonymised_at__isnull=True)
        .exclude(_held(RetentionKind.ABSENCE_RECORD))
        .update(
            anonymised_at=now,
            cpr_encrypted="",
            cpr_index=_by_pk(ANONYMISED_REFERENCE_PREFIX),
            birth_date=TruncYear("birth_date"),
            class_name="",
        )
    )
    _clear_hold_notes(RetentionKind.ABSENCE_RECORD, pks)
    return n


def _clear_agenda_items(which: Q, rule: RetentionRule, tally: _Tally) -> None:
    """Agenda items about the records: their texts may name the child (a closed item).
    Public items passed the personal-data check before publication and are left as
    published."""
    items = AgendaItem.objects.filter(which).exclude(visibility=Visibility.PUBLIC)
    item_pks = list(items.values_list("pk", flat=True))
    if not item_pks:
        return
    n = AgendaItem.objects.filter(pk__in=item_pks).update(
        title=ANONYMISED_ITEM_TITLE, description="", decision=""
    )
    tally.add(rule, AgendaItem, DestructionAction.ANONYMISED, n)
    n = MeetingTask.objects.filter(item_id__in=item_pks).update(description="")
    tally.add(rule, MeetingTask, DestructionAction.ANONYMISED, n)
    deleted, _per_model = Contribution.objects.filter(item_id__in=item_pks).delete()
    tally.add(rule, Contribution, DestructionAction.DELETED, deleted)
    attachments = Attachment.objects.filter(item_id__in=item_pks)
    names = [name for name in attachments.values_list("file", flat=True) if name]
    deleted, _per_model = attachments.delete()
    tally.add(rule, Attachment, DestructionAction.DELETED, deleted)
    # Files go once the rows are gone for good (a rolled-back run keeps them).
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _clear_hold_notes(kind: RetentionKind, pks: list[int]) -> None:
    """A lifted hold's note must not outlive the record it held."""
    if pks:
        RetentionHold.objects.filter(kind=kind, object_id__in=pks).update(note="")


@transaction.atomic
def _settle_young_person(pk: int, tally: _Tally) -> None:
    """A young person with nothing left: deleted, or anonymised where anonymised rows (cases,
    concerns, police rows) still point at them."""
    rule = RetentionRule.YOUNG_PERSON
    claimed = (
        YoungPerson.objects.filter(pk=pk, anonymised_at__isnull=True)
        .filter(~_live(Case), ~_live(Concern), ~_live(PoliceReport))
        .update(
            anonymised_at=tally.now,
            first_name=ANONYMOUS_FIRST_NAME,
            last_name="",
            cpr_encrypted="",
            cpr_index="",
            birth_date=TruncYear("birth_date"),
            class_name="",
        )
    )
    if not claimed:
        return
    Consent.objects.filter(custody_holder__young_person_id=pk).update(custody_holder=None)
    deleted, _per_model = CustodyHolder.objects.filter(young_person_id=pk).delete()
    tally.add(rule, CustodyHolder, DestructionAction.DELETED, deleted)
    deleted, _per_model = Correction.objects.filter(young_person_id=pk).delete()
    tally.add(rule, Correction, DestructionAction.DELETED, deleted)
    NetworkCouncil.objects.filter(young_person_id=pk).update(network="", late_reason="")
    try:
        with transaction.atomic():
            YoungPerson.objects.filter(pk=pk).delete()
    except (ProtectedError, RestrictedError):
        tally.add(rule, YoungPerson, DestructionAction.ANONYMISED, 1)
    else:
        tally.add(rule, YoungPerson, DestructionAction.DELETED, 1)


# --- What is due soon, and holds ----------------------------------------------------------


@dataclass(frozen=True)
class DueRecord:
    """One record the rules will delete or anonymise within the next days: kind and number
    only (the page names nobody)."""

    kind: RetentionKind
    object_id: int
    since: date
    due_on: date
    rule: RetentionRule
    hold: RetentionHold | None

    @property
    def rule_label(self) -> str:
        return str(self.rule.label)

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)


def upcoming(actor: Actor, *, now: datetime | None = None) -> list[DueRecord]:
    """What the actor's municipality's rules delete within `UPCOMING_DAYS` (or already should
    have), held records included and marked, earliest first; at most `UPCOMING_CAP` per
    kind."""
    access.enforce(can_manage_retention, actor)
    now = now or timezone.now()
    municipality = Municipality.objects.get(pk=municipality_of(actor))
    horizon = now + timedelta(days=UPCOMING_DAYS)
    cutoffs = Cutoffs.at(municipality, horizon)
    years = {rule: retention_years(municipality, rule) for rule in DEFAULT_YEARS}
    holds = {
        (hold.kind, hold.object_id): hold
        for hold in RetentionHold.objects.filter(municipality=municipality, lifted_at__isnull=True)
    }
    found: list[tuple[RetentionKind, int, date]] = []
    for case_pk, closed_at in cases_due(municipality.pk, cutoffs.case_closed).values_list(
        "pk", "closed_at"
    )[:UPCOMING_CAP]:
        if closed_at is not None:  # always set on a closed case
            found.append((RetentionKind.CASE, case_pk, timezone.localdate(closed_at)))
    concerns = (
        dropped_concerns(municipality.pk)
        .annotate(dropped_at=_dropped_at())
        .filter(dropped_at__lte=cutoffs.concern_dropped)
        .values_list("pk", "dropped_at")
    )
    for concern_pk, dropped_at in concerns[:UPCOMING_CAP]:
        found.append((RetentionKind.CONCERN, concern_pk, timezone.localdate(dropped_at)))
    reports = police_rows_due(municipality.pk, cutoffs.police_list)
    for report_pk, received_on in reports.values_list("pk", "received_on")[:UPCOMING_CAP]:
        found.append((RetentionKind.POLICE_REPORT, report_pk, received_on))
    absence = absence_rows_due(municipality.pk, cutoffs.absence)
    for record_pk, month in absence.values_list("pk", "month")[:UPCOMING_CAP]:
        found.append((RetentionKind.ABSENCE_RECORD, record_pk, month))
    records = [
        DueRecord(
            kind=kind,
            object_id=pk,
            since=since,
            due_on=shift_years(since, years[RULE_OF_KIND[kind]]),
            rule=RULE_OF_KIND[kind],
            hold=holds.get((kind.value, pk)),
        )
        for kind, pk, since in found
    ]
    return sorted(records, key=lambda r: (r.due_on, r.kind, r.object_id))


def active_holds(actor: Actor) -> QuerySet[RetentionHold]:
    return visible_holds(actor).filter(lifted_at__isnull=True).order_by("created_at", "pk")


def _record_exists(kind: RetentionKind, object_id: int, municipality_id: int) -> bool:
    model: type[models.Model] = {
        RetentionKind.CASE: Case,
        RetentionKind.CONCERN: Concern,
        RetentionKind.POLICE_REPORT: PoliceReport,
        RetentionKind.ABSENCE_RECORD: AbsenceRecord,
    }[kind]
    return model._default_manager.filter(
        pk=object_id, municipality_id=municipality_id, anonymised_at__isnull=True
    ).exists()


@transaction.atomic
def set_hold(
    *,
    actor_user: User,
    kind: RetentionKind,
    object_id: int,
    reason: HoldReason,
    note: str = "",
    form_token: uuid.UUID | None = None,
) -> RetentionHold:
    """Keep a record past its period (a complaint, an ongoing case): the daily run skips it
    until the hold is lifted. Holding a held record returns its hold; audited (no names)."""
    actor = access.get_actor(actor_user)
    if not can_manage_retention(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan sætte en sletning i bero."))
    municipality_id = municipality_of(actor)
    if form_token is not None:
        repeated = RetentionHold.objects.filter(form_token=form_token).first()
        if repeated is not None:
            return repeated
    if not _record_exists(kind, object_id, municipality_id):
        raise DomainError(_("Posten findes ikke længere eller er allerede anonymiseret."))
    # The note outlives the record it holds (the hold stays when the record goes): no names.
    check_free_of_personal_data(note, municipality_id=municipality_id)
    existing = RetentionHold.objects.filter(
        kind=kind, object_id=object_id, lifted_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            hold = RetentionHold.objects.create(
                municipality_id=municipality_id,
                kind=kind,
                object_id=object_id,
                reason=reason,
                note=note.strip(),
                created_by=actor_user,
                form_token=form_token,
            )
    except IntegrityError:
        # A concurrent hold (or the same form posted twice) got there first: that one holds it.
        winner = None
        if form_token is not None:
            winner = RetentionHold.objects.filter(form_token=form_token).first()
        if winner is None:
            winner = RetentionHold.objects.filter(
                kind=kind, object_id=object_id, lifted_at__isnull=True
            ).first()
        if winner is None:
            raise
        return winner
    record_event(
        actor=actor_user,
        action=AuditAction.RETENTION_HOLD_SET,
        obj=hold,
        municipality_id=municipality_id,
        data={"kind": kind.value, "object_id": object_id, "reason": reason.value},
    )
    return hold


@transaction.atomic
def lift_hold(*, actor_user: User, hold: RetentionHold) -> RetentionHold:
    """End a hold: the next daily run treats the record by the rules again. Idempotent;
    audited."""
    actor = access.get_actor(actor_user)
    if not can_manage_retention(actor) or hold.municipality_id != municipality_of(actor):
        raise DomainError(_("Kun SSP-medarbejdere i kommunen kan ophæve en sletning i bero."))
    lifted = RetentionHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor_user
    )
    hold.refresh_from_db()
    if lifted:
        record_event(
            actor=actor_user,
            action=AuditAction.RETENTION_HOLD_LIFTED,
            obj=hold,
            municipality_id=hold.municipality_id,
            data={"kind": hold.kind, "object_id": hold.object_id},
        )
    return hold


def destruction_register(actor: Actor, *, limit: int = 100) -> QuerySet[DestructionRecord]:
    """The latest lines of the register for the actor's municipality."""
    access.enforce(can_manage_retention, actor)
    return DestructionRecord.objects.filter(municipality_id=municipality_of(actor)).order_by(
        "-occurred_at", "rule", "kind"
    )[:limit]
