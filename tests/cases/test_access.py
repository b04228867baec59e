"""Need-to-know: who sees which concerns, cases and young people, through every channel."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.test import Client

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import access as case_access
from ssp.cases.models import Case, Concern
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def test_the_housing_worker_sees_only_what_she_raised(demo: Municipality, client_for: Any) -> None:
    client = client_for("boligsocial")
    html = client.get("/bekymringer/").content.decode()
    assert "Gruppe på ca. 5" in html
    for name in ("Emil", "Sara", "Ali", "Noah"):
        assert name not in html
    emil = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    assert client.get(f"/bekymringer/{emil.pk}/").status_code == 404
    assert client.get("/unge/?q=Emil").status_code == 403
    assert client.get("/sager/").status_code == 403


def test_the_teacher_sees_concerns_of_his_forum_but_not_cases_outside_his_circle(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("laerer")
    assert client.get(f"/sager/{ali_case().pk}/").status_code == 404
    html = client.get("/sager/").content.decode()
    assert "Ali Berg Hansen" not in html
    assert "Noah Krogh" in html  # in the local group Øst, where he sits


def test_the_police_see_their_cases_with_a_notice_and_cannot_search(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("politi")
    page = client.get(f"/sager/{ali_case().pk}/").content.decode()
    assert "må ikke bruges til efterforskning" in page
    assert "250810-xxxx" in page and "250810-4315" not in page
    assert client.get("/unge/?q=Ali").status_code == 403


def test_ssp_staff_can_search_by_the_full_cpr(demo: Municipality, client_for: Any) -> None:
    client = client_for("koordinator")
    html = client.get("/unge/", {"q": "250810-4315"}).content.decode()
    assert "Ali Berg Hansen" in html
    search = AuditEvent.objects.filter(action=AuditAction.YOUNG_PEOPLE_SEARCHED).latest("id")
    assert "4315" not in str(search.data)


def test_politicians_and_administrators_see_no_personal_data(
    demo: Municipality, client_for: Any
) -> None:
    case = ali_case()
    for role in ("politiker", "admin"):
        client = client_for(role)
        home = client.get("/").content.decode()
        for name in ("Emil", "Ali", "Noah", "Sara"):
            assert name not in home
        for url in (f"/sager/{case.pk}/", f"/unge/{case.young_person_id}/", "/bekymringer/"):
            assert client.get(url).status_code in (403, 404), (role, url)
        assert client.get("/api/v1/cases/cases").json() == []
        assert client.get(f"/api/v1/cases/cases/{case.pk}").status_code == 404


def test_every_view_of_a_case_or_young_person_is_audited(
    demo: Municipality, client_for: Any
) -> None:
    case = ali_case()
    client = client_for("socialraadgiver")
    client.get(f"/sager/{case.pk}/")
    client.get(f"/unge/{case.young_person_id}/")
    client.get(f"/api/v1/cases/cases/{case.pk}")
    views = AuditEvent.objects.filter(action=AuditAction.CASE_VIEWED, actor_label="socialraadgiver")
    assert views.count() == 3
    assert {e.subject_ref for e in views} == {f"youngperson:{case.young_person_id}"}


def test_the_agreement_pdf_holds_the_agreement_and_is_audited(
    demo: Municipality, client_for: Any, tmp_path: Any
) -> None:
    case = ali_case()
    agreement = case.agreements.get()
    response = client_for("socialraadgiver").get(
        f"/sager/{case.pk}/handlingsaftale/{agreement.pk}/pdf/"
    )
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "aftale.pdf"
    path.write_bytes(response.content)
    command = ["pdftotext", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "Ali Berg Hansen" in text
    assert "Møde med Ali og hans mor på skolen." in text
    assert "Sofie Dahl" in text
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_PDF).count() == 1
    assert (
        client_for("laerer")
        .get(f"/sager/{case.pk}/handlingsaftale/{agreement.pk}/pdf/")
        .status_code
        == 404
    )


def test_a_non_authority_token_creates_a_concern_but_reads_no_case(
    demo: Municipality, capsys: Any
) -> None:
    from django.core.management import call_command

    call_command("create_api_token", "boligsocial")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(
        "/api/v1/cases/concerns",
        {
            "subject": "place",
            "source": "tip",
            "description": "Knallertkørsel om natten",
            "place": "Stationen",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "new"
    assert client.get("/api/v1/cases/cases").json() == []
    assert client.get(f"/api/v1/cases/cases/{ali_case().pk}").status_code == 404


def test_an_integration_raises_a_worksheet_concern_through_the_api(
    demo: Municipality, capsys: Any
) -> None:
    from django.core.management import call_command

    call_command("create_api_token", "laerer", name="skolesystem")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/cases/concerns",
        {
            "subject": "person",
            "source": "worksheet",
            "description": "Set sammen med kriminelle",
            "young_person": {
                "first_name": "Ida",
                "last_name": "Api",
                "cpr": "050512-4222",
                "school": "oestskolen",
            },
            "worksheet": {"seen_with_criminals": True},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "action_required"
    assert body["forum"] == "Det lokale SSP-samarbejde, Distrikt Øst"
    assert "Mette Holm" in body["receivers"]
    bad = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/cases/concerns",
        {
            "subject": "person",
            "source": "worksheet",
            "description": "x",
            "young_person": {"first_name": "A", "last_name": "B", "cpr": "310299-1234"},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "fødselsdato" in bad.json()["detail"]


def test_concerns_awaiting_the_local_groups_decision_are_listed(
    demo: Municipality, client_for: Any
) -> None:
    html = (
        client_for("koordinator")
        .get("/bekymringer/", {"status": "awaiting_decision"})
        .content.decode()
    )
    assert "Sara Holm Nielsen" in html
    assert "Emil Sandberg" not in html  # his worksheet requires an agreement instead


def test_a_withdrawn_consent_is_recorded_once(demo: Municipality, client_for: Any) -> None:
    case = ali_case()
    consent = case.consents.get()
    client = client_for("socialraadgiver")
    url = f"/sager/{case.pk}/samtykke/{consent.pk}/tilbagekald/"
    assert client.post(url).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    assert client.post(url).status_code == 400  # already withdrawn: a clear error page
    assert client_for("laerer").post(url).status_code == 404


def test_the_case_list_is_paginated_and_searchable_within_what_one_may_see(
    demo: Municipality, client_for: Any
) -> None:
    html = client_for("koordinator").get("/sager/", {"q": "Ali", "status": "all"}).content.decode()
    assert "Ali Berg Hansen" in html and "Noah Krogh" not in html
    police = client_for("politi").get("/sager/", {"q": "Ali"}).content.decode()
    assert 'name="q"' not in police  # no search for the police (§115)
    teacher = client_for("laerer").get("/sager/", {"q": "Ali"}).content.decode()
    assert "Ali Berg Hansen" not in teacher  # not in his circle, search or no search


def test_the_receipt_exists_for_the_reporter_only(demo: Municipality, client_for: Any) -> None:
    emil = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    url = f"/bekymringer/{emil.pk}/kvittering/"
    assert client_for("laerer").get(url).status_code == 200  # he raised it
    for role in ("koordinator", "socialraadgiver", "boligsocial"):
        assert client_for(role).get(url).status_code == 404, role


def test_my_concerns_on_the_start_page_are_those_i_raised(
    demo: Municipality, users: dict[str, Any], client_for: Any
) -> None:
    html = client_for("boligsocial").get("/").content.decode()
    assert 'data-testid="my-concerns"' in html
    mine = set(Concern.objects.filter(raised_by=users["boligsocial"]))
    assert mine and set(case_access.own_concerns(get_actor(users["boligsocial"]))) == mine


def test_own_concerns_are_the_visible_concerns_one_raised_for_every_role(
    demo: Municipality, users: dict[str, Any]
) -> None:
    """`own_concerns` reads the reporter's index instead of `visible_concerns`: the two must
    agree for every role, also one who raised concerns she may no longer see otherwise."""
    for name, user in users.items():
        Concern.objects.filter(pk__in=Concern.objects.order_by("pk").values("pk")[:1]).update(
            raised_by=user
        )
        actor = get_actor(user)
        expected = set(case_access.visible_concerns(actor).filter(raised_by_id=user.pk))
        assert set(case_access.own_concerns(actor)) == expected, name


STAFF_ACTIONS = (
    case_access.can_route_concern,
    case_access.can_drop_concern,
    case_access.can_open_case,
    case_access.can_close_case,
    case_access.can_escalate_case,
    case_access.can_set_up_adhoc_group,
    case_access.can_see_full_cpr,
)


@pytest.mark.parametrize("rule", STAFF_ACTIONS, ids=lambda rule: rule.__name__)
def test_the_steering_actions_are_for_ssp_staff_only(
    demo: Municipality, users: dict[str, Any], rule: Any
) -> None:
    allowed = {name for name, user in users.items() if rule(get_actor(user))}
    assert allowed == {"koordinator"}


def test_police_may_not_search_cases_and_see_the_115_notice(
    demo: Municipality, users: dict[str, Any]
) -> None:
    searchers = {n for n, u in users.items() if case_access.can_search_cases(get_actor(u))}
    assert searchers == {"koordinator", "laerer", "socialraadgiver"}
    noticed = {n for n, u in users.items() if case_access.shows_115_notice(get_actor(u))}
    assert noticed == {"politi"}
