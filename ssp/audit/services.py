"""Writing to and verifying the audit trail.

Writing and chaining are two steps, so that requests never wait on each other (issue 11):

1. `record_event` INSERTs the event with its content, a random `nonce` and `seal`, the keyed MAC
   (HMAC-SHA256 with `SSP_AUDIT_KEY`) of the content and nonce, and no chain position
   (`sequence`, `previous_hash`, `hash` are NULL). It takes no lock: fifty requests can write
   at once. The seal means that only a holder of the key can write an event that verifies; the
   unique seal refuses a copy of an event.
2. `chain_pending` is the one writer of the chain: under the lock of the single head row
   (`AuditChainHead`, `SELECT ... FOR UPDATE`, or `SKIP LOCKED` when it must not wait) it takes
   the committed unchained events in id order and gives them the next gapless positions, each
   event's hash over its content, seal and the previous hash, and moves the head. Positions are
   counted from the head, never taken from the row id, which skips on rollback.

When chaining runs, so that no event waits long:

- after every commit that wrote events (`transaction.on_commit`, once per transaction), in the
  writing process, without waiting (`chain_after_commit`). When another process holds the lock,
  it returns at once and leaves its events to that process: every chainer, after it released the
  lock, looks again for unchained events and chains those too (up to `AFTER_COMMIT_ROUNDS`
  batches), so an event committed while somebody else was chaining is taken by them;
- `manage.py chain_audit` (`--every SECONDS` as a service, or a timer each minute) catches what
  a crashed process or a failed chaining left; it waits for the lock;
- `verify_audit` and `anchor_audit` chain first (waiting), so they verify and anchor everything.

`verify_chain` checks the chained part; `pending_events` counts and dates the unchained ones,
and `verify_audit` warns when one is older than `PENDING_WARNING_AGE`. An event is exposed to
undetected deletion (by somebody who can switch the triggers off) only until it is chained,
normally milliseconds after its commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Min
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
CURRENT_HASH_VERSION = HashVersion.HMAC_SHA256_SEALED
KEYED_HASH_VERSIONS = (HashVersion.HMAC_SHA256, HashVersion.HMAC_SHA256_SEALED)
HEAD_ID = 1
CHAIN_BATCH_SIZE = 500
# Batches one after-commit chaining may take before leaving the rest to the next one.
AFTER_COMMIT_ROUNDS = 10
# An event still unchained after this long is a warning in `verify_audit`.
PENDING_WARNING_AGE = timedelta(minutes=5)

logger = logging.getLogger(__name__)


class ChainError(Exception):
    """The chain cannot be continued (its head is missing while chained events exist)."""


def _content(event: AuditEvent) -> dict[str, Any]:
    """What an event says, without its place in the chain."""
    return {
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
    }


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        **_content(event),
        "previous_hash": event.previous_hash,
    }


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def audit_key() -> bytes:
    """The chain key, from the environment (`SSP_AUDIT_KEY`), never from the database."""
    return str(settings.SSP_AUDIT_KEY).encode()


def _mac(payload: dict[str, Any]) -> str:
    return hmac.new(audit_key(), _canonical(payload), hashlib.sha256).hexdigest()


def compute_seal(event: AuditEvent) -> str:
    """The keyed MAC of an event's content and nonce, written with the event (version 3)."""
    nonce = None if event.nonce is None else str(event.nonce)
    return _mac({"seal": _content(event), "nonce": nonce, "hash_version": event.hash_version})


