"""API tokens for integrations (a school's system, the police list transfer...)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
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
