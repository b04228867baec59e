"""R1 Organisation: police districts, municipalities, school districts, units, fora, members.

The organisation holds no personal data about children; members are staff and politicians,
whose work contact details are meant to be found ("one clear door", Halsnæs).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ssp.choices import choice_label
from ssp.versioning import Versioned


class Sector(models.TextChoices):
    BUF = "buf", _("Skole, børn og unge (BUF)")
    SOF = "sof", _("Socialforvaltning (SOF)")
    POLICE = "police", _("Politi")
    HEALTH = "health", _("Sundhed")
    KFF = "kff", _("Kultur og fritid (KFF)")
    BIF = "bif", _("Beskæftigelse (BIF)")
    UU = "uu", _("Ungdommens Uddannelsesvejledning (UU)")
    OUTREACH = "outreach", _("Opsøgende arbejde / gadeteam")
    HOUSING = "housing", _("Boligsocialt arbejde")
    POLITICS = "politics", _("Politisk valgt")
    OTHER = "other", _("Anden aktør")


class ForumType(models.TextChoices):
    KREDSRAAD = "kredsraad", _("Kredsråd")
    LOKALRAAD = "lokalraad", _("Lokalråd")
    STYREGRUPPE = "styregruppe", _("Styregruppe")
    KOORDINATIONSGRUPPE = "koordinationsgruppe", _("Koordinationsgruppe")
    SSP_TEAM = "ssp_team", _("SSP-team / SSP-sekretariat")
    LEDERGRUPPE = "ledergruppe", _("Ledergruppe")
    LOKALGRUPPE = "lokalgruppe", _("Lokalgruppe")
    LOKALUDVALG = "lokaludvalg", _("Lokaludvalg")
    OMRAADEGRUPPE = "omraadegruppe", _("Områdegruppe")
    ADHOC = "adhoc", _("Ad hoc handlegruppe")
    SSP_PLUS = "ssp_plus", _("SSP+ gruppe")
    TRIVSELSRAAD = "trivselsraad", _("Trivsels- og sundhedsråd")
    OTHER = "other", _("Andet forum")


class AdhocSubject(models.TextChoices):
    """What an ad hoc action group works on (Høje-Taastrup: "for grupper eller enkeltpersoner",
    "en specifik forebyggende indsats i et lokalområde")."""

    PERSON = "person", _("En navngiven ung (sag)")
    GROUP = "group", _("En gruppe unge")
    AREA = "area", _("Et område")


class ForumLevel(models.TextChoices):
    STRATEGIC = "strategic", _("Strategisk")
    TACTICAL = "tactical", _("Taktisk")
    OPERATIONAL = "operational", _("Operationelt")


class Cadence(models.TextChoices):
    TWICE_YEARLY = "twice_yearly", _("2 gange om året")
    QUARTERLY = "quarterly", _("4 gange om året")
    MONTHLY = "monthly", _("Månedligt")
    BIWEEKLY = "biweekly", _("Hver 14. dag")
    WEEKLY = "weekly", _("Ugentligt")
    ADHOC = "adhoc", _("Efter behov")
    # "ca. 5 gange årligt" (Fredericia): the number is `Forum.meetings_a_year`.
    PER_YEAR = "per_year", _("Et antal gange om året")


class QuorumRule(models.TextChoices):
    """When a forum that votes may decide (issue 14)."""

    NONE = "", _("Ingen regel")
    HALF = "half", _("Mere end halvdelen af de stemmeberettigede er til stede")


class ForwardDirection(models.TextChoices):
    """The lines along which a forum's approved minutes go (R6, issue 14): up to the forum it
    reports to, down (Kredsråd -> Lokalråd), or by e-mail to a recipient outside the platform
    (the city council, the police management), with the public PDF."""

    UP = "up", _("Op")
    DOWN = "down", _("Ned")
    EXTERNAL = "external", _("Uden for platformen")


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Formand")
    VICE_CHAIR = "vice_chair", _("Næstformand")
    MEMBER = "member", _("Medlem")
    SECRETARY = "secretary", _("Sekretær")
    COORDINATOR = "coordinator", _("Koordinator / tovholder")
    DEPUTY = "deputy", _("Suppleant")
    OBSERVER = "observer", _("Observatør")


class UnitKind(models.TextChoices):
    SCHOOL = "school", _("Skole")
    YOUTH_SCHOOL = "youth_school", _("Ungdomsskole")
    CLUB = "club", _("Klub / fritidstilbud")
    POLICE_STATION = "police_station", _("Politi")
    SOCIAL_CENTRE = "social_centre", _("Socialcenter / familieafdeling")
    HOUSING = "housing", _("Boligområde / boligsocialt projekt")
    LIBRARY = "library", _("Bibliotek")
    HEALTH = "health", _("Sundhed")
    ADMINISTRATION = "administration", _("Forvaltning / administration")
    OTHER = "other", _("Andet")


class AccessRole(models.TextChoices):
    """A member's role in the access policy (ssp/access.py)."""

    SSP_STAFF = "ssp_staff", _("SSP-medarbejder (koordinator, konsulent, sekretariat)")
    EMPLOYEE = "employee", _("Medarbejder")
    POLITICIAN = "politician", _("Politiker")
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Tilsyn (databeskyttelsesrådgiver, tilsynsmyndighed)")


