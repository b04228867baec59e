"""Agenda items that approve an annual plan or set a focus area (R7), registered with the
meetings' links (`ssp/meetings/links.py`): the minutes' decision of such an item runs
`services.approve_plan` or `services.decide_focus_area`, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ssp.meetings.links import Linked, LinkKind, register_link_kind
from ssp.prevention import selectors, services

if TYPE_CHECKING:
    from ssp.access import Actor
    from ssp.organisation.models import Forum

PLAN_KIND = "prevention.plan"
FOCUS_AREA_KIND = "prevention.focus_area"


def _plan_label(school_year_label: str, forum_name: str) -> str:
    return gettext("Årsplan %(year)s – %(forum)s") % {
        "year": school_year_label,
        "forum": forum_name,
    }


def plan_choices(actor: Actor, forum: Forum) -> list[tuple[int, str]]:
    """The forum's draft plans, newest first (at most `LINK_PLANS_MAX`)."""
    return [
        (plan.pk, _plan_label(plan.school_year_label, plan.forum.name))
        for plan in selectors.draft_plans_of(actor, forum)
    ]


def describe_plan(object_id: int) -> Linked | None:
    plan = selectors.linked_plan(object_id)
    if plan is None:
        return None
    return Linked(
        title=_plan_label(plan.school_year_label, plan.forum.name),
        url=reverse("prevention:plan", args=[plan.pk]),
        state=plan.get_status_display(),
    )


def focus_area_choices(actor: Actor, forum: Forum) -> list[tuple[int, str]]:
    """The forum's focus areas not yet decided (at most `LINK_FOCUS_AREAS_MAX`)."""
    return [
        (area.pk, f"{area.title} ({area.starts_on:%d.%m.%Y}–{area.ends_on:%d.%m.%Y})")
        for area in selectors.undecided_focus_areas_of(actor, forum)
    ]


def describe_focus_area(object_id: int) -> Linked | None:
    area = selectors.linked_focus_area(object_id)
    if area is None:
        return None
    return Linked(
        title=gettext("Fokusområde: %(title)s") % {"title": area.title},
        url=reverse("prevention:focus_area", args=[area.pk]),
        state=gettext("Vedtaget") if area.is_decided else gettext("Ikke vedtaget endnu"),
    )


def register() -> None:
    """Register the two kinds with ssp.meetings.links (from `PreventionConfig.ready`)."""
    register_link_kind(
        LinkKind(
            key=PLAN_KIND,
            label=_("Årsplan"),
            decision_label=_("Beslutningen godkender årsplanen"),
            choices=plan_choices,
            describe=describe_plan,
            apply=services.approve_plan,
        )
    )
    register_link_kind(
        LinkKind(
            key=FOCUS_AREA_KIND,
            label=_("Fokusområde"),
            decision_label=_("Beslutningen vedtager fokusområdet"),
            choices=focus_area_choices,
            describe=describe_focus_area,
            apply=services.decide_focus_area,
        )
    )
