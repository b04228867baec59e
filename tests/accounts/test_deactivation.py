"""Users with history are deactivated, never deleted (issue 9, reproduction 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError
from django.test import Client

from ssp.accounts.models import ApiToken
from ssp.accounts.services import create_api_token
from ssp.audit.models import AuditAction, AuditEvent
from ssp.audit.services import verify_chain
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db

NOT_DELETED = "Brugere med historik kan ikke slettes; deaktivér brugeren i stedet"


def user_with_history(users: dict[str, User]) -> User:
    user = users["laerer"]
    Client().post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert AuditEvent.objects.filter(actor=user).exists()
    return user


def test_repro_deleting_a_user_with_history_in_the_admin_is_refused_with_the_reason(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    user = user_with_history(users)
    admin = client_for("admin")
    url = f"/admin/auth/user/{user.pk}/delete/"
    assert admin.get(url).status_code == 302
    response = admin.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert NOT_DELETED in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert verify_chain() == []


def test_the_admin_offers_no_delete_for_users(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    admin = client_for("admin")
    change = admin.get(f"/admin/auth/user/{users['laerer'].pk}/change/").content.decode()
    assert "/delete/" not in change
    listing = admin.get("/admin/auth/user/")
    actions = dict(listing.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert "deactivate_users" in actions


def test_a_user_with_history_cannot_be_deleted_in_code_either(
    demo: Municipality, users: dict[str, User]
) -> None:
    user = user_with_history(users)
    with pytest.raises(ProtectedError):
        user.delete()


def test_deactivating_in_the_admin_is_audited_and_ends_access(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    user = user_with_history(users)
    token, _raw = create_api_token(user=user, name="Skolesystem")
    session = client_for("laerer")
    admin = client_for("admin")
    response = admin.post(
        "/admin/auth/user/",
        {"action": "deactivate_users", "_selected_action": [str(user.pk)]},
        follow=True,
    )
    assert "1 bruger er deaktiveret" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert (event.object_repr, event.actor_label) == (f"auth.user:{user.pk}", "admin")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert session.get("/").status_code == 302  # the open session is over
    login = Client().post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert login.status_code == 200
    # A second deactivation changes nothing and writes nothing.
    admin.post("/admin/auth/user/", {"action": "deactivate_users", "_selected_action": [user.pk]})
    assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATED).count() == 1
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0


def test_an_administrator_cannot_deactivate_themselves(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    admin_user = users["admin"]
    response = client_for("admin").post(
        "/admin/auth/user/",
        {"action": "deactivate_users", "_selected_action": [str(admin_user.pk)]},
        follow=True,
    )
    assert "Du kan ikke deaktivere dig selv" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
