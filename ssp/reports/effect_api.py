"""The effect measurement's trends as JSON (`/api/v1/reports/effect/`), as the page shows them:
the police's figures per measure (rows offence groups, columns years, suppressed: "<5" for 1-4,
"x" where a small number could be worked out) with a verdict per offence group and for the
total, and the youth profile survey's shares per indicator and survey year ("–" for a share from
fewer than 5 respondents, "" when the question was not asked that year). For SSP staff,
employees and politicians of the municipality (`can_see_reports`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from ssp import access
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.reports import access as report_access
from ssp.reports import effect
from ssp.reports.api import TableOut, _table_out

router = Router(tags=["reports"])


class SeriesOut(Schema):
    """A line of a table: its cells as published and two verdicts against the goal, each one
    of "falling_as_goal", "not_falling", "rising_as_goal", "not_rising" or "unknown" (a hidden
    or missing figure): `latest` compares the latest year with the year before, `since_first`
    with the first year shown."""

    label: str
    cells: list[str]
    latest: str
    since_first: str
    latest_text: str
    since_first_text: str


class CrimeTrendOut(Schema):
    measure: str  # "suspects" or "charges"
    table: TableOut
    rows: list[SeriesOut]
    total: SeriesOut


class SurveyOut(Schema):
    years: list[int]
    rows: list[SeriesOut]
    goals: list[str]


class EffectOut(Schema):
    crime: list[CrimeTrendOut]
    survey: SurveyOut | None


def _series_out(series: effect.Series) -> SeriesOut:
    return SeriesOut(
        label=series.label,
        cells=series.cells,
        latest=series.latest,
        since_first=series.since_first,
        latest_text=series.latest_text,
        since_first_text=series.since_first_text,
    )


@router.get("", response={200: EffectOut, **ERRORS})
def get_effect(request: HttpRequest) -> EffectOut:
    """The municipality's effect trends (empty lists when nothing is imported)."""
    actor = access.enforce(report_access.can_see_reports, actor_of(request))
    found = effect.trends(actor)
    survey = found.survey
    return EffectOut(
        crime=[
            CrimeTrendOut(
                measure=trend.measure,
                table=_table_out(trend.table),
                rows=[_series_out(series) for series in trend.rows],
                total=_series_out(trend.total),
            )
            for trend in found.crime
        ],
        survey=(
            SurveyOut(
                years=survey.years,
                rows=[_series_out(series) for series in survey.rows],
                goals=survey.goals,
            )
            if survey is not None
            else None
        ),
    )
