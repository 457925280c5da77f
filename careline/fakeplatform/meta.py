"""Meta's Graph API (Facebook Page comments, Instagram comments, Messenger) and its webhooks.

Mounted at ``/graph``: a channel's ``graph_host`` is ``http://HOST:PORT/graph`` and every call
is ``/graph/{version}/…``. Each call must carry the Page token (``Authorization: Bearer`` or
``access_token``) and, unless ``require_appsecret_proof`` is off, a matching
``appsecret_proof``; otherwise Meta's error object comes back (code 190 / code 100).

Ids the fake never issued are accepted for replies and moderation (as if they existed), so a
demo can answer items it did not inject; the one-private-reply-per-comment rule (error 10900)
is enforced for every id.
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from careline.fakeplatform.common import (
    Counter,
    InboundError,
    InboundSpec,
    Injection,
    Service,
    Webhook,
    epoch_ms,
    graph_time,
    require_target,
    stable_digits,
)
from careline.fakeplatform.signing import (
    appsecret_proof,
    meta_legacy_signature,
    meta_signature,
    same,
)
from careline.fakeplatform.web import Request, Response, json_response

VERSION = r"(?P<version>v\d+\.\d+)"
NODE = r"(?P<node>[^/]+)"
DEFAULT_POST_SUFFIX = "1122334455667788"
DEFAULT_MEDIA_ID = "18023345989012587"
MESSAGE_LIMIT = 2000
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
LOW_USAGE = {"call_count": 1, "total_cputime": 1, "total_time": 1}


@dataclass
class Comment:
    id: str
    surface: str  # "facebook" | "instagram"
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    parent: str = ""  # the comment (or post / media) it answers
    post_id: str = ""
    hidden: bool = False
    deleted: bool = False
    replies: list[str] = field(default_factory=list)


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    kind: str = "OAuthException",
    subcode: int | None = None,
    headers: dict[str, str] | None = None,
    transient: bool | None = None,
    platform: str = "",
) -> Response:
    """Meta's error object (platforms.md 1.8)."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)[:20]
    return json_response(status, {"error": error}, headers, platform=platform)


