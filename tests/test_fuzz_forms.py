"""Garbage posted to every POST route as the role allowed to post there: never a 5xx.

The routes, their allowed role and a valid post come from the write table of
`tests/test_routes.py` (WRITES). For each route, Hypothesis takes the valid post and replaces
one to three of its fields with garbage: NUL and other control characters, 10,000-character
text, huge and negative numbers, impossible dates (0001-01-01, 9999-12-31, 2026-02-30), empty
values, unusual unicode, several values for one field, binary files named .csv. The fields are
those of the valid post and those of the route's form as the pages render it (hidden fields
such as `version` and `form_token` included), found by reading the forms on the route's own
page and on the pages that hold its form.

A refusal (400 with the form again, 403, 404, a redirect) is fine; a 5xx, or an exception out
of the view, fails with the route, the fields and the values. Every example runs in a savepoint
that is rolled back, so each starts from the demo data. The seed is fixed (`derandomize`) and
the examples bounded, so the run is the same every time and fast enough for `make test`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ssp.organisation.models import Municipality
from tests.test_routes import (
    ANONYMOUS,
    SELF_SERVICE,
    WRITES,
    Post,
    Write,
    all_routes,
    fill_kwargs,
    same,
)

EXAMPLES_PER_ROUTE = 15


def _own(allowed: str, body: dict[str, Any]) -> Write:
    return Write(allowed=allowed, refused=(), prepare=lambda demo: Post({}, same(body)))


# A user's own login, session and second factor (no role is refused these, so they are not in
# WRITES): a valid post of each, by the user it belongs to.
OWN_ACCOUNT: dict[str, Write] = {
    "accounts:login": _own(ANONYMOUS, {"username": "koordinator", "password": "forkert"}),
    "accounts:login_code": _own(ANONYMOUS, {"code": "123456"}),
    "accounts:logout": _own("koordinator", {}),
    "accounts:second_factor_setup": _own("koordinator", {"code": "123456"}),
    "accounts:second_factor_verify": _own("koordinator", {"code": "123456"}),
    "accounts:second_factor_remove": _own("koordinator", {}),
    "accounts:confidentiality": _own("koordinator", {"confirmed": "on", "next": "/"}),
    "accounts:meeting_emails": _own("koordinator", {"meeting_emails": "on"}),
    "set_language": _own("koordinator", {"language": "en", "next": "/"}),
    # A password reset link (issue 15): anyone, without a login, the same answer for any address.
    "accounts:password_reset": _own(ANONYMOUS, {"email": "koordinator@example.dk"}),
    # The public tip form (issue 16): anyone, without a login.
    "cases:tip": Write(
        allowed=ANONYMOUS,
        refused=(),
        prepare=lambda demo: Post(
            {"slug": demo.slug},
            same(
                {
                    "subject": "place",
                    "place": "Skolegården ved Østskolen",
                    "description": "Unge samles om aftenen og smadrer flasker.",
                }
            ),
        ),
    ),
}
POSTS: dict[str, Write] = {**WRITES, **OWN_ACCOUNT}
ROUTE_NAMES = sorted(POSTS)

# Pages that hold the forms of routes that only take a post (a task form on the case page).
HOST_PAGES = (
    "home",
    "cases:case_detail",
    "cases:concern_detail",
    "meetings:list",
    "meetings:detail",
    "police:review",
    "police:absence",
    "police:deadlines",
)
# Fields of every page's frame (language switch, logout) and Django's own.
NOT_FORM_FIELDS = frozenset({"csrfmiddlewaretoken", "language", "next"})

# --- Garbage ----------------------------------------------------------------------------------

CONTROL = st.sampled_from(
    ["\x00", "Ali\x00", "\x00" * 20, "a\x1b[2Jb", "\x7f", "\x85", "\x08\x0b\x0c", "\u0000\ufeff"]
)
LONG = st.sampled_from(["x" * 10_000, "å" * 10_000, "7" * 10_000, "a b " * 2_500])
NUMBERS = st.sampled_from(
    [
        "99999999999999999999",
        str(2**63),
        str(2**31),
        str(-(2**63) - 1),
        "-1",
        "0",
        "1e309",
        "NaN",
        "-0",
        "1.5",
    ]
)
DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "2026-02-30",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "10000-01-01",
        "2026-13-45",
        "31-12-9999",
        "1899-12-31",
        "2101-01-01",
        "2026-01-01T25:61",
        "24:00",
        "99:99",
    ]
)
UNICODE = st.sampled_from(["ÆØÅ æøå", "🙂" * 50, "\u202eevil", "‮", "ｆｕｌｌ", "𝕏" * 300, " "])
RANDOM_TEXT = st.text(max_size=40)
TEXT = st.one_of(CONTROL, LONG, NUMBERS, DATES, UNICODE, RANDOM_TEXT, st.just(""))
FORM_VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))
JSON_SCALAR = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, -(2**63) - 1, 99_999_999_999, 0, -1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=5,
)


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


FILE_VALUE = st.one_of(
    st.builds(_file, st.just("liste.csv"), st.binary(min_size=1, max_size=300)),
    st.builds(
        _file,
        st.just("liste.csv"),
        st.sampled_from(
            [
                b"\x00" * 64,
                b"\xff\xfe\x00\x00garbage",
                b"PK\x03\x04not really a zip",
                b"CPR-nummer;Navn\n190713-4555;\x00\n",
                b"\n" * 1000,
                b";" * 5000,
            ]
        ),
    ),
    st.builds(
        _file,
        st.sampled_from(["x" * 300 + ".csv", "liste.xlsx", ".csv", "a\x00.csv"]),
        st.binary(max_size=50),
    ),
    TEXT,
)


def garbage_for(field: str, original: Any, *, json_body: bool) -> st.SearchStrategy[Any]:
    if isinstance(original, SimpleUploadedFile) or field in FILE_FIELDS:
        return FILE_VALUE
    return JSON_VALUE if json_body else FORM_VALUE


def shown(value: Any) -> str:
    """A value as the failure message shows it: long text shortened, type and length kept."""
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        head = value.read(60)
        value.seek(0)  # the client reads it next
        return f"file {(value.name or '')[:60]!r} {head!r}"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


# --- The fields of each route's form ---------------------------------------------------------

# Names of the file inputs seen on the pages (`file`, `attachment`): they get garbage files.
FILE_FIELDS: set[str] = set()


class _FormFields(HTMLParser):
    """The names of the fields of each form on a page, by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: set[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = set()
            self.forms.append((attributes.get("action") or "", self._current))
        elif tag in {"input", "select", "textarea"} and self._current is not None:
            name = attributes.get("name")
            kind = (attributes.get("type") or "").lower()
            if name and kind not in {"submit", "button", "reset"}:
                self._current.add(name)
            if name and kind == "file":
                FILE_FIELDS.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _route_name(action: str, page_name: str) -> str | None:
    if not action:
        return page_name
    try:
        match = resolve(action.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def _read_forms(client: Client, url: str, page_name: str) -> Iterator[tuple[str, set[str]]]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    parser = _FormFields()
    parser.feed(response.content.decode())
    for action, fields in parser.forms:
        name = _route_name(action, page_name)
        if name is not None:
            yield name, fields - NOT_FORM_FIELDS


_FORM_FIELDS: dict[str, dict[str, set[str]]] = {}


def form_fields(role: str, client: Client, demo: Municipality) -> dict[str, set[str]]:
    """For each route, the fields of its forms on the host pages as `role` sees them."""
    if role in _FORM_FIELDS:
        return _FORM_FIELDS[role]
    found: dict[str, set[str]] = {}
    routes = all_routes()
    for page in HOST_PAGES:
        url = reverse(page, kwargs=fill_kwargs(page, routes[page], demo))
        for name, fields in _read_forms(client, url, page):
            found.setdefault(name, set()).update(fields)
    _FORM_FIELDS[role] = found
    return found


# --- The tests --------------------------------------------------------------------------------


def _send(client: Client, url: str, body: dict[str, Any], *, json_body: bool) -> Any:
    if json_body:
        return client.post(url, data=json.dumps(body), content_type="application/json")
    return client.post(url, body)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_garbage_posted_by_the_allowed_role_never_gives_a_server_error(
    name: str, demo: Municipality, users: dict[str, User]
) -> None:
    spec = POSTS[name]
    client = Client()
    if spec.allowed != ANONYMOUS:
        client.force_login(users[spec.allowed])
    with transaction.atomic():
        post = spec.prepare(demo)
        own_page = reverse(name, kwargs=post.kwargs)
        fields = set(post.body()) | form_fields(spec.allowed, client, demo).get(name, set())
        for route, on_own_page in _read_forms(client, own_page, name):
            if route == name:
                fields |= on_own_page
        transaction.set_rollback(True)
    if not fields:
        fields = {"garbage"}  # a route without fields still gets a stray one
    field_names = sorted(fields)

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        deadline=None,
        database=None,
        # No shrinking: the values are few and named in the message, and a page is slow to post.
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    def never_a_server_error(data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(st.sampled_from(field_names), min_size=1, max_size=3, unique=True),
            label="fields",
        )
        with transaction.atomic():
            post = spec.prepare(demo)
            url = reverse(name, kwargs=post.kwargs)
            body = post.body()
            for field in chosen:
                body[field] = data.draw(
                    garbage_for(field, body.get(field), json_body=post.json), label=field
                )
            garbage = ", ".join(f"{field}={shown(body[field])}" for field in chosen)
            try:
                response = _send(client, url, body, json_body=post.json)
            except Exception as exc:
                raise AssertionError(f"{name} as {spec.allowed}: {exc!r} with {garbage}") from exc
            finally:
                transaction.set_rollback(True)
        assert response.status_code < 500, (
            f"{name} as {spec.allowed}: {response.status_code} with {garbage}"
        )

    never_a_server_error()


def test_every_route_that_takes_a_post_is_fuzzed() -> None:
    """WRITES covers the rest (tests/test_routes.py checks that); here the user's own routes."""
    assert set(OWN_ACCOUNT) == SELF_SERVICE
