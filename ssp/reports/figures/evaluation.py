"""The annual report's evaluation tables (Høje-Taastrup's biennial evaluation of the fora's
tasks): each evaluation of the municipality closed in the year whose figures are published (at
least 5 answers), as its answer table: the answer options by question, all fora together (key
`evaluation_<pk>`, counts of persons: suppressed with the rest of the report). It is the very
table the evaluation's page publishes (`evaluations.answer_table`, the same input), built in
`ssp/reports/evaluations.py`."""

from __future__ import annotations

from ssp.reports.tables import Table


def tables(municipality_id: int, year: int) -> list[Table]:
    from ssp.reports.evaluations import report_tables

    return report_tables(municipality_id, year)
