"""The write views of cases and concerns, each through its page: the allowed role's post takes
effect, refused roles get 403 or 404 and change nothing, invalid input changes nothing.

The demo case (Ali, local group Midt): the coordinator is SSP staff; the social worker
coordinates the agreement and owns a task; the police officer owns a task. The teacher, the
housing worker, the politician and the administrator are outside it.

Clients log in before an `unchanged()` block: a login itself writes rows (last login, audit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import (
    Case,
    CaseEvent,
    Concern,
    ConcernSource,
    ConsentForm,
    CustodyHolder,
    Disclosure,
    LegalBasis,
    Level,
)
from ssp.organisation.models import Forum, ForumType, Member, Municipality
from tests.helpers_db import SNAPSHOT_APPS, changes, snapshot, unchanged

REFUSED = {403, 404}
INVALID = 400  # the page with the form again: its problem, shown to the user with the input
DATA_APPS = tuple(app for app in SNAPSHOT_APPS if app != "audit")


@contextmanager
def only_the_page_viewed() -> Iterator[None]:
    """A failed form shows its page again: nothing changes but the audit event of that view."""
    before = snapshot(DATA_APPS)
    events = set(AuditEvent.objects.values_list("pk", flat=True))
    yield
    assert changes(before, snapshot(DATA_APPS)) == []
    added = AuditEvent.objects.exclude(pk__in=events).values_list("action", flat=True)
    assert set(added) <= {AuditAction.CASE_VIEWED}


pytestmark = pytest.mark.django_db


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def forum(demo: Municipality, key: str) -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def case(demo: Municipality) -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def post(client: Client, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs), data)


def audited(action: AuditAction) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- task_new -------------------------------------------------------------------------------


def task_data(**overrides: Any) -> dict[str, Any]:
    return {
        "description": "Ring til skolen om fraværet",
        "owner": member("politi").pk,
        "due_date": today(7),
        **overrides,
    }


def test_it_adds_a_task_for_a_member_of_the_case_circle(case: Case, client_for: Any) -> None:
    events = audited(AuditAction.TASK_ADDED)
    response = post(client_for("socialraadgiver"), "cases:task_new", task_data(), pk=case.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    task = case.tasks.get(description="Ring til skolen om fraværet")
    assert task.owner == member("politi")
    assert task.due_date.isoformat() == today(7)
    assert audited(AuditAction.TASK_ADDED) == events + 1


@pytest.mark.parametrize("role", ["laerer", "boligsocial", "politiker", "admin"])
def test_it_refuses_a_task_from_outside_the_case(case: Case, client_for: Any, role: str) -> None:
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:task_new", task_data(), pk=case.pk)
    assert response.status_code in REFUSED


def test_it_rejects_a_task_without_a_due_date(case: Case, client_for: Any) -> None:
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:task_new", task_data(due_date=""), pk=case.pk)
    assert response.status_code == INVALID


def test_it_rejects_an_owner_from_outside_the_municipality(case: Case, client_for: Any) -> None:
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:task_new", task_data(owner=10**6), pk=case.pk)
    assert response.status_code == INVALID


# --- consent_new ----------------------------------------------------------------------------


def consent_data(holder: CustodyHolder | None, **overrides: Any) -> dict[str, Any]:
    return {
        "given_by": str(holder.pk) if holder else "young",
        "form": ConsentForm.WRITTEN,
        "given_on": today(),
        "scope": "Udveksling af oplysninger i SSP-samarbejdet",
        **overrides,
    }


def test_it_records_consent_from_a_custody_holder(case: Case, client_for: Any) -> None:
    holder = case.young_person.custody_holders.get()
    before = set(case.consents.values_list("pk", flat=True))
    response = post(
        client_for("koordinator"), "cases:consent_new", consent_data(holder), pk=case.pk
    )
    assert response.status_code == 302
    consent = case.consents.exclude(pk__in=before).get()
    assert consent.custody_holder == holder
    assert consent.form == ConsentForm.WRITTEN
    assert not consent.by_young_person
    assert not consent.refused


def test_it_records_consent_given_by_the_young_person(case: Case, client_for: Any) -> None:
    before = set(case.consents.values_list("pk", flat=True))
    response = post(client_for("politi"), "cases:consent_new", consent_data(None), pk=case.pk)
    assert response.status_code == 302
    consent = case.consents.exclude(pk__in=before).get()
    assert consent.by_young_person
    assert consent.custody_holder is None


def test_it_records_a_refused_consent(case: Case, client_for: Any) -> None:
    holder = case.young_person.custody_holders.get()
    before = set(case.consents.values_list("pk", flat=True))
    data = consent_data(holder, refused="on")
    response = post(client_for("koordinator"), "cases:consent_new", data, pk=case.pk)
    assert response.status_code == 302
    assert case.consents.exclude(pk__in=before).get().refused


@pytest.mark.parametrize("role", ["laerer", "boligsocial", "politiker", "admin"])
def test_it_refuses_consent_from_outside_the_case(case: Case, client_for: Any, role: str) -> None:
    holder = case.young_person.custody_holders.get()
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:consent_new", consent_data(holder), pk=case.pk)
    assert response.status_code in REFUSED


def test_it_rejects_a_consent_dated_in_the_future(case: Case, client_for: Any) -> None:
    holder = case.young_person.custody_holders.get()
    data = consent_data(holder, given_on=today(3))
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:consent_new", data, pk=case.pk)
    assert response.status_code == INVALID


def test_it_rejects_the_custody_holder_of_another_young_person(case: Case, client_for: Any) -> None:
    other = CustodyHolder.objects.exclude(young_person=case.young_person).first()
    assert other is not None
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:consent_new", consent_data(other), pk=case.pk)
    assert response.status_code == INVALID


# --- disclosure_new -------------------------------------------------------------------------


def disclosure_data(
    demo: Municipality, *, consent: bool = False, **overrides: Any
) -> dict[str, Any]:
    basis = LegalBasis.objects.filter(municipality=demo, is_consent=consent).order_by("pk").first()
    assert basis is not None
    return {
        "legal_basis": basis.pk,
        "purpose": "Afklare behovet for støtte",
        "information": "Oplysninger om fravær",
        "given_by": member("laerer").pk,
        "receivers": [member("politi").pk, member("socialraadgiver").pk],
        "disclosed_on": today(),
        **overrides,
    }


def test_it_records_a_disclosure_with_its_receivers(
    demo: Municipality, case: Case, client_for: Any
) -> None:
    response = post(
        client_for("koordinator"), "cases:disclosure_new", disclosure_data(demo), pk=case.pk
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(case=case, purpose="Afklare behovet for støtte")
    assert disclosure.given_by == member("laerer")
    assert set(disclosure.receivers.all()) == {member("politi"), member("socialraadgiver")}
    assert audited(AuditAction.DISCLOSURE_RECORDED) >= 1


def test_a_disclosure_purpose_naming_the_child_stays_on_the_form(
    demo: Municipality, case: Case, client_for: Any
) -> None:
    """The purpose is shown to the supervisor (no personal data): why, not about whom."""
    name = f"{case.young_person.first_name} {case.young_person.last_name}"
    response = post(
        client_for("koordinator"),
        "cases:disclosure_new",
        disclosure_data(demo, purpose=f"Hjælpe {name} i skolen"),
        pk=case.pk,
    )
    assert response.status_code == 400
    assert "må ikke indeholde personoplysninger" in response.content.decode()
    assert not Disclosure.objects.filter(case=case, purpose__contains=name).exists()


@pytest.mark.parametrize("role", ["laerer", "boligsocial", "politiker", "admin"])
def test_it_refuses_a_disclosure_from_outside_the_case(
    demo: Municipality, case: Case, client_for: Any, role: str
) -> None:
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:disclosure_new", disclosure_data(demo), pk=case.pk)
    assert response.status_code in REFUSED


def test_it_refuses_receivers_who_are_not_authority_persons(
    demo: Municipality, case: Case, client_for: Any
) -> None:
    data = disclosure_data(demo, receivers=[member("boligsocial").pk])
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:disclosure_new", data, pk=case.pk)
    assert response.status_code == INVALID


def test_it_requires_a_valid_consent_for_a_consent_basis(
    demo: Municipality, client_for: Any
) -> None:
    noah = Case.objects.get(young_person__first_name="Noah")
    assert not noah.consents.exists()
    data = disclosure_data(demo, consent=True)
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:disclosure_new", data, pk=noah.pk)
    assert response.status_code == INVALID


# --- adhoc_new ------------------------------------------------------------------------------


def test_it_narrows_the_case_to_an_adhoc_group(case: Case, client_for: Any) -> None:
    members = [member("socialraadgiver"), member("politi")]
    response = post(
        client_for("koordinator"),
        "cases:adhoc_new",
        {"members": [m.pk for m in members]},
        pk=case.pk,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    group = case.forum
    assert group.forum_type == ForumType.ADHOC
    assert set(group.memberships.values_list("member", flat=True)) == {m.pk for m in members}
    assert set(Concern.objects.filter(case=case).values_list("forum", flat=True)) == {group.pk}
    assert audited(AuditAction.ADHOC_GROUP_CREATED) >= 1


@pytest.mark.parametrize("role", ["socialraadgiver", "politi", "laerer", "boligsocial"])
def test_it_lets_only_ssp_staff_form_an_adhoc_group(case: Case, client_for: Any, role: str) -> None:
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:adhoc_new", {"members": [member("politi").pk]}, pk=case.pk)
    assert response.status_code in REFUSED


def test_it_keeps_non_authority_members_out_of_an_adhoc_group(case: Case, client_for: Any) -> None:
    data = {"members": [member("politi").pk, member("boligsocial").pk]}
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:adhoc_new", data, pk=case.pk)
    assert response.status_code == INVALID


def test_it_rejects_an_adhoc_group_without_members(case: Case, client_for: Any) -> None:
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:adhoc_new", {}, pk=case.pk)
    assert response.status_code == INVALID


# --- case_escalate --------------------------------------------------------------------------


def test_it_sends_the_case_to_another_forum(
    demo: Municipality, case: Case, client_for: Any
) -> None:
    oest = forum(demo, "lokal-ssp-oest")
    events = CaseEvent.objects.filter(case=case).count()
    response = post(
        client_for("koordinator"),
        "cases:case_escalate",
        {"forum": oest.pk, "reason": "Familien er flyttet"},
        pk=case.pk,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.forum == oest
    assert set(Concern.objects.filter(case=case).values_list("forum", flat=True)) == {oest.pk}
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert audited(AuditAction.CASE_ESCALATED) >= 1


@pytest.mark.parametrize(
    "role", ["socialraadgiver", "politi", "laerer", "boligsocial", "politiker", "admin"]
)
def test_it_lets_only_ssp_staff_escalate(
    demo: Municipality, case: Case, client_for: Any, role: str
) -> None:
    data = {"forum": forum(demo, "lokal-ssp-oest").pk, "reason": "Familien er flyttet"}
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:case_escalate", data, pk=case.pk)
    assert response.status_code in REFUSED


def test_it_escalates_only_to_a_forum_that_may_discuss_individuals(
    demo: Municipality, case: Case, client_for: Any
) -> None:
    data = {"forum": forum(demo, "styregruppe").pk, "reason": "Til orientering"}
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:case_escalate", data, pk=case.pk)
    assert response.status_code == INVALID


def test_it_requires_a_reason_to_escalate(demo: Municipality, case: Case, client_for: Any) -> None:
    data = {"forum": forum(demo, "lokal-ssp-oest").pk, "reason": ""}
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:case_escalate", data, pk=case.pk)
    assert response.status_code == INVALID


# --- concern_route --------------------------------------------------------------------------


@pytest.fixture
def concern(demo: Municipality) -> Concern:
    """Emil's worksheet concern, raised by the teacher and sent to the local group Øst."""
    return Concern.objects.get(young_person__first_name="Emil", source=ConcernSource.WORKSHEET)


