"""Marking a deadline met through its page (`police:deadline_met`): the member responsible and
SSP staff mark it; everyone else gets 403 or 404 and changes nothing; a missing date changes
nothing.

The demo's overdue family-meeting deadline for Emil is the social worker's; the teacher is
responsible for Sara's. Clients log in before an `unchanged()` block: a login itself writes
rows (last login, audit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import Municipality
from ssp.police.models import Deadline
from tests.helpers_db import SNAPSHOT_APPS, changes, snapshot, unchanged

REFUSED = {403, 404}
INVALID = 400  # the board again, with the reason above it
# A refused date re-renders the board, and showing the board is logged (it names children):
# the trail grows by that one view, nothing else changes.
WITHOUT_AUDIT = tuple(app for app in SNAPSHOT_APPS if app != "audit")

pytestmark = pytest.mark.django_db


def open_deadline_of(username: str) -> Deadline:
    deadline = (
        Deadline.objects.filter(responsible__user__username=username, met_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert deadline is not None
    return deadline


@pytest.fixture
def deadline(demo: Municipality) -> Deadline:
    return open_deadline_of("socialraadgiver")


def mark_met(client: Client, deadline: Deadline, met_on: str) -> Any:
    return client.post(
        reverse("police:deadline_met", kwargs={"pk": deadline.pk}), {"met_on": met_on}
    )


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def test_it_marks_the_deadline_met_by_the_member_responsible(
    deadline: Deadline, client_for: Any
) -> None:
    events = AuditEvent.objects.filter(action=AuditAction.DEADLINE_MET).count()
    response = mark_met(client_for("socialraadgiver"), deadline, yesterday())
    assert response.status_code == 302
    assert response["Location"] == reverse("police:deadlines")
    deadline.refresh_from_db()
    assert deadline.met_on is not None
    assert deadline.met_on.isoformat() == yesterday()
    assert AuditEvent.objects.filter(action=AuditAction.DEADLINE_MET).count() == events + 1


def test_it_lets_ssp_staff_mark_any_deadline(deadline: Deadline, client_for: Any) -> None:
    response = mark_met(client_for("koordinator"), deadline, yesterday())
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.met_on is not None


def test_it_hides_another_member_s_deadline(deadline: Deadline, client_for: Any) -> None:
    """The teacher has deadlines of his own, but not this one."""
    assert open_deadline_of("laerer") != deadline
    client = client_for("laerer")
    with unchanged():
        response = mark_met(client, deadline, yesterday())
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["politi", "boligsocial", "politiker", "admin"])
def test_it_refuses_roles_without_the_deadline(
    deadline: Deadline, client_for: Any, role: str
) -> None:
    client = client_for(role)
    with unchanged():
        response = mark_met(client, deadline, yesterday())
    assert response.status_code in REFUSED


def refused_on_the_board(client: Client, deadline: Deadline, met_on: str) -> str:
    """Post `met_on`; assert the board comes back (400) and only its view was logged."""
    before = snapshot(WITHOUT_AUDIT)
    events = AuditEvent.objects.count()
    response = mark_met(client, deadline, met_on)
    assert response.status_code == INVALID
    assert changes(before, snapshot(WITHOUT_AUDIT)) == []
    added = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - events]
    assert [event.action for event in added] == [AuditAction.DEADLINES_VIEWED]
    html: str = response.content.decode()
    assert 'data-testid="deadline-board"' in html
    return html


def test_it_requires_the_date(deadline: Deadline, client_for: Any) -> None:
    html = refused_on_the_board(client_for("socialraadgiver"), deadline, "")
    assert "Dette felt er påkrævet." in html


def test_it_rejects_a_date_that_is_not_a_date(deadline: Deadline, client_for: Any) -> None:
    html = refused_on_the_board(client_for("socialraadgiver"), deadline, "i går")
    assert 'data-testid="form-errors"' in html


def test_repro_a_refused_deadline_date_keeps_the_user_on_the_board(
    deadline: Deadline, client_for: Any
) -> None:
    """Not the dead-end error page: the board, with the service's reason above it."""
    before_start = (deadline.starts_on - timedelta(days=1)).isoformat()
    html = refused_on_the_board(client_for("socialraadgiver"), deadline, before_start)
    assert "Fristen blev ikke markeret som overholdt" in html
    assert "Datoen må ikke ligge før" in html
    assert "Det kunne ikke lade sig gøre" not in html


def test_repro_marking_a_deadline_met_twice_marks_it_once(
    deadline: Deadline, client_for: Any
) -> None:
    client = client_for("socialraadgiver")
    events = AuditEvent.objects.filter(action=AuditAction.DEADLINE_MET).count()
    assert mark_met(client, deadline, yesterday()).status_code == 302
    today = timezone.localdate().isoformat()
    assert mark_met(client, deadline, today).status_code == 302
    deadline.refresh_from_db()
    assert deadline.met_on is not None
    assert deadline.met_on.isoformat() == yesterday()  # the first date stays
    assert AuditEvent.objects.filter(action=AuditAction.DEADLINE_MET).count() == events + 1
