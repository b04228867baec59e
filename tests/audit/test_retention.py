"""Retention by rule (issue 10, part 3): `apply_retention` with the clock moved forward, the
destruction register, holds, unchanged annual figures, nothing identifying left, and the
coordinator's page."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit import retention
from ssp.audit.models import (
    AuditAction,
    AuditEvent,
    DestructionAction,
    DestructionRecord,
    HoldReason,
    RetentionHold,
    RetentionKind,
    RetentionRule,
)
from ssp.cases import services as case_services
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseEvent,
    Concern,
    ConcernSource,
    ConcernStatus,
    Consent,
    CustodyHolder,
    Disclosure,
    Task,
    YoungPerson,
)
from ssp.crypto import blind_index, decrypt
from ssp.errors import DomainError
from ssp.meetings.models import AgendaItem, Visibility
from ssp.organisation.models import Municipality
from ssp.police.models import AbsenceRecord, PoliceReport
from tests.demo_snapshot import ensure_demo
from tests.helpers_db import at_once

# Persons the rules process five years on (Freja's case is closed today; Mikkel's was closed
# six years ago). Names that staff members share (Lund, Dahl, ...) are checked as full names.
PROCESSED_NAMES = ("Freja", "Maja", "Freja Lund", "Maja Lund", "Mikkel", "Thorsager", "Susanne")
PROCESSED_CPRS = ("090511-4532", "150306-4118")
# Free text of Freja's case (Mikkel's texts name him, so the names find them).
PROCESSED_TEXTS = ("slåskampe", "Fast voksenkontakt i klubben")


def five_years_on() -> datetime:
    return retention.shift_years(timezone.now(), 5) + timedelta(days=1)


def case_of(first_name: str) -> Case:
    return Case.objects.get(young_person__first_name=first_name)


# --- The run ---------------------------------------------------------------------------------


def test_it_anonymises_a_case_past_retention_today_and_skips_the_held_one(
    demo: Municipality,
) -> None:
    mikkel, laura = case_of("Mikkel"), case_of("Laura")

    retention.apply_retention(now=timezone.now())

    mikkel.refresh_from_db()
    laura.refresh_from_db()
    assert mikkel.anonymised_at is not None
    assert mikkel.evaluation_what_worked == ""
    assert laura.anonymised_at is None
    assert laura.young_person.first_name == "Laura"
    assert case_of("Freja").anonymised_at is None  # closed today: four years and more to go


def test_five_years_on_it_anonymises_exactly_what_the_rules_say(demo: Municipality) -> None:
    open_before = set(Case.objects.filter(closed_at__isnull=True).values_list("pk", flat=True))
    live_concerns = set(
        Concern.objects.filter(case__isnull=True)
        .exclude(status=ConcernStatus.DROPPED)
        .values_list("pk", flat=True)
    )
    reports_in_cases = set(
        PoliceReport.objects.filter(concern__case__isnull=False).values_list("pk", flat=True)
    )
    freja, mikkel, laura = case_of("Freja"), case_of("Mikkel"), case_of("Laura")

    report = retention.apply_retention(now=five_years_on())

    anonymised_cases = set(
        Case.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised_cases == {freja.pk, mikkel.pk}  # closed, past five years, not held
    assert laura.pk not in anonymised_cases
    assert open_before.isdisjoint(anonymised_cases)
    assert set(
        Concern.objects.filter(anonymised_at__isnull=False).values_list("case_id", flat=True)
    ) == {freja.pk, mikkel.pk}
    assert not Concern.objects.filter(pk__in=live_concerns, anonymised_at__isnull=False).exists()
    # Police-list rows never turned into a case: past one year, so anonymised.
    loose_reports = PoliceReport.objects.exclude(pk__in=reports_in_cases)
    assert loose_reports.exists()
    assert not loose_reports.filter(anonymised_at__isnull=True).exists()
    # Absence rows of children without a live case: past one year.
    assert (
        not AbsenceRecord.objects.filter(anonymised_at__isnull=True)
        .exclude(
            cpr_index__in=Case.objects.filter(anonymised_at__isnull=True).values(
                "young_person__cpr_index"
            )
        )
        .exists()
    )
    # Young people: those with nothing left are anonymised; the others keep their names.
    for first_name in ("Freja", "Mikkel"):
        assert not YoungPerson.objects.filter(first_name=first_name).exists()
    for first_name in ("Ali", "Noah", "Laura", "Emil", "Sara"):
        assert YoungPerson.objects.get(first_name=first_name).anonymised_at is None
    assert not CaseEvent.objects.filter(case__in=[freja, mikkel]).exists()
    assert CaseEvent.objects.filter(case=laura).exists()
    assert sum(report.counts[demo.pk].values()) == report.total() > 0


def test_it_writes_the_destruction_register_with_counts_and_no_names(demo: Municipality) -> None:
    report = retention.apply_retention(now=five_years_on())

    lines = DestructionRecord.objects.filter(run_id=report.run_id, municipality=demo)
    by_key = {(line.rule, line.kind, line.action): line.count for line in lines}
    assert by_key[(RetentionRule.CASE_CLOSED, "cases.case", DestructionAction.ANONYMISED)] == 2
    assert by_key[(RetentionRule.CASE_CLOSED, "cases.concern", DestructionAction.ANONYMISED)] == 2
    assert by_key[(RetentionRule.CASE_CLOSED, "cases.caseevent", DestructionAction.DELETED)] > 0
    # Freja and Mikkel, and the young people known only from police-list rows.
    people = YoungPerson.objects.filter(anonymised_at__isnull=False).count()
    assert people >= 2
    assert (
        by_key[(RetentionRule.YOUNG_PERSON, "cases.youngperson", DestructionAction.ANONYMISED)]
        == people
    )
    assert by_key[(RetentionRule.YOUNG_PERSON, "cases.custodyholder", DestructionAction.DELETED)]
    assert by_key[(RetentionRule.POLICE_LIST, "police.policereport", DestructionAction.ANONYMISED)]
    assert sum(by_key.values()) == report.total()
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_APPLIED)
    assert event.municipality_id == demo.pk
    assert event.object_id == str(report.run_id)
    assert not _identifying_in(str(event.data))


def test_it_is_safe_to_run_twice(demo: Municipality) -> None:
    now = five_years_on()
    first = retention.apply_retention(now=now)
    second = retention.apply_retention(now=now)

    assert first.total() > 0
    assert second.total() == 0
    assert not DestructionRecord.objects.filter(run_id=second.run_id).exists()
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_APPLIED).count() == 1


def test_it_respects_a_hold_and_goes_on_when_it_is_lifted(
    demo: Municipality, users: dict[str, User]
) -> None:
    freja = case_of("Freja")
    hold = retention.set_hold(
        actor_user=users["koordinator"],
        kind=RetentionKind.CASE,
        object_id=freja.pk,
        reason=HoldReason.ONGOING_CASE,
    )
    retention.apply_retention(now=five_years_on())
    freja.refresh_from_db()
    assert freja.anonymised_at is None
    assert freja.young_person.first_name == "Freja"

    retention.lift_hold(actor_user=users["koordinator"], hold=hold)
    retention.apply_retention(now=five_years_on())
    freja.refresh_from_db()
    assert freja.anonymised_at is not None


def test_it_anonymises_a_dropped_concern_after_a_year_not_before(
    demo: Municipality, users: dict[str, User]
) -> None:
    sara = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    case_services.drop_concern(
        actor_user=users["koordinator"], concern=sara, note="Sara går nu til fodbold."
    )
    now = timezone.now()

    retention.apply_retention(now=now + timedelta(days=360))
    sara.refresh_from_db()
    assert sara.anonymised_at is None

    retention.apply_retention(now=retention.shift_years(now, 1) + timedelta(minutes=1))
    sara.refresh_from_db()
    assert sara.anonymised_at is not None
    assert sara.description == sara.decision_note == ""
    assert sara.level  # kept for the figures


def test_the_periods_are_the_municipality_s_rules(demo: Municipality) -> None:
    demo.rules = {**demo.rules, "retention_years_after_close": 20}
    demo.save(update_fields=["rules"])

    retention.apply_retention(now=five_years_on())

    assert not Case.objects.filter(anonymised_at__isnull=False).exists()  # Mikkel's: 11 < 20


def test_it_skips_a_municipality_whose_rule_is_broken(demo: Municipality) -> None:
    demo.rules = {**demo.rules, "retention_years_police_list": 0}
    demo.save(update_fields=["rules"])

    report = retention.apply_retention(now=five_years_on())

    assert report.errors
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()


def test_the_command_runs_the_rules(demo: Municipality, capsys: Any) -> None:
    mikkel = case_of("Mikkel")

    call_command("apply_retention")

    mikkel.refresh_from_db()
    assert mikkel.anonymised_at is not None
    assert "row(s) changed" in capsys.readouterr().out


# --- Figures and what is left ----------------------------------------------------------------


def annual_counts() -> dict[str, Counter[Any]]:
    """The figures of the annual report (issue 13): concerns and cases per year, level,
    outcome, source; police rows per year and offence; absence rows per month."""
    return {
        "concerns": Counter(
            (c.raised_at.year, c.level, c.source, c.subject, c.status)
            for c in Concern.objects.all()
        ),
        "cases": Counter(
            (c.opened_at.year, c.level, c.status, c.evaluation_outcome, c.forum_id)
            for c in Case.objects.all()
        ),
        "police": Counter(
            (r.received_on.year, r.offence_id, r.status) for r in PoliceReport.objects.all()
        ),
        "absence": Counter((a.month, a.school_id) for a in AbsenceRecord.objects.all()),
        "agreements": Counter(a.created_at.year for a in ActionAgreement.objects.all()),
        "tasks": Counter(t.due_date.year for t in Task.objects.all()),
        "consents": Counter(c.given_on.year for c in Consent.objects.all()),
        "disclosures": Counter(
            (d.disclosed_on.year, d.legal_basis_id) for d in Disclosure.objects.all()
        ),
    }


def test_the_annual_counts_of_the_deleted_years_do_not_change(demo: Municipality) -> None:
    before = annual_counts()

    report = retention.apply_retention(now=five_years_on())

    assert report.total() > 0
    assert annual_counts() == before


def _identifying_in(text: str) -> list[str]:
    found = [name for name in PROCESSED_NAMES if re.search(rf"\b{re.escape(name)}\b", text)]
    for cpr in PROCESSED_CPRS:
        digits = cpr.replace("-", "")
        found += [value for value in (cpr, digits, blind_index(digits)) if value in text]
    found += [phrase for phrase in PROCESSED_TEXTS if phrase in text]
    return found


def _texts_of(model: type[models.Model]) -> list[tuple[str, Any, str]]:
    """(field, pk, text) for every text value of every row, encrypted values decrypted."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]
    texts = []
    for row in model._base_manager.order_by().values_list("pk", *(f.attname for f in fields)):
        for field, value in zip(fields, row[1:], strict=True):
            if not value:
                continue
            text = str(value)
            if field.name.endswith("_encrypted"):
                text = decrypt(text)
            texts.append((field.name, row[0], text))
    return texts


