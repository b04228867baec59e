"""Issue 10, part 9: Django's admin shows no personal data to the system administrator.

The crawler logs in as the demo `admin` and follows every link under /admin/ (change lists, one
filter or page at a time, change forms, add forms, history, delete confirmations), posts the
bulk delete action for the objects of every change list (never confirming it), searches every
change list and the autocomplete for each demo young person's name, and finds no young person's
name, custody holder, task text, police journal number or concern text anywhere.

Deleting an organisation record with personal data behind it (a municipality, a member who owns
tasks, a forum with cases) is refused with the reason; one without (a unit) may be deleted.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from ssp.audit.admin import AuditedAdmin, holds_personal_data
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Concern, CustodyHolder, Task, YoungPerson
from ssp.organisation.models import (
    AdhocSubject,
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Membership,
    Municipality,
    Unit,
)
from ssp.police.models import PoliceReport

pytestmark = pytest.mark.django_db

ADMIN_ROOT = "/admin/"
# Parameters that change the order or the popup dress of a page, not what it shows.
PRESENTATION_PARAMETERS = {"o", "_changelist_filters", "_popup", "_to_field"}
# Never followed: they end the session or leave the admin (view on site).
NOT_FOLLOWED = ("/admin/logout/", "/admin/r/")
PAGE_LIMIT = 3000
CHANGE_LIST = re.compile(r"^/admin/(\w+)/(\w+)/$")
SELECTED = re.compile(r'name="_selected_action" value="([^"]+)"')


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links_in(page: str, base: str) -> Iterator[str]:
    """The admin pages a page links to, with presentation parameters dropped."""
    parser = _Links()
    parser.feed(page)
    for href in parser.hrefs:
        parts = urlsplit(href)  # the parser has already unescaped the attribute
        if parts.scheme or parts.netloc or href.startswith(("#", "javascript:")):
            continue
        path = parts.path or urlsplit(base).path
        if not path.startswith("/"):
            path = urlsplit(base).path.rsplit("/", 1)[0] + "/" + path
        if not path.startswith(ADMIN_ROOT) or path.startswith(NOT_FOLLOWED):
            continue
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in PRESENTATION_PARAMETERS]
        # One filter (or page) at a time: every combination shows a subset of these rows.
        if len(query) <= 1:
            yield path + (f"?{urlencode(query)}" if query else "")


def personal_texts() -> dict[str, re.Pattern[str]]:
    """What must never appear: each demo person's name, task text, journal number, concern."""
    staff_words = {
        word.lower()
        for name in [*Member.objects.values_list("name", flat=True)]
        + [f"{u.first_name} {u.last_name}" for u in User.objects.all()]
        for word in name.split()
    }
    people = [
        f"{first} {last}"
        for first, last in YoungPerson.objects.values_list("first_name", "last_name")
    ]
    people += list(CustodyHolder.objects.values_list("name", flat=True))
    # Each name whole, and each of its words that no member of staff shares (a member named
    # Berg is no leak of a child named Berg).
    words = {word for name in people for word in name.split() if word.lower() not in staff_words}
    words.update(people)
    texts = {word: re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE) for word in words}
    adhoc_texts = Forum.objects.filter(forum_type=ForumType.ADHOC).values_list(
        "adhoc_task", "adhoc_result"
    )
    phrases = [
        *(text for pair in adhoc_texts for text in pair),
        *Task.objects.values_list("description", flat=True),
        *PoliceReport.objects.values_list("police_reference", flat=True),
        *(concern.description for concern in Concern.objects.all()),
        *Concern.objects.exclude(reported_name="").values_list("reported_name", flat=True),
    ]
    for phrase in phrases:
        if phrase.strip():
            texts[phrase] = re.compile(re.escape(phrase.strip()), re.IGNORECASE)
    return texts


def leaks_in(text: str, texts: dict[str, re.Pattern[str]]) -> list[str]:
    plain = html.unescape(text)
    return sorted(name for name, pattern in texts.items() if pattern.search(plain))


ADHOC_TASK = "Samtaler med Ali og hans forældre om hærværket"


def an_adhoc_group(municipality: Municipality) -> Forum:
    """An ad hoc action group whose task names a young person, with one member."""
    parent = Forum.objects.filter(municipality=municipality).exclude(forum_type=ForumType.ADHOC)[0]
    group = Forum.objects.create(
        municipality=municipality,
        key="adhoc-privacy-test",
        name="Ad hoc handlegruppe, privatlivstest",
        forum_type=ForumType.ADHOC,
        level=parent.level,
        cadence=Cadence.ADHOC,
        parent=parent,
        may_discuss_individuals=True,
        adhoc_subject=AdhocSubject.PERSON,
        adhoc_task=ADHOC_TASK,
    )
    Membership.objects.create(
        forum=group, member=Member.objects.filter(user__username="koordinator").get()
    )
    return group


@pytest.fixture
def admin_client(demo: Municipality, users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users["admin"])
    return client


