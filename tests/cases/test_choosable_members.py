"""Issue 9, "who may be chosen, one rule": `choosable_members(actor, case)` decides who can be
coordinator, contact person, participant, task owner, disclosure giver or receiver, or member of
an ad hoc group; the forms offer only them and the services refuse anyone else. Only the task's
owner or the case's coordinator marks a task done."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp import access
from ssp.cases import access as case_access
from ssp.cases import adhoc, services
from ssp.cases.models import Case, Disclosure, LegalBasis, Task, TaskStatus
from ssp.errors import DomainError
from ssp.organisation.models import AccessRole, Member, Municipality

pytestmark = pytest.mark.django_db


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def actor(users: dict[str, User], username: str) -> access.Actor:
    return access.get_actor(users[username])


def test_it_offers_ssp_staff_and_authority_employees_of_the_municipality(
    demo: Municipality, users: dict[str, User]
) -> None:
    chosen = set(case_access.choosable_members(actor(users, "koordinator"), ali_case()))
    assert {member(n) for n in ("koordinator", "socialraadgiver", "politi", "laerer")} <= chosen
    assert all(m.municipality_id == demo.pk for m in chosen)
    assert all(
        m.access_role == AccessRole.SSP_STAFF
        or (m.access_role == AccessRole.EMPLOYEE and m.is_authority)
        for m in chosen
    )


def test_repro_case_forms_offer_no_administrators_or_politicians(
    users: dict[str, User], client_for: Any
) -> None:
    chosen = set(case_access.choosable_members(actor(users, "koordinator"), ali_case()))
    for outsider in ("admin", "politiker", "boligsocial"):
        assert member(outsider) not in chosen, outsider
    client = client_for("koordinator")

    def form_on(name: str) -> Any:
        """The case's forms each have their own page (the case page loads them on demand)."""
        return client.get(reverse(name, args=[ali_case().pk])).context["form"]

    offered = [
        set(form_on("cases:task_new").fields["owner"].queryset),
        set(form_on("cases:disclosure_new").fields["given_by"].queryset),
        set(form_on("cases:disclosure_new").fields["receivers"].queryset),
        set(form_on("cases:adhoc_new").fields["members"].queryset),
    ]
    agreement_page = client_for("koordinator").get(
        reverse("cases:agreement_new", args=[ali_case().pk])
    )
    form = agreement_page.context["form"]
    offered += [
        set(form.fields[name].queryset)
        for name in ("coordinator", "contact_person", "participants", "task_owner")
    ]
    for members in offered:
        assert members == chosen


def test_it_offers_nobody_to_those_outside_the_case_or_the_municipality(
    users: dict[str, User],
) -> None:
    for role in ("admin", "politiker", "boligsocial"):
        assert not case_access.choosable_members(actor(users, role), ali_case()).exists(), role


@pytest.mark.parametrize("outsider", ["admin", "politiker", "boligsocial"])
def test_repro_task_for_someone_who_cannot_open_the_case_is_refused(
    users: dict[str, User], outsider: str
) -> None:
    case = ali_case()
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere og myndighedspersoner"):
        services.add_task(
            actor_user=users["koordinator"],
            case=case,
            data=services.TaskData(
                owner=member(outsider), description="Opgave", due_date=timezone.localdate()
            ),
        )
    assert not Task.objects.filter(owner=member(outsider)).exists()


def test_repro_task_for_someone_who_cannot_open_the_case_is_refused_on_the_page(
    client_for: Any,
) -> None:
    case = ali_case()
    data = {
        "description": "Tal med familien",
        "owner": member("admin").pk,
        "due_date": "2030-01-01",
    }
    response = client_for("koordinator").post(reverse("cases:task_new", args=[case.pk]), data)
    assert response.status_code == 400
    assert "Tal med familien" in response.content.decode()
    assert not Task.objects.filter(description="Tal med familien").exists()


def test_a_task_makes_the_case_visible_to_its_owner(users: dict[str, User]) -> None:
    """The teacher is outside Ali's case; a task in it brings her into the circle."""
    case = ali_case()
    teacher = actor(users, "laerer")
    assert not case_access.visible_cases(teacher).filter(pk=case.pk).exists()
    services.add_task(
        actor_user=users["koordinator"],
        case=case,
        data=services.TaskData(
            owner=member("laerer"), description="Tal med Ali", due_date=timezone.localdate()
        ),
    )
    assert case_access.visible_cases(teacher).filter(pk=case.pk).exists()


