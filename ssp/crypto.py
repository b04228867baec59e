"""Field encryption and blind indexes for personal data (CPR numbers, free text about persons).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from SSP_FIELD_KEY.
Old keys listed in SSP_FIELD_KEYS_OLD (comma-separated) still decrypt, so keys can be rotated;
`manage.py rotate_field_key` re-encrypts every value under the current key and rebuilds the
blind indexes (`ssp/management/commands/rotate_field_key.py`).
A blind index (HMAC-SHA256 under a separate derived key) finds a value without decrypting.

Where encrypted values live: every `EncryptedTextField`, and the columns in
`MANUALLY_ENCRYPTED` (a token written with `encrypt`, beside its blind index).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"ssp:{purpose}:{secret}".encode()).digest()


@dataclass(frozen=True)
class ManuallyEncrypted:
    """A column holding a token from `encrypt` (not an `EncryptedTextField`), and the column
    holding its blind index (empty string: none)."""

    model: str  # "app_label.ModelName"
    column: str
    index_column: str = ""


# Columns encrypted by hand (the value is needed for its blind index when it is written).
MANUALLY_ENCRYPTED: tuple[ManuallyEncrypted, ...] = (
    ManuallyEncrypted("cases.YoungPerson", "cpr_encrypted", "cpr_index"),
    ManuallyEncrypted("police.AbsenceRecord", "cpr_encrypted", "cpr_index"),
)


def _fernet_for(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(key, "encryption")))


@lru_cache(maxsize=4)
def _fernet(primary: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet_for(key) for key in (primary, *old) if key])


def old_keys() -> tuple[str, ...]:
    """The keys before the current one (SSP_FIELD_KEYS_OLD), newest first: they decrypt only."""
    configured = getattr(settings, "SSP_FIELD_KEYS_OLD", [])
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(key.strip() for key in configured if key.strip())


def _current() -> MultiFernet:
    return _fernet(settings.SSP_FIELD_KEY, old_keys())


def key_id(key: str | None = None) -> str:
    """A public name for a field key (it reveals nothing of the key): for the rotation's
    progress record and the operators' log."""
    secret = settings.SSP_FIELD_KEY if key is None else key
    return hashlib.sha256(_derive(secret, "key-id")).hexdigest()[:16]


def reencrypt(token: str) -> str:
    """The same value encrypted under the current key (decrypted with any configured key)."""
    if not token:
        return token
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or damaged value") from exc


def is_under_current_key(token: str) -> bool:
    """Whether the current key alone decrypts the token (empty values need no key)."""
    if not token:
        return True
    try:
        _fernet_for(settings.SSP_FIELD_KEY).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def encryptor() -> Callable[[str], str]:
    """`encrypt` with the current key looked up once, for bulk work (an import of 100,000
    rows); the same tokens as `encrypt` gives."""
    fernet = _current()

    def encrypt_one(value: str) -> str:
        return fernet.encrypt(value.encode()).decode()

    return encrypt_one


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or damaged value") from exc


def blind_index(value: str) -> str:
    key = _derive(settings.SSP_FIELD_KEY, "blind-index")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def blind_indexer() -> Callable[[str], str]:
    """`blind_index` with its key derived once, for bulk work (an import of 100,000 rows)."""
    template = hmac.new(_derive(settings.SSP_FIELD_KEY, "blind-index"), digestmod=hashlib.sha256)

    def index(value: str) -> str:
        mac = template.copy()
        mac.update(value.encode())
        return mac.hexdigest()

    return index


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
