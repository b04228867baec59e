"""Issue 9, "errors keep the user on the form": a form that fails (invalid, or refused by the
service) shows the page it lives on again with status 400, what the user typed, the field
errors and the real reason, never the dead-end "Det kunne ikke lade sig gøre" page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.cases.models import Case, Concern, ConcernSource, ConsentForm, LegalBasis
from ssp.organisation.models import Forum, Member, Municipality

pytestmark = pytest.mark.django_db

DEAD_END = "Det kunne ikke lade sig gøre"


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def noah_case() -> Case:
    return Case.objects.get(young_person__first_name="Noah")


def emil_concern() -> Concern:
    return Concern.objects.get(young_person__first_name="Emil", source=ConcernSource.WORKSHEET)


def forum(demo: Municipality, key: str) -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def stays(client: Client, name: str, pk: int, data: dict[str, Any], *texts: str) -> str:
    response = client.post(reverse(name, args=[pk]), data)
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert DEAD_END not in html
    for text in texts:
        assert text in html, text
    return html


def test_repro_a_task_without_a_deadline_keeps_the_typed_text(client_for: Any) -> None:
    data = {"description": "Ring til Alis klasselærer", "owner": member("politi").pk}
    html = stays(
        client_for("koordinator"),
        "cases:task_new",
        ali_case().pk,
        data,
        "Ring til Alis klasselærer",
        'data-testid="form-errors"',
    )
    assert 'data-testid="task-form"' in html


def test_repro_a_consent_dated_in_the_future_keeps_the_scope_and_says_why(
    client_for: Any,
) -> None:
    case = ali_case()
    holder = case.young_person.custody_holders.get()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {
        "given_by": str(holder.pk),
        "form": ConsentForm.WRITTEN,
        "given_on": future,
        "scope": "Udveksling med skolens AKT-lærer",
    }
    stays(
        client_for("koordinator"),
        "cases:consent_new",
        case.pk,
        data,
        "Udveksling med skolens AKT-lærer",
        "Datoen må ikke ligge efter",
    )


def test_repro_a_disclosure_on_consent_without_a_consent_gives_the_real_reason(
    demo: Municipality, client_for: Any
) -> None:
    basis = LegalBasis.objects.get(municipality=demo, is_consent=True)
    data = {
        "legal_basis": basis.pk,
        "purpose": "Planlægge et fælles møde med familien",
        "information": "Oplysninger om fravær",
        "given_by": member("laerer").pk,
        "receivers": [member("politi").pk],
        "disclosed_on": timezone.localdate().isoformat(),
    }
    stays(
        client_for("koordinator"),
        "cases:disclosure_new",
        noah_case().pk,
        data,
        "Planlægge et fælles møde med familien",
        "Der er ikke registreret et gyldigt samtykke",
    )


def test_repro_an_adhoc_group_with_a_non_authority_member_stays_on_the_case(
    client_for: Any,
) -> None:
    data = {"members": [member("politi").pk, member("boligsocial").pk]}
    html = stays(client_for("koordinator"), "cases:adhoc_new", ali_case().pk, data)
    assert 'data-testid="adhoc-form"' in html and "form-error" in html


def test_repro_escalating_to_a_forum_without_individuals_keeps_the_reason(
    demo: Municipality, client_for: Any
) -> None:
    data = {"forum": forum(demo, "styregruppe").pk, "reason": "Familien er flyttet til Vest"}
    stays(
        client_for("koordinator"),
        "cases:case_escalate",
        ali_case().pk,
        data,
        "Familien er flyttet til Vest",
    )


def test_repro_an_agreement_refused_by_the_rules_keeps_the_first_action(client_for: Any) -> None:
    """Red level: the coordinator must be an authority social worker (Fredericia's rule)."""
    case = ali_case()
    case.municipality.rules = {**case.municipality.rules, "red_level_coordinator_authority": True}
    case.municipality.save(update_fields=["rules"])
    data = {
        "first_action": "Hjemmebesøg hos familien Berg Hansen",
        "coordinator": member("laerer").pk,
        "contact_person": member("koordinator").pk,
        "follow_up_date": timezone.localdate().isoformat(),
    }
    stays(
        client_for("koordinator"),
        "cases:agreement_new",
        case.pk,
        data,
        "Hjemmebesøg hos familien Berg Hansen",
        "myndighedssagsbehandler",
    )


def test_repro_a_close_without_an_outcome_keeps_the_evaluation(client_for: Any) -> None:
    case = ali_case()
    data = {"version": case.version, "partners": "Klubben", "what_worked": "Fast voksenkontakt"}
    stays(client_for("koordinator"), "cases:case_close", case.pk, data, "Fast voksenkontakt")


def test_repro_routing_to_a_dissolved_forum_stays_on_the_concern(
    demo: Municipality, client_for: Any
) -> None:
    midt = forum(demo, "lokal-ssp-midt")
    Forum.objects.filter(pk=midt.pk).update(dissolved_at=timezone.now())
    html = stays(
        client_for("koordinator"), "cases:concern_route", emil_concern().pk, {"forum": midt.pk}
    )
    assert "form-error" in html


def test_repro_dropping_without_a_reason_stays_on_the_concern(client_for: Any) -> None:
    sara = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    stays(client_for("koordinator"), "cases:concern_drop", sara.pk, {"note": ""})


def test_dropping_a_concern_that_requires_an_agreement_says_why(client_for: Any) -> None:
    stays(
        client_for("koordinator"),
        "cases:concern_drop",
        emil_concern().pk,
        {"note": "Familien har selv taget hånd om det"},
        "Familien har selv taget hånd om det",
        "kræver en handlingsaftale",
    )


def test_opening_a_case_without_a_forum_stays_on_the_concern(client_for: Any) -> None:
    stays(client_for("koordinator"), "cases:case_open", emil_concern().pk, {"level": "red"})