def compute_hash(event: AuditEvent) -> str:
    """The hash of an event by its own scheme (`hash_version`).

    Version 1 (events written before the key existed) is unkeyed SHA-256 over the content, as it
    was then; version 2 is HMAC-SHA256 with `SSP_AUDIT_KEY` over the content and the version;
    version 3 adds the event's seal (events written first and chained afterwards).
    """
    payload = _payload(event)
    if event.hash_version == HashVersion.SHA256:
        return hashlib.sha256(_canonical(payload)).hexdigest()
    if event.hash_version == HashVersion.HMAC_SHA256:
        payload["hash_version"] = int(HashVersion.HMAC_SHA256)
        return _mac(payload)
    if event.hash_version == HashVersion.HMAC_SHA256_SEALED:
        payload["hash_version"] = int(HashVersion.HMAC_SHA256_SEALED)
        payload["seal"] = event.seal
        return _mac(payload)
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
    """Write one event, in the caller's transaction, without waiting for anybody: sealed now,
    chained after the commit (see the module docstring). The returned event has no `sequence`
    yet.

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
    event = AuditEvent(
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
        hash_version=CURRENT_HASH_VERSION,
        nonce=uuid.uuid4(),
    )
    event.seal = compute_seal(event)
    event.save()
    _chain_after_this_commit()
    return event


# --- Chaining ------------------------------------------------------------------------------------


def _chain_after_this_commit() -> None:
    """Register `chain_after_commit` once per transaction (a rolled-back savepoint drops its
    registration with it, so the next event registers again)."""
    registered = transaction.get_connection().run_on_commit
    if any(entry[1] is chain_after_commit for entry in registered):
        return
    transaction.on_commit(chain_after_commit)


def _lock_head(*, wait: bool) -> AuditChainHead | None:
    """The head, locked for this transaction; None when another chainer holds it and `wait`
    is off. Creates the head at the first chaining (not before: nothing to chain, no head)."""
    heads = AuditChainHead.objects.filter(pk=HEAD_ID)
    locking = heads.select_for_update(skip_locked=not wait)
    head = locking.first()
    if head is not None:
        return head
    if heads.exists():
        return None  # locked by another chainer (SKIP LOCKED skipped it)
    if AuditEvent.objects.filter(sequence__isnull=False).exists():
        raise ChainError("the chain head is missing while chained events exist: run verify_audit")
    if not AuditEvent.objects.filter(sequence__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)
    except DatabaseError:
        pass  # another chainer created it meanwhile (refused by the key, or by the trigger)
    return locking.first()


def _write_chain_fields(events: list[AuditEvent]) -> None:
    """One UPDATE per event, sent as a batch (`bulk_update`'s CASE expressions grow with the
    square of the batch). Only an unchained event is updated; on PostgreSQL the triggers check
    the rest."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET sequence = %s, previous_hash = %s, hash = %s "  # noqa: S608
            "WHERE id = %s AND sequence IS NULL",
            [(e.sequence, e.previous_hash, e.hash, e.pk) for e in events],
        )


def _chain_batch(*, limit: int, wait: bool) -> int | None:
    """Chain up to `limit` unchained events; None when the lock is taken and `wait` is off (or
    there is neither a head nor anything to chain)."""
    with transaction.atomic():
        head = _lock_head(wait=wait)
        if head is None:
            return None
        pending = list(AuditEvent.objects.filter(sequence__isnull=True).order_by("id")[:limit])
        if not pending:
            return 0
        sequence, previous_hash = head.last_sequence, head.last_hash
        for event in pending:
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous_hash
            event.hash = compute_hash(event)
            previous_hash = event.hash
        _write_chain_fields(pending)
        head.last_sequence = sequence
        head.last_hash = previous_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return len(pending)


def chain_pending(*, limit: int = CHAIN_BATCH_SIZE, wait: bool = True) -> int:
    """The chain's one writer: give up to `limit` committed unchained events, in id order, the
    next gapless positions and their hashes, and move the head; return how many.

    Holds the head's row lock for its own short transaction. With `wait=False` it returns 0 at
    once when another process is chaining (that process looks again when it is done).
    """
    return _chain_batch(limit=limit, wait=wait) or 0


def chain_all(*, wait: bool = True, batch_size: int = CHAIN_BATCH_SIZE) -> int:
    """Chain every unchained event, batch by batch; return how many were chained."""
    total = 0
    while True:
        chained = _chain_batch(limit=batch_size, wait=wait)
        if not chained:
            return total
        total += chained


