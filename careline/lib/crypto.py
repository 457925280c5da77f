"""Symmetric encryption for secrets stored in the database (platform credentials)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    return _fernet_for(settings.CARELINE_FIELD_KEY, settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _fernet_for(configured: str, secret_key: str) -> Fernet:
    if configured:
        return Fernet(configured.encode())
    # Derive a stable key so the demo works without configuration; production sets its own.
    digest = hashlib.sha256(b"careline-field-key:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    """Raises ValueError when the token was not made with the configured key."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong CARELINE_FIELD_KEY or corrupted value") from exc


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header_value: str, *, prefix: str) -> bool:
    """Constant-time check of a ``<prefix><hex>`` signature header over the raw body."""
    if not secret or not header_value.startswith(prefix):
        return False
    expected = prefix + hmac_sha256_hex(secret, body)
    return hmac.compare_digest(expected.encode(), header_value.strip().encode())


class EncryptedJSONField(models.TextField):
    """A dict stored as a Fernet token: unreadable in the database and its backups."""

    # Tells django-stubs what the attribute holds (a dict, not the stored text).
    _pyi_private_set_type: dict[str, Any]  # type: ignore[assignment]
    _pyi_private_get_type: dict[str, Any]  # type: ignore[assignment]

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict | None:
        if value is None or value == "":
            return {}
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> dict:
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        return json.loads(decrypt_text(value))

    def get_prep_value(self, value: Any) -> str:
        return encrypt_text(json.dumps(value or {}, sort_keys=True))

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.JSONField(**{"required": not self.blank, **kwargs, "widget": forms.Textarea})

    def value_to_string(self, obj: Any) -> str:
        # Dumps (dumpdata) keep the encrypted form; secrets never leave in clear.
        return self.get_prep_value(self.value_from_object(obj))
