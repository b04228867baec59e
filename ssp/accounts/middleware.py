"""Gates in front of personal data: the second factor (when SSP_REQUIRE_2FA is on) and the
acknowledgement of the duty of confidentiality (R4, always). With the password login off
(SSP_LOCAL_LOGIN), a password session from before ends at its next request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from ssp import access
from ssp.accounts import confidentiality
from ssp.http import user_of

EXEMPT_PREFIXES = (
    "/konto/",
    "/oidc/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/offentlig/",
    "/kalender/",
)
# Set by the single sign-on callback (ssp/accounts/oidc.py) to the user's id when the provider's
# ID token says the login used a second factor (`amr`/`acr`). It counts only while the session's
# login is that single sign-on (the backend below), and every other login removes it.
SSO_MFA_SESSION_KEY = "ssp_sso_second_factor_user"
SSO_BACKEND = "ssp.accounts.oidc.SSPOIDCBackend"


def sso_second_factor(user: object, session: Any) -> bool:
    """Whether this session's login is a single sign-on whose provider vouched for its own
    second factor."""
    return (
        session is not None
        and getattr(user, "pk", None) is not None
        and session.get(BACKEND_SESSION_KEY) == SSO_BACKEND
        and session.get(SSO_MFA_SESSION_KEY) == getattr(user, "pk", None)
    )


def second_factor_verified(user: object, session: Any = None) -> bool:
    """Whether this session gave the second factor: a TOTP code (django-otp's `is_verified`),
    or a single sign-on whose provider vouched for its own second factor."""
    if sso_second_factor(user, session):
        return True
    is_verified = getattr(user, "is_verified", None)
    return callable(is_verified) and bool(is_verified())


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Everyone who can see personal data, and the administrators who grant access."""
    actor = access.get_actor(user)
    return access.can_see_personal_data(actor) or access.can_manage_organisation(actor)


@receiver(user_logged_in, dispatch_uid="ssp.accounts.sso_second_factor_reset")
def _forget_sso_second_factor(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A login by anything but single sign-on (a password, a code) keeps no SSO second factor
    from an earlier login in the same session (Django keeps the session's data when the same
    user logs in again)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(BACKEND_SESSION_KEY) != SSO_BACKEND:
        session.pop(SSO_MFA_SESSION_KEY, None)


def _password_session_without_password_login(request: HttpRequest) -> bool:
    return (
        not settings.SSP_LOCAL_LOGIN
        and request.user.is_authenticated
        and BACKEND_SESSION_KEY in request.session
        and request.session[BACKEND_SESSION_KEY] != SSO_BACKEND
    )


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _password_session_without_password_login(request):
            # The password login was turned off after this session logged in with it.
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Log ind med kommunens login."}, status=401)
            return redirect(settings.LOGIN_URL)
        user = request.user
        if (
            settings.SSP_REQUIRE_2FA
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not second_factor_verified(user, request.session)
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


# Pages with personal data about young people: the start page ("My work") and every page of
# these URL namespaces that needs a login (the public protocol and calendar feeds do not).
# `audit` holds the subject-access export, corrections and the retention page; its supervision
# pages are for the supervisor, who sees no personal data and so is never held up here.
PERSONAL_DATA_NAMESPACES = frozenset({"cases", "meetings", "police", "audit"})
PERSONAL_DATA_URL_NAMES = frozenset({"home"})
PERSONAL_DATA_API_PREFIXES = ("/api/v1/cases/", "/api/v1/meetings/", "/api/v1/police/")
CONFIDENTIALITY_API_MESSAGE = (
    "Tavshedspligten er ikke bekræftet. Log ind i browseren og bekræft den under Min konto."
)


def is_personal_data_request(request: HttpRequest, view_func: Callable[..., Any]) -> bool:
    if request.path.startswith(PERSONAL_DATA_API_PREFIXES):
        return True
    match = request.resolver_match
    if match is None or not getattr(view_func, "login_required", True):
        return False
    return match.namespace in PERSONAL_DATA_NAMESPACES or (
        not match.namespace and match.url_name in PERSONAL_DATA_URL_NAMES
    )


class ConfidentialityAcknowledgementMiddleware:
    """Before a page with personal data: the duty of confidentiality, acknowledged within the
    year. A page is sent to the acknowledgement with `next`; the API answers 403 with the
    reason. Other pages (the account, the organisation, the admin) are not held up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not is_personal_data_request(request, view_func):
            return None
        actor = access.get_actor(request.user)
        session = getattr(request, "session", None)
        if not confidentiality.owes_acknowledgement(actor, session=session):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": CONFIDENTIALITY_API_MESSAGE}, status=403)
        target = reverse("accounts:confidentiality")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
