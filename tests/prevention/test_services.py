"""The catalogue's services (R7): SSP staff create and change interventions; steps, unit and
contact stay in the municipality; free text holds no personal data; every change is audited
and no update is lost."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import YoungPerson
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality, PoliceDistrict, Unit
from ssp.prevention import access as prevention_access
from ssp.prevention import services
from ssp.prevention.models import Intervention, PreventionLevel, StaircaseStep
from ssp.prevention.services import InterventionData
from ssp.versioning import StaleEdit

pytestmark = pytest.mark.django_db

STEPS = (
    (1, "Skabe gode, trygge og udviklende vilkår for alle børn og unge", PreventionLevel.GENERAL),
    (2, "Forebygge at unge begår uønskede eller kriminelle hændelser", PreventionLevel.SPECIFIC),
    (
        3,
        "Forhindre den enkelte unge i at udvikle et kriminelt handlemønster",
        PreventionLevel.INDIVIDUAL,
    ),
)
# (name, step numbers, age_min, age_max, target group) as the demo will hold them.
INTERVENTIONS = (
    ("Cool Kids", (2,), 7, 12, "Børn med angst"),
    ("Gadeteam", (2, 3), 13, 25, "Unge i gademiljøet"),
    ("SSP deltagelse på blå mandag", (1,), 14, 16, "8. klasse"),
)


def ensure_catalogue(municipality: Municipality) -> dict[int, StaircaseStep]:
    """The Ådal staircase and the three interventions the tests search for (the demo's, when
    it has them; created here otherwise)."""
    steps = {}
    for number, goal, level in STEPS:
        steps[number], _created = StaircaseStep.objects.get_or_create(
            municipality=municipality, number=number, defaults={"goal": goal, "level": level}
        )
    for name, numbers, low, high, group in INTERVENTIONS:
        intervention, created = Intervention.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={"age_min": low, "age_max": high, "target_group": group},
        )
        if created:
            intervention.steps.set([steps[n] for n in numbers])
    return steps


@pytest.fixture
def steps(demo: Municipality) -> dict[int, StaircaseStep]:
    return ensure_catalogue(demo)


def data(steps: dict[int, StaircaseStep], **overrides: Any) -> InterventionData:
    values: dict[str, Any] = {
        "name": "Søndagsklub for prøver",
        "step_ids": [steps[1].pk, steps[2].pk],
        "age_min": 13,
        "age_max": 17,
        "target_group": "Unge i bymidten fredag og lørdag aften",
        "description": "Voksne går rundt i byen og er synlige.",
        "how_to_refer": "Ingen henvisning; kontakt SSP.",
        "capacity": "Hver weekend",
        "material": "https://natteravnene.dk",
    }
    return InterventionData(**(values | overrides))


def registered_name() -> str:
    person = YoungPerson.objects.filter(municipality__slug="aadal").order_by("pk").first()
    assert person is not None
    return f"{person.first_name} {person.last_name}"


def test_it_creates_an_intervention_with_its_steps_and_audits_it(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    unit = Unit.objects.filter(municipality__slug="aadal").order_by("pk").first()
    contact = Member.objects.get(user__username="koordinator")
    assert unit is not None
    created = services.create_intervention(
        actor_user=users["koordinator"],
        data=data(steps, provider_unit_id=unit.pk, contact_id=contact.pk),
    )
    created.refresh_from_db()
    assert created.municipality.slug == "aadal"
    assert sorted(s.number for s in created.steps.all()) == [1, 2]
    assert (created.provider_unit, created.contact, created.ages) == (unit, contact, "13-17 år")
    event = AuditEvent.objects.get(action=AuditAction.INTERVENTION_CREATED)
    assert event.object_id == str(created.pk)
    # No free text in the trail.
    assert "Søndagsklub for prøver" not in f"{event.object_repr} {event.data}"


def test_only_ssp_staff_create_interventions(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    for role in ("laerer", "socialraadgiver", "boligsocial", "politiker", "politi"):
        with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
            services.create_intervention(actor_user=users[role], data=data(steps))
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_a_non_authority_writer_cannot_probe_names(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    """The housing worker (no authority person) cannot create at all; were the check run for
    her, it would not look for names, so no refusal tells whether a name is registered."""
    name = registered_name()
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere") as refused:
        services.create_intervention(
            actor_user=users["boligsocial"], data=data(steps, description=f"Om {name}")
        )
    assert name not in refused.value.message
    housing_worker = get_actor(users["boligsocial"])
    assert not prevention_access.checks_registered_names(housing_worker)
    demo_id = steps[1].municipality_id
    services.check_free_text(housing_worker, data(steps, description=f"Om {name}"), demo_id)
    with pytest.raises(DomainError, match="CPR-nummer"):
        services.check_free_text(housing_worker, data(steps, description="010101-1234"), demo_id)


def test_it_refuses_a_cpr_number_e_mail_and_phone_naming_the_fields(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    with pytest.raises(services.PersonalDataFound) as refused:
        services.create_intervention(
            actor_user=users["koordinator"],
            data=data(
                steps,
                description="Henvist: 010203-1234",
                how_to_refer="Skriv til a@b.dk eller ring 12 34 56 78",
            ),
        )
    message = refused.value.message
    for word in ("CPR-nummer", "e-mailadresse", "telefonnummer", "hvad er indsatsen"):
        assert word in message
    assert "010203-1234" not in message
    assert refused.value.fields == ["description", "how_to_refer"]
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_it_refuses_a_registered_young_persons_name_from_ssp_staff(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    name = registered_name()
    with pytest.raises(services.PersonalDataFound, match="navn på registreret ung") as refused:
        services.create_intervention(
            actor_user=users["koordinator"], data=data(steps, target_group=f"Fx {name.upper()}")
        )
    assert refused.value.fields == ["target_group"]
    assert name not in refused.value.message


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"step_ids": []}, "mindst ét trin"),
        ({"age_min": 14, "age_max": 12}, "Fra alder"),
        ({"age_max": 31}, "mellem 0 og 30"),
        ({"name": "  "}, "navn"),
        ({"name": "cool kids"}, "allerede en indsats med det navn"),
    ],
)
def test_it_refuses_invalid_data_in_danish(
    users: dict[str, User], steps: dict[int, StaircaseStep], overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(DomainError, match=reason):
        services.create_intervention(actor_user=users["koordinator"], data=data(steps, **overrides))


def test_steps_unit_and_contact_must_be_of_the_actors_municipality(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    step = StaircaseStep.objects.create(
        municipality=other, number=1, goal="Mål", level=PreventionLevel.GENERAL
    )
    unit = Unit.objects.create(
        municipality=other, name="Andenby Skole", slug="skole", kind="school", sector="buf"
    )
    member = Member.objects.create(municipality=other, name="Anne Anden", sector="buf")
    coordinator = users["koordinator"]
    for overrides, reason in (
        ({"step_ids": [steps[1].pk, step.pk]}, "indsatstrappe"),
        ({"provider_unit_id": unit.pk}, "Udbyderen"),
        ({"contact_id": member.pk}, "Kontaktpersonen"),
    ):
        with pytest.raises(DomainError, match=reason):
            services.create_intervention(actor_user=coordinator, data=data(steps, **overrides))
    assert not Intervention.objects.filter(name="Søndagsklub for prøver").exists()


def test_an_update_saves_bumps_the_version_and_audits(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    intervention = Intervention.objects.get(municipality__slug="aadal", name="Cool Kids")
    version = intervention.version
    services.update_intervention(
        actor_user=users["koordinator"],
        intervention=intervention,
        data=data(steps, name="Cool Kids", step_ids=[steps[2].pk], age_min=8, age_max=12),
        expected_version=version,
    )
    intervention.refresh_from_db()
    assert (intervention.version, intervention.age_min, intervention.name) == (
        version + 1,
        8,
        "Cool Kids",
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.INTERVENTION_CHANGED, object_id=str(intervention.pk)
    ).exists()


def test_a_stale_update_is_refused_with_what_is_stored(
    users: dict[str, User], steps: dict[int, StaircaseStep]
) -> None:
    intervention = Intervention.objects.get(municipality__slug="aadal", name="Gadeteam")
    opened_at = intervention.version
    services.update_intervention(
        actor_user=users["koordinator"],
        intervention=Intervention.objects.get(pk=intervention.pk),
        data=data(steps, name="Gadeteam", capacity="To hold"),
        expected_version=opened_at,
    )
    with pytest.raises(StaleEdit) as stale:
        services.update_intervention(
            actor_user=users["koordinator"],
            intervention=intervention,
            data=data(steps, name="Gadeteam", capacity="Tre hold"),
            expected_version=opened_at,
        )
    assert stale.value.current["capacity"] == "To hold"
    assert Intervention.objects.get(pk=intervention.pk).capacity == "To hold"
