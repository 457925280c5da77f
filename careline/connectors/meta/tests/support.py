"""Shared constants and builders for the Meta connector tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from careline.connectors.meta.connector import (
    FacebookConnector,
    InstagramConnector,
    MessengerConnector,
    MetaConnector,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GRAPH = "https://graph.test"
APP_SECRET = "test_app_secret"
PAGE_TOKEN = "EAAB-page-token"
# hex HMAC-SHA256(key="test_app_secret", msg="EAAB-page-token"), computed independently.
PROOF = "994b311bb2e1401230d8d552c85ddcdb449baf2a63cf64585ed949addde6fb70"
VERIFY_TOKEN = "meatyhamhock"
PAGE_ID = "104738291234567"
IG_ID = "17841405309211844"
POST_ID = "104738291234567_1122334455667788"
COMMENT_ID = "1122334455667788_9988776655443322"
PSID = "6783901234567890"

CREDENTIALS = {
    "app_secret": APP_SECRET,
    "verify_token": VERIFY_TOKEN,
    "page_access_token": PAGE_TOKEN,
    "page_id": PAGE_ID,
    "instagram_account_id": IG_ID,
    "graph_host": GRAPH,
}

CLASSES: dict[str, type[MetaConnector]] = {
    "facebook": FacebookConnector,
    "instagram": InstagramConnector,
    "messenger": MessengerConnector,
}


def connector(platform: str, **overrides: Any) -> MetaConnector:
    credentials = {**CREDENTIALS, **overrides}
    account = IG_ID if platform == "instagram" else PAGE_ID
    return CLASSES[platform](credentials=credentials, account_id=account)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A time on 2024-06-20 (UTC), the day of the fixtures."""
    return datetime(2024, 6, 20, hour, minute, second, tzinfo=UTC)


def page_delivery(*values: dict[str, Any], entry_id: str = PAGE_ID) -> bytes:
    changes = [{"field": "feed", "value": value} for value in values]
    document = {
        "object": "page",
        "entry": [{"id": entry_id, "time": 1718900000, "changes": changes}],
    }
    return json.dumps(document).encode()
