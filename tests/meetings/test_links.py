"""Agenda items that link to another app's object, with a decision hook, and item panels
(`ssp/meetings/links.py`, issue 12).

A test kind "test-plan" is registered for the duration of each test: the objects are fora (the
choices of a forum's agenda are that forum alone, so another forum's id is "foreign"), described
with one query each, and `apply` records its calls or refuses with a `DomainError` for the ids in
`refuse`. A test panel shows under items titled PANEL_TITLE. The demo's upcoming meeting of the
local group Øst is the meeting; the coordinator manages it, the teacher is an ordinary member who
may not see closed items.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.access import Actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import links, services
from ssp.meetings.models import AgendaItem, Meeting, MeetingStatus, Visibility
from ssp.organisation.models import Forum, Municipality

pytestmark = pytest.mark.django_db

KIND = "test-plan"
PANEL = "test-panel"
PANEL_TITLE = "Koordinering (testpanel)"
DECISION_LABEL = "Beslutningen godkender testplanen"
REFUSAL = "Testplanen kan ikke godkendes nu."


@dataclass
class Registry:
    """What the test kind and panel saw."""

    applied: list[tuple[int, str]] = field(default_factory=list)  # (link id, decision)
    refuse: set[int] = field(default_factory=set)
    panel_calls: int = 0


@pytest.fixture
def registry() -> Iterator[Registry]:
    seen = Registry()

    def choices(actor: Actor, forum: Forum) -> list[tuple[int, str]]:
        return [(forum.pk, f"Plan for {forum.name}")]

    def describe(object_id: int) -> links.Linked | None:
        forum = Forum.objects.filter(pk=object_id).first()  # one query per linked item
        if forum is None:
            return None
        return links.Linked(
            title=f"Plan for {forum.name}", url=f"/testplan/{forum.pk}/", state="Udkast"
        )

    def apply(actor_user: User, item: AgendaItem) -> None:
        assert item.link_id is not None
        if item.link_id in seen.refuse:
            raise DomainError(REFUSAL)
        seen.applied.append((item.link_id, item.decision))

    def content(actor: Actor, meeting: Meeting) -> links.PanelContent:
        seen.panel_calls += 1
        return links.PanelContent(
            heading="Kommende aktiviteter (test)",
            rows=[
                links.PanelRow(
                    when="3.2.",
                    text="Oplæg om sociale medier",
                    url="/aktivitet/1/",
                    warning="Dobbeltbooking",
                )
            ],
            empty_text="Ingen aktiviteter.",
            more_url="/kalender/",
            more_text="Hele kalenderen",
        )

    links.register_link_kind(
        links.LinkKind(
            key=KIND,
            label="Testplan",
            decision_label=DECISION_LABEL,
            choices=choices,
            describe=describe,
            apply=apply,
        )
    )
    links.register_panel(
        links.ItemPanel(key=PANEL, matches=lambda item: item.title == PANEL_TITLE, content=content)
    )
    yield seen
    links.unregister_link_kind(KIND)
    links.unregister_panel(PANEL)


@pytest.fixture
def meeting(demo: Municipality) -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def started(meeting: Meeting) -> Meeting:
    """The meeting begun an hour ago: its minutes can be written."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


def linked_item(meeting: Meeting, user: User, title: str = "Årsplan til godkendelse") -> AgendaItem:
    return services.add_item(
        actor_user=user, meeting=meeting, title=title, link=(KIND, meeting.forum_id)
    )


def other_forum(meeting: Meeting) -> Forum:
    """A forum of the same municipality: its plan is not among this agenda's choices."""
    forum = (
        Forum.objects.exclude(pk=meeting.forum_id)
        .filter(municipality=meeting.forum.municipality)
        .first()
    )
    assert forum is not None
    return forum


# --- Linking -----------------------------------------------------------------------------------


