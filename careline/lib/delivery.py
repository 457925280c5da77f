"""What every recorded outbound delivery shares (replies and moderation in the outbox,
notifications): claiming a row for one sender at a time, and the back-off between attempts."""

from __future__ import annotations

from django.db.models import F, Model, Q
from django.utils import timezone

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def backoff_seconds(attempt_count: int, retry_after: float | None = None) -> float:
    """Wait before the next attempt: the platform's Retry-After when it gave one, else
    30 s doubling per attempt, at most an hour."""
    if retry_after is not None:
        return retry_after
    return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt_count - 1))


def claim_for_sending(
    model: type[Model], pk: int, *, queued: str, retrying: str, sending: str
) -> bool:
    """Mark row ``pk`` as being sent if it is queued, or waiting to retry and due; True when
    this caller got it. One atomic UPDATE, so two workers never send the same row."""
    now = timezone.now()
    claimable = Q(status=queued) | Q(status=retrying, next_attempt_at__lte=now)
    return bool(
        model._default_manager.filter(claimable, pk=pk).update(
            status=sending, attempt_count=F("attempt_count") + 1, next_attempt_at=now
        )
    )