def test_every_choosable_task_owner_would_see_the_case(users: dict[str, User]) -> None:
    case = ali_case()
    for chosen in case_access.choosable_members(actor(users, "koordinator"), case):
        if chosen.user is None:
            continue
        services.add_task(
            actor_user=users["koordinator"],
            case=case,
            data=services.TaskData(owner=chosen, description="x", due_date=timezone.localdate()),
        )
        fresh = User.objects.get(pk=chosen.user.pk)
        assert case_access.visible_cases(access.get_actor(fresh)).filter(pk=case.pk).exists()


def test_repro_a_disclosure_whose_giver_is_its_receiver_is_refused(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = ali_case()
    basis = LegalBasis.objects.filter(municipality=demo, is_consent=False).order_by("pk").first()
    assert basis is not None
    with pytest.raises(DomainError, match="ikke også være modtager"):
        services.record_disclosure(
            actor_user=users["koordinator"],
            case=case,
            legal_basis=basis,
            purpose="Afklaring",
            information="Fravær",
            given_by=member("politi"),
            receivers=[member("politi"), member("socialraadgiver")],
            disclosed_on=timezone.localdate(),
        )
    data = {
        "legal_basis": basis.pk,
        "purpose": "Afklare behovet for støtte i hjemmet",
        "information": "Fravær",
        "given_by": member("politi").pk,
        "receivers": [member("politi").pk],
        "disclosed_on": timezone.localdate().isoformat(),
    }
    response = client_for("koordinator").post(reverse("cases:disclosure_new", args=[case.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Afklare behovet for støtte i hjemmet" in page
    assert "ikke også være modtager" in page
    assert not Disclosure.objects.filter(purpose="Afklare behovet for støtte i hjemmet").exists()


def test_the_services_refuse_a_coordinator_or_group_member_outside_the_rule(
    users: dict[str, User],
) -> None:
    case = ali_case()
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere og myndighedspersoner"):
        services.make_action_agreement(
            actor_user=users["koordinator"],
            case=case,
            first_action="Møde",
            coordinator=member("socialraadgiver"),
            contact_person=member("politiker"),
            follow_up_date=timezone.localdate(),
        )
    with pytest.raises(DomainError):
        adhoc.set_up_for_case(actor_user=users["koordinator"], case=case, members=[member("admin")])


# --- Marking a task done ----------------------------------------------------------------------


def open_task_of(username: str) -> Task:
    return ali_case().tasks.get(owner__user__username=username, status=TaskStatus.OPEN)


def test_repro_anyone_in_a_case_marking_another_persons_task_done_is_refused(
    client_for: Any,
) -> None:
    """The police officer is in Ali's case but owns only her own task; the social worker's is
    not hers to close."""
    task = open_task_of("socialraadgiver")
    response = client_for("politi").post(reverse("cases:task_done", args=[task.case_id, task.pk]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_owner_marks_her_own_task_done(client_for: Any) -> None:
    task = open_task_of("politi")
    response = client_for("politi").post(reverse("cases:task_done", args=[task.case_id, task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


@pytest.mark.parametrize("coordinator", ["koordinator", "socialraadgiver"])
def test_the_case_coordinator_marks_any_task_done(client_for: Any, coordinator: str) -> None:
    """SSP staff, and the agreement's coordinator (the social worker in Ali's case)."""
    task = open_task_of("politi")
    response = client_for(coordinator).post(
        reverse("cases:task_done", args=[task.case_id, task.pk])
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_task_outside_the_case_stays_a_404(client_for: Any) -> None:
    task = open_task_of("politi")
    response = client_for("laerer").post(reverse("cases:task_done", args=[task.case_id, task.pk]))
    assert response.status_code == 404


def test_the_service_refuses_another_persons_task(users: dict[str, User]) -> None:
    task = open_task_of("socialraadgiver")
    with pytest.raises(DomainError, match="tovholder"):
        services.complete_task(actor_user=users["politi"], task=task)


def test_marking_a_task_done_twice_is_once(users: dict[str, User]) -> None:
    from ssp.audit.models import AuditAction, AuditEvent

    task = open_task_of("politi")
    services.complete_task(actor_user=users["politi"], task=task)
    services.complete_task(actor_user=users["politi"], task=task)
    done = AuditEvent.objects.filter(action=AuditAction.TASK_DONE, object_id=str(task.pk))
    assert done.count() == 1


def test_the_page_shows_the_done_button_only_where_it_may_be_used(client_for: Any) -> None:
    mine, theirs = open_task_of("politi"), open_task_of("socialraadgiver")
    page = client_for("politi").get(reverse("cases:case_detail", args=[mine.case_id]))
    html = page.content.decode()
    assert reverse("cases:task_done", args=[mine.case_id, mine.pk]) in html
    assert reverse("cases:task_done", args=[theirs.case_id, theirs.pk]) not in html
