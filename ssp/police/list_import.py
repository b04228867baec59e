"""R5: a police list imported in bulk (issue 11: 100,000 rows in seconds, in little memory).

All or nothing: every row is read, checked and prepared as a stream (the file is never held
whole, nor a list of its rows); if any row fails, nothing is written and the report names the
first failing rows and counts them all.

- The offence catalogue is read once; each young person's CPR number is encrypted once, on the
  person's first row; descriptions are encrypted as the model would.
- On PostgreSQL the rows are written while they are checked, chunk by chunk, in one
  transaction that the first failing row rolls back at once (the rest of the file is then only
  checked, outside it) (`_PostgresWriter`): two statements a chunk, sent in psycopg's pipeline
  mode so that the database writes one chunk while the next is checked.
  The young people not registered yet, then the reports that are not there yet and the
  deadlines of the new serious ones (`ON CONFLICT DO NOTHING` keeps a concurrent import or
  registration from failing this one).
- Elsewhere (SQLite) the prepared rows are spooled to a local temporary file while they are
  checked, then written with `bulk_create` per chunk in one transaction.
- Statutory deadlines are computed in Python (`deadlines.py`): the due date for the list, and
  which reports need a network council or a plan revision.
- One audit event for the import, with counts only, written last (chained after commit,
  `ssp/audit/services.py`).

The job page's progress is the number of rows checked, updated once per chunk.
"""

from __future__ import annotations

import pickle  # noqa: S403 - our own temporary spool, written and read by this process
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import IO, Any, NamedTuple, Protocol

import psycopg
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
from ssp.crypto import blind_indexer, encryptor
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
    the first row in the file of a young person in the target ages (the one the person is
    registered from, if not registered yet); on other rows it is empty."""

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
        self.encrypt = encryptor()
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
        """The CPR number of each young person in the target ages is encrypted once, on the
        person's first row in the file (the one the person would be registered from). Whether
        the person is registered already is left to the writing, which adds only those who are
        not: looking it up here would make the writing wait for every chunk."""
        rows: list[StagedRow] = []
        for staged, cpr in chunk:
            key = _key(staged.cpr_index)
            if key not in self.decided:
                self.decided.add(key)
                if staged.in_target:
                    staged = staged._replace(cpr_encrypted=self.encrypt(cpr))
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
    """Where checked chunks go: written as they come (PostgreSQL) or spooled and written at
    the end (SQLite)."""

    def add(self, rows: list[StagedRow]) -> None: ...

    def write(self, writing: _Writing, result: ImportReport) -> None: ...


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
    or a seekable binary file. `progress` is told how many rows are checked, once per chunk;
    on PostgreSQL it is called inside the import's transaction, so it must write on a
    connection of its own to be seen before the commit (`import_jobs` does).
    """
    actor = access.get_actor(actor_user)
    if not police_access.can_import_police_list(actor):
        raise DomainError(_("Kun SSP-medarbejdere gennemgår politiets lister."))
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    stream = imports.binary(content)
    batch = ImportBatch(
        municipality=municipality,
        kind=ImportKind.POLICE,
        filename=filename[:255],
        sha256=imports.sha256_of(stream),
        created_by=actor_user,
    )
    from ssp.police.services import load_offences  # services re-exports this module

    preparer = _Preparer(municipality, load_offences(municipality))
    received = received_on or timezone.localdate()
    result = ImportReport()
    rows = _numbered_rows(filename, stream)
    try:
        if connection.vendor == "postgresql":
            # Checked and written together, in one transaction, rolled back at a failing row.
            with transaction.atomic():
                writing = _writing(batch, received)
                with _PostgresWriter(writing) as writer:
                    batch.rows = _check_and_stage(preparer, rows, writer, result, progress)
                    writer.write(writing, result)
                _close_batch(batch, result, actor_user)
        else:
            # Elsewhere (SQLite) every row is checked first, outside any transaction.
            with _SpoolStage() as spool:
                batch.rows = _check_and_stage(preparer, rows, spool, result, progress)
                with transaction.atomic():
                    writing = _writing(batch, received)
                    spool.write(writing, result)
                    _close_batch(batch, result, actor_user)
    except _RowFailed as failed:
        # Nothing is written (the transaction is rolled back, its locks released); the rest of
        # the file is only checked, so that the report names every failing row.
        _check_the_rest(rows, result, progress, failed.count)
    return result


