"""Network councils (R5): called within the statutory deadline, after it only with a written
reason shown on the deadline board; one council per deadline; dates that cannot break the board;
errors that keep the coordinator on the form."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.cpr import parse_cpr
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality
from ssp.police import services
from ssp.police.models import Deadline, DeadlineKind, NetworkCouncil

pytestmark = pytest.mark.django_db


def social_worker() -> Member:
    return Member.objects.get(user__username="socialraadgiver")


def overdue_council_deadline() -> Deadline:
    """The demo's open network-council deadline: its report came ten days ago."""
    deadline = Deadline.objects.get(kind=DeadlineKind.NETWORK_COUNCIL, met_on__isnull=True)
    assert deadline.due_on < timezone.localdate()
    return deadline


def fresh_council_deadline(users: dict[str, User]) -> Deadline:
    """A robbery registered today: the council deadline runs a week from now."""
    digits, birth = parse_cpr("101012-4222")
    report = services.register_report(
        actor_user=users["koordinator"],
        row={
            "cpr": digits,
            "birth": birth,
            "first_name": "Hans",
            "last_name": "Hånd",
            "date": timezone.localdate() - timedelta(days=1),
            "time": time(18),
            "offence": "Røveri",
            "reference": "R5-1",
            "description": "",
        },
    )
    deadline = Deadline.objects.get(report=report)
    assert deadline.kind == DeadlineKind.NETWORK_COUNCIL
    assert deadline.due_on > timezone.localdate()
    return deadline


def council_post(when: datetime | str, **fields: Any) -> dict[str, Any]:
    meeting_at = (
        when if isinstance(when, str) else timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")
    )
    return {
        "meeting_at": meeting_at,
        "place": "Rådhuset, mødelokale 2",  # issue 16: required
        "professionals": [social_worker().pk],
        "invited_young_person": "on",
        "invited_custody_holders": "on",
        **fields,
    }


def at(day_offset: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(15)))


def call(client: Client, deadline: Deadline, data: dict[str, Any]) -> Any:
    return client.post(f"/frister/{deadline.pk}/netvaerkssamraad/", data)


# --- Dates that would break the board ---------------------------------------------------------


def test_repro_a_network_council_at_year_one_does_not_break_the_deadline_board(
    demo: Municipality, client_for: Any
) -> None:
    deadline = overdue_council_deadline()
    client: Client = client_for("koordinator")
    response = call(client, deadline, council_post("0001-01-01T00:00", late_reason="Test"))
    assert response.status_code == 400
    assert "Datoen må ikke ligge før" in response.content.decode()
    assert not NetworkCouncil.objects.filter(deadline=deadline).exists()
    assert client.get("/frister/").status_code == 200
    assert client_for("socialraadgiver").get("/frister/").status_code == 200


@pytest.mark.parametrize("year", [1, 9999])
def test_repro_the_service_refuses_a_council_outside_the_domain_range(
    demo: Municipality, users: dict[str, User], year: int
) -> None:
    deadline = overdue_council_deadline()
    when = datetime(year, 6, 1, 12, 0, tzinfo=timezone.get_current_timezone())
    with pytest.raises(DomainError, match="Datoen må ikke ligge"):
        services.call_network_council(
            actor_user=users["koordinator"],
            deadline=deadline,
            meeting_at=when,
            professionals=[social_worker()],
            late_reason="Familien var bortrejst",
        )
    assert not NetworkCouncil.objects.filter(deadline=deadline).exists()


