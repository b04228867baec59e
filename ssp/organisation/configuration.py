"""Issue 16: the municipality's configuration, kept by its SSP staff and administrators on their
own pages (`ssp/organisation/config_views.py`) instead of in a shell.

Rules live in `Municipality.rules` (a JSON object whose keys the apps read with
`Municipality.rule(name, default)`), the target ages in their own columns. Every saved change
makes a new numbered `RuleVersion` holding the whole rule set, so that history is not rewritten:
a case closed under version 3 shows, and is judged by, version 3 (`rules_for_case`), while open
cases follow the current rules.

Rule keys added by issue 16 (read by the apps named):
- ``general_prevention_forum``: the key of the forum that general (green) concerns about a group
  or a place go to (`ssp.cases.routing`);
- ``risk_factor_help``: ``{risk factor name: help text}`` shown under the worksheet's risk
  factors in the concern form (`ssp.cases.forms`);
- ``police_review_weekday`` (existing, 0 = Monday): the SSP team's meeting that day holds the
  weekly review (`ssp.meetings.police_review`);
- ``family_meeting_deadline_days`` and ``network_council_deadline_days`` (existing): the latter
  may be shortened, never lengthened beyond the statutory 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.organisation.models import Forum, ForumType, Municipality, RuleVersion, StandingItem
from ssp.validation import has_control_characters, max_length_of
from ssp.versioning import save_versioned

if TYPE_CHECKING:
    from ssp.cases.models import Case

# The law's own limit for the network council (R5): a municipality may be quicker, not slower.
STATUTORY_NETWORK_COUNCIL_DAYS = 7
GENERAL_PREVENTION_FORUM_RULE = "general_prevention_forum"
# The key of the rule in `Municipality.rules` that the presets write and `ssp.cases.routing`
# reads: which forum a named matter goes to.
INDIVIDUAL_MATTERS_RULE = "individual_matters"
# Fora concerns go to by school district (R2); these must say where named matters go (R1/R3).
LOCAL_FORUM_TYPES = (ForumType.LOKALGRUPPE, ForumType.LOKALUDVALG, ForumType.OMRAADEGRUPPE)
RISK_FACTOR_HELP_RULE = "risk_factor_help"


def network_council_days(municipality: Municipality) -> int:
    """The network council's deadline in days: the municipality's rule, never beyond the law's 7
    days (whatever an edit outside the configuration pages stored) and at least 1."""
    try:
        days = int(
            municipality.rule("network_council_deadline_days", STATUTORY_NETWORK_COUNCIL_DAYS)
        )
    except (TypeError, ValueError):
        days = STATUTORY_NETWORK_COUNCIL_DAYS
    return max(1, min(days, STATUTORY_NETWORK_COUNCIL_DAYS))


def _snapshot(municipality: Municipality) -> dict[str, Any]:
    return {
        "rules": dict(municipality.rules or {}),
        "target_age_min": municipality.target_age_min,
        "target_age_max": municipality.target_age_max,
    }


@transaction.atomic
def record_rule_version(municipality: Municipality, *, actor_user: User | None) -> RuleVersion:
    """A new version holding the municipality's rules as they are stored now (call it in the
    transaction that saved them). Numbers are gapless per municipality: the municipality's row
    is locked while the next number is taken."""
    Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
    last = RuleVersion.objects.filter(municipality=municipality).order_by("-number").first()
    return RuleVersion.objects.create(
        municipality=municipality,
        number=(last.number + 1) if last is not None else 1,
        created_by=actor_user,
        **_snapshot(municipality),
    )


def current_rule_version(municipality: Municipality) -> RuleVersion:
    """The version in force: the latest, or version 1 made now from the stored rules (a
    municipality whose rules were never changed on the configuration page)."""
    latest = RuleVersion.objects.filter(municipality=municipality).order_by("-number").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        # Two cases closing at once in a municipality without versions: the second waits for
        # the first's version 1 and uses it, instead of making an identical version 2.
        Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
        latest = RuleVersion.objects.filter(municipality=municipality).order_by("-number").first()
        if latest is not None:
            return latest
        return record_rule_version(municipality, actor_user=None)


def rules_for_case(case: Case) -> dict[str, Any]:
    """The rules a case is judged by: those it was closed under, else the current ones."""
    if case.rule_version_id is not None and case.rule_version is not None:
        return dict(case.rule_version.rules or {})
    return dict(case.municipality.rules or {})


# --- Issue 16, helper C: the configuration pages' lookups and services --------------------------

# Bounds of the rules edited on the rules page (the form and the service share them).
AGE_MIN, AGE_MAX = 0, 30
SSP_PLUS_AGE_MIN, SSP_PLUS_AGE_MAX = 0, 40
FAMILY_MEETING_DAYS_MAX = 30
AGENDA_DAYS_MIN, AGENDA_DAYS_MAX = 1, 60
ABSENCE_PERCENT_MIN, ABSENCE_PERCENT_MAX = 1, 100
# A help text under one risk factor of the worksheet.
RISK_FACTOR_HELP_MAX_LENGTH = 500
# The history of rule versions, newest first, one page at a time.
RULE_HISTORY_PAGE_SIZE = 20

# The rule keys the rules page edits, with the value an app assumes when the key is missing
# (so that "changed" compares what the apps see, not whether the key was stored).
RULE_DEFAULTS: dict[str, Any] = {
    "family_meeting_deadline_days": 7,
    "network_council_deadline_days": STATUTORY_NETWORK_COUNCIL_DAYS,
    "police_review_weekday": None,
    "agenda_days_before": 7,
    "absence_threshold_percent": 10,
    "case_levels": False,
    GENERAL_PREVENTION_FORUM_RULE: "",
}
# The columns the rules page edits besides `Municipality.rules`.
AGE_COLUMNS = ("target_age_min", "target_age_max", "ssp_plus_age_min", "ssp_plus_age_max")


def get_municipality_to_configure(actor: Actor, slug: str) -> Municipality:
    """The municipality the actor configures, read fresh (its version), or 404: another
    municipality's configuration pages do not exist for her."""
    municipality = access.get_or_404(
        Municipality.objects.select_related("police_district"), slug=slug
    )
    if not access.can_configure_municipality(actor, municipality):
        raise Http404
    return municipality


