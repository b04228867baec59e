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

from ssp.organisation.models import Member, Municipality, Unit
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
