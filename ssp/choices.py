"""A choice's label for one value, without translating every label of its choices.

Django's `get_FOO_display` builds a dictionary of the field's choices on each call and hashes
each label, which translates it: a concern's status shown on the start page translated all nine
statuses (issue 11: about 200 translations for the start page's ten new concerns).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Choices


def choice_label(choices: type[Choices], value: Any) -> str:
    """What `get_FOO_display` shows: the label of `value`, or the value itself when it is not
    one of the choices (as Django does)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
