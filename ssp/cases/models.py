"""R2-R4: young people, concerns (with the worksheet), cases, action agreements, tasks,
consents and disclosures. Everything here is personal data: read it through cases/selectors.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssp.crypto import EncryptedTextField
from ssp.organisation.models import Forum, Member, Municipality, SchoolDistrict, Sector, Unit
from ssp.versioning import Versioned


def form_token_field() -> models.UUIDField[uuid.UUID | str | None, uuid.UUID | None]:
    """The one-time token of the creating form that made a row (`ssp.forms.OneTimeTokenMixin`):
    unique, so the same form posted twice stores one row; empty for rows made otherwise."""
    return models.UUIDField(_("formular-id"), null=True, blank=True, unique=True, editable=False)


class YoungPerson(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    cpr_encrypted = models.TextField(_("CPR-nummer (krypteret)"), blank=True)
    cpr_index = models.CharField(_("CPR-søgenøgle"), max_length=64, blank=True, db_index=True)
    # Issue 15: empty for a child named without a CPR number and without a known birth date.
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    school = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skole"),
    )
    class_name = models.CharField(_("klasse"), max_length=20, blank=True)
    school_district = models.ForeignKey(
        SchoolDistrict,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skoledistrikt"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    anonymised_at = models.DateTimeField(
        _("anonymiseret"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sat af opbevaringsreglerne (manage.py apply_retention)."),
    )

    class Meta:
        verbose_name = _("ung")
        verbose_name_plural = _("unge")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "cpr_index"],
                condition=~Q(cpr_index=""),
                name="young_person_cpr_unique_in_municipality",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "last_name", "first_name"]),
            # Issue 15: the "Mangler CPR" list (`cases.identity.without_cpr`).
            models.Index(
                fields=["municipality", "last_name", "first_name", "id"],
                condition=Q(cpr_index=""),
                name="young_person_without_cpr",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def has_cpr(self) -> bool:
        """Whether the CPR number is known (issue 15: a child may be named without it until
        SSP staff complete the identity)."""
        return bool(self.cpr_encrypted)

    @property
    def cpr_masked(self) -> str:
        """Birth date and four x's: what pages show. The full number is never a property a
        template could call; see `cases.cpr.full_cpr_of` and the audited "Vis CPR"."""
        if not self.has_cpr or self.birth_date is None:
            return str(_("CPR ukendt"))
        return f"{self.birth_date:%d%m%y}-xxxx"


class CustodyHolder(models.Model):
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.CASCADE,
        related_name="custody_holders",
        verbose_name=_("ung"),
    )
    name = models.CharField(_("navn"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("forældremyndighedsindehaver")
        verbose_name_plural = _("forældremyndighedsindehavere")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Balvig's three prevention levels."""

    GREEN = "green", _("Grøn – generel forebyggelse")
    YELLOW = "yellow", _("Gul – specifik forebyggelse")
    RED = "red", _("Rød – individorienteret forebyggelse")


class ConcernSubject(models.TextChoices):
    PERSON = "person", _("Et navngivet barn eller en ung")
    GROUP = "group", _("En gruppe")
    PLACE = "place", _("Et sted")


class ConcernSource(models.TextChoices):
    STAFF = "staff", _("Medarbejders iagttagelse")
    POLICE = "police", _("Politianmeldelse")
    TIP = "tip", _("Henvendelse fra borger eller netværk")
    ABSENCE = "absence", _("Fravær")
    WORKSHEET = "worksheet", _("Skolens arbejdsark")


class ConcernStatus(models.TextChoices):
    NEW = "new", _("Ny")
    ACTION_REQUIRED = "action_required", _("Handlingsaftale påkrævet")
    AWAITING_DECISION = "awaiting_decision", _("Afventer beslutning i lokalgruppen")
    DROPPED = "dropped", _("Henlagt")
    CASE_OPENED = "case_opened", _("Sag oprettet")
    # Issue 16: a green (general) concern about a group or a place taken into the prevention
    # plan as an activity instead of a case.
    PREVENTION = "prevention", _("Overført til den generelle forebyggelse")


PRIMARY_STATEMENTS: tuple[tuple[str, Any], ...] = (
    ("caught_in_crime", _("Er taget i kriminel handling")),
    ("seen_with_criminals", _("Ses gentagne gange sammen med kriminelle")),
    ("seen_near_crime", _("Ses gentagne gange i nærheden af et gerningssted")),
    ("professionals_concerned", _("Flere fagpersoner vurderer, at der er grund til bekymring")),
)