class MetaService(Service):
    name = "meta"
    prefix = "/graph"
    platforms: ClassVar[tuple[str, ...]] = ("facebook", "instagram", "messenger")

    def reset(self) -> None:
        self.comments: dict[str, Comment] = {}
        self.private_replied: set[str] = set()
        self.messages: list[dict[str, Any]] = []
        self.instagram_users: set[str] = set()
        self.subscribed_fields: list[str] = []
        self.counter = Counter(1)

    # --- configuration --------------------------------------------------------------------

    @property
    def cfg(self) -> Any:
        return self.config.meta

    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        shared = {
            "app_secret": self.cfg.app_secret,
            "page_access_token": self.cfg.page_access_token,
            "page_id": self.cfg.page_id,
            "verify_token": self.cfg.verify_token,
            "graph_host": f"{base_url}{self.prefix}",
            "graph_version": self.cfg.graph_version,
        }
        return {
            "facebook": dict(shared),
            "messenger": dict(shared),
            "instagram": {**shared, "instagram_account_id": self.cfg.instagram_account_id},
        }

    def _new_id(self, digits: int = 16) -> str:
        # Fixed-width, increasing, and unlike any id a person would type.
        return str(10 ** (digits - 1) + 7_000_000 + self.counter())

    # --- routes ---------------------------------------------------------------------------

    def routes(self) -> None:
        add = self.router.add
        add(
            "POST",
            rf"/{VERSION}/{NODE}/comments",
            "POST /{version}/{comment-id}/comments",
            self._comment,
        )
        add(
            "GET",
            rf"/{VERSION}/{NODE}/comments",
            "GET /{version}/{comment-id}/comments",
            self._list_comments,
        )
        add(
            "POST",
            rf"/{VERSION}/{NODE}/replies",
            "POST /{version}/{ig-comment-id}/replies",
            self._ig_reply,
        )
        add(
            "GET",
            rf"/{VERSION}/{NODE}/replies",
            "GET /{version}/{ig-comment-id}/replies",
            self._list_ig_replies,
        )
        add(
            "POST",
            rf"/{VERSION}/{NODE}/messages",
            "POST /{version}/{page-id}/messages",
            self._message,
        )
        add(
            "POST",
            rf"/{VERSION}/{NODE}/subscribed_apps",
            "POST /{version}/{page-id}/subscribed_apps",
            self._subscribe,
        )
        add(
            "GET",
            rf"/{VERSION}/{NODE}/subscribed_apps",
            "GET /{version}/{page-id}/subscribed_apps",
            self._subscriptions,
        )
        add("POST", rf"/{VERSION}/{NODE}", "POST /{version}/{id}", self._hide)
        add("DELETE", rf"/{VERSION}/{NODE}", "DELETE /{version}/{id}", self._delete)
        add("GET", rf"/{VERSION}/{NODE}", "GET /{version}/{id}", self._read)

    def dispatch(self, request: Request) -> tuple[str, Response]:
        refused = self._authenticate(request)
        if refused is not None:
            return self.dispatch_name(request), refused
        endpoint, response = super().dispatch(request)
        if 200 <= response.status < 300:
            response.headers.update(self._usage_headers(LOW_USAGE, regain_minutes=0))
        return endpoint, response

    def not_found(self, request: Request, allowed: list[str]) -> Response:
        return graph_error(
            400,
            100,
            f"Unsupported {request.method.lower()} request. Object with ID "
            f"'{request.path.strip('/')}' does not exist, cannot be loaded due to missing "
            "permissions, or does not support this operation.",
            kind="GraphMethodException",
            subcode=33,
        )

    def _authenticate(self, request: Request) -> Response | None:
        token = request.bearer() or request.param("access_token")
        if not same(self.cfg.page_access_token, token):
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        proof = request.param("appsecret_proof")
        if not proof and self.cfg.require_appsecret_proof:
            return graph_error(
                400,
                100,
                "API calls from the server require an appsecret_proof argument",
                kind="GraphMethodException",
            )
        if proof and not same(appsecret_proof(self.cfg.app_secret, token), proof):
            return graph_error(
                400,
                100,
                "Invalid appsecret_proof provided in the API argument",
                kind="GraphMethodException",
            )
        return None

    def _usage_headers(self, usage: dict[str, int], *, regain_minutes: int) -> dict[str, str]:
        business = {
            self.cfg.page_id: [
                {"type": "pages", **usage, "estimated_time_to_regain_access": regain_minutes}
            ]
        }
        return {
            "X-App-Usage": json.dumps(usage),
            "X-Business-Use-Case-Usage": json.dumps(business),
        }

    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        minutes = max(1, math.ceil(retry_after / 60))
        full = {"call_count": 100, "total_cputime": 30, "total_time": 40}
        return graph_error(
            status,
            32,
            "(#32) Page request limit reached",
            headers=self._usage_headers(full, regain_minutes=minutes),
        )

    def failed(self, request: Request, *, status: int) -> Response:
        return graph_error(
            status,
            2,
            "An unexpected error has occurred. Please retry your request later.",
            transient=True,
        )

    # --- reading parameters -----------------------------------------------------------------

    @staticmethod
    def _fields(request: Request) -> dict[str, Any]:
        """Graph takes parameters from the query string, a form or a JSON body alike."""
        values: dict[str, Any] = {k: v[0] for k, v in request.query.items() if v}
        with contextlib.suppress(ValueError):
            values.update(request.fields())
        return values

    @staticmethod
    def _wanted(request: Request, default: list[str]) -> list[str]:
        asked = [f.strip() for f in request.param("fields").split(",") if f.strip()]
        return asked or default

    # --- Facebook comments ---------------------------------------------------------------------

    def _comment(self, request: Request, params: dict[str, str]) -> Response:
        parent_id = params["node"]
        message = str(self._fields(request).get("message") or "")
        if not message.strip():
            return graph_error(
                400, 100, "(#100) The parameter message is required", platform="facebook"
            )
        parent = self.comments.get(parent_id)
        if parent is not None and parent.deleted:
            return graph_error(
                400, 100, f"(#100) Object {parent_id} was deleted", platform="facebook"
            )
        post_part = parent_id.split("_", 1)[0] if "_" in parent_id else parent_id
        comment = Comment(
            id=f"{post_part}_{self._new_id()}",
            surface="facebook",
            author_id=self.cfg.page_id,
            author_name=self.cfg.page_name,
            text=message,
            created_at=self.now(),
            parent=parent_id,
            post_id=parent.post_id if parent else parent_id,
        )
        self._store(comment)
        return json_response(200, {"id": comment.id}, platform="facebook")

    def _list_comments(self, request: Request, params: dict[str, str]) -> Response:
        wanted = self._wanted(request, ["id", "message", "from", "created_time"])
        rows = [self._facebook_view(c, wanted) for c in self._replies_of(params["node"], request)]
        return json_response(200, self._page(rows), platform="facebook")

    def _facebook_view(self, comment: Comment, wanted: list[str]) -> dict[str, Any]:
        view = {
            "id": comment.id,
            "message": comment.text,
            "from": {"id": comment.author_id, "name": comment.author_name},
            "created_time": graph_time(comment.created_at),
            "is_hidden": comment.hidden,
            "parent": {"id": comment.parent} if comment.parent else None,
        }
        return {key: view[key] for key in ["id", *wanted] if key in view}

    # --- Instagram comments --------------------------------------------------------------------

    def _ig_reply(self, request: Request, params: dict[str, str]) -> Response:
        parent_id = params["node"]
        message = str(self._fields(request).get("message") or "")
        if not message.strip():
            return graph_error(
                400, 100, "(#100) The parameter message is required", platform="instagram"
            )
        parent = self.comments.get(parent_id)
        if parent is not None and parent.surface != "instagram":
            return graph_error(
                400, 100, "(#100) Tried accessing nonexisting field (replies)", platform="instagram"
            )
        reply = Comment(
            id=self._new_id(17),
            surface="instagram",
            author_id=self.cfg.instagram_account_id,
            author_name=self.cfg.instagram_username,
            text=message,
            created_at=self.now(),
            parent=parent_id,
            post_id=parent.post_id if parent else "",
        )
        self._store(reply)
        return json_response(200, {"id": reply.id}, platform="instagram")

    def _list_ig_replies(self, request: Request, params: dict[str, str]) -> Response:
        wanted = self._wanted(request, ["id", "text", "timestamp"])
        rows = []
        for reply in self._replies_of(params["node"], request):
            view = {
                "id": reply.id,
                "text": reply.text,
                "from": {"id": reply.author_id, "username": reply.author_name},
                "username": reply.author_name,
                "timestamp": graph_time(reply.created_at),
                "hidden": reply.hidden,
            }
            rows.append({key: view[key] for key in ["id", *wanted] if key in view})
        return json_response(200, self._page(rows), platform="instagram")

    def _replies_of(self, node: str, request: Request) -> list[Comment]:
        parent = self.comments.get(node)
        replies = [self.comments[i] for i in (parent.replies if parent else [])]
        replies += [
            c for c in self.comments.values() if c.parent == node and parent is None
        ]  # replies to a post or media the fake never saw
        replies = [c for c in replies if not c.deleted]
        replies.sort(key=lambda c: (c.created_at, c.id))
        if request.param("order") == "reverse_chronological":
            replies.reverse()
        try:
            limit = max(1, min(100, int(request.param("limit") or 25)))
        except ValueError:
            limit = 25
        return replies[:limit]

    @staticmethod
    def _page(rows: list[dict[str, Any]]) -> dict[str, Any]:
        page: dict[str, Any] = {"data": rows}
        if rows:
            page["paging"] = {"cursors": {"before": "QVFIUmZAZA", "after": "QVFIUkZAZA"}}
        return page

    # --- messages and private replies ----------------------------------------------------------

    def _message(self, request: Request, params: dict[str, str]) -> Response:
        if params["node"] != self.cfg.page_id:
            return self.not_found(request, [])
        values = self._fields(request)
        recipient = _object(values.get("recipient"))
        message = _object(values.get("message"))
        text = str(message.get("text") or "")
        surface = self._message_surface(recipient)
        if not recipient:
            return graph_error(
                400, 100, "(#100) param recipient must be non-empty.", platform=surface
            )
        if not text.strip() and not message.get("attachment"):
            return graph_error(400, 100, "(#100) Param message must be non-empty", platform=surface)
        if len(text) > MESSAGE_LIMIT:
            return graph_error(
                400,
                100,
                f"(#100) Length of param message[text] must be less than or equal "
                f"to {MESSAGE_LIMIT}",
                platform=surface,
            )
        commented = str(recipient.get("comment_id") or recipient.get("post_id") or "")
        if commented:
            if commented in self.private_replied:
                return graph_error(
                    400, 10900, "(#10900) Activity already replied to", platform=surface
                )
            comment = self.comments.get(commented)
            if comment is not None and comment.deleted:
                return graph_error(
                    400, 10903, "(#10903) This activity can't be replied to", platform=surface
                )
            self.private_replied.add(commented)
            to = comment.author_id if comment else stable_digits(commented, 16)
        else:
            to = str(recipient.get("id") or "")
            kind = str(values.get("messaging_type") or "RESPONSE")
            if kind not in MESSAGING_TYPES:
                return graph_error(
                    400,
                    100,
                    "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}",
                    platform=surface,
                )
            if kind == "MESSAGE_TAG" and not values.get("tag"):
                return graph_error(
                    400, 100, "(#100) Param tag is required for MESSAGE_TAG", platform=surface
                )
        message_id = "m_" + secrets.token_urlsafe(24)
        self.messages.append({"message_id": message_id, "recipient_id": to, "text": text})
        return json_response(200, {"recipient_id": to, "message_id": message_id}, platform=surface)

    def _message_surface(self, recipient: dict[str, Any]) -> str:
        commented = self.comments.get(str(recipient.get("comment_id") or ""))
        if commented is not None:
            return commented.surface
        if recipient.get("comment_id") or recipient.get("post_id"):
            return "facebook"
        if str(recipient.get("id") or "") in self.instagram_users:
            return "instagram"
        return "messenger"

    # --- moderation and reads ------------------------------------------------------------------

    def _hide(self, request: Request, params: dict[str, str]) -> Response:
        node = params["node"]
        values = self._fields(request)
        comment = self.comments.get(node)
        surface = comment.surface if comment else ("instagram" if "hide" in values else "facebook")
        key = "hide" if surface == "instagram" else "is_hidden"
        value = str(values.get(key, "")).lower()
        if value not in ("true", "false"):
            return graph_error(400, 100, f"(#100) Param {key} must be a boolean", platform=surface)
        if comment is not None:
            comment.hidden = value == "true"
        return json_response(200, {"success": True}, platform=surface)

    def _delete(self, request: Request, params: dict[str, str]) -> Response:
        comment = self.comments.get(params["node"])
        if comment is not None:
            comment.deleted = True
        return json_response(
            200, {"success": True}, platform=comment.surface if comment else "facebook"
        )

    def _read(self, request: Request, params: dict[str, str]) -> Response:
        comment = self.comments.get(params["node"])
        if comment is None or comment.deleted:
            return self.not_found(request, [])
        if comment.surface == "instagram":
            view = {
                "id": comment.id,
                "text": comment.text,
                "hidden": comment.hidden,
                "from": {"id": comment.author_id, "username": comment.author_name},
                "timestamp": graph_time(comment.created_at),
            }
        else:
            view = self._facebook_view(comment, ["message", "from", "created_time", "is_hidden"])
        return json_response(200, view, platform=comment.surface)

    def _subscribe(self, request: Request, params: dict[str, str]) -> Response:
        wanted = str(self._fields(request).get("subscribed_fields") or "")
        self.subscribed_fields = [f for f in wanted.split(",") if f]
        return json_response(200, {"success": True}, platform="facebook")

    def _subscriptions(self, request: Request, params: dict[str, str]) -> Response:
        data = [
            {"name": "careline", "id": "1234567890", "subscribed_fields": self.subscribed_fields}
        ]
        return json_response(200, {"data": data if self.subscribed_fields else []})

    def _store(self, comment: Comment) -> None:
        self.comments[comment.id] = comment
        parent = self.comments.get(comment.parent)
        if parent is not None:
            parent.replies.append(comment.id)

    # --- inbound: webhooks ---------------------------------------------------------------------

    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        require_target(platform, target)
        if platform == "facebook":
            if spec.public is False:
                raise InboundError("Facebook comments and posts are public; use messenger")
            if spec.kind in ("post", "status"):
                return self._visitor_post(spec, target)
            return self._facebook_comment(spec, target)
        if platform == "messenger":
            if spec.public is True:
                raise InboundError("Messenger messages are private; use facebook for comments")
            return self._direct_message(spec, target, instagram=False)
        if spec.public is False or spec.kind in ("dm", "message"):
            return self._direct_message(spec, target, instagram=True)
        return self._instagram_comment(spec, target)

    def _author(self, spec: InboundSpec, digits: int) -> str:
        return spec.author_id or stable_digits(spec.handle or spec.name(), digits)

    def _facebook_comment(self, spec: InboundSpec, target: str) -> Injection:
        page = self.cfg.page_id
        moment = spec.when(self.now)
        parent = self.comments.get(spec.reply_to) if spec.reply_to else None
        post_id = str(spec.options.get("post_id") or "") or (
            parent.post_id if parent else f"{page}_{DEFAULT_POST_SUFFIX}"
        )
        post_suffix = post_id.split("_", 1)[-1]
        comment = Comment(
            id=spec.id or f"{post_suffix}_{self._new_id()}",
            surface="facebook",
            author_id=self._author(spec, 16),
            author_name=spec.name(),
            text=spec.text,
            created_at=moment,
            parent=spec.reply_to or post_id,
            post_id=post_id,
        )
        self._store(comment)
        value = {
            "from": {"id": comment.author_id, "name": comment.author_name},
            "post": {
                "status_type": "mobile_status_update",
                "is_published": True,
                "updated_time": graph_time(moment),
                "permalink_url": f"https://www.facebook.com/{post_id}",
                "promotion_status": "inactive",
                "id": post_id,
            },
            "message": spec.text,
            "post_id": post_id,
            "comment_id": comment.id,
            "created_time": int(moment.timestamp()),
            "item": "comment",
            "parent_id": comment.parent,
            "verb": "add",
        }
        entry = {
            "id": page,
            "time": int(moment.timestamp()),
            "changes": [{"value": value, "field": "feed"}],
        }
        return self._deliver("page", entry, target, {"comment_id": comment.id, "post_id": post_id})

    def _visitor_post(self, spec: InboundSpec, target: str) -> Injection:
        page = self.cfg.page_id
        moment = spec.when(self.now)
        post_id = spec.id or f"{page}_{self._new_id()}"
        author = self._author(spec, 16)
        self._store(
            Comment(
                id=post_id,
                surface="facebook",
                author_id=author,
                author_name=spec.name(),
                text=spec.text,
                created_at=moment,
                post_id=post_id,
            )
        )
        value = {
            "from": {"id": author, "name": spec.name()},
            "message": spec.text,
            "post_id": post_id,
            "created_time": int(moment.timestamp()),
            "item": "post",
            "verb": "add",
            "published": 1,
        }
        entry = {
            "id": page,
            "time": int(moment.timestamp()),
            "changes": [{"value": value, "field": "feed"}],
        }
        return self._deliver("page", entry, target, {"post_id": post_id})

    def _instagram_comment(self, spec: InboundSpec, target: str) -> Injection:
        account = self.cfg.instagram_account_id
        moment = spec.when(self.now)
        parent = self.comments.get(spec.reply_to) if spec.reply_to else None
        media_id = str(spec.options.get("media_id") or "") or (
            parent.post_id if parent and parent.post_id else DEFAULT_MEDIA_ID
        )
        username = spec.handle or spec.name().lower().replace(" ", ".")
        comment = Comment(
            id=spec.id or self._new_id(17),
            surface="instagram",
            author_id=self._author(spec, 17),
            author_name=username,
            text=spec.text,
            created_at=moment,
            parent=spec.reply_to or media_id,
            post_id=media_id,
        )
        self._store(comment)
        value: dict[str, Any] = {
            "from": {"id": comment.author_id, "username": username},
            "media": {"id": media_id, "media_product_type": "FEED"},
            "id": comment.id,
            "text": spec.text,
        }
        if spec.reply_to:
            value["parent_id"] = spec.reply_to
        entry = {
            "id": account,
            "time": int(moment.timestamp()),
            "changes": [{"value": value, "field": "comments"}],
        }
        return self._deliver(
            "instagram", entry, target, {"comment_id": comment.id, "media_id": media_id}
        )

    def _direct_message(self, spec: InboundSpec, target: str, *, instagram: bool) -> Injection:
        account = self.cfg.instagram_account_id if instagram else self.cfg.page_id
        moment = spec.when(self.now)
        sender = self._author(spec, 17 if instagram else 16)
        if instagram:
            self.instagram_users.add(sender)
        mid = spec.id or ("aWdfZAG1faXRlbTox" if instagram else "m_") + secrets.token_hex(12)
        message: dict[str, Any] = {"mid": mid, "text": spec.text}
        if spec.reply_to:
            message["reply_to"] = {"mid": spec.reply_to}
        event = {
            "sender": {"id": sender},
            "recipient": {"id": account},
            "timestamp": epoch_ms(moment),
            "message": message,
        }
        entry = {"time": epoch_ms(moment), "id": account, "messaging": [event]}
        return self._deliver(
            "instagram" if instagram else "page", entry, target, {"mid": mid, "sender_id": sender}
        )

    def _deliver(
        self, obj: str, entry: dict[str, Any], target: str, ids: dict[str, str]
    ) -> Injection:
        # Compact separators like Meta's own bytes; the signature covers exactly these bytes.
        body = json.dumps({"object": obj, "entry": [entry]}, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(self.cfg.app_secret, body),
            "X-Hub-Signature": meta_legacy_signature(self.cfg.app_secret, body),
            "User-Agent": "facebookexternalua",
        }
        return Injection(ids=ids, webhook=Webhook(target, body, headers))


def _object(value: Any) -> dict[str, Any]:
    """A Graph parameter that is an object: JSON bodies give dicts, forms give JSON strings."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
