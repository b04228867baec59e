"""R8: closing a case records the partners' sectors (checkboxes of `Sector`) beside the free
text of their names; the annual report counts the partners by sector."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from ssp.cases import services
from ssp.cases.models import Case, CaseStatus, Outcome
from ssp.errors import DomainError
from ssp.organisation.models import Sector

pytestmark = pytest.mark.django_db


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def close_data(case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "version": case.version,
        "outcome": Outcome.IMPROVED,
        "partners": "Østskolen og klubben",
        "what_worked": "Fast voksenkontakt",
        **extra,
    }


def test_the_close_form_offers_the_sectors_as_checkboxes_beside_the_text(
    client_for: Any,
) -> None:
    case = ali_case()
    html = client_for("koordinator").get(reverse("cases:case_close", args=[case.pk]))
    page = html.content.decode()
    assert "Samarbejdspartnere (sektorer)" in page
    for value, label in Sector.choices:
        assert f'type="checkbox" name="sectors" value="{value}"' in page
        assert str(label) in page
    assert 'name="partners"' in page


def test_it_stores_the_chosen_sectors_with_the_text(client_for: Any) -> None:
    case = ali_case()
    client = client_for("koordinator")
    response = client.post(
        reverse("cases:case_close", args=[case.pk]),
        close_data(case, sectors=[Sector.POLICE, Sector.BUF, Sector.POLICE]),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    # Each once, in the order of the choices.
    assert case.evaluation_sectors == ["buf", "police"]
    assert case.evaluation_partners == "Østskolen og klubben"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Skole, børn og unge (BUF), Politi" in page


def test_no_sector_ticked_stores_an_empty_list(client_for: Any) -> None:
    case = ali_case()
    response = client_for("koordinator").post(
        reverse("cases:case_close", args=[case.pk]), close_data(case)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.evaluation_sectors == []


def test_an_unknown_sector_keeps_the_user_on_the_form(client_for: Any) -> None:
    case = ali_case()
    response = client_for("koordinator").post(
        reverse("cases:case_close", args=[case.pk]), close_data(case, sectors=["mafia"])
    )
    assert response.status_code == 400
    assert "Fast voksenkontakt" in response.content.decode()
    assert ali_case().is_open


def test_the_service_refuses_a_sector_not_on_the_list(users: dict[str, User]) -> None:
    case = ali_case()
    with pytest.raises(DomainError, match="sektorer på listen"):
        services.close_case(
            actor_user=users["koordinator"],
            case=case,
            outcome=Outcome.UNCHANGED,
            partners="Skole",
            what_worked="Samtaler",
            sectors=["buf", "mafia"],
        )
    assert ali_case().is_open


def test_the_service_stores_the_sectors(users: dict[str, User]) -> None:
    case = ali_case()
    services.close_case(
        actor_user=users["koordinator"],
        case=case,
        outcome=Outcome.UNCHANGED,
        partners="Skole",
        what_worked="Samtaler",
        sectors=[Sector.OTHER, Sector.SOF],
    )
    assert ali_case().evaluation_sectors == ["sof", "other"]


def test_a_second_close_shows_the_stored_sectors(client_for: Any) -> None:
    case = ali_case()
    first, second = client_for("koordinator"), client_for("koordinator")
    stale = close_data(case, what_worked="Den anden evaluering")
    first.post(reverse("cases:case_close", args=[case.pk]), close_data(case, sectors=["uu"]))
    response = second.post(reverse("cases:case_close", args=[case.pk]), stale)
    assert response.status_code == 409
    assert "Ungdommens Uddannelsesvejledning (UU)" in response.content.decode()
    assert ali_case().evaluation_sectors == ["uu"]
