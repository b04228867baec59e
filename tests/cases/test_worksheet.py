"""R2: the worksheet rule (Fredericia Bilag 1), as a property and through raise_concern."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from ssp.cases.models import PRIMARY_STATEMENTS, RISK_FACTORS, ConcernStatus
from ssp.cases.services import ConcernData, YoungPersonData, raise_concern, worksheet_status
from ssp.organisation.models import Municipality, Unit

PRIMARY = [name for name, _label in PRIMARY_STATEMENTS]
RISK = [name for name, _label in RISK_FACTORS]


def test_the_worksheet_has_four_primary_statements_and_thirteen_risk_factors() -> None:
    assert len(PRIMARY) == 4
    assert len(RISK) == 13


@given(st.sets(st.sampled_from(PRIMARY), min_size=1), st.sets(st.sampled_from(RISK)))
def test_any_primary_statement_makes_an_action_agreement_mandatory(
    primary: set[str], risk: set[str]
) -> None:
    assert worksheet_status(primary=primary, risk=risk) == ConcernStatus.ACTION_REQUIRED


@given(st.sets(st.sampled_from(RISK), min_size=1))
def test_only_risk_factors_put_it_up_for_decision(risk: set[str]) -> None:
    assert worksheet_status(primary=[], risk=risk) == ConcernStatus.AWAITING_DECISION


def test_other_alone_puts_it_up_for_decision_and_nothing_ticked_is_new() -> None:
    assert (
        worksheet_status(primary=[], risk=[], other="ryger hash") == ConcernStatus.AWAITING_DECISION
    )
    assert worksheet_status(primary=[], risk=[]) == ConcernStatus.NEW


def person(cpr: str = "010312-4123") -> YoungPersonData:
    return YoungPersonData(
        first_name="Test",
        last_name="Barn",
        cpr=cpr,
        school=Unit.objects.get(slug="oestskolen"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sheet", "status"),
    [
        ({"seen_with_criminals": True, "truancy": True}, ConcernStatus.ACTION_REQUIRED),
        ({"truancy": True, "boredom": True}, ConcernStatus.AWAITING_DECISION),
    ],
)
def test_raise_concern_applies_the_rule_and_routes_to_the_local_group(
    demo: Municipality, users: dict[str, User], sheet: dict[str, Any], status: str
) -> None:
    concern = raise_concern(
        actor_user=users["laerer"],
        data=ConcernData(
            subject="person",
            source="worksheet",
            description="x",
            young_person=person(),
            worksheet=sheet,
        ),
    )
    assert concern.status == status
    assert concern.forum is not None and concern.forum.key == "lokal-ssp-oest"
    assert concern.has_worksheet
