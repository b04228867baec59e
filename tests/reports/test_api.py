"""The reports API (R8): an annual report's tables as published (suppressed, no name), its
status, and the dashboard; 404 for a year without a report, 403 for roles outside reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.meetings.links import apply_decision
from ssp.organisation.models import Municipality
from ssp.reports.tables import SMALL
from tests.reports.test_reports import (
    CASES_TABLE,
    NOT_SEE,
    SEE,
    assert_no_names,
    last_year,
    make_report,
    move_cases_into_last_year,
    steering_item,
    test_figures,  # noqa: F401 (the autouse fixture: the test's publication)
)

pytestmark = pytest.mark.django_db


def annual(year: int) -> str:
    return f"/api/v1/reports/annual/{year}"


DASHBOARD = "/api/v1/reports/dashboard"


@pytest.mark.parametrize("role", sorted(SEE | NOT_SEE))
def test_every_role_gets_what_the_rules_say(
    client_for: Any, users: dict[str, User], role: str
) -> None:
    report = make_report(users)
    answer = client_for(role).get(annual(report.year))
    if role in SEE:
        assert answer.status_code == 200
        assert answer.json()["year"] == report.year
    else:
        assert answer.status_code in {403, 404}
    assert Client().get(annual(report.year)).status_code == 401


def test_the_report_as_json_is_suppressed_and_names_no_one(
    client_for: Any, users: dict[str, User]
) -> None:
    move_cases_into_last_year(3)
    report = make_report(users)
    answer = client_for("politiker").get(annual(report.year))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "draft" and body["approved_at"] is None
    table = next(table for table in body["tables"] if table["key"] == CASES_TABLE)
    assert table["cells"][0] == [SMALL]
    assert "3" not in [cell for row in table["cells"] for cell in row]
    assert_no_names(answer.content.decode())


def test_an_approved_report_answers_with_its_frozen_figures(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    move_cases_into_last_year(8)
    report = make_report(users)
    apply_decision(users["koordinator"], steering_item(users, demo, report))
    move_cases_into_last_year(4)
    body = client_for("koordinator").get(annual(report.year)).json()
    assert body["status"] == "approved" and body["approved_at"] is not None
    table = next(table for table in body["tables"] if table["key"] == CASES_TABLE)
    assert table["cells"][0] == ["8"]


def test_a_year_without_a_report_is_404_and_a_year_out_of_range_422(
    client_for: Any,
) -> None:
    client = client_for("koordinator")
    assert client.get(annual(last_year())).status_code == 404
    assert client.get(annual(99_999)).status_code == 422


def test_the_dashboard(client_for: Any) -> None:
    pytest.importorskip("ssp.reports.dashboard")
    answer = client_for("politiker").get(DASHBOARD)
    assert answer.status_code == 200
    assert isinstance(answer.json(), dict)
    assert_no_names(answer.content.decode())
    assert client_for("admin").get(DASHBOARD).status_code == 403