def test_nothing_identifying_is_left_in_any_table(demo: Municipality) -> None:
    """Every table of every app (foreign keys to young people, cases and concerns, and copied
    text: agenda items, case events, the audit trail, corrections, holds) is walked."""
    assert _identifying_in(str(_texts_of(YoungPerson)))  # the check finds them before

    retention.apply_retention(now=five_years_on())

    left = [
        f"{model._meta.label_lower}:{pk}.{field}: {_identifying_in(text)}"
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        for field, pk, text in _texts_of(model)
        if _identifying_in(text)
    ]
    assert left == []


def test_anonymised_people_keep_no_cpr_and_no_custody_holders(demo: Municipality) -> None:
    processed = {case_of("Freja").young_person_id, case_of("Mikkel").young_person_id}

    retention.apply_retention(now=five_years_on())

    people = YoungPerson.objects.filter(anonymised_at__isnull=False)
    assert processed <= set(people.values_list("pk", flat=True))
    for person in people:
        assert (person.cpr_encrypted, person.cpr_index, person.class_name) == ("", "", "")
        assert person.birth_date is not None
        assert person.birth_date.month == person.birth_date.day == 1
        assert not CustodyHolder.objects.filter(young_person=person).exists()
    for record in AbsenceRecord.objects.filter(anonymised_at__isnull=False):
        assert record.cpr_encrypted == ""
        assert record.cpr_index.startswith(retention.ANONYMISED_REFERENCE_PREFIX)


