"""One error type for the domain, with a message for the user, mapped to HTTP in one place."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class DomainError(Exception):
    """A rule of the domain was broken; `message` is shown to the user (Danish, via gettext)."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DomainErrorMiddleware:
    """Pages: a DomainError that escapes a view becomes a readable error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        messages.error(request, exception.message)
        return render(
            request,
            "errors/domain_error.html",
            {"message": exception.message},
            status=exception.status_code,
        )
