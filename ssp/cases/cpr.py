"""CPR numbers: validation (format and a real birth date), normalisation and masking."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ssp.crypto import decrypt
from ssp.errors import DomainError

if TYPE_CHECKING:
    from ssp.cases.models import YoungPerson

CPR_DIGITS = 10
CPR_PATTERN = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})-?(\d{4})\s*$")


class InvalidCpr(DomainError):
    pass


def century(year_2: int, digit_7: int) -> int:
    """The century of a CPR birth year, from the 7th digit (CPR-kontoret's table)."""
    if digit_7 <= 3:
        return 1900
    if digit_7 in (4, 9):
        return 2000 if year_2 <= 36 else 1900
    return 2000 if year_2 <= 57 else 1800


def parse_cpr(raw: str) -> tuple[str, date]:
    """Return (ten digits, birth date) or raise InvalidCpr with a message for the user."""
    match = CPR_PATTERN.match(raw or "")
    if match is None:
        raise InvalidCpr(_("CPR-nummeret skal have 10 cifre, fx 010203-1234."))
    day, month, year_2, serial = match.groups()
    digits = f"{day}{month}{year_2}{serial}"
    year = century(int(year_2), int(serial[0])) + int(year_2)
    try:
        birth = date(year, int(month), int(day))
    except ValueError as exc:
        raise InvalidCpr(_("CPR-nummeret indeholder ikke en gyldig fødselsdato.")) from exc
    return digits, birth


def format_cpr(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def mask_cpr(digits: str) -> str:
    """Shown to those who may know the person but need not see the full number."""
    return f"{digits[:6]}-xxxx"


def full_cpr_of(person: YoungPerson) -> str:
    """The full, formatted CPR number of a registered young person.

    For services that must pass the number on (a police report raising a concern) and for the
    audited "Vis CPR" (`cases.services.show_full_cpr`). Never hand it to a template directly:
    pages show `cases.access.cpr_display_for`.
    """
    return format_cpr(decrypt(person.cpr_encrypted)) if person.cpr_encrypted else ""
