"""Login (single sign-on, or password then an optional or mandatory TOTP code), logout,
second-factor set-up."""

from __future__ import annotations

import base64
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from ssp import access
from ssp.accounts import confidentiality, oidc, services
from ssp.accounts.forms import CodeForm, ConfidentialityForm, MeetingEmailsForm
from ssp.accounts.middleware import (
    needs_second_factor,
    second_factor_verified,
    sso_second_factor,
)
from ssp.http import actor_of, user_of
from ssp.validation import has_control_characters

PENDING_USER_KEY = "ssp_pending_user"
PENDING_NEXT_KEY = "ssp_pending_next"
PENDING_TRIES_KEY = "ssp_pending_tries"
MAX_CODE_TRIES = 5


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """A page of this site to go on to: a path starting with "/", else the start page.

    (A bare word would be taken by `redirect` as a URL name and fail.)"""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Forkert brugernavn eller adgangskode. Prøv igen."),
        "inactive": _("Brugeren er deaktiveret."),
    }


@login_not_required
def login_view(request: HttpRequest) -> HttpResponse:
    """Password login. django-axes locks a user name from one address after a few failures; a user
    name guessed at from many addresses is refused for a minute at a time (`record_login_failure`).
    """
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = request.POST.get("next") or request.GET.get("next")
    context = _login_context(request, next_url)
    if not oidc.local_login_enabled():
        # Single sign-on only (SSP_LOCAL_LOGIN off): no password form, and a password post is
        # refused before any look-up (nothing said about the user name or the password).
        refused = request.method == "POST"
        return render(
            request,
            "accounts/login.html",
            {**context, "form": None, "local_refused": refused},
            status=403 if refused else 200,
        )
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        username = str(request.POST.get("username", ""))
        if has_control_characters(username):
            # No look-up with it (a NUL byte is not even valid text for PostgreSQL): the form
            # refuses it below as an invalid user name.
            username = ""
        if username and services.login_refused_until(username) is not None:
            return render(
                request, "accounts/locked_out.html", {"refused_briefly": True}, status=429
            )
        locked_here = bool(username) and AxesProxyHandler.is_locked(request, {"username": username})
        if form.is_valid():
            user = form.get_user()
            services.record_login_success(username=user.get_username())
            if services.confirmed_device(user) is not None:
                request.session[PENDING_USER_KEY] = user.pk
                request.session[PENDING_NEXT_KEY] = _safe_next(request, next_url)
                request.session[PENDING_TRIES_KEY] = 0
                return redirect("accounts:login_code")
            login(request, user)
            return redirect(_safe_next(request, next_url))
        if username and not locked_here and form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            services.record_login_failure(username=username)
    return render(request, "accounts/login.html", {**context, "form": form})


def _login_context(request: HttpRequest, next_url: str | None) -> dict[str, object]:
    """The login page's choices: single sign-on (a link: the CSP's form-action would stop a
    form's redirect to the provider) and/or the password form."""
    sso_url = ""
    if oidc.sso_enabled():
        sso_url = reverse("oidc:authenticate")
        if next_url:
            sso_url += "?" + urlencode({"next": _safe_next(request, next_url)})
    return {
        "next": next_url or "",
        "sso_url": sso_url,
        "provider_name": oidc.provider_name(),
        "local_login": oidc.local_login_enabled(),
    }