def test_closed_agenda_items_about_the_case_lose_their_text(
    demo: Municipality, users: dict[str, User]
) -> None:
    freja = case_of("Freja")
    meeting = AgendaItem.objects.order_by("pk").first()
    assert meeting is not None
    item = AgendaItem.objects.create(
        meeting=meeting.meeting,
        position=99,
        title="Freja Lund: opfølgning",
        description="Freja har det bedre.",
        decision="Sagen afsluttes.",
        visibility=Visibility.CLOSED,
        case=freja,
    )

    retention.apply_retention(now=five_years_on())

    item.refresh_from_db()
    assert (item.title, item.description, item.decision) == (
        retention.ANONYMISED_ITEM_TITLE,
        "",
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_two_runs_in_parallel_process_each_record_once() -> None:
    ensure_demo()
    now = five_years_on()
    reports: list[retention.RunReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(retention.apply_retention(now=now))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    at_once(run, run)

    assert errors == []
    cases = sum(
        counter[(RetentionRule.CASE_CLOSED.value, "cases.case", DestructionAction.ANONYMISED)]
        for report in reports
        for counter in report.counts.values()
    )
    assert cases == 2
    register = DestructionRecord.objects.filter(
        rule=RetentionRule.CASE_CLOSED, kind="cases.case"
    ).aggregate(total=models.Sum("count"))
    assert register["total"] == 2


# --- The coordinator's page ------------------------------------------------------------------


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_what_goes_in_the_next_30_days_by_number_and_no_name(
    demo: Municipality, users: dict[str, User]
) -> None:
    response = login(users["koordinator"]).get(reverse("audit:retention"))

    assert response.status_code == 200
    page = response.content.decode()
    mikkel, laura = case_of("Mikkel"), case_of("Laura")
    assert f'data-kind="case" data-id="{mikkel.pk}"' in page
    assert f'data-kind="case" data-id="{laura.pk}"' in page
    assert 'data-testid="held"' in page
    assert "Mikkel" not in page and "Thorsager" not in page and "Laura" not in page
    assert f'data-id="{case_of("Freja").pk}"' not in page  # five years to go


def test_it_lists_what_the_rules_reach_with_the_clock_moved(
    demo: Municipality, users: dict[str, User]
) -> None:
    from ssp.access import get_actor

    actor = get_actor(users["koordinator"])
    soon = retention.shift_years(timezone.now(), 5) - timedelta(days=10)

    records = retention.upcoming(actor, now=soon)

    freja = case_of("Freja")
    assert [r for r in records if r.kind == RetentionKind.CASE and r.object_id == freja.pk]
    assert records == sorted(records, key=lambda r: (r.due_on, r.kind, r.object_id))


@pytest.mark.parametrize("role", ["laerer", "socialraadgiver", "politi", "politiker", "admin"])
def test_it_refuses_the_page_to_everyone_but_ssp_staff(
    role: str, demo: Municipality, users: dict[str, User]
) -> None:
    response = login(users[role]).get(reverse("audit:retention"))

    assert response.status_code in {403, 404}


def test_it_sets_a_hold_once_and_audits_it_without_the_note(
    demo: Municipality, users: dict[str, User]
) -> None:
    mikkel = case_of("Mikkel")
    client = login(users["koordinator"])
    body = {
        "kind": "case",
        "object_id": mikkel.pk,
        "reason": HoldReason.COMPLAINT,
        "note": "Klage fra moderen Susanne",
        "form_token": str(uuid.uuid4()),
    }

    first = client.post(reverse("audit:retention_hold"), body)
    again = client.post(reverse("audit:retention_hold"), body)

    assert first.status_code == again.status_code == 302
    holds = RetentionHold.objects.filter(kind="case", object_id=mikkel.pk)
    assert holds.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_HOLD_SET, object_id=holds[0].pk)
    assert "Susanne" not in str(event.data) + event.object_repr
    retention.apply_retention(now=timezone.now())
    assert case_of("Mikkel").anonymised_at is None


def test_a_refused_hold_keeps_the_user_on_the_page(
    demo: Municipality, users: dict[str, User]
) -> None:
    response = login(users["koordinator"]).post(
        reverse("audit:retention_hold"),
        {"kind": "case", "object_id": 999_999, "reason": HoldReason.COMPLAINT, "note": ""},
    )

    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not RetentionHold.objects.filter(object_id=999_999).exists()


def test_it_lifts_a_hold_and_audits_it(demo: Municipality, users: dict[str, User]) -> None:
    laura = case_of("Laura")
    hold = RetentionHold.objects.get(kind="case", object_id=laura.pk)

    response = login(users["koordinator"]).post(reverse("audit:retention_lift", args=[hold.pk]))

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.RETENTION_HOLD_LIFTED, object_id=str(hold.pk)
    ).exists()
    retention.apply_retention(now=timezone.now())
    laura.refresh_from_db()
    assert laura.anonymised_at is not None
    hold.refresh_from_db()
    assert hold.note == ""  # the note does not outlive the record it held


