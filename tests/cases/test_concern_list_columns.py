"""The concern list reads only the columns its rows show (issue 11: `selectors.concerns_for`
uses `.only(...)`); a row that showed a column left out would read it with a query per row,
which `no_deferred_loads` turns into a failure. Each row still shows what it showed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils.html import escape

from ssp.access import get_actor
from ssp.cases import access as case_access
from ssp.cases.models import Concern
from ssp.organisation.models import Municipality
from tests.helpers_db import no_deferred_loads

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr><td><a href="/bekymringer/(\d+)/">\d+</a></td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>'
)


@pytest.mark.parametrize("role", ["koordinator", "socialraadgiver", "laerer", "boligsocial"])
def test_each_row_shows_its_name_and_forum_without_reading_a_left_out_column(
    demo: Municipality, client_for: Any, role: str
) -> None:
    client = client_for(role)
    with no_deferred_loads():
        html = client.get("/bekymringer/").content.decode()
    rows = ROW.findall(html)
    assert rows, role
    actor = get_actor(User.objects.get(username=role))
    visible = set(case_access.visible_concerns(actor).values_list("pk", flat=True))
    for pk, shown_name, shown_forum in rows:
        concern = Concern.objects.select_related("young_person", "forum").get(pk=int(pk))
        assert concern.pk in visible
        if concern.young_person is not None:
            sees = case_access.sees_register_name(actor, concern)
            expected = concern.name_for(sees_register=sees)
        elif concern.is_about_group:
            expected = f"Gruppe på ca. {concern.group_size}"
        else:
            expected = concern.place
        assert shown_name == escape(expected), (role, pk)
        assert shown_forum == escape(concern.forum.name if concern.forum else "—"), (role, pk)
