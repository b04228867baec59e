"""Re-encrypt every encrypted value under the current field key and rebuild the blind indexes.

Run after setting a new `SSP_FIELD_KEY` with the previous key(s) in `SSP_FIELD_KEYS_OLD` (see
docs/drift.md, "Rotating the field key"). It works in batches, each in one transaction with its
progress (`accounts.FieldKeyRotation`, one row per new key): stopped at any point, it resumes
where it was; run twice at once, the batches take turns (the progress row is locked). At the end
it checks that the current key alone decrypts every value, and only then may the old keys go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from ssp.accounts.models import FieldKeyRotation
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.crypto import (
    MANUALLY_ENCRYPTED,
    EncryptedTextField,
    ManuallyEncrypted,
    blind_index,
    decrypt,
    encrypt,
    is_under_current_key,
    key_id,
)

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class Target:
    """One model with encrypted values: its `EncryptedTextField`s and hand-encrypted columns."""

    label: str
    model: type[models.Model]
    fields: tuple[str, ...]
    manual: tuple[ManuallyEncrypted, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.fields, *(m.column for m in self.manual))


def targets() -> list[Target]:
    """Every model holding encrypted values, found from the fields (so a new one is included)."""
    manual: dict[str, list[ManuallyEncrypted]] = {}
    for column in MANUALLY_ENCRYPTED:
        manual.setdefault(column.model.lower(), []).append(column)
    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        fields = tuple(
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, EncryptedTextField)
        )
        if fields or label in manual:
            found.append(Target(label, model, fields, tuple(manual.get(label, ()))))
    unknown = set(manual) - {target.label for target in found}
    if unknown:
        raise CommandError(f"MANUALLY_ENCRYPTED names unknown models: {sorted(unknown)}")
    return sorted(found, key=lambda target: target.label)


def _new_values(target: Target, row: tuple[Any, ...]) -> dict[str, str]:
    """The row's values under the current key (and its blind indexes recomputed)."""
    values = dict(zip(target.columns, row, strict=True))
    changes: dict[str, str] = {}
    for name in target.fields:
        # Read through the field, the value is plain text; writing it encrypts it anew.
        if values[name]:
            changes[name] = values[name]
    for column in target.manual:
        token = values[column.column]
        if not token:
            continue
        plain = decrypt(token)
        changes[column.column] = encrypt(plain)
        if column.index_column:
            changes[column.index_column] = blind_index(plain)
    return changes


def rotate_batch(*, rotation_id: int, target: Target, batch_size: int) -> int:
    """Re-encrypt the next batch of one model; the rows done, 0 when the model is finished."""
    with transaction.atomic():
        rotation = FieldKeyRotation.objects.select_for_update().get(pk=rotation_id)
        after = int(rotation.progress.get(target.label, 0))
        manager = target.model._base_manager
        rows = list(
            manager.select_for_update()
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", *target.columns)[:batch_size]
        )
        for pk, *values in rows:
            changes = _new_values(target, tuple(values))
            if changes:
                manager.filter(pk=pk).update(**changes)
        if rows:
            rotation.progress = {**rotation.progress, target.label: rows[-1][0]}
            rotation.rows_done += len(rows)
            rotation.save(update_fields=["progress", "rows_done"])
        return len(rows)


def values_not_under_current_key(target: Target) -> int:
    """How many stored values the current key alone cannot decrypt."""
    count = 0
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in target.columns}
    for tokens in (
        target.model._base_manager.annotate(**raw).values_list(*raw).iterator(chunk_size=1000)
    ):
        count += sum(1 for token in tokens if not is_under_current_key(token or ""))
    return count


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under SSP_FIELD_KEY (old keys in SSP_FIELD_KEYS_OLD) "
        "and rebuild the CPR blind indexes. Resumable; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--max-batches",
            type=int,
            default=0,
            help="stop after this many batches (0: no limit); run again to go on",
        )
        parser.add_argument(
            "--check", action="store_true", help="only count values not under the current key"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        max_batches: int = options["max_batches"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        work = targets()
        if options["check"]:
            self._verify(work)
            return
        key = key_id()
        rotation, _created = FieldKeyRotation.objects.get_or_create(key_id=key)
        if rotation.finished_at is not None:
            self.stdout.write(f"The rotation to key {key} finished on {rotation.finished_at}.")
            self._verify(work)
            return
        self.stdout.write(f"Rotating to key {key}; resuming where it stopped, if it did.")
        batches = 0
        for target in work:
            while True:
                if max_batches and batches >= max_batches:
                    self.stdout.write(
                        f"Stopped after {batches} batches; run the command again to resume."
                    )
                    return
                done = rotate_batch(rotation_id=rotation.pk, target=target, batch_size=batch_size)
                if not done:
                    break
                batches += 1
                self.stdout.write(f"  {target.label}: {done} rows")
        with transaction.atomic():
            rotation = FieldKeyRotation.objects.select_for_update().get(pk=rotation.pk)
            if rotation.finished_at is None:
                rotation.finished_at = timezone.now()
                rotation.save(update_fields=["finished_at"])
                record_event(
                    actor=None,
                    action=AuditAction.FIELD_KEY_ROTATED,
                    obj=rotation,
                    data={"key_id": key, "rows": rotation.rows_done},
                )
        self.stdout.write(f"Done: {rotation.rows_done} rows under key {key}.")
        self._verify(work)

    def _verify(self, work: list[Target]) -> None:
        left = {target.label: values_not_under_current_key(target) for target in work}
        if any(left.values()):
            raise CommandError(f"Values not yet under the current key: {left}")
        self.stdout.write("Every encrypted value is under the current key: the old keys can go.")
