"""The annual report's figures for a municipality and a calendar year, as tables of counts,
built with aggregates in SQL (a constant number of queries whatever the volume).

Each section module gives `tables(municipality_id, year) -> list[Table]`; `publication` joins
them in the report's order. Suppression happens after (`suppression.suppress`), over the whole
publication at once.
"""

from __future__ import annotations

from ssp.reports.tables import Table


def publication(municipality_id: int, year: int) -> list[Table]:
    from ssp.reports.figures import cases, effect, evaluation, meetings, police, prevention

    return [
        *cases.tables(municipality_id, year),
        *police.tables(municipality_id, year),
        *prevention.tables(municipality_id, year),
        *meetings.tables(municipality_id, year),
        *effect.tables(municipality_id, year),
        *evaluation.tables(municipality_id, year),
    ]
