"""Effect measurement (Fredericia: "Én gang årligt udarbejdes en effektmåling som baserer sig på
politiets data"; "Hver 3. år ... Ungeprofilundersøgelse"; "Kriminalitetsraten skal være faldende
i begge målinger").

Two kinds of file, told apart by their headers (the user does not choose):

- the police's aggregate figures: År; Aldersgruppe; Forholdsgruppe; Opgørelse (Sigtede or
  Sigtelser; Sigtede when the column is absent or the cell empty); Antal;
- the youth profile survey's key results: År; Spørgsmål (or Indikator); Andel (%, "12,5",
  "12.5" or "12,5 %"); Besvarelser (optional); Mål (faldende/stigende, optional: faldende).

The file is read through the police app's reader (`ssp.police.imports.open_table`: CSV in UTF-8
or Windows-1252, or xlsx, checked by content). Every row is checked before anything is written;
one bad row and nothing is written: the report names the rows (number and reason). A good file
replaces, in one transaction, that source's figures of the years it holds.

The trends (`trends`) are built here too: tables of counts (suppressed, one publication per
page) and a verdict per series against the goal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import imports
from ssp.reports import access as report_access
from ssp.reports.models import (
    AGE_BAND_MAX,
    COUNT_MAX,
    FILENAME_MAX,
    INDICATOR_MAX,
    OFFENCE_GROUP_MAX,
    YEAR_MAX,
    YEAR_MIN,
    CrimeFigure,
    CrimeMeasure,
    EffectImport,
    EffectSource,
    Goal,
    SurveyResult,
)
from ssp.reports.suppression import as_number, suppress
from ssp.reports.tables import SuppressedTable, Table

# A file of aggregate figures is small: a municipality's offence groups x age bands x years.
MAX_ROWS = 10_000
# The report of a refused file lists this many rows and counts the rest.
MAX_REPORTED_ROWS = imports.MAX_REPORTED_ROWS
# The trends show this many years (the latest year in the data and the ones before it): the
# same window as the annual report of that year (`figures/effect.py`).
TREND_YEARS = 5
# Survey years shown (every third year: 15 years).
SURVEY_YEARS = 5
# A share from fewer respondents than this is not shown (it could tell about a few persons).
MIN_RESPONDENTS = 5
# The last imports listed on the page.
RECENT_IMPORTS = 10

POLICE_HEADERS: dict[str, set[str]] = {
    "year": {"ar", "aar", "aarstal", "arstal", "year"},
    "age_band": {"aldersgruppe", "alder", "aldersinterval", "alderstrin"},
    "offence_group": {"forholdsgruppe", "forhold", "kriminalitetstype", "overtraedelsesgruppe"},
    "measure": {"opgrelse", "opgorelse", "opgoerelse", "maaling", "type"},
    "count": {"antal", "antalsigtede", "antalsigtelser"},
}
SURVEY_HEADERS: dict[str, set[str]] = {
    "year": POLICE_HEADERS["year"],
    "indicator": {"sprgsmal", "spoergsmaal", "sporgsmal", "indikator", "nogletal", "ngletal"},
    "share": {"andel", "andelpct", "andelprocent", "procent", "pct"},
    "respondents": {"besvarelser", "antalbesvarelser", "respondenter", "svar"},
    "goal": {"mal", "maal"},
}
POLICE_REQUIRED = ("year", "age_band", "offence_group", "count")
SURVEY_REQUIRED = ("year", "indicator", "share")
COLUMN_LABELS = {
    "year": "År",
    "age_band": "Aldersgruppe",
    "offence_group": "Forholdsgruppe",
    "count": "Antal",
    "indicator": "Spørgsmål",
    "share": "Andel",
}
MEASURES = {
    "sigtede": CrimeMeasure.SUSPECTS,
    "sigtet": CrimeMeasure.SUSPECTS,
    "suspects": CrimeMeasure.SUSPECTS,
    "sigtelser": CrimeMeasure.CHARGES,
    "sigtelse": CrimeMeasure.CHARGES,
    "charges": CrimeMeasure.CHARGES,
}
GOALS = {
    "faldende": Goal.FALLING,
    "falling": Goal.FALLING,
    "stigende": Goal.RISING,
    "rising": Goal.RISING,
}
ONE_DECIMAL = Decimal("0.1")


@dataclass
class EffectImportResult:
    """What an import did: the log row when the file was imported, else the failing rows (the
    first `MAX_REPORTED_ROWS`, with `error_count` counting all)."""

    source: str = ""
    rows: int = 0
    years: list[int] = field(default_factory=list)
    errors: list[imports.RowError] = field(default_factory=list)
    error_count: int = 0
    effect_import: EffectImport | None = None

    @property
    def ok(self) -> bool:
        return self.effect_import is not None

    @property
    def more_errors(self) -> int:
        return max(self.error_count - len(self.errors), 0)


# --- Reading a file ---------------------------------------------------------------------------


def _source_of(header: Sequence[Any]) -> tuple[EffectSource, dict[str, int]]:
    keys = [imports.norm_header(cell) for cell in header]
    police = _columns(keys, POLICE_HEADERS)
    survey = _columns(keys, SURVEY_HEADERS)
    if all(name in police for name in POLICE_REQUIRED):
        return EffectSource.POLICE, police
    if all(name in survey for name in SURVEY_REQUIRED):
        return EffectSource.SURVEY, survey
    # Name what is missing for the kind the header looks most like.
    is_survey = "share" in survey or "indicator" in survey
    columns, required = (survey, SURVEY_REQUIRED) if is_survey else (police, POLICE_REQUIRED)
    missing = [COLUMN_LABELS[name] for name in required if name not in columns]
    raise imports.FileError(
        _(
            "Filen mangler kolonnerne: %(columns)s. Første række skal være overskrifter: "
            "politiets tal (År; Aldersgruppe; Forholdsgruppe; Opgørelse; Antal) eller "
            "ungeprofilundersøgelsen (År; Spørgsmål; Andel; Besvarelser; Mål)."
        )
        % {"columns": ", ".join(missing)}
    )


def _columns(keys: list[str], names: dict[str, set[str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, key in enumerate(keys):
        for name, variants in names.items():
            if key in variants and name not in found:
                found[name] = index
    return found


def _cell(row: Sequence[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _whole_number(value: Any) -> int | None:
    """An integer cell: 12, 12.0 (Excel) or "12" (also "1.234" with a thousands point)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value or "").strip().replace(" ", "").replace("\xa0", "")
    if "." in text and all(len(part) == 3 for part in text.split(".")[1:]):
        text = text.replace(".", "")
    return int(text) if text.isascii() and text.isdigit() else None


