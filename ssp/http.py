"""Request and response helpers shared by every app's views and API modules."""

from __future__ import annotations

from typing import Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from ssp.access import Actor, get_actor

PDF = "application/pdf"
ICS = "text/calendar; charset=utf-8"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
