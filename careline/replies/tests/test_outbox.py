from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.connectors.generic.connector import sign
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies.models import DeliveryStatus, OutboundMessage
from careline.replies.services import MAX_ATTEMPTS, deliver_outbound, queue_reply, sweep_outbox
from conftest import CALLBACK_URL, GENERIC_SECRET, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(generic_channel: Channel) -> Conversation:
    ingest_items(generic_channel, [item("p1", author="cust", text="Parcel late")])
    return Conversation.objects.get()


@respx.mock
def test_a_reply_is_signed_delivered_and_recorded(
    case: Conversation, agent: User, django_capture_on_commit_callbacks
) -> None:
    route = respx.post(CALLBACK_URL).mock(return_value=httpx.Response(201, json={"id": "ext-7"}))

    with django_capture_on_commit_callbacks(execute=True):
        outbound = queue_reply(case, text="Sorry! Checking now.", public=True, actor=agent)

    request = route.calls.last.request
    body = json.loads(request.content)
    assert body == {
        "idempotency_key": str(outbound.idempotency_key),
        "in_reply_to": "p1",
        "recipient": "cust",
        "public": True,
        "text": "Sorry! Checking now.",
    }
    assert request.headers["X-Careline-Signature"] == sign(GENERIC_SECRET, request.content)
    assert request.headers["Idempotency-Key"] == str(outbound.idempotency_key)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempt_count) == (DeliveryStatus.SENT, 1)
    assert outbound.message.external_id == "ext-7"
    attempt = outbound.attempts.get()
    assert (attempt.ok, attempt.status_code) == (True, 201)
    case.refresh_from_db()
    assert case.status == "open"
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.REPLY_QUEUED,
        EventKind.STATUS_CHANGED,
        EventKind.REPLY_SENT,
    ]


@respx.mock
def test_a_temporary_failure_is_retried_after_backoff_without_a_new_key(
    case: Conversation, agent: User
) -> None:
    route = respx.post(CALLBACK_URL).mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.Response(429, headers={"Retry-After": "120"}),
            httpx.Response(200, json={"id": "ext-9"}),
        ]
    )
    outbound = queue_reply(case, text="On it", public=False, actor=agent)

    assert deliver_outbound(outbound.pk) == DeliveryStatus.RETRYING
    # Not due yet: a sweep now sends nothing.
    assert sweep_outbox() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
        assert deliver_outbound(outbound.pk) == DeliveryStatus.RETRYING
    outbound.refresh_from_db()
    assert outbound.last_error.startswith("callback answered HTTP 429")
    with time_machine.travel(timezone.now() + timedelta(seconds=200), tick=False):
        assert deliver_outbound(outbound.pk) == DeliveryStatus.SENT

    keys = {call.request.headers["Idempotency-Key"] for call in route.calls}
    assert keys == {str(outbound.idempotency_key)}
    outbound.refresh_from_db()
    assert [(a.ok, a.status_code) for a in outbound.attempts.all()] == [
        (False, None),
        (False, 429),
        (True, 200),
    ]


@respx.mock
def test_a_permanent_failure_stops_and_is_recorded_on_the_case(
    case: Conversation, agent: User
) -> None:
    respx.post(CALLBACK_URL).mock(return_value=httpx.Response(400, text="unknown recipient"))
    outbound = queue_reply(case, text="Hello", public=True, actor=agent)

    assert deliver_outbound(outbound.pk) == DeliveryStatus.FAILED

    event = case.events.get(kind=EventKind.REPLY_FAILED)
    assert event.reason == "permanent error: callback answered HTTP 400: unknown recipient"
    assert deliver_outbound(outbound.pk) == DeliveryStatus.FAILED  # nothing claimed, no new call
    assert outbound.attempts.count() == 1


@respx.mock
def test_delivery_gives_up_after_the_last_attempt(case: Conversation, agent: User) -> None:
    respx.post(CALLBACK_URL).mock(return_value=httpx.Response(503))
    outbound = queue_reply(case, text="Hello", public=True, actor=agent)
    OutboundMessage.objects.filter(pk=outbound.pk).update(attempt_count=MAX_ATTEMPTS - 1)

    assert deliver_outbound(outbound.pk) == DeliveryStatus.FAILED
    assert case.events.get(kind=EventKind.REPLY_FAILED).reason.startswith(
        f"gave up after {MAX_ATTEMPTS} attempts"
    )


def test_a_sent_reply_is_never_sent_again(case: Conversation, agent: User) -> None:
    outbound = queue_reply(case, text="Hello", public=True, actor=agent)
    OutboundMessage.objects.filter(pk=outbound.pk).update(status=DeliveryStatus.SENT)

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CALLBACK_URL)
        assert deliver_outbound(outbound.pk) == DeliveryStatus.SENT
    assert route.call_count == 0


@respx.mock
def test_a_delivery_left_sending_by_a_dead_worker_is_swept_again(
    case: Conversation, agent: User
) -> None:
    respx.post(CALLBACK_URL).mock(return_value=httpx.Response(200, json={"id": "x1"}))
    outbound = queue_reply(case, text="Hello", public=True, actor=agent)
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        status=DeliveryStatus.SENDING, next_attempt_at=timezone.now() - timedelta(minutes=10)
    )

    assert sweep_outbox() == 1

    outbound.refresh_from_db()
    assert outbound.status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("text", "public", "reason"),
    [
        ("   ", True, "a reply cannot be empty"),
        ("x" * 10_001, True, "a reply is limited to 10000 characters"),
    ],
)
def test_an_invalid_reply_is_refused_and_nothing_is_stored(
    case: Conversation, agent: User, text: str, public: bool, reason: str
) -> None:
    with pytest.raises(CaseActionError, match=reason):
        queue_reply(case, text=text, public=public, actor=agent)

    assert OutboundMessage.objects.count() == 0
    assert Message.objects.count() == 1


def test_a_public_reply_needs_a_public_post(generic_channel: Channel, agent: User) -> None:
    ingest_items(generic_channel, [item("d1", public=False)])
    case = Conversation.objects.get()

    with pytest.raises(CaseActionError, match="no public post to answer in public"):
        queue_reply(case, text="hi", public=True, actor=agent)


def test_a_closed_case_takes_no_reply(case: Conversation, agent: User) -> None:
    Conversation.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()

    with pytest.raises(CaseActionError, match="the case is closed; replies are closed"):
        queue_reply(case, text="hi", public=True, actor=agent)


@respx.mock
def test_a_rate_limit_pauses_every_reply_on_the_channel(
    case: Conversation, agent: User, generic_channel: Channel
) -> None:
    route = respx.post(CALLBACK_URL).mock(
        return_value=httpx.Response(429, headers={"Retry-After": "300"})
    )
    first = queue_reply(case, text="One", public=True, actor=agent)
    second = queue_reply(case, text="Two", public=True, actor=agent)

    assert deliver_outbound(first.pk) == DeliveryStatus.RETRYING
    assert deliver_outbound(second.pk) == DeliveryStatus.RETRYING

    assert route.call_count == 1
    second.refresh_from_db()
    generic_channel.refresh_from_db()
    assert (second.attempt_count, second.attempts.count()) == (0, 0)
    paused_until = generic_channel.send_paused_until
    assert paused_until is not None
    assert second.next_attempt_at == paused_until
    assert paused_until > timezone.now() + timedelta(seconds=290)
