"""The audit trail: append-only and hash-chained, so that tampering shows.

Each event stores the hash of the previous event and its own hash over its content and that
previous hash, keyed with `SSP_AUDIT_KEY` (a secret outside the database), so that somebody who
can write to the database cannot recompute the chain. `verify_chain` (and `manage.py
verify_audit`) recomputes it; `manage.py anchor_audit` copies the newest position out of the
database, so that a cut tail shows too.

An event is written without its chain position (`sequence`, `previous_hash`, `hash` empty) and
sealed with a keyed MAC of its content (`seal`); one chainer at a time gives it its position
afterwards (`ssp.audit.services.chain_pending`), so writers never wait on each other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ssp.crypto import EncryptedTextField

OBJECT_REPR_MAX_LENGTH = 300
ACTOR_LABEL_MAX_LENGTH = 150  # a username (Django's User.username max_length)


class AppendOnlyError(Exception):
    pass


class HashVersion(models.IntegerChoices):
    """How an event's hash was computed; stored per event, so old events keep their scheme."""

    SHA256 = 1, _("SHA-256 uden nøgle (hændelser fra før nøglen)")
    HMAC_SHA256 = 2, _("HMAC-SHA256 med SSP_AUDIT_KEY")
    # Written without a chain position, sealed with a keyed MAC of the content, chained later.
    HMAC_SHA256_SEALED = 3, _("HMAC-SHA256 med SSP_AUDIT_KEY, forseglet ved skrivning")


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
    CONFIDENTIALITY_ACKNOWLEDGED = (
        "accounts.confidentiality_acknowledged",
        _("Tavshedspligt bekræftet"),
    )
    FIELD_KEY_ROTATED = "accounts.field_key_rotated", _("Krypteringsnøgle skiftet")
    LOGIN_USER_THROTTLED = (
        "accounts.login_user_throttled",
        _("Bruger afvist efter mange mislykkede login"),
    )
    # Issue 15 (helper U): users in bulk, invitations and password reset
    USERS_IMPORTED = "accounts.users_imported", _("Brugere indlæst fra fil")
    USERS_IMPORT_PREVIEWED = (
        "accounts.users_import_previewed",
        _("Forhåndsvisning af brugere fra fil"),
    )
    PASSWORD_SET_FROM_LINK = (
        "accounts.password_set_from_link",
        _("Adgangskode sat via link i e-mail"),
    )
    # Issue 15: single sign-on (OpenID Connect)
    SSO_LOGIN = "accounts.sso_login", _("Logget ind med kommunens login (SSO)")
    SSO_USER_CREATED = "accounts.sso_user_created", _("Bruger oprettet ved første SSO-login")
    # The trail itself
    AUDIT_CHAIN_KEYED = "audit.chain_keyed", _("Revisionssporet sikret med nøgle")
    # Administration
    ADMIN_CREATED = "admin.created", _("Oprettet i administrationen")
    ADMIN_CHANGED = "admin.changed", _("Ændret i administrationen")
    ADMIN_DELETED = "admin.deleted", _("Slettet i administrationen")
    PRESET_LOADED = "organisation.preset_loaded", _("Forudindstilling indlæst")
    DEMO_SEEDED = "organisation.demo_seeded", _("Demodata oprettet")
    # The municipality's configuration (issue 16): what changed, never personal data
    RULES_CHANGED = "organisation.rules_changed", _("Kommunens regler ændret")
    WORKSHEET_HELP_CHANGED = (
        "organisation.worksheet_help_changed",
        _("Arbejdsarkets hjælpetekster ændret"),
    )
    STANDING_ITEM_CHANGED = "organisation.standing_item_changed", _("Fast dagsordenspunkt ændret")
    LEGAL_BASIS_CHANGED = "cases.legal_basis_changed", _("Hjemmel ændret")
    OFFENCE_CATALOGUE_CHANGED = (
        "police.offence_catalogue_changed",
        _("Kategorier af lovovertrædelser ændret"),
    )
    GUIDE_CHANGED = "organisation.guide_changed", _("SSP-vejledningen ændret")
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
    ADHOC_GROUP_DISSOLVED = "cases.adhoc_group_dissolved", _("Ad hoc handlegruppe opløst")
    ADHOC_GROUP_VIEWED = "cases.adhoc_group_viewed", _("Ad hoc handlegruppe vist")
    AGREEMENT_MADE = "cases.agreement_made", _("Handlingsaftale indgået")
    AGREEMENT_PDF = "cases.agreement_pdf", _("Handlingsaftale hentet som PDF")
    TASK_ADDED = "cases.task_added", _("Opgave tilføjet")
    TASK_DONE = "cases.task_done", _("Opgave udført")
    CONSENT_RECORDED = "cases.consent_recorded", _("Samtykke registreret")
    CONSENT_WITHDRAWN = "cases.consent_withdrawn", _("Samtykke trukket tilbage")
    DISCLOSURE_RECORDED = "cases.disclosure_recorded", _("Videregivelse registreret")
    CASE_LEVEL_CHANGED = "cases.level_changed", _("Sagens niveau ændret")
    CONCERN_TO_PREVENTION = "cases.concern_to_prevention", _("Bekymring overført til forebyggelsen")
    TIP_RECEIVED = (
        "cases.tip_received",
        _("Henvendelse modtaget fra borger eller samarbejdspartner"),
    )
    # Meetings
    CALENDAR_GENERATED = "meetings.calendar_generated", _("Mødekalender dannet")
    MEETING_CREATED = "meetings.meeting_created", _("Møde oprettet")
    MEETING_VIEWED = "meetings.viewed", _("Dagsorden vist")
    MEETING_PDF = "meetings.pdf", _("Dagsorden hentet som PDF")
    # Issue 14 (N): the meeting changed, moved or cancelled by its manager; notices e-mailed.
    MEETING_CHANGED = "meetings.meeting_changed", _("Møde ændret")
    MEETING_MOVED = "meetings.meeting_moved", _("Møde flyttet")
    MEETING_CANCELLED = "meetings.meeting_cancelled", _("Møde aflyst")
    NOTICE_SENT = "meetings.notice_sent", _("Mødemeddelelse sendt")
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
    # Issue 14 (L): minutes mailed outside the platform, terms and elections
    MINUTES_MAILED = "meetings.minutes_mailed", _("Referat sendt på e-mail uden for platformen")
    ELECTION_PROPOSED = "meetings.election_proposed", _("Valgpunkt foreslået")
    ELECTION_RECORDED = "meetings.election_recorded", _("Valg registreret")
    # Issue 14, helper P: votes, closing a meeting, guests.
    VOTES_RECORDED = "meetings.votes_recorded", _("Afstemning registreret")
    MEETING_CLOSED = "meetings.meeting_closed", _("Møde afsluttet")
    GUEST_ADDED = "meetings.guest_added", _("Gæst tilføjet")
    GUEST_REMOVED = "meetings.guest_removed", _("Gæst fjernet")
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
    COUNCIL_INVITATIONS_SENT = (
        "police.council_invitations_sent",
        _("Invitationer til netværkssamråd sendt"),
    )
    COUNCIL_LETTER_PRINTED = "police.council_letter_printed", _("Brev om netværkssamråd hentet")
    POLICE_REPORT_CORRECTED = "police.report_corrected", _("Politirapport rettet")
    POLICE_REPORT_WITHDRAWN = "police.report_withdrawn", _("Politirapport trukket tilbage")
    ABSENCE_IMPORTED = "police.absence_imported", _("Fraværsliste importeret")
    ABSENCE_VIEWED = "police.absence_viewed", _("Fraværsliste vist")
    ABSENCE_RECORD_VIEWED = "police.absence_record_viewed", _("Fraværsregistrering vist")
    HOT_SPOT_CREATED = "police.hot_spot_created", _("Hotspot oprettet")
    HOT_SPOT_CHANGED = "police.hot_spot_changed", _("Hotspot ændret")
    # Prevention work (R7): the catalogue of interventions (no personal data)
    INTERVENTION_CREATED = "prevention.intervention_created", _("Indsats oprettet")
    INTERVENTION_CHANGED = "prevention.intervention_changed", _("Indsats ændret")
    FOCUS_AREA_CREATED = "prevention.focus_area_created", _("Fokusområde oprettet")
    FOCUS_AREA_CHANGED = "prevention.focus_area_changed", _("Fokusområde ændret")
    FOCUS_AREA_DECIDED = "prevention.focus_area_decided", _("Fokusområde vedtaget")
    PLAN_CREATED = "prevention.plan_created", _("Årsplan oprettet")
    PLAN_APPROVED = "prevention.plan_approved", _("Årsplan godkendt")
    ACTIVITY_CREATED = "prevention.activity_created", _("Aktivitet oprettet")
    ACTIVITY_CHANGED = "prevention.activity_changed", _("Aktivitet ændret")
    ACTIVITY_DONE = "prevention.activity_done", _("Aktivitet gennemført")
    ACTIVITY_EVALUATED = "prevention.activity_evaluated", _("Aktivitet evalueret")
    PROJECT_CREATED = "prevention.project_created", _("Projekt oprettet")
    PROJECT_CHANGED = "prevention.project_changed", _("Projekt ændret")
    PROJECT_EVALUATED = "prevention.project_evaluated", _("Projekt evalueret")
    AGENDA_ITEM_LINKED = "meetings.item_linked", _("Dagsordenspunkt tilknyttet")
    REPORT_CREATED = "reports.report_created", _("Årsrapport oprettet")
    REPORT_CHANGED = "reports.report_changed", _("Årsrapportens tekst ændret")
    REPORT_APPROVED = "reports.report_approved", _("Årsrapport godkendt")
    REPORT_PUBLISHED = "reports.report_published", _("Årsrapport offentliggjort")
    EFFECT_IMPORTED = "reports.effect_imported", _("Effekttal indlæst")
    EVALUATION_CREATED = "reports.evaluation_created", _("Evaluering oprettet")
    EVALUATION_CHANGED = "reports.evaluation_changed", _("Evaluering ændret")
    EVALUATION_SENT = "reports.evaluation_sent", _("Evaluering sendt ud")
    EVALUATION_CLOSED = "reports.evaluation_closed", _("Evaluering afsluttet")
    # Retention (issue 10): the daily run and holds; never names, only kinds and counts
    RETENTION_APPLIED = "audit.retention_applied", _("Opbevaringsregler anvendt")
    RETENTION_HOLD_SET = "audit.retention_hold_set", _("Sletning sat i bero")
    RETENTION_HOLD_LIFTED = "audit.retention_hold_lifted", _("Sletning genoptaget")
    # Data subjects' rights and supervision (GDPR art. 15-16, R4)
    SUBJECT_ACCESS_PRODUCED = "audit.subject_access_produced", _("Indsigt udleveret")
    YOUNG_PERSON_CORRECTED = "audit.young_person_corrected", _("Oplysninger om ung rettet")
    YOUNG_PERSON_IDENTIFIED = "cases.young_person_identified", _("CPR-nummer tilføjet til ung")
    YOUNG_PERSON_MERGED = "cases.young_person_merged", _("Ung sammenlagt med en anden registrering")
    DISCLOSURES_LOG_VIEWED = "audit.disclosures_log_viewed", _("Videregivelseslog vist")
    DISCLOSURES_LOG_EXPORTED = "audit.disclosures_log_exported", _("Videregivelseslog hentet")
    AUDIT_TRAIL_VIEWED = "audit.trail_viewed", _("Revisionsspor vist")