def test_a_council_more_than_two_years_ahead_is_a_form_error(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    deadline = fresh_council_deadline(users)
    response = call(client_for("koordinator"), deadline, council_post(at(3 * 365)))
    assert response.status_code == 400
    assert not NetworkCouncil.objects.filter(deadline=deadline).exists()


# --- After the deadline only with a reason ----------------------------------------------------


def test_repro_a_council_after_its_deadline_without_a_reason_is_a_form_error(
    demo: Municipality, client_for: Any
) -> None:
    deadline = overdue_council_deadline()
    client: Client = client_for("koordinator")
    response = call(client, deadline, council_post(at(1), network="Træneren"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv hvorfor samrådet holdes efter fristen." in html
    assert 'value="Træneren"' in html  # what was typed is kept
    assert "Det kunne ikke lade sig gøre" not in html
    assert not NetworkCouncil.objects.filter(deadline=deadline).exists()
    deadline.refresh_from_db()
    assert deadline.met_on is None


def test_a_council_after_its_deadline_with_a_reason_is_shown_on_the_board(
    demo: Municipality, client_for: Any
) -> None:
    deadline = overdue_council_deadline()
    client: Client = client_for("koordinator")
    reason = "Forældrene kunne først mødes efter efterårsferien."
    response = call(client, deadline, council_post(at(1), late_reason=reason))
    assert response.status_code == 302
    council = NetworkCouncil.objects.get(deadline=deadline)
    assert council.late_reason == reason and council.is_late
    board = client.get("/frister/").content.decode()
    assert 'data-testid="council-late"' in board
    assert reason in board
    detail = client.get(f"/netvaerkssamraad/{council.pk}/").content.decode()
    assert reason in detail
    event = AuditEvent.objects.filter(action=AuditAction.COUNCIL_CALLED).order_by("-pk").first()
    assert event is not None and event.data == {"late": True}  # the reason is not in the trail


def test_a_council_within_its_deadline_needs_no_reason(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    deadline = fresh_council_deadline(users)
    response = call(client_for("koordinator"), deadline, council_post(at(1)))
    assert response.status_code == 302
    council = NetworkCouncil.objects.get(deadline=deadline)
    assert (council.late_reason, council.is_late) == ("", False)


# --- One council per deadline -----------------------------------------------------------------


def test_repro_calling_a_council_twice_for_one_deadline_gives_one_council(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    deadline = fresh_council_deadline(users)
    client: Client = client_for("koordinator")
    first = call(client, deadline, council_post(at(2)))
    second = call(client, deadline, council_post(at(3), network="En anden"))
    assert (first.status_code, second.status_code) == (302, 302)
    council = NetworkCouncil.objects.get(deadline=deadline)
    assert first["Location"] == second["Location"] == f"/netvaerkssamraad/{council.pk}/"
    assert council.network == ""  # the first call stands
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.COUNCIL_CALLED, object_id=str(council.pk)
        ).count()
        == 1
    )
    again = services.call_network_council(
        actor_user=users["koordinator"],
        deadline=deadline,
        meeting_at=at(4),
        professionals=[social_worker()],
    )
    assert again.pk == council.pk
    assert NetworkCouncil.objects.filter(deadline=deadline).count() == 1


# --- Errors keep the user on the form ---------------------------------------------------------


def test_a_council_for_another_kind_of_deadline_is_refused_on_the_form(
    demo: Municipality, client_for: Any
) -> None:
    family = Deadline.objects.filter(kind=DeadlineKind.FAMILY_MEETING).first()
    assert family is not None
    response = call(client_for("koordinator"), family, council_post(at(1)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fristen gælder ikke et netværkssamråd." in html
    assert 'data-testid="council-form"' in html


def held_council(users: dict[str, User], client_for: Any) -> NetworkCouncil:
    deadline = fresh_council_deadline(users)
    assert call(client_for("koordinator"), deadline, council_post(at(0))).status_code == 302
    return NetworkCouncil.objects.get(deadline=deadline)


def test_repro_a_held_date_before_the_report_stays_on_the_council_page(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = held_council(users, client_for)
    client: Client = client_for("koordinator")
    too_early = (timezone.localdate() - timedelta(days=30)).isoformat()
    response = client.post(f"/netvaerkssamraad/{council.pk}/", {"held_on": too_early})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datoen må ikke ligge før" in html
    assert "Det kunne ikke lade sig gøre" not in html
    council.refresh_from_db()
    assert council.held_on is None


def test_a_held_date_in_the_future_is_a_form_error(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = held_council(users, client_for)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for("koordinator").post(
        f"/netvaerkssamraad/{council.pk}/", {"held_on": tomorrow}
    )
    assert response.status_code == 400
    council.refresh_from_db()
    assert council.held_on is None


def test_registering_a_council_held_twice_registers_it_once(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = held_council(users, client_for)
    client: Client = client_for("koordinator")
    today = timezone.localdate()
    for _twice in range(2):  # a double click
        url = f"/netvaerkssamraad/{council.pk}/"
        assert client.post(url, {"held_on": today.isoformat()}).status_code == 302
    council.refresh_from_db()
    assert council.held_on == today
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.COUNCIL_HELD, object_id=str(council.pk)
        ).count()
        == 1
    )
