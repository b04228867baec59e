"""Issue 15: single sign-on with OpenID Connect (mozilla-django-oidc), configured by settings.

The authorization code flow with state, nonce and PKCE: `/oidc/authenticate/` sends the browser
to the municipality's identity provider, which sends it back to `/oidc/callback/`; the backend
fetches the tokens, checks the ID token (signature, expiry, nonce, issuer, audience) and signs
the user in:

- the provider's subject (issuer and `sub`) is bound to a user at its first login
  (`SingleSignOnIdentity`) and every later login is matched on that binding only. At the first
  login the user is found by the claimed address (plain ASCII, marked verified by the provider
  unless SSP_OIDC_TRUST_EMAIL, in SSP_OIDC_EMAIL_DOMAINS when set); a user already bound to
  another subject is refused, as are deactivated users and, unless SSP_OIDC_ALLOW_STAFF, staff
  and superusers. An existing member, e.g. invited by the bulk import (a "pending invitation"),
  keeps the unit, sector, fora, role and authority flag the municipality gave them: the
  provider's claims never change them;
- otherwise the user is created on first login with a member in the municipality (the
  installation's only one, or the one the municipality claim names; with several and no claim
  configured nobody is logged in), in the unit and sector the claims name. The authority flag
  and the access role are taken from the provider only when an administrator names their
  claims (SSP_OIDC_CLAIM_AUTHORITY, SSP_OIDC_CLAIM_ROLE with the exact SSP_OIDC_ROLE_MAP;
  administrator and supervisor only with SSP_OIDC_ALLOW_ELEVATED_ROLES); otherwise a new user
  is an employee without access to personal data.

The provider's second factor counts as ours when the ID token's `amr`/`acr` says so (a session
flag that `ssp.accounts.middleware.second_factor_verified` honours); otherwise TOTP as today.
Every refusal ends on a Danish page with a way back (`accounts/oidc_error.html`), never a 500:
an ID token that is expired or not yet valid (a minute's leeway), for another client, signed
otherwise, or missing, is a "could not be verified". Audit events (SSO login, user created by
SSO, a refused user with the reason code) carry ids, booleans and codes only. Claims from
userinfo are merged over the ID token's (same provider, same `sub`, checked), except `amr`/`acr`.

Settings are read at request time (tests change them per test), and the provider's endpoints are
discovered at the first login, never at start-up.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ssp.accounts.middleware import SSO_MFA_SESSION_KEY
from ssp.accounts.models import SingleSignOnIdentity
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.organisation.models import AccessRole, Member, Municipality, Sector, Unit
from ssp.validation import has_control_characters

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 60 * 60
EMAIL_MAX_LENGTH = 150  # the user name is the address (as for users from the bulk import)
CLAIM_MAX_LENGTH = 200
PARAMETER_MAX_LENGTH = 2048
SUBJECT_MAX_LENGTH = 255
JWT_LEEWAY_SECONDS = 60  # clock skew between the provider and us (exp, iat, nbf)
SSO_CREATED_SESSION_KEY = "ssp_sso_created"


def sso_enabled() -> bool:
    return bool(settings.SSP_OIDC_ISSUER)


def local_login_enabled() -> bool:
    return bool(settings.SSP_LOCAL_LOGIN)


def provider_name() -> str:
    return str(settings.SSP_OIDC_PROVIDER_NAME) or _("kommunens login")


class SSORefused(Exception):
    """A login the platform refuses; `reason` picks the Danish text (REASONS)."""

    def __init__(self, reason: str, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


REASONS: dict[str, tuple[Any, int]] = {
    "denied": (
        gettext_lazy("Login blev afbrudt eller afvist hos kommunens login."),
        403,
    ),
    "verification": (
        gettext_lazy(
            "Login kunne ikke bekræftes: svaret fra kommunens login var brugt, udløbet eller "
            "hørte til et andet login. Prøv at logge ind igen."
        ),
        400,
    ),
    "provider": (
        gettext_lazy("Kommunens login svarer ikke lige nu. Prøv igen om lidt."),
        502,
    ),
    "municipality": (
        gettext_lazy(
            "Vi kan ikke se, hvilken kommune du hører til. Kontakt SSP-koordinatoren eller "
            "kommunens administrator."
        ),
        403,
    ),
    "mismatch": (
        gettext_lazy(
            "Din bruger hører til en anden kommune end den, kommunens login oplyser. Kontakt "
            "kommunens administrator."
        ),
        403,
    ),
    "deactivated": (
        gettext_lazy(
            "Din bruger er deaktiveret. Kontakt kommunens administrator, hvis du skal have "
            "adgang igen."
        ),
        403,
    ),
    "email": (
        gettext_lazy(
            "Kommunens login sendte ingen gyldig e-mailadresse, så vi kan ikke se, hvem du er. "
            "Kontakt kommunens it-afdeling."
        ),
        403,
    ),
    "unverified": (
        gettext_lazy(
            "Kommunens login har ikke bekræftet din e-mailadresse, så vi kan ikke se, hvem du "
            "er. Kontakt kommunens it-afdeling."
        ),
        403,
    ),
    "domain": (
        gettext_lazy(
            "Din e-mailadresse hører ikke til et af de domæner, der kan logge ind her. Kontakt "
            "kommunens administrator."
        ),
        403,
    ),
    "staff": (
        gettext_lazy(
            "Brugere med adgang til administrationen kan ikke logge ind med kommunens login. "
            "Kontakt platformens driftsansvarlige."
        ),
        403,
    ),
    "conflict": (
        gettext_lazy(
            "Der findes allerede en bruger med din e-mailadresse, som ikke entydigt kan knyttes "
            "til dit login. Kontakt kommunens administrator."
        ),
        403,
    ),
}


def error_page(request: HttpRequest, reason: str) -> HttpResponse:
    message, status = REASONS.get(reason, REASONS["verification"])
    return render(
        request,
        "accounts/oidc_error.html",
        {
            "message": message,
            "reason": reason,
            "provider_name": provider_name(),
            "local_login": local_login_enabled(),
        },
        status=status,
    )


# --- Configuration --------------------------------------------------------------------------

_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def _verify() -> bool | str:
    return str(settings.SSP_OIDC_CA_BUNDLE) or True


def _discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, fetched at the first login and kept for an hour (by
    each server process for itself: it is the provider's, anyone may fetch it again)."""
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovery.get(issuer)
    if cached is not None and now - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration",
        timeout=settings.SSP_OIDC_TIMEOUT_SECONDS,
        verify=_verify(),
    )
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0 § 4.3: the document must name the issuer asked for.
        raise requests.RequestException("the discovery document names another issuer")
    with _discovery_lock:
        _discovery[issuer] = (now, document)
    return document


