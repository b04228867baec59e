"""Use cases that change the organisation. Each is atomic and writes its audit event."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event

if TYPE_CHECKING:
    from ssp.organisation.presets import PresetResult


@transaction.atomic
def load_preset(
    *,
    name: str,
    path: Path | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> PresetResult:
    """R1: build a municipality's structure from its preset; idempotent, all or nothing."""
    # The presets' schema (pydantic) is loaded when a preset is, not by every process that
    # imports the organisation's services (the task worker stays smaller).
    from ssp.organisation.presets import apply_preset, parse_preset, resolve_preset_path

    preset_path = path if path is not None else resolve_preset_path(name)
    spec = parse_preset(preset_path)
    result = apply_preset(spec=spec, preset_name=name)
    if result.changed:
        record_event(
            actor=actor,
            action=AuditAction.PRESET_LOADED,
            obj=result.municipality,
            municipality_id=result.municipality.pk,
            data={
                "preset": name,
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
            },
        )
    return result