def test_a_hold_note_naming_someone_is_refused(demo: Municipality, users: dict[str, User]) -> None:
    """The note outlives the record it holds: no CPR-like number, e-mail, phone or name."""
    freja = case_of("Freja")
    with pytest.raises(DomainError, match="personoplysninger"):
        retention.set_hold(
            actor_user=users["koordinator"],
            kind=RetentionKind.CASE,
            object_id=freja.pk,
            reason=HoldReason.COMPLAINT,
            note="Klage fra mor, tlf. 12345678",
        )
    assert not RetentionHold.objects.filter(object_id=freja.pk).exists()


def test_level_change_reasons_and_report_corrections_go_with_their_records(
    demo: Municipality,
) -> None:
    """Issue 16: a level change's reason and a police report's corrections (the original values,
    the reason) are personal data: they leave with the case and the report."""
    from ssp.cases.models import Level, LevelChange
    from ssp.police.models import CorrectionKind, ReportCorrection

    freja = case_of("Freja")
    coordinator = User.objects.get(username="koordinator")
    LevelChange.objects.create(
        case=freja,
        from_level=Level.YELLOW,
        to_level=Level.RED,
        reason="Freja Lund ses med ældre kriminelle",
        changed_by=coordinator,
    )
    laura_change = LevelChange.objects.create(
        case=case_of("Laura"),
        from_level=Level.YELLOW,
        to_level=Level.GREEN,
        reason="Bedre trivsel",
        changed_by=coordinator,
    )
    reports_in_cases = PoliceReport.objects.filter(concern__case__isnull=False)
    loose = PoliceReport.objects.exclude(pk__in=reports_in_cases.values("pk")).first()
    assert loose is not None
    ReportCorrection.objects.create(
        report=loose,
        kind=CorrectionKind.CORRECTED,
        reason="Forkert forhold på listen",
        original='{"police_reference": "0900-12345-00001-26"}',
        corrected_by=coordinator,
    )

    report = retention.apply_retention(now=five_years_on())

    assert LevelChange.objects.get(case=freja).reason == ""
    assert LevelChange.objects.get(case=freja).to_level == Level.RED  # the levels stay
    assert LevelChange.objects.get(pk=laura_change.pk).reason == "Bedre trivsel"  # open case
    assert not ReportCorrection.objects.filter(report=loose).exists()
    counted = {
        (model, action): n
        for (rule, model, action), n in report.counts[demo.pk].items()
        if model in {"cases.levelchange", "police.reportcorrection"}
    }
    assert counted == {
        ("cases.levelchange", DestructionAction.ANONYMISED.value): 1,
        ("police.reportcorrection", DestructionAction.DELETED.value): 1,
    }
