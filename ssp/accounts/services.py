"""Use cases for accounts: API tokens, the second factor, deactivation, login throttling and
the acknowledgement of the duty of confidentiality."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.accounts import confidentiality
from ssp.accounts.models import (
    ApiToken,
    ConfidentialityAcknowledgement,
    LoginUserThrottle,
    hash_token,
    new_raw_token,
)
from ssp.audit.models import ACTOR_LABEL_MAX_LENGTH, AuditAction
from ssp.audit.services import record_event
from ssp.organisation.models import AccessRole, Member, Municipality

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


@transaction.atomic
def deactivate_user(*, user: User, actor: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Users are deactivated, never deleted: their audit history points at them.

    A deactivated user cannot log in, their sessions end at the next request (Django's backend
    refuses inactive users) and their API tokens are revoked. Idempotent: False when the user was
    already inactive.
    """
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    user.is_active = False
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_event(actor=actor, action=AuditAction.USER_DEACTIVATED, obj=user)
    return True


def _throttle_key(username: str) -> str:
    return username[:ACTOR_LABEL_MAX_LENGTH]


def login_refused_until(username: str, *, now: datetime | None = None) -> datetime | None:
    """When the user name is refused after failures from many addresses: until when, else None."""
    now = now or timezone.now()
    refused_until = (
        LoginUserThrottle.objects.filter(username=_throttle_key(username), refused_until__gt=now)
        .values_list("refused_until", flat=True)
        .first()
    )
    return refused_until


@transaction.atomic
def record_login_failure(*, username: str, now: datetime | None = None) -> LoginUserThrottle:
    """Count a wrong password for a user name, whatever the address.

    At `SSP_LOGIN_USER_FAILURE_LIMIT` failures (none more than the axes cool-off apart, no
    success in between) the name is refused for `SSP_LOGIN_USER_REFUSAL`, and again after each
    further failure; the administrators are told once per such episode.
    """
    now = now or timezone.now()
    throttle, _created = LoginUserThrottle.objects.select_for_update().get_or_create(
        username=_throttle_key(username)
    )
    quiet_since = throttle.last_failure_at
    if quiet_since is not None and now - quiet_since > settings.AXES_COOLOFF_TIME:
        throttle.failures = 0
        throttle.administrators_told_at = None
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= settings.SSP_LOGIN_USER_FAILURE_LIMIT:
        throttle.refused_until = now + settings.SSP_LOGIN_USER_REFUSAL
        if throttle.administrators_told_at is None:
            throttle.administrators_told_at = now
            record_event(
                actor=None,
                action=AuditAction.LOGIN_USER_THROTTLED,
                object_type="auth.user",
                object_repr=throttle.username,
                data={"failures": throttle.failures},
            )
            _tell_administrators(username=throttle.username, failures=throttle.failures)
    throttle.save()
    return throttle


def record_login_success(*, username: str) -> None:
    LoginUserThrottle.objects.filter(username=_throttle_key(username)).delete()


def _administrator_addresses(username: str) -> list[str]:
    """Superusers, and the administrators of the municipality the user belongs to."""
    municipality_id = (
        User.objects.filter(username=username)
        .values_list("member__municipality_id", flat=True)
        .first()
    )
    administrators = Q(is_superuser=True)
    if municipality_id is not None:
        administrators |= Q(
            member__access_role=AccessRole.ADMINISTRATOR,
            member__municipality_id=municipality_id,
        )
    addresses = set()
    for user_email, member_email in User.objects.filter(administrators, is_active=True).values_list(
        "email", "member__email"
    ):
        address = member_email or user_email
        if address:
            addresses.add(address)
    return sorted(addresses)


def _tell_administrators(*, username: str, failures: int) -> None:
    """An e-mail after commit; it names the user name only (no personal data about children)."""
    if not User.objects.filter(username=username).exists():
        return  # guesses at names that do not exist are refused too, but tell nobody
    addresses = _administrator_addresses(username)
    if not addresses:
        return
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    seconds = int(settings.SSP_LOGIN_USER_REFUSAL.total_seconds())
    subject = _("SSP-platformen: mange mislykkede login for brugeren %(username)s") % {
        "username": username
    }
    body = _(
        "Der er forsøgt logget ind som brugeren %(username)s med forkert adgangskode "
        "%(failures)s gange fra forskellige adresser, med højst %(minutes)s minutter imellem. "
        "Brugeren afvises nu i %(seconds)s sekunder ad gangen, så længe forsøgene fortsætter.\n\n"
        "Tal med brugeren. Hvis det ikke var brugeren selv, så skift adgangskoden eller "
        "deaktivér brugeren i administrationen."
    ) % {"username": username, "failures": failures, "minutes": minutes, "seconds": seconds}
    transaction.on_commit(lambda: send_mail(subject, body, None, addresses, fail_silently=True))


@transaction.atomic
def acknowledge_confidentiality(
    *, user: User, municipality: Municipality | None
) -> ConfidentialityAcknowledgement:
    """R4: record that the user acknowledged the municipality's duty-of-confidentiality text.

    Idempotent: while an acknowledgement of the same text still counts, a repeat (the form
    posted twice, two tabs) returns it and stores nothing. The user's row is locked so that two
    requests at once store one row.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = confidentiality.current_acknowledgement(user_id=user.pk, municipality=municipality)
    if existing is not None:
        return existing
    text = confidentiality.text_for(municipality)
    acknowledgement = ConfidentialityAcknowledgement.objects.create(
        user=user,
        municipality=municipality,
        text_hash=confidentiality.hash_of(text),
        text=text,
    )
    record_event(
        actor=user,
        action=AuditAction.CONFIDENTIALITY_ACKNOWLEDGED,
        obj=acknowledgement,
        municipality_id=municipality.pk if municipality is not None else None,
        data={"text_version": acknowledgement.text_version},
    )
    return acknowledgement


@transaction.atomic
def set_meeting_emails(*, user: User, enabled: bool) -> bool:
    """Issue 14: the member chooses whether meeting invitations, notices of changes, reminders
    to sign and notices of publication come by e-mail. Returns False for a user who is no
    member (nothing to choose)."""
    updated = Member.objects.filter(user=user).update(meeting_emails=enabled)
    return updated > 0
