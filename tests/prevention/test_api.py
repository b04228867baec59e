"""The prevention API (R7): the demo catalogue and staircase, its filters, its scope and its
answers to those who may not read it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.organisation.models import Forum, Member, Municipality, PoliceDistrict, Unit
from ssp.organisation.services import load_preset
from ssp.prevention import api
from ssp.prevention.models import (
    Activity,
    AnnualPlan,
    FocusArea,
    Intervention,
    Project,
    StaircaseStep,
)
from ssp.prevention.presets import install_prevention_preset

pytestmark = pytest.mark.django_db

INTERVENTIONS = "/api/v1/prevention/interventions"
STEPS = "/api/v1/prevention/steps"
ACTIVE_DEMO = {
    "Cool Kids",
    "Forældrefiduser",
    "Gadeteam",
    "Mentorforløb",
    "Pop-up sport",
    "Sociale medier og gode vaner på nettet",
    "SSP deltagelse på blå mandag",
}


def names(client: Client, query: str = "") -> list[str]:
    """The names listed, in the API's order (by name, in the database's collation)."""
    response = client.get(f"{INTERVENTIONS}{query}")
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()]


def name_set(client: Client, query: str = "") -> set[str]:
    return set(names(client, query))


@pytest.mark.parametrize("role", ["koordinator", "laerer", "boligsocial", "politiker"])
def test_it_gives_every_member_the_demo_catalogue(
    demo: Municipality, client_for: Any, role: str
) -> None:
    assert name_set(client_for(role)) == ACTIVE_DEMO


def test_an_intervention_has_its_steps_ages_provider_and_contact(
    demo: Municipality, client_for: Any
) -> None:
    listed = client_for("laerer").get(INTERVENTIONS).json()
    cool_kids = next(item for item in listed if item["name"] == "Cool Kids")
    assert cool_kids == {
        "id": Intervention.objects.get(municipality=demo, name="Cool Kids").pk,
        "name": "Cool Kids",
        "steps": [2],
        "age_min": 7,
        "age_max": 12,
        "target_group": "Børn med angst og deres forældre",
        "description": cool_kids["description"],
        "provider_unit": "Familie- og Ungeindsatsen",
        "contact": "Karin Lund",
        "how_to_refer": cool_kids["how_to_refer"],
        "capacity": "To hold à otte børn pr. halvår",
        "material": cool_kids["material"],
        "active": True,
    }
    assert cool_kids["description"] and cool_kids["how_to_refer"]
    gadeteam = next(item for item in listed if item["name"] == "Gadeteam")
    assert gadeteam["steps"] == [2, 3]


def test_it_filters_by_age_step_and_words(demo: Municipality, client_for: Any) -> None:
    client = client_for("laerer")
    assert names(client, "?age=8&step=2") == ["Cool Kids"]
    assert name_set(client, "?step=1") == {
        "Forældrefiduser",
        "Sociale medier og gode vaner på nettet",
        "SSP deltagelse på blå mandag",
    }
    assert names(client, "?step=3") == ["Gadeteam", "Mentorforløb"]
    assert "Cool Kids" not in name_set(client, "?age=15")
    assert "SSP deltagelse på blå mandag" in name_set(client, "?age=15&step=1")
    assert names(client, "?q=angst") == ["Cool Kids"]
    assert names(client, "?q=angst%00") == ["Cool Kids"]  # a stray control character goes
    assert names(client, "?age=8&step=3") == []


def test_inactive_interventions_are_listed_only_when_asked(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("politiker")
    assert "Natteravne" not in names(client)
    listed = client.get(f"{INTERVENTIONS}?inactive=true").json()
    assert [item["active"] for item in listed if item["name"] == "Natteravne"] == [False]


@pytest.mark.parametrize("query", ["?age=31", "?age=-1", "?step=0", "?step=10", "?age=x"])
def test_a_filter_out_of_range_is_refused(demo: Municipality, client_for: Any, query: str) -> None:
    assert client_for("laerer").get(f"{INTERVENTIONS}{query}").status_code == 422


def test_a_too_long_search_is_refused(demo: Municipality, client_for: Any) -> None:
    assert client_for("laerer").get(f"{INTERVENTIONS}?q={'a' * 101}").status_code == 422


def test_the_detail_gives_one_intervention_in_use_or_not(
    demo: Municipality, client_for: Any
) -> None:
    paused = Intervention.objects.get(municipality=demo, name="Natteravne")
    response = client_for("boligsocial").get(f"{INTERVENTIONS}/{paused.pk}")
    assert response.status_code == 200
    data = response.json()
    assert (data["name"], data["active"], data["steps"]) == ("Natteravne", False, [2])
    assert data["provider_unit"] == "Ungdomsklubben Øst"


def test_another_municipalitys_intervention_is_404(demo: Municipality, client_for: Any) -> None:
    halsnaes = load_preset(name="halsnaes").municipality
    install_prevention_preset(municipality=halsnaes, preset_name="halsnaes")
    other = Intervention.objects.get(municipality=halsnaes, name="Gadeteam")
    client = client_for("koordinator")
    assert client.get(f"{INTERVENTIONS}/{other.pk}").status_code == 404
    assert client.get(f"{INTERVENTIONS}/{10**12}").status_code == 404
    assert "Cyberhus" not in names(client, "?inactive=true")
    assert len(client.get(STEPS).json()) == 3


def test_the_steps_have_goals_levels_and_counts_of_active_interventions(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("politiker").get(STEPS)
    assert response.status_code == 200
    assert [(s["number"], s["level"], s["interventions"]) for s in response.json()] == [
        (1, "general", 3),
        (2, "specific", 3),  # Cool Kids, Gadeteam, Pop-up sport; not the paused Natteravne
        (3, "individual", 2),
    ]
    assert all(step["goal"] for step in response.json())


@pytest.mark.parametrize(
    "url", [INTERVENTIONS, f"{INTERVENTIONS}/1", STEPS, f"{INTERVENTIONS}?age=8"]
)
def test_anonymous_gets_401(demo: Municipality, url: str) -> None:
    assert Client().get(url).status_code == 401


def test_a_user_without_a_role_gets_403(demo: Municipality) -> None:
    client = Client()
    client.force_login(User.objects.create_user(username="udenrolle", password="x"))
    paused = Intervention.objects.get(municipality=demo, name="Natteravne")
    for url in (INTERVENTIONS, f"{INTERVENTIONS}/{paused.pk}", STEPS):
        assert client.get(url).status_code == 403


def test_the_supervisor_reads_the_catalogue(demo: Municipality, client_for: Any) -> None:
    """Prevention holds no personal data: the supervision's role in the municipality reads it."""
    assert name_set(client_for("tilsyn")) == ACTIVE_DEMO


