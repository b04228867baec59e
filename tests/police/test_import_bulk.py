"""The police-list import in bulk (issue 11): queries per chunk, not per row; one audit event;
a limit by rows; files read as streams (CSV and xlsx); bounded reports."""

from __future__ import annotations

import io
import math
import tracemalloc
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import YoungPerson
from ssp.crypto import blind_index, blind_indexer, decrypt
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import imports, list_import, services
from ssp.police.models import Deadline, ImportBatch, ImportJob, ImportKind, PoliceReport
from tests.police.test_import_jobs import HEADER, police_list

pytestmark = pytest.mark.django_db


def run(users: dict[str, User], content: bytes, filename: str = "l.csv") -> Any:
    return services.import_police_list(
        actor_user=users["koordinator"],
        filename=filename,
        content=content,
        received_on=date(2026, 11, 2),
    )


def queries_of(users: dict[str, User], rows: int, prefix: str) -> tuple[int, int]:
    """(queries other than INSERT, INSERT statements) of importing `rows` new rows."""
    with CaptureQueriesContext(connection) as captured:
        result = run(users, police_list(rows, prefix).encode())
    assert result.created == rows
    inserts = sum(1 for q in captured.captured_queries if q["sql"].startswith("INSERT INTO"))
    return len(captured.captured_queries) - inserts, inserts


def test_it_runs_the_same_queries_for_10_rows_as_for_400(
    demo: Municipality, users: dict[str, User]
) -> None:
    queries_of(users, 1, "WARM")  # the actor's memberships are read once per process
    small_other, small_inserts = queries_of(users, 10, "SMALL")
    large_other, large_inserts = queries_of(users, 400, "LARGE")
    assert large_other == small_other
    if connection.vendor == "postgresql":
        # COPY into the staging table, then one INSERT ... SELECT per table.
        assert large_inserts == small_inserts
    else:
        # bulk_create splits by SQLite's limit of query parameters, and nothing else.
        fields = list(PoliceReport._meta.concrete_fields)
        batch = connection.ops.bulk_batch_size(fields, [None] * 400)
        assert large_inserts <= small_inserts + 3 * math.ceil(400 / batch)


def test_the_chunks_are_joined_without_nested_loops_and_the_settings_are_restored(
    demo: Municipality, users: dict[str, User]
) -> None:
    """The rows an import has just written are not in the planner's statistics: for a new
    municipality it took 30,000 young people for one row and joined 100,000 staged rows to them
    in a nested loop (the deadlines' statement ran for minutes at copenhagen10). The import's
    statements run with nested loops off and the foreign keys checked statement by statement
    (with each chunk, not all at the commit); the rest of the transaction (the audit event, the
    caller's work) with both settings as they were."""
    with CaptureQueriesContext(connection) as captured:
        result = run(users, police_list(30, "NEST").encode())
    assert result.created == 30
    statements = [q["sql"] for q in captured.captured_queries]
    settings = [i for i, sql in enumerate(statements) if "enable_nestloop" in sql]
    if connection.vendor == "postgresql":
        off, back = settings
        assert statements[off] == "SET LOCAL enable_nestloop = off"
        assert statements[back] == "SET LOCAL enable_nestloop TO DEFAULT"
        assert statements[off + 1] == "SET CONSTRAINTS ALL IMMEDIATE"
        assert statements[back - 1] == "SET CONSTRAINTS ALL DEFERRED"
        # The chunks' statements run between the two on psycopg's own cursors (unprepared, in
        # pipeline mode), which Django does not record; what they wrote is here.
        assert Deadline.objects.filter(report__police_reference__startswith="NEST").count() == 3
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_nestloop")
            assert cursor.fetchone() == ("on",)
        # Foreign keys are deferred again: a dangling one is refused at the commit, not now.
        report = PoliceReport.objects.filter(police_reference="NEST-0").get()
        with transaction.atomic():
            PoliceReport.objects.filter(pk=report.pk).update(offence_id=10**9)
            with pytest.raises(IntegrityError):
                connection.check_constraints()
            transaction.set_rollback(True)
    else:
        # SQLite writes with bulk_create and has no such settings.
        assert settings == []
        assert Deadline.objects.filter(report__police_reference__startswith="NEST").count() == 3


