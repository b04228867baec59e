"""iCalendar feeds so meetings appear in Outlook. A feed holds times, titles and places only:
never agenda items, so a closed item cannot leak through a calendar."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core import signing
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from ssp.meetings.models import Meeting

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


def feed(request: HttpRequest, meetings: QuerySet[Meeting], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//SSP-platformen//DA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for meeting in meetings[:FEED_MEETINGS_MAX]:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@ssp")
        event.add("summary", meeting.display_title)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        if meeting.location:
            event.add("location", meeting.location)
        event.add("url", request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk])))
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
