"""Subject access (GDPR art. 15) and rectification (art. 16) for one young person."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit import subject_access
from ssp.audit.models import AuditAction, AuditEvent, Correction
from ssp.cases import services
from ssp.cases.models import (
    Case,
    Concern,
    ConcernSource,
    CustodyHolder,
    LegalBasis,
    Level,
    YoungPerson,
)
from ssp.errors import DomainError
from ssp.meetings.models import AgendaItem
from ssp.organisation.models import Forum, Member, Municipality
from ssp.versioning import StaleEdit
from tests.helpers_db import at_once

# Every other demo child, every other family's custody holder, and the staff by name: none of
# them may appear in Sara's export.
OTHER_CHILDREN = (
    "Emil",
    "Sandberg",
    "Berg Hansen",
    "Noah",
    "Krogh",
    "Freja",
    "Lukas",
    "Bjerre",
    "William",
)
OTHER_CUSTODY_HOLDERS = ("Lone Sandberg", "Fatima", "Peter Krogh", "Maja Lund")
STAFF_NAMES = ("Mette", "Lars Berg", "Sofie Dahl", "Nørgaard", "Bente", "Karin Lund")
DECISION_TEXT = "Lokalgruppen aftaler en samtale med Sara og hendes far."


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def sara() -> YoungPerson:
    return YoungPerson.objects.get(first_name="Sara")


def give_sara_every_kind_of_record(demo: Municipality, users: dict[str, User]) -> Case:
    """Sara has a concern, a police-list row, absence rows and a closed agenda item in the demo;
    here she also gets a case with an agreement, a task, a consent, a disclosure, minutes."""
    coordinator = users["koordinator"]
    concern = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    case = services.open_case(
        actor_user=coordinator,
        concerns=[concern],
        level=Level.YELLOW,
        forum=Forum.objects.get(municipality=demo, key="lokal-ssp-oest"),
    )
    services.make_action_agreement(
        actor_user=coordinator,
        case=case,
        first_action="Samtale med Sara om fritidstilbud.",
        coordinator=member("koordinator"),
        contact_person=member("laerer"),
        follow_up_date=timezone.localdate() + timedelta(days=14),
        tasks=[
            services.TaskData(
                owner=member("laerer"),
                description="Find en fritidsaktivitet sammen med Sara",
                due_date=timezone.localdate() + timedelta(days=10),
            )
        ],
    )
    services.record_consent(
        actor_user=coordinator,
        case=case,
        form="oral",
        given_on=timezone.localdate(),
        scope="Samarbejde mellem skole og klub",
        custody_holder=CustodyHolder.objects.get(young_person=case.young_person),
    )
    services.record_disclosure(
        actor_user=coordinator,
        case=case,
        legal_basis=LegalBasis.objects.get(municipality=demo, code="rpl-115-clarify"),
        purpose="Afklare behovet for en fritidsaktivitet",
        information="Saras fravær i efteråret",
        given_by=member("laerer"),
        receivers=[member("socialraadgiver")],
        disclosed_on=timezone.localdate(),
    )
    AgendaItem.objects.filter(concern=concern).update(decision=DECISION_TEXT)
    return case


def produce(person: YoungPerson, user: User, **kwargs: Any) -> dict[str, Any]:
    request = subject_access.SubjectAccessRequest(
        requested_by=kwargs.get("requested_by", subject_access.Requester.CUSTODY_HOLDER),
        custody_holder=kwargs.get(
            "custody_holder", CustodyHolder.objects.filter(young_person=person).first()
        ),
        export_format=kwargs.get("export_format", subject_access.ExportFormat.JSON),
    )
    return subject_access.produce_subject_access(actor_user=user, person=person, request=request)


@pytest.mark.django_db
def test_it_exports_every_kind_of_record_about_the_young_person(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = give_sara_every_kind_of_record(demo, users)
    client_for("socialraadgiver").get(reverse("cases:case_detail", args=[case.pk]))
    export = produce(sara(), users["koordinator"])
    for kind in (
        "custody_holders",
        "concerns",
        "cases",
        "agreements",
        "tasks",
        "consents",
        "disclosures",
        "police_reports",
        "deadlines",
        "absence",
        "agenda_items",
        "access_log",
    ):
        assert export[kind], f"no {kind} in the export"
    text = subject_access.export_json(export).decode()
    assert "Sara virker isoleret" in text  # the concern
    assert "Samtale med Sara om fritidstilbud." in text  # the agreement
    assert "Find en fritidsaktivitet sammen med Sara" in text  # the task
    assert "Samarbejde mellem skole og klub" in text  # the consent
    assert "Jens Nielsen" in text  # her own custody holder
    assert "Saras fravær i efteråret" in text  # what was disclosed
    basis = LegalBasis.objects.get(municipality=demo, code="rpl-115-clarify")
    assert basis.title in text  # on which legal basis
    assert "0100-70001-00102-26" in text  # her police-list row
    assert DECISION_TEXT in text  # the minutes of her agenda item
    [disclosure] = export["disclosures"]
    assert disclosure["given_by"] == "SSP-lærer, Østskolen"
    assert disclosure["receivers"] == ["Myndighedssagsbehandler, Socialcentret"]
    viewers = {row["who"] for row in export["access_log"]}
    assert "Myndighedssagsbehandler, Socialcentret" in viewers


@pytest.mark.django_db
def test_it_names_no_other_child_no_other_family_and_no_staff_member(
    demo: Municipality, users: dict[str, User]
) -> None:
    give_sara_every_kind_of_record(demo, users)
    text = subject_access.export_json(produce(sara(), users["koordinator"])).decode()
    for name in (*OTHER_CHILDREN, *OTHER_CUSTODY_HOLDERS, *STAFF_NAMES):
        assert name not in text, name


@pytest.mark.django_db
def test_it_answers_with_a_pdf_for_the_family(
    demo: Municipality, users: dict[str, User], client_for: Any, tmp_path: Any
) -> None:
    give_sara_every_kind_of_record(demo, users)
    person = sara()
    holder = CustodyHolder.objects.get(young_person=person)
    response = client_for("koordinator").post(
        reverse("audit:subject_access", args=[person.pk]),
        {"requested_by": f"holder-{holder.pk}", "export_format": "pdf"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Sara" not in response["Content-Disposition"]
    path = tmp_path / "indsigt.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Sara" in text
    assert "Jens Nielsen" in text
    assert "Afklare behovet for en fritidsaktivitet" in text
    for name in (*OTHER_CHILDREN, *OTHER_CUSTODY_HOLDERS, *STAFF_NAMES):
        assert name not in text, name


@pytest.mark.django_db
def test_it_answers_with_json_for_machines(demo: Municipality, client_for: Any) -> None:
    person = sara()
    response = client_for("koordinator").post(
        reverse("audit:subject_access", args=[person.pk]),
        {"requested_by": "young_person", "export_format": "json"},
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["person"]["first_name"] == "Sara"
    assert data["police_reports"][0]["offence"] == "Butikstyveri"


@pytest.mark.django_db
def test_it_audits_who_asked_without_a_name(demo: Municipality, users: dict[str, User]) -> None:
    person = sara()
    holder = CustodyHolder.objects.get(young_person=person)
    produce(person, users["koordinator"], custody_holder=holder)
    event = AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_PRODUCED).get()
    assert event.subject_ref == f"youngperson:{person.pk}"
    assert event.data == {
        "requested_by": "custody_holder",
        "custody_holder": holder.pk,
        "format": "json",
    }
    assert "Sara" not in json.dumps(event.data) + event.object_repr + event.purpose
    assert "Jens" not in json.dumps(event.data) + event.object_repr


@pytest.mark.django_db
def test_it_refuses_a_request_of_the_young_person_under_15(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    person = sara()
    today = timezone.localdate()
    YoungPerson.objects.filter(pk=person.pk).update(birth_date=date(today.year - 14, 1, 1))
    response = client_for("koordinator").post(
        reverse("audit:subject_access", args=[person.pk]),
        {"requested_by": "young_person", "export_format": "pdf"},
    )
    assert response.status_code == 400
    assert "fra 15 år" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_PRODUCED).exists()


@pytest.mark.django_db
def test_it_refuses_another_familys_custody_holder(
    demo: Municipality, users: dict[str, User]
) -> None:
    other = CustodyHolder.objects.get(name="Lone Sandberg")
    with pytest.raises(DomainError, match="forældremyndighedsindehaver"):
        produce(sara(), users["koordinator"], custody_holder=other)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin", "tilsyn"]
)
def test_it_is_for_ssp_staff_only(demo: Municipality, client_for: Any, role: str) -> None:
    person = sara()
    url = reverse("audit:subject_access", args=[person.pk])
    client = client_for(role)
    assert client.get(url).status_code in {403, 404}
    response = client.post(url, {"requested_by": "young_person", "export_format": "json"})
    assert response.status_code in {403, 404}
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_PRODUCED).exists()


# --- Rectification -----------------------------------------------------------------------------


def correction_post(person: YoungPerson, **changes: str) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "school": person.school_id or "",
        "class_name": person.class_name,
        "school_district": person.school_district_id or "",
        "reason": "Faren har oplyst, at navnet er stavet forkert.",
        "fingerprint": subject_access.fingerprint_of(person),
        **changes,
    }


@pytest.mark.django_db
def test_it_records_a_correction_with_the_old_value(demo: Municipality, client_for: Any) -> None:
    person = sara()
    response = client_for("koordinator").post(
        reverse("audit:young_person_correct", args=[person.pk]),
        correction_post(person, first_name="Sarah", class_name="8.b"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.class_name) == ("Sarah", "8.b")
    correction = Correction.objects.get(young_person=person)
    assert correction.changed_fields == "first_name,class_name"
    assert json.loads(correction.old_values) == {"first_name": "Sara", "class_name": "8.a"}
    assert correction.reason.startswith("Faren")
    event = AuditEvent.objects.filter(action=AuditAction.YOUNG_PERSON_CORRECTED).get()
    assert event.data["fields"] == ["first_name", "class_name"]
    assert "Sara" not in json.dumps(event.data) + event.object_repr
    export = produce(person, User.objects.get(username="koordinator"))
    assert export["corrections"][0]["old_values"] == {"fornavn": "Sara", "klasse": "8.a"}


@pytest.mark.django_db
def test_it_keeps_the_old_value_encrypted(demo: Municipality, users: dict[str, User]) -> None:
    person = sara()
    subject_access.correct_young_person(
        actor_user=users["koordinator"],
        person=person,
        data=subject_access.CorrectionData(
            first_name="Sarah",
            last_name=person.last_name,
            school=person.school,
            class_name=person.class_name,
            school_district=person.school_district,
            reason="Stavefejl",
        ),
        fingerprint=subject_access.fingerprint_of(person),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT old_values, reason FROM audit_correction")
        stored = " ".join(cursor.fetchone())
    assert "Sara" not in stored and "Stavefejl" not in stored


@pytest.mark.django_db
def test_it_deletes_the_corrections_with_the_person(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = YoungPerson.objects.create(
        municipality=demo, first_name="Test", last_name="Person", birth_date=date(2012, 1, 1)
    )
    subject_access.correct_young_person(
        actor_user=users["koordinator"],
        person=person,
        data=subject_access.CorrectionData("Tess", "Person", None, "", None, "Stavefejl"),
        fingerprint=subject_access.fingerprint_of(person),
    )
    person.delete()
    assert not Correction.objects.exists()


@pytest.mark.django_db
def test_it_keeps_the_form_when_somebody_else_corrected_first(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    person = sara()
    stale = correction_post(person, last_name="Holm-Nielsen")
    subject_access.correct_young_person(
        actor_user=users["koordinator"],
        person=person,
        data=subject_access.CorrectionData(
            "Sarah", person.last_name, person.school, "8.a", person.school_district, "Stavefejl"
        ),
        fingerprint=subject_access.fingerprint_of(person),
    )
    response = client_for("koordinator").post(
        reverse("audit:young_person_correct", args=[person.pk]), stale
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Holm-Nielsen" in html  # the user's input is kept
    assert 'data-testid="stored-values"' in html and "Sarah" in html
    assert Correction.objects.count() == 1


@pytest.mark.django_db
def test_the_same_correction_posted_twice_is_stored_once(
    demo: Municipality, client_for: Any
) -> None:
    person = sara()
    post = correction_post(person, first_name="Sarah")
    client = client_for("koordinator")
    url = reverse("audit:young_person_correct", args=[person.pk])
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302
    assert Correction.objects.count() == 1


@pytest.mark.django_db
def test_a_correction_without_a_change_is_a_form_error(demo: Municipality, client_for: Any) -> None:
    person = sara()
    response = client_for("koordinator").post(
        reverse("audit:young_person_correct", args=[person.pk]), correction_post(person)
    )
    assert response.status_code == 400
    assert "ikke ændret" in response.content.decode()


@pytest.mark.django_db
def test_a_correction_without_a_reason_is_a_form_error(demo: Municipality, client_for: Any) -> None:
    person = sara()
    response = client_for("koordinator").post(
        reverse("audit:young_person_correct", args=[person.pk]),
        correction_post(person, first_name="Sarah", reason=""),
    )
    assert response.status_code == 400
    assert not Correction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin", "tilsyn"]
)
def test_only_ssp_staff_correct(demo: Municipality, users: dict[str, User], role: str) -> None:
    person = sara()
    client = Client()
    client.force_login(users[role])
    response = client.post(
        reverse("audit:young_person_correct", args=[person.pk]),
        correction_post(person, first_name="Sarah"),
    )
    assert response.status_code in {403, 404}
    person.refresh_from_db()
    assert person.first_name == "Sara"


@pytest.mark.django_db(transaction=True)
def test_two_corrections_at_once_store_one_and_refuse_the_other(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = sara()
    fingerprint = subject_access.fingerprint_of(person)
    outcomes: list[str] = []

    def correct(first_name: str) -> None:
        try:
            subject_access.correct_young_person(
                actor_user=users["koordinator"],
                person=person,
                data=subject_access.CorrectionData(
                    first_name, person.last_name, person.school, "8.a", None, "Stavefejl"
                ),
                fingerprint=fingerprint,
            )
            outcomes.append("stored")
        except StaleEdit:
            outcomes.append("stale")

    at_once(lambda: correct("Sarah"), lambda: correct("Sahra"))
    assert sorted(outcomes) == ["stale", "stored"]
    assert Correction.objects.filter(young_person=person).count() == 1
