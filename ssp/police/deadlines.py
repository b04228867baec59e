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

SATURDAY = 5
REVISION_WINDOW_DAYS = 365


def due_date(start: date, days: int) -> date:
    due = start + timedelta(days=days)
    if due.weekday() >= SATURDAY:
        due -= timedelta(days=due.weekday() - 4)
    return due


def age_at(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def needs_network_council(*, serious: bool, birth: date, incident: date) -> bool:
    return serious and age_at(birth, incident) < 18


def revises_plan(*, last_council_held: date | None, received: date) -> bool:
    return last_council_held is not None and timedelta(
        0
    ) <= received - last_council_held <= timedelta(days=REVISION_WINDOW_DAYS)


def colour(due: date, today: date, *, soon_days: int = 2) -> str:
    """Board colour: overdue (red), due soon (yellow) or on time (green)."""
    if due < today:
        return "overdue"
    if due - today <= timedelta(days=soon_days):
        return "soon"
    return "on_time"
