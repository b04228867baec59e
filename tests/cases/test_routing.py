"""R1/R3, issue 10 part 1: the right forum, always.

A named person's concern or case goes only to a forum that may discuss individuals; the
municipality's rule (from its preset) names where a local forum's individual matters go. Each of
the five presets is loaded into a fresh municipality, a concern about a named child is raised in
every school district, and none lands in (or is opened as a case in) a forum whose flag is off.
Concerns about a group or a place still go to the district's local forum.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from django.contrib.auth.models import User

from ssp.cases import routing, services
from ssp.cases.models import Case, Concern, ConcernSource, ConcernSubject, Level
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Municipality,
    SchoolDistrict,
    Sector,
    Unit,
    UnitKind,
)
from ssp.organisation.presets import available_presets
from ssp.organisation.services import load_preset
from ssp.police import services as police_services
from ssp.police.models import PoliceReport, ReportStatus, Routing

pytestmark = pytest.mark.django_db

# Where the named matters of each local forum go, as the sources say (see the presets' comments).
EXPECTED: dict[str, dict[str, str]] = {
    "faxe": {
        "lokal-ssp-oest": "ssp-team",
        "lokal-ssp-midt": "ssp-team",
        "lokal-ssp-vest": "ssp-team",
    },
    "fredericia": {
        "lokalgruppe-frederiksodde": "lokalgruppe-frederiksodde",
        "lokalgruppe-skt-knuds": "lokalgruppe-skt-knuds",
    },
    "koebenhavn": {"lokaludvalg": "lokaludvalg"},
    "halsnaes": {"lokalt-ssp": "ssp-koordinering"},
    "hoeje-taastrup": {f"omraadegruppe-{n}": "ssp-koordinatorer" for n in range(1, 8)},
}
# Those that reach the local forum as "behandles i ad hoc handlegruppe".
ADHOC_GROUP_PRESETS = {"hoeje-taastrup"}

_serial = count(1)


def new_cpr() -> str:
    """A fresh CPR number of a child born 2012 (in every preset's target ages)."""
    n = next(_serial)
    return f"{1 + n % 28:02d}{1 + n // 28 % 12:02d}12-4{n:03d}"


PresetFixture = Callable[[str], tuple[Municipality, User]]


@pytest.fixture
def preset_municipality(db: None) -> PresetFixture:
    """Load a preset into a fresh municipality, with one SSP coordinator who has a login."""

    def make(name: str) -> tuple[Municipality, User]:
        municipality = load_preset(name=name).municipality
        user = User.objects.create_user(username=f"ssp-{name}")
        Member.objects.create(
            user=user,
            municipality=municipality,
            name="SSP-koordinator",
            sector=Sector.OTHER,
            access_role=AccessRole.SSP_STAFF,
            is_authority=True,
        )
        return municipality, user

    return make


def local_fora(municipality: Municipality) -> list[Forum]:
    return list(
        Forum.objects.filter(
            municipality=municipality,
            forum_type__in=routing.LOCAL_FORUM_TYPES,
            school_district__isnull=False,
        ).order_by("key")
    )


def school_in(district: SchoolDistrict) -> Unit:
    return Unit.objects.create(
        municipality=district.municipality,
        name=f"Skolen i {district.name}",
        slug=f"skole-{district.slug}",
        kind=UnitKind.SCHOOL,
        sector=Sector.BUF,
        school_district=district,
    )


def named_concern(
    user: User,
    *,
    school: Unit | None = None,
    district: SchoolDistrict | None = None,
    worksheet: bool = True,
) -> Concern:
    return services.raise_concern(
        actor_user=user,
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.WORKSHEET if worksheet else ConcernSource.STAFF,
            description="Keder sig og pjækker",
            young_person=services.YoungPersonData(
                first_name="Navngivet",
                last_name=f"Barn{next(_serial)}",
                cpr=new_cpr(),
                school=school,
            ),
            school_district=district,
            worksheet={"boredom": True, "truancy": True} if worksheet else None,
        ),
    )