class PoliceDistrict(models.Model):
    name = models.CharField(_("navn"), max_length=200, unique=True)
    slug = models.SlugField(_("kort navn"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("politikreds")
        verbose_name_plural = _("politikredse")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_rules() -> dict[str, Any]:
    return {}


class Municipality(Versioned):
    """`version` counts saves of its rules and ages (issue 16: edited on the configuration page)."""

    name = models.CharField(_("navn"), max_length=200, unique=True)
    slug = models.SlugField(_("kort navn"), max_length=100, unique=True)
    police_district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("politikreds"),
    )
    target_age_min = models.PositiveSmallIntegerField(_("målgruppe, fra alder"), default=6)
    target_age_max = models.PositiveSmallIntegerField(_("målgruppe, til alder"), default=18)
    ssp_plus_age_min = models.PositiveSmallIntegerField(_("SSP+, fra alder"), null=True, blank=True)
    ssp_plus_age_max = models.PositiveSmallIntegerField(_("SSP+, til alder"), null=True, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    concern_contact = models.TextField(
        _("hvor går man hen med en bekymring"),
        blank=True,
        help_text=_("Vises på siden 'Hvem kontakter jeg?'."),
    )
    rules = models.JSONField(
        _("regler"),
        default=default_rules,
        blank=True,
        help_text=_("Kommunens regelsæt: frister, hvem der leder hvilke niveauer m.m."),
    )
    preset = models.CharField(_("skabelon"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_age_min__lte=models.F("target_age_max")),
                name="municipality_target_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rule(self, name: str, default: Any = None) -> Any:
        return (self.rules or {}).get(name, default)


class SchoolDistrict(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="school_districts",
        verbose_name=_("kommune"),
    )
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), max_length=100)

    class Meta:
        verbose_name = _("skoledistrikt")
        verbose_name_plural = _("skoledistrikter")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="school_district_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="units", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), max_length=100)
    kind = models.CharField(_("type"), max_length=30, choices=UnitKind.choices)
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    school_district = models.ForeignKey(
        SchoolDistrict,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("skoledistrikt"),
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    ssp_contact = models.ForeignKey(
        "Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_for_units",
        verbose_name=_("SSP-kontaktperson"),
    )

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="unit_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Forum(Versioned):
    """A forum of the SSP organisation; Kredsråd sit at police-district level."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fora",
        verbose_name=_("kommune"),
    )
    police_district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fora",
        verbose_name=_("politikreds"),
        help_text=_("Kun for fora på kredsniveau (Kredsråd)."),
    )
    key = models.SlugField(_("nøgle"), max_length=100)
    name = models.CharField(_("navn"), max_length=200)
    forum_type = models.CharField(_("type"), max_length=30, choices=ForumType.choices)
    level = models.CharField(_("niveau"), max_length=20, choices=ForumLevel.choices)
    cadence = models.CharField(_("mødekadence"), max_length=20, choices=Cadence.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("refererer til"),
    )
    school_district = models.ForeignKey(
        SchoolDistrict,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fora",
        verbose_name=_("skoledistrikt / område"),
    )
    may_discuss_individuals = models.BooleanField(_("må drøfte navngivne personer"), default=False)
    purpose = models.TextField(_("formål"), blank=True)
    term = models.CharField(_("funktionsperiode"), max_length=300, blank=True)
    chair_term_years = models.PositiveSmallIntegerField(
        _("formandens valgperiode (år)"), null=True, blank=True
    )
    pre_meeting = models.BooleanField(_("holder formøde"), default=False)
    protocol_signed = models.BooleanField(_("protokollen underskrives"), default=False)
    protocol_public = models.BooleanField(_("dagsorden og protokol er offentlige"), default=False)
    annual_event = models.CharField(_("årligt arrangement"), max_length=300, blank=True)
    standing_items = models.JSONField(_("faste dagsordenspunkter"), default=list, blank=True)
    dissolved_at = models.DateTimeField(_("nedlagt"), null=True, blank=True)
    # Governance (issue 14): meetings a year for the cadence "per_year"; the prefix of the
    # forum's decision numbers ("STY" -> "STY 2026-14"); the vote rules (who votes: the seats'
    # and memberships' `has_vote`); the seats' functions that attend a pre-meeting (Faxe: the
    # chair and the head of centre).
    meetings_a_year = models.PositiveSmallIntegerField(_("møder om året"), null=True, blank=True)
    decision_prefix = models.CharField(
        _("forkortelse i beslutningsnumre"), max_length=10, blank=True
    )
    quorum = models.CharField(
        _("beslutningsdygtighed"), max_length=10, choices=QuorumRule.choices, blank=True
    )
    votes_by_name = models.BooleanField(_("protokollen viser, hvem der stemte hvad"), default=False)
    pre_meeting_participants = models.JSONField(
        _("deltagere i formødet (pladsernes funktion)"), default=list, blank=True
    )
    # Ad hoc action groups (Høje-Taastrup): set up from a parent forum (`parent`) for a person
    # (a case), a group or an area, with a task; dissolved by decision with a short result that
    # the parent forum is told of. See ssp/cases/adhoc.py.
    adhoc_subject = models.CharField(
        _("handlegruppen vedrører"), max_length=10, choices=AdhocSubject.choices, blank=True
    )
    adhoc_task = models.TextField(_("handlegruppens opgave"), blank=True)
    set_up_between_meetings = models.BooleanField(_("nedsat imellem møderne"), default=False)
    set_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nedsat af"),
    )
    adhoc_result = models.TextField(_("handlegruppens resultat"), blank=True)
    dissolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opløst af"),
    )
    # When the parent forum's agenda got the notice of the set-up / the result (claimed once).
    setup_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)
    result_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("fora")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False, police_district__isnull=True))
                | (Q(municipality__isnull=True, police_district__isnull=False)),
                name="forum_belongs_to_municipality_or_police_district",
            ),
            models.UniqueConstraint(
                fields=["municipality", "key"],
                condition=Q(municipality__isnull=False),
                name="forum_key_unique_in_municipality",
            ),
            models.UniqueConstraint(
                fields=["police_district", "key"],
                condition=Q(police_district__isnull=False),
                name="forum_key_unique_in_police_district",
            ),
            models.CheckConstraint(
                condition=Q(meetings_a_year__isnull=True)
                | (Q(meetings_a_year__gte=1) & Q(meetings_a_year__lte=52)),
                name="forum_meetings_a_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_at is None

    @property
    def meetings_per_year(self) -> int | None:
        return {
            Cadence.TWICE_YEARLY: 2,
            Cadence.QUARTERLY: 4,
            Cadence.MONTHLY: 12,
            Cadence.BIWEEKLY: 26,
            Cadence.WEEKLY: 52,
            Cadence.PER_YEAR: self.meetings_a_year,
        }.get(Cadence(self.cadence))

    @property
    def cadence_label(self) -> str:
        """The cadence as pages show it: "ca. 5 gange om året" for "n per year" (issue 14),
        the choice's label otherwise."""
        if self.cadence == Cadence.PER_YEAR and self.meetings_a_year:
            return ngettext(
                "ca. %(count)s gang om året", "ca. %(count)s gange om året", self.meetings_a_year
            ) % {"count": self.meetings_a_year}
        return choice_label(Cadence, self.cadence)  # not `get_cadence_display` (ssp/choices.py)


class ForwardingLine(models.Model):
    """One line a forum's approved minutes go along (issue 14): to a forum above or below, or
    to an e-mail address outside the platform. The line up to `Forum.parent` needs no row."""

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="forwarding_lines", verbose_name=_("forum")
    )
    direction = models.CharField(_("retning"), max_length=10, choices=ForwardDirection.choices)
    to_forum = models.ForeignKey(
        Forum,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("til forum"),
    )
    recipient_name = models.CharField(_("modtager"), max_length=200, blank=True)
    recipient_email = models.EmailField(_("modtagerens e-mail"), blank=True)

    class Meta:
        verbose_name = _("videresendelse af referat")
        verbose_name_plural = _("videresendelser af referater")
        ordering = ["forum", "direction", "pk"]
        constraints = [
            # A forum line names a forum; an external line names a recipient with an address.
            models.CheckConstraint(
                condition=(
                    Q(direction="external") & Q(to_forum__isnull=True) & ~Q(recipient_email="")
                )
                | (~Q(direction="external") & Q(to_forum__isnull=False)),
                name="forwarding_line_target",
            ),
            models.UniqueConstraint(
                fields=["forum", "to_forum"],
                condition=Q(to_forum__isnull=False),
                name="forwarding_line_forum_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} → {self.to_forum or self.recipient_name}"


class Seat(models.Model):
    """A seat in a forum's composition, by function (from the preset, not a named person)."""

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="seats", verbose_name=_("forum")
    )
    function = models.CharField(_("funktion"), max_length=300)
    role = models.CharField(_("rolle"), max_length=20, choices=MembershipRole.choices)
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    has_vote = models.BooleanField(_("stemmeret"), default=False)
    is_authority = models.BooleanField(_("myndighedsperson"), default=False)
    count_min = models.PositiveSmallIntegerField(_("antal, mindst"), default=1)
    count_max = models.PositiveSmallIntegerField(_("antal, højst"), default=1)
    position = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        verbose_name = _("plads")
        verbose_name_plural = _("pladser")
        ordering = ["forum", "position"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "function"], name="seat_function_unique"),
            models.CheckConstraint(
                condition=Q(count_min__lte=models.F("count_max")), name="seat_count_range_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.function

    @property
    def count_label(self) -> str:
        if self.count_min == self.count_max:
            return str(self.count_min)
        return f"{self.count_min}-{self.count_max}"


class Member(models.Model):
    """A person in the SSP organisation (staff or politician), optionally with a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("bruger"),
    )
    # Issue 16: a member of the police district's Kredsråd (the police director, the mayors of
    # municipalities not running the platform) belongs to the district and has no municipality.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("kommune"),
    )
    police_district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="district_members",
        verbose_name=_("politikreds"),
        help_text=_("Kun for medlemmer af Kredsrådet uden en kommune på platformen."),
    )
    name = models.CharField(_("navn"), max_length=200)
    title = models.CharField(_("stilling / funktion"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("enhed"),
    )
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    access_role = models.CharField(
        _("adgangsrolle"),
        max_length=20,
        choices=AccessRole.choices,
        default=AccessRole.EMPLOYEE,
    )
    is_authority = models.BooleanField(
        _("myndighedsperson"),
        default=False,
        help_text=_("Må deltage i udveksling af oplysninger efter retsplejelovens § 115."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    # Issue 14: invitations, notices of changes, reminders to sign and notices of publication by
    # e-mail; each member chooses on the account page.
    meeting_emails = models.BooleanField(
        _("mødeindkaldelser og -meddelelser på e-mail"), default=True
    )

    class Meta:
        verbose_name = _("medlem")
        verbose_name_plural = _("medlemmer")
        ordering = ["name"]
        indexes = [models.Index(fields=["municipality", "access_role"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False, police_district__isnull=True))
                | (Q(municipality__isnull=True, police_district__isnull=False)),
                name="member_belongs_to_municipality_or_police_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        today = timezone.localdate()
        return self.filter(Q(start_date__lte=today) | Q(start_date__isnull=True)).filter(
            Q(end_date__gte=today) | Q(end_date__isnull=True)
        )


class Membership(Versioned):
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("forum")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("medlem")
    )
    seat = models.ForeignKey(
        Seat,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("plads"),
    )
    role = models.CharField(
        _("rolle"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    has_vote = models.BooleanField(_("stemmeret"), default=False)
    start_date = models.DateField(_("fra"), null=True, blank=True)
    end_date = models.DateField(_("til"), null=True, blank=True)
    # Issue 14: the end of the member's (or the chair's) term: an election is due then (the
    # membership itself goes on until `end_date`).
    term_ends_on = models.DateField(_("valgperioden udløber"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        ordering = ["forum", "role", "member__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="membership_period_valid",
            ),
        ]
        indexes = [
            # The start page's "terms ending soon" (few memberships have a term) and the
            # memberships that have ended (a successor elected): read by index, not by a scan
            # of every membership in the municipality.
            models.Index(
                fields=["term_ends_on"],
                condition=Q(term_ends_on__isnull=False),
                name="membership_term_ends",
            ),
            models.Index(
                fields=["end_date"], condition=Q(end_date__isnull=False), name="membership_ended"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.forum} ({self.get_role_display()})"


class RuleVersion(models.Model):
    """Issue 16: every saved change of a municipality's rules and ages, numbered from 1. A case
    closed under a version keeps it (`Case.rule_version`): its page shows the rules it was
    handled under, not today's."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="rule_versions"
    )
    number = models.PositiveIntegerField(_("nummer"))
    rules = models.JSONField(_("regler"), default=default_rules)
    target_age_min = models.PositiveSmallIntegerField(_("målgruppe, fra alder"))
    target_age_max = models.PositiveSmallIntegerField(_("målgruppe, til alder"))
    created_at = models.DateTimeField(_("gemt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemt af"),
    )

    class Meta:
        verbose_name = _("version af regelsættet")
        verbose_name_plural = _("versioner af regelsættet")
        ordering = ["municipality", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], name="rule_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} #{self.number}"


class StandingItem(models.Model):
    """Issue 16: a standing agenda item for every forum of one type in the municipality (besides
    a forum's own `Forum.standing_items`); the agenda job copies the title onto each agenda, so
    a later change never rewrites an agenda that has been made."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="standing_items"
    )
    forum_type = models.CharField(_("forumtype"), max_length=30, choices=ForumType.choices)
    title = models.CharField(_("titel"), max_length=300)
    position = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        verbose_name = _("fast dagsordenspunkt")
        verbose_name_plural = _("faste dagsordenspunkter")
        ordering = ["forum_type", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "forum_type", "title"], name="standing_item_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Guide(Versioned):
    """Issue 16: the municipality's SSP guide for its employees (Halsnæs' "vejledning til de
    ansatte om, hvordan de skal håndtere bekymringer"; Faxe's SSP guide). The contacts are not
    typed here: the page fills them in from the organisation."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="guide"
    )
    how_to_react = models.TextField(_("sådan reagerer du"), max_length=10_000, blank=True)
    whom_to_contact = models.TextField(_("hvem du kontakter"), max_length=10_000, blank=True)
    after_concern = models.TextField(
        _("hvad der sker efter en bekymring"), max_length=10_000, blank=True
    )
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ændret af"),
    )

    class Meta:
        verbose_name = _("SSP-vejledning")
        verbose_name_plural = _("SSP-vejledninger")

    def __str__(self) -> str:
        return str(self.municipality)
