"""Polling for platforms without webhooks (Mastodon, Bluesky) and as an alternative for X.

Each poll hands the connector the cursor it returned last time and stores the new one in the
same transaction as the items, so a restart resumes exactly where the last poll stopped:
neither a gap nor a duplicate (and ingestion drops duplicates anyway).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careline.connectors.base import ConnectorError
from careline.connectors.registry import connector_for
from careline.inbox.channels import remember_session
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items

log = logging.getLogger(__name__)

POLLED_PLATFORMS = ("x", "mastodon", "bluesky")
# A permanent error (revoked token…) pauses the channel until an admin fixes it or this passes.
PERMANENT_ERROR_PAUSE = timedelta(hours=1)
DEFAULT_BACKOFF = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    channel: str
    created: int
    error: str = ""


def channels_due(now: datetime | None = None) -> list[int]:
    """Active polled channels that are not paused. X channels poll only when asked to
    (``poll: true`` in credentials), since most receive webhooks."""
    moment = now or timezone.now()
    candidates = Channel.objects.filter(platform__in=POLLED_PLATFORMS, is_active=True).filter(
        Q(poll_paused_until__isnull=True) | Q(poll_paused_until__lte=moment)
    )
    return [
        channel.pk
        for channel in candidates
        if channel.platform != "x" or channel.credentials.get("poll")
    ]


def poll_channel(channel_id: int) -> PollOutcome:
    """Fetch and ingest what arrived on one channel since its stored cursor."""
    channel = Channel.objects.get(pk=channel_id)
    now = timezone.now()
    try:
        connector = connector_for(
            channel.platform, credentials=channel.credentials, account_id=channel.external_id
        )
        try:
            result = connector.poll(
                channel.poll_cursor or None, timeout=settings.CARELINE_OUTBOUND_TIMEOUT
            )
        finally:
            remember_session(channel, connector)
    except ConnectorError as exc:
        pause = (
            PERMANENT_ERROR_PAUSE
            if exc.permanent
            else timedelta(seconds=exc.retry_after)
            if exc.retry_after
            else DEFAULT_BACKOFF
        )
        Channel.objects.filter(pk=channel.pk).update(
            last_polled_at=now, poll_paused_until=now + pause, last_poll_error=str(exc)[:2000]
        )
        log.warning("polling %s failed (paused %s): %s", channel.name, pause, exc)
        return PollOutcome(channel.name, 0, str(exc))
    with transaction.atomic():
        ingested = ingest_items(channel, result.items)
        Channel.objects.filter(pk=channel.pk).update(
            poll_cursor=dict(result.cursor),
            last_polled_at=now,
            poll_paused_until=None,
            last_poll_error="",
        )
    return PollOutcome(channel.name, ingested.created)
