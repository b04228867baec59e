"""R5: a police list imported in bulk (issue 11: 100,000 rows in seconds, in little memory).

All or nothing, as before: every row is read, checked and prepared first, as a stream (the file
is never held whole, nor a list of its rows); if any row fails, nothing is written and the
report names the first failing rows and counts them all. Then everything is written in one
transaction with a few statements, whatever the number of rows:

- the offence catalogue is read once; young people are looked up with one `cpr_index IN (...)`
  query per chunk of rows, and only the CPR numbers of people not yet registered are
  encrypted (once each);
- the prepared rows are spooled to a local temporary file while they are checked; on
  PostgreSQL the writing transaction copies them (`COPY`) into a temporary table dropped at
  commit, from which young people, reports and their duplicates are handled by `INSERT ...
  SELECT` (`ON CONFLICT DO NOTHING` keeps a concurrent import or registration from failing
  this one); elsewhere (SQLite) they are written with `bulk_create` per chunk;
- statutory deadlines are computed in Python (`deadlines.py`) for the new serious reports and
  bulk inserted;
- one audit event for the import, with counts only, written last (chained after commit,
  `ssp/audit/services.py`).

The job page's progress is the number of rows checked, updated once per chunk.
"""

from __future__ import annotations

import pickle  # noqa: S403 - our own temporary spool, written and read by this process
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import IO, Any, NamedTuple, Protocol

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import services as case_services
from ssp.cases.models import YoungPerson
from ssp.crypto import blind_indexer, encrypt
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.models import Municipality
from ssp.police import access as police_access
from ssp.police import deadlines, imports
from ssp.police.models import (
    Deadline,
    DeadlineKind,
    ImportBatch,
    ImportKind,
    NetworkCouncil,
    Offence,
    PoliceReport,
)

# Rows checked (and staged) between two looks at the database and two progress updates.
CHUNK_ROWS = 2000
STAGE_TABLE = "ssp_police_list_stage"
ProgressCallback = Callable[[int], None]


@dataclass
class ImportReport:
    """The answer to an import: what was created, skipped, and which rows failed. The lists
    hold the first `imports.MAX_REPORTED_ROWS` row numbers; the totals count them all."""

    created: int = 0
    duplicates: int = 0
    outside_target: list[int] = field(default_factory=list)
    outside_target_total: int = 0
    errors: list[imports.RowError] = field(default_factory=list)
    errors_total: int = 0
    persons_registered: int = 0
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, problems: Sequence[str]) -> None:
        self.errors_total += 1
        if len(self.errors) < imports.MAX_REPORTED_ROWS:
            self.errors.append(imports.RowError(row, imports.join_problems(problems)))

    def as_json(self) -> dict[str, Any]:
        """For the import job's page: counts, row numbers and row messages; no names or CPR
        numbers (the messages name the problem, not the person)."""
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "outside_target": self.outside_target,
            "outside_target_total": self.outside_target_total,
            "young_people_registered": self.persons_registered,
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
            "errors_total": self.errors_total,
        }


class StagedRow(NamedTuple):
    """A checked row with everything computed that needs no writing. `cpr_encrypted` is set on
    the first row of a young person who is not registered yet and is in the target ages (the
    one the person is registered from); on other rows it is empty."""

    number: int
    cpr_index: str
    cpr_encrypted: str
    first_name: str
    last_name: str
    birth_date: date
    in_target: bool
    incident_at: datetime
    offence_id: int | None
    attempt: bool
    offence_text: str
    reference: str
    description: str
    # R5: a serious offence by someone under 18 at the time: a network council (or a plan
    # revision) is due if the report is new.
    needs_council: bool