def _add_interventions(municipality: Municipality, count: int, start: int) -> None:
    steps = list(StaircaseStep.objects.filter(municipality=municipality))
    unit = Unit.objects.filter(municipality=municipality).first()
    contact = Member.objects.filter(municipality=municipality).first()
    for index in range(start, start + count):
        intervention = Intervention.objects.create(
            municipality=municipality,
            name=f"Ekstra indsats {index:03d}",
            age_min=10,
            age_max=16,
            provider_unit=unit,
            contact=contact,
        )
        intervention.steps.set(steps[: 1 + index % len(steps)])


def test_the_list_takes_the_same_number_of_queries_as_the_catalogue_grows(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    client.get(INTERVENTIONS)  # the session and the actor, read once

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(INTERVENTIONS).status_code == 200
        return len(context.captured_queries)

    few = queries()
    _add_interventions(demo, 40, start=0)
    assert queries() == few
    _add_interventions(demo, 80, start=40)
    assert queries() == few


def test_the_list_comes_in_pages(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for("laerer")
    everything = names(client)
    monkeypatch.setattr(api, "API_PAGE_SIZE", 5)
    first = names(client, "?page=1")
    second = names(client, "?page=2")
    assert (first, second) == (everything[:5], everything[5:])
    assert len(everything) == len(ACTIVE_DEMO)
    assert names(client, "?page=99") == second  # beyond the end: the last page


def test_the_openapi_document_lists_the_endpoints(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/prevention/interventions",
        "/api/v1/prevention/interventions/{intervention_id}",
        "/api/v1/prevention/steps",
    } <= set(paths)


# --- Focus areas, plans, activities, projects (the demo contract) -----------------------------

FOCUS_AREAS = "/api/v1/prevention/focus-areas"
PLANS = "/api/v1/prevention/plans"
ACTIVITIES = "/api/v1/prevention/activities"
PROJECTS = "/api/v1/prevention/projects"


def _school_year(day: date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _json(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("role", ["koordinator", "laerer", "politiker"])
def test_the_demo_focus_areas_are_listed(demo: Municipality, client_for: Any, role: str) -> None:
    listed = _json(client_for(role), FOCUS_AREAS)
    titles = {item["title"] for item in listed if item["forum"] == "styregruppe"}
    assert {"Fravær", "Fritidsjob"} <= titles
    fravaer = next(item for item in listed if item["title"] == "Fravær")
    this_year = _school_year(timezone.localdate())
    assert fravaer["starts_on"] == f"{this_year}-08-01"
    assert fravaer["ends_on"] == f"{this_year + 1}-07-31"
    assert fravaer["decided_at"] is not None


def test_the_demo_plans_are_listed_and_filtered(demo: Municipality, client_for: Any) -> None:
    client = client_for("laerer")
    this_year = _school_year(timezone.localdate())
    last = _json(client, f"{PLANS}?school_year={this_year - 1}")
    assert {plan["forum"] for plan in last} >= {
        "lokal-ssp-oest",
        "lokal-ssp-midt",
        "lokal-ssp-vest",
    }
    assert all(plan["status"] == "approved" for plan in last if plan["forum"].startswith("lokal"))
    current = {plan["forum"]: plan for plan in _json(client, f"{PLANS}?school_year={this_year}")}
    assert current["lokal-ssp-oest"]["status"] == "approved"
    assert current["lokal-ssp-midt"]["status"] == "draft"
    assert "lokal-ssp-vest" not in current
    oest = _json(client, f"{PLANS}?forum=lokal-ssp-oest")
    assert {plan["school_year"] for plan in oest} >= {this_year, this_year - 1}
    assert _json(client, f"{PLANS}?forum=findes-ikke") == []


def test_a_plan_comes_with_its_activities(demo: Municipality, client_for: Any) -> None:
    client = client_for("politiker")
    this_year = _school_year(timezone.localdate())
    (listed,) = _json(client, f"{PLANS}?school_year={this_year}&forum=lokal-ssp-oest")
    plan = _json(client, f"{PLANS}/{listed['id']}")
    titles = [activity["title"] for activity in plan["activities"]]
    assert "Oplæg om sociale medier" in titles
    talk = next(a for a in plan["activities"] if a["title"] == "Oplæg om sociale medier")
    assert (talk["class_from"], talk["unit"], talk["responsible"]) == (7, "Østskolen", "Mette Holm")
    assert talk["start_time"] is None or re.fullmatch(r"\d\d:\d\d", talk["start_time"])
    statuses = {activity["status"] for activity in plan["activities"]}
    assert {"planned", "done", "evaluated"} <= statuses
    dates = [activity["starts_on"] for activity in plan["activities"]]
    assert dates == sorted(dates)


def test_activities_are_filtered_by_dates_and_paginated(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for("boligsocial")
    today = timezone.localdate()
    soon = _json(
        client,
        f"{ACTIVITIES}?from={today.isoformat()}&to={(today + timedelta(days=30)).isoformat()}",
    )
    assert "Oplæg om sociale medier" in {a["title"] for a in soon}
    assert len(soon) >= 2
    assert all(today.isoformat() <= a["ends_on"] for a in soon)
    everything = _json(client, ACTIVITIES)
    assert len(everything) > len(soon)
    monkeypatch.setattr(api, "API_PAGE_SIZE", 3)
    first, second = _json(client, f"{ACTIVITIES}?page=1"), _json(client, f"{ACTIVITIES}?page=2")
    assert [a["id"] for a in first + second] == [a["id"] for a in everything[:6]]
    assert client.get(f"{ACTIVITIES}?from=1800-01-01").status_code == 422
    assert client.get(f"{ACTIVITIES}?from=ikke-en-dato").status_code == 422


def test_projects_are_listed_newest_first(demo: Municipality, client_for: Any) -> None:
    today = timezone.localdate()
    Project.objects.create(
        municipality=demo,
        name="Ældre projekt",
        starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=10),
    )
    Project.objects.create(
        municipality=demo,
        name="Nyt projekt",
        starts_on=today,
        ends_on=today + timedelta(days=90),
        funding="Puljen",
    )
    listed = _json(client_for("politiker"), PROJECTS)
    names_listed = [item["name"] for item in listed]
    assert names_listed.index("Nyt projekt") < names_listed.index("Ældre projekt")
    assert next(item for item in listed if item["name"] == "Nyt projekt")["funding"] == "Puljen"


def test_another_municipalitys_prevention_work_is_not_returned(
    demo: Municipality, client_for: Any
) -> None:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    forum = Forum.objects.create(municipality=other, key="andenby-lokal", name="Andenby lokal")
    today = timezone.localdate()
    area = FocusArea.objects.create(
        municipality=other, forum=forum, title="Andenbys fokus", starts_on=today, ends_on=today
    )
    plan = AnnualPlan.objects.create(municipality=other, forum=forum, school_year=today.year)
    Activity.objects.create(
        plan=plan,
        municipality=other,
        title="Andenbys oplæg",
        starts_on=today,
        ends_on=today,
        focus_area=area,
    )
    Project.objects.create(
        municipality=other, name="Andenbys projekt", starts_on=today, ends_on=today
    )
    client = client_for("koordinator")
    assert "Andenbys fokus" not in {a["title"] for a in _json(client, FOCUS_AREAS)}
    assert "andenby-lokal" not in {p["forum"] for p in _json(client, PLANS)}
    assert client.get(f"{PLANS}/{plan.pk}").status_code == 404
    assert "Andenbys oplæg" not in {a["title"] for a in _json(client, f"{ACTIVITIES}?from={today}")}
    assert "Andenbys projekt" not in {p["name"] for p in _json(client, PROJECTS)}


def test_the_new_endpoints_need_a_role(demo: Municipality, client_for: Any) -> None:
    anonymous = Client()
    for url in (FOCUS_AREAS, PLANS, ACTIVITIES, PROJECTS):
        assert anonymous.get(url).status_code == 401


def test_the_activity_list_makes_the_same_queries_as_data_grows(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("laerer")
    client.get(ACTIVITIES)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(ACTIVITIES).status_code == 200
        return len(context.captured_queries)

    few = queries()
    template = Activity.objects.filter(municipality=demo, responsible__isnull=False).first()
    assert template is not None
    for n in range(30):
        template.pk = None
        template.form_token = None
        template.title = f"Ekstra {n}"
        template.save()
    assert queries() == few


def test_the_openapi_document_lists_the_plan_endpoints(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {FOCUS_AREAS, PLANS, f"{PLANS}/{{plan_id}}", ACTIVITIES, PROJECTS} <= set(paths)
