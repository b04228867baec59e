"""Benchmark of the main pages and API endpoints at a named scale.

    .venv/bin/python bench/run.py --scale small|medium|large [--database-url URL]
    DATABASE_URL=postgres://... .venv/bin/python bench/run.py --scale copenhagen10
        [--only NAME] [--repeat N] [--regenerate] [--compare-queries] [--import-rows N]

`small`, `medium` and `large` build synthetic organisations (many municipalities, fora and
members) in a fresh SQLite file under var/bench/ (unless --database-url is given).

`copenhagen10` (issue 11) fills the demo municipality with ten times Copenhagen's volume on
PostgreSQL (`bench/generate.py`; generated once, a marker makes later runs skip it) and
measures each page as koordinator, socialraadgiver and laerer: p50/p95 server time, queries
and HTML size; the ratio of the case list and deadline board to the hand-written SQL in
`bench/sql/`; and the police-list import (rows/s, peak memory, another user's page meanwhile,
`bench/police_import.py`). `--compare-queries` measures the same pages on the `demo` profile (the
same shape in miniature, a fresh SQLite database, in a subprocess) and prints both query counts.

Requests go through Django's test client with DEBUG off and production settings (the keys are
fixed here so that the data written by one run can be read by the next). The summary is printed
as a markdown table and written to var/bench/<scale>.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OLD_SCALES = {
    # municipalities, fora per municipality, members per forum, cases in the demo municipality
    "small": (2, 10, 5, 20),
    "medium": (10, 40, 10, 100),
    "large": (50, 100, 20, 400),
}
PROFILE_SCALES = ("copenhagen10", "demo")
ROLES = ("koordinator", "socialraadgiver", "laerer")
# The development key of ssp/settings.py: the field key the demo's data is encrypted with.
FIELD_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105


def production_environment(database_url: str) -> dict[str, str]:
    """Settings as in production (DEBUG off), with fixed keys so the data stays readable."""
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + hashlib.sha256(b"ssp-bench").hexdigest(),
        "SSP_FIELD_KEY": FIELD_KEY,
        "SSP_AUDIT_KEY": hashlib.sha256(f"ssp-audit-key:{FIELD_KEY}".encode()).hexdigest(),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "ssp.settings",
    }


@dataclass
class SqlComparison:
    page: str
    hand_written: float  # p50 ms
    rows: float  # p50 ms of the page's statements for the same rows
    statements: int
    count: float  # p50 ms of the page's count for its pagination
    page_p50: float


@dataclass
class Result:
    page: str
    role: str
    status: int = 0
    p50: float = 0.0
    p95: float = 0.0
    queries: int = 0
    kb: float = 0.0
    samples: int = 0
    error: str = ""


@dataclass
class Report:
    scale: str
    database: str
    results: list[Result] = field(default_factory=list)
    sql: list[SqlComparison] = field(default_factory=list)
    compare: dict[str, int] = field(default_factory=dict)  # "page|role" -> queries at demo
    import_lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # `reference_loop_ms()` on this machine when the run began (see there).
    reference_ms: float = 0.0


REFERENCE_LOOP = 5_000_000


def reference_loop_ms() -> float:
    """A fixed piece of pure Python (5 million additions), best of three, in ms: the speed of
    this machine's CPU as the pages see it. The same code measured on two days differs by what
    this figure differs by (a 2-core VM is not always the same machine), so figures from
    different runs are compared together with it."""
    best = math.inf
    for _ in range(3):
        begin = time.perf_counter()
        total = 0
        for number in range(REFERENCE_LOOP):
            total += number
        best = min(best, time.perf_counter() - begin)
    return best * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=[*OLD_SCALES, *PROFILE_SCALES], default="small")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and role")
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds per page and role after which repetition stops (at least 3 samples)",
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--compare-queries", action="store_true")
    parser.add_argument(
        "--compare-database-url", default="", help="for --compare-queries (default: SQLite)"
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--json-out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or (
        os.environ.get("DATABASE_URL", "") if args.scale == "copenhagen10" else ""
    )
    if args.scale == "copenhagen10" and not database_url.startswith(("postgres", "postgis")):
        sys.exit(
            "copenhagen10 runs on PostgreSQL only: set DATABASE_URL (or --database-url) to a "
            "PostgreSQL database of its own, e.g.\n"
            "  make bench SCALE=copenhagen10 DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "ssp_bench\n(SQLite would take hours to fill and says nothing about production.)"
        )
    if not database_url:
        db_file = bench_dir / f"{args.scale}.sqlite3"
        if db_file.exists():
            db_file.unlink()
        database_url = f"sqlite:///{db_file}"
    elif args.regenerate:
        recreate_database(database_url)
    os.environ.update(production_environment(database_url))

    import django

    django.setup()
    # A refused page (403) is part of the result, not a warning with a traceback; the static
    # files are not collected for the benchmark (pages are measured, not assets).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from ssp.demo import seed_all
    from ssp.organisation.demo import demo_exists

    if not demo_exists():
        print("seeding the demo ...", flush=True)
        seed_all()
    report = Report(scale=args.scale, database=connection.vendor, reference_ms=reference_loop_ms())
    print(f"reference loop: {report.reference_ms:.0f} ms (machine speed, see reference_loop_ms)")
    if args.scale in PROFILE_SCALES:
        from bench import generate

        marker = generate.read_marker(args.scale)
        if marker is None:
            print(f"generating {args.scale} ...", flush=True)
            marker = generate.generate(args.scale)
            print(f"generated in {marker.seconds:.0f} s", flush=True)
        else:
            print(f"{args.scale} data present (generated {marker.generated_at}); reusing it")
        case_id, meeting_id = marker.case_id, marker.meeting_id
    else:
        municipalities, fora, members, cases = OLD_SCALES[args.scale]
        generate_organisations(municipalities, fora, members)
        generate_cases(cases)
        case_id, meeting_id = first_case_id(), largest_meeting_id()

    targets = page_targets(case_id, meeting_id)
    only = args.only.lower()
    chosen = [(name, url) for name, url in targets if only in name.lower()]
    roles = [role for role in args.roles.split(",") if role]
    print(f"scale={args.scale} database={connection.vendor} repeat={args.repeat}", flush=True)
    measure_pages(report, chosen, roles, args.repeat, args.budget)

    if args.scale == "copenhagen10" and connection.vendor == "postgresql":
        for page, sql_file in (
            ("case list", "case_list.sql"),
            ("deadline board", "deadline_board.sql"),
        ):
            if only in page:
                sql_ratio(report, page, sql_file, database_url)
        if only in "police import":
            from bench import police_import

            report.import_lines = police_import.measure(
                rows=args.import_rows, database_url=database_url, environment=dict(os.environ)
            )
    if args.compare_queries:
        compare_queries(report, args.only, args.compare_database_url)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps([asdict(r) for r in report.results]))
        return
    text = markdown(report)
    print()
    print(text)
    # A partial run (--only) does not overwrite the full run's summary.
    suffix = "-" + "".join(c if c.isalnum() else "-" for c in only) if only else ""
    out = bench_dir / f"{args.scale}{suffix}.md"
    out.write_text(text, encoding="utf-8")
    print(f"(written to {out.relative_to(ROOT)})")


def recreate_database(database_url: str) -> None:
    """--regenerate: drop and create the PostgreSQL database (the audit trail refuses to be
    emptied any other way), so that migrate, the demo and the generator start afresh."""
    import psycopg
    from psycopg import sql

    name = str(psycopg.conninfo.conninfo_to_dict(database_url)["dbname"])
    print(f"dropping and creating database {name} ...", flush=True)
    maintenance = psycopg.conninfo.make_conninfo(database_url, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def page_targets(case_id: int, meeting_id: int) -> list[tuple[str, str]]:
    from django.utils import timezone

    from ssp.organisation.models import Forum
    from ssp.reports.models import AnnualReport

    forum = Forum.objects.get(municipality__slug="aadal", key="koordinationsgruppe")
    # The annual report of the year so far, a draft: its page builds every figure live (issue 13).
    year = timezone.localdate().year
    AnnualReport.objects.get_or_create(municipality=forum.municipality, year=year)
    return [
        ("start page", "/"),
        ("case list", "/sager/"),
        ("case page", f"/sager/{case_id}/"),
        ("agenda", f"/moeder/{meeting_id}/"),
        ("deadline board", "/frister/"),
        ("weekly review", "/politi/"),
        ("concern list", "/bekymringer/"),
        ("meeting list", "/moeder/"),
        ("organisation chart", "/organisation/aadal/"),
        ("forum page", f"/organisation/fora/{forum.pk}/"),
        ("whom do I contact", "/organisation/aadal/kontakt/"),
        ("district contacts", "/organisation/aadal/kontakt/distrikt/oest/"),
        ("API fora", "/api/v1/organisation/municipalities/aadal/fora"),
        ("API forum", f"/api/v1/organisation/fora/{forum.pk}"),
        ("API cases", "/api/v1/cases/cases"),
        ("annual report (live figures)", f"/rapporter/{year}/"),
        ("steering-group dashboard", "/rapporter/oversigt/"),
        ("effect measurement", "/rapporter/effekt/"),
        ("evaluations", "/rapporter/evalueringer/"),
        # Issue 16: the configuration pages, the SSP guide, the public tip form and the police
        # reports' list (for corrections).
        ("configuration: rules", "/organisation/aadal/opsaetning/regler/"),
        ("configuration: legal bases", "/organisation/aadal/opsaetning/hjemler/"),
        ("offence catalogue", "/politi/lovovertraedelser/"),
        ("police reports", "/politi/rapporter/"),
        ("SSP guide", "/organisation/aadal/vejledning/"),
        ("tip form", "/tip/aadal/"),
    ]


def measure_pages(
    report: Report, targets: list[tuple[str, str]], roles: list[str], repeat: int, budget: float
) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for role in roles:
        client = Client()
        client.force_login(User.objects.get(username=role))
        clients[role] = client
    print(f"{'page':<22}{'role':<17}{'status':>6}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}{'KB':>8}")
    for name, url in targets:
        for role in roles:
            result = Result(page=name, role=role)
            client = clients[role]
            timings: list[float] = []
            started = time.perf_counter()
            try:
                # The first request warms the caches (and the database's buffers): not counted.
                response = client.get(url)
                result.status = response.status_code
                # The queries are counted on one more request: recording them (the debug
                # cursor) is not part of a production request and is not timed.
                if response.status_code == 200:
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(url)
                    result.queries = len(captured.captured_queries)
                    result.kb = len(response.content) / 1024
                while response.status_code == 200 and len(timings) < repeat:
                    if time.perf_counter() - started > budget and len(timings) >= min(3, repeat):
                        break
                    begin = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - begin) * 1000)
                    result.status = response.status_code
            except Exception as exc:  # noqa: BLE001 - a broken page is reported, not fatal
                result.error = f"{type(exc).__name__}: {exc}"[:200]
            if timings and result.status == 200:
                result.p50 = statistics.median(timings)
                result.p95 = percentile(timings, 0.95)
                result.samples = len(timings)
            report.results.append(result)
            if result.error:
                print(f"{name:<22}{role:<17} error {result.error}", flush=True)
            elif result.status != 200:
                print(f"{name:<22}{role:<17}{result.status:>6}", flush=True)
            else:
                print(
                    f"{name:<22}{role:<17}{result.status:>6}{result.p50:>9.1f}{result.p95:>9.1f}"
                    f"{result.queries:>8}{result.kb:>8.1f}",
                    flush=True,
                )


# The table each compared page lists, and its URL: the page's own statements on that table (its
# count, its rows, per-row subqueries) are what the hand-written statement is compared with.
SQL_PAGES = {
    "case list": ("/sager/", "cases_case"),
    "deadline board": ("/frister/", "police_deadline"),
}


def sql_ratio(report: Report, page: str, sql_file: str, database_url: str, runs: int = 50) -> None:
    """The page's SQL for its rows against one hand-written statement for the same rows.

    Both run through psycopg without Django, p50 of `runs`: the hand-written statement in
    bench/sql/, and the statements the page sent for its list (every SELECT that reads the listed
    table, as the coordinator's request sent them: the count for the pagination included). The
    page's whole server time is printed beside it for reference."""
    import psycopg
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ssp.organisation.models import Municipality

    sql = (ROOT / "bench" / "sql" / sql_file).read_text(encoding="utf-8")
    params = {
        "municipality_id": Municipality.objects.get(slug="aadal").pk,
        "today": timezone.localdate(),
    }
    url, table = SQL_PAGES[page]
    client = Client()
    client.force_login(User.objects.get(username="koordinator"))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    page_statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and f'"{table}"' in q["sql"]
    ]

    def p50(statements: Sequence[tuple[str, dict[str, object] | None]]) -> float:
        timings = []
        with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
            for _ in range(runs + 3):
                begin = time.perf_counter()
                for statement, statement_params in statements:
                    cursor.execute(statement.encode(), statement_params)
                    cursor.fetchall()
                timings.append((time.perf_counter() - begin) * 1000)
        return statistics.median(timings[3:])

    rows = [(statement, None) for statement in page_statements if not is_count(statement)]
    counts = [(statement, None) for statement in page_statements if is_count(statement)]
    sql_p50 = p50([(sql, params)])
    rows_p50 = p50(rows)
    count_p50 = p50(counts) if counts else 0.0
    page_p50 = next(
        (r.p50 for r in report.results if r.page == page and r.role == "koordinator" and r.p50),
        0.0,
    )
    report.sql.append(SqlComparison(page, sql_p50, rows_p50, len(rows), count_p50, page_p50))
    print(
        f"SQL {page}: hand-written p50 {sql_p50:.2f} ms; the page's {len(rows)} statement(s) "
        f"for the same rows p50 {rows_p50:.2f} ms: {rows_p50 / sql_p50:.1f}x; its count for "
        f"the pagination {count_p50:.2f} ms; whole page p50 {page_p50:.1f} ms"
    )


