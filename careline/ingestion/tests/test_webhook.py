from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from careline.connectors.generic.connector import sign
from careline.inbox.models import Channel, Message
from careline.ingestion.models import EventStatus, InboundEvent
from careline.ingestion.services import process_inbound_event, sweep_inbound_events
from conftest import GENERIC_SECRET

pytestmark = pytest.mark.django_db

URL = "/hooks/generic/shop-webhook"


def payload(**overrides: object) -> bytes:
    record = {
        "id": "ext-1",
        "author": {"id": "u-9", "handle": "@jane", "name": "Jane Doe"},
        "text": "My order #1234 hasn't arrived",
        "created_at": "2026-11-02T09:00:00Z",
        "public": True,
    }
    record.update(overrides)
    return json.dumps(record).encode()


class Poster:
    """Posts to the webhook and, as a real commit would, runs the after-commit enqueue.

    (Tests run inside a transaction that never commits.)
    """

    def __init__(self, client: Client, capture: Any) -> None:
        self.client, self.capture = client, capture

    def __call__(self, body: bytes, signature: str | None = None) -> Any:
        sig = sign(GENERIC_SECRET, body) if signature is None else signature
        with self.capture(execute=True):
            return self.client.post(
                URL,
                data=body,
                content_type="application/json",
                headers={"X-Careline-Signature": sig},
            )


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks: Any) -> Poster:
    return Poster(client, django_capture_on_commit_callbacks)


def test_a_signed_delivery_is_stored_answered_202_and_processed(
    post: Poster, generic_channel: Channel
) -> None:
    response = post(payload())

    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert event.payload == payload().decode()
    assert event.status == EventStatus.DONE  # the immediate backend ran the task
    message = Message.objects.get()
    assert (message.external_id, message.text, message.author.handle) == (
        "ext-1",
        "My order #1234 hasn't arrived",
        "@jane",
    )


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", sign("wrong-secret", b"x"), "sha256=zz"],
)
def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    post: Poster, generic_channel: Channel, signature: str
) -> None:
    response = post(payload(), signature=signature)

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_signature_over_other_bytes_is_refused(post: Poster, generic_channel: Channel) -> None:
    # Same JSON, re-serialised: the signature is over the raw body, byte for byte.
    body = payload()
    response = post(
        json.dumps(json.loads(body), indent=1).encode(),
        signature=sign(GENERIC_SECRET, body),
    )

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_an_unknown_channel_answers_like_a_bad_signature(post: Poster, db: None) -> None:
    response = post(payload())

    assert (response.status_code, response.json()) == (403, {"error": "invalid signature"})


def test_a_redelivery_adds_nothing(post: Poster, generic_channel: Channel) -> None:
    post(payload())

    again = post(payload())

    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_same_item_in_a_different_delivery_is_not_duplicated(
    post: Poster, generic_channel: Channel
) -> None:
    post(payload())
    post(json.dumps({"items": [json.loads(payload())]}).encode())

    assert InboundEvent.objects.count() == 2
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (payload(text=""), "item 0: missing text"),
        (payload(created_at="yesterday"), "item 0: created_at 'yesterday' is not an ISO 8601 time"),
        (payload(created_at="2026-11-02T09:00:00"), "item 0: created_at has no time zone"),
        (payload(author="jane"), "item 0: author must be an object"),
        (payload(text="x" * 20_001), "item 0: text is too long (20001 characters, limit 20000)"),
        (b'{"items": []}', "the delivery holds no item"),
    ],
)
def test_a_malformed_signed_delivery_gets_a_clear_error_and_nothing_is_stored(
    post: Poster, generic_channel: Channel, body: bytes, reason: str
) -> None:
    response = post(body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(reason)
    assert InboundEvent.objects.count() == 0


def test_an_oversized_body_is_refused(post: Poster, generic_channel: Channel, settings) -> None:
    settings.CARELINE_MAX_WEBHOOK_BYTES = 100

    response = post(payload(text="y" * 200))

    assert response.status_code == 413
    assert InboundEvent.objects.count() == 0


def test_the_sweeper_processes_events_no_task_finished(generic_channel: Channel) -> None:
    event = InboundEvent.objects.create(
        channel=generic_channel,
        source="webhook",
        dedupe_key="k1",
        payload=payload().decode(),
        received_at=timezone.now() - timedelta(minutes=5),
    )

    queued = sweep_inbound_events()

    assert queued == 1
    event.refresh_from_db()
    assert event.status == EventStatus.DONE
    assert Message.objects.get().external_id == "ext-1"
    assert sweep_inbound_events() == 0


def test_processing_an_event_twice_is_harmless(generic_channel: Channel) -> None:
    event = InboundEvent.objects.create(
        channel=generic_channel, source="webhook", dedupe_key="k1", payload=payload().decode()
    )

    first = process_inbound_event(event.pk)
    second = process_inbound_event(event.pk)

    assert first is not None
    assert first.created == 1
    assert second is None
    assert Message.objects.count() == 1