def endpoints() -> dict[str, str]:
    """The provider's endpoints: those set in the settings, else the discovered ones. Raises
    requests.RequestException when the provider cannot be reached."""
    configured = {
        "authorization_endpoint": settings.SSP_OIDC_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.SSP_OIDC_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.SSP_OIDC_USERINFO_ENDPOINT,
        "jwks_uri": settings.SSP_OIDC_JWKS_ENDPOINT,
    }
    if not all(configured.values()):
        document = _discover(str(settings.SSP_OIDC_ISSUER))
        for key, value in configured.items():
            if not value:
                configured[key] = str(document.get(key) or "")
    if configured["userinfo_endpoint"] == "-":
        configured["userinfo_endpoint"] = ""
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not configured[key]:
            raise requests.RequestException(f"the provider has no {key}")
    return configured


def library_settings() -> dict[str, Any]:
    """mozilla-django-oidc's settings, from ours (no network)."""
    return {
        "OIDC_RP_CLIENT_ID": settings.SSP_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.SSP_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": settings.SSP_OIDC_SIGN_ALGO,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": settings.SSP_OIDC_SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": settings.SSP_OIDC_USE_PKCE,
        "OIDC_TOKEN_USE_BASIC_AUTH": settings.SSP_OIDC_TOKEN_AUTH_BASIC,
        "OIDC_VERIFY_SSL": _verify(),
        "OIDC_TIMEOUT": settings.SSP_OIDC_TIMEOUT_SECONDS,
        "OIDC_PROXY": None,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc:callback",
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_CREATE_USER": True,
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "LOGIN_REDIRECT_URL": settings.LOGIN_REDIRECT_URL,
    }


