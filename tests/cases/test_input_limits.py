"""Issue 9, "never a 500": input to the cases pages and API stays within the limits of the
columns and the domain's dates. Each `test_repro_*` is a reproduction from the issue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.api import api
from ssp.cases.models import Case, Concern, ConcernSource, ConcernSubject, Task
from ssp.organisation.models import Member, Municipality

pytestmark = pytest.mark.django_db

CONCERNS_API = "/api/v1/cases/concerns"
SCHEMA_ERROR = 422


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def place_concern(**overrides: Any) -> dict[str, Any]:
    return {
        "subject": ConcernSubject.PLACE,
        "source": ConcernSource.STAFF,
        "description": "Knallerter på stien bag hallen.",
        "place": "Stien bag hallen",
        **overrides,
    }


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


# --- Searches -------------------------------------------------------------------------------


def test_repro_nul_byte_in_the_case_search_is_no_500(client_for: Any) -> None:
    response = client_for("koordinator").get("/sager/?q=%00")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["%00", "Ali%00", "%1b%7f" * 80])
def test_it_cleans_control_characters_from_every_case_search(client_for: Any, query: str) -> None:
    client = client_for("koordinator")
    assert client.get(f"/sager/?q={query}").status_code == 200
    assert client.get(f"/unge/?q={query}").status_code == 200
    assert client.get(f"/bekymringer/?status={query}").status_code == 200


def test_it_still_finds_a_case_when_the_search_holds_a_stray_control_character(
    client_for: Any,
) -> None:
    html = client_for("koordinator").get("/sager/?q=Ali%00").content.decode()
    assert "Berg Hansen" in html


# --- The concern API ------------------------------------------------------------------------


def test_repro_api_concern_with_a_place_over_300_characters_is_a_schema_error(
    client_for: Any,
) -> None:
    client = client_for("laerer")
    before = Concern.objects.count()
    response = post_json(client, CONCERNS_API, place_concern(place="x" * 301))
    assert response.status_code == SCHEMA_ERROR
    assert Concern.objects.count() == before


def test_repro_api_worksheet_other_factor_over_300_is_a_schema_error(client_for: Any) -> None:
    body = place_concern(worksheet={"other_factor": "y" * 301})
    response = post_json(client_for("laerer"), CONCERNS_API, body)
    assert response.status_code == SCHEMA_ERROR


def test_repro_api_group_size_99999999999_is_a_schema_error(client_for: Any) -> None:
    body = place_concern(subject=ConcernSubject.GROUP, group_size=99999999999)
    response = post_json(client_for("laerer"), CONCERNS_API, body)
    assert response.status_code == SCHEMA_ERROR


def test_repro_api_nul_in_a_name_is_a_schema_error(client_for: Any) -> None:
    body = place_concern(
        subject=ConcernSubject.PERSON,
        young_person={"first_name": "A\x00na", "last_name": "Berg", "cpr": "050512-4222"},
    )
    response = post_json(client_for("laerer"), CONCERNS_API, body)
    assert response.status_code == SCHEMA_ERROR


@pytest.mark.parametrize(
    "overrides",
    [
        {"description": "x" * 5001},
        {"description": "tekst\x07"},
        {"group_age_min": -1},
        {"group_age_max": 31},
        {"young_person": {"first_name": "A", "last_name": "B" * 101, "cpr": "050512-4222"}},
        {"young_person": {"first_name": "A", "last_name": "B", "cpr": "0" * 12}},
        {"worksheet": {"worksheet_coordinator": "\x00"}},
    ],
)
def test_it_refuses_input_beyond_the_columns_through_the_api(
    client_for: Any, overrides: dict[str, Any]
) -> None:
    response = post_json(client_for("laerer"), CONCERNS_API, place_concern(**overrides))
    assert response.status_code == SCHEMA_ERROR
    assert isinstance(response.json()["detail"], list)


def test_it_still_takes_a_worksheet_concern_at_the_limits(client_for: Any) -> None:
    body = place_concern(place="p" * 300, worksheet={"other_factor": "o" * 300, "truancy": True})
    response = post_json(client_for("laerer"), CONCERNS_API, body)
    assert response.status_code == 201, response.content
    concern = Concern.objects.get(pk=response.json()["id"])
    assert concern.truancy and concern.other_factor == "o" * 300


def test_every_cases_api_operation_documents_its_error_answers() -> None:
    paths = api.get_openapi_schema()["paths"]
    operations = [
        operation
        for path, methods in paths.items()
        if path.startswith("/api/v1/cases/")
        for operation in methods.values()
    ]
    assert len(operations) == 3
    for operation in operations:
        documented = {str(status) for status in operation["responses"]}
        assert {"400", "403", "404", "422"} <= documented, operation["operationId"]


def test_a_domain_error_from_the_api_matches_the_documented_error_body(client_for: Any) -> None:
    """A person concern without the person: the service's reason as `{"detail": str}`."""
    body = place_concern(subject=ConcernSubject.PERSON)
    response = post_json(client_for("laerer"), CONCERNS_API, body)
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


