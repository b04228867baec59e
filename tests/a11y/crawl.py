"""Every page each demo role reaches by links, checked for accessibility (`make a11y`).

Usage: python tests/a11y/crawl.py http://127.0.0.1:8766 [--limit 2000] [--roles koordinator,...]

Against a running server with the demo data (`make a11y` starts one), each demo role logs in and
follows same-origin GET links breadth-first from the start page, at most --limit pages per role.
It never follows the logout link (logging out is a POST anyway) and skips downloads (PDF, Excel,
CSV, iCal, attachments) and fragments. A path is visited with at most --variants different
query strings (filters, pages, weeks), so calendars and pagination cannot run away. Every page
gets the checks of tests/a11y/checks.py (axe with WCAG 2.1 A/AA at 1280 and 390 px, no sideways
scrolling at 390 px); an answer other than 200 is counted and listed, not checked (the demo
server runs with DEBUG, so a 404 is Django's technical page). Prints pages per role, violations
per rule and the time; exits 1 when any page has a problem.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict, deque
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

from playwright.sync_api import Browser, Error, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.a11y.checks import DESKTOP, Problem, check_page  # noqa: E402

ROLES = (
    "koordinator",
    "laerer",
    "socialraadgiver",
    "politi",
    "boligsocial",
    "politiker",
    "admin",
    "tilsyn",
)
DOWNLOAD_ENDINGS = (".pdf", ".xlsx", ".csv", ".ics", "/pdf/", "/excel/", "/csv/")
NEVER = ("/konto/logout/", "/admin/logout/")
LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter((a) => !a.hasAttribute('download'))
    .map((a) => a.href)"""


def is_download(path: str) -> bool:
    return path.lower().endswith(DOWNLOAD_ENDINGS) or "/vedhaeftning" in path


class Crawl:
    def __init__(self, base: str, limit: int, variants: int) -> None:
        self.base = base.rstrip("/")
        self.origin = urlsplit(self.base).netloc
        self.limit = limit
        self.variants = variants

    def _follow(self, href: str) -> str | None:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or parts.netloc != self.origin:
            return None
        if parts.path in NEVER or is_download(parts.path):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def role(
        self, browser: Browser, username: str
    ) -> tuple[dict[str, list[Problem]], Counter[str]]:
        context = browser.new_context(
            base_url=self.base, locale="da-DK", viewport=DESKTOP, bypass_csp=True
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        log_in(page, username)
        problems: dict[str, list[Problem]] = {}
        counts: Counter[str] = Counter()
        queue = deque(["/"])
        seen = {"/"}
        per_path: Counter[str] = Counter({"/": 1})
        while queue and counts["checked"] < self.limit:
            url = queue.popleft()
            found = self._visit(page, url, counts)
            if found is None:
                continue
            if found:
                problems[url] = found
                for problem in found:  # as they come, for a long run
                    print(f"  {username} {url}: {problem}", file=sys.stderr, flush=True)
            for href in page.evaluate(LINKS):
                target = self._follow(urljoin(self.base + url, href))
                if target is None or target in seen:
                    continue
                path = target.partition("?")[0]
                if per_path[path] >= self.variants:
                    counts["variants left out"] += 1
                    continue
                per_path[path] += 1
                seen.add(target)
                queue.append(target)
        counts["not reached (limit)"] = len(queue)
        context.close()
        return problems, counts

    def _visit(self, page: Page, url: str, counts: Counter[str]) -> list[Problem] | None:
        try:
            response = page.goto(url)
        except Error as error:  # a download starting, or a page that never loads
            counts["download" if "Download is starting" in str(error) else "failed"] += 1
            return None
        if response is None:
            counts["failed"] += 1
            return None
        if not response.headers.get("content-type", "").startswith("text/html"):
            counts["not HTML"] += 1
            return None
        if response.status != 200:
            # Under DEBUG (the demo server) a 404 or 500 is Django's technical page, not ours.
            counts[f"status {response.status}"] += 1
            print(f"  {url}: status {response.status}", file=sys.stderr, flush=True)
            return None
        if "/konto/login/" in page.url:
            counts["sent to login"] += 1
            return None
        counts["checked"] += 1
        return check_page(page)


def log_in(page: Page, username: str) -> None:
    page.goto("/konto/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/konto/login/" not in url)


def wait_for(base: str, seconds: int = 60) -> None:
    """Until the server started next to us answers its login page."""
    for _attempt in range(seconds * 2):
        try:
            with urlopen(f"{base.rstrip('/')}/konto/login/", timeout=5):  # noqa: S310
                return
        except (URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"no server answers at {base}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Check every page each demo role reaches.")
    parser.add_argument("base", help="the running server, e.g. http://127.0.0.1:8766")
    parser.add_argument("--limit", type=int, default=2000, help="pages per role (2000)")
    parser.add_argument("--variants", type=int, default=3, help="query strings per path (3)")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated demo roles")
    args = parser.parse_args()
    wait_for(args.base)
    crawl = Crawl(args.base, args.limit, args.variants)
    chromium = os.environ.get("SSP_E2E_CHROMIUM", "/usr/bin/chromium")
    started = time.monotonic()
    per_rule: Counter[str] = Counter()
    pages_per_rule: dict[str, set[str]] = defaultdict(set)
    details: list[str] = []
    total = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for username in args.roles.split(","):
            role_started = time.monotonic()
            problems, counts = crawl.role(browser, username)
            total += counts["checked"]
            others = ", ".join(
                f"{key} {n}" for key, n in sorted(counts.items()) if key != "checked"
            )
            print(
                f"{username:16} {counts['checked']:5} pages, {len(problems):4} with problems, "
                f"{time.monotonic() - role_started:6.1f} s  ({others})",
                flush=True,
            )
            for url, found in problems.items():
                for problem in found:
                    key = f"{problem.rule} @{problem.width}px"
                    per_rule[key] += problem.nodes
                    pages_per_rule[key].add(url.partition("?")[0])
                    details.append(f"  {username} {url}: {problem}")
        browser.close()
    print(f"\n{total} pages checked in {time.monotonic() - started:.0f} s")
    if per_rule:
        print("\nViolations per rule (nodes; distinct paths):")
        for key, nodes in per_rule.most_common():
            print(f"  {key:45} {nodes:5} nodes on {len(pages_per_rule[key]):4} paths")
        print("\nDetails:")
        print("\n".join(details))
        return 1
    print("No violations.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
