"""Fora and memberships carry a version; a stale save in the admin is refused (issue 9, build 4).

Two administrators open the same record; the first saves, the second's save from the old
version is refused with the Danish message, keeps what they typed and shows what is stored now.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import Forum, Membership, Municipality

pytestmark = pytest.mark.django_db

STALE = "En anden har gemt ændringer, mens du skrev"


class FormFields(HTMLParser):
    """What a browser would post from the admin's change form (first <form> with id *_form)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and (attr.get("id") or "").endswith("_form"):
            self.inside = True
        if not self.inside:
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    self.data[name] = attr.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attr.get("value") or ""
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attr:
            self.data[self.select] = attr.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += (
                data.removeprefix("\n") if not self.data[self.textarea] else data
            )


def open_form(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    assert "expected_version" in parser.data
    return parser.data


def two_administrators(users: Any) -> tuple[Client, Client]:
    """Two sessions of administrators allowed to change fora (the demo admin, twice)."""
    first, second = Client(), Client()
    first.force_login(users["admin"])
    second.force_login(users["admin"])
    return first, second


def test_repro_a_stale_forum_save_in_the_admin_is_refused_and_keeps_the_input(
    demo: Municipality, users: Any
) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    url = f"/admin/organisation/forum/{forum.pk}/change/"
    a, b = two_administrators(users)
    form_a, form_b = open_form(a, url), open_form(b, url)

    assert a.post(url, {**form_a, "name": "SSP-teamet (A)"}).status_code == 302
    response = b.post(url, {**form_b, "purpose": "B's formål"})

    html = response.content.decode()
    assert response.status_code == 200
    assert STALE in html
    assert "B&#x27;s formål" in html  # B's input is kept
    assert "SSP-teamet (A)" in html  # and what A stored is shown
    forum.refresh_from_db()
    assert forum.name == "SSP-teamet (A)"
    assert forum.purpose != "B's formål"
    assert forum.version == 2
    # B has now seen A's change; the form carries the new version and saves.
    again = FormFields()
    again.feed(html)
    assert again.data["expected_version"] == "2"
    assert b.post(url, again.data).status_code == 302
    forum.refresh_from_db()
    assert forum.purpose == "B's formål"
    assert forum.version == 3


def test_a_stale_membership_save_is_refused(demo: Municipality, users: Any) -> None:
    membership = Membership.objects.filter(forum__municipality=demo).order_by("pk")[0]
    url = f"/admin/organisation/membership/{membership.pk}/change/"
    a, b = two_administrators(users)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert a.post(url, {**form_a, "start_date": "2024-01-01"}).status_code == 302
    response = b.post(url, {**form_b, "end_date": "2030-12-31"})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    membership.refresh_from_db()
    assert str(membership.start_date) == "2024-01-01"
    assert membership.end_date is None


def test_a_stale_membership_row_inside_the_forum_page_is_refused(
    demo: Municipality, users: Any
) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    membership = forum.memberships.order_by("pk")[0]
    forum_url = f"/admin/organisation/forum/{forum.pk}/change/"
    a, b = two_administrators(users)
    form_b = open_form(b, forum_url)
    form_a = open_form(a, f"/admin/organisation/membership/{membership.pk}/change/")
    assert (
        a.post(
            f"/admin/organisation/membership/{membership.pk}/change/",
            {**form_a, "start_date": "2024-01-01"},
        ).status_code
        == 302
    )
    index = next(
        key.split("-")[1]
        for key, value in form_b.items()
        if key.startswith("memberships-") and key.endswith("-id") and value == str(membership.pk)
    )
    response = b.post(forum_url, {**form_b, f"memberships-{index}-end_date": "2030-12-31"})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    membership.refresh_from_db()
    assert membership.end_date is None


def test_a_forum_save_never_writes_old_values_over_a_membership_changed_meanwhile(
    demo: Municipality, users: Any
) -> None:
    """A changed a membership; B's forum page still holds its old values. The admin cannot
    tell B's old values from an edit, so B is refused rather than undoing A's change."""
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    membership = forum.memberships.order_by("pk")[0]
    forum_url = f"/admin/organisation/forum/{forum.pk}/change/"
    membership_url = f"/admin/organisation/membership/{membership.pk}/change/"
    a, b = two_administrators(users)
    form_b = open_form(b, forum_url)
    form_a = open_form(a, membership_url)
    assert a.post(membership_url, {**form_a, "start_date": "2024-01-01"}).status_code == 302
    response = b.post(forum_url, {**form_b, "purpose": "Nyt formål"})
    assert STALE in response.content.decode()
    membership.refresh_from_db()
    assert str(membership.start_date) == "2024-01-01"


def test_rows_nobody_else_touched_save_with_their_forum(demo: Municipality, users: Any) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    url = f"/admin/organisation/forum/{forum.pk}/change/"
    a, _b = two_administrators(users)
    form = open_form(a, url)
    row = next(k for k in form if k.startswith("memberships-") and k.endswith("-end_date"))
    assert a.post(url, {**form, row: "2031-01-31", "purpose": "Nyt"}).status_code == 302
    assert Membership.objects.filter(forum=forum, end_date="2031-01-31", version=2).count() == 1


def test_saves_bump_the_version_and_are_audited(demo: Municipality, users: Any) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    url = f"/admin/organisation/forum/{forum.pk}/change/"
    a, _b = two_administrators(users)
    assert a.post(url, {**open_form(a, url), "name": "Ét"}).status_code == 302
    assert a.post(url, {**open_form(a, url), "name": "To"}).status_code == 302
    forum.refresh_from_db()
    assert (forum.name, forum.version) == ("To", 3)
    event = AuditEvent.objects.filter(action=AuditAction.ADMIN_CHANGED).order_by("-id")[0]
    assert event.data["fields"] == ["name"]