def group_concern(user: User, district: SchoolDistrict) -> Concern:
    return services.raise_concern(
        actor_user=user,
        data=services.ConcernData(
            subject=ConcernSubject.GROUP,
            source=ConcernSource.STAFF,
            description="5 piger på 12-16 år hænger ud foran klubben",
            group_size=5,
            group_age_min=12,
            group_age_max=16,
            school_district=district,
        ),
    )


def assert_no_named_matter_in_a_forum_without_the_flag(municipality: Municipality) -> None:
    assert not Concern.objects.filter(
        municipality=municipality,
        young_person__isnull=False,
        forum__may_discuss_individuals=False,
    ).exists()
    assert not Case.objects.filter(
        municipality=municipality, forum__may_discuss_individuals=False
    ).exists()


# --- Per preset -------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", available_presets())
def test_it_sends_named_concerns_and_cases_only_where_they_may_be_discussed(
    preset_municipality: PresetFixture, preset: str
) -> None:
    municipality, user = preset_municipality(preset)
    fora = local_fora(municipality)
    assert {forum.key for forum in fora} == set(EXPECTED[preset])
    for local in fora:
        assert local.school_district is not None
        expected = Forum.objects.get(municipality=municipality, key=EXPECTED[preset][local.key])
        assert expected.may_discuss_individuals
        # Through the young person's school, and through the district given on the form.
        by_school = named_concern(user, school=school_in(local.school_district))
        by_district = named_concern(user, district=local.school_district, worksheet=False)
        for concern in (by_school, by_district):
            assert concern.forum == expected, (preset, local.key)
        case = services.open_case(actor_user=user, concerns=[by_school], level=Level.YELLOW)
        assert case.forum == expected
        # A group or a place goes to the district's local forum, as before.
        assert group_concern(user, local.school_district).forum == local
    # Without a district: the SSP team / coordination group, never a forum without the flag.
    assert named_concern(user, worksheet=False).forum is not None
    assert_no_named_matter_in_a_forum_without_the_flag(municipality)


@pytest.mark.parametrize("preset", available_presets())
def test_the_preset_stores_the_rule_with_the_municipality(
    preset_municipality: PresetFixture, preset: str
) -> None:
    municipality, _user = preset_municipality(preset)
    rules = routing.individual_matters_rules(municipality)
    handed_on = {key: target for key, target in EXPECTED[preset].items() if key != target}
    assert {key: rule.forum_key for key, rule in rules.items()} == handed_on
    for rule in rules.values():
        assert rule.adhoc_group == (preset in ADHOC_GROUP_PRESETS)


# --- The reproductions ------------------------------------------------------------------


def test_repro_a_named_child_in_hoeje_taastrup_never_lands_in_an_omraadegruppe(
    preset_municipality: PresetFixture,
) -> None:
    """Høje-Taastrup: "Opstår der i en Områdegruppe behov for drøftelse af personsager, kan
    dette kun ske ved nedsættelse af Ad hoc handlegrupper"."""
    municipality, user = preset_municipality("hoeje-taastrup")
    area = Forum.objects.get(municipality=municipality, key="omraadegruppe-3")
    assert area.school_district is not None
    concern = named_concern(user, school=school_in(area.school_district))
    assert concern.forum is not None
    assert concern.forum.key == "ssp-koordinatorer"
    route = routing.individual_route_from(area, municipality=municipality)
    assert route.handed_on and route.adhoc_group
    case = services.open_case(actor_user=user, concerns=[concern], level=Level.RED)
    assert case.forum.key == "ssp-koordinatorer"


def test_repro_a_named_child_in_faxe_goes_to_the_ssp_team_not_the_local_group(
    preset_municipality: PresetFixture,
) -> None:
    municipality, user = preset_municipality("faxe")
    local = Forum.objects.get(municipality=municipality, key="lokal-ssp-midt")
    assert local.school_district is not None and not local.may_discuss_individuals
    concern = named_concern(user, school=school_in(local.school_district))
    assert concern.forum is not None and concern.forum.key == "ssp-team"


# --- Routing by hand, opening a case, police reports ----------------------------------------


