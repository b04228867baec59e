"""Issue 15: users in bulk from a file: preview, all or nothing, apply once, deactivation,
invitations, access."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ssp.accounts import bulk_users
from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import AccessRole, Member, Membership, Municipality

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "users.csv"
HEADER = "navn;e-mail;enhed;funktion;sektor;myndighedsperson;fora;rolle;adgangsrolle\n"
IMPORT = reverse("accounts:bulk_import")
APPLY = reverse("accounts:bulk_apply")


def _upload(client: Client, text: str, *, name: str = "brugere.csv", **extra: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8")), **extra}
    return client.post(IMPORT, data)


def _token(response: Any) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match is not None
    return match.group(1)


@pytest.mark.django_db
def test_example_file_previews_then_applies_once(
    client_for: Any, demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("admin")
    # Without the confirmation the authority person (Mikkel) is refused, naming the row.
    refused = _upload(client, EXAMPLE.read_text(encoding="utf-8"))
    assert refused.status_code == 400
    assert "Mikkel" not in str(AuditEvent.objects.values_list("data", flat=True))
    response = _upload(client, EXAMPLE.read_text(encoding="utf-8"), allow_elevated="on")
    assert response.status_code == 200
    page = response.content.decode()
    assert "karen.kristoffersen@example.dk" in page
    assert "3 nye brugere" in page
    assert not User.objects.filter(email__endswith="@example.dk").exists()  # preview only
    token = _token(response)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(APPLY, {"token": token})
    assert done.status_code == 200
    assert User.objects.filter(email__endswith="@example.dk").count() == 3
    mikkel = Member.objects.get(email="mikkel.soerensen@example.dk")
    assert mikkel.is_authority and mikkel.sector == "sof"
    assert mikkel.unit is not None and mikkel.unit.slug == "familie-og-ungeindsatsen"
    assert mikkel.access_role == AccessRole.EMPLOYEE
    assert Membership.objects.filter(member=mikkel).count() == 2
    assert mikkel.user is not None and not mikkel.user.has_usable_password()
    # Invitations: one mail per new user naming platform and municipality, with a link.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Member.objects.filter(email__endswith="@example.dk").values_list("email", flat=True)
    )
    assert all("Ådal" in m.subject and "/konto/adgangskode/ny/" in m.body for m in mail.outbox)
    event = AuditEvent.objects.filter(action=AuditAction.USERS_IMPORTED).latest("pk")
    assert event.data["created"] == 3 and event.data["memberships"] == 3
    assert "Kristoffersen" not in str(event.data) and "Kristoffersen" not in event.object_repr
    # A second click: nothing more is created.
    again = client.post(APPLY, {"token": token})
    assert again.status_code == 302
    assert User.objects.filter(email__endswith="@example.dk").count() == 3


@pytest.mark.django_db
def test_double_apply_with_the_same_token_is_refused_by_the_service(demo: Municipality) -> None:
    rows = bulk_users.read_rows(
        filename="b.csv",
        content=(HEADER + "Ny Person;ny@example.dk;;;BUF;nej;;;\n").encode(),
        municipality=demo,
    )
    plan = bulk_users.plan_import(rows=rows, municipality=demo, allow_elevated=False)
    kwargs: dict[str, Any] = {
        "actor": None,
        "actor_user": None,
        "municipality": demo,
        "rows": rows,
        "token": "same-token",
        "fingerprint": plan.fingerprint,
        "allow_elevated": False,
    }
    bulk_users.apply_import(**kwargs)
    with pytest.raises(bulk_users.AlreadyApplied):
        bulk_users.apply_import(**kwargs)
    assert User.objects.filter(email="ny@example.dk").count() == 1


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_is_named(client_for: Any, demo: Municipality) -> None:
    client = client_for("admin")
    text = (
        HEADER
        + "God Person;god@example.dk;midtskolen;Lærer;BUF;nej;;;\n"
        + "Dårlig Person;ikke-en-adresse;ukendt-enhed;Lærer;Rumfart;måske;ukendt-forum;;\n"
        + "Dublet;god@example.dk;;;BUF;nej;;;\n"
    )
    response = _upload(client, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "ikke-en-adresse" in page and "ukendt-enhed" in page and "Rumfart" in page
    assert "ukendt-forum" in page and "står også i række 2" in page
    assert "<td>3</td>" in page and "<td>4</td>" in page
    assert 'name="token"' not in page
    assert not User.objects.filter(email="god@example.dk").exists()


@pytest.mark.django_db
def test_windows_1252_and_commas_are_read(demo: Municipality) -> None:
    text = (
        "Navn,E-mail,Sektor,Myndighedsperson,Fora,Rolle\n"
        "Søren Æblegård,soeren@example.dk,Sundhed,ja,SSP Styregruppen,Formand\n"
    )
    rows = bulk_users.read_rows(filename="b.csv", content=text.encode("cp1252"), municipality=demo)
    assert rows[0].name == "Søren Æblegård" and rows[0].sector == "health"
    assert rows[0].membership_role == "chair" and len(rows[0].forum_ids) == 1


@pytest.mark.django_db
def test_control_characters_and_lengths_are_refused(demo: Municipality) -> None:
    text = HEADER + "Na\x07vn;a@example.dk;;;BUF;nej;;;\n" + f"{'x' * 201};b@example.dk;;;BUF;;;;\n"
    with pytest.raises(bulk_users.ImportRefused) as refused:
        bulk_users.read_rows(filename="b.csv", content=text.encode(), municipality=demo)
    assert [error.row for error in refused.value.errors] == [2, 3]
    assert "kontroltegn" in refused.value.errors[0].message
    assert "for mange tegn" in refused.value.errors[1].message


@pytest.mark.django_db
def test_reimport_shows_changes_and_applies_them(client_for: Any, users: dict[str, User]) -> None:
    client = client_for("admin")
    laerer = Member.objects.get(user=users["laerer"])
    text = HEADER + f"{laerer.name};{laerer.email.upper()};midtskolen;Skoleleder;BUF;ja;;;\n"
    response = _upload(client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 ændrede" in page and "Skoleleder" in page and "0 nye brugere" in page
    client.post(APPLY, {"token": _token(response)})
    laerer.refresh_from_db()
    assert laerer.title == "Skoleleder" and laerer.is_authority
    assert laerer.unit is not None and laerer.unit.slug == "midtskolen"
    assert User.objects.filter(email__iexact=laerer.email).count() == 1


@pytest.mark.django_db
def test_raised_access_role_needs_the_confirmation(client_for: Any, demo: Municipality) -> None:
    client = client_for("admin")
    text = HEADER + "Ny Koordinator;nyk@example.dk;;;BUF;nej;;;SSP-medarbejder\n"
    refused = _upload(client, text)
    assert refused.status_code == 400
    assert "bekræfter" in refused.content.decode()
    accepted = _upload(client, text, allow_elevated="on")
    assert accepted.status_code == 200
    client.post(APPLY, {"token": _token(accepted)})
    assert Member.objects.get(email="nyk@example.dk").access_role == AccessRole.SSP_STAFF


@pytest.mark.django_db
def test_deactivation_only_of_ticked_members_not_in_file(
    client_for: Any, users: dict[str, User]
) -> None:
    client = client_for("admin")
    response = _upload(client, HEADER + "Ny Person;ny2@example.dk;;;BUF;nej;;;\n")
    page = response.content.decode()
    boligsocial = Member.objects.get(user=users["boligsocial"])
    admin_member = Member.objects.get(user=users["admin"])
    assert f'value="{boligsocial.pk}"' in page
    assert f'value="{admin_member.pk}"' not in page  # never oneself
    client.post(APPLY, {"token": _token(response), "deactivate": [str(boligsocial.pk)]})
    users["boligsocial"].refresh_from_db()
    users["politi"].refresh_from_db()
    assert not users["boligsocial"].is_active  # deactivated, not deleted
    assert users["politi"].is_active
    assert Member.objects.filter(pk=boligsocial.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.USER_DEACTIVATED, object_id=str(users["boligsocial"].pk)
    ).exists()


@pytest.mark.django_db
def test_address_of_a_user_outside_the_municipality_is_refused(demo: Municipality) -> None:
    User.objects.create_user(username="fremmed", email="fremmed@example.dk")
    rows = bulk_users.read_rows(
        filename="b.csv",
        content=(HEADER + "Fremmed;Fremmed@example.dk;;;BUF;nej;;;\n").encode(),
        municipality=demo,
    )
    with pytest.raises(bulk_users.ImportRefused) as refused:
        bulk_users.plan_import(rows=rows, municipality=demo, allow_elevated=False)
    assert refused.value.errors[0].row == 2


@pytest.mark.django_db
def test_thousand_rows_in_seconds(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    lines = [HEADER]
    for number in range(1000):
        lines.append(
            f"Person {number};p{number}@example.dk;midtskolen;Lærer;BUF;nej;"
            f"lokal-ssp-midt|styregruppe;medlem;\n"
        )
    content = "".join(lines).encode()
    started = time.monotonic()
    rows = bulk_users.read_rows(filename="b.csv", content=content, municipality=demo)
    plan = bulk_users.plan_import(rows=rows, municipality=demo, allow_elevated=False)
    with django_capture_on_commit_callbacks(execute=False):
        applied = bulk_users.apply_import(
            actor=None,
            actor_user=None,
            municipality=demo,
            rows=rows,
            token="t1000",
            fingerprint=plan.fingerprint,
            allow_elevated=False,
        )
    elapsed = time.monotonic() - started
    assert applied.created == 1000 and applied.memberships == 2000
    assert (
        Member.objects.filter(email__startswith="p", email__endswith="@example.dk").count() == 1000
    )
    assert elapsed < 10, elapsed


@pytest.mark.django_db
def test_only_administrators_may_import(client_for: Any) -> None:
    assert client_for("koordinator").get(IMPORT).status_code == 403
    assert client_for("koordinator").post(APPLY, {"token": "x"}).status_code == 403
    assert client_for("laerer").get(IMPORT).status_code == 403
    assert client_for("admin").get(IMPORT).status_code == 200


@pytest.mark.django_db
def test_wrong_file_type_re_renders_the_form(client_for: Any) -> None:
    client = client_for("admin")
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4 ..."), "allow_elevated": "on"}
    )
    assert response.status_code == 400
    assert "CSV-fil" in response.content.decode()
    assert 'name="allow_elevated"' in response.content.decode()


@pytest.mark.django_db
def test_a_token_is_bound_to_the_user_who_saw_the_preview(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    response = _upload(client_for("admin"), HEADER + "Ny Person;ny3@example.dk;;;BUF;nej;;;\n")
    token = _token(response)
    other_admin = User.objects.create_user(username="admin2")
    Member.objects.create(
        user=other_admin,
        municipality=demo,
        name="Anden Admin",
        sector="other",
        access_role=AccessRole.ADMINISTRATOR,
    )
    other = Client()
    other.force_login(other_admin)
    assert other.post(APPLY, {"token": token}).status_code == 302
    assert not User.objects.filter(email="ny3@example.dk").exists()
    assert AuditEvent.objects.filter(action=AuditAction.USERS_IMPORT_PREVIEWED).exists()


@pytest.mark.django_db
def test_an_excel_file_is_read(demo: Municipality) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Navn", "E-mail", "Enhed", "Sektor", "Myndighedsperson", "Fora"])
    sheet.append(["Excel Person", "Excel@Example.dk", "Midtskolen", "buf", True, "styregruppe"])
    buffer = BytesIO()
    workbook.save(buffer)
    rows = bulk_users.read_rows(filename="b.xlsx", content=buffer.getvalue(), municipality=demo)
    assert rows[0].email == "excel@example.dk" and rows[0].is_authority
    assert rows[0].unit_id is not None and len(rows[0].forum_ids) == 1


@pytest.mark.django_db
def test_an_administrator_cannot_change_their_own_access(
    client_for: Any, users: dict[str, User]
) -> None:
    admin = Member.objects.get(user=users["admin"])
    text = HEADER + f"{admin.name};{users['admin'].email};;;{admin.sector};ja;;;ssp\n"
    response = _upload(client_for("admin"), text, allow_elevated="on")
    assert response.status_code == 400
    assert "din egen adgangsrolle" in response.content.decode()
    admin.refresh_from_db()
    assert admin.access_role == AccessRole.ADMINISTRATOR and not admin.is_authority


@pytest.mark.django_db
def test_a_superuser_is_neither_changed_nor_offered_for_deactivation(
    client_for: Any, demo: Municipality
) -> None:
    boss = User.objects.create_user("drift", email="drift@example.dk", is_superuser=True)
    Member.objects.create(
        user=boss, municipality=demo, name="Drift Driftsen", sector="other", email=boss.email
    )
    listing = _upload(client_for("admin"), HEADER + "Ny Person;ny@example.dk;;;BUF;nej;;;\n")
    assert listing.status_code == 200
    assert "drift@example.dk" not in listing.content.decode()
    changed = _upload(
        client_for("admin"), HEADER + "Drift Driftsen;drift@example.dk;;;BUF;nej;;;\n"
    )
    assert changed.status_code == 400
    assert "superbruger" in changed.content.decode()
