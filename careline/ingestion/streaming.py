"""Live streams: X's filtered stream (keyword listening) and Mastodon's notification stream.

One thread per streaming channel holds the connection open and ingests each item as it
arrives. When a stream breaks it reconnects with back-off; for Mastodon a poll then fills any
gap (polling also runs every minute, so a stream is only ever a faster path, never the only
one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from django.db import close_old_connections, connection

from careline.connectors.base import ConnectorError, InboundItem
from careline.connectors.registry import connector_for
from careline.inbox.models import Channel
from careline.ingestion.polling import poll_channel
from careline.ingestion.services import ingest_items

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300.0


def streaming_channels() -> list[Channel]:
    """Channels with a live stream: X channels with listening keywords, Mastodon channels with
    ``stream`` set in their credentials."""
    chosen = []
    for channel in Channel.objects.filter(is_active=True, platform__in=["x", "mastodon"]):
        creds = channel.credentials
        if (channel.platform == "x" and creds.get("keywords")) or (
            channel.platform == "mastodon" and creds.get("stream")
        ):
            chosen.append(channel)
    return chosen


def _release_connections() -> None:
    """Drop stale database connections between items of a long-lived stream. Not inside a
    transaction (a test's, or a caller's): closing there would end it."""
    if not connection.in_atomic_block:
        close_old_connections()


def consume(channel: Channel, items: Iterator[InboundItem]) -> int:
    """Ingest streamed items one by one. Returns how many were new."""
    created = 0
    for item in items:
        created += ingest_items(channel, [item]).created
        _release_connections()
    return created


def listen_to(
    channel_id: int,
    *,
    stop: threading.Event,
    sleep: Callable[[float], bool] | None = None,
) -> None:
    """Keep one channel's stream open until ``stop`` is set."""
    wait = sleep or stop.wait
    backoff = 5.0
    while not stop.is_set():
        channel = Channel.objects.get(pk=channel_id)
        try:
            connector = connector_for(
                channel.platform, credentials=channel.credentials, account_id=channel.external_id
            )
            if channel.platform == "mastodon":
                poll_channel(channel.pk)  # what arrived while we were not listening
            else:
                # The channel's keywords are the stream's rules: add new ones, drop old ones.
                changes = connector.sync_stream_rules()  # type: ignore[attr-defined]
                log.info("stream rules of %s: %s", channel.name, changes)
            stream = connector.stream()  # type: ignore[attr-defined]
            consume(channel, stream)
            backoff = 5.0  # the server closed a healthy stream: reconnect at once
        except ConnectorError as exc:
            delay = exc.retry_after or backoff
            log.warning("stream of %s broke (%s); again in %.0f s", channel.name, exc, delay)
            backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)
            if wait(delay):
                return
        except Exception:
            # Never let one bad item or bug end listening for good; the raw item is lost to the
            # stream but polling (Mastodon) or webhooks (X mentions) still deliver it.
            log.exception("stream of %s failed", channel.name)
            if wait(backoff):
                return
        finally:
            _release_connections()
