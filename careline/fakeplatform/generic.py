"""careline's generic signed webhook, both ways.

In: an injected item becomes one signed delivery to ``/hooks/generic/<channel>``
(``X-Careline-Signature`` keyed with the channel's ``secret``). Out: ``/generic`` (any path
below it, e.g. the ``/generic/replies`` the credentials name) is the callback receiver: it checks
``X-Careline-Signature`` against ``callback_secret`` and answers with the id of the posted
reply — the same id again for an ``Idempotency-Key`` it has seen.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

from careline.fakeplatform.common import (
    Counter,
    InboundSpec,
    Injection,
    Service,
    Webhook,
    iso_z,
    require_target,
)
from careline.fakeplatform.signing import generic_signature, same
from careline.fakeplatform.web import Request, Response, json_response


class GenericService(Service):
    name = "generic"
    prefix = "/generic"
    platforms: ClassVar[tuple[str, ...]] = ("generic",)

    def reset(self) -> None:
        self.replies: dict[str, dict[str, Any]] = {}  # id → reply body
        self.by_key: dict[str, str] = {}
        self.counter = Counter(1)

    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        cfg = self.config.generic
        return {
            "generic": {
                "secret": cfg.secret,
                "callback_url": f"{base_url}{self.prefix}/replies",
                "callback_secret": cfg.reply_secret,
            }
        }

    def routes(self) -> None:
        self.router.add("POST", r"(/.*)?", "POST {callback_url}", self._reply)

    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        return json_response(
            status, {"error": "rate limited"}, {"Retry-After": str(max(1, round(retry_after)))}
        )

    def failed(self, request: Request, *, status: int) -> Response:
        return json_response(status, {"error": "the receiver failed"})

    def _reply(self, request: Request, params: dict[str, str]) -> Response:
        expected = generic_signature(self.config.generic.reply_secret, request.body)
        if not same(expected, request.header("x-careline-signature")):
            return json_response(403, {"error": "invalid signature"})
        try:
            body = request.json()
        except ValueError:
            return json_response(400, {"error": "the body is not JSON"})
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return json_response(400, {"error": "a reply needs 'text'"})
        key = request.header("idempotency-key")
        if key and key in self.by_key:
            known = self.by_key[key]
            return json_response(
                200, {"id": known, "duplicate": True}, note=f"Idempotency-Key seen: {known} again"
            )
        reply_id = f"generic-reply-{self.counter()}"
        self.replies[reply_id] = body
        if key:
            self.by_key[key] = reply_id
        return json_response(201, {"id": reply_id})

    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        require_target(platform, target)
        item_id = spec.id or f"generic-{uuid.uuid4().hex[:12]}"
        author = spec.author_id or spec.handle or "customer"
        record: dict[str, Any] = {
            "id": item_id,
            "author": {
                "id": author,
                "handle": spec.handle and "@" + spec.handle,
                "name": spec.author_name,
            },
            "text": spec.text,
            "created_at": iso_z(spec.when(self.now)),
            "visibility": "private" if spec.public is False else "public",
        }
        if spec.reply_to:
            record["reply_to"] = spec.reply_to
        body = json.dumps(record, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Careline-Signature": generic_signature(self.config.generic.secret, body),
            "X-Careline-Delivery": uuid.uuid4().hex,
        }
        return Injection(ids={"id": item_id}, webhook=Webhook(target, body, headers))
