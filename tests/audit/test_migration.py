"""Events written before the key keep their unkeyed hashes; the migration seals them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent, HashVersion
from ssp.audit.services import GENESIS_HASH, record_event, verify_chain

BEFORE_THE_KEY = [("audit", "0002_append_only_trigger")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def legacy_hash(payload: dict[str, object]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_the_unkeyed_events_of_an_existing_trail_are_sealed_by_a_keyed_one() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    executor = migrate(BEFORE_THE_KEY)
    apps = executor.loader.project_state(BEFORE_THE_KEY).apps
    OldEvent = apps.get_model("audit", "AuditEvent")
    OldHead = apps.get_model("audit", "AuditChainHead")
    previous = GENESIS_HASH
    for sequence in (1, 2, 3):
        occurred_at = timezone.now().replace(microsecond=0)
        payload: dict[str, Any] = {
            "sequence": sequence,
            "occurred_at": occurred_at,
            "actor_id": None,
            "actor_label": "",
            "action": "admin.changed",
            "object_type": "",
            "object_id": "",
            "object_repr": "",
            "municipality_id": None,
            "subject_ref": "",
            "purpose": "",
            "data": {},
            "ip_address": None,
            "previous_hash": previous,
        }
        digest = legacy_hash({**payload, "occurred_at": occurred_at.isoformat()})
        OldEvent.objects.create(**payload, hash=digest)
        previous = digest
    OldHead.objects.create(pk=1, last_sequence=3, last_hash=previous)

    migrate(latest)

    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.hash_version for e in events] == [HashVersion.SHA256] * 3 + [HashVersion.HMAC_SHA256]
    assert events[-1].action == AuditAction.AUDIT_CHAIN_KEYED
    assert events[-1].previous_hash == previous
    assert verify_chain() == []
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    assert verify_chain() == []
