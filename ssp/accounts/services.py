"""Use cases for accounts: API tokens and the second factor."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.accounts.models import ApiToken, hash_token, new_raw_token
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


@transaction.atomic
def create_api_token(
    *, user: User, name: str, actor: AbstractBaseUser | AnonymousUser | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and only its hash is stored."""
    raw = new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), hint=raw[:10])
    record_event(
        actor=actor, action=AuditAction.API_TOKEN_CREATED, obj=token, data={"user": user.username}
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: AbstractBaseUser | AnonymousUser | None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, action=AuditAction.API_TOKEN_REVOKED, obj=token)


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def pending_login_user(user_id: object) -> User | None:
    """The user who gave the right password and now owes the second factor."""
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def confirm_second_factor(*, user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_event(actor=user, action=AuditAction.SECOND_FACTOR_ENABLED, obj=user)
    return True


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    record_event(actor=user, action=AuditAction.SECOND_FACTOR_REMOVED, obj=user)
