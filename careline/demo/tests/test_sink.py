from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from careline.connectors.generic.connector import sign
from careline.inbox.models import Channel
from conftest import GENERIC_SECRET

pytestmark = pytest.mark.django_db

BODY = b'{"text": "hello"}'


def send(client: Client, signature: str, key: str = "k-1") -> Any:
    return client.post(
        "/demo/sink",
        data=BODY,
        content_type="application/json",
        headers={"X-Careline-Signature": signature, "Idempotency-Key": key},
    )


def test_the_sink_is_off_unless_the_demo_turns_it_on(
    client: Client, generic_channel: Channel
) -> None:
    assert send(client, sign(GENERIC_SECRET, BODY)).status_code == 404


def test_the_sink_accepts_a_signed_reply_once_per_key(
    client: Client, generic_channel: Channel, settings
) -> None:
    settings.CARELINE_DEMO_SINK = True

    first = send(client, sign(GENERIC_SECRET, BODY))
    again = send(client, sign(GENERIC_SECRET, BODY))

    assert first.status_code == 201
    assert first.json()["id"].startswith("sink-")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_the_sink_refuses_a_forged_reply(
    client: Client, generic_channel: Channel, settings
) -> None:
    settings.CARELINE_DEMO_SINK = True

    assert send(client, sign("not-the-secret", BODY)).status_code == 403
