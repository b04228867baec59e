"""Presets: a municipality's SSP organisation as a data file (R1), one YAML file per municipality.

`load_preset` validates the whole file first (schema and cross-references) and then writes it in
one transaction, so a broken file writes nothing. Loading the same file twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from django.db import models, transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ssp.errors import DomainError
from ssp.organisation.configuration import INDIVIDUAL_MATTERS_RULE, LOCAL_FORUM_TYPES
from ssp.organisation.models import (
    AccessRole,
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    ForwardingLine,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    PoliceDistrict,
    RuleVersion,
    SchoolDistrict,
    Seat,
    Sector,
    Unit,
    UnitKind,
)

PRESET_DIR = Path(__file__).resolve().parent / "presets"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
MUNICIPALITY_SCOPE: Literal["municipality"] = "municipality"  # a forum owned by a municipality
POLICE_DISTRICT_SCOPE: Literal["police_district"] = "police_district"  # e.g. the Kredsråd


class PresetError(DomainError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PoliceDistrictSpec(_Strict):
    name: str = Field(min_length=1)
    slug: str = Field(pattern=SLUG_PATTERN)


class RulesSpec(_Strict):
    case_levels: bool = False
    social_services_lead_levels: list[int] = Field(default_factory=list)
    red_level_coordinator_authority: bool = False
    family_meeting_deadline_days: int = Field(default=7, ge=1, le=365)
    # The law's limit (issue 16): a municipality may shorten it, never lengthen it.
    network_council_deadline_days: int = Field(default=7, ge=1, le=7)
    police_review_weekday: int | None = Field(default=None, ge=0, le=6)
    concern_count_period_days: int | None = Field(default=None, ge=1, le=365)
    absence_threshold_percent: int = Field(default=10, ge=1, le=100)
    retention_years_after_close: int = Field(default=5, ge=1, le=50)
    # Concerns dropped without a case, and police-list and absence rows never turned into a case.
    retention_years_dropped_concern: int = Field(default=1, ge=1, le=50)
    retention_years_police_list: int = Field(default=1, ge=1, le=50)
    retention_years_absence: int = Field(default=1, ge=1, le=50)
    # R4: from this age the young person's own consent is recorded besides the custody holders'.
    own_consent_age: int = Field(default=15, ge=10, le=18)
    # The duty of confidentiality users acknowledge; empty: the platform's default text.
    confidentiality_text: str = Field(default="", max_length=10_000)
    non_authority_leave_named_items: bool = True
    # Issue 14: the invitation with the agenda goes out this many days before a meeting.
    agenda_days_before: int = Field(default=7, ge=1, le=60)
    # Issue 16: the key of the forum general (green) concerns go to; the worksheet's help texts
    # ({risk factor or statement name: text}); see ssp/organisation/configuration.py.
    general_prevention_forum: str = Field(default="", max_length=100)
    risk_factor_help: dict[str, str] = Field(default_factory=dict)


class MunicipalitySpec(_Strict):
    name: str = Field(min_length=1)
    slug: str = Field(pattern=SLUG_PATTERN)
    police_district: PoliceDistrictSpec
    target_age_min: int = Field(ge=0, le=30)
    target_age_max: int = Field(ge=0, le=30)
    ssp_plus_age_min: int | None = Field(default=None, ge=0, le=40)
    ssp_plus_age_max: int | None = Field(default=None, ge=0, le=40)
    description: str = ""
    concern_contact: str = ""
    rules: RulesSpec = Field(default_factory=RulesSpec)

    @model_validator(mode="after")
    def _ages(self) -> MunicipalitySpec:
        if self.target_age_min > self.target_age_max:
            raise ValueError("target_age_min must not be greater than target_age_max")
        if (self.ssp_plus_age_min is None) != (self.ssp_plus_age_max is None):
            raise ValueError("ssp_plus_age_min and ssp_plus_age_max must be given together")
        return self


class SchoolDistrictSpec(_Strict):
    slug: str = Field(pattern=SLUG_PATTERN, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class UnitSpec(_Strict):
    slug: str = Field(pattern=SLUG_PATTERN, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    sector: Sector
    district: str | None = None


class SeatSpec(_Strict):
    function: str = Field(min_length=1, max_length=300)
    role: MembershipRole
    sector: Sector
    votes: bool = False
    authority: bool = False
    count_min: int = Field(default=1, ge=0, le=100)
    count_max: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _counts(self) -> SeatSpec:
        if self.count_min > self.count_max:
            raise ValueError("count_min must not be greater than count_max")
        return self


class IndividualMattersSpec(_Strict):
    """R1/R3: where a forum that may not discuss named persons sends its individual matters:
    a forum of the municipality that may (its SSP team, its coordination group), and whether
    they are worked on there in an ad hoc group set up from this forum (Høje-Taastrup)."""

    to: str = Field(pattern=SLUG_PATTERN, max_length=100)
    adhoc_group: bool = False


class ForwardSpec(_Strict):
    """A line the forum's approved minutes go along besides up to `reports_to` (issue 14):
    down to a forum (`to`), or by e-mail to a recipient outside the platform (`name`, `email`),
    as the source names them (Høje-Taastrup: the Kredsråd informs the city council and the
    police management; its minutes go down to the Lokalråd)."""

    direction: Literal["down", "external"]
    to: str | None = Field(default=None, pattern=SLUG_PATTERN, max_length=100)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @model_validator(mode="after")
    def _target(self) -> ForwardSpec:
        if self.direction == "down" and (self.to is None or self.email is not None):
            raise ValueError("a line down names a forum ('to') and no e-mail")
        if self.direction == "external" and (
            self.to is not None or not self.email or not self.name
        ):
            raise ValueError("an external line names a recipient ('name') and an 'email'")
        return self


class DistrictMemberSpec(_Strict):
    """Issue 16: a member of the police district's forum (the Kredsråd) who belongs to the
    district, not to a municipality on the platform: the police director, the mayors of the
    district's other municipalities. Loaded as a `Member` of the district with a membership in
    the seat named by `seat` (matched on name and district: loading twice adds nothing)."""

    name: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=200)
    sector: Sector
    seat: str = Field(min_length=1, max_length=300)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ForumSpec(_Strict):
    key: str = Field(pattern=SLUG_PATTERN, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    type: ForumType
    scope: Literal["municipality", "police_district"] = MUNICIPALITY_SCOPE
    level: ForumLevel
    cadence: Cadence
    reports_to: str | None = None
    may_discuss_individuals: bool = False
    individual_matters: IndividualMattersSpec | None = None
    district: str | None = None
    purpose: str = ""
    term: str | None = Field(default=None, max_length=300)
    chair_term_years: int | None = Field(default=None, ge=1, le=10)
    pre_meeting: bool = False
    protocol_signed: bool = False
    protocol_public: bool = False
    annual_event: str | None = Field(default=None, max_length=300)
    standing_items: list[str] = Field(default_factory=list)
    seats: list[SeatSpec] = Field(default_factory=list)
    # Issue 14: meetings a year for cadence "per_year" ("ca. 5 gange årligt"); the decision
    # numbers' prefix; the vote rules (who votes: the seats' `votes`); the seats' functions that
    # attend the pre-meeting; further forwarding lines.
    meetings_a_year: int | None = Field(default=None, ge=1, le=52)
    decision_prefix: str = Field(default="", max_length=10)
    quorum: Literal["", "half"] = ""
    votes_by_name: bool = False
    pre_meeting_participants: list[str] = Field(default_factory=list)
    forward: list[ForwardSpec] = Field(default_factory=list)
    # Issue 16: the members from outside the platform (a police district's forum only).
    district_members: list[DistrictMemberSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cadence(self) -> ForumSpec:
        if (self.cadence == Cadence.PER_YEAR) != (self.meetings_a_year is not None):
            raise ValueError("meetings_a_year is given with cadence per_year, and only then")
        return self


class PresetSpec(_Strict):
    municipality: MunicipalitySpec
    school_districts: list[SchoolDistrictSpec] = Field(default_factory=list)
    units: list[UnitSpec] = Field(default_factory=list)
    fora: list[ForumSpec] = Field(min_length=1)


def available_presets() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


SpecT = TypeVar("SpecT", bound=BaseModel)


def read_spec(path: Path, spec_type: type[SpecT]) -> SpecT:
    """A YAML data file read and validated against `spec_type`; PresetError naming the file
    and each field that is wrong (shared by the organisation's and prevention's presets)."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PresetError(_("Skabelonen %(file)s findes ikke.") % {"file": name}) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PresetError(
            _("%(file)s er ikke gyldig YAML: %(error)s") % {"file": name, "error": exc}
        ) from exc
    if not isinstance(raw, dict):
        raise PresetError(_("%(file)s: filen skal indeholde en mapping.") % {"file": name})
    try:
        return spec_type.model_validate(raw)
    except ValidationError as exc:
        lines = [
            _("%(file)s: feltet %(field)s: %(error)s")
            % {"file": name, "field": _location(error["loc"]), "error": error["msg"]}
            for error in exc.errors()
        ]
        raise PresetError("\n".join(lines)) from exc


