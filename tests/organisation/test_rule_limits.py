"""The network council's deadline never exceeds the law's 7 days, whatever is stored (issue 16:
the rules page refuses more; an edit outside it must not lengthen the deadline either)."""

from __future__ import annotations

import pytest

from ssp.organisation.configuration import network_council_days
from ssp.organisation.models import Municipality


@pytest.mark.parametrize(
    ("stored", "days"),
    [(5, 5), (7, 7), (30, 7), (0, 1), ("3", 3), ("otte", 7), (None, 7)],
)
def test_the_network_council_deadline_is_clamped_to_the_statute(stored: object, days: int) -> None:
    rules = {} if stored is None else {"network_council_deadline_days": stored}
    assert network_council_days(Municipality(rules=rules)) == days
