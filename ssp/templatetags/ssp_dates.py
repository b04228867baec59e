"""Dates in words: `{{ value|dansk_dato }}` -> "torsdag 10. december 2026" and
`{{ value|dansk_dato_tid }}` -> "torsdag 10. december 2026 kl. 16.00".

The pattern is the Danish one; the words (weekday, month, "kl.") come from the active language,
so a Danish page (every public page is one) reads in Danish. An aware datetime is shown in the
local time zone; `None` and the empty string give the empty string.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext

register = template.Library()


def _local(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local_moment(value)
    return value


def _local_moment(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def dato(value: dt.date) -> str:
    """ "torsdag 10. december 2026" (in the active language's words)."""
    day = _local(value)
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month]} {day.year}"


def dato_tid(value: dt.datetime) -> str:
    """ "torsdag 10. december 2026 kl. 16.00"; a plain date gives the date alone."""
    if not isinstance(value, dt.datetime):
        return dato(value)
    moment = _local_moment(value)
    return gettext("%(date)s kl. %(time)s") % {
        "date": dato(moment),
        "time": f"{moment.hour:02d}.{moment.minute:02d}",
    }


@register.filter
def dansk_dato(value: dt.date | None) -> str:
    if value is None or value == "":
        return ""
    return dato(value)


@register.filter
def dansk_dato_tid(value: dt.datetime | dt.date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return dato_tid(value)
    return dato(value)
