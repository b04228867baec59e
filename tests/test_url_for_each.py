"""`ssp.http.url_for_each`: a row's URL formatted from one reversed pattern is the URL `reverse`
gives, for every named route of the project that ends in an `<int:...>` (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, reverse, set_script_prefix
from django.urls.converters import IntConverter

from ssp.http import URL_MARKER, row_url, url_for_each


def _int_routes(
    patterns: list[URLPattern | URLResolver], namespace: str = "", converters: tuple = ()
) -> Iterator[tuple[str, int]]:
    """(view name, number of arguments) of every named route whose arguments are all ints."""
    for entry in patterns:
        found = (*converters, *entry.pattern.converters.values())
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _int_routes(entry.url_patterns, inner, found)
        elif entry.name and found and all(isinstance(c, IntConverter) for c in found):
            yield f"{namespace}{entry.name}", len(found)


ROUTES = sorted(set(_int_routes(get_resolver().url_patterns)))


def test_the_project_has_routes_with_int_arguments() -> None:
    assert len(ROUTES) > 50
    assert ("meetings:item_edit", 2) in ROUTES


@pytest.mark.parametrize(("name", "count"), ROUTES)
def test_each_row_url_is_the_reversed_url(name: str, count: int) -> None:
    leading = [7 * (place + 1) for place in range(count - 1)]
    url = url_for_each(name, *leading)
    for last in (0, 1, 9, 42, 1234567, URL_MARKER, 10**12):
        assert url(last) == reverse(name, args=[*leading, last])


def test_a_value_no_int_route_takes_is_reversed_as_reverse_would() -> None:
    url = url_for_each("meetings:item_edit", 3)
    assert url(5) == "/moeder/3/punkter/5/ret/"
    # Not an int: reversed as given (a numeric string reverses; a bool or negative does not).
    assert url("5") == reverse("meetings:item_edit", args=[3, "5"])  # type: ignore[arg-type]
    with pytest.raises(Exception, match="Reverse"):
        url(-1)


def test_a_route_without_the_last_argument_falls_back_to_reverse() -> None:
    url = url_for_each("home")
    with pytest.raises(Exception, match="Reverse"):
        url(1)


def test_the_row_url_tag_gives_what_the_url_tag_gives_and_follows_the_script_prefix() -> None:
    source = "{% load ssp_urls %}{% row_url name pk %}|{% url name pk %}"
    for name, pk in (("cases:case_detail", 12), ("organisation:forum", 3), ("meetings:detail", 0)):
        mine, django = Template(source).render(Context({"name": name, "pk": pk})).split("|")
        assert mine == django
    # Remembered per script prefix: an installation under /ssp/ gets its own links.
    set_script_prefix("/ssp/")
    try:
        assert row_url("cases:case_detail", 12) == "/ssp/sager/12/"
    finally:
        set_script_prefix("/")
    assert row_url("cases:case_detail", 12) == "/sager/12/"