class _Preparer:
    """Turns checked rows into `StagedRow`s; caches what repeats (offences, target age by birth
    date) and remembers which young people were decided on, as 64-bit keys (the write phase
    checks that every row in the target ages found its young person)."""

    def __init__(self, municipality: Municipality, offences: Sequence[Offence]) -> None:
        from ssp.police.services import match_offence  # services re-exports this module

        self.municipality = municipality
        self.offences = offences
        self.match_offence = match_offence
        self.blind_index = blind_indexer()
        self.today = timezone.localdate()
        self.zone: tzinfo = timezone.get_current_timezone()
        # offence text -> (offence id, attempt, serious)
        self.matched: dict[str, tuple[int | None, bool, bool]] = {}
        self.in_target: dict[date, bool] = {}
        self.decided: set[int] = set()

    def prepare(self, row: dict[str, Any]) -> tuple[StagedRow, str]:
        """The staged row (without `cpr_encrypted`) and the plain CPR number."""
        birth: date = row["birth"]
        in_target = self.in_target.get(birth)
        if in_target is None:
            try:
                case_services.check_target_age(self.municipality, birth, self.today)
            except DomainError:
                in_target = False
            else:
                in_target = True
            self.in_target[birth] = in_target
        text: str = row["offence"]
        matched = self.matched.get(text)
        if matched is None:
            offence, attempt = self.match_offence(text, self.offences)
            matched = (offence.pk, attempt, offence.serious) if offence else (None, attempt, False)
            self.matched[text] = matched
        staged = StagedRow(
            number=row["row"],
            cpr_index=self.blind_index(row["cpr"]),
            cpr_encrypted="",
            first_name=row["first_name"],
            last_name=row["last_name"],
            birth_date=birth,
            in_target=in_target,
            incident_at=datetime.combine(row["date"], row["time"], tzinfo=self.zone),
            offence_id=matched[0],
            attempt=matched[1],
            offence_text=text,
            reference=row["reference"],
            description=row.get("description", ""),
            needs_council=deadlines.needs_network_council(
                serious=matched[2], birth=birth, incident=row["date"]
            ),
        )
        return staged, row["cpr"]

    def finish(self, chunk: list[tuple[StagedRow, str]]) -> list[StagedRow]:
        """One query for the chunk's young people not decided on yet; the CPR number of each
        new one in the target ages is encrypted once, on its first row."""
        undecided = {
            staged.cpr_index for staged, _cpr in chunk if _key(staged.cpr_index) not in self.decided
        }
        registered = set(
            YoungPerson.objects.filter(
                municipality=self.municipality, cpr_index__in=undecided
            ).values_list("cpr_index", flat=True)
        )
        rows: list[StagedRow] = []
        for staged, cpr in chunk:
            key = _key(staged.cpr_index)
            if key not in self.decided:
                self.decided.add(key)
                if staged.cpr_index not in registered and staged.in_target:
                    staged = staged._replace(cpr_encrypted=encrypt(cpr))
            rows.append(staged)
        return rows


def _key(cpr_index: str) -> int:
    return int(cpr_index[:16], 16)


@dataclass(frozen=True)
class _Writing:
    """What the writing phase needs besides the rows."""

    batch: ImportBatch
    received: date
    council_due: date
    # Young people whose last held network council makes a new serious offence a plan
    # revision rather than a new council (R5, `deadlines.revises_plan`).
    revising: frozenset[int]


class _Stage(Protocol):
    def add(self, rows: list[StagedRow]) -> None: ...

    def write(self, writing: _Writing, result: ImportReport) -> None: ...

    def close(self) -> None: ...


