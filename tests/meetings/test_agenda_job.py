"""R1/R6, issue 10 part 1: the daily agenda job (`prepare_agendas`) tables risk-factor concerns
where they may be discussed; a local forum that may not discuss named persons gets one anonymous
item instead ("1 ny bekymring behandles i ad hoc handlegruppe"), never the concern itself.

Per preset: every forum of a fresh municipality has a planned meeting, a risk-factor concern
about a named child is raised in every school district, the job runs, and no item in a forum
whose flag is off names a child, points to a concern or a case, or is closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from ssp.cases import routing
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import Concern
from ssp.meetings import services
from ssp.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus, Visibility
from ssp.organisation.models import AccessRole, Forum, Member, Municipality, Sector
from ssp.organisation.presets import available_presets
from ssp.organisation.services import load_preset
from tests.cases.test_routing import EXPECTED, local_fora, named_concern, school_in

pytestmark = pytest.mark.django_db

NOTICE_TITLES = {
    "faxe": "1 ny bekymring behandles i SSP-teamet (SSP-konsulenterne)",
    "halsnaes": "1 ny bekymring behandles i SSP-koordinering (én dør til sparring)",
    "hoeje-taastrup": "1 ny bekymring behandles i ad hoc handlegruppe",
}


def next_week() -> datetime:
    return timezone.now() + timedelta(days=7)


def set_up(preset: str) -> tuple[Municipality, User, dict[str, Meeting]]:
    """The preset in a fresh municipality, an SSP coordinator, and a planned meeting next week
    for every forum of the municipality."""
    municipality = load_preset(name=preset).municipality
    user = User.objects.create_user(username=f"ssp-{preset}")
    Member.objects.create(
        user=user,
        municipality=municipality,
        name="SSP-koordinator",
        sector=Sector.OTHER,
        access_role=AccessRole.SSP_STAFF,
        is_authority=True,
    )
    starts = next_week()
    meetings = {
        forum.key: Meeting.objects.create(forum=forum, starts_at=starts, ends_at=starts)
        for forum in Forum.objects.filter(municipality=municipality)
    }
    return municipality, user, meetings


def run_job() -> int:
    return services.prepare_next_agendas(today=timezone.localdate())


def assert_nothing_named_where_the_flag_is_off(municipality: Municipality) -> None:
    people = [
        concern.young_person
        for concern in Concern.objects.filter(
            municipality=municipality, young_person__isnull=False
        ).select_related("young_person")
    ]
    words = {p.first_name for p in people if p} | {p.last_name for p in people if p}
    words |= {full_cpr_of(p) for p in people if p}
    items = AgendaItem.objects.filter(
        meeting__forum__municipality=municipality,
        meeting__forum__may_discuss_individuals=False,
    )
    assert not items.filter(concern__isnull=False).exists()
    assert not items.filter(case__isnull=False).exists()
    assert not items.filter(visibility=Visibility.CLOSED).exists()
    for item in items:
        text = f"{item.title} {item.description}"
        assert not [word for word in words if word in text], item.title


@pytest.mark.parametrize("preset", available_presets())
def test_no_named_agenda_item_reaches_a_forum_whose_flag_is_off(preset: str) -> None:
    municipality, user, meetings = set_up(preset)
    concerns: dict[str, Concern] = {}
    for local in local_fora(municipality):
        assert local.school_district is not None
        concerns[local.key] = named_concern(user, school=school_in(local.school_district))

    run_job()

    assert_nothing_named_where_the_flag_is_off(municipality)
    for local_key, concern in concerns.items():
        target = EXPECTED[preset][local_key]
        # Tabled where it may be discussed, as a closed item.
        tabled = meetings[target].items.get(concern=concern)
        assert tabled.visibility == Visibility.CLOSED
        assert tabled.kind == ItemKind.CONCERN_DECISION
        assert meetings[target].forum.may_discuss_individuals
        local_items = list(meetings[local_key].items.values_list("title", flat=True))
        if target == local_key:
            continue
        # The local forum is told, anonymously, once.
        assert local_items == [NOTICE_TITLES[preset]]


@pytest.mark.parametrize("preset", available_presets())
def test_the_job_is_safe_to_run_twice_and_counts_new_concerns(preset: str) -> None:
    municipality, user, meetings = set_up(preset)
    fora = local_fora(municipality)
    schools = {}
    for local in fora:
        assert local.school_district is not None
        schools[local.key] = school_in(local.school_district)
        named_concern(user, school=schools[local.key])
    run_job()
    items = AgendaItem.objects.filter(meeting__forum__municipality=municipality).count()
    assert run_job() == 0
    assert AgendaItem.objects.filter(meeting__forum__municipality=municipality).count() == items

    first = fora[0]
    school = schools[first.key]
    named_concern(user, school=school)
    run_job()
    assert_nothing_named_where_the_flag_is_off(municipality)
    titles = list(meetings[first.key].items.values_list("title", flat=True))
    if EXPECTED[preset][first.key] == first.key:
        assert all(item.startswith("Bekymring nr.") for item in titles)
        return
    assert len(titles) == 1
    assert titles[0].startswith("2 nye bekymringer behandles i ")
    if preset == "hoeje-taastrup":
        assert titles[0] == "2 nye bekymringer behandles i ad hoc handlegrupper"


def test_repro_the_agenda_job_no_longer_skips_an_omraadegruppe(capsys: Any) -> None:
    """Before, the daily job skipped fora whose flag is off: the Områdegruppe heard nothing of
    the risk-factor concerns from its area. Now it gets the anonymous item, through the same
    command cron runs."""
    municipality, user, meetings = set_up("hoeje-taastrup")
    area = Forum.objects.get(municipality=municipality, key="omraadegruppe-4")
    assert area.school_district is not None
    named_concern(user, school=school_in(area.school_district))
    call_command("prepare_agendas")
    notice = meetings["omraadegruppe-4"].items.get()
    assert notice.title == "1 ny bekymring behandles i ad hoc handlegruppe"
    assert notice.visibility == Visibility.INTERNAL
    assert notice.concern_id is None and notice.case_id is None
    assert "SSP-koordinatorerne" in notice.description
    assert not meetings["omraadegruppe-1"].items.exists()


def test_only_concerns_since_the_forums_previous_meeting_are_counted() -> None:
    municipality, user, meetings = set_up("faxe")
    local = Forum.objects.get(municipality=municipality, key="lokal-ssp-oest")
    assert local.school_district is not None
    school = school_in(local.school_district)
    old = named_concern(user, school=school)
    held = timezone.now() - timedelta(days=1)
    Meeting.objects.create(forum=local, starts_at=held, ends_at=held, status=MeetingStatus.HELD)
    Concern.objects.filter(pk=old.pk).update(raised_at=held - timedelta(days=3))
    named_concern(user, school=school)
    run_job()
    assert list(meetings["lokal-ssp-oest"].items.values_list("title", flat=True)) == [
        # Issue 14: after a held meeting the first item approves its minutes.
        "Godkendelse af referat fra sidste møde",
        "1 ny bekymring behandles i SSP-teamet (SSP-konsulenterne)",
    ]


def test_concerns_without_risk_factors_alone_are_not_counted() -> None:
    """Only the concerns the worksheet rule puts up for decision: not one with a primary
    statement (an action agreement is mandatory) nor one without a worksheet."""
    municipality, user, meetings = set_up("faxe")
    local = Forum.objects.get(municipality=municipality, key="lokal-ssp-vest")
    assert local.school_district is not None
    named_concern(user, district=local.school_district, worksheet=False)
    risk_and_primary = named_concern(user, school=school_in(local.school_district))
    Concern.objects.filter(pk=risk_and_primary.pk).update(caught_in_crime=True)
    run_job()
    assert not meetings["lokal-ssp-vest"].items.exists()


def test_the_chairs_prepare_agenda_adds_the_notice_too() -> None:
    municipality, user, meetings = set_up("hoeje-taastrup")
    area = Forum.objects.get(municipality=municipality, key="omraadegruppe-2")
    assert area.school_district is not None
    named_concern(user, school=school_in(area.school_district))
    added = services.prepare_agenda(actor_user=user, meeting=meetings["omraadegruppe-2"])
    titles = list(meetings["omraadegruppe-2"].items.values_list("title", flat=True))
    assert "1 ny bekymring behandles i ad hoc handlegruppe" in titles
    assert added == len(titles)
    assert_nothing_named_where_the_flag_is_off(municipality)


def test_a_local_forum_that_keeps_its_named_matters_gets_no_notice() -> None:
    municipality, user, meetings = set_up("fredericia")
    local = Forum.objects.get(municipality=municipality, key="lokalgruppe-skt-knuds")
    assert local.school_district is not None
    concern = named_concern(user, school=school_in(local.school_district))
    assert not routing.individual_route_from(local, municipality=municipality).handed_on
    run_job()
    item = meetings["lokalgruppe-skt-knuds"].items.get()
    assert item.concern == concern and item.visibility == Visibility.CLOSED


def test_without_a_forum_that_may_discuss_the_notice_says_the_ssp_staff_handle_it() -> None:
    municipality, user, meetings = set_up("halsnaes")
    Forum.objects.filter(municipality=municipality, key="ssp-koordinering").update(
        may_discuss_individuals=False
    )
    local = Forum.objects.get(municipality=municipality, key="lokalt-ssp")
    assert local.school_district is not None
    concern = named_concern(user, school=school_in(local.school_district))
    assert concern.forum is None
    run_job()
    assert list(meetings["lokalt-ssp"].items.values_list("title", flat=True)) == [
        "1 ny bekymring behandles af SSP-medarbejderne"
    ]
    assert_nothing_named_where_the_flag_is_off(municipality)