def parse_preset(path: Path) -> PresetSpec:
    """Read and validate a preset file; raise PresetError naming the file and the field."""
    name = path.name
    spec = read_spec(path, PresetSpec)
    problems: list[str] = []
    district_slugs = [district.slug for district in spec.school_districts]
    forum_keys = [forum.key for forum in spec.fora]
    for duplicate in _duplicates(district_slugs):
        problems.append(f"school_districts: slug '{duplicate}' is used twice")
    for duplicate in _duplicates([unit.slug for unit in spec.units]):
        problems.append(f"units: slug '{duplicate}' is used twice")
    for duplicate in _duplicates(forum_keys):
        problems.append(f"fora: key '{duplicate}' is used twice")
    for index, unit in enumerate(spec.units):
        if unit.district is not None and unit.district not in district_slugs:
            problems.append(f"units[{index}].district: unknown school district '{unit.district}'")
    for index, forum in enumerate(spec.fora):
        if forum.district is not None and forum.district not in district_slugs:
            problems.append(f"fora[{index}].district: unknown school district '{forum.district}'")
        if forum.reports_to is not None and forum.reports_to not in forum_keys:
            problems.append(f"fora[{index}].reports_to: unknown forum '{forum.reports_to}'")
        if forum.reports_to == forum.key:
            problems.append(f"fora[{index}].reports_to: a forum cannot report to itself")
        for duplicate in _duplicates([seat.function for seat in forum.seats]):
            problems.append(f"fora[{index}].seats: function '{duplicate}' is used twice")
        functions = {seat.function for seat in forum.seats}
        for function in forum.pre_meeting_participants:
            if function not in functions:
                problems.append(
                    f"fora[{index}].pre_meeting_participants: no seat with function '{function}'"
                )
        if forum.pre_meeting_participants and not forum.pre_meeting:
            problems.append(
                f"fora[{index}].pre_meeting_participants: the forum holds no pre-meeting"
            )
        for line_index, line in enumerate(forum.forward):
            if line.to is not None and line.to not in forum_keys:
                problems.append(
                    f"fora[{index}].forward[{line_index}].to: unknown forum '{line.to}'"
                )
            if line.to == forum.key:
                problems.append(f"fora[{index}].forward[{line_index}].to: not to itself")
        problems.extend(_individual_matters_problems(spec, index))
        problems.extend(_district_member_problems(forum, index))
    if problems:
        raise PresetError("\n".join(f"{name}: {problem}" for problem in problems))
    return spec


