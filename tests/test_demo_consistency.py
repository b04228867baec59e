"""Issue 15: the demo's dates tell a story that could have happened. An offence comes before the
police report is received, the report before its review, the review before the deadline it
starts, a deadline starts before it is due and is met between its start and today; a council
is held after its deadline started; meetings end after they start, their minutes are approved,
signed and published after them; concerns come before the cases they open, a case's consents
and disclosures come after its first concern, and a disclosure on a consent basis after the
consent. Every row the demo seeds is checked (a network council's deadline once lay before its
offence on /frister/)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db.models import Min
from django.utils import timezone

from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseEvent,
    Concern,
    Consent,
    Disclosure,
    Task,
)
from ssp.meetings.models import AgendaItem, Meeting, MeetingStatus, Signature
from ssp.organisation.models import Municipality
from ssp.police.models import Deadline, HotSpot, NetworkCouncil, PoliceReport

pytestmark = pytest.mark.django_db


def day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def test_police_reports_deadlines_and_councils_are_in_order(demo: Municipality) -> None:
    today = timezone.localdate()
    reports = list(PoliceReport.objects.all())
    assert reports
    for report in reports:
        offence = day(report.incident_at)
        assert offence <= report.received_on <= today, report.pk
        if report.presented_on is not None:
            assert report.received_on <= report.presented_on <= today, report.pk
    deadlines = list(Deadline.objects.select_related("report"))
    assert any(d.report is not None for d in deadlines)
    for deadline in deadlines:
        assert deadline.starts_on < deadline.due_on, deadline.pk
        if deadline.report is not None:
            assert day(deadline.report.incident_at) <= deadline.starts_on, deadline.pk
            assert deadline.report.received_on <= deadline.starts_on, deadline.pk
        if deadline.met_on is not None:
            assert deadline.starts_on <= deadline.met_on <= today, deadline.pk
    councils = list(NetworkCouncil.objects.select_related("deadline", "report"))
    assert councils
    for council in councils:
        meeting_day = day(council.meeting_at)
        if council.deadline is not None:
            assert council.deadline.starts_on <= meeting_day, council.pk
        if council.report is not None:
            assert day(council.report.incident_at) <= meeting_day, council.pk
        if council.held_on is not None:
            assert meeting_day <= council.held_on <= today, council.pk
            if council.revised_on is not None:
                assert council.held_on <= council.revised_on, council.pk
    for spot in HotSpot.objects.all():
        assert spot.period_start <= today, spot.pk
        if spot.period_end is not None:
            assert spot.period_start <= spot.period_end, spot.pk


def test_meetings_and_minutes_are_in_order(demo: Municipality) -> None:
    now = timezone.now()
    meetings = list(Meeting.objects.all())
    assert any(m.status == MeetingStatus.HELD for m in meetings)
    for meeting in meetings:
        assert meeting.starts_at < meeting.ends_at, meeting.pk
        if meeting.status == MeetingStatus.HELD:
            assert meeting.starts_at <= now, meeting.pk
        for stamp in (meeting.approved_at, meeting.published_at):
            if stamp is not None:
                assert meeting.starts_at <= stamp <= now, meeting.pk
    for signature in Signature.objects.select_related("meeting"):
        assert signature.meeting.starts_at <= signature.signed_at, signature.pk
    for item in AgendaItem.objects.filter(concern__isnull=False).select_related(
        "meeting", "concern"
    ):
        assert item.concern is not None
        if item.meeting.status == MeetingStatus.HELD:
            assert item.concern.raised_at <= item.meeting.starts_at, item.pk


def test_concerns_come_before_cases_and_consents_before_disclosures(
    demo: Municipality,
) -> None:
    now = timezone.now()
    cases = list(Case.objects.annotate(first_concern=Min("concerns__raised_at")))
    assert cases
    first_concern: dict[int, datetime] = {}
    for case in cases:
        assert case.first_concern is not None, case.pk  # every case came from a concern
        first_concern[case.pk] = case.first_concern
        assert case.first_concern <= case.opened_at <= now, case.pk
        if case.closed_at is not None:
            assert case.opened_at <= case.closed_at <= now, case.pk
    for concern in Concern.objects.filter(case__isnull=False).select_related("case"):
        assert concern.case is not None
        assert concern.raised_at <= concern.case.opened_at, concern.pk
    for event in CaseEvent.objects.select_related("case"):
        assert event.case.opened_at <= event.at, event.pk
    for agreement in ActionAgreement.objects.select_related("case"):
        assert agreement.case.opened_at <= agreement.created_at, agreement.pk
    for task in Task.objects.select_related("case"):
        assert day(task.case.opened_at) <= task.due_date, task.pk
    consents = list(Consent.objects.all())
    assert consents
    for consent in consents:
        assert day(first_concern[consent.case_id]) <= consent.given_on, consent.pk
        assert consent.given_on <= day(consent.recorded_at), consent.pk
        if consent.withdrawn_on is not None:
            assert consent.given_on <= consent.withdrawn_on, consent.pk
    disclosures = list(Disclosure.objects.select_related("legal_basis"))
    assert disclosures
    for disclosure in disclosures:
        assert day(first_concern[disclosure.case_id]) <= disclosure.disclosed_on, disclosure.pk
        assert disclosure.disclosed_on <= day(disclosure.recorded_at), disclosure.pk
        if disclosure.legal_basis.is_consent:
            assert any(
                c.case_id == disclosure.case_id
                and not c.refused
                and c.given_on <= disclosure.disclosed_on
                for c in consents
            ), disclosure.pk
