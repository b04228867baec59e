"""Issue 15: invitations to choose a password, and password reset by e-mail.

Both use Django's `default_token_generator`: the link holds the user's id and a token made from
the password hash and the last login, so it dies once the password is set (single use) and
after `PASSWORD_RESET_TIMEOUT`. The second factor still applies at the next login: setting a
password never logs anybody in. With the password login off (single sign-on only) an invitation
says to log in with the municipality's login and holds no link, and there is no reset; a user
bound to single sign-on is never sent a reset link.

A reset request answers the same whatever the address: the request only counts the attempt
(`PublicFormThrottle`, per address and per e-mail, hashed with the server secret) and queues a
task; the task worker looks the address up and mails active users only. So neither the answer
nor its timing says whether the address is known.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import PublicFormThrottle
from ssp.meetings.notices import site_url

PER_EMAIL_LIMIT = 3
PER_ADDRESS_LIMIT = 10
THROTTLE_WINDOW = timedelta(hours=1)
PLATFORM = "SSP-platformen"


def _key(*parts: object) -> str:
    text = "|".join(["ssp-password-reset", settings.SECRET_KEY, *(str(part) for part in parts)])
    return hashlib.sha256(text.encode()).hexdigest()


def _window_start(now: datetime) -> datetime:
    seconds = int(THROTTLE_WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def _take(key: str, window_start: datetime, limit: int) -> bool:
    """Count one use under `key`; False once the window's limit is reached (race-safe: a
    unique key and a conditional UPDATE)."""
    PublicFormThrottle.objects.get_or_create(key=key, defaults={"window_start": window_start})
    return (
        PublicFormThrottle.objects.filter(key=key, count__lt=limit).update(count=F("count") + 1)
        == 1
    )


@transaction.atomic
def request_reset(*, email: str, client_address: str | None) -> bool:
    """Count the request and queue the mail (sent only if the address belongs to an active
    user). True when it was queued, False when a limit was reached: the caller answers the same
    either way."""
    now = timezone.now()
    window = _window_start(now)
    address = email.strip().lower()
    allowed = _take(
        _key("address", client_address or "", window.isoformat()), window, PER_ADDRESS_LIMIT
    )
    allowed = allowed and _take(_key("email", address, window.isoformat()), window, PER_EMAIL_LIMIT)
    # Old rows are removed with the tip form's (`ssp.cases.tips`: same table, older windows).
    if allowed:
        transaction.on_commit(partial(send_reset.enqueue, address))
    return allowed


def _same_address(a: str, b: str) -> bool:
    """Django's `_unicode_ci_compare`: NFKC and casefold, so that a look-alike address such as
    'victim@gmaıl.com' (dotless i, which the database's UPPER() matches) is not the same."""
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


def users_for_email(email: str) -> list[User]:
    """Active users whose own login address (`User.email`, not a member's editable contact
    address) is this one. The link always goes to the stored address, never to what was typed."""
    address = email.strip()
    if not address:
        return []
    candidates = User.objects.filter(email__iexact=address, is_active=True)
    if settings.SSP_OIDC_ISSUER:
        # A user bound to the municipality's login gets no local password: leaving the
        # municipality's directory must end their access here too.
        candidates = candidates.exclude(sso_identities__isnull=False)
    return [user for user in candidates if user.email and _same_address(user.email, address)]


def link_for(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return site_url() + path


def _municipality_name(user: User) -> str:
    member = getattr(user, "member", None)
    municipality = getattr(member, "municipality", None)
    return str(municipality.name) if municipality is not None else ""


def _days() -> int:
    return max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86_400)


@task()
def send_reset(email: str) -> int:
    """The worker's half of a reset request: a link for each active user with the address."""
    sent = 0
    for user in users_for_email(email):
        subject = _("%(platform)s: ny adgangskode") % {"platform": PLATFORM}
        body = _(
            "Der er bedt om en ny adgangskode til %(platform)s for %(municipality)s.\n\n"
            "Vælg en ny adgangskode her (linket virker én gang og i %(days)s dage):\n%(link)s\n\n"
            "Dit brugernavn er: %(username)s\n\n"
            "Har du ikke selv bedt om det, kan du se bort fra denne e-mail."
        ) % {
            "platform": PLATFORM,
            "municipality": _municipality_name(user),
            "days": _days(),
            "link": link_for(user),
            "username": user.get_username(),
        }
        sent += EmailMessage(subject, body, None, [user.email]).send()
    return sent


@task()
def send_invitation(user_id: int) -> int:
    """A new user's invitation: the platform, the municipality and a link to choose a
    password; nothing else."""
    user = (
        User.objects.filter(pk=user_id, is_active=True)
        .select_related("member__municipality")
        .first()
    )
    if user is None or not user.email:
        return 0
    municipality = _municipality_name(user)
    subject = _("Du er oprettet på %(platform)s for %(municipality)s") % {
        "platform": PLATFORM,
        "municipality": municipality,
    }
    if not settings.SSP_LOCAL_LOGIN:
        # Single sign-on only: no password to choose, so no link that would set one.
        body = _(
            "Du er oprettet som bruger på %(platform)s for %(municipality)s.\n\n"
            "Du logger ind med %(provider)s her:\n%(login)s\n\n"
            "Platformen bruger ikke adgangskoder."
        ) % {
            "platform": PLATFORM,
            "municipality": municipality,
            "provider": str(settings.SSP_OIDC_PROVIDER_NAME) or _("kommunens login"),
            "login": site_url() + reverse("accounts:login"),
        }
        return EmailMessage(subject, body, None, [user.email]).send()
    body = _(
        "Du er oprettet som bruger på %(platform)s for %(municipality)s.\n\n"
        "Vælg din adgangskode her (linket virker én gang og i %(days)s dage):\n%(link)s\n\n"
        "Dit brugernavn er: %(username)s\n\n"
        'Er linket udløbet, kan du bede om et nyt under "Glemt din adgangskode?" på '
        "login-siden."
    ) % {
        "platform": PLATFORM,
        "municipality": municipality,
        "days": _days(),
        "link": link_for(user),
        "username": user.get_username(),
    }
    return EmailMessage(subject, body, None, [user.email]).send()


def enqueue_invitations(user_ids: list[int]) -> None:
    for user_id in user_ids:
        send_invitation.enqueue(user_id)


@transaction.atomic
def set_password_from_link(*, user: User, password: str) -> User:
    """The password chosen through an invitation or reset link (already validated by the
    form). The link dies with the old password hash; no login follows."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(actor=user, action=AuditAction.PASSWORD_SET_FROM_LINK, obj=user)
    return user