# --- Dates and texts on the case forms --------------------------------------------------------


def test_repro_task_due_9999_12_31_is_a_form_error(client_for: Any) -> None:
    case = ali_case()
    data = {
        "description": "Ring til skolen",
        "owner": member("politi").pk,
        "due_date": "9999-12-31",
    }
    response = client_for("koordinator").post(reverse("cases:task_new", args=[case.pk]), data)
    assert response.status_code == 400
    assert not Task.objects.filter(description="Ring til skolen").exists()


def test_a_task_deadline_more_than_two_years_ahead_is_a_form_error(client_for: Any) -> None:
    case = ali_case()
    data = {
        "description": "Ring til skolen",
        "owner": member("politi").pk,
        "due_date": in_days(800),
    }
    response = client_for("koordinator").post(reverse("cases:task_new", args=[case.pk]), data)
    assert response.status_code == 400
    assert "to år" in response.content.decode() or "Datoen må ikke ligge efter" in (
        response.content.decode()
    )


def test_repro_follow_up_dated_9999_12_31_is_a_form_error(client_for: Any) -> None:
    case = ali_case()
    data = {
        "first_action": "Møde med familien om planen",
        "coordinator": member("socialraadgiver").pk,
        "contact_person": member("koordinator").pk,
        "follow_up_date": "9999-12-31",
    }
    before = case.agreements.count()
    response = client_for("koordinator").post(reverse("cases:agreement_new", args=[case.pk]), data)
    assert response.status_code == 400
    assert "Møde med familien om planen" in response.content.decode()
    assert case.agreements.count() == before


def test_a_disclosure_dated_in_the_future_is_a_form_error(
    demo: Municipality, client_for: Any
) -> None:
    case = ali_case()
    data = {
        "legal_basis": _basis(demo),
        "purpose": "Afklare behovet",
        "information": "Fravær",
        "given_by": member("laerer").pk,
        "receivers": [member("politi").pk],
        "disclosed_on": in_days(2),
    }
    response = client_for("koordinator").post(reverse("cases:disclosure_new", args=[case.pk]), data)
    assert response.status_code == 400


def _basis(demo: Municipality) -> int:
    from ssp.cases.models import LegalBasis

    basis = LegalBasis.objects.filter(municipality=demo, is_consent=False).order_by("pk").first()
    assert basis is not None
    return basis.pk


@pytest.mark.parametrize("field", ["partners", "what_worked"])
def test_a_nul_byte_in_the_evaluation_is_a_form_error(client_for: Any, field: str) -> None:
    case = ali_case()
    data = {
        "version": case.version,
        "outcome": "improved",
        "partners": "Skole",
        "what_worked": "Samtaler",
        field: "Sam\x00taler",
    }
    response = client_for("koordinator").post(reverse("cases:case_close", args=[case.pk]), data)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.is_open
