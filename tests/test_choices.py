"""`ssp.choices.choice_label`: what `get_FOO_display` shows, one label translated."""

from __future__ import annotations

import pytest
from django.utils import translation

from ssp.cases.models import Concern, ConcernSource, ConcernStatus
from ssp.choices import choice_label
from ssp.organisation.models import Cadence, Forum


@pytest.mark.parametrize("status", ConcernStatus.values)
def test_every_status_shows_as_django_shows_it_in_both_languages(status: str) -> None:
    concern = Concern(status=status)
    for language in ("da", "en"):
        with translation.override(language):
            assert choice_label(ConcernStatus, status) == concern.get_status_display()


def test_the_english_label_differs_from_the_danish() -> None:
    with translation.override("en"):
        english = choice_label(ConcernSource, ConcernSource.TIP)
    assert english != choice_label(ConcernSource, ConcernSource.TIP)


def test_a_value_that_is_not_a_choice_shows_as_itself() -> None:
    assert choice_label(ConcernStatus, "gammel") == Concern(status="gammel").get_status_display()


def test_a_forums_cadence_label_is_its_choice() -> None:
    for cadence in Cadence.values:
        forum = Forum(cadence=cadence, meetings_a_year=None)
        assert forum.cadence_label == forum.get_cadence_display()
