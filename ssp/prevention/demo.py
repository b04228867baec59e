"""Demo prevention work for Ådal Kommune (R7): a three-step staircase and a small catalogue of
interventions, with ages, target groups, providers and contacts from the demo organisation.

The interventions are modelled on the kinds Halsnæs lists; their texts, ages and capacities are
invented, and no text names a person, an address or a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ssp.meetings.links import apply_decision
from ssp.meetings.models import AgendaItem
from ssp.organisation.models import Forum, Member, Municipality, Unit
from ssp.prevention import projects, services
from ssp.prevention.meeting_links import FOCUS_AREA_KIND
from ssp.prevention.models import (
    ActivityKind,
    AnnualPlan,
    FocusArea,
    Intervention,
    PlanStatus,
    PreventionLevel,
    Project,
    StaircaseStep,
)

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
    """The demo staircase and catalogue, focus areas, annual plans and their activities;
    running it again gives the same rows."""
    _seed_catalogue(municipality)
    coordinator = User.objects.filter(username=DEMO_COORDINATOR).first()
    if coordinator is None:
        return
    focus_areas = _seed_focus_areas(municipality, coordinator)
    _seed_plans(municipality, coordinator, focus_areas)
    _seed_projects(municipality, coordinator, focus_areas)


def _seed_catalogue(municipality: Municipality) -> None:
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


# --- Focus areas and annual plans -------------------------------------------------------------

DEMO_COORDINATOR = "koordinator"
STEERING_GROUP = "styregruppe"
FOCUS_ITEM = "Fokusområder for næste år"  # the steering group's past item (ssp/meetings/demo.py)
# (title, description). The steering group's past item "Fokusområder for næste år" decided
# both ("Fravær og fritidsjob er fokusområder."): the item links to the first (an item links one
# object), and its decision is recorded for the second too. No item is added to that meeting:
# its minutes are signed.
DEMO_FOCUS_AREAS: tuple[tuple[str, str], ...] = (
    (
        "Fravær",
        "Færre elever med højt fravær i udskolingen: tidlig kontakt til hjemmet og fælles "
        "indsats mellem skole, klub og SSP.",
    ),
    (
        "Fritidsjob",
        "Flere unge i 8.-10. klasse i et fritidsjob, i samarbejde med lokale virksomheder og "
        "klubberne.",
    ),
)
LOCAL_GROUPS = ("lokal-ssp-oest", "lokal-ssp-midt", "lokal-ssp-vest")
SOCIAL_MEDIA_TALK = "Oplæg om sociale medier"


@dataclass(frozen=True)
class DemoActivity:
    title: str
    kind: ActivityKind
    days: int  # from the reference day (the start of the school year, or today)
    unit: str = ""
    class_from: int | None = None
    class_to: int | None = None
    start: time | None = None
    end: time | None = None
    responsible: str = ""
    focus_area: str = ""
    target_group: str = ""
    goal: str = ""
    partners: str = ""
    place: str = ""
    done: bool = False
    reached: int | None = None  # evaluated when set
    what_worked: str = ""
    what_next: str = ""


def _last_year(school: str, responsible: str) -> tuple[DemoActivity, ...]:
    """A local group's plan of last school year: done and evaluated (days from 1 August)."""
    return (
        DemoActivity(
            SOCIAL_MEDIA_TALK,
            ActivityKind.TALK,
            45,
            unit=school,
            class_from=7,
            class_to=7,
            start=time(10, 0),
            end=time(11, 30),
            responsible=responsible,
            goal="Eleverne kender reglerne for deling af billeder og ved, hvor de får hjælp.",
            done=True,
            reached=48,
            what_worked="Konkrete eksempler og spørgsmål i små grupper.",
            what_next="Holde oplægget tidligere på skoleåret.",
        ),
        DemoActivity(
            "Forældremøde om fester og alkohol",
            ActivityKind.PARENT_EVENING,
            100,
            unit=school,
            class_from=8,
            class_to=8,
            start=time(19, 0),
            end=time(20, 30),
            responsible=responsible,
            partners="Politiet",
            done=True,
            reached=35,
            what_worked="Forældrene lavede fælles aftaler om fester.",
        ),
        DemoActivity(
            "Temadag om grænser og fællesskab",
            ActivityKind.THEME_DAY,
            200,
            unit=school,
            class_from=6,
            class_to=6,
            responsible=responsible,
            done=True,
            reached=52,
            what_worked="Øvelser i klassen med efterfølgende snak.",
            what_next="Inddrage klubben.",
        ),
    )


