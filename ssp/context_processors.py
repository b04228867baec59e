from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ssp import access, navigation
from ssp.audit import retention
from ssp.cases import access as case_access
from ssp.meetings import access as meeting_access
from ssp.police import access as police_access
from ssp.prevention import access as prevention_access
from ssp.reports import access as reports_access


@dataclass(frozen=True)
class HeaderMunicipality:
    """The acting user's municipality as the header shows it (name, and slug for links)."""

    name: str
    slug: str


def site(request: HttpRequest) -> dict[str, Any]:
    """The header's municipality name and what the acting user may do, for the base layout.

    Templates get booleans computed by access functions, never the actor itself.
    """
    actor = access.get_actor(getattr(request, "user", None))
    municipality = None
    if actor.municipality_id is not None:  # read with the actor: no query of its own
        municipality = HeaderMunicipality(
            name=actor.municipality_name, slug=actor.municipality_slug
        )
    context: dict[str, Any] = {
        "site_name": municipality.name if municipality else settings.SSP_SITE_NAME,
        "current_municipality": municipality,
        "can_manage_organisation": access.can_manage_organisation(actor),
        "can_import_users": access.can_import_users(actor),
        "can_view_organisation": access.can_view_organisation(actor),
        "can_raise_concern": case_access.can_raise_concern(actor),
        "can_see_cases": access.can_see_personal_data(actor),
        "can_search_young_people": case_access.can_search_young_people(actor),
        "shows_115_notice": case_access.shows_115_notice(actor),
        "can_use_meetings": meeting_access.can_use_meetings(actor),
        "can_see_adhoc_groups": case_access.can_see_adhoc_groups(actor),
        "can_manage_retention": retention.can_manage_retention(actor),
        "can_supervise": access.can_supervise(actor),
        "can_review_police": police_access.can_review(actor),
        "can_correct_reports": police_access.can_correct_report(actor),
        "can_import_police_list": police_access.can_import_police_list(actor),
        "can_see_deadlines": police_access.can_see_deadlines(actor),
        "can_see_absence": police_access.can_see_absence(actor),
        "can_see_hot_spots": police_access.can_see_hot_spots(actor),
        "can_see_counts": police_access.can_see_counts(actor),
        "can_see_prevention": prevention_access.can_see_prevention(actor),
        "can_see_reports": reports_access.can_see_reports(actor),
    }
    # Called by the template when the base layout shows the menu (not for fragments).
    context["main_menu"] = partial(navigation.main_menu, request, dict(context))  # no cycle
    return context
