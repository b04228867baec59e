"""Imports in the background (issue 9): an upload is checked at once, stored through the default
storage, recorded as a job and run by the task worker (the ImmediateBackend in tests runs it at
once); the job page shows progress and then the report; one file is imported once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import import_jobs, list_import, services
from ssp.police.models import ImportJob, ImportKind, ImportStatus, PoliceReport
from tests.helpers_db import at_once

pytestmark = pytest.mark.django_db

HEADER = "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n"


def police_list(rows: int, prefix: str = "JOB") -> str:
    """`rows` rows with valid, fictitious CPR numbers of 13-15-year-olds, each a new person."""
    lines = [HEADER]
    for i in range(rows):
        day, month, year = i % 28 + 1, (i // 28) % 12 + 1, 11 + (i // 336) % 3
        serial = 4000 + i // 1008
        offence = "Røveri" if i % 10 == 0 else "Butikstyveri"
        lines.append(
            f"{day:02d}{month:02d}{year:02d}-{serial};Ung Nummer{i};01-11-2026;18:00;"
            f"{offence};{prefix}-{i};\n"
        )
    return "".join(lines)


def read_aside(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a query run on a connection of its own (what another user would see while
    the import's transaction is open), closed afterwards."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params or [])
            return list(cursor.fetchall())
    finally:
        other.close()


def upload(client: Client, text: str, name: str = "liste.csv", url: str = "/politi/import/") -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode())})


def test_an_upload_redirects_to_its_job_page_with_the_report(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    response = upload(client, police_list(3))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/politi/import/{job.pk}/"
    assert (job.status, job.rows_total, job.rows_done) == (ImportStatus.DONE, 3, 3)
    assert job.report["created"] == 3 and job.batch is not None
    assert job.sha256 and job.created_by.username == "koordinator"
    page = client.get(response["Location"]).content.decode()
    assert "3 rapporter er importeret" in page
    assert PoliceReport.objects.filter(police_reference__startswith="JOB-").count() == 3


def test_the_stored_file_is_deleted_and_the_report_names_nobody(
    demo: Municipality, client_for: Any
) -> None:
    upload(client_for("koordinator"), police_list(2))
    job = ImportJob.objects.get()
    assert job.stored_name.startswith("imports/")
    assert not default_storage.exists(job.stored_name)
    assert "Nummer" not in str(job.report) and "4000" not in str(job.report)


def test_the_same_file_twice_is_imported_once_and_the_second_upload_is_told(
    demo: Municipality, client_for: Any
) -> None:
    events = AuditEvent.objects.filter(action=AuditAction.POLICE_LIST_IMPORTED)
    before = events.count()
    text = police_list(2)
    first = upload(client_for("koordinator"), text)
    second = client_for("koordinator").post(
        "/politi/import/", {"file": SimpleUploadedFile("kopi.csv", text.encode())}, follow=True
    )
    assert second.redirect_chain[0][0] == first["Location"]
    assert "allerede indlæst" in second.content.decode()
    assert ImportJob.objects.count() == 1
    assert events.count() == before + 1


def test_a_failed_job_lets_the_same_file_be_uploaded_again(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    text = police_list(1)
    submitted = import_jobs.submit_import(
        actor_user=users["koordinator"],
        kind=ImportKind.POLICE,
        filename="l.csv",
        content=text.encode(),
    )
    ImportJob.objects.filter(pk=submitted.job.pk).update(status=ImportStatus.FAILED)
    again = import_jobs.submit_import(
        actor_user=users["koordinator"],
        kind=ImportKind.POLICE,
        filename="l.csv",
        content=text.encode(),
    )
    assert not again.already_submitted and again.job.pk != submitted.job.pk


def test_file_errors_keep_the_user_on_the_upload_form(demo: Municipality, client_for: Any) -> None:
    response = upload(client_for("koordinator"), "Navn;Forhold\nA;B\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Journalnummer" in html and 'data-testid="import-form"' in html
    assert not ImportJob.objects.exists()


def test_row_errors_are_shown_on_the_job_page_and_nothing_is_imported(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    bad = HEADER + "310299-1234;X Y;01-11-2026;;Vold;J-5;\n"
    page = client.post(
        "/politi/import/", {"file": SimpleUploadedFile("liste.csv", bad.encode())}, follow=True
    )
    html = page.content.decode()
    assert "Intet er indlæst" in html and "fødselsdato" in html
    assert not PoliceReport.objects.filter(police_reference="J-5").exists()


def test_the_job_page_polls_while_the_job_runs_and_refreshes_when_it_ends(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    job = ImportJob.objects.create(
        municipality=demo,
        kind=ImportKind.POLICE,
        filename="l.csv",
        sha256="0" * 64,
        rows_total=10_000,
        rows_done=2_500,
        status=ImportStatus.RUNNING,
        created_by=users["koordinator"],
    )
    client: Client = client_for("koordinator")
    page = client.get(f"/politi/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "2500 af 10000 rækker" in page
    assert '<meta http-equiv="refresh"' in page  # in <noscript>: without JavaScript
    fragment = client.get(f"/politi/import/{job.pk}/", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="import-progress"')
    job.status = ImportStatus.DONE
    job.report = {"created": 1, "duplicates": 0, "errors": [], "outside_target": []}
    job.save()
    done = client.get(f"/politi/import/{job.pk}/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in client.get(f"/politi/import/{job.pk}/").content.decode()


def test_only_those_who_may_import_see_a_job(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    upload(client_for("koordinator"), police_list(1))
    job = ImportJob.objects.get()
    # The police's SSP contact sees only the jobs they uploaded (issue 15): not SSP staff's.
    for role in ("laerer", "politi", "socialraadgiver", "politiker"):
        assert client_for(role).get(f"/politi/import/{job.pk}/").status_code == 404
    with pytest.raises(DomainError):
        import_jobs.submit_import(
            # Issue 15: a police officer who is not the police's SSP contact.
            actor_user=User.objects.get(username="politileder"),
            kind=ImportKind.POLICE,
            filename="l.csv",
            content=police_list(1, "X").encode(),
        )


def test_a_job_runs_once(demo: Municipality, client_for: Any) -> None:
    upload(client_for("koordinator"), police_list(2))
    job = ImportJob.objects.get()
    assert import_jobs.run_job(job.pk) == ImportStatus.DONE
    assert PoliceReport.objects.filter(police_reference__startswith="JOB-").count() == 2


def test_the_absence_import_goes_through_a_job_too(demo: Municipality, client_for: Any) -> None:
    text = (
        "Skole;Klasse;CPR-nummer;Måned;Fravær;Ulovligt fravær\n"
        "Østskolen;7.a;050512-4888;2026-10;20,0;12,0\n"
    )
    response = upload(client_for("koordinator"), text, "f.csv", "/fravaer/import/")
    job = ImportJob.objects.get(kind=ImportKind.ABSENCE)
    assert response["Location"] == f"/politi/import/{job.pk}/"
    assert job.status == ImportStatus.DONE and job.report["created"] == 1
    page = client_for("koordinator").get(response["Location"]).content.decode()
    assert "Fraværet er importeret: 1 nye" in page


def test_stuck_jobs_are_listed_and_can_be_given_up(
    demo: Municipality, users: dict[str, User]
) -> None:
    job = ImportJob.objects.create(
        municipality=demo,
        kind=ImportKind.POLICE,
        filename="l.csv",
        sha256="1" * 64,
        rows_total=10,
        status=ImportStatus.RUNNING,
        created_by=users["koordinator"],
    )
    out = StringIO()
    call_command("import_jobs", "--stuck-minutes", "0", stdout=out)
    assert f"{job.pk} police" in out.getvalue() and "STUCK" in out.getvalue()
    call_command("import_jobs", "--fail", str(job.pk), stdout=StringIO())
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "afbrudt" in job.report["error"]


def test_repro_a_large_import_writes_one_audit_event_last_with_few_queries(
    demo: Municipality, users: dict[str, User]
) -> None:
    """Issue 9, reproduction 4: the import ran ~13 queries and one audit event per row in one
    transaction holding the audit head. Now: a bounded number of queries per chunk of rows and
    one audit event for the import (counts only), written last."""
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        result = services.import_police_list(
            actor_user=users["koordinator"],
            filename="stor.csv",
            content=police_list(1000, "BIG").encode(),
            received_on=date(2026, 11, 2),
        )
    assert result.created == 1000 and result.persons_registered == 1000
    assert len(captured.captured_queries) < 80
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.POLICE_LIST_IMPORTED).latest("pk")
    assert event.data == {
        "created": 1000,
        "duplicates": 0,
        "outside_target": 0,
        "young_people_registered": 1000,
    }
    writes = [
        i
        for i, query in enumerate(captured.captured_queries)
        if query["sql"].startswith("INSERT INTO")
    ]
    event_writes = [
        i for i in writes if captured.captured_queries[i]["sql"].startswith('INSERT INTO "audit_')
    ]
    assert len(event_writes) == 1 and event_writes[0] > max(set(writes) - set(event_writes))


@pytest.mark.django_db(transaction=True)
def test_repro_three_concurrent_uploads_of_one_new_file_import_it_once(
    demo: Municipality, users: dict[str, User]
) -> None:
    """Issue 9, reproduction 1: three concurrent uploads of one new file answered 302, 500,
    500. Now one job imports it and the others are linked to that job."""
    text = police_list(30, "CONC").encode()
    imported = AuditEvent.objects.filter(action=AuditAction.POLICE_LIST_IMPORTED)
    before = imported.count()
    statuses: list[int] = []
    locations: list[str] = []

    def post() -> None:
        client = Client()
        client.force_login(users["koordinator"])
        response = client.post("/politi/import/", {"file": SimpleUploadedFile("liste.csv", text)})
        statuses.append(response.status_code)
        locations.append(response.get("Location", ""))

    at_once(post, post, post)
    assert statuses == [302, 302, 302]
    assert len(set(locations)) == 1
    assert ImportJob.objects.count() == 1
    assert PoliceReport.objects.filter(police_reference__startswith="CONC-").count() == 30
    assert imported.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_progress_is_seen_from_another_connection_while_the_rows_are_checked(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job page reads the progress while the import runs. On PostgreSQL the rows are
    checked inside the transaction that writes them, so the progress is written beside it;
    another connection sees each chunk's count before the import commits."""
    monkeypatch.setattr(list_import, "CHUNK_ROWS", 2)
    seen: list[int] = []
    finish = list_import._Preparer.finish

    def finish_and_look(self: list_import._Preparer, chunk: list[Any]) -> list[Any]:
        seen.extend(row[0] for row in read_aside("SELECT rows_done FROM police_importjob"))
        return finish(self, chunk)

    monkeypatch.setattr(list_import._Preparer, "finish", finish_and_look)
    client = Client()
    client.force_login(users["koordinator"])
    assert upload(client, police_list(7, "PROG")).status_code == 302
    # A chunk is finished at rows 2, 4 and 6 and at the end (row 7); the progress of each
    # chunk is written after it.
    assert seen == [0, 2, 4, 6]
    job = ImportJob.objects.get()
    assert (job.status, job.rows_done, job.report["created"]) == (ImportStatus.DONE, 7, 7)


