"""The annual plan as Excel and PDF (R7): one row per activity with what the plan says, for
everyone who sees the plan; bounded; another municipality's plan is not found."""

from __future__ import annotations

import io
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ssp.access import get_actor
from ssp.http import XLSX
from ssp.organisation.models import Forum, Member, Municipality, PoliceDistrict, Unit
from ssp.prevention import export
from ssp.prevention.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AnnualPlan,
    FocusArea,
    Intervention,
    PlanStatus,
)

pytestmark = pytest.mark.django_db


def school_year_of(day: date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def oest_plan(demo: Municipality) -> AnnualPlan:
    """Lokal SSP Øst's plan for this school year (the demo's; made here when it has none yet),
    with at least the demo contract's "Oplæg om sociale medier" and an evaluated activity."""
    forum = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    year = school_year_of(timezone.localdate())
    plan, _created = AnnualPlan.objects.get_or_create(
        forum=forum,
        school_year=year,
        defaults={"municipality": demo, "status": PlanStatus.APPROVED},
    )
    if not plan.activities.filter(title="Oplæg om sociale medier").exists():
        soon = timezone.localdate() + timedelta(days=10)
        Activity.objects.create(
            plan=plan,
            municipality=demo,
            title="Oplæg om sociale medier",
            kind=ActivityKind.TALK,
            goal="Eleverne kender reglerne for deling af billeder.",
            target_group="Elever",
            class_from=7,
            class_to=7,
            unit=Unit.objects.filter(municipality=demo, name="Østskolen").first(),
            starts_on=soon,
            ends_on=soon,
            start_time=time(9, 0),
            end_time=time(10, 30),
            responsible=Member.objects.filter(municipality=demo, name="Mette Holm").first(),
            intervention=Intervention.objects.filter(municipality=demo).order_by("pk").first(),
        )
    if not plan.activities.filter(status=ActivityStatus.EVALUATED).exists():
        past = timezone.localdate() - timedelta(days=20)
        Activity.objects.create(
            plan=plan,
            municipality=demo,
            title="Forældremøde i 6. klasse",
            kind=ActivityKind.PARENT_EVENING,
            starts_on=past,
            ends_on=past,
            status=ActivityStatus.EVALUATED,
            reached=41,
            what_worked="Cases fra hverdagen",
            what_next="Gentag i foråret",
            focus_area=FocusArea.objects.filter(municipality=demo).first(),
        )
    return plan


def other_municipality() -> Municipality:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    return Municipality.objects.get_or_create(
        slug="andenby", defaults={"name": "Andenby", "police_district": district}
    )[0]


@pytest.mark.parametrize("role", ["koordinator", "laerer", "politiker", "boligsocial"])
def test_everyone_who_sees_the_plan_gets_it_as_excel(
    demo: Municipality, client_for: Any, role: str
) -> None:
    plan = oest_plan(demo)
    response = client_for(role).get(reverse("prevention:plan_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f"aarsplan-lokal-ssp-oest-{plan.school_year}-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("Fra dato", "Til dato", "Fra kl.", "Til kl.", "Aktivitet")
    assert "Ansvarlig" in header and "Hvad virkede" in header
    assert len(rows) == 1 + plan.activities.count()
    talk = next(row for row in rows if row[4] == "Oplæg om sociale medier")
    by_name = dict(zip(header, talk, strict=True))
    assert by_name["Type"] == "Oplæg"
    assert by_name["Klassetrin"] == "7. klasse"
    assert "Østskolen" in str(by_name["Skole eller sted"])
    assert by_name["Ansvarlig"] == "Mette Holm"
    assert by_name["Status"] == "Planlagt"
    evaluated = next(row for row in rows[1:] if row[header.index("Status")] == "Evalueret")
    assert evaluated[header.index("Antal nået")] is not None
    assert evaluated[header.index("Hvad virkede")]


def test_the_plan_as_pdf(demo: Municipality, client_for: Any) -> None:
    plan = oest_plan(demo)
    response = client_for("politiker").get(reverse("prevention:plan_pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('.pdf"')


def test_the_pdf_template_shows_the_activities(demo: Municipality) -> None:
    plan = oest_plan(demo)
    activities = list(plan.activities.all())
    html = render_to_string(
        "prevention/plan_pdf.html",
        {
            "plan": plan,
            "rows": [(a, export.place_of(a)) for a in activities],
            "truncated": False,
            "limit": export.EXPORT_MAX_ACTIVITIES,
            "printed_at": timezone.localtime(),
        },
    )
    assert "Oplæg om sociale medier" in html
    assert "Mette Holm" in html
    assert plan.school_year_label in html


def test_the_export_is_bounded(
    demo: Municipality, monkeypatch: pytest.MonkeyPatch, users: dict[str, User]
) -> None:
    plan = oest_plan(demo)
    monkeypatch.setattr(export, "EXPORT_MAX_ACTIVITIES", 1)
    found = export.plan_export(get_actor(users["koordinator"]), plan)
    assert len(found.activities) == 1
    assert found.truncated


def test_another_municipalitys_plan_is_not_found(demo: Municipality, client_for: Any) -> None:
    other = other_municipality()
    forum = Forum.objects.create(municipality=other, key="andenby-ssp", name="Andenby SSP")
    theirs = AnnualPlan.objects.create(municipality=other, forum=forum, school_year=2026)
    client = client_for("koordinator")
    assert client.get(reverse("prevention:plan_xlsx", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("prevention:plan_pdf", args=[theirs.pk])).status_code == 404


def test_the_excel_export_makes_the_same_queries_as_the_plan_grows(
    demo: Municipality, client_for: Any
) -> None:
    plan = oest_plan(demo)
    client = client_for("laerer")
    url = reverse("prevention:plan_xlsx", args=[plan.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    template = plan.activities.get(title="Oplæg om sociale medier")
    for n in range(20):
        template.pk = None
        template.form_token = None
        template.title = f"Ekstra {n}"
        template.save()
    assert queries() == before


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://example.invalid","klik")', "+1+1", "@SUM(A1)"]
)
def test_a_text_that_looks_like_a_formula_stays_text_in_excel(
    demo: Municipality, client_for: Any, text: str
) -> None:
    plan = oest_plan(demo)
    activity = plan.activities.order_by("pk").first()
    assert activity is not None
    Activity.objects.filter(pk=activity.pk).update(title=text)
    response = client_for("koordinator").get(reverse("prevention:plan_xlsx", args=[plan.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    titles = [row[4] for row in sheet.iter_rows(min_row=2)]
    cell = next(cell for cell in titles if cell.value == f"'{text}")
    assert cell.data_type == "s"  # a string, not a formula
