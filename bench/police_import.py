"""The police-list import at scale: rows per second, peak memory, and another user's page
meanwhile (issue 11).

`measure()` (called by `bench/run.py` with Django set up) writes a police list of N rows as CSV
(var/bench/police-N.csv, in the format `ssp/police/imports.py` reads), empties a municipality
of its own ("Bench Importkommune", so the measured municipality's pages and queue are not
changed by the import), and runs the import in a subprocess (this file run as a script) as that
municipality's SSP coordinator through the public entry point the import job uses
(`ssp.police.services.import_police_list`, the file opened as the worker opens it), at `nice 10`
as `docs/drift.md` runs the task worker. While it runs, the deadline board is requested as
`koordinator` in this process.

The subprocess prints one JSON line: rows, seconds, rows/s, resident memory before the import
and at its peak (`VmHWM` of /proc/self/status, reset before the import where Linux allows).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMPORT_SLUG = "bench-import"
IMPORT_USER = "bench-importer"
OFFENCE_TEXTS = (
    "Butikstyveri",
    "Hærværk",
    "Røveri",
    "Forsøg på røveri",
    "Vold",
    "Indbrud",
    "Trusler",
    "Brugstyveri",
    "Besiddelse af euforiserende stoffer",
    "Knivloven",
)
FIRST = ("Emil", "Noah", "Oscar", "Ella", "Alma", "Freja", "Ida", "Lucas", "Karla", "Aksel")
LAST = ("Nielsen", "Jensen", "Hansen", "Pedersen", "Holm", "Berg", "Dahl", "Lund", "Krogh")


def write_csv(path: Path, rows: int) -> None:
    """A police list of `rows` rows about `rows * 0.3` young people of 10-17 years."""
    from django.utils import timezone

    today = timezone.localdate()
    people = max(1, rows * 3 // 10)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n")
        for i in range(rows):
            j = (i * 7) % people
            birth = today - timedelta(days=10 * 365 + j % (7 * 365))
            cpr = f"{birth:%d%m%y}-{9000 + j // (7 * 365):04d}"
            name = f"{FIRST[j % len(FIRST)]} {LAST[j % len(LAST)]}"
            day = today - timedelta(days=1 + i % 60)
            out.write(
                f"{cpr};{name};{day:%d-%m-%Y};{i % 24:02d}:{i % 60:02d};"
                f"{OFFENCE_TEXTS[i % len(OFFENCE_TEXTS)]};0200-8{i:07d}-26;"
                "Anmeldt af patruljen.\n"
            )


def prepare_importer() -> str:
    """The import's own municipality and SSP coordinator, emptied of earlier imports."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from ssp.accounts.services import acknowledge_confidentiality
    from ssp.organisation.models import AccessRole, Member, Municipality, Sector

    aadal = Municipality.objects.get(slug="aadal")
    municipality, _ = Municipality.objects.get_or_create(
        slug=IMPORT_SLUG,
        defaults={"name": "Bench Importkommune", "police_district": aadal.police_district},
    )
    user, created = User.objects.get_or_create(username=IMPORT_USER)
    if created:
        user.set_unusable_password()
        user.save()
        Member.objects.create(
            user=user,
            municipality=municipality,
            name="Bench Importør",
            sector=Sector.BUF,
            access_role=AccessRole.SSP_STAFF,
            is_authority=True,
        )
        acknowledge_confidentiality(user=user, municipality=municipality)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "police_deadline",
            "police_networkcouncil",
            "police_policereport",
            "police_importbatch",
            "cases_youngperson",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE municipality_id = %s", [municipality.pk])  # noqa: S608
    return IMPORT_USER


