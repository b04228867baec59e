"""No lost update: edited records carry a version, and a stale save is refused.

An editing form carries the version it was opened at (`ssp.forms.VersionedFormMixin`); the
service saves with `save_versioned`, a conditional UPDATE that matches only when the stored
version is still the one the user saw. When another person saved in between, the service gets
`StaleEdit` with the values now stored, so the page can show what the other person changed while
keeping what this user typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp.errors import DomainError


class Versioned(models.Model):
    """An abstract base for records edited by several people: `version` counts the saves."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True


VersionedT = TypeVar("VersionedT", bound=Versioned)


class StaleEdit(DomainError):
    """Somebody else saved the record after this user opened it."""

    status_code = 409

    def __init__(self, *, current: dict[str, Any], version: int) -> None:
        super().__init__(
            _(
                "En anden har gemt ændringer, mens du skrev. Din tekst er bevaret nedenfor; "
                "se hvad der nu er gemt, og gem igen."
            )
        )
        self.current = current
        self.version = version


def save_versioned(obj: VersionedT, *, expected_version: int, fields: Iterable[str]) -> VersionedT:
    """Write `fields` of `obj` if its stored version is `expected_version`; bump the version.

    Race-safe without a lock: two saves from the same version give one success and one
    `StaleEdit`, whatever the order.
    """
    names = list(fields)
    model = type(obj)
    values = {name: getattr(obj, name) for name in names}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        stored = model._default_manager.get(pk=obj.pk)
        raise StaleEdit(
            current={name: getattr(stored, name) for name in names},
            version=stored.version,
        )
    obj.version = expected_version + 1
    return obj
