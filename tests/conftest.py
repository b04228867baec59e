"""Shared fixtures: the demo personas (one login per role) from `seed_demo`."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.demo import seed_all
from ssp.organisation.demo import DEMO_USERS, demo_exists
from ssp.organisation.models import Municipality

ROLES = tuple(demo.username for demo in DEMO_USERS)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Browser tests flush the database (live server); run them after the rest."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is the production hasher (see test_settings); tests need no slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Seed the demo once per test database; each test runs in a transaction on top of it."""
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        if not demo_exists():
            seed_all()


@pytest.fixture
def demo(db: None) -> Municipality:
    """The demo municipality with its people; created once per database state."""
    if not demo_exists():
        seed_all()
    return Municipality.objects.get(slug="aadal")


@pytest.fixture
def users(demo: Municipality) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=ROLES)}


@pytest.fixture
def client_for(users: dict[str, User]) -> Any:
    """A logged-in test client for a demo role: client_for("koordinator")."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return make
