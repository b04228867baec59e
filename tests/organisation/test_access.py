"""The access core as the organisation uses it: enforce, require, ad hoc groups, own place."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from ssp import access
from ssp.organisation import selectors, views
from ssp.organisation.models import Forum, ForumType, Member, Membership, Municipality

pytestmark = pytest.mark.django_db


def test_enforce_returns_the_actor_who_passes_the_rule(users: dict[str, User]) -> None:
    actor = access.get_actor(users["laerer"])
    assert access.enforce(access.can_view_organisation, actor) is actor


def test_enforce_refuses_an_actor_who_fails_the_rule() -> None:
    with pytest.raises(PermissionDenied):
        access.enforce(access.can_view_organisation, access.ANONYMOUS)


def test_require_remembers_the_rule_of_a_view() -> None:
    assert access.access_rule_of(views.chart) is access.can_view_organisation
    assert access.access_rule_of(lambda request: None) is None


def test_the_api_refuses_a_user_without_a_role(demo: Municipality) -> None:
    client = Client()
    client.force_login(User.objects.create_user(username="uden-rolle", password="x"))
    response = client.get("/api/v1/organisation/municipalities")
    assert response.status_code == 403
    assert response.json() == {"detail": "Ingen adgang."}


def test_the_own_municipality_is_404_for_a_user_without_one(demo: Municipality) -> None:
    superuser = User.objects.create_superuser(username="root", password="x")
    with pytest.raises(Http404):
        selectors.get_own_municipality(access.get_actor(superuser))


def test_the_own_municipality_is_the_members(demo: Municipality, users: dict[str, User]) -> None:
    assert selectors.get_own_municipality(access.get_actor(users["laerer"])) == demo


def _adhoc_group(demo: Municipality, users: dict[str, User]) -> Forum:
    parent = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    group = Forum.objects.create(
        municipality=demo,
        key="adhoc-test",
        name="Ad hoc handlegruppe (test)",
        forum_type=ForumType.ADHOC,
        level=parent.level,
        cadence=parent.cadence,
        parent=parent,
    )
    member = Member.objects.get(user=users["socialraadgiver"])
    Membership.objects.create(forum=group, member=member)
    return group


def test_an_adhoc_group_is_a_404_for_a_non_member(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    group = _adhoc_group(demo, users)
    url = reverse("organisation:forum", args=[group.pk])
    assert client_for("laerer").get(url).status_code == 404
    assert client_for("socialraadgiver").get(url).status_code == 200
    assert client_for("koordinator").get(url).status_code == 200


def test_an_adhoc_group_is_not_listed_as_a_parents_child(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    group = _adhoc_group(demo, users)
    url = reverse("organisation:forum", args=[group.parent_id])
    assert group not in client_for("laerer").get(url).context["children"]
    assert group in client_for("socialraadgiver").get(url).context["children"]


def test_an_adhoc_group_is_not_on_the_chart(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    _adhoc_group(demo, users)
    response = client_for("koordinator").get(reverse("organisation:chart", args=[demo.slug]))
    assert "Ad hoc handlegruppe (test)" not in response.content.decode()
