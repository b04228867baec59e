"""When SSP_REQUIRE_2FA is on, users who can see personal data must use a second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from ssp import access
from ssp.http import user_of

EXEMPT_PREFIXES = ("/konto/", "/static/", "/i18n/", "/healthz", "/offentlig/", "/kalender/")


def second_factor_verified(user: object) -> bool:
    """Whether this session gave the second factor (django-otp's `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return callable(is_verified) and bool(is_verified())


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Everyone who can see personal data, and the administrators who grant access."""
    actor = access.get_actor(user)
    return access.can_see_personal_data(actor) or access.can_manage_organisation(actor)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.SSP_REQUIRE_2FA
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not second_factor_verified(user)
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Totrinsbekræftelse mangler. Log ind med kode i browseren."},
                    status=403,
                )
            from ssp.accounts.services import confirmed_device

            if confirmed_device(user_of(request)) is None:
                return redirect("accounts:second_factor_setup")
            return redirect("accounts:second_factor_verify")
        return self.get_response(request)
