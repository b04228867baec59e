"""Field encryption and blind indexes for personal data (CPR numbers, free text about persons).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from SSP_FIELD_KEY.
Old keys listed in SSP_FIELD_KEYS_OLD (comma-separated) still decrypt, so keys can be rotated.
A blind index (HMAC-SHA256 under a separate derived key) finds a value without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"ssp:{purpose}:{secret}".encode()).digest()


@lru_cache(maxsize=4)
def _fernet(primary: str, old: str) -> MultiFernet:
    keys = [primary] + [key for key in old.split(",") if key]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(key, "encryption"))) for key in keys]
    )


def _current() -> MultiFernet:
    return _fernet(settings.SSP_FIELD_KEY, os.environ.get("SSP_FIELD_KEYS_OLD", ""))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or damaged value") from exc


def blind_index(value: str) -> str:
    key = _derive(settings.SSP_FIELD_KEY, "blind-index")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField[str | Combinable, str]):
    """A text column stored encrypted; the application sees plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
