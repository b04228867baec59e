"""The demo database as the test run first seeded it, put back after a flush.

Browser tests and the other transactional tests end with a flush of the whole database
(pytest-django), so the next test that needs the demo has to bring it back. Seeding it again runs
every service the demo goes through (about 4 s, and some 80 times a run). On PostgreSQL the first
seeding is therefore copied table by table (`COPY ... TO STDOUT` in binary) and written back
with `COPY ... FROM STDIN` in one transaction: the same rows, ids, audit chain and sequence
positions as that first seeding. The append-only triggers of the audit tables are off for that
transaction only (ALTER TABLE holds its lock until the commit, so no other session sees them
off). Elsewhere (SQLite) the demo is seeded again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from ssp.demo import seed_all
from ssp.organisation.demo import demo_exists


@dataclass(frozen=True)
class Snapshot:
    tables: tuple[tuple[str, bytes], ...]  # table, its rows in COPY's binary format
    sequences: tuple[tuple[str, int, bool], ...]  # sequence, last value, is_called
    triggered: tuple[str, ...]  # tables with triggers of their own (the audit trail's)


_snapshot: Snapshot | None = None


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def take() -> Snapshot | None:
    """Copy what the database holds now (the seeded demo); None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    tables = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            rows = bytearray()
            with cursor.copy(f"COPY {_quote(table)} TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    rows += block
            tables.append((table, bytes(rows)))
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
        )
        sequences = tuple((name, last or 1, last is not None) for name, last in cursor.fetchall())
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggered = tuple(sorted(name for (name,) in cursor.fetchall()))
    return Snapshot(tuple(tables), sequences, triggered)


def restore(snapshot: Snapshot) -> None:
    """Empty the snapshot's tables and write its rows and sequence positions back."""
    names = ", ".join(_quote(table) for table, _rows in snapshot.tables)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.triggered:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(f"TRUNCATE {names}")
        for table, rows in snapshot.tables:
            if rows:
                with cursor.copy(f"COPY {_quote(table)} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(rows)
        # The foreign keys are checked now: a table with checks pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in snapshot.triggered:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for sequence, last, is_called in snapshot.sequences:
            cursor.execute("SELECT setval(%s::regclass, %s, %s)", [sequence, last, is_called])
    # The flush's post_migrate made content types with other ids; the cache may hold those.
    ContentType.objects.clear_cache()


def remember_demo() -> None:
    """Seed the demo unless the database holds it, and keep a copy to restore it from."""
    global _snapshot
    if not demo_exists():
        seed_all()
    _snapshot = take()


def ensure_demo() -> None:
    """The demo as first seeded: restored from the copy where there is one, else seeded."""
    if demo_exists():
        return
    if _snapshot is not None:
        restore(_snapshot)
    else:
        seed_all()