@pytest.mark.django_db(transaction=True)
def test_two_lists_naming_the_same_young_people_in_opposite_orders_both_import(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a list is written while it is checked, chunk by chunk, in one transaction:
    two lists registering the same young people in opposite orders would each wait for the
    other's new rows (a deadlock, one import failed). Imports in one municipality take their
    turn instead."""
    monkeypatch.setattr(list_import, "CHUNK_ROWS", 1)
    people = [f"{day:02d}0512-4888;Ung Nummer{day}" for day in range(1, 13)]

    def police_list_of(names: list[str], prefix: str) -> bytes:
        rows = [f"{p};01-11-2026;18:00;Butikstyveri;{prefix}-{i};\n" for i, p in enumerate(names)]
        return (HEADER + "".join(rows)).encode()

    results: list[Any] = []

    def importing(content: bytes) -> Callable[[], None]:
        def run() -> None:
            results.append(
                services.import_police_list(
                    actor_user=User.objects.get(username="koordinator"),
                    filename="liste.csv",
                    content=content,
                )
            )

        return run

    at_once(
        importing(police_list_of(people, "UP")),
        importing(police_list_of(people[::-1], "DOWN")),
    )
    assert sorted(r.created for r in results) == [12, 12]
    assert sorted(r.persons_registered for r in results) == [0, 12]
    assert PoliceReport.objects.filter(police_reference__regex=r"^(UP|DOWN)-").count() == 24


def test_a_progress_that_cannot_be_written_stops_no_import(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress is a courtesy: on PostgreSQL it is written on a connection of its own, and
    when that fails (no free connection), the import goes on and finishes."""

    class Refusing:
        def cursor(self) -> Any:
            raise OperationalError("too many connections")

        def close(self) -> None:
            pass

    monkeypatch.setattr(list_import, "CHUNK_ROWS", 2)
    monkeypatch.setattr(connections, "create_connection", lambda alias: Refusing())
    response = upload(client_for("koordinator"), police_list(5, "NOPROG"))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.rows_done, job.report["created"]) == (ImportStatus.DONE, 5, 5)