def import_police_list(
    *,
    actor_user: User,
    filename: str,
    content: imports.Content,
    received_on: date | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """R5: all or nothing. Bad rows import nothing and are reported with the reason; the same
    file twice creates no duplicates; young people outside the target ages are left out.

    Run by the task worker (`import_jobs.run_job`) with the stored file; `content` may be bytes
    or a seekable binary file. `progress` is told how many rows are checked, once per chunk.
    """
    actor = access.get_actor(actor_user)
    if not police_access.can_import_police_list(actor):
        raise DomainError(_("Kun SSP-medarbejdere gennemgår politiets lister."))
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    stream = imports.binary(content)
    sha256 = imports.sha256_of(stream)
    result = ImportReport()
    stage: _Stage = _PostgresStage() if connection.vendor == "postgresql" else _SpoolStage()
    try:
        from ssp.police.services import load_offences  # services re-exports this module

        preparer = _Preparer(municipality, load_offences(municipality))
        rows = _check_and_stage(preparer, filename, stream, stage, result, progress)
        if result.errors_total:
            return result
        received = received_on or timezone.localdate()
        council_days = configuration.network_council_days(municipality)
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                municipality=municipality,
                kind=ImportKind.POLICE,
                filename=filename[:255],
                sha256=sha256,
                rows=rows,
                created_by=actor_user,
            )
            writing = _Writing(
                batch=batch,
                received=received,
                council_due=deadlines.due_date(received, council_days),
                revising=_revising(municipality, received),
            )
            stage.write(writing, result)
            batch.created = result.created
            batch.skipped = result.duplicates + result.outside_target_total
            batch.save(update_fields=["created", "skipped"])
            result.batch_id = batch.pk
            record_event(
                actor=actor_user,
                action=AuditAction.POLICE_LIST_IMPORTED,
                obj=batch,
                municipality_id=municipality.pk,
                data={
                    "created": result.created,
                    "duplicates": result.duplicates,
                    "outside_target": result.outside_target_total,
                    "young_people_registered": result.persons_registered,
                },
            )
    finally:
        stage.close()
    return result


def _check_and_stage(
    preparer: _Preparer,
    filename: str,
    stream: IO[bytes],
    stage: _Stage,
    result: ImportReport,
    progress: ProgressCallback | None,
) -> int:
    """The checking phase, outside any transaction: every row is checked; while none has
    failed, the rows are prepared and staged chunk by chunk. Returns the number of rows."""
    chunk: list[tuple[StagedRow, str]] = []
    count = 0
    try:
        for count, (row, problems) in enumerate(imports.police_rows(filename, stream), start=1):
            if problems:
                result.add_error(row["row"], problems)
                chunk.clear()
            elif not result.errors_total:
                chunk.append(preparer.prepare(row))
                if len(chunk) >= CHUNK_ROWS:
                    stage.add(preparer.finish(chunk))
                    chunk.clear()
            if progress is not None and count % CHUNK_ROWS == 0:
                progress(count)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    if chunk and not result.errors_total:
        stage.add(preparer.finish(chunk))
    if progress is not None:
        progress(count)
    return count


def _revising(municipality: Municipality, received: date) -> frozenset[int]:
    """R5: the young people of the municipality whose last held network council is within a
    year before `received` (one grouped query; councils are few)."""
    last_held = (
        NetworkCouncil.objects.filter(municipality=municipality, held_on__isnull=False)
        .values("young_person_id")
        .annotate(last=Max("held_on"))
        .values_list("young_person_id", "last")
    )
    return frozenset(
        person_id
        for person_id, last in last_held
        if deadlines.revises_plan(last_council_held=last, received=received)
    )


def _deadline_kind(person_id: int, writing: _Writing) -> DeadlineKind:
    if person_id in writing.revising:
        return DeadlineKind.PLAN_REVISION
    return DeadlineKind.NETWORK_COUNCIL


# --- PostgreSQL: COPY into a temporary table, then INSERT ... SELECT -------------------------

STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("cpr_index", "text"),
    ("cpr_encrypted", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("birth_date", "date"),
    ("in_target", "boolean"),
    ("incident_at", "timestamptz"),
    ("offence_id", "bigint"),
    ("attempt", "boolean"),
    ("offence_text", "text"),
    ("reference", "text"),
    ("description", "text"),
    ("needs_council", "boolean"),
)
# The staged rows joined to their young people (registered or found), and to their reports.
WITH_PERSON = "{stage} s JOIN {person} p ON p.municipality_id = %s AND p.cpr_index = s.cpr_index"
WITH_REPORT = (
    " JOIN {report} r ON r.municipality_id = %s AND r.police_reference = s.reference"
    " AND r.young_person_id = p.id"
)


