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

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import transaction

from ssp.organisation.models import Municipality, RuleVersion

if TYPE_CHECKING:
    from ssp.cases.models import Case

# The law's own limit for the network council (R5): a municipality may be quicker, not slower.
STATUTORY_NETWORK_COUNCIL_DAYS = 7
GENERAL_PREVENTION_FORUM_RULE = "general_prevention_forum"
RISK_FACTOR_HELP_RULE = "risk_factor_help"


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
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
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
    return record_rule_version(municipality, actor_user=None)


def rules_for_case(case: Case) -> dict[str, Any]:
    """The rules a case is judged by: those it was closed under, else the current ones."""
    if case.rule_version_id is not None and case.rule_version is not None:
        return dict(case.rule_version.rules or {})
    return dict(case.municipality.rules or {})
