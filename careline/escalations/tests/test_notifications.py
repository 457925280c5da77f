"""Notifications: stored, delivered by e-mail or chat, every attempt recorded, retried."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
import respx
import time_machine
from django.core import mail

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.models import Notification, NotificationStatus, NotificationTarget
from careline.escalations.notify import MAX_ATTEMPTS, deliver_notification, sweep_notifications
from careline.escalations.services import evaluate_case
from careline.escalations.tests.conftest import WEBHOOK
from conftest import CALLBACK_URL, T0

pytestmark = pytest.mark.django_db

MakeCase = Callable[..., Conversation]


def mock_relay() -> None:
    """The customer's escalation notice goes out through the channel's relay."""
    respx.post(CALLBACK_URL).mock(return_value=httpx.Response(201, json={"id": "notice-1"}))


@pytest.fixture
def smoke_case(make_case: MakeCase, supervisor: User) -> Conversation:
    return make_case("There was smoke coming out of the charger, my card is 4111 1111 1111 1111")


@respx.mock
def test_a_chat_notification_posts_the_exact_slack_payload_and_records_the_attempt(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    route = respx.post(WEBHOOK).mock(return_value=httpx.Response(200, text="ok"))

    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")

    notification = Notification.objects.get()
    pk = smoke_case.pk
    link = f"http://127.0.0.1:8000/c/{pk}/"
    due = (T0 + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    excerpt = "There was smoke coming out of the charger, my card is [CARD]"
    assert json.loads(route.calls.last.request.content) == {
        "text": f"Case #{pk} escalated (urgent): Safety risk: {link}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Case #{pk} escalated (urgent): Safety risk*\n"
                    "Why: Safety risk: text mentions 'smoke'\n"
                    "Owner: sam (a supervisor: sam (0 open cases))\n"
                    f"Due: {due} UTC\n"
                    f"Latest message (shop-webhook): {excerpt}",
                },
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in careline>"}],
            },
        ],
    }
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == str(notification.idempotency_key)
    assert (notification.status, notification.attempt_count) == (NotificationStatus.SENT, 1)
    attempt = notification.attempts.get()
    assert (attempt.ok, attempt.status_code, attempt.error) == (True, 200, "")
    event = CaseEvent.objects.get(conversation=smoke_case, kind=EventKind.NOTIFIED)
    assert event.data["notification"] == notification.pk
    assert "4111" not in notification.text


def test_customer_text_cannot_mention_everyone_or_link_in_chat(
    make_case: MakeCase, supervisor: User, chat_supervisors: NotificationTarget
) -> None:
    case = make_case("smoke! <!channel> <https://evil.example|click> & more")

    evaluate_case(case.pk, trigger="inbound")

    from careline.escalations.notify import chat_payload

    section = chat_payload(Notification.objects.get())["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more" in section
    assert "<!channel>" not in section


def test_an_email_notification_lands_in_the_outbox_exactly(
    make_case: MakeCase,
    supervisor: User,
    email_legal: NotificationTarget,
    settings: object,
    django_capture_on_commit_callbacks,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.CARELINE_EMAIL_FROM = "careline <alerts@shop.test>"  # type: ignore[attr-defined]
    case = make_case("My solicitor will be in touch", severity=75)

    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(case.pk, trigger="inbound")

    (email,) = mail.outbox
    pk = case.pk
    due = (T0 + timedelta(minutes=240)).strftime("%Y-%m-%d %H:%M")
    assert email.subject == f"[careline] Case #{pk} escalated (high): Legal threat"
    assert email.from_email == "careline <alerts@shop.test>"
    assert email.to == ["legal@example.test"]
    assert email.body == (
        "Why: Legal threat: text mentions 'solicitor'; severity 75 ≥ 70\n"
        "Owner: sam (a supervisor: sam (0 open cases))\n"
        f"Due: {due} UTC\n"
        "Latest message (shop-webhook): My solicitor will be in touch\n\n"
        f"Open in careline: http://127.0.0.1:8000/c/{pk}/\n\n"
        "Why you get this: Legal threat: text mentions 'solicitor'; severity 75 ≥ 70"
    )
    notification = Notification.objects.get()
    assert email.extra_headers["X-Careline-Notification"] == str(notification.idempotency_key)
    assert notification.status == NotificationStatus.SENT


@respx.mock
def test_a_temporary_failure_is_retried_after_the_back_off(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    frozen: time_machine.Traveller,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    route = respx.post(WEBHOOK).mock(
        side_effect=[httpx.Response(503, text="busy"), httpx.Response(200, text="ok")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")
    notification = Notification.objects.get()
    assert (notification.status, notification.next_attempt_at) == (
        NotificationStatus.RETRYING,
        T0 + timedelta(seconds=30),
    )
    assert sweep_notifications() == 0  # not due yet

    frozen.shift(timedelta(seconds=30))
    assert sweep_notifications() == 1

    notification.refresh_from_db()
    assert (notification.status, notification.attempt_count, route.call_count) == (
        NotificationStatus.SENT,
        2,
        2,
    )
    assert [(a.ok, a.status_code, a.error) for a in notification.attempts.all()] == [
        (False, 503, "HTTP 503: busy"),
        (True, 200, ""),
    ]
    assert not CaseEvent.objects.filter(kind=EventKind.NOTIFICATION_FAILED).exists()


@respx.mock
def test_a_network_error_is_temporary(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    respx.post(WEBHOOK).mock(side_effect=httpx.ConnectError("refused"))

    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")

    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.RETRYING
    assert notification.last_error == "network error: refused"


@respx.mock
def test_a_permanent_failure_is_recorded_and_not_retried(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    frozen: time_machine.Traveller,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    route = respx.post(WEBHOOK).mock(return_value=httpx.Response(404, text="no_service"))

    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")
    frozen.shift(timedelta(hours=2))
    sweep_notifications()

    notification = Notification.objects.get()
    assert (notification.status, notification.attempt_count, route.call_count) == (
        NotificationStatus.FAILED,
        1,
        1,
    )
    attempt = notification.attempts.get()
    assert (attempt.ok, attempt.status_code, attempt.permanent) == (False, 404, True)
    event = CaseEvent.objects.get(conversation=smoke_case, kind=EventKind.NOTIFICATION_FAILED)
    assert event.reason == "chat to supervisors: permanent error: HTTP 404: no_service"


@respx.mock
def test_it_gives_up_after_the_last_attempt(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    frozen: time_machine.Traveller,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    respx.post(WEBHOOK).mock(return_value=httpx.Response(500, text="down"))
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")

    for _ in range(MAX_ATTEMPTS):
        frozen.shift(timedelta(hours=1))
        sweep_notifications()

    notification = Notification.objects.get()
    assert (notification.status, notification.attempt_count) == (
        NotificationStatus.FAILED,
        MAX_ATTEMPTS,
    )
    event = CaseEvent.objects.get(conversation=smoke_case, kind=EventKind.NOTIFICATION_FAILED)
    assert (
        event.reason
        == f"chat to supervisors: gave up after {MAX_ATTEMPTS} attempts: HTTP 500: down"
    )


@respx.mock
def test_delivering_twice_sends_once(
    smoke_case: Conversation,
    chat_supervisors: NotificationTarget,
    django_capture_on_commit_callbacks,
) -> None:
    mock_relay()
    route = respx.post(WEBHOOK).mock(return_value=httpx.Response(200, text="ok"))
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_case(smoke_case.pk, trigger="inbound")
    notification = Notification.objects.get()

    assert deliver_notification(notification.pk) == NotificationStatus.SENT

    assert route.call_count == 1
    assert notification.attempts.count() == 1


def test_the_webhook_url_is_encrypted_at_rest(chat_supervisors: NotificationTarget) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT config FROM escalations_notificationtarget WHERE id = %s", [chat_supervisors.pk]
        )
        (stored,) = cursor.fetchone()
    assert "chat.example.test" not in stored
    assert NotificationTarget.objects.get().webhook_url == WEBHOOK
