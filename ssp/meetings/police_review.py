"""Issue 16: the weekly review of the police's reports belongs to the SSP team's meeting.

On the municipality's review weekday (`Municipality.rules["police_review_weekday"]`, 0 = Monday)
the SSP team's meeting gets a closed item "Ugentlig gennemgang af politiets anmeldelser" with the
waiting reports; the family-contact deadline of a report routed in that review starts from the
meeting's date (the network-council deadline keeps running from receipt, as the law counts it).

The item names nobody: its text says how many reports wait, and its panel (`ssp/meetings/links.py`)
links those who may review to the review page, where the reports are.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ssp.meetings import selectors
from ssp.meetings.links import PanelContent
from ssp.meetings.models import (
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Visibility,
)
from ssp.organisation.models import ForumType
from ssp.police import access as police_access
from ssp.police.models import PoliceReport, ReportStatus

if TYPE_CHECKING:
    from ssp.access import Actor

# The meetings of the SSP team that hold the review: its ordinary and extra meetings (an acute
# meeting or a pre-meeting is about something else).
REVIEW_MEETING_KINDS = (MeetingKind.REGULAR, MeetingKind.EXTRA)


def review_weekday(meeting: Meeting) -> int | None:
    """The municipality's review weekday (0 = Monday), None when it has none."""
    municipality = meeting.forum.municipality
    if municipality is None:  # a police district's forum (Kredsråd): no review
        return None
    value = municipality.rule("police_review_weekday")
    if value is None or isinstance(value, bool):
        return None
    try:
        weekday = int(value)
    except (TypeError, ValueError):
        return None
    return weekday if 0 <= weekday <= 6 else None


def holds_review(meeting: Meeting) -> bool:
    """Whether the meeting is the SSP team's meeting on the municipality's review weekday."""
    forum = meeting.forum
    weekday = review_weekday(meeting)
    return (
        weekday is not None
        and forum.forum_type == ForumType.SSP_TEAM
        and forum.may_discuss_individuals
        and meeting.kind in REVIEW_MEETING_KINDS
        and timezone.localtime(meeting.starts_at).weekday() == weekday
    )


def waiting_count(municipality_id: int) -> int:
    """How many reports wait for the review (a number: the item names nobody)."""
    return PoliceReport.objects.filter(
        municipality_id=municipality_id, status=ReportStatus.WAITING
    ).count()


def item_text(count: int) -> str:
    return ngettext(
        "%(count)s anmeldelsesrapport venter på gennemgang.",
        "%(count)s anmeldelsesrapporter venter på gennemgang.",
        count,
    ) % {"count": count}


def add_review_item(meeting: Meeting) -> int:
    """Add the review item to `meeting` if it is the SSP team's meeting on the review weekday
    and the item is not there yet; return how many items were added (0 or 1).

    Called by `prepare_agenda` and the daily `prepare_next_agendas` with the meeting's row
    locked, so two runs at once add it once. Nothing is added to a meeting that has begun (the
    items' positions are what the minutes refer to)."""
    municipality_id = meeting.forum.municipality_id
    if meeting.status != MeetingStatus.PLANNED or municipality_id is None:
        return 0
    if not holds_review(meeting):
        return 0
    if meeting.items.filter(kind=ItemKind.POLICE_REVIEW).exists():
        return 0
    if selectors.has_begun(meeting):
        return 0
    top = meeting.items.aggregate(top=Max("position"))["top"] or 0
    AgendaItem.objects.create(
        meeting=meeting,
        position=top + 1,
        title=str(ItemKind.POLICE_REVIEW.label),
        description=item_text(waiting_count(municipality_id)),
        kind=ItemKind.POLICE_REVIEW,
        visibility=Visibility.CLOSED,
    )
    return 1


def review_date(report: PoliceReport, *, today: date | None = None) -> date:
    """The date a report routed now was presented to the SSP team: the date of the SSP team's
    review meeting (today's, or the most recent one held since the report was received), else
    today. The family-contact deadline runs from it."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    first = datetime.combine(report.received_on, time.min, tzinfo=zone)
    after_today = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    starts_at = (
        Meeting.objects.filter(
            forum__municipality_id=report.municipality_id,
            forum__forum_type=ForumType.SSP_TEAM,
            items__kind=ItemKind.POLICE_REVIEW,
            starts_at__gte=first,
            starts_at__lt=after_today,
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if starts_at is None:
        return today
    return timezone.localtime(starts_at).date()


def matches(item: AgendaItem) -> bool:
    return item.kind == ItemKind.POLICE_REVIEW


def panel_content(actor: Actor, meeting: Meeting) -> PanelContent:
    """Under the review item: how many reports wait now, and for those who may review a link
    to the review (a report routed there gets the meeting's date: `review_date`)."""
    heading = _("Politiets anmeldelser")
    if not police_access.can_review(actor):
        return PanelContent(
            heading=heading,
            empty_text=_("Gennemgangen foregår på SSP-platformens side for politiets lister."),
        )
    count = police_access.visible_reports(actor).filter(status=ReportStatus.WAITING).count()
    return PanelContent(
        heading=heading,
        empty_text=item_text(count),
        more_url=reverse("police:review"),
        more_text=_("Åbn den ugentlige gennemgang"),
    )
