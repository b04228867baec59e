"""Lockout by user and address (issue 9, reproduction 7).

Five wrong passwords lock that user name from that address only; twenty from any addresses
refuse the user name for a minute at a time and tell the administrators, once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from ssp.accounts.models import LoginUserThrottle
from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db

ADDRESS_A = "198.51.100.1"
ADDRESS_B = "198.51.100.2"


def attempt(username: str, password: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/konto/login/", {"username": username, "password": password}
    )
    return response.status_code


def fail_from_many_addresses(username: str, times: int, first: int = 1) -> None:
    for n in range(first, first + times):
        assert attempt(username, "forkert", f"203.0.113.{n}") == 200


def pass_the_refusal(username: str) -> None:
    """Time moves on: the minute of refusal is over."""
    LoginUserThrottle.objects.filter(username=username).update(
        refused_until=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def administrators_with_email(users: dict[str, User]) -> list[str]:
    users["admin"].email = "admin@aadal.invalid"
    users["admin"].save(update_fields=["email"])
    return ["admin@aadal.invalid"]


def test_repro_five_failures_from_one_address_lock_that_address_only(
    demo: Municipality, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("koordinator", "forkert", ADDRESS_A)
    assert attempt("koordinator", "demo", ADDRESS_A) == 429
    # The coordinator at her own desk is not locked out by somebody elsewhere.
    assert attempt("koordinator", "demo", ADDRESS_B) == 302


def test_repro_twenty_failures_from_many_addresses_refuse_the_user_for_a_minute(
    demo: Municipality,
    administrators_with_email: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses("koordinator", 19)
        assert attempt("koordinator", "demo", ADDRESS_B) == 302  # 19: not yet, and resets
        fail_from_many_addresses("koordinator", 20, first=30)
        refused = Client(REMOTE_ADDR=ADDRESS_B).post(
            "/konto/login/", {"username": "koordinator", "password": "demo"}
        )
    assert refused.status_code == 429
    assert "et minut ad gangen" in refused.content.decode()
    throttle = LoginUserThrottle.objects.get(username="koordinator")
    assert throttle.refused_until is not None
    assert timedelta(seconds=55) < throttle.refused_until - timezone.now() <= timedelta(seconds=60)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == administrators_with_email
    assert "koordinator" in message.subject
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_USER_THROTTLED).count() == 1

    # A minute later the right password works again (and resets the count).
    pass_the_refusal("koordinator")
    assert attempt("koordinator", "demo", ADDRESS_B) == 302
    assert not LoginUserThrottle.objects.filter(username="koordinator").exists()


def test_each_further_failure_refuses_the_user_for_another_minute_without_more_mail(
    demo: Municipality,
    administrators_with_email: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses("koordinator", 20)
        pass_the_refusal("koordinator")
        assert attempt("koordinator", "forkert", "203.0.113.99") == 200
        assert attempt("koordinator", "demo", ADDRESS_B) == 429
    assert LoginUserThrottle.objects.get(username="koordinator").failures == 21
    assert len(mail.outbox) == 1


def test_while_refused_the_password_is_not_even_tried(demo: Municipality) -> None:
    fail_from_many_addresses("koordinator", 20)
    before = LoginUserThrottle.objects.get(username="koordinator").failures
    assert attempt("koordinator", "forkert", ADDRESS_B) == 429
    assert LoginUserThrottle.objects.get(username="koordinator").failures == before


def test_failures_far_apart_do_not_add_up(demo: Municipality, settings: Any) -> None:
    fail_from_many_addresses("koordinator", 19)
    LoginUserThrottle.objects.filter(username="koordinator").update(
        last_failure_at=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    fail_from_many_addresses("koordinator", 1, first=50)
    assert LoginUserThrottle.objects.get(username="koordinator").failures == 1
    assert attempt("koordinator", "demo", ADDRESS_B) == 302


def test_attempts_from_a_locked_address_do_not_count_for_the_user(
    demo: Municipality, settings: Any
) -> None:
    """One address cannot refuse the user everywhere: after its own lock, it counts no more."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 30):
        attempt("koordinator", "forkert", ADDRESS_A)
    throttle = LoginUserThrottle.objects.get(username="koordinator")
    assert throttle.failures == settings.AXES_FAILURE_LIMIT
    assert attempt("koordinator", "demo", ADDRESS_B) == 302


def test_unknown_user_names_are_refused_too_but_tell_nobody(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses("findes-ikke", 20)
    assert attempt("findes-ikke", "x", ADDRESS_B) == 429
    assert mail.outbox == []