class AuditEvent(models.Model):
    """One event. `sequence`, `previous_hash` and `hash` are the chain fields: empty while the
    event waits to be chained, set once by the chainer (on PostgreSQL a trigger allows no other
    change). `sequence` is the gapless chain position, never the row id (ids skip on rollback)."""

    sequence = models.PositiveBigIntegerField(_("løbenummer"), unique=True, null=True, blank=True)
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
    # Null only while the event waits to be chained (CharField null: "not yet" differs from "").
    previous_hash = models.CharField(_("forrige hash"), max_length=64, null=True, blank=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True, null=True, blank=True)
    hash_version = models.PositiveSmallIntegerField(_("hash-metode"), choices=HashVersion.choices)
    # Version 3: a random value and the keyed MAC of the content with it, written with the event
    # (unique, so a copied event is refused). Empty for older events.
    nonce = models.UUIDField(_("engangsværdi"), null=True, blank=True, editable=False)
    seal = models.CharField(
        _("segl"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("revisionshændelse")
        verbose_name_plural = _("revisionshændelser")
        # Newest written first; pending events have no position yet.
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["subject_ref"]),
            # The annual report's counts of events of a kind in a municipality and year
            # (escalations, ad hoc groups, routed concerns: ssp/reports/figures/cases.py).
            models.Index(
                fields=["municipality_id", "action", "occurred_at"],
                name="audit_event_kind_in_year",
            ),
            # The chainer's queue: small, because events wait only until the next chaining.
            models.Index(
                fields=["id"],
                condition=models.Q(sequence__isnull=True),
                name="audit_event_unchained_idx",
            ),
        ]

    def __str__(self) -> str:
        position = "-" if self.sequence is None else str(self.sequence)
        return f"{position} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row holding the chain's last sequence and hash; locked by the chainer only (writers
    of events never touch it).

    On PostgreSQL a trigger lets it only move forward to an event that exists, and refuses its
    deletion (migrations 0004, 0008).
    """

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("revisionskædens hoved")

    def __str__(self) -> str:
        return f"{self.last_sequence} {self.last_hash}"


class Correction(models.Model):
    """GDPR art. 16: a correction of a young person's facts, recorded as a correction.

    The old values are kept here, encrypted and with the person (deleting the person deletes
    them), not in the audit trail, which outlives the data and names the changed fields only.
    """

    young_person = models.ForeignKey(
        "cases.YoungPerson",
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=_("ung"),
    )
    changed_fields = models.CharField(_("rettede felter"), max_length=300)
    old_values = EncryptedTextField(_("tidligere værdier"))
    reason = EncryptedTextField(_("begrundelse"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rettet af"),
    )
    corrected_at = models.DateTimeField(_("rettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("rettelse")
        verbose_name_plural = _("rettelser")
        ordering = ["-corrected_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Rettelse')} #{self.pk}"


# --- Retention (issue 10, part 3): holds and the destruction register ----------------------

HOLD_NOTE_MAX_LENGTH = 300


class RetentionKind(models.TextChoices):
    """The kinds of record the retention rules delete or anonymise one by one."""

    CASE = "case", _("Sag")
    CONCERN = "concern", _("Bekymring")
    POLICE_REPORT = "police_report", _("Række fra politiets liste")
    ABSENCE_RECORD = "absence_record", _("Fraværsregistrering")


class RetentionRule(models.TextChoices):
    """The municipality's retention rules (`Municipality.rules`), one per kind of record."""

    CASE_CLOSED = "retention_years_after_close", _("Afsluttet sag")
    CONCERN_DROPPED = "retention_years_dropped_concern", _("Henlagt bekymring uden sag")
    POLICE_LIST = "retention_years_police_list", _("Politiliste uden sag")
    ABSENCE = "retention_years_absence", _("Fravær uden sag")
    YOUNG_PERSON = "young_person_without_records", _("Ung uden øvrige oplysninger")