def crawl(client: Client) -> dict[str, str]:
    """Every admin page reachable by links from /admin/: {url: body}."""
    pages: dict[str, str] = {}
    queue = [ADMIN_ROOT]
    while queue:
        url = queue.pop()
        if url in pages:
            continue
        assert len(pages) < PAGE_LIMIT, "the crawl does not end"
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode() if response.status_code == 200 else ""
        pages[url] = body
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue.extend(link for link in links_in(body, url) if link not in pages)
    return pages


def bulk_delete_confirmations(client: Client, pages: dict[str, str]) -> dict[str, str]:
    """The bulk delete action on each change list's objects, not confirmed (no `post`)."""
    confirmations: dict[str, str] = {}
    for url, body in pages.items():
        selected = SELECTED.findall(body)
        if not CHANGE_LIST.match(url) or not selected:
            continue
        response = client.post(url, {"action": "delete_selected", "_selected_action": selected})
        assert response.status_code in {200, 302}, url
        confirmations[f"POST {url} delete_selected"] = response.content.decode()
    return confirmations


def searches(client: Client, pages: dict[str, str]) -> dict[str, str]:
    """Every change list's search, and the autocomplete, asked for each young person.

    The search box echoes the term, so the term is taken out of the answer before it is
    checked: what is left must still name no one (the rest of a full name, a task text...).
    """
    found: dict[str, str] = {}
    names = list(YoungPerson.objects.values_list("first_name", "last_name"))
    lists = [url for url, body in pages.items() if CHANGE_LIST.match(url) and 'name="q"' in body]
    autocompletes = [
        "app_label=organisation&model_name=membership&field_name=member",
        "app_label=organisation&model_name=membership&field_name=forum",
        "app_label=organisation&model_name=unit&field_name=ssp_contact",
        "app_label=organisation&model_name=member&field_name=user",
    ]
    for first, last in names:
        for term in (first, last):
            for url in lists:
                answer = client.get(url, {"q": term}).content.decode()
                for echo in (term, quote_plus(term), quote(term)):
                    answer = html.unescape(answer).replace(echo, "")
                found[f"{url}?q={term}"] = answer
            for query in autocompletes:
                response = client.get(f"{reverse('admin:autocomplete')}?{query}&term={term}")
                assert response.status_code == 200, query
                found[f"autocomplete {query} {term}"] = json.dumps(
                    response.json(), ensure_ascii=False
                )
    return found


def test_the_admin_shows_no_personal_data_on_any_page_reachable_from_its_index(
    admin_client: Client, demo: Municipality
) -> None:
    group = an_adhoc_group(demo)
    # History to show: a change to every organisation record the demo has, and the ad hoc
    # group's, as the admin records it (LogEntry, shown on history pages and the index).
    admin_user = User.objects.get(username="admin")
    for model in (Municipality, Unit, Forum, Member, Membership):
        LogEntry.objects.log_actions(
            user_id=admin_user.pk,
            queryset=model._default_manager.all(),
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["name"]}}],
        )
    LogEntry.objects.log_actions(user_id=admin_user.pk, queryset=[group], action_flag=CHANGE)
    texts = personal_texts()
    assert {"Bekymringssamtale med Ali", "Ali", ADHOC_TASK} <= set(texts)
    pages = crawl(admin_client)
    # The crawl reached every kind of page, so that an empty result means something.
    for kind in ("/change/", "/history/", "/delete/", "/add/"):
        assert any(kind in url for url in pages), kind
    assert "/admin/organisation/municipality/" in pages
    visited = {
        **pages,
        **bulk_delete_confirmations(admin_client, pages),
        **searches(admin_client, pages),
    }
    leaks = {url: found for url, body in visited.items() if (found := leaks_in(body, texts))}
    assert leaks == {}


