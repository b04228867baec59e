"""Take the README's screenshots from a running server (`make screenshots` starts one).

Usage: python docs/screenshots/take.py http://127.0.0.1:8000
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SHOTS = [
    ("koordinator", "/organisation/aadal/", "organisation-chart.png"),
    ("koordinator", "forum:koordinationsgruppe", "forum.png"),
    ("laerer", "/organisation/aadal/kontakt/distrikt/oest/", "contact.png"),
    ("laerer", "/bekymringer/ny/", "concern-form.png"),
    ("koordinator", "case:Ali Berg Hansen", "case.png"),
    ("socialraadgiver", "/", "start-page.png"),
    ("koordinator", "meeting:agenda", "agenda.png"),
    ("koordinator", "meeting:minutes", "minutes-form.png"),
    ("politiker", "public:protocol", "public-protocol.png"),
    ("koordinator", "/politi/", "weekly-review.png"),
    ("koordinator", "/frister/", "deadline-board.png"),
    ("laerer", "/forebyggelse/?alder=9&trin=2", "prevention-catalogue.png"),
    ("koordinator", "intervention:Cool Kids", "intervention.png"),
    ("koordinator", "plan:Distrikt Øst", "annual-plan.png"),
    ("laerer", "/forebyggelse/kalender/", "prevention-calendar.png"),
    ("politiker", "/rapporter/oversigt/", "reports-dashboard.png"),
    ("politiker", "report:published", "annual-report.png"),
    ("politiker", "/rapporter/effekt/", "reports-effect.png"),
    ("koordinator", "/organisation/aadal/opsaetning/regler/", "configuration-rules.png"),
    ("laerer", "/organisation/aadal/vejledning/", "ssp-guide.png"),
    ("laerer", "/tip/aadal/", "tip-form.png"),
]


def main(base: str) -> None:
    chromium = os.environ.get("SSP_E2E_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for username, path, filename in SHOTS:
            context = browser.new_context(
                base_url=base, locale="da-DK", viewport={"width": 1200, "height": 800}
            )
            page = context.new_page()
            page.goto("/konto/login/")
            page.get_by_label("Brugernavn").fill(username)
            page.get_by_label("Adgangskode").fill("demo")
            page.get_by_role("button", name="Log ind").click()
            if path.startswith("forum:"):
                page.goto("/organisation/aadal/")
                page.get_by_test_id("org-chart").get_by_role(
                    "link", name="SSP Koordinationsgruppen"
                ).click()
            elif path.startswith("meeting:"):
                page.goto("/moeder/")
                # Minutes are written for a meeting that has begun: a recent one.
                listed = "past" if path == "meeting:minutes" else "upcoming"
                page.get_by_test_id(listed).get_by_role("link").filter(
                    has_text="Distrikt Øst"
                ).first.click()
                if path == "meeting:minutes":
                    page.get_by_test_id("minutes-link").click()
            elif path.startswith("intervention:"):
                page.goto("/forebyggelse/")
                page.get_by_role("link", name=path.partition(":")[2], exact=True).first.click()
            elif path.startswith("plan:"):
                page.goto("/forebyggelse/aarsplaner/")
                page.get_by_test_id("plan").filter(
                    has_text=path.partition(":")[2]
                ).first.get_by_role("link").click()
            elif path.startswith("report:"):
                page.goto("/rapporter/")
                page.get_by_test_id("report-row").first.get_by_role("link").click()
            elif path.startswith("public:"):
                page.context.clear_cookies()
                page.goto("/offentlig/aadal/moeder/")
                page.get_by_test_id("public-meetings").get_by_role("link").first.click()
            elif path.startswith("case:"):
                page.goto("/sager/")
                page.get_by_test_id("cases").get_by_role("link").filter(
                    has_text=path.removeprefix("case:")
                ).first.click()
            else:
                page.goto(path)
            page.screenshot(path=str(HERE / filename), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
