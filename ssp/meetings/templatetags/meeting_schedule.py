"""`{% schedule_panel meeting as schedule %}`: what the meeting page's schedule box shows this
reader (issue 14). The access module decides; the box renders booleans and the notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from ssp.http import actor_of
from ssp.meetings import access as meeting_access
from ssp.meetings import notices, scheduling
from ssp.meetings.models import Meeting, MeetingStatus, Notice

register = template.Library()


@dataclass
class SchedulePanel:
    can_reschedule: bool = False
    can_cancel: bool = False
    cancelled: bool = False
    notices: list[Notice] = field(default_factory=list)
    joint_fora: list[str] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def schedule_panel(
    context: template.Context,
    meeting: Meeting,
    attendance: list[Any] | None = None,
    has_decisions: bool | None = None,
) -> SchedulePanel:
    """`attendance` (all of the meeting's) and `has_decisions`: what the page read already."""
    request: Any = context.get("request")
    manages = request is not None and meeting_access.can_manage_meeting(actor_of(request), meeting)
    can_reschedule = manages and scheduling.can_reschedule(meeting)
    has_attendance = None if attendance is None else bool(attendance)
    return SchedulePanel(
        can_reschedule=can_reschedule,
        can_cancel=can_reschedule
        and scheduling.can_move(
            meeting, has_attendance=has_attendance, has_decisions=has_decisions
        ),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        notices=notices.notices_of(meeting) if manages else [],
        joint_fora=list(meeting.joint_fora.order_by("name").values_list("name", flat=True)),
    )
