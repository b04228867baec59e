"""Issue 9, "no lost update": closing a case is race-safe and idempotent (the first evaluation
wins), and creating forms (consent, disclosure, task) carry a one-time token, so the same form
posted twice stores one row. The thread tests need PostgreSQL (real row locks); CI runs them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import services
from ssp.cases.models import Case, CaseStatus, ConsentForm, Disclosure, LegalBasis, Outcome, Task
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row locks and concurrent sessions"
)


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def today() -> str:
    return timezone.localdate().isoformat()


def close_data(case: Case, what_worked: str) -> dict[str, Any]:
    return {
        "version": case.version,
        "outcome": Outcome.IMPROVED,
        "partners": "Skole og klub",
        "what_worked": what_worked,
    }


def consent_data(case: Case, token: uuid.UUID, holder_pk: int | None = None) -> dict[str, Any]:
    holder = holder_pk or case.young_person.custody_holders.get().pk
    return {
        "form_token": str(token),
        "given_by": str(holder),
        "form": ConsentForm.ORAL,
        "given_on": today(),
        "scope": "Udveksling af oplysninger i SSP-samarbejdet",
    }


# --- Closing a case ------------------------------------------------------------------------


def test_repro_a_second_close_does_not_overwrite_the_evaluation(client_for: Any) -> None:
    case = ali_case()
    first, second = client_for("koordinator"), client_for("koordinator")
    stale = close_data(case, "Den anden koordinators evaluering")
    response = first.post(
        reverse("cases:case_close", args=[case.pk]), close_data(case, "Fast voksenkontakt")
    )
    assert response.status_code == 302
    response = second.post(reverse("cases:case_close", args=[case.pk]), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "allerede afsluttet" in html
    assert "Den anden koordinators evaluering" in html  # the user's text is kept
    assert "Fast voksenkontakt" in html  # and the stored evaluation shown
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.evaluation_what_worked == "Fast voksenkontakt"
    assert (
        AuditEvent.objects.filter(action=AuditAction.CASE_CLOSED, object_id=str(case.pk)).count()
        == 1
    )


def test_closing_counts_the_case_version(users: dict[str, User]) -> None:
    case = ali_case()
    version = case.version
    services.close_case(
        actor_user=users["koordinator"],
        case=case,
        outcome=Outcome.IMPROVED,
        partners="Skole",
        what_worked="Samtaler",
        expected_version=version,
    )
    case.refresh_from_db()
    assert case.version == version + 1


def test_a_close_from_a_stale_form_is_refused_with_the_stored_values(
    users: dict[str, User],
) -> None:
    from ssp.versioning import StaleEdit

    case = ali_case()
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    with pytest.raises(StaleEdit) as refused:
        services.close_case(
            actor_user=users["koordinator"],
            case=case,
            outcome=Outcome.IMPROVED,
            partners="Skole",
            what_worked="Samtaler",
            expected_version=case.version,
        )
    assert refused.value.version == case.version + 1
    assert Case.objects.get(pk=case.pk).is_open


def test_the_close_form_carries_the_case_version(client_for: Any) -> None:
    case = ali_case()
    html = client_for("koordinator").get(reverse("cases:case_close", args=[case.pk]))
    assert f'name="version" value="{case.version}"' in html.content.decode()


# --- One-time tokens -----------------------------------------------------------------------


def test_repro_the_same_consent_form_posted_twice_stores_one_consent(client_for: Any) -> None:
    case = ali_case()
    client = client_for("koordinator")
    data = consent_data(case, uuid.uuid4())
    before = case.consents.count()
    for _attempt in range(2):
        response = client.post(reverse("cases:consent_new", args=[case.pk]), data)
        assert response.status_code == 302
    assert case.consents.count() == before + 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.CONSENT_RECORDED)
        .filter(object_id__in=[str(pk) for pk in case.consents.values_list("pk", flat=True)])
        .count()
        == before + 1
    )


def test_a_second_custody_holders_consent_is_a_new_row(client_for: Any) -> None:
    case = ali_case()
    first = case.young_person.custody_holders.get()
    second = case.young_person.custody_holders.create(name="Omar Berg", relation="far")
    client = client_for("koordinator")
    before = case.consents.count()
    url = reverse("cases:consent_new", args=[case.pk])
    assert client.post(url, consent_data(case, uuid.uuid4(), first.pk)).status_code == 302
    assert client.post(url, consent_data(case, uuid.uuid4(), second.pk)).status_code == 302
    assert case.consents.count() == before + 2


def test_each_case_form_carries_a_new_token(client_for: Any) -> None:
    client = client_for("koordinator")
    first = client.get(reverse("cases:case_detail", args=[ali_case().pk])).context
    second = client.get(reverse("cases:case_detail", args=[ali_case().pk])).context
    name = "consent_form"
    assert first[name].initial["form_token"] != second[name].initial["form_token"], name
    # The task and disclosure forms load on demand from their own pages.
    for route in ("cases:task_new", "cases:disclosure_new", "cases:adhoc_new"):
        url = reverse(route, args=[ali_case().pk])
        one, two = client.get(url), client.get(url)
        assert (
            one.context["form"].initial["form_token"] != two.context["form"].initial["form_token"]
        ), route
        assert 'name="form_token"' in one.content.decode(), route
    assert (
        'name="form_token"'
        in client.get(reverse("cases:case_detail", args=[ali_case().pk])).content.decode()
    )


def test_the_same_task_form_posted_twice_makes_one_task(client_for: Any) -> None:
    case = ali_case()
    data = {
        "form_token": str(uuid.uuid4()),
        "description": "Ring til skolen om fraværet",
        "owner": member("politi").pk,
        "due_date": today(),
    }
    client = client_for("socialraadgiver")
    for _attempt in range(2):
        assert client.post(reverse("cases:task_new", args=[case.pk]), data).status_code == 302
    assert Task.objects.filter(description="Ring til skolen om fraværet").count() == 1


def test_the_same_disclosure_form_posted_twice_records_one_disclosure(
    demo: Municipality, client_for: Any
) -> None:
    case = ali_case()
    basis = LegalBasis.objects.filter(municipality=demo, is_consent=False).order_by("pk").first()
    assert basis is not None
    data = {
        "form_token": str(uuid.uuid4()),
        "legal_basis": basis.pk,
        "purpose": "Afklare behovet for støtte",
        "information": "Fravær",
        "given_by": member("laerer").pk,
        "receivers": [member("politi").pk],
        "disclosed_on": today(),
    }
    client = client_for("koordinator")
    for _attempt in range(2):
        response = client.post(reverse("cases:disclosure_new", args=[case.pk]), data)
        assert response.status_code == 302
    assert Disclosure.objects.filter(purpose="Afklare behovet for støtte").count() == 1


def test_a_token_used_in_another_case_is_refused(users: dict[str, User]) -> None:
    token = uuid.uuid4()
    ali, noah = ali_case(), Case.objects.get(young_person__first_name="Noah")
    services.add_task(
        actor_user=users["koordinator"],
        case=ali,
        data=services.TaskData(
            owner=member("politi"), description="x", due_date=timezone.localdate()
        ),
        token=token,
    )
    with pytest.raises(DomainError, match="allerede brugt"):
        services.add_task(
            actor_user=users["koordinator"],
            case=noah,
            data=services.TaskData(
                owner=member("politi"), description="y", due_date=timezone.localdate()
            ),
            token=token,
        )


# --- Concurrent sessions (PostgreSQL) --------------------------------------------------------


def in_threads(count: int, post: Callable[[int], int]) -> list[int]:
    """Run `post(index)` in `count` threads released together; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            statuses[index] = post(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_repro_three_concurrent_closes_give_one_evaluation(demo: Municipality) -> None:
    case = ali_case()
    clients = [logged_in("koordinator") for _ in range(3)]
    url = reverse("cases:case_close", args=[case.pk])
    texts = [f"Evaluering nummer {index}" for index in range(3)]
    statuses = in_threads(3, lambda i: clients[i].post(url, close_data(case, texts[i])).status_code)
    assert sorted(statuses) == [302, 409, 409]
    winner = texts[statuses.index(302)]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.evaluation_what_worked == winner
    closed = AuditEvent.objects.filter(action=AuditAction.CASE_CLOSED, object_id=str(case.pk))
    assert closed.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_repro_the_same_consent_form_posted_twice_at_once_stores_one_consent(
    demo: Municipality,
) -> None:
    case = ali_case()
    before = case.consents.count()
    data = consent_data(case, uuid.uuid4())
    clients = [logged_in("koordinator") for _ in range(2)]
    url = reverse("cases:consent_new", args=[case.pk])
    statuses = in_threads(2, lambda i: clients[i].post(url, data).status_code)
    assert statuses == [302, 302]
    assert case.consents.count() == before + 1
