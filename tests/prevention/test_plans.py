"""Annual plans and their activities (R7): a plan per forum and school year, a copy of last
year's plan, the status flow of an activity, no personal data, double bookings, the meetings'
approval hook, the pages for every demo role, and a plan page whose queries do not grow."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import YoungPerson
from ssp.errors import DomainError
from ssp.meetings import services as meeting_services
from ssp.meetings.links import apply_decision, link_kind
from ssp.meetings.models import AgendaItem, Meeting, MeetingKind
from ssp.organisation.models import Forum, Member, Municipality, Unit
from ssp.prevention import services
from ssp.prevention.demo import SOCIAL_MEDIA_TALK
from ssp.prevention.meeting_links import PLAN_KIND
from ssp.prevention.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AnnualPlan,
    FocusArea,
    Intervention,
    PlanStatus,
)
from ssp.prevention.services import ActivityData
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

THIS_YEAR = services.current_school_year()


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def plan_of(key: str, year: int = THIS_YEAR) -> AnnualPlan:
    return AnnualPlan.objects.get(forum__key=key, school_year=year)


def data(**overrides: Any) -> ActivityData:
    day = timezone.localdate() + timedelta(days=60)
    values: dict[str, Any] = {
        "title": "Oplæg om fester",
        "kind": ActivityKind.TALK,
        "starts_on": day,
        "ends_on": day,
        "target_group": "Elever i 8. klasse",
    }
    return ActivityData(**(values | overrides))


def registered_name() -> str:
    person = YoungPerson.objects.filter(municipality__slug="aadal").order_by("pk").first()
    assert person is not None
    return f"{person.first_name} {person.last_name}"


# --- The demo contract ------------------------------------------------------------------------


def test_the_demo_has_the_plans_the_contract_names(demo: Municipality) -> None:
    for key in ("lokal-ssp-oest", "lokal-ssp-midt", "lokal-ssp-vest"):
        last = plan_of(key, THIS_YEAR - 1)
        assert last.status == PlanStatus.APPROVED
        statuses = set(last.activities.values_list("status", flat=True))
        assert statuses == {ActivityStatus.EVALUATED}
    oest = plan_of("lokal-ssp-oest")
    assert oest.status == PlanStatus.APPROVED
    today = timezone.localdate()
    soon = oest.activities.filter(
        status=ActivityStatus.PLANNED, starts_on__gte=today, starts_on__lte=today + timedelta(30)
    )
    assert soon.count() >= 2
    talk = soon.get(title=SOCIAL_MEDIA_TALK)
    assert (talk.class_from, talk.class_to) == (7, 7)
    assert talk.unit is not None and talk.unit.name == "Østskolen"
    assert talk.responsible is not None and talk.responsible.name == "Mette Holm"
    oest_statuses = list(oest.activities.values_list("status", flat=True))
    assert ActivityStatus.DONE in oest_statuses and ActivityStatus.EVALUATED in oest_statuses
    assert plan_of("lokal-ssp-midt").status == PlanStatus.DRAFT
    assert not AnnualPlan.objects.filter(forum__key="lokal-ssp-vest", school_year=THIS_YEAR)


# --- Creating a plan, and the copy of last year's ---------------------------------------------


def test_a_new_plan_copies_last_years_activities_as_planned_a_year_on(
    users: dict[str, User],
) -> None:
    last = plan_of("lokal-ssp-vest", THIS_YEAR - 1)
    sources = list(last.activities.order_by("starts_on", "pk"))
    fravaer = FocusArea.objects.get(title="Fravær")
    old_area = FocusArea.objects.create(
        municipality=fravaer.municipality,
        forum=fravaer.forum,
        title="Sidste års fokus",
        starts_on=date(THIS_YEAR - 1, 8, 1),
        ends_on=date(THIS_YEAR, 7, 31),
    )
    Activity.objects.filter(pk=sources[0].pk).update(focus_area=fravaer)
    Activity.objects.filter(pk=sources[1].pk).update(focus_area=old_area)

    plan = services.create_plan(
        actor_user=users["koordinator"], forum=forum("lokal-ssp-vest"), school_year=THIS_YEAR
    )

    assert plan.copied_from == last and plan.status == PlanStatus.DRAFT
    copies = list(plan.activities.order_by("starts_on", "pk"))
    assert len(copies) == len(sources) >= 3
    for source, copy in zip(sources, copies, strict=True):
        assert copy.starts_on == services.moved_by_years(source.starts_on, 1)
        assert copy.ends_on == services.moved_by_years(source.ends_on, 1)
        assert copy.status == ActivityStatus.PLANNED
        assert (copy.reached, copy.what_worked, copy.what_next) == (None, "", "")
        assert (copy.done_at, copy.evaluated_at) == (None, None)
        for name in services.COPIED_FIELDS:
            assert getattr(copy, name) == getattr(source, name), name
        assert copy.municipality_id == plan.municipality_id
    # Fravær covers this school year; last year's focus area does not.
    assert copies[0].focus_area == fravaer
    assert copies[1].focus_area is None
    event = AuditEvent.objects.get(action=AuditAction.PLAN_CREATED, object_id=str(plan.pk))
    assert event.data["activities"] == len(sources)


def test_29_february_becomes_28_february() -> None:
    assert services.moved_by_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert services.moved_by_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert services.moved_by_years(date(2025, 3, 1), 1) == date(2026, 3, 1)


def test_the_copy_moves_a_leap_day(users: dict[str, User], demo: Municipality) -> None:
    vest = forum("lokal-ssp-vest")
    source = AnnualPlan.objects.create(municipality=demo, forum=vest, school_year=2023)
    Activity.objects.create(
        plan=source,
        municipality=demo,
        title="Temadag",
        starts_on=date(2024, 2, 29),
        ends_on=date(2024, 2, 29),
    )
    plan = services.create_plan(actor_user=users["koordinator"], forum=vest, school_year=2024)
    assert plan.copied_from == source
    assert list(plan.activities.values_list("starts_on", flat=True)) == [date(2025, 2, 28)]


def test_without_the_copy_the_plan_starts_empty(users: dict[str, User]) -> None:
    plan = services.create_plan(
        actor_user=users["koordinator"],
        forum=forum("lokal-ssp-vest"),
        school_year=THIS_YEAR,
        copy_last=False,
    )
    assert plan.copied_from is None and not plan.activities.exists()


def test_one_plan_per_forum_and_school_year(users: dict[str, User]) -> None:
    oest = forum("lokal-ssp-oest")
    with pytest.raises(services.PlanExists, match="allerede en årsplan") as refused:
        services.create_plan(actor_user=users["laerer"], forum=oest, school_year=THIS_YEAR)
    assert refused.value.plan == plan_of("lokal-ssp-oest")


def test_a_double_submit_gives_the_plan_the_first_made(users: dict[str, User]) -> None:
    vest = forum("lokal-ssp-vest")
    first = services.create_plan(actor_user=users["koordinator"], forum=vest, school_year=THIS_YEAR)
    again = services.create_plan(actor_user=users["koordinator"], forum=vest, school_year=THIS_YEAR)
    assert again == first
    assert AnnualPlan.objects.filter(forum=vest, school_year=THIS_YEAR).count() == 1


def test_only_the_forums_members_and_staff_make_its_plan(users: dict[str, User]) -> None:
    vest = forum("lokal-ssp-vest")
    for role in ("laerer", "boligsocial", "politiker", "admin", "tilsyn"):
        with pytest.raises(DomainError, match="kun lave årsplaner"):
            services.create_plan(actor_user=users[role], forum=vest, school_year=THIS_YEAR)
    assert not AnnualPlan.objects.filter(forum=vest, school_year=THIS_YEAR).exists()


# --- Activities: the rules, the status flow ---------------------------------------------------


def test_a_forum_member_adds_an_activity_and_it_is_audited(users: dict[str, User]) -> None:
    activity = services.create_activity(
        actor_user=users["laerer"], plan=plan_of("lokal-ssp-oest"), data=data()
    )
    assert activity.status == ActivityStatus.PLANNED
    assert activity.municipality_id == activity.plan.municipality_id
    event = AuditEvent.objects.get(action=AuditAction.ACTIVITY_CREATED, object_id=str(activity.pk))
    assert "Oplæg om fester" not in f"{event.object_repr} {event.data}"


def test_outsiders_cannot_add_activities(users: dict[str, User]) -> None:
    for role in ("politiker", "admin", "tilsyn"):
        with pytest.raises(DomainError, match="medlemmer af planens forum"):
            services.create_activity(
                actor_user=users[role], plan=plan_of("lokal-ssp-oest"), data=data()
            )
    # The teacher is not in the local group Midt.
    with pytest.raises(DomainError, match="medlemmer af planens forum"):
        services.create_activity(
            actor_user=users["laerer"], plan=plan_of("lokal-ssp-midt"), data=data()
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"class_from": 9, "class_to": 7}, "klassetrin"),
        ({"class_from": 11}, "klassetrin"),
        ({"ends_on": date(2000, 1, 1)}, "'Til'"),
        ({"starts_on": date(1800, 1, 1), "ends_on": date(1800, 1, 1)}, "mellem 1900 og 2100"),
        ({"start_time": time(12), "end_time": time(10)}, "'Til kl.'"),
        ({"title": "  "}, "titel"),
    ],
)
def test_it_refuses_what_does_not_hold(
    users: dict[str, User], overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        services.create_activity(
            actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=data(**overrides)
        )


def test_the_records_it_names_must_be_the_municipalitys(
    users: dict[str, User], demo: Municipality
) -> None:
    other = Municipality.objects.exclude(pk=demo.pk).first()
    plan = plan_of("lokal-ssp-oest")
    if other is not None:
        foreign_unit = Unit.objects.filter(municipality=other).first()
        if foreign_unit is not None:
            with pytest.raises(DomainError, match="enhed i kommunen"):
                services.create_activity(
                    actor_user=users["koordinator"], plan=plan, data=data(unit_id=foreign_unit.pk)
                )
    with pytest.raises(DomainError, match="person i kommunen"):
        services.create_activity(
            actor_user=users["koordinator"], plan=plan, data=data(responsible_id=10**9)
        )
    with pytest.raises(DomainError, match="Fokusområdet"):
        services.create_activity(
            actor_user=users["koordinator"], plan=plan, data=data(focus_area_id=10**9)
        )


def test_done_is_idempotent_and_audited_once(users: dict[str, User]) -> None:
    activity = services.create_activity(
        actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=data()
    )
    for _ in range(2):
        done = services.mark_done(actor_user=users["laerer"], activity=activity)
        assert done.status == ActivityStatus.DONE and done.done_at is not None
    events = AuditEvent.objects.filter(action=AuditAction.ACTIVITY_DONE, object_id=str(activity.pk))
    assert events.count() == 1


def test_a_planned_activity_cannot_be_evaluated(users: dict[str, User]) -> None:
    activity = services.create_activity(
        actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=data()
    )
    with pytest.raises(DomainError, match="skal være gennemført, før den evalueres"):
        services.evaluate(
            actor_user=users["koordinator"], activity=activity, reached=20, what_worked="Godt"
        )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_the_evaluation_needs_reached_and_what_worked(users: dict[str, User]) -> None:
    activity = services.create_activity(
        actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=data()
    )
    services.mark_done(actor_user=users["koordinator"], activity=activity)
    for reached, worked, message in (
        (None, "Godt", "Angiv hvor mange"),
        (100_001, "Godt", "Angiv hvor mange"),
        (20, "   ", "hvad der virkede"),
    ):
        with pytest.raises(DomainError, match=message):
            services.evaluate(
                actor_user=users["koordinator"],
                activity=activity,
                reached=reached,
                what_worked=worked,
            )
    evaluated = services.evaluate(
        actor_user=users["laerer"], activity=activity, reached=24, what_worked="Rollespil"
    )
    assert evaluated.status == ActivityStatus.EVALUATED
    assert (evaluated.reached, evaluated.what_worked, evaluated.what_next) == (24, "Rollespil", "")
    # An evaluated activity may be evaluated again (a correction); done stays evaluated.
    services.evaluate(
        actor_user=users["laerer"], activity=activity, reached=25, what_worked="Rollespil"
    )
    services.mark_done(actor_user=users["laerer"], activity=activity)
    activity.refresh_from_db()
    assert (activity.status, activity.reached) == (ActivityStatus.EVALUATED, 25)


# --- No personal data -------------------------------------------------------------------------


def test_a_cpr_number_is_refused_from_anyone(users: dict[str, User]) -> None:
    for role in ("koordinator", "laerer", "boligsocial"):
        with pytest.raises(services.PersonalDataFound, match="CPR-nummer") as refused:
            services.create_activity(
                actor_user=users[role],
                plan=plan_of("lokal-ssp-oest"),
                data=data(goal="Eleven 010203-1234 deltager"),
            )
        assert "010203-1234" not in refused.value.message
        assert refused.value.fields == ["goal"]
    assert not Activity.objects.filter(goal__contains="010203").exists()


def test_a_registered_name_is_refused_from_an_authority_person(users: dict[str, User]) -> None:
    name = registered_name()
    with pytest.raises(services.PersonalDataFound) as refused:
        services.create_activity(
            actor_user=users["laerer"],
            plan=plan_of("lokal-ssp-oest"),
            data=data(target_group=f"Klassen med {name}"),
        )
    assert name not in refused.value.message
    assert refused.value.fields == ["target_group"]


def test_the_evaluation_is_checked_too(users: dict[str, User]) -> None:
    activity = services.create_activity(
        actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=data()
    )
    services.mark_done(actor_user=users["koordinator"], activity=activity)
    with pytest.raises(services.PersonalDataFound, match="hvad virkede"):
        services.evaluate(
            actor_user=users["koordinator"],
            activity=activity,
            reached=3,
            what_worked=f"Samtalen med {registered_name()}",
        )


def test_a_non_authority_writer_gets_the_same_answer_for_a_registered_name(
    client_for: Any,
) -> None:
    """The housing worker (no authority person) cannot probe the register: a registered name is
    accepted exactly like an invented one."""
    housing_worker = client_for("boligsocial")
    plan = plan_of("lokal-ssp-oest")
    url = reverse("prevention:activity_new", args=[plan.pk])
    day = (timezone.localdate() + timedelta(days=90)).isoformat()
    answers = []
    for name in (registered_name(), "Zacharias Qvistgaard"):
        response = housing_worker.post(
            url,
            {
                "title": "Fodbold i gården",
                "kind": ActivityKind.OUTREACH,
                "target_group": f"Drengene omkring {name}",
                "starts_on": day,
                "ends_on": day,
            },
        )
        answers.append((response.status_code, response.get("Location", "")[:20]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    assert plan.activities.filter(title="Fodbold i gården").count() == 2


def test_check_texts_names_the_labels_never_the_text(users: dict[str, User]) -> None:
    from ssp.access import get_actor

    actor = get_actor(users["koordinator"])
    municipality_id = plan_of("lokal-ssp-oest").municipality_id
    services.check_texts(actor, municipality_id, {"Mål": "Gode vaner", "Sted": ""})
    with pytest.raises(services.PersonalDataFound) as refused:
        services.check_texts(
            actor, municipality_id, {"Mål": "Ring 12 34 56 78", "Sted": "skriv@til.dk"}
        )
    assert refused.value.fields == ["Mål", "Sted"]
    assert "12 34 56 78" not in refused.value.message
    assert "«Mål»" in refused.value.message and "telefonnummer" in refused.value.message


# --- Double bookings --------------------------------------------------------------------------


def test_a_double_booking_is_saved_only_when_confirmed(users: dict[str, User]) -> None:
    talk = plan_of("lokal-ssp-oest").activities.get(title=SOCIAL_MEDIA_TALK)
    clash = data(
        title="Oplæg om mobning",
        starts_on=talk.starts_on,
        ends_on=talk.starts_on,
        start_time=time(11),
        end_time=time(12),
        responsible_id=talk.responsible_id,
    )
    with pytest.raises(services.DoubleBooking) as refused:
        services.create_activity(
            actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=clash
        )
    assert [c.activity for c in refused.value.conflicts] == [talk]
    clash.confirm_double_booking = True
    saved = services.create_activity(
        actor_user=users["koordinator"], plan=plan_of("lokal-ssp-oest"), data=clash
    )
    assert saved.pk is not None


def test_the_form_warns_of_a_double_booking_and_offers_gem_alligevel(client_for: Any) -> None:
    talk = plan_of("lokal-ssp-oest").activities.get(title=SOCIAL_MEDIA_TALK)
    coordinator = client_for("koordinator")
    url = reverse("prevention:activity_new", args=[talk.plan_id])
    body = {
        "title": "Oplæg om mobning",
        "kind": ActivityKind.TALK,
        "starts_on": talk.starts_on.isoformat(),
        "ends_on": talk.starts_on.isoformat(),
        "start_time": "11:00",
        "end_time": "12:00",
        "responsible": talk.responsible_id,
    }
    warned = coordinator.post(url, body)
    assert warned.status_code == 409
    page = warned.content.decode()
    assert "Gem alligevel" in page and SOCIAL_MEDIA_TALK in page
    assert 'value="Oplæg om mobning"' in page  # the input is kept
    saved = coordinator.post(url, body | {"confirm_double_booking": "on"})
    assert saved.status_code == 302


# --- The meetings' approval hook --------------------------------------------------------------


def midt_item(users: dict[str, User], plan: AnnualPlan) -> AgendaItem:
    meeting = meeting_services.create_meeting(
        actor_user=users["koordinator"],
        forum=plan.forum,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=3),
        location="Midtskolen",
    )
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Årsplanen")
    AgendaItem.objects.filter(pk=item.pk).update(link_kind=PLAN_KIND, link_id=plan.pk)
    item.refresh_from_db()
    return item


def test_the_decision_approves_the_plan_once(users: dict[str, User]) -> None:
    plan = plan_of("lokal-ssp-midt")
    kind = link_kind(PLAN_KIND)
    assert kind is not None and str(kind.decision_label) == "Beslutningen godkender årsplanen"
    from ssp.access import get_actor

    assert (plan.pk, f"Årsplan {plan.school_year_label} – {plan.forum.name}") in kind.choices(
        get_actor(users["koordinator"]), plan.forum
    )
    item = midt_item(users, plan)
    assert apply_decision(users["koordinator"], item) is True
    assert apply_decision(users["koordinator"], item) is False
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_item == item and plan.approved_at is not None
    assert (
        AuditEvent.objects.filter(action=AuditAction.PLAN_APPROVED, object_id=str(plan.pk)).count()
        == 1
    )
    # Approved again directly: nothing changes.
    approved_at = plan.approved_at
    services.approve_plan(users["koordinator"], item)
    plan.refresh_from_db()
    assert plan.approved_at == approved_at
    described = kind.describe(plan.pk)
    assert described is not None and described.state == "Godkendt"
    assert plan.pk not in dict(kind.choices(get_actor(users["koordinator"]), plan.forum))


def test_a_plan_is_approved_only_at_its_own_forums_meeting(users: dict[str, User]) -> None:
    plan = plan_of("lokal-ssp-midt")
    meeting = Meeting.objects.filter(forum__key="lokal-ssp-oest").order_by("pk").first()
    assert meeting is not None
    item = AgendaItem.objects.create(meeting=meeting, position=99, title="Midts årsplan")
    item.link_kind, item.link_id = PLAN_KIND, plan.pk
    with pytest.raises(DomainError, match="planens eget forum"):
        services.approve_plan(users["koordinator"], item)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


# --- Pages ------------------------------------------------------------------------------------

OK, DENIED = "ok", "denied"
MAKERS = {"koordinator", "laerer", "socialraadgiver", "politi", "boligsocial", "politiker"}
OEST = {"koordinator", "laerer", "socialraadgiver", "politi", "boligsocial"}


def expected(role: str, allowed: set[str] | None) -> str:
    return OK if allowed is None or role in allowed else DENIED


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_rules_say(client_for: Any, role: str) -> None:
    oest = plan_of("lokal-ssp-oest")
    activity = oest.activities.order_by("pk").first()
    done = oest.activities.filter(status=ActivityStatus.DONE).first()
    assert activity is not None and done is not None
    pages: list[tuple[str, set[str] | None]] = [
        (reverse("prevention:plans"), None),
        (reverse("prevention:plan", args=[oest.pk]), None),
        (reverse("prevention:activity", args=[activity.pk]), None),
        (reverse("prevention:plan_new"), MAKERS),
        (reverse("prevention:plan_forum_search") + "?forum__q=lokal", MAKERS),
        (reverse("prevention:plan_member_search") + "?responsible__q=Mette", MAKERS),
        (reverse("prevention:plan_unit_search") + "?unit__q=skole", MAKERS),
        (reverse("prevention:activity_new", args=[oest.pk]), OEST),
        (reverse("prevention:activity_edit", args=[activity.pk]), OEST),
        (reverse("prevention:activity_evaluate", args=[done.pk]), OEST),
    ]
    client = client_for(role)
    for url, allowed in pages:
        status = client.get(url).status_code
        got = OK if status == 200 else DENIED if status in {403, 404} else str(status)
        assert got == expected(role, allowed), (role, url, status)


@pytest.mark.parametrize("role", ["politiker", "admin", "tilsyn", "laerer"])
def test_outsiders_cannot_post_to_a_plan(client_for: Any, role: str) -> None:
    midt = plan_of("lokal-ssp-midt")
    activity = plan_of("lokal-ssp-oest", THIS_YEAR).activities.filter(status=ActivityStatus.PLANNED)
    target = activity.first()
    assert target is not None
    client = client_for(role)
    day = timezone.localdate().isoformat()
    new = client.post(
        reverse("prevention:activity_new", args=[midt.pk]),
        {"title": "X", "kind": ActivityKind.TALK, "starts_on": day, "ends_on": day},
    )
    assert new.status_code in {403, 404}
    if role != "laerer":  # the teacher sits in Øst
        done = client.post(reverse("prevention:activity_done", args=[target.pk]))
        assert done.status_code in {403, 404}
        target.refresh_from_db()
        assert target.status == ActivityStatus.PLANNED
    assert not midt.activities.filter(title="X").exists()


def test_the_plan_page_shows_the_plan(client_for: Any) -> None:
    oest = plan_of("lokal-ssp-oest")
    page = client_for("politiker").get(reverse("prevention:plan", args=[oest.pk]))
    text = page.content.decode()
    assert SOCIAL_MEDIA_TALK in text and "Godkendt" in text and "Østskolen" in text
    assert reverse("prevention:plan_xlsx", args=[oest.pk]) in text
    assert "Ny aktivitet" not in text  # the politician does not sit in Øst
    assert (
        "Ny aktivitet"
        in client_for("laerer").get(reverse("prevention:plan", args=[oest.pk])).content.decode()
    )


def test_the_plans_list_filters_by_year_and_forum(client_for: Any) -> None:
    client = client_for("laerer")
    all_plans = client.get(reverse("prevention:plans")).content.decode()
    assert all_plans.count('data-testid="plan"') == 5
    last_year = client.get(reverse("prevention:plans"), {"aar": THIS_YEAR - 1}).content.decode()
    assert last_year.count('data-testid="plan"') == 3
    oest = forum("lokal-ssp-oest")
    only_oest = client.get(reverse("prevention:plans"), {"forum": oest.pk}).content.decode()
    assert only_oest.count('data-testid="plan"') == 2
    junk = client.get(reverse("prevention:plans"), {"aar": "x²", "forum": "99999999999999999999"})
    assert junk.status_code == 200


def test_the_new_plan_form_creates_a_copy(client_for: Any) -> None:
    coordinator = client_for("koordinator")
    form = coordinator.get(reverse("prevention:plan_new")).content.decode()
    assert f'value="{THIS_YEAR}"' in form and "checked" in form
    vest = forum("lokal-ssp-vest")
    response = coordinator.post(
        reverse("prevention:plan_new"),
        {"forum": vest.pk, "school_year": THIS_YEAR, "copy_last": "on"},
    )
    assert response.status_code == 302
    plan = plan_of("lokal-ssp-vest")
    assert response["Location"] == reverse("prevention:plan", args=[plan.pk])
    assert plan.copied_from == plan_of("lokal-ssp-vest", THIS_YEAR - 1)
    assert plan.activities.count() == plan.copied_from.activities.count()
    again = coordinator.post(
        reverse("prevention:plan_new"), {"forum": vest.pk, "school_year": THIS_YEAR}
    )
    assert again.status_code == 302  # the same person's double submit
    other = client_for("socialraadgiver").post(
        reverse("prevention:plan_new"),
        {"forum": forum("lokal-ssp-oest").pk, "school_year": THIS_YEAR},
    )
    assert other.status_code == 409
    assert "allerede en årsplan" in other.content.decode()


def test_the_evaluation_page_flow(client_for: Any) -> None:
    oest = plan_of("lokal-ssp-oest")
    activity = oest.activities.filter(status=ActivityStatus.PLANNED).first()
    assert activity is not None
    teacher = client_for("laerer")
    url = reverse("prevention:activity_evaluate", args=[activity.pk])
    version = {"version": activity.version}
    refused = teacher.post(url, {"reached": "10", "what_worked": "Godt"} | version)
    assert refused.status_code == 400
    assert "skal være gennemført" in refused.content.decode()
    assert teacher.get(reverse("prevention:activity_done", args=[activity.pk])).status_code == 405
    assert teacher.post(reverse("prevention:activity_done", args=[activity.pk])).status_code == 302
    activity.refresh_from_db()
    version = {"version": activity.version}
    missing = teacher.post(url, {"reached": "10", "what_worked": ""} | version)
    assert missing.status_code == 400
    evaluation = {"reached": "10", "what_worked": "Godt"} | version
    assert teacher.post(url, evaluation).status_code == 302
    # The same evaluation posted again (a double click) is saved and audited once.
    assert teacher.post(url, evaluation).status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.EVALUATED
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACTIVITY_EVALUATED, object_id=str(activity.pk)
        ).count()
        == 1
    )
    # Another evaluation from the page as it was before is refused and keeps the input.
    stale = teacher.post(url, {"reached": "12", "what_worked": "Rollespil"} | version)
    assert stale.status_code == 409
    assert "Rollespil" in stale.content.decode()
    activity.refresh_from_db()
    assert (activity.reached, activity.what_worked) == (10, "Godt")
    detail = teacher.get(reverse("prevention:activity", args=[activity.pk])).content.decode()
    assert "Evalueret" in detail


def test_a_stale_edit_of_an_activity_keeps_the_input(client_for: Any) -> None:
    activity = plan_of("lokal-ssp-oest").activities.filter(status=ActivityStatus.PLANNED).first()
    assert activity is not None
    Activity.objects.filter(pk=activity.pk).update(version=activity.version + 1)
    day = (timezone.localdate() + timedelta(days=100)).isoformat()
    response = client_for("koordinator").post(
        reverse("prevention:activity_edit", args=[activity.pk]),
        {
            "title": "Nyt navn",
            "kind": ActivityKind.TALK,
            "starts_on": day,
            "ends_on": day,
            "version": activity.version,
        },
    )
    assert response.status_code == 409
    assert 'value="Nyt navn"' in response.content.decode()


def test_the_plan_page_makes_the_same_queries_as_the_plan_grows(
    client_for: Any, demo: Municipality
) -> None:
    plan = plan_of("lokal-ssp-oest")
    client = client_for("laerer")
    url = reverse("prevention:plan", args=[plan.pk])
    unit = Unit.objects.filter(municipality=demo).order_by("pk").first()
    member = Member.objects.filter(municipality=demo).order_by("pk").first()
    area = FocusArea.objects.filter(municipality=demo).first()

    def grow_to(total: int) -> None:
        for n in range(plan.activities.count(), total):
            Activity.objects.create(
                plan=plan,
                municipality=demo,
                title=f"Ekstra {n}",
                starts_on=date(THIS_YEAR + 1, 1, 1),
                ends_on=date(THIS_YEAR + 1, 1, 1),
                unit=unit,
                responsible=member,
                focus_area=area,
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    client.get(url)
    grow_to(5)
    small = queries()
    grow_to(40)
    assert queries() == small
    grow_to(120)  # two pages
    assert queries() == small
    assert client.get(url, {"side": "3"}).status_code == 200


def test_the_copy_checks_last_years_text_again_and_copies_nothing_on_a_finding(
    users: dict[str, User],
) -> None:
    last = plan_of("lokal-ssp-vest", THIS_YEAR - 1)
    first = last.activities.order_by("starts_on", "pk").first()
    assert first is not None
    Activity.objects.filter(pk=first.pk).update(goal="Ring til 20 30 40 50 efter mødet")
    with pytest.raises(services.PersonalDataFound, match="aktivitet nr. 1"):
        services.create_plan(
            actor_user=users["koordinator"], forum=forum("lokal-ssp-vest"), school_year=THIS_YEAR
        )
    assert not AnnualPlan.objects.filter(forum__key="lokal-ssp-vest", school_year=THIS_YEAR)


def test_the_copy_leaves_out_an_intervention_no_longer_in_use(users: dict[str, User]) -> None:
    last = plan_of("lokal-ssp-vest", THIS_YEAR - 1)
    first = last.activities.order_by("starts_on", "pk").first()
    assert first is not None
    retired = Intervention.objects.get(municipality__slug="aadal", active=False)
    in_use = Intervention.objects.filter(municipality__slug="aadal", active=True).first()
    assert in_use is not None
    Activity.objects.filter(pk=first.pk).update(intervention=retired)
    Activity.objects.filter(plan=last).exclude(pk=first.pk).update(intervention=in_use)
    plan = services.create_plan(
        actor_user=users["koordinator"], forum=forum("lokal-ssp-vest"), school_year=THIS_YEAR
    )
    copies = list(plan.activities.order_by("starts_on", "pk"))
    assert copies[0].intervention_id is None
    assert {copy.intervention_id for copy in copies[1:]} == {in_use.pk}


def test_an_activity_with_an_intervention_taken_out_of_use_can_still_be_saved(
    client_for: Any,
) -> None:
    activity = plan_of("lokal-ssp-oest").activities.filter(status=ActivityStatus.PLANNED).first()
    assert activity is not None
    retired = Intervention.objects.get(municipality__slug="aadal", active=False)
    Activity.objects.filter(pk=activity.pk).update(intervention=retired)
    url = reverse("prevention:activity_edit", args=[activity.pk])
    coordinator = client_for("koordinator")
    form = coordinator.get(url).context["form"]
    assert retired in form.fields["intervention"].queryset
    body = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    body |= {"title": "Oplæg om sociale medier for 7. klasse", "confirm_double_booking": "on"}
    response = coordinator.post(url, body)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert activity.intervention == retired
    assert activity.title == "Oplæg om sociale medier for 7. klasse"
