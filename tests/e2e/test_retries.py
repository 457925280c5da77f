"""Retries against the fake platform: a rate limit honoured, and a reply whose answer was lost
in a timeout is not posted twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
import time_machine

from careline.accounts.models import User
from careline.fakeplatform import FakePlatform
from careline.fakeplatform.mastodon import MastodonService
from careline.inbox.models import Channel
from careline.ingestion.polling import poll_channel
from careline.replies.models import DeliveryStatus, OutboundMessage
from careline.replies.services import deliver_outbound, queue_reply
from tests.e2e.support import case_of, connect, inject, outbound_of

pytestmark = pytest.mark.django_db(transaction=True)

STATUSES = "/mastodon/api/v1/statuses"
BRAND_STATUSES = "/mastodon/api/v1/accounts/109000000000000001/statuses"


def retry_when_due(outbound: OutboundMessage) -> str:
    """Run the next attempt once its back-off has passed."""
    due = OutboundMessage.objects.get(pk=outbound.pk).next_attempt_at
    assert due is not None
    with time_machine.travel(due + timedelta(seconds=1), tick=True):
        return deliver_outbound(outbound.pk)


def test_a_rate_limited_reply_waits_for_the_reset_then_posts_once(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "x")
    tweet = inject(
        fake, "x", author_id="2244994945", handle="janedoe", text="@larkspurhome where is my order?"
    )["ids"]["tweet_id"]
    fake.fail("/x/2/tweets", method="POST", mode="rate_limit", count=1, retry_after=120)

    outbound = queue_reply(case_of(channel, tweet), text="Checking now!", public=True, actor=agent)

    first = outbound_of(outbound)
    attempt = first.attempts.get()
    assert (first.status, attempt.status_code, attempt.permanent) == (
        DeliveryStatus.RETRYING,
        429,
        False,
    )
    assert first.next_attempt_at is not None
    # x-rate-limit-reset is 120 s ahead; careline waits until then plus 1 s.
    wait = (first.next_attempt_at - attempt.started_at).total_seconds()
    assert 119 <= wait <= 122

    assert retry_when_due(outbound) == DeliveryStatus.SENT

    calls = fake.writes(path="/x/2/tweets")
    assert [c["status"] for c in calls] == [429, 201]
    assert (
        calls[0]["body"]
        == calls[1]["body"]
        == {
            "text": "Checking now!",
            "reply": {"in_reply_to_tweet_id": tweet},
        }
    )
    assert outbound_of(outbound).message.external_id == calls[1]["response"]["data"]["id"]


@pytest.fixture
def mastodon_case(fake: FakePlatform, settings: Any) -> Channel:
    # A short client timeout, so the fake's held-back answer times out quickly.
    settings.CARELINE_OUTBOUND_TIMEOUT = 1.0
    channel = connect(fake, "mastodon")
    inject(
        fake,
        "mastodon",
        id="113000000000000001",
        handle="jane@example.social",
        text="@larkspurhome my order?",
    )
    assert poll_channel(channel.pk).created == 1
    return channel


def test_a_mastodon_reply_that_timed_out_is_found_on_the_platform_not_posted_again(
    fake: FakePlatform, mastodon_case: Channel, agent: User
) -> None:
    # The status is posted, but its answer comes after careline stopped waiting.
    fake.fail(STATUSES, method="POST", mode="timeout", delay=30)

    outbound = queue_reply(
        case_of(mastodon_case, "113000000000000001"), text="On its way!", public=True, actor=agent
    )

    first = outbound_of(outbound)
    assert (first.status, first.attempts.get().status_code) == (DeliveryStatus.RETRYING, None)

    assert retry_when_due(outbound) == DeliveryStatus.SENT

    posts = fake.writes(path=STATUSES)
    assert len(posts) == 1
    assert [r["endpoint"] for r in fake.requests(path=BRAND_STATUSES)] == [
        "GET /api/v1/accounts/:id/statuses"
    ]
    assert outbound_of(outbound).message.external_id == posts[0]["response"]["id"]


def test_a_mastodon_reply_sent_again_after_a_timeout_reuses_its_idempotency_key(
    fake: FakePlatform, mastodon_case: Channel, agent: User
) -> None:
    fake.fail(STATUSES, method="POST", mode="timeout", delay=30)
    # …and the look-up for the lost post fails too, so careline has to send again.
    fake.fail(BRAND_STATUSES, method="GET", mode="error", status=503)

    outbound = queue_reply(
        case_of(mastodon_case, "113000000000000001"), text="On its way!", public=True, actor=agent
    )
    assert retry_when_due(outbound) == DeliveryStatus.RETRYING  # the look-up's 503
    assert retry_when_due(outbound) == DeliveryStatus.SENT

    posts = fake.writes(path=STATUSES)
    key = str(outbound.idempotency_key)
    assert [p["headers"]["idempotency-key"] for p in posts] == [key, key]
    assert posts[0]["response"]["id"] == posts[1]["response"]["id"]
    assert posts[1]["note"] == (
        f"Idempotency-Key seen before: status {posts[0]['response']['id']} again, no post"
    )
    mastodon = cast(MastodonService, fake.service_for("mastodon"))
    brand = mastodon.accounts["109000000000000001"]
    assert brand["statuses_count"] == 1
    stored = outbound_of(outbound)
    assert [a.status_code for a in stored.attempts.order_by("id")] == [None, 503, 200]
    assert stored.message.external_id == posts[0]["response"]["id"]
