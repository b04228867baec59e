"""Supervision (R4): the data protection officer / supervisory authority reads the disclosures
log and the audit trail, and nothing of the cases."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ssp import access
from ssp.audit import supervision
from ssp.audit.models import AuditAction, AuditEvent
from ssp.audit.services import chain_all
from ssp.cases.models import Case, Concern, Disclosure, LegalBasis, YoungPerson
from ssp.organisation.models import Municipality

DEMO_CHILDREN = ("Emil", "Sara", "Ali", "Noah", "Freja", "Sandberg", "Krogh")
ROLES_REFUSED = ("koordinator", "laerer", "socialraadgiver", "politi", "boligsocial", "politiker")


def noah_disclosure() -> Disclosure:
    return Disclosure.objects.get(case__young_person__first_name="Noah")


@pytest.mark.django_db
def test_the_supervisor_sees_no_personal_data(users: dict[str, User]) -> None:
    actor = access.get_actor(users["tilsyn"])
    assert access.can_supervise(actor)
    assert not access.can_see_personal_data(actor)
    assert access.can_view_organisation(actor)


@pytest.mark.django_db
def test_it_shows_the_disclosures_log_by_function_and_unit(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("tilsyn").get(reverse("audit:supervision_disclosures"))
    assert response.status_code == 200
    html = response.content.decode()
    disclosure = noah_disclosure()
    assert disclosure.purpose in html
    assert disclosure.legal_basis.title in html
    assert "SSP-lærer, Østskolen" in html  # the giver
    assert "Myndighedssagsbehandler, Socialcentret" in html  # a receiver
    assert disclosure.information not in html  # what was passed on is case content
    for name in (*DEMO_CHILDREN, "Lars Berg", "Sofie Dahl"):
        assert name not in html, name
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURES_LOG_VIEWED).exists()


@pytest.mark.django_db
def test_it_filters_the_disclosures_by_period_and_legal_basis(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("tilsyn")
    url = reverse("audit:supervision_disclosures")
    disclosure = noah_disclosure()
    day = disclosure.disclosed_on
    later = (day + timedelta(days=1)).isoformat()
    assert disclosure.purpose in client.get(url, {"fra": day.isoformat()}).content.decode()
    assert disclosure.purpose not in client.get(url, {"fra": later}).content.decode()
    other = LegalBasis.objects.filter(municipality=demo).exclude(pk=disclosure.legal_basis_id)
    assert (
        disclosure.purpose
        in client.get(url, {"hjemmel": disclosure.legal_basis_id}).content.decode()
    )
    assert disclosure.purpose not in client.get(url, {"hjemmel": other[0].pk}).content.decode()


@pytest.mark.django_db
def test_it_pages_the_disclosures(
    demo: Municipality, users: dict[str, User], settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(supervision, "PAGE_SIZE", 1)
    original = noah_disclosure()
    copy = Disclosure.objects.create(
        case=original.case,
        legal_basis=original.legal_basis,
        purpose="Andet formål",
        information="-",
        given_by=original.given_by,
        disclosed_on=original.disclosed_on - timedelta(days=1),
        recorded_by=original.recorded_by,
    )
    actor = access.get_actor(users["tilsyn"])
    first, rows = supervision.disclosures_page(actor, supervision.DisclosureFilter(), page=1)
    assert first.paginator.num_pages == 2 and rows[0].purpose == original.purpose
    _second, rows = supervision.disclosures_page(actor, supervision.DisclosureFilter(), page=2)
    assert rows[0].purpose == copy.purpose


@pytest.mark.django_db
def test_it_exports_the_disclosures_to_excel(demo: Municipality, client_for: Any) -> None:
    response = client_for("tilsyn").get(reverse("audit:supervision_disclosures_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Dato", "Sag nr.", "Hjemmel")
    disclosure = noah_disclosure()
    [row] = rows[1:]
    assert row[1] == disclosure.case_id
    assert row[4] == disclosure.purpose
    assert row[5] == "SSP-lærer, Østskolen"
    assert "Noah" not in str(rows)
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURES_LOG_EXPORTED).exists()


@pytest.mark.django_db
def test_the_excel_export_follows_the_filter(demo: Municipality, client_for: Any) -> None:
    later = (noah_disclosure().disclosed_on + timedelta(days=1)).isoformat()
    response = client_for("tilsyn").get(
        reverse("audit:supervision_disclosures_xlsx"), {"fra": later}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert len(list(sheet.iter_rows(values_only=True))) == 1  # the header only


@pytest.mark.django_db
def test_it_shows_the_audit_trail_filtered_by_user_and_kind(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    client_for("socialraadgiver").get(reverse("cases:case_detail", args=[case.pk]))
    client = client_for("tilsyn")
    url = reverse("audit:supervision_audit_trail")
    html = client.get(
        url, {"bruger": users["socialraadgiver"].pk, "handling": AuditAction.CASE_VIEWED}
    ).content.decode()
    assert f"cases.case:{case.pk}" in html
    assert "Sag vist" in html
    assert "socialraadgiver" in html
    assert "koordinator" not in html.split('data-testid="events"')[1]
    others = client.get(url, {"bruger": users["laerer"].pk, "handling": AuditAction.CASE_VIEWED})
    assert f"cases.case:{case.pk}" not in others.content.decode()
    for name in DEMO_CHILDREN:
        assert name not in html, name


@pytest.mark.django_db
def test_the_audit_trail_shows_a_waiting_event_as_pending_until_it_is_chained(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    client_for("socialraadgiver").get(reverse("cases:case_detail", args=[case.pk]))
    client = client_for("tilsyn")
    url = reverse("audit:supervision_audit_trail")
    query = {"bruger": users["socialraadgiver"].pk, "handling": AuditAction.CASE_VIEWED}
    rows = client.get(url, query).content.decode().split('data-testid="events"')[1]
    assert "<td>afventer</td>" in rows  # written, not yet chained (a test never commits)
    chain_all()
    event = AuditEvent.objects.filter(action=AuditAction.CASE_VIEWED).latest("id")
    rows = client.get(url, query).content.decode().split('data-testid="events"')[1]
    assert "afventer" not in rows
    assert f"<td>{event.sequence}</td>" in rows


@pytest.mark.django_db
def test_the_audit_trail_is_paginated(demo: Municipality, client_for: Any) -> None:
    html = client_for("tilsyn").get(reverse("audit:supervision_audit_trail")).content.decode()
    assert AuditEvent.objects.count() > supervision.PAGE_SIZE
    assert "side=2" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["cases:case_detail", "cases:young_person"])
def test_the_supervisor_gets_no_case_and_no_young_person(
    demo: Municipality, client_for: Any, url_name: str
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    pk = case.pk if url_name == "cases:case_detail" else case.young_person_id
    assert client_for("tilsyn").get(reverse(url_name, args=[pk])).status_code == 404


@pytest.mark.django_db
def test_the_supervisor_gets_404_on_a_concern(demo: Municipality, client_for: Any) -> None:
    concern = Concern.objects.filter(young_person__isnull=False).first()
    assert concern is not None
    response = client_for("tilsyn").get(reverse("cases:concern_detail", args=[concern.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_supervisor_sees_no_young_person_anywhere(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = client_for("tilsyn")
    names = YoungPerson.objects.values_list("first_name", flat=True)
    for url in (reverse("home"), reverse("audit:supervision_disclosures")):
        html = client.get(url).content.decode()
        for name in names:
            assert f">{name} " not in html and f" {name}<" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES_REFUSED, "admin"])
@pytest.mark.parametrize(
    "url_name",
    [
        "audit:supervision_disclosures",
        "audit:supervision_disclosures_xlsx",
        "audit:supervision_audit_trail",
    ],
)
def test_other_roles_are_refused(
    demo: Municipality, client_for: Any, role: str, url_name: str
) -> None:
    assert client_for(role).get(reverse(url_name)).status_code == 403


@pytest.mark.django_db
def test_a_supervisor_of_another_municipality_sees_nothing_here(
    demo: Municipality, users: dict[str, User]
) -> None:
    from ssp.access import Actor
    from ssp.organisation.models import AccessRole

    other = Actor(user_id=10**6, role=AccessRole.SUPERVISOR, municipality_id=demo.pk + 1000)
    assert not supervision.supervised_disclosures(other).exists()
    assert not supervision.supervised_events(other).filter(municipality_id=demo.pk).exists()


def test_it_keeps_the_date_in_the_excel_cells() -> None:
    row = supervision.DisclosureRow(
        disclosed_on=timezone.localdate(),
        case_number=1,
        legal_basis="Samtykke",
        legal_reference="",
        purpose="Formål",
        given_by="SSP-koordinator",
        receivers=["Politi", "Skole"],
        recorded_at=timezone.localtime(),
    )
    sheet = load_workbook(io.BytesIO(supervision.disclosures_xlsx([row]))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))[1]
    assert values[6] == "Politi; Skole"
