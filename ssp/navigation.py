"""The base layout's main menu, built in Python once per page (issue 11, load test).

As template markup the menu cost every page about 1 ms: a `{% url %}` per entry and two
conditions on `request.resolver_match` per entry. Here the entries the user may see come from
the flags of `ssp.context_processors.site` (computed by the access functions), their URLs are
reversed once per process, and the current entry is found from the resolved view's names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ssp.http import cached_reverse

# (app_name, url_name) of the page shown -> whether an entry is the current one.
Current = Callable[[str, str], bool]


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class _Item:
    shown_if: str  # the context flag that shows the entry ("" for every user)
    label: Promise
    viewname: str
    current: Current
    hidden_if: str = ""  # a flag that hides it (another entry covers the same pages)
    municipality_slug: bool = False  # the URL takes the user's municipality's slug


def _named(*names: str) -> Current:
    return lambda _app, name: name in names


def _starting(*prefixes: str) -> Current:
    return lambda _app, name: name.startswith(prefixes)


def _in_app(app_name: str) -> Current:
    return lambda app, _name: app == app_name


def _never(_app: str, _name: str) -> bool:
    return False


MENU = (
    _Item("", _("Forside"), "home", _named("home")),
    _Item("can_raise_concern", _("Bekymringer"), "cases:concern_list", _starting("concern")),
    _Item("can_see_cases", _("Sager"), "cases:case_list", _starting("case", "agreement")),
    _Item("can_search_young_people", _("Søg unge"), "cases:young_people", _starting("young")),
    _Item("can_review_police", _("Politiets lister"), "police:review", _named("review")),
    _Item(
        "can_import_police_list",
        _("Politiets lister"),
        "police:import",
        lambda app, name: (
            (app == "police" and name == "import") or name in ("import_job", "report_new")
        ),
        hidden_if="can_review_police",
    ),
    _Item(
        "can_correct_reports",
        _("Politirapporter"),
        "police:reports",
        lambda _app, name: name.startswith("report") and name != "report_new",
        hidden_if="can_review_police",
    ),
    _Item("can_see_deadlines", _("Frister"), "police:deadlines", _named("deadlines")),
    _Item("can_see_absence", _("Fravær"), "police:absence", _named("absence")),
    _Item("can_see_hot_spots", _("Hot spots"), "police:hot_spots", _starting("hot")),
    _Item("can_use_meetings", _("Møder"), "meetings:list", _in_app("meetings")),
    _Item("can_see_adhoc_groups", _("Handlegrupper"), "cases:adhoc_list", _starting("adhoc")),
    _Item(
        "can_manage_retention", _("Opbevaring og sletning"), "audit:retention", _named("retention")
    ),
    _Item("can_supervise", _("Tilsyn"), "audit:supervision_disclosures", _starting("supervision")),
    _Item(
        "can_view_organisation",
        _("Organisation"),
        "organisation:municipality_list",
        lambda app, name: app == "organisation" and not name.startswith("contact"),
    ),
    _Item(
        "can_view_organisation",
        _("Hvem kontakter jeg?"),
        "organisation:contacts",
        _starting("contact"),
        municipality_slug=True,
    ),
    _Item("can_see_prevention", _("Forebyggelse"), "prevention:catalogue", _in_app("prevention")),
    _Item("can_see_reports", _("Rapporter"), "reports:list", _in_app("reports")),
    _Item("can_import_users", _("Brugere fra fil"), "accounts:bulk_import", _starting("bulk")),
    _Item("can_manage_organisation", _("Administration"), "admin:index", _never),
)


def main_menu(request: HttpRequest, flags: Mapping[str, Any]) -> list[MenuEntry]:
    """The entries `flags` (the base layout's context) lets the user see, in menu order."""
    match = getattr(request, "resolver_match", None)
    app = (match.app_name or "") if match is not None else ""
    name = (match.url_name or "") if match is not None else ""
    municipality = flags.get("current_municipality")
    entries = []
    for item in MENU:
        if item.shown_if and not flags.get(item.shown_if):
            continue
        if item.hidden_if and flags.get(item.hidden_if):
            continue
        if item.municipality_slug:
            if municipality is None:
                continue
            url = cached_reverse(item.viewname, (municipality.slug,))
        else:
            url = cached_reverse(item.viewname)
        entries.append(MenuEntry(str(item.label), url, item.current(app, name)))
    return entries
