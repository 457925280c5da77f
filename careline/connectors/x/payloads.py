"""X wire formats → InboundItem. Pure functions: no HTTP, no Django.

Two families of shapes arrive:

- **Account Activity (AAA) webhook deliveries**: ``{"for_user_id", "tweet_create_events": [...],
  "direct_message_events": [...], "users": {...}, "tweet_delete_events": [...], ...}``, tweets in
  the v1.1 shape (``id_str``, ``user{}``, ``extended_tweet.full_text``). X is moving AAA to v2, so
  a v2 tweet (``id``, ``author_id``; optionally wrapped as ``{"data", "includes"}``) is accepted
  inside the same arrays too.
- **v2 responses** (mentions timeline pages, filtered-stream lines): ``{"data", "includes":
  {"users"}, "meta", "errors"}``.

Conventions for every item: ids are strings; ``author_handle`` is ``"@" + screen name``; tweet
text is HTML-unescaped (X sends ``&amp;``, ``&lt;``, ``&gt;`` in tweet text); text longer than
``max_text_chars`` is cut and the original length kept in ``extra["text_truncated_from"]`` —
one overlong post must not cost the rest of a delivery. Retweets are dropped (they copy someone
else's text and address nobody); the brand's own posts and direct messages are dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from careline.connectors.base import Action, InboundItem, PayloadError, follower_count
from careline.connectors.normalise import parse_timestamp

log = logging.getLogger(__name__)

# Snowflake ids carry their creation time: ms since this epoch, shifted left by 22 bits.
TWITTER_EPOCH_MS = 1288834974657
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# AAA arrays careline reads; any other key (favorite_events, follow_events, user_event,
# direct_message_indicate_typing_events, …) is ignored on purpose.
TWEET_CREATE = "tweet_create_events"
DIRECT_MESSAGES = "direct_message_events"
TWEET_DELETE = "tweet_delete_events"

Users = Mapping[str, Mapping[str, Any]]


# --- small helpers --------------------------------------------------------------------------


def unescape_tweet_text(text: str) -> str:
    """Undo X's HTML escaping of tweet text. X escapes exactly ``&``, ``<`` and ``>``, so
    undoing those three (``&amp;`` last) gives back what the person typed — even a literal
    "&lt;" they typed, which arrives as "&amp;lt;"."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_v1_time(value: Any) -> datetime:
    """``"Thu Jun 20 16:00:00 +0000 2024"`` → aware UTC datetime (locale-independent)."""
    parts = value.split() if isinstance(value, str) else []
    if len(parts) != 6 or parts[1] not in _MONTHS:
        raise PayloadError(f"created_at {str(value)[:40]!r} is not an X v1.1 time")
    _, month, day, clock, offset, year = parts
    try:
        parsed = datetime.strptime(
            f"{year}-{_MONTHS[month]:02d}-{day} {clock} {offset}", "%Y-%m-%d %H:%M:%S %z"
        )
    except ValueError as exc:
        raise PayloadError(f"created_at {value[:40]!r} is not an X v1.1 time") from exc
    return parsed.astimezone(UTC)


def parse_ms(value: Any) -> datetime:
    """Epoch milliseconds (int or digit string) → aware UTC datetime, keeping the milliseconds."""
    raw = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not raw.isdigit():
        raise PayloadError(f"timestamp {str(value)[:20]!r} is not epoch milliseconds")
    return _UNIX_EPOCH + timedelta(milliseconds=int(raw))


def snowflake_time(snowflake: str) -> datetime:
    """When a post or event with this id was created. Used when a payload lacks the time."""
    if not snowflake.isdigit():
        raise PayloadError(f"id {snowflake[:30]!r} is not a numeric X id and has no time")
    return _UNIX_EPOCH + timedelta(milliseconds=(int(snowflake) >> 22) + TWITTER_EPOCH_MS)


def newer_id(a: str, b: str) -> str:
    """The larger of two X ids ("" counts as none). Compared as numbers, not strings."""
    if not a:
        return b
    if not b:
        return a
    if a.isdigit() and b.isdigit():
        return a if int(a) >= int(b) else b
    return max(a, b)