def test_it_links_an_item_through_the_form(
    registry: Registry, meeting: Meeting, client_for: Any
) -> None:
    client = client_for("koordinator")
    form_url = reverse("meetings:item_new", kwargs={"pk": meeting.pk})
    # The meeting page loads the form when "Nyt punkt" is opened (a link without JavaScript).
    detail = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content.decode()
    assert 'data-testid="item-details"' in detail and f'hx-get="{form_url}"' in detail
    assert 'data-testid="item-form"' not in detail
    page = client.get(form_url).content.decode()
    assert 'data-testid="item-form"' in page
    assert "Tilknyt" in page
    assert f'value="{KIND}:{meeting.forum_id}"' in page
    assert 'label="Testplan"' in page  # grouped by the kind's label
    events = AuditEvent.objects.filter(action=AuditAction.AGENDA_ITEM_LINKED).count()

    response = client.post(
        reverse("meetings:item_new", kwargs={"pk": meeting.pk}),
        {
            "title": "Årsplan til godkendelse",
            "visibility": Visibility.INTERNAL,
            "link": f"{KIND}:{meeting.forum_id}",
        },
    )

    assert response.status_code == 302
    item = meeting.items.get(title="Årsplan til godkendelse")
    assert (item.link_kind, item.link_id, item.link_applied_at) == (KIND, meeting.forum_id, None)
    event = AuditEvent.objects.filter(action=AuditAction.AGENDA_ITEM_LINKED).latest("pk")
    assert AuditEvent.objects.filter(action=AuditAction.AGENDA_ITEM_LINKED).count() == events + 1
    assert event.data == {"item": item.pk, "kind": KIND, "object": meeting.forum_id}