def _writing(batch: ImportBatch, received: date) -> _Writing:
    """Saves the batch (inside the writing transaction) and reads what the writing needs."""
    batch.save()
    council_days = configuration.network_council_days(batch.municipality)
    return _Writing(
        batch=batch,
        received=received,
        council_due=deadlines.due_date(received, council_days),
        revising=_revising(batch.municipality, received),
    )


def _close_batch(batch: ImportBatch, result: ImportReport, actor_user: User) -> None:
    """The batch's counts, and one audit event for the import with counts only (chained after
    the commit, `ssp/audit/services.py`)."""
    batch.created = result.created
    batch.skipped = result.duplicates + result.outside_target_total
    batch.save(update_fields=["rows", "created", "skipped"])
    result.batch_id = batch.pk
    record_event(
        actor=actor_user,
        action=AuditAction.POLICE_LIST_IMPORTED,
        obj=batch,
        municipality_id=batch.municipality_id,
        data={
            "created": result.created,
            "duplicates": result.duplicates,
            "outside_target": result.outside_target_total,
            "young_people_registered": result.persons_registered,
        },
    )


class _RowFailed(Exception):
    """A row of the list failed its checks: nothing is written."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


NumberedRows = Iterator[tuple[int, dict[str, Any], list[str]]]


def _numbered_rows(filename: str, stream: IO[bytes]) -> NumberedRows:
    """The list's rows as `imports.police_rows` checks them, counted from 1; a file that cannot
    be read is the user's error (`DomainError`)."""
    try:
        for count, (row, problems) in enumerate(imports.police_rows(filename, stream), start=1):
            yield count, row, problems
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc


def _check_and_stage(
    preparer: _Preparer,
    rows: NumberedRows,
    stage: _Stage,
    result: ImportReport,
    progress: ProgressCallback | None,
) -> int:
    """The rows checked, prepared and handed to the stage chunk by chunk; returns their number.
    At the first failing row (added to `result`) it raises `_RowFailed`."""
    chunk: list[tuple[StagedRow, str]] = []
    count = 0
    for count, row, problems in rows:
        if problems:
            result.add_error(row["row"], problems)
            raise _RowFailed(count)
        chunk.append(preparer.prepare(row))
        if len(chunk) >= CHUNK_ROWS:
            stage.add(preparer.finish(chunk))
            chunk.clear()
        if progress is not None and count % CHUNK_ROWS == 0:
            progress(count)
    if chunk:
        stage.add(preparer.finish(chunk))
    if progress is not None:
        progress(count)
    return count


def _check_the_rest(
    rows: NumberedRows, result: ImportReport, progress: ProgressCallback | None, count: int
) -> None:
    """After a failing row: the remaining rows are only checked, their problems added."""
    for count, row, problems in rows:  # the count goes on from the failing row
        if problems:
            result.add_error(row["row"], problems)
        if progress is not None and count % CHUNK_ROWS == 0:
            progress(count)
    if progress is not None:
        progress(count)


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


# --- PostgreSQL: each chunk written while the next is checked ---------------------------------

