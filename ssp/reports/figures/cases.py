"""The annual report's figures from concerns and cases (R2-R4, R8), for one municipality and one
calendar year, counted in SQL: each table is one or two aggregate queries whatever the volume
(`tests/reports/test_figures_cases.py` pins the count).

What the data allows, and what it does not:

- Age at raising is worked out in SQL from the young person's birth date, which is stored as a
  plain date (only the CPR number is encrypted); group and place concerns have no one person's
  age and count as "ukendt".
- The school district is the young person's, else (group and place concerns) that of the forum
  the concern went to.
- "Sent to another forum" is a concern that SSP staff routed (`services.route_concern`), which
  is kept in the audit trail only (`AuditAction.CONCERN_ROUTED`), as are escalations of cases
  (`CASE_ESCALATED`) and the set-up of ad hoc groups (`ADHOC_GROUP_CREATED`): the trail is
  append-only and outlives the records, so these figures stay when cases are anonymised.
- Anonymised concerns and cases are counted: retention anonymises rather than removes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernStatus,
    Level,
    Outcome,
)
from ssp.organisation.models import SchoolDistrict, Sector
from ssp.reports.tables import Table

# Age bands of the young person at raising: (key, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-9", 0, 9),
    ("10-12", 10, 12),
    ("13-14", 13, 14),
    ("15-17", 15, 17),
    ("18+", 18, None),
)
UNKNOWN = "unknown"
# Issue 15: a named child reported without a CPR number or birth date has no age.
NO_BIRTH_DATE = "no_birth_date"

# How a concern of the year ended (table "concern_outcomes"), in the report's order.
ENDED_DROPPED = "dropped"
ENDED_CASE = "case"
ENDED_ROUTED = "routed"
ENDED_OPEN = "open"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in local time: [1 January, 1 January next year)."""
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _count() -> Count:
    return Count("id")


def _by(queryset: QuerySet[Any], field: str) -> dict[Any, int]:
    """{value of `field`: number of rows}, in one GROUP BY query."""
    return {
        row[field]: row["n"]
        for row in queryset.order_by().values(field).annotate(n=_count()).order_by()
    }


def _one_column(
    key: str,
    title: str,
    rows: list[tuple[str, int]],
    *,
    total_row: bool = True,
    note: str = "",
) -> Table:
    return Table(
        key=key,
        title=title,
        row_labels=[label for label, _n in rows],
        column_labels=[_("Antal")],
        cells=[[n] for _label, n in rows],
        total_row=total_row,
        note=note,
    )


def _concerns(municipality_id: int, year: int) -> QuerySet[Concern]:
    start, end = year_bounds(year)
    return Concern.objects.filter(
        municipality_id=municipality_id, raised_at__gte=start, raised_at__lt=end
    )


def concerns_by_source(concerns: QuerySet[Concern]) -> Table:
    counts = _by(concerns, "source")
    return _one_column(
        "concerns_by_source",
        _("Bekymringer efter kilde"),
        [(str(label), counts.get(value, 0)) for value, label in ConcernSource.choices],
    )


def concerns_by_level(concerns: QuerySet[Concern]) -> Table:
    counts = _by(concerns, "level")
    return _one_column(
        "concerns_by_level",
        _("Bekymringer efter niveau"),
        [(str(label), counts.get(value, 0)) for value, label in Level.choices],
    )


def _age_band() -> models.Case:
    """The band of the `age` annotation; no young person (group, place) is "unknown", a young
    person without a birth date (issue 15) has a row of its own."""
    whens = [
        models.When(young_person__isnull=True, then=Value(UNKNOWN)),
        models.When(young_person__birth_date__isnull=True, then=Value(NO_BIRTH_DATE)),
    ]
    for key, low, high in AGE_BANDS:
        condition = Q(age__gte=low) if high is None else Q(age__gte=low, age__lte=high)
        whens.append(models.When(condition, then=Value(key)))
    return models.Case(*whens, default=Value(UNKNOWN), output_field=models.CharField())


def concerns_by_age(concerns: QuerySet[Concern]) -> Table:
    """The young person's age when the concern was raised, in SQL: whole years between the
    birth date and the (local) date of raising."""
    counts = _by(
        concerns.annotate(
            raised_year=ExtractYear("raised_at"),
            raised_md=ExtractMonth("raised_at") * 100 + ExtractDay("raised_at"),
            birth_year=ExtractYear("young_person__birth_date"),
            birth_md=ExtractMonth("young_person__birth_date") * 100
            + ExtractDay("young_person__birth_date"),
        )
        .annotate(
            age=F("raised_year")
            - F("birth_year")
            - models.Case(
                models.When(Q(raised_md__lt=F("birth_md")), then=Value(1)),
                default=Value(0),
                output_field=models.IntegerField(),
            )
        )
        .annotate(band=_age_band()),
        "band",
    )
    rows = [(_("%(band)s år") % {"band": key}, counts.get(key, 0)) for key, _l, _h in AGE_BANDS]
    rows.append((_("Ukendt alder (fødselsdato ukendt)"), counts.get(NO_BIRTH_DATE, 0)))
    rows.append((_("Ukendt alder (gruppe, sted)"), counts.get(UNKNOWN, 0)))
    return _one_column("concerns_by_age", _("Bekymringer efter alder ved indberetningen"), rows)


