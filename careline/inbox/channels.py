"""Connecting a channel: which credentials each platform needs, and what to tell the admin."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from careline.inbox.models import Channel, Platform


@dataclass(frozen=True, slots=True)
class Need:
    key: str  # credential key
    help: str
    required: bool = True
    generated: bool = False  # careline makes one when not given (shared secrets, verify tokens)


_META = (
    Need("app_secret", "the Meta app's secret (checks webhook signatures)"),
    Need("page_access_token", "a long-lived Page access token"),
    Need("page_id", "the Facebook Page id"),
    Need("verify_token", "the webhook verify token", required=False, generated=True),
    Need("graph_version", "the pinned Graph API version (default v21.0)", required=False),
    Need("graph_host", "another Graph host (the fake platform, a proxy)", required=False),
)
NEEDS: dict[str, tuple[Need, ...]] = {
    Platform.GENERIC: (
        Need("secret", "HMAC key of inbound deliveries", required=False, generated=True),
        Need("callback_url", "where replies are POSTed", required=False),
        Need("callback_secret", "HMAC key for replies (default: secret)", required=False),
    ),
    Platform.FACEBOOK: _META,
    Platform.MESSENGER: _META,
    Platform.INSTAGRAM: (
        *_META,
        Need("instagram_account_id", "the Instagram professional account id"),
    ),
    Platform.X: (
        Need("user_id", "the brand account's user id"),
        Need("consumer_secret", "the app's consumer secret (CRC and webhook signatures)"),
        Need("user_access_token", "OAuth 2.0 user token for replies, DMs, hiding"),
        Need("bearer_token", "app-only token for reading mentions and stream rules", False),
        Need("refresh_token", "OAuth 2.0 refresh token (offline.access), to renew", False),
        Need("client_id", "the app's OAuth 2.0 client id, to renew the user token", False),
        Need("client_secret", "the app's OAuth 2.0 client secret (confidential clients)", False),
        Need("keywords", "comma-separated keyword rules to listen for (indirect items)", False),
        Need("api_base", "another API base URL (the fake platform, a proxy)", required=False),
    ),
    Platform.MASTODON: (
        Need("instance_url", "e.g. https://mastodon.social"),
        Need("access_token", "an access token with read and write scopes"),
        Need("account_id", "the brand account's id on the instance"),
        Need("stream", "1 to hold the streaming API open as well as polling", required=False),
    ),
    Platform.BLUESKY: (
        Need("identifier", "the brand's handle, e.g. shop.bsky.social"),
        Need("app_password", "an app password"),
        Need("did", "the brand's DID"),
        Need("service", "the PDS URL (default https://bsky.social)", required=False),
    ),
}
ACCOUNT_KEY: dict[str, str] = {
    Platform.FACEBOOK: "page_id",
    Platform.MESSENGER: "page_id",
    Platform.INSTAGRAM: "instagram_account_id",
    Platform.X: "user_id",
    Platform.MASTODON: "account_id",
    Platform.BLUESKY: "did",
}


class ChannelSetupError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ChannelSetup:
    channel: Channel
    webhook_url: str | None
    generated: dict[str, str]  # secrets careline made, shown once


def add_channel(
    *, platform: str, name: str, credentials: Mapping[str, str | None], display_name: str = ""
) -> ChannelSetup:
    """Create a channel with its credentials (encrypted at rest). Raises ChannelSetupError."""
    if platform not in NEEDS:
        raise ChannelSetupError(f"unknown platform {platform!r}; one of {', '.join(NEEDS)}")
    given: dict[str, object] = {k: v for k, v in credentials.items() if v not in (None, "")}
    if isinstance(given.get("keywords"), str):
        given["keywords"] = [k.strip() for k in str(given["keywords"]).split(",") if k.strip()]
    missing = [n.key for n in NEEDS[platform] if n.required and n.key not in given]
    if missing:
        raise ChannelSetupError(f"{platform} needs: {', '.join(missing)}")
    generated = {
        n.key: secrets.token_urlsafe(24)
        for n in NEEDS[platform]
        if n.generated and n.key not in given
    }
    with transaction.atomic():
        if Channel.objects.filter(name=name).exists():
            raise ChannelSetupError(f"a channel named {name!r} exists already")
        channel = Channel.objects.create(
            name=name,
            platform=platform,
            external_id=str(given.get(ACCOUNT_KEY.get(platform, ""), "")),
            display_name=display_name or name,
            credentials={**given, **generated},
        )
    path = channel.webhook_path
    url = settings.CARELINE_BASE_URL.rstrip("/") + path if path else None
    return ChannelSetup(channel, url, generated)


def remember_session(channel: Channel, connector: object) -> None:
    """Store session tokens a connector obtained (Bluesky signs in; its sign-ins are limited to
    a few hundred a day), so the next connector for this channel reuses them."""
    if not getattr(connector, "session_changed", False):
        return
    tokens = connector.session_tokens()  # type: ignore[attr-defined]
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        locked.credentials = {**locked.credentials, **tokens}
        locked.save(update_fields=["credentials"])
