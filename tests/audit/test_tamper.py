"""The audit trail cannot be erased silently (issue 9, reproduction 5).

Two kinds of attacker: one with the application's rights, whom the PostgreSQL triggers stop, and
the database owner, who can switch the triggers off (`session_replication_role = replica`) and
whom the keyed hashes, the head and the anchors outside the database catch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from ssp.audit.models import AuditAction, AuditChainHead, AuditEvent, HashVersion
from ssp.audit.services import (
    _canonical,
    _payload,
    chain_all,
    compute_hash,
    parse_anchors,
    record_event,
    verify_chain,
)
from ssp.cases.models import Case
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def truncate(table: str) -> None:
    if connection.vendor == "postgresql":
        # The test's own inserts have deferred foreign-key checks pending, which TRUNCATE
        # refuses; an attacker truncates in a transaction of their own.
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql(f"TRUNCATE {table}")
    else:
        sql(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name; SQLite has no TRUNCATE


@contextmanager
def as_database_owner_with_triggers_off() -> Iterator[None]:
    """What an attacker with the owner's rights does first: switch the triggers off."""
    if connection.vendor == "postgresql":
        sql("SET session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            sql("SET session_replication_role = DEFAULT")


def some_history() -> list[AuditEvent]:
    """A login (so users have logged in, as on any real installation) and a few events,
    chained (a test's transaction never commits, so nothing chains them after a commit)."""
    Client().post("/konto/login/", {"username": "laerer", "password": "demo"})
    events = [record_event(actor=None, action=AuditAction.ADMIN_CHANGED) for _ in range(3)]
    chain_all()
    for event in events:
        event.refresh_from_db()
    return events


def verify_audit_fails(*args: str) -> None:
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit", *args)


def test_repro_truncating_the_events_and_deleting_the_head_is_not_intact(
    demo: Municipality,
) -> None:
    some_history()
    with as_database_owner_with_triggers_off():
        truncate("audit_auditevent")
        sql("DELETE FROM audit_auditchainhead")
    assert AuditEvent.objects.count() == 0
    assert [p.reason for p in verify_chain()] == ["the trail is empty, but users have logged in"]
    verify_audit_fails()


def test_repro_truncating_the_events_is_detected_by_the_head(demo: Municipality) -> None:
    events = some_history()
    with as_database_owner_with_triggers_off():
        truncate("audit_auditevent")
    reasons = [p.reason for p in verify_chain()]
    assert f"all events were removed (the head is at {events[-1].sequence})" in reasons
    verify_audit_fails()


def test_repro_deleting_the_head_row_is_detected(demo: Municipality) -> None:
    events = some_history()
    with as_database_owner_with_triggers_off():
        sql("DELETE FROM audit_auditchainhead")
    problems = verify_chain()
    assert [(p.sequence, p.reason) for p in problems] == [
        (events[-1].sequence, "the chain head is missing")
    ]
    verify_audit_fails()


def test_repro_deleting_the_tail_and_rewinding_the_head_is_detected_by_the_anchor(
    demo: Municipality, tmp_path: Path, capsys: Any
) -> None:
    events = some_history()
    anchors = tmp_path / "audit-anchors.log"
    call_command("anchor_audit", "--file", str(anchors))
    kept = events[0]
    with as_database_owner_with_triggers_off():
        sql("DELETE FROM audit_auditevent WHERE sequence > %s", [kept.sequence])
        sql(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
            [kept.sequence, kept.hash],
        )
    # Consistent in itself: only the anchor outside the database shows the cut.
    assert verify_chain() == []
    capsys.readouterr()
    verify_audit_fails("--anchor", str(anchors))
    err = capsys.readouterr().err
    assert f"Event {events[-1].sequence}: anchored event is missing" in err
    assert "the chain was cut" in err


def test_repro_chain_hashes_are_keyed_so_a_forger_cannot_recompute_them(
    demo: Municipality,
) -> None:
    """Unkeyed SHA-256 could be recomputed by anyone who changed an event; HMAC cannot."""
    event = some_history()[1]
    forged = dict(_payload(event), action="test.forged", hash_version=2)
    forged_hash = hashlib.sha256(_canonical(forged)).hexdigest()
    with as_database_owner_with_triggers_off():
        sql(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
            ["test.forged", forged_hash, event.pk],
        )
    assert (event.sequence, "content does not match its hash") in [
        (p.sequence, p.reason) for p in verify_chain()
    ]


def test_rewriting_the_whole_chain_without_the_key_is_detected(demo: Municipality) -> None:
    """Passing every event off as an old unkeyed one: the newest event must be keyed."""
    some_history()
    with as_database_owner_with_triggers_off():
        previous = "0" * 64
        for event in AuditEvent.objects.order_by("sequence"):
            event.previous_hash = previous
            event.hash_version = HashVersion.SHA256
            event.hash = compute_hash(event)
            sql(
                "UPDATE audit_auditevent SET previous_hash = %s, hash_version = 1, hash = %s "
                "WHERE id = %s",
                [event.previous_hash, event.hash, event.pk],
            )
            previous = event.hash
        sql("UPDATE audit_auditchainhead SET last_hash = %s", [previous])
    assert [p.reason for p in verify_chain()] == [
        "the newest event is not keyed with SSP_AUDIT_KEY"
    ]


def test_events_hashed_with_another_key_do_not_verify(demo: Municipality, settings: Any) -> None:
    some_history()
    assert verify_chain() == []
    settings.SSP_AUDIT_KEY = "another-key-" + "x" * 40
    assert any(p.reason == "content does not match its hash" for p in verify_chain())


def test_unkeyed_events_from_before_the_key_verify_and_are_sealed_by_the_next_one(
    demo: Municipality,
) -> None:
    """Events written before the key keep their SHA-256 hash (the trail is not rewritten)."""
    before = some_history()
    with as_database_owner_with_triggers_off():
        # Make the trail look as it did before the key: every event unkeyed.
        previous = "0" * 64
        for event in AuditEvent.objects.order_by("sequence"):
            event.previous_hash = previous
            event.hash_version = HashVersion.SHA256
            event.hash = compute_hash(event)
            AuditEvent.objects.filter(pk=event.pk).update(
                previous_hash=event.previous_hash, hash_version=1, hash=event.hash
            )
            previous = event.hash
        AuditChainHead.objects.filter(pk=1).update(last_hash=previous)
    seal = record_event(actor=None, action=AuditAction.AUDIT_CHAIN_KEYED)
    chain_all()
    seal.refresh_from_db()
    assert before[-1].sequence is not None
    assert seal.sequence == before[-1].sequence + 1
    assert seal.hash_version == HashVersion.HMAC_SHA256_SEALED
    assert verify_chain() == []


def test_an_anchor_line_is_found_inside_a_syslog_line(demo: Municipality) -> None:
    event = some_history()[-1]
    line = (
        "Dec  1 03:00:01 ssp1 ssp-audit[4242]: ssp-audit-anchor at=2026-12-01T03:00:01+00:00 "
        f"sequence={event.sequence} hash={event.hash}"
    )
    anchors = parse_anchors(["unrelated line", line])
    assert [(a.sequence, a.hash) for a in anchors] == [(event.sequence, event.hash)]


def test_anchor_audit_writes_the_newest_position_and_verify_accepts_it(
    demo: Municipality, tmp_path: Path, capsys: Any
) -> None:
    newest = some_history()[-1]
    anchors = tmp_path / "anchors"
    call_command("anchor_audit", "--file", str(anchors))
    call_command("anchor_audit", "--file", str(anchors))
    lines = anchors.read_text().splitlines()
    assert len(lines) == 2
    assert f"sequence={newest.sequence} hash={newest.hash}" in lines[0]
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)  # the chain goes on
    capsys.readouterr()
    call_command("verify_audit", "--anchor", str(anchors))
    assert "intact" in capsys.readouterr().out


