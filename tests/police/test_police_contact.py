"""Issue 15 point 4: the police at their own lists. The police's SSP contact uploads the police
list and registers a single report (the police are the source), sees the import's row report
and whether each report has been routed, never the child or whom it went to; the §115 notice
stays on every police page. Another officer (the police leader) gets none of it; the weekly
review and the routing stay SSP staff's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.access import get_actor
from ssp.cases.models import YoungPerson
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    Member,
    Municipality,
    PoliceDistrict,
    Sector,
    Unit,
    UnitKind,
)
from ssp.police import access as police_access
from ssp.police import import_jobs, services
from ssp.police.models import ImportJob, ImportKind, PoliceReport, ReportStatus, Routing

pytestmark = pytest.mark.django_db

HEADER = "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n"
NOTICE = "Retsplejelovens § 115"
CHILDREN = ("Kasper Kontaktsen", "Mille Listesen")


def police_list(*, bad_row: bool = False) -> str:
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d-%m-%Y")
    lines = [
        HEADER,
        f"150512-4003;{CHILDREN[0]};{day};18:00;Røveri;KONTAKT-1;Tog en mobil\n",
        f"160612-4006;{CHILDREN[1]};{day};19:30;Butikstyveri;KONTAKT-2;\n",
    ]
    if bad_row:
        lines.append(f"999999-9999;Ingen Gyldig;{day};19:30;Butikstyveri;KONTAKT-3;\n")
    return "".join(lines)


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def upload(client: Client, text: str, name: str = "liste.csv") -> Any:
    return client.post(
        reverse("police:import"), {"file": SimpleUploadedFile(name, text.encode("utf-8"))}
    )


def demo_child_names() -> list[str]:
    return [person.full_name for person in YoungPerson.objects.all()]


def route(report: PoliceReport) -> None:
    social = Member.objects.get(user__username="socialraadgiver")
    services.route_report(
        actor_user=User.objects.get(username="koordinator"),
        report=report,
        data=services.RoutingData(
            routing=Routing.SOCIAL_WORKER, home_contact=social, member=social
        ),
    )


def other_police_contact() -> User:
    """The police's SSP contact of another municipality (in the same police district)."""
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    user = User.objects.create_user(username="anden-politi")
    contact = Member.objects.create(
        user=user,
        municipality=other,
        name="Ole Anden",
        sector=Sector.POLICE,
        access_role=AccessRole.EMPLOYEE,
        is_authority=True,
    )
    Unit.objects.create(
        municipality=other,
        slug="politi",
        name="Politiet",
        kind=UnitKind.POLICE_STATION,
        sector=Sector.POLICE,
        ssp_contact=contact,
    )
    return user


# --- Who may ----------------------------------------------------------------------------------


def test_the_police_contact_imports_and_registers_but_does_not_review(
    demo: Municipality,
) -> None:
    contact = get_actor(User.objects.get(username="politi"))
    leader = get_actor(User.objects.get(username="politileder"))
    staff = get_actor(User.objects.get(username="koordinator"))
    assert police_access.is_police_ssp_contact(contact)
    assert not police_access.is_police_ssp_contact(leader)
    assert police_access.can_import_police_list(contact)
    assert police_access.can_register_report(contact)
    assert police_access.may_import(contact, ImportKind.POLICE)
    # Absence files, the weekly review and the routing stay SSP staff's.
    assert not police_access.may_import(contact, ImportKind.ABSENCE)
    assert not police_access.can_review(contact)
    assert not police_access.can_route_report(contact)
    for rule in (police_access.can_import_police_list, police_access.can_register_report):
        assert rule(staff)
        assert not rule(leader)


def test_the_police_leader_who_is_not_the_contact_is_refused(demo: Municipality) -> None:
    leader = logged_in("politileder")
    assert leader.get(reverse("police:import")).status_code == 403
    assert leader.get(reverse("police:report_new")).status_code == 403
    assert upload(leader, police_list()).status_code == 403
    assert not ImportJob.objects.exists()
    with pytest.raises(DomainError, match="politiets SSP-kontakt"):
        import_jobs.submit_import(
            actor_user=User.objects.get(username="politileder"),
            kind=ImportKind.POLICE,
            filename="liste.csv",
            content=police_list().encode(),
        )
    assert logged_in("politi").get(reverse("police:review")).status_code == 403


