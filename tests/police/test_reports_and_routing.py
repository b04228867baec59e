"""Reports registered by hand and the weekly review's routing: dates that can have happened,
one routing per report however often the form is posted, and errors that keep the user on the
report's routing page with what was chosen."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.cpr import parse_cpr
from ssp.cases.models import Concern, ConcernSource
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality
from ssp.police import services
from ssp.police.models import Deadline, DeadlineKind, PoliceReport, ReportStatus, Routing

pytestmark = pytest.mark.django_db

HAND = {
    "cpr": "101012-4222",
    "name": "Hans Hånd",
    "time": "18:00",
    "offence": "Vold",
    "reference": "H-1",
}


def waiting_report() -> PoliceReport:
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    return report


def social_worker() -> Member:
    return Member.objects.get(user__username="socialraadgiver")


def routing_post(report: PoliceReport, **fields: Any) -> dict[str, Any]:
    social = social_worker()
    data = {
        "routing": Routing.SOCIAL_WORKER,
        "member": social.pk,
        "home_contact": social.pk,
        "raise_concern": "on",
        **fields,
    }
    return {f"r{report.pk}-{name}": value for name, value in data.items() if value is not None}


def route(client: Client, report: PoliceReport, **fields: Any) -> Any:
    return client.post(f"/politi/rapporter/{report.pk}/fordel/", routing_post(report, **fields))


# --- Reports entered by hand ------------------------------------------------------------------


def test_repro_a_crime_date_in_the_future_is_a_form_error(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post("/politi/ny/", {**HAND, "date": tomorrow.isoformat()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datoen må ikke ligge efter" in html
    assert 'value="Hans Hånd"' in html  # what was typed is kept
    assert not PoliceReport.objects.filter(police_reference="H-1").exists()


def test_repro_a_crime_later_today_is_a_form_error(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for("koordinator")
    real = timezone.localtime()
    # The clock stands at 23:00 at the latest, so that a later minute of today always exists.
    now = min(real, real.replace(hour=23, minute=0, second=0, microsecond=0))
    monkeypatch.setattr(timezone, "now", lambda: now)
    later = (now + timedelta(minutes=2)).strftime("%H:%M")
    response = client.post("/politi/ny/", {**HAND, "date": now.date().isoformat(), "time": later})
    assert response.status_code == 400
    assert "Gerningstidspunktet ligger i fremtiden." in response.content.decode()


def test_repro_a_crime_in_year_one_is_a_form_error(demo: Municipality, client_for: Any) -> None:
    response = client_for("koordinator").post("/politi/ny/", {**HAND, "date": "0001-01-01"})
    assert response.status_code == 400
    assert "Datoen må ikke ligge før" in response.content.decode()
    assert client_for("koordinator").get("/politi/").status_code == 200


def test_the_service_refuses_a_crime_in_the_future(
    demo: Municipality, users: dict[str, User]
) -> None:
    """The rule holds for every caller, not only the page's form."""
    digits, birth = parse_cpr(HAND["cpr"])
    row = {
        "cpr": digits,
        "birth": birth,
        "first_name": "Hans",
        "last_name": "Hånd",
        "date": timezone.localdate() + timedelta(days=3),
        "time": time(12),
        "offence": "Vold",
        "reference": "H-9",
        "description": "",
    }
    with pytest.raises(DomainError, match="må ikke ligge efter"):
        services.register_report(actor_user=users["koordinator"], row=row)
    assert not PoliceReport.objects.filter(police_reference="H-9").exists()


# --- Routing ----------------------------------------------------------------------------------


def test_repro_routing_the_same_report_twice_gives_one_concern_and_one_deadline(
    demo: Municipality, client_for: Any
) -> None:
    """A double click (or a second tab): the second post ends where the first did, on the
    review page, and is told the report is routed; nothing is created twice."""
    report = waiting_report()
    client: Client = client_for("koordinator")
    concerns = Concern.objects.filter(source=ConcernSource.POLICE).count()
    first = route(client, report)
    second = route(client, report)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == "/politi/"
    assert Concern.objects.filter(source=ConcernSource.POLICE).count() == concerns + 1
    assert Deadline.objects.filter(report=report, kind=DeadlineKind.FAMILY_MEETING).count() == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.POLICE_REPORT_ROUTED, object_id=str(report.pk)
        ).count()
        == 1
    )
    page = client.get("/politi/").content.decode()
    assert "Rapporten er allerede fordelt." in page


def test_repro_a_refused_routing_keeps_the_user_on_the_review_with_the_reason(
    demo: Municipality, client_for: Any
) -> None:
    """The service refuses (no local group chosen): the report's routing page comes back with
    the reason and the choices made, not the dead-end error page."""
    report = waiting_report()
    social = social_worker()
    response = route(client_for("koordinator"), report, routing=Routing.LOCAL_GROUP, member=None)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vælg lokalgruppen." in html
    assert "Det kunne ikke lade sig gøre" not in html
    assert 'data-testid="route-report"' in html
    assert report.young_person.full_name in html
    # The home contact chosen is shown again, chosen, in its picker.
    assert re.search(
        rf'name="r{report.pk}-home_contact" value="{social.pk}" id="[^"]+" checked>', html
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.WAITING


def test_an_incomplete_routing_form_shows_the_missing_field(
    demo: Municipality, client_for: Any
) -> None:
    report = waiting_report()
    response = route(client_for("koordinator"), report, home_contact=None)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dette felt er påkrævet." in html
    assert 'data-testid="form-errors"' in html


@pytest.mark.parametrize("when", ["tomorrow", "before the crime"])
def test_repro_a_report_is_presented_after_the_crime_and_not_in_the_future(
    demo: Municipality, users: dict[str, User], when: str
) -> None:
    report = waiting_report()
    social = social_worker()
    crime = timezone.localtime(report.incident_at).date()
    presented = (
        timezone.localdate() + timedelta(days=1)
        if when == "tomorrow"
        else crime - timedelta(days=1)
    )
    with pytest.raises(DomainError, match="Datoen må ikke ligge"):
        services.route_report(
            actor_user=users["koordinator"],
            report=report,
            data=services.RoutingData(
                routing=Routing.SOCIAL_WORKER, home_contact=social, member=social
            ),
            presented_on=presented,
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.WAITING
