"""When SSP_REQUIRE_2FA is on, users who can see personal data must use a second factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ssp import access

EXEMPT_PREFIXES = ("/konto/", "/static/", "/i18n/", "/api/", "/healthz")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user  # with django-otp's is_verified()
        if (
            settings.SSP_REQUIRE_2FA
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and access.can_see_personal_data(access.get_actor(user))
        ):
            from ssp.accounts.services import confirmed_device

            if confirmed_device(user) is None:
                return redirect("accounts:second_factor_setup")
            return redirect("accounts:second_factor_verify")
        return self.get_response(request)
