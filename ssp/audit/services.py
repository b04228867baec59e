"""Writing to and verifying the audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ssp.audit.models import (
    OBJECT_REPR_MAX_LENGTH,
    AuditAction,
    AuditChainHead,
    AuditEvent,
)

GENESIS_HASH = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "municipality_id": event.municipality_id,
        "subject_ref": event.subject_ref,
        "purpose": event.purpose,
        "data": event.data,
        "ip_address": event.ip_address,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def object_ref(obj: models.Model) -> str:
    """A reference to a record that names nobody: `cases.task:17`."""
    return f"{obj._meta.label_lower}:{obj.pk}"


@transaction.atomic
def record_event(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    municipality_id: int | None = None,
    subject_ref: str = "",
    purpose: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The object is stored as `label:pk` unless the caller names it: `str(obj)` may be free text
    about a child (a task's title), and the audit trail outlives the data it points at.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or object_ref(obj)
    user = actor if actor is not None and actor.is_authenticated else None
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
    )
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        occurred_at=timezone.now().replace(microsecond=0),
        actor_id=user.pk if user is not None else None,
        actor_label=user.get_username() if user is not None else "",
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:OBJECT_REPR_MAX_LENGTH],
        municipality_id=municipality_id,
        subject_ref=subject_ref,
        purpose=purpose,
        data=json.loads(json.dumps(data or {}, default=str)),
        ip_address=_client_ip(request),
        previous_hash=head.last_hash,
    )
    event.hash = compute_hash(event)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str


VERIFY_BATCH_SIZE = 2000


def verify_chain(batch_size: int = VERIFY_BATCH_SIZE) -> list[ChainProblem]:
    """Recompute every hash and link; return the problems found (empty when intact)."""
    problems: list[ChainProblem] = []
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    events: Iterator[AuditEvent] = AuditEvent.objects.order_by("sequence").iterator(
        chunk_size=batch_size
    )
    last_sequence = 0
    for event in events:
        if event.sequence != expected_sequence:
            problems.append(ChainProblem(event.sequence, f"missing events before {event.sequence}"))
        if event.previous_hash != previous_hash:
            problems.append(ChainProblem(event.sequence, "link to previous event is broken"))
        if compute_hash(event) != event.hash:
            problems.append(ChainProblem(event.sequence, "content does not match its hash"))
        previous_hash = event.hash
        expected_sequence = event.sequence + 1
        last_sequence = event.sequence
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (
        head.last_sequence != last_sequence or head.last_hash != previous_hash
    ):
        problems.append(ChainProblem(last_sequence, "events after the last one were removed"))
    return problems