@login_not_required
def login_code_view(request: HttpRequest) -> HttpResponse:
    if not oidc.local_login_enabled():
        # The password step may have been passed before the password login was turned off.
        for key in (PENDING_USER_KEY, PENDING_NEXT_KEY, PENDING_TRIES_KEY):
            request.session.pop(key, None)
        return redirect("accounts:login")
    user_id = request.session.get(PENDING_USER_KEY)
    user = services.pending_login_user(user_id)
    device = services.confirmed_device(user) if user is not None else None
    if user is None or device is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            next_url = request.session.pop(PENDING_NEXT_KEY, settings.LOGIN_REDIRECT_URL)
            request.session.pop(PENDING_USER_KEY, None)
            request.session.pop(PENDING_TRIES_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(next_url)
        tries = request.session.get(PENDING_TRIES_KEY, 0) + 1
        request.session[PENDING_TRIES_KEY] = tries
        if tries >= MAX_CODE_TRIES:
            request.session.flush()
            messages.error(request, _("For mange forkerte koder. Log ind forfra."))
            return redirect("accounts:login")
        form.add_error("code", _("Koden er forkert eller udløbet. Prøv igen."))
    return render(request, "accounts/login_code.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("Du er logget af."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def profile_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    acknowledgement = confidentiality.latest_acknowledgement(user.pk)
    return render(
        request,
        "accounts/profile.html",
        {
            "has_second_factor": services.confirmed_device(user) is not None,
            "second_factor_required": settings.SSP_REQUIRE_2FA and needs_second_factor(user),
            "member": getattr(user, "member", None),
            "confidentiality_required": access.can_see_personal_data(actor_of(request)),
            "acknowledgement": acknowledgement,
            "acknowledgement_expires": (
                confidentiality.expires_at(acknowledgement) if acknowledgement else None
            ),
            "acknowledgement_owed": confidentiality.owes_acknowledgement(actor_of(request)),
            "meeting_emails_form": _meeting_emails_form(user),
        },
    )


def _meeting_emails_form(user: User) -> MeetingEmailsForm | None:
    member = getattr(user, "member", None)
    if member is None:
        return None
    return MeetingEmailsForm(initial={"meeting_emails": member.meeting_emails})


@require_POST
def meeting_emails_view(request: HttpRequest) -> HttpResponse:
    """Issue 14: the member's choice of meeting e-mails, from the account page."""
    form = MeetingEmailsForm(request.POST)
    if form.is_valid() and services.set_meeting_emails(
        user=user_of(request), enabled=form.cleaned_data["meeting_emails"]
    ):
        if form.cleaned_data["meeting_emails"]:
            messages.success(request, _("Du får mødeindkaldelser og -meddelelser på e-mail."))
        else:
            messages.success(
                request, _("Du får ikke længere mødeindkaldelser og -meddelelser på e-mail.")
            )
    return redirect("accounts:profile")


def confidentiality_view(request: HttpRequest) -> HttpResponse:
    """R4: the municipality's text of the duty of confidentiality, acknowledged with a tick;
    then on to the page the user was going to (`next`)."""
    actor = actor_of(request)
    municipality = confidentiality.municipality_of(actor)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = ConfidentialityForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        services.acknowledge_confidentiality(user=user_of(request), municipality=municipality)
        messages.success(request, _("Tak. Din bekræftelse af tavshedspligten er registreret."))
        return redirect(next_url)
    current = confidentiality.current_acknowledgement(
        user_id=user_of(request).pk, municipality=municipality
    )
    return render(
        request,
        "accounts/confidentiality.html",
        {
            "form": form,
            "text": confidentiality.text_for(municipality),
            "municipality": municipality,
            "current": current,
            "required": access.can_see_personal_data(actor),
            "next": next_url,
        },
        status=400 if request.method == "POST" else 200,
    )


def second_factor_setup_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if sso_second_factor(user, request.session):
        # The provider's second factor (single sign-on) counts: nothing to set up here.
        return redirect(settings.LOGIN_REDIRECT_URL)
    if services.confirmed_device(user) is not None and not second_factor_verified(
        user, request.session
    ):
        return redirect("accounts:second_factor_verify")
    device = services.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_second_factor(
            user=user, device=device, token=form.cleaned_data["code"]
        ):
            otp_login(request, device)
            messages.success(request, _("Totrinsbekræftelse er slået til."))
            return redirect("accounts:profile")
        form.add_error(
            "code", _("Koden passer ikke. Tjek at uret på din telefon går rigtigt, og prøv igen.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret},
    )


def second_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """For a session that logged in without the code (e.g. before 2FA became mandatory)."""
    user = user_of(request)
    device = services.confirmed_device(user)
    if device is None:
        return redirect("accounts:second_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("Koden er forkert eller udløbet. Prøv igen."))
    return render(request, "accounts/login_code.html", {"form": form})


@require_POST
def second_factor_remove_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if settings.SSP_REQUIRE_2FA and needs_second_factor(user):
        messages.error(
            request, _("Totrinsbekræftelse er påkrævet for din rolle og kan ikke slås fra.")
        )
        return redirect("accounts:profile")
    services.remove_second_factor(user=user)
    messages.success(request, _("Totrinsbekræftelse er slået fra."))
    return redirect("accounts:profile")
