"""The annual report's effect tables (Fredericia's effect measurement, `ssp/reports/effect.py`).

- "effect_suspects", "effect_charges": the police's figures of the report year and up to four
  years before, one table per measure present: rows the offence groups, columns the years, an
  "I alt" row; counts of persons (charges reveal persons too), suppressed with the report.
- "effect_survey": the youth profile survey's latest results up to the report year, one column
  (that survey year), the shares in whole percent. A `Table` holds whole numbers, and a share is
  not a count of persons (`counts_people=False`, shown as it is); a share from fewer than
  `effect.MIN_RESPONDENTS` respondents is left out (the note says so). The trend over several
  survey years, with one decimal, is on the effect page (`reports:effect`).

Two queries, whatever the volume.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from ssp.reports import effect
from ssp.reports.models import Goal
from ssp.reports.tables import Table


def survey_table(municipality_id: int, year: int) -> Table | None:
    results = list(
        effect.survey_results(municipality_id)
        .filter(year__lte=year)
        .filter(Q(respondents__isnull=True) | Q(respondents__gte=effect.MIN_RESPONDENTS))
        .order_by("-year", "indicator")[:500]
    )
    if not results:
        return None
    latest = results[0].year
    shown = sorted((r for r in results if r.year == latest), key=lambda r: r.indicator.casefold())
    rising = [r.indicator for r in shown if r.goal == Goal.RISING]
    note = _(
        "Andelen af de unge i procent, afrundet til hele procent. Målet er faldende, undtagen "
        "for: %(rising)s. Andele fra færre end %(min)s besvarelser er udeladt."
    ) % {"rising": ", ".join(rising) or _("ingen"), "min": effect.MIN_RESPONDENTS}
    return Table(
        key="effect_survey",
        title=_("Ungeprofilundersøgelsen %(year)s: andel af de unge (%%)") % {"year": latest},
        row_labels=[r.indicator for r in shown],
        column_labels=[str(latest)],
        cells=[[int(r.share.quantize(Decimal(1), rounding=ROUND_HALF_UP))] for r in shown],
        counts_people=False,
        total_row=False,
        note=note,
    )


def tables(municipality_id: int, year: int) -> list[Table]:
    found = effect.crime_tables(municipality_id, year)
    survey = survey_table(municipality_id, year)
    return [*found, survey] if survey is not None else found