def test_it_links_and_unlinks_an_item_through_the_service(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    item = linked_item(meeting, users["koordinator"])
    assert links.link_of(item) == (KIND, meeting.forum_id)
    services.update_item(
        actor_user=users["koordinator"],
        item=item,
        title=item.title,
        description="",
        visibility=item.visibility,
        link=None,
    )
    item.refresh_from_db()
    assert (item.link_kind, item.link_id) == ("", None)


def test_editing_an_item_without_a_link_argument_keeps_its_link(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    item = linked_item(meeting, users["koordinator"])
    services.update_item(
        actor_user=users["koordinator"],
        item=item,
        title="Ny overskrift",
        description="",
        visibility=item.visibility,
    )
    item.refresh_from_db()
    assert links.link_of(item) == (KIND, meeting.forum_id)


def test_the_edit_form_shows_and_changes_the_link(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    item = linked_item(meeting, users["koordinator"])
    client = client_for("koordinator")
    url = reverse("meetings:item_edit", kwargs={"pk": meeting.pk, "item": item.pk})
    page = client.get(url).content.decode()
    assert re.search(rf'<option value="{KIND}:{meeting.forum_id}" selected>', page)

    response = client.post(
        url,
        {"title": item.title, "visibility": item.visibility, "link": "", "version": item.version},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert links.link_of(item) is None


def test_a_foreign_id_is_refused(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    foreign = other_forum(meeting)
    with pytest.raises(DomainError, match="kan ikke tilknyttes dette møde"):
        services.add_item(
            actor_user=users["koordinator"], meeting=meeting, title="X", link=(KIND, foreign.pk)
        )
    response = client_for("koordinator").post(
        reverse("meetings:item_new", kwargs={"pk": meeting.pk}),
        {
            "title": "Fremmed plan",
            "visibility": Visibility.INTERNAL,
            "link": f"{KIND}:{foreign.pk}",
        },
    )
    assert response.status_code == 400
    assert "Fremmed plan" in response.content.decode()  # the user's input is kept
    assert not meeting.items.filter(title="Fremmed plan").exists()


def test_an_unknown_kind_is_refused(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="findes ikke"):
        services.add_item(
            actor_user=users["koordinator"], meeting=meeting, title="X", link=("nope", 1)
        )


def test_a_closed_item_cannot_link(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="lukket punkt kan ikke tilknyttes"):
        services.add_item(
            actor_user=users["koordinator"],
            meeting=meeting,
            title="Lukket",
            visibility=Visibility.CLOSED,
            link=(KIND, meeting.forum_id),
        )
    item = linked_item(meeting, users["koordinator"])
    with pytest.raises(DomainError, match="lukket punkt kan ikke tilknyttes"):
        services.update_item(
            actor_user=users["koordinator"],
            item=item,
            title=item.title,
            description="",
            visibility=Visibility.CLOSED,
        )


def test_an_applied_link_cannot_be_changed_or_removed(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    item = linked_item(meeting, users["koordinator"])
    AgendaItem.objects.filter(pk=item.pk).update(link_applied_at=timezone.now())
    item.refresh_from_db()
    with pytest.raises(DomainError, match="ført igennem"):
        services.update_item(
            actor_user=users["koordinator"],
            item=item,
            title=item.title,
            description="",
            visibility=item.visibility,
            link=None,
        )
    item.refresh_from_db()
    assert links.link_of(item) == (KIND, meeting.forum_id)


def test_a_stale_edit_is_still_refused_with_a_link(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    item = linked_item(meeting, users["koordinator"])
    opened_at = item.version
    services.update_item(
        actor_user=users["koordinator"],
        item=item,
        title="Først",
        description="",
        visibility=item.visibility,
        expected_version=opened_at,
    )
    from ssp.versioning import StaleEdit

    with pytest.raises(StaleEdit):
        services.update_item(
            actor_user=users["koordinator"],
            item=item,
            title="Bagefter",
            description="",
            visibility=item.visibility,
            link=None,
            expected_version=opened_at,
        )
    item.refresh_from_db()
    assert item.title == "Først" and links.link_of(item) == (KIND, meeting.forum_id)


# --- Showing the linked object -------------------------------------------------------------------


def test_the_agenda_shows_the_linked_object(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    linked_item(meeting, users["koordinator"])
    page = client_for("laerer").get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    html = page.content.decode()
    assert 'data-testid="item-link"' in html
    link = f'<a href="/testplan/{meeting.forum_id}/">Plan for {meeting.forum.name}</a>'
    assert f"Tilknyttet: {link} (Udkast)" in html


def test_a_redacted_item_never_shows_its_link(
    registry: Registry, meeting: Meeting, client_for: Any
) -> None:
    """The housing worker is a member who may not see closed items."""
    closed = meeting.items.filter(visibility=Visibility.CLOSED).first()
    assert closed is not None
    # Not possible through the services; written directly to prove the page does not rely on it.
    AgendaItem.objects.filter(pk=closed.pk).update(link_kind=KIND, link_id=meeting.forum_id)
    html = client_for("boligsocial").get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert "Lukket punkt" in html.content.decode()
    assert 'data-testid="item-link"' not in html.content.decode()


def test_the_minutes_page_and_the_pdf_show_the_linked_object(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any, tmp_path: Any
) -> None:
    linked_item(meeting, users["koordinator"])
    client = client_for("koordinator")
    minutes = client.get(reverse("meetings:minutes", kwargs={"pk": meeting.pk})).content.decode()
    assert f"Plan for {meeting.forum.name}" in minutes
    assert DECISION_LABEL in minutes
    pdf_path = tmp_path / "m.pdf"
    pdf_path.write_bytes(client.get(reverse("meetings:pdf", kwargs={"pk": meeting.pk})).content)
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Tilknyttet: Plan for {meeting.forum.name} (Udkast)" in text
    assert "Kommende aktiviteter (test)" not in text  # no panel item on this agenda


def test_the_api_gives_the_linked_object_of_unredacted_items_only(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    item = linked_item(meeting, users["koordinator"])
    closed = meeting.items.get(visibility=Visibility.CLOSED)
    AgendaItem.objects.filter(pk=closed.pk).update(link_kind=KIND, link_id=meeting.forum_id)
    api = client_for("boligsocial").get(f"/api/v1/meetings/meetings/{meeting.pk}").json()
    by_position = {i["position"]: i for i in api["items"]}
    assert by_position[item.position]["linked"] == {
        "title": f"Plan for {meeting.forum.name}",
        "url": f"/testplan/{meeting.forum_id}/",
        "state": "Udkast",
    }
    assert by_position[closed.position]["title"] == "Lukket punkt"
    assert by_position[closed.position]["linked"] is None


# --- The decision hook ---------------------------------------------------------------------------


def minutes_post(
    meeting: Meeting, item: AgendaItem, decision: str, *, tick: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {"version": meeting.version, f"decision_{item.pk}": decision}
    if tick:
        data[f"apply_{item.pk}"] = "on"
    return data


def test_ticking_the_box_applies_the_decision_once(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    item = linked_item(meeting, users["koordinator"])
    meeting = started(meeting)
    client = client_for("koordinator")
    url = reverse("meetings:minutes", kwargs={"pk": meeting.pk})

    response = client.post(url, minutes_post(meeting, item, "Planen er godkendt."))

    assert response.status_code == 302
    assert registry.applied == [(meeting.forum_id, "Planen er godkendt.")]
    item.refresh_from_db()
    assert item.link_applied_at is not None
    page = client.get(url).content.decode()
    assert 'data-testid="link-applied"' in page and "Beslutningen er ført igennem" in page
    assert f'name="apply_{item.pk}"' not in page


def test_two_saves_apply_once(registry: Registry, meeting: Meeting, users: dict[str, User]) -> None:
    item = linked_item(meeting, users["koordinator"])
    meeting = started(meeting)
    for text in ("Godkendt.", "Godkendt (rettet)."):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={item.pk: services.DecisionData(text)},
            apply_links={item.pk},
        )
    assert registry.applied == [(meeting.forum_id, "Godkendt.")]
    item.refresh_from_db()
    assert item.decision == "Godkendt (rettet)."


def test_ticked_without_a_decision_is_refused_and_the_form_kept(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    item = linked_item(meeting, users["koordinator"])
    meeting = started(meeting)
    other = meeting.items.get(title="Aftener ved klubben")
    data = minutes_post(meeting, item, "  ") | {f"decision_{other.pk}": "Gadeteamet kigger forbi."}

    response = client_for("koordinator").post(
        reverse("meetings:minutes", kwargs={"pk": meeting.pk}), data
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv beslutningen, før den føres igennem." in html
    assert "Gadeteamet kigger forbi." in html  # the user's input is kept
    assert re.search(rf'name="apply_{item.pk}"[^>]*checked', html)
    assert registry.applied == []
    other.refresh_from_db()
    assert other.decision == ""
    with pytest.raises(DomainError, match="Skriv beslutningen, før"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={item.pk: services.DecisionData("")},
            apply_links={item.pk},
        )


def test_the_owners_refusal_rolls_the_whole_save_back(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    item = linked_item(meeting, users["koordinator"])
    meeting = started(meeting)
    registry.refuse.add(meeting.forum_id)
    other = meeting.items.get(title="Aftener ved klubben")
    version = meeting.version
    data = minutes_post(meeting, item, "Planen er godkendt.") | {
        f"decision_{other.pk}": "Gadeteamet kigger forbi."
    }

    response = client_for("koordinator").post(
        reverse("meetings:minutes", kwargs={"pk": meeting.pk}), data
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert REFUSAL in html
    assert "Planen er godkendt." in html and "Gadeteamet kigger forbi." in html
    item.refresh_from_db()
    other.refresh_from_db()
    meeting.refresh_from_db()
    assert item.link_applied_at is None and item.decision == ""
    assert other.decision == ""
    assert meeting.version == version and meeting.status == MeetingStatus.PLANNED
    # Once the owner accepts, the same minutes go through.
    registry.refuse.clear()
    again = client_for("koordinator").post(
        reverse("meetings:minutes", kwargs={"pk": meeting.pk}), data
    )
    assert again.status_code == 302
    assert registry.applied == [(meeting.forum_id, "Planen er godkendt.")]


def test_an_item_without_a_link_cannot_be_applied(
    registry: Registry, meeting: Meeting, users: dict[str, User]
) -> None:
    meeting = started(meeting)
    other = meeting.items.get(title="Aftener ved klubben")
    with pytest.raises(DomainError, match="ikke tilknyttet"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={other.pk: services.DecisionData("Noget.")},
            apply_links={other.pk},
        )


# --- Panels -------------------------------------------------------------------------------------


def _agenda_items(html: str) -> list[str]:
    return html.split('data-testid="agenda-item"')[1:]


def test_the_panel_shows_under_the_matching_item_only(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    services.add_item(actor_user=users["koordinator"], meeting=meeting, title=PANEL_TITLE)
    html = (
        client_for("laerer")
        .get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
        .content.decode()
    )
    with_panel = [chunk for chunk in _agenda_items(html) if "Kommende aktiviteter (test)" in chunk]
    assert len(with_panel) == 1
    assert PANEL_TITLE in with_panel[0]
    assert 'data-testid="item-panel"' in with_panel[0]
    assert '3.2. – <a href="/aktivitet/1/">Oplæg om sociale medier</a>' in with_panel[0]
    assert 'data-testid="panel-warning">Dobbeltbooking' in with_panel[0]
    assert '<a href="/kalender/">Hele kalenderen</a>' in with_panel[0]
    assert registry.panel_calls == 1


def test_a_panel_without_rows_shows_its_empty_text(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    def empty(actor: Actor, meeting: Meeting) -> links.PanelContent:
        return links.PanelContent(heading="Tomt panel", empty_text="Ingen aktiviteter.")

    links.register_panel(
        links.ItemPanel(key=PANEL, matches=lambda item: item.title == PANEL_TITLE, content=empty)
    )
    services.add_item(actor_user=users["koordinator"], meeting=meeting, title=PANEL_TITLE)
    html = (
        client_for("laerer")
        .get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
        .content.decode()
    )
    assert "Tomt panel" in html and "Ingen aktiviteter." in html


# --- Queries -------------------------------------------------------------------------------------


def _agenda_queries(client: Any, meeting: Meeting) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert response.status_code == 200
    return len(queries)


def test_agenda_queries_grow_by_one_describe_per_linked_item_only(
    registry: Registry, meeting: Meeting, users: dict[str, User], client_for: Any
) -> None:
    """Pinned: with the same number of items, linking 3 more of them adds exactly 3 queries
    (the test kind's `describe` reads one row); the panel's content runs once however many
    items the agenda has, and unlinked items add none."""
    coordinator = users["koordinator"]
    services.add_item(actor_user=coordinator, meeting=meeting, title=PANEL_TITLE)
    linked_item(meeting, coordinator, "Plan 0")
    plain = [
        services.add_item(actor_user=coordinator, meeting=meeting, title=f"Plan {n}")
        for n in range(1, 4)
    ]
    client = client_for("koordinator")
    _agenda_queries(client, meeting)  # warm caches (sessions, content types)
    one_linked = _agenda_queries(client, meeting)

    AgendaItem.objects.filter(pk__in=[i.pk for i in plain]).update(
        link_kind=KIND, link_id=meeting.forum_id
    )
    four_linked = _agenda_queries(client, meeting)

    assert four_linked - one_linked == len(plain)
    for n in range(4, 14):
        services.add_item(actor_user=coordinator, meeting=meeting, title=f"Punkt {n}")
    assert _agenda_queries(client, meeting) == four_linked
