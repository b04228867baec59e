"""R5 deadline arithmetic: weekends, the under-18 rule and the re-offence rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp.police import deadlines


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 11, 23), date(2026, 11, 30)),  # Monday -> Monday
        (date(2026, 11, 21), date(2026, 11, 27)),  # Saturday + 7 = Saturday -> Friday before
        (date(2026, 11, 22), date(2026, 11, 27)),  # Sunday + 7 = Sunday -> Friday before
        (date(2026, 11, 27), date(2026, 12, 4)),  # Friday -> Friday
    ],
)
def test_seven_days_never_end_on_a_weekend(start: date, due: date) -> None:
    assert deadlines.due_date(start, 7) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 30))
def test_a_deadline_is_a_weekday_and_never_later_than_the_law_allows(
    start: date, days: int
) -> None:
    due = deadlines.due_date(start, days)
    assert due.weekday() < 5
    assert start + timedelta(days=days - 2) <= due <= start + timedelta(days=days)


def test_serious_crime_under_18_needs_a_network_council_at_any_age_below() -> None:
    birth = date(2015, 6, 1)
    assert deadlines.needs_network_council(
        serious=True, birth=birth, incident=date(2026, 1, 1)
    )  # 10 years
    assert not deadlines.needs_network_council(
        serious=False, birth=birth, incident=date(2026, 1, 1)
    )
    adult = date(2007, 6, 1)
    assert not deadlines.needs_network_council(serious=True, birth=adult, incident=date(2026, 1, 1))
    assert deadlines.needs_network_council(serious=True, birth=adult, incident=date(2025, 5, 31))


def test_a_new_serious_offence_within_a_year_revises_the_plan() -> None:
    held = date(2026, 1, 10)
    assert deadlines.revises_plan(last_council_held=held, received=date(2026, 12, 1))
    assert not deadlines.revises_plan(last_council_held=held, received=date(2027, 2, 1))
    assert not deadlines.revises_plan(last_council_held=None, received=date(2026, 12, 1))


def test_the_board_colours() -> None:
    today = date(2026, 11, 23)
    assert deadlines.colour(date(2026, 11, 22), today) == deadlines.Colour.OVERDUE
    assert deadlines.colour(date(2026, 11, 25), today) == deadlines.Colour.SOON
    assert deadlines.colour(date(2026, 11, 30), today) == deadlines.Colour.ON_TIME
