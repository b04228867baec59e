"""The prevention pages (R7): the staircase and the catalogue for everyone in the municipality,
searched by age, step and words; one intervention; SSP staff create and change interventions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ssp.organisation.models import Member, Municipality, PoliceDistrict, Unit
from ssp.prevention.models import Intervention, StaircaseStep
from ssp.prevention.selectors import CATALOGUE_PAGE_SIZE
from tests.prevention.test_services import ensure_catalogue, registered_name

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("prevention:catalogue")
NEW = reverse("prevention:intervention_new")
# The catalogue page's queries: session, user, member and fora (the actor), the count, the
# staircase, one page of interventions (unit and contact joined) and their steps.
CATALOGUE_QUERIES = 9


@pytest.fixture
def steps(demo: Municipality) -> dict[int, StaircaseStep]:
    return ensure_catalogue(demo)


def names_on(response: Any) -> list[str]:
    return [i.name for i in response.context["interventions"]]


def form_body(staircase: dict[int, StaircaseStep], **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Søndagsklub for prøver",
        "steps": [staircase[2].pk],
        "age_min": "10",
        "age_max": "14",
        "target_group": "Børn i 4.-7. klasse i Engparken",
        "description": "Klub om søndagen med leg og lektier.",
        "how_to_refer": "Forældrene melder selv til.",
        "capacity": "20 børn",
        "material": "https://example.org/klub",
        "active": "on",
    } | overrides


@pytest.mark.parametrize("role", ["laerer", "politiker", "boligsocial", "koordinator"])
def test_everyone_in_the_municipality_sees_the_staircase_and_the_catalogue(
    client_for: Any, steps: dict[int, StaircaseStep], role: str
) -> None:
    response = client_for(role).get(CATALOGUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert steps[2].goal in page
    assert 'data-testid="staircase"' in page
    assert "Cool Kids" in names_on(response)
    assert f'href="{CATALOGUE}"' in page  # "Forebyggelse" in the main navigation
    staircase = {row.step.number: row for row in response.context["steps"]}
    assert staircase[2].colour == "yellow"
    assert staircase[2].interventions == steps[2].interventions.filter(active=True).count()


def test_the_catalogue_is_searched_by_age_and_step(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    teacher = client_for("laerer")
    found = names_on(teacher.get(CATALOGUE, {"alder": 9, "trin": 2}))
    assert "Cool Kids" in found
    assert "SSP deltagelse på blå mandag" not in found  # step 1
    assert "Gadeteam" not in found  # not for 9-year-olds
    assert "Cool Kids" not in names_on(teacher.get(CATALOGUE, {"alder": 15, "trin": 2}))
    assert "Gadeteam" in names_on(teacher.get(CATALOGUE, {"trin": 3}))
    blue_monday = names_on(teacher.get(CATALOGUE, {"trin": 1, "alder": 15}))
    assert "SSP deltagelse på blå mandag" in blue_monday


def test_the_catalogue_is_searched_by_words_and_says_when_nothing_matches(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    teacher = client_for("laerer")
    assert names_on(teacher.get(CATALOGUE, {"q": "cool"})) == ["Cool Kids"]
    empty = teacher.get(CATALOGUE, {"q": "findes-ikke-i-kataloget"})
    assert empty.status_code == 200
    assert "Ingen indsatser matcher" in empty.content.decode()


def test_nonsense_search_values_are_ignored_not_errors(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    response = client_for("laerer").get(
        CATALOGUE, {"alder": "9999999999999999999999", "trin": "x", "side": "-1", "q": "a" * 500}
    )
    assert response.status_code == 200


def test_inactive_interventions_are_shown_only_when_asked(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    Intervention.objects.filter(municipality__slug="aadal", name="Gadeteam").update(active=False)
    teacher = client_for("laerer")
    assert "Gadeteam" not in names_on(teacher.get(CATALOGUE))
    assert "Gadeteam" in names_on(teacher.get(CATALOGUE, {"ikke_i_brug": "1"}))


def test_the_catalogue_page_makes_the_same_queries_as_the_catalogue_grows(
    client_for: Any, demo: Municipality, steps: dict[int, StaircaseStep]
) -> None:
    teacher = client_for("laerer")
    teacher.get(CATALOGUE)  # the session's first request writes its own rows

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert teacher.get(CATALOGUE).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    unit = Unit.objects.filter(municipality=demo).order_by("pk").first()
    contact = Member.objects.filter(municipality=demo).order_by("pk").first()
    for n in range(CATALOGUE_PAGE_SIZE + 5):
        extra = Intervention.objects.create(
            municipality=demo,
            name=f"Ekstra indsats {n:03}",
            age_min=10,
            age_max=15,
            provider_unit=unit,
            contact=contact,
        )
        extra.steps.set([steps[1], steps[2]])
    assert queries() == before == CATALOGUE_QUERIES


def test_the_intervention_page_shows_everything_about_it(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    cool_kids = Intervention.objects.get(municipality__slug="aadal", name="Cool Kids")
    url = reverse("prevention:intervention", args=[cool_kids.pk])
    response = client_for("politiker").get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cool Kids" in page
    assert cool_kids.target_group in page
    assert "7-12 år" in page
    assert reverse("prevention:intervention_edit", args=[cool_kids.pk]) not in page
    coordinator_page = client_for("koordinator").get(url).content.decode()
    assert reverse("prevention:intervention_edit", args=[cool_kids.pk]) in coordinator_page


@pytest.mark.parametrize("role", ["laerer", "socialraadgiver", "boligsocial", "politiker"])
def test_only_ssp_staff_open_the_catalogue_form(
    client_for: Any, steps: dict[int, StaircaseStep], role: str
) -> None:
    cool_kids = Intervention.objects.get(municipality__slug="aadal", name="Cool Kids")
    client = client_for(role)
    edit = reverse("prevention:intervention_edit", args=[cool_kids.pk])
    assert client.get(NEW).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(NEW, form_body(steps)).status_code == 403
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()
    assert NEW not in client.get(CATALOGUE).content.decode()


def test_a_coordinator_creates_an_intervention_and_finds_it_in_the_catalogue(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    coordinator = client_for("koordinator")
    assert coordinator.get(NEW).status_code == 200
    response = coordinator.post(NEW, form_body(steps))
    created = Intervention.objects.get(municipality__slug="aadal", name="Søndagsklub for prøver")
    assert response.status_code == 302
    assert response["Location"] == reverse("prevention:intervention", args=[created.pk])
    assert "Søndagsklub for prøver" in names_on(coordinator.get(CATALOGUE, {"alder": 12}))


def test_a_cpr_number_is_refused_on_the_form_with_the_input_kept(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    response = client_for("koordinator").post(
        NEW, form_body(steps, description="Fx barnet 010203-1234")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "CPR-nummer" in page
    assert "Fx barnet 010203-1234" in page  # kept in the form
    assert response.context["form"].errors["description"]
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_a_registered_name_is_refused_for_ssp_staff(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    response = client_for("koordinator").post(
        NEW, form_body(steps, target_group=f"Især {registered_name()}")
    )
    assert response.status_code == 400
    assert "navn på registreret ung" in response.content.decode()


def test_a_failed_form_says_why_in_danish(client_for: Any, steps: dict[int, StaircaseStep]) -> None:
    coordinator = client_for("koordinator")
    response = coordinator.post(NEW, form_body(steps, steps=[], age_min="15", age_max="12"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Vælg mindst ét trin" in str(errors["steps"])
    assert "Til alder" in str(errors["age_max"])
    taken = coordinator.post(NEW, form_body(steps, name="Cool Kids"))
    assert taken.status_code == 400
    assert "allerede en indsats med det navn" in taken.content.decode()


def test_a_stale_edit_is_refused_with_409_and_shows_what_is_stored(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    cool_kids = Intervention.objects.get(municipality__slug="aadal", name="Cool Kids")
    url = reverse("prevention:intervention_edit", args=[cool_kids.pk])
    coordinator = client_for("koordinator")
    opened_at = cool_kids.version
    first = coordinator.post(
        url, form_body(steps, name="Cool Kids", capacity="Et hold", version=opened_at)
    )
    assert first.status_code == 302
    second = coordinator.post(
        url, form_body(steps, name="Cool Kids", capacity="Fire hold", version=opened_at)
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert 'data-testid="stored-values"' in page
    assert "Et hold" in page  # what the other person saved
    assert "Fire hold" in page  # what this user typed, kept
    assert Intervention.objects.get(pk=cool_kids.pk).capacity == "Et hold"
    assert second.context["form"]["version"].value() == str(opened_at + 1)


def test_the_pickers_search_the_municipalitys_units_and_members(
    client_for: Any, demo: Municipality, steps: dict[int, StaircaseStep]
) -> None:
    unit = Unit.objects.filter(municipality=demo).order_by("pk").first()
    assert unit is not None
    coordinator = client_for("koordinator")
    found = coordinator.get(reverse("prevention:unit_search"), {"provider_unit__q": unit.name[:6]})
    assert found.status_code == 200
    assert unit.name in found.content.decode()
    people = coordinator.get(reverse("prevention:member_search"), {"contact__q": "Mette"})
    assert "Mette Holm" in people.content.decode()
    assert client_for("laerer").get(reverse("prevention:unit_search")).status_code == 403


def test_the_pickers_search_without_javascript_and_nothing_is_saved(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    response = client_for("koordinator").post(
        NEW, form_body(steps, _ac_search="contact", contact__q="Mette")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mette Holm" in page
    assert "Søndagsklub for prøver" in page  # what was typed stays
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_an_intervention_of_another_municipality_is_not_found(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    theirs = Intervention.objects.create(municipality=other, name="Andenbys klub")
    coordinator = client_for("koordinator")
    assert coordinator.get(reverse("prevention:intervention", args=[theirs.pk])).status_code == 404
    edit = reverse("prevention:intervention_edit", args=[theirs.pk])
    assert coordinator.get(edit).status_code == 404
    assert "Andenbys klub" not in names_on(coordinator.get(CATALOGUE))


def test_the_catalogue_pages_keep_the_search(
    client_for: Any, demo: Municipality, steps: dict[int, StaircaseStep]
) -> None:
    for n in range(CATALOGUE_PAGE_SIZE + 1):
        Intervention.objects.create(municipality=demo, name=f"Ekstra {n:03}", age_min=10)
    teacher = client_for("laerer")
    first = teacher.get(CATALOGUE, {"alder": 11, "q": "ekstra"})
    assert len(names_on(first)) == CATALOGUE_PAGE_SIZE
    assert "alder=11&amp;q=ekstra&amp;side=2" in first.content.decode()
    assert names_on(teacher.get(CATALOGUE, {"alder": 11, "q": "ekstra", "side": 2})) == [
        f"Ekstra {CATALOGUE_PAGE_SIZE:03}"
    ]


def test_odd_characters_in_the_address_are_not_errors(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    """A NUL byte in the search (PostgreSQL refuses it in text), a superscript digit as page
    number (`"²".isdigit()` is true, `int("²")` fails) and page 0 of the form."""
    client = client_for("koordinator")
    assert client.get(CATALOGUE, {"q": "Cool\x00 Kids"}).status_code == 200
    assert client.get(CATALOGUE, {"side": "²"}).status_code == 200
    assert client.get(reverse("prevention:intervention_edit", args=[0])).status_code == 404
    response = client.post(NEW, form_body(steps, contact="²", provider_unit="²"))
    assert response.status_code == 400
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_a_name_differing_only_in_case_is_taken(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    """(Letters SQLite folds too; PostgreSQL's lower() folds "Ø" as well.)"""
    client = client_for("koordinator")
    assert client.post(NEW, form_body(steps, name="Pigeklub Vest")).status_code == 302
    response = client.post(NEW, form_body(steps, name="PIGEKLUB vest"))
    assert response.status_code == 400
    assert "allerede en indsats med det navn" in response.content.decode()
    assert Intervention.objects.filter(name__iexact="pigeklub vest").count() == 1


def test_an_empty_catalogue_says_so_and_how_to_begin(
    client_for: Any, steps: dict[int, StaircaseStep]
) -> None:
    Intervention.objects.all().delete()
    coordinator = client_for("koordinator").get(CATALOGUE).content.decode()
    assert "Kataloget har endnu ingen indsatser." in coordinator and "Ny indsats" in coordinator
    teacher = client_for("laerer").get(CATALOGUE).content.decode()
    assert "Kataloget har endnu ingen indsatser." in teacher and "Ny indsats" not in teacher
    searched = client_for("laerer").get(CATALOGUE, {"alder": "9"}).content.decode()
    assert "Ingen indsatser matcher" in searched
