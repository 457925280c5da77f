from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from careline.workflow.signing import (
    InMemoryTokenLedger,
    InvalidToken,
    SurveyClaim,
    make_survey_token,
    new_nonce,
    read_survey_token,
    redeem_survey_token,
)

SECRET = "survey-secret-for-tests"
NONCE = "n0nce-AAAAAAAAAAAAAAAA"
NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=7)


def token(conversation_id: int = 42, nonce: str = NONCE) -> str:
    return make_survey_token(SECRET, conversation_id, nonce, EXPIRES)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def reason_of(secret: str, value: str, now: datetime = NOW) -> str:
    with pytest.raises(InvalidToken) as caught:
        read_survey_token(secret, value, now)
    return caught.value.reason


def test_a_token_reads_back_its_claim() -> None:
    assert read_survey_token(SECRET, token(), NOW) == SurveyClaim(
        conversation_id=42, nonce=NONCE, expires_at=EXPIRES
    )


def test_the_token_is_url_safe() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token())


def test_a_token_signed_with_another_secret_is_a_forgery() -> None:
    forged = make_survey_token("guessed-secret", 42, NONCE, EXPIRES)
    assert reason_of(SECRET, forged) == "bad_signature"


def test_changing_the_conversation_breaks_the_signature() -> None:
    payload, signature = token().split(".")
    body = json.loads(unb64(payload))
    body["c"] = 43
    tampered = b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    assert reason_of(SECRET, f"{tampered}.{signature}") == "bad_signature"


def test_extending_the_expiry_breaks_the_signature() -> None:
    payload, signature = token().split(".")
    body = json.loads(unb64(payload))
    body["e"] += 86_400
    tampered = b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    assert reason_of(SECRET, f"{tampered}.{signature}") == "bad_signature"


def test_a_changed_signature_is_refused() -> None:
    payload, signature = token().split(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert reason_of(SECRET, f"{payload}.{flipped}") == "bad_signature"


def test_a_second_spelling_of_the_same_signature_is_refused() -> None:
    payload, signature = token().split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The last character of a 32-byte signature carries two unused bits.
    variant = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    assert unb64(variant) == unb64(signature)
    assert reason_of(SECRET, f"{payload}.{variant}") == "bad_signature"


def test_a_token_expires_at_its_expiry_second() -> None:
    assert read_survey_token(SECRET, token(), EXPIRES - timedelta(seconds=1)).conversation_id == 42
    with pytest.raises(InvalidToken, match=r"the survey link has expired \(at 2026-03-09 10:00:00"):
        read_survey_token(SECRET, token(), EXPIRES)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "malformed"),
        ("no-dot", "malformed"),
        ("a.b.c", "malformed"),
        ("abc.d!f", "malformed"),
        ("é.abc", "malformed"),
        ("abc.", "malformed"),
        ("abc.A", "malformed"),
        ("x" * 600 + ".y", "malformed"),
        ("abc.AAAA", "bad_signature"),
    ],
)
def test_damaged_tokens_are_refused(value: str, reason: str) -> None:
    assert reason_of(SECRET, value) == reason


def test_a_signed_payload_that_is_not_a_claim_is_malformed() -> None:
    payload = b64(b'{"v":1,"c":"42"}')
    signature = b64(
        hmac.new(
            SECRET.encode(), b"careline.survey.v1:" + payload.encode(), hashlib.sha256
        ).digest()
    )
    assert reason_of(SECRET, f"{payload}.{signature}") == "malformed"


def test_a_token_is_redeemed_once() -> None:
    ledger = InMemoryTokenLedger()
    ledger.issue(NONCE, conversation_id=42)
    claim = redeem_survey_token(SECRET, token(), NOW, ledger=ledger)
    assert claim.conversation_id == 42
    assert ledger.used == {NONCE: NOW}
    with pytest.raises(InvalidToken) as caught:
        redeem_survey_token(SECRET, token(), NOW + timedelta(minutes=1), ledger=ledger)
    assert caught.value.reason == "reused"
    assert ledger.used == {NONCE: NOW}


def test_reading_does_not_consume_the_token() -> None:
    ledger = InMemoryTokenLedger()
    ledger.issue(NONCE, conversation_id=42)
    read_survey_token(SECRET, token(), NOW)
    read_survey_token(SECRET, token(), NOW)
    assert redeem_survey_token(SECRET, token(), NOW, ledger=ledger).nonce == NONCE


def test_a_nonce_that_was_never_issued_for_the_conversation_is_refused() -> None:
    ledger = InMemoryTokenLedger()
    ledger.issue(NONCE, conversation_id=7)
    with pytest.raises(InvalidToken, match="already been answered"):
        redeem_survey_token(SECRET, token(42), NOW, ledger=ledger)
    assert ledger.used == {}


def test_an_expired_token_is_refused_before_the_ledger_is_touched() -> None:
    ledger = InMemoryTokenLedger()
    ledger.issue(NONCE, conversation_id=42)
    with pytest.raises(InvalidToken):
        redeem_survey_token(SECRET, token(), EXPIRES, ledger=ledger)
    assert ledger.used == {}


def test_links_signed_before_a_secret_rotation_still_read() -> None:
    old = make_survey_token("old-secret", 42, NONCE, EXPIRES)
    claim = read_survey_token("new-secret", old, NOW, previous_secrets=["old-secret"])
    assert claim.conversation_id == 42
    assert reason_of("new-secret", old) == "bad_signature"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 42, NONCE, EXPIRES), "secret is empty"),
        ((SECRET, 0, NONCE, EXPIRES), "conversation_id must be positive"),
        ((SECRET, 42, "short", EXPIRES), "nonce must be 16-64"),
        ((SECRET, 42, "has spaces in it, sixteen+", EXPIRES), "nonce must be 16-64"),
        ((SECRET, 42, NONCE, datetime(2026, 3, 9)), "expires_at must be timezone-aware"),
    ],
)
def test_bad_inputs_to_make_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_survey_token(*args)


def test_new_nonces_are_distinct_and_acceptable() -> None:
    nonces = {new_nonce() for _ in range(50)}
    assert len(nonces) == 50
    for nonce in nonces:
        assert read_survey_token(SECRET, token(nonce=nonce), NOW).nonce == nonce
