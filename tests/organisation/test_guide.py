"""Issue 16 point 6: the municipality's SSP guide."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import YoungPerson
from ssp.organisation import guide as guides
from ssp.organisation.models import (
    AccessRole,
    Guide,
    Member,
    Municipality,
    PoliceDistrict,
    Sector,
)
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

MAIN_ROLES = ("koordinator", "laerer", "socialraadgiver", "politi", "boligsocial", "politiker")


def guide_url(demo: Municipality) -> str:
    return reverse("organisation:guide", args=[demo.slug])


def edit_url(demo: Municipality) -> str:
    return reverse("organisation:guide_edit", args=[demo.slug])


def post(**overrides: Any) -> dict[str, Any]:
    data = {
        "how_to_react": "Bliv rolig.\n\nSkriv ned, hvad du så.",
        "whom_to_contact": "Ring til SSP-vagten på 56 20 30 00.",
        "after_concern": "Lokalgruppen behandler den på næste møde.",
        "version": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_every_member_of_the_municipality_reads_the_guide(
    demo: Municipality, client_for: Any, role: str
) -> None:
    response = client_for(role).get(guide_url(demo))
    assert response.status_code == 200
    assert "Sådan reagerer du" in response.content.decode()


def test_anonymous_is_sent_to_log_in(demo: Municipality) -> None:
    response = Client().get(guide_url(demo))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def another_municipality_member() -> tuple[Municipality, User]:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    user = User.objects.create_user(username="andenby-ssp", password="x")
    Member.objects.create(
        user=user,
        municipality=other,
        name="Anne Anden",
        sector=Sector.BUF,
        access_role=AccessRole.SSP_STAFF,
    )
    return other, user


def test_another_municipalitys_guide_is_not_found(demo: Municipality) -> None:
    _other, user = another_municipality_member()
    client = Client()
    client.force_login(user)
    assert client.get(guide_url(demo)).status_code == 404
    assert client.get(edit_url(demo)).status_code == 404
    assert client.post(edit_url(demo), post()).status_code == 404
    assert not Guide.objects.filter(municipality=demo).exists()


def test_without_a_guide_the_default_text_shows_with_a_note_for_ssp_staff(
    demo: Municipality, client_for: Any
) -> None:
    Guide.objects.filter(municipality=demo).delete()
    staff = client_for("koordinator").get(guide_url(demo)).content.decode()
    assert "Kommunen har ikke skrevet sin egen vejledning endnu" in staff
    assert "Undersøg ikke sagen selv" in staff
    assert edit_url(demo) in staff
    teacher = client_for("laerer").get(guide_url(demo)).content.decode()
    assert "Undersøg ikke sagen selv" in teacher
    assert "Kommunen har ikke skrevet sin egen vejledning endnu" not in teacher
    assert edit_url(demo) not in teacher


def test_the_contacts_come_from_the_organisation(demo: Municipality, client_for: Any) -> None:
    page = client_for("laerer").get(guide_url(demo)).content.decode()
    for member in Member.objects.filter(municipality=demo, access_role=AccessRole.SSP_STAFF)[:3]:
        assert member.name in page
    assert demo.concern_contact[:40] in page
    teacher = Member.objects.select_related("unit__school_district").get(user__username="laerer")
    assert teacher.unit is not None
    assert teacher.unit.name in page
    if teacher.unit.ssp_contact is not None:
        assert teacher.unit.ssp_contact.name in page
    assert reverse("organisation:contacts", args=[demo.slug]) in page
    assert reverse("cases:tip", args=[demo.slug]) in page


def test_the_staff_list_is_bounded(demo: Municipality, client_for: Any) -> None:
    for n in range(guides.GUIDE_STAFF_SHOWN + 3):
        Member.objects.create(
            municipality=demo,
            name=f"Aaa Ekstra {n:02}",
            sector=Sector.BUF,
            access_role=AccessRole.SSP_STAFF,
        )
    page = client_for("laerer").get(guide_url(demo)).content.decode()
    shown = [n for n in range(guides.GUIDE_STAFF_SHOWN + 3) if f"Aaa Ekstra {n:02}" in page]
    assert shown == list(range(guides.GUIDE_STAFF_SHOWN))


@pytest.mark.parametrize(
    ("role", "status"),
    [("koordinator", 200), ("admin", 200), ("laerer", 403), ("politi", 403), ("tilsyn", 403)],
)
def test_only_ssp_staff_and_administrators_edit(
    demo: Municipality, client_for: Any, role: str, status: int
) -> None:
    assert client_for(role).get(edit_url(demo)).status_code == status


def test_a_refused_post_changes_nothing(demo: Municipality, client_for: Any) -> None:
    Guide.objects.filter(municipality=demo).delete()
    assert client_for("laerer").post(edit_url(demo), post()).status_code == 403
    assert not Guide.objects.filter(municipality=demo).exists()


def test_saving_writes_the_guide_shows_it_and_audits_the_version(
    demo: Municipality, client_for: Any
) -> None:
    Guide.objects.filter(municipality=demo).delete()
    client = client_for("koordinator")
    response = client.post(edit_url(demo), post())
    assert response.status_code == 302
    guide = Guide.objects.get(municipality=demo)
    assert guide.version == 1
    assert guide.whom_to_contact == "Ring til SSP-vagten på 56 20 30 00."
    page = client.get(guide_url(demo)).content.decode()
    assert "<p>Bliv rolig.</p>" in page
    assert "Kommunen har ikke skrevet sin egen vejledning endnu" not in page
    event = AuditEvent.objects.filter(action=AuditAction.GUIDE_CHANGED).latest("pk")
    assert event.data == {"version": 1}
    assert event.municipality_id == demo.pk
    # The next save from the form as it is now bumps the version.
    form = client.get(edit_url(demo)).content.decode()
    assert 'name="version" value="1"' in form
    assert (
        client.post(edit_url(demo), post(version="1", after_concern="Ny tekst.")).status_code == 302
    )
    guide.refresh_from_db()
    assert (guide.version, guide.after_concern) == (2, "Ny tekst.")
    assert AuditEvent.objects.filter(action=AuditAction.GUIDE_CHANGED).latest("pk").data == {
        "version": 2
    }


def test_user_html_is_shown_as_text(demo: Municipality, client_for: Any) -> None:
    Guide.objects.filter(municipality=demo).delete()
    client = client_for("koordinator")
    client.post(edit_url(demo), post(how_to_react="<script>alert(1)</script>"))
    page = client.get(guide_url(demo)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_stale_save_keeps_the_input_and_shows_what_is_stored(
    demo: Municipality, client_for: Any
) -> None:
    Guide.objects.filter(municipality=demo).delete()
    client = client_for("koordinator")
    assert client.post(edit_url(demo), post(after_concern="Først gemt.")).status_code == 302
    response = client.post(edit_url(demo), post(version="0", after_concern="Min egen tekst."))
    assert response.status_code == 409
    content = response.content.decode()
    assert "En anden har gemt ændringer" in content
    assert "Min egen tekst." in content
    assert "Først gemt." in content
    assert 'name="version" value="1"' in content
    assert Guide.objects.get(municipality=demo).after_concern == "Først gemt."
    stale_edit = client.post(edit_url(demo), post(version="7"))
    assert stale_edit.status_code == 409


def test_a_cpr_number_is_refused_with_the_input_kept(demo: Municipality, client_for: Any) -> None:
    Guide.objects.filter(municipality=demo).delete()
    response = client_for("koordinator").post(
        edit_url(demo), post(how_to_react="Fx eleven 010203-1234 i 7.b")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Vejledningen må ikke nævne børn og unge" in content
    assert "Fx eleven 010203-1234 i 7.b" in content
    assert not Guide.objects.filter(municipality=demo).exists()


def test_a_registered_name_is_refused_for_ssp_staff(demo: Municipality, client_for: Any) -> None:
    person = YoungPerson.objects.filter(municipality=demo).first()
    assert person is not None
    Guide.objects.filter(municipality=demo).delete()
    response = client_for("koordinator").post(
        edit_url(demo), post(after_concern=f"Som da {person.first_name} {person.last_name} ...")
    )
    assert response.status_code == 400
    assert not Guide.objects.filter(municipality=demo).exists()


def test_control_characters_and_overlong_texts_are_refused(
    demo: Municipality, client_for: Any
) -> None:
    Guide.objects.filter(municipality=demo).delete()
    client = client_for("koordinator")
    assert client.post(edit_url(demo), post(how_to_react="a\x00b")).status_code == 400
    assert client.post(edit_url(demo), post(how_to_react="x" * 10_001)).status_code == 400
    assert not Guide.objects.filter(municipality=demo).exists()


def test_whom_do_i_contact_links_to_the_guide(demo: Municipality, client_for: Any) -> None:
    page = client_for("laerer").get(reverse("organisation:contacts", args=[demo.slug]))
    assert guide_url(demo) in page.content.decode()
    assert "Læs kommunens SSP-vejledning" in page.content.decode()
