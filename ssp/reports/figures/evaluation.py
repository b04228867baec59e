"""The annual report's evaluation tables (Høje-Taastrup's biennial evaluation of the fora's
tasks): each evaluation of the municipality closed in the year, as one table of the answers by
question, all fora together (key `evaluation_<pk>`, counts of persons: suppressed with the rest
of the report). Built in `ssp/reports/evaluations.py`, where the evaluation's pages are."""

from __future__ import annotations

from ssp.reports.tables import Table


def tables(municipality_id: int, year: int) -> list[Table]:
    from ssp.reports.evaluations import report_tables

    return report_tables(municipality_id, year)
