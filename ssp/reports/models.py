"""R8 reporting: the municipality's annual report of the SSP collaboration.

A report is generated from the data while it is a draft and completed by the coordinator with
text sections; the steering group's decision approves it (an agenda item links to it,
`ssp/meetings/links.py`), and approval freezes its figures as they were (`figures`), so a later
change to a case or its deletion under retention does not change an approved report. Figures
leave the platform only suppressed (`ssp/reports/suppression.py`): no count of children or cases
from 1 to 4 is shown.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssp.organisation.models import Municipality
from ssp.versioning import Versioned

YEAR_MIN = 2000
YEAR_MAX = 2100
SECTION_MAX = 10_000


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Udkast")
    APPROVED = "approved", _("Godkendt")


class AnnualReport(Versioned):
    """The annual report of one municipality for one calendar year."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    foreword = models.TextField(_("forord"), max_length=SECTION_MAX, blank=True)
    assessment = models.TextField(_("vurdering"), max_length=SECTION_MAX, blank=True)
    recommendations = models.TextField(
        _("anbefalinger for næste år"), max_length=SECTION_MAX, blank=True
    )
    # The figures as they were at approval (the suppressed publication, JSON); None while a draft.
    figures = models.JSONField(_("tal ved godkendelsen"), null=True, blank=True, editable=False)
    approved_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkendt på dagsordenspunkt"),
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="annual_report_once"),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="annual_report_year_range",
            ),
            # Approved means frozen: the figures are stored.
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(figures__isnull=False),
                name="annual_report_approved_is_frozen",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="approved"),
                name="annual_report_published_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_approved(self) -> bool:
        return self.status == ReportStatus.APPROVED

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


# --- Effect measurement (Fredericia: "Én gang årligt udarbejdes en effektmåling som baserer sig
# på politiets data"; "Hver 3. år ... Ungeprofilundersøgelse"; "Kriminalitetsraten skal være
# faldende i begge målinger") ------------------------------------------------------------------

AGE_BAND_MAX = 20
OFFENCE_GROUP_MAX = 100
INDICATOR_MAX = 200
COUNT_MAX = 1_000_000
FILENAME_MAX = 255


class EffectSource(models.TextChoices):
    POLICE = "police", _("Politiets tal")
    SURVEY = "survey", _("Ungeprofilundersøgelsen")


class CrimeMeasure(models.TextChoices):
    SUSPECTS = "suspects", _("Sigtede unge")
    CHARGES = "charges", _("Sigtelser")


class Goal(models.TextChoices):
    FALLING = "falling", _("Faldende")
    RISING = "rising", _("Stigende")


class EffectImport(models.Model):
    """One uploaded file of effect figures (a log: who imported what and when). A file may hold
    several years; importing a year again replaces that year's figures of the same source."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    source = models.CharField(_("kilde"), max_length=10, choices=EffectSource.choices)
    filename = models.CharField(_("filnavn"), max_length=FILENAME_MAX)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rækker"))
    years = models.JSONField(_("år"), default=list)
    imported_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("indlæst"), auto_now_add=True)
    # The upload form's one-time token: the same post twice imports once.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("indlæsning af effekttal")
        verbose_name_plural = _("indlæsninger af effekttal")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.imported_at:%Y-%m-%d}"


class CrimeFigure(models.Model):
    """The police's aggregate figure for one year, age band and offence group: young suspects or
    charges. A count of persons (suspects): published suppressed."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    measure = models.CharField(_("opgørelse"), max_length=10, choices=CrimeMeasure.choices)
    age_band = models.CharField(_("aldersgruppe"), max_length=AGE_BAND_MAX)
    offence_group = models.CharField(_("forholdsgruppe"), max_length=OFFENCE_GROUP_MAX)
    count = models.PositiveIntegerField(_("antal"), validators=[MaxValueValidator(COUNT_MAX)])
    source_import = models.ForeignKey(
        EffectImport, on_delete=models.CASCADE, related_name="crime_figures"
    )

    class Meta:
        verbose_name = _("politiets tal")
        verbose_name_plural = _("politiets tal")
        ordering = ["year", "measure", "offence_group", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "measure", "age_band", "offence_group"],
                name="crime_figure_once",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="crime_figure_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.offence_group} {self.age_band}"


