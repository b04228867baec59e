"""Demo prevention work for Ådal Kommune (R7): a three-step staircase and a small catalogue of
interventions, with ages, target groups, providers and contacts from the demo organisation.

The interventions are modelled on the kinds Halsnæs lists; their texts, ages and capacities are
invented, and no text names a person, an address or a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ssp.organisation.models import Member, Municipality, Unit
from ssp.prevention.models import Intervention, PreventionLevel, StaircaseStep

DEMO_STEPS: tuple[tuple[int, str, PreventionLevel], ...] = (
    (1, "Gode, trygge og udviklende vilkår for alle børn og unge i Ådal", PreventionLevel.GENERAL),
    (2, "Forebygge at unge begår uønskede eller kriminelle handlinger", PreventionLevel.SPECIFIC),
    (
        3,
        "Forhindre at den enkelte unge udvikler et kriminelt handlemønster",
        PreventionLevel.INDIVIDUAL,
    ),
)


@dataclass(frozen=True)
class DemoIntervention:
    name: str
    steps: tuple[int, ...]
    age_min: int | None
    age_max: int | None
    target_group: str
    description: str
    unit: str  # the provider's unit slug
    contact: str  # the contact's name (a demo member)
    how_to_refer: str = ""
    capacity: str = ""
    material: str = ""
    active: bool = True


DEMO_INTERVENTIONS: tuple[DemoIntervention, ...] = (
    DemoIntervention(
        name="Cool Kids",
        steps=(2,),
        age_min=7,
        age_max=12,
        target_group="Børn med angst og deres forældre",
        description=(
            "Et struktureret gruppeforløb på ti gange, hvor børnene lærer at forstå og håndtere "
            "deres angst. Forældrene deltager i en del af sessionerne."
        ),
        unit="familie-og-ungeindsatsen",
        contact="Karin Lund",
        how_to_refer=(
            "Skolen eller sundhedsplejen drøfter barnet med forældrene og sender en henvendelse "
            "til Familie- og Ungeindsatsen med forældrenes samtykke."
        ),
        capacity="To hold à otte børn pr. halvår",
        material="Forældrefolder om angst hos børn (SSP-teamets fællesdrev)",
    ),
    DemoIntervention(
        name="Gadeteam",
        steps=(2, 3),
        age_min=12,
        age_max=22,
        target_group="Unge, der samles i grupper på gader, stationer og i boligområder om aftenen",
        description=(
            "Opsøgende medarbejdere på gaden torsdag til lørdag aften. Teamet skaber kontakt, "
            "skærmer konflikter af og bygger bro til klub, uddannelse og hjælp."
        ),
        unit="ssp-teamet",
        contact="Thomas Friis",
        how_to_refer=(
            "Ring eller skriv til SSP-teamet, når en gruppe unge giver anledning til bekymring."
        ),
        capacity="Tre aftener om ugen",
    ),
    DemoIntervention(
        name="SSP deltagelse på blå mandag",
        steps=(1,),
        age_min=13,
        age_max=17,
        target_group="Elever i 9. klasse på festdagen og deres forældre",
        description=(
            "SSP-konsulenter og politiet er til stede i byen på blå mandag, og forældre inviteres "
            "til et forældremøde om alkohol og fest inden dagen."
        ),
        unit="ssp-teamet",
        contact="Mette Holm",
        how_to_refer="Skolerne aftaler forældremødet med SSP-teamet senest en måned før.",
        material="https://dkr.dk",
    ),
    DemoIntervention(
        name="Forældrefiduser",
        steps=(1,),
        age_min=10,
        age_max=15,
        target_group="Forældre i 4.-8. klasse (samarbejde mellem forældre)",
        description=(
            "Oplæg og dialog på forældremøder om fælles aftaler om fester, skærmtid og "
            "fritid, så forældrene i en klasse står sammen."
        ),
        unit="ssp-teamet",
        contact="Mette Holm",
        how_to_refer="Klasselæreren booker et oplæg hos SSP-teamet.",
        capacity="Ca. 20 forældremøder pr. skoleår",
    ),
    DemoIntervention(
        name="Sociale medier og gode vaner på nettet",
        steps=(1,),
        age_min=11,
        age_max=14,
        target_group="Elever i 5.-7. klasse",
        description=(
            "Undervisning i deling af billeder, digital dannelse og hvor man kan få hjælp, "
            "holdt af SSP-læreren sammen med klassens lærer."
        ),
        unit="oestskolen",
        contact="Lars Berg",
        how_to_refer="Aftales med skolens SSP-lærer.",
        material="Undervisningsmateriale på skolens læringsplatform",
    ),
    DemoIntervention(
        name="Pop-up sport",
        steps=(2,),
        age_min=10,
        age_max=17,
        target_group="Børn og unge i Engparken, som ikke går til en fritidsaktivitet",
        description=(
            "Gratis sport i gården og hallen fredag aften, hvor de unge selv er med til at "
            "vælge aktiviteten."
        ),
        unit="helhedsplanen",
        contact="Bente Larsen",
        how_to_refer="Ingen henvisning: alle kan komme. Fortæl den unge om tilbuddet.",
        capacity="Op til 40 deltagere pr. aften",
    ),
    DemoIntervention(
        name="Mentorforløb",
        steps=(3,),
        age_min=14,
        age_max=18,
        target_group="Unge med begyndende kriminalitet eller et højt fravær",
        description=(
            "En fast voksen i et halvt år, som mødes med den unge hver uge og støtter skole, "
            "fritid og familiens samarbejde med kommunen."
        ),
        unit="socialcentret",
        contact="Sofie Dahl",
        how_to_refer="Bevilges af Socialcentret efter en samtale med den unge og forældrene.",
        capacity="Otte forløb ad gangen",
    ),
    DemoIntervention(
        name="Natteravne",
        steps=(2,),
        age_min=13,
        age_max=17,
        target_group="Unge i byen fredag og lørdag aften",
        description=(
            "Frivillige voksne går ture i byen i weekenden. Indsatsen er sat på pause, indtil "
            "der igen er frivillige nok."
        ),
        unit="klub-oest",
        contact="Thomas Friis",
        active=False,
    ),
)


@transaction.atomic
def seed_prevention(municipality: Municipality) -> None:
    """The demo staircase and catalogue; running it again gives the same rows."""
    steps = {}
    for number, goal, level in DEMO_STEPS:
        steps[number], _created = StaircaseStep.objects.update_or_create(
            municipality=municipality, number=number, defaults={"goal": goal, "level": level}
        )
    units = {unit.slug: unit for unit in Unit.objects.filter(municipality=municipality)}
    members = {member.name: member for member in Member.objects.filter(municipality=municipality)}
    for demo in DEMO_INTERVENTIONS:
        intervention, _created = Intervention.objects.update_or_create(
            municipality=municipality,
            name=demo.name,
            defaults={
                "age_min": demo.age_min,
                "age_max": demo.age_max,
                "target_group": demo.target_group,
                "description": demo.description,
                "provider_unit": units[demo.unit],
                "contact": members[demo.contact],
                "how_to_refer": demo.how_to_refer,
                "capacity": demo.capacity,
                "material": demo.material,
                "active": demo.active,
            },
        )
        intervention.steps.set([steps[number] for number in demo.steps])
