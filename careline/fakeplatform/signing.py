"""The signatures the fake platform puts on webhooks and checks on calls, written from the
platforms' documentation (not shared with careline's connectors, so a bug in one cannot hide
a bug in the other)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def hex_hmac(secret: str, message: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def meta_signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: "sha256=" + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hex_hmac(app_secret, body)


def meta_legacy_signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature``: the sha1 variant Meta still sends beside the sha256 one."""
    return "sha1=" + hex_hmac(app_secret, body, "sha1")


def appsecret_proof(app_secret: str, access_token: str) -> str:
    return hex_hmac(app_secret, access_token.encode())


def x_signature(consumer_secret: str, message: bytes) -> str:
    """``x-twitter-webhooks-signature`` and the CRC answer: "sha256=" + base64 HMAC-SHA256."""
    digest = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def generic_signature(secret: str, body: bytes) -> str:
    """``X-Careline-Signature``: "sha256=" + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hex_hmac(secret, body)


def same(expected: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.strip().encode())
