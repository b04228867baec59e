"""Never a 500 and never a dead end (issue "never a 500, never a lost update"): input out of
range is a form error, a refused service call re-renders the same page with what the user typed
and the reason, and minutes are written from the meeting's start, not before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp.errors import DomainError
from ssp.meetings import services
from ssp.meetings.models import Contribution, Meeting, MeetingKind, MeetingStatus, Visibility
from ssp.organisation.models import Forum, Membership, Municipality
from tests.helpers_db import unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(demo: Municipality) -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def oest(demo: Municipality) -> Forum:
    return Forum.objects.get(municipality=demo, key="lokal-ssp-oest")


def plan_meeting(client: Any, forum: Forum, starts_at: str) -> Any:
    return client.post(
        reverse("meetings:new"),
        {
            "meeting-forum": forum.pk,
            "meeting-kind": MeetingKind.EXTRA,
            "meeting-starts_at": starts_at,
            "meeting-location": "Østskolen",
            "meeting-title": "Ekstra møde om klubbens aftener",
        },
    )


# --- 500s from input -------------------------------------------------------------------------


def test_repro_nul_byte_in_a_contribution_is_a_form_error(
    upcoming: Meeting, client_for: Any
) -> None:
    closed = upcoming.items.get(visibility=Visibility.CLOSED)
    client = client_for("boligsocial")
    url = reverse("meetings:contribution", kwargs={"pk": upcoming.pk, "item": closed.pk})
    with unchanged():
        response = client.post(url, {"text": "Jeg kender familien\x00 fra boligområdet."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "usynligt kontroltegn" in page
    assert "Jeg kender familien" in page and "fra boligområdet." in page  # the typed text stays
    assert not Contribution.objects.filter(item=closed).exists()


def test_repro_meeting_at_9999_12_31_is_a_form_error_not_an_overflow(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = plan_meeting(client, oest(demo), "9999-12-31T23:59")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Datoen må ikke ligge efter 31. december 2100." in page
    assert "Ekstra møde om klubbens aftener" in page


def test_repro_meeting_at_0001_01_01_is_refused_so_the_meeting_list_keeps_working(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = plan_meeting(client, oest(demo), "0001-01-01")
    assert response.status_code == 400
    assert "Datoen må ikke ligge før 1. januar 1900." in response.content.decode()
    for role in ("koordinator", "laerer", "boligsocial"):
        assert client_for(role).get(reverse("meetings:list")).status_code == 200


def test_the_planning_form_tells_the_browser_the_date_range(
    demo: Municipality, client_for: Any
) -> None:
    page = client_for("koordinator").get(reverse("meetings:list")).content.decode()
    assert 'min="1900-01-01T00:00"' in page and 'max="2100-12-31T23:59"' in page


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 20, 0, tzinfo=UTC),
        datetime(2100, 12, 31, 23, 0, tzinfo=UTC),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        datetime(1899, 12, 31, 12, 0, tzinfo=UTC),
    ],
)
def test_the_service_refuses_a_start_outside_the_domain_range(
    demo: Municipality, users: dict[str, User], starts_at: datetime
) -> None:
    with pytest.raises(DomainError, match="må ikke ligge|skal ligge mellem"):
        services.create_meeting(
            actor_user=users["koordinator"],
            forum=oest(demo),
            kind=MeetingKind.EXTRA,
            starts_at=starts_at,
        )


def test_the_services_refuse_control_characters_from_any_channel(
    upcoming: Meeting, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="kontroltegn"):
        services.add_item(actor_user=users["koordinator"], meeting=upcoming, title="Punkt\x00")
    closed = upcoming.items.get(visibility=Visibility.CLOSED)
    with pytest.raises(DomainError, match="kontroltegn"):
        services.add_contribution(actor_user=users["boligsocial"], item=closed, text="a\x00b")
    with pytest.raises(DomainError, match="år mellem"):
        services.generate_calendar(actor_user=users["koordinator"], forum=upcoming.forum, year=9999)


def test_a_decision_with_a_nul_byte_or_a_deadline_in_9999_is_a_form_error(
    upcoming: Meeting, client_for: Any
) -> None:
    Meeting.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now())
    item = upcoming.items.get(title="Aftener ved klubben")
    client = client_for("koordinator")
    with unchanged():
        response = client.post(
            reverse("meetings:minutes", kwargs={"pk": upcoming.pk}),
            {
                "version": upcoming.version,
                f"decision_{item.pk}": "Gadeteamet\x00 kigger forbi.",
                f"deadline_{item.pk}": "9999-12-31",
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "usynligt kontroltegn" in page
    assert "Datoen må ikke ligge efter" in page
    assert "kigger forbi." in page


# --- Minutes from the meeting's start ------------------------------------------------------


def test_repro_minutes_for_a_meeting_that_has_not_started_are_refused(
    upcoming: Meeting, client_for: Any
) -> None:
    item = upcoming.items.get(title="Aftener ved klubben")
    client = client_for("koordinator")
    form_page = client.get(reverse("meetings:minutes", kwargs={"pk": upcoming.pk}))
    assert "Referatet kan skrives fra" in form_page.content.decode()
    with unchanged():
        response = client.post(
            reverse("meetings:minutes", kwargs={"pk": upcoming.pk}),
            {"version": upcoming.version, f"decision_{item.pk}": "Gadeteamet kigger forbi."},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Referatet kan først skrives, når mødet er begyndt: fra" in page
    assert "Gadeteamet kigger forbi." in page
    upcoming.refresh_from_db()
    assert upcoming.status == MeetingStatus.PLANNED  # not "Afholdt" early


def test_the_service_refuses_minutes_before_the_start(
    upcoming: Meeting, users: dict[str, User]
) -> None:
    item = upcoming.items.get(title="Aftener ved klubben")
    with pytest.raises(DomainError, match="når mødet er begyndt"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=upcoming,
            attendance={},
            decisions={item.pk: services.DecisionData("For tidligt.")},
        )
    upcoming.refresh_from_db()
    assert upcoming.status == MeetingStatus.PLANNED
    assert upcoming.items.get(pk=item.pk).decision == ""


def test_the_meeting_page_says_when_the_minutes_can_be_written(
    upcoming: Meeting, client_for: Any
) -> None:
    page = client_for("koordinator").get(f"/moeder/{upcoming.pk}/").content.decode()
    assert 'data-testid="minutes-not-yet"' in page
    assert 'data-testid="minutes-link"' not in page
    Meeting.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    page = client_for("koordinator").get(f"/moeder/{upcoming.pk}/").content.decode()
    assert 'data-testid="minutes-link"' in page


# --- Errors keep the user on the form ----------------------------------------------------


def test_a_refused_calendar_keeps_the_user_on_the_planning_page(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise DomainError("Forummet holder ikke møder det år.")

    monkeypatch.setattr(services, "generate_calendar", refuse)
    response = client_for("koordinator").post(
        reverse("meetings:calendar_generate"),
        {
            "calendar-forum": oest(demo).pk,
            "calendar-year": 2031,
            "calendar-weekday": 3,
            "calendar-hour": 15,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Forummet holder ikke møder det år." in page
    assert 'value="2031"' in page and 'value="15"' in page
    assert "Det kunne ikke lade sig gøre" not in page  # not the dead-end page


def test_an_invalid_new_item_keeps_the_typed_text_on_the_form_s_page(
    upcoming: Meeting, client_for: Any
) -> None:
    client = client_for("koordinator")
    url = reverse("meetings:item_new", kwargs={"pk": upcoming.pk})
    with unchanged():
        response = client.post(
            url, {"title": "", "description": "Klubben holder åbent i juli.", "visibility": "x"}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Klubben holder åbent i juli." in page
    assert 'data-testid="item-form"' in page and 'data-testid="form-errors"' in page
    assert f'href="{reverse("meetings:detail", kwargs={"pk": upcoming.pk})}"' in page
    # Asked for by the meeting page (htmx), the form comes without the page around it.
    fragment = client.post(
        url, {"title": "", "visibility": "internal"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.startswith("<form") and 'data-testid="form-errors"' in fragment


def test_a_refused_signature_keeps_the_user_on_the_meeting_page(
    upcoming: Meeting, client_for: Any
) -> None:
    client = client_for("laerer")
    with unchanged():
        response = client.post(reverse("meetings:sign", kwargs={"pk": upcoming.pk}))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="action-error"' in page
    assert "Referatet kan først underskrives, når mødet er afsluttet." in page
    assert 'data-testid="agenda"' in page


def test_a_refused_approval_keeps_the_user_on_the_meeting_page(
    demo: Municipality, client_for: Any
) -> None:
    steering = Meeting.objects.get(forum__key="styregruppe", published_at__isnull=False)
    assert steering.forum.protocol_signed
    client = client_for("koordinator")
    with unchanged():
        response = client.post(reverse("meetings:approve", kwargs={"pk": steering.pk}))
    assert response.status_code == 400
    assert "Protokollen skal underskrives af de faste medlemmer." in response.content.decode()


def test_a_refused_publication_keeps_the_user_on_the_meeting_page(
    upcoming: Meeting, client_for: Any
) -> None:
    membership = Membership.objects.get(forum=upcoming.forum, member__user__username="boligsocial")
    membership.role = "secretary"
    membership.save(update_fields=["role"])
    client = client_for("boligsocial")
    with unchanged():
        response = client.post(reverse("meetings:publish", kwargs={"pk": upcoming.pk}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Offentliggørelsen foretages af SSP-sekretariatet" in page
    assert 'data-testid="agenda"' in page


def test_a_contribution_to_an_open_item_is_refused_on_the_meeting_page(
    upcoming: Meeting, client_for: Any
) -> None:
    open_item = upcoming.items.get(title="Aftener ved klubben")
    client = client_for("boligsocial")
    url = reverse("meetings:contribution", kwargs={"pk": upcoming.pk, "item": open_item.pk})
    with unchanged():
        response = client.post(url, {"text": "Tag det op på mødet."})
    assert response.status_code == 400
    assert "Bidrag gives kun til lukkede punkter" in response.content.decode()