class HoldReason(models.TextChoices):
    COMPLAINT = "complaint", _("Klage")
    ONGOING_CASE = "ongoing_case", _("Verserende sag")
    ACCESS_REQUEST = "access_request", _("Anmodning om indsigt")
    OTHER = "other", _("Andet")


class DestructionAction(models.TextChoices):
    DELETED = "deleted", _("Slettet")
    ANONYMISED = "anonymised", _("Anonymiseret")


class RetentionHold(models.Model):
    """A record kept past its retention period (a complaint, an ongoing case), until lifted.

    The record is named by kind and id only. `note` is free text for colleagues; it is cleared
    when the record is later deleted or anonymised, so a hold never outlives what it held.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kommune"),
    )
    kind = models.CharField(_("art"), max_length=20, choices=RetentionKind.choices)
    object_id = models.PositiveBigIntegerField(_("nummer"))
    reason = models.CharField(_("begrundelse"), max_length=20, choices=HoldReason.choices)
    note = models.CharField(_("bemærkning"), max_length=HOLD_NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sat i bero"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("ophævet"), null=True, blank=True)
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("sletning i bero")
        verbose_name_plural = _("sletninger i bero")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=models.Q(lifted_at__isnull=True),
                name="retention_hold_once_while_active",
            )
        ]
        indexes = [models.Index(fields=["municipality", "kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class DestructionRecord(models.Model):
    """The destruction register: what one retention run deleted or anonymised, by rule and
    kind, as counts. No names, no ids of persons: it outlives the records it counts."""

    run_id = models.UUIDField(_("kørsel"))
    occurred_at = models.DateTimeField(_("tidspunkt"))
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kommune"),
    )
    rule = models.CharField(_("regel"), max_length=40, choices=RetentionRule.choices)
    kind = models.CharField(_("art"), max_length=100)
    action = models.CharField(_("handling"), max_length=20, choices=DestructionAction.choices)
    count = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("sletning")
        verbose_name_plural = _("sletninger")
        ordering = ["-occurred_at", "pk"]
        indexes = [models.Index(fields=["municipality", "occurred_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["run_id", "municipality", "rule", "kind", "action"],
                name="destruction_record_once_per_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.rule} {self.kind} {self.action} {self.count}"
