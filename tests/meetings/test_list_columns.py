"""The meeting list reads only the columns it shows (issue 11): `selectors._listed_meetings`
uses `.only(...)`, and a template that showed a column left out would read it with a query per
row. `no_deferred_loads` turns such a read into a failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ssp.meetings.models import Meeting
from ssp.organisation.models import Municipality
from tests.helpers_db import no_deferred_loads

pytestmark = pytest.mark.django_db


def test_the_lists_of_upcoming_recent_and_one_year_s_meetings_read_no_deferred_column(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    with no_deferred_loads():
        html = client.get("/moeder/").content.decode()
        year = timezone.localdate().year
        archive = client.get(f"/moeder/?aar={year}").content.decode()
    shown = 0
    for meeting in Meeting.objects.filter(forum__municipality=demo).select_related("forum"):
        if f"/moeder/{meeting.pk}/" in html or f"/moeder/{meeting.pk}/" in archive:
            assert meeting.display_title in html + archive
            shown += 1
    assert shown >= 2
    assert 'data-testid="past"' in html
    assert 'data-testid="archive"' in archive