def _year(value: Any, problems: list[str]) -> int:
    year = _whole_number(value)
    latest = min(YEAR_MAX, timezone.localdate().year)
    if year is None:
        if value is None or str(value).strip() == "":
            problems.append(_("År mangler"))
        else:
            problems.append(_("året '%(value)s' er ikke et årstal") % {"value": str(value)[:20]})
        return 0
    if not YEAR_MIN <= year <= latest:
        problems.append(
            _("året %(year)s skal være mellem %(min)s og %(max)s")
            % {"year": year, "min": YEAR_MIN, "max": latest}
        )
    return year


def _count(value: Any, what: str, problems: list[str], *, required: bool = True) -> int | None:
    if value is None or str(value).strip() == "":
        if required:
            problems.append(_("%(what)s mangler") % {"what": what})
        return None
    number = _whole_number(value)
    if number is None or not 0 <= number <= COUNT_MAX:
        problems.append(
            _("%(what)s skal være et helt tal fra 0 til %(max)s (ikke '%(value)s')")
            % {"what": what, "max": COUNT_MAX, "value": str(value)[:20]}
        )
        return None
    return number


def _share(value: Any, problems: list[str]) -> Decimal:
    if value is None or str(value).strip() == "":
        problems.append(_("Andel mangler"))
        return Decimal(0)
    text = str(value).strip().replace("%", "").replace(",", ".").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        problems.append(
            _("andelen '%(value)s' skal være et tal fra 0 til 100") % {"value": str(value)[:20]}
        )
        return Decimal(0)
    return number.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _choice(
    value: Any, choices: dict[str, Any], default: Any, what: str, problems: list[str]
) -> Any:
    text = str(value or "").strip()
    if not text:
        return default
    choice = choices.get(text.casefold())
    if choice is None:
        allowed = ", ".join(sorted({key.capitalize() for key in choices if key.isascii()}))
        problems.append(
            _("%(what)s '%(value)s' kendes ikke (brug %(allowed)s)")
            % {"what": what, "value": text[:20], "allowed": allowed}
        )
        return default
    return choice


