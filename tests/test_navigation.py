"""The main menu (ssp/navigation.py): the entries a user may see, in order, with the current page
marked, and URLs reversed once per process."""

from __future__ import annotations

from typing import Any

import pytest
from django import urls
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve

from ssp import http, navigation
from ssp.context_processors import site
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db


def menu_at(user: User, path: str) -> list[navigation.MenuEntry]:
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    context = site(request)
    menu: list[navigation.MenuEntry] = context["main_menu"]()
    return menu


def current(menu: list[navigation.MenuEntry]) -> list[str]:
    return [entry.label for entry in menu if entry.current]


def test_the_coordinator_sees_her_entries_in_order_with_the_page_marked(
    users: dict[str, User],
) -> None:
    menu = menu_at(users["koordinator"], "/sager/")
    labels = [entry.label for entry in menu]
    assert labels[:3] == ["Forside", "Bekymringer", "Sager"]
    assert "Hvem kontakter jeg?" in labels  # with her municipality's slug
    contacts = next(e for e in menu if e.label == "Hvem kontakter jeg?")
    assert contacts.url == "/organisation/aadal/kontakt/"
    assert current(menu) == ["Sager"]
    assert current(menu_at(users["koordinator"], "/")) == ["Forside"]
    organisation = menu_at(users["koordinator"], contacts.url)
    assert current(organisation) == ["Hvem kontakter jeg?"]  # not "Organisation" as well


def test_entries_follow_the_access_flags(users: dict[str, User]) -> None:
    politician = [entry.label for entry in menu_at(users["politiker"], "/")]
    assert politician == [
        "Forside",
        "Møder",
        "Organisation",
        "Hvem kontakter jeg?",
        "Forebyggelse",
        "Rapporter",
    ]
    police = menu_at(users["politi"], "/politi/import/")
    labels = [entry.label for entry in police]
    # The police officer imports and corrects lists (the reviewer's entry is not hers).
    assert labels.count("Politiets lister") == 1 and "Politirapporter" in labels
    assert current(police) == ["Politiets lister"]
    coordinator = [entry.label for entry in menu_at(users["koordinator"], "/")]
    # The coordinator reviews: her entry covers the import and the corrections (hidden_if).
    assert coordinator.count("Politiets lister") == 1 and "Politirapporter" not in coordinator


def test_a_user_without_a_municipality_gets_no_contacts_entry(db: None) -> None:
    superuser = User.objects.create_superuser("root-nav", password="x")  # noqa: S106
    labels = [entry.label for entry in menu_at(superuser, "/")]
    assert "Organisation" in labels and "Hvem kontakter jeg?" not in labels
    assert "Administration" in labels


def test_the_rendered_menu_is_the_one_the_page_shows(
    users: dict[str, User], demo: Municipality
) -> None:
    client = Client()
    client.force_login(users["socialraadgiver"])
    html = client.get("/sager/").content.decode()
    for entry in menu_at(users["socialraadgiver"], "/sager/"):
        link = f'href="{entry.url}" class="nav-link"><span>{entry.label}</span>'
        assert link in html
    assert html.count('aria-current="page" href=') == 1


def test_urls_are_reversed_once_and_forgotten_when_the_url_configuration_changes(
    users: dict[str, User], monkeypatch: Any
) -> None:
    calls: list[str] = []
    real = urls.reverse

    def counting(viewname: str, **kwargs: Any) -> str:
        calls.append(viewname)
        return real(viewname, **kwargs)

    monkeypatch.setattr("ssp.http.reverse", counting)
    with override_settings(FORCE_SCRIPT_NAME="/ssp/"):  # clears what was remembered
        http.cached_reverse("home")
        http.cached_reverse("home")
    assert calls == ["home"]
    assert http.cached_reverse("home") == "/"
    assert calls == ["home", "home"]  # forgotten when the setting was restored