def test_a_named_concern_cannot_be_routed_by_hand_to_a_forum_without_the_flag(
    preset_municipality: PresetFixture,
) -> None:
    municipality, user = preset_municipality("faxe")
    local = Forum.objects.get(municipality=municipality, key="lokal-ssp-oest")
    concern = named_concern(user, district=local.school_district)
    with pytest.raises(DomainError, match="må ikke drøfte navngivne personer"):
        services.route_concern(actor_user=user, concern=concern, forum=local)
    concern.refresh_from_db()
    assert concern.forum is not None and concern.forum.key == "ssp-team"
    # A group concern may still be sent there.
    assert local.school_district is not None
    group = group_concern(user, local.school_district)
    services.route_concern(actor_user=user, concern=group, forum=local)


def test_a_case_cannot_be_opened_in_a_forum_without_the_flag(
    preset_municipality: PresetFixture,
) -> None:
    municipality, user = preset_municipality("hoeje-taastrup")
    area = Forum.objects.get(municipality=municipality, key="omraadegruppe-1")
    concern = named_concern(user, district=area.school_district)
    with pytest.raises(DomainError, match="må ikke drøfte navngivne personer"):
        services.open_case(actor_user=user, concerns=[concern], level=Level.RED, forum=area)
    assert not Case.objects.filter(municipality=municipality).exists()


def test_a_concern_left_in_a_forum_without_the_flag_follows_its_case(
    preset_municipality: PresetFixture,
) -> None:
    """A concern raised before the rule (in the Områdegruppe itself) is moved to the case's
    forum when the case is opened, and the case goes where the rule says."""
    municipality, user = preset_municipality("hoeje-taastrup")
    area = Forum.objects.get(municipality=municipality, key="omraadegruppe-2")
    concern = named_concern(user, district=area.school_district)
    Concern.objects.filter(pk=concern.pk).update(forum=area)
    concern.refresh_from_db()
    case = services.open_case(actor_user=user, concerns=[concern], level=Level.RED)
    concern.refresh_from_db()
    assert case.forum.key == "ssp-koordinatorer"
    assert concern.forum == case.forum


def test_a_rule_naming_a_forum_that_may_not_discuss_falls_back_to_the_ssp_team(
    preset_municipality: PresetFixture,
) -> None:
    municipality, user = preset_municipality("faxe")
    municipality.rules["individual_matters"]["lokal-ssp-vest"] = {"forum": "styregruppe"}
    municipality.save(update_fields=["rules"])
    local = Forum.objects.get(municipality=municipality, key="lokal-ssp-vest")
    concern = named_concern(user, district=local.school_district)
    assert concern.forum is not None and concern.forum.key == "ssp-team"


def test_without_any_forum_that_may_discuss_a_named_concern_waits_with_the_ssp_staff(
    preset_municipality: PresetFixture,
) -> None:
    municipality, user = preset_municipality("halsnaes")
    Forum.objects.filter(municipality=municipality, key="ssp-koordinering").update(
        may_discuss_individuals=False
    )
    local = Forum.objects.get(municipality=municipality, key="lokalt-ssp")
    concern = named_concern(user, district=local.school_district)
    assert concern.forum is None
    with pytest.raises(DomainError, match="Vælg det forum"):
        services.open_case(actor_user=user, concerns=[concern], level=Level.RED)


def test_a_police_report_routed_to_a_local_group_without_the_flag_goes_where_the_rule_says(
    demo: Municipality, users: dict[str, User]
) -> None:
    """The demo follows Faxe, whose local groups send named matters to the SSP team; the demo
    lets its local groups discuss them, so one is switched off here."""
    local = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    Forum.objects.filter(pk=local.pk).update(may_discuss_individuals=False)
    local.refresh_from_db()
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    contact = Member.objects.get(user__username="socialraadgiver")
    police_services.route_report(
        actor_user=users["koordinator"],
        report=report,
        data=police_services.RoutingData(
            routing=Routing.LOCAL_GROUP, home_contact=contact, forum=local
        ),
    )
    report.refresh_from_db()
    assert report.concern is not None
    assert report.concern.forum is not None
    assert report.concern.forum.key == "ssp-team"
    assert report.concern.forum.may_discuss_individuals