class _Settings:
    """get_settings from ours (mozilla-django-oidc reads Django settings by name)."""

    endpoint_settings: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:
        ours = library_settings() | self.endpoint_settings
        if attr in ours:
            return ours[attr]
        return import_from_settings(attr, *args)

    def load_endpoints(self) -> dict[str, str]:
        found = endpoints()
        self.endpoint_settings = {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": found["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": found["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": found["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": found["jwks_uri"],
        }
        return found


# --- Claims ---------------------------------------------------------------------------------


def _same_address(a: str, b: str) -> bool:
    """As `ssp.accounts.password_reset._same_address`: NFKC and casefold, so that a look-alike
    address (a dotless i, which the database's UPPER() matches) is not the same."""
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


def _claim_text(claims: dict[str, Any], name: str) -> str:
    """A claim as bounded text without control characters; a list gives its first text."""
    if not name:
        return ""
    value = claims.get(name)
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str | int)), None)
    if value is None or isinstance(value, dict):
        return ""
    text = str(value).strip()
    if has_control_characters(text):
        return ""
    return text[:CLAIM_MAX_LENGTH]


def _claim_values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    values = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in values if isinstance(item, str | int | bool)]


def _is_true(value: object) -> bool:
    """A boolean claim: JSON true, or the text "true" some providers send (never "false")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def email_of(claims: dict[str, Any]) -> str:
    """The claimed address, lower-cased, as users are stored. Refused: not an address, not plain
    ASCII (so that a look-alike such as the Kelvin sign, which NFKC and casefold turn into a
    "k", never names another user's address), not verified by the provider (unless
    SSP_OIDC_TRUST_EMAIL), or outside SSP_OIDC_EMAIL_DOMAINS."""
    value = claims.get(settings.SSP_OIDC_CLAIM_EMAIL)
    if not isinstance(value, str):
        raise SSORefused("email")
    email = value.strip()
    if (
        not email
        or len(email) > EMAIL_MAX_LENGTH
        or not email.isascii()
        or has_control_characters(email)
        or unicodedata.normalize("NFKC", email) != email
    ):
        raise SSORefused("email")
    try:
        validate_email(email)
    except ValidationError as error:
        raise SSORefused("email") from error
    if not settings.SSP_OIDC_TRUST_EMAIL and not _is_true(claims.get("email_verified")):
        raise SSORefused("unverified")
    domains = settings.SSP_OIDC_EMAIL_DOMAINS
    if domains and email.rpartition("@")[2].lower() not in domains:
        raise SSORefused("domain")
    return email.lower()


def second_factor_of(claims: dict[str, Any]) -> bool:
    """Whether the provider says the login used more than one factor (ID token claims)."""
    wanted = {value.lower() for value in settings.SSP_OIDC_MFA_VALUES}
    amr = {value.lower() for value in _claim_values(claims, "amr")}
    acr = claims.get("acr")
    return bool(amr & wanted) or (
        isinstance(acr, str) and acr in set(settings.SSP_OIDC_MFA_ACR_VALUES)
    )


def _name_of(claims: dict[str, Any], email: str) -> tuple[str, str, str]:
    """(full name, first name, last name) from the claims, else the address's local part."""
    given = _claim_text(claims, "given_name")
    family = _claim_text(claims, "family_name")
    full = _claim_text(claims, settings.SSP_OIDC_CLAIM_NAME) or f"{given} {family}".strip()
    if not full:
        full = email.partition("@")[0]
    if not (given or family):
        given, _space, family = full.partition(" ")
    return full, given[:150], family[:150]