def test_the_contact_loses_the_lists_with_the_unit(demo: Municipality) -> None:
    Unit.objects.filter(municipality=demo, kind=UnitKind.POLICE_STATION).update(ssp_contact=None)
    assert logged_in("politi").get(reverse("police:import")).status_code == 403


# --- Upload, row report and statuses ----------------------------------------------------------


def test_the_contact_uploads_a_list_and_follows_its_reports_without_names(
    demo: Municipality,
) -> None:
    client = logged_in("politi")
    page = client.get(reverse("police:import"))
    assert page.status_code == 200
    assert 'data-testid="import-form"' in page.content.decode()
    response = upload(client, police_list())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("police:import_job", kwargs={"pk": job.pk})
    assert job.created_by.username == "politi" and job.report["created"] == 2

    text = client.get(response["Location"]).content.decode()
    assert "2 rapporter er importeret" in text
    assert text.count('data-testid="import-report"') == 2
    assert "KONTAKT-1" in text and "KONTAKT-2" in text
    assert text.count("Venter på gennemgang") == 2
    for name in [*CHILDREN, *demo_child_names()]:
        assert name not in text, name
    assert "150512" not in text
    # Back to the contact's own page, not to the weekly review.
    assert reverse("police:import") in text and 'href="/politi/"' not in text

    # SSP staff route one of them in the weekly review: the contact sees it routed, not to whom.
    routed = PoliceReport.objects.get(police_reference="KONTAKT-1")
    route(routed)
    text = client.get(response["Location"]).content.decode()
    assert text.count("Venter på gennemgang") == 1
    assert 'data-status="routed"' in text and "Fordelt" in text
    assert "Sofie Dahl" not in text
    routed.refresh_from_db()
    assert routed.concern_id is not None
    assert f"/bekymringer/{routed.concern_id}/" not in text
    assert re.search(r"/(bekymringer|sager)/\d", text) is None
    for name in CHILDREN:
        assert name not in text

    # A withdrawn report says so.
    PoliceReport.objects.filter(police_reference="KONTAKT-2").update(status=ReportStatus.WITHDRAWN)
    assert "Trukket tilbage" in client.get(response["Location"]).content.decode()


def test_a_list_with_a_bad_row_shows_the_row_report_and_imports_nothing(
    demo: Municipality,
) -> None:
    client = logged_in("politi")
    response = upload(client, police_list(bad_row=True))
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in text
    assert "<td>4</td>" in text  # the header is row 1: the bad row is the fourth
    assert 'data-testid="import-report"' not in text
    assert not PoliceReport.objects.filter(police_reference__startswith="KONTAKT-").exists()
    for name in (*CHILDREN, "Ingen Gyldig"):
        assert name not in text


def test_the_job_reports_are_paginated(demo: Municipality, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_jobs, "JOB_REPORTS_PAGE_SIZE", 1)
    client = logged_in("politi")
    response = upload(client, police_list())
    first = client.get(response["Location"]).content.decode()
    second = client.get(response["Location"] + "?side=2").content.decode()
    assert first.count('data-testid="import-report"') == 1
    assert "KONTAKT-1" in first and "KONTAKT-2" not in first
    assert "KONTAKT-2" in second and "Side 2 af 2" in second


# --- Whose jobs -------------------------------------------------------------------------------