def test_a_row_failing_after_chunks_were_written_rolls_all_of_them_back(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the chunks are written while the next rows are checked: a bad row near the
    end still leaves nothing behind (no report, no young person, no batch, no event)."""
    monkeypatch.setattr(list_import, "CHUNK_ROWS", 2)
    batches = ImportBatch.objects.count()
    events = AuditEvent.objects.count()
    people = YoungPerson.objects.count()
    bad = "0000000000;X Y;01-11-2026;;Vold;LATE-BAD;\n"
    result = run(users, (police_list(9, "LATE") + bad).encode())
    assert (result.errors_total, [e.row for e in result.errors]) == (1, [11])
    assert result.created == 0 and result.batch_id is None
    assert not PoliceReport.objects.filter(police_reference__startswith="LATE-").exists()
    assert YoungPerson.objects.count() == people
    assert (ImportBatch.objects.count(), AuditEvent.objects.count()) == (batches, events)
    assert run(users, police_list(9, "LATE").encode()).created == 9


def test_it_writes_one_audit_event_with_counts_only(
    demo: Municipality, users: dict[str, User]
) -> None:
    before = AuditEvent.objects.count()
    result = run(users, police_list(30, "AUD").encode())
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == AuditAction.POLICE_LIST_IMPORTED
    assert event.data == {
        "created": 30,
        "duplicates": 0,
        "outside_target": 0,
        "young_people_registered": 30,
    }
    assert event.object_id == str(result.batch_id)
    assert "Nummer" not in str(event.data) and "Nummer" not in event.object_repr


def test_a_young_person_on_rows_of_different_chunks_is_registered_once(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_import, "CHUNK_ROWS", 2)
    text = HEADER + "".join(
        f"{cpr};Ida Chunk;01-11-2026;18:00;{offence};CH-{i};\n"
        for i, (cpr, offence) in enumerate(
            [
                ("050512-4888", "Røveri"),
                ("060612-4999", "Tyveri"),
                ("070712-4111", "Tyveri"),
                ("050512-4888", "Tyveri"),
                ("050512-4888", "Vold"),
            ]
        )
    )
    result = run(users, text.encode())
    assert (result.created, result.persons_registered) == (5, 3)
    person = YoungPerson.objects.get(cpr_index=blind_index("0505124888"))
    assert PoliceReport.objects.filter(young_person=person).count() == 3
    # Robbery and violence are serious: each starts a deadline; theft does not.
    assert Deadline.objects.filter(young_person=person).count() == 2
    again = run(users, text.encode())
    assert (again.created, again.duplicates, again.persons_registered) == (0, 5, 0)


def test_the_descriptions_and_cpr_numbers_are_stored_encrypted_and_read_back(
    demo: Municipality, users: dict[str, User]
) -> None:
    text = HEADER + "050512-4888;Ida Krypt;01-11-2026;18:00;Vold;ENC-1;Slog en dreng ved kiosken\n"
    assert run(users, text.encode()).created == 1
    report = PoliceReport.objects.select_related("young_person").get(police_reference="ENC-1")
    assert report.description == "Slog en dreng ved kiosken"
    assert full_cpr_of(report.young_person) == "050512-4888"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.description, p.cpr_encrypted FROM police_policereport r "
            "JOIN cases_youngperson p ON p.id = r.young_person_id WHERE r.id = %s",
            [report.pk],
        )
        stored_description, stored_cpr = cursor.fetchone()
    assert "kiosken" not in stored_description and "4888" not in stored_cpr
    assert decrypt(stored_description) == "Slog en dreng ved kiosken"


def test_a_pair_twice_in_a_file_names_the_earlier_row(
    demo: Municipality, users: dict[str, User]
) -> None:
    text = police_list(3, "TW") + "010111-4000;Ung Igen;01-11-2026;18:00;Vold;TW-0;\n"
    result = run(users, text.encode())
    assert [(e.row, e.message) for e in result.errors] == [(5, "står også i række 2")]
    assert not PoliceReport.objects.filter(police_reference__startswith="TW-").exists()


def test_the_report_lists_the_first_failing_rows_and_counts_them_all(
    demo: Municipality, users: dict[str, User]
) -> None:
    bad = HEADER + "".join(f"0000000000;X Y;01-11-2026;;Vold;B-{i};\n" for i in range(250))
    result = run(users, (police_list(5, "OK") + bad.removeprefix(HEADER)).encode())
    assert not result.ok and result.errors_total == 250
    assert len(result.errors) == imports.MAX_REPORTED_ROWS
    assert result.errors[0].row == 7 and "CPR" in result.errors[0].message
    assert result.as_json()["errors_total"] == 250
    assert not PoliceReport.objects.filter(police_reference__startswith="OK-").exists()


def test_young_people_outside_the_target_ages_are_counted(
    demo: Municipality, users: dict[str, User]
) -> None:
    adults = "".join(
        f"0101{80 + i:02d}-1234;Voksen Nr{i};01-11-2026;;Vold;AD-{i};\n" for i in range(3)
    )
    result = run(users, (police_list(2, "YT") + adults).encode())
    assert (result.created, result.outside_target_total, result.outside_target) == (2, 3, [4, 5, 6])
    assert not Deadline.objects.filter(report__police_reference__startswith="AD-").exists()


def test_a_file_over_the_row_limit_is_refused_at_upload(
    demo: Municipality, client_for: Any, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    client: Client = client_for("koordinator")
    response = client.post(
        "/politi/import/", {"file": SimpleUploadedFile("l.csv", police_list(6).encode())}
    )
    assert response.status_code == 400
    assert "Filen har mere end 5 rækker" in response.content.decode()
    assert not ImportJob.objects.exists()
    with pytest.raises(DomainError, match="mere end 5 rækker"):
        run(users, police_list(6, "LIM").encode())
    assert run(users, police_list(5, "LIM").encode()).created == 5


def test_the_byte_cap_is_checked_without_reading_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "MAX_BYTES", 100)

    class Unreadable(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            raise AssertionError("read")

    with pytest.raises(imports.FileError, match="for stor"):
        imports.count_data_rows("l.csv", Unreadable(b"x" * 101), ImportKind.POLICE)


def test_a_csv_is_read_as_a_stream(demo: Municipality) -> None:
    """40,000 rows (4 MB of text) are checked in a few MB: no text copy of the file and no
    list of its rows (which took some 30 MB)."""
    content = police_list(40_000, "MEM").encode("cp1252")
    tracemalloc.start()
    try:
        rows = sum(1 for _row, problems in imports.police_rows("l.csv", content) if not problems)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 40_000
    assert peak < 8 * 1024 * 1024, peak


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["CPR-nummer", "Navn", "Gerningsdato", "Tidspunkt", "Forhold", "Journalnummer"])
    for i in range(rows):
        sheet.append(
            [f"{i % 28 + 1:02d}0512-4888", "Åse Ærø", date(2026, 11, 1), "20:00", "Vold", f"X-{i}"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_is_read_row_by_row(
    demo: Municipality, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first row is checked when the sheet has given two rows (the header and that row):
    openpyxl's read-only mode is followed as it reads, never collected into a list."""
    given: list[int] = []
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self: ReadOnlyWorksheet, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for row in original(self, *args, **kwargs):
            given.append(1)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    rows = imports.police_rows("l.xlsx", workbook(50))
    first, problems = next(rows)
    assert (first["row"], first["reference"], problems) == (2, "X-0", [])
    assert len(given) == 2
    assert sum(1 for _ in rows) == 49
    result = run(users, workbook(50), "l.xlsx")
    assert (result.created, result.persons_registered) == (50, 28)


def test_the_bulk_blind_index_is_the_blind_index() -> None:
    index = blind_indexer()
    assert [index(cpr) for cpr in ("0505124888", "0101801234")] == [
        blind_index("0505124888"),
        blind_index("0101801234"),
    ]
