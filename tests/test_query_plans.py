"""The main list queries are served by indexes, not by reading whole tables (issue 11).

Each page (and the police selectors behind the deadline board and the weekly review) is run
with every SELECT it sends recorded; then each recorded statement is explained:

- on PostgreSQL with `EXPLAIN (FORMAT JSON)` under `SET LOCAL enable_seqscan = off` in a
  transaction: PostgreSQL then scans a table sequentially only where no index can serve the
  query at all (on CI's small tables it would otherwise scan anyway), so a `Seq Scan` node on a
  large table is a missing index or a query shape no index fits;
- on SQLite with `EXPLAIN QUERY PLAN`: a `SCAN <table>` without `USING ... INDEX` on a large
  table is the same finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client

from ssp.access import get_actor
from ssp.cases.models import ActionAgreement, Case, Concern, Task, YoungPerson
from ssp.meetings.models import AgendaItem, Meeting, MeetingTask
from ssp.organisation.models import Forum, Member, Membership, Municipality
from ssp.police import selectors as police_selectors
from ssp.police.models import Deadline, PoliceReport

pytestmark = pytest.mark.django_db

LARGE_MODELS: tuple[type[Model], ...] = (
    Case,
    Concern,
    Task,
    ActionAgreement,
    YoungPerson,
    PoliceReport,
    Deadline,
    Meeting,
    AgendaItem,
    MeetingTask,
    Member,
    Membership,
    Forum,
)
LARGE_TABLES = frozenset(model._meta.db_table for model in LARGE_MODELS)

# (role, url): the list pages of issue 11 that must stay fast at scale.
PAGES: tuple[tuple[str, str], ...] = (
    ("koordinator", "/"),
    ("socialraadgiver", "/"),
    ("laerer", "/"),
    ("koordinator", "/sager/"),
    ("koordinator", "/sager/?status=closed"),
    ("koordinator", "/sager/?status=all&side=2"),
    ("socialraadgiver", "/sager/"),
    ("koordinator", "/bekymringer/"),
    ("koordinator", "/bekymringer/?status=new"),
    ("socialraadgiver", "/bekymringer/"),
    ("laerer", "/bekymringer/"),
    ("koordinator", "/moeder/"),
    ("koordinator", "/moeder/?aar=2025"),
    ("socialraadgiver", "/moeder/"),
    ("koordinator", "/organisation/aadal/"),
    ("koordinator", "/organisation/aadal/fora/?niveau=operational"),
    ("koordinator", "/organisation/fora/mine/"),
)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Sequence[Any] | None


@contextmanager
def recorded_selects() -> Iterator[list[Statement]]:
    """Every SELECT sent to the database inside the block, with its parameters."""
    statements: list[Statement] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many and sql.lstrip().upper().startswith("SELECT"):
            statements.append(Statement(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def _postgres_seq_scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE_TABLES:
        yield str(plan["Relation Name"])
    for child in plan.get("Plans", []):
        yield from _postgres_seq_scans(child)


# Django names the tables of subqueries by alias: `FROM "cases_case" U0`.
ALIAS = re.compile(r'"(\w+)"\s+(?:AS\s+)?"?([A-Z]\d+)"?(?=[\s,)])')
SQLITE_SCAN = re.compile(r"^SCAN (\w+)")


def _sqlite_full_scans(sql: str, rows: list[tuple[Any, ...]]) -> Iterator[str]:
    aliases = {alias: table for table, alias in ALIAS.findall(sql)}
    for row in rows:
        detail = str(row[-1])
        match = SQLITE_SCAN.match(detail)
        if match is None or "INDEX" in detail or "PRIMARY KEY" in detail:
            continue
        table = aliases.get(match.group(1), match.group(1))
        if table in LARGE_TABLES:
            yield table


def full_scans(statements: list[Statement]) -> list[tuple[str, str]]:
    """(table, statement) for every large table a statement would read from end to end."""
    found: list[tuple[str, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        for statement in statements:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement.sql, statement.params)
                document = cursor.fetchone()[0]
                plan = json.loads(document) if isinstance(document, str) else document
                tables = list(_postgres_seq_scans(plan[0]["Plan"]))
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.params)
                tables = list(_sqlite_full_scans(statement.sql, cursor.fetchall()))
            found.extend((table, statement.sql) for table in tables)
    return found


def test_it_finds_a_full_scan_where_no_index_serves_the_query(demo: Municipality) -> None:
    """The check itself: a filter on an unindexed column reads the whole table."""
    with recorded_selects() as statements:
        list(Concern.objects.filter(place="Torvet"))
    assert [table for table, _sql in full_scans(statements)] == [Concern._meta.db_table]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_the_list_pages_read_large_tables_through_indexes(
    demo: Municipality, client_for: Callable[[str], Client], role: str, url: str
) -> None:
    client = client_for(role)
    with recorded_selects() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert any(table in statement.sql for statement in statements for table in LARGE_TABLES), (
        "the page read none of the large tables: the check would check nothing"
    )
    assert full_scans(statements) == []


@pytest.mark.parametrize("role", ["koordinator", "socialraadgiver", "politi"])
def test_the_police_lists_read_large_tables_through_indexes(
    demo: Municipality, users: dict[str, User], role: str
) -> None:
    """The deadline board and the weekly review's queue, as `ssp.police.selectors` builds them."""
    actor = get_actor(users[role])
    with recorded_selects() as statements:
        police_selectors.deadline_board(actor)
        police_selectors.review_queue(actor)
        list(police_selectors.recently_routed(actor))
    assert statements
    assert full_scans(statements) == []
