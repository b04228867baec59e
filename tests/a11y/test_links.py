"""A page never links a reader to a page that answers 404 for them (found by `make a11y`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ssp.prevention.models import FocusArea


@pytest.mark.django_db
def test_a_focus_area_links_its_meeting_only_to_readers_who_may_open_it(client_for: Any) -> None:
    area = FocusArea.objects.filter(decided_item__isnull=False).order_by("pk").first()
    assert area is not None and area.decided_item is not None
    meeting_url = reverse("meetings:detail", args=[area.decided_item.meeting_id])
    forum_name = area.decided_item.meeting.forum.name
    for page in (
        reverse("prevention:focus_areas"),
        reverse("prevention:focus_area", args=[area.pk]),
    ):
        teacher = client_for("laerer")
        html = teacher.get(page).content.decode()
        assert forum_name in html and f'href="{meeting_url}"' not in html
        assert teacher.get(meeting_url).status_code == 404
        coordinator = client_for("koordinator")
        assert f'href="{meeting_url}"' in coordinator.get(page).content.decode()
        assert coordinator.get(meeting_url).status_code == 200