def _police_row(row: Sequence[Any], columns: dict[str, int], problems: list[str]) -> dict[str, Any]:
    return {
        "year": _year(_cell(row, columns, "year"), problems),
        "age_band": imports._checked_text(
            _cell(row, columns, "age_band"), _("Aldersgruppe"), problems, max_length=AGE_BAND_MAX
        ),
        "offence_group": imports._checked_text(
            _cell(row, columns, "offence_group"),
            _("Forholdsgruppe"),
            problems,
            max_length=OFFENCE_GROUP_MAX,
        ),
        "measure": _choice(
            _cell(row, columns, "measure"),
            MEASURES,
            CrimeMeasure.SUSPECTS,
            _("Opgørelsen"),
            problems,
        ),
        "count": _count(_cell(row, columns, "count"), _("Antal"), problems),
    }


def _survey_row(row: Sequence[Any], columns: dict[str, int], problems: list[str]) -> dict[str, Any]:
    return {
        "year": _year(_cell(row, columns, "year"), problems),
        "indicator": imports._checked_text(
            _cell(row, columns, "indicator"), _("Spørgsmål"), problems, max_length=INDICATOR_MAX
        ),
        "share": _share(_cell(row, columns, "share"), problems),
        "respondents": _count(
            _cell(row, columns, "respondents"), _("Besvarelser"), problems, required=False
        ),
        "goal": _choice(_cell(row, columns, "goal"), GOALS, Goal.FALLING, _("Målet"), problems),
    }


def _key(source: EffectSource, values: dict[str, Any]) -> tuple[Any, ...]:
    if source == EffectSource.POLICE:
        return (
            values["year"],
            values["measure"],
            values["age_band"].casefold(),
            values["offence_group"].casefold(),
        )
    return (values["year"], values["indicator"].casefold())


@dataclass
class ParsedFile:
    source: EffectSource
    rows: list[dict[str, Any]]
    errors: list[imports.RowError]
    error_count: int


def parse_effect_file(filename: str, content: imports.Content) -> ParsedFile:
    """Every data row checked (nothing written). Raises `imports.FileError` for a file that
    cannot be read, has no known header, no rows or more than `MAX_ROWS` rows."""
    rows: list[dict[str, Any]] = []
    errors: list[imports.RowError] = []
    error_count = 0
    seen: dict[tuple[Any, ...], int] = {}
    shares: list[tuple[int, Any]] = []  # (row, the share cell as read) of a survey file
    with imports.open_table(filename, content) as table:
        header = next(table, None)
        if header is None:
            raise imports.FileError(_("Filen er tom."))
        source, columns = _source_of(header)
        read = _police_row if source == EffectSource.POLICE else _survey_row
        for number, row in enumerate(table, start=2):
            if not any(str(cell if cell is not None else "").strip() for cell in row):
                continue
            if len(rows) + error_count >= MAX_ROWS:
                limit = f"{MAX_ROWS:,}".replace(",", ".")
                raise imports.FileError(
                    _("Filen har mere end %(max)s rækker. Del den i flere filer.") % {"max": limit}
                )
            problems: list[str] = []
            values = read(row, columns, problems)
            if not problems:
                key = _key(source, values)
                first = seen.get(key)
                if first is not None:
                    problems.append(_("samme år og gruppe som række %(row)s") % {"row": first})
                else:
                    seen[key] = number
            if problems:
                error_count += 1
                if len(errors) < MAX_REPORTED_ROWS:
                    errors.append(imports.RowError(number, imports.join_problems(problems)))
                continue
            values["row"] = number
            rows.append(values)
            if source == EffectSource.SURVEY:
                shares.append((number, _cell(row, columns, "share")))
    if not rows and not error_count:
        raise imports.FileError(_("Filen har ingen rækker under overskrifterne."))
    if not error_count and _excel_percent(shares):
        message = _(
            "Andelen ser ud til at være formateret som procent i Excel (0,125 for 12,5 %). "
            "Skriv andelen som et tal (12,5), og indlæs filen igen."
        )
        errors = [
            imports.RowError(number, message) for number, _value in shares[:MAX_REPORTED_ROWS]
        ]
        return ParsedFile(source=source, rows=[], errors=errors, error_count=len(shares))
    return ParsedFile(source=source, rows=rows, errors=errors, error_count=error_count)


