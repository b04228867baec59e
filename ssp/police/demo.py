"""Demo police reports (some reviewed, some waiting), running and overdue deadlines, a network
council, absence data and hot spots, made through the services (all invented)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ssp.cases.models import Concern, ConcernSubject
from ssp.organisation.models import Forum, Member, Municipality
from ssp.police import absence, hot_spots, services
from ssp.police.hot_spots import HotSpotData
from ssp.police.models import (
    Deadline,
    DeadlineKind,
    HotSpotStatus,
    Offence,
    PoliceReport,
    Routing,
)
from ssp.police.offences import install_catalogue

POLICE_LIST = """CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse
120312-4137;Emil Sandberg;{d1};21:15;Røveri;0100-70001-00101-26;Tog en telefon ved stationen.
030611-4208;Sara Holm Nielsen;{d1};16:40;Butikstyveri;0100-70001-00102-26;Taget i butikstyveri.
190713-4555;Lukas Bjerre;{d2};19:05;Hærværk;0100-70001-00103-26;Knuste ruder i cykelskuret.
221012-4666;William Dam;{d2};22:30;Forsøg på røveri;0100-70001-00104-26;Forsøgte at tage en cykel.
"""

LIST_RECEIVED_DAYS_AGO = 10


def _absence_file(month: date, previous: date) -> str:
    rows = [
        "Skole;Klasse;CPR-nummer;Måned;Fravær;Ulovligt fravær",
        f"Østskolen;7.b;120312-4137;{previous:%Y-%m};6,0;2,0",
        f"Østskolen;7.b;120312-4137;{month:%Y-%m};18,5;9,0",
        f"Østskolen;8.a;030611-4208;{previous:%Y-%m};14,0;5,0",
        f"Østskolen;8.a;030611-4208;{month:%Y-%m};15,5;7,0",
        f"Østskolen;7.b;040312-4777;{month:%Y-%m};3,0;0,0",
        f"Midtskolen;9.c;250810-4315;{month:%Y-%m};11,0;8,0",
    ]
    return "\n".join(rows) + "\n"


@transaction.atomic
def seed_police(municipality: Municipality) -> None:
    # Migration 0002 installs the catalogue; a flushed database (the live server's tests) has
    # lost it, and without it no robbery would count as serious.
    install_catalogue(Offence)
    coordinator = User.objects.get(username="koordinator")
    members = {m.user.username: m for m in Member.objects.filter(user__isnull=False) if m.user}
    today = timezone.localdate()
    # Issue 15, dates in order: the offences come before the list is received (ten days ago),
    # which starts the network councils' deadlines; the reviews start the family meetings'.
    received = today - timedelta(days=LIST_RECEIVED_DAYS_AGO)
    content = POLICE_LIST.format(
        d1=(received - timedelta(days=4)).strftime("%d-%m-%Y"),
        d2=(received - timedelta(days=1)).strftime("%d-%m-%Y"),
    )
    services.import_police_list(
        actor_user=coordinator,
        filename="politiets-liste.csv",
        content=content.encode("utf-8"),
        received_on=received,
    )
    local_oest = Forum.objects.get(municipality=municipality, key="lokal-ssp-oest")
    # Reviewed ten days ago: the family-meeting deadline is overdue.
    services.route_report(
        actor_user=coordinator,
        report=PoliceReport.objects.get(police_reference__contains="00101"),
        data=services.RoutingData(
            routing=Routing.SOCIAL_WORKER,
            home_contact=members["socialraadgiver"],
            member=members["socialraadgiver"],
        ),
        presented_on=today - timedelta(days=10),
    )
    # Reviewed two days ago: the deadline is running.
    services.route_report(
        actor_user=coordinator,
        report=PoliceReport.objects.get(police_reference__contains="00102"),
        data=services.RoutingData(
            routing=Routing.LOCAL_GROUP, home_contact=members["laerer"], forum=local_oest
        ),
        presented_on=today - timedelta(days=2),
    )
    # Emil's robbery (serious, under 18): the network council was called and held.
    council_deadline = Deadline.objects.get(
        kind=DeadlineKind.NETWORK_COUNCIL, report__police_reference__contains="00101"
    )
    council = services.call_network_council(
        actor_user=coordinator,
        deadline=council_deadline,
        meeting_at=timezone.make_aware(datetime.combine(today - timedelta(days=5), time(15))),
        professionals=[members["socialraadgiver"], members["laerer"], members["politi"]],
        network="Emils fodboldtræner",
    )
    services.record_council_held(
        actor_user=coordinator, council=council, held_on=today - timedelta(days=5)
    )
    # Absence: this month and last month.
    month = today.replace(day=1) - timedelta(days=1)
    month = month.replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    absence.import_absence(
        actor_user=coordinator,
        filename="fravaer.csv",
        content=_absence_file(month, previous).encode(),
    )
    group = Concern.objects.filter(municipality=municipality, subject=ConcernSubject.GROUP).first()
    hot_spots.save_hot_spot(
        actor_user=coordinator,
        hot_spot=None,
        data=HotSpotData(
            name="Pladsen foran Ungdomsklubben Øst",
            address="Klubvej 1, Ådal",
            latitude=Decimal("55.330000"),
            longitude=Decimal("12.100000"),
            period_start=today - timedelta(days=30),
            description="Grupper af unge om aftenen; borgere har klaget over uro.",
            outreach_plan="Gadeteamet kommer forbi torsdag og fredag aften.",
            status=HotSpotStatus.ACTIVE,
            concerns=[group] if group else [],
        ),
    )
    hot_spots.save_hot_spot(
        actor_user=coordinator,
        hot_spot=None,
        data=HotSpotData(
            name="Stationen",
            address="Stationsvej, Ådal",
            period_start=today - timedelta(days=90),
            period_end=today - timedelta(days=10),
            description="Salg af hash rapporteret af naboer.",
            status=HotSpotStatus.MONITORING,
        ),
    )