def measure(*, rows: int, database_url: str, environment: dict[str, str]) -> list[str]:
    """Run the import in a subprocess and request the deadline board meanwhile; markdown lines."""
    from django.contrib.auth.models import User
    from django.test import Client

    path = ROOT / "var" / "bench" / f"police-{rows}.csv"
    if not path.exists():
        write_csv(path, rows)
    username = prepare_importer()
    client = Client()
    client.force_login(User.objects.get(username="koordinator"))
    client.get("/frister/")
    print(f"importing {rows} rows in a subprocess ...", flush=True)
    # The task worker runs at a lower priority than the web servers (`Nice=10`, docs/drift.md).
    command = [
        "nice",
        "-n",
        "10",
        sys.executable,
        str(Path(__file__).resolve()),
        "--file",
        str(path),
        "--user",
        username,
    ]
    env = {**environment, "DATABASE_URL": database_url}
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    during: list[float] = []
    while process.poll() is None:
        begin = time.perf_counter()
        status = client.get("/frister/").status_code
        during.append((time.perf_counter() - begin) * 1000)
        if status != 200:
            print(f"deadline board answered {status} during the import")
        time.sleep(0.1)
    output = process.stdout.read() if process.stdout else ""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return [f"**Police import failed** (exit {process.returncode}): {output[-500:]}"]
    result: dict[str, Any] = json.loads(lines[-1])
    if result.get("error"):
        return [f"**Police import refused**: {result['error']}"]
    during.sort()
    p95 = during[max(0, int(len(during) * 0.95 + 0.999) - 1)] if during else 0.0
    import_peak = result.get("import_peak_rss_mb")
    peak = f"{import_peak:.0f} MB" if import_peak else "not measurable here"
    summary = [
        "| police import | value |",
        "|---|---|",
        f"| rows in file | {result['rows']:,} ({path.stat().st_size / 1024 / 1024:.1f} MB CSV) |",
        f"| created / duplicates / errors | {result['created']:,} / {result['duplicates']:,}"
        f" / {result['errors']:,} |",
        f"| seconds | {result['seconds']:.1f} |",
        f"| rows/s | {result['rows_per_second']:,.0f} |",
        f"| peak RSS of the importing process (VmHWM) | {result['peak_rss_mb']:.0f} MB |",
        f"| RSS after Django's start-up, before the import | {result['baseline_rss_mb']:.0f} MB |",
        f"| peak RSS while importing (VmHWM after a reset) | {peak} |",
        f"| deadline board during the import (koordinator) | p50"
        f" {statistics.median(during) if during else 0:.0f} ms, p95 {p95:.0f} ms,"
        f" max {max(during) if during else 0:.0f} ms, n={len(during)} |",
    ]
    for line in summary[2:]:
        print(line.strip("| ").replace(" | ", ": "))
    return summary


def _status_mb(key: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _subprocess_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssp.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    from ssp.errors import DomainError
    from ssp.police import services

    user = User.objects.get(username=args.user)
    baseline = _status_mb("VmRSS")
    # The peak so far (Django's start-up). `ru_maxrss` is no use here: after fork and exec it
    # keeps the parent's (the bench's) larger figure.
    before = _status_mb("VmHWM")
    # Reset the high-water mark (Linux): VmHWM at the end is then the import's own peak.
    reset = _reset_peak()
    begin = time.perf_counter()
    try:
        with open(args.file, "rb") as stored:
            report = services.import_police_list(
                actor_user=user, filename=Path(args.file).name, content=stored
            )
    except DomainError as exc:
        print(json.dumps({"error": exc.message}))
        return
    seconds = time.perf_counter() - begin
    rows = sum(1 for _ in open(args.file, encoding="utf-8")) - 1  # noqa: SIM115
    errors = getattr(report, "errors_total", None)
    if errors is None:
        errors = len(getattr(report, "errors", []))
    print(
        json.dumps(
            {
                "rows": rows,
                "created": report.created,
                "duplicates": report.duplicates,
                "errors": errors,
                "seconds": seconds,
                "rows_per_second": rows / seconds,
                "baseline_rss_mb": baseline,
                "import_peak_rss_mb": _status_mb("VmHWM") if reset else None,
                "peak_rss_mb": max(before, _status_mb("VmHWM"))
                if reset
                else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    _subprocess_main()
