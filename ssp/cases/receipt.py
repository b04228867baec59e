"""What a concern's receipt tells the reporter about the next step (issue 15): a meeting only
when one is planned for the concern (the concern stands on a planned meeting's agenda), and
"the coordinator has been told" only when the receiving forum has a coordinator or chair to
receive it (they find it on their list of new concerns; SSP staff see every concern)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ssp.cases.models import Concern

# The meetings app's `MeetingStatus.PLANNED`; cases sits below meetings and does not import it.
PLANNED = "planned"


@dataclass(frozen=True)
class PlannedMeeting:
    """The meeting a concern is on the agenda of: its forum, title and start."""

    forum: str
    title: str
    starts_at: datetime


def planned_meeting(concern: Concern) -> PlannedMeeting | None:
    """The first planned meeting still ahead whose agenda holds the concern, or None."""
    item = (
        concern.agenda_items.filter(meeting__status=PLANNED, meeting__starts_at__gte=timezone.now())
        .select_related("meeting__forum")
        .order_by("meeting__starts_at", "pk")
        .first()
    )
    if item is None:
        return None
    meeting = item.meeting
    return PlannedMeeting(
        forum=meeting.forum.name, title=meeting.title, starts_at=meeting.starts_at
    )