def _district_member_problems(forum: ForumSpec, index: int) -> list[str]:
    """Issue 16: district members sit only in a police district's forum, in one of its seats,
    each once, and no more of them in a seat than it has places."""
    where = f"fora[{index}].district_members"
    if not forum.district_members:
        return []
    if forum.scope != POLICE_DISTRICT_SCOPE:
        return [f"{where}: only a police district's forum has members of the district"]
    problems = [
        f"{where}: name '{duplicate}' is used twice"
        for duplicate in _duplicates([person.name for person in forum.district_members])
    ]
    seats = {seat.function: seat for seat in forum.seats}
    taken = Counter(person.seat for person in forum.district_members)
    for position, person in enumerate(forum.district_members):
        if person.seat not in seats:
            problems.append(f"{where}[{position}].seat: no seat with function '{person.seat}'")
    for function, count in taken.items():
        if function in seats and count > seats[function].count_max:
            problems.append(f"{where}: more members than places in seat '{function}'")
    return problems


def _individual_matters_problems(spec: PresetSpec, index: int) -> list[str]:
    """R1/R3: every local forum that may not discuss named persons says where its individual
    matters go, and that forum may discuss them."""
    forum = spec.fora[index]
    where = f"fora[{index}].individual_matters"
    rule = forum.individual_matters
    if rule is None:
        if (
            forum.type in LOCAL_FORUM_TYPES
            and forum.scope == MUNICIPALITY_SCOPE
            and not forum.may_discuss_individuals
        ):
            return [
                f"{where}: a local forum that may not discuss individuals must say where "
                "its individual matters go"
            ]
        return []
    if forum.may_discuss_individuals:
        return [f"{where}: only for a forum that may not discuss individuals"]
    target = next((other for other in spec.fora if other.key == rule.to), None)
    if target is None:
        return [f"{where}.to: unknown forum '{rule.to}'"]
    if target.key == forum.key:
        return [f"{where}.to: a forum cannot send its individual matters to itself"]
    if target.scope != MUNICIPALITY_SCOPE or target.type == ForumType.ADHOC:
        return [f"{where}.to: '{rule.to}' must be a standing forum of the municipality"]
    if not target.may_discuss_individuals:
        return [f"{where}.to: '{rule.to}' may not discuss individuals"]
    return []