def test_anchor_audit_to_syslog(demo: Municipality, monkeypatch: Any) -> None:
    newest = some_history()[-1]
    sent: list[str] = []
    monkeypatch.setattr("syslog.syslog", lambda priority, message: sent.append(message))
    call_command("anchor_audit", "--syslog")
    assert len(sent) == 1
    assert f"sequence={newest.sequence} hash={newest.hash}" in sent[0]


def test_anchor_audit_refuses_to_anchor_a_broken_chain(demo: Municipality, tmp_path: Path) -> None:
    some_history()
    with as_database_owner_with_triggers_off():
        sql("DELETE FROM audit_auditchainhead")
    anchors = tmp_path / "anchors"
    with pytest.raises(CommandError, match="not anchoring"):
        call_command("anchor_audit", "--file", str(anchors))
    assert not anchors.exists()


def test_verify_with_a_file_that_holds_no_anchor_fails(demo: Municipality, tmp_path: Path) -> None:
    some_history()
    empty = tmp_path / "anchors"
    empty.write_text("nothing here\n")
    verify_audit_fails("--anchor", str(empty))


def test_an_untouched_empty_trail_verifies(db: None) -> None:
    """A new installation: no events, no head, nobody has logged in yet."""
    with as_database_owner_with_triggers_off():
        truncate("audit_auditevent")
        sql("DELETE FROM audit_auditchainhead")
        sql("UPDATE auth_user SET last_login = NULL")
    assert verify_chain() == []


