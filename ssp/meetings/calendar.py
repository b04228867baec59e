"""iCalendar feeds so meetings appear in Outlook. A feed holds times, titles and places only:
never agenda items, so a closed item cannot leak through a calendar. The same events go as .ics
attachments with the e-mailed notices (`meeting_ics`, issue 14)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core import signing
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from ssp.meetings.models import Meeting, MeetingStatus

SALT = "ssp.meetings.calendar"
VERSION_LENGTH = 16
FEED_MEETINGS_MAX = 500


def _version(user: User) -> str:
    """Changes with the password, so a new password also gives a new calendar address."""
    return salted_hmac(SALT, user.password).hexdigest()[:VERSION_LENGTH]


def feed_token(user: User) -> str:
    """A signed token naming the user (it reveals nothing of the password)."""
    return signing.dumps({"u": user.pk, "v": _version(user)}, salt=SALT, compress=True)


def user_for_token(token: str) -> User:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise Http404 from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(_version(user), str(data.get("v", ""))):
        raise Http404
    return user


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//SSP-platformen//DA")
    cal.add("version", "2.0")
    return cal


def uid(meeting: Meeting) -> str:
    """The event's UID, the same for the meeting's whole life: a calendar that has the event
    replaces it when a notice or the feed brings a higher SEQUENCE."""
    return f"meeting-{meeting.pk}@ssp"


def _event(meeting: Meeting, url: str) -> Event:
    """One meeting as an event: times, title and place, never agenda items. Moves and changes
    raise SEQUENCE (`Meeting.sequence`); a cancelled meeting is STATUS:CANCELLED."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.display_title)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", url)
    return event


def feed(request: HttpRequest, meetings: QuerySet[Meeting], *, name: str) -> bytes:
    cal = _calendar()
    cal.add("x-wr-calname", name)
    for meeting in meetings[:FEED_MEETINGS_MAX]:
        url = request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk]))
        cal.add_component(_event(meeting, url))
    ical: bytes = cal.to_ical()
    return ical


def meeting_ics(meeting: Meeting, *, url: str) -> bytes:
    """The .ics attached to an invitation or a notice (RFC 5546): METHOD:REQUEST, or
    METHOD:CANCEL for a cancelled meeting, with the meeting's stable UID and SEQUENCE."""
    cal = _calendar()
    cancelled = meeting.status == MeetingStatus.CANCELLED
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    cal.add_component(_event(meeting, url))
    ical: bytes = cal.to_ical()
    return ical
