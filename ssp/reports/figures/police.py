"""The annual report's figures from the police lists (R5, R8): statutory deadlines, police
reports and their routing, worrying absence and hot spots, for one municipality and one calendar
year, counted in SQL with a constant number of queries (`tests/reports/test_figures_police.py`).

- A deadline counts in the year it falls due. It is met on time when the deed was done by the
  due date: for a network council the day the council meets (as `NetworkCouncil.is_late`
  decides), for the others the day it was marked met. The reason for a late network council is
  free text about the child's matter: it is not counted by reason, nor published.
- Absence: the pupils with a month at or above the municipality's threshold (the threshold as
  it is now) and the concerns raised from absence in the year (the follow-ups; a concern does
  not point back at the absence record it came from).
- Hot spots are places, not persons: their counts are not suppressed.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from ssp.organisation.models import Municipality
from ssp.police.access import absence_threshold
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    HotSpot,
    HotSpotStatus,
    PoliceReport,
    Routing,
)
from ssp.reports.tables import Table


def _dates(year: int) -> tuple[date, date]:
    """The calendar year as dates: [1 January, 1 January next year)."""
    return date(year, 1, 1), date(year + 1, 1, 1)


def deadlines_table(municipality_id: int, year: int) -> Table:
    start, end = _dates(year)
    done_on = models.Case(
        models.When(
            kind=DeadlineKind.NETWORK_COUNCIL,
            council__isnull=False,
            then=TruncDate("council__meeting_at"),
        ),
        default=F("met_on"),
        output_field=models.DateField(),
    )
    rows = {
        row["kind"]: row
        for row in Deadline.objects.filter(
            municipality_id=municipality_id, due_on__gte=start, due_on__lt=end
        )
        .annotate(done_on=done_on)
        .order_by()
        .values("kind")
        .annotate(
            on_time=Count("id", filter=Q(done_on__lte=F("due_on"))),
            late=Count("id", filter=Q(done_on__gt=F("due_on"))),
            not_yet=Count("id", filter=Q(done_on__isnull=True)),
        )
        .order_by()
    }
    empty = {"on_time": 0, "late": 0, "not_yet": 0}
    cells = [
        [rows.get(value, empty)[name] for name in ("on_time", "late", "not_yet")]
        for value in DeadlineKind.values
    ]
    return Table(
        key="deadlines",
        title=_("Lovbestemte frister, der udløb i året"),
        row_labels=[str(label) for label in DeadlineKind.labels],
        column_labels=[_("Overholdt"), _("For sent"), _("Ikke mødt endnu")],
        cells=cells,
        total_row=True,
        total_column=True,
        note=_(
            "Et netværkssamråd er rettidigt, når det holdes senest på fristens dag. "
            "Begrundelser for at holde samrådet efter fristen er fri tekst og tælles ikke op."
        ),
    )


def police_reports_by_route(municipality_id: int, year: int) -> Table:
    start, end = _dates(year)
    counts = {
        row["routing"]: row["n"]
        for row in PoliceReport.objects.filter(
            municipality_id=municipality_id, received_on__gte=start, received_on__lt=end
        )
        .order_by()
        .values("routing")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = [(str(label), counts.pop(value, 0)) for value, label in Routing.choices]
    rows.append((_("Ikke fordelt endnu"), sum(counts.values())))
    return Table(
        key="police_reports_by_route",
        title=_("Politirapporter modtaget i året, efter fordeling"),
        row_labels=[label for label, _n in rows],
        column_labels=[_("Antal")],
        cells=[[n] for _label, n in rows],
    )


def absence_table(municipality_id: int, year: int) -> Table:
    start, end = _dates(year)
    municipality = Municipality.objects.get(pk=municipality_id)
    pupils = (
        AbsenceRecord.objects.filter(
            municipality_id=municipality_id,
            month__gte=start,
            month__lt=end,
            total_percent__gte=absence_threshold(municipality),
        )
        .values("cpr_index")
        .distinct()
        .count()
    )
    # The concerns raised from absence are the "Fravær" row of the concerns by source: not
    # repeated here, since one figure in two tables, hidden in one, would show in the other.
    return Table(
        key="absence",
        title=_("Bekymrende fravær"),
        row_labels=[_("Elever med fravær over kommunens grænse i mindst én måned")],
        column_labels=[_("Antal")],
        cells=[[pupils]],
        total_row=False,
    )


def hot_spots_table(municipality_id: int, year: int) -> Table:
    start, end = _dates(year)
    counts = {
        row["status"]: row["n"]
        for row in HotSpot.objects.filter(municipality_id=municipality_id, period_start__lt=end)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=start))
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    return Table(
        key="hot_spots",
        title=_("Hot spots i året, efter status"),
        row_labels=[str(label) for label in HotSpotStatus.labels],
        column_labels=[_("Antal")],
        cells=[[counts.get(value, 0)] for value in HotSpotStatus.values],
        counts_people=False,
        note=_("Steder med en periode i året; status, som den er nu."),
    )


def tables(municipality_id: int, year: int) -> list[Table]:
    return [
        deadlines_table(municipality_id, year),
        police_reports_by_route(municipality_id, year),
        absence_table(municipality_id, year),
        hot_spots_table(municipality_id, year),
    ]
