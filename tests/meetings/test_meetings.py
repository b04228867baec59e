"""R6 meetings: cadence, automatic agenda items, signatures, publication check, forwarding,
and closed items that never reach a non-authority member on any channel."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.cases.models import Concern, ConcernSource, ConcernSubject
from ssp.cases.personal_data import FindingKind
from ssp.errors import DomainError
from ssp.meetings import services
from ssp.meetings.calendar import feed_token
from ssp.meetings.models import (
    AgendaItem,
    ForwardedMinutes,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
    MeetingTaskStatus,
    Visibility,
)
from ssp.organisation.models import Cadence, Forum, Member, Membership, MembershipRole, Municipality

pytestmark = pytest.mark.django_db


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


@pytest.mark.parametrize(
    ("cadence", "count"),
    [
        (Cadence.TWICE_YEARLY, 2),
        (Cadence.QUARTERLY, 4),
        (Cadence.MONTHLY, 12),
        (Cadence.BIWEEKLY, 26),
        (Cadence.WEEKLY, 52),
        (Cadence.ADHOC, 0),
    ],
)
def test_cadence_gives_the_year_its_meetings_on_the_chosen_weekday(
    cadence: Cadence, count: int
) -> None:
    days = services.cadence_dates(cadence, 2027, weekday=2)
    weekly = {Cadence.WEEKLY, Cadence.BIWEEKLY}
    assert len(days) in {count, count + 1} if cadence in weekly else len(days) == count
    assert all(day.weekday() == 2 and day.year == 2027 for day in days)
    assert days == sorted(set(days))


def test_the_calendar_adds_pre_meetings_and_the_annual_event_and_is_safe_to_repeat(
    demo: Municipality, users: dict[str, User]
) -> None:
    steering = forum("styregruppe")
    created = services.generate_calendar(actor_user=users["koordinator"], forum=steering, year=2029)
    kinds = sorted(m.kind for m in created)
    assert kinds.count(MeetingKind.REGULAR) == 4
    assert kinds.count(MeetingKind.PRE_MEETING) == 4  # Faxe: the chair and centre head prepare
    assert kinds.count(MeetingKind.ANNUAL_EVENT) == 1
    pre = next(m for m in created if m.kind == MeetingKind.PRE_MEETING)
    assert pre.prepares is not None and pre.prepares.starts_at - pre.starts_at == timedelta(days=7)
    assert (
        services.generate_calendar(actor_user=users["koordinator"], forum=steering, year=2029) == []
    )


def test_only_managers_plan_meetings(demo: Municipality, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="formand, sekretær"):
        services.generate_calendar(
            actor_user=users["laerer"], forum=forum("lokal-ssp-oest"), year=2029
        )


def test_concerns_awaiting_decision_and_follow_ups_go_on_the_agenda_as_closed_items(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    sara = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    item = meeting.items.get(concern=sara)
    assert item.visibility == Visibility.CLOSED
    assert (
        services.prepare_agenda(actor_user=users["koordinator"], meeting=meeting) == 0
    )  # no duplicates
    midt = services.create_meeting(
        actor_user=users["koordinator"],
        forum=forum("lokal-ssp-midt"),
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=10),
    )
    services.prepare_agenda(actor_user=users["koordinator"], meeting=midt)
    follow_up = midt.items.get(kind=ItemKind.CASE_FOLLOW_UP)
    assert follow_up.case is not None and follow_up.case.young_person.first_name == "Ali"
    assert follow_up.visibility == Visibility.CLOSED


def test_a_forum_that_may_not_discuss_individuals_gets_no_closed_items(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = Meeting.objects.filter(forum__key="styregruppe", status=MeetingStatus.PLANNED).first()
    assert meeting is not None
    with pytest.raises(DomainError, match="lukkede punkter"):
        services.add_item(
            actor_user=users["koordinator"],
            meeting=meeting,
            title="X",
            visibility=Visibility.CLOSED,
        )


def started(meeting: Meeting) -> Meeting:
    """Move a meeting's start an hour into the past: minutes are written from its start."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


def held_local_meeting(users: dict[str, User]) -> Meeting:
    meeting = started(upcoming_local())
    item = meeting.items.get(title="Aftener ved klubben")
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={member("boligsocial").pk: (True, True), member("laerer").pk: (True, False)},
        decisions={
            item.pk: services.DecisionData(
                "Gadeteamet kigger forbi.", member("politi"), date(2030, 1, 1)
            )
        }
        | {
            other.pk: services.DecisionData("Taget til efterretning.")
            for other in meeting.items.exclude(pk=item.pk)
        },
    )
    # Issue 14: every item decided, the meeting is closed ("Afslut mødet"), then signed.
    services.close_meeting(actor_user=users["koordinator"], meeting=meeting)
    return meeting


def test_decisions_become_tasks_and_the_minutes_record_who_left(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = held_local_meeting(users)
    task = MeetingTask.objects.get(item__meeting=meeting)
    assert task.owner == member("politi") and task.due_date == date(2030, 1, 1)
    first_closed = meeting.items.filter(visibility=Visibility.CLOSED).order_by("position")[0]
    assert f"Bente Larsen: present, left before item {first_closed.position}" in (
        services.protocol_text(meeting)
    )
    html = Client()
    html.force_login(users["politi"])
    assert "Gadeteamet kigger forbi." in html.get("/").content.decode()


def test_all_permanent_members_sign_and_a_later_change_needs_a_new_round(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = held_local_meeting(users)
    signers = services.signers_needed(meeting)
    usernames = [m.user.username for m in signers if m.user]
    assert len(usernames) == len(signers) == 5
    for username in usernames[:-1]:
        services.sign_protocol(actor_user=users[username], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.approved_at is None
    services.sign_protocol(actor_user=users[usernames[-1]], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.approved_at is not None
    signed_hash = services.protocol_hash(meeting)
    item = meeting.items.get(title="Aftener ved klubben")
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={item.pk: services.DecisionData("Ændret beslutning.")},
    )
    meeting.refresh_from_db()
    assert meeting.approved_at is None
    assert services.protocol_hash(meeting) != signed_hash
    assert services.current_signatures(meeting) == []
    with pytest.raises(DomainError, match="faste medlemmer"):
        services.sign_protocol(actor_user=users["politiker"], meeting=meeting)


def test_approved_minutes_are_forwarded_without_closed_items(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = held_local_meeting(users)
    for signer in services.signers_needed(meeting):
        assert signer.user is not None
        services.sign_protocol(actor_user=signer.user, meeting=meeting)
    forward = ForwardedMinutes.objects.get(meeting=meeting)
    assert forward.to_forum.key == "koordinationsgruppe"
    # Karin Lund chairs the coordination group without sitting in the local group: give her a login.
    chair = Member.objects.get(name="Karin Lund")
    chair.user = User.objects.create_user("karin")
    chair.save(update_fields=["user"])
    client = Client()
    client.force_login(chair.user)
    page = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Referat til orientering" in page
    assert "Aftener ved klubben" in page
    assert "Sara" not in page and "Bekymring nr." not in page
    api = client.get(f"/api/v1/meetings/meetings/{meeting.pk}").json()
    assert all(i["title"] == "Lukket punkt" for i in api["items"] if i["visibility"] == "closed")


def _public_item_saying(
    users: dict[str, User], meeting: Meeting, title: str, description: str = ""
) -> AgendaItem:
    """A held meeting's first public item, rewritten (issue 14: no item is added to a held
    meeting's agenda, but its text may be corrected)."""
    item = meeting.items.filter(visibility=Visibility.PUBLIC).order_by("position").first()
    assert item is not None
    return services.update_item(
        actor_user=users["koordinator"],
        item=item,
        title=title,
        description=description,
        visibility=Visibility.PUBLIC,
    )


def test_publication_is_blocked_by_a_cpr_number_and_a_registered_childs_name(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False)
    meeting.published_at = None
    meeting.save(update_fields=["published_at"])
    _public_item_saying(
        users,
        meeting,
        "Orientering",
        "Emil Sandberg (120312-4137) er flyttet. Kontakt mig på 20 30 40 50 eller x@y.dk",
    )
    findings = services.publish(actor_user=users["koordinator"], meeting=meeting)
    assert {f.kind for f in findings} == set(FindingKind)
    assert {f.field for f in findings} == {"beskrivelse"}
    position = meeting.items.get(title="Orientering").position
    assert {f.position for f in findings} == {position}
    meeting.refresh_from_db()
    assert meeting.published_at is None
    response = Client().get(f"/offentlig/moeder/{meeting.pk}/")
    assert response.status_code == 404


def test_a_blocked_publication_names_the_findings_on_the_page(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False)
    _public_item_saying(users, meeting, "Orientering", "Ring på 20 30 40 50.")
    response = client_for("koordinator").post(f"/moeder/{meeting.pk}/offentliggoer/")
    assert response.status_code == 409
    assert "beskrivelse: telefonnummer „20 30 40 50“" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.published_at is None


def test_a_non_authority_member_never_receives_a_closed_items_content(
    demo: Municipality, users: dict[str, User], client_for: Any, tmp_path: Any
) -> None:
    meeting = upcoming_local()
    client = client_for("boligsocial")
    channels = {
        "page": client.get(f"/moeder/{meeting.pk}/").content.decode(),
        "api": client.get(f"/api/v1/meetings/meetings/{meeting.pk}").content.decode(),
        "ical": Client().get(f"/kalender/{feed_token(users['boligsocial'])}.ics").content.decode(),
    }
    pdf_path = tmp_path / "m.pdf"
    pdf_path.write_bytes(client.get(f"/moeder/{meeting.pk}/pdf/").content)
    channels["pdf"] = subprocess.run(
        ["pdftotext", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,  # noqa: S603
    ).stdout
    for channel, text in channels.items():
        assert "Sara" not in text, channel
        assert "Bekymring nr." not in text, channel
    assert "Lukket punkt" in channels["page"] and "Lukket punkt" in channels["pdf"]
    assert "BEGIN:VEVENT" in channels["ical"]
    # The coordinator (SSP staff) does see the closed item.
    assert (
        "Sara Holm Nielsen"
        in client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    )


def test_the_agenda_links_each_item_to_its_edit_page_for_a_manager_only(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    items = list(meeting.items.order_by("position"))
    assert len(items) >= 2
    expected = [reverse("meetings:item_edit", args=[meeting.pk, item.pk]) for item in items]
    page = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert re.findall(r'class="ssp-edit" href="([^"]+)"', page) == expected
    member_page = client_for("boligsocial").get(f"/moeder/{meeting.pk}/").content.decode()
    assert 'data-testid="agenda-item"' in member_page
    assert 'class="ssp-edit"' not in member_page


def test_an_item_links_its_concern_for_a_reader_who_sees_it_whole_and_never_in_public(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    sara = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    item = meeting.items.get(concern=sara)
    link = reverse("cases:concern_detail", args=[sara.pk])
    page = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert f'id="punkt-{item.pk}"' in page
    assert f'<a href="{link}">Se bekymringen</a>' in page
    # The item is closed: a member who may not see closed items gets it redacted, no link.
    member_page = client_for("boligsocial").get(f"/moeder/{meeting.pk}/").content.decode()
    assert f'id="punkt-{item.pk}"' in member_page and link not in member_page
    # On the public version an item never points into the case work, even if made public.
    published = Meeting.objects.get(published_at__isnull=False)
    public_item = published.items.filter(visibility=Visibility.PUBLIC).first()
    assert public_item is not None
    AgendaItem.objects.filter(pk=public_item.pk).update(concern=sara)
    public_page = Client().get(f"/offentlig/moeder/{published.pk}/").content.decode()
    assert public_item.title in public_page
    assert "Se bekymringen" not in public_page and link not in public_page


def test_a_bad_calendar_token_is_404(db: None) -> None:
    assert Client().get("/kalender/forkert.ics").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_of_agenda_and_calendar_do_not_grow(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = client_for("koordinator")
    meeting = upcoming_local()
    urls = [
        f"/moeder/{meeting.pk}/",
        "/moeder/",
        f"/kalender/{feed_token(users['koordinator'])}.ics",
    ]
    client.get("/")  # a session's first page remembers the confidentiality acknowledgement
    before = [_queries(client, url) for url in urls]
    for index in range(10):
        services.add_item(actor_user=users["koordinator"], meeting=meeting, title=f"Punkt {index}")
    services.generate_calendar(
        actor_user=users["koordinator"], forum=forum("koordinationsgruppe"), year=2030
    )
    assert [_queries(client, url) for url in urls] == before


def test_a_closed_items_attachment_is_closed_too(demo: Municipality, client_for: Any) -> None:
    meeting = upcoming_local()
    attachment = meeting.items.get(visibility=Visibility.CLOSED).attachments.get()
    url = f"/moeder/{meeting.pk}/bilag/{attachment.pk}/"
    response = client_for("socialraadgiver").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"Notat")
    assert client_for("boligsocial").get(url).status_code == 404
    assert (
        "notat.txt" not in client_for("boligsocial").get(f"/moeder/{meeting.pk}/").content.decode()
    )


def test_an_attachment_is_uploaded_with_a_new_item(demo: Municipality, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = upcoming_local()
    client = client_for("koordinator")
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/",
        {
            "title": "Plan for nytår",
            "visibility": Visibility.INTERNAL,
            "attachment": SimpleUploadedFile("plan.txt", b"Plan"),
        },
    )
    assert response.status_code == 302
    item = meeting.items.get(title="Plan for nytår")
    assert item.attachments.get().name == "plan.txt"


def test_removing_personal_data_after_a_blocked_publication_lets_it_through(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False)
    item = _public_item_saying(users, meeting, "Emil Sandberg")
    meeting.refresh_from_db()
    assert meeting.published_at is None  # a change takes the public version down
    assert services.publish(actor_user=users["koordinator"], meeting=meeting)
    response = client_for("koordinator").post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/ret/",
        {
            "title": "Orientering om en ung",
            "description": "",
            "visibility": Visibility.PUBLIC,
            "version": item.version,
        },
    )
    assert response.status_code == 302
    assert services.publish(actor_user=users["koordinator"], meeting=meeting) == []
    assert Client().get(f"/offentlig/moeder/{meeting.pk}/").status_code == 200


def test_a_finished_task_stays_finished_when_the_minutes_are_saved_again(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = held_local_meeting(users)
    task = MeetingTask.objects.get(item__meeting=meeting)
    services.complete_meeting_task(actor_user=users["politi"], task=task)
    item = meeting.items.get(title="Aftener ved klubben")
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData(
                "Gadeteamet kigger forbi.", member("politi"), date(2030, 1, 1)
            )
        },
    )
    task.refresh_from_db()
    assert task.status == MeetingTaskStatus.DONE


def test_the_demo_protocol_signature_counts_for_the_stored_text(demo: Municipality) -> None:
    steering = Meeting.objects.get(published_at__isnull=False)
    assert [s.member.name for s in services.current_signatures(steering)] == ["Poul Madsen"]


def test_the_calendar_token_reveals_nothing_of_the_password(
    demo: Municipality, users: dict[str, User]
) -> None:
    import base64
    import zlib

    user = users["laerer"]
    token = feed_token(user)
    payload = token.split(":")[0]
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    if payload.startswith("."):
        raw = zlib.decompress(raw)
    assert user.password[-12:].encode() not in raw
    user.set_password("nyt-kodeord-123")
    user.save()
    assert Client().get(f"/kalender/{token}.ics").status_code == 404


def test_a_kredsraad_meeting_can_be_published(demo: Municipality, users: dict[str, User]) -> None:
    from ssp.organisation.services import load_preset

    load_preset(name="hoeje-taastrup")
    kredsraad = Forum.objects.get(key="kredsraad", police_district__isnull=False)
    meeting = Meeting.objects.create(
        forum=kredsraad,
        starts_at=timezone.now(),
        ends_at=timezone.now(),
        published_at=timezone.now(),
    )
    response = Client().get(f"/offentlig/moeder/{meeting.pk}/")
    assert response.status_code == 200
    assert "Københavns Vestegns Politi" in response.content.decode()


def test_the_public_pdf_holds_public_items_only(demo: Municipality, tmp_path: Any) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False, forum__key="styregruppe")
    path = tmp_path / "p.pdf"
    path.write_bytes(Client().get(f"/offentlig/moeder/{meeting.pk}/pdf/").content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Årsrapport for SSP-samarbejdet" in text
    assert "Økonomi" not in text  # an internal item


def test_a_non_authority_chair_cannot_open_a_closed_item_for_editing(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = upcoming_local()
    chair = Membership.objects.get(forum=meeting.forum, member=member("boligsocial"))
    chair.role = MembershipRole.CHAIR
    chair.save(update_fields=["role"])
    closed = meeting.items.get(visibility=Visibility.CLOSED)
    client = client_for("boligsocial")
    assert client.get(f"/moeder/{meeting.pk}/punkter/{closed.pk}/ret/").status_code == 404
    open_item = meeting.items.exclude(visibility=Visibility.CLOSED).first()
    assert open_item is not None
    assert client.get(f"/moeder/{meeting.pk}/punkter/{open_item.pk}/ret/").status_code == 200
    with pytest.raises(DomainError, match="Kun myndighedspersoner kan slette"):
        services.delete_item(actor_user=users["boligsocial"], item=closed)


def test_the_daily_job_puts_a_new_waiting_concern_on_the_next_meeting(
    demo: Municipality, users: dict[str, User], capsys: Any
) -> None:
    from django.core.management import call_command

    from ssp.cases.services import ConcernData, YoungPersonData, raise_concern
    from ssp.organisation.models import Unit

    concern = raise_concern(
        actor_user=users["laerer"],
        data=ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.WORKSHEET,
            description="Keder sig",
            young_person=YoungPersonData(
                first_name="Ny",
                last_name="Elev",
                cpr="090912-4321",
                school=Unit.objects.get(slug="oestskolen"),
            ),
            worksheet={"boredom": True},
        ),
    )
    call_command("prepare_agendas")
    item = upcoming_local().items.get(concern=concern)
    assert item.visibility == Visibility.CLOSED
    call_command("prepare_agendas")  # safe to run twice
    assert upcoming_local().items.filter(concern=concern).count() == 1
    # The first run also adds the governance items of every forum's next meeting (issue 14);
    # the second adds nothing.
    first, second = capsys.readouterr().out.splitlines()
    assert first.endswith("agenda item(s) added.") and second == "0 agenda item(s) added."
