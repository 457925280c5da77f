"""A Mastodon instance's client API, as far as careline uses it.

Mounted at ``/mastodon``: a channel's ``instance_url`` is ``http://HOST:PORT/mastodon``. Calls
need ``Authorization: Bearer <access_token>``. ``POST /api/v1/statuses`` honours
``Idempotency-Key`` for an hour (per token): the same key returns the first status again and
posts nothing. Notifications page like Mastodon's (``max_id``, ``since_id``, ``min_id``,
``Link`` header with ``rel="next"``/``rel="prev"``). Injected items are statuses by other
accounts plus a ``mention`` notification for the brand, waiting for careline's next poll; the
streaming endpoint pushes them too.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from careline.fakeplatform.common import (
    Counter,
    InboundError,
    InboundSpec,
    Injection,
    Service,
    epoch_ms,
    iso_z,
)
from careline.fakeplatform.web import Request, Response, json_response

VISIBILITIES = ("public", "unlisted", "private", "direct")
IDEMPOTENCY_TTL = timedelta(hours=1)
HEARTBEAT_SECONDS = 10.0
_MENTION = re.compile(r"(?<![\w/@])@(\w+)(?:@([\w.-]+\w))?")
_URL = re.compile(r"https?://\S+")


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1


class MastodonService(Service):
    name = "mastodon"
    prefix = "/mastodon"
    platforms: ClassVar[tuple[str, ...]] = ("mastodon",)

    def reset(self) -> None:
        cfg = self.config.mastodon
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[str, str], tuple[str, datetime]] = {}
        self.notification_ids = Counter(1001)
        self.account_ids = Counter(1)
        self._last_status = 0
        self.pushed = threading.Condition()
        self._account(cfg.account_id, cfg.username, "", cfg.display_name)

    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        cfg = self.config.mastodon
        return {
            "mastodon": {
                "instance_url": f"{base_url}{self.prefix}",
                "access_token": cfg.access_token,
                "account_id": cfg.account_id,
            }
        }

    def _status_id(self, moment: datetime) -> str:
        # Mastodon's ids: milliseconds shifted left 16 bits, strictly increasing.
        self._last_status = max(epoch_ms(moment) << 16, self._last_status + 1)
        return str(self._last_status)

    # --- routes -----------------------------------------------------------------------------

    def routes(self) -> None:
        add = self.router.add
        add("GET", r"/api/v1/instance", "GET /api/v1/instance", self._instance)
        add(
            "GET",
            r"/api/v1/accounts/verify_credentials",
            "GET /api/v1/accounts/verify_credentials",
            self._me,
        )
        add(
            "GET",
            r"/api/v1/accounts/(?P<id>[^/]+)/statuses",
            "GET /api/v1/accounts/:id/statuses",
            self._account_statuses,
        )
        add(
            "GET", r"/api/v1/accounts/(?P<id>[^/]+)", "GET /api/v1/accounts/:id", self._read_account
        )
        add("POST", r"/api/v1/statuses", "POST /api/v1/statuses", self._post)
        add(
            "GET",
            r"/api/v1/statuses/(?P<id>[^/]+)/source",
            "GET /api/v1/statuses/:id/source",
            self._source,
        )
        add("GET", r"/api/v1/statuses/(?P<id>[^/]+)", "GET /api/v1/statuses/:id", self._read_status)
        add(
            "DELETE", r"/api/v1/statuses/(?P<id>[^/]+)", "DELETE /api/v1/statuses/:id", self._delete
        )
        add("GET", r"/api/v1/notifications", "GET /api/v1/notifications", self._notifications)
        add("GET", r"/api/v1/streaming/health", "GET /api/v1/streaming/health", self._health)
        add(
            "GET",
            r"/api/v1/streaming/user/notification",
            "GET /api/v1/streaming/user/notification",
            self._stream,
        )

    def dispatch(self, request: Request) -> tuple[str, Response]:
        found = self.router.match(request.method, request.path)
        public = found is not None and found[0].endpoint in (
            "GET /api/v1/instance",
            "GET /api/v1/streaming/health",
        )
        token = request.bearer() or request.param("access_token")
        if not public and token != self.config.mastodon.access_token:
            unauthorized = json_response(401, {"error": "The access token is invalid"})
            return self.dispatch_name(request), unauthorized
        endpoint, response = super().dispatch(request)
        reset = iso_z(self.now() + timedelta(minutes=5))
        for key, value in self._limits(remaining=299, reset=reset).items():
            response.headers.setdefault(key, value)
        return endpoint, response

    @staticmethod
    def _limits(*, remaining: int, reset: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset,
        }

    def not_found(self, request: Request, allowed: list[str]) -> Response:
        return json_response(404, {"error": "Record not found"})

    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        reset = iso_z(self.now() + timedelta(seconds=retry_after))
        return json_response(
            status, {"error": "Too many requests"}, self._limits(remaining=0, reset=reset)
        )

    def failed(self, request: Request, *, status: int) -> Response:
        return json_response(status, {"error": "Service Unavailable"})

    # --- accounts ---------------------------------------------------------------------------

    def _account(self, account_id: str, username: str, domain: str, name: str) -> dict[str, Any]:
        acct = f"{username}@{domain}" if domain else username
        host = domain or self.config.mastodon.domain
        account = {
            "id": account_id,
            "username": username,
            "acct": acct,
            "display_name": name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "group": False,
            "created_at": "2022-11-01T00:00:00.000Z",
            "note": "",
            "url": f"https://{host}/@{username}",
            "uri": f"https://{host}/users/{username}",
            "avatar": f"https://{self.config.mastodon.domain}/avatars/original/missing.png",
            "header": "",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": 0,
            "emojis": [],
            "fields": [],
        }
        self.accounts[account_id] = account
        return account

    def _by_acct(self, acct: str) -> dict[str, Any] | None:
        local = self.config.mastodon.domain
        wanted = acct.lower().removesuffix("@" + local)
        return next((a for a in self.accounts.values() if a["acct"].lower() == wanted), None)

    def _instance(self, request: Request, params: dict[str, str]) -> Response:
        cfg = self.config.mastodon
        return json_response(
            200,
            {
                "uri": cfg.domain,
                "title": "Fake Social (careline fake platform)",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": cfg.max_characters,
                        "characters_reserved_per_url": 23,
                    }
                },
            },
        )

    def _me(self, request: Request, params: dict[str, str]) -> Response:
        account = dict(self.accounts[self.config.mastodon.account_id])
        account["source"] = {"privacy": "public", "sensitive": False, "language": "en", "note": ""}
        return json_response(200, account)

    def _read_account(self, request: Request, params: dict[str, str]) -> Response:
        account = self.accounts.get(params["id"])
        if account is None:
            return self.not_found(request, [])
        return json_response(200, account)

    def _account_statuses(self, request: Request, params: dict[str, str]) -> Response:
        if params["id"] not in self.accounts:
            return self.not_found(request, [])
        own = [
            s
            for s in self.statuses.values()
            if s["account"]["id"] == params["id"] and not s["_deleted"]
        ]
        if request.param("exclude_replies") == "true":
            own = [s for s in own if not s["in_reply_to_id"]]
        page = self._window(request, own, default=20, most=40)
        return self._list(request, "/api/v1/accounts/" + params["id"] + "/statuses", page)

    # --- statuses ---------------------------------------------------------------------------

    def _post(self, request: Request, params: dict[str, str]) -> Response:
        cfg = self.config.mastodon
        key = request.header("idempotency-key")
        now = self.now()
        if key:
            known = self.idempotency.get((cfg.access_token, key))
            if known is not None and now - known[1] < IDEMPOTENCY_TTL:
                response = json_response(200, self._view(self.statuses[known[0]]))
                response.note = f"Idempotency-Key seen before: status {known[0]} again, no post"
                return response
        try:
            fields = request.fields()
        except ValueError:
            return json_response(400, {"error": "The body is not valid JSON"})
        text = str(fields.get("status") or "")
        if not text.strip():
            return json_response(422, {"error": "Validation failed: Text can't be blank"})
        length = len(_URL.sub("x" * 23, text))
        if length > cfg.max_characters:
            return json_response(
                422,
                {
                    "error": f"Validation failed: Text character limit of {cfg.max_characters} "
                    "exceeded"
                },
            )
        visibility = str(fields.get("visibility") or "public")
        if visibility not in VISIBILITIES:
            return json_response(422, {"error": "Validation failed: Visibility is not valid"})
        reply_to = str(fields.get("in_reply_to_id") or "")
        parent = self.statuses.get(reply_to) if reply_to else None
        if reply_to and (parent is None or parent["_deleted"]):
            return self.not_found(request, [])
        status = self._status(
            self.accounts[cfg.account_id],
            text,
            visibility=visibility,
            parent=parent,
            moment=now,
            language=str(fields.get("language") or "en"),
        )
        if key:
            self.idempotency[(cfg.access_token, key)] = (status["id"], now)
        return json_response(200, self._view(status))

    def _status(
        self,
        account: dict[str, Any],
        text: str,
        *,
        visibility: str,
        parent: dict[str, Any] | None,
        moment: datetime,
        language: str = "en",
        status_id: str = "",
    ) -> dict[str, Any]:
        status_id = status_id or self._status_id(moment)
        host = self.config.mastodon.domain
        content, mentions = self._render(text)
        status = {
            "id": status_id,
            "created_at": iso_z(moment),
            "in_reply_to_id": parent["id"] if parent else None,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": visibility,
            "language": language,
            "uri": f"https://{host}/users/{account['username']}/statuses/{status_id}",
            "url": f"https://{host}/@{account['username']}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": content,
            "reblog": None,
            "account": account,
            "media_attachments": [],
            "mentions": mentions,
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
            "_source": text,
            "_deleted": False,
        }
        self.statuses[status_id] = status
        account["statuses_count"] += 1
        if parent is not None:
            parent["replies_count"] += 1
        return status

    def _render(self, text: str) -> tuple[str, list[dict[str, str]]]:
        """Mastodon's HTML for plain text: escaped, mentions linked, paragraphs and breaks."""
        mentions: list[dict[str, str]] = []

        def link(found: re.Match[str]) -> str:
            account = self._by_acct(found[1] + (f"@{found[2]}" if found[2] else ""))
            if account is None:
                return found[0]
            if all(m["id"] != account["id"] for m in mentions):
                mentions.append({k: account[k] for k in ("id", "username", "url", "acct")})
            return (
                f'<span class="h-card" translate="no"><a href="{html.escape(account["url"])}" '
                f'class="u-url mention">@<span>{html.escape(account["username"])}</span></a>'
                "</span>"
            )

        paragraphs = []
        for block in re.split(r"\n\s*\n", text.strip()):
            escaped = html.escape(block, quote=False)
            linked = _MENTION.sub(link, escaped)
            paragraphs.append("<p>" + linked.replace("\n", "<br />") + "</p>")
        return "".join(paragraphs), mentions

    @staticmethod
    def _view(status: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in status.items() if not k.startswith("_")}

    def _read_status(self, request: Request, params: dict[str, str]) -> Response:
        status = self.statuses.get(params["id"])
        if status is None or status["_deleted"]:
            return self.not_found(request, [])
        return json_response(200, self._view(status))

    def _source(self, request: Request, params: dict[str, str]) -> Response:
        status = self.statuses.get(params["id"])
        if (
            status is None
            or status["_deleted"]
            or status["account"]["id"] != self.config.mastodon.account_id
        ):
            return self.not_found(request, [])
        return json_response(
            200, {"id": status["id"], "text": status["_source"], "spoiler_text": ""}
        )

    def _delete(self, request: Request, params: dict[str, str]) -> Response:
        status = self.statuses.get(params["id"])
        if status is None or status["_deleted"]:
            return self.not_found(request, [])
        if status["account"]["id"] != self.config.mastodon.account_id:
            return json_response(403, {"error": "This action is not allowed"})
        status["_deleted"] = True
        return json_response(200, {**self._view(status), "text": status["_source"]})

    # --- notifications ----------------------------------------------------------------------

    def _notifications(self, request: Request, params: dict[str, str]) -> Response:
        types = set(request.params("types[]") + request.params("types"))
        excluded = set(request.params("exclude_types[]") + request.params("exclude_types"))
        rows = [
            n
            for n in self.notifications
            if (not types or n["type"] in types)
            and n["type"] not in excluded
            and not n["status"]["_deleted"]
        ]
        page = self._window(request, rows, default=40, most=80)
        views = [{**n, "status": self._view(n["status"])} for n in page]
        keep = [("types[]", t) for t in sorted(types)] + [
            ("exclude_types[]", t) for t in sorted(excluded)
        ]
        return self._list(request, "/api/v1/notifications", views, keep=keep)

    def _window(
        self, request: Request, rows: list[dict[str, Any]], *, default: int, most: int
    ) -> list[dict[str, Any]]:
        """Mastodon's paging: newest first; ``min_id`` takes the page just above it."""
        try:
            limit = max(1, min(most, int(request.param("limit") or default)))
        except ValueError:
            limit = default
        rows = sorted(rows, key=lambda r: _int(r["id"]), reverse=True)
        if request.param("max_id"):
            rows = [r for r in rows if _int(r["id"]) < _int(request.param("max_id"))]
        if request.param("since_id"):
            rows = [r for r in rows if _int(r["id"]) > _int(request.param("since_id"))]
        if request.param("min_id"):
            above = [r for r in rows if _int(r["id"]) > _int(request.param("min_id"))]
            return above[-limit:]
        return rows[:limit]

    def _list(
        self,
        request: Request,
        path: str,
        page: list[dict[str, Any]],
        *,
        keep: list[tuple[str, str]] | None = None,
    ) -> Response:
        headers = {}
        if page:
            base = f"{request.base_url}{self.prefix}{path}?"
            kept = list(keep or [])
            if request.param("limit"):
                kept.append(("limit", request.param("limit")))
            older = urlencode([*kept, ("max_id", page[-1]["id"])])
            newer = urlencode([*kept, ("min_id", page[0]["id"])])
            headers["Link"] = f'<{base}{older}>; rel="next", <{base}{newer}>; rel="prev"'
        body = [self._view(row) if "_source" in row else row for row in page]
        return json_response(200, body, headers)

    def _health(self, request: Request, params: dict[str, str]) -> Response:
        return Response(200, b"OK", {"Content-Type": "text/plain"})

    def _stream(self, request: Request, params: dict[str, str]) -> Response:
        """Server-sent events: each new mention notification, heartbeats in between."""
        seen = len(self.notifications)

        def events() -> Iterator[bytes]:
            nonlocal seen
            yield b":)\n"
            while not self.stopping.is_set():
                with self.pushed:
                    if len(self.notifications) == seen:
                        self.pushed.wait(timeout=HEARTBEAT_SECONDS)
                    fresh = self.notifications[seen:]
                    seen += len(fresh)
                if not fresh:
                    yield b":thump\n"
                for note in fresh:
                    data = json.dumps({**note, "status": self._view(note["status"])})
                    yield f"event: notification\ndata: {data}\n\n".encode()

        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        return Response(200, headers=headers, stream=events())

    # --- inbound ----------------------------------------------------------------------------

    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        cfg = self.config.mastodon
        handle = spec.handle or spec.name().lower().replace(" ", "") + "@example.social"
        username, _, domain = handle.partition("@")
        if domain == cfg.domain:
            domain = ""
        account = self._by_acct(handle)
        if account is None:
            account_id = spec.author_id or str(110_000_000_000_000_000 + self.account_ids())
            if account_id in self.accounts:
                raise InboundError(f"account {account_id} exists with another handle")
            account = self._account(account_id, username, domain, spec.author_name or username)
        elif spec.author_id and spec.author_id != account["id"]:
            raise InboundError(f"@{handle} is account {account['id']}, not {spec.author_id}")
        if account["id"] == cfg.account_id:
            raise InboundError("that is the brand's own account")
        parent = self.statuses.get(spec.reply_to) if spec.reply_to else None
        if spec.reply_to and parent is None:
            raise InboundError(f"there is no status {spec.reply_to} to reply to")
        visibility = str(spec.options.get("visibility") or "")
        if not visibility:
            visibility = "direct" if spec.public is False else "public"
        if visibility not in VISIBILITIES:
            raise InboundError(f"visibility must be one of {', '.join(VISIBILITIES)}")
        if spec.id and spec.id in self.statuses:
            raise InboundError(f"status {spec.id} exists already")
        moment = spec.when(self.now)
        status = self._status(
            account,
            spec.text,
            visibility=visibility,
            parent=parent,
            moment=moment,
            status_id=spec.id,
        )
        note: dict[str, Any] = {
            "id": str(self.notification_ids()),
            "type": "mention",
            "created_at": iso_z(moment),
            "account": account,
            "status": status,
        }
        with self.pushed:
            self.notifications.append(note)
            self.pushed.notify_all()
        return Injection(
            ids={
                "status_id": status["id"],
                "notification_id": note["id"],
                "account_id": account["id"],
            },
            queued=True,
        )
