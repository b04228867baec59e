"""Limits on input, from one source: text without control characters, dates in a domain range.

Forms get these automatically through `ssp.forms.StyledForm`; API schemas use the same rules
through `ssp.schema_types` (`NO_CONTROL`, `DomainDate`); services that take input
from elsewhere (imports, commands) call the `check_*` functions. Lengths come from the model
columns (`max_length_of`), so a form or a schema can never accept more than the database stores.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Tab, line feed and carriage return are text; every other C0 control character, DEL and the
# C1 range are not (a NUL byte also breaks PostgreSQL text columns).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# Follow-ups, task deadlines and other plans lie at most this far ahead.
PLANNING_HORIZON = timedelta(days=2 * 365)

SEARCH_MAX_LENGTH = 100


def max_length_of(model: type[Model], field_name: str) -> int:
    """The column length of a model's text field: the one source of a form's or schema's limit."""
    field = model._meta.get_field(field_name)
    length = getattr(field, "max_length", None)
    if length is None:
        raise ValueError(f"{model.__name__}.{field_name} has no max_length")
    return int(length)


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def reject_control_characters(value: Any) -> None:
    """A Django validator: text with a NUL byte or another control character is refused."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(
            _("Teksten indeholder et usynligt kontroltegn, som ikke kan gemmes. Skriv den igen."),
            code="control_character",
        )


def without_control_characters(value: str) -> str:
    """For search boxes and other inputs where a stray character should just disappear."""
    return CONTROL_CHARACTERS.sub("", value)


def clean_search(value: str) -> str:
    return without_control_characters(value).strip()[:SEARCH_MAX_LENGTH]


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if not timezone.is_aware(value):
            return value.date()
        try:
            return timezone.localtime(value).date()
        except OverflowError:  # an aware time at the very edge of the calendar (year 1 or 9999)
            return value.date()
    return value


def check_date_range(
    value: date | datetime | None,
    *,
    earliest: date = EARLIEST_DATE,
    latest: date = LATEST_DATE,
) -> None:
    """Refuse a date outside [earliest, latest] with a Danish message naming the bounds."""
    if value is None:
        return
    day = _day(value)
    if day < earliest:
        raise ValidationError(
            _("Datoen må ikke ligge før %(date)s.") % {"date": date_format(earliest, "j. F Y")},
            code="date_too_early",
        )
    if day > latest:
        raise ValidationError(
            _("Datoen må ikke ligge efter %(date)s.") % {"date": date_format(latest, "j. F Y")},
            code="date_too_late",
        )


def in_domain_range(value: date | datetime | None) -> None:
    """A Django validator: nothing before 1900 or after 2100."""
    check_date_range(value)


def not_in_future(value: date | datetime | None) -> None:
    """A Django validator for dates that have happened (a crime, a consent given)."""
    check_date_range(value, latest=timezone.localdate())


def within_planning_horizon(value: date | datetime | None) -> None:
    """A Django validator for follow-ups and task deadlines: from today within two years."""
    today = timezone.localdate()
    check_date_range(value, earliest=EARLIEST_DATE, latest=today + PLANNING_HORIZON)
