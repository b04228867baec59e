"""R4: the duty of confidentiality is acknowledged before the first page with personal data and
again every year; the acknowledgement is recorded and shown on the account page and to the
administrators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.access import get_actor
from ssp.accounts import confidentiality
from ssp.accounts.models import ConfidentialityAcknowledgement
from ssp.accounts.services import acknowledge_confidentiality
from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import AccessRole, Member, Municipality, Sector

pytestmark = pytest.mark.django_db


def new_social_worker(municipality: Municipality, username: str = "ny_raadgiver") -> User:
    user = User.objects.create_user(username, password="demo")
    Member.objects.create(
        user=user,
        municipality=municipality,
        name="Nina Ny",
        title="Socialrådgiver",
        sector=Sector.SOF,
        access_role=AccessRole.EMPLOYEE,
        is_authority=True,
    )
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_sends_a_new_user_to_the_acknowledgement_first_and_then_on(
    demo: Municipality, unacknowledged_users: None
) -> None:
    user = new_social_worker(demo)
    client = logged_in(user)
    response = client.get("/sager/?side=1")
    assert response.status_code == 302
    assert response["Location"] == "/konto/tavshedspligt/?next=%2Fsager%2F%3Fside%3D1"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "straffelovens § 152" in html
    assert 'value="/sager/?side=1"' in html

    refused = client.post("/konto/tavshedspligt/", {"next": "/sager/?side=1"})
    assert refused.status_code == 400
    assert "Sæt kryds for at bekræfte tavshedspligten." in refused.content.decode()
    assert not ConfidentialityAcknowledgement.objects.filter(user=user).exists()

    done = client.post("/konto/tavshedspligt/", {"next": "/sager/?side=1", "confirmed": "on"})
    assert done.status_code == 302 and done["Location"] == "/sager/?side=1"
    assert client.get("/sager/?side=1").status_code == 200

    acknowledgement = ConfidentialityAcknowledgement.objects.get(user=user)
    assert acknowledgement.municipality == demo
    assert acknowledgement.text_hash == confidentiality.hash_of(confidentiality.text_for(demo))
    assert AuditEvent.objects.filter(
        action=AuditAction.CONFIDENTIALITY_ACKNOWLEDGED, actor=user
    ).exists()


def test_the_start_page_meetings_police_and_the_api_are_held_back_too(
    demo: Municipality, unacknowledged_users: None
) -> None:
    client = logged_in(new_social_worker(demo))
    for url in ("/", "/moeder/", "/frister/", "/unge/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/tavshedspligt/?next="), url
    api = client.get("/api/v1/cases/cases")
    assert api.status_code == 403
    assert "Tavshedspligten er ikke bekræftet" in api.json()["detail"]
    # Pages without personal data are not held back.
    assert client.get("/konto/").status_code == 200
    assert client.get(f"/organisation/{demo.slug}/").status_code == 200


def test_it_does_not_hold_back_roles_that_see_no_personal_data(
    demo: Municipality, unacknowledged_users: None
) -> None:
    user = User.objects.create_user("ny_laerer")
    Member.objects.create(
        user=user,
        municipality=demo,
        name="Lars Ny",
        sector=Sector.BUF,
        access_role=AccessRole.EMPLOYEE,
        is_authority=False,
    )
    assert logged_in(user).get("/").status_code == 200


def test_a_posted_form_is_refused_before_it_acts(
    demo: Municipality, unacknowledged_users: None
) -> None:
    client = logged_in(new_social_worker(demo))
    response = client.post("/bekymringer/ny/", {"subject": "person"})
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tavshedspligt/")


def test_it_asks_again_after_a_year(demo: Municipality, unacknowledged_users: None) -> None:
    user = new_social_worker(demo)
    acknowledgement = acknowledge_confidentiality(user=user, municipality=demo)
    client = logged_in(user)
    assert client.get("/sager/").status_code == 200
    ConfidentialityAcknowledgement.objects.filter(pk=acknowledgement.pk).update(
        acknowledged_at=timezone.now() - timedelta(days=366)
    )
    assert logged_in(user).get("/sager/").status_code == 302  # a new session
    profile = client.get("/konto/").content.decode()
    assert "Bekræftelsen gælder ikke længere" in profile


def test_a_session_remembers_the_acknowledgement_for_the_year_only(
    demo: Municipality, unacknowledged_users: None, monkeypatch: Any
) -> None:
    user = new_social_worker(demo)
    acknowledge_confidentiality(user=user, municipality=demo)
    client = logged_in(user)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/sager/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/sager/").status_code == 200
    table = ConfidentialityAcknowledgement._meta.db_table
    assert [q["sql"] for q in first.captured_queries if table in q["sql"]] != []
    saved = [q["sql"] for q in second.captured_queries if q["sql"].startswith("UPDATE")]
    assert saved == []  # nothing new to remember: the session is not written again
    assert not any(table in q["sql"] for q in second.captured_queries)
    # A year and a day later the session's memory no longer counts.
    later = timezone.now() + timedelta(days=366)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get("/sager/").status_code == 302


def test_a_remembered_acknowledgement_does_not_count_for_a_new_text(
    demo: Municipality, unacknowledged_users: None
) -> None:
    user = new_social_worker(demo)
    acknowledge_confidentiality(user=user, municipality=demo)
    client = logged_in(user)
    assert client.get("/sager/").status_code == 200  # remembered in the session
    demo.rules = {**(demo.rules or {}), "confidentiality_text": "Kommunens egen tekst."}
    demo.save(update_fields=["rules"])
    assert client.get("/sager/").status_code == 302


def test_a_token_request_leaves_no_session_behind(
    demo: Municipality, unacknowledged_users: None
) -> None:
    user = new_social_worker(demo)
    acknowledgement = acknowledge_confidentiality(user=user, municipality=demo)
    session = SessionStore()
    actor = get_actor(user)
    assert not confidentiality.owes_acknowledgement(actor, session=session)
    assert confidentiality.SESSION_KEY not in session  # not her login's session
    session[AUTH_SESSION_KEY] = str(user.pk)
    assert not confidentiality.owes_acknowledgement(actor, session=session)
    assert session[confidentiality.SESSION_KEY] == [
        user.pk,
        confidentiality.hash_of(confidentiality.text_for(demo)),
        acknowledgement.acknowledged_at.isoformat(),
    ]
    # What another user's session remembers does not count for her.
    session[confidentiality.SESSION_KEY] = [user.pk + 1, *session[confidentiality.SESSION_KEY][1:]]
    ConfidentialityAcknowledgement.objects.filter(user=user).delete()
    assert confidentiality.owes_acknowledgement(actor, session=session)


def test_it_asks_again_when_the_municipality_changes_its_text(
    demo: Municipality, unacknowledged_users: None
) -> None:
    user = new_social_worker(demo)
    acknowledge_confidentiality(user=user, municipality=demo)
    demo.rules = {**(demo.rules or {}), "confidentiality_text": "Kommunens egen tekst."}
    demo.save(update_fields=["rules"])
    client = logged_in(user)
    assert client.get("/sager/").status_code == 302
    assert "Kommunens egen tekst." in client.get("/konto/tavshedspligt/").content.decode()


def test_acknowledging_twice_stores_one_row(demo: Municipality, unacknowledged_users: None) -> None:
    user = new_social_worker(demo)
    first = acknowledge_confidentiality(user=user, municipality=demo)
    assert acknowledge_confidentiality(user=user, municipality=demo) == first
    assert ConfidentialityAcknowledgement.objects.filter(user=user).count() == 1


def test_the_account_page_shows_the_acknowledgement(demo: Municipality, client_for: Any) -> None:
    html = client_for("koordinator").get("/konto/").content.decode()
    section = html.split('data-testid="profile-confidentiality"')[1].split("</div>")[0]
    assert "Du bekræftede tavshedspligten den" in section
    assert "Den gælder til" in section


def test_the_demo_users_have_acknowledged(demo: Municipality, users: dict[str, User]) -> None:
    for user in users.values():
        assert ConfidentialityAcknowledgement.objects.filter(user=user).exists(), user


def test_the_administrators_see_who_acknowledged_when(
    demo: Municipality, client_for: Any, unacknowledged_users: None
) -> None:
    new_social_worker(demo)
    admin = client_for("admin")
    users_page = admin.get("/admin/auth/user/")
    assert users_page.status_code == 200
    html = users_page.content.decode()
    assert "Tavshedspligt bekræftet" in html
    assert timezone.localdate().strftime("%d.%m.%Y") in html
    listing = admin.get("/admin/accounts/confidentialityacknowledgement/")
    assert listing.status_code == 200
    assert "koordinator" in listing.content.decode()


def test_the_subject_access_correction_and_retention_pages_are_held_back(
    demo: Municipality, unacknowledged_users: None
) -> None:
    """Review finding: the `audit` pages (subject access export, corrections, retention) hold
    personal data and were outside the gate."""
    from ssp.cases.models import YoungPerson

    person = YoungPerson.objects.filter(municipality=demo).first()
    assert person is not None
    coordinator = User.objects.get(username="koordinator")
    ConfidentialityAcknowledgement.objects.filter(user=coordinator).delete()
    client = logged_in(coordinator)
    for url in (f"/unge/{person.pk}/indsigt/", f"/unge/{person.pk}/ret/", "/opbevaring/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/tavshedspligt/?next="), url
    export = client.post(
        f"/unge/{person.pk}/indsigt/", {"requested_by": "young_person", "export_format": "json"}
    )
    assert export.status_code == 302
    assert person.first_name not in export.content.decode()
