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

from ssp.cases.services import age_on

SATURDAY = 5
FRIDAY = 4
ADULT_AGE = 18
REVISION_WINDOW_DAYS = 365
SOON_DAYS = 2


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


def needs_network_council(*, serious: bool, birth: date, incident: date) -> bool:
    return serious and age_on(birth, incident) < ADULT_AGE


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
