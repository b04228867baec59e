"""Issue 14, terms and cadence: a term ending within 60 days shows on the secretary's start
page box and brings one election item to the next agenda; the election recorded on the item
updates the membership (once); "n per year" spreads the meetings over the year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import services, terms
from ssp.meetings.models import AgendaItem, ItemKind, Meeting, MeetingKind, MeetingStatus
from ssp.organisation.models import (
    AccessRole,
    Cadence,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Municipality,
)
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db


def steering() -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key="styregruppe")


def chair_membership() -> Membership:
    return Membership.objects.current().get(forum=steering(), role=MembershipRole.CHAIR)


def next_meeting() -> Meeting:
    return (
        Meeting.objects.filter(
            forum=steering(), kind=MeetingKind.REGULAR, status=MeetingStatus.PLANNED
        )
        .filter(starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    ) or Meeting.objects.none().get()


@pytest.fixture
def seeded(demo: Municipality) -> date:
    today = timezone.localdate()
    assert terms.seed_terms(today=today) >= 1
    return today


def test_the_demo_chairs_term_ends_within_60_days_and_shows_on_the_secretarys_start_box(
    seeded: date, users: dict[str, User]
) -> None:
    ending = terms.terms_ending(get_actor(users["koordinator"]), seeded)
    assert [t.membership for t in ending] == [chair_membership()]
    assert ending[0].is_chair and ending[0].election_meeting is None
    html = render_to_string("meetings/_terms.html", {"ending_terms": ending})
    assert "Formandens valgperiode i SSP Styregruppen udløber" in html
    assert "et valgpunkt foreslås, når næste dagsorden forberedes" in html
    # Not for someone who manages no forum, nor for the box of a member without the forum.
    assert terms.terms_ending(get_actor(users["laerer"]), seeded) == []
    assert render_to_string("meetings/_terms.html", {"ending_terms": []}).strip() == ""


def test_a_secretary_who_is_not_ssp_staff_sees_her_forums_ending_terms(
    seeded: date, users: dict[str, User], django_assert_num_queries: Any
) -> None:
    laerer = Member.objects.get(user=users["laerer"])
    # Manages no forum: told without a query (the start page asks for every user).
    actor = get_actor(users["laerer"])
    with django_assert_num_queries(0):
        assert terms.terms_ending(actor, seeded) == []
    Membership.objects.create(member=laerer, forum=steering(), role=MembershipRole.SECRETARY)
    fresh = User.objects.get(pk=users["laerer"].pk)  # a new request: a new actor
    ending = terms.terms_ending(get_actor(fresh), seeded)
    assert [t.membership for t in ending] == [chair_membership()]


def test_the_election_item_is_proposed_once(seeded: date, users: dict[str, User]) -> None:
    meeting = next_meeting()
    assert terms.propose_elections(meeting) == 1
    assert terms.propose_elections(meeting) == 0
    item = meeting.items.get(kind=ItemKind.ELECTION)
    assert item.election_for == chair_membership()
    assert item.title == "Valg af formand for SSP Styregruppen"
    assert AuditEvent.objects.filter(action=AuditAction.ELECTION_PROPOSED).count() == 1
    # Nor on the meeting after it, while the first is pending.
    later = Meeting.objects.filter(
        forum=steering(), kind=MeetingKind.REGULAR, starts_at__gt=meeting.starts_at
    ).first()
    if later is not None:
        assert terms.propose_elections(later) == 0
    ending = terms.terms_ending(get_actor(users["koordinator"]), seeded)
    assert ending[0].election_meeting == meeting
    html = render_to_string("meetings/_terms.html", {"ending_terms": ending})
    assert "et valgpunkt er foreslået til mødet" in html


def _held_election(seeded: date) -> AgendaItem:
    meeting = next_meeting()
    terms.propose_elections(meeting)
    starts = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2), status=MeetingStatus.HELD
    )
    item = meeting.items.get(kind=ItemKind.ELECTION)
    item.decision = "Formanden blev genvalgt."
    item.save(update_fields=["decision"])
    return AgendaItem.objects.select_related("meeting__forum").get(pk=item.pk)


def test_record_election_re_elects_once(seeded: date, users: dict[str, User]) -> None:
    item = _held_election(seeded)
    until = date(seeded.year + 2, 1, 15)
    before = chair_membership()
    result = terms.record_election(
        actor_user=users["koordinator"], item=item, re_elected_until=until
    )
    assert result.pk == before.pk and result.term_ends_on == until
    assert result.version == before.version + 1
    again = terms.record_election(
        actor_user=users["koordinator"], item=item, re_elected_until=date(seeded.year + 9, 1, 1)
    )
    assert again.term_ends_on == until
    events = AuditEvent.objects.filter(action=AuditAction.ELECTION_RECORDED)
    assert events.count() == 1
    assert events.get().data == {"item": item.pk, "membership": before.pk, "re_elected": True}
    assert terms.terms_ending(get_actor(users["koordinator"]), seeded) == []


def test_record_election_of_a_new_member_ends_the_old_membership(
    seeded: date, users: dict[str, User]
) -> None:
    item = _held_election(seeded)
    old = chair_membership()
    newcomer = Member.objects.get(user__username="politi")
    new = terms.record_election(
        actor_user=users["koordinator"],
        item=item,
        new_member=newcomer,
        new_term_ends_on=date(seeded.year + 2, 1, 15),
    )
    old.refresh_from_db()
    day = timezone.localtime(item.meeting.starts_at).date()
    # Issue 14: the meeting that held the election keeps its members; the new one follows.
    assert old.end_date == day and new.start_date == day + timedelta(days=1)
    assert new.member == newcomer and new.role == MembershipRole.CHAIR
    assert new.seat_id == old.seat_id and new.has_vote == old.has_vote
    after = Membership.objects.filter(forum=steering(), role=MembershipRole.CHAIR)
    assert after.filter(start_date__lte=day + timedelta(days=1), end_date__isnull=True).get() == new


def test_record_election_refuses_others_and_an_empty_decision(
    seeded: date, users: dict[str, User]
) -> None:
    item = _held_election(seeded)
    with pytest.raises(DomainError, match="formand, sekretær"):
        terms.record_election(
            actor_user=users["laerer"], item=item, re_elected_until=date(2099, 1, 1)
        )
    item.decision = ""
    item.save(update_fields=["decision"])
    with pytest.raises(DomainError, match="beslutningen"):
        terms.record_election(
            actor_user=users["koordinator"], item=item, re_elected_until=date(2099, 1, 1)
        )
    item.decision = "Genvalgt."
    item.save(update_fields=["decision"])
    with pytest.raises(DomainError, match="efter mødets dato"):
        terms.record_election(
            actor_user=users["koordinator"], item=item, re_elected_until=date(2000, 1, 1)
        )


def test_the_election_form_records_the_result(
    seeded: date, users: dict[str, User], client_for: Any
) -> None:
    item = _held_election(seeded)
    client = client_for("koordinator")
    url = f"/moeder/{item.meeting_id}/punkter/{item.pk}/valg/"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="election-form"' in page.content.decode()
    refused = client.post(url, {"outcome": "re_elected"})
    assert refused.status_code == 400
    assert "Angiv, hvornår den nye valgperiode udløber." in refused.content.decode()
    done = client.post(url, {"outcome": "re_elected", "re_elected_until": "2031-01-15"})
    assert done.status_code == 302
    assert chair_membership().term_ends_on == date(2031, 1, 15)
    assert client_for("laerer").get(url).status_code in (403, 404)


@pytest.mark.parametrize("count", [1, 5, 12, 52])
def test_n_per_year_spreads_the_meetings_evenly(count: int) -> None:
    days = services.cadence_dates(Cadence.PER_YEAR, 2027, weekday=2, per_year=count)
    assert len(days) == count
    assert all(d.year == 2027 and d.weekday() == 2 for d in days)
    assert days == sorted(days)
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert not gaps or max(gaps) - min(gaps) <= 7


def test_fredericias_steering_group_meets_about_five_times_a_year(
    demo: Municipality, users: dict[str, User]
) -> None:
    load_preset(name="fredericia")
    forum = Forum.objects.get(municipality__slug="fredericia", key="styregruppe")
    assert forum.cadence == Cadence.PER_YEAR and forum.meetings_a_year == 5
    assert forum.cadence_label == "ca. 5 gange om året"
    staff = User.objects.create_user("fredericia-staff")
    assert forum.municipality is not None
    Member.objects.create(
        user=staff,
        municipality=forum.municipality,
        name="Fie Staff",
        access_role=AccessRole.SSP_STAFF,
    )
    created = services.generate_calendar(actor_user=staff, forum=forum, year=2027)
    assert len([m for m in created if m.kind == MeetingKind.REGULAR]) == 5
    client = Client()
    client.force_login(staff)
    page = client.get(f"/organisation/fora/{forum.pk}/").content.decode()
    assert "ca. 5 gange om året" in page


def test_the_start_page_shows_the_ending_term_to_the_secretary_only(
    seeded: date, client_for: Any
) -> None:
    box = "Formandens valgperiode i SSP Styregruppen udløber"
    assert box in client_for("koordinator").get("/").content.decode()
    assert box not in client_for("laerer").get("/").content.decode()
