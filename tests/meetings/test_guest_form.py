"""Inviting a guest through the meeting's form (`meetings:guest_new`): the meeting page loads
the form when "Invitér en gæst" is opened (htmx; its own page without JavaScript), the member
picker's search step and a refused post come back on the form's page with what was typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ssp import autocomplete
from ssp.meetings.models import Meeting, MeetingStatus
from ssp.organisation.models import Member, Municipality
from tests.helpers_db import unchanged

pytestmark = pytest.mark.django_db


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def offered_ids(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'type="(?:radio|checkbox)"[^>]*value="(\d+)"', html)}


def test_the_meeting_page_loads_the_guest_form_on_demand(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    url = reverse("meetings:guest_new", args=[meeting.pk])
    client = client_for("koordinator")
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="guest-details"' in detail and f'hx-get="{url}"' in detail
    assert 'data-testid="guest-form"' not in detail
    page = client.get(url).content.decode()
    assert 'data-testid="guest-form"' in page and "<h1>Invitér en gæst</h1>" in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith("<form") and 'data-testid="guest-form"' in fragment
    # A member who does not manage the forum sees neither the box nor the form.
    reader = client_for("laerer")
    assert (
        'data-testid="guest-details"'
        not in reader.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    )
    assert reader.get(url).status_code == 403


def test_a_refused_guest_keeps_what_was_typed_on_the_form_s_page(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    client = client_for("koordinator")
    with unchanged():
        response = client.post(
            reverse("meetings:guest_new", args=[meeting.pk]),
            {"guest-name": "", "guest-organisation": "Klubben Øst"},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page and "Skriv gæstens navn" in page
    assert 'value="Klubben Øst"' in page


def test_without_javascript_the_member_search_shows_the_matches_then_invites(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    url = reverse("meetings:guest_new", args=[meeting.pk])
    client = client_for("koordinator")
    wanted = Member.objects.get(user__username="socialraadgiver")
    first = wanted.name.split()[0]
    with unchanged():
        response = client.post(
            url,
            {
                "guest-organisation": "Forvaltningen",
                "guest-member__q": first,
                autocomplete.SEARCH_BUTTON: "guest-member",
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert wanted.pk in offered_ids(page)
    assert 'value="Forvaltningen"' in page and 'data-testid="form-errors"' not in page
    chosen = client.post(url, {"guest-organisation": "Forvaltningen", "guest-member": wanted.pk})
    assert chosen.status_code == 302
    assert meeting.guests.get(member=wanted).organisation == "Forvaltningen"
