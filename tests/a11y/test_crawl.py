"""The link crawl of `make a11y` (tests/a11y/crawl.py) follows only what it should."""

from __future__ import annotations

from tests.a11y.crawl import Crawl, is_download
from tests.test_ui_polish import make_dry_run


def test_downloads_are_recognised_by_their_address() -> None:
    assert is_download("/rapporter/2025/pdf/")
    assert is_download("/aarsplaner/3/excel/")
    assert is_download("/kalender/abc.ics")
    assert is_download("/netvaerkssamraad/1/brev.pdf")
    assert not is_download("/rapporter/2025/")


def test_only_same_origin_pages_are_followed_and_never_the_logout() -> None:
    crawl = Crawl("http://127.0.0.1:8766/", limit=10, variants=3)
    assert crawl._follow("http://127.0.0.1:8766/sager/4/#opgaver") == "/sager/4/"
    assert crawl._follow("http://127.0.0.1:8766/moeder/?uge=2") == "/moeder/?uge=2"
    assert crawl._follow("http://example.org/sager/") is None
    assert crawl._follow("mailto:a@example.org") is None
    assert crawl._follow("http://127.0.0.1:8766/konto/logout/") is None
    assert crawl._follow("http://127.0.0.1:8766/admin/logout/") is None
    assert crawl._follow("http://127.0.0.1:8766/rapporter/2025/excel/") is None


def test_make_a11y_starts_a_demo_server_and_crawls_it() -> None:
    commands = "\n".join(make_dry_run("a11y", "A11Y_ARGS=--roles laerer"))
    assert "seed_demo" in commands
    assert "runserver 127.0.0.1:8766" in commands
    assert "tests/a11y/crawl.py http://127.0.0.1:8766 --roles laerer" in commands
