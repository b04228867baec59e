"""Benchmark of the main pages and API endpoints at a named scale.

    DEBUG=1 .venv/bin/python bench/run.py --scale small|medium|large [--database-url URL]

Builds synthetic organisations (many municipalities, fora and members) in a database of its own
(a fresh SQLite file under var/bench/ unless --database-url is given), then requests each page
and endpoint repeatedly as the demo coordinator and prints latency percentiles and the number of
SQL queries per request. Queries per request must be the same at every scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALES = {
    # municipalities, fora per municipality, members per forum, cases in the demo municipality
    "small": (2, 10, 5, 20),
    "medium": (10, 40, 10, 100),
    "large": (50, 100, 20, 400),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    db_file = bench_dir / f"{args.scale}.sqlite3"
    if not args.database_url and db_file.exists():
        db_file.unlink()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{db_file}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssp.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from ssp.demo import seed_all
    from ssp.organisation.demo import demo_exists

    if not demo_exists():
        seed_all()
    municipalities, fora, members, cases = SCALES[args.scale]
    generate(municipalities, fora, members)
    generate_cases(cases)

    from django.contrib.auth.models import User

    from ssp.organisation.models import Forum

    client = Client()
    client.force_login(User.objects.get(username="koordinator"))
    forum = Forum.objects.get(municipality__slug="aadal", key="koordinationsgruppe")
    targets = [
        ("start page", "/"),
        ("organisation chart", "/organisation/aadal/"),
        ("forum page", f"/organisation/fora/{forum.pk}/"),
        ("whom do I contact", "/organisation/aadal/kontakt/"),
        ("district contacts", "/organisation/aadal/kontakt/distrikt/oest/"),
        ("API fora", "/api/v1/organisation/municipalities/aadal/fora"),
        ("API forum", f"/api/v1/organisation/fora/{forum.pk}"),
        ("concerns", "/bekymringer/"),
        ("cases", "/sager/"),
        ("case page", f"/sager/{first_case_id()}/"),
        ("meetings", "/moeder/"),
        ("weekly review", "/politi/"),
        ("deadline board", "/frister/"),
        ("API cases", "/api/v1/cases/cases"),
    ]
    print(f"scale={args.scale} database={connection.vendor} repeat={args.repeat}")
    print(f"{'target':<22}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, url in targets:
        timings = []
        queries = 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured.captured_queries)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"{label:<22}{queries:>8}{statistics.median(timings):>9.1f}{p95:>9.1f}"
            f"{timings[-1]:>9.1f}"
        )


def first_case_id() -> int:
    from ssp.cases.models import Case

    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case.pk


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


def generate(municipalities: int, fora: int, members: int) -> None:
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