@pytest.mark.django_db(transaction=True)
def test_at_the_first_failing_row_the_import_lets_go_and_only_checks_the_rest(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the rows are written while they are checked. A failing row ends the
    transaction at once (its locks released, nothing written); the rest of the file is then
    only checked, so the report still counts every failing row."""
    monkeypatch.setattr(list_import, "CHUNK_ROWS", 2)
    seen: list[tuple[bool, bool]] = []
    check_the_rest = list_import._check_the_rest

    def looking(*args: Any) -> None:
        free = True
        if connection.vendor == "postgresql":
            # The session-level lock taken here goes with the session `read_aside` closes.
            [(free,)] = read_aside(
                "SELECT pg_try_advisory_lock(%s, %s)", [list_import.IMPORT_LOCK_CLASS, demo.pk]
            )
        seen.append((connection.in_atomic_block, free))
        check_the_rest(*args)

    monkeypatch.setattr(list_import, "_check_the_rest", looking)
    bad = "".join(f"0000000000;X Y;01-11-2026;;Vold;FIRST-BAD-{i};\n" for i in range(3))
    text = police_list(6, "FIRST") + bad + police_list(2, "AFTER").removeprefix(HEADER)
    result = services.import_police_list(
        actor_user=users["koordinator"], filename="liste.csv", content=text.encode()
    )
    assert seen == [(False, True)]
    assert ([e.row for e in result.errors], result.errors_total) == ([8, 9, 10], 3)
    assert not PoliceReport.objects.filter(police_reference__startswith="FIRST-").exists()
