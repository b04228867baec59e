"""The input limits of `ssp.validation` as pydantic types for the API schemas (django-ninja).

Kept apart from `ssp.validation` so that a process that serves no API (the task worker, a
management command) does not load pydantic: forms and services use `ssp.validation` alone.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from ssp.validation import EARLIEST_DATE, LATEST_DATE, has_control_characters


def _no_control(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("text contains a control character")
    return value


def _date_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


# Schema text types: `Annotated[str, Field(max_length=...), NO_CONTROL]`, with the length from
# the column (`ssp.validation.max_length_of`). Written out as `Annotated[...]` so that mypy reads
# them as `str`.
NO_CONTROL = AfterValidator(_no_control)


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type in schemas
    """A schema field type for code that needs no static type: text up to `max_length`."""
    return Annotated[str, Field(max_length=max_length), NO_CONTROL]


DomainDate = Annotated[date, AfterValidator(_date_range)]
# Integer columns of PostgreSQL: a count a form or schema accepts fits the column.
SMALL_COUNT = Annotated[int, Field(ge=0, le=32767)]
