"""Settings for the SSP platform: one module, configured by environment variables.

Safe local defaults (SQLite under var/, DEBUG off) and a refusal to run in production with an
insecure secret key. See README.md for the list of variables.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SSP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A string from the environment; NAME_FILE (a path) wins, for secrets in files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = env_bool("DEBUG", False)

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE), "
            "or DEBUG=1 for development."
        )
    SECRET_KEY = _INSECURE_KEY

# Key for the audit trail's hash chain (HMAC-SHA256): kept outside the database, so that somebody
# who can write to the database cannot recompute the chain after changing it. Required in
# production; development and tests derive one from SECRET_KEY.
SSP_AUDIT_KEY_MIN_LENGTH = 32
SSP_AUDIT_KEY = env_str("SSP_AUDIT_KEY", "")
if not SSP_AUDIT_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SSP_AUDIT_KEY is not set. Set SSP_AUDIT_KEY (or SSP_AUDIT_KEY_FILE) to a long "
            "random secret kept outside the database, or DEBUG=1 for development."
        )
    SSP_AUDIT_KEY = hashlib.sha256(f"ssp-audit-key:{SECRET_KEY}".encode()).hexdigest()
elif len(SSP_AUDIT_KEY) < SSP_AUDIT_KEY_MIN_LENGTH and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        f"SSP_AUDIT_KEY is too short: use at least {SSP_AUDIT_KEY_MIN_LENGTH} random characters."
    )

# Key for field encryption and blind indexes of personal data (CPR numbers). Separate from
# SECRET_KEY so that it can be rotated on its own (`manage.py rotate_field_key`): required in
# production; development and tests fall back to SECRET_KEY. During a rotation the keys before
# it are listed in SSP_FIELD_KEYS_OLD (comma-separated; they decrypt, they never encrypt).
SSP_FIELD_KEY_MIN_LENGTH = 32
SSP_FIELD_KEY = env_str("SSP_FIELD_KEY", "")
if not SSP_FIELD_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SSP_FIELD_KEY is not set. Set SSP_FIELD_KEY (or SSP_FIELD_KEY_FILE) to a long random "
            "secret of its own (not SECRET_KEY), or DEBUG=1 for development."
        )
    SSP_FIELD_KEY = SECRET_KEY
elif not (DEBUG or TESTING):
    if len(SSP_FIELD_KEY) < SSP_FIELD_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SSP_FIELD_KEY is too short: use at least {SSP_FIELD_KEY_MIN_LENGTH} random "
            "characters."
        )
    if SSP_FIELD_KEY == SECRET_KEY:
        raise ImproperlyConfigured("SSP_FIELD_KEY must differ from SECRET_KEY.")
SSP_FIELD_KEYS_OLD = env_list("SSP_FIELD_KEYS_OLD", []) or env_list("SSP_FIELD_KEY_OLD", [])

# Reverse proxies in front of the app that append the client's address to X-Forwarded-For.
# 0: the client address is REMOTE_ADDR. Used by the audit trail and the login lockout.
SSP_PROXY_COUNT = env_int("SSP_PROXY_COUNT", 0)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ssp.audit",
    "ssp.organisation",
    "ssp.cases",
    "ssp.meetings",
    "ssp.police",
    "ssp.prevention",
    "ssp.reports",
    "django_tasks",
    "django_tasks_db",
    "ssp.accounts",
    "ssp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ssp.audit.middleware.AuditRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "ssp.accounts.middleware.SecondFactorRequiredMiddleware",
    "ssp.accounts.middleware.ConfidentialityAcknowledgementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ssp.errors.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ssp.urls"
WSGI_APPLICATION = "ssp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ssp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ssp.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ssp.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A reused connection is checked before a request uses it, so that after a failover of
        # the database (a managed service, a promoted standby) no request fails on a dead one.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
        # On for PgBouncer in transaction pooling mode, which cannot keep server-side cursors.
        disable_server_side_cursors=env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False),
    )
}
if TESTING and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Lets Django's test runner empty a test database (named test_*) between tests; the audit
    # trigger refuses TRUNCATE everywhere else (audit migration 0004).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c ssp.test_database_flush=on".strip()
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
    "DATABASE_SERVER_SIDE_BINDING", True
):
    # Parameters bound on the server, and a statement a connection runs for the fifth time
    # prepared there (psycopg's `prepare_threshold`): PostgreSQL then skips planning the
    # pages' recurring queries (issue 11: about a tenth more requests per second under load).
    # Off behind PgBouncer in transaction pooling mode before 1.21, or without its
    # `max_prepared_statements`: prepared statements belong to one server session.
    # DATABASE_PREPARE_THRESHOLD=0 binds on the server but prepares nothing (psycopg's None).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["server_side_binding"] = True
    _options["prepare_threshold"] = env_int("DATABASE_PREPARE_THRESHOLD", 5) or None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One machine (development, the demo): the web server and the task worker share the file.
    # WAL lets pages read while an import writes; a writer waits for another instead of failing.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("timeout", 60)
    _options.setdefault("init_command", "PRAGMA journal_mode=WAL;")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Single sign-on (OpenID Connect, issue 15) ----------------------------------------------
# Off while SSP_OIDC_ISSUER is empty. Users log in through the municipality's identity provider
# (Entra ID, KOMBIT's broker, MitID Erhverv ...) with the authorization code flow (state, nonce,
# PKCE); ssp/accounts/oidc.py matches them on e-mail or creates them. The provider's endpoints are
# read from <issuer>/.well-known/openid-configuration at the first login (never at start-up) and
# kept for an hour; an endpoint set here wins over the discovered one. Everything is read at
# request time, so changing these needs only a restart. See README.md ("Single sign-on").
SSP_OIDC_ISSUER = env_str("SSP_OIDC_ISSUER", "").strip().rstrip("/")
SSP_OIDC_CLIENT_ID = env_str("SSP_OIDC_CLIENT_ID", "")
SSP_OIDC_CLIENT_SECRET = env_str("SSP_OIDC_CLIENT_SECRET", "")
SSP_OIDC_AUTHORIZATION_ENDPOINT = env_str("SSP_OIDC_AUTHORIZATION_ENDPOINT", "")
SSP_OIDC_TOKEN_ENDPOINT = env_str("SSP_OIDC_TOKEN_ENDPOINT", "")
# Empty: the discovered one; "-" turns the userinfo call off (claims from the ID token only).
SSP_OIDC_USERINFO_ENDPOINT = env_str("SSP_OIDC_USERINFO_ENDPOINT", "")
SSP_OIDC_JWKS_ENDPOINT = env_str("SSP_OIDC_JWKS_ENDPOINT", "")
SSP_OIDC_SCOPES = env_str("SSP_OIDC_SCOPES", "openid email profile")
SSP_OIDC_SIGN_ALGO = env_str("SSP_OIDC_SIGN_ALGO", "RS256")
SSP_OIDC_USE_PKCE = env_bool("SSP_OIDC_USE_PKCE", True)
# The client secret in an Authorization header (client_secret_basic) instead of the body.
SSP_OIDC_TOKEN_AUTH_BASIC = env_bool("SSP_OIDC_TOKEN_AUTH_BASIC", False)
SSP_OIDC_TIMEOUT_SECONDS = env_int("SSP_OIDC_TIMEOUT_SECONDS", 10)
# A CA bundle (path) for a provider with a certificate of the municipality's own CA.
SSP_OIDC_CA_BUNDLE = env_str("SSP_OIDC_CA_BUNDLE", "")
# The button's text: "Log ind med <name>" (empty: "kommunens login").
SSP_OIDC_PROVIDER_NAME = env_str("SSP_OIDC_PROVIDER_NAME", "")
# Claim names. E-mail identifies the user (Entra ID: often "preferred_username" or "upn").
SSP_OIDC_CLAIM_EMAIL = env_str("SSP_OIDC_CLAIM_EMAIL", "email")
SSP_OIDC_CLAIM_NAME = env_str("SSP_OIDC_CLAIM_NAME", "name")
SSP_OIDC_CLAIM_UNIT = env_str("SSP_OIDC_CLAIM_UNIT", "")
SSP_OIDC_CLAIM_SECTOR = env_str("SSP_OIDC_CLAIM_SECTOR", "")
# Several municipalities on one installation: the claim naming the user's municipality (matched
# on its short name or name, or through SSP_OIDC_MUNICIPALITY_MAP, e.g. "29189897:aadal" for a
# CVR number). Empty: the installation's only municipality; never a guess among several.
SSP_OIDC_CLAIM_MUNICIPALITY = env_str("SSP_OIDC_CLAIM_MUNICIPALITY", "")
SSP_OIDC_MUNICIPALITY_MAP = dict(
    item.split(":", 1) for item in env_list("SSP_OIDC_MUNICIPALITY_MAP", []) if ":" in item
)
# Explicit opt-in: only when named here are the authority flag and the access role of a NEW user
# taken from the provider; empty (the default) = never. The role claim's values are looked up in
# SSP_OIDC_ROLE_MAP (exact claim value to role, e.g. "ssp-team:ssp_staff,ssp-ansat:employee");
# a value not in the map gives nothing, and of several values the least privileged role wins.
# Administrator and supervisor ("tilsyn") are given from claims only with
# SSP_OIDC_ALLOW_ELEVATED_ROLES on.
SSP_OIDC_CLAIM_AUTHORITY = env_str("SSP_OIDC_CLAIM_AUTHORITY", "")
SSP_OIDC_CLAIM_ROLE = env_str("SSP_OIDC_CLAIM_ROLE", "")
# The roles (ssp/organisation/models.py AccessRole), by value or a short Danish/English name.
_SSO_ROLES = {
    "ssp_staff": "ssp_staff",
    "ssp": "ssp_staff",
    "employee": "employee",
    "medarbejder": "employee",
    "politician": "politician",
    "politiker": "politician",
    "administrator": "administrator",
    "admin": "administrator",
    "supervisor": "supervisor",
    "tilsyn": "supervisor",
}
_role_pairs = [item.rpartition(":") for item in env_list("SSP_OIDC_ROLE_MAP", []) if ":" in item]
if any(role.strip().lower() not in _SSO_ROLES for _value, _sep, role in _role_pairs):
    raise ImproperlyConfigured(
        f"SSP_OIDC_ROLE_MAP: each item is <claim value>:<role>, the roles being "
        f"{', '.join(sorted(_SSO_ROLES))}."
    )
SSP_OIDC_ROLE_MAP = {
    value.strip(): _SSO_ROLES[role.strip().lower()] for value, _sep, role in _role_pairs
}
SSP_OIDC_ALLOW_ELEVATED_ROLES = env_bool("SSP_OIDC_ALLOW_ELEVATED_ROLES", False)
# Who may be matched. The e-mail claim finds an existing user (or names a new one) only at the
# first SSO login of a provider subject (`iss` + `sub`), which is then bound to the user; later
# logins match the binding. The address must be marked verified (`email_verified` true) unless
# SSP_OIDC_TRUST_EMAIL is on: Entra ID sends no `email_verified`, so there it must be on, with a
# single-tenant issuer and a claim the tenant controls (preferred_username / upn).
SSP_OIDC_TRUST_EMAIL = env_bool("SSP_OIDC_TRUST_EMAIL", False)
# Only addresses in these domains (comma-separated, e.g. "aadal.dk,skole.aadal.dk"; exact
# domains); empty = any.
SSP_OIDC_EMAIL_DOMAINS = [
    domain.lower().lstrip("@") for domain in env_list("SSP_OIDC_EMAIL_DOMAINS", [])
]
# Staff and superusers (the Django admin) are never logged in by SSO unless this is on.
SSP_OIDC_ALLOW_STAFF = env_bool("SSP_OIDC_ALLOW_STAFF", False)
# The provider's second factor counts as ours (SSP_REQUIRE_2FA) when the ID token's `amr` holds
# one of these values (RFC 8176; "otp", "hwk", "swk" alone are single factors and do not belong
# here) or its `acr` is one of SSP_OIDC_MFA_ACR_VALUES (NSIS "betydelig"/"høj" by default, as
# MitID Erhverv and KOMBIT's broker send them).
SSP_OIDC_MFA_VALUES = env_list("SSP_OIDC_MFA_VALUES", ["mfa"])
SSP_OIDC_MFA_ACR_VALUES = env_list(
    "SSP_OIDC_MFA_ACR_VALUES",
    [
        "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        "https://data.gov.dk/concept/core/nsis/loa/High",
    ],
)
# Password login (and password reset, and invitations with a password link). Off: only the
# municipality's login; password sessions from before end at their next request.
SSP_LOCAL_LOGIN = env_bool("SSP_LOCAL_LOGIN", True)
_SSO_SIGN_ALGOS = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256"}
if SSP_OIDC_ISSUER:
    if not (SSP_OIDC_CLIENT_ID and SSP_OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "SSP_OIDC_ISSUER is set: set SSP_OIDC_CLIENT_ID and SSP_OIDC_CLIENT_SECRET "
            "(or SSP_OIDC_CLIENT_SECRET_FILE) too."
        )
    for _name, _address in (
        ("SSP_OIDC_ISSUER", SSP_OIDC_ISSUER),
        ("SSP_OIDC_AUTHORIZATION_ENDPOINT", SSP_OIDC_AUTHORIZATION_ENDPOINT),
        ("SSP_OIDC_TOKEN_ENDPOINT", SSP_OIDC_TOKEN_ENDPOINT),
        (
            "SSP_OIDC_USERINFO_ENDPOINT",
            "" if SSP_OIDC_USERINFO_ENDPOINT == "-" else SSP_OIDC_USERINFO_ENDPOINT,
        ),
        ("SSP_OIDC_JWKS_ENDPOINT", SSP_OIDC_JWKS_ENDPOINT),
    ):
        if _address and not _address.startswith("https://") and not (DEBUG or TESTING):
            raise ImproperlyConfigured(f"{_name} must be an https:// address.")
    if SSP_OIDC_SIGN_ALGO not in _SSO_SIGN_ALGOS:
        raise ImproperlyConfigured(
            f"SSP_OIDC_SIGN_ALGO must be one of {', '.join(sorted(_SSO_SIGN_ALGOS))}."
        )
    if SSP_OIDC_CA_BUNDLE and not Path(SSP_OIDC_CA_BUNDLE).is_file():
        raise ImproperlyConfigured("SSP_OIDC_CA_BUNDLE names no file.")
    if {value.lower() for value in SSP_OIDC_MFA_VALUES} & {
        "otp",
        "hwk",
        "swk",
        "pwd",
        "pin",
        "sms",
    }:
        raise ImproperlyConfigured(
            "SSP_OIDC_MFA_VALUES holds a single factor (otp, hwk, swk, pwd, pin, sms): "
            "use mfa, or the provider's acr values in SSP_OIDC_MFA_ACR_VALUES."
        )
    if SSP_OIDC_CLAIM_ROLE and not SSP_OIDC_ROLE_MAP:
        raise ImproperlyConfigured("SSP_OIDC_CLAIM_ROLE is set: set SSP_OIDC_ROLE_MAP too.")
    AUTHENTICATION_BACKENDS.append("ssp.accounts.oidc.SSPOIDCBackend")
    if not SSP_LOCAL_LOGIN:
        # No password logins at all (django-axes' backend stays first; the SSO backend, a
        # ModelBackend, answers the permission checks). Sessions of ModelBackend end.
        AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")
elif not SSP_LOCAL_LOGIN:
    raise ImproperlyConfigured(
        "SSP_LOCAL_LOGIN is off and single sign-on is not set up (SSP_OIDC_ISSUER): "
        "nobody could log in."
    )

# Lockout after repeated failed logins (django-axes), counted per user name and address: five
# wrong passwords lock that user from that address only, so nobody can lock another person out
# from elsewhere, and a town hall behind one NAT address is not locked out as a whole.
# The attempts are rows in the database, so a lockout made on one app server holds on every other.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ssp.audit.middleware.client_address"
# Guessing one user's password from many addresses: after this many failures for a user name
# from any addresses (with no success in between and none more than the cool-off apart), the user
# is refused for SSP_LOGIN_USER_REFUSAL_SECONDS at a time and the administrators get an e-mail.
SSP_LOGIN_USER_FAILURE_LIMIT = env_int("SSP_LOGIN_USER_FAILURE_LIMIT", 20)
SSP_LOGIN_USER_REFUSAL = timedelta(seconds=env_int("SSP_LOGIN_USER_REFUSAL_SECONDS", 60))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Second factor: TOTP (django-otp). When SSP_REQUIRE_2FA is on, every user who can see
# personal data must set up and use a second factor before anything else.
SSP_REQUIRE_2FA = env_bool("SSP_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "SSP")

# Sessions in the database, shared by every app server (no sticky sessions needed). The platform
# uses no cache: nothing a second server would need is kept in one server's memory.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Django's admin and DKFDS set a few style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"

# Uploaded files (meeting attachments, police lists and absence files waiting for the task worker)
# go through Django's default storage and nowhere else: the file system under MEDIA_ROOT for one
# machine, or an S3-compatible object store when SSP_S3_BUCKET is set, so that several app servers
# and task workers share nothing but the database and the bucket. The files are private: there is
# no MEDIA_URL, objects are written with a private ACL, and any URL the storage could make is a
# short-lived signed one; downloads stream through views that check access and audit them.
SSP_S3_BUCKET = env_str("SSP_S3_BUCKET", "")
_default_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if SSP_S3_BUCKET:
    _s3_encryption = env_str("SSP_S3_SERVER_SIDE_ENCRYPTION", "")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": SSP_S3_BUCKET,
            # Empty: AWS itself (region from SSP_S3_REGION), else e.g. https://s3.example.dk.
            "endpoint_url": env_str("SSP_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("SSP_S3_REGION", "") or None,
            # Empty keys: boto3's own chain (AWS_* variables, an instance or pod role).
            "access_key": env_str("SSP_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("SSP_S3_SECRET_ACCESS_KEY", "") or None,
            # "path" for most self-hosted stores (MinIO, Ceph), "virtual" for AWS; empty: boto3's.
            "addressing_style": env_str("SSP_S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
            # A key prefix inside the bucket, so that one bucket can serve several installations.
            "location": env_str("SSP_S3_PREFIX", "").strip("/"),
            # "private"; empty sends no ACL (for buckets with ACLs disabled: keep them private by
            # the bucket's policy). Never a public-read ACL, never a public or custom-domain URL.
            "default_acl": env_str("SSP_S3_DEFAULT_ACL", "private") or None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
            # Two uploads of the same name never overwrite each other (as on the file system).
            "file_overwrite": False,
            # A CA bundle for an endpoint with a certificate of the municipality's own CA.
            "verify": env_str("SSP_S3_CA_BUNDLE", "") or None,
            # Files read back (downloads, imports) spill to a temporary file above 2 MB.
            "max_memory_size": 2 * 1024 * 1024,
            "object_parameters": (
                {"ServerSideEncryption": _s3_encryption} if _s3_encryption else {}
            ),
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
if TESTING:
    import tempfile

    _TEST_DIR = Path(tempfile.mkdtemp(prefix="ssp-test-"))
    MEDIA_ROOT = _TEST_DIR / "media"
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # A file, not SQLite's in-memory database, so that servers started by the tests as
        # processes of their own (tests/test_scale_out.py) see the same test database.
        DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DIR / "test.sqlite3")}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ssp@localhost")
# The platform's own address, for the links in e-mails sent by the daily jobs and the task
# worker (meeting invitations and notices), e.g. https://ssp.aadal.dk
SSP_SITE_URL = env_str("SSP_SITE_URL", "")
# Issue 16: the statute text shown beside a deadline, per deadline kind (a JSON object such as
# {"network_council": "Barnets lov § 33 ..."}); kinds not named keep the platform's wording
# (ssp/police/deadlines.py DEFAULT_STATUTES).
_statutes = env_str("SSP_DEADLINE_STATUTES", "")
try:
    SSP_DEADLINE_STATUTES: dict[str, str] = json.loads(_statutes) if _statutes else {}
except ValueError as error:
    raise ImproperlyConfigured(f"SSP_DEADLINE_STATUTES is not a JSON object: {error}") from error
if not isinstance(SSP_DEADLINE_STATUTES, dict) or not all(
    isinstance(value, str) for value in SSP_DEADLINE_STATUTES.values()
):
    raise ImproperlyConfigured("SSP_DEADLINE_STATUTES must map deadline kinds to texts.")

# Background jobs (django-tasks): e-mails are queued in the database and sent by
# `manage.py db_worker`; in development and tests they run at once.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG or TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Map tiles for hot spots (optional), e.g. https://tiles.example/{z}/{x}/{y}.png
SSP_MAP_TILE_URL = env_str("SSP_MAP_TILE_URL", "")
SSP_MAP_ATTRIBUTION = env_str("SSP_MAP_ATTRIBUTION", "")
if SSP_MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(SSP_MAP_TILE_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# The name shown in the header when the user belongs to no municipality.
SSP_SITE_NAME = env_str("SSP_SITE_NAME", "SSP-platformen")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
