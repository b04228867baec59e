"""How often catalogue interventions are used (R7, counts only): tasks and group or place
concerns point to an intervention of the municipality's catalogue; the catalogue and the
intervention page show the counts, read in one query whatever the page holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.cases import services as case_services
from ssp.cases.models import Case, Concern, ConcernSource, ConcernSubject, Task
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality
from ssp.prevention import usage
from ssp.prevention.models import Activity, Intervention, StaircaseStep
from tests.prevention.test_export import oest_plan, other_municipality
from tests.prevention.test_services import ensure_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def steps(demo: Municipality) -> dict[int, StaircaseStep]:
    return ensure_catalogue(demo)


def cool_kids() -> Intervention:
    return Intervention.objects.get(municipality__slug="aadal", name="Cool Kids")


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def due(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def place_concern(**overrides: Any) -> dict[str, Any]:
    return {
        "subject": ConcernSubject.PLACE,
        "source": ConcernSource.STAFF,
        "description": "Knallerter på stien bag hallen.",
        "place": "Stien bag hallen",
        "level": "yellow",
        **overrides,
    }


def test_a_task_points_to_a_catalogue_intervention(
    steps: dict[int, StaircaseStep], client_for: Any
) -> None:
    case = ali_case()
    url = reverse("cases:task_new", args=[case.pk])
    coordinator = client_for("koordinator")
    form = coordinator.get(url)
    choices = dict(form.context["form"].fields["intervention"].choices)
    assert choices[cool_kids().pk] == "Cool Kids"
    response = coordinator.post(
        url,
        {
            "description": "Henvis til Cool Kids",
            "owner": member("politi").pk,
            "due_date": due(),
            "intervention": cool_kids().pk,
        },
    )
    assert response.status_code == 302
    assert case.tasks.get(description="Henvis til Cool Kids").intervention == cool_kids()


def test_the_agreements_first_task_may_point_to_an_intervention(
    steps: dict[int, StaircaseStep], client_for: Any
) -> None:
    case = ali_case()
    url = reverse("cases:agreement_new", args=[case.pk])
    coordinator = client_for("koordinator")
    page = coordinator.get(url)
    assert page.status_code == 200
    assert "Indsats fra kataloget" in page.content.decode()
    form = page.context["form"]
    assert cool_kids().pk in dict(form.fields["task_intervention"].choices)


def test_a_group_or_place_concern_points_to_an_intervention_a_person_concern_does_not(
    steps: dict[int, StaircaseStep], client_for: Any
) -> None:
    teacher = client_for("laerer")
    url = reverse("cases:concern_new")
    response = teacher.post(url, place_concern(intervention=cool_kids().pk))
    assert response.status_code == 302
    concern = Concern.objects.filter(place="Stien bag hallen").latest("pk")
    assert concern.intervention == cool_kids()


def test_the_service_refuses_an_intervention_on_a_person_concern(
    steps: dict[int, StaircaseStep], users: dict[str, User]
) -> None:
    data = case_services.ConcernData(
        subject=ConcernSubject.PERSON,
        source=ConcernSource.STAFF,
        description="Bekymring",
        intervention_id=cool_kids().pk,
    )
    with pytest.raises(DomainError, match="gruppe eller et sted"):
        case_services.raise_concern(actor_user=users["laerer"], data=data)


def test_another_municipalitys_or_an_unused_intervention_is_refused(
    steps: dict[int, StaircaseStep], users: dict[str, User]
) -> None:
    theirs = Intervention.objects.create(municipality=other_municipality(), name="Andenbys klub")
    retired = Intervention.objects.create(
        municipality=cool_kids().municipality, name="Nedlagt klub", active=False
    )
    for intervention in (theirs, retired):
        with pytest.raises(DomainError, match="kommunens katalog"):
            case_services.add_task(
                actor_user=users["koordinator"],
                case=ali_case(),
                data=case_services.TaskData(
                    owner=member("politi"),
                    description="Opgave",
                    due_date=timezone.localdate() + timedelta(days=3),
                    intervention_id=intervention.pk,
                ),
            )
        data = case_services.ConcernData(
            subject=ConcernSubject.PLACE,
            source=ConcernSource.STAFF,
            description="Uro",
            place="Torvet",
            intervention_id=intervention.pk,
        )
        with pytest.raises(DomainError, match="kommunens katalog"):
            case_services.raise_concern(actor_user=users["laerer"], data=data)
    assert not Task.objects.filter(intervention__in=[theirs, retired]).exists()


def test_a_foreign_intervention_posted_on_the_form_is_a_form_error(
    steps: dict[int, StaircaseStep], client_for: Any
) -> None:
    theirs = Intervention.objects.create(municipality=other_municipality(), name="Andenbys klub")
    response = client_for("laerer").post(
        reverse("cases:concern_new"), place_concern(intervention=theirs.pk)
    )
    assert response.status_code in {200, 400}
    assert "intervention" in response.context["form"].errors


def test_the_choices_are_capped(
    steps: dict[int, StaircaseStep], users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssp.access import get_actor

    monkeypatch.setattr(usage, "CHOICES_MAX", 2)
    choices = usage.intervention_choices(get_actor(users["laerer"]))
    assert len(choices) == 2
    assert [name for _pk, name in choices] == sorted(name for _pk, name in choices)


def test_it_counts_tasks_concerns_and_activities_in_one_query(
    demo: Municipality, steps: dict[int, StaircaseStep]
) -> None:
    kids = cool_kids()
    unused = Intervention.objects.create(municipality=demo, name="Ubrugt indsats")
    case = ali_case()
    for n in range(2):
        Task.objects.create(
            case=case,
            owner=member("politi"),
            description=f"Opgave {n}",
            due_date=timezone.localdate(),
            intervention=kids,
        )
    concern = (
        Concern.objects.filter(subject=ConcernSubject.PLACE).first() or Concern.objects.first()
    )
    assert concern is not None
    Concern.objects.filter(pk=concern.pk).update(intervention=kids)
    plan = oest_plan(demo)
    Activity.objects.filter(plan=plan).update(intervention=None)
    Activity.objects.filter(plan=plan, title="Oplæg om sociale medier").update(intervention=kids)
    with CaptureQueriesContext(connection) as captured:
        counts = usage.usage_counts([kids.pk, unused.pk])
    assert len(captured.captured_queries) == 1
    assert counts[unused.pk] == usage.Usage(0, 0, 0)
    assert counts[kids.pk].tasks == Task.objects.filter(intervention=kids).count() >= 2
    assert counts[kids.pk].concerns == Concern.objects.filter(intervention=kids).count() >= 1
    assert counts[kids.pk].activities == Activity.objects.filter(intervention=kids).count() >= 1
    with CaptureQueriesContext(connection) as captured:
        assert usage.usage_counts([]) == {}
    assert len(captured.captured_queries) == 0


def add_tasks(intervention: Intervention, count: int) -> None:
    """`count` tasks in Ali's case that use `intervention`."""
    for _ in range(count):
        Task.objects.create(
            case=ali_case(),
            owner=member("politi"),
            description="Opgave",
            due_date=timezone.localdate(),
            intervention=intervention,
        )