def test_repro_municipality_delete_page_lists_no_young_person(
    admin_client: Client, demo: Municipality
) -> None:
    """GET /admin/organisation/municipality/1/delete/ listed every young person by name."""
    url = reverse("admin:organisation_municipality_delete", args=[demo.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert leaks_in(response.content.decode(), personal_texts()) == []


def test_repro_member_delete_page_shows_no_task_text(admin_client: Client) -> None:
    """/admin/organisation/member/4/delete/ showed the task "Bekymringssamtale med Ali"."""
    owner = Task.objects.get(description="Bekymringssamtale med Ali").owner
    response = admin_client.get(reverse("admin:organisation_member_delete", args=[owner.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bekymringssamtale" not in body
    assert leaks_in(body, personal_texts()) == []


# --- What is registered ---------------------------------------------------------------------


def test_no_model_with_personal_data_is_registered_in_the_admin() -> None:
    """So no change list, form, search or autocomplete can show one."""
    registered = {model._meta.label for model in admin.site._registry}
    assert {label for label in registered if holds_personal_data(apps.get_model(label))} == set()


def test_every_admin_of_the_platforms_models_is_audited() -> None:
    """An AuditedAdmin records its changes and summarises its delete confirmations."""
    ours = {"organisation", "accounts", "auth"}
    plain = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours and not isinstance(model_admin, AuditedAdmin)
    }
    assert plain == set()


# --- Deletion: refused with the reason where personal data hangs on the record -------------

REFUSED = "Kan ikke slettes: der er personoplysninger knyttet til"


def test_it_refuses_to_delete_a_municipality_with_personal_data(
    admin_client: Client, demo: Municipality
) -> None:
    url = reverse("admin:organisation_municipality_delete", args=[demo.pk])
    page = admin_client.get(url).content.decode()
    assert REFUSED in page
    assert f"Unge: {YoungPerson.objects.filter(municipality=demo).count()}" in page
    assert 'name="post"' not in page  # no button to confirm
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Municipality.objects.filter(pk=demo.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ADMIN_DELETED).exists()


def test_it_refuses_to_delete_a_member_who_owns_tasks_and_says_what_to_do_instead(
    admin_client: Client,
) -> None:
    owner = Task.objects.get(description="Bekymringssamtale med Ali").owner
    url = reverse("admin:organisation_member_delete", args=[owner.pk])
    response = admin_client.post(url, {"post": "yes"})
    page = response.content.decode()
    assert REFUSED in page and "deaktivér brugeren" in page
    assert "Opgaver: 1" in page
    assert Member.objects.filter(pk=owner.pk).exists()


def test_it_refuses_the_bulk_deletion_of_members_with_personal_data(
    admin_client: Client, demo: Municipality
) -> None:
    members = list(Member.objects.filter(municipality=demo).values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:organisation_member_changelist"),
        {"action": "delete_selected", "_selected_action": members, "post": "yes"},
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Member.objects.filter(pk__in=members).count() == len(members)


def test_it_deletes_a_forum_without_personal_data_and_shows_only_counts(
    admin_client: Client, demo: Municipality
) -> None:
    forum = Forum.objects.create(
        municipality=demo,
        key="nyt-forum",
        name="Nyt forum",
        forum_type=ForumType.OTHER,
        level=ForumLevel.OPERATIONAL,
        cadence=Cadence.ADHOC,
    )
    member = Member.objects.filter(municipality=demo)[0]
    Membership.objects.create(forum=forum, member=member)
    url = reverse("admin:organisation_forum_delete", args=[forum.pk])
    page = admin_client.get(url).content.decode()
    assert REFUSED not in page and 'name="post"' in page
    assert "Medlemskaber: 1" in page and "Fora: 1" in page
    assert member.name not in page  # counts, not names, even of staff
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Forum.objects.filter(pk=forum.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_DELETED)
    assert (event.object_type, event.object_id) == ("organisation.forum", str(forum.pk))


def test_it_deletes_units_in_bulk_when_no_personal_data_hangs_on_them(
    admin_client: Client, demo: Municipality
) -> None:
    units = [
        Unit.objects.create(municipality=demo, slug=f"tom-{n}", name=f"Tom enhed {n}")
        for n in range(2)
    ]
    pks = [unit.pk for unit in units]
    url = reverse("admin:organisation_unit_changelist")
    page = admin_client.post(url, {"action": "delete_selected", "_selected_action": pks})
    assert "Enheder: 2" in page.content.decode()
    admin_client.post(url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})
    assert not Unit.objects.filter(pk__in=pks).exists()


# --- Ad hoc action groups are case work, not administration --------------------------------


def test_it_neither_lists_nor_opens_ad_hoc_groups_in_the_admin(
    admin_client: Client, demo: Municipality
) -> None:
    group = an_adhoc_group(demo)
    forum_list = admin_client.get(reverse("admin:organisation_forum_changelist")).content
    assert group.name not in forum_list.decode()
    change = admin_client.get(reverse("admin:organisation_forum_change", args=[group.pk]))
    assert change.status_code == 302  # "does not exist", back to the index
    memberships = admin_client.get(reverse("admin:organisation_membership_changelist"))
    assert group.name not in memberships.content.decode()
    membership = group.memberships.get()
    change = admin_client.get(reverse("admin:organisation_membership_change", args=[membership.pk]))
    assert change.status_code == 302
    autocomplete = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "organisation",
            "model_name": "membership",
            "field_name": "forum",
            "term": "Ad hoc",
        },
    )
    assert str(group.pk) not in {row["id"] for row in autocomplete.json()["results"]}


def test_it_offers_no_ad_hoc_group_as_a_parent_nor_ad_hoc_as_a_forum_type(
    admin_client: Client, demo: Municipality
) -> None:
    group = an_adhoc_group(demo)
    page = admin_client.get(reverse("admin:organisation_forum_add")).content.decode()
    assert group.name not in page
    forum_types = re.search(r'<select name="forum_type".*?</select>', page, re.DOTALL)
    assert forum_types is not None and ForumType.OTHER.value in forum_types[0]
    assert f'value="{ForumType.ADHOC.value}"' not in forum_types[0]
    assert "handlegruppens opgave" not in page
