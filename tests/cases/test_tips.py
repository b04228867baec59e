"""Issue 16 point 7: tips from citizens and partners without a login."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import tips
from ssp.cases.models import (
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    Level,
    PublicFormThrottle,
    YoungPerson,
)
from ssp.organisation.models import ForumType, Municipality

pytestmark = pytest.mark.django_db

DESCRIPTION = "Flere unge samles ved pavillonen efter kl. 22 og smadrer flasker."


def url(demo: Municipality) -> str:
    return reverse("cases:tip", args=[demo.slug])


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": ConcernSubject.PLACE,
        "place": "Pavillonen i Byparken",
        "description": DESCRIPTION,
        "contact": "",
        "website": "",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def tips_of(demo: Municipality) -> Any:
    return Concern.objects.filter(municipality=demo, source=ConcernSource.TIP)


def test_the_form_opens_without_a_login_and_warns_against_names(demo: Municipality) -> None:
    response = Client().get(url(demo))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Skriv ikke navne eller personnumre på børn" in content
    assert 'name="form_token"' in content


def test_an_unknown_municipality_is_404(demo: Municipality) -> None:
    assert Client().get(reverse("cases:tip", args=["findes-ikke"])).status_code == 404
    response = Client().post(reverse("cases:tip", args=["findes-ikke"]), body())
    assert response.status_code == 404
    assert reverse("cases:tip_thanks", args=["findes-ikke"])
    assert Client().get(reverse("cases:tip_thanks", args=["findes-ikke"])).status_code == 404


def test_an_anonymous_tip_becomes_one_concern_for_the_ssp_team(demo: Municipality) -> None:
    before = tips_of(demo).count()
    response = Client().post(url(demo), body())
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:tip_thanks", args=[demo.slug])
    assert tips_of(demo).count() == before + 1
    concern = tips_of(demo).latest("pk")
    assert concern.subject == ConcernSubject.PLACE
    assert concern.place == "Pavillonen i Byparken"
    assert concern.description == DESCRIPTION
    assert concern.level == Level.YELLOW
    assert concern.status == ConcernStatus.NEW
    assert concern.young_person_id is None
    assert concern.forum is not None
    assert concern.forum.forum_type == ForumType.SSP_TEAM
    assert concern.raised_by.username == tips.TIP_USERNAME
    thanks = Client().get(response["Location"])
    assert "Du får ikke svar, medmindre du har skrevet" in thanks.content.decode()


def test_a_group_tip_keeps_size_and_ages(demo: Municipality) -> None:
    response = Client().post(
        url(demo),
        body(subject=ConcernSubject.GROUP, group_size="6", group_age_min="13", group_age_max="16"),
    )
    assert response.status_code == 302
    concern = tips_of(demo).latest("pk")
    assert (concern.subject, concern.group_size, concern.group_age_min, concern.group_age_max) == (
        ConcernSubject.GROUP,
        6,
        13,
        16,
    )


def test_ages_out_of_order_or_range_are_refused_with_the_input_kept(demo: Municipality) -> None:
    before = tips_of(demo).count()
    response = Client().post(
        url(demo),
        body(subject=ConcernSubject.GROUP, group_age_min="16", group_age_max="13"),
    )
    assert response.status_code == 400
    assert "Alder til" in response.content.decode()
    assert DESCRIPTION in response.content.decode()
    response = Client().post(url(demo), body(group_size="100000"))
    assert response.status_code == 400
    assert tips_of(demo).count() == before


def test_the_same_form_posted_twice_creates_one_concern(demo: Municipality) -> None:
    data = body()
    before = tips_of(demo).count()
    first = Client().post(url(demo), data)
    second = Client().post(url(demo), data)
    assert first.status_code == second.status_code == 302
    assert tips_of(demo).count() == before + 1


def test_a_post_without_the_form_token_is_refused(demo: Municipality) -> None:
    before = tips_of(demo).count()
    response = Client().post(url(demo), body(form_token=""))
    assert response.status_code == 400
    assert "Hent den igen" in response.content.decode()
    assert tips_of(demo).count() == before


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("description", "Drengen 010203-1234 var med", "personnummeret"),
        ("description", "Drengen 0102031234 var med", "personnummeret"),
        ("description", "Skriv til ung@example.com om det", "e-mailadressen"),
        ("description", "Ring til ham på 12 34 56 78", "telefonnummeret"),
        ("description", "Ring til ham på +45 12345678", "telefonnummeret"),
        ("place", "Hos 010203-1234", "personnummeret"),
    ],
)
def test_personal_data_by_pattern_is_refused_naming_what_and_keeping_the_input(
    demo: Municipality, field: str, text: str, named: str
) -> None:
    before = tips_of(demo).count()
    response = Client().post(url(demo), body(**{field: text}))
    assert response.status_code == 400
    content = response.content.decode()
    assert f"Fjern {named}" in content
    assert text.split()[-2] in content  # the user's input is still in the form
    assert tips_of(demo).count() == before


def test_the_tippers_own_contact_is_allowed_and_kept_with_the_concern(demo: Municipality) -> None:
    response = Client().post(url(demo), body(contact="nabo@example.com, 12 34 56 78"))
    assert response.status_code == 302
    concern = tips_of(demo).latest("pk")
    assert "nabo@example.com, 12 34 56 78" in concern.description


def test_the_tip_never_reads_the_register_and_answers_alike_for_any_name(
    demo: Municipality,
) -> None:
    person = YoungPerson.objects.filter(municipality=demo).first()
    assert person is not None
    registered = f"{person.first_name} {person.last_name} var der igen i aftes."
    unregistered = "Zzyzx Qwertyuiop var der igen i aftes."
    answers = []
    for text in (registered, unregistered):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(url(demo), body(description=text))
        answers.append(response.status_code)
        touched = [q["sql"] for q in queries.captured_queries if "cases_youngperson" in q["sql"]]
        assert touched == []
    assert answers == [302, 302]
    with CaptureQueriesContext(connection) as queries:
        Client().post(url(demo), body(description="Ring på 12345678"))
    assert not [q for q in queries.captured_queries if "cases_youngperson" in q["sql"]]


def test_too_many_tips_from_one_address_get_a_friendly_429(demo: Municipality) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _i in range(tips.PER_ADDRESS_LIMIT):
        assert client.post(url(demo), body()).status_code == 302
    before = tips_of(demo).count()
    response = client.post(url(demo), body(description="Endnu en gang ved pavillonen."))
    assert response.status_code == 429
    content = response.content.decode()
    assert "Prøv igen om en time" in content
    assert "Endnu en gang ved pavillonen." in content
    assert tips_of(demo).count() == before
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.8").post(url(demo), body()).status_code == 302


def test_rotating_ipv6_addresses_within_one_64_network_counts_as_one_address(
    demo: Municipality,
) -> None:
    for index in range(tips.PER_ADDRESS_LIMIT):
        client = Client(REMOTE_ADDR=f"2001:db8:1:2::{index + 1:x}")
        assert client.post(url(demo), body()).status_code == 302
    before = tips_of(demo).count()
    assert Client(REMOTE_ADDR="2001:db8:1:2:ffff::9").post(url(demo), body()).status_code == 429
    assert tips_of(demo).count() == before
    # Another /64 is another household.
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").post(url(demo), body()).status_code == 302


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::abcd", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),
    ],
)
def test_the_address_bucket(address: str, bucket: str) -> None:
    assert tips.address_bucket(address) == bucket


def test_the_municipality_has_a_daily_limit(demo: Municipality, monkeypatch: Any) -> None:
    monkeypatch.setattr(tips, "PER_MUNICIPALITY_LIMIT", 2)
    for index in range(2):
        client = Client(REMOTE_ADDR=f"198.51.100.{index + 1}")
        assert client.post(url(demo), body()).status_code == 302
    response = Client(REMOTE_ADDR="198.51.100.99").post(url(demo), body())
    assert response.status_code == 429


def test_the_throttle_stores_no_address(demo: Municipality) -> None:
    Client(REMOTE_ADDR="203.0.113.55").post(url(demo), body())
    keys = list(PublicFormThrottle.objects.values_list("key", flat=True))
    assert keys
    assert all("203.0.113.55" not in key and len(key) == 64 for key in keys)


def test_the_honeypot_stores_nothing_but_answers_as_usual(demo: Municipality) -> None:
    before = tips_of(demo).count()
    response = Client().post(url(demo), body(website="http://spam.example"))
    assert response.status_code == 302
    assert tips_of(demo).count() == before


def test_the_system_user_cannot_log_in(demo: Municipality) -> None:
    Client().post(url(demo), body())
    user = User.objects.get(username=tips.TIP_USERNAME)
    assert not user.is_active
    assert not user.has_usable_password()
    assert not user.check_password("")
    response = Client().post(
        reverse("accounts:login"), {"username": tips.TIP_USERNAME, "password": ""}
    )
    assert "_auth_user_id" not in response.client.session


def test_the_audit_event_has_ids_only(demo: Municipality) -> None:
    Client().post(url(demo), body(contact="nabo@example.com"))
    concern = tips_of(demo).latest("pk")
    event = AuditEvent.objects.filter(action=AuditAction.TIP_RECEIVED).latest("pk")
    assert event.actor_id is None
    assert event.data == {"concern": concern.pk}
    assert event.object_id == str(concern.pk)
    stored = f"{event.object_repr} {event.data} {event.purpose} {event.subject_ref}"
    assert "Pavillonen" not in stored and "nabo@example.com" not in stored


def test_the_coordinator_sees_the_tip_on_the_start_page(
    demo: Municipality, client_for: Any
) -> None:
    Client().post(url(demo), body())
    concern = tips_of(demo).latest("pk")
    response = client_for("koordinator").get(reverse("home"))
    content = response.content.decode()
    assert reverse("cases:concern_detail", args=[concern.pk]) in content
    assert "Henvendelse fra borger eller netværk" in content
