"""R5 deadline arithmetic, kept pure so that it can be tested on its own.

- Family meeting: agreed within N days (preset, default 7) of the report being presented to the
  SSP team.
- Network council: within N days (default 7) of receiving police documentation that a child under
  18 is suspected of serious crime; any age below 18, including below the age of criminal
  responsibility; the kind of crime decides.
- A new serious offence within a year of a held network council revises its action plan instead
  of calling a new council.
- A deadline that falls on a Saturday or Sunday is moved back to the Friday before, so that the
  family is never contacted later than the law allows.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ssp.cases.services import age_on

SATURDAY = 5
FRIDAY = 4
ADULT_AGE = 18
REVISION_WINDOW_DAYS = 365
SOON_DAYS = 2

# Issue 16: the statute shown beside a deadline (by deadline kind), as Fredericia's SSP guide
# cites it (Bilag 4: serviceloven § 57 c, since 2024 barnets lov § 33). A deployment overrides a
# kind's text with the setting SSP_DEADLINE_STATUTES ({kind: text}); "" hides it. The family
# meeting is the municipalities' own rule, not a statute.
DEFAULT_STATUTES: dict[str, Promise] = {
    "network_council": _(
        "Barnets lov § 33 (tidligere serviceloven § 57 c): kommunen indkalder til "
        "netværkssamråd senest 7 dage efter at have modtaget dokumentation fra politiet om, at "
        "et barn eller en ung under 18 år er mistænkt for alvorlig kriminalitet."
    ),
    "plan_revision": _(
        "Barnets lov § 33 (tidligere serviceloven § 57 c): ny alvorlig kriminalitet inden for "
        "et år efter netværkssamrådet fører til revision af handlingsaftalen."
    ),
}


class Colour(StrEnum):
    """A deadline's colour on the board (also its `data-colour` in the page)."""

    OVERDUE = "overdue"
    SOON = "soon"
    ON_TIME = "on_time"


def due_date(start: date, days: int) -> date:
    due = start + timedelta(days=days)
    if due.weekday() >= SATURDAY:
        due -= timedelta(days=due.weekday() - FRIDAY)
    return due


def needs_network_council(*, serious: bool, birth: date | None, incident: date) -> bool:
    """A serious offence under 18; with an unknown birth date (issue 15: a young person named
    without CPR) the deadline is started, as for a child, rather than missed."""
    return serious and (birth is None or age_on(birth, incident) < ADULT_AGE)


def revises_plan(*, last_council_held: date | None, received: date) -> bool:
    return last_council_held is not None and timedelta(
        0
    ) <= received - last_council_held <= timedelta(days=REVISION_WINDOW_DAYS)


def colour(due: date, today: date, *, soon_days: int = SOON_DAYS) -> Colour:
    """Board colour: overdue (red), due soon (yellow) or on time (green)."""
    if due < today:
        return Colour.OVERDUE
    if due - today <= timedelta(days=soon_days):
        return Colour.SOON
    return Colour.ON_TIME


def statute_for(kind: str) -> str:
    """The statute text shown beside a deadline of `kind` ("" when none): the setting
    SSP_DEADLINE_STATUTES overrides the defaults per kind."""
    configured = getattr(settings, "SSP_DEADLINE_STATUTES", None) or {}
    text = configured.get(kind, DEFAULT_STATUTES.get(kind, ""))
    return str(text)


def statutes() -> dict[str, str]:
    """The statute text of each deadline kind that has one (for a page showing several)."""
    kinds = {*DEFAULT_STATUTES, *(getattr(settings, "SSP_DEADLINE_STATUTES", None) or {})}
    return {kind: text for kind in sorted(kinds) if (text := statute_for(kind))}