def municipality_of(claims: dict[str, Any]) -> Municipality | None:
    """The municipality the claim names (short name, name or SSP_OIDC_MUNICIPALITY_MAP), or the
    installation's only one when no claim is configured. None: unknown (never a guess)."""
    claim = settings.SSP_OIDC_CLAIM_MUNICIPALITY
    if not claim:
        only = list(Municipality.objects.order_by("pk")[:2])
        return only[0] if len(only) == 1 else None
    value = _claim_text(claims, claim)
    if not value:
        return None
    value = settings.SSP_OIDC_MUNICIPALITY_MAP.get(value, value)
    found = list(Municipality.objects.filter(Q(slug__iexact=value) | Q(name__iexact=value))[:2])
    return found[0] if len(found) == 1 else None


def unit_of(claims: dict[str, Any], municipality: Municipality) -> Unit | None:
    """The unit the claim names by short name or name (as the bulk import matches a unit)."""
    value = _claim_text(claims, settings.SSP_OIDC_CLAIM_UNIT)
    if not value:
        return None
    units = Unit.objects.filter(municipality=municipality)
    by_slug = units.filter(slug__iexact=value).first()
    if by_slug is not None:
        return by_slug
    by_name = list(units.filter(name__iexact=value)[:2])
    return by_name[0] if len(by_name) == 1 else None


def _sector_of(claims: dict[str, Any], unit: Unit | None) -> str:
    from ssp.accounts.bulk_users import SECTORS
    from ssp.police.imports import norm_header

    value = _claim_text(claims, settings.SSP_OIDC_CLAIM_SECTOR)
    sector = SECTORS.get(norm_header(value), "") if value else ""
    if sector:
        return sector
    return unit.sector if unit is not None else Sector.OTHER


# From the least to the most privileged: of several mapped values, the first of these wins.
ROLE_ORDER = (
    AccessRole.POLITICIAN,
    AccessRole.EMPLOYEE,
    AccessRole.SSP_STAFF,
    AccessRole.SUPERVISOR,
    AccessRole.ADMINISTRATOR,
)
ELEVATED_ROLES = frozenset({AccessRole.ADMINISTRATOR, AccessRole.SUPERVISOR})


def _role_of(claims: dict[str, Any]) -> str:
    """The access role, only when the administrator named its claim: the claim's values looked up
    exactly in SSP_OIDC_ROLE_MAP, the least privileged of those found; administrator and
    supervisor only with SSP_OIDC_ALLOW_ELEVATED_ROLES. Else employee."""
    if not settings.SSP_OIDC_CLAIM_ROLE:
        return AccessRole.EMPLOYEE
    role_map: dict[str, str] = settings.SSP_OIDC_ROLE_MAP
    roles = {
        AccessRole(role_map[value])
        for value in _claim_values(claims, settings.SSP_OIDC_CLAIM_ROLE)
        if value in role_map
    }
    if not settings.SSP_OIDC_ALLOW_ELEVATED_ROLES:
        roles -= ELEVATED_ROLES
    found = [role for role in ROLE_ORDER if role in roles]
    return str(found[0]) if found else str(AccessRole.EMPLOYEE)


def _authority_of(claims: dict[str, Any]) -> bool:
    """The authority flag, only when the administrator named its claim; else no."""
    from ssp.accounts.bulk_users import YES

    if not settings.SSP_OIDC_CLAIM_AUTHORITY:
        return False
    value = claims.get(settings.SSP_OIDC_CLAIM_AUTHORITY)
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and str(value).strip().lower() in YES


# --- Signing in -----------------------------------------------------------------------------


