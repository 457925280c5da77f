"""Survey links that cannot be forged, altered, kept past their expiry, or used twice. Pure.

A token is ``<payload>.<signature>``, both unpadded URL-safe base64. The payload is compact
JSON ``{"v": 1, "c": conversation_id, "n": nonce, "e": expiry (unix seconds)}``; the
signature is HMAC-SHA256 over ``"careline.survey.v1:" + payload`` with the caller's secret.
The label keeps a token valid for this purpose only, even if the secret is shared.

Signing proves the link came from us; it cannot know whether the link was used. That is the
caller's half of the contract:

1. On issue: ``nonce = new_nonce()``; store it with the conversation (unused); send
   ``make_survey_token(...)``.
2. On showing the survey: ``read_survey_token(...)``; trust only the claim's conversation id,
   never one from the URL. Reading does not consume the token.
3. On submitting: ``redeem_survey_token(..., ledger=...)``; the ledger marks the nonce used in
   one atomic step (e.g. ``UPDATE ... SET used_at = now WHERE nonce = %s AND conversation_id =
   %s AND used_at IS NULL`` and check one row changed) and answers False when it was unknown
   or already used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from careline.workflow.calendar import as_utc

_LABEL = b"careline.survey.v1:"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MAX_TOKEN = 512
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")

Reason = Literal["malformed", "bad_signature", "expired", "reused"]
_MESSAGES: dict[Reason, str] = {
    "malformed": "the survey link is damaged or incomplete",
    "bad_signature": "the survey link was not issued by us or has been altered",
    "expired": "the survey link has expired",
    "reused": "the survey has already been answered with this link",
}


class InvalidToken(ValueError):
    """The token cannot be accepted; ``reason`` is one of malformed, bad_signature,
    expired, reused (the message is safe to show to the customer)."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason: Reason = reason
        message = _MESSAGES[reason]
        super().__init__(f"{message} ({detail})" if detail else message)


@dataclass(frozen=True)
class SurveyClaim:
    conversation_id: int
    nonce: str
    expires_at: datetime


class TokenLedger(Protocol):
    """Where issued nonces live. ``mark_used`` must be atomic (check-and-set in one step) and
    return True only the first time for a nonce issued for ``conversation_id``."""

    def mark_used(self, nonce: str, *, conversation_id: int, now: datetime) -> bool: ...


class InMemoryTokenLedger:
    """A ``TokenLedger`` for tests and as the reference behaviour (not shared across
    processes)."""

    def __init__(self) -> None:
        self._issued: dict[str, int] = {}
        self.used: dict[str, datetime] = {}

    def issue(self, nonce: str, *, conversation_id: int) -> None:
        self._issued[nonce] = conversation_id

    def mark_used(self, nonce: str, *, conversation_id: int, now: datetime) -> bool:
        if self._issued.get(nonce) != conversation_id or nonce in self.used:
            return False
        self.used[nonce] = now
        return True


def new_nonce() -> str:
    """A fresh random nonce (128 bits), URL-safe."""
    return secrets.token_urlsafe(16)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if not key:
        raise ValueError("the survey signing secret is empty")
    return key


def _sign(key: bytes, payload: str) -> bytes:
    return hmac.new(key, _LABEL + payload.encode("ascii"), hashlib.sha256).digest()


def make_survey_token(
    secret: str | bytes, conversation_id: int, nonce: str, expires_at: datetime
) -> str:
    """Sign a survey link token. Expiry is kept to the second. Raises ValueError for an
    empty secret, a bad conversation id or nonce (16-64 URL-safe characters), or a naive
    ``expires_at``."""
    if isinstance(conversation_id, bool) or not isinstance(conversation_id, int):
        raise ValueError("conversation_id must be an int")
    if conversation_id <= 0:
        raise ValueError("conversation_id must be positive")
    if not _NONCE.match(nonce):
        raise ValueError("nonce must be 16-64 URL-safe characters (use new_nonce())")
    expiry = int(as_utc(expires_at, "expires_at").timestamp())
    body = {"v": 1, "c": conversation_id, "n": nonce, "e": expiry}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_b64(_sign(_key(secret), payload))}"


def read_survey_token(
    secret: str | bytes,
    token: str,
    now: datetime,
    *,
    previous_secrets: Sequence[str | bytes] = (),
) -> SurveyClaim:
    """Verify ``token`` and return its claim. Does not consume it (see the module docstring).

    The signature is checked (in constant time) before the payload is decoded. Tokens signed
    with one of ``previous_secrets`` are accepted too, so the secret can be rotated without
    breaking links already sent. A token is expired at its expiry second. Raises
    InvalidToken("malformed" | "bad_signature" | "expired").
    """
    now = as_utc(now, "now")
    if not isinstance(token, str) or len(token) > _MAX_TOKEN or token.count(".") != 1:
        raise InvalidToken("malformed", "expected <payload>.<signature>")
    payload, signature_text = token.split(".")
    if not _B64URL.match(payload) or not _B64URL.match(signature_text):
        raise InvalidToken("malformed", "not URL-safe base64")
    try:
        signature = _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed", "not URL-safe base64") from None
    # One signature, one spelling: padding bits must be zero, so no variant token verifies.
    if _b64(signature) != signature_text:
        raise InvalidToken("bad_signature")
    keys = [_key(secret), *(_key(s) for s in previous_secrets)]
    # Compare against every key so timing does not reveal which one matched.
    matched = [hmac.compare_digest(_sign(k, payload), signature) for k in keys]
    if not any(matched):
        raise InvalidToken("bad_signature")
    try:
        body = json.loads(_unb64(payload))
        version, conversation_id, nonce, expiry = body["v"], body["c"], body["n"], body["e"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise InvalidToken("malformed", "payload is not a survey claim") from None
    if version != 1 or not isinstance(conversation_id, int) or not isinstance(expiry, int):
        raise InvalidToken("malformed", "payload is not a survey claim")
    if not isinstance(nonce, str) or not _NONCE.match(nonce):
        raise InvalidToken("malformed", "payload is not a survey claim")
    expires_at = datetime.fromtimestamp(expiry, UTC)
    if now >= expires_at:
        raise InvalidToken("expired", f"at {expires_at:%Y-%m-%d %H:%M:%S} UTC")
    return SurveyClaim(conversation_id=conversation_id, nonce=nonce, expires_at=expires_at)


def redeem_survey_token(
    secret: str | bytes,
    token: str,
    now: datetime,
    *,
    ledger: TokenLedger,
    previous_secrets: Sequence[str | bytes] = (),
) -> SurveyClaim:
    """``read_survey_token``, then mark the nonce used. Raises InvalidToken("reused") when
    the ledger says it was used before (or never issued for this conversation)."""
    claim = read_survey_token(secret, token, now, previous_secrets=previous_secrets)
    if not ledger.mark_used(claim.nonce, conversation_id=claim.conversation_id, now=now):
        raise InvalidToken("reused")
    return claim
