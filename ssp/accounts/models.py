"""API tokens for integrations (a school's system, the police list transfer...), the login
throttle and the acknowledgements of the duty of confidentiality."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ssp_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("bruger"),
    )
    name = models.CharField(_("navn"), max_length=100)
    key_hash = models.CharField(_("nøgle (hash)"), max_length=64, unique=True)
    hint = models.CharField(_("nøglens begyndelse"), max_length=12)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("sidst brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nøgle")
        verbose_name_plural = _("API-nøgler")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"


class LoginUserThrottle(models.Model):
    """Failed logins for one user name from any addresses.

    django-axes locks a user name from one address after a few failures; guessing from many
    addresses is caught here: past `SSP_LOGIN_USER_FAILURE_LIMIT` failures the user name is
    refused for `SSP_LOGIN_USER_REFUSAL` at a time, and the administrators are told once.
    """

    username = models.CharField(_("brugernavn"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("mislykkede forsøg"), default=0)
    last_failure_at = models.DateTimeField(_("seneste mislykkede forsøg"), null=True, blank=True)
    refused_until = models.DateTimeField(_("afvises indtil"), null=True, blank=True)
    administrators_told_at = models.DateTimeField(
        _("administratorer underrettet"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("login-begrænsning for bruger")
        verbose_name_plural = _("login-begrænsninger for brugere")

    def __str__(self) -> str:
        return self.username


class ConfidentialityAcknowledgement(models.Model):
    """R4: a user who can see personal data acknowledged the duty of confidentiality.

    Which text (its hash, and the text itself as it read then), for which municipality, when.
    Asked for before the first page with personal data and again every year
    (`ssp.accounts.confidentiality`). Rows are never changed: they are the record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="confidentiality_acknowledgements",
        verbose_name=_("bruger"),
    )
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
    )
    text_hash = models.CharField(_("tekstens fingeraftryk"), max_length=64)
    text = models.TextField(_("tekst"))
    acknowledged_at = models.DateTimeField(_("bekræftet"), default=timezone.now)

    class Meta:
        verbose_name = _("bekræftelse af tavshedspligt")
        verbose_name_plural = _("bekræftelser af tavshedspligt")
        ordering = ["-acknowledged_at", "-pk"]
        indexes = [models.Index(fields=["user", "-acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.acknowledged_at:%Y-%m-%d}"

    @property
    def text_version(self) -> str:
        """A short name for the text's version (the start of its hash)."""
        return self.text_hash[:12]


class FieldKeyRotation(models.Model):
    """The progress of `manage.py rotate_field_key` towards one new field key.

    One row per new key (`ssp.crypto.key_id`, which reveals nothing of the key): for each model
    with encrypted values, the highest primary key done so far. A rotation that is stopped
    resumes from there; one that finished is not run again for the same key.
    """

    key_id = models.CharField(_("nøgle-id"), max_length=32, unique=True)
    started_at = models.DateTimeField(_("startet"), default=timezone.now)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    progress = models.JSONField(_("fremdrift"), default=dict, blank=True)
    rows_done = models.PositiveBigIntegerField(_("rækker skiftet"), default=0)

    class Meta:
        verbose_name = _("skift af krypteringsnøgle")
        verbose_name_plural = _("skift af krypteringsnøgle")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.key_id


class SingleSignOnIdentity(models.Model):
    """Issue 15: the provider's subject (`iss`, `sub`) a user logs in as with single sign-on.

    Made at the user's first SSO login (then matched on e-mail or created); every later login is
    matched on this binding, never on the e-mail claim again, so a recycled or changed address at
    the provider does not hand over an account. A user has at most one binding per issuer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identities",
        verbose_name=_("bruger"),
    )
    issuer = models.CharField(_("udsteder"), max_length=255)
    subject = models.CharField(_("subjekt"), max_length=255)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    last_login_at = models.DateTimeField(_("seneste login"), null=True, blank=True)

    class Meta:
        verbose_name = _("SSO-identitet")
        verbose_name_plural = _("SSO-identiteter")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_sub"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_identity_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.issuer})"
