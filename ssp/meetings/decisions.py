"""Decisions by number (issue 14): "STY 2026-14" is referable from cases, plans and reports as
text; `find` turns such a number back into the item, for those who may see it."""

from __future__ import annotations

import re

from django.http import Http404

from ssp.access import Actor
from ssp.meetings import access as meeting_access
from ssp.meetings.models import AgendaItem

# "STY 2026-14": a prefix of letters, the year, the running number.
NUMBER = re.compile(r"^\s*([A-ZÆØÅ]{1,10})\s*(\d{4})\s*-\s*(\d{1,6})\s*$", re.IGNORECASE)


def normalise(number: str) -> str | None:
    """The number as it is stored ("sty 2026 - 14" -> "STY 2026-14"); None when it is none."""
    match = NUMBER.match(number or "")
    if match is None:
        return None
    prefix, year, running = match.groups()
    return f"{prefix.upper()} {year}-{int(running)}"


def find(actor: Actor, number: str) -> AgendaItem:
    """The decision with this number among the meetings the actor may see, whose content she
    may see (a closed item's number answers as if it did not exist), else 404."""
    wanted = normalise(number)
    if wanted is None:
        raise Http404
    for item in AgendaItem.objects.filter(
        decision_number=wanted, meeting__in=meeting_access.visible_meetings(actor)
    ).select_related("meeting__forum"):
        if meeting_access.sees_item(actor, item, meeting_access.mode_for(actor, item.meeting)):
            return item
    raise Http404
