"""The audit trail: append-only and hash-chained, so that tampering shows.

Each event stores the hash of the previous event and its own hash over its content and that
previous hash. `verify_chain` (and `manage.py verify_audit`) recomputes the chain.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("løbenummer"), unique=True)
    occurred_at = models.DateTimeField(_("tidspunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bruger"),
    )
    actor_label = models.CharField(_("brugernavn"), max_length=150, blank=True)
    action = models.CharField(_("handling"), max_length=100, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=100, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=300, blank=True)
    municipality_id = models.BigIntegerField(_("kommune"), null=True, blank=True)
    subject_ref = models.CharField(
        _("person"), max_length=100, blank=True, help_text=_("Den registrerede person, hvis nogen.")
    )
    purpose = models.CharField(_("formål"), max_length=300, blank=True)
    data = models.JSONField(_("detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    previous_hash = models.CharField(_("forrige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("revisionshændelse")
        verbose_name_plural = _("revisionshændelser")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["subject_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row holding the chain's last sequence and hash; locked while appending."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("revisionskædens hoved")

    def __str__(self) -> str:
        return f"{self.last_sequence} {self.last_hash}"