def test_it_routes_the_concern_to_a_forum(
    demo: Municipality, concern: Concern, client_for: Any
) -> None:
    midt = forum(demo, "lokal-ssp-midt")
    response = post(
        client_for("koordinator"), "cases:concern_route", {"forum": midt.pk}, pk=concern.pk
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:concern_detail", kwargs={"pk": concern.pk})
    concern.refresh_from_db()
    assert concern.forum == midt
    assert audited(AuditAction.CONCERN_ROUTED) >= 1


@pytest.mark.parametrize(
    "role", ["laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin"]
)
def test_it_lets_only_ssp_staff_route_a_concern(
    demo: Municipality, concern: Concern, client_for: Any, role: str
) -> None:
    """The teacher raised this concern and may see it, but not send it elsewhere."""
    data = {"forum": forum(demo, "lokal-ssp-midt").pk}
    client = client_for(role)
    with unchanged():
        response = post(client, "cases:concern_route", data, pk=concern.pk)
    assert response.status_code in REFUSED


def test_it_routes_only_to_an_active_forum(
    demo: Municipality, concern: Concern, client_for: Any
) -> None:
    midt = forum(demo, "lokal-ssp-midt")
    Forum.objects.filter(pk=midt.pk).update(dissolved_at=timezone.now())
    client = client_for("koordinator")
    with only_the_page_viewed():
        response = post(client, "cases:concern_route", {"forum": midt.pk}, pk=concern.pk)
    assert response.status_code in {302, INVALID}  # back to the concern, or the error page


def test_it_hides_another_municipality_s_concern(client_for: Any, demo: Municipality) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = post(
            client,
            "cases:concern_route",
            {"forum": forum(demo, "lokal-ssp-midt").pk},
            pk=10**6,
        )
    assert response.status_code == 404


def test_it_opens_no_case_from_a_routed_concern(
    demo: Municipality, concern: Concern, client_for: Any
) -> None:
    """Routing moves the concern; the decision on a case is a separate step."""
    post(
        client_for("koordinator"),
        "cases:concern_route",
        {"forum": forum(demo, "lokal-ssp-midt").pk},
        pk=concern.pk,
    )
    concern.refresh_from_db()
    assert concern.case_id is None
    assert concern.level == Level.RED