def _users_with(email: str) -> list[User]:
    return [
        user
        for user in User.objects.filter(email__iexact=email).select_related("member")
        if user.email and _same_address(user.email, email)
    ]


def _admit(user: User, municipality: Municipality, *, from_claim: bool) -> None:
    """Whether this existing user may log in here. Raises SSORefused."""
    if not user.is_active:
        raise SSORefused("deactivated", user.pk)
    if (user.is_staff or user.is_superuser) and not settings.SSP_OIDC_ALLOW_STAFF:
        raise SSORefused("staff", user.pk)
    member = Member.objects.filter(user=user).only("municipality_id").first()
    if member is None:
        # An operator without a member: only on an installation with one municipality, where
        # there is nobody else's to reach.
        if from_claim:
            raise SSORefused("mismatch", user.pk)
    elif member.municipality_id != municipality.pk:
        raise SSORefused("mismatch", user.pk)


@transaction.atomic
def sign_in(*, claims: dict[str, Any]) -> tuple[User, bool]:
    """The user the provider vouches for: (user, created). Raises SSORefused.

    1. The provider's subject (issuer and `sub`) bound to a user at an earlier login: that user.
    2. Else, at the subject's first login, the user with the claimed (verified) address, who is
       then bound to the subject; a user already bound to another subject is refused (a recycled
       or changed address at the provider must not hand over the account).
    3. Else a new user, bound to the subject.
    The municipality is the installation's only one or the one the municipality claim names;
    with several and no claim configured, nobody is logged in."""
    issuer = str(settings.SSP_OIDC_ISSUER)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > SUBJECT_MAX_LENGTH:
        raise SSORefused("verification")
    from_claim = bool(settings.SSP_OIDC_CLAIM_MUNICIPALITY)
    municipality = municipality_of(claims)
    if municipality is None:
        raise SSORefused("municipality")
    identity = (
        SingleSignOnIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        _admit(identity.user, municipality, from_claim=from_claim)
        SingleSignOnIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
        return identity.user, False
    email = email_of(claims)
    users = _users_with(email)
    if len(users) > 1:
        raise SSORefused("conflict")
    try:
        with transaction.atomic():
            if users:
                user = users[0]
                _admit(user, municipality, from_claim=from_claim)
                if SingleSignOnIdentity.objects.filter(user=user).exists():
                    raise SSORefused("conflict", user.pk)
                _bind(user, issuer, subject)
                return user, False
            if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
                # A user named by this address whose own address is another one.
                raise SSORefused("conflict")
            user = _create(claims=claims, email=email, municipality=municipality)
            _bind(user, issuer, subject)
            return user, True
    except IntegrityError:
        # The same person's second tab, which bound the subject first: that binding wins.
        identity = (
            SingleSignOnIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            raise SSORefused("conflict") from None
        _admit(identity.user, municipality, from_claim=from_claim)
        return identity.user, False


def _bind(user: User, issuer: str, subject: str) -> None:
    SingleSignOnIdentity.objects.create(
        user=user, issuer=issuer, subject=subject, last_login_at=timezone.now()
    )


def _create(*, claims: dict[str, Any], email: str, municipality: Municipality) -> User:
    """A new user named by the (lower-case ASCII) address, with a member in the municipality."""
    full, first, last = _name_of(claims, email)
    user = User.objects.create_user(username=email, email=email, first_name=first, last_name=last)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    unit = unit_of(claims, municipality)
    role = _role_of(claims)
    authority = _authority_of(claims)
    member = Member.objects.create(
        user=user,
        municipality=municipality,
        name=full,
        unit=unit,
        sector=_sector_of(claims, unit),
        access_role=role,
        is_authority=authority,
        email=email,
    )
    record_event(
        actor=user,
        action=AuditAction.SSO_USER_CREATED,
        obj=member,
        municipality_id=municipality.pk,
        data={
            "user_id": user.pk,
            "unit_matched": unit is not None,
            "access_role": role,
            "is_authority": authority,
        },
    )
    return user


def _check_id_token(payload: dict[str, Any]) -> None:
    """What mozilla-django-oidc leaves out (OpenID Connect Core § 3.1.3.7): the issuer, and
    our client among the audience (and as the authorized party when there are several)."""
    client_id = str(settings.SSP_OIDC_CLIENT_ID)
    if str(payload.get("iss", "")).rstrip("/") != settings.SSP_OIDC_ISSUER:
        raise SuspiciousOperation("ID token from another issuer")
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise SuspiciousOperation("ID token for another client")
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise SuspiciousOperation("ID token authorized for another party")
    if not isinstance(payload.get("sub"), str) or not payload["sub"]:
        raise SuspiciousOperation("ID token without a subject")


class SSPOIDCBackend(_Settings, OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, answering only the callback of an SSO login."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads the endpoints at once, and the backend is made
        # for every authenticate() call, password logins included (no discovery for those).
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not sso_enabled() or "nonce" not in kwargs:
            return None
        self.load_endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO")
        self.OIDC_RP_IDP_SIGN_KEY = None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        _check_id_token(payload)
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
                raise SuspiciousOperation("userinfo for another subject")
            # amr and acr describe this login: they come from the ID token only.
            claims |= {k: v for k, v in userinfo.items() if k not in {"amr", "acr", "iss", "aud"}}
        user, created = sign_in(claims=claims)
        user.ssp_sso_second_factor = second_factor_of(payload)  # type: ignore[attr-defined]
        user.ssp_sso_created = created  # type: ignore[attr-defined]
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The ID token's signature with the configured algorithm only, our client in its
        audience, and exp, iat and nbf with a minute's leeway for the provider's clock. PyJWT's
        errors (expired, not yet valid ...) are left to the callback view."""
        algorithm = str(settings.SSP_OIDC_SIGN_ALGO)
        if jwt.get_unverified_header(payload).get("alg") != algorithm:
            raise SuspiciousOperation("the ID token is signed with another algorithm")
        decoded: dict[str, Any] = jwt.decode(
            payload,
            key,
            algorithms=[algorithm],
            audience=str(settings.SSP_OIDC_CLIENT_ID),
            leeway=JWT_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        return decoded

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider's signing key for the configured algorithm: the one with the token's key
        id, or, for a token without one (RFC 7515 makes it optional), the provider's only key."""
        if not isinstance(token, str):
            raise SuspiciousOperation("no ID token")
        header = jwt.get_unverified_header(token)
        algorithm = str(settings.SSP_OIDC_SIGN_ALGO)
        key_type = {"RS": "RSA", "ES": "EC"}.get(algorithm[:2], "")
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL"),
            timeout=self.get_settings("OIDC_TIMEOUT"),
        )
        response.raise_for_status()
        document = response.json()
        listed = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(listed, list):
            raise SuspiciousOperation("the provider's JWKS holds no keys")
        keys = [
            key
            for key in listed
            if isinstance(key, dict)
            and key.get("kty") == key_type
            and key.get("use", "sig") == "sig"
            and key.get("alg", algorithm) == algorithm
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("no single signing key for the ID token")
        return jwt.PyJWK(keys[0], algorithm=algorithm)

    def get_user(self, user_id: Any) -> User | None:
        """Django's: a deactivated user's session ends (the library's would keep it)."""
        user: User | None = ModelBackend.get_user(self, user_id)
        return user


# --- Views ----------------------------------------------------------------------------------


class SSOStartView(_Settings, OIDCAuthenticationRequestView):  # type: ignore[misc]
    """To the provider, with a fresh state, nonce and PKCE verifier in the session."""

    def __init__(self, **kwargs: Any) -> None:
        # Not the library's __init__, which reads the endpoints before we know SSO is on.
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        try:
            found = self.load_endpoints()
        except (requests.RequestException, ValueError):
            logger.warning("single sign-on: the provider's discovery document failed")
            return error_page(request, "provider")
        self.OIDC_OP_AUTH_ENDPOINT = found["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response


class SSOCallbackView(_Settings, OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Back from the provider: sign in, or a Danish page saying why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        if any(len(value) > PARAMETER_MAX_LENGTH for value in request.GET.values()):
            return error_page(request, "verification")
        if request.GET.get("error"):
            # The state is spent (no replay); unlike the library, a running session is not
            # ended: a link to this address must not log anybody out.
            states = request.session.get("oidc_states")
            if isinstance(states, dict) and states.pop(request.GET.get("state", ""), None):
                request.session.modified = True
            denied = request.GET.get("error") in {"access_denied", "login_required"}
            return error_page(request, "denied" if denied else "provider")
        try:
            response: HttpResponse = super().get(request)
        except SSORefused as refused:
            logger.info("single sign-on refused: %s", refused.reason)
            _record_refusal(request, refused)
            return error_page(request, refused.reason)
        except (SuspiciousOperation, jwt.PyJWTError) as error:
            # A bad state or nonce, an expired or not yet valid ID token, another audience,
            # a signature or key that does not fit, no ID token at all.
            logger.warning("single sign-on: the provider's answer failed a check: %s", error)
            return error_page(request, "verification")
        except (requests.RequestException, ValueError) as error:
            logger.warning("single sign-on: the provider failed: %s", type(error).__name__)
            return error_page(request, "provider")
        except Exception:
            # An answer of a shape nobody foresaw (a JWKS of another form ...): never a 500.
            logger.exception("single sign-on: the provider's answer could not be used")
            return error_page(request, "provider")
        return response

    def login_failure(self) -> HttpResponse:
        return error_page(self.request, "verification")

    def login_success(self) -> HttpResponse:
        request = self.request
        user: User = self.user
        auth.login(request, user)
        second_factor = bool(getattr(user, "ssp_sso_second_factor", False))
        if second_factor:
            request.session[SSO_MFA_SESSION_KEY] = user.pk
        else:
            request.session.pop(SSO_MFA_SESSION_KEY, None)
        created = bool(getattr(user, "ssp_sso_created", False))
        record_event(
            actor=user,
            action=AuditAction.SSO_LOGIN,
            obj=user,
            data={"second_factor": second_factor, "created": created},
            request=request,
        )
        _welcome(request, user, created=created)
        return HttpResponseRedirect(self.success_url)


def _record_refusal(request: HttpRequest, refused: SSORefused) -> None:
    """A refused SSO login in the audit trail: the reason code and the user's id, if one was
    found; no address, no claims."""
    if refused.reason not in {"deactivated", "mismatch", "conflict", "staff"}:
        return
    record_event(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="auth.user" if refused.user_id else "",
        object_id=str(refused.user_id or ""),
        data={"sso": True, "reason": refused.reason},
        request=request,
    )


def _welcome(request: HttpRequest, user: User, *, created: bool) -> None:
    member = Member.objects.filter(user=user).select_related("unit", "municipality").first()
    if member is None or member.municipality is None:
        return
    if member.unit is not None:
        messages.success(
            request,
            _("Du er logget ind som medarbejder i %(unit)s, %(municipality)s.")
            % {"unit": member.unit.name, "municipality": member.municipality.name},
        )
    elif created:
        messages.info(
            request,
            _(
                "Du er oprettet som bruger i %(municipality)s, men er ikke knyttet til en enhed "
                "endnu. Kontakt SSP-koordinatoren, så du kommer på plads."
            )
            % {"municipality": member.municipality.name},
        )


app_name = "oidc"
urlpatterns = [
    path("authenticate/", login_not_required(SSOStartView.as_view()), name="authenticate"),
    path("callback/", login_not_required(SSOCallbackView.as_view()), name="callback"),
]
