"""Issue 15: password reset by e-mail and the invitation link: no enumeration, active users
only, single-use token, throttle, validators, the second factor still applies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.accounts import password_reset
from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import Municipality

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "Grøn-Hest-Kaffe-2026"


def _request(client: Client, email: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def _link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/adgangskode/ny/[^\s]+/)", body)
    assert match is not None, body
    return match.group(1)


@pytest.mark.django_db
def test_same_answer_for_known_and_unknown_and_mail_only_for_known(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    known = _request(Client(), users["laerer"].email, django_capture_on_commit_callbacks)
    unknown = _request(Client(), "ingen@example.dk", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert [message.to for message in mail.outbox] == [[users["laerer"].email]]
    assert "/konto/adgangskode/ny/" in mail.outbox[0].body
    done = Client().get(reverse("accounts:password_reset_done"))
    assert done.status_code == 200


@pytest.mark.django_db
def test_inactive_user_gets_no_mail(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    users["politi"].is_active = False
    users["politi"].save()
    mail.outbox.clear()
    response = _request(Client(), users["politi"].email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_token_is_single_use_and_validators_apply(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    user = users["laerer"]
    mail.outbox.clear()
    _request(Client(), user.email.upper(), django_capture_on_commit_callbacks)
    path = _link_path(str(mail.outbox[0].body))
    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = browser.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "form-error" in weak.content.decode()
    done = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse(
        "accounts:password_reset_complete"
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_SET_FROM_LINK, object_id=str(user.pk)
    ).exists()
    # The same link again: refused.
    again = Client().get(path, follow=True)
    assert 'data-testid="password-link-invalid"' in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


@pytest.mark.django_db
def test_throttle_per_email(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    for _attempt in range(password_reset.PER_EMAIL_LIMIT + 3):
        response = _request(Client(), users["laerer"].email, django_capture_on_commit_callbacks)
        assert response.status_code == 302  # the same answer, throttled or not
    assert len(mail.outbox) == password_reset.PER_EMAIL_LIMIT


@pytest.mark.django_db
def test_throttle_per_address(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    client = Client()
    for number in range(password_reset.PER_ADDRESS_LIMIT + 2):
        _request(client, f"nobody{number}@example.dk", django_capture_on_commit_callbacks)
    _request(client, users["laerer"].email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_second_factor_still_applies_after_reset(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    user = users["laerer"]
    TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    password_reset.set_password_from_link(user=user, password=NEW_PASSWORD)
    response = Client().post(
        reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_code"))


@pytest.mark.django_db
def test_invitation_link_sets_first_password(demo: Municipality) -> None:
    user = User.objects.create_user(username="ny@example.dk", email="ny@example.dk")
    user.set_unusable_password()
    user.save()
    mail.outbox.clear()
    assert password_reset.send_invitation.call(user.pk) == 1
    message = mail.outbox[0]
    assert message.to == ["ny@example.dk"] and "SSP-platformen" in message.subject
    browser = Client()
    page = browser.get(_link_path(str(message.body)), follow=True)
    browser.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_login_page_links_to_reset(demo: Municipality) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page
    assert Client().get(RESET).status_code == 200
    bad = Client().post(RESET, {"email": "ikke en adresse"})
    assert bad.status_code == 400 and "ikke en adresse" in bad.content.decode()


@pytest.mark.django_db
def test_the_link_goes_to_the_stored_address_never_a_look_alike(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    """Django's CVE-2019-19844: 'laerer@exampıe.dk' with a dotless i is not the stored address,
    and the mail goes to the address stored on the user, never to what was typed."""
    stored = users["laerer"].email
    local, _at, domain = stored.partition("@")
    look_alike = f"{local}@{domain.replace('i', 'ı', 1)}" if "i" in domain else stored.upper()
    mail.outbox.clear()
    _request(Client(), look_alike, django_capture_on_commit_callbacks)
    assert all(message.to == [stored] for message in mail.outbox)


@pytest.mark.django_db
def test_a_member_contact_address_gets_no_link(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    from ssp.organisation.models import Member

    Member.objects.filter(user=users["laerer"]).update(email="faelles@example.dk")
    mail.outbox.clear()
    _request(Client(), "faelles@example.dk", django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_deactivated_user_s_link_no_longer_works(users: dict[str, User]) -> None:
    from ssp.accounts.password_reset import link_for

    user = users["laerer"]
    path = link_for(user).split("testserver", 1)[-1].split("localhost:8000", 1)[-1]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = Client().get(path, follow=True)
    assert "Linket virker ikke længere" in response.content.decode()
