"""R6 Meetings: calendar, agendas with public, internal and closed items, decision minutes,
signed protocol, publication and forwarding up the reporting line."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssp.cases.models import Case, Concern
from ssp.organisation.models import Forum, Member
from ssp.versioning import Versioned


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Ordinært møde")
    EXTRA = "extra", _("Ekstraordinært møde")
    ACUTE = "acute", _("Akut møde")
    PRE_MEETING = "pre_meeting", _("Formøde")
    ANNUAL_EVENT = "annual_event", _("Årligt arrangement")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    HELD = "held", _("Afholdt")
    CANCELLED = "cancelled", _("Aflyst")


class Meeting(Versioned):
    """A meeting of a forum. `version` counts the saves of its minutes (attendance and the
    decisions of its items), so that two people writing the minutes cannot overwrite each
    other (`services.record_minutes`)."""

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("forum")
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    title = models.CharField(_("titel"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    location = models.CharField(_("sted"), max_length=200, blank=True)
    prepares = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pre_meetings",
        verbose_name=_("forbereder mødet"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    approved_at = models.DateTimeField(_("referat godkendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("møde")
        verbose_name_plural = _("møder")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["forum", "starts_at"]),
            # The meeting list's windows (next 90 days, last 30, a year) across many fora.
            models.Index(fields=["starts_at", "id"], name="meeting_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or f"{self.forum.name} – {self.get_kind_display()}"

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def has_started(self) -> bool:
        """Minutes are written from the meeting's start, not before."""
        return self.starts_at <= timezone.now()


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Offentligt")
    INTERNAL = "internal", _("Internt")
    CLOSED = "closed", _("Lukket (navngivne personer)")


class ItemKind(models.TextChoices):
    STANDING = "standing", _("Fast punkt")
    FREE = "free", _("Punkt")
    CONCERN_DECISION = "concern_decision", _("Bekymring til beslutning")
    CASE_FOLLOW_UP = "case_follow_up", _("Opfølgning på sag")


class AgendaItem(Versioned):
    """An item on a meeting's agenda. `version` counts the saves of its title, description and
    visibility (`services.update_item`); its decision belongs to the meeting's minutes."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("møde")
    )
    position = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("overskrift"), max_length=300)
    description = models.TextField(_("beskrivelse"), blank=True)
    visibility = models.CharField(
        _("synlighed"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    kind = models.CharField(
        _("art"), max_length=20, choices=ItemKind.choices, default=ItemKind.FREE
    )
    concern = models.ForeignKey(
        Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    decision = models.TextField(_("beslutning"), blank=True)
    responsible = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarlig"),
    )
    deadline = models.DateField(_("frist"), null=True, blank=True)
    # A link to an object of another app that the item's decision acts on (an annual plan to
    # approve, a focus area to set): `ssp/meetings/links.py`, where the owning app registers the
    # kind. The meetings app never imports the owner.
    link_kind = models.CharField(_("tilknyttet"), max_length=50, blank=True)
    link_id = models.PositiveIntegerField(null=True, blank=True)
    # When the decision was applied to the linked object (once: `links.apply_decision`).
    link_applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dagsordenspunkt")
        verbose_name_plural = _("dagsordenspunkter")
        ordering = ["meeting", "position"]
        indexes = [
            models.Index(
                fields=["link_kind", "link_id"],
                condition=~models.Q(link_kind=""),
                name="agenda_item_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.visibility == Visibility.CLOSED


def attachment_path(instance: Attachment, filename: str) -> str:
    """Where a file is stored: a random name, never the uploaded one, which may name a child and
    would show in an object store's listings and logs (its name is kept in `Attachment.name`)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"meetings/{timezone.now().year}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fil"), upload_to=attachment_path)
    name = models.CharField(_("navn"), max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """A non-authority member's concern, handed in before a closed item (København)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="contributions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("bidrag"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.member}: {self.item}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("til stede"), default=True)
    left_before_closed_items = models.BooleanField(
        _("forlod mødet før de lukkede punkter"), default=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting_id}"


class MeetingTaskStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    DONE = "done", _("Udført")


class MeetingTask(models.Model):
    """A decision's follow-up task, shown on the responsible member's start page."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="meeting_tasks")
    description = models.CharField(_("opgave"), max_length=500)
    due_date = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingTaskStatus.choices, default=MeetingTaskStatus.OPEN
    )

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.description


class Signature(models.Model):
    """A permanent member's signature on the protocol text with the given hash."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    text_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "text_hash"], name="signature_once_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.text_hash[:8]}"


class ForwardedMinutes(models.Model):
    """Approved minutes sent up the reporting line, as orientation, without closed items."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="forwards")
    to_forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="received_minutes")
    forwarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-forwarded_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "to_forum"], name="forward_once")]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.to_forum}"