# The chunk's young people, registered before or just now, joined to its rows: the reports
# that are not there yet (`ON CONFLICT DO NOTHING` also covers a concurrent import), the
# deadlines of the new ones, and the rows without a young person (outside the target ages).
CHUNK_SQL = """
WITH s AS MATERIALIZED (
    SELECT * FROM unnest({arrays}) AS s({names})
), p AS MATERIALIZED (
    SELECT id, cpr_index FROM {person} WHERE municipality_id = %s AND cpr_index = ANY(%b::text[])
), r AS (
    INSERT INTO {report} ({report_columns})
    SELECT {report_selects} FROM s JOIN p ON p.cpr_index = s.cpr_index
    ORDER BY s.row_no ON CONFLICT DO NOTHING
    RETURNING id, young_person_id, police_reference
), d AS (
    INSERT INTO {deadline} ({deadline_columns})
    SELECT {deadline_selects} FROM r JOIN p ON p.id = r.young_person_id
    JOIN s ON s.cpr_index = p.cpr_index AND s.reference = r.police_reference
    WHERE s.needs_council
    RETURNING 1
)
SELECT (SELECT count(*) FROM r), count(*), count(*) FILTER (WHERE s.in_target),
    (array_agg(s.row_no ORDER BY s.row_no))[1:%s]
FROM s WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.cpr_index = s.cpr_index)
"""
CHUNK_COLUMNS = (
    ("row_no", "integer"),
    ("cpr_index", "text"),
    ("incident_at", "timestamptz"),
    ("offence_id", "bigint"),
    ("attempt", "boolean"),
    ("offence_text", "text"),
    ("reference", "text"),
    ("description", "text"),
    ("needs_council", "boolean"),
    ("in_target", "boolean"),
)
# The first key of the transaction-level advisory lock an import of a municipality's police
# list holds (the second is the municipality's id); no other lock of this project uses it.
IMPORT_LOCK_CLASS = 0x5F5F_0001
# Chunks sent and not read yet, at most: enough to keep the database busy while this process
# waits for it, few enough to keep their parameters (freed as they are read) to a few MB.
CHUNKS_IN_FLIGHT = 4
PERSON_SQL = (
    "INSERT INTO {person} ({columns}) SELECT {selects} FROM unnest({arrays}) AS s({names}) "
    "ON CONFLICT DO NOTHING"
)
PERSON_COLUMNS = (
    ("cpr_index", "text"),
    ("cpr_encrypted", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("birth_date", "date"),
)


class _PostgresWriter:
    """Writes each checked chunk while the next one is read and checked: the statements are
    sent in psycopg's pipeline mode, which does not wait for their results, so the database
    works on one chunk while this process checks the next (at 100,000 rows the database's part
    is about 7 s of processor time, this process's about 4 s). Two statements a chunk: the new
    young people, then one statement for the reports, their deadlines and the rows left out.
    Their results are read when `CHUNKS_IN_FLIGHT` chunks wait, and at the end.

    The writing runs in the import's one transaction, so a failing row still rolls all of it
    back. Meanwhile the foreign keys are checked statement by statement (`SET CONSTRAINTS ALL
    IMMEDIATE`), with the chunk, instead of all at the commit, after the last row; and nested
    loops are off: the young people this transaction has just written are not in the planner's
    statistics, and a nested loop over a chunk taken for one row would compare every row with
    every other. Both settings are put back in `write`; if a statement fails, the rollback
    (of the transaction or its savepoint) puts them back."""

    def __init__(self, writing: _Writing) -> None:
        self.writing = writing
        self.municipality_id = writing.batch.municipality_id
        self.rows = 0
        # The statements sent and not read yet, and what those read did.
        self.pending: list[tuple[str, Any]] = []
        self.persons_registered = 0
        self.created = 0
        self.outside = 0
        self.outside_in_target = 0
        self.outside_numbers: list[int] = []
        self.encrypt = encryptor()
        self.stack = ExitStack()
        self._build_statements()

    def _build_statements(self) -> None:
        batch = self.writing.batch
        names = {
            "person": YoungPerson._meta.db_table,
            "report": PoliceReport._meta.db_table,
            "deadline": Deadline._meta.db_table,
        }
        columns, selects, self.person_params = _insert_columns(
            YoungPerson,
            {
                "municipality": _Param(self.municipality_id),
                **{name: f"s.{name}" for name, _kind in PERSON_COLUMNS},
            },
        )
        self.person_sql = PERSON_SQL.format(
            person=names["person"],
            columns=columns,
            selects=selects,
            arrays=_arrays(PERSON_COLUMNS),
            names=", ".join(name for name, _kind in PERSON_COLUMNS),
        )
        report_columns, report_selects, report_params = _insert_columns(
            PoliceReport,
            {
                "municipality": _Param(self.municipality_id),
                "young_person": "p.id",
                "incident_at": "s.incident_at",
                "offence": "s.offence_id",
                "offence_text": "s.offence_text",
                "attempt": "s.attempt",
                "police_reference": "s.reference",
                "description": "s.description",
                "received_on": _Param(self.writing.received),
                "batch": _Param(batch.pk),
                "created_by": _Param(batch.created_by_id),
            },
        )
        deadline_columns, deadline_selects, deadline_params = _insert_columns(
            Deadline,
            {
                "municipality": _Param(self.municipality_id),
                "kind": _Expression(
                    "CASE WHEN r.young_person_id = ANY(%s::bigint[]) THEN %s ELSE %s END",
                    [
                        sorted(self.writing.revising),
                        str(DeadlineKind.PLAN_REVISION),
                        str(DeadlineKind.NETWORK_COUNCIL),
                    ],
                ),
                "young_person": "r.young_person_id",
                "report": "r.id",
                "starts_on": _Param(self.writing.received),
                "due_on": _Param(self.writing.council_due),
            },
        )
        self.chunk_sql = CHUNK_SQL.format(
            arrays=_arrays(CHUNK_COLUMNS),
            names=", ".join(name for name, _kind in CHUNK_COLUMNS),
            report_columns=report_columns,
            report_selects=report_selects,
            deadline_columns=deadline_columns,
            deadline_selects=deadline_selects,
            **names,
        )
        # The parameters after the chunk's arrays and its young people, in the text's order.
        self.chunk_params = [*report_params, *deadline_params, imports.MAX_REPORTED_ROWS]

    def __enter__(self) -> _PostgresWriter:
        with connection.cursor() as cursor:
            # Two lists of one municipality take their turn: written chunk by chunk, two lists
            # naming the same new young people in different orders would each wait for the
            # other's (a deadlock). Released at the end of the transaction.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_CLASS, self.municipality_id]
            )
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.pg = connection.connection
        self.pipeline = self.stack.enter_context(self.pg.pipeline())
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.stack.__exit__(*exc_info)  # leaves the pipeline (if `write` has not)
        finally:
            for _kind, cursor in self.pending:
                cursor.close()
            self.pending.clear()

    def _send(self, kind: str, sql: str, params: Sequence[Any]) -> None:
        """Send one statement without waiting for it. The values are bound on the server, also
        with `DATABASE_SERVER_SIDE_BINDING` off: never written into the statement's text, which
        PostgreSQL logs with an error (children's names, a chunk of them). Never a prepared
        statement (a plan made for one chunk's values is not right for all)."""
        cursor = psycopg.Cursor(self.pg)
        self.pending.append((kind, cursor))
        cursor.execute(sql, params, prepare=False)

    def _collect(self) -> None:
        """Wait for the statements sent and read what they did; their parameters are freed
        with them."""
        self.pipeline.sync()
        for kind, cursor in self.pending:
            if kind == "people":
                self.persons_registered += cursor.rowcount
            else:
                created, outside, outside_in_target, numbers = cursor.fetchone()
                self.created += created
                self.outside += outside
                self.outside_in_target += outside_in_target
                room = imports.MAX_REPORTED_ROWS - len(self.outside_numbers)
                self.outside_numbers.extend((numbers or [])[: max(room, 0)])
            cursor.close()
        self.pending.clear()

    def add(self, rows: list[StagedRow]) -> None:
        """Send a chunk; first wait for those in flight if there are `CHUNKS_IN_FLIGHT`. The
        descriptions are encrypted as `EncryptedTextField` would (`crypto.encrypt`)."""
        if not rows:
            return
        self.rows += len(rows)
        # PERSON_COLUMNS are named as the staged row's fields.
        new_people = [row for row in rows if row.cpr_encrypted]
        people_arrays = [[getattr(row, name) for row in new_people] for name, _ in PERSON_COLUMNS]
        columns = [
            [row.number for row in rows],
            [row.cpr_index for row in rows],
            [row.incident_at for row in rows],
            [row.offence_id for row in rows],
            [row.attempt for row in rows],
            [row.offence_text for row in rows],
            [row.reference for row in rows],
            [self.encrypt(row.description) if row.description else "" for row in rows],
            [row.needs_council for row in rows],
            [row.in_target for row in rows],
        ]
        people = sorted({row.cpr_index for row in rows})
        if sum(kind == "chunk" for kind, _cursor in self.pending) >= CHUNKS_IN_FLIGHT:
            self._collect()
        if new_people:
            self._send("people", self.person_sql, [*self.person_params, *people_arrays])
        self._send(
            "chunk", self.chunk_sql, [*columns, self.municipality_id, people, *self.chunk_params]
        )

    def write(self, writing: _Writing, result: ImportReport) -> None:
        """Wait for the last chunk and read what the chunks did."""
        self._collect()
        self.stack.close()  # leaves the pipeline
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        _check_everyone_found(self.outside_in_target)
        result.persons_registered = self.persons_registered
        result.created = self.created
        result.outside_target = self.outside_numbers
        result.outside_target_total = self.outside
        result.duplicates = self.rows - self.outside - self.created


def _arrays(columns: Sequence[tuple[str, str]]) -> str:
    """`unnest`'s arguments: one array parameter per column, of the column's type."""
    return ", ".join(f"%b::{kind}[]" for _name, kind in columns)


class _Expression:
    """An SQL expression with its parameters, in `_insert_columns`."""

    def __init__(self, sql: str, params: list[Any]) -> None:
        self.sql = sql
        self.params = params


class _Param:
    """A value given as a query parameter in `_insert_columns`."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _insert_columns(
    model: type[models.Model], values: dict[str, str | _Param | _Expression]
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
        if isinstance(value, _Expression):
            selects.append(value.sql)
            params.extend(value.params)
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
        self.spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed on exit
        self.persons: dict[str, int] = {}

    def __enter__(self) -> _SpoolStage:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.spool.close()

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