def _this_year_oest() -> tuple[DemoActivity, ...]:
    """The local group Øst's plan of this school year (days from today)."""
    return (
        DemoActivity(
            SOCIAL_MEDIA_TALK,
            ActivityKind.TALK,
            12,  # after Øst's next meeting (in 9 days): its coordination item lists it
            unit="oestskolen",
            class_from=7,
            class_to=7,
            start=time(10, 0),
            end=time(11, 30),
            responsible="Mette Holm",
            goal="Eleverne kender reglerne for deling af billeder og ved, hvor de får hjælp.",
        ),
        DemoActivity(
            "Forældremøde om fester og alkohol",
            ActivityKind.PARENT_EVENING,
            21,
            unit="oestskolen",
            class_from=8,
            class_to=8,
            start=time(19, 0),
            end=time(20, 30),
            responsible="Lars Berg",
            partners="Politiet",
        ),
        DemoActivity(
            "Temadag om fravær og trivsel",
            ActivityKind.THEME_DAY,
            -14,
            unit="oestskolen",
            class_from=9,
            class_to=9,
            responsible="Lars Berg",
            focus_area="Fravær",
            done=True,
        ),
        DemoActivity(
            "Opsøgende arbejde ved fredagsdiskotek",
            ActivityKind.OUTREACH,
            -30,
            unit="klub-oest",
            start=time(19, 0),
            end=time(23, 0),
            responsible="Mette Holm",
            target_group="Unge fra 7.-9. klasse",
            partners="Ungdomsklubben Øst, Politiet",
            done=True,
            reached=80,
            what_worked="Synlige voksne ved indgangen og i parken bagefter.",
            what_next="Gentage ved sommerfesten.",
        ),
    )


def _seed_focus_areas(municipality: Municipality, coordinator: User) -> dict[str, FocusArea]:
    """The steering group's focus areas for this school year, decided at its past meeting."""
    steering = Forum.objects.filter(municipality=municipality, key=STEERING_GROUP).first()
    if steering is None:
        return {}
    year = services.current_school_year()
    starts_on, ends_on = date(year, 8, 1), date(year + 1, 7, 31)
    item = (
        AgendaItem.objects.filter(meeting__forum=steering, title=FOCUS_ITEM)
        .order_by("-meeting__starts_at")
        .first()
    )
    areas: dict[str, FocusArea] = {}
    for title, description in DEMO_FOCUS_AREAS:
        area = FocusArea.objects.filter(
            municipality=municipality, forum=steering, title=title
        ).first()
        if area is None:
            area = services.create_focus_area(
                actor_user=coordinator,
                data=services.FocusAreaData(
                    forum_id=steering.pk,
                    title=title,
                    description=description,
                    starts_on=starts_on,
                    ends_on=ends_on,
                ),
            )
        areas[title] = area
    if item is None:
        return areas
    first, *others = areas.values()
    if not item.link_kind:
        AgendaItem.objects.filter(pk=item.pk).update(link_kind=FOCUS_AREA_KIND, link_id=first.pk)
        item.refresh_from_db()
    apply_decision(coordinator, item)
    for area in others:
        services.record_focus_area_decision(
            actor_user=coordinator, focus_area_id=area.pk, item=item
        )
    for area in areas.values():
        area.refresh_from_db()
    return areas


def _seed_plans(
    municipality: Municipality, coordinator: User, focus_areas: dict[str, FocusArea]
) -> None:
    """Last school year's approved plans of the local groups (done and evaluated); this year's
    approved plan of Øst and draft of Midt; no plan of Vest this year."""
    fora = {
        forum.key: forum
        for forum in Forum.objects.filter(municipality=municipality, key__in=LOCAL_GROUPS)
    }
    year = services.current_school_year()
    last_year_start = date(year - 1, 8, 1)
    responsible = {"lokal-ssp-oest": "Mette Holm", "lokal-ssp-midt": "Mette Holm"}
    schools = {"lokal-ssp-oest": "oestskolen", "lokal-ssp-midt": "midtskolen"}
    for key, forum in fora.items():
        _seed_plan(
            coordinator,
            forum,
            year - 1,
            _last_year(schools.get(key, "vestskolen"), responsible.get(key, "Thomas Friis")),
            last_year_start,
            focus_areas,
            approved=True,
        )
    today = timezone.localdate()
    if "lokal-ssp-oest" in fora:
        _seed_plan(
            coordinator,
            fora["lokal-ssp-oest"],
            year,
            _this_year_oest(),
            today,
            focus_areas,
            approved=True,
        )
    if "lokal-ssp-midt" in fora:
        _seed_plan(coordinator, fora["lokal-ssp-midt"], year, (), today, focus_areas)


