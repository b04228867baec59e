"""Demo data: a fictitious municipality built on the Faxe preset, with fictitious people.

Every name, phone number and e-mail address here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission, User
from django.db import transaction

from ssp.accounts.services import acknowledge_confidentiality
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForumType,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    Seat,
    Sector,
    Unit,
    UnitKind,
)
from ssp.organisation.presets import (
    PoliceDistrictSpec,
    UnitSpec,
    apply_preset,
    parse_preset,
    resolve_preset_path,
)

DEMO_PRESET = "faxe"
DEMO_SLUG = "aadal"
DEMO_NAME = "Ådal Kommune"
COORDINATION_ITEM = (
    "Koordinering af oplæg, undervisning og orientering om kriminalitetsforebyggelse i området "
    "for den kommende periode"
)
DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password, only with DEBUG or an explicit flag


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    title: str
    unit: str
    sector: Sector
    access_role: AccessRole
    is_authority: bool
    memberships: tuple[tuple[str, MembershipRole, bool, str], ...]  # forum key, role, vote, seat


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "koordinator",
        "Mette Holm",
        "SSP-koordinator",
        "ssp-teamet",
        Sector.BUF,
        AccessRole.SSP_STAFF,
        True,
        (
            ("ssp-team", MembershipRole.COORDINATOR, False, "SSP-konsulent"),
            (
                "koordinationsgruppe",
                MembershipRole.MEMBER,
                False,
                "SSP-konsulent (SSP-konsulentteamet)",
            ),
            (
                "lokal-ssp-oest",
                MembershipRole.COORDINATOR,
                False,
                "Tovholder (konsulent fra SSP-teamet)",
            ),
            (
                "lokal-ssp-midt",
                MembershipRole.COORDINATOR,
                False,
                "Tovholder (konsulent fra SSP-teamet)",
            ),
        ),
    ),
    DemoUser(
        "laerer",
        "Lars Berg",
        "SSP-lærer",
        "oestskolen",
        Sector.BUF,
        AccessRole.EMPLOYEE,
        True,
        (
            (
                "lokal-ssp-oest",
                MembershipRole.MEMBER,
                False,
                "SSP-lærer fra afdelingsskolerne i distriktet",
            ),
        ),
    ),
    DemoUser(
        "socialraadgiver",
        "Sofie Dahl",
        "Myndighedssagsbehandler",
        "socialcentret",
        Sector.SOF,
        AccessRole.EMPLOYEE,
        True,
        (
            ("koordinationsgruppe", MembershipRole.MEMBER, False, "Repræsentant fra Socialcentret"),
            ("lokal-ssp-oest", MembershipRole.MEMBER, False, ""),
        ),
    ),
    DemoUser(
        "politi",
        "Peter Nørgaard",
        "Politiets SSP-koordinator",
        "politiet",
        Sector.POLICE,
        AccessRole.EMPLOYEE,
        True,
        (
            ("koordinationsgruppe", MembershipRole.MEMBER, False, "Politiets SSP-koordinator"),
            (
                "lokal-ssp-oest",
                MembershipRole.MEMBER,
                False,
                "Repræsentant for Politiet (operationelt samarbejde)",
            ),
        ),
    ),
    DemoUser(
        "boligsocial",
        "Bente Larsen",
        "Boligsocial medarbejder",
        "helhedsplanen",
        Sector.HOUSING,
        AccessRole.EMPLOYEE,
        False,
        (("lokal-ssp-oest", MembershipRole.MEMBER, False, ""),),
    ),
    DemoUser(
        "politiker",
        "Poul Madsen",
        "Byrådsmedlem, formand for SSP-styregruppen",
        "byraadet",
        Sector.POLITICS,
        AccessRole.POLITICIAN,
        False,
        (("styregruppe", MembershipRole.CHAIR, True, "Formand (politisk udpeget)"),),
    ),
    DemoUser(
        "admin",
        "Anne Andersen",
        "Systemadministrator",
        "",
        Sector.OTHER,
        AccessRole.ADMINISTRATOR,
        False,
        (),
    ),
    DemoUser(
        "tilsyn",
        "Dorthe Winther",
        "Databeskyttelsesrådgiver",
        "",
        Sector.OTHER,
        AccessRole.SUPERVISOR,
        False,
        (),
    ),
)

# Issue 14: every permanent member of the steering group has a login (password "demo" too), so
# that its protocol can be signed through the pages from start to end. Kept apart from the
# personas above (one per role, which the tests go through role by role).
DEMO_SIGNERS: tuple[DemoUser, ...] = (
    DemoUser(
        "naestformand",
        "Hanne Vestergaard",
        "Byrådsmedlem",
        "byraadet",
        Sector.POLITICS,
        AccessRole.POLITICIAN,
        False,
        (("styregruppe", MembershipRole.VICE_CHAIR, True, "Næstformand (politisk udpeget)"),),
    ),
    DemoUser(
        "byraadsmedlem",
        "Jens Kofoed",
        "Byrådsmedlem",
        "byraadet",
        Sector.POLITICS,
        AccessRole.POLITICIAN,
        False,
        (("styregruppe", MembershipRole.MEMBER, True, "Medlem (politisk udpeget)"),),
    ),
    DemoUser(
        "politileder",
        "Birgitte Krag",
        "Politikommissær",
        "politiet",
        Sector.POLICE,
        AccessRole.EMPLOYEE,
        True,
        (("styregruppe", MembershipRole.MEMBER, True, "Ledelsesrepræsentant for Politiet"),),
    ),
    DemoUser(
        "centerchef",
        "Ole Svendsen",
        "Centerchef",
        "center-for-familie-social-og-beskaeftigelse",
        Sector.SOF,
        AccessRole.EMPLOYEE,
        True,
        (
            (
                "styregruppe",
                MembershipRole.MEMBER,
                False,
                "Centerchef for Center for Familie, Social & Beskæftigelse",
            ),
        ),
    ),
)

# Members without a login, so that the fora are not empty (all invented).
DEMO_MEMBERS: tuple[tuple[str, str, str, Sector, bool, str, MembershipRole, bool, str], ...] = (
    (
        "Karin Lund",
        "Leder af Familie- og Ungeindsatsen",
        "familie-og-ungeindsatsen",
        Sector.SOF,
        True,
        "koordinationsgruppe",
        MembershipRole.CHAIR,
        False,
        "Leder af Familie- og Ungeindsatsen",
    ),
    (
        "Thomas Friis",
        "SSP-konsulent",
        "ssp-teamet",
        Sector.BUF,
        True,
        "lokal-ssp-vest",
        MembershipRole.COORDINATOR,
        False,
        "Tovholder (konsulent fra SSP-teamet)",
    ),
    (
        "Maria Juhl",
        "SSP-lærer",
        "midtskolen",
        Sector.BUF,
        True,
        "lokal-ssp-midt",
        MembershipRole.MEMBER,
        False,
        "SSP-lærer fra afdelingsskolerne i distriktet",
    ),
    (
        "Rasmus Bech",
        "SSP-lærer",
        "vestskolen",
        Sector.BUF,
        True,
        "lokal-ssp-vest",
        MembershipRole.MEMBER,
        False,
        "SSP-lærer fra afdelingsskolerne i distriktet",
    ),
)

DEMO_UNITS: tuple[tuple[str, str, UnitKind, Sector, str | None], ...] = (
    ("oestskolen", "Østskolen", UnitKind.SCHOOL, Sector.BUF, "oest"),
    ("midtskolen", "Midtskolen", UnitKind.SCHOOL, Sector.BUF, "midt"),
    ("vestskolen", "Vestskolen", UnitKind.SCHOOL, Sector.BUF, "vest"),
    ("klub-oest", "Ungdomsklubben Øst", UnitKind.CLUB, Sector.KFF, "oest"),
    (
        "helhedsplanen",
        "Boligsocial helhedsplan Engparken",
        UnitKind.HOUSING,
        Sector.HOUSING,
        "oest",
    ),
)


def demo_exists() -> bool:
    return Municipality.objects.filter(slug=DEMO_SLUG).exists()


def _phone(index: int) -> str:
    return f"70 10 {20 + index:02d} {30 + index:02d}"


@transaction.atomic
def seed_demo() -> Municipality:
    """Create the demo municipality, its people and one login per role. Run once."""
    spec = parse_preset(resolve_preset_path(DEMO_PRESET))
    spec.municipality.name = DEMO_NAME
    spec.municipality.slug = DEMO_SLUG
    spec.municipality.police_district = PoliceDistrictSpec(
        name="Ådal og Omegns Politi", slug="aadal-og-omegn"
    )
    spec.municipality.description = (
        "Demokommune til afprøvning. Strukturen følger Faxe Kommunes SSP-samarbejde; "
        "alle personer er opdigtede."
    )
    spec.municipality.concern_contact = (
        "Tal med SSP-læreren eller SSP-kontaktpersonen på din arbejdsplads. Kender du ikke din "
        "kontakt, så ring til SSP-koordinatoren."
    )
    spec.municipality.rules.red_level_coordinator_authority = True
    spec.municipality.rules.police_review_weekday = 2
    spec.municipality.rules.concern_count_period_days = 14
    for slug, name, kind, sector, district in DEMO_UNITS:
        spec.units.append(
            UnitSpec(slug=slug, name=name, kind=kind, sector=sector, district=district)
        )
    for forum_spec in spec.fora:
        if forum_spec.type == ForumType.LOKALGRUPPE:
            # The demo's local groups decide on individual concerns (Fredericia's practice).
            forum_spec.may_discuss_individuals = True
            # Høje-Taastrup's standing item: the coming period's talks and teaching in the area
            # (shown on the agenda from the prevention calendar, ssp/prevention/coordination.py).
            forum_spec.standing_items.append(COORDINATION_ITEM)
    municipality = apply_preset(spec=spec, preset_name=DEMO_PRESET).municipality
    units = {unit.slug: unit for unit in Unit.objects.filter(municipality=municipality)}
    fora = {forum.key: forum for forum in Forum.objects.filter(municipality=municipality)}

    def seat_for(forum: Forum, function: str) -> Seat | None:
        return Seat.objects.filter(forum=forum, function=function).first() if function else None

    # The administrator configures the organisation, users and API tokens, and may see the
    # prevention catalogue and the reports (no personal data); never case content.
    org_permissions = Permission.objects.filter(
        content_type__app_label__in=["organisation", "prevention", "reports", "auth", "accounts"]
    )
    for index, demo in enumerate(DEMO_USERS + DEMO_SIGNERS):
        first, _space, last = demo.name.partition(" ")
        user = User.objects.create_user(
            username=demo.username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{demo.username}@aadal.invalid",
            is_staff=demo.access_role == AccessRole.ADMINISTRATOR,
        )
        if demo.access_role == AccessRole.ADMINISTRATOR:
            user.user_permissions.set(org_permissions)
        member = Member.objects.create(
            user=user,
            municipality=municipality,
            name=demo.name,
            title=demo.title,
            unit=units.get(demo.unit),
            sector=demo.sector,
            access_role=demo.access_role,
            is_authority=demo.is_authority,
            email=user.email,
            phone=_phone(index),
        )
        for key, role, vote, function in demo.memberships:
            forum = fora[key]
            Membership.objects.create(
                forum=forum, member=member, role=role, has_vote=vote, seat=seat_for(forum, function)
            )
        # The demo's people have read the duty of confidentiality (R4), as real users do
        # before their first page with personal data.
        acknowledge_confidentiality(user=user, municipality=municipality)
    for index, (name, title, unit, sector, authority, key, role, vote, function) in enumerate(
        DEMO_MEMBERS, start=len(DEMO_USERS) + len(DEMO_SIGNERS)
    ):
        member = Member.objects.create(
            municipality=municipality,
            name=name,
            title=title,
            unit=units.get(unit),
            sector=sector,
            access_role=AccessRole.POLITICIAN if sector == Sector.POLITICS else AccessRole.EMPLOYEE,
            is_authority=authority,
            email=f"{name.split()[0].lower()}@aadal.invalid",
            phone=_phone(index),
        )
        forum = fora[key]
        Membership.objects.create(
            forum=forum, member=member, role=role, has_vote=vote, seat=seat_for(forum, function)
        )
    members = {
        m.user.username: m
        for m in Member.objects.filter(user__isnull=False).select_related("user")
        if m.user is not None
    }
    for unit_slug, username in (
        ("oestskolen", "laerer"),
        ("helhedsplanen", "boligsocial"),
        # The police's SSP contact (issue 16: corrects the police's own reports).
        ("politiet", "politi"),
    ):
        unit_obj = units[unit_slug]
        unit_obj.ssp_contact = members[username]
        unit_obj.save(update_fields=["ssp_contact"])
    for unit_slug, name in (("midtskolen", "Maria Juhl"), ("vestskolen", "Rasmus Bech")):
        unit_obj = units[unit_slug]
        unit_obj.ssp_contact = Member.objects.get(municipality=municipality, name=name)
        unit_obj.save(update_fields=["ssp_contact"])
    record_event(
        actor=None,
        action=AuditAction.DEMO_SEEDED,
        obj=municipality,
        municipality_id=municipality.pk,
    )
    return municipality