def concerns_by_district(concerns: QuerySet[Concern], municipality_id: int) -> Table:
    counts = _by(
        concerns.annotate(
            district=Coalesce("young_person__school_district", "forum__school_district")
        ),
        "district",
    )
    districts = list(
        SchoolDistrict.objects.filter(municipality_id=municipality_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    rows = [(name, counts.pop(pk, 0)) for pk, name in districts]
    # No district, or (should a record point across municipalities) one not of this one.
    rows.append((_("Uden skoledistrikt"), sum(counts.values())))
    return _one_column(
        "concerns_by_district",
        _("Bekymringer efter skoledistrikt"),
        rows,
        note=_(
            "Den unges skoledistrikt; for bekymringer om en gruppe eller et sted skoledistriktet "
            "for det forum, bekymringen blev sendt til."
        ),
    )


def concern_outcomes(concerns: QuerySet[Concern]) -> Table:
    routed = AuditEvent.objects.filter(
        action=AuditAction.CONCERN_ROUTED,
        object_type=Concern._meta.label_lower,
        object_id=Cast(OuterRef("pk"), models.CharField()),
    )
    ended = models.Case(
        models.When(status=ConcernStatus.DROPPED, then=Value(ENDED_DROPPED)),
        models.When(
            Q(status=ConcernStatus.CASE_OPENED) | Q(case__isnull=False), then=Value(ENDED_CASE)
        ),
        models.When(models.Exists(routed), then=Value(ENDED_ROUTED)),
        default=Value(ENDED_OPEN),
        output_field=models.CharField(),
    )
    counts = _by(concerns.annotate(ended=ended), "ended")
    return _one_column(
        "concern_outcomes",
        _("Hvordan årets bekymringer endte"),
        [
            (_("Henlagt"), counts.get(ENDED_DROPPED, 0)),
            (_("Blev til en sag"), counts.get(ENDED_CASE, 0)),
            (_("Sendt til et andet forum"), counts.get(ENDED_ROUTED, 0)),
            (_("Stadig åben"), counts.get(ENDED_OPEN, 0)),
        ],
        note=_("Bekymringer indberettet i året, med deres status i dag."),
    )


def cases_table(municipality_id: int, year: int) -> Table:
    start, end = year_bounds(year)
    counts = Case.objects.filter(municipality_id=municipality_id).aggregate(
        opened=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
        closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
        open_at_end=Count(
            "id",
            filter=Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
        ),
    )
    return _one_column(
        "cases",
        _("Sager"),
        [
            (_("Oprettet i året"), counts["opened"]),
            (_("Afsluttet i året"), counts["closed"]),
            (_("Åbne ved årets udgang"), counts["open_at_end"]),
        ],
        total_row=False,
    )


def case_work(municipality_id: int, year: int) -> Table:
    start, end = year_bounds(year)
    agreements = ActionAgreement.objects.filter(
        case__municipality_id=municipality_id, created_at__gte=start, created_at__lt=end
    ).count()
    events = _by(
        AuditEvent.objects.filter(
            municipality_id=municipality_id,
            action__in=[AuditAction.CASE_ESCALATED, AuditAction.ADHOC_GROUP_CREATED],
            occurred_at__gte=start,
            occurred_at__lt=end,
        ),
        "action",
    )
    return _one_column(
        "case_work",
        _("Handlingsaftaler, sager sendt videre og ad hoc handlegrupper"),
        [
            (_("Handlingsaftaler indgået"), agreements),
            (_("Sager sendt videre til et andet forum"), events.get(AuditAction.CASE_ESCALATED, 0)),
            (_("Ad hoc handlegrupper nedsat"), events.get(AuditAction.ADHOC_GROUP_CREATED, 0)),
        ],
        total_row=False,
    )


def _closed_in(municipality_id: int, year: int) -> QuerySet[Case]:
    start, end = year_bounds(year)
    return Case.objects.filter(
        municipality_id=municipality_id,
        status=CaseStatus.CLOSED,
        closed_at__gte=start,
        closed_at__lt=end,
    )


def case_evaluations(closed: QuerySet[Case]) -> Table:
    counts = _by(closed, "evaluation_outcome")
    rows = [(str(label), counts.pop(value, 0)) for value, label in Outcome.choices]
    missing = sum(counts.values())  # closed before the outcome was required
    if missing:
        rows.append((_("Ikke angivet"), missing))
    return _one_column(
        "case_evaluations", _("Evalueringen ved sagens afslutning (sager afsluttet i året)"), rows
    )


def case_sectors(closed: QuerySet[Case]) -> Table:
    """The sectors stored at closure (`Case.evaluation_sectors`, a JSON list), counted with one
    conditional count per sector on the list's JSON text (`"buf"` with its quotes matches that
    value only), which works alike on PostgreSQL and SQLite."""
    texts = closed.annotate(sectors_text=Cast("evaluation_sectors", models.TextField()))
    counts = texts.aggregate(
        none=Count("id", filter=Q(sectors_text="[]") | Q(evaluation_sectors__isnull=True)),
        **{
            value: Count("id", filter=Q(sectors_text__contains=f'"{value}"'))
            for value in Sector.values
        },
    )
    rows = [(str(label), counts[value]) for value, label in Sector.choices]
    rows.append((_("Ingen sektor angivet"), counts["none"]))
    return _one_column(
        "case_sectors",
        _("Samarbejdspartnere efter sektor (sager afsluttet i året)"),
        rows,
        total_row=False,
        note=_("En sag kan have flere sektorer."),
    )


def tables(municipality_id: int, year: int) -> list[Table]:
    concerns = _concerns(municipality_id, year)
    closed = _closed_in(municipality_id, year)
    return [
        concerns_by_source(concerns),
        concerns_by_level(concerns),
        concerns_by_age(concerns),
        concerns_by_district(concerns, municipality_id),
        concern_outcomes(concerns),
        cases_table(municipality_id, year),
        case_work(municipality_id, year),
        case_evaluations(closed),
        case_sectors(closed),
    ]