def _seed_plan(
    coordinator: User,
    forum: Forum,
    school_year: int,
    activities: tuple[DemoActivity, ...],
    reference: date,
    focus_areas: dict[str, FocusArea],
    *,
    approved: bool = False,
) -> None:
    if AnnualPlan.objects.filter(forum=forum, school_year=school_year).exists():
        return
    plan = services.create_plan(
        actor_user=coordinator, forum=forum, school_year=school_year, copy_last=False
    )
    units = {
        unit.slug: unit.pk for unit in Unit.objects.filter(municipality_id=plan.municipality_id)
    }
    members = {
        member.name: member.pk
        for member in Member.objects.filter(municipality_id=plan.municipality_id)
    }
    for demo in activities:
        day = reference + timedelta(days=demo.days)
        focus = focus_areas.get(demo.focus_area)
        activity = services.create_activity(
            actor_user=coordinator,
            plan=plan,
            data=services.ActivityData(
                title=demo.title,
                kind=demo.kind,
                starts_on=day,
                ends_on=day,
                goal=demo.goal,
                focus_area_id=focus.pk if focus else None,
                target_group=demo.target_group,
                class_from=demo.class_from,
                class_to=demo.class_to,
                unit_id=units.get(demo.unit),
                place=demo.place,
                start_time=demo.start,
                end_time=demo.end,
                responsible_id=members.get(demo.responsible),
                partners=demo.partners,
                confirm_double_booking=True,
            ),
        )
        if demo.done or demo.reached is not None:
            activity = services.mark_done(actor_user=coordinator, activity=activity)
        if demo.reached is not None:
            services.evaluate(
                actor_user=coordinator,
                activity=activity,
                reached=demo.reached,
                what_worked=demo.what_worked,
                what_next=demo.what_next,
            )
    if approved:
        approved_at = datetime(school_year, 9, 1, 12, tzinfo=timezone.get_current_timezone())
        AnnualPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.APPROVED, approved_at=min(approved_at, timezone.now())
        )


def _seed_projects(
    municipality: Municipality, coordinator: User, focus_areas: dict[str, FocusArea]
) -> None:
    """Fredericia's register of time-limited projects: one running, one ended and evaluated."""
    today = timezone.localdate()
    leader = Member.objects.filter(municipality=municipality, name="Mette Holm").first()
    job_area = focus_areas.get("Fritidsjob")
    running = projects.ProjectData(
        name="Fritidsjob i Engparken",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=270),
        funding="Puljen til kriminalpræventive indsatser",
        partners="Jobcentret, Boligsocial helhedsplan Engparken, lokale erhvervsdrivende",
        goals="30 unge fra 14 år i fritidsjob inden sommerferien; færre unge i gaderne om aftenen.",
        focus_area_id=job_area.pk if job_area else None,
        responsible_id=leader.pk if leader else None,
    )
    ended = projects.ProjectData(
        name="Tryg bymidte",
        starts_on=today - timedelta(days=500),
        ends_on=today - timedelta(days=120),
        funding="Kommunens SSP-budget",
        partners="Politiet, Natteravnene, Ungdomsklubben Øst",
        goals="Færre konflikter i bymidten fredag og lørdag nat.",
        evaluation=(
            "Politiets tal viser færre anmeldelser af vold i bymidten i projektperioden. "
            "Natteravnenes faste ruter fortsætter; projektet er afsluttet."
        ),
        evaluated=True,
        responsible_id=leader.pk if leader else None,
    )
    for data in (running, ended):
        if not Project.objects.filter(municipality=municipality, name=data.name).exists():
            projects.create_project(actor_user=coordinator, data=data)
