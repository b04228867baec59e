"""Only the police's SSP contact among the police corrects reports (issue 16): an officer who is
an authority person but not the SSP contact of a police unit (the demo's police leader in the
steering group) gets neither the list nor a report."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from ssp.access import get_actor
from ssp.organisation.models import Municipality, Unit, UnitKind
from ssp.police import access as police_access
from ssp.police.models import PoliceReport

pytestmark = pytest.mark.django_db


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_police_contact_corrects_and_another_officer_does_not(demo: Municipality) -> None:
    report = PoliceReport.objects.order_by("pk").first()
    assert report is not None
    contact = User.objects.get(username="politi")
    leader = User.objects.get(username="politileder")
    assert police_access.can_correct_report(get_actor(contact))
    assert not police_access.can_correct_report(get_actor(leader))
    for path in (
        reverse("police:reports"),
        reverse("police:report", kwargs={"pk": report.pk}),
        reverse("police:report_correct", kwargs={"pk": report.pk}),
    ):
        assert logged_in("politi").get(path).status_code == 200, path
        assert logged_in("politileder").get(path).status_code == 403, path
    response = logged_in("politileder").post(
        reverse("police:report_withdraw", kwargs={"pk": report.pk}), {"reason": "Fejl"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status != "withdrawn"


def test_the_contact_loses_the_right_with_the_unit(demo: Municipality) -> None:
    Unit.objects.filter(municipality=demo, kind=UnitKind.POLICE_STATION).update(ssp_contact=None)
    assert not police_access.can_correct_report(get_actor(User.objects.get(username="politi")))
    assert logged_in("politi").get(reverse("police:reports")).status_code == 403


def test_the_list_shows_the_newest_reports_up_to_its_bound_and_says_so(
    demo: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssp.police import selectors

    monkeypatch.setattr(selectors, "CORRECTION_LIST_MAX", 2)
    page = logged_in("koordinator").get(reverse("police:reports"))
    newest = PoliceReport.objects.filter(municipality=demo).order_by("-received_on", "-pk")
    shown = [report.pk for report in page.context["reports"]]
    assert shown == [report.pk for report in newest[:2]]
    assert page.context["page"].paginator.count == 2
    assert "Søg på journalnummer eller modtagelsesdato" in page.content.decode()
