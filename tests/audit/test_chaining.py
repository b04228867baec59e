"""Writing events without a global lock, chaining them afterwards (issue 11, item 6).

Requests insert sealed events without a chain position and wait on nobody; one chainer at a
time gives them gapless positions and hashes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditChainHead, AuditEvent, HashVersion
from ssp.audit.services import (
    HEAD_ID,
    PENDING_WARNING_AGE,
    chain_after_commit,
    chain_all,
    chain_pending,
    compute_seal,
    pending_events,
    record_event,
    verify_chain,
)
from ssp.organisation.models import Municipality
from tests.helpers_db import at_once

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and triggers exist on PostgreSQL only"
)

WRITERS = 50
BARRIER_TIMEOUT = 60.0  # seconds; only reached when the writers are serialised


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def triggers_off() -> Iterator[None]:
    if connection.vendor == "postgresql":
        sql("SET session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            sql("SET session_replication_role = DEFAULT")


def positions(events: list[AuditEvent]) -> list[int | None]:
    for event in events:
        event.refresh_from_db()
    return [event.sequence for event in events]


def test_it_writes_a_sealed_event_without_a_position_or_the_head(demo: Municipality) -> None:
    with CaptureQueriesContext(connection) as captured:
        event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED, data={"n": 1})
    assert (event.sequence, event.previous_hash, event.hash) == (None, None, None)
    assert event.hash_version == HashVersion.HMAC_SHA256_SEALED
    event.refresh_from_db()
    assert event.seal == compute_seal(event)
    assert not [q for q in captured.captured_queries if "audit_auditchainhead" in q["sql"]]
    assert pending_events().count == 1


def test_it_chains_pending_events_in_id_order_after_the_head(demo: Municipality) -> None:
    head_before = AuditChainHead.objects.get(pk=HEAD_ID).last_sequence
    events = [record_event(actor=None, action=AuditAction.ADMIN_CHANGED) for _ in range(3)]
    assert chain_pending() == 3
    assert positions(events) == [head_before + 1, head_before + 2, head_before + 3]
    assert events[1].previous_hash == events[0].hash
    head = AuditChainHead.objects.get(pk=HEAD_ID)
    assert (head.last_sequence, head.last_hash) == (events[-1].sequence, events[-1].hash)
    assert pending_events().count == 0
    assert verify_chain() == []


def test_it_chains_in_batches_of_the_limit(demo: Municipality) -> None:
    for _ in range(5):
        record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    assert chain_pending(limit=2) == 2
    assert pending_events().count == 3
    assert verify_chain() == []  # the chained part is intact while the rest waits
    assert chain_all(batch_size=2) == 3
    assert pending_events().count == 0
    assert verify_chain() == []


def test_a_rolled_back_event_leaves_no_gap_in_the_chain(demo: Municipality) -> None:
    """Row ids skip on rollback; chain positions are counted from the head and do not."""
    before = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(actor=None, action=AuditAction.ADMIN_DELETED)
        raise RuntimeError("the request fails after auditing")
    after = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    if connection.vendor == "postgresql":
        assert after.pk > before.pk + 1  # the rolled-back event used up an id (a sequence)
    assert not AuditEvent.objects.filter(action=AuditAction.ADMIN_DELETED).exists()
    chain_all()
    first, second = positions([before, after])
    assert first is not None and second == first + 1
    assert after.previous_hash == before.hash
    assert verify_chain() == []


def test_it_chains_right_after_the_commit_once_per_transaction(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events = [record_event(actor=None, action=AuditAction.ADMIN_CHANGED) for _ in range(3)]
    assert [c for c in callbacks if c is chain_after_commit] == [chain_after_commit]
    assert None not in positions(events)
    assert pending_events().count == 0
    assert verify_chain() == []


def test_a_sealed_event_changed_before_it_was_chained_is_detected(demo: Municipality) -> None:
    """Somebody who switches the triggers off and changes a waiting event cannot make the
    chainer vouch for it: the seal, written with the event, no longer matches."""
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED, data={"amount": 1})
    with triggers_off():
        sql("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"amount": 2}', event.pk])
    chain_all()
    event.refresh_from_db()
    assert [(p.sequence, p.reason) for p in verify_chain()] == [
        (event.sequence, "content does not match its seal")
    ]


def test_an_event_inserted_without_the_key_is_detected(demo: Municipality) -> None:
    """A database writer without SSP_AUDIT_KEY can insert a row; it still does not verify."""
    genuine = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    genuine.refresh_from_db()
    forged = AuditEvent(
        occurred_at=genuine.occurred_at,
        action=AuditAction.CASE_VIEWED,
        hash_version=HashVersion.HMAC_SHA256_SEALED,
        nonce=genuine.nonce,
        seal="f" * 64,
    )
    forged.save()
    older_scheme = AuditEvent(occurred_at=genuine.occurred_at, action="x", hash_version=2)
    older_scheme.save()
    chain_all()
    forged.refresh_from_db()
    older_scheme.refresh_from_db()
    assert [(p.sequence, p.reason) for p in verify_chain()] == [
        (forged.sequence, "content does not match its seal"),
        (older_scheme.sequence, "unsealed event after sealed events"),
    ]


def test_a_copied_event_is_refused(demo: Municipality) -> None:
    genuine = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    genuine.refresh_from_db()
    copy = AuditEvent(
        occurred_at=genuine.occurred_at,
        action=genuine.action,
        hash_version=genuine.hash_version,
        nonce=genuine.nonce,
        seal=genuine.seal,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()


def test_verify_audit_chains_first_and_reports_what_waits(demo: Municipality, capsys: Any) -> None:
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    call_command("verify_audit", "--no-chain")
    out = capsys.readouterr().out
    assert "1 event(s) not yet chained" in out and "intact" in out
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "not yet chained" not in out and "intact" in out
    assert pending_events().count == 0


def test_verify_audit_warns_about_an_event_waiting_too_long(
    demo: Municipality, capsys: Any
) -> None:
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    long_ago = timezone.now() - PENDING_WARNING_AGE - timedelta(minutes=1)
    with triggers_off():
        sql("UPDATE audit_auditevent SET occurred_at = %s WHERE id = %s", [long_ago, event.pk])
    assert pending_events().is_overdue()
    call_command("verify_audit", "--no-chain")  # a warning, not a broken trail
    captured = capsys.readouterr()
    assert "Warning: 1 event(s) not yet chained" in captured.err
    assert "intact" in captured.out


def test_anchor_audit_anchors_the_newest_event_after_chaining_it(
    demo: Municipality, tmp_path: Path
) -> None:
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    anchors = tmp_path / "anchors"
    call_command("anchor_audit", "--file", str(anchors))
    event.refresh_from_db()
    assert f"sequence={event.sequence} hash={event.hash}" in anchors.read_text()


def test_chain_audit_chains_what_waits(demo: Municipality, capsys: Any) -> None:
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    call_command("chain_audit")
    assert "Chained 2 audit event(s); 0 waiting." in capsys.readouterr().out
    assert verify_chain() == []


def test_chain_audit_as_a_service_needs_a_positive_interval(demo: Municipality) -> None:
    with pytest.raises(CommandError, match="positive"):
        call_command("chain_audit", "--every", "0")


@postgresql_only
def test_the_trigger_lets_only_the_chain_fields_of_a_waiting_event_be_set_once(
    demo: Municipality,
) -> None:
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    head = AuditChainHead.objects.get(pk=HEAD_ID)
    refused: list[tuple[str, list[Any]]] = [
        # content changed together with the chain fields
        (
            "UPDATE audit_auditevent SET sequence = %s, previous_hash = %s, hash = %s, "
            "action = 'x' WHERE id = %s",
            [head.last_sequence + 1, head.last_hash, "a" * 64, event.pk],
        ),
        # only some of the chain fields
        (
            "UPDATE audit_auditevent SET sequence = %s WHERE id = %s",
            [head.last_sequence + 1, event.pk],
        ),
        # a position at or before the head
        (
            "UPDATE audit_auditevent SET sequence = %s, previous_hash = %s, hash = %s "
            "WHERE id = %s",
            [head.last_sequence, head.last_hash, "a" * 64, event.pk],
        ),
    ]
    for statement, params in refused:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement, params)
    chain_all()
    event.refresh_from_db()
    # Once chained, the chain fields are as fixed as the content.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["b" * 64, event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert verify_chain() == []


@postgresql_only
def test_an_app_role_with_update_on_the_chain_columns_only_can_chain(demo: Municipality) -> None:
    """The grants in docs/drift.md: the app role may set the chain columns, nothing else."""
    sql("DROP ROLE IF EXISTS ssp_chain_test")
    sql("CREATE ROLE ssp_chain_test")
    sql("GRANT SELECT, INSERT ON audit_auditevent TO ssp_chain_test")
    sql("GRANT UPDATE (sequence, previous_hash, hash) ON audit_auditevent TO ssp_chain_test")
    sql("GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO ssp_chain_test")
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    with transaction.atomic():
        sql("SET LOCAL ROLE ssp_chain_test")
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            sql("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
        assert chain_all() == 1
        sql("RESET ROLE")
    event.refresh_from_db()
    assert event.sequence is not None
    assert verify_chain() == []


@postgresql_only
def test_a_chainer_that_finds_the_lock_taken_returns_at_once(demo: Municipality) -> None:
    """After a commit nobody waits for the chain: with the head locked elsewhere the
    after-commit chaining returns at once and leaves the event to the lock holder."""
    event = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    locked, release = threading.Event(), threading.Event()

    def hold_the_head() -> None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    try:
        assert locked.wait(30)
        started = time.monotonic()
        assert chain_pending(wait=False) == 0
        chain_after_commit()
        assert time.monotonic() - started < 5
        event.refresh_from_db()
        assert event.sequence is None
    finally:
        release.set()
        holder.join()
    assert chain_pending() == 1


@postgresql_only
def test_the_barrier_catches_writers_that_wait_on_one_lock(demo: Municipality) -> None:
    """The check below can fail: writers that each take one global lock before the barrier
    (as `record_event` did with the head row) cannot all reach it."""
    barrier = threading.Barrier(3, timeout=2)
    broken: list[int] = []

    def write_under_a_global_lock() -> None:
        with transaction.atomic():
            sql("SELECT pg_advisory_xact_lock(1101)")
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                broken.append(1)

    at_once(*[write_under_a_global_lock] * 3)
    assert broken


@pytest.mark.django_db(transaction=True)
def test_fifty_writers_are_not_serialised_and_get_a_gapless_chain(demo: Municipality) -> None:
    """Fifty requests each write an event and, before committing, wait until all fifty have
    written theirs. With a global lock the first would hold it while waiting and the barrier
    would time out; without one all arrive. On SQLite, which serialises writers, the same calls
    run in turn (helpers_db.at_once), and the chain is asserted either way."""
    barrier = threading.Barrier(WRITERS if connection.vendor == "postgresql" else 1)
    broken: list[int] = []

    def writer(number: int) -> Callable[[], None]:
        def write() -> None:
            with transaction.atomic():
                record_event(actor=None, action=AuditAction.ADMIN_CHANGED, data={"writer": number})
                try:
                    barrier.wait(timeout=BARRIER_TIMEOUT)  # the transaction is still open
                except threading.BrokenBarrierError:
                    broken.append(number)

        return write

    at_once(*[writer(number) for number in range(WRITERS)])
    assert broken == [], f"{len(broken)} writers waited on each other"
    chain_all()
    written = AuditEvent.objects.filter(data__has_key="writer")
    assert sorted(written.values_list("data__writer", flat=True)) == list(range(WRITERS))
    chained = sorted(p for p in written.values_list("sequence", flat=True) if p is not None)
    assert len(chained) == WRITERS
    assert chained == list(range(chained[0], chained[0] + WRITERS))
    assert pending_events().count == 0
    assert verify_chain() == []