RISK_FACTORS: tuple[tuple[str, Any], ...] = (
    ("no_close_adults", _("Ingen nære voksenrelationer")),
    ("isolated", _("Isoleret fra jævnaldrende")),
    ("low_social_skills", _("Lav social kompetence")),
    ("alcohol_drugs", _("Stigende interesse for alkohol og stoffer")),
    ("truancy", _("Pjækkeri")),
    ("no_leisure", _("Ingen organiseret fritid")),
    ("aggressive", _("Aggressiv eller truende adfærd")),
    ("boredom", _("Kedsomhed")),
    ("means_mismatch", _("Uoverensstemmelse mellem midler og ønsker")),
    ("indifference", _("Ligegyldighed")),
    ("marginalised", _("Marginaliseret fra skole, uddannelse eller arbejde")),
    ("negative_identity", _("Fastlåst i en negativ identitet")),
    ("parenting_capacity", _("Nedsat forældreevne")),
)


class Concern(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    subject = models.CharField(
        _("bekymringen handler om"), max_length=10, choices=ConcernSubject.choices
    )
    young_person = models.ForeignKey(
        YoungPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("ung"),
    )
    reported_name = models.CharField(
        _("navn som indberettet"),
        max_length=200,
        blank=True,
        help_text=_("Navnet, som den der indberettede skrev det; vises for indberetteren."),
    )
    group_size = models.PositiveSmallIntegerField(_("antal i gruppen"), null=True, blank=True)
    group_age_min = models.PositiveSmallIntegerField(_("alder fra"), null=True, blank=True)
    group_age_max = models.PositiveSmallIntegerField(_("alder til"), null=True, blank=True)
    place = models.CharField(_("sted"), max_length=300, blank=True)
    # A group or place concern's catalogue intervention, if any (R7: the catalogue counts uses).
    intervention = models.ForeignKey(
        "prevention.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("indsats fra kataloget"),
    )
    source = models.CharField(_("kilde"), max_length=20, choices=ConcernSource.choices)
    description = EncryptedTextField(_("beskrivelse"))
    level = models.CharField(
        _("niveau"), max_length=10, choices=Level.choices, default=Level.YELLOW
    )
    case_level = models.PositiveSmallIntegerField(_("sagsniveau (1-4)"), null=True, blank=True)
    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("sendt til"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="raised_concerns",
        verbose_name=_("indberettet af"),
    )
    raised_at = models.DateTimeField(_("indberettet"), auto_now_add=True)
    decision_note = models.TextField(_("begrundelse for beslutning"), blank=True)
    case = models.ForeignKey(
        "Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("sag"),
    )
    # Issue 16: the prevention plan's activity a general concern became.
    activity = models.ForeignKey(
        "prevention.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("aktivitet i forebyggelsesplanen"),
    )
    # The worksheet "Hvornår er man kriminalitetstruet" (Fredericia, Bilag 1).
    has_worksheet = models.BooleanField(_("arbejdsark udfyldt"), default=False)
    caught_in_crime = models.BooleanField(PRIMARY_STATEMENTS[0][1], default=False)
    seen_with_criminals = models.BooleanField(PRIMARY_STATEMENTS[1][1], default=False)
    seen_near_crime = models.BooleanField(PRIMARY_STATEMENTS[2][1], default=False)
    professionals_concerned = models.BooleanField(PRIMARY_STATEMENTS[3][1], default=False)
    no_close_adults = models.BooleanField(RISK_FACTORS[0][1], default=False)
    isolated = models.BooleanField(RISK_FACTORS[1][1], default=False)
    low_social_skills = models.BooleanField(RISK_FACTORS[2][1], default=False)
    alcohol_drugs = models.BooleanField(RISK_FACTORS[3][1], default=False)
    truancy = models.BooleanField(RISK_FACTORS[4][1], default=False)
    no_leisure = models.BooleanField(RISK_FACTORS[5][1], default=False)
    aggressive = models.BooleanField(RISK_FACTORS[6][1], default=False)
    boredom = models.BooleanField(RISK_FACTORS[7][1], default=False)
    means_mismatch = models.BooleanField(RISK_FACTORS[8][1], default=False)
    indifference = models.BooleanField(RISK_FACTORS[9][1], default=False)
    marginalised = models.BooleanField(RISK_FACTORS[10][1], default=False)
    negative_identity = models.BooleanField(RISK_FACTORS[11][1], default=False)
    parenting_capacity = models.BooleanField(RISK_FACTORS[12][1], default=False)
    other_factor = models.CharField(_("andet"), max_length=300, blank=True)
    worksheet_coordinator = models.CharField(_("tovholder"), max_length=200, blank=True)
    worksheet_contact_person = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    worksheet_first_action = models.TextField(_("første handling"), blank=True)
    anonymised_at = models.DateTimeField(
        _("anonymiseret"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sat af opbevaringsreglerne (manage.py apply_retention)."),
    )

    class Meta:
        verbose_name = _("bekymring")
        verbose_name_plural = _("bekymringer")
        ordering = ["-raised_at"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["forum", "status"]),
            # The concern list and the start page: newest first within the municipality.
            models.Index(fields=["municipality", "-raised_at", "-id"], name="concern_list_order"),
            # "Mine indberetninger" (the start page, the reporter's concern list).
            models.Index(fields=["raised_by", "-raised_at", "-id"], name="concern_raised_by_order"),
        ]

    def __str__(self) -> str:
        return f"{_('Bekymring')} #{self.pk}"

    def name_for(self, *, sees_register: bool) -> str:
        """The register's name for those who may see the young person; otherwise only the
        name the reporter typed, so that raising a concern never reveals the register."""
        if self.young_person is None:
            return ""
        if sees_register:
            return self.young_person.full_name
        return self.reported_name

    @property
    def is_about_group(self) -> bool:
        return self.subject == ConcernSubject.GROUP

    @property
    def requires_agreement(self) -> bool:
        """R2: a primary statement on the worksheet makes an action agreement mandatory."""
        return self.status == ConcernStatus.ACTION_REQUIRED

    @property
    def awaits_decision(self) -> bool:
        return self.status == ConcernStatus.AWAITING_DECISION

    @property
    def may_be_dropped(self) -> bool:
        return self.status not in (ConcernStatus.ACTION_REQUIRED, ConcernStatus.DROPPED)

    @property
    def primary_ticked(self) -> list[str]:
        return [str(label) for name, label in PRIMARY_STATEMENTS if getattr(self, name)]

    @property
    def risk_ticked(self) -> list[str]:
        return [str(label) for name, label in RISK_FACTORS if getattr(self, name)]


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Afsluttet")


class Outcome(models.TextChoices):
    IMPROVED = "improved", _("Bekymringen er mindsket")
    UNCHANGED = "unchanged", _("Uændret")
    WORSE = "worse", _("Forværret")
    HANDED_OVER = "handed_over", _("Overdraget til anden indsats")


class Case(Versioned):
    """SSP-enkeltsag: the file on one young person. `version` counts saves of its evaluation."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="cases", verbose_name=_("ung")
    )
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    case_level = models.PositiveSmallIntegerField(_("sagsniveau (1-4)"), null=True, blank=True)
    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("behandles i"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    opened_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    evaluation_outcome = models.CharField(
        _("resultat"), max_length=20, choices=Outcome.choices, blank=True
    )
    evaluation_partners = models.CharField(_("samarbejdspartnere"), max_length=500, blank=True)
    # The sectors that took part (R8: the annual report counts partners by sector); the free
    # text above is kept for the names of the partners.
    evaluation_sectors = models.JSONField(
        _("samarbejdspartnere (sektorer)"), default=list, blank=True
    )
    evaluation_what_worked = models.TextField(_("hvad virkede"), blank=True)
    # Issue 16: the municipality's rules the case was handled under, set when it is closed
    # (an open case follows the current rules).
    rule_version = models.ForeignKey(
        "organisation.RuleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regelsæt"),
    )
    anonymised_at = models.DateTimeField(
        _("anonymiseret"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sat af opbevaringsreglerne (manage.py apply_retention)."),
    )

    class Meta:
        verbose_name = _("sag")
        verbose_name_plural = _("sager")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            # The case list and the start page: a status's cases, newest first.
            models.Index(
                fields=["municipality", "status", "-opened_at", "-id"], name="case_list_order"
            ),
            # The case list with every status.
            models.Index(fields=["municipality", "-opened_at", "-id"], name="case_list_all_order"),
        ]

    def __str__(self) -> str:
        return f"{_('Sag')} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def evaluation_sector_labels(self) -> list[str]:
        return sector_labels(self.evaluation_sectors or [])


def sector_labels(values: list[str]) -> list[str]:
    """The stored sectors of an evaluation as pages show them (an unknown value as it is)."""
    labels = dict(Sector.choices)
    return [str(labels.get(value, value)) for value in values]


class CaseEvent(models.Model):
    """The case timeline: everything that happened, in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text


class LevelChange(models.Model):
    """Issue 16: a case's level changed with a reason (Fredericia's green/yellow/red,
    København's 1-4). The reason may name people: encrypted like the rest of the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(_("fra niveau"), max_length=10, choices=Level.choices)
    to_level = models.CharField(_("til niveau"), max_length=10, choices=Level.choices)
    from_case_level = models.PositiveSmallIntegerField(_("fra sagsniveau"), null=True, blank=True)
    to_case_level = models.PositiveSmallIntegerField(_("til sagsniveau"), null=True, blank=True)
    reason = EncryptedTextField(_("begrundelse"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("niveauændring")
        verbose_name_plural = _("niveauændringer")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{_('Niveauændring')} #{self.pk}"


class PublicFormThrottle(models.Model):
    """Issue 16: the public tip form's rate limit, in the database so that every server
    process counts the same (a hash of the address and the window, never the address)."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return self.key


class ActionAgreement(Versioned):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("sag")
    )
    first_action = models.TextField(_("første handling"))
    coordinator = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("tovholder")
    )
    contact_person = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("kontaktperson")
    )
    participants = models.ManyToManyField(
        Member, related_name="agreements", blank=True, verbose_name=_("deltagere")
    )
    follow_up_date = models.DateField(_("opfølgning"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    chair_notified_at = models.DateTimeField(_("kopi til formand for SSP-teamet"), null=True)

    class Meta:
        verbose_name = _("handlingsaftale")
        verbose_name_plural = _("handlingsaftaler")
        ordering = ["-created_at"]
        indexes = [
            # The start page's follow-ups: a window of follow-up dates, soonest first.
            models.Index(fields=["follow_up_date", "id"], name="agreement_follow_up"),
            # Who takes part in a case (`visible_cases`): read from the index alone.
            models.Index(fields=["coordinator", "case"], name="agreement_coordinator_case"),
            models.Index(fields=["contact_person", "case"], name="agreement_contact_case"),
        ]

    def __str__(self) -> str:
        return f"{_('Handlingsaftale')} #{self.pk}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    DONE = "done", _("Udført")


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    agreement = models.ForeignKey(
        ActionAgreement, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    owner = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("ansvarlig")
    )
    description = models.CharField(_("opgave"), max_length=500)
    due_date = models.DateField(_("frist"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    involve_parents = models.BooleanField(default=False)
    # The catalogue intervention the task uses, if any (R7: the catalogue counts its uses).
    intervention = models.ForeignKey(
        "prevention.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("indsats fra kataloget"),
    )
    form_token = form_token_field()

    class Meta:
        verbose_name = _("opgave")
        verbose_name_plural = _("opgaver")
        ordering = ["due_date", "pk"]
        indexes = [
            # A member's open tasks, soonest first (the start page): walked in order, no sort.
            models.Index(fields=["owner", "status", "due_date", "id"], name="task_owner_open_due"),
            # A task owner's cases (`visible_cases`): read from the index alone.
            models.Index(fields=["owner", "case"], name="task_owner_case"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class ConsentForm(models.TextChoices):
    ORAL = "oral", _("Mundtligt")
    WRITTEN = "written", _("Skriftligt")


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    custody_holder = models.ForeignKey(
        CustodyHolder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("givet af forældremyndighedsindehaver"),
    )
    by_young_person = models.BooleanField(_("givet af den unge selv"), default=False)
    refused = models.BooleanField(_("samtykke afvist"), default=False)
    form = models.CharField(_("form"), max_length=10, choices=ConsentForm.choices)
    given_on = models.DateField(_("dato"))
    scope = models.CharField(_("omfang"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("tilbagekaldt"), null=True, blank=True)
    form_token = form_token_field()

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{_('Samtykke')} #{self.pk}"


class LegalBasis(models.Model):
    """The legal bases for passing on information, as data the municipality can edit (R4)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    code = models.SlugField(_("kode"), max_length=50)
    title = models.CharField(_("titel"), max_length=200)
    reference = models.CharField(_("lovhenvisning"), max_length=200, blank=True)
    is_consent = models.BooleanField(_("samtykke"), default=False)
    requires_parent_involvement = models.BooleanField(
        _("forældrene skal inddrages bagefter"), default=False
    )
    # Issue 16: edited on the municipality's configuration page. A change retires this row and
    # makes a new one (`replaced_by`), so a disclosure keeps the basis it was given under.
    retired_at = models.DateTimeField(_("udgået"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afløst af"),
    )

    class Meta:
        verbose_name = _("hjemmel")
        verbose_name_plural = _("hjemler")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=Q(retired_at__isnull=True),
                name="legal_basis_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Disclosure(models.Model):
    """Videregivelse: every passing-on of information about the young person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    legal_basis = models.ForeignKey(
        LegalBasis, on_delete=models.PROTECT, related_name="+", verbose_name=_("hjemmel")
    )
    purpose = models.CharField(_("formål"), max_length=500)
    information = EncryptedTextField(_("hvilke oplysninger"))
    given_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("givet af")
    )
    receivers = models.ManyToManyField(Member, related_name="+", verbose_name=_("modtagere"))
    disclosed_on = models.DateField(_("dato"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    form_token = form_token_field()

    class Meta:
        verbose_name = _("videregivelse")
        verbose_name_plural = _("videregivelser")
        ordering = ["-disclosed_on", "-pk"]

    def __str__(self) -> str:
        return f"{_('Videregivelse')} #{self.pk}"