def risk_factor_help(municipality: Municipality) -> dict[str, str]:
    """`{risk factor or primary statement name: help text}` for the worksheet (only the names
    of `ssp.cases.models.RISK_FACTORS` and `PRIMARY_STATEMENTS`, only non-empty texts)."""
    from ssp.cases.models import PRIMARY_STATEMENTS, RISK_FACTORS

    raw = municipality.rule(RISK_FACTOR_HELP_RULE) or {}
    if not isinstance(raw, dict):
        return {}
    names = {name for name, _label in (*PRIMARY_STATEMENTS, *RISK_FACTORS)}
    return {
        str(name): str(text)
        for name, text in raw.items()
        if name in names and isinstance(text, str) and text.strip()
    }


def general_prevention_fora(municipality: Municipality) -> QuerySet[Forum]:
    """The fora that may receive general (green) concerns: the municipality's standing fora
    that are not dissolved (no ad hoc groups), by name."""
    return (
        Forum.objects.filter(municipality=municipality, dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class RulesData:
    """The rules page's values (`ssp.organisation.config_forms.RulesForm.to_data`)."""

    target_age_min: int
    target_age_max: int
    ssp_plus_age_min: int | None
    ssp_plus_age_max: int | None
    family_meeting_deadline_days: int
    network_council_deadline_days: int
    police_review_weekday: int | None
    agenda_days_before: int
    absence_threshold_percent: int
    case_levels: bool
    general_prevention_forum: str


def _in_range(value: int | None, low: int, high: int) -> bool:
    return value is not None and low <= value <= high


def _check_rules(municipality: Municipality, data: RulesData) -> None:
    """The rules' bounds, checked here as well as in the form (another caller, a forged post)."""
    if not (
        _in_range(data.target_age_min, AGE_MIN, AGE_MAX)
        and _in_range(data.target_age_max, AGE_MIN, AGE_MAX)
    ):
        raise DomainError(_("Målgruppens alder skal ligge mellem 0 og 30 år."))
    if data.target_age_min > data.target_age_max:
        raise DomainError(_("Målgruppens fra-alder må ikke være højere end til-alderen."))
    if (data.ssp_plus_age_min is None) != (data.ssp_plus_age_max is None):
        raise DomainError(_("Udfyld både fra- og til-alder for SSP+, eller ingen af dem."))
    if data.ssp_plus_age_min is not None and data.ssp_plus_age_max is not None:
        if not (
            _in_range(data.ssp_plus_age_min, SSP_PLUS_AGE_MIN, SSP_PLUS_AGE_MAX)
            and _in_range(data.ssp_plus_age_max, SSP_PLUS_AGE_MIN, SSP_PLUS_AGE_MAX)
        ):
            raise DomainError(_("SSP+ alderen skal ligge mellem 0 og 40 år."))
        if data.ssp_plus_age_min > data.ssp_plus_age_max:
            raise DomainError(_("SSP+ fra-alderen må ikke være højere end til-alderen."))
    if not _in_range(data.family_meeting_deadline_days, 1, FAMILY_MEETING_DAYS_MAX):
        raise DomainError(_("Fristen for familiemødet skal være mellem 1 og 30 dage."))
    if not _in_range(data.network_council_deadline_days, 1, STATUTORY_NETWORK_COUNCIL_DAYS):
        raise DomainError(
            _(
                "Loven kræver netværkssamråd senest 7 dage efter, at politiet har sendt "
                "oplysningerne; fristen kan gøres kortere, ikke længere."
            )
        )
    if data.police_review_weekday is not None and not _in_range(data.police_review_weekday, 0, 6):
        raise DomainError(_("Vælg en ugedag for politiets gennemgang, eller ingen."))
    if not _in_range(data.agenda_days_before, AGENDA_DAYS_MIN, AGENDA_DAYS_MAX):
        raise DomainError(_("Dagsordenen skal sendes mellem 1 og 60 dage før mødet."))
    if not _in_range(data.absence_threshold_percent, ABSENCE_PERCENT_MIN, ABSENCE_PERCENT_MAX):
        raise DomainError(_("Grænsen for fravær skal være mellem 1 og 100 procent."))
    if (
        data.general_prevention_forum
        and not general_prevention_fora(municipality)
        .filter(key=data.general_prevention_forum)
        .exists()
    ):
        raise DomainError(
            _("Forummet til generel forebyggelse findes ikke blandt kommunens faste fora.")
        )


def _locked(municipality: Municipality) -> Municipality:
    """The municipality's row, locked for this transaction (the stored rules and version)."""
    return Municipality.objects.select_for_update(no_key=True).get(pk=municipality.pk)


def _ensure_baseline(municipality: Municipality) -> None:
    """Version 1 is the rule set as it was before the first change on these pages (the preset's),
    so the first change is version 2 and history shows what it changed."""
    if not RuleVersion.objects.filter(municipality=municipality).exists():
        record_rule_version(municipality, actor_user=None)


def _save_rules(
    *,
    actor_user: User,
    municipality: Municipality,
    stored: Municipality,
    rules: dict[str, Any],
    columns: dict[str, Any],
    expected_version: int,
) -> RuleVersion:
    """Write the new rules and columns if the version is still the one the user saw
    (`StaleEdit` otherwise), then record the new rule version."""
    _ensure_baseline(stored)
    stored.rules = rules
    for name, value in columns.items():
        setattr(stored, name, value)
    save_versioned(stored, expected_version=expected_version, fields=["rules", *columns])
    version = record_rule_version(stored, actor_user=actor_user)
    municipality.rules = stored.rules
    municipality.version = stored.version
    for name, value in columns.items():
        setattr(municipality, name, value)
    return version


@transaction.atomic
def update_rules(
    *,
    actor_user: User,
    municipality: Municipality,
    data: RulesData,
    expected_version: int,
) -> RuleVersion | None:
    """Save the rules page: ages, deadlines, the review weekday, the agenda's days, the absence
    threshold, case levels and the forum for general prevention. Only the changed keys are
    written into `Municipality.rules` (keys this page does not edit are kept). A change makes
    a new `RuleVersion` and one RULES_CHANGED event naming the changed keys; nothing changed
    (a second click) changes nothing and returns None. A stale version: `StaleEdit`."""
    _check_rules(municipality, data)
    stored = _locked(municipality)
    old_rules = dict(stored.rules or {})
    new_values = {name: getattr(data, name) for name in RULE_DEFAULTS}
    changed_rules = {
        name: value
        for name, value in new_values.items()
        if old_rules.get(name, RULE_DEFAULTS[name]) != value
    }
    columns = {name: getattr(data, name) for name in AGE_COLUMNS}
    changed_columns = {
        name: value for name, value in columns.items() if getattr(stored, name) != value
    }
    if not changed_rules and not changed_columns:
        return None
    version = _save_rules(
        actor_user=actor_user,
        municipality=municipality,
        stored=stored,
        rules={**old_rules, **changed_rules},
        columns=changed_columns,
        expected_version=expected_version,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.RULES_CHANGED,
        obj=stored,
        municipality_id=stored.pk,
        data={"version": version.number, "changed": sorted([*changed_columns, *changed_rules])},
    )
    return version


def worksheet_help_names() -> list[tuple[str, str]]:
    """(name, label) of every text the worksheet page edits: the primary statements, then the
    risk factors, in the worksheet's order."""
    from ssp.cases.models import PRIMARY_STATEMENTS, RISK_FACTORS

    return [(name, str(label)) for name, label in (*PRIMARY_STATEMENTS, *RISK_FACTORS)]


@transaction.atomic
def update_worksheet_help(
    *,
    actor_user: User,
    municipality: Municipality,
    texts: dict[str, str],
    expected_version: int,
) -> RuleVersion | None:
    """Save the worksheet's help texts as `rules["risk_factor_help"]` (empty texts are not
    stored). A change makes a new `RuleVersion` and a WORKSHEET_HELP_CHANGED event naming the
    factors; no change does nothing (None). A stale version: `StaleEdit`."""
    names = {name for name, _label in worksheet_help_names()}
    cleaned: dict[str, str] = {}
    for name, text in texts.items():
        if name not in names:
            raise DomainError(_("Ukendt risikofaktor i arbejdsarket."))
        value = (text or "").strip()
        if len(value) > RISK_FACTOR_HELP_MAX_LENGTH:
            raise DomainError(_("En hjælpetekst må højst være 500 tegn."))
        if has_control_characters(value):
            raise DomainError(_("Teksten indeholder et usynligt kontroltegn. Skriv den igen."))
        if value:
            cleaned[name] = value
    stored = _locked(municipality)
    old = risk_factor_help(stored)
    if old == cleaned:
        return None
    changed = sorted(name for name in names if old.get(name) != cleaned.get(name))
    rules = dict(stored.rules or {})
    rules[RISK_FACTOR_HELP_RULE] = cleaned
    version = _save_rules(
        actor_user=actor_user,
        municipality=municipality,
        stored=stored,
        rules=rules,
        columns={},
        expected_version=expected_version,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.WORKSHEET_HELP_CHANGED,
        obj=stored,
        municipality_id=stored.pk,
        data={"version": version.number, "changed": changed},
    )
    return version


@dataclass(frozen=True)
class VersionRow:
    """One line of the rules' history: the version and the keys it changed."""

    version: RuleVersion
    changed: list[str]


def _changed_keys(before: RuleVersion | None, after: RuleVersion) -> list[str]:
    if before is None:
        return []
    keys = set(before.rules or {}) | set(after.rules or {})
    changed = {key for key in keys if (before.rules or {}).get(key) != (after.rules or {}).get(key)}
    for column in ("target_age_min", "target_age_max"):
        if getattr(before, column) != getattr(after, column):
            changed.add(column)
    return sorted(changed)


def rule_history_page(
    municipality: Municipality, *, page: int
) -> tuple[Page[Any], list[VersionRow]]:
    """One page of the rule versions, newest first, each with the keys it changed compared to
    the version before it (read with one extra row: the version just below the page)."""
    versions = RuleVersion.objects.filter(municipality=municipality).select_related("created_by")
    page_obj = Paginator(versions.order_by("-number"), RULE_HISTORY_PAGE_SIZE).get_page(page)
    rows = list(page_obj.object_list)
    previous = (
        versions.filter(number__lt=rows[-1].number).order_by("-number").first() if rows else None
    )
    lines = []
    for index, version in enumerate(rows):
        before = rows[index + 1] if index + 1 < len(rows) else previous
        lines.append(VersionRow(version=version, changed=_changed_keys(before, version)))
    return page_obj, lines


# --- Standing agenda items per forum type -------------------------------------------------------

STANDING_ITEM_POSITION_MAX = 999


def forum_types_in(municipality: Municipality) -> list[ForumType]:
    """The forum types the municipality has (standing, not dissolved fora), in the enum's
    order: only those can be given standing items."""
    present = set(
        Forum.objects.filter(municipality=municipality, dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
        .values_list("forum_type", flat=True)
        .distinct()
    )
    return [kind for kind in ForumType if kind.value in present]


def get_standing_item(municipality: Municipality, pk: int) -> StandingItem:
    return access.get_or_404(StandingItem.objects.filter(municipality=municipality), pk=pk)


def _check_standing(
    municipality: Municipality, *, forum_type: str, title: str, position: int, pk: int | None
) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Skriv punktets titel."))
    if len(title) > max_length_of(StandingItem, "title") or has_control_characters(title):
        raise DomainError(_("Titlen er for lang eller indeholder et kontroltegn."))
    if not 0 <= position <= STANDING_ITEM_POSITION_MAX:
        raise DomainError(_("Rækkefølgen skal være et tal mellem 0 og 999."))
    if forum_type not in {kind.value for kind in forum_types_in(municipality)}:
        raise DomainError(_("Kommunen har ingen fora af den type."))
    duplicate = StandingItem.objects.filter(
        municipality=municipality, forum_type=forum_type, title=title
    )
    if pk is not None:
        duplicate = duplicate.exclude(pk=pk)
    if duplicate.exists():
        raise DomainError(_("Forumtypen har allerede et fast punkt med den titel."))
    return title


def _standing_event(actor_user: User, item: StandingItem, op: str) -> None:
    record_event(
        actor=actor_user,
        action=AuditAction.STANDING_ITEM_CHANGED,
        obj=item,
        municipality_id=item.municipality_id,
        data={"forum_type": item.forum_type, "op": op},
    )


@transaction.atomic
def add_standing_item(
    *, actor_user: User, municipality: Municipality, forum_type: str, title: str, position: int
) -> StandingItem:
    """A standing item for every forum of the type; the same title twice is refused (the
    municipality's row is locked, so two posts at once give one item and one refusal)."""
    _locked(municipality)
    title = _check_standing(
        municipality, forum_type=forum_type, title=title, position=position, pk=None
    )
    try:
        with transaction.atomic():
            item = StandingItem.objects.create(
                municipality=municipality, forum_type=forum_type, title=title, position=position
            )
    except IntegrityError as error:
        raise DomainError(_("Forumtypen har allerede et fast punkt med den titel.")) from error
    _standing_event(actor_user, item, "created")
    return item


@transaction.atomic
def update_standing_item(
    *, actor_user: User, item: StandingItem, title: str, position: int
) -> StandingItem:
    """A new title or position (agendas already made keep their copy of the old title)."""
    locked = StandingItem.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise DomainError(_("Punktet er slettet af en anden i mellemtiden."))
    title = _check_standing(
        locked.municipality,
        forum_type=locked.forum_type,
        title=title,
        position=position,
        pk=locked.pk,
    )
    if (locked.title, locked.position) == (title, position):
        return locked
    locked.title = title
    locked.position = position
    try:
        with transaction.atomic():
            locked.save(update_fields=["title", "position"])
    except IntegrityError as error:
        raise DomainError(_("Forumtypen har allerede et fast punkt med den titel.")) from error
    _standing_event(actor_user, locked, "changed")
    return locked


@transaction.atomic
def delete_standing_item(*, actor_user: User, item: StandingItem) -> bool:
    """Delete the item (agendas already made keep theirs); deleted already: nothing (False)."""
    locked = StandingItem.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        return False
    _standing_event(actor_user, locked, "deleted")
    locked.delete()
    return True


# The standing items page shows at most this many (a municipality has a handful per type).
STANDING_ITEMS_SHOWN = 500


def standing_items_of(municipality: Municipality) -> QuerySet[StandingItem]:
    """The municipality's standing items by forum type and position (the page's order)."""
    return StandingItem.objects.filter(municipality=municipality).order_by(
        "forum_type", "position", "pk"
    )


def latest_rule_version(municipality: Municipality) -> RuleVersion | None:
    """The latest saved version (for the overview), without making one."""
    return (
        RuleVersion.objects.filter(municipality=municipality)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )
