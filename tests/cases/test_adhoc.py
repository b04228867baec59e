"""Ad hoc action groups (issue 10, part 2): set up by the parent forum's chair or SSP staff,
also between meetings with a notice on the parent's next agenda; dissolved by decision with a
result the parent's next agenda shows; members lose access on dissolution."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp import access
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import access as case_access
from ssp.cases import adhoc
from ssp.cases.models import Case, YoungPerson
from ssp.errors import DomainError
from ssp.meetings import services as meeting_services
from ssp.meetings.models import AgendaItem, Meeting, MeetingStatus
from ssp.organisation.models import (
    AdhocSubject,
    Forum,
    ForumType,
    Member,
    Membership,
    MembershipRole,
    Municipality,
)
from tests.helpers_db import at_once


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def oest(demo: Municipality) -> Forum:
    return Forum.objects.get(municipality=demo, key="lokal-ssp-oest")


def make_chair(demo: Municipality, username: str) -> User:
    """Give a demo user the chair of the local group Øst (an Områdegruppe's role)."""
    Membership.objects.filter(forum=oest(demo), member=member(username)).update(
        role=MembershipRole.CHAIR
    )
    return User.objects.get(username=username)  # a fresh user: no cached actor


def upcoming(demo: Municipality) -> Meeting:
    return Meeting.objects.get(forum=oest(demo), status=MeetingStatus.PLANNED)


def fresh(username: str) -> User:
    return User.objects.get(username=username)


def area_group(demo: Municipality, by: User, **extra: Any) -> Forum:
    data: dict[str, Any] = {
        "actor_user": by,
        "parent": oest(demo),
        "subject": AdhocSubject.AREA,
        "task": "Skabe ro omkring stationen om aftenen",
        "members": [member("laerer"), member("boligsocial")],
        "between_meetings": True,
    }
    return adhoc.set_up_adhoc_group(**(data | extra))


def noah_case() -> Case:
    return Case.objects.get(young_person__first_name="Noah")


def new_items(meeting: Meeting, before: set[int]) -> list[AgendaItem]:
    return list(meeting.items.exclude(pk__in=before).order_by("position"))


def young_names(demo: Municipality) -> list[str]:
    people = YoungPerson.objects.filter(municipality=demo)
    return [name for p in people for name in (p.first_name, p.last_name)]


# --- Notices on the parent forum's next agenda --------------------------------------------------


def test_repro_a_group_set_up_between_meetings_is_noticed_on_the_parents_next_agenda(
    demo: Municipality, users: dict[str, User]
) -> None:
    chair = make_chair(demo, "socialraadgiver")
    meeting = upcoming(demo)
    before = set(meeting.items.values_list("pk", flat=True))
    area_group(demo, chair)
    adhoc.set_up_adhoc_group(
        actor_user=users["koordinator"],
        parent=oest(demo),
        subject=AdhocSubject.PERSON,
        case=noah_case(),
        task="Finde en løsning i sagen",
        members=[member("politi")],
        between_meetings=True,
    )

    meeting_services.prepare_next_agendas(today=timezone.localdate())

    items = new_items(meeting, before)
    titles = [item.title for item in items]
    assert "Ad hoc handlegruppe nedsat imellem møderne: et område, 2 medlemmer" in titles
    assert "Ad hoc handlegruppe nedsat imellem møderne: en navngiven ung, 1 medlem" in titles
    text = " ".join(f"{item.title} {item.description}" for item in items)
    for name in [*young_names(demo), "Lars", "Berg", "Bente", "Peter", "Nørgaard"]:
        assert name not in text
    assert all(not item.is_closed for item in items)


def test_it_puts_each_notice_on_the_agenda_once(demo: Municipality, users: dict[str, User]) -> None:
    meeting = upcoming(demo)
    area_group(demo, users["koordinator"])
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    count = meeting.items.count()
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    assert meeting.items.count() == count


def test_a_group_set_up_at_a_meeting_gets_no_notice(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming(demo)
    count = meeting.items.count()
    area_group(demo, users["koordinator"], between_meetings=False)
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    assert meeting.items.count() == count


def test_the_notice_waits_for_the_parents_next_meeting(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming(demo)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    group = area_group(demo, users["koordinator"])
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    group.refresh_from_db()
    assert group.setup_noticed_at is None
    later = Meeting.objects.create(
        forum=oest(demo),
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=2),
    )
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    assert later.items.filter(title__startswith="Ad hoc handlegruppe nedsat").count() == 1


# --- Dissolution ------------------------------------------------------------------------------


def test_repro_an_adhoc_group_is_dissolved_by_decision_and_its_members_lose_access(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = noah_case()
    group = adhoc.set_up_adhoc_group(
        actor_user=users["koordinator"],
        parent=oest(demo),
        subject=AdhocSubject.PERSON,
        case=case,
        task="Finde en løsning i sagen",
        members=[member("politi")],
        between_meetings=True,
    )
    assert case in case_access.visible_cases(access.get_actor(fresh("politi")))
    assert client_for("politi").get(f"/sager/{case.pk}/").status_code == 200
    detail = reverse("cases:adhoc_detail", kwargs={"group": group.pk})
    assert client_for("politi").get(detail).status_code == 200

    adhoc.dissolve_adhoc_group(
        actor_user=users["koordinator"], group=group, result="Indsatsen er aftalt med skolen."
    )

    assert case not in case_access.visible_cases(access.get_actor(fresh("politi")))
    assert client_for("politi").get(f"/sager/{case.pk}/").status_code == 404
    assert client_for("politi").get(detail).status_code == 404
    # The record stays for the case.
    case.refresh_from_db()
    assert case.forum_id == group.pk
    assert Membership.objects.filter(forum=group, member=member("politi")).exists()
    assert client_for("koordinator").get(detail).status_code == 200
    assert (
        "Indsatsen er aftalt med skolen." in client_for("koordinator").get(detail).content.decode()
    )


def test_members_see_only_the_groups_matters(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    """A member of a person group sees its case, not the parent forum's other matters."""
    karin = Member.objects.get(name="Karin Lund")
    karin.user = User.objects.create_user("karin")
    karin.save(update_fields=["user"])
    case = noah_case()
    adhoc.set_up_adhoc_group(
        actor_user=users["koordinator"],
        parent=oest(demo),
        subject=AdhocSubject.PERSON,
        case=case,
        task="Finde en løsning i sagen",
        members=[karin],
        between_meetings=False,
    )
    actor = access.get_actor(User.objects.get(username="karin"))
    assert list(case_access.visible_cases(actor)) == [case]


def test_the_result_shows_on_the_parents_next_agenda(
    demo: Municipality, users: dict[str, User]
) -> None:
    chair = make_chair(demo, "socialraadgiver")
    group = area_group(demo, chair)
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    adhoc.dissolve_adhoc_group(
        actor_user=chair, group=group, result="Ny aftenåben klub i området fra næste måned."
    )

    meeting_services.prepare_next_agendas(today=timezone.localdate())

    item = upcoming(demo).items.get(title="Resultater fra tidligere handlegrupper")
    assert "Ny aftenåben klub i området fra næste måned." in item.description
    assert "et område" in item.description


def test_the_result_goes_under_the_forums_own_standing_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    forum = oest(demo)
    forum.standing_items = ["Orientering om løsninger fra tidligere nedsatte handlegrupper"]
    forum.save(update_fields=["standing_items"])
    group = area_group(demo, users["koordinator"], between_meetings=False)
    adhoc.dissolve_adhoc_group(
        actor_user=users["koordinator"], group=group, result="Handleplanen er lagt."
    )
    meeting = upcoming(demo)
    meeting_services.prepare_agenda(actor_user=users["koordinator"], meeting=meeting)
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    standing = meeting.items.get(
        title="Orientering om løsninger fra tidligere nedsatte handlegrupper"
    )
    assert "Handleplanen er lagt." in standing.description
    assert not meeting.items.filter(title="Resultater fra tidligere handlegrupper").exists()


def test_closing_the_case_dissolves_its_group_with_a_result(
    demo: Municipality, users: dict[str, User]
) -> None:
    from ssp.cases import services
    from ssp.cases.models import Outcome

    case = noah_case()
    group = adhoc.set_up_for_case(
        actor_user=users["koordinator"], case=case, members=[member("politi")]
    )
    services.close_case(
        actor_user=users["koordinator"],
        case=case,
        outcome=Outcome.IMPROVED,
        partners="Skole",
        what_worked="Samtaler",
    )
    group.refresh_from_db()
    assert group.dissolved_at is not None and group.adhoc_result == "Sagen er afsluttet."
    assert group.dissolved_by == users["koordinator"]


@pytest.mark.parametrize(
    "result",
    [
        "Aftalt med 120312-4137",
        "Skriv til mor@example.org",
        "Ring 20 30 40 50",
        "Noah Krogh er startet i klub",
    ],
)
def test_a_result_with_personal_data_is_refused(
    demo: Municipality, users: dict[str, User], result: str
) -> None:
    group = area_group(demo, users["koordinator"])
    with pytest.raises(DomainError, match="personoplysninger"):
        adhoc.dissolve_adhoc_group(actor_user=users["koordinator"], group=group, result=result)
    group.refresh_from_db()
    assert group.is_active


def test_a_task_for_an_area_naming_a_child_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="personoplysninger"):
        area_group(demo, users["koordinator"], task="Hjælpe Emil Sandberg")


def test_a_task_about_a_person_naming_the_child_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="personoplysninger"):
        adhoc.set_up_for_case(
            actor_user=users["koordinator"],
            case=noah_case(),
            members=[member("politi")],
            task="Skoletilbud til Noah Krogh",
        )


def test_a_result_is_required(demo: Municipality, users: dict[str, User]) -> None:
    group = area_group(demo, users["koordinator"])
    with pytest.raises(DomainError, match="resultat"):
        adhoc.dissolve_adhoc_group(actor_user=users["koordinator"], group=group, result="  ")


# --- Who may set up and dissolve --------------------------------------------------------------


def test_the_parents_chair_and_ssp_staff_may_set_up_a_group(
    demo: Municipality, users: dict[str, User]
) -> None:
    forum = oest(demo)
    chair = make_chair(demo, "socialraadgiver")
    assert case_access.can_set_up_adhoc_group(access.get_actor(chair), forum)
    assert case_access.can_set_up_adhoc_group(access.get_actor(users["koordinator"]), forum)
    for name in ("laerer", "politi", "boligsocial", "politiker", "admin"):
        assert not case_access.can_set_up_adhoc_group(access.get_actor(fresh(name)), forum), name
    midt = Forum.objects.get(municipality=demo, key="lokal-ssp-midt")
    assert not case_access.can_set_up_adhoc_group(access.get_actor(fresh("socialraadgiver")), midt)


def test_a_chair_who_is_no_authority_person_sets_up_no_group_about_a_person(
    demo: Municipality, users: dict[str, User]
) -> None:
    chair = make_chair(demo, "boligsocial")
    assert area_group(demo, chair).is_active
    with pytest.raises(DomainError, match="myndighedsperson"):
        adhoc.set_up_adhoc_group(
            actor_user=chair,
            parent=oest(demo),
            subject=AdhocSubject.PERSON,
            case=noah_case(),
            task="Finde en løsning",
            members=[member("politi")],
            between_meetings=True,
        )


def test_a_group_about_a_person_takes_authority_persons_only(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="myndighedspersoner"):
        adhoc.set_up_adhoc_group(
            actor_user=users["koordinator"],
            parent=oest(demo),
            subject=AdhocSubject.PERSON,
            case=noah_case(),
            task="Finde en løsning",
            members=[member("boligsocial")],
            between_meetings=True,
        )


def test_an_area_group_takes_no_politician(demo: Municipality, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="medarbejdere"):
        area_group(demo, users["koordinator"], members=[member("politiker")])


@pytest.mark.parametrize("name", ["laerer", "boligsocial", "politi", "politiker", "admin"])
def test_refused_roles_cannot_dissolve_a_group(
    demo: Municipality, users: dict[str, User], name: str
) -> None:
    group = area_group(demo, users["koordinator"])
    with pytest.raises(DomainError):
        adhoc.dissolve_adhoc_group(actor_user=fresh(name), group=group, result="Løst.")
    group.refresh_from_db()
    assert group.is_active


def test_a_member_sees_the_group_but_may_not_dissolve_it(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    group = area_group(demo, users["koordinator"])
    client = client_for("laerer")
    assert client.get(reverse("cases:adhoc_detail", kwargs={"group": group.pk})).status_code == 200
    response = client.post(
        reverse("cases:adhoc_dissolve", kwargs={"group": group.pk}), {"result": "Løst."}
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.is_active


def test_the_set_up_page_is_refused_to_those_who_chair_nothing(client_for: Any) -> None:
    for name in ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin"):
        assert client_for(name).get(reverse("cases:adhoc_set_up")).status_code == 403, name


# --- Idempotent and race-safe -----------------------------------------------------------------


def test_the_same_form_twice_sets_up_one_group(demo: Municipality, users: dict[str, User]) -> None:
    token = uuid.uuid4()
    first = area_group(demo, users["koordinator"], token=token)
    second = area_group(demo, users["koordinator"], token=token)
    assert first.pk == second.pk
    assert Forum.objects.filter(form_token=token).count() == 1


def test_dissolving_twice_keeps_the_first_result(
    demo: Municipality, users: dict[str, User]
) -> None:
    group = area_group(demo, users["koordinator"])
    adhoc.dissolve_adhoc_group(actor_user=users["koordinator"], group=group, result="Første.")
    again = adhoc.dissolve_adhoc_group(actor_user=users["koordinator"], group=group, result="To.")
    assert again.adhoc_result == "Første."
    events = AuditEvent.objects.filter(
        action=AuditAction.ADHOC_GROUP_DISSOLVED, object_id=str(group.pk)
    )
    assert events.count() == 1


def test_a_case_gets_one_active_group(demo: Municipality, users: dict[str, User]) -> None:
    adhoc.set_up_for_case(
        actor_user=users["koordinator"], case=noah_case(), members=[member("politi")]
    )
    with pytest.raises(DomainError, match="allerede"):
        adhoc.set_up_for_case(
            actor_user=users["koordinator"], case=noah_case(), members=[member("politi")]
        )


@pytest.mark.django_db(transaction=True)
def test_two_dissolutions_at_once_dissolve_once(demo: Municipality, users: dict[str, User]) -> None:
    group = area_group(demo, users["koordinator"])
    errors: list[BaseException] = []

    def dissolve(result: str) -> Callable[[], None]:
        def call() -> None:
            try:
                adhoc.dissolve_adhoc_group(
                    actor_user=User.objects.get(username="koordinator"),
                    group=group,
                    result=result,
                )
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        return call

    at_once(*(dissolve(f"Resultat {n}.") for n in range(4)))
    assert errors == []
    events = AuditEvent.objects.filter(
        action=AuditAction.ADHOC_GROUP_DISSOLVED, object_id=str(group.pk)
    )
    assert events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_at_once_sets_up_one_group(
    demo: Municipality, users: dict[str, User]
) -> None:
    token = uuid.uuid4()
    errors: list[BaseException] = []

    def set_up() -> None:
        try:
            area_group(demo, User.objects.get(username="koordinator"), token=token)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    at_once(*([set_up] * 4))
    assert errors == []
    assert Forum.objects.filter(form_token=token, forum_type=ForumType.ADHOC).count() == 1


# --- Pages ------------------------------------------------------------------------------------


def test_repro_an_omraadegruppe_chair_sets_up_an_adhoc_group_for_an_area(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    make_chair(demo, "socialraadgiver")
    client = client_for("socialraadgiver")
    page = client.get(reverse("cases:adhoc_set_up"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["parent"].queryset) == [oest(demo)]
    response = client.post(
        reverse("cases:adhoc_set_up"),
        {
            "parent": oest(demo).pk,
            "subject": AdhocSubject.AREA,
            "task": "Skabe ro omkring stationen",
            "members": [member("laerer").pk, member("boligsocial").pk],
            "between_meetings": "on",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    group = Forum.objects.get(adhoc_task="Skabe ro omkring stationen")
    assert group.parent == oest(demo) and group.set_up_between_meetings
    assert AuditEvent.objects.filter(
        action=AuditAction.ADHOC_GROUP_CREATED, object_id=str(group.pk)
    ).exists()


def test_repro_a_result_with_a_cpr_number_stays_on_the_form(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    group = area_group(demo, users["koordinator"])
    response = client_for("koordinator").post(
        reverse("cases:adhoc_dissolve", kwargs={"group": group.pk}),
        {"result": "Aftale om 120312-4137 og klub"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Aftale om 120312-4137 og klub" in html and "form-errors" in html


def test_a_set_up_form_with_errors_keeps_the_input(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    response = client_for("koordinator").post(
        reverse("cases:adhoc_set_up"),
        {
            "parent": oest(demo).pk,
            "subject": AdhocSubject.PERSON,
            "task": "Finde en løsning for den unge",
            "members": [member("boligsocial").pk],
        },
    )
    assert response.status_code == 400
    assert "Finde en løsning for den unge" in response.content.decode()
    assert not Forum.objects.filter(adhoc_task="Finde en løsning for den unge").exists()


def person_group(demo: Municipality, by: User) -> Forum:
    return adhoc.set_up_adhoc_group(
        actor_user=by,
        parent=oest(demo),
        subject=AdhocSubject.PERSON,
        case=noah_case(),
        task="Finde en løsning i sagen",
        members=[member("socialraadgiver")],
        between_meetings=True,
    )


def test_a_chair_who_is_no_authority_person_neither_sees_nor_dissolves_a_group_about_a_person(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    """Review finding: the chaired-parent branch showed a named person's group to a chair who is
    no authority person, and let her dissolve it (cutting the case's circle off)."""
    group = person_group(demo, users["koordinator"])
    chair = make_chair(demo, "boligsocial")
    actor = access.get_actor(chair)
    assert group not in case_access.visible_adhoc_groups(actor)
    assert not case_access.can_dissolve_adhoc_group(actor, group)
    client = client_for("boligsocial")
    detail = reverse("cases:adhoc_detail", kwargs={"group": group.pk})
    assert client.get(detail).status_code == 404
    dissolve = reverse("cases:adhoc_dissolve", kwargs={"group": group.pk})
    assert client.post(dissolve, {"result": "Opløst"}).status_code == 404
    group.refresh_from_db()
    assert group.dissolved_at is None
    # An area group of her forum she does see and may dissolve.
    area = area_group(demo, chair)
    assert area in case_access.visible_adhoc_groups(access.get_actor(fresh("boligsocial")))


def test_a_chair_cannot_pull_another_forums_case_into_a_group(
    demo: Municipality, users: dict[str, User]
) -> None:
    """Review finding: a chair could move any case she sees into a group of her own forum."""
    chair = make_chair(demo, "socialraadgiver")
    actor = access.get_actor(chair)
    other = (
        case_access.visible_cases(actor)
        .exclude(forum=oest(demo))
        .exclude(forum__parent=oest(demo))
        .filter(status="open")
        .first()
    )
    assert other is not None, "the social worker sees a case of another forum"
    assert other not in adhoc.person_cases(actor)
    with pytest.raises(DomainError, match="som dit forum behandler"):
        adhoc.set_up_adhoc_group(
            actor_user=chair,
            parent=oest(demo),
            subject=AdhocSubject.PERSON,
            case=other,
            task="Finde en løsning",
            members=[member("socialraadgiver")],
            between_meetings=True,
        )
    other.refresh_from_db()
    assert other.forum.forum_type != ForumType.ADHOC
