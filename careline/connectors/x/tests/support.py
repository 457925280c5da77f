"""Shared test data: the brand account, credentials pointing at a fake API base, fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careline.connectors.x.connector import XConnector

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
API = "https://x.example.test/2"
BRAND_ID = "1111111111"
CONSUMER_SECRET = "test_consumer_secret"
BEARER = "app-bearer-token"
USER_TOKEN = "user-context-token"
CREDENTIALS = {
    "consumer_secret": CONSUMER_SECRET,
    "user_id": BRAND_ID,
    "bearer_token": BEARER,
    "user_access_token": USER_TOKEN,
    "api_base": API,
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture(name: str) -> Any:
    return json.loads(fixture_bytes(name))


def stream_line(name: str) -> bytes:
    """A fixture as the stream sends it: one compact JSON line."""
    return json.dumps(fixture(name), separators=(",", ":")).encode() + b"\r\n"


def connector(**overrides: Any) -> XConnector:
    return XConnector(credentials={**CREDENTIALS, **overrides}, account_id=BRAND_ID)
