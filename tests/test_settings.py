"""Settings: safe defaults and a refusal to run in production with an insecure one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