def _id(value: Any) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def as_object(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one: for optional nested objects."""
    return value if isinstance(value, Mapping) else {}


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{where} must be a list")
    return value


def _handle(screen_name: Any) -> str:
    name = _id(screen_name).lstrip("@")
    return "@" + name if name else ""


def _clip(text: str, max_text_chars: int, extra: dict[str, Any]) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    if len(text) > max_text_chars:
        extra["text_truncated_from"] = len(text)
        return text[:max_text_chars]
    return text


def _expanded_urls(*entity_maps: Any) -> list[str]:
    urls: list[str] = []
    for entities in entity_maps:
        for url in as_object(entities).get("urls") or []:
            expanded = _id(as_object(url).get("expanded_url"))
            if expanded and expanded not in urls:
                urls.append(expanded)
    return urls


def users_from_includes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """v2 ``includes.users`` list → {id: user}."""
    users: dict[str, Mapping[str, Any]] = {}
    for user in as_object(document.get("includes")).get("users") or []:
        user = as_object(user)
        if _id(user.get("id")):
            users[_id(user.get("id"))] = user
    return users


def _users_map(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """AAA ``users`` map ({id: {id, name, screen_name}}) merged with any v2 ``includes.users``."""
    users = users_from_includes(document)
    for key, user in as_object(document.get("users")).items():
        if isinstance(user, Mapping):
            users[str(key)] = user
    return users


def _followers(user: Mapping[str, Any]) -> int | None:
    """The follower count of a v1.1 user (``followers_count``) or a v2 user
    (``public_metrics.followers_count``); None when absent or not a count."""
    count = user.get("followers_count")
    if count is None:
        count = as_object(user.get("public_metrics")).get("followers_count")
    return follower_count(count)


def _user_names(user: Mapping[str, Any]) -> tuple[str, str]:
    """(handle, display name) from a v1.1 (``screen_name``) or v2 (``username``) user."""
    return _handle(user.get("screen_name") or user.get("username")), _id(user.get("name"))


# --- tweets ---------------------------------------------------------------------------------


def is_v1_retweet(tweet: Mapping[str, Any]) -> bool:
    return isinstance(tweet.get("retweeted_status"), Mapping)


def is_v2_retweet(tweet: Mapping[str, Any]) -> bool:
    return any(
        as_object(ref).get("type") == "retweeted" for ref in tweet.get("referenced_tweets") or []
    )


def _v2_reference(tweet: Mapping[str, Any], kind: str) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        ref = as_object(ref)
        if ref.get("type") == kind:
            return _id(ref.get("id"))
    return ""


def v2_author_id(tweet: Mapping[str, Any]) -> str:
    return _id(tweet.get("author_id")) or _id(as_object(tweet.get("author")).get("id"))


def addresses_user(tweet: Mapping[str, Any], user_id: str) -> bool:
    """True when a v2 tweet @-mentions ``user_id`` or replies to one of its posts."""
    if not user_id:
        return False
    if _id(tweet.get("in_reply_to_user_id")) == user_id:
        return True
    mentions = as_object(tweet.get("entities")).get("mentions") or []
    return any(_id(as_object(mention).get("id")) == user_id for mention in mentions)


def item_from_v1_tweet(tweet: Mapping[str, Any], *, max_text_chars: int) -> InboundItem:
    """One v1.1 tweet (as AAA delivers it). Prefers ``extended_tweet.full_text`` (posts over
    140 characters arrive truncated in ``text``)."""
    tweet_id = _id(tweet.get("id_str")) or _id(tweet.get("id"))
    if not tweet_id:
        raise PayloadError("tweet has no id_str")
    user = as_object(tweet.get("user"))
    author_id = _id(user.get("id_str")) or _id(user.get("id"))
    if not author_id:
        raise PayloadError(f"tweet {tweet_id} has no user.id_str")
    extended = as_object(tweet.get("extended_tweet"))
    raw_text = extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or ""
    if not isinstance(raw_text, str):
        raise PayloadError(f"tweet {tweet_id}: text must be a string")
    created = tweet.get("created_at")
    extra: dict[str, Any] = {"shape": "v1.1"}
    for key, source in (
        ("lang", "lang"),
        ("in_reply_to_user_id", "in_reply_to_user_id_str"),
        ("quoted_tweet_id", "quoted_status_id_str"),
    ):
        if _id(tweet.get(source)):
            extra[key] = _id(tweet.get(source))
    urls = _expanded_urls(tweet.get("entities"), extended.get("entities"))
    if urls:
        extra["urls"] = urls
    handle, name = _user_names(user)
    return InboundItem(
        external_id=tweet_id,
        author_id=author_id,
        author_handle=handle,
        author_name=name,
        text=_clip(unescape_tweet_text(raw_text), max_text_chars, extra),
        created_at=parse_v1_time(created) if created else snowflake_time(tweet_id),
        public=True,
        reply_to=_id(tweet.get("in_reply_to_status_id_str")),
        kind="tweet",
        extra=extra,
        author_followers=_followers(user),
    )


def item_from_v2_tweet(
    tweet: Mapping[str, Any], users: Users, *, max_text_chars: int, indirect: bool = False
) -> InboundItem:
    """One v2 tweet; the author's names come from ``users`` (``includes.users``). Prefers
    ``note_tweet.text`` (the full text of a long post). Without ``created_at`` the time is read
    from the id."""
    tweet_id = _id(tweet.get("id"))
    if not tweet_id:
        raise PayloadError("tweet has no id")
    author_id = v2_author_id(tweet)
    if not author_id:
        raise PayloadError(f"tweet {tweet_id} has no author_id (request expansions=author_id)")
    raw_text = as_object(tweet.get("note_tweet")).get("text") or tweet.get("text") or ""
    if not isinstance(raw_text, str):
        raise PayloadError(f"tweet {tweet_id}: text must be a string")
    extra: dict[str, Any] = {"shape": "v2"}
    for key in ("conversation_id", "lang", "in_reply_to_user_id"):
        if _id(tweet.get(key)):
            extra[key] = _id(tweet.get(key))
    quoted = _v2_reference(tweet, "quoted")
    if quoted:
        extra["quoted_tweet_id"] = quoted
    urls = _expanded_urls(tweet.get("entities"), as_object(tweet.get("note_tweet")).get("entities"))
    if urls:
        extra["urls"] = urls
    created = tweet.get("created_at")
    author = as_object(users.get(author_id)) or as_object(tweet.get("author"))
    handle, name = _user_names(author)
    return InboundItem(
        external_id=tweet_id,
        author_id=author_id,
        author_handle=handle,
        author_name=name,
        text=_clip(unescape_tweet_text(raw_text), max_text_chars, extra),
        created_at=parse_timestamp(created) if created else snowflake_time(tweet_id),
        public=True,
        reply_to=_v2_reference(tweet, "replied_to"),
        indirect=indirect,
        kind="tweet",
        extra=extra,
        author_followers=_followers(author),
    )


def _tweet_create_item(
    element: Any, users: Users, *, for_user_id: str, max_text_chars: int
) -> InboundItem | None:
    """One ``tweet_create_events`` element in whichever shape it comes, or None when dropped."""
    if not isinstance(element, Mapping):
        raise PayloadError("an event must be a JSON object")
    if isinstance(element.get("data"), Mapping):  # v2 envelope {"data", "includes"}
        merged = {**users, **users_from_includes(element)}
        return _tweet_create_item(
            element["data"], merged, for_user_id=for_user_id, max_text_chars=max_text_chars
        )
    if "id_str" in element or isinstance(element.get("user"), Mapping):
        if is_v1_retweet(element):
            return None
        item = item_from_v1_tweet(element, max_text_chars=max_text_chars)
    elif "id" in element and v2_author_id(element):
        if is_v2_retweet(element):
            return None
        item = item_from_v2_tweet(element, users, max_text_chars=max_text_chars)
    else:
        raise PayloadError("event is neither a v1.1 tweet (id_str, user) nor a v2 tweet")
    return None if item.author_id == for_user_id else item


# --- direct messages and deletions ---------------------------------------------------------


def item_from_dm_event(
    event: Mapping[str, Any], users: Users, *, max_text_chars: int
) -> InboundItem | None:
    """One ``direct_message_events`` element, or None for an event that is not a message.

    Accepts the v1.1 ``message_create`` shape and, tolerantly, the v2 ``MessageCreate`` one.
    DM text is kept exactly as sent (⚠ whether X HTML-escapes DM text is not verified).
    """
    event_id = _id(event.get("id"))
    if not event_id:
        raise PayloadError("direct message event has no id")
    extra: dict[str, Any] = {}
    if event.get("type") == "message_create":
        create = as_object(event.get("message_create"))
        data = as_object(create.get("message_data"))
        sender_id = _id(create.get("sender_id"))
        text = data.get("text") or ""
        stamp = event.get("created_timestamp")
        created = parse_ms(stamp) if stamp is not None else snowflake_time(event_id)
        extra["shape"] = "v1.1"
        recipient = _id(as_object(create.get("target")).get("recipient_id"))
        if recipient:
            extra["recipient_id"] = recipient
        urls = _expanded_urls(data.get("entities"))
        if urls:
            extra["urls"] = urls
        attachment = as_object(data.get("attachment"))
        if attachment:
            media = as_object(attachment.get("media"))
            extra["attachment"] = {
                "type": _id(attachment.get("type")),
                "url": _id(media.get("media_url_https") or media.get("url")),
            }
    elif event.get("event_type") == "MessageCreate":
        sender_id = _id(event.get("sender_id"))
        text = event.get("text") or ""
        created_raw = event.get("created_at")
        created = parse_timestamp(created_raw) if created_raw else snowflake_time(event_id)
        extra["shape"] = "v2"
        if _id(event.get("dm_conversation_id")):
            extra["dm_conversation_id"] = _id(event.get("dm_conversation_id"))
    else:
        return None
    if not sender_id:
        raise PayloadError(f"direct message {event_id} has no sender_id")
    if not isinstance(text, str):
        raise PayloadError(f"direct message {event_id}: text must be a string")
    handle, name = _user_names(as_object(users.get(sender_id)))
    return InboundItem(
        external_id=event_id,
        author_id=sender_id,
        author_handle=handle,
        author_name=name,
        text=_clip(text, max_text_chars, extra),
        created_at=created,
        public=False,
        kind="dm",
        extra=extra,
    )


def item_from_delete_event(event: Mapping[str, Any]) -> InboundItem:
    """One ``tweet_delete_events`` element ``{"status": {"id", "user_id"}, "timestamp_ms"}``
    → an Action.DELETE item naming the deleted post (text empty)."""
    status = as_object(event.get("status"))
    tweet_id = _id(status.get("id_str")) or _id(status.get("id"))
    author_id = _id(status.get("user_id_str")) or _id(status.get("user_id"))
    if not tweet_id or not author_id:
        raise PayloadError("tweet delete event needs status.id and status.user_id")
    stamp = event.get("timestamp_ms")
    return InboundItem(
        external_id=tweet_id,
        author_id=author_id,
        author_handle="",
        author_name="",
        text="",
        created_at=parse_ms(stamp) if stamp is not None else snowflake_time(tweet_id),
        public=True,
        action=Action.DELETE,
        kind="tweet",
        extra={"shape": "v1.1"},
    )


# --- whole documents ------------------------------------------------------------------------


def load_json_object(body: bytes, what: str) -> Mapping[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"{what} is not valid JSON: {exc}") from exc
    if not isinstance(document, Mapping):
        raise PayloadError(f"{what} must be a JSON object")
    return document


def delivery_user_id(body: bytes) -> str:
    """The ``for_user_id`` of an AAA delivery ("" when absent or unreadable) — for a receiver
    that serves several brand accounts from one webhook URL and must pick the channel."""
    try:
        return _id(load_json_object(body, "body").get("for_user_id"))
    except PayloadError:
        return ""


def items_from_activity(
    document: Mapping[str, Any], *, brand_user_id: str, max_text_chars: int
) -> list[InboundItem]:
    """The items in one AAA delivery, in delivery order: tweets, then direct messages, then
    deletions. Drops the brand's own tweets, DMs and deletions, retweets and non-message DM
    events; ignores every other event array. Raises PayloadError when the delivery belongs to
    another account than ``brand_user_id`` or an event is malformed."""
    for_user_id = _id(document.get("for_user_id")) or brand_user_id
    if brand_user_id and for_user_id != brand_user_id:
        raise PayloadError(
            f"delivery is for X account {for_user_id}, but this channel is account {brand_user_id}"
        )
    users = _users_map(document)
    items: list[InboundItem] = []
    for index, element in enumerate(_list(document.get(TWEET_CREATE), TWEET_CREATE)):
        try:
            item = _tweet_create_item(
                element, users, for_user_id=for_user_id, max_text_chars=max_text_chars
            )
        except PayloadError as exc:
            raise PayloadError(f"{TWEET_CREATE}[{index}]: {exc}") from exc
        if item is not None:
            items.append(item)
    for index, event in enumerate(_list(document.get(DIRECT_MESSAGES), DIRECT_MESSAGES)):
        try:
            if not isinstance(event, Mapping):
                raise PayloadError("an event must be a JSON object")
            dm = item_from_dm_event(event, users, max_text_chars=max_text_chars)
        except PayloadError as exc:
            raise PayloadError(f"{DIRECT_MESSAGES}[{index}]: {exc}") from exc
        if dm is not None and dm.author_id != for_user_id:
            items.append(dm)
    for index, event in enumerate(_list(document.get(TWEET_DELETE), TWEET_DELETE)):
        try:
            if not isinstance(event, Mapping):
                raise PayloadError("an event must be a JSON object")
            deleted = item_from_delete_event(event)
        except PayloadError as exc:
            raise PayloadError(f"{TWEET_DELETE}[{index}]: {exc}") from exc
        if deleted.author_id != for_user_id:
            items.append(deleted)
    return items


def _problems_by_resource(errors: Sequence[Any]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for error in errors:
        error = as_object(error)
        resource = _id(error.get("resource_id")) or _id(error.get("value"))
        if resource:
            problem = {
                key: _id(error.get(key))
                for key in ("title", "detail", "resource_type", "resource_id")
                if _id(error.get(key))
            }
            found.setdefault(resource, []).append(problem)
    return found


def items_from_v2_page(
    document: Mapping[str, Any], *, brand_user_id: str, max_text_chars: int
) -> list[InboundItem]:
    """The tweets of one v2 response page (``data`` list), addressed to the brand
    (indirect=False). Drops the brand's own tweets and retweets. Partial failures in
    ``errors[]`` (e.g. a replied-to post that was deleted) do not fail the page: each problem is
    recorded in ``extra["api_errors"]`` of the items that reference its resource. A post that
    cannot be read (no id, no author) is skipped with a warning; a page whose ``data`` is not a
    list raises PayloadError."""
    data = _list(document.get("data"), "data")
    users = users_from_includes(document)
    problems = _problems_by_resource(_list(document.get("errors"), "errors"))
    items: list[InboundItem] = []
    for index, tweet in enumerate(data):
        if not isinstance(tweet, Mapping):
            log.warning("skipping X post data[%s]: not a JSON object", index)
            continue
        if is_v2_retweet(tweet) or v2_author_id(tweet) == brand_user_id:
            continue
        try:
            item = item_from_v2_tweet(tweet, users, max_text_chars=max_text_chars)
        except PayloadError as exc:
            # A polled page has no stored raw copy to fix and retry; failing it would stall the
            # channel's cursor for good. Skip the one unreadable post, loudly.
            log.warning("skipping unreadable X post data[%s]: %s", index, exc)
            continue
        related = [item.external_id, item.author_id] + [
            _id(as_object(ref).get("id")) for ref in tweet.get("referenced_tweets") or []
        ]
        found = [problem for key in related for problem in problems.get(key, [])]
        if found:
            item = _with_extra(item, api_errors=found)
        items.append(item)
    return items


def item_from_stream_line(
    line: bytes, *, brand_user_id: str, max_text_chars: int
) -> InboundItem | None:
    """One filtered-stream line. None for a blank keep-alive line, a line without ``data``
    (system or error messages), a retweet or the brand's own post. The item is indirect (found by
    keyword listening, never auto-replied to) unless the post @-mentions the brand or replies to
    it. ``matching_rules`` is kept in ``extra``."""
    if not line.strip():
        return None
    document = load_json_object(line, "stream line")
    tweet = document.get("data")
    if not isinstance(tweet, Mapping):
        return None
    if is_v2_retweet(tweet) or v2_author_id(tweet) == brand_user_id:
        return None
    item = item_from_v2_tweet(
        tweet,
        users_from_includes(document),
        max_text_chars=max_text_chars,
        indirect=not addresses_user(tweet, brand_user_id),
    )
    rules = [
        {key: _id(as_object(rule).get(key)) for key in ("id", "tag")}
        for rule in document.get("matching_rules") or []
    ]
    return _with_extra(item, matching_rules=rules) if rules else item


def _with_extra(item: InboundItem, **fields: Any) -> InboundItem:
    return replace(item, extra={**item.extra, **fields})
