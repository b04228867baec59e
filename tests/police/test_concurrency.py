"""Race-safe R5 transitions on PostgreSQL: six sessions routing the same report at once give one
routing (one concern, one deadline); six calling a council for one deadline give one council.

Real threads with their own connections, so only PostgreSQL (row locks) is meaningful; SQLite
skips. CI runs on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Concern, ConcernSource
from ssp.organisation.models import Member, Municipality
from ssp.police.models import (
    Deadline,
    DeadlineKind,
    NetworkCouncil,
    PoliceReport,
    ReportStatus,
    Routing,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
    ),
]

SESSIONS = 6


def at_once(clients: list[Client], post: Callable[[Client], Any]) -> list[int]:
    """Run `post` for every client in its own thread, released together; the status codes."""
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            start.wait()
            statuses.append(post(client).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_repro_six_concurrent_routings_of_one_report_give_one_routing(
    demo: Municipality, client_for: Any
) -> None:
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    social = Member.objects.get(user__username="socialraadgiver")
    data = {
        f"r{report.pk}-routing": Routing.SOCIAL_WORKER,
        f"r{report.pk}-member": social.pk,
        f"r{report.pk}-home_contact": social.pk,
        f"r{report.pk}-raise_concern": "on",
    }
    concerns = Concern.objects.filter(source=ConcernSource.POLICE).count()
    clients = [client_for("koordinator") for _session in range(SESSIONS)]

    statuses = at_once(clients, lambda c: c.post(f"/politi/rapporter/{report.pk}/fordel/", data))

    assert statuses == [302] * SESSIONS  # each lands on the review page
    assert Concern.objects.filter(source=ConcernSource.POLICE).count() == concerns + 1
    assert Deadline.objects.filter(report=report, kind=DeadlineKind.FAMILY_MEETING).count() == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.POLICE_REPORT_ROUTED, object_id=str(report.pk)
        ).count()
        == 1
    )


def test_repro_six_concurrent_calls_of_a_council_give_one_council(
    demo: Municipality, client_for: Any
) -> None:
    deadline = Deadline.objects.get(kind=DeadlineKind.NETWORK_COUNCIL, met_on__isnull=True)
    social = Member.objects.get(user__username="socialraadgiver")
    meeting = timezone.localdate() + timedelta(days=1)
    data = {
        "meeting_at": f"{meeting:%Y-%m-%d}T15:00",
        "place": "Rådhuset, mødelokale 2",  # issue 16: required
        "professionals": [social.pk],
        "late_reason": "Familien kunne ikke før.",
    }
    clients = [client_for("koordinator") for _session in range(SESSIONS)]

    statuses = at_once(clients, lambda c: c.post(f"/frister/{deadline.pk}/netvaerkssamraad/", data))

    assert statuses == [302] * SESSIONS
    assert NetworkCouncil.objects.filter(deadline=deadline).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.COUNCIL_CALLED).count() == 2  # + demo