def individual_matters_rule(spec: PresetSpec) -> dict[str, dict[str, Any]]:
    """The rule as `Municipality.rules["individual_matters"]` stores it (ssp/cases/routing.py)."""
    return {
        forum.key: {
            "forum": forum.individual_matters.to,
            "adhoc_group": forum.individual_matters.adhoc_group,
        }
        for forum in spec.fora
        if forum.individual_matters is not None
    }


@dataclass
class PresetResult:
    municipality: Municipality
    created: int = 0
    updated: int = 0
    deleted: int = 0
    changed_objects: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _sync(
    result: PresetResult,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
) -> Any:
    """Create or update one row; count it only when something really changed."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        result.created += 1
        result.changed_objects.append(f"+ {model._meta.model_name} {obj}")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        result.updated += 1
        result.changed_objects.append(f"~ {model._meta.model_name} {obj}: {', '.join(changed)}")
    return obj


def resolve_preset_path(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise PresetError(_("Ukendt skabelon: %(name)s") % {"name": name})
    path = PRESET_DIR / f"{name}.yaml"
    if not path.exists():
        raise PresetError(
            _("Ukendt skabelon: %(name)s. Mulige: %(names)s")
            % {"name": name, "names": ", ".join(available_presets())}
        )
    return path


@transaction.atomic
def apply_preset(*, spec: PresetSpec, preset_name: str) -> PresetResult:
    """Write a validated preset. Idempotent: a second run changes nothing."""
    m = spec.municipality
    dummy = PresetResult(municipality=Municipality())
    police_district = _sync(
        dummy, PoliceDistrict, {"slug": m.police_district.slug}, {"name": m.police_district.name}
    )
    # Issue 16: once a municipality keeps its rules and ages on its configuration pages (it has
    # a rule version), a reload only adds the rules it does not have yet: the preset file no
    # longer overrides what the municipality decided. Before that the file's rules apply, and a
    # rule the file does not name keeps its stored value.
    existing = Municipality.objects.filter(slug=m.slug).first()
    stored = dict(existing.rules or {}) if existing is not None else {}
    configured = existing is not None and RuleVersion.objects.filter(municipality=existing).exists()
    if configured:
        rules = {**m.rules.model_dump(), **stored}
    else:
        rules = {**m.rules.model_dump(), **stored, **m.rules.model_dump(exclude_unset=True)}
    rules[INDIVIDUAL_MATTERS_RULE] = individual_matters_rule(spec)
    ages: dict[str, int | None] = {
        "target_age_min": m.target_age_min,
        "target_age_max": m.target_age_max,
        "ssp_plus_age_min": m.ssp_plus_age_min,
        "ssp_plus_age_max": m.ssp_plus_age_max,
    }
    if configured and existing is not None:
        ages = {name: getattr(existing, name) for name in ages}
    municipality = _sync(
        dummy,
        Municipality,
        {"slug": m.slug},
        {
            "name": m.name,
            "police_district": police_district,
            **ages,
            "description": m.description,
            "concern_contact": m.concern_contact,
            "rules": rules,
            "preset": preset_name,
        },
    )
    result = PresetResult(
        municipality=municipality,
        created=dummy.created,
        updated=dummy.updated,
        changed_objects=dummy.changed_objects,
    )
    districts = {
        d.slug: _sync(
            result, SchoolDistrict, {"municipality": municipality, "slug": d.slug}, {"name": d.name}
        )
        for d in spec.school_districts
    }
    for unit in spec.units:
        _sync(
            result,
            Unit,
            {"municipality": municipality, "slug": unit.slug},
            {
                "name": unit.name,
                "kind": unit.kind.value,
                "sector": unit.sector.value,
                "school_district": districts[unit.district] if unit.district else None,
            },
        )
    fora: dict[str, Forum] = {}
    for spec_forum in spec.fora:
        owner: dict[str, Any] = (
            {"police_district": police_district, "municipality": None}
            if spec_forum.scope == POLICE_DISTRICT_SCOPE
            else {"municipality": municipality, "police_district": None}
        )
        forum = _sync(
            result,
            Forum,
            {**owner, "key": spec_forum.key},
            {
                "name": spec_forum.name,
                "forum_type": spec_forum.type.value,
                "level": spec_forum.level.value,
                "cadence": spec_forum.cadence.value,
                "may_discuss_individuals": spec_forum.may_discuss_individuals,
                "school_district": districts[spec_forum.district] if spec_forum.district else None,
                "purpose": spec_forum.purpose,
                "term": spec_forum.term or "",
                "chair_term_years": spec_forum.chair_term_years,
                "pre_meeting": spec_forum.pre_meeting,
                "protocol_signed": spec_forum.protocol_signed,
                "protocol_public": spec_forum.protocol_public,
                "annual_event": spec_forum.annual_event or "",
                "standing_items": spec_forum.standing_items,
                "meetings_a_year": spec_forum.meetings_a_year,
                "decision_prefix": spec_forum.decision_prefix,
                "quorum": spec_forum.quorum,
                "votes_by_name": spec_forum.votes_by_name,
                "pre_meeting_participants": spec_forum.pre_meeting_participants,
            },
        )
        fora[spec_forum.key] = forum
        functions = []
        for position, seat in enumerate(spec_forum.seats):
            functions.append(seat.function)
            _sync(
                result,
                Seat,
                {"forum": forum, "function": seat.function},
                {
                    "role": seat.role.value,
                    "sector": seat.sector.value,
                    "has_vote": seat.votes,
                    "is_authority": seat.authority,
                    "count_min": seat.count_min,
                    "count_max": seat.count_max,
                    "position": position,
                },
            )
        removed, _detail = Seat.objects.filter(forum=forum).exclude(function__in=functions).delete()
        result.deleted += removed
    for spec_forum in spec.fora:
        forum = fora[spec_forum.key]
        parent = fora[spec_forum.reports_to] if spec_forum.reports_to else None
        if forum.parent_id != (parent.pk if parent else None):
            forum.parent = parent
            forum.save(update_fields=["parent"])
            result.updated += 1
            result.changed_objects.append(f"~ forum {forum}: parent")
        _sync_lines(result, forum, spec_forum, fora)
        _sync_district_members(result, forum, spec_forum, police_district)
    return result


def _sync_district_members(
    result: PresetResult, forum: Forum, spec_forum: ForumSpec, police_district: PoliceDistrict
) -> None:
    """Issue 16: the forum's members from the police district, matched on name and district
    (loading twice adds nothing). An e-mail is written only when the preset gives one: an
    address the administrator has entered is kept. Memberships the preset no longer names are
    left to the administrator (they end with a date, not a deletion)."""
    seats = {seat.function: seat for seat in Seat.objects.filter(forum=forum)}
    for person in spec_forum.district_members:
        seat = seats[person.seat]
        values: dict[str, Any] = {
            "title": person.title,
            "sector": person.sector.value,
            "access_role": (
                AccessRole.POLITICIAN if person.sector == Sector.POLITICS else AccessRole.EMPLOYEE
            ),
            "is_authority": seat.is_authority,
        }
        if person.email is not None:
            values["email"] = person.email
        member = _sync(
            result,
            Member,
            {"police_district": police_district, "municipality": None, "name": person.name},
            values,
        )
        _sync(
            result,
            Membership,
            {"forum": forum, "member": member},
            {"seat": seat, "role": seat.role, "has_vote": seat.has_vote},
        )


def _sync_lines(
    result: PresetResult, forum: Forum, spec_forum: ForumSpec, fora: dict[str, Forum]
) -> None:
    """The forum's forwarding lines as the preset names them (the line up is `parent`)."""
    kept: list[int] = []
    for line in spec_forum.forward:
        if line.to is not None:
            obj = _sync(
                result,
                ForwardingLine,
                {"forum": forum, "to_forum": fora[line.to]},
                {"direction": line.direction, "recipient_name": "", "recipient_email": ""},
            )
        else:
            obj = _sync(
                result,
                ForwardingLine,
                {"forum": forum, "to_forum": None, "recipient_email": line.email or ""},
                {"direction": line.direction, "recipient_name": line.name or ""},
            )
        kept.append(obj.pk)
    removed, _detail = ForwardingLine.objects.filter(forum=forum).exclude(pk__in=kept).delete()
    result.deleted += removed
