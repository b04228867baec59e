"""When SSP_REQUIRE_2FA is on, users who can see personal data must use a second factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from ssp import access

EXEMPT_PREFIXES = ("/konto/", "/static/", "/i18n/", "/healthz", "/offentlig/", "/kalender/")


def needs_second_factor(user: Any) -> bool:
    """Everyone who can see personal data, and the administrators who grant access."""
    actor = access.get_actor(user)
    return access.can_see_personal_data(actor) or access.can_manage_organisation(actor)


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
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Totrinsbekræftelse mangler. Log ind med kode i browseren."},
                    status=403,
                )
            from ssp.accounts.services import confirmed_device

            if confirmed_device(user) is None:
                return redirect("accounts:second_factor_setup")
            return redirect("accounts:second_factor_verify")
        return self.get_response(request)
