"""The CPR number on pages: masked for everyone; the full number only on an audited "Vis CPR"."""

from __future__ import annotations

from typing import Any

import pytest

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Case, YoungPerson
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db

FULL = "250810-4315"
MASKED = "250810-xxxx"


def ali() -> YoungPerson:
    return YoungPerson.objects.get(first_name="Ali")


def cpr_events() -> Any:
    return AuditEvent.objects.filter(action=AuditAction.CPR_SHOWN)


def test_it_masks_the_cpr_for_the_coordinator_by_default(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    case = Case.objects.get(young_person=ali())
    for url in (f"/unge/{ali().pk}/", f"/sager/{case.pk}/"):
        html = client.get(url).content.decode()
        assert MASKED in html and FULL not in html, url
        assert 'data-testid="show-cpr"' in html, url
    assert not cpr_events().exists()


def test_it_shows_the_full_cpr_after_vis_cpr_and_audits_it(
    demo: Municipality, client_for: Any
) -> None:
    person = ali()
    response = client_for("koordinator").post(f"/unge/{person.pk}/cpr/")
    assert response.status_code == 200
    html = response.content.decode()
    assert FULL in html and 'data-testid="show-cpr"' not in html
    event = cpr_events().get()
    assert event.actor_label == "koordinator"
    assert event.subject_ref == f"youngperson:{person.pk}"
    assert event.object_repr == f"cases.youngperson:{person.pk}"
    stored = f"{event.object_repr} {event.subject_ref} {event.purpose} {event.data}"
    assert "Ali" not in stored and "4315" not in stored and "250810" not in stored


def test_it_answers_htmx_with_the_number_alone(demo: Municipality, client_for: Any) -> None:
    response = client_for("koordinator").post(f"/unge/{ali().pk}/cpr/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert FULL in html and "<html" not in html
    assert cpr_events().count() == 1


@pytest.mark.parametrize("role", ["laerer", "boligsocial", "socialraadgiver", "politi"])
def test_it_answers_404_to_those_who_may_not_see_the_full_cpr(
    demo: Municipality, client_for: Any, role: str
) -> None:
    client = client_for(role)
    assert client.post(f"/unge/{ali().pk}/cpr/").status_code == 404
    assert not cpr_events().exists()


def test_it_offers_vis_cpr_only_to_those_who_may_use_it(
    demo: Municipality, client_for: Any
) -> None:
    html = client_for("socialraadgiver").get(f"/unge/{ali().pk}/").content.decode()
    assert MASKED in html and 'data-testid="show-cpr"' not in html


def test_it_is_post_only(demo: Municipality, client_for: Any) -> None:
    assert client_for("koordinator").get(f"/unge/{ali().pk}/cpr/").status_code == 405
    assert not cpr_events().exists()
