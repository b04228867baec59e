"""The audit trail: append-only and hash-chained, so that tampering shows.

Each event stores the hash of the previous event and its own hash over its content and that
previous hash, keyed with `SSP_AUDIT_KEY` (a secret outside the database), so that somebody who
can write to the database cannot recompute the chain. `verify_chain` (and `manage.py
verify_audit`) recomputes it; `manage.py anchor_audit` copies the newest position out of the
database, so that a cut tail shows too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

OBJECT_REPR_MAX_LENGTH = 300
ACTOR_LABEL_MAX_LENGTH = 150  # a username (Django's User.username max_length)


class AppendOnlyError(Exception):
    pass


class HashVersion(models.IntegerChoices):
    """How an event's hash was computed; stored per event, so old events keep their scheme."""

    SHA256 = 1, _("SHA-256 uden nøgle (hændelser fra før nøglen)")
    HMAC_SHA256 = 2, _("HMAC-SHA256 med SSP_AUDIT_KEY")


class AuditAction(models.TextChoices):
    """Every kind of audit event (like Zulip's AuditLogEventType): one place to read them all.

    The value is what is stored; the label is what the supervision pages show.
    """

    # Log-in and accounts
    LOGIN = "auth.login", _("Logget ind")
    LOGOUT = "auth.logout", _("Logget ud")
    LOGIN_FAILED = "auth.login_failed", _("Mislykket login")
    API_TOKEN_CREATED = "accounts.api_token_created", _("API-nøgle oprettet")
    API_TOKEN_REVOKED = "accounts.api_token_revoked", _("API-nøgle tilbagekaldt")
    SECOND_FACTOR_ENABLED = "accounts.second_factor_enabled", _("Totrinsbekræftelse slået til")
    SECOND_FACTOR_REMOVED = "accounts.second_factor_removed", _("Totrinsbekræftelse fjernet")
    USER_DEACTIVATED = "accounts.user_deactivated", _("Bruger deaktiveret")
    LOGIN_USER_THROTTLED = (
        "accounts.login_user_throttled",
        _("Bruger afvist efter mange mislykkede login"),
    )
    # The trail itself
    AUDIT_CHAIN_KEYED = "audit.chain_keyed", _("Revisionssporet sikret med nøgle")
    # Administration
    ADMIN_CREATED = "admin.created", _("Oprettet i administrationen")
    ADMIN_CHANGED = "admin.changed", _("Ændret i administrationen")
    ADMIN_DELETED = "admin.deleted", _("Slettet i administrationen")
    PRESET_LOADED = "organisation.preset_loaded", _("Forudindstilling indlæst")
    DEMO_SEEDED = "organisation.demo_seeded", _("Demodata oprettet")
    # Concerns and cases
    YOUNG_PERSON_REGISTERED = "cases.young_person_registered", _("Ung registreret")
    YOUNG_PEOPLE_SEARCHED = "cases.young_people_searched", _("Søgning efter unge")
    CPR_SHOWN = "cases.cpr_shown", _("CPR-nummer vist")
    CASE_VIEWED = "cases.viewed", _("Sag vist")
    CONCERN_RAISED = "cases.concern_raised", _("Bekymring indberettet")
    CONCERN_ROUTED = "cases.concern_routed", _("Bekymring sendt videre")
    CONCERN_DROPPED = "cases.concern_dropped", _("Bekymring afsluttet uden sag")
    CASE_OPENED = "cases.case_opened", _("Sag oprettet")
    CASE_ESCALATED = "cases.case_escalated", _("Sag løftet")
    CASE_CLOSED = "cases.case_closed", _("Sag afsluttet")
    ADHOC_GROUP_CREATED = "cases.adhoc_group_created", _("Ad hoc handlegruppe nedsat")
    AGREEMENT_MADE = "cases.agreement_made", _("Handlingsaftale indgået")
    AGREEMENT_PDF = "cases.agreement_pdf", _("Handlingsaftale hentet som PDF")
    TASK_ADDED = "cases.task_added", _("Opgave tilføjet")
    TASK_DONE = "cases.task_done", _("Opgave udført")
    CONSENT_RECORDED = "cases.consent_recorded", _("Samtykke registreret")
    CONSENT_WITHDRAWN = "cases.consent_withdrawn", _("Samtykke trukket tilbage")
    DISCLOSURE_RECORDED = "cases.disclosure_recorded", _("Videregivelse registreret")
    # Meetings
    CALENDAR_GENERATED = "meetings.calendar_generated", _("Mødekalender dannet")
    MEETING_CREATED = "meetings.meeting_created", _("Møde oprettet")
    MEETING_VIEWED = "meetings.viewed", _("Dagsorden vist")
    MEETING_PDF = "meetings.pdf", _("Dagsorden hentet som PDF")
    AGENDA_PREPARED = "meetings.agenda_prepared", _("Dagsorden forberedt")
    ITEM_ADDED = "meetings.item_added", _("Punkt tilføjet")
    ITEM_CHANGED = "meetings.item_changed", _("Punkt ændret")
    ITEM_DELETED = "meetings.item_deleted", _("Punkt slettet")
    ATTACHMENT_ADDED = "meetings.attachment_added", _("Bilag tilføjet")
    ATTACHMENT_DOWNLOADED = "meetings.attachment_downloaded", _("Bilag hentet")
    CONTRIBUTION_ADDED = "meetings.contribution_added", _("Indlæg tilføjet")
    MINUTES_RECORDED = "meetings.minutes_recorded", _("Referat skrevet")
    PROTOCOL_SIGNED = "meetings.protocol_signed", _("Protokol underskrevet")
    MINUTES_APPROVED = "meetings.minutes_approved", _("Referat godkendt")
    MINUTES_FORWARDED = "meetings.minutes_forwarded", _("Referat videresendt")
    PUBLICATION_BLOCKED = "meetings.publication_blocked", _("Offentliggørelse afvist")
    PUBLISHED = "meetings.published", _("Offentliggjort")
    DECISION_TASK_DONE = "meetings.task_done", _("Opgave fra beslutning udført")
    # Police lists, deadlines, absence and hot spots
    POLICE_LIST_IMPORTED = "police.list_imported", _("Politiliste importeret")
    POLICE_REPORT_REGISTERED = "police.report_registered", _("Politirapport registreret")
    POLICE_REPORT_ROUTED = "police.report_routed", _("Politirapport fordelt")
    REVIEW_VIEWED = "police.review_viewed", _("Ugentlig gennemgang vist")
    DEADLINES_VIEWED = "police.deadlines_viewed", _("Fristoversigt vist")
    DEADLINE_MET = "police.deadline_met", _("Frist overholdt")
    COUNCIL_CALLED = "police.network_council_called", _("Netværkssamråd indkaldt")
    COUNCIL_HELD = "police.network_council_held", _("Netværkssamråd afholdt")
    COUNCIL_VIEWED = "police.council_viewed", _("Netværkssamråd vist")
    ABSENCE_IMPORTED = "police.absence_imported", _("Fraværsliste importeret")
    ABSENCE_VIEWED = "police.absence_viewed", _("Fraværsliste vist")
    ABSENCE_RECORD_VIEWED = "police.absence_record_viewed", _("Fraværsregistrering vist")
    HOT_SPOT_CREATED = "police.hot_spot_created", _("Hotspot oprettet")
    HOT_SPOT_CHANGED = "police.hot_spot_changed", _("Hotspot ændret")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("løbenummer"), unique=True)
    occurred_at = models.DateTimeField(_("tidspunkt"))
    # PROTECT: a user with history is deactivated, never deleted (SET_NULL would have to change
    # events, which the trail refuses).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bruger"),
    )
    actor_label = models.CharField(_("brugernavn"), max_length=ACTOR_LABEL_MAX_LENGTH, blank=True)
    action = models.CharField(_("handling"), max_length=100, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=100, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=OBJECT_REPR_MAX_LENGTH, blank=True)
    municipality_id = models.BigIntegerField(_("kommune"), null=True, blank=True)
    subject_ref = models.CharField(
        _("person"), max_length=100, blank=True, help_text=_("Den registrerede person, hvis nogen.")
    )
    purpose = models.CharField(_("formål"), max_length=300, blank=True)
    data = models.JSONField(_("detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    previous_hash = models.CharField(_("forrige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    hash_version = models.PositiveSmallIntegerField(_("hash-metode"), choices=HashVersion.choices)

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
    """One row holding the chain's last sequence and hash; locked while appending.

    On PostgreSQL a trigger lets it only move forward to an event that exists, and refuses its
    deletion (migration 0004).
    """

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("revisionskædens hoved")

    def __str__(self) -> str:
        return f"{self.last_sequence} {self.last_hash}"
