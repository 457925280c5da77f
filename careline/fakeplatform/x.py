"""X API v2 (posts, direct messages, hiding replies, mentions, stream rules) and Account
Activity webhooks.

Mounted at ``/x``: a channel's ``api_base`` is ``http://HOST:PORT/x/2``. Writes need the user
access token, stream rules the app-only bearer token, reads either. Every answer carries the
``x-rate-limit-*`` headers. Post text is served HTML-escaped (``&amp;``, ``&lt;``, ``&gt;``) as
X does. Every injected public post is addressed to the brand: it joins the brand's mentions
timeline, and is pushed as a v1.1 ``tweet_create_events`` delivery when a target is set.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from careline.fakeplatform.common import (
    InboundError,
    InboundSpec,
    Injection,
    Service,
    Webhook,
    epoch_ms,
    iso_z,
    require_target,
    stable_digits,
)
from careline.fakeplatform.signing import x_signature
from careline.fakeplatform.web import Request, Response, json_response

TWITTER_EPOCH_MS = 1288834974657
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
OPTIONAL_TWEET_FIELDS = (
    "author_id",
    "created_at",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "lang",
)
DEFAULT_USER_FIELDS = ("id", "name", "username")
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
UNSUPPORTED_AUTH = "https://api.twitter.com/2/problems/unsupported-authentication"
DUPLICATE_RULE = "https://api.twitter.com/2/problems/duplicate-rules"
TEXT_LIMIT = 280
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str) -> str:
    """X's escaping of post text: exactly &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def v1_time(moment: datetime) -> str:
    """``Thu Jun 20 16:00:00 +0000 2024`` without depending on the locale."""
    m = moment.astimezone(UTC)
    return (
        f"{_WEEKDAYS[m.weekday()]} {_MONTHS[m.month - 1]} {m.day:02d} {m:%H:%M:%S} +0000 {m.year}"
    )


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> dict:
    return {"title": title, "detail": detail, "type": kind, "status": status, **extra}


