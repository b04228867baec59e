"""Request and response helpers shared by every app's views and API modules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, ParamSpec, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation

from ssp.access import Actor, get_actor

PDF = "application/pdf"
ICS = "text/calendar; charset=utf-8"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A number no row id reaches, reversed in its place by `url_for_each`.
URL_MARKER = 987_654_321


def url_for_each(viewname: str, *leading: int) -> Callable[[int], str]:
    """`reverse(viewname, args=[*leading, last])` for the many rows of a list, each with its own
    `last` (a row id): the URL is reversed once with a marker in the last place, and each row's
    is formatted from it (issue 11: a `{% url %}` costs about 40 µs, 3.5 ms for the 88 items of
    an agenda). A pattern that does not take the marker is reversed row by row."""
    try:
        pattern = reverse(viewname, args=[*leading, URL_MARKER])
    except NoReverseMatch:
        pattern = ""
    head, marker, tail = pattern.rpartition(str(URL_MARKER))
    if not marker:
        return lambda last: reverse(viewname, args=[*leading, last])

    def url(last: int) -> str:
        if type(last) is not int or last < 0:  # what `<int:...>` does not take
            return reverse(viewname, args=[*leading, last])
        return f"{head}{last}{tail}"

    return url


# What `cached_reverse` and `row_url` remember, per URL configuration and script prefix.
_reversed: dict[tuple[str, tuple[str, ...], str, str], str] = {}
_row_formatters: dict[tuple[str, str, str], Callable[[int], str]] = {}


def _where() -> tuple[str, str]:
    return get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)


def cached_reverse(viewname: str, args: tuple[str, ...] = ()) -> str:
    """`reverse` remembered for the process: for URLs every page shows, such as the menu's."""
    key = (viewname, args, *_where())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(viewname, args=args)
    return url


def row_url(viewname: str, pk: int) -> str:
    """`reverse(viewname, args=[pk])` from a pattern reversed once for the process
    (`url_for_each`): the links of a list's rows in a template (`{% row_url %}`)."""
    key = (viewname, *_where())
    formatter = _row_formatters.get(key)
    if formatter is None:
        formatter = _row_formatters[key] = url_for_each(viewname)
    return formatter(pk)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **_kwargs: Any) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reversed.clear()
        _row_formatters.clear()


# A page number has at most this many digits; anything else is page 1.
PAGE_NUMBER_DIGITS = 9


def page_number(request: HttpRequest) -> int:
    """The list page asked for (`?side=N`): 1 for anything that is not a plain number (a
    superscript "²" is a digit to `str.isdigit` but not to `int`)."""
    text = request.GET.get("side", "1")
    if not text.isdecimal() or len(text) > PAGE_NUMBER_DIGITS:
        return 1
    return max(1, int(text))


def user_of(request: HttpRequest) -> User:
    """The logged-in user of a request (login is required everywhere but the public pages)."""
    return cast(User, request.user)


def actor_of(request: HttpRequest) -> Actor:
    """The access actor of a request, read once and cached on the user."""
    return get_actor(request.user)


def file_response(
    content: bytes,
    *,
    content_type: str,
    filename: str,
    disposition: Literal["inline", "attachment"] = "attachment",
) -> HttpResponse:
    """A downloadable file (PDF, iCal, CSV, Excel) built in memory."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)


def danish_page(view: Callable[P, R]) -> Callable[P, R]:
    """A public page answers in the municipality's language (Danish: `LANGUAGE_CODE`),
    whatever the browser's Accept-Language or the language cookie says (issue 14): the view
    and its template run under that language, and the response says so."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            for arg in args:
                if isinstance(arg, HttpRequest):
                    cast(Any, arg).LANGUAGE_CODE = language
            response = view(*args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        response["Content-Language"] = language
        return response

    return wrapper