class SurveyResult(models.Model):
    """A key result of the youth profile survey (every third year): the share of the young
    people answering who report crime, drugs, well-being; `goal` says which way is better."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    indicator = models.CharField(_("spørgsmål"), max_length=INDICATOR_MAX)
    share = models.DecimalField(
        _("andel (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    respondents = models.PositiveIntegerField(
        _("besvarelser"), null=True, blank=True, validators=[MaxValueValidator(COUNT_MAX)]
    )
    goal = models.CharField(_("mål"), max_length=10, choices=Goal.choices, default=Goal.FALLING)
    source_import = models.ForeignKey(
        EffectImport, on_delete=models.CASCADE, related_name="survey_results"
    )

    class Meta:
        verbose_name = _("resultat af ungeprofilundersøgelsen")
        verbose_name_plural = _("resultater af ungeprofilundersøgelsen")
        ordering = ["year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "indicator"], name="survey_result_once"
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100), name="survey_result_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator}"


# --- Biennial evaluation (Høje-Taastrup: every second year a small evaluation of the
# participants' tasks) -------------------------------------------------------------------------

EVALUATION_TITLE_MAX = 200
EVALUATION_TEXT_MAX = 2_000


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    OPEN = "open", _("Sendt ud")
    CLOSED = "closed", _("Afsluttet")


class EvaluationAnswer(models.TextChoices):
    YES = "yes", _("Ja")
    PARTLY = "partly", _("Delvist")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Ved ikke")


# The questionnaire: the same short questions about the forum's tasks every time, so that one
# round can be held against the last. The keys are the columns of `EvaluationResponse`.
EVALUATION_QUESTIONS = (
    ("relevant", _("Er forummets opgaver stadig relevante?")),
    ("meaningful", _("Giver arbejdet i forummet mening for dig?")),
    ("contributing", _("Bidrager forummet til at forebygge kriminalitet blandt børn og unge?")),
)


class Evaluation(Versioned):
    """A round of the questionnaire, sent to the members of chosen fora."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    title = models.CharField(_("titel"), max_length=EVALUATION_TITLE_MAX)
    introduction = models.TextField(_("indledning"), max_length=EVALUATION_TEXT_MAX, blank=True)
    fora = models.ManyToManyField("organisation.Forum", related_name="+", verbose_name=_("fora"))
    closes_on = models.DateField(_("svarfrist"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    # The new-evaluation form's one-time token: a double click makes one draft.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class EvaluationInvitation(models.Model):
    """A member of a chosen forum is asked to answer for that forum. Whether she answered is
    kept (for reminders and the response rate); what she answered is not linked to her."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    forum = models.ForeignKey("organisation.Forum", on_delete=models.CASCADE, related_name="+")
    # The day only: a time would let answers be matched to people by their order.
    answered_on = models.DateField(_("besvaret"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation til evaluering")
        verbose_name_plural = _("invitationer til evaluering")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user", "forum"], name="evaluation_invitation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.forum_id}"


class EvaluationResponse(models.Model):
    """One anonymous answer for one forum: no user, no time, and a random key (a sequence
    would let answers be matched to the invitations' order)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="responses")
    forum = models.ForeignKey("organisation.Forum", on_delete=models.CASCADE, related_name="+")
    relevant = models.CharField(
        _("relevante opgaver"), max_length=10, choices=EvaluationAnswer.choices
    )
    meaningful = models.CharField(
        _("meningsfuldt"), max_length=10, choices=EvaluationAnswer.choices
    )
    contributing = models.CharField(_("bidrager"), max_length=10, choices=EvaluationAnswer.choices)
    comment = models.TextField(_("kommentar"), max_length=EVALUATION_TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("svar på evaluering")
        verbose_name_plural = _("svar på evaluering")

    def __str__(self) -> str:
        return str(self.evaluation_id)
