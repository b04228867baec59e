"""Issue 15 points 5 and 6: a polished, accessible Danish UI, checked in the served HTML."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from ssp.cases.models import Case, CaseStatus, Concern, ConcernSource, Outcome
from ssp.meetings.models import Meeting
from ssp.organisation.models import Forum
from ssp.police.imports import join_problems
from ssp.templatetags.ssp_dates import dansk_dato

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    """The ids of a page, the ids its aria-describedby attributes point at, and its title."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.described_by: list[str] = []
        self.current: list[tuple[str, str]] = []  # the menu's links marked as the current page
        self.title = ""
        self._in_title = False
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        if "aria-describedby" in values:
            self.described_by.extend(values["aria-describedby"].split())
        if values.get("aria-current") == "page" and "nav-link" in values.get("class", ""):
            self.current.append((tag, values.get("href", "")))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse(client: Client, url: str) -> Ids:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Ids()
    parser.feed(response.content.decode())
    return parser


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def emil_concern() -> Concern:
    return Concern.objects.get(young_person__first_name="Emil", source=ConcernSource.WORKSHEET)


def pages(demo: Any) -> dict[str, str]:
    return {
        "concern form": reverse("cases:concern_new"),
        "concern page": reverse("cases:concern_detail", args=[emil_concern().pk]),
        "case page": reverse("cases:case_detail", args=[ali_case().pk]),
        "rules": reverse("organisation:config_rules", args=[demo.slug]),
    }


def test_every_aria_describedby_points_at_an_element_of_the_page(
    demo: Any, client_for: Any
) -> None:
    client = client_for("koordinator")
    missing = {}
    for name, url in pages(demo).items():
        page = parse(client, url)
        absent = [i for i in page.described_by if i not in page.ids]
        if absent:
            missing[name] = absent
    assert missing == {}


def test_no_page_has_duplicate_ids(demo: Any, client_for: Any) -> None:
    client = client_for("koordinator")
    doubled = {}
    for name, url in pages(demo).items():
        counts = Counter(parse(client, url).ids)
        twice = sorted(i for i, n in counts.items() if n > 1)
        if twice:
            doubled[name] = twice
    assert doubled == {}


def test_the_forms_a_case_page_loads_on_demand_do_not_repeat_its_ids(client_for: Any) -> None:
    """The task, disclosure, ad hoc and escalation forms are fetched into the case page (htmx):
    their ids must not clash with the page's own (`id_given_by` was on both the consent form and
    the disclosure form)."""
    client = client_for("koordinator")
    case = ali_case()
    page = Counter(parse(client, reverse("cases:case_detail", args=[case.pk])).ids)
    clashes = {}
    for name in (
        "cases:task_new",
        "cases:disclosure_new",
        "cases:adhoc_new",
        "cases:case_escalate",
    ):
        response = client.get(reverse(name, args=[case.pk]), headers={"HX-Request": "true"})
        assert response.status_code == 200, name
        fragment = Ids()
        fragment.feed(response.content.decode())
        assert fragment.ids, name
        same = sorted(set(fragment.ids) & set(page))
        if same:
            clashes[name] = same
    assert clashes == {}


def test_the_menu_marks_the_current_page_for_screen_readers(demo: Any, client_for: Any) -> None:
    client = client_for("koordinator")
    cases = parse(client, reverse("cases:case_list"))
    assert cases.current == [("a", reverse("cases:case_list"))]
    concerns = parse(client, reverse("cases:concern_detail", args=[emil_concern().pk]))
    assert concerns.current == [("a", reverse("cases:concern_list"))]
    meetings = parse(client, reverse("meetings:list"))
    assert meetings.current == [("a", reverse("meetings:list"))]


def test_every_page_links_the_favicon_and_the_file_is_an_svg(client_for: Any) -> None:
    html = client_for("koordinator").get(reverse("home")).content.decode()
    href = static("ssp/favicon.svg")
    assert f'<link rel="icon" href="{href}" type="image/svg+xml">' in html
    path = finders.find("ssp/favicon.svg")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize(
    ("url_name", "region"),
    [("police:review", "routed-region"), ("police:counts", "counts-region")],
)
def test_police_tables_that_may_scroll_are_focusable_labelled_regions(
    demo: Any, client_for: Any, url_name: str, region: str
) -> None:
    html = client_for("koordinator").get(reverse(url_name)).content.decode()
    assert 'tabindex="0" role="region" aria-label="' in html
    assert f'data-testid="{region}"' in html


