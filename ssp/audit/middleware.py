"""The client address of the request being served, for audit events written deeper down.

Services write their audit events without a request in hand; `AuditRequestMiddleware` keeps the
current request's client address in a context variable that `record_event` reads, so every event
written while serving a request (a case view, a change) carries the address.
`client_address` is also django-axes' address (`AXES_CLIENT_IP_CALLABLE`), so the lockout counts
the same address the trail records.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

current_client_address: ContextVar[str | None] = ContextVar(
    "ssp_audit_client_address", default=None
)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `SSP_PROXY_COUNT` trusted reverse proxies the
    address the outermost of them put into X-Forwarded-For (entries further left are the
    client's own say and can be forged)."""
    proxies = int(settings.SSP_PROXY_COUNT)
    if proxies > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
        ]
        if len(forwarded) >= proxies:
            address = _valid(forwarded[-proxies])
            if address is not None:
                return address
    return _valid(request.META.get("REMOTE_ADDR") or "")


class AuditRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_client_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_client_address.reset(token)
