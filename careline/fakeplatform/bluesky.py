"""A Bluesky PDS + AppView, as far as careline uses it: sessions, posts, notifications.

Mounted at ``/bsky``: a channel's ``service`` is ``http://HOST:PORT/bsky`` and calls are
``/bsky/xrpc/<nsid>``. Sign in with the configured handle (or DID) and app password; the
tokens are opaque strings. ``POST /_fake/expire-tokens/bluesky`` expires every access token, so
the next call answers ``ExpiredToken`` and the client must refresh. Injected posts mention
(or reply to) the brand and wait as notifications for careline's next poll.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import unicodedata
from datetime import datetime
from typing import Any, ClassVar

from careline.fakeplatform.common import (
    Counter,
    InboundError,
    InboundSpec,
    Injection,
    Service,
    iso_z,
    stable_base32,
)
from careline.fakeplatform.web import Request, Response, json_response

POST = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
PUBLIC_METHODS = frozenset(
    {"com.atproto.server.createSession", "com.atproto.identity.resolveHandle"}
)
QUERIES = frozenset(
    {
        "app.bsky.feed.getPosts",
        "app.bsky.feed.getAuthorFeed",
        "app.bsky.notification.listNotifications",
        "app.bsky.actor.getProfile",
        "com.atproto.identity.resolveHandle",
        "com.atproto.server.getSession",
    }
)


def graphemes(text: str) -> int:
    """Close enough to grapheme clusters for a limit check: combining marks, joiners and
    variation selectors do not count."""
    return sum(
        1
        for char in text
        if not unicodedata.combining(char)
        and char not in "\u200d\ufe0e\ufe0f"
        and not 0x1F3FB <= ord(char) <= 0x1F3FF
    )


def xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None):
    return json_response(status, {"error": error, "message": message}, headers)


class BlueskyService(Service):
    name = "bluesky"
    prefix = "/bsky"
    platforms: ClassVar[tuple[str, ...]] = ("bluesky",)

    def reset(self) -> None:
        cfg = self.config.bluesky
        self.profiles: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}  # uri → stored post
        self.notifications: list[dict[str, Any]] = []
        self.access: dict[str, dict[str, Any]] = {}  # token → {"did", "expired"}
        self.refresh: dict[str, str] = {}  # token → did
        self.sequence = Counter(1)
        self._last_tid = 0
        self._profile(cfg.did, cfg.handle, cfg.display_name)

    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        cfg = self.config.bluesky
        return {
            "bluesky": {
                "service": f"{base_url}{self.prefix}",
                "identifier": cfg.handle,
                "app_password": cfg.app_password,
                "did": cfg.did,
            }
        }

    def expire_tokens(self) -> int:
        for session in self.access.values():
            session["expired"] = True
        return len(self.access)

    # --- ids --------------------------------------------------------------------------------

    def tid(self) -> str:
        """A record key: microseconds since 1970 and a clock id, base32-sortable, 13 chars."""
        micros = max(time.time_ns() // 1000, self._last_tid + 1)
        self._last_tid = micros
        number = (micros << 10) | 7
        chars = []
        for _ in range(13):
            chars.append(TID_ALPHABET[number & 31])
            number >>= 5
        return "".join(reversed(chars))

    @staticmethod
    def cid(content: Any) -> str:
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
        return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")

    # --- routes -----------------------------------------------------------------------------

    def routes(self) -> None:
        self.router.add("*", r"/xrpc/(?P<nsid>[A-Za-z0-9.]+)", "XRPC", self._xrpc)
        self.methods = {
            "com.atproto.server.createSession": self._create_session,
            "com.atproto.server.refreshSession": self._refresh_session,
            "com.atproto.server.getSession": self._get_session,
            "com.atproto.identity.resolveHandle": self._resolve_handle,
            "com.atproto.repo.createRecord": self._create_record,
            "com.atproto.repo.deleteRecord": self._delete_record,
            "app.bsky.feed.getPosts": self._get_posts,
            "app.bsky.feed.getAuthorFeed": self._author_feed,
            "app.bsky.notification.listNotifications": self._list_notifications,
            "app.bsky.actor.getProfile": self._get_profile,
        }

    def dispatch(self, request: Request) -> tuple[str, Response]:
        _, response = super().dispatch(request)
        for key, value in self._limits(remaining=2999, reset=time.time() + 300).items():
            response.headers.setdefault(key, value)
        return self.dispatch_name(request), response

    def dispatch_name(self, request: Request) -> str:
        return f"{request.method} {request.path}"

    @staticmethod
    def _limits(*, remaining: int, reset: float) -> dict[str, str]:
        return {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(int(reset)),
            "ratelimit-policy": "3000;w=300",
        }

    def not_found(self, request: Request, allowed: list[str]) -> Response:
        return xrpc_error(404, "NotFound", "Not Found")

    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        headers = self._limits(remaining=0, reset=time.time() + retry_after)
        return xrpc_error(status, "RateLimitExceeded", "Rate Limit Exceeded", headers)

    def failed(self, request: Request, *, status: int) -> Response:
        return xrpc_error(status, "InternalServerError", "Internal Server Error")

    def _xrpc(self, request: Request, params: dict[str, str]) -> Response:
        nsid = params["nsid"]
        method = self.methods.get(nsid)
        if method is None:
            return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
        expected = "GET" if nsid in QUERIES else "POST"
        if request.method != expected:
            return xrpc_error(
                405,
                "InvalidRequest",
                f"Incorrect HTTP method ({request.method}) expected {expected}",
            )
        did = ""
        if nsid not in PUBLIC_METHODS and nsid != "com.atproto.server.refreshSession":
            session = self.access.get(request.bearer())
            if not request.bearer():
                return xrpc_error(401, "AuthMissing", "Authentication Required")
            if session is None:
                return xrpc_error(401, "InvalidToken", "Token could not be verified")
            if session["expired"]:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            did = session["did"]
        body: dict[str, Any] = {}
        if request.method == "POST" and request.body.strip():
            try:
                document = request.json()
            except ValueError:
                return xrpc_error(400, "InvalidRequest", "Request body is not valid JSON")
            if not isinstance(document, dict):
                return xrpc_error(400, "InvalidRequest", "Input must be an object")
            body = document
        return method(request, body, did)

    # --- sessions ---------------------------------------------------------------------------

    def _session(self, did: str) -> dict[str, Any]:
        access, refresh = (
            "fake-access-" + secrets.token_hex(16),
            "fake-refresh-" + secrets.token_hex(16),
        )
        self.access[access] = {"did": did, "expired": False}
        self.refresh[refresh] = did
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.profiles[did]["handle"],
            "did": did,
            "active": True,
        }

    def _create_session(self, request: Request, body: dict[str, Any], did: str) -> Response:
        cfg = self.config.bluesky
        identifier = str(body.get("identifier") or "").lower().lstrip("@")
        if identifier not in (cfg.handle.lower(), cfg.did.lower()) or not secrets.compare_digest(
            str(body.get("password") or ""), cfg.app_password
        ):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return json_response(200, self._session(cfg.did))

    def _refresh_session(self, request: Request, body: dict[str, Any], did: str) -> Response:
        token = request.bearer()
        if token in self.access:
            return xrpc_error(400, "InvalidToken", "Invalid token type")
        owner = self.refresh.pop(token, None)
        if owner is None:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        return json_response(200, self._session(owner))

    def _get_session(self, request: Request, body: dict[str, Any], did: str) -> Response:
        return json_response(
            200, {"did": did, "handle": self.profiles[did]["handle"], "active": True}
        )

    def _resolve_handle(self, request: Request, body: dict[str, Any], did: str) -> Response:
        handle = request.param("handle").lower()
        found = next((p["did"] for p in self.profiles.values() if p["handle"] == handle), None)
        if found is None:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return json_response(200, {"did": found})

    # --- profiles and posts ---------------------------------------------------------------------

    def _profile(self, did: str, handle: str, name: str) -> dict[str, Any]:
        profile = {"did": did, "handle": handle.lower(), "displayName": name}
        self.profiles[did] = profile
        return profile

    def _actor(self, value: str) -> dict[str, Any] | None:
        value = value.lower().lstrip("@")
        return next((p for p in self.profiles.values() if value in (p["did"], p["handle"])), None)

    def _author_view(self, did: str) -> dict[str, Any]:
        return {**self.profiles[did], "avatar": None, "labels": [], "viewer": {}}

    def _post_view(self, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "uri": post["uri"],
            "cid": post["cid"],
            "author": self._author_view(post["author"]),
            "record": post["record"],
            "replyCount": post["replies"],
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": post["indexedAt"],
            "viewer": {},
            "labels": [],
        }

    def _store_post(self, did: str, record: dict[str, Any], rkey: str = "") -> dict[str, Any]:
        uri = f"at://{did}/{POST}/{rkey or self.tid()}"
        post = {
            "uri": uri,
            "cid": self.cid([uri, record]),
            "author": did,
            "record": record,
            "indexedAt": iso_z(self.now()),
            "replies": 0,
            "deleted": False,
            "seq": self.sequence(),
        }
        self.posts[uri] = post
        parent = self.posts.get(str(record.get("reply", {}).get("parent", {}).get("uri", "")))
        if parent is not None:
            parent["replies"] += 1
        return post

    def _get_posts(self, request: Request, body: dict[str, Any], did: str) -> Response:
        uris = request.params("uris")
        if not uris or len(uris) > 25:
            return xrpc_error(400, "InvalidRequest", "uris must hold between 1 and 25 items")
        posts = [self.posts.get(uri) for uri in uris]
        views = [self._post_view(p) for p in posts if p is not None and not p["deleted"]]
        return json_response(200, {"posts": views})

    def _author_feed(self, request: Request, body: dict[str, Any], did: str) -> Response:
        actor = self._actor(request.param("actor"))
        if actor is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        feed_filter = request.param("filter") or "posts_with_replies"
        posts = [
            p
            for p in self.posts.values()
            if p["author"] == actor["did"]
            and not p["deleted"]
            and (feed_filter != "posts_no_replies" or "reply" not in p["record"])
        ]
        page, cursor = self._paged(request, posts)
        feed = []
        for post in page:
            entry: dict[str, Any] = {"post": self._post_view(post)}
            reply = post["record"].get("reply")
            if isinstance(reply, dict):
                refs = {
                    k: self.posts.get(str(reply.get(k, {}).get("uri"))) for k in ("root", "parent")
                }
                if all(refs.values()):
                    entry["reply"] = {k: self._post_view(v) for k, v in refs.items() if v}
            feed.append(entry)
        document: dict[str, Any] = {"feed": feed}
        if cursor:
            document["cursor"] = cursor
        return json_response(200, document)

    def _get_profile(self, request: Request, body: dict[str, Any], did: str) -> Response:
        actor = self._actor(request.param("actor"))
        if actor is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        posts = sum(1 for p in self.posts.values() if p["author"] == actor["did"])
        return json_response(
            200,
            {
                **self._author_view(actor["did"]),
                "postsCount": posts,
                "followersCount": 0,
                "followsCount": 0,
            },
        )

    def _paged(
        self, request: Request, rows: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], str]:
        """Newest first; the cursor is the sequence number of the last row given."""
        try:
            limit = max(1, min(100, int(request.param("limit") or 50)))
        except ValueError:
            limit = 50
        rows = sorted(rows, key=lambda r: r["seq"], reverse=True)
        cursor = request.param("cursor")
        if cursor:
            rows = [r for r in rows if r["seq"] < int(cursor)] if cursor.isdigit() else []
        page = rows[:limit]
        more = len(rows) > limit
        return page, str(page[-1]["seq"]) if page and more else ""

    # --- writes -----------------------------------------------------------------------------

    def _create_record(self, request: Request, body: dict[str, Any], did: str) -> Response:
        repo = str(body.get("repo") or "")
        if self._actor(repo) is None or self._actor(repo)["did"] != did:  # type: ignore[index]
            return xrpc_error(400, "InvalidRequest", "Input/repo must be the signed-in account")
        collection = str(body.get("collection") or "")
        record = body.get("record")
        if not isinstance(record, dict):
            return xrpc_error(400, "InvalidRequest", "Input/record must be an object")
        if collection != POST:
            return xrpc_error(400, "InvalidRequest", f"the fake stores only {POST} records")
        problem = self._invalid_post(record)
        if problem:
            return xrpc_error(400, "InvalidRecord", f"Invalid {POST} record: {problem}")
        rkey = str(body.get("rkey") or "")
        if rkey and f"at://{did}/{POST}/{rkey}" in self.posts:
            return xrpc_error(400, "InvalidRequest", "Record already exists")
        post = self._store_post(did, record, rkey)
        commit = {"cid": self.cid(["commit", post["uri"]]), "rev": self.tid()}
        return json_response(
            200,
            {"uri": post["uri"], "cid": post["cid"], "commit": commit, "validationStatus": "valid"},
        )

    @staticmethod
    def _invalid_post(record: dict[str, Any]) -> str:
        if record.get("$type", POST) != POST:
            return f"Record/$type must be {POST}"
        text = record.get("text")
        if not isinstance(text, str):
            return "Record/text must be a string"
        if graphemes(text) > MAX_GRAPHEMES:
            return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
        if len(text.encode()) > MAX_BYTES:
            return f"Record/text must not be longer than {MAX_BYTES} characters"
        created = record.get("createdAt")
        try:
            datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError:
            return "Record/createdAt must be an valid datetime string"
        reply = record.get("reply")
        if reply is not None:
            for key in ("root", "parent"):
                ref = reply.get(key) if isinstance(reply, dict) else None
                if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
                    return f"Record/reply/{key} must be a strongRef with uri and cid"
        size = len(text.encode())
        for index, facet in enumerate(record.get("facets") or []):
            index_ = facet.get("index") if isinstance(facet, dict) else None
            start = index_.get("byteStart") if isinstance(index_, dict) else None
            end = index_.get("byteEnd") if isinstance(index_, dict) else None
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
                return f"Record/facets/{index}/index must lie within the text"
        return ""

    def _delete_record(self, request: Request, body: dict[str, Any], did: str) -> Response:
        repo = self._actor(str(body.get("repo") or ""))
        if repo is None or repo["did"] != did:
            return xrpc_error(400, "InvalidRequest", "Input/repo must be the signed-in account")
        uri = f"at://{did}/{body.get('collection')}/{body.get('rkey')}"
        post = self.posts.get(uri)
        if post is not None:
            post["deleted"] = True
        return json_response(200, {"commit": {"cid": self.cid(["delete", uri]), "rev": self.tid()}})

    # --- notifications ----------------------------------------------------------------------

    def _list_notifications(self, request: Request, body: dict[str, Any], did: str) -> Response:
        reasons = set(request.params("reasons"))
        rows = [
            n
            for n in self.notifications
            if n["for"] == did and (not reasons or n["reason"] in reasons)
        ]
        page, cursor = self._paged(request, rows)
        views = []
        for note in page:
            post = self.posts[note["uri"]]
            views.append(
                {
                    "uri": post["uri"],
                    "cid": post["cid"],
                    "author": self._author_view(post["author"]),
                    "reason": note["reason"],
                    "record": post["record"],
                    "isRead": False,
                    "indexedAt": post["indexedAt"],
                    "labels": [],
                }
            )
        document: dict[str, Any] = {"notifications": views, "priority": False}
        if cursor:
            document["cursor"] = cursor
        return json_response(200, document)

    # --- inbound ----------------------------------------------------------------------------

    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        cfg = self.config.bluesky
        if spec.public is False:
            raise InboundError("Bluesky posts are public; careline does not read Bluesky chat")
        handle = (spec.handle or spec.name().lower().replace(" ", "") + ".bsky.social").lower()
        profile = self._actor(handle)
        if profile is None:
            did = spec.author_id or "did:plc:" + stable_base32(handle, 24)
            if did in self.profiles:
                raise InboundError(f"{did} exists with another handle")
            profile = self._profile(did, handle, spec.author_name or handle)
        elif spec.author_id and spec.author_id != profile["did"]:
            raise InboundError(f"@{handle} is {profile['did']}, not {spec.author_id}")
        if profile["did"] == cfg.did:
            raise InboundError("that is the brand's own account")
        record: dict[str, Any] = {
            "$type": POST,
            "text": spec.text,
            "createdAt": iso_z(spec.when(self.now)),
            "langs": ["en"],
        }
        mention = "@" + cfg.handle
        at = spec.text.lower().find(mention.lower())
        if at >= 0:
            start = len(spec.text[:at].encode())
            record["facets"] = [
                {
                    "index": {"byteStart": start, "byteEnd": start + len(mention.encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": cfg.did}],
                }
            ]
        reason = "mention"
        if spec.reply_to:
            parent = self.posts.get(spec.reply_to)
            if parent is None:
                raise InboundError(f"there is no post {spec.reply_to} to reply to")
            parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
            root = parent["record"].get("reply", {}).get("root", parent_ref)
            record["reply"] = {"root": root, "parent": parent_ref}
            if parent["author"] == cfg.did:
                reason = "reply"
        if spec.id and f"at://{profile['did']}/{POST}/{spec.id}" in self.posts:
            raise InboundError(f"post {spec.id} exists already")
        post = self._store_post(profile["did"], record, spec.id)
        self.notifications.append(
            {"uri": post["uri"], "reason": reason, "for": cfg.did, "seq": post["seq"]}
        )
        return Injection(
            ids={"uri": post["uri"], "cid": post["cid"], "did": profile["did"], "reason": reason},
            queued=True,
        )
