"""Where a concern or a case goes (R1, R2, R3): the right forum, always.

- A concern about a group or a place goes to the local forum of its school district (R2), as
  before: `default_forum_for`; a general (green) one to the forum the municipality names for
  general prevention, if it names one (issue 16, `general_prevention_forum`).
- A named person's concern or case goes only to a forum that may discuss individuals
  (`Forum.may_discuss_individuals`). A local forum that may not (Høje-Taastrup's Områdegrupper:
  "kan dette kun ske ved nedsættelse af Ad hoc handlegrupper"; Faxe's local SSP groups) sends
  its individual matters where the municipality's rule says: its SSP team, its coordination
  group, or an ad hoc group set up from it (then to the forum that sets those groups up, and
  the local forum hears of it as "behandles i ad hoc handlegruppe").

The rule is stored per municipality in `Municipality.rules["individual_matters"]`, written by
the preset (`individual_matters` on a forum in `ssp/organisation/presets/*.yaml`):
``{"<local forum key>": {"forum": "<forum key>", "adhoc_group": false}}``. A forum that may
discuss individuals keeps its own; a rule that names a forum which may not (or no longer
exists) is passed over for the municipality's SSP team or coordination group that may.

The local forum that hands its named matters on learns of them on its agenda as an anonymous
number (`ssp/meetings/services.py`, the agenda job), never the concern itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ssp.cases.models import PRIMARY_STATEMENTS, RISK_FACTORS, Level
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.configuration import INDIVIDUAL_MATTERS_RULE
from ssp.organisation.models import Forum, ForumType, Municipality, SchoolDistrict

# The fora a concern goes to by its school district (R2), as the presets know them.
LOCAL_FORUM_TYPES = configuration.LOCAL_FORUM_TYPES
FALLBACK_FORUM_TYPES = (ForumType.SSP_TEAM, ForumType.KOORDINATIONSGRUPPE)


@dataclass(frozen=True)
class IndividualMattersRule:
    """Where a local forum's individual matters go: the forum's key, and whether they are
    worked on there in an ad hoc group set up from the local forum (Høje-Taastrup)."""

    forum_key: str
    adhoc_group: bool = False


def individual_matters_rules(municipality: Municipality) -> dict[str, IndividualMattersRule]:
    """The municipality's rule, read leniently: an entry that is not a mapping with a forum key
    (an edit by hand in the admin) is left out, and its forum falls back like one without."""
    raw = municipality.rule(INDIVIDUAL_MATTERS_RULE) or {}
    rules: dict[str, IndividualMattersRule] = {}
    if not isinstance(raw, Mapping):
        return rules
    for origin, entry in raw.items():
        if isinstance(entry, Mapping) and isinstance(entry.get("forum"), str):
            rules[str(origin)] = IndividualMattersRule(
                forum_key=entry["forum"], adhoc_group=bool(entry.get("adhoc_group", False))
            )
    return rules


def _active(municipality: Municipality) -> QuerySet[Forum]:
    return Forum.objects.filter(municipality=municipality, dissolved_at__isnull=True)


def local_forum_for(municipality: Municipality, district: SchoolDistrict | None) -> Forum | None:
    """The local forum (lokalgruppe, lokaludvalg, områdegruppe) of a school district."""
    if district is None:
        return None
    return (
        _active(municipality)
        .filter(school_district=district, forum_type__in=LOCAL_FORUM_TYPES)
        .order_by("pk")
        .first()
    )


def default_forum_for(municipality: Municipality, district: SchoolDistrict | None) -> Forum | None:
    """R2: by default the local group of the young person's school district; without one the
    SSP team or the coordination group, else any local group. Whether the forum may discuss a
    named person is decided by `individual_route_from` (see `forum_for_concern`)."""
    forum = local_forum_for(municipality, district)
    if forum is not None:
        return forum
    active = _active(municipality)
    for forum_type in FALLBACK_FORUM_TYPES:
        forum = active.filter(forum_type=forum_type).order_by("pk").first()
        if forum is not None:
            return forum
    return active.filter(forum_type__in=LOCAL_FORUM_TYPES).order_by("pk").first()


@dataclass(frozen=True)
class IndividualRoute:
    """Where a named person's matter from `origin` goes. `forum` may discuss individuals, or is
    None: then no forum of the municipality may, and the matter stays with the SSP staff (who
    see every concern) until they route it."""

    origin: Forum | None
    forum: Forum | None
    adhoc_group: bool = False

    @property
    def handed_on(self) -> bool:
        """The origin does not keep its named matters: they are handled elsewhere."""
        if self.origin is None:
            return False
        return self.forum is None or self.forum.pk != self.origin.pk


def _fallback_individual_forum(municipality: Municipality) -> Forum | None:
    """Without a (usable) rule: the SSP team, else the coordination group, that may discuss
    individuals."""
    active = _active(municipality).filter(may_discuss_individuals=True)
    for forum_type in FALLBACK_FORUM_TYPES:
        forum = active.filter(forum_type=forum_type).order_by("pk").first()
        if forum is not None:
            return forum
    return None


def individual_route_from(origin: Forum | None, *, municipality: Municipality) -> IndividualRoute:
    """R1/R3: where a named person's concern or case from `origin` goes. A forum that may
    discuss individuals keeps it; otherwise the municipality's rule for `origin` decides, and
    without a usable rule the SSP team or coordination group that may."""
    if origin is not None and origin.may_discuss_individuals and origin.dissolved_at is None:
        return IndividualRoute(origin=origin, forum=origin)
    rule = individual_matters_rules(municipality).get(origin.key) if origin is not None else None
    if rule is not None and origin is not None and origin.municipality_id == municipality.pk:
        target = (
            _active(municipality)
            .filter(key=rule.forum_key, may_discuss_individuals=True)
            .exclude(forum_type=ForumType.ADHOC)
            .first()
        )
        if target is not None:
            return IndividualRoute(origin=origin, forum=target, adhoc_group=rule.adhoc_group)
    return IndividualRoute(origin=origin, forum=_fallback_individual_forum(municipality))


def general_prevention_forum(municipality: Municipality) -> Forum | None:
    """Issue 16: the forum the municipality names for general prevention (its rule
    `general_prevention_forum`, a forum key), if it names an active one."""
    key = municipality.rule(configuration.GENERAL_PREVENTION_FORUM_RULE)
    if not isinstance(key, str) or not key:
        return None
    return (
        _active(municipality).filter(key=key).exclude(forum_type=ForumType.ADHOC).order_by("pk")
    ).first()


def forum_for_concern(
    municipality: Municipality,
    district: SchoolDistrict | None,
    *,
    named: bool,
    level: str | None = None,
) -> Forum | None:
    """R2 for groups and places (`default_forum_for`), R1/R3 for a named person: only a forum
    that may discuss individuals, by the municipality's rule from the district's local forum.

    Issue 16 (Balvig's levels, Fredericia): a general (green) concern about a group or a place
    goes to the forum named for general prevention (`general_prevention_forum`); without one
    (no rule, or its forum dissolved) the rule above applies."""
    if not named and level == Level.GREEN:
        general = general_prevention_forum(municipality)
        if general is not None:
            return general
    origin = default_forum_for(municipality, district)
    if not named:
        return origin
    return individual_route_from(origin, municipality=municipality).forum


def forum_for_named_matter_from(forum: Forum) -> Forum | None:
    """Where a named matter sent to `forum` belongs: `forum` itself if it may discuss
    individuals, else where the municipality's rule sends its individual matters."""
    if forum.municipality is None:
        return forum if forum.may_discuss_individuals else None
    return individual_route_from(forum, municipality=forum.municipality).forum


def check_may_take_named_matter(forum: Forum) -> None:
    """The services' re-check: a named person's concern or case never goes to a forum that may
    not discuss individuals."""
    if not forum.may_discuss_individuals:
        raise DomainError(
            _(
                "%(forum)s må ikke drøfte navngivne personer. Vælg et forum, der må drøfte "
                "enkeltpersoner."
            )
            % {"forum": forum.name}
        )


def risk_factor_only() -> Q:
    """The concerns the worksheet rule puts up for a forum's decision (R2, Fredericia: only risk
    factors, no primary statement), by their stored answers rather than their status, which
    moves on once the forum has decided."""
    risk = ~Q(other_factor="")
    for name, _label in RISK_FACTORS:
        risk |= Q(**{name: True})
    primary: dict[str, Any] = {name: False for name, _label in PRIMARY_STATEMENTS}
    return Q(has_worksheet=True) & risk & Q(**primary)
