"""The accessibility checks shared by the route test (tests/e2e/test_a11y_routes.py, run by
`make test`) and the link crawl (tests/a11y/crawl.py, run by `make a11y`).

On a loaded page: axe-core with the WCAG 2.1 A/AA tags at 1280 px; then the viewport narrows to
390 px (no second load), axe runs again and the page must not scroll sideways. Any violation
counts, whatever its impact; `aria-valid-attr-value` and `duplicate-id-aria` count also when
axe can only call them "incomplete".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules whose "incomplete" results count as violations too (axe cannot always decide them).
STRICT_RULES = ["aria-valid-attr-value", "duplicate-id-aria"]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW_RULE = "overflow-390px"

# axe's own options: the WCAG 2.1 A/AA tags, and the two strict rules named explicitly.
AXE_RUN = """async ([tags, strict]) => {
    const rules = Object.fromEntries(strict.map((id) => [id, {enabled: true}]));
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations', 'incomplete'],
    });
    const found = result.violations.concat(
        result.incomplete.filter((r) => strict.includes(r.id)));
    return found.map((r) => ({
        id: r.id, impact: r.impact || '', count: r.nodes.length,
        node: r.nodes[0].target.join(' '), html: r.nodes[0].html.slice(0, 160),
    }));
}"""

# The sideways overflow and the element reaching furthest right beyond the window (preferring
# one that no scrolling box clips, which is what widens the page).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const overflow = document.documentElement.scrollWidth - width;
    if (overflow <= 0) return null;
    const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
    };
    const beyond = [...document.body.querySelectorAll('*')]
        .map((el) => [el, el.getBoundingClientRect().right])
        .filter(([el, r]) => r > width);
    const free = beyond.filter(([el]) => !clipped(el));
    let widest = null, right = width;
    for (const [el, r] of (free.length ? free : beyond)) {
        if (r > right || (widest && r === right && widest.contains(el))) { widest = el; right = r; }
    }
    const path = (el) => {
        const parts = [];
        for (; el && el !== document.body; el = el.parentElement) {
            parts.unshift(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.classList.length ? '.' + [...el.classList].join('.') : ''));
        }
        return parts.slice(-4).join(' > ');
    };
    return {overflow, element: widest ? path(widest) : '?', right: Math.round(right)};
}"""

SETTLE = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass(frozen=True)
class Problem:
    width: int
    rule: str
    impact: str
    nodes: int
    where: str

    def __str__(self) -> str:
        return f"{self.width}px {self.rule} ({self.impact}, {self.nodes} nodes): {self.where}"


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _axe(page: Page, width: int) -> list[Problem]:
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, [WCAG_TAGS, STRICT_RULES])
    return [
        Problem(width, item["id"], item["impact"], item["count"], f"{item['node']} {item['html']}")
        for item in found
    ]


def check_page(page: Page) -> list[Problem]:
    """axe at 1280 px, then axe and the overflow check at 390 px, on the page loaded at 1280 px
    (the viewport is 1280 px again afterwards)."""
    page.evaluate(axe_source())  # once per page load; the app's CSP is bypassed by the context
    problems = _axe(page, DESKTOP["width"])
    page.set_viewport_size(PHONE)
    page.evaluate(SETTLE)
    problems += _axe(page, PHONE["width"])
    overflow = page.evaluate(OVERFLOW)
    if overflow is not None:
        problems.append(
            Problem(
                PHONE["width"],
                OVERFLOW_RULE,
                "",
                1,
                f"by {overflow['overflow']}px, {overflow['element']} reaches {overflow['right']}px",
            )
        )
    page.set_viewport_size(DESKTOP)
    return problems
