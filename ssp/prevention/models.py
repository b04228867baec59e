"""R7 prevention work: the municipality's intervention staircase and its catalogue of
interventions (Halsnæs' "indsatstrappe" and "katalog over indsatser").

Prevention records are about groups, classes, places and numbers, never about a person: free
text is checked for personal data when it is saved (`services.py`, `ssp/cases/personal_data.py`).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ssp.organisation.models import Forum, Member, Municipality, Unit
from ssp.versioning import Versioned

AGE_MIN = 0
AGE_MAX = 30  # SSP+ reaches 25; a little room above it
STEPS_MAX = 9


class PreventionLevel(models.TextChoices):
    """Balvig's three prevention levels (Fredericia), the colours of the staircase."""

    GENERAL = "general", _("Generel forebyggelse (grøn)")
    SPECIFIC = "specific", _("Specifik forebyggelse (gul)")
    INDIVIDUAL = "individual", _("Individorienteret forebyggelse (rød)")


class StaircaseStep(Versioned):
    """One step of the municipality's intervention staircase: a goal and its prevention level
    (Halsnæs: 1 good conditions for all, 2 prevent unwanted or criminal acts, 3 stop a criminal
    pattern in the individual)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    number = models.PositiveSmallIntegerField(
        _("trin"), validators=[MinValueValidator(1), MaxValueValidator(STEPS_MAX)]
    )
    goal = models.CharField(_("mål"), max_length=300)
    level = models.CharField(_("forebyggelsesniveau"), max_length=20, choices=PreventionLevel)

    class Meta:
        verbose_name = _("trin på indsatstrappen")
        verbose_name_plural = _("trin på indsatstrappen")
        ordering = ["municipality", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], name="prevention_step_number_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=STEPS_MAX),
                name="prevention_step_number_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.goal}"


class Intervention(Versioned):
    """An intervention in the catalogue, on one or more steps of the staircase."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=200)
    steps = models.ManyToManyField(
        StaircaseStep, related_name="interventions", verbose_name=_("trin")
    )
    age_min = models.PositiveSmallIntegerField(
        _("fra alder"),
        null=True,
        blank=True,
        validators=[MinValueValidator(AGE_MIN), MaxValueValidator(AGE_MAX)],
    )
    age_max = models.PositiveSmallIntegerField(
        _("til alder"),
        null=True,
        blank=True,
        validators=[MinValueValidator(AGE_MIN), MaxValueValidator(AGE_MAX)],
    )
    target_group = models.CharField(_("målgruppe"), max_length=300, blank=True)
    description = models.TextField(_("hvad er indsatsen"), max_length=5000, blank=True)
    provider_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("udbyder"),
    )
    contact = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    how_to_refer = models.TextField(_("sådan henviser man"), max_length=2000, blank=True)
    capacity = models.CharField(_("kapacitet"), max_length=200, blank=True)
    material = models.TextField(
        _("inspirationsmateriale og links"),
        max_length=2000,
        blank=True,
        help_text=_("Et link eller en henvisning pr. linje."),
    )
    active = models.BooleanField(_("i brug"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")
        ordering = ["name"]
        constraints = [
            # One name once per municipality, whatever its case ("Gadeteam", "gadeteam").
            models.UniqueConstraint(
                "municipality", Lower("name"), name="prevention_intervention_name_once"
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="prevention_intervention_ages_ordered",
            ),
        ]
        indexes = [
            # The catalogue: the municipality's interventions by name.
            models.Index(fields=["municipality", "active", "name"], name="intervention_catalogue"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ages(self) -> str:
        """ "7-12 år", "fra 14 år", "til 12 år" or "" (for all ages)."""
        if self.age_min is not None and self.age_max is not None:
            return gettext("%(low)s-%(high)s år") % {"low": self.age_min, "high": self.age_max}
        if self.age_min is not None:
            return gettext("fra %(low)s år") % {"low": self.age_min}
        if self.age_max is not None:
            return gettext("til %(high)s år") % {"high": self.age_max}
        return ""


# --- Focus areas, annual plans, activities and projects -------------------------------------

SCHOOL_YEAR_MIN = 2000
SCHOOL_YEAR_MAX = 2100
CLASS_MIN = 0  # 0. klasse
CLASS_MAX = 10
REACHED_MAX = 100_000


class FocusArea(Versioned):
    """A focus area ("indsatsområde", "fokuspunkt") set for a period by the steering group or a
    Lokalråd; it counts as set when the decision of the agenda item it is linked to says so
    (`decided_item`, through the meetings' item links)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="+", verbose_name=_("forum")
    )
    title = models.CharField(_("fokusområde"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=3000, blank=True)
    starts_on = models.DateField(_("fra"))
    ends_on = models.DateField(_("til"))
    decided_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besluttet på dagsordenspunkt"),
    )
    decided_at = models.DateTimeField(_("vedtaget"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("fokusområde")
        verbose_name_plural = _("fokusområder")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="focus_area_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-starts_on"], name="focus_area_period"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    APPROVED = "approved", _("Godkendt")


class AnnualPlan(Versioned):
    """A local forum's plan for a school year (København's "årsplan"): its activities. Approved
    by the decision of the agenda item it is linked to at the forum's meeting."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="+", verbose_name=_("forum")
    )
    school_year = models.PositiveSmallIntegerField(
        _("skoleår"),
        validators=[MinValueValidator(SCHOOL_YEAR_MIN), MaxValueValidator(SCHOOL_YEAR_MAX)],
        help_text=_("Året skoleåret begynder: 2026 er skoleåret 2026/27."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kopieret fra"),
    )
    approved_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkendt på dagsordenspunkt"),
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("årsplan")
        verbose_name_plural = _("årsplaner")
        ordering = ["-school_year", "forum__name"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "school_year"], name="annual_plan_once"),
            models.CheckConstraint(
                condition=Q(school_year__gte=SCHOOL_YEAR_MIN) & Q(school_year__lte=SCHOOL_YEAR_MAX),
                name="annual_plan_school_year_range",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-school_year"], name="annual_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year_label}"

    @property
    def school_year_label(self) -> str:
        """ "2026/27"."""
        return f"{self.school_year}/{(self.school_year + 1) % 100:02d}"

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED


class ActivityKind(models.TextChoices):
    TALK = "talk", _("Oplæg")
    TEACHING = "teaching", _("Undervisning")
    PARENT_EVENING = "parent_evening", _("Forældremøde")
    THEME_DAY = "theme_day", _("Temadag")
    OUTREACH = "outreach", _("Opsøgende arbejde ved arrangement")
    OTHER = "other", _("Anden aktivitet")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    DONE = "done", _("Gennemført")
    EVALUATED = "evaluated", _("Evalueret")


class Activity(Versioned):
    """An activity of an annual plan: a talk, teaching, a parent evening, a theme day or outreach
    at an event, for classes, a group or an area; planned, done, then evaluated (reached how many,
    what worked, what next)."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("årsplan")
    )
    # The plan's municipality, kept here so that the calendar reads one table by date.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    title = models.CharField(_("aktivitet"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.TALK
    )
    goal = models.TextField(_("mål"), max_length=2000, blank=True)
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("fokusområde"),
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("indsats fra kataloget"),
    )
    target_group = models.CharField(_("målgruppe"), max_length=300, blank=True)
    class_from = models.PositiveSmallIntegerField(
        _("fra klassetrin"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CLASS_MIN), MaxValueValidator(CLASS_MAX)],
    )
    class_to = models.PositiveSmallIntegerField(
        _("til klassetrin"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CLASS_MIN), MaxValueValidator(CLASS_MAX)],
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skole eller sted"),
    )
    place = models.CharField(_("sted"), max_length=200, blank=True)
    starts_on = models.DateField(_("fra dato"))
    ends_on = models.DateField(_("til dato"))
    start_time = models.TimeField(_("fra kl."), null=True, blank=True)
    end_time = models.TimeField(_("til kl."), null=True, blank=True)
    responsible = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarlig"),
    )
    partners = models.CharField(_("samarbejdspartnere"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    reached = models.PositiveIntegerField(
        _("antal nået"), null=True, blank=True, validators=[MaxValueValidator(REACHED_MAX)]
    )
    what_worked = models.TextField(_("hvad virkede"), max_length=3000, blank=True)
    what_next = models.TextField(_("hvad nu"), max_length=3000, blank=True)
    done_at = models.DateTimeField(_("gennemført"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evalueret"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["starts_on", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="activity_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(class_from__isnull=True)
                | Q(class_to__isnull=True)
                | Q(class_from__lte=models.F("class_to")),
                name="activity_classes_ordered",
            ),
            # "Evaluated" needs the evaluation: how many were reached and what worked.
            models.CheckConstraint(
                condition=~Q(status="evaluated") | (Q(reached__isnull=False) & ~Q(what_worked="")),
                name="activity_evaluated_has_evaluation",
            ),
        ]
        indexes = [
            # The calendar and the coordination item: the municipality's activities by date.
            models.Index(fields=["municipality", "starts_on", "id"], name="activity_calendar"),
            models.Index(fields=["plan", "starts_on"], name="activity_plan"),
            # Double bookings of a person.
            models.Index(fields=["responsible", "starts_on"], name="activity_responsible"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def classes(self) -> str:
        """ "7.-9. klasse", "7. klasse" or ""."""
        low, high = self.class_from, self.class_to
        if low is None and high is None:
            return ""
        if low is None or high is None or low == high:
            return gettext("%(n)s. klasse") % {"n": low if low is not None else high}
        return gettext("%(low)s.-%(high)s. klasse") % {"low": low, "high": high}

    @property
    def is_planned(self) -> bool:
        return self.status == ActivityStatus.PLANNED

    @property
    def is_done(self) -> bool:
        return self.status == ActivityStatus.DONE

    @property
    def is_evaluated(self) -> bool:
        return self.status == ActivityStatus.EVALUATED


class Project(Versioned):
    """A time-limited project (Fredericia): period, funding, partners, goals, and an evaluation
    at its end."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=200)
    starts_on = models.DateField(_("fra"))
    ends_on = models.DateField(_("til"))
    funding = models.CharField(_("finansiering"), max_length=300, blank=True)
    partners = models.TextField(_("samarbejdspartnere"), max_length=2000, blank=True)
    goals = models.TextField(_("mål"), max_length=3000, blank=True)
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("fokusområde"),
    )
    responsible = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("projektleder"),
    )
    evaluation = models.TextField(_("evaluering"), max_length=5000, blank=True)
    evaluated_at = models.DateTimeField(_("evalueret"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("projekt")
        verbose_name_plural = _("projekter")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="project_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(evaluated_at__isnull=True) | ~Q(evaluation=""),
                name="project_evaluated_has_evaluation",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-starts_on"], name="project_period"),
        ]

    def __str__(self) -> str:
        return self.name