def test_the_contact_sees_own_jobs_only_and_staff_see_all(demo: Municipality) -> None:
    staff = logged_in("koordinator")
    staff_job_url = upload(staff, police_list(), name="ssp.csv")["Location"]
    contact = logged_in("politi")
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d-%m-%Y")
    own_url = upload(
        contact, f"{HEADER}170712-4009;Ny Ung;{day};18:00;Hærværk;KONTAKT-9;\n", name="egen.csv"
    )["Location"]
    # The contact: the own job only, on the page and by its address.
    assert contact.get(staff_job_url).status_code == 404
    assert contact.get(own_url).status_code == 200
    listing = contact.get(reverse("police:import")).content.decode()
    assert "egen.csv" in listing and "ssp.csv" not in listing
    # SSP staff: every job of the municipality, the page as before (back to the review).
    assert staff.get(own_url).status_code == 200
    staff_page = staff.get(staff_job_url).content.decode()
    assert "2 rapporter er importeret" in staff_page and 'href="/politi/"' in staff_page
    staff_listing = staff.get(reverse("police:import")).content.decode()
    assert "egen.csv" in staff_listing and "ssp.csv" in staff_listing


def test_another_municipalitys_contact_gets_404_on_a_job(demo: Municipality) -> None:
    url = upload(logged_in("politi"), police_list())["Location"]
    other = Client()
    other.force_login(other_police_contact())
    assert police_access.can_import_police_list(
        get_actor(User.objects.get(username="anden-politi"))
    )
    assert other.get(url).status_code == 404
    assert "liste.csv" not in other.get(reverse("police:import")).content.decode()


# --- A single report --------------------------------------------------------------------------


def test_the_contact_registers_a_report_and_lands_on_its_page(demo: Municipality) -> None:
    client = logged_in("politi")
    form = client.get(reverse("police:report_new")).content.decode()
    assert f'href="{reverse("police:import")}"' in form  # "Fortryd" leads back to the lists
    response = client.post(
        reverse("police:report_new"),
        {
            "cpr": "150512-4003",
            "name": CHILDREN[0],
            "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "time": "20:10",
            "offence": "Hærværk",
            "reference": "KONTAKT-ENKELT",
            "description": "Knuste en rude.",
        },
    )
    report = PoliceReport.objects.get(police_reference="KONTAKT-ENKELT")
    assert report.created_by.username == "politi"
    assert response.status_code == 302
    assert response["Location"] == reverse("police:report", kwargs={"pk": report.pk})
    page = client.get(response["Location"]).content.decode()
    assert "KONTAKT-ENKELT" in page and CHILDREN[0] not in page
    assert "Venter på gennemgang" in page


def test_the_coordinator_still_returns_to_the_review(demo: Municipality) -> None:
    response = logged_in("koordinator").post(
        reverse("police:report_new"),
        {
            "cpr": "150512-4003",
            "name": CHILDREN[0],
            "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "time": "20:10",
            "offence": "Hærværk",
            "reference": "SSP-ENKELT",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("police:review")


def test_a_refused_registration_stays_on_the_form_with_the_input(demo: Municipality) -> None:
    response = logged_in("politi").post(
        reverse("police:report_new"),
        {
            "cpr": "150512-4003",
            "name": CHILDREN[0],
            "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "time": "20:10",
            "offence": "Hærværk",
            "reference": "KONTAKT-FREMTID",
        },
    )
    assert response.status_code == 400
    assert "KONTAKT-FREMTID" in response.content.decode()
    assert not PoliceReport.objects.filter(police_reference="KONTAKT-FREMTID").exists()


# --- The §115 notice --------------------------------------------------------------------------


def test_the_115_notice_is_on_every_police_page_the_contact_sees(demo: Municipality) -> None:
    client = logged_in("politi")
    job_url = upload(client, police_list())["Location"]
    report = PoliceReport.objects.get(police_reference="KONTAKT-1")
    for url in (
        reverse("police:import"),
        job_url,
        reverse("police:report_new"),
        reverse("police:reports"),
        reverse("police:report", kwargs={"pk": report.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTICE in response.content.decode(), url


def test_the_menu_leads_the_contact_to_the_lists(demo: Municipality) -> None:
    text = logged_in("politi").get(reverse("home")).content.decode()
    assert f'href="{reverse("police:import")}"' in text
    leader = logged_in("politileder").get(reverse("home")).content.decode()
    assert f'href="{reverse("police:import")}"' not in leader
