"""Helpers for the end-to-end tests: channels pointing at the fake platform, injecting items
through its control API, and looking up what careline stored.

Webhook platforms go the whole way: the fake POSTs a signed delivery to the live server, whose
task backend (immediate, from the root conftest) stores the items before it answers. Replies go
through ``queue_reply``; its delivery task runs on commit, so when it returns the fake has
recorded the platform call.
"""

from __future__ import annotations

from typing import Any

import httpx

from careline.cases.models import Conversation
from careline.fakeplatform import FakePlatform
from careline.inbox.channels import add_channel
from careline.inbox.models import Channel, Message
from careline.replies.models import OutboundMessage


def connect(fake: FakePlatform, platform: str) -> Channel:
    """A careline channel named fake-<platform> with the fake's credentials."""
    setup = add_channel(
        platform=platform,
        name=f"fake-{platform}",
        credentials=fake.credentials(platform),
        display_name=f"fake {platform}",
    )
    return setup.channel


def inject(fake: FakePlatform, platform: str, **item: Any) -> dict[str, Any]:
    """``POST /_fake/inbound/<platform>`` — the control API, over HTTP like the demo uses it."""
    response = httpx.post(f"{fake.base_url}/_fake/inbound/{platform}", json=item, timeout=30)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def case_of(channel: Channel, external_id: str) -> Conversation:
    return (
        Message.objects.select_related("conversation")
        .get(channel=channel, external_id=external_id)
        .conversation
    )


def outbound_of(outbound: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.select_related("message").get(pk=outbound.pk)
