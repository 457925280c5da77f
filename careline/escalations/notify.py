"""Notifications to the team: e-mail (Django's e-mail backend) and a Slack-compatible chat
webhook (through ``careline.lib.http``). Stored first, delivered by a task, every attempt
recorded, temporary failures retried with back-off, like the reply outbox.

Texts are built by the caller from redacted text only: a notification never carries a
customer's private data.
"""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.models import (
    Crisis,
    Notification,
    NotificationAttempt,
    NotificationStatus,
    NotificationTarget,
    NotifyChannel,
)
from careline.lib import http
from careline.lib.delivery import backoff_seconds, claim_for_sending

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STUCK_SENDING_AFTER = timedelta(minutes=5)
QUEUED_LOST_AFTER = timedelta(minutes=2)
MAX_SWEEP = 200


class NotifyError(Exception):
    """A failed delivery. ``permanent``: retrying cannot help (bad address, 404 webhook)."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status_code = status_code
        self.retry_after = retry_after


def queue_notification(
    *,
    kind: str,
    target_name: str,
    channel: str,
    subject: str,
    text: str,
    reason: str,
    dedupe_key: str,
    link: str = "",
    conversation: Conversation | None = None,
    crisis: Crisis | None = None,
) -> Notification:
    """Store a notification and queue its delivery after commit. Idempotent on
    ``dedupe_key``: the same key again returns the stored one and sends nothing.

    A target that is not configured (or switched off) is recorded as failed at once, with a
    NOTIFICATION_FAILED case event, so a missing set-up is visible rather than silent.
    """
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    target = NotificationTarget.objects.filter(
        name=target_name, channel=channel, enabled=True
    ).first()
    missing = target is None or not (target.emails if channel == "email" else target.webhook_url)
    now = timezone.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                conversation=conversation,
                crisis=crisis,
                target=target,
                target_name=target_name,
                channel=channel,
                subject=subject[:200],
                text=text,
                link=link[:500],
                reason=reason,
                dedupe_key=dedupe_key[:200],
                status=NotificationStatus.FAILED if missing else NotificationStatus.QUEUED,
                last_error=(
                    f"no {NotifyChannel(channel).label.lower()} target named '{target_name}' "
                    "is set up" + (" and switched on" if target is None else " with an address")
                )
                if missing
                else "",
                created_at=now,
            )
            if missing and conversation is not None:
                _case_event(notification, EventKind.NOTIFICATION_FAILED, notification.last_error)
    except IntegrityError:
        # Created concurrently by another worker: that one is the notification.
        return Notification.objects.get(dedupe_key=dedupe_key)
    if not missing:
        from careline.escalations import tasks

        transaction.on_commit(lambda: tasks.deliver_notification.enqueue(notification.pk))
    return notification


def _case_event(notification: Notification, kind: str, reason: str) -> None:
    if notification.conversation_id is None:
        return
    CaseEvent.objects.create(
        conversation_id=notification.conversation_id,
        kind=kind,
        reason=f"{notification.channel} to {notification.target_name}: {reason}"[:2000],
        data={
            "notification": notification.pk,
            "channel": notification.channel,
            "to": notification.target_name,
            "kind": notification.kind,
        },
    )


# -- payloads --------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    # Slack's control characters: customer text must not become a mention or a link.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_payload(notification: Notification) -> dict[str, Any]:
    """The Slack-compatible body: ``text`` for clients without blocks, and ``blocks``."""
    subject = _slack_escape(notification.subject)
    text = _slack_escape(notification.text)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{subject}*\n{text}"}}
    ]
    if notification.link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{notification.link}|Open in careline>"}],
            }
        )
    fallback = f"{notification.subject}: {notification.link}" if notification.link else subject
    return {"text": fallback, "blocks": blocks}


def email_message(notification: Notification, recipients: list[str]) -> EmailMessage:
    body = notification.text
    if notification.link:
        body += f"\n\nOpen in careline: {notification.link}"
    body += f"\n\nWhy you get this: {notification.reason}" if notification.reason else ""
    return EmailMessage(
        subject=f"[careline] {notification.subject}",
        body=body,
        from_email=settings.CARELINE_EMAIL_FROM,
        to=recipients,
        headers={"X-Careline-Notification": str(notification.idempotency_key)},
    )


# -- delivery --------------------------------------------------------------------------------


def _send_chat(notification: Notification, url: str) -> int:
    body = json.dumps(chat_payload(notification), ensure_ascii=False).encode()
    try:
        response = http.request(
            "POST",
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": str(notification.idempotency_key),
            },
            timeout=settings.CARELINE_OUTBOUND_TIMEOUT,
        )
    except httpx.TimeoutException as exc:
        raise NotifyError(f"timed out: {exc}") from exc
    except httpx.TransportError as exc:
        raise NotifyError(f"network error: {exc}") from exc
    code = response.status_code
    if 200 <= code < 300:
        return code
    detail = response.text[:200]
    if code == 429 or code >= 500:
        retry_after = response.headers.get("Retry-After", "")
        raise NotifyError(
            f"HTTP {code}: {detail}",
            status_code=code,
            retry_after=float(retry_after) if retry_after.isdigit() else None,
        )
    raise NotifyError(f"HTTP {code}: {detail}", permanent=True, status_code=code)


def _send_email(notification: Notification, recipients: list[str]) -> None:
    try:
        email_message(notification, recipients).send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise NotifyError(f"refused by the mail server: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(f"mail server error: {exc}") from exc


def _claim(notification_id: int) -> bool:
    return claim_for_sending(
        Notification,
        notification_id,
        queued=NotificationStatus.QUEUED,
        retrying=NotificationStatus.RETRYING,
        sending=NotificationStatus.SENDING,
    )


def deliver_notification(notification_id: int) -> str:
    """Try to deliver one notification. Safe to run twice: only a claimed row is sent.
    Returns the resulting status."""
    if not _claim(notification_id):
        return Notification.objects.get(pk=notification_id).status
    notification = Notification.objects.select_related("target").get(pk=notification_id)
    attempt = NotificationAttempt.objects.create(notification=notification)
    target = notification.target
    try:
        if target is None or not target.enabled:
            raise NotifyError(f"the target '{notification.target_name}' was removed", True)
        if notification.channel == NotifyChannel.CHAT:
            code: int | None = _send_chat(notification, target.webhook_url)
        else:
            _send_email(notification, target.emails)
            code = None
    except NotifyError as exc:
        return _record_failure(notification, attempt, exc)
    with transaction.atomic():
        now = timezone.now()
        NotificationAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, ok=True, status_code=code
        )
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.SENT, sent_at=now, last_error="", next_attempt_at=None
        )
        how = f"HTTP {code}" if code is not None else f"{len(target.emails)} address(es)"
        _case_event(notification, EventKind.NOTIFIED, f"{notification.subject} (delivered, {how})")
    return NotificationStatus.SENT


def _record_failure(
    notification: Notification, attempt: NotificationAttempt, exc: NotifyError
) -> str:
    now = timezone.now()
    gave_up = exc.permanent or notification.attempt_count >= MAX_ATTEMPTS
    delay = backoff_seconds(notification.attempt_count, exc.retry_after)
    status = NotificationStatus.FAILED if gave_up else NotificationStatus.RETRYING
    with transaction.atomic():
        NotificationAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now,
            ok=False,
            status_code=exc.status_code,
            error=str(exc)[:2000],
            permanent=exc.permanent,
        )
        Notification.objects.filter(pk=notification.pk).update(
            status=status,
            last_error=str(exc)[:2000],
            next_attempt_at=None if gave_up else now + timedelta(seconds=delay),
        )
        if gave_up:
            why = "permanent error" if exc.permanent else f"gave up after {MAX_ATTEMPTS} attempts"
            _case_event(notification, EventKind.NOTIFICATION_FAILED, f"{why}: {exc}")
    log.warning("notification %s failed (%s): %s", notification.pk, status, exc)
    return status


def sweep_notifications(*, now: datetime | None = None) -> int:
    """Queue due retries, and deliveries a dead worker left behind. Returns how many."""
    from careline.escalations import tasks

    now = now or timezone.now()
    Notification.objects.filter(
        status=NotificationStatus.SENDING, next_attempt_at__lte=now - STUCK_SENDING_AFTER
    ).update(status=NotificationStatus.RETRYING)
    due = list(
        Notification.objects.filter(
            Q(status=NotificationStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=NotificationStatus.QUEUED, created_at__lte=now - QUEUED_LOST_AFTER)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:MAX_SWEEP]
    )
    for pk in due:
        tasks.deliver_notification.enqueue(pk)
    return len(due)