@postgresql_only
def test_repro_truncate_is_refused_by_the_database(demo: Municipality) -> None:
    some_history()
    for table in ("audit_auditevent", "audit_auditchainhead"):
        with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
            sql("SET LOCAL ssp.test_database_flush = off")  # as outside the test runner
            truncate(table)
    assert verify_chain() == []


@postgresql_only
def test_repro_the_head_changes_only_by_appending(demo: Municipality) -> None:
    events = some_history()
    first, newest = events[0], events[-1]
    refused: list[tuple[str, list[Any], str]] = [
        ("DELETE FROM audit_auditchainhead", [], "cannot be deleted"),
        (
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
            [first.sequence, first.hash],
            "only moves forward",
        ),
        (
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
            [(newest.sequence or 0) + 5, "f" * 64],
            "only moves forward",
        ),
        (
            "INSERT INTO audit_auditchainhead (id, last_sequence, last_hash) VALUES (2, 0, %s)",
            ["0" * 64],
            "created once",
        ),
    ]
    for statement, params, message in refused:
        with pytest.raises(DatabaseError, match=message), transaction.atomic():
            sql(statement, params)
    # Appending and chaining still moves it.
    appended = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    chain_all()
    appended.refresh_from_db()
    assert AuditChainHead.objects.get(pk=1).last_sequence == appended.sequence
    assert verify_chain() == []


@postgresql_only
def test_the_database_owner_can_be_kept_out_of_the_trail_by_roles(demo: Municipality) -> None:
    """Sanity of the advice in docs/drift.md: a role without ownership cannot switch triggers
    off (session_replication_role needs a superuser)."""
    sql("DROP ROLE IF EXISTS ssp_app_test")
    sql("CREATE ROLE ssp_app_test")
    sql("GRANT SELECT, INSERT ON audit_auditevent TO ssp_app_test")
    sql("GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO ssp_app_test")
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("SET LOCAL ROLE ssp_app_test")
        sql("SET LOCAL session_replication_role = replica")
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("SET LOCAL ROLE ssp_app_test")
        sql("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")


def test_repro_views_carry_the_client_address(demo: Municipality, client_for: Any) -> None:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    client = client_for("koordinator")
    assert client.get(f"/sager/{case.pk}/", REMOTE_ADDR="192.0.2.17").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.CASE_VIEWED).order_by("-id")[0]
    assert event.ip_address == "192.0.2.17"
    assert verify_chain() == []


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    settings.SSP_PROXY_COUNT = 1
    case = Case.objects.order_by("pk").first()
    assert case is not None
    client_for("koordinator").get(
        f"/sager/{case.pk}/",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4",
    )
    event = AuditEvent.objects.filter(action=AuditAction.CASE_VIEWED).order_by("-id")[0]
    # The client's own entries (left) can be forged; the proxy's (right-most) is trusted.
    assert event.ip_address == "198.51.100.4"


def test_events_outside_a_request_have_no_address(demo: Municipality) -> None:
    assert record_event(actor=None, action=AuditAction.ADMIN_CHANGED).ip_address is None