def test_the_catalogue_and_the_intervention_page_show_the_counts(
    demo: Municipality, steps: dict[int, StaircaseStep], client_for: Any
) -> None:
    kids = cool_kids()
    add_tasks(kids, usage.SMALL_COUNT)
    expected = usage.usage_counts([kids.pk])[kids.pk]
    tasks = f"{expected.tasks} opgave" + ("" if expected.tasks == 1 else "r")
    teacher = client_for("politiker")
    detail = teacher.get(reverse("prevention:intervention", args=[kids.pk])).content.decode()
    assert f"Brugt i {tasks}" in detail
    assert "bekymring" in detail and "aktivitet" in detail
    catalogue = teacher.get(reverse("prevention:catalogue")).content.decode()
    assert f"Brugt i {tasks}" in catalogue
    # A politician sees numbers, never which case or task.
    assert "Opgave" not in detail.split("Brugt i", 1)[1].split("</dd>", 1)[0]


def test_a_count_of_tasks_or_concerns_under_five_is_not_shown_as_it_is(
    demo: Municipality, client_for: Any
) -> None:
    """One task of a rare intervention would point at one child's case: 1-4 read "færre end 5"."""
    kids = cool_kids()
    Task.objects.filter(intervention=kids).update(intervention=None)
    Concern.objects.filter(intervention=kids).update(intervention=None)
    add_tasks(kids, 1)
    detail = (
        client_for("politiker")
        .get(reverse("prevention:intervention", args=[kids.pk]))
        .content.decode()
    )
    assert "Brugt i færre end 5 opgaver" in detail
    assert "Brugt i 1 opgave" not in detail
    assert "0 bekymringer" in detail  # none is no one
