"""Loading a preset again keeps what the municipality set on its configuration pages (issue 16):
once it has a rule version, the file only adds rules it lacks; before that the file applies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from ssp.organisation import configuration
from ssp.organisation.models import Municipality, RuleVersion
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db


def configure(slug: str, **rules: object) -> Municipality:
    """As the rules page saves: the rules and ages written, then a rule version recorded."""
    municipality = Municipality.objects.get(slug=slug)
    municipality.rules = {**municipality.rules, **rules}
    municipality.target_age_min = 10
    municipality.save(update_fields=["rules", "target_age_min"])
    user = User.objects.create_user("konfigurator")
    configuration.record_rule_version(municipality, actor_user=user)
    return municipality


def test_a_reload_keeps_the_rules_and_ages_set_on_the_configuration_pages() -> None:
    load_preset(name="fredericia")
    configure(
        "fredericia",
        risk_factor_help={"truancy": "Mere end 10 procent fravær."},
        general_prevention_forum="lokalraad",
        family_meeting_deadline_days=3,
        network_council_deadline_days=5,
    )
    versions = RuleVersion.objects.count()

    load_preset(name="fredericia")

    municipality = Municipality.objects.get(slug="fredericia")
    assert municipality.rules["risk_factor_help"] == {"truancy": "Mere end 10 procent fravær."}
    assert municipality.rules["general_prevention_forum"] == "lokalraad"
    assert municipality.rules["family_meeting_deadline_days"] == 3
    assert municipality.rules["network_council_deadline_days"] == 5
    assert municipality.target_age_min == 10
    # Nothing changed, so the version in force still describes the rules in force.
    assert RuleVersion.objects.count() == versions
    assert configuration.current_rule_version(municipality).rules == municipality.rules


def test_before_any_configuration_the_file_applies() -> None:
    load_preset(name="fredericia")
    municipality = Municipality.objects.get(slug="fredericia")
    named = municipality.rules["police_review_weekday"]  # the file names Wednesday
    municipality.rules = {**municipality.rules, "police_review_weekday": (named + 1) % 7}
    municipality.save(update_fields=["rules"])

    load_preset(name="fredericia")

    assert Municipality.objects.get(slug="fredericia").rules["police_review_weekday"] == named


def test_a_new_municipality_gets_every_default_rule() -> None:
    load_preset(name="halsnaes")
    rules = Municipality.objects.get(slug="halsnaes").rules
    assert rules["network_council_deadline_days"] == 7
    assert rules["risk_factor_help"] == {}