def _excel_percent(shares: list[tuple[int, Any]]) -> bool:
    """Whether the survey file's shares look like Excel percent cells: a cell formatted as
    "12,5 %" holds the number 0.125. Only an xlsx gives numbers (a CSV gives text), so: every
    share a number <= 1, and not all zero. (The reader does not pass the cells' number format
    on, so the file is refused rather than guessed at: 1 could be 1 % or 100 %.)"""
    numbers = [
        value
        for _number, value in shares
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    ]
    if not shares or len(numbers) != len(shares):
        return False
    return all(0 <= value <= 1 for value in numbers) and any(value > 0 for value in numbers)


# --- The import -------------------------------------------------------------------------------


@transaction.atomic
def import_effect(
    *,
    actor_user: User,
    filename: str,
    content: imports.Content,
    token: uuid.UUID | None = None,
) -> EffectImportResult:
    """Import a file of police figures or survey results: all rows or none. A good file
    replaces that source's figures of the years it holds; one audit event (ids and counts).
    `token`: the form's one-time token; the same post again returns the first import."""
    actor = access.get_actor(actor_user)
    if not report_access.can_import_effect(actor):
        raise DomainError(_("Kun SSP-medarbejdere indlæser effekttal."))
    municipality_id = access.municipality_of(actor)
    if token is not None:
        done = EffectImport.objects.filter(
            form_token=token, municipality_id=municipality_id
        ).first()
        if done is not None:
            return EffectImportResult(
                source=done.source, rows=done.rows, years=list(done.years), effect_import=done
            )
    try:
        parsed = parse_effect_file(filename, content)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    if parsed.error_count:
        return EffectImportResult(
            source=parsed.source,
            errors=parsed.errors,
            error_count=parsed.error_count,
        )
    years = sorted({row["year"] for row in parsed.rows})
    # One import of a municipality at a time: two imports of the same years would each delete
    # the figures (finding the same rows) and insert theirs, and the second insert fails on
    # the unique constraint. Locking the municipality's row makes the second wait for the
    # first and then replace its figures.
    Municipality.objects.select_for_update(no_key=True).get(pk=municipality_id)
    try:
        # A savepoint: of two concurrent posts of one form, one INSERT wins on the token's
        # unique column; the other fails here and returns the winner's import.
        with transaction.atomic():
            log = EffectImport.objects.create(
                municipality_id=municipality_id,
                source=parsed.source,
                filename=filename[:FILENAME_MAX],
                sha256=imports.sha256_of(content),
                rows=len(parsed.rows),
                years=years,
                imported_by=actor_user,
                form_token=token,
            )
    except IntegrityError:
        if token is None:
            raise
        done = EffectImport.objects.filter(form_token=token).first()
        if done is None or done.municipality_id != municipality_id:
            raise DomainError(_("Formularen er allerede brugt. Hent siden igen.")) from None
        return EffectImportResult(
            source=done.source, rows=done.rows, years=list(done.years), effect_import=done
        )
    if parsed.source == EffectSource.POLICE:
        replaced, _kinds = CrimeFigure.objects.filter(
            municipality_id=municipality_id, year__in=years
        ).delete()
        CrimeFigure.objects.bulk_create(
            CrimeFigure(
                municipality_id=municipality_id,
                year=row["year"],
                measure=row["measure"],
                age_band=row["age_band"],
                offence_group=row["offence_group"],
                count=row["count"],
                source_import=log,
            )
            for row in parsed.rows
        )
    else:
        replaced, _kinds = SurveyResult.objects.filter(
            municipality_id=municipality_id, year__in=years
        ).delete()
        SurveyResult.objects.bulk_create(
            SurveyResult(
                municipality_id=municipality_id,
                year=row["year"],
                indicator=row["indicator"],
                share=row["share"],
                respondents=row["respondents"],
                goal=row["goal"],
                source_import=log,
            )
            for row in parsed.rows
        )
    record_event(
        actor=actor_user,
        action=AuditAction.EFFECT_IMPORTED,
        obj=log,
        municipality_id=municipality_id,
        data={"source": str(parsed.source), "rows": len(parsed.rows), "replaced": replaced},
    )
    return EffectImportResult(
        source=parsed.source, rows=len(parsed.rows), years=years, effect_import=log
    )