def chain_after_commit() -> None:
    """Chain after a commit that wrote events, never waiting for the lock (see the module
    docstring for why no event is left behind). Errors are logged, not raised: the request's
    own work is committed, and `chain_audit` catches up."""
    try:
        for _round in range(AFTER_COMMIT_ROUNDS):
            if _chain_batch(limit=CHAIN_BATCH_SIZE, wait=False) is None:
                return  # another process is chaining; it looks again when it is done
            # The lock is released: whoever could not take it while we held it relies on us.
            if not AuditEvent.objects.filter(sequence__isnull=True).exists():
                return
    except Exception:
        logger.exception("Chaining the audit trail failed; `manage.py chain_audit` will retry.")


@dataclass(frozen=True)
class PendingEvents:
    """The events written but not yet chained."""

    count: int
    oldest: datetime | None

    def age(self, now: datetime | None = None) -> timedelta:
        if self.oldest is None:
            return timedelta(0)
        return (now or timezone.now()) - self.oldest

    def is_overdue(self, threshold: timedelta = PENDING_WARNING_AGE) -> bool:
        return self.count > 0 and self.age() > threshold


def pending_events() -> PendingEvents:
    found = AuditEvent.objects.filter(sequence__isnull=True).aggregate(
        count=Count("id"), oldest=Min("occurred_at")
    )
    return PendingEvents(count=found["count"], oldest=found["oldest"])


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str


VERIFY_BATCH_SIZE = 2000


def verify_chain(batch_size: int = VERIFY_BATCH_SIZE) -> list[ChainProblem]:
    """Recompute every hash and link of the chained events; return the problems found (empty
    when intact). Unchained events are not problems (see `pending_events`).

    Besides the links and hashes, what must hold whatever was removed: positions start at 1
    without gaps; unkeyed events only before the first keyed one, unsealed ones only before the
    first sealed one, and the newest event keyed (else the whole chain could have been rewritten
    without the key); a sealed event's seal matches its content (else it was changed, or written
    by somebody without the key, before it was chained); the head exists whenever chained events
    do and points at the newest; an empty trail is only intact if no head says otherwise and
    nobody has ever logged in (every login is an event).
    """
    problems: list[ChainProblem] = []
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    events: Iterator[AuditEvent] = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("sequence")
        .iterator(chunk_size=batch_size)
    )
    last_sequence = 0
    count = 0
    highest_version = version = 0
    for event in events:
        sequence = event.sequence or 0
        count += 1
        if sequence != expected_sequence:
            problems.append(ChainProblem(sequence, f"missing events before {sequence}"))
        if event.previous_hash != previous_hash:
            problems.append(ChainProblem(sequence, "link to previous event is broken"))
        try:
            matches = hmac.compare_digest(compute_hash(event), event.hash or "")
            sealed = event.hash_version != HashVersion.HMAC_SHA256_SEALED or (
                hmac.compare_digest(compute_seal(event), event.seal or "")
            )
        except ValueError:
            problems.append(ChainProblem(sequence, "unknown hash version"))
            matches = sealed = True
        if not matches:
            problems.append(ChainProblem(sequence, "content does not match its hash"))
        elif not sealed:
            problems.append(ChainProblem(sequence, "content does not match its seal"))
        version = event.hash_version
        if version == HashVersion.SHA256 and highest_version >= HashVersion.HMAC_SHA256:
            problems.append(ChainProblem(sequence, "unkeyed event after keyed events"))
        elif (
            version == HashVersion.HMAC_SHA256 and highest_version >= HashVersion.HMAC_SHA256_SEALED
        ):
            problems.append(ChainProblem(sequence, "unsealed event after sealed events"))
        highest_version = max(highest_version, version)
        previous_hash = event.hash or ""
        expected_sequence = sequence + 1
        last_sequence = sequence
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    if count:
        if version not in KEYED_HASH_VERSIONS:
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
        # Unchained events only (a new installation before its first chaining) are a trail.
        if (
            not AuditEvent.objects.exists()
            and get_user_model()._default_manager.filter(last_login__isnull=False).exists()
        ):
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
    """The newest chained position, for anchoring outside the database (chain first)."""
    newest = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .only("sequence", "hash")
        .first()
    )
    if newest is None or newest.sequence is None or newest.hash is None:
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
    stored: dict[int | None, str | None] = {}
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
