"""The generic signed webhook: any system can post items to careline and receive replies.

Inbound: ``POST /hooks/generic/<channel>`` with ``X-Careline-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body keyed with the channel's ``secret``. The body is one item or
``{"items": [...]}``; see docs/ingestion.md for the fields.

Outbound: replies are POSTed as JSON to the channel's ``callback_url``, signed the same way
with ``callback_secret`` (or ``secret``), with an ``Idempotency-Key`` header so the receiver
can drop a retried delivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from careline.connectors.base import (
    Connector,
    ConnectorError,
    InboundItem,
    OutboundReply,
    PayloadError,
    SendResult,
)
from careline.connectors.normalise import item_from_record
from careline.lib import http
from careline.lib.crypto import hmac_sha256_hex, signature_matches

SIGNATURE_HEADER = "X-Careline-Signature"
SIGNATURE_PREFIX = "sha256="
MAX_ITEMS_PER_DELIVERY = 1000
# 408 and 429 are "try later"; other 4xx mean the request itself is wrong.
_RETRYABLE_4XX = {408, 409, 425, 429}


def sign(secret: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac_sha256_hex(secret, body)


class GenericConnector(Connector):
    platform = "generic"

    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        header = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower()) or ""
        return signature_matches(
            str(self.credentials.get("secret", "")), body, header, prefix=SIGNATURE_PREFIX
        )

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadError(f"body is not valid JSON: {exc}") from exc
        if isinstance(document, dict) and "items" in document:
            records = document["items"]
            if not isinstance(records, list):
                raise PayloadError("items must be a list")
        else:
            records = [document]
        if not records:
            raise PayloadError("the delivery holds no item")
        if len(records) > MAX_ITEMS_PER_DELIVERY:
            raise PayloadError(f"more than {MAX_ITEMS_PER_DELIVERY} items in one delivery")
        items = []
        for index, record in enumerate(records):
            try:
                items.append(item_from_record(record, max_text_chars=max_text_chars))
            except PayloadError as exc:
                raise PayloadError(f"item {index}: {exc}") from exc
        return items

    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        url = str(self.credentials.get("callback_url", ""))
        if not url:
            raise ConnectorError("this channel has no callback URL for replies", permanent=True)
        secret = str(self.credentials.get("callback_secret") or self.credentials.get("secret", ""))
        body = json.dumps(
            {
                "idempotency_key": reply.idempotency_key,
                "in_reply_to": reply.reply_to_external_id or None,
                "recipient": reply.recipient_external_id or None,
                "public": reply.public,
                "text": reply.text,
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": reply.idempotency_key,
            SIGNATURE_HEADER: sign(secret, body),
        }
        try:
            response = http.request("POST", url, content=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException as exc:
            raise ConnectorError(f"timed out after {timeout:g} s", permanent=False) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(f"could not reach the callback: {exc}", permanent=False) from exc
        code = response.status_code
        if 200 <= code < 300:
            external_id = ""
            try:
                payload = response.json()
                if isinstance(payload, dict) and payload.get("id") is not None:
                    external_id = str(payload["id"])[:128]
            except ValueError:
                pass
            return SendResult(external_id=external_id or reply.idempotency_key, status_code=code)
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        permanent = 400 <= code < 500 and code not in _RETRYABLE_4XX
        raise ConnectorError(
            f"callback answered HTTP {code}: {response.text[:200]}",
            permanent=permanent,
            status_code=code,
            retry_after=retry_after,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
