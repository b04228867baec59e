"""Writing to and verifying the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ssp.audit.middleware import client_address, current_client_address
from ssp.audit.models import (
    OBJECT_REPR_MAX_LENGTH,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    HashVersion,
)

GENESIS_HASH = "0" * 64
CURRENT_HASH_VERSION = HashVersion.HMAC_SHA256


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
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


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def audit_key() -> bytes:
    """The chain key, from the environment (`SSP_AUDIT_KEY`), never from the database."""
    return str(settings.SSP_AUDIT_KEY).encode()


def compute_hash(event: AuditEvent) -> str:
    """The hash of an event by its own scheme (`hash_version`).

    Version 1 (events written before the key existed) is unkeyed SHA-256 over the content, as it
    was then; version 2 is HMAC-SHA256 with `SSP_AUDIT_KEY` over the content and the version.
    """
    payload = _payload(event)
    if event.hash_version == HashVersion.SHA256:
        return hashlib.sha256(_canonical(payload)).hexdigest()
    if event.hash_version == HashVersion.HMAC_SHA256:
        payload["hash_version"] = int(HashVersion.HMAC_SHA256)
        return hmac.new(audit_key(), _canonical(payload), hashlib.sha256).hexdigest()
    raise ValueError(f"unknown hash version {event.hash_version!r}")


def _client_ip(request: HttpRequest | None) -> str | None:
    """The request's client address, or the current request's (`AuditRequestMiddleware`)."""
    if request is not None:
        return client_address(request)
    return current_client_address.get()


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
    about a child (a task's title), and the audit trail outlives the data it points at. The client
    address comes from `request`, or else from the request being served (so services need not
    pass it).
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
        hash_version=CURRENT_HASH_VERSION,
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
    """Recompute every hash and link; return the problems found (empty when intact).

    Besides the links and hashes, what must hold whatever was removed: positions start at 1
    without gaps; unkeyed events only before the first keyed one, and the newest event keyed
    (else the whole chain could have been rewritten without the key); the head exists whenever
    events do and points at the newest; an empty trail is only intact if no head says otherwise
    and nobody has ever logged in (every login is an event).
    """
    problems: list[ChainProblem] = []
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    events: Iterator[AuditEvent] = AuditEvent.objects.order_by("sequence").iterator(
        chunk_size=batch_size
    )
    last_sequence = 0
    count = 0
    keyed_seen = False
    newest_keyed = False
    for event in events:
        count += 1
        if event.sequence != expected_sequence:
            problems.append(ChainProblem(event.sequence, f"missing events before {event.sequence}"))
        if event.previous_hash != previous_hash:
            problems.append(ChainProblem(event.sequence, "link to previous event is broken"))
        try:
            matches = hmac.compare_digest(compute_hash(event), event.hash)
        except ValueError:
            problems.append(ChainProblem(event.sequence, "unknown hash version"))
            matches = True
        if not matches:
            problems.append(ChainProblem(event.sequence, "content does not match its hash"))
        newest_keyed = event.hash_version == HashVersion.HMAC_SHA256
        if newest_keyed:
            keyed_seen = True
        elif keyed_seen:
            problems.append(ChainProblem(event.sequence, "unkeyed event after keyed events"))
        previous_hash = event.hash
        expected_sequence = event.sequence + 1
        last_sequence = event.sequence
    head = AuditChainHead.objects.filter(pk=1).first()
    if count:
        if not newest_keyed:
            problems.append(
                ChainProblem(last_sequence, "the newest event is not keyed with SSP_AUDIT_KEY")
            )
        if head is None:
            problems.append(ChainProblem(last_sequence, "the chain head is missing"))
        elif head.last_sequence > last_sequence:
            problems.append(
                ChainProblem(
                    last_sequence,
                    f"events after the last one were removed (the head is at {head.last_sequence})",
                )
            )
        elif head.last_sequence != last_sequence or head.last_hash != previous_hash:
            problems.append(ChainProblem(last_sequence, "the head does not match the newest event"))
    else:
        if head is not None and head.last_sequence > 0:
            problems.append(
                ChainProblem(0, f"all events were removed (the head is at {head.last_sequence})")
            )
        if get_user_model()._default_manager.filter(last_login__isnull=False).exists():
            problems.append(ChainProblem(0, "the trail is empty, but users have logged in"))
    return problems


# One anchor line, written by `anchor_audit` to a file or syslog. Parsed wherever it occurs in a
# line, so a syslog file with its own prefixes can be given to `verify_audit --anchor` as it is.
ANCHOR_MARKER = "ssp-audit-anchor"
ANCHOR_PATTERN = re.compile(
    ANCHOR_MARKER + r" at=(?P<at>\S+) sequence=(?P<sequence>\d+) hash=(?P<hash>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class Anchor:
    sequence: int
    hash: str
    at: str


def chain_head() -> Anchor | None:
    """The newest position of the chain, for anchoring outside the database."""
    newest = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    if newest is None:
        return None
    return Anchor(sequence=newest.sequence, hash=newest.hash, at=timezone.now().isoformat())


def anchor_line(anchor: Anchor) -> str:
    return f"{ANCHOR_MARKER} at={anchor.at} sequence={anchor.sequence} hash={anchor.hash}"


def parse_anchors(lines: Iterable[str]) -> list[Anchor]:
    anchors = []
    for line in lines:
        match = ANCHOR_PATTERN.search(line)
        if match:
            anchors.append(
                Anchor(sequence=int(match["sequence"]), hash=match["hash"], at=match["at"])
            )
    return anchors


def verify_anchors(anchors: list[Anchor]) -> list[ChainProblem]:
    """Each anchored position must still be in the chain with the same hash: a chain cut after
    an anchor, or rewritten before it, shows here even when it is consistent in itself."""
    if not anchors:
        return [ChainProblem(0, "the anchor file holds no anchors")]
    stored: dict[int, str] = {}
    sequences = sorted({anchor.sequence for anchor in anchors})
    for start in range(0, len(sequences), VERIFY_BATCH_SIZE):
        batch = sequences[start : start + VERIFY_BATCH_SIZE]
        stored.update(AuditEvent.objects.filter(sequence__in=batch).values_list("sequence", "hash"))
    problems = []
    for anchor in anchors:
        found = stored.get(anchor.sequence)
        if found is None:
            problems.append(
                ChainProblem(
                    anchor.sequence,
                    f"anchored event is missing (anchored {anchor.at}): the chain was cut",
                )
            )
        elif not hmac.compare_digest(found, anchor.hash):
            problems.append(
                ChainProblem(anchor.sequence, f"hash differs from the one anchored {anchor.at}")
            )
    return problems
