"""Issue 15: a deadline (the family contacted, the council called) is marked met with the date
it happened, typed in its own row of the board, not only "today"; a refused date keeps the user
on the board with the typed value, and the error above the board says which row it was.

The demo's open family-meeting deadline for Emil (presented ten days ago) is the social
worker's."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import services
from ssp.police.models import Deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def deadline(demo: Municipality) -> Deadline:
    found = (
        Deadline.objects.filter(responsible__user__username="socialraadgiver", met_on__isnull=True)
        .select_related("young_person")
        .order_by("pk")
        .first()
    )
    assert found is not None
    assert found.starts_on < timezone.localdate() - timedelta(days=1)
    return found


def mark_met(client: Client, deadline: Deadline, met_on: str) -> str:
    response = client.post(
        reverse("police:deadline_met", kwargs={"pk": deadline.pk}), {"met_on": met_on}
    )
    assert response.status_code == 400
    return response.content.decode()


def row_input(html: str, deadline: Deadline) -> str:
    found = re.search(rf'<input[^>]*id="met-on-{deadline.pk}"[^>]*>', html)
    assert found is not None
    return found.group(0)


def test_each_row_has_its_own_labelled_date_defaulting_to_today(
    deadline: Deadline, client_for: object
) -> None:
    client = client_for("koordinator")  # type: ignore[operator]
    html = client.get(reverse("police:deadlines")).content.decode()
    today = timezone.localdate().isoformat()
    field = row_input(html, deadline)
    assert 'type="date"' in field
    assert f'value="{today}"' in field
    assert f'max="{today}"' in field
    assert f'min="{deadline.starts_on.isoformat()}"' in field
    label = re.search(rf'<label[^>]*for="met-on-{deadline.pk}"[^>]*>(.*?)</label>', html, re.S)
    assert label is not None
    assert "Overholdt den" in label.group(1)
    assert deadline.young_person.full_name in label.group(1)
    assert "Overholdt i dag" not in html
    assert ">Registrér<" in html
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert sum(1 for i in ids if i.startswith("met-on-")) >= 2


def test_it_records_the_day_the_deadline_was_met(deadline: Deadline, client_for: object) -> None:
    client = client_for("socialraadgiver")  # type: ignore[operator]
    met_on = deadline.starts_on + timedelta(days=1)
    response = client.post(
        reverse("police:deadline_met", kwargs={"pk": deadline.pk}), {"met_on": met_on.isoformat()}
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.met_on == met_on


def test_a_date_before_the_deadline_started_stays_on_the_board_naming_the_row(
    deadline: Deadline, client_for: object
) -> None:
    client = client_for("socialraadgiver")  # type: ignore[operator]
    typed = (deadline.starts_on - timedelta(days=1)).isoformat()
    html = mark_met(client, deadline, typed)
    deadline.refresh_from_db()
    assert deadline.met_on is None
    assert "Fristen blev ikke markeret som overholdt" in html
    assert "Datoen må ikke ligge før fristens start" in html
    named = re.search(r'data-testid="failed-deadline">(.*?)</p>', html, re.S)
    assert named is not None
    assert deadline.young_person.full_name in named.group(1)
    assert deadline.get_kind_display() in named.group(1)
    assert f'href="#met-on-{deadline.pk}"' in named.group(1)
    field = row_input(html, deadline)
    assert f'value="{typed}"' in field
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="met-on-{deadline.pk}-error"' in field
    assert f'id="met-on-{deadline.pk}-error"' in html
    # Only the failed row carries the typed value; the others still offer today.
    assert html.count(f'value="{typed}"') == 1


def test_a_future_date_is_refused_on_the_board(deadline: Deadline, client_for: object) -> None:
    client = client_for("socialraadgiver")  # type: ignore[operator]
    typed = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = mark_met(client, deadline, typed)
    deadline.refresh_from_db()
    assert deadline.met_on is None
    assert "Datoen må ikke ligge efter" in html
    assert f'value="{typed}"' in row_input(html, deadline)


def test_the_service_itself_refuses_a_date_before_the_deadline_started(
    deadline: Deadline, users: dict[str, User]
) -> None:
    """Not only the board's form: any caller of `meet_deadline` (a command, an API) is held to
    "not before the deadline's start" and "not in the future"."""
    for day in (deadline.starts_on - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(DomainError):
            services.meet_deadline(
                actor_user=users["socialraadgiver"], deadline=deadline, met_on=day
            )
    deadline.refresh_from_db()
    assert deadline.met_on is None
    met = services.meet_deadline(
        actor_user=users["socialraadgiver"], deadline=deadline, met_on=deadline.starts_on
    )
    assert met.met_on == deadline.starts_on
