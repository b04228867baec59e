"""Focus areas (R7): SSP staff draft them for the steering group, a Lokalråd, the coordination
group or a Lokaludvalg; the forum's decision at a meeting sets them (the meetings' hook)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import services as meeting_services
from ssp.meetings.links import apply_decision, link_kind
from ssp.meetings.models import AgendaItem, MeetingKind
from ssp.organisation.models import Forum
from ssp.prevention import services
from ssp.prevention.demo import FOCUS_ITEM
from ssp.prevention.meeting_links import FOCUS_AREA_KIND
from ssp.prevention.models import FocusArea
from ssp.prevention.services import FocusAreaData
from ssp.versioning import StaleEdit
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

YEAR = services.current_school_year()


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def data(**overrides: Any) -> FocusAreaData:
    values: dict[str, Any] = {
        "forum_id": forum("styregruppe").pk,
        "title": "Tryghed i nattelivet",
        "description": "Færre konflikter i bymidten fredag og lørdag nat.",
        "starts_on": date(YEAR, 8, 1),
        "ends_on": date(YEAR + 1, 7, 31),
    }
    return FocusAreaData(**(values | overrides))


def test_the_demo_focus_areas_are_decided_at_the_steering_groups_meeting(demo: Any) -> None:
    areas = {a.title: a for a in FocusArea.objects.filter(forum__key="styregruppe")}
    assert {"Fravær", "Fritidsjob"} <= set(areas)
    for title in ("Fravær", "Fritidsjob"):
        area = areas[title]
        assert (area.starts_on, area.ends_on) == (date(YEAR, 8, 1), date(YEAR + 1, 7, 31))
        assert area.is_decided and area.decided_item is not None
        assert area.decided_item.meeting.forum.key == "styregruppe"
        assert area.decided_item.title == FOCUS_ITEM
    # The item links to "Fravær" (an item links one object); its decision set both.
    item = areas["Fravær"].decided_item
    assert item is not None
    assert (item.link_kind, item.link_id) == (FOCUS_AREA_KIND, areas["Fravær"].pk)
    assert item.link_applied_at is not None


def test_staff_create_a_focus_area_once_per_form(users: dict[str, User]) -> None:
    token = uuid.uuid4()
    first = services.create_focus_area(actor_user=users["koordinator"], data=data(), token=token)
    again = services.create_focus_area(actor_user=users["koordinator"], data=data(), token=token)
    assert first == again and not first.is_decided
    assert FocusArea.objects.filter(title="Tryghed i nattelivet").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.FOCUS_AREA_CREATED).count() >= 1


def test_only_staff_create_focus_areas(users: dict[str, User]) -> None:
    for role in ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker"):
        with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
            services.create_focus_area(actor_user=users[role], data=data())


def test_a_focus_area_belongs_to_a_steering_forum(users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="styregruppen, et lokalråd"):
        services.create_focus_area(
            actor_user=users["koordinator"], data=data(forum_id=forum("lokal-ssp-oest").pk)
        )
    created = services.create_focus_area(
        actor_user=users["koordinator"], data=data(forum_id=forum("koordinationsgruppe").pk)
    )
    assert created.forum.key == "koordinationsgruppe"


def test_the_period_is_ordered_and_the_text_checked(users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="'Til'"):
        services.create_focus_area(
            actor_user=users["koordinator"], data=data(ends_on=date(YEAR, 1, 1))
        )
    with pytest.raises(services.PersonalDataFound, match="CPR-nummer") as refused:
        services.create_focus_area(
            actor_user=users["koordinator"], data=data(description="Se 010203-1234")
        )
    assert refused.value.fields == ["description"]


def test_a_stale_edit_is_refused(users: dict[str, User]) -> None:
    area = services.create_focus_area(actor_user=users["koordinator"], data=data())
    services.update_focus_area(
        actor_user=users["koordinator"],
        focus_area=area,
        data=data(title="Tryghed om natten"),
        expected_version=1,
    )
    with pytest.raises(StaleEdit):
        services.update_focus_area(
            actor_user=users["koordinator"],
            focus_area=FocusArea.objects.get(pk=area.pk),
            data=data(title="Andet"),
            expected_version=1,
        )
    area.refresh_from_db()
    assert area.title == "Tryghed om natten"


def test_the_decision_sets_the_focus_area_once(users: dict[str, User]) -> None:
    area = services.create_focus_area(actor_user=users["koordinator"], data=data())
    kind = link_kind(FOCUS_AREA_KIND)
    assert kind is not None
    steering = forum("styregruppe")
    choices = dict(kind.choices(get_actor(users["koordinator"]), steering))
    assert area.pk in choices
    assert all(not FocusArea.objects.get(pk=pk).is_decided for pk in choices)  # only undecided ones
    meeting = meeting_services.create_meeting(
        actor_user=users["koordinator"],
        forum=steering,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=5),
        location="Rådhuset",
    )
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Nyt fokusområde")
    AgendaItem.objects.filter(pk=item.pk).update(link_kind=FOCUS_AREA_KIND, link_id=area.pk)
    item.refresh_from_db()
    assert apply_decision(users["koordinator"], item) is True
    assert apply_decision(users["koordinator"], item) is False
    services.decide_focus_area(users["koordinator"], item)
    area.refresh_from_db()
    assert area.is_decided and area.decided_item == item
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.FOCUS_AREA_DECIDED, object_id=str(area.pk)
        ).count()
        == 1
    )
    described = kind.describe(area.pk)
    assert described is not None and described.state == "Vedtaget"


def test_another_forums_meeting_cannot_decide_it(users: dict[str, User]) -> None:
    area = services.create_focus_area(actor_user=users["koordinator"], data=data())
    meeting = meeting_services.create_meeting(
        actor_user=users["koordinator"],
        forum=forum("lokal-ssp-oest"),
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=5),
        location="Østskolen",
    )
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Fokus")
    item.link_kind, item.link_id = FOCUS_AREA_KIND, area.pk
    with pytest.raises(DomainError, match="eget forum"):
        services.decide_focus_area(users["koordinator"], item)
    area.refresh_from_db()
    assert not area.is_decided


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_focus_areas_and_staff_edit_them(client_for: Any, role: str) -> None:
    area = FocusArea.objects.get(forum__key="styregruppe", title="Fravær")
    client = client_for(role)
    listing = client.get(reverse("prevention:focus_areas"))
    assert listing.status_code == 200
    assert "Fravær" in listing.content.decode() and "Vedtaget" in listing.content.decode()
    detail = client.get(reverse("prevention:focus_area", args=[area.pk]))
    assert detail.status_code == 200
    staff = role == "koordinator"
    for url in (
        reverse("prevention:focus_area_new"),
        reverse("prevention:focus_area_edit", args=[area.pk]),
        reverse("prevention:plan_forum_search") + "?til=fokus&forum__q=styre",
    ):
        status = client.get(url).status_code
        assert (status == 200) if staff else status in {403, 404}, (role, url, status)


def test_the_focus_area_form_creates_and_keeps_input_on_errors(client_for: Any) -> None:
    coordinator = client_for("koordinator")
    url = reverse("prevention:focus_area_new")
    body = {
        "forum": forum("styregruppe").pk,
        "title": "Tryghed i nattelivet",
        "description": "Ring 12 34 56 78",
        "starts_on": f"{YEAR}-08-01",
        "ends_on": f"{YEAR + 1}-07-31",
        "form_token": str(uuid.uuid4()),
    }
    refused = coordinator.post(url, body)
    assert refused.status_code == 400
    assert "telefonnummer" in refused.content.decode()
    assert 'value="Tryghed i nattelivet"' in refused.content.decode()
    saved = coordinator.post(url, body | {"description": "Bymidten om natten"})
    assert saved.status_code == 302
    area = FocusArea.objects.get(title="Tryghed i nattelivet")
    page = coordinator.get(saved["Location"]).content.decode()
    assert "Ikke vedtaget endnu" in page
    edit = coordinator.post(
        reverse("prevention:focus_area_edit", args=[area.pk]),
        body | {"title": "Nattelivet", "description": "", "version": area.version},
    )
    assert edit.status_code == 302
    area.refresh_from_db()
    assert area.title == "Nattelivet"
    search = coordinator.get(
        reverse("prevention:plan_forum_search"), {"til": "fokus", "forum__q": "lokal"}
    )
    assert "Det lokale SSP-samarbejde" not in search.content.decode()


def test_a_decided_focus_area_keeps_what_was_decided(users: dict[str, User]) -> None:
    """Forum, title and period are the forum's decision; only the description may be reworded."""
    area = FocusArea.objects.get(forum__key="styregruppe", title="Fravær")
    assert area.is_decided
    same = {
        "forum_id": area.forum_id,
        "title": area.title,
        "starts_on": area.starts_on,
        "ends_on": area.ends_on,
    }
    for change in (
        {"title": "Fravær i udskolingen"},
        {"forum_id": forum("koordinationsgruppe").pk},
        {"ends_on": area.ends_on + timedelta(days=365)},
    ):
        with pytest.raises(DomainError, match="vedtaget"):
            services.update_focus_area(
                actor_user=users["koordinator"],
                focus_area=FocusArea.objects.get(pk=area.pk),
                data=data(**(same | change)),
                expected_version=area.version,
            )
    services.update_focus_area(
        actor_user=users["koordinator"],
        focus_area=FocusArea.objects.get(pk=area.pk),
        data=data(**same, description="Fravær over 10 procent i udskolingen."),
        expected_version=area.version,
    )
    area.refresh_from_db()
    assert area.description == "Fravær over 10 procent i udskolingen."
    assert area.is_decided
