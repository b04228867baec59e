"""Issue 16: the weekly review of the police's reports is a closed item on the SSP team's
meeting on the municipality's review weekday; a report routed there is presented on the
meeting's date (the family-contact deadline runs from it; the council deadline from receipt)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from ssp import access
from ssp.meetings import police_review
from ssp.meetings import services as meeting_services
from ssp.meetings.models import ItemKind, Meeting, MeetingKind, MeetingStatus, Visibility
from ssp.organisation.models import Forum, ForumType, Member, Municipality
from ssp.police import deadlines, services
from ssp.police.models import Deadline, DeadlineKind, PoliceReport, ReportStatus, Routing

pytestmark = pytest.mark.django_db

WEDNESDAY = 2


def ssp_team(demo: Municipality) -> Forum:
    return Forum.objects.get(municipality=demo, forum_type=ForumType.SSP_TEAM)


def on_weekday(weekday: int, *, after: date, hour: int = 9) -> datetime:
    day = after + timedelta(days=(weekday - after.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def meeting_at(forum: Forum, starts: datetime, **fields: Any) -> Meeting:
    return Meeting.objects.create(
        forum=forum, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields
    )


def set_weekday(demo: Municipality, weekday: int | None) -> None:
    demo.rules = {**(demo.rules or {}), "police_review_weekday": weekday}
    demo.save(update_fields=["rules"])


def test_the_review_item_is_added_once_on_the_review_weekday(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_weekday(demo, WEDNESDAY)
    future = timezone.localdate() + timedelta(days=8)
    meeting = meeting_at(ssp_team(demo), on_weekday(WEDNESDAY, after=future))
    waiting = PoliceReport.objects.filter(municipality=demo, status=ReportStatus.WAITING).count()
    assert police_review.add_review_item(meeting) == 1
    assert police_review.add_review_item(meeting) == 0
    meeting_services.prepare_agenda(actor_user=users["koordinator"], meeting=meeting)
    item = meeting.items.get(kind=ItemKind.POLICE_REVIEW)
    assert meeting.items.filter(kind=ItemKind.POLICE_REVIEW).count() == 1
    assert item.visibility == Visibility.CLOSED
    assert item.title == "Ugentlig gennemgang af politiets anmeldelser"
    assert str(waiting) in item.description
    for name in PoliceReport.objects.filter(municipality=demo).values_list(
        "young_person__first_name", flat=True
    ):
        assert name not in item.description


@pytest.mark.parametrize("case", ["other weekday", "other forum", "no weekday", "acute"])
def test_no_review_item_elsewhere(demo: Municipality, case: str) -> None:
    set_weekday(demo, None if case == "no weekday" else WEDNESDAY)
    future = timezone.localdate() + timedelta(days=8)
    weekday = WEDNESDAY + 1 if case == "other weekday" else WEDNESDAY
    forum = (
        Forum.objects.filter(municipality=demo)
        .exclude(forum_type=ForumType.SSP_TEAM)
        .order_by("pk")
        .first()
        if case == "other forum"
        else ssp_team(demo)
    )
    assert forum is not None
    kind = MeetingKind.ACUTE if case == "acute" else MeetingKind.REGULAR
    meeting = meeting_at(forum, on_weekday(weekday, after=future), kind=kind)
    assert police_review.add_review_item(meeting) == 0
    assert not meeting.items.filter(kind=ItemKind.POLICE_REVIEW).exists()


def test_the_daily_job_adds_it_to_the_next_meeting(demo: Municipality) -> None:
    set_weekday(demo, WEDNESDAY)
    forum = ssp_team(demo)
    Meeting.objects.filter(forum=forum, status=MeetingStatus.PLANNED).delete()
    meeting = meeting_at(forum, on_weekday(WEDNESDAY, after=timezone.localdate() + timedelta(1)))
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    assert meeting.items.filter(kind=ItemKind.POLICE_REVIEW).count() == 1


def test_the_panel_links_reviewers_to_the_review(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_weekday(demo, WEDNESDAY)
    meeting = meeting_at(
        ssp_team(demo), on_weekday(WEDNESDAY, after=timezone.localdate() + timedelta(days=8))
    )
    police_review.add_review_item(meeting)
    reviewer = police_review.panel_content(access.get_actor(users["koordinator"]), meeting)
    assert reviewer.more_url == "/politi/"
    assert "venter" in reviewer.empty_text
    other = police_review.panel_content(access.get_actor(users["politi"]), meeting)
    assert other.more_url == "" and "venter" not in other.empty_text


def _route(user: User, report: PoliceReport) -> PoliceReport:
    social = Member.objects.get(user__username="socialraadgiver")
    return services.route_report(
        actor_user=user,
        report=report,
        data=services.RoutingData(
            routing=Routing.SOCIAL_WORKER, home_contact=social, member=social
        ),
    )


def test_a_report_routed_after_the_review_meeting_is_presented_on_its_date(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_weekday(demo, WEDNESDAY)
    report = PoliceReport.objects.get(police_reference__contains="00104")
    council = Deadline.objects.get(report=report, kind=DeadlineKind.NETWORK_COUNCIL)
    council_due = council.due_on
    today = timezone.localdate()
    # The SSP team's review meeting two days ago (after the report came).
    review_day = today - timedelta(days=2)
    assert review_day >= report.received_on
    starts = timezone.make_aware(datetime.combine(review_day, time(9)))
    meeting = meeting_at(ssp_team(demo), starts, status=MeetingStatus.HELD)
    meeting.items.create(
        position=1,
        title="Ugentlig gennemgang af politiets anmeldelser",
        kind=ItemKind.POLICE_REVIEW,
        visibility=Visibility.CLOSED,
    )
    routed = _route(users["koordinator"], report)
    assert routed.presented_on == review_day
    family = Deadline.objects.get(report=report, kind=DeadlineKind.FAMILY_MEETING)
    assert family.starts_on == review_day
    assert family.due_on == deadlines.due_date(review_day, 7)
    council.refresh_from_db()
    assert council.starts_on == report.received_on and council.due_on == council_due


def test_without_a_review_meeting_the_report_is_presented_today(
    demo: Municipality, users: dict[str, User]
) -> None:
    report = PoliceReport.objects.get(police_reference__contains="00103")
    # A review meeting before the report came does not count.
    before = timezone.make_aware(datetime.combine(report.received_on - timedelta(days=1), time(9)))
    meeting = meeting_at(ssp_team(demo), before, status=MeetingStatus.HELD)
    meeting.items.create(
        position=1, title="Gennemgang", kind=ItemKind.POLICE_REVIEW, visibility=Visibility.CLOSED
    )
    routed = _route(users["koordinator"], report)
    assert routed.presented_on == timezone.localdate()


def test_the_agenda_shows_the_closed_item_with_its_panel_to_the_team(
    demo: Municipality, client_for: Any
) -> None:
    set_weekday(demo, WEDNESDAY)
    meeting = meeting_at(
        ssp_team(demo), on_weekday(WEDNESDAY, after=timezone.localdate() + timedelta(days=8))
    )
    police_review.add_review_item(meeting)
    page = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Ugentlig gennemgang af politiets anmeldelser" in page
    assert 'href="/politi/"' in page and "Åbn den ugentlige gennemgang" in page
