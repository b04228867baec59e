"""Settings: safe defaults and a refusal to run in production with an insecure one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "SSP_AUDIT_KEY",
            "SSP_AUDIT_KEY_FILE",
            "SSP_FIELD_KEY",
            "SSP_FIELD_KEY_FILE",
        }
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = run_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_with_a_secret_key_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("a-long-random-secret-for-this-test-only\n")
    audit_key = tmp_path / "audit_key"
    audit_key.write_text("another-long-random-secret-for-the-audit-chain\n")
    field_key = tmp_path / "field_key"
    field_key.write_text("a-third-long-random-secret-for-the-field-encryption\n")
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY_FILE": str(secret),
            "SSP_AUDIT_KEY_FILE": str(audit_key),
            "SSP_FIELD_KEY_FILE": str(field_key),
        }
    )
    assert result.returncode == 0, result.stderr


PRODUCTION_KEYS = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-secret-for-this-test-only",
    "SSP_AUDIT_KEY": "another-long-random-secret-for-the-audit-chain",
}


def test_repro_production_refuses_to_start_without_its_own_field_key() -> None:
    """It used to fall back silently to SECRET_KEY."""
    result = run_check(PRODUCTION_KEYS)
    assert result.returncode != 0
    assert "SSP_FIELD_KEY is not set" in result.stderr


def test_production_refuses_a_short_field_key_or_the_secret_key_as_field_key() -> None:
    short = run_check({**PRODUCTION_KEYS, "SSP_FIELD_KEY": "short"})
    assert short.returncode != 0 and "SSP_FIELD_KEY is too short" in short.stderr
    same = run_check({**PRODUCTION_KEYS, "SSP_FIELD_KEY": PRODUCTION_KEYS["SECRET_KEY"]})
    assert same.returncode != 0 and "must differ from SECRET_KEY" in same.stderr


def test_the_confidentiality_gate_runs_after_login_and_the_second_factor() -> None:
    from django.conf import settings

    order = settings.MIDDLEWARE
    gate = order.index("ssp.accounts.middleware.ConfidentialityAcknowledgementMiddleware")
    assert gate > order.index("django.contrib.auth.middleware.LoginRequiredMiddleware")
    assert gate > order.index("ssp.accounts.middleware.SecondFactorRequiredMiddleware")


def test_it_refuses_to_start_without_an_audit_key_when_debug_is_off() -> None:
    result = run_check({"DEBUG": "0", "SECRET_KEY": "a-long-random-secret-for-this-test-only"})
    assert result.returncode != 0
    assert "SSP_AUDIT_KEY is not set" in result.stderr


def test_it_refuses_a_short_audit_key_when_debug_is_off() -> None:
    result = run_check(
        {"DEBUG": "0", "SECRET_KEY": "a-long-random-secret", "SSP_AUDIT_KEY": "short"}
    )
    assert result.returncode != 0
    assert "SSP_AUDIT_KEY is too short" in result.stderr


def test_tests_and_development_derive_an_audit_key_of_their_own() -> None:
    from django.conf import settings

    assert len(settings.SSP_AUDIT_KEY) >= settings.SSP_AUDIT_KEY_MIN_LENGTH
    assert settings.SSP_AUDIT_KEY != settings.SECRET_KEY


def test_the_client_address_is_kept_for_audit_events_of_every_request() -> None:
    from django.conf import settings

    assert "ssp.audit.middleware.AuditRequestMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from ssp import settings

    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_danish_is_the_default_language_and_english_is_offered() -> None:
    from ssp import settings

    assert settings.LANGUAGE_CODE == "da"
    assert [code for code, _name in settings.LANGUAGES] == ["da", "en"]


STORAGE_PROBE = """
import json
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "backend": f"{type(storage).__module__}.{type(storage).__qualname__}",
    **{
        name: getattr(storage, name, None)
        for name in (
            "bucket_name", "endpoint_url", "region_name", "addressing_style", "default_acl",
            "querystring_auth", "querystring_expire", "custom_domain", "file_overwrite",
            "location", "object_parameters",
        )
    },
    "url": storage.url("meetings/2026/referat.pdf") if "bucket_name" in vars(storage) else "",
}))
"""

S3_ENVIRONMENT = {
    "DEBUG": "1",
    "SSP_S3_BUCKET": "ssp-bilag",
    "SSP_S3_ENDPOINT_URL": "https://s3.kommune.example",
    "SSP_S3_REGION": "eu-north-1",
    "SSP_S3_ACCESS_KEY_ID": "an-access-key",
    "SSP_S3_SECRET_ACCESS_KEY": "a-secret-access-key",
    "SSP_S3_ADDRESSING_STYLE": "path",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def default_storage_with(env: dict[str, str]) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SSP_S3_", "AWS_"))}
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "shell", "-c", STORAGE_PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_uploads_are_on_the_local_file_system_by_default() -> None:
    storage = default_storage_with({"DEBUG": "1"})
    assert storage["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_the_s3_variables_select_private_object_storage() -> None:
    storage = default_storage_with(S3_ENVIRONMENT)
    assert storage["backend"] == "storages.backends.s3.S3Storage"
    assert storage["bucket_name"] == "ssp-bilag"
    assert storage["endpoint_url"] == "https://s3.kommune.example"
    assert storage["region_name"] == "eu-north-1"
    assert storage["addressing_style"] == "path"
    # Private objects, no public or custom-domain address: the only URL the storage can make is
    # signed and short-lived (the pages never use it; downloads stream through the views).
    assert storage["default_acl"] == "private"
    assert storage["querystring_auth"] is True and storage["custom_domain"] is None
    assert storage["querystring_expire"] <= 300
    assert "X-Amz-Signature=" in storage["url"] and "X-Amz-Expires=60" in storage["url"]
    assert storage["url"].startswith("https://s3.kommune.example/ssp-bilag/meetings/2026/")
    assert storage["file_overwrite"] is False
    assert storage["location"] == "" and storage["object_parameters"] == {}


def test_the_s3_acl_prefix_and_server_side_encryption_can_be_set() -> None:
    storage = default_storage_with(
        {
            **S3_ENVIRONMENT,
            "SSP_S3_DEFAULT_ACL": "",
            "SSP_S3_PREFIX": "/faxe/",
            "SSP_S3_SERVER_SIDE_ENCRYPTION": "AES256",
        }
    )
    # No ACL at all (for buckets with ACLs disabled), never a public one.
    assert storage["default_acl"] is None
    assert storage["location"] == "faxe"
    assert storage["object_parameters"] == {"ServerSideEncryption": "AES256"}


DATABASE_PROBE = """
import json
from django.conf import settings
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""


def database_options_with(env: dict[str, str]) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "shell", "-c", DATABASE_PROBE],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_postgresql_binds_on_the_server_and_prepares_recurring_statements() -> None:
    """Issue 11: prepared from the fifth run by default; 0 prepares nothing (psycopg's None,
    where psycopg's own 0 would prepare every statement at once); off for PgBouncer."""
    url = {"DATABASE_URL": "postgres://ssp@127.0.0.1:5432/ssp"}
    assert database_options_with(url) == {"server_side_binding": True, "prepare_threshold": 5}
    none = database_options_with({**url, "DATABASE_PREPARE_THRESHOLD": "0"})
    assert none == {"server_side_binding": True, "prepare_threshold": None}
    assert database_options_with({**url, "DATABASE_SERVER_SIDE_BINDING": "0"}) == {}
    sqlite = database_options_with({"DATABASE_URL": "sqlite:////tmp/ssp-probe.sqlite3"})
    assert "server_side_binding" not in sqlite