def test_the_forum_tables_are_focusable_labelled_regions(demo: Any, client_for: Any) -> None:
    forum = Forum.objects.get(municipality=demo, key="ssp-team")
    html = client_for("koordinator").get(reverse("organisation:forum", args=[forum.pk])).content
    text = html.decode()
    for testid, label in (("members-region", "Medlemmer"), ("seats-region", "Sammensætning")):
        assert f'tabindex="0" role="region" aria-label="{label}" data-testid="{testid}"' in text, (
            testid
        )


def test_meeting_and_case_pages_have_titles_of_their_own(demo: Any, client_for: Any) -> None:
    """Minutes pages were all "Referat – Ådal Kommune": each names its meeting and date."""
    client = client_for("koordinator")
    meetings = Meeting.objects.filter(forum__municipality=demo).order_by("starts_at")[:6]
    assert len(meetings) == 6
    urls = [reverse("meetings:minutes", args=[m.pk]) for m in meetings]
    urls += [reverse("meetings:detail", args=[m.pk]) for m in meetings]
    urls += [reverse("cases:case_detail", args=[c.pk]) for c in Case.objects.all()[:4]]
    urls += [reverse("cases:case_close", args=[c.pk]) for c in Case.objects.all()[:2]]
    titles = {url: parse(client, url).title for url in urls}
    shared = {t: n for t, n in Counter(titles.values()).items() if n > 1}
    assert shared == {}
    first = meetings[0]
    minutes_title = titles[reverse("meetings:minutes", args=[first.pk])]
    assert minutes_title.startswith(f"Referat – {first.display_title} ")
    assert dansk_dato(first.starts_at) in minutes_title


def test_a_rows_problems_are_joined_without_a_full_stop_before_the_separator() -> None:
    message = join_problems(
        ["CPR-nummeret indeholder ikke en gyldig fødselsdato.", "datoen er ugyldig", ""]
    )
    assert message == "CPR-nummeret indeholder ikke en gyldig fødselsdato; datoen er ugyldig"
    assert ".;" not in message


@pytest.mark.parametrize("partners", ["Skolen og politiet.", "Skolen og politiet", ""])
def test_a_closed_cases_evaluation_has_no_stray_punctuation(client_for: Any, partners: str) -> None:
    case = ali_case()
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        evaluation_outcome=Outcome.values[0],
        evaluation_partners=partners,
    )
    html = client_for("koordinator").get(reverse("cases:case_detail", args=[case.pk])).content
    text = html.decode()
    assert ".." not in text.split("<h2>Evaluering</h2>", 1)[1].split("</p>", 1)[0]
    assert "Samarbejdspartnere: ." not in text
    if partners:
        assert "Samarbejdspartnere: Skolen og politiet." in text
    else:
        assert "Samarbejdspartnere:" not in text


ROOT = Path(__file__).resolve().parents[1]


def make_dry_run(*args: str) -> list[str]:
    """The commands `make` would run (nothing is run: -n)."""
    # Run as a top-level make even when the tests themselves run under `make test` (CI): the
    # outer make's variables would otherwise add "make[1]: Entering directory" lines.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"}
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return [line for line in done.stdout.splitlines() if not line.startswith("make")]


def test_make_run_takes_another_port_and_the_readme_says_so() -> None:
    assert make_dry_run("run", "PORT=8080")[-1].endswith("manage.py runserver 127.0.0.1:8080")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=8080" in readme


def test_manage_commands_outside_make_are_explained_and_have_a_target() -> None:
    assert make_dry_run("manage", "CMD=check")[-1] == "DEBUG=1 .venv/bin/python manage.py check"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "DEBUG=1 .venv/bin/python manage.py COMMAND" in readme
    assert 'make manage CMD="createsuperuser"' in readme
