"""Issue 16: general (green) concerns about a group or a place go to the forum the municipality
names for general prevention (issue 8's routing rule, extended) and can become an activity in
the prevention plan instead of a case; the concern form shows the municipality's help texts and
links to its SSP guide."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import routing, services
from ssp.cases.models import Concern, ConcernSource, ConcernStatus, ConcernSubject, Level
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.models import Forum, Municipality
from ssp.prevention import from_concern
from ssp.prevention import services as prevention_services
from ssp.prevention.models import Activity, AnnualPlan

pytestmark = pytest.mark.django_db

GENERAL_FORUM = "lokal-ssp-midt"


def set_rules(municipality: Municipality, **rules: Any) -> None:
    municipality.rules = {**(municipality.rules or {}), **rules}
    municipality.save(update_fields=["rules"])


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def raise_group_concern(
    users: dict[str, User], *, level: str = Level.GREEN, place: str = "Skaterbanen ved hallen"
) -> Concern:
    oest = forum("lokal-ssp-oest")
    return services.raise_concern(
        actor_user=users["boligsocial"],
        data=services.ConcernData(
            subject=ConcernSubject.GROUP,
            source=ConcernSource.STAFF,
            description="Mads og hans venner ryger hash på skaterbanen.",
            level=level,
            group_size=6,
            group_age_min=13,
            group_age_max=15,
            place=place,
            school_district=oest.school_district,
        ),
    )


def move_data(concern: Concern, plan: AnnualPlan, **extra: Any) -> dict[str, Any]:
    suggestion = from_concern.suggestion_for(concern)
    today = timezone.localdate().isoformat()
    return {
        "plan": plan.pk,
        "title": suggestion.title,
        "kind": "outreach",
        "goal": suggestion.goal,
        "target_group": suggestion.target_group,
        "place": suggestion.place,
        "starts_on": today,
        "ends_on": today,
        **extra,
    }


def plan_of(key: str) -> AnnualPlan:
    return AnnualPlan.objects.get(
        forum=forum(key), school_year=prevention_services.current_school_year()
    )


# --- Routing ----------------------------------------------------------------------------------


def test_a_green_group_concern_goes_to_the_general_prevention_forum(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: GENERAL_FORUM})
    concern = raise_group_concern(users)
    assert concern.forum == forum(GENERAL_FORUM)


def test_a_yellow_group_concern_keeps_the_district_rule(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: GENERAL_FORUM})
    concern = raise_group_concern(users, level=Level.YELLOW)
    assert concern.forum == forum("lokal-ssp-oest")


def test_without_the_rule_a_green_concern_goes_to_its_district(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: ""})
    concern = raise_group_concern(users)
    assert concern.forum == forum("lokal-ssp-oest")


def test_a_dissolved_general_forum_falls_back_to_the_district(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: GENERAL_FORUM})
    Forum.objects.filter(pk=forum(GENERAL_FORUM).pk).update(dissolved_at=timezone.now())
    concern = raise_group_concern(users)
    assert concern.forum == forum("lokal-ssp-oest")


def test_a_named_green_concern_never_goes_to_the_general_forum(demo: Municipality) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: "lokal-ssp-oest"})
    oest = forum("lokal-ssp-oest")
    routed = routing.forum_for_concern(demo, oest.school_district, named=True, level=Level.GREEN)
    assert routed is None or routed.may_discuss_individuals


# --- Becoming an activity ------------------------------------------------------------------------


def test_the_coordinator_makes_a_group_concern_an_activity(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    set_rules(demo, **{configuration.GENERAL_PREVENTION_FORUM_RULE: GENERAL_FORUM})
    concern = raise_group_concern(users)
    client = client_for("koordinator")
    page = client.get(reverse("cases:concern_detail", args=[concern.pk])).content.decode()
    assert 'data-testid="to-prevention-link"' in page
    form_page = client.get(reverse("cases:concern_to_prevention", args=[concern.pk]))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert "Mads" not in html  # the description (with a name) is not suggested
    assert "Skaterbanen ved hallen" in html
    plan = plan_of(GENERAL_FORUM)
    assert f'<option value="{plan.pk}" selected' in html  # the general forum's plan
    response = client.post(
        reverse("cases:concern_to_prevention", args=[concern.pk]), move_data(concern, plan)
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.PREVENTION
    assert concern.activity is not None and concern.activity.plan == plan
    assert "Mads" not in concern.activity.goal
    audit = AuditEvent.objects.get(
        action=AuditAction.CONCERN_TO_PREVENTION, object_id=str(concern.pk)
    )
    assert audit.data == {"activity": concern.activity.pk, "plan": plan.pk}
    page = client.get(reverse("cases:concern_detail", args=[concern.pk])).content.decode()
    assert reverse("prevention:activity", args=[concern.activity.pk]) in page
    assert 'data-testid="to-prevention-link"' not in page
    listing = client.get(reverse("cases:concern_list")).content.decode()
    assert reverse("prevention:activity", args=[concern.activity.pk]) in listing


def test_twice_is_one_activity(users: dict[str, User], client_for: Any) -> None:
    concern = raise_group_concern(users)
    plan = plan_of("lokal-ssp-oest")
    client = client_for("koordinator")
    url = reverse("cases:concern_to_prevention", args=[concern.pk])
    before = Activity.objects.count()
    data = move_data(concern, plan)
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert client.post(url, move_data(concern, plan, title="Anden titel")).status_code == 302
    assert Activity.objects.count() == before + 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CONCERN_TO_PREVENTION, object_id=str(concern.pk)
        ).count()
        == 1
    )


def test_the_service_twice_returns_the_same_activity(users: dict[str, User]) -> None:
    concern = raise_group_concern(users)
    plan = plan_of("lokal-ssp-oest")
    data = prevention_services.ActivityData(
        title="Opsøgende arbejde ved skaterbanen",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    first = from_concern.move_concern_to_prevention(
        actor_user=users["koordinator"], concern=concern, plan=plan, data=data
    )
    again = from_concern.move_concern_to_prevention(
        actor_user=users["koordinator"],
        concern=Concern.objects.get(pk=concern.pk),
        plan=plan,
        data=data,
    )
    assert first.pk == again.pk


@pytest.mark.parametrize("username", ["laerer", "socialraadgiver", "politi", "politiker"])
def test_only_ssp_staff_move_a_concern(
    users: dict[str, User], client_for: Any, username: str
) -> None:
    concern = raise_group_concern(users)
    plan = plan_of("lokal-ssp-oest")
    url = reverse("cases:concern_to_prevention", args=[concern.pk])
    response = client_for(username).post(url, move_data(concern, plan))
    assert response.status_code in (403, 404)
    concern.refresh_from_db()
    assert concern.activity_id is None and concern.status != ConcernStatus.PREVENTION


def test_a_named_childs_concern_never_becomes_an_activity(
    users: dict[str, User], client_for: Any
) -> None:
    concern = Concern.objects.filter(
        young_person__first_name="Sara", subject=ConcernSubject.PERSON
    ).earliest("pk")
    plan = plan_of("lokal-ssp-oest")
    client = client_for("koordinator")
    page = client.get(reverse("cases:concern_detail", args=[concern.pk])).content.decode()
    assert 'data-testid="to-prevention-link"' not in page
    response = client.post(
        reverse("cases:concern_to_prevention", args=[concern.pk]),
        {**move_data(concern, plan), "title": "Forebyggelse"},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.activity_id is None
    with pytest.raises(DomainError):
        from_concern.move_concern_to_prevention(
            actor_user=users["koordinator"],
            concern=concern,
            plan=plan,
            data=prevention_services.ActivityData(
                title="Forebyggelse",
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate(),
            ),
        )


def test_personal_data_in_the_activity_is_refused(users: dict[str, User], client_for: Any) -> None:
    concern = raise_group_concern(users)
    plan = plan_of("lokal-ssp-oest")
    response = client_for("koordinator").post(
        reverse("cases:concern_to_prevention", args=[concern.pk]),
        move_data(concern, plan, goal="Ring til moren på 12 34 56 78"),
    )
    assert response.status_code == 400
    assert "telefonnummer" in response.content.decode()
    concern.refresh_from_db()
    assert concern.activity_id is None and concern.status == ConcernStatus.NEW


def test_invalid_dates_stay_on_the_form(users: dict[str, User], client_for: Any) -> None:
    concern = raise_group_concern(users)
    plan = plan_of("lokal-ssp-oest")
    today = timezone.localdate()
    response = client_for("koordinator").post(
        reverse("cases:concern_to_prevention", args=[concern.pk]),
        move_data(
            concern,
            plan,
            starts_on=today.isoformat(),
            ends_on=today.replace(year=today.year - 1).isoformat(),
        ),
    )
    assert response.status_code == 400
    assert Concern.objects.get(pk=concern.pk).activity_id is None


# --- The concern form: help texts and the guide ------------------------------------------------


def test_the_concern_form_shows_the_help_texts_and_links_to_the_guide(
    demo: Municipality, client_for: Any
) -> None:
    set_rules(
        demo,
        **{
            configuration.RISK_FACTOR_HELP_RULE: {
                "truancy": "Mere end 10 % fravær i en måned.",
                "unknown_factor": "Vises ikke",
            }
        },
    )
    html = client_for("laerer").get(reverse("cases:concern_new")).content.decode()
    assert "Mere end 10 % fravær i en måned." in html
    assert "Vises ikke" not in html
    assert reverse("organisation:guide", kwargs={"slug": demo.slug}) in html
