"""The effect page's charts (`reports:effect`): a measure's total per year as bars, drawn by the
dashboard's SVG bar chart (`charts.bar_chart`) from the published (suppressed) totals, so a
hidden total is drawn as an empty dashed bar labelled "<5" or "x", never at its size. The table
under the chart is what screen readers read."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ssp.reports import charts
from ssp.reports.tables import SuppressedTable


def trend_chart(table: SuppressedTable) -> SafeString:
    """One bar per year: the table's "I alt" row (its column totals)."""
    totals = table.column_totals or ["" for _label in table.column_labels]
    return charts.bar_chart(
        title=_("%(title)s, i alt pr. år") % {"title": table.title},
        categories=table.column_labels,
        series=[_("I alt")],
        cells=[[total] for total in totals],
    )