class XService(Service):
    name = "x"
    prefix = "/x"
    platforms: ClassVar[tuple[str, ...]] = ("x",)

    def reset(self) -> None:
        self.tweets: dict[str, dict[str, Any]] = {}  # id → stored post (raw text)
        self.users: dict[str, dict[str, str]] = {}
        self.mentions: dict[str, list[str]] = {}  # user id → ids of posts addressed to them
        self.dm_events: list[dict[str, Any]] = []
        self.rules: list[dict[str, str]] = []
        self.hidden: dict[str, bool] = {}
        self._last_id = 0
        cfg = self.config.x
        self.users[cfg.user_id] = {"id": cfg.user_id, "name": cfg.name, "username": cfg.username}

    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        cfg = self.config.x
        return {
            "x": {
                "user_id": cfg.user_id,
                "consumer_secret": cfg.consumer_secret,
                "user_access_token": cfg.user_access_token,
                "bearer_token": cfg.bearer_token,
                "api_base": f"{base_url}{self.prefix}/2",
            }
        }

    def snowflake(self, moment: datetime | None = None) -> str:
        """An X id: milliseconds since X's epoch shifted left 22 bits; strictly increasing."""
        ms = epoch_ms(moment or self.now())
        candidate = max(0, ms - TWITTER_EPOCH_MS) << 22
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    # --- routes -----------------------------------------------------------------------------

    def routes(self) -> None:
        add = self.router.add
        add("POST", r"/2/tweets", "POST /2/tweets", self._post)
        add("PUT", r"/2/tweets/(?P<id>[^/]+)/hidden", "PUT /2/tweets/:id/hidden", self._hide)
        add(
            "POST",
            r"/2/dm_conversations/with/(?P<participant>[^/]+)/messages",
            "POST /2/dm_conversations/with/:participant_id/messages",
            self._dm,
        )
        add("GET", r"/2/users/me", "GET /2/users/me", self._me)
        add("GET", r"/2/users/(?P<id>[^/]+)/mentions", "GET /2/users/:id/mentions", self._mentions)
        add("GET", r"/2/users/(?P<id>[^/]+)/tweets", "GET /2/users/:id/tweets", self._timeline)
        add(
            "GET",
            r"/2/tweets/search/stream/rules",
            "GET /2/tweets/search/stream/rules",
            self._list_rules,
        )
        add(
            "POST",
            r"/2/tweets/search/stream/rules",
            "POST /2/tweets/search/stream/rules",
            self._change_rules,
        )

    def dispatch(self, request: Request) -> tuple[str, Response]:
        endpoint, response = super().dispatch(request)
        for key, value in self._limits(remaining=299, reset=time.time() + 900).items():
            response.headers.setdefault(key, value)
        return endpoint, response

    @staticmethod
    def _limits(*, remaining: int, reset: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(reset)),
        }

    def not_found(self, request: Request, allowed: list[str]) -> Response:
        return json_response(
            404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
        )

    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        body = problem(status, "Too Many Requests", "Too Many Requests")
        return json_response(
            status, body, self._limits(remaining=0, reset=time.time() + retry_after)
        )

    def failed(self, request: Request, *, status: int) -> Response:
        return json_response(
            status, problem(status, "Service Unavailable", "Service is temporarily unavailable.")
        )

    # --- authentication ---------------------------------------------------------------------

    def _auth(self, request: Request, *, need: str) -> Response | None:
        """None when the token fits; need is "user" (writes), "app" (rules) or "any" (reads)."""
        cfg = self.config.x
        token = request.bearer()
        kind = {cfg.user_access_token: "user", cfg.bearer_token: "app"}.get(token)
        if kind is None:
            return json_response(401, problem(401, "Unauthorized", "Unauthorized"))
        if need == "user" and kind == "app":
            detail = (
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. "
                "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User "
                "Context]."
            )
            return json_response(
                403, problem(403, "Unsupported Authentication", detail, UNSUPPORTED_AUTH)
            )
        if need == "app" and kind == "user":
            detail = (
                "Authenticating with OAuth 2.0 User Context is forbidden for this endpoint. "
                "Supported authentication types are [OAuth 2.0 Application-Only]."
            )
            return json_response(
                403, problem(403, "Unsupported Authentication", detail, UNSUPPORTED_AUTH)
            )
        return None

    @staticmethod
    def _invalid(message: str, **parameters: Any) -> Response:
        error: dict[str, Any] = {"message": message}
        if parameters:
            error["parameters"] = {k: [str(v)] for k, v in parameters.items()}
        return json_response(
            400,
            problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                INVALID_REQUEST,
                errors=[error],
            ),
        )

    @staticmethod
    def _body(request: Request) -> dict[str, Any] | None:
        try:
            document = request.json()
        except ValueError:
            return None
        return document if isinstance(document, dict) else None

    # --- writes -----------------------------------------------------------------------------

    def _post(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="user")
        if refused:
            return refused
        body = self._body(request)
        if body is None:
            return self._invalid("the body must be a JSON object")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._invalid("text must be a non-empty string", text=text)
        if len(text) > TEXT_LIMIT:
            return json_response(403, problem(403, "Forbidden", "Your Tweet text is too long."))
        brand = self.config.x.user_id
        if any(t["author_id"] == brand and t["text"] == text for t in self.tweets.values()):
            return json_response(
                403,
                problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                ),
            )
        given = body.get("reply")
        reply: dict[str, Any] = given if isinstance(given, dict) else {}
        parent_id = str(reply.get("in_reply_to_tweet_id") or "")
        if body.get("reply") is not None and not parent_id:
            return self._invalid("reply.in_reply_to_tweet_id is required")
        tweet = self._store_tweet(brand, text, reply_to=parent_id)
        return json_response(
            201,
            {
                "data": {
                    "id": tweet["id"],
                    "text": escape(text),
                    "edit_history_tweet_ids": [tweet["id"]],
                }
            },
        )

    def _dm(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="user")
        if refused:
            return refused
        body = self._body(request)
        text = body.get("text") if body else None
        if not isinstance(text, str) or not text.strip():
            return self._invalid("text must be a non-empty string")
        if len(text) > 10_000:
            return self._invalid("text is longer than 10000 characters")
        participant = params["participant"]
        brand = self.config.x.user_id
        pair = sorted([brand, participant], key=lambda v: (len(v), v))
        event = {
            "id": self.snowflake(),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": brand,
            "participant_id": participant,
            "dm_conversation_id": "-".join(pair),
            "created_at": iso_z(self.now()),
        }
        self.dm_events.append(event)
        return json_response(
            201,
            {
                "data": {
                    "dm_conversation_id": event["dm_conversation_id"],
                    "dm_event_id": event["id"],
                }
            },
        )

    def _hide(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="user")
        if refused:
            return refused
        body = self._body(request)
        hidden = body.get("hidden") if body else None
        if not isinstance(hidden, bool):
            return self._invalid("hidden must be true or false")
        tweet = self.tweets.get(params["id"])
        if tweet is not None:
            root = self.tweets.get(tweet["conversation_id"])
            if root is not None and root["author_id"] != self.config.x.user_id:
                return json_response(
                    403,
                    problem(
                        403,
                        "Forbidden",
                        "You can only hide or unhide replies to conversations you authored.",
                    ),
                )
        self.hidden[params["id"]] = hidden
        return json_response(200, {"data": {"hidden": hidden}})

    # --- reads ------------------------------------------------------------------------------

    def _me(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="user")
        if refused:
            return refused
        return json_response(200, {"data": self.users[self.config.x.user_id]})

    def _mentions(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="any")
        if refused:
            return refused
        return self._page(request, self.mentions.get(params["id"], []))

    def _timeline(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="any")
        if refused:
            return refused
        own = [t["id"] for t in self.tweets.values() if t["author_id"] == params["id"]]
        return self._page(request, own)

    def _page(self, request: Request, ids: Iterable[str]) -> Response:
        """One page of posts, newest first, with since_id / until_id / pagination_token."""
        try:
            size = int(request.param("max_results") or 10)
        except ValueError:
            size = -1
        if not 5 <= size <= 100:
            return self._invalid(
                f"The `max_results` query parameter value [{request.param('max_results')}] "
                "is not between 5 and 100",
                max_results=request.param("max_results"),
            )
        ordered = sorted(set(ids), key=int, reverse=True)
        for name, keep in (("since_id", lambda i, b: i > b), ("until_id", lambda i, b: i < b)):
            bound = request.param(name)
            if bound:
                if not bound.isdigit():
                    return self._invalid(f"{name} must be a numeric post id", **{name: bound})
                ordered = [i for i in ordered if keep(int(i), int(bound))]
        token = request.param("pagination_token")
        if token:
            older_than = _read_token(token)
            if older_than is None:
                return self._invalid(
                    "The `pagination_token` query parameter value is not valid",
                    pagination_token=token,
                )
            ordered = [i for i in ordered if int(i) < older_than]
        page, rest = ordered[:size], ordered[size:]
        if not page:
            return json_response(200, {"meta": {"result_count": 0}})
        fields = _csv(request.param("tweet.fields"))
        expansions = _csv(request.param("expansions"))
        document: dict[str, Any] = {"data": [self._v2(i, fields) for i in page]}
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            user_fields = set(DEFAULT_USER_FIELDS) | set(_csv(request.param("user.fields")))
            authors = dict.fromkeys(self.tweets[i]["author_id"] for i in page)
            includes["users"] = [
                {k: v for k, v in self.users[a].items() if k in user_fields}
                for a in authors
                if a in self.users
            ]
        if "referenced_tweets.id" in expansions:
            referenced = [
                ref["id"]
                for i in page
                for ref in self.tweets[i].get("referenced_tweets", [])
                if ref["id"] in self.tweets
            ]
            if referenced:
                includes["tweets"] = [self._v2(r, fields) for r in dict.fromkeys(referenced)]
        if includes:
            document["includes"] = includes
        meta = {"result_count": len(page), "newest_id": page[0], "oldest_id": page[-1]}
        if rest:
            meta["next_token"] = _make_token(int(page[-1]))
        document["meta"] = meta
        return json_response(200, document)

    def _v2(self, tweet_id: str, fields: list[str]) -> dict[str, Any]:
        tweet = self.tweets[tweet_id]
        view = {
            "id": tweet["id"],
            "text": escape(tweet["text"]),
            "edit_history_tweet_ids": [tweet["id"]],
        }
        for key in OPTIONAL_TWEET_FIELDS:
            if key in fields and tweet.get(key) is not None:
                view[key] = tweet[key]
        if "created_at" in fields:
            view["created_at"] = iso_z(tweet["created_at"])
        return view

    # --- stream rules -----------------------------------------------------------------------

    def _list_rules(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="app")
        if refused:
            return refused
        meta = {"sent": iso_z(self.now()), "result_count": len(self.rules)}
        if not self.rules:
            return json_response(200, {"meta": meta})
        return json_response(200, {"data": list(self.rules), "meta": meta})

    def _change_rules(self, request: Request, params: dict[str, str]) -> Response:
        refused = self._auth(request, need="app")
        if refused:
            return refused
        body = self._body(request)
        if body is None or ("add" in body) == ("delete" in body):
            return self._invalid("give either 'add' or 'delete'")
        dry_run = request.param("dry_run") == "true"
        sent = iso_z(self.now())
        if "delete" in body:
            wanted = body["delete"] if isinstance(body["delete"], dict) else {}
            ids = {str(i) for i in wanted.get("ids") or []}
            values = {str(v) for v in wanted.get("values") or []}
            doomed = [r for r in self.rules if r["id"] in ids or r["value"] in values]
            missing = ids - {r["id"] for r in doomed}
            if not dry_run:
                self.rules = [r for r in self.rules if r not in doomed]
            document: dict[str, Any] = {
                "meta": {
                    "sent": sent,
                    "summary": {"deleted": len(doomed), "not_deleted": len(missing)},
                }
            }
            if missing:
                document["errors"] = [
                    {
                        "errors": [{"parameters": {}, "message": "Rule does not exist"}],
                        "title": "Invalid Request",
                        "detail": "Rule does not exist",
                        "type": INVALID_REQUEST,
                        "value": i,
                    }
                    for i in sorted(missing)
                ]
            return json_response(200, document)
        added = body["add"] if isinstance(body["add"], list) else []
        created: list[dict[str, str]] = []
        errors: list[dict[str, Any]] = []
        invalid = 0
        for rule in added:
            value = str(rule.get("value") or "") if isinstance(rule, dict) else ""
            if not value.strip() or len(value) > 1024:
                invalid += 1
                errors.append(
                    {
                        "value": value,
                        "title": "Invalid Rule",
                        "type": INVALID_REQUEST,
                        "details": ["rule value is empty or too long"],
                    }
                )
                continue
            existing = next((r for r in self.rules + created if r["value"] == value), None)
            if existing is not None:
                errors.append(
                    {
                        "value": value,
                        "id": existing["id"],
                        "title": "DuplicateRule",
                        "type": DUPLICATE_RULE,
                    }
                )
                continue
            new = {"id": self.snowflake(), "value": value}
            if isinstance(rule, dict) and rule.get("tag"):
                new["tag"] = str(rule["tag"])
            created.append(new)
        if not dry_run:
            self.rules.extend(created)
        summary = {
            "created": len(created),
            "not_created": len(added) - len(created),
            "valid": len(added) - invalid,
            "invalid": invalid,
        }
        document = {"meta": {"sent": sent, "summary": summary}}
        if created:
            document["data"] = created
        if errors:
            document["errors"] = errors
        return json_response(201, document)

    # --- posts ------------------------------------------------------------------------------

    def _store_tweet(
        self,
        author: str,
        text: str,
        *,
        reply_to: str = "",
        tweet_id: str = "",
        moment: datetime | None = None,
    ) -> dict[str, Any]:
        moment = moment or self.now()
        tweet_id = tweet_id or self.snowflake(moment)
        parent = self.tweets.get(reply_to) if reply_to else None
        mentions = []
        for found in _MENTION.finditer(text):
            user = next(
                (u for u in self.users.values() if u["username"].lower() == found[1].lower()),
                None,
            )
            if user is not None:
                mentions.append(
                    {
                        "start": found.start(),
                        "end": found.end(),
                        "username": user["username"],
                        "id": user["id"],
                    }
                )
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author,
            "created_at": moment,
            "conversation_id": parent["conversation_id"] if parent else (reply_to or tweet_id),
            "lang": "en",
        }
        if reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            if parent is not None:
                tweet["in_reply_to_user_id"] = parent["author_id"]
        if mentions:
            tweet["entities"] = {"mentions": mentions}
        self.tweets[tweet_id] = tweet
        return tweet

    # --- inbound ----------------------------------------------------------------------------

    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        cfg = self.config.x
        author = spec.author_id or stable_digits(spec.handle or spec.name(), 10)
        if author == cfg.user_id:
            raise InboundError("that is the brand's own account")
        username = spec.handle or re.sub(r"\W", "", spec.name().lower())[:15] or "customer"
        self.users[author] = {"id": author, "name": spec.name(), "username": username}
        moment = spec.when(self.now)
        if spec.public is False or spec.kind == "dm":
            return self._inbound_dm(spec, author, moment, require_target("x", target))
        if spec.id and spec.id in self.tweets:
            raise InboundError(f"post {spec.id} exists already")
        tweet = self._store_tweet(
            author, spec.text, reply_to=spec.reply_to, tweet_id=spec.id, moment=moment
        )
        self.mentions.setdefault(cfg.user_id, []).append(tweet["id"])
        ids = {"tweet_id": tweet["id"], "author_id": author}
        if not target or spec.options.get("webhook") is False:
            return Injection(ids=ids, queued=True)
        event = self._v1_tweet(tweet)
        document = {
            "for_user_id": cfg.user_id,
            "user_has_blocked": "false",
            "tweet_create_events": [event],
        }
        return Injection(ids=ids, webhook=self._signed(target, document), queued=True)

    def _inbound_dm(
        self, spec: InboundSpec, author: str, moment: datetime, target: str
    ) -> Injection:
        cfg = self.config.x
        event_id = spec.id or self.snowflake(moment)
        event = {
            "type": "message_create",
            "id": event_id,
            "created_timestamp": str(epoch_ms(moment)),
            "message_create": {
                "target": {"recipient_id": cfg.user_id},
                "sender_id": author,
                "message_data": {
                    "text": spec.text,
                    "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                },
            },
        }
        self.dm_events.append(
            {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": spec.text,
                "sender_id": author,
                "created_at": iso_z(moment),
            }
        )
        document = {
            "for_user_id": cfg.user_id,
            "direct_message_events": [event],
            "users": {
                uid: {
                    "id": uid,
                    "created_timestamp": "1300000000000",
                    "name": u["name"],
                    "screen_name": u["username"],
                    "protected": False,
                    "verified": False,
                    "followers_count": 0,
                    "friends_count": 0,
                    "statuses_count": 0,
                }
                for uid, u in self.users.items()
                if uid in (author, cfg.user_id)
            },
        }
        ids = {"dm_event_id": event_id, "author_id": author}
        return Injection(ids=ids, webhook=self._signed(target, document))

    def _v1_tweet(self, tweet: dict[str, Any]) -> dict[str, Any]:
        """A post in the v1.1 shape Account Activity deliveries use."""
        user = self.users[tweet["author_id"]]
        text = escape(tweet["text"])
        parent = self.tweets.get(tweet.get("referenced_tweets", [{}])[0].get("id", ""))
        mentions = [
            {
                "screen_name": m["username"],
                "name": self.users[m["id"]]["name"],
                "id": int(m["id"]),
                "id_str": m["id"],
                "indices": [m["start"], m["end"]],
            }
            for m in tweet.get("entities", {}).get("mentions", [])
        ]
        event: dict[str, Any] = {
            "created_at": v1_time(tweet["created_at"]),
            "id": int(tweet["id"]),
            "id_str": tweet["id"],
            "text": text if len(text) <= 140 else text[:139] + "…",
            "source": '<a href="https://x.com" rel="nofollow">X Web App</a>',
            "truncated": len(text) > 140,
            "in_reply_to_status_id": int(parent["id"]) if parent else None,
            "in_reply_to_status_id_str": parent["id"] if parent else None,
            "in_reply_to_user_id": int(parent["author_id"]) if parent else None,
            "in_reply_to_user_id_str": parent["author_id"] if parent else None,
            "in_reply_to_screen_name": self.users.get(parent["author_id"], {}).get("username")
            if parent
            else None,
            "user": {
                "id": int(user["id"]) if user["id"].isdigit() else user["id"],
                "id_str": user["id"],
                "name": user["name"],
                "screen_name": user["username"],
                "protected": False,
                "verified": False,
            },
            "is_quote_status": False,
            "retweet_count": 0,
            "favorite_count": 0,
            "entities": {"hashtags": [], "urls": [], "user_mentions": mentions, "symbols": []},
            "favorited": False,
            "retweeted": False,
            "filter_level": "low",
            "lang": "en",
            "timestamp_ms": str(epoch_ms(tweet["created_at"])),
        }
        if len(text) > 140:
            event["extended_tweet"] = {"full_text": text, "entities": event["entities"]}
        if parent is None and tweet.get("referenced_tweets"):
            # A reply to a post the fake never saw: X still names it.
            replied = tweet["referenced_tweets"][0]["id"]
            event["in_reply_to_status_id"] = int(replied) if replied.isdigit() else None
            event["in_reply_to_status_id_str"] = replied
        return event

    def _signed(self, target: str, document: dict[str, Any]) -> Webhook:
        body = json.dumps(document, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "x-twitter-webhooks-signature": x_signature(self.config.x.consumer_secret, body),
        }
        return Webhook(target, body, headers)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _make_token(older_than: int) -> str:
    return base64.b32encode(f"p{older_than}".encode()).decode().lower().rstrip("=")


def _read_token(token: str) -> int | None:
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        raw = base64.b32decode(padded).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(raw[1:]) if raw.startswith("p") and raw[1:].isdigit() else None
