"""Agenda items that approve an annual report (R8), registered with the meetings' links
(`ssp/meetings/links.py`): an item on the agenda of the municipality's steering group may link
to a draft report, and the minutes' decision runs `services.approve`, once, which freezes the
report's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ssp.meetings.links import Linked, LinkKind, register_link_kind
from ssp.organisation.models import ForumType
from ssp.reports import selectors, services

if TYPE_CHECKING:
    from ssp.access import Actor
    from ssp.organisation.models import Forum

REPORT_KIND = "reports.annual"


def report_label(year: int) -> str:
    return gettext("Årsrapport %(year)s") % {"year": year}


def report_choices(actor: Actor, forum: Forum) -> list[tuple[int, str]]:
    """The municipality's draft reports, for an item of its steering group's agenda only."""
    if forum.forum_type != ForumType.STYREGRUPPE or forum.municipality_id is None:
        return []
    return [
        (report.pk, report_label(report.year))
        for report in selectors.draft_reports_of(actor)
        if report.municipality_id == forum.municipality_id
    ]


def describe_report(object_id: int) -> Linked | None:
    report = selectors.linked_report(object_id)
    if report is None:
        return None
    return Linked(
        title=report_label(report.year),
        url=reverse("reports:report", args=[report.year]),
        state=report.get_status_display(),
    )


def register() -> None:
    """Register the kind with ssp.meetings.links (from `ReportsConfig.ready`)."""
    register_link_kind(
        LinkKind(
            key=REPORT_KIND,
            label=_("Årsrapport"),
            decision_label=_("Beslutningen godkender årsrapporten"),
            choices=report_choices,
            describe=describe_report,
            apply=services.approve,
        )
    )
