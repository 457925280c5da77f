from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
import respx

from careline.inbox.models import Channel, Message
from careline.ingestion.streaming import listen_to, streaming_channels

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "x" / "fixtures"
API = "https://api.x.test/2"


@pytest.fixture
def listening_x(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-x",
        platform="x",
        external_id="1111111111",
        credentials={
            "user_id": "1111111111",
            "bearer_token": "app",
            "api_base": API,
            "keywords": ["acme"],
        },
    )


@respx.mock
def test_keyword_matches_arrive_as_indirect_items_and_mentions_as_direct(
    listening_x: Channel,
) -> None:
    lines = b"\n".join(
        [
            (FIXTURES / "stream_keyword.json").read_bytes().strip(),
            b"",  # keep-alive
            (FIXTURES / "stream_addressed.json").read_bytes().strip(),
        ]
    )
    rules = respx.get(f"{API}/tweets/search/stream/rules").mock(
        return_value=httpx.Response(200, json={"meta": {"result_count": 0}})
    )
    added = respx.post(f"{API}/tweets/search/stream/rules").mock(
        return_value=httpx.Response(
            201,
            json={
                "data": [{"id": "1", "value": "acme", "tag": "careline"}],
                "meta": {"summary": {"created": 1}},
            },
        )
    )
    respx.get(f"{API}/tweets/search/stream").mock(
        side_effect=[httpx.Response(200, content=lines), httpx.Response(503)]
    )
    stop = threading.Event()
    waits: list[float] = []

    def sleep(seconds: float) -> bool:
        waits.append(seconds)
        return True  # stop after the first reconnect delay

    listen_to(listening_x.pk, stop=stop, sleep=sleep)

    stored = dict(Message.objects.values_list("external_id", "indirect"))
    assert stored == {"1800000000000000041": True, "1800000000000000040": False}
    assert waits == [5.0]
    assert rules.call_count == 2  # synced before each connection
    assert json.loads(added.calls[0].request.content) == {
        "add": [{"value": "acme", "tag": "careline"}]
    }


def test_only_channels_with_keywords_or_mastodon_streaming_listen(listening_x: Channel) -> None:
    Channel.objects.create(name="plain-x", platform="x", credentials={"user_id": "2"})
    toots = Channel.objects.create(name="toots", platform="mastodon", credentials={"stream": True})

    assert {c.pk for c in streaming_channels()} == {listening_x.pk, toots.pk}
