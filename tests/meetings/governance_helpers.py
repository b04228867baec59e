"""Shared set-up of the issue 14 tests (helper P): the Faxe steering group of the demo
municipality and its members, and meetings that have started."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from ssp.meetings import services
from ssp.meetings.models import AgendaItem, Meeting, MeetingKind, Visibility
from ssp.organisation.models import Forum, Member


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def member(name: str) -> Member:
    return Member.objects.get(municipality__slug="aadal", name=name)


def started_today() -> datetime:
    """An hour ago, or local midnight if that was yesterday."""
    now = timezone.localtime()
    return max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))


def steering_meeting(
    users: dict[str, User], *, starts_at: datetime | None = None, title: str = "Fokusområder"
) -> tuple[Meeting, AgendaItem]:
    """A steering-group meeting that started an hour ago (at local midnight in the first hour
    of a day: the meeting's day is today, whose memberships sign and vote), with one public
    item."""
    meeting = services.create_meeting(
        actor_user=users["koordinator"],
        forum=forum("styregruppe"),
        kind=MeetingKind.EXTRA,
        starts_at=starts_at or started_today(),
    )
    item = services.add_item(
        actor_user=users["koordinator"],
        meeting=meeting,
        title=title,
        visibility=Visibility.PUBLIC,
    )
    return meeting, item
