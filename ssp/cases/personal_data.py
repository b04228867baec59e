"""Personal data in free text meant for the public (R6 publication, later prevention, reports
and public forms): CPR-like numbers, names of registered young people, e-mail addresses and
phone numbers.

The check is plain text matching and touches no database: the caller passes the names it must
look for (`registered_names` in the app's selectors or services, scoped to the actor's
municipality), once for a whole batch of texts. A name check names registered young people, so
only callers who may see personal data may show its findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# Ten digits as 6+4, with a hyphen, a space, a dot or nothing between, also glued to letters
# ("cpr010101-1234"); not inside a longer run of digits, nor after "+" (+45 and a phone number).
CPR_LIKE = re.compile(r"(?<![\d+])\d{6}[ .-]?\d{4}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# Eight digits, optionally after +45: four pairs with the same separator between them (a space,
# a hyphen, a dot or none: "12-34-56-78", but not the date "01-02-2025"), or two fours with a
# space. CPR-like numbers and web addresses are removed before this runs (a link may hold 8 digits).
PHONE = re.compile(r"(?<!\d)(?:\+45[ ]?)?(?:\d{2}([ .-]?)\d{2}\1\d{2}\1\d{2}|\d{4} \d{4})(?!\d)")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


class FindingKind(models.TextChoices):
    CPR = "cpr", _("CPR-nummer")
    EMAIL = "email", _("e-mailadresse")
    PHONE = "phone", _("telefonnummer")
    REGISTERED_NAME = "registered_name", _("navn på registreret ung")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text: what kind, and the text that matched."""

    kind: FindingKind
    text: str


def normalise_name(first_name: str, last_name: str) -> str:
    """The form a registered name is searched for in: "first last", lower case."""
    return f"{first_name} {last_name}".lower()


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """Every CPR-like number, e-mail address, phone number and (when `names` are given) every
    registered name in `text`, in that order. `names` are normalised (`normalise_name`)."""
    if not text:
        return []
    findings = [Finding(FindingKind.CPR, match.group()) for match in CPR_LIKE.finditer(text)]
    findings += [Finding(FindingKind.EMAIL, match.group()) for match in EMAIL.finditer(text)]
    findings += [
        Finding(FindingKind.PHONE, match.group())
        for match in PHONE.finditer(URL.sub(" ", CPR_LIKE.sub(" ", text)))
    ]
    lowered = text.lower()
    findings += [
        Finding(FindingKind.REGISTERED_NAME, name.title())
        for name in names
        if name and name in lowered
    ]
    return findings