class _PostgresStage:
    """The prepared rows, spooled to a local temporary file while they are checked, then (in
    the writing transaction) copied into a temporary table dropped at its commit.

    All the staging happens in the one transaction that writes, so the import is safe behind a
    pooler in transaction mode (PgBouncer), where two statements outside a transaction may run
    on different server sessions, and two imports never share a table."""

    def __init__(self) -> None:
        self.spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.rows = 0
        self.names = {
            "stage": STAGE_TABLE,
            "person": YoungPerson._meta.db_table,
            "report": PoliceReport._meta.db_table,
            "deadline": Deadline._meta.db_table,
        }

    def add(self, rows: list[StagedRow]) -> None:
        """Spool a chunk, the descriptions encrypted as the model would (`EncryptedTextField`):
        nothing readable about a child's offence is written to the local disk."""
        description = PoliceReport._meta.get_field("description")
        prepared = [
            tuple(
                row._replace(description=description.get_prep_value(row.description))
                if row.description
                else row
            )
            for row in rows
        ]
        pickle.dump(prepared, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.rows += len(rows)

    def _stage(self) -> None:
        """The temporary table and its rows (COPY), inside the caller's transaction."""
        columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
        names = ", ".join(name for name, _kind in STAGE_COLUMNS)
        self.spool.seek(0)
        with connection.cursor() as cursor:
            # One left by an earlier import in this transaction (savepoints, as in tests).
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_TABLE} ({columns}) ON COMMIT DROP")
            with cursor.copy(f"COPY {STAGE_TABLE} ({names}) FROM STDIN") as copy:
                while True:
                    try:
                        rows = pickle.load(self.spool)  # noqa: S301 - written by add()
                    except EOFError:
                        break
                    for row in rows:
                        copy.write_row(row)
            # Autovacuum never analyses a temporary table: without statistics the planner takes
            # it for a few rows and may join 100,000 of them in a nested loop.
            cursor.execute(f"ANALYZE {STAGE_TABLE}")

    def write(self, writing: _Writing, result: ImportReport) -> None:
        """New young people, then the reports that are not there yet (`ON CONFLICT DO NOTHING`
        also covers a concurrent import), then their deadlines: one statement each."""
        self._stage()
        batch = writing.batch
        municipality_id = batch.municipality_id
        with_person = WITH_PERSON.format(**self.names)
        with_report = with_person + WITH_REPORT.format(**self.names)
        with connection.cursor() as cursor:
            # Every statement below handles the whole list. The rows this transaction has just
            # written are not in the tables' statistics, so the planner may take the young
            # people or reports of a new municipality for one row and join 100,000 staged rows
            # to them in a nested loop (minutes instead of a second). Hash and merge joins are
            # right for every size here. The setting is put back after the last statement; if
            # one fails, the rollback (of the transaction or its savepoint) puts it back.
            cursor.execute("SET LOCAL enable_nestloop = off")
            columns, selects, params = _insert_columns(
                YoungPerson,
                {
                    "municipality": _Param(municipality_id),
                    "first_name": "s.first_name",
                    "last_name": "s.last_name",
                    "cpr_encrypted": "s.cpr_encrypted",
                    "cpr_index": "s.cpr_index",
                    "birth_date": "s.birth_date",
                },
            )
            _unprepared(
                cursor,
                f"INSERT INTO {self.names['person']} ({columns}) "  # noqa: S608 - model names
                f"SELECT DISTINCT ON (s.cpr_index) {selects} FROM {STAGE_TABLE} s "
                "WHERE s.cpr_encrypted <> '' ORDER BY s.cpr_index, s.row_no "
                "ON CONFLICT DO NOTHING",
                params,
            )
            result.persons_registered = cursor.rowcount
            columns, selects, params = _insert_columns(
                PoliceReport,
                {
                    "municipality": _Param(municipality_id),
                    "young_person": "p.id",
                    "incident_at": "s.incident_at",
                    "offence": "s.offence_id",
                    "offence_text": "s.offence_text",
                    "attempt": "s.attempt",
                    "police_reference": "s.reference",
                    "description": "s.description",
                    "received_on": _Param(writing.received),
                    "batch": _Param(batch.pk),
                    "created_by": _Param(batch.created_by_id),
                },
            )
            _unprepared(
                cursor,
                f"INSERT INTO {self.names['report']} ({columns}) "  # noqa: S608 - model names
                f"SELECT {selects} FROM {with_person} "
                "ORDER BY s.row_no ON CONFLICT DO NOTHING",
                [*params, municipality_id],
            )
            result.created = cursor.rowcount
            for kind, condition in (
                (DeadlineKind.PLAN_REVISION, "p.id = ANY(%s)"),
                (DeadlineKind.NETWORK_COUNCIL, "NOT p.id = ANY(%s)"),
            ):
                columns, selects, params = _insert_columns(
                    Deadline,
                    {
                        "municipality": _Param(municipality_id),
                        "kind": _Param(kind),
                        "young_person": "p.id",
                        "report": "r.id",
                        "starts_on": _Param(writing.received),
                        "due_on": _Param(writing.council_due),
                    },
                )
                _unprepared(
                    cursor,
                    f"INSERT INTO {self.names['deadline']} ({columns}) "  # noqa: S608
                    f"SELECT {selects} FROM {with_report} "
                    f"WHERE s.needs_council AND r.batch_id = %s AND {condition} "
                    "ORDER BY s.row_no",
                    [*params, municipality_id, municipality_id, batch.pk, list(writing.revising)],
                )
            _unprepared(
                cursor,
                "SELECT s.row_no, count(*) OVER (), "  # noqa: S608 - model names
                "count(*) FILTER (WHERE s.in_target) OVER () "
                f"FROM {STAGE_TABLE} s WHERE NOT EXISTS (SELECT 1 FROM {self.names['person']} p "
                "WHERE p.municipality_id = %s AND p.cpr_index = s.cpr_index) "
                "ORDER BY s.row_no LIMIT %s",
                [municipality_id, imports.MAX_REPORTED_ROWS],
            )
            outside = cursor.fetchall()
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        _check_everyone_found(outside[0][2] if outside else 0)
        result.outside_target = [row[0] for row in outside]
        result.outside_target_total = outside[0][1] if outside else 0
        result.duplicates = self.rows - result.outside_target_total - result.created

    def close(self) -> None:
        self.spool.close()  # the table went with the transaction