# --- Trends -----------------------------------------------------------------------------------

FALLING_AS_GOAL = "falling_as_goal"
RISING_AS_GOAL = "rising_as_goal"
NOT_FALLING = "not_falling"
NOT_RISING = "not_rising"
UNKNOWN = "unknown"


def verdict_text(code: str) -> str:
    return {
        FALLING_AS_GOAL: _("Faldende som målet"),
        RISING_AS_GOAL: _("Stigende som målet"),
        NOT_FALLING: _("Ikke faldende"),
        NOT_RISING: _("Ikke stigende"),
        UNKNOWN: _("Kan ikke vurderes"),
    }[code]


def verdict(earlier: float | None, later: float | None, goal: str = Goal.FALLING) -> str:
    """The trend from `earlier` to `later` against the goal; a hidden or missing figure (a
    suppressed cell, a share from too few respondents) gives no verdict."""
    if earlier is None or later is None:
        return UNKNOWN
    if goal == Goal.RISING:
        return RISING_AS_GOAL if later > earlier else NOT_RISING
    return FALLING_AS_GOAL if later < earlier else NOT_FALLING


@dataclass
class Series:
    """One line of a table with its verdicts: the latest year against the year before, and
    against the first year shown."""

    label: str
    cells: list[str]
    latest: str
    since_first: str

    @property
    def latest_text(self) -> str:
        if self.latest == UNKNOWN and len(self.cells) == 1 and self.cells[0] not in ("", "–"):
            # One measurement so far (the youth survey's first round): no trend yet.
            return _("Første måling: ingen udvikling endnu")
        return verdict_text(self.latest)

    @property
    def since_first_text(self) -> str:
        return verdict_text(self.since_first)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "cells": self.cells,
            "latest": self.latest,
            "since_first": self.since_first,
        }


def _series(label: str, cells: list[str], parse: Any, goal: str = Goal.FALLING) -> Series:
    values = [parse(cell) for cell in cells]
    if len(values) < 2:
        return Series(label, cells, UNKNOWN, UNKNOWN)
    return Series(
        label,
        cells,
        verdict(values[-2], values[-1], goal),
        verdict(values[0], values[-1], goal),
    )


@dataclass
class CrimeTrend:
    """A measure's table (rows offence groups, columns years, an "I alt" row: suppressed) and
    the verdicts per offence group and for the total."""

    measure: str
    table: SuppressedTable
    rows: list[Series]
    total: Series

    @property
    def years(self) -> list[str]:
        return self.table.column_labels


@dataclass
class SurveyTrend:
    years: list[int]
    rows: list[Series]
    goals: list[str]
    # Whether a shown share came without a respondent count (the file had none for the row):
    # such a share is shown, and the note says so.
    without_count: bool = False

    @property
    def note(self) -> str:
        if not self.without_count:
            return ""
        return _(
            "Nogle andele er indlæst uden antal besvarelser: de vises, men det kan ikke ses, "
            "hvor mange unge de bygger på."
        )


@dataclass
class EffectTrends:
    crime: list[CrimeTrend]
    survey: SurveyTrend | None

    @property
    def empty(self) -> bool:
        return not self.crime and self.survey is None


def crime_figures(municipality_id: int) -> QuerySet[CrimeFigure]:
    return CrimeFigure.objects.filter(municipality_id=municipality_id)


def survey_results(municipality_id: int) -> QuerySet[SurveyResult]:
    return SurveyResult.objects.filter(municipality_id=municipality_id)


