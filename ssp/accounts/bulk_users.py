"""Issue 15: users in bulk from a file (CSV or Excel), with a preview, all or nothing.

An administrator uploads a list of the municipality's employees. `read_rows` checks every row
(nothing is written); `plan_import` compares the rows with the municipality's members and says
what would happen (new users, changed fields of members matched on e-mail, memberships added,
members with a login who are not in the file); `apply_import` does exactly that plan, once, and
sends each new user an invitation to choose a password (`ssp.accounts.password_reset`).

Columns (first row: headers, any order, case and accents ignored):
navn, e-mail, enhed (unit slug or name), funktion, sektor (value or Danish label), myndighedsperson
(ja/nej), fora (keys or names separated by `;` or `|`), rolle (one membership role for all the
row's fora; default "medlem"), adgangsrolle (default "medarbejder" for new users; blank leaves an
existing user's role as it is). A role above employee/politician (SSP staff, administrator,
supervision) is only taken from the file when the administrator ticks the confirmation box.

Users are matched on e-mail (case-insensitive). Memberships are only added, never removed;
members are never deleted: those not in the file may be deactivated (ticked one by one).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.accounts import services
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import PublicFormThrottle
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    Sector,
    Unit,
)
from ssp.police.imports import Content, FileError, RowError, norm_header, open_table
from ssp.validation import has_control_characters, max_length_of

MAX_ROWS = 5_000
MAX_REPORTED_ROWS = 200
# The preview lists at most this many members who could be deactivated.
MAX_DEACTIVATION_CANDIDATES = 1_000
USERNAME_MAX_LENGTH = 150

HEADERS: dict[str, set[str]] = {
    "name": {"navn", "name", "fuldenavn"},
    "email": {"email", "mail", "emailadresse", "epost"},
    "unit": {"enhed", "unit", "arbejdssted"},
    "title": {"funktion", "stilling", "titel", "title", "stillingfunktion"},
    "sector": {"sektor", "sector"},
    "authority": {"myndighedsperson", "myndighed", "authority"},
    "fora": {"fora", "forum", "forummer", "foras"},
    "role": {"rolle", "role", "forumrolle"},
    "access_role": {"adgangsrolle", "adgang", "accessrole"},
}
COLUMN_LABELS = {"name": "navn", "email": "e-mail", "sector": "sektor"}
REQUIRED = ("name", "email", "sector")

# Roles a file gives without a confirmation; the others give access to personal data or to
# the administration and need the administrator's explicit confirmation.
PLAIN_ROLES = frozenset({AccessRole.EMPLOYEE.value, AccessRole.POLITICIAN.value})
YES = {"ja", "j", "yes", "y", "1", "x", "sand", "true"}
NO = {"nej", "n", "no", "0", "", "falsk", "false"}
FORUM_SEPARATORS = re.compile(r"[;|]")


class ImportRefused(DomainError):
    """The file cannot be imported as it is (rows with errors: see `errors`)."""

    def __init__(self, message: str, errors: list[RowError] | None = None, total: int = 0):
        super().__init__(message)
        self.errors = errors or []
        self.total = total


class AlreadyApplied(DomainError):
    """The preview was applied already (a second click)."""


@dataclass
class UserRow:
    row: int
    name: str
    email: str
    unit_id: int | None
    title: str
    sector: str
    is_authority: bool
    forum_ids: list[int]
    membership_role: str
    access_role: str  # "" = not given


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Plan:
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    deactivatable: list[dict[str, Any]] = field(default_factory=list)
    deactivatable_total: int = 0
    unchanged: int = 0
    elevated: int = 0

    @property
    def fingerprint(self) -> str:
        """What the preview showed, as a hash: the apply step refuses a different plan."""
        data = json.dumps(
            [self.new, self.changed, self.memberships, self.deactivatable],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(data.encode()).hexdigest()

    @property
    def membership_count(self) -> int:
        return sum(len(item["fora"]) for item in self.memberships)


def _choices(enum: Iterable[Any], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings (normalised) -> value: the value, the Danish label and the label's
    abbreviation in brackets ("Skole, børn og unge (BUF)" -> "buf")."""
    mapping: dict[str, str] = {}
    for choice in enum:
        label = str(choice.label)
        mapping[norm_header(choice.value)] = choice.value
        mapping[norm_header(label)] = choice.value
        if "(" in label:
            inside = label[label.index("(") + 1 : label.rindex(")")]
            mapping.setdefault(norm_header(inside), choice.value)
            mapping.setdefault(norm_header(label[: label.index("(")]), choice.value)
        if "/" in label:
            for part in label.split("/"):
                mapping.setdefault(norm_header(part), choice.value)
    for spelling, value in (extra or {}).items():
        mapping[norm_header(spelling)] = value
    return mapping


