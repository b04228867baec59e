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
from tests.helpers_db import unchanged

REFUSED = {403, 404}
INVALID = 400  # a DomainError page (ssp/errors.py)

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


def test_it_requires_the_date(deadline: Deadline, client_for: Any) -> None:
    client = client_for("socialraadgiver")
    with unchanged():
        response = mark_met(client, deadline, "")
    assert response.status_code == INVALID


def test_it_rejects_a_date_that_is_not_a_date(deadline: Deadline, client_for: Any) -> None:
    client = client_for("socialraadgiver")
    with unchanged():
        response = mark_met(client, deadline, "i går")
    assert response.status_code == INVALID
