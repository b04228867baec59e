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
    # Issue 14: a joint event (one conference for all Områdegrupper) invites the members of
    # these fora besides the meeting's own; the iCal SEQUENCE counts moves and changes, so that
    # calendars replace the event; why a meeting was cancelled.
    joint_fora = models.ManyToManyField(
        Forum, blank=True, related_name="joint_meetings", verbose_name=_("fælles med")
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancel_reason = models.CharField(_("begrundelse for aflysning"), max_length=300, blank=True)

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
    # Issue 14: the first standing item approves the previous minutes; open decision tasks come
    # back as a follow-up item; a term ending brings an election.
    PREVIOUS_MINUTES = "previous_minutes", _("Godkendelse af referat fra sidste møde")
    DECISION_FOLLOW_UP = "decision_follow_up", _("Opfølgning på beslutninger")
    ELECTION = "election", _("Valg")
    # Issue 16: the SSP team's meeting on the municipality's review weekday reviews the police's
    # reports (a closed item with the waiting reports).
    POLICE_REVIEW = "police_review", _("Ugentlig gennemgang af politiets anmeldelser")


class VoteKind(models.TextChoices):
    """How a decision was taken (issue 14)."""

    NONE = "", _("Uden afstemning")
    UNANIMOUS = "unanimous", _("Enstemmigt")
    RECORDED = "recorded", _("Afstemning")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Imod")
    ABSTAIN = "abstain", _("Undlod at stemme")


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
    # Issue 14: the decision's number ("STY 2026-14", per forum and year: `DecisionCounter`),
    # given once when the decision is first recorded; how it was taken and whether it carried.
    decision_number = models.CharField(_("beslutningsnummer"), max_length=30, blank=True)
    vote_kind = models.CharField(
        _("afstemning"), max_length=10, choices=VoteKind.choices, blank=True
    )
    vote_carried = models.BooleanField(_("vedtaget"), null=True, blank=True)
    # An election item: the membership whose term ends (the election updates it).
    election_for = models.ForeignKey(
        "organisation.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("valg til"),
    )

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


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Til stede")
    APOLOGIES = "apologies", _("Afbud")
    ABSENT = "absent", _("Fraværende")


class Attendance(models.Model):
    """A permanent member's attendance (issue 14): present, sent apologies or absent; a deputy
    may attend in her place; she may leave before item N (and so take no part in it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("fremmøde"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    deputy = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stedfortræder"),
    )
    left_before_position = models.PositiveSmallIntegerField(
        _("forlod mødet før punkt"), null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting_id}"

    @property
    def present(self) -> bool:
        return self.status == AttendanceStatus.PRESENT


class Guest(models.Model):
    """An invited guest (Faxe invites guests): name and organisation, an e-mail for the
    invitation, and the member when the guest has a login. A guest never sees a closed item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("navn"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("gæst")
        verbose_name_plural = _("gæster")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    """An entitled member's vote on an item's decision (issue 14)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("stemme"), max_length=10, choices=VoteChoice.choices)

    class Meta:
        verbose_name = _("stemme")
        verbose_name_plural = _("stemmer")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.choice}"


class DecisionCounter(models.Model):
    """The last decision number given per forum and year (issue 14): taken under a row lock."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forum", "year"], name="decision_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.forum_id} {self.year}: {self.last}"


class NoticeKind(models.TextChoices):
    INVITATION = "invitation", _("Indkaldelse med dagsorden")
    CHANGED = "changed", _("Ændret møde")
    MOVED = "moved", _("Flyttet møde")
    CANCELLED = "cancelled", _("Aflyst møde")
    SIGN_REMINDER = "sign_reminder", _("Påmindelse om underskrift")
    PUBLISHED = "published", _("Referat offentliggjort")


class Notice(models.Model):
    """A notice sent about a meeting by e-mail (issue 14): what, when, to how many. The
    invitation is sent once (a conditional claim); the others once per change."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["meeting", "kind"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind}"


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


class SignedPart(models.TextChoices):
    """Which text a signature is on (issue 14): the whole protocol, or its open part only (a
    member who may not read the closed items)."""

    FULL = "full", _("Hele protokollen")
    OPEN = "open", _("Den åbne del")


class Signature(models.Model):
    """A permanent member's signature on the protocol text with the given hash."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    text_hash = models.CharField(max_length=64)
    part = models.CharField(
        _("underskrevet"), max_length=10, choices=SignedPart.choices, default=SignedPart.FULL
    )
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
    """Approved minutes sent to another forum along a line (up, or down: issue 14), as
    orientation, without closed items."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="forwards")
    to_forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="received_minutes")
    forwarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-forwarded_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "to_forum"], name="forward_once")]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.to_forum}"


class MinutesMailed(models.Model):
    """Approved minutes sent by e-mail with the public PDF to a recipient outside the platform
    along an external forwarding line (issue 14), once per meeting and line."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="mailed")
    line = models.ForeignKey(
        "organisation.ForwardingLine", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipient_name = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "line"], name="minutes_mailed_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.recipient_name}"
