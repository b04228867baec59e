"""R4 consent rules: below the own-consent age (default 15) only custody holders consent; from
that age the young person's own consent is asked for as well; the case page shows whose is
missing and pushes for it while none is valid."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from ssp.cases import services
from ssp.cases.forms import GIVEN_BY_YOUNG_PERSON
from ssp.cases.models import Case, ConcernSource, ConcernSubject, Consent, Level
from ssp.errors import DomainError
from ssp.organisation.models import Municipality, Unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def cpr_for_age(years: int, serial: str = "4123") -> str:
    """A CPR number of someone `years` old today (born a month past that birthday)."""
    birth = date(TODAY.year - years, TODAY.month, 1) - timedelta(days=31)
    return f"{birth:%d%m%y}-{serial}"


def case_of_age(users: dict[str, User], years: int, *, serial: str = "4123") -> Case:
    concern = services.raise_concern(
        actor_user=users["laerer"],
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.STAFF,
            description="Bekymring",
            young_person=services.YoungPersonData(
                first_name="Alma",
                last_name="Samtykke",
                cpr=cpr_for_age(years, serial),
                school=Unit.objects.get(slug="oestskolen"),
                custody_holders=[
                    services.CustodyHolderData(name="Mor Samtykke", relation="mor"),
                    services.CustodyHolderData(name="Far Samtykke", relation="far"),
                ],
            ),
        ),
    )
    return services.open_case(actor_user=users["koordinator"], concerns=[concern], level=Level.RED)


def own_consent(users: dict[str, User], case: Case) -> Consent:
    return services.record_consent(
        actor_user=users["koordinator"],
        case=case,
        form="oral",
        given_on=TODAY,
        scope="Udveksling af oplysninger",
        by_young_person=True,
    )


def consent_post(case: Case, given_by: str) -> dict[str, str]:
    return {
        "given_by": given_by,
        "form": "oral",
        "given_on": TODAY.isoformat(),
        "scope": "Udveksling af oplysninger i SSP-samarbejdet",
    }


def test_repro_a_14_year_olds_own_consent_alone_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = case_of_age(users, 14)
    with pytest.raises(DomainError, match="under 15 år"):
        own_consent(users, case)
    assert not Consent.objects.filter(case=case).exists()


def test_it_refuses_a_14_year_olds_own_consent_on_the_form(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = case_of_age(users, 14)
    response = client_for("koordinator").post(
        f"/sager/{case.pk}/samtykke/", consent_post(case, GIVEN_BY_YOUNG_PERSON)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Samtykke skal gives af forældremyndighedsindehaverne" in page
    assert 'data-testid="consent-form"' in page
    assert not Consent.objects.filter(case=case).exists()


def test_it_counts_age_on_the_day_the_consent_was_given(
    demo: Municipality, users: dict[str, User]
) -> None:
    """Fifteen today, but the consent was given before the birthday: refused."""
    case = case_of_age(users, 15)
    with pytest.raises(DomainError):
        services.record_consent(
            actor_user=users["koordinator"],
            case=case,
            form="oral",
            given_on=TODAY - timedelta(days=120),
            scope="Udveksling",
            by_young_person=True,
        )


def test_it_records_a_custody_holders_consent_for_a_14_year_old(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = case_of_age(users, 14)
    mother = case.young_person.custody_holders.get(name="Mor Samtykke")
    services.record_consent(
        actor_user=users["koordinator"],
        case=case,
        form="written",
        given_on=TODAY,
        scope="Udveksling",
        custody_holder=mother,
    )
    assert services.has_valid_consent(case)


def test_it_follows_the_municipalitys_own_consent_age(
    demo: Municipality, users: dict[str, User]
) -> None:
    demo.rules = {**(demo.rules or {}), "own_consent_age": 14}
    demo.save(update_fields=["rules"])
    case = case_of_age(users, 14)
    assert own_consent(users, case).by_young_person


def test_repro_a_16_year_olds_case_shows_which_consents_are_missing(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = case_of_age(users, 16)
    client = client_for("koordinator")
    page = client.get(f"/sager/{case.pk}/").content.decode()
    assert 'data-testid="consent-missing"' in page
    assert "Der er intet gyldigt samtykke" in page
    for who in ("Mor Samtykke", "Far Samtykke", "Alma Samtykke"):
        assert who in page.split('data-testid="consent-missing"')[1].split("</div>")[0]

    own_consent(users, case)
    page = client.get(f"/sager/{case.pk}/").content.decode()
    box = page.split('data-testid="consent-missing"')[1].split("</div>")[0]
    assert "Samtykke mangler stadig fra" in box
    assert "Mor Samtykke" in box and "Far Samtykke" in box
    assert "Alma Samtykke" not in box


def test_it_shows_no_missing_consent_when_everyone_has_consented(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = case_of_age(users, 16)
    own_consent(users, case)
    for holder in case.young_person.custody_holders.all():
        services.record_consent(
            actor_user=users["koordinator"],
            case=case,
            form="oral",
            given_on=TODAY,
            scope="Udveksling",
            custody_holder=holder,
        )
    page = client_for("koordinator").get(f"/sager/{case.pk}/").content.decode()
    assert 'data-testid="consent-missing"' not in page


def test_it_names_a_refusal_and_a_withdrawal_as_missing(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = case_of_age(users, 14)
    mother = case.young_person.custody_holders.get(name="Mor Samtykke")
    father = case.young_person.custody_holders.get(name="Far Samtykke")
    services.record_consent(
        actor_user=users["koordinator"],
        case=case,
        form="oral",
        given_on=TODAY,
        scope="Udveksling",
        custody_holder=mother,
        refused=True,
    )
    given = services.record_consent(
        actor_user=users["koordinator"],
        case=case,
        form="oral",
        given_on=TODAY,
        scope="Udveksling",
        custody_holder=father,
    )
    services.withdraw_consent(actor_user=users["koordinator"], consent=given, withdrawn_on=TODAY)
    status = services.consent_status(
        case=case,
        consents=list(case.consents.all()),
        holders=list(case.young_person.custody_holders.all()),
        today=TODAY,
    )
    assert not status.has_valid
    assert not status.young_person_asked
    assert {(m.who, m.reason) for m in status.missing} == {
        ("Mor Samtykke", "afvist"),
        ("Far Samtykke", "tilbagekaldt"),
    }