SECTORS = _choices(Sector)
ACCESS_ROLES = _choices(
    AccessRole,
    {
        "ssp": AccessRole.SSP_STAFF,
        "sspmedarbejder": AccessRole.SSP_STAFF,
        "koordinator": AccessRole.SSP_STAFF,
        "admin": AccessRole.ADMINISTRATOR,
        "tilsyn": AccessRole.SUPERVISOR,
    },
)
MEMBERSHIP_ROLES = _choices(MembershipRole, {"tovholder": MembershipRole.COORDINATOR})


def _text(value: Any, what: str, problems: list[str], *, max_length: int, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            problems.append(_("%(what)s mangler") % {"what": what})
        return text
    if has_control_characters(text):
        problems.append(_("%(what)s indeholder et usynligt kontroltegn") % {"what": what})
    if len(text) > max_length:
        problems.append(
            _("%(what)s har for mange tegn (%(length)s, højst %(max)s)")
            % {"what": what, "length": len(text), "max": max_length}
        )
    return text


def _columns(header: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = norm_header(cell)
        for name, variants in HEADERS.items():
            if key in variants and name not in found:
                found[name] = index
    missing = [COLUMN_LABELS[name] for name in REQUIRED if name not in found]
    if missing:
        raise FileError(
            _("Filen mangler kolonnerne: %(columns)s. Første række skal være overskrifter.")
            % {"columns": ", ".join(missing)}
        )
    return found


def _lookup(values: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """(pk, key/slug, name) -> normalised key and name -> pk."""
    mapping: dict[str, int] = {}
    for pk, key, name in values:
        mapping.setdefault(key.strip().lower(), pk)
        mapping.setdefault(name.strip().lower(), pk)
    return mapping


def read_rows(*, filename: str, content: Content, municipality: Municipality) -> list[UserRow]:
    """Every row of the file, checked. Raises ImportRefused (rows by number and reason, the
    first `MAX_REPORTED_ROWS`) or FileError-as-ImportRefused; writes nothing."""
    units = _lookup(
        Unit.objects.filter(municipality=municipality).values_list("pk", "slug", "name")
    )
    fora = _lookup(Forum.objects.filter(municipality=municipality).values_list("pk", "key", "name"))
    name_max = max_length_of(Member, "name")
    title_max = max_length_of(Member, "title")
    email_max = min(max_length_of(Member, "email"), USERNAME_MAX_LENGTH)
    rows: list[UserRow] = []
    errors: list[RowError] = []
    total_errors = 0
    seen: dict[str, int] = {}
    try:
        with open_table(filename, content) as table:
            header = next(table, None)
            if header is None:
                raise FileError(_("Filen er tom."))
            columns = _columns(header)
            for number, raw in enumerate(table, start=2):
                cells = {
                    name: (raw[index] if index < len(raw) else None)
                    for name, index in columns.items()
                }
                if all(value is None or str(value).strip() == "" for value in cells.values()):
                    continue
                if number - 1 > MAX_ROWS:
                    raise FileError(
                        _("Filen har mere end %(max)s rækker. Del den op.") % {"max": MAX_ROWS}
                    )
                problems: list[str] = []
                row = _row(
                    number,
                    cells,
                    problems,
                    units=units,
                    fora=fora,
                    limits=(name_max, title_max, email_max),
                )
                if row.email:
                    first = seen.setdefault(row.email, number)
                    if first != number:
                        problems.append(
                            _("e-mailadressen står også i række %(row)s") % {"row": first}
                        )
                if problems:
                    total_errors += 1
                    if len(errors) < MAX_REPORTED_ROWS:
                        errors.append(RowError(number, "; ".join(problems)))
                    continue
                rows.append(row)
    except FileError as error:
        raise ImportRefused(error.message) from error
    if total_errors:
        raise ImportRefused(
            _("Filen har rækker med fejl. Intet er indlæst."), errors=errors, total=total_errors
        )
    if not rows:
        raise ImportRefused(_("Filen har ingen rækker med brugere."))
    return rows


def _row(
    number: int,
    cells: dict[str, Any],
    problems: list[str],
    *,
    units: dict[str, int],
    fora: dict[str, int],
    limits: tuple[int, int, int],
) -> UserRow:
    name_max, title_max, email_max = limits
    name = _text(cells.get("name"), _("navn"), problems, max_length=name_max, required=True)
    email = _text(cells.get("email"), _("e-mail"), problems, max_length=email_max, required=True)
    email = email.lower()
    if email and not problems:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("e-mailadressen '%(value)s' er ikke gyldig") % {"value": email})
    title = _text(cells.get("title"), _("funktion"), problems, max_length=title_max, required=False)
    unit_text = _text(cells.get("unit"), _("enhed"), problems, max_length=200, required=False)
    unit_id = None
    if unit_text:
        unit_id = units.get(unit_text.lower())
        if unit_id is None:
            problems.append(_("enheden '%(value)s' findes ikke i kommunen") % {"value": unit_text})
    sector_text = _text(cells.get("sector"), _("sektor"), problems, max_length=100, required=True)
    sector = SECTORS.get(norm_header(sector_text), "")
    if sector_text and not sector:
        problems.append(_("sektoren '%(value)s' kendes ikke") % {"value": sector_text})
    authority_text = str(cells.get("authority") or "").strip().lower()
    if authority_text not in YES | NO:
        problems.append(
            _("myndighedsperson skal være ja eller nej, ikke '%(value)s'")
            % {"value": authority_text[:50]}
        )
    fora_text = _text(cells.get("fora"), _("fora"), problems, max_length=2000, required=False)
    forum_ids: list[int] = []
    for part in FORUM_SEPARATORS.split(fora_text):
        wanted = part.strip()
        if not wanted:
            continue
        forum_id = fora.get(wanted.lower())
        if forum_id is None:
            problems.append(_("forummet '%(value)s' findes ikke i kommunen") % {"value": wanted})
        elif forum_id not in forum_ids:
            forum_ids.append(forum_id)
    role_text = _text(cells.get("role"), _("rolle"), problems, max_length=100, required=False)
    membership_role = MEMBERSHIP_ROLES.get(norm_header(role_text), "") if role_text else "member"
    if role_text and not membership_role:
        problems.append(_("rollen '%(value)s' kendes ikke") % {"value": role_text})
    access_text = _text(
        cells.get("access_role"), _("adgangsrolle"), problems, max_length=100, required=False
    )
    access_role = ACCESS_ROLES.get(norm_header(access_text), "") if access_text else ""
    if access_text and not access_role:
        problems.append(_("adgangsrollen '%(value)s' kendes ikke") % {"value": access_text})
    return UserRow(
        row=number,
        name=name,
        email=email,
        unit_id=unit_id,
        title=title,
        sector=sector,
        is_authority=authority_text in YES,
        forum_ids=forum_ids,
        membership_role=membership_role or MembershipRole.MEMBER,
        access_role=access_role,
    )


def _members_by_email(municipality: Municipality) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for member in Member.objects.filter(municipality=municipality).select_related("user"):
        for address in (member.email, member.user.email if member.user else ""):
            if address:
                members.setdefault(address.lower(), member)
    return members


def plan_import(
    *,
    rows: list[UserRow],
    municipality: Municipality,
    allow_elevated: bool,
    actor_user: User | None = None,
) -> Plan:
    """What importing `rows` would do now. Raises ImportRefused for rows that cannot be done
    (an address used by a user outside the municipality; a raised role without confirmation)."""
    members = _members_by_email(municipality)
    emails = [row.email for row in rows]
    taken = set(
        User.objects.annotate(e=Lower("email"), u=Lower("username"))
        .filter(Q(e__in=emails) | Q(u__in=emails))
        .exclude(member__municipality=municipality)
        .values_list("u", flat=True)
    ) | set(
        User.objects.annotate(e=Lower("email"))
        .filter(e__in=emails)
        .exclude(member__municipality=municipality)
        .values_list("e", flat=True)
    )
    units = dict(Unit.objects.filter(municipality=municipality).values_list("pk", "name"))
    fora = dict(Forum.objects.filter(municipality=municipality).values_list("pk", "name"))
    current = set(
        Membership.objects.current()
        .filter(member__municipality=municipality)
        .values_list("member_id", "forum_id")
    )
    sector_labels = dict(Sector.choices)
    role_labels = dict(AccessRole.choices)
    plan = Plan()
    errors: list[RowError] = []
    in_file: set[int] = set()
    for row in rows:
        member = members.get(row.email)
        problems: list[str] = []
        if member is None and row.email in taken:
            problems.append(_("e-mailadressen bruges af en bruger uden for kommunen"))
        role = row.access_role or (member.access_role if member else AccessRole.EMPLOYEE)
        old_role = member.access_role if member else AccessRole.EMPLOYEE
        old_authority = member.is_authority if member else False
        user = member.user if member is not None else None
        if (
            user is not None
            and user.is_superuser
            and not (actor_user is not None and actor_user.is_superuser)
        ):
            problems.append(_("brugeren kan kun ændres af en superbruger"))
        if (
            user is not None
            and actor_user is not None
            and user.pk == actor_user.pk
            and (role != old_role or row.is_authority != old_authority)
        ):
            problems.append(
                _("du kan ikke ændre din egen adgangsrolle eller myndighed: en anden skal gøre det")
            )
        # Raised access: a role above employee/politician given or taken, an employee made an
        # authority person (who then sees personal data about children), or a deactivated login
        # with such access brought back.
        raised = (
            (role != old_role and (role not in PLAIN_ROLES or old_role not in PLAIN_ROLES))
            or (row.is_authority and not old_authority)
            or (
                user is not None
                and not user.is_active
                and (role not in PLAIN_ROLES or row.is_authority)
            )
        )
        if raised:
            plan.elevated += 1
            if not allow_elevated:
                problems.append(
                    _(
                        "adgangsrollen '%(role)s' gives kun, når du bekræfter det i feltet "
                        "om adgangsroller"
                    )
                    % {"role": role_labels.get(role, role)}
                )
        if problems:
            if len(errors) < MAX_REPORTED_ROWS:
                errors.append(RowError(row.row, "; ".join(problems)))
            continue
        if member is None:
            plan.new.append(
                {
                    "row": row.row,
                    "name": row.name,
                    "email": row.email,
                    "unit": units.get(row.unit_id or 0, ""),
                    "sector": str(sector_labels.get(row.sector, row.sector)),
                    "access_role": str(role_labels.get(role, role)),
                }
            )
        else:
            in_file.add(member.pk)
            changes = _changes(member, row, role, units=units, labels=(sector_labels, role_labels))
            if changes:
                plan.changed.append(
                    {
                        "member_id": member.pk,
                        "row": row.row,
                        "name": member.name,
                        "email": row.email,
                        "changes": [asdict(change) for change in changes],
                    }
                )
            else:
                plan.unchanged += 1
        added = [fid for fid in row.forum_ids if member is None or (member.pk, fid) not in current]
        if added:
            plan.memberships.append(
                {"row": row.row, "email": row.email, "fora": [fora[fid] for fid in added]}
            )
    if errors:
        raise ImportRefused(
            _("Filen har rækker med fejl. Intet er indlæst."), errors=errors, total=len(errors)
        )
    candidates = (
        Member.objects.filter(municipality=municipality, user__is_active=True)
        .exclude(pk__in=in_file)
        .order_by("name", "pk")
    )
    if actor_user is not None:
        candidates = candidates.exclude(user=actor_user)
    if actor_user is None or not actor_user.is_superuser:
        # A superuser's login is the platform operator's, not the municipality's to end.
        candidates = candidates.exclude(user__is_superuser=True)
    plan.deactivatable_total = candidates.count()
    plan.deactivatable = [
        {"member_id": pk, "name": name, "email": email}
        for pk, name, email in candidates.values_list("pk", "name", "email")[
            :MAX_DEACTIVATION_CANDIDATES
        ]
    ]
    return plan


def _changes(
    member: Member,
    row: UserRow,
    role: str,
    *,
    units: dict[int, str],
    labels: tuple[dict[str, Any], dict[str, Any]],
) -> list[Change]:
    sector_labels, role_labels = labels
    yes, no = _("ja"), _("nej")
    pairs = [
        (_("navn"), member.name, row.name),
        (_("funktion"), member.title, row.title),
        (
            _("enhed"),
            units.get(member.unit_id or 0, ""),
            units.get(row.unit_id or 0, ""),
        ),
        (
            _("sektor"),
            str(sector_labels.get(member.sector, member.sector)),
            str(sector_labels.get(row.sector, row.sector)),
        ),
        (
            _("myndighedsperson"),
            yes if member.is_authority else no,
            yes if row.is_authority else no,
        ),
        (
            _("adgangsrolle"),
            str(role_labels.get(member.access_role, member.access_role)),
            str(role_labels.get(role, role)),
        ),
    ]
    changes = [Change(name, old, new) for name, old, new in pairs if old != new]
    if member.user is None:
        changes.append(Change(_("login"), _("intet"), _("oprettes og inviteres")))
    elif not member.user.is_active:
        changes.append(Change(_("aktiv"), no, _("ja (genaktiveres)")))
    return changes


def _token_key(token: str) -> str:
    return hashlib.sha256(f"ssp-bulk-users|{token}".encode()).hexdigest()


@dataclass
class Applied:
    created: int
    updated: int
    memberships: int
    deactivated: int
    invited_user_ids: list[int]


@transaction.atomic
def apply_import(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    actor_user: User | None,
    municipality: Municipality,
    rows: list[UserRow],
    token: str,
    fingerprint: str,
    allow_elevated: bool,
    deactivate_member_ids: Iterable[int] = (),
) -> Applied:
    """Do exactly the previewed plan, once: the token is spent in this transaction (a second
    click finds it spent: AlreadyApplied), and a plan that differs from the preview (someone
    changed the members meanwhile) is refused. New users get an invitation after the commit."""
    try:
        with transaction.atomic():
            PublicFormThrottle.objects.create(key=_token_key(token), window_start=timezone.now())
    except IntegrityError as exc:
        raise AlreadyApplied(_("Filen er allerede gennemført.")) from exc
    # Two previews applied at once: the second waits here and then finds its plan changed.
    Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
    plan = plan_import(
        rows=rows, municipality=municipality, allow_elevated=allow_elevated, actor_user=actor_user
    )
    if plan.fingerprint != fingerprint:
        raise DomainError(
            _("Brugerne er ændret, siden forhåndsvisningen blev vist. Indlæs filen igen.")
        )
    members = _members_by_email(municipality)
    now = timezone.now()
    new_rows = [row for row in rows if row.email not in members]
    new_users = [
        User(
            username=row.email,
            email=row.email,
            first_name=row.name.partition(" ")[0][:150],
            last_name=row.name.partition(" ")[2][:150],
            password=make_password(None),
            date_joined=now,
        )
        for row in new_rows
    ]
    # Existing members without a login get one too.
    unlinked = [
        (row, members[row.email])
        for row in rows
        if row.email in members and members[row.email].user is None
    ]
    new_users += [
        User(
            username=row.email,
            email=row.email,
            first_name=row.name.partition(" ")[0][:150],
            last_name=row.name.partition(" ")[2][:150],
            password=make_password(None),
            date_joined=now,
        )
        for row, _member in unlinked
    ]
    User.objects.bulk_create(new_users)
    user_ids = dict(
        User.objects.filter(username__in=[user.username for user in new_users]).values_list(
            "username", "pk"
        )
    )
    Member.objects.bulk_create(
        [
            Member(
                user_id=user_ids[row.email],
                municipality=municipality,
                name=row.name,
                title=row.title,
                unit_id=row.unit_id,
                sector=row.sector,
                access_role=row.access_role or AccessRole.EMPLOYEE,
                is_authority=row.is_authority,
                email=row.email,
            )
            for row in new_rows
        ]
    )
    changed_ids = {item["member_id"] for item in plan.changed}
    to_update: list[Member] = []
    reactivate: list[int] = []
    for row in rows:
        member = members.get(row.email)
        if member is None or member.pk not in changed_ids:
            continue
        member.name, member.title, member.unit_id = row.name, row.title, row.unit_id
        member.sector, member.is_authority = row.sector, row.is_authority
        member.access_role = row.access_role or member.access_role
        if member.user is None:
            member.user_id = user_ids[row.email]
        elif not member.user.is_active:
            reactivate.append(member.user.pk)
        to_update.append(member)
    Member.objects.bulk_update(
        to_update,
        ["name", "title", "unit_id", "sector", "is_authority", "access_role", "user_id"],
        batch_size=500,
    )
    if reactivate:
        # Back with a new invitation, not with the password they had (which an old link or a
        # former holder might know).
        for user in User.objects.filter(pk__in=reactivate):
            user.is_active = True
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
    member_ids = dict(
        Member.objects.filter(municipality=municipality).values_list(Lower("email"), "pk")
    )
    for member in members.values():
        if member.user is not None:
            member_ids.setdefault(member.user.email.lower(), member.pk)
    current = set(
        Membership.objects.current()
        .filter(member__municipality=municipality)
        .values_list("member_id", "forum_id")
    )
    memberships = [
        Membership(forum_id=fid, member_id=member_ids[row.email], role=row.membership_role)
        for row in rows
        for fid in row.forum_ids
        if (member_ids[row.email], fid) not in current
    ]
    Membership.objects.bulk_create(memberships, batch_size=500)
    allowed = {item["member_id"] for item in plan.deactivatable}
    deactivated = 0
    for member in Member.objects.filter(
        pk__in=[pk for pk in deactivate_member_ids if pk in allowed], user__isnull=False
    ).select_related("user"):
        if member.user is not None and services.deactivate_user(user=member.user, actor=actor):
            deactivated += 1
    invited = sorted({*user_ids.values(), *reactivate})
    record_event(
        actor=actor,
        action=AuditAction.USERS_IMPORTED,
        object_type="organisation.municipality",
        object_id=str(municipality.pk),
        municipality_id=municipality.pk,
        data={
            "created": len(new_rows),
            "updated": len(to_update),
            "memberships": len(memberships),
            "deactivated": deactivated,
            "invited": len(invited),
        },
    )
    from ssp.accounts import password_reset

    drop_pending(token)
    transaction.on_commit(partial(password_reset.enqueue_invitations, invited))
    return Applied(
        created=len(new_rows),
        updated=len(to_update),
        memberships=len(memberships),
        deactivated=deactivated,
        invited_user_ids=invited,
    )


@dataclass
class Pending:
    """A previewed import waiting for "Gennemfør"."""

    token: str
    user_id: int
    municipality_id: int
    rows: list[UserRow]
    fingerprint: str
    allow_elevated: bool


PENDING_KIND = "ssp-bulk-users"
PENDING_SECONDS = 2 * 60 * 60
TOKEN_MAX_LENGTH = 64


def store_pending(
    *,
    user_id: int,
    municipality_id: int,
    rows: list[UserRow],
    plan: Plan,
    allow_elevated: bool,
) -> str:
    """Keep the previewed rows on the server (a database session record of its own, shared by
    every server process, expiring after `PENDING_SECONDS`); its key is the one-time token."""
    store = SessionStore()
    store.update(
        {
            "kind": PENDING_KIND,
            "user_id": user_id,
            "municipality_id": municipality_id,
            "rows": [asdict(row) for row in rows],
            "fingerprint": plan.fingerprint,
            "allow_elevated": allow_elevated,
        }
    )
    store.set_expiry(PENDING_SECONDS)
    store.create()
    return str(store.session_key)


def load_pending(token: str, *, user_id: int) -> Pending | None:
    """The user's own previewed import under `token`, or None (unknown, expired, applied, or
    someone else's)."""
    if not token or len(token) > TOKEN_MAX_LENGTH or not token.isalnum():
        return None
    data = SessionStore(session_key=token).load()
    if data.get("kind") != PENDING_KIND or data.get("user_id") != user_id:
        return None
    return Pending(
        token=token,
        user_id=user_id,
        municipality_id=int(data["municipality_id"]),
        rows=[UserRow(**item) for item in data["rows"]],
        fingerprint=str(data["fingerprint"]),
        allow_elevated=bool(data["allow_elevated"]),
    )


def drop_pending(token: str) -> None:
    if token and len(token) <= TOKEN_MAX_LENGTH and token.isalnum():
        SessionStore(session_key=token).delete()


@transaction.atomic
def record_preview(
    *, actor: AbstractBaseUser | AnonymousUser | None, municipality: Municipality, plan: Plan
) -> None:
    """The preview shows members' names and addresses: who looked is recorded (counts only)."""
    record_event(
        actor=actor,
        action=AuditAction.USERS_IMPORT_PREVIEWED,
        object_type="organisation.municipality",
        object_id=str(municipality.pk),
        municipality_id=municipality.pk,
        data={
            "new": len(plan.new),
            "changed": len(plan.changed),
            "memberships": plan.membership_count,
            "not_in_file": plan.deactivatable_total,
        },
    )
