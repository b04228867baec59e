"""Meeting endpoints. Items come through the same redaction as the pages: a closed item is
"Lukket punkt" and nothing else for those who may not see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ssp.api_errors import ERRORS
from ssp.http import actor_of, user_of
from ssp.meetings import access as meeting_access
from ssp.meetings import selectors, services
from ssp.meetings.links import Linked
from ssp.meetings.models import Meeting

router = Router(tags=["meetings"])

MEETINGS_LISTED = 200


class MeetingOut(Schema):
    id: int
    title: str
    forum: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    location: str


class LinkedOut(Schema):
    """The object an item links to (`ssp.meetings.links`), as the agenda shows it."""

    title: str
    url: str
    state: str


class ItemOut(Schema):
    position: int
    title: str
    visibility: str
    description: str
    decision: str
    responsible: str
    deadline: date | None
    linked: LinkedOut | None = None
    # Issue 14: the decision's number ("STY 2026-14"), the vote's result and, where the forum's
    # rule shows it, who voted how.
    decision_number: str = ""
    vote_result: str = ""
    votes: list[str] = []


class MeetingDetailOut(MeetingOut):
    items: list[ItemOut]


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.display_title,
        "forum": meeting.forum.name,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
    }


def _linked(linked: Linked | None) -> LinkedOut | None:
    if linked is None:
        return None
    return LinkedOut(title=linked.title, url=linked.url, state=linked.state)


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS})
def list_meetings(request: HttpRequest) -> list[MeetingOut]:
    actor = actor_of(request)
    return [MeetingOut(**_meeting(m)) for m in selectors.meetings_for(actor)[:MEETINGS_LISTED]]


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS})
def get_meeting(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, meeting_id)
    services.record_view(actor_user=user_of(request), meeting=meeting)
    pairs = selectors.agenda_with_items(actor, meeting, meeting_access.mode_for(actor, meeting))
    items = [view for view, _item in pairs]
    # A redacted item never shows what it links to.
    shown, _none = services.item_links(
        actor, meeting, [item for view, item in pairs if not view.redacted], panels=False
    )
    return MeetingDetailOut(
        **_meeting(meeting),
        items=[
            ItemOut(
                position=i.position,
                title=i.title,
                visibility=i.visibility,
                description=i.description,
                decision=i.decision,
                responsible=i.responsible,
                deadline=i.deadline,
                linked=_linked(shown.get(i.pk)),
                decision_number=i.decision_number,
                vote_result=i.vote_result,
                votes=i.votes,
            )
            for i in items
        ],
    )
