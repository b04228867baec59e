"""The audit trail: append-only, hash-chained; logins, logouts and organisation changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from ssp.audit.models import AppendOnlyError, AuditAction, AuditEvent
from ssp.audit.services import chain_all, record_event, verify_chain
from ssp.organisation.models import Forum, Municipality

pytestmark = pytest.mark.django_db


def test_a_fresh_chain_verifies(demo: Municipality, capsys: Any) -> None:
    record_event(actor=None, action=AuditAction.ADMIN_CREATED)
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    assert verify_chain() == []
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_each_event_links_to_the_previous_one(demo: Municipality) -> None:
    first = record_event(actor=None, action=AuditAction.ADMIN_CREATED)
    second = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    chain_all()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sequence is not None
    assert second.sequence == first.sequence + 1
    assert second.previous_hash == first.hash


def test_events_cannot_be_changed_or_deleted_through_the_orm(demo: Municipality) -> None:
    event = record_event(actor=None, action=AuditAction.ADMIN_CREATED)
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        event.save()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        event.delete()


def _tamper(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_tampering_in_the_database_is_detected(demo: Municipality) -> None:
    event = record_event(actor=None, action=AuditAction.ADMIN_CREATED, data={"amount": 1})
    record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    chain_all()
    event.refresh_from_db()
    if connection.vendor == "postgresql":
        # The database itself refuses: a trigger makes the table append-only.
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", event.pk])
        # A database superuser can still switch triggers off; the hash chain catches that.
        _tamper("SET session_replication_role = replica", [])
        _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.forged", event.pk])
        _tamper("SET session_replication_role = DEFAULT", [])
    else:
        _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.forged", event.pk])
    problems = verify_chain()
    assert [p.sequence for p in problems] == [event.sequence]
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


def test_removing_the_last_event_is_detected(demo: Municipality) -> None:
    record_event(actor=None, action=AuditAction.ADMIN_CREATED)
    last = record_event(actor=None, action=AuditAction.ADMIN_CHANGED)
    chain_all()
    if connection.vendor == "postgresql":
        _tamper("SET session_replication_role = replica", [])
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    if connection.vendor == "postgresql":
        _tamper("SET session_replication_role = DEFAULT", [])
    assert any("removed" in p.reason for p in verify_chain())


def test_login_logout_and_failed_login_are_events(demo: Municipality) -> None:
    client = Client()
    client.post("/konto/login/", {"username": "laerer", "password": "forkert"})
    client.post("/konto/login/", {"username": "laerer", "password": "demo"})
    client.post("/konto/logout/")
    actions = list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[:3])
    assert actions == ["auth.logout", "auth.login", "auth.login_failed"]
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor_label == "laerer"


def test_an_organisation_change_in_the_admin_is_an_event(
    demo: Municipality, client_for: Any
) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    client = client_for("admin")
    page = client.get(f"/admin/organisation/forum/{forum.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        key: ("" if value is None else value)
        for key, value in form.initial.items()
        if key in form.fields
    }
    data.update(
        {
            "name": "SSP-teamet (nyt navn)",
            "standing_items": "[]",
            "seats-TOTAL_FORMS": "0",
            "seats-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(f"/admin/organisation/forum/{forum.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED)
    assert event.object_type == "organisation.forum"
    assert event.object_id == str(forum.pk)
    assert event.object_repr == f"organisation.forum:{forum.pk}"
    assert "name" in event.data["fields"]
    assert event.actor_label == "admin"