def _unprepared(cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """Run one of the import's statements over the stage table planned for this import's own
    rows, never as a prepared statement (`DATABASE_SERVER_SIDE_BINDING` prepares a statement a
    connection runs often, and a plan made for an earlier, smaller list could be reused)."""
    cursor.cursor.execute(sql, params, prepare=False)


class _Param:
    """A value given as a query parameter in `_insert_columns`."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _insert_columns(
    model: type[models.Model], values: dict[str, str | _Param]
) -> tuple[str, str, list[Any]]:
    """For an INSERT ... SELECT into `model`'s table: its columns, the select list and its
    parameters. Fields named in `values` get that SQL expression or parameter; every other
    column gets the model's default (or now, or NULL), as `Model.objects.create` would, so a
    field added later with a default does not break the import."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    selects: list[str] = []
    params: list[Any] = []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(quote(str(model_field.column)))
        value = values.get(model_field.name)
        if isinstance(value, str):
            selects.append(value)
            continue
        if isinstance(value, _Param):
            python_value = value.value
        elif getattr(model_field, "auto_now_add", False) or getattr(model_field, "auto_now", False):
            python_value = timezone.now()
        else:
            python_value = model_field.get_default()  # "" for text, None if it has none
        selects.append("%s")
        params.append(model_field.get_db_prep_save(python_value, connection))
    return ", ".join(columns), ", ".join(selects), params


def _check_everyone_found(in_target_without_person: int) -> None:
    """Every row in the target ages has its young person by now (found or registered). If not
    (a young person deleted between the checking and the writing), nothing is written."""
    if in_target_without_person:
        raise RuntimeError(
            f"{in_target_without_person} rows in the target ages have no young person"
        )


# --- Elsewhere (SQLite): a spool file, then bulk_create per chunk --------------------------


class _SpoolStage:
    """The prepared rows pickled to a temporary file, chunk by chunk (deleted when closed)."""

    def __init__(self) -> None:
        self.spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.persons: dict[str, int] = {}

    def add(self, rows: list[StagedRow]) -> None:
        pickle.dump([tuple(row) for row in rows], self.spool, protocol=pickle.HIGHEST_PROTOCOL)

    def _chunks(self) -> Iterator[list[StagedRow]]:
        self.spool.seek(0)
        while True:
            try:
                rows = pickle.load(self.spool)  # noqa: S301 - written above by this process
            except EOFError:
                return
            yield [StagedRow(*row) for row in rows]

    def write(self, writing: _Writing, result: ImportReport) -> None:
        for chunk in self._chunks():
            self._write_chunk(chunk, writing, result)

    def _write_chunk(self, chunk: list[StagedRow], writing: _Writing, result: ImportReport) -> None:
        batch = writing.batch
        municipality_id = batch.municipality_id
        persons = self.persons
        unknown = {row.cpr_index for row in chunk} - persons.keys()
        persons.update(
            YoungPerson.objects.filter(
                municipality_id=municipality_id, cpr_index__in=unknown
            ).values_list("cpr_index", "pk")
        )
        new_people = [
            YoungPerson(
                municipality_id=municipality_id,
                first_name=row.first_name,
                last_name=row.last_name,
                cpr_encrypted=row.cpr_encrypted,
                cpr_index=row.cpr_index,
                birth_date=row.birth_date,
            )
            for row in chunk
            if row.cpr_encrypted and row.cpr_index not in persons
        ]
        YoungPerson.objects.bulk_create(new_people)
        persons.update((person.cpr_index, person.pk) for person in new_people)
        result.persons_registered += len(new_people)
        outside = [row for row in chunk if row.cpr_index not in persons]
        _check_everyone_found(sum(1 for row in outside if row.in_target))
        result.outside_target_total += len(outside)
        room = imports.MAX_REPORTED_ROWS - len(result.outside_target)
        result.outside_target.extend(row.number for row in outside[: max(room, 0)])
        known = [row for row in chunk if row.cpr_index in persons]
        existing = set(
            PoliceReport.objects.filter(
                municipality_id=municipality_id,
                young_person_id__in={persons[row.cpr_index] for row in known},
                police_reference__in={row.reference for row in known},
            ).values_list("young_person_id", "police_reference")
        )
        new_rows = [row for row in known if (persons[row.cpr_index], row.reference) not in existing]
        reports = PoliceReport.objects.bulk_create(
            PoliceReport(
                municipality_id=municipality_id,
                young_person_id=persons[row.cpr_index],
                incident_at=row.incident_at,
                offence_id=row.offence_id,
                offence_text=row.offence_text,
                attempt=row.attempt,
                police_reference=row.reference,
                description=row.description,
                received_on=writing.received,
                batch=batch,
                created_by_id=batch.created_by_id,
            )
            for row in new_rows
        )
        result.created += len(reports)
        result.duplicates += len(known) - len(reports)
        Deadline.objects.bulk_create(
            Deadline(
                municipality_id=municipality_id,
                kind=_deadline_kind(report.young_person_id, writing),
                young_person_id=report.young_person_id,
                report=report,
                starts_on=writing.received,
                due_on=writing.council_due,
            )
            for row, report in zip(new_rows, reports, strict=True)
            if row.needs_council
        )

    def close(self) -> None:
        self.spool.close()