def crime_tables(municipality_id: int, last_year: int | None) -> list[Table]:
    """A table per measure present (suspects first): rows the offence groups, columns the
    `TREND_YEARS` years up to `last_year` (the latest in the data when None), the counts
    summed over the age bands; an "I alt" row. Counts of persons: suppress before showing.
    One query."""
    figures = crime_figures(municipality_id)
    if last_year is None:
        last_year = figures.order_by("-year").values_list("year", flat=True).first()
        if last_year is None:
            return []
    sums = (
        figures.filter(year__gt=last_year - TREND_YEARS, year__lte=last_year)
        .values("measure", "offence_group", "year")
        .annotate(total=Sum("count"))
        .order_by()
    )
    counts: dict[str, dict[tuple[str, int], int]] = {}
    for item in sums:
        counts.setdefault(item["measure"], {})[(item["offence_group"], item["year"])] = item[
            "total"
        ]
    tables = []
    for measure in CrimeMeasure:
        cells_of = counts.get(measure.value)
        if not cells_of:
            continue
        years = sorted({year for _group, year in cells_of})
        groups = sorted({group for group, _year in cells_of}, key=str.casefold)
        tables.append(
            Table(
                key=f"effect_{measure.value}",
                title=_("Effektmåling: %(measure)s efter forholdsgruppe")
                % {"measure": measure.label},
                row_labels=groups,
                column_labels=[str(year) for year in years],
                cells=[[cells_of.get((group, year), 0) for year in years] for group in groups],
                total_row=True,
                note=_("Politiets opgørelse for kommunen, alle aldersgrupper. Målet: faldende."),
            )
        )
    return tables


def _share_text(share: Decimal) -> str:
    return f"{share:.1f}".replace(".", ",") + " %"


def _share_value(text: str) -> float | None:
    if not text.endswith("%"):
        return None
    return float(text.removesuffix("%").strip().replace(",", "."))


def survey_trend(municipality_id: int) -> SurveyTrend | None:
    """Indicators x the last `SURVEY_YEARS` survey years; a share from fewer than
    `MIN_RESPONDENTS` respondents shows "–" and gives no verdict. One query."""
    results = list(survey_results(municipality_id).order_by("-year", "indicator")[:2_000])
    if not results:
        return None
    years = sorted({result.year for result in results})[-SURVEY_YEARS:]
    by_indicator: dict[str, dict[int, SurveyResult]] = {}
    for result in results:
        if result.year in years:
            by_indicator.setdefault(result.indicator, {})[result.year] = result
    rows: list[Series] = []
    goals: list[str] = []
    without_count = any(
        result.respondents is None for shown in by_indicator.values() for result in shown.values()
    )
    for indicator in sorted(by_indicator, key=str.casefold):
        shown = by_indicator[indicator]
        cells = []
        for year in years:
            found = shown.get(year)
            if found is None:
                cells.append("")
            elif found.respondents is not None and found.respondents < MIN_RESPONDENTS:
                cells.append("–")
            else:
                cells.append(_share_text(found.share))
        goal = shown[max(shown)].goal
        asked = [cell for cell in cells if cell != ""]
        series = _series(indicator, asked, _share_value, goal)
        rows.append(Series(indicator, cells, series.latest, series.since_first))
        goals.append(str(Goal(goal).label))
    return SurveyTrend(years=years, rows=rows, goals=goals, without_count=without_count)


def trends(actor: access.Actor) -> EffectTrends:
    """The municipality's effect figures as shown on the page and by the API: the police tables
    suppressed as one publication, the verdicts from the published cells only."""
    if not report_access.can_see_reports(actor):
        return EffectTrends(crime=[], survey=None)
    municipality_id = access.municipality_of(actor)
    tables = crime_tables(municipality_id, None)
    crime = []
    for table, published in zip(tables, suppress(tables), strict=True):
        crime.append(
            CrimeTrend(
                measure=table.key.removeprefix("effect_"),
                table=published,
                rows=[
                    _series(label, cells, as_number)
                    for label, cells in zip(published.row_labels, published.cells, strict=True)
                ],
                total=_series(_("I alt"), published.column_totals, as_number),
            )
        )
    return EffectTrends(crime=crime, survey=survey_trend(municipality_id))


def recent_imports(actor: access.Actor) -> list[EffectImport]:
    """The last imports (for staff: date, source, rows, who)."""
    if not report_access.can_import_effect(actor):
        return []
    return list(
        EffectImport.objects.filter(municipality_id=access.municipality_of(actor))
        .select_related("imported_by")
        .order_by("-imported_at")[:RECENT_IMPORTS]
    )