def is_count(statement: str) -> bool:
    return statement.startswith('SELECT COUNT(*) AS "__count"')


def compare_queries(report: Report, only: str, database_url: str) -> None:
    """The same pages on the `demo` profile (fresh database, subprocess): queries per page."""
    out = ROOT / "var" / "bench" / "demo-queries.json"
    command = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--scale",
        "demo",
        "--repeat",
        "2",
        "--only",
        only,
        "--json-out",
        str(out),
    ]
    if database_url:
        command += ["--database-url", database_url, "--regenerate"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    print("measuring queries at demo scale (subprocess) ...", flush=True)
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    for row in json.loads(out.read_text()):
        report.compare[f"{row['page']}|{row['role']}"] = (
            row["queries"] if row["status"] == 200 else -row["status"]
        )


def markdown(report: Report) -> str:
    lines = [
        f"## Benchmark at `{report.scale}` ({report.database})",
        "",
        "Server time through Django's test client, DEBUG off. HTML in KB.",
        f"Machine: the reference loop (`reference_loop_ms`, 5 million additions in pure Python)"
        f" took {report.reference_ms:.0f} ms; figures of other runs scale with it.",
        "",
    ]
    compare = bool(report.compare)
    if not report.results:
        lines = lines[:1]
    header = "| page | role | status | p50 ms | p95 ms | queries | HTML KB | n |"
    rule = "|---|---|---|---|---|---|---|---|"
    if compare:
        header += " queries at demo |"
        rule += "---|"
    if report.results:
        lines += [header, rule]
    for r in report.results:
        if r.error:
            cells = [r.page, r.role, "error", "", "", "", "", "", r.error.replace("|", "/")]
            lines.append("| " + " | ".join(cells[:8]) + " |" + (" |" if compare else ""))
            continue
        if r.status != 200:
            cells = [r.page, r.role, str(r.status), "", "", "", "", ""]
        else:
            cells = [
                r.page,
                r.role,
                "200",
                f"{r.p50:,.1f}",
                f"{r.p95:,.1f}",
                str(r.queries),
                f"{r.kb:,.1f}",
                str(r.samples),
            ]
        if compare:
            demo = report.compare.get(f"{r.page}|{r.role}")
            if demo is None:
                cells.append("–")
            elif demo < 0:
                cells.append(f"status {-demo}")
            else:
                same = "" if r.status != 200 or demo == r.queries else " **differs**"
                cells.append(f"{demo}{same}")
        lines.append("| " + " | ".join(cells) + " |")
    if report.sql:
        lines += [
            "",
            "| page | hand-written SQL p50 ms | the page's SQL for the rows p50 ms (statements) "
            "| ratio | the page's count p50 ms | whole page p50 ms |",
            "|---|---|---|---|---|---|",
        ]
        for c in report.sql:
            lines.append(
                f"| {c.page} | {c.hand_written:.2f} | {c.rows:.2f} ({c.statements}) "
                f"| {c.rows / c.hand_written:.1f}x | {c.count:.2f} | {c.page_p50:.1f} |"
            )
    if report.import_lines:
        lines += ["", *report.import_lines]
    return "\n".join(lines) + "\n"


# --- the organisation scales (small, medium, large) -----------------------------------------


def first_case_id() -> int:
    from ssp.cases.models import Case

    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case.pk


def largest_meeting_id() -> int:
    from django.db.models import Count

    from ssp.meetings.models import Meeting

    meeting = Meeting.objects.annotate(n=Count("items")).order_by("-n", "pk").first()
    assert meeting is not None
    return meeting.pk


def generate_cases(count: int) -> None:
    """Cases with agreements and tasks, made through the services like real ones."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from ssp.cases import services
    from ssp.organisation.models import Member, Unit

    coordinator = User.objects.get(username="koordinator")
    teacher = User.objects.get(username="laerer")
    social = Member.objects.get(user__username="socialraadgiver")
    contact = Member.objects.get(user__username="laerer")
    school = Unit.objects.get(slug="oestskolen")
    for index in range(count):
        concern = services.raise_concern(
            actor_user=teacher,
            data=services.ConcernData(
                subject="person",
                source="staff",
                description="Bench",
                young_person=services.YoungPersonData(
                    first_name=f"Bench{index}",
                    last_name="Ung",
                    cpr=f"{index % 28 + 1:02d}{index // 28 % 12 + 1:02d}12-4{index % 1000:03d}",
                    school=school,
                ),
            ),
        )
        case = services.open_case(actor_user=coordinator, concerns=[concern], level="yellow")
        services.make_action_agreement(
            actor_user=coordinator,
            case=case,
            first_action="Møde",
            coordinator=social,
            contact_person=contact,
            follow_up_date=timezone.localdate(),
            tasks=[
                services.TaskData(owner=social, description="Opgave", due_date=timezone.localdate())
            ],
        )


def generate_organisations(municipalities: int, fora: int, members: int) -> None:
    """Synthetic municipalities beside the demo, plus extra fora and members in the demo."""
    from ssp.organisation.models import (
        Forum,
        Member,
        Membership,
        Municipality,
        PoliceDistrict,
        SchoolDistrict,
    )

    district = PoliceDistrict.objects.create(name="Benchmark Politikreds", slug="bench")
    targets = [Municipality.objects.get(slug="aadal")]
    for index in range(municipalities):
        targets.append(
            Municipality.objects.create(
                name=f"Bench {index}", slug=f"bench-{index}", police_district=district
            )
        )
    for municipality in targets:
        school_district = SchoolDistrict.objects.create(
            municipality=municipality, name="Bench-distrikt", slug="bench-distrikt"
        )
        parent = Forum.objects.filter(municipality=municipality, key="koordinationsgruppe").first()
        new_fora = Forum.objects.bulk_create(
            Forum(
                municipality=municipality,
                key=f"bench-{i}",
                name=f"Benchgruppe {i}",
                forum_type="lokalgruppe",
                level="operational",
                cadence="monthly",
                parent=parent,
                school_district=school_district,
            )
            for i in range(fora)
        )
        people = Member.objects.bulk_create(
            Member(municipality=municipality, name=f"Person {i}", sector="buf")
            for i in range(members)
        )
        Membership.objects.bulk_create(
            Membership(forum=forum, member=person, role="coordinator" if i == 0 else "member")
            for forum in new_fora
            for i, person in enumerate(people)
        )


if __name__ == "__main__":
    main()
