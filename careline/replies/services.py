"""The outbox: replies are stored first, then delivered by a task, every attempt recorded."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, open_if_new
from careline.connectors.base import ConnectorError, OutboundReply
from careline.connectors.registry import connector_for
from careline.inbox.models import Direction, Message, Visibility
from careline.replies.models import DeliveryAttempt, DeliveryStatus, OutboundMessage

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 10_000
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
STUCK_SENDING_AFTER = timedelta(minutes=5)


def queue_reply(
    conversation: Conversation, *, text: str, public: bool, actor: User
) -> OutboundMessage:
    """Store a reply and queue its delivery. Raises CaseActionError for an invalid reply."""
    body = text.strip()
    if not body:
        raise CaseActionError("a reply cannot be empty")
    if len(body) > MAX_REPLY_CHARS:
        raise CaseActionError(f"a reply is limited to {MAX_REPLY_CHARS} characters")
    if not conversation.is_open and conversation.status != "resolved":
        raise CaseActionError(f"the case is {conversation.status}; replies are closed")
    from careline.replies import tasks

    latest_inbound = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .select_related("author")
        .order_by("-created_at", "-id")
        .first()
    )
    if public:
        # Answer in public where the person spoke in public.
        target = (
            Message.objects.filter(
                conversation=conversation,
                direction=Direction.INBOUND,
                visibility=Visibility.PUBLIC,
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if target is None:
            raise CaseActionError("this case has no public post to answer in public")
    else:
        target = latest_inbound
    recipient = (
        latest_inbound.author.external_id if latest_inbound and latest_inbound.author else ""
    )
    with transaction.atomic():
        now = timezone.now()
        message = Message.objects.create(
            channel=target.channel if target else conversation.channel,
            conversation=conversation,
            sent_by=actor,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
            text=body,
            reply_to_external_id=target.external_id or "" if target else "",
            thread_root=target.thread_root if target else "",
            created_at=now,
            received_at=now,
        )
        outbound = OutboundMessage.objects.create(
            message=message,
            channel=message.channel,
            reply_to_external_id=message.reply_to_external_id,
            recipient_external_id=recipient,
            created_by=actor,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 1, last_message_at=now
        )
        CaseEvent.objects.create(
            conversation=conversation,
            kind=EventKind.REPLY_QUEUED,
            actor=actor,
            reason=f"{'public' if public else 'private'} reply queued",
            data={"outbound": outbound.pk},
            created_at=now,
        )
        open_if_new(conversation, actor=actor, reason="first reply sent")
        transaction.on_commit(lambda: tasks.deliver_outbound.enqueue(outbound.pk))
    return outbound


def _claim(outbound_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=DeliveryStatus.QUEUED) | Q(
        status=DeliveryStatus.RETRYING, next_attempt_at__lte=now
    )
    return bool(
        OutboundMessage.objects.filter(claimable, pk=outbound_id).update(
            status=DeliveryStatus.SENDING,
            attempt_count=F("attempt_count") + 1,
            next_attempt_at=now,
        )
    )


def deliver_outbound(outbound_id: int) -> str:
    """Try to deliver one reply. Safe to run twice: only a claimed row is sent.

    Returns the resulting status.
    """
    if not _claim(outbound_id):
        return OutboundMessage.objects.get(pk=outbound_id).status
    outbound = OutboundMessage.objects.select_related("message", "channel").get(pk=outbound_id)
    channel = outbound.channel
    attempt = DeliveryAttempt.objects.create(outbound=outbound)
    reply = OutboundReply(
        text=outbound.message.text,
        public=outbound.message.visibility == Visibility.PUBLIC,
        reply_to_external_id=outbound.reply_to_external_id,
        recipient_external_id=outbound.recipient_external_id,
        idempotency_key=str(outbound.idempotency_key),
    )
    try:
        connector = connector_for(
            channel.platform, credentials=channel.credentials, account_id=channel.external_id
        )
        result = connector.send(reply, timeout=settings.CARELINE_OUTBOUND_TIMEOUT)
    except ConnectorError as exc:
        return _record_failure(outbound, attempt, exc)
    with transaction.atomic():
        now = timezone.now()
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, ok=True, status_code=result.status_code
        )
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            status=DeliveryStatus.SENT, sent_at=now, last_error=""
        )
        Message.objects.filter(pk=outbound.message_id).update(external_id=result.external_id)
        CaseEvent.objects.create(
            conversation_id=outbound.message.conversation_id,
            kind=EventKind.REPLY_SENT,
            reason=f"delivered to {channel.name} (HTTP {result.status_code})",
            data={"outbound": outbound.pk, "external_id": result.external_id},
            created_at=now,
        )
    return DeliveryStatus.SENT


def _record_failure(
    outbound: OutboundMessage, attempt: DeliveryAttempt, exc: ConnectorError
) -> str:
    now = timezone.now()
    gave_up = exc.permanent or outbound.attempt_count >= MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if gave_up else DeliveryStatus.RETRYING
    delay = exc.retry_after
    if delay is None:
        delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (outbound.attempt_count - 1))
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now,
            ok=False,
            status_code=exc.status_code,
            error=str(exc)[:2000],
            permanent=exc.permanent,
        )
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            status=status,
            last_error=str(exc)[:2000],
            next_attempt_at=None if gave_up else now + timedelta(seconds=delay),
        )
        if gave_up:
            why = "permanent error" if exc.permanent else f"gave up after {MAX_ATTEMPTS} attempts"
            CaseEvent.objects.create(
                conversation_id=outbound.message.conversation_id,
                kind=EventKind.REPLY_FAILED,
                reason=f"{why}: {exc}"[:2000],
                data={"outbound": outbound.pk, "status_code": exc.status_code},
                created_at=now,
            )
    log.warning("delivery of outbound %s failed (%s): %s", outbound.pk, status, exc)
    return status


def sweep_outbox() -> int:
    """Queue due retries and deliveries a dead worker left behind. Returns how many."""
    from careline.replies import tasks

    now = timezone.now()
    stuck = OutboundMessage.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__lte=now - STUCK_SENDING_AFTER
    )
    # A worker that died mid-send: the idempotency key lets the platform drop a double.
    stuck.update(status=DeliveryStatus.RETRYING, next_attempt_at=now)
    due = list(
        OutboundMessage.objects.filter(
            Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.QUEUED, created_at__lte=now - timedelta(seconds=60))
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        tasks.deliver_outbound.enqueue(pk)
    return len(due)
