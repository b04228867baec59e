"""R5: police reports and their weekly review, statutory deadlines, network councils, absence
monitoring and hot spots. Police reports and absence records are personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssp.cases.models import ActionAgreement, Case, Concern, YoungPerson
from ssp.crypto import EncryptedTextField
from ssp.organisation.models import Forum, Member, Municipality, Unit
from ssp.versioning import Versioned


class Offence(models.Model):
    """The offence catalogue; `serious` marks the offences of R5 (network council).

    Issue 16: the national (statutory) kinds have no municipality and cannot be removed or made
    less serious by a municipality; a municipality adds local kinds (`municipality` set, retired
    rather than deleted, so a report keeps its kind) and its own aliases (`OffenceAlias`)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
        help_text=_("Tom for lovens egne kategorier; sat for kommunens lokale."),
    )
    code = models.SlugField(_("kode"), max_length=50)
    name = models.CharField(_("navn"), max_length=200)
    serious = models.BooleanField(_("alvorlig kriminalitet"), default=False)
    aliases = models.CharField(
        _("andre betegnelser"), max_length=500, blank=True, help_text=_("Adskilt med komma.")
    )
    retired_at = models.DateTimeField(_("udgået"), null=True, blank=True)

    class Meta:
        verbose_name = _("lovovertrædelse")
        verbose_name_plural = _("lovovertrædelser")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(municipality__isnull=True),
                name="offence_code_unique_nationally",
            ),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=Q(municipality__isnull=False),
                name="offence_code_unique_in_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OffenceAlias(models.Model):
    """Issue 16: a municipality's own name for an offence, as its police lists write it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    offence = models.ForeignKey(
        Offence, on_delete=models.CASCADE, related_name="local_aliases", verbose_name=_("kategori")
    )
    alias = models.CharField(_("betegnelse"), max_length=200)

    class Meta:
        verbose_name = _("lokal betegnelse")
        verbose_name_plural = _("lokale betegnelser")
        ordering = ["alias"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "alias"], name="offence_alias_unique")
        ]

    def __str__(self) -> str:
        return self.alias


class ImportKind(models.TextChoices):
    POLICE = "police", _("Politiets liste")
    ABSENCE = "absence", _("Fravær")


class ImportBatch(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    RUNNING = "running", _("Indlæses")
    DONE = "done", _("Færdig")
    FAILED = "failed", _("Fejlet")


class ImportJob(models.Model):
    """An uploaded list being imported by the task worker (`import_jobs.py`).

    The file lies in the default storage until the job ends. One file (by its SHA-256) is
    imported once per municipality and kind: the constraint makes a second or concurrent upload
    find the first job. A failed job does not count, so the same file can be tried again.
    `report` holds counts, row numbers and row messages, never names or CPR numbers.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    filename = models.CharField(_("filnavn"), max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("indlæsning")
        verbose_name_plural = _("indlæsninger")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "sha256"],
                condition=~Q(status="failed"),
                name="import_job_once_per_file",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent_done(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class Routing(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Socialrådgiver (myndighedsopgave)")
    LOCAL_GROUP = "local_group", _("Lokalgruppen (skolebørn)")
    OTHER = "other", _("Andre (fx UU-vejleder, opsøgende medarbejder)")


class ReportStatus(models.TextChoices):
    WAITING = "waiting", _("Venter på gennemgang")
    ROUTED = "routed", _("Fordelt")
    # Issue 16: imported or typed in error; kept (and its correction in the audit trail), out of
    # the review, its open deadlines gone.
    WITHDRAWN = "withdrawn", _("Trukket tilbage")


class PoliceReport(models.Model):
    # Indexed by the composite indexes below, which all begin with the municipality.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="police_reports", verbose_name=_("ung")
    )
    incident_at = models.DateTimeField(_("gerningstidspunkt"))
    offence = models.ForeignKey(
        Offence, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lovovertrædelse")
    )
    offence_text = models.CharField(_("forhold (som på listen)"), max_length=200)
    attempt = models.BooleanField(_("forsøg"), default=False)
    police_reference = models.CharField(_("politiets journalnummer"), max_length=60)
    description = EncryptedTextField(_("beskrivelse"), blank=True)
    received_on = models.DateField(_("modtaget"))
    presented_on = models.DateField(_("gennemgået i SSP-teamet"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.WAITING
    )
    routing = models.CharField(_("fordeling"), max_length=20, choices=Routing.choices, blank=True)
    routed_to_member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sendt til"),
        db_index=False,  # a partial index below
    )
    routed_to_forum = models.ForeignKey(
        Forum,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sendt til forum"),
        db_index=False,  # a partial index below
    )
    routed_to_other = models.CharField(_("sendt til (andre)"), max_length=200, blank=True)
    home_contact = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontakter hjemmet"),
        db_index=False,  # a partial index below
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="police_reports",
        db_index=False,  # a partial index below
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    anonymised_at = models.DateTimeField(
        _("anonymiseret"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sat af opbevaringsreglerne (manage.py apply_retention)."),
    )

    class Meta:
        verbose_name = _("anmeldelsesrapport")
        verbose_name_plural = _("anmeldelsesrapporter")
        ordering = ["received_on", "incident_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "police_reference", "young_person"],
                name="police_report_once",
            )
        ]
        # Issue 11: a police list adds 100,000 reports at a time, so every index costs. The
        # links set when a report is routed are empty on import: their indexes hold only the
        # rows that have one (enough for the look-ups and for SET NULL when a member, forum or
        # concern is deleted), and the municipality needs no index of its own.
        indexes = [
            *(
                models.Index(
                    fields=[link],
                    condition=models.Q(**{f"{link}__isnull": False}),
                    name=f"police_report_{link}",
                )
                for link in ("routed_to_member", "routed_to_forum", "home_contact", "concern")
            ),
            # The weekly review's "recently routed": newest presented first.
            models.Index(
                fields=["municipality", "status", "-presented_on", "-id"],
                name="police_report_presented",
            ),
            # Issue 16: the reports' list for corrections, newest received first.
            models.Index(
                fields=["municipality", "-received_on", "-id"], name="police_report_received"
            ),
            # The weekly review's queue: the waiting reports, oldest first.
            models.Index(
                fields=["municipality", "status", "received_on", "incident_at", "id"],
                name="police_report_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.police_reference}"

    @property
    def is_serious(self) -> bool:
        return bool(self.offence and self.offence.serious)


class CorrectionKind(models.TextChoices):
    CORRECTED = "corrected", _("Rettet")
    WITHDRAWN = "withdrawn", _("Trukket tilbage")


class ReportCorrection(models.Model):
    """Issue 16: a police report corrected or withdrawn, with a reason; `original` holds the
    values before the change (encrypted JSON), so nothing is lost."""

    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("ændring"), max_length=10, choices=CorrectionKind.choices)
    reason = EncryptedTextField(_("begrundelse"))
    original = EncryptedTextField(_("oprindelige værdier"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rettelse af anmeldelsesrapport")
        verbose_name_plural = _("rettelser af anmeldelsesrapporter")
        ordering = ["corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class DeadlineKind(models.TextChoices):
    FAMILY_MEETING = "family_meeting", _("Møde med familien aftalt")
    NETWORK_COUNCIL = "network_council", _("Netværkssamråd")
    PLAN_REVISION = "plan_revision", _("Revision af handleplan efter ny alvorlig kriminalitet")


class Deadline(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("frist"), max_length=20, choices=DeadlineKind.choices)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(
        PoliceReport, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    starts_on = models.DateField(_("fra"))
    due_on = models.DateField(_("senest"))
    responsible = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("ansvarlig"),
    )
    met_on = models.DateField(_("overholdt"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("frist")
        verbose_name_plural = _("frister")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["municipality", "met_on", "due_on"]),
            # The deadline board: the open deadlines only, soonest first.
            models.Index(
                fields=["municipality", "due_on", "id"],
                condition=Q(met_on__isnull=True),
                name="deadline_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class NetworkCouncil(models.Model):
    """Netværkssamråd: the child, the parents, professionals and network; an action plan."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(PoliceReport, on_delete=models.SET_NULL, null=True, related_name="+")
    # One council per deadline: calling it twice (a double click, two coordinators) finds the
    # first. Councils called before the field existed have none.
    deadline = models.OneToOneField(
        Deadline, on_delete=models.SET_NULL, null=True, blank=True, related_name="council"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting_at = models.DateTimeField(_("tidspunkt"))
    # Issue 16: the invitations are sent (e-mail to the professionals, a letter for the family).
    place = models.CharField(_("sted"), max_length=300, blank=True)
    invitations_sent_at = models.DateTimeField(_("invitationer sendt"), null=True, blank=True)
    invited_custody_holders = models.BooleanField(
        _("forældremyndighedsindehavere inviteret"), default=True
    )
    invited_young_person = models.BooleanField(_("den unge inviteret"), default=True)
    professionals = models.ManyToManyField(Member, related_name="+", verbose_name=_("fagpersoner"))
    network = models.CharField(_("netværk"), max_length=500, blank=True)
    late_reason = models.CharField(
        _("begrundelse for at holde samrådet efter fristen"), max_length=1000, blank=True
    )
    held_on = models.DateField(_("afholdt"), null=True, blank=True)
    action_plan = models.ForeignKey(
        ActionAgreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handleplan"),
    )
    revised_on = models.DateField(_("handleplan revideret"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("netværkssamråd")
        verbose_name_plural = _("netværkssamråd")
        ordering = ["-meeting_at"]

    def __str__(self) -> str:
        return f"{_('Netværkssamråd')} #{self.pk}"

    @property
    def is_late(self) -> bool:
        """R5: held after the statutory deadline (allowed only with `late_reason`)."""
        if self.deadline is None:
            return False
        return timezone.localtime(self.meeting_at).date() > self.deadline.due_on


class AbsenceRecord(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole")
    )
    class_name = models.CharField(_("klasse"), max_length=20)
    cpr_encrypted = models.TextField()
    cpr_index = models.CharField(max_length=64)
    birth_date = models.DateField(_("fødselsdato"))
    month = models.DateField(_("måned"))
    total_percent = models.DecimalField(_("fravær i alt (%)"), max_digits=5, decimal_places=1)
    unauthorised_percent = models.DecimalField(
        _("ulovligt fravær (%)"), max_digits=5, decimal_places=1
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True)
    anonymised_at = models.DateTimeField(
        _("anonymiseret"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sat af opbevaringsreglerne (manage.py apply_retention)."),
    )

    class Meta:
        ordering = ["school", "class_name", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "cpr_index", "month"], name="absence_once_per_month"
            )
        ]
        indexes = [models.Index(fields=["school", "month"])]

    def __str__(self) -> str:
        return f"{self.school} {self.class_name} {self.month:%Y-%m}"

    @property
    def cpr_masked(self) -> str:
        return f"{self.birth_date:%d%m%y}-xxxx"


class HotSpotStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    MONITORING = "monitoring", _("Holdes øje med")
    CLOSED = "closed", _("Afsluttet")


class HotSpot(Versioned):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300)
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("længdegrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    period_start = models.DateField(_("fra"))
    period_end = models.DateField(_("til"), null=True, blank=True)
    description = models.TextField(_("beskrivelse"))
    outreach_plan = models.TextField(_("plan for opsøgende arbejde"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=HotSpotStatus.choices, default=HotSpotStatus.ACTIVE
    )
    concerns = models.ManyToManyField(
        Concern, blank=True, related_name="hot_spots", verbose_name=_("bekymringer")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")
        ordering = ["status", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="hot_spot_period_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name
