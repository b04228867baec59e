"""The project register (R7, Fredericia): SSP staff create and change projects, everyone in
the municipality reads them; personal data is refused; "evaluated" needs an ended project and
an evaluation; the list is searched, filtered, paginated and makes constant queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import Forum, Member, Municipality
from ssp.prevention import projects as register
from ssp.prevention.models import FocusArea, Project
from ssp.prevention.services import PersonalDataFound
from ssp.versioning import StaleEdit
from tests.prevention.test_export import other_municipality
from tests.prevention.test_services import registered_name

pytestmark = pytest.mark.django_db

LIST = reverse("prevention:projects")
NEW = reverse("prevention:project_new")


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Tryg i nattelivet",
        "starts_on": "2025-08-01",
        "ends_on": "2026-06-30",
        "funding": "Puljen til kriminalpræventive indsatser, 250.000 kr.",
        "partners": "Politiet, natteravnene, ungdomsskolen",
        "goals": "Færre konflikter i nattelivet for 16-18-årige.",
        "evaluation": "",
    } | overrides


def a_project(municipality: Municipality, **values: Any) -> Project:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "name": "Projekt",
        "starts_on": today - timedelta(days=30),
        "ends_on": today + timedelta(days=30),
    }
    return Project.objects.create(municipality=municipality, **(defaults | values))


def data(**overrides: Any) -> register.ProjectData:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name": "Sikker skolevej",
        "starts_on": today - timedelta(days=200),
        "ends_on": today - timedelta(days=1),
        "goals": "Trygge skoleveje i Engparken.",
    }
    return register.ProjectData(**(values | overrides))


def test_a_coordinator_creates_a_project_and_it_is_audited(
    demo: Municipality, client_for: Any
) -> None:
    coordinator = client_for("koordinator")
    form = coordinator.get(NEW)
    assert form.status_code == 200
    token = form.context["form"]["form_token"].value()
    mette = Member.objects.get(municipality=demo, name="Mette Holm")
    response = coordinator.post(NEW, body(form_token=token, responsible=mette.pk))
    assert response.status_code == 302
    project = Project.objects.get(municipality=demo, name="Tryg i nattelivet")
    assert response["Location"] == reverse("prevention:project", args=[project.pk])
    assert project.responsible == mette
    assert project.evaluated_at is None
    event = AuditEvent.objects.get(action=AuditAction.PROJECT_CREATED, object_id=str(project.pk))
    assert "Tryg" not in str(event.data)
    # The same form posted again makes no second project.
    again = coordinator.post(NEW, body(form_token=token, responsible=mette.pk))
    assert again.status_code == 302
    assert Project.objects.filter(name="Tryg i nattelivet").count() == 1
    assert "Tryg i nattelivet" in coordinator.get(LIST).content.decode()


@pytest.mark.parametrize("role", ["laerer", "politiker", "boligsocial", "socialraadgiver"])
def test_everyone_in_the_municipality_reads_projects_but_only_staff_keep_them(
    demo: Municipality, client_for: Any, role: str
) -> None:
    project = a_project(demo, name="Natteravne i midtbyen", goals="Flere voksne på gaden.")
    client = client_for(role)
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert "Natteravne i midtbyen" in listed.content.decode()
    assert 'href="/forebyggelse/projekter/nyt/"' not in listed.content.decode()
    detail = client.get(reverse("prevention:project", args=[project.pk]))
    assert detail.status_code == 200
    assert "Flere voksne på gaden." in detail.content.decode()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, body()).status_code == 403
    edit = reverse("prevention:project_edit", args=[project.pk])
    assert client.get(edit).status_code in {403, 404}
    assert not Project.objects.filter(name="Tryg i nattelivet").exists()


def test_a_cpr_number_is_refused_with_the_input_kept(demo: Municipality, client_for: Any) -> None:
    response = client_for("koordinator").post(
        NEW, body(goals="Målgruppen er bl.a. 010203-1234 og venner.")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "personoplysninger" in page
    assert "Fjern personoplysningerne her." in str(response.context["form"].errors["goals"])
    assert "Tryg i nattelivet" in page  # the user's input is kept
    assert not Project.objects.filter(name="Tryg i nattelivet").exists()


def test_a_registered_name_is_refused_from_staff(users: dict[str, User]) -> None:
    with pytest.raises(PersonalDataFound) as found:
        register.create_project(
            actor_user=users["koordinator"],
            data=data(evaluation=f"Det gik godt for {registered_name()}."),
        )
    assert found.value.fields == ["evaluation"]
    assert registered_name() not in found.value.message


def test_evaluated_needs_an_ended_project_and_an_evaluation(users: dict[str, User]) -> None:
    coordinator = users["koordinator"]
    running = data(ends_on=timezone.localdate() + timedelta(days=1), evaluation="Godt.")
    running.evaluated = True
    with pytest.raises(DomainError, match="når det er slut"):
        register.create_project(actor_user=coordinator, data=running)
    with pytest.raises(DomainError, match="Skriv evalueringen"):
        register.create_project(actor_user=coordinator, data=data(evaluated=True, evaluation=" "))
    # Ending today counts as ended.
    project = register.create_project(
        actor_user=coordinator,
        data=data(ends_on=timezone.localdate(), evaluation="Nåede 120 elever.", evaluated=True),
    )
    assert project.evaluated_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.PROJECT_EVALUATED, object_id=str(project.pk)
    ).exists()


def test_ticking_evaluated_on_an_edit_audits_it_once_and_unticking_clears_it(
    demo: Municipality, users: dict[str, User]
) -> None:
    coordinator = users["koordinator"]
    project = register.create_project(actor_user=coordinator, data=data())
    project = register.update_project(
        actor_user=coordinator,
        project=project,
        data=data(evaluation="Trygheden steg.", evaluated=True),
        expected_version=project.version,
    )
    first = project.evaluated_at
    assert first is not None
    project = register.update_project(
        actor_user=coordinator,
        project=project,
        data=data(evaluation="Trygheden steg tydeligt.", evaluated=True),
        expected_version=project.version,
    )
    assert project.evaluated_at == first
    events = AuditEvent.objects.filter(object_type="prevention.project", object_id=str(project.pk))
    assert events.filter(action=AuditAction.PROJECT_EVALUATED).count() == 1
    assert events.filter(action=AuditAction.PROJECT_CHANGED).count() == 1
    project = register.update_project(
        actor_user=coordinator,
        project=project,
        data=data(evaluation="Trygheden steg tydeligt.", evaluated=False),
        expected_version=project.version,
    )
    assert Project.objects.get(pk=project.pk).evaluated_at is None


def test_the_database_refuses_evaluated_without_an_evaluation(demo: Municipality) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        a_project(demo, evaluated_at=timezone.now(), evaluation="")


def test_the_form_refuses_evaluated_without_text_and_a_reversed_period(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("koordinator").post(
        NEW, body(evaluated="on", starts_on="2026-06-30", ends_on="2025-08-01")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "evaluation" in errors and "ends_on" in errors


def test_focus_area_and_leader_must_be_the_municipalitys(
    demo: Municipality, users: dict[str, User]
) -> None:
    other = other_municipality()
    forum = Forum.objects.create(municipality=other, key="andenby-styregruppe", name="Styregruppe")
    today = timezone.localdate()
    theirs = FocusArea.objects.create(
        municipality=other, forum=forum, title="Andenbys fokus", starts_on=today, ends_on=today
    )
    stranger = Member.objects.create(municipality=other, name="Fremmed Person")
    coordinator = users["koordinator"]
    with pytest.raises(DomainError, match="Fokusområdet"):
        register.create_project(actor_user=coordinator, data=data(focus_area_id=theirs.pk))
    with pytest.raises(DomainError, match="Projektlederen"):
        register.create_project(actor_user=coordinator, data=data(responsible_id=stranger.pk))


def test_only_staff_may_use_the_services(users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        register.create_project(actor_user=users["laerer"], data=data())


def test_a_stale_edit_is_refused_with_409_and_shows_what_is_stored(
    demo: Municipality, client_for: Any
) -> None:
    project = a_project(demo, name="Sommerjob til unge", funding="Kommunen")
    url = reverse("prevention:project_edit", args=[project.pk])
    coordinator = client_for("koordinator")
    opened_at = project.version
    values = {
        "name": "Sommerjob til unge",
        "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat(),
    }
    first = coordinator.post(url, body(**values, funding="Fonden", version=opened_at))
    assert first.status_code == 302
    second = coordinator.post(url, body(**values, funding="Staten", version=opened_at))
    assert second.status_code == 409
    page = second.content.decode()
    assert 'data-testid="stored-values"' in page
    assert "Fonden" in page and "Staten" in page
    assert Project.objects.get(pk=project.pk).funding == "Fonden"
    with pytest.raises(StaleEdit):
        register.update_project(
            actor_user=project_user(),
            project=Project.objects.get(pk=project.pk),
            data=data(),
            expected_version=opened_at,
        )


def project_user() -> User:
    return User.objects.get(username="koordinator")


def test_the_list_is_searched_and_filtered_running_or_ended(
    demo: Municipality, client_for: Any
) -> None:
    today = timezone.localdate()
    a_project(
        demo,
        name="Gammel natteravn",
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=10),
    )
    a_project(
        demo,
        name="Ny natteravn",
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=100),
    )
    a_project(demo, name="Sommerjob")
    client = client_for("laerer")

    def names(**query: str) -> list[str]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return [p.name for p in response.context["projects"]]

    assert names(q="natteravn") == ["Ny natteravn", "Gammel natteravn"]  # newest first
    assert names(q="natteravn", status="igang") == ["Ny natteravn"]
    assert names(q="natteravn", status="afsluttet") == ["Gammel natteravn"]
    assert "Sommerjob" in names(status="nonsense")  # an unknown filter is ignored
    assert client.get(LIST, {"q": "\x00" * 3, "side": "²"}).status_code == 200


def test_another_municipalitys_project_is_not_found(demo: Municipality, client_for: Any) -> None:
    theirs = a_project(other_municipality(), name="Andenbys projekt")
    client = client_for("koordinator")
    assert client.get(reverse("prevention:project", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("prevention:project_edit", args=[theirs.pk])).status_code == 404
    assert "Andenbys projekt" not in client.get(LIST).content.decode()


def test_the_focus_area_choices_are_bounded(demo: Municipality) -> None:
    forum = Forum.objects.get(municipality=demo, key="styregruppe")
    start = date(2000, 8, 1)
    oldest = FocusArea.objects.create(
        municipality=demo, forum=forum, title="Ældste", starts_on=start, ends_on=start
    )
    FocusArea.objects.bulk_create(
        FocusArea(
            municipality=demo,
            forum=forum,
            title=f"Fokus {n}",
            starts_on=start + timedelta(days=n + 1),
            ends_on=start + timedelta(days=n + 1),
        )
        for n in range(register.FOCUS_AREA_CHOICES_MAX + 5)
    )
    actor = get_actor(project_user())
    offered = register.focus_area_choices(actor)
    assert offered.count() == register.FOCUS_AREA_CHOICES_MAX
    assert oldest not in offered
    assert oldest in register.focus_area_choices(actor, current=oldest.pk)


def test_the_list_makes_the_same_queries_as_projects_grow(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("laerer")
    a_project(demo, responsible=Member.objects.filter(municipality=demo).first())
    client.get(LIST)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    focus = FocusArea.objects.filter(municipality=demo).first()
    leader = Member.objects.filter(municipality=demo).first()
    for n in range(register.PROJECTS_PAGE_SIZE + 5):
        a_project(demo, name=f"Ekstra {n:03}", responsible=leader, focus_area=focus)
    assert queries() == before
    response = client.get(LIST, {"side": "2"})
    assert len(response.context["projects"]) > 0
