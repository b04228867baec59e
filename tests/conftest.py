"""Shared fixtures: the demo personas (one login per role) from `seed_demo`."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.test import Client
from django.utils import translation

from ssp.accounts.services import acknowledge_confidentiality
from ssp.organisation.demo import DEMO_USERS
from ssp.organisation.models import Member, Municipality
from tests.demo_snapshot import ensure_demo, remember_demo

ROLES = tuple(demo.username for demo in DEMO_USERS)
ACKNOWLEDGE_NEW_MEMBERS = "tests-acknowledge-confidentiality-for-new-members"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Browser tests flush the database (live server); run them after the rest. With xdist,
    `--dist load` hands each worker its tests in this order, so this holds on every worker."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def alone_under_xdist(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """With pytest-xdist (`make test` runs `-n 2`, see the Makefile), a test marked `alone`
    runs while no other worker runs a test: it waits for the tests running elsewhere to finish,
    and the others wait for it before they start their next test. For tests that time the
    machine's answers under load they make themselves (the 100,000-row police import): another
    worker's browser tests on the same cores would be in the measurement. One lock per run, in
    the run's temporary directory (shared by its workers); outside xdist nothing is locked.

    The gate gives the `alone` test precedence: once it waits, no new test takes the shared
    lock, so the workers cannot keep it taken between their tests."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    directory = tmp_path_factory.getbasetemp().parent
    with (
        open(directory / "alone-gate.lock", "a") as gate,
        open(directory / "alone.lock", "a") as lock,
    ):
        if request.node.get_closest_marker("alone") is not None:
            fcntl.flock(gate, fcntl.LOCK_EX)
            fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            fcntl.flock(gate, fcntl.LOCK_SH)
            fcntl.flock(lock, fcntl.LOCK_SH)
            fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            fcntl.flock(gate, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def default_language_after_each_test() -> Iterator[None]:
    """A request in another language (an English browser) leaves that language active on the
    thread (LocaleMiddleware activates it); the next test starts in Danish again."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is the production hasher (see test_settings); tests need no slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def confidentiality_acknowledged_for_new_members(request: Any) -> Iterator[None]:
    """A user a test links to a member has acknowledged the duty of confidentiality (R4), as
    the demo's users have; tests of that gate itself ask for `unacknowledged_users`."""
    if "unacknowledged_users" in request.fixturenames:
        yield
        return

    def acknowledge(sender: type[Member], instance: Member, **kwargs: Any) -> None:
        if instance.user is not None:
            acknowledge_confidentiality(user=instance.user, municipality=instance.municipality)

    post_save.connect(acknowledge, sender=Member, dispatch_uid=ACKNOWLEDGE_NEW_MEMBERS)
    yield
    post_save.disconnect(sender=Member, dispatch_uid=ACKNOWLEDGE_NEW_MEMBERS)


@pytest.fixture
def unacknowledged_users() -> None:
    """Users this test creates have not acknowledged the duty of confidentiality."""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Seed the demo once per test database (and keep a copy, tests/demo_snapshot.py); each
    test runs in a transaction on top of it."""
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        remember_demo()


@pytest.fixture
def demo(db: None) -> Municipality:
    """The demo municipality with its people; brought back after a flush."""
    ensure_demo()
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
