"""Server-rendered SVG bar charts for the dashboard: a string of SVG built here, with every label
escaped; no script, no style sheet, no network. Each chart is drawn from a published
(`SuppressedTable`) table and shown above that table, which is what screen readers read: the
SVG is an image with a short title (`role="img"`).

A cell that is not a number ("<5", "x", "–") is drawn as an empty, dashed bar labelled with the
cell's text, so a suppressed count is never drawn at its size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 280
LEFT = 48
RIGHT = 16
TOP = 16
BOTTOM = 64  # room for the category labels and the legend
EMPTY_BAR = 24  # the height of a bar drawn for a cell that is not a number
# Accessible colours on white (WCAG 2.1 AA against white, and told apart by the legend text).
COLOURS = ("#0059b3", "#7f7f7f", "#008139", "#c05600")

NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


def cell_value(text: str) -> float | None:
    """The number a published cell shows ("12", "83 %"), or None ("<5", "x", "–", "")."""
    match = NUMBER.match(text)
    if match is None:
        return None
    return float(match.group(1).replace(",", "."))


def _scale_max(values: list[float], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    # A round top: 1, 2 or 5 times a power of ten.
    step = 1.0
    while step * 10 <= top:
        step *= 10
    for factor in (1, 2, 5, 10):
        if top <= step * factor:
            return step * factor
    return top  # pragma: no cover


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[str]],
    max_value: float | None = None,
    unit: str = "",
) -> SafeString:
    """Grouped bars: one group per category (a row of `cells`), one bar per series (a column),
    labelled with the cell's text. `max_value` fixes the scale (100 for shares)."""
    values = [[cell_value(text) for text in row] for row in cells]
    top = _scale_max([v for row in values for v in row if v is not None], max_value)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    group_width = plot_width / max(len(categories), 1)
    bar_width = min(40.0, group_width * 0.8 / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ssp-bar-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        # The axis: the baseline and the top of the scale.
        f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}" '
        f'stroke="#545454" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}" '
        f'stroke="#d9d9d9" stroke-width="1"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12" '
        f'fill="#1a1a1a">{escape(_number(top) + unit)}</text>',
        f'<text x="{LEFT - 6}" y="{baseline + 4}" text-anchor="end" font-size="12" '
        f'fill="#1a1a1a">0</text>',
    ]
    for index, (category, row_values, row_texts) in enumerate(
        zip(categories, values, cells, strict=True)
    ):
        group_left = LEFT + index * group_width
        bars_left = group_left + (group_width - bar_width * len(series)) / 2
        for number, (value, text) in enumerate(zip(row_values, row_texts, strict=True)):
            x = bars_left + number * bar_width
            colour = COLOURS[number % len(COLOURS)]
            if value is None:
                if not text.strip() or text.strip() == "–":
                    continue  # nothing to draw (a quarter still to come)
                height = float(EMPTY_BAR)
                parts.append(
                    f'<rect x="{x + 2:.1f}" y="{baseline - height:.1f}" '
                    f'width="{bar_width - 4:.1f}" height="{height:.1f}" fill="none" '
                    f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
                )
            else:
                height = plot_height * min(value, top) / top
                parts.append(
                    f'<rect x="{x + 2:.1f}" y="{baseline - height:.1f}" '
                    f'width="{bar_width - 4:.1f}" height="{height:.1f}" fill="{colour}"/>'
                )
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{baseline - height - 4:.1f}" '
                f'text-anchor="middle" font-size="12" fill="#1a1a1a">{escape(text)}</text>'
            )
        parts.append(
            f'<text x="{group_left + group_width / 2:.1f}" y="{baseline + 18}" '
            f'text-anchor="middle" font-size="13" fill="#1a1a1a">{escape(category)}</text>'
        )
    # The legend, under the categories.
    legend_x = float(LEFT)
    for number, name in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        parts.append(
            f'<rect x="{legend_x:.1f}" y="{HEIGHT - 22}" width="14" height="14" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 20:.1f}" y="{HEIGHT - 10}" font-size="13" '
            f'fill="#1a1a1a">{escape(name)}</text>'
        )
        legend_x += 28 + 8 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
