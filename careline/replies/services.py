"""The outbox: replies are stored first, then delivered by a task, every attempt recorded."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from careline.accounts.models import User
from careline.cases import hooks as cases_hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, open_if_new
from careline.connectors.base import (
    Action,
    Connector,
    ConnectorError,
    OutboundReply,
    ReplyMode,
    RuleViolation,
)
from careline.connectors.registry import connector_for
from careline.inbox.channels import remember_session
from careline.inbox.models import Channel, Direction, Message, Visibility
from careline.lib.delivery import backoff_seconds, claim_for_sending
from careline.replies.models import (
    DeliveryAttempt,
    DeliveryStatus,
    OutboundAction,
    OutboundMessage,
)

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 10_000
MAX_ATTEMPTS = 8
STUCK_SENDING_AFTER = timedelta(minutes=5)


def queue_reply(
    conversation: Conversation, *, text: str, public: bool, actor: User | None
) -> OutboundMessage:
    """Store a reply and queue its delivery. ``actor`` None: careline itself sends it (an
    escalation notice, a survey link), which does not count as the team's answer.

    Raises CaseActionError for an invalid reply, including one the platform would refuse
    (a closed messaging window, a second private reply to a comment, too long): the agent
    learns it now, not from a failed delivery later.
    """
    body = text.strip()
    if not body:
        raise CaseActionError("a reply cannot be empty")
    if len(body) > MAX_REPLY_CHARS:
        raise CaseActionError(f"a reply is limited to {MAX_REPLY_CHARS} characters")
    if not conversation.is_open and conversation.status != "resolved":
        raise CaseActionError(f"the case is {conversation.status}; replies are closed")
    from careline.replies import tasks

    inbound = Message.objects.filter(
        conversation=conversation, direction=Direction.INBOUND
    ).select_related("author", "channel")
    latest = inbound.order_by("-created_at", "-id").first()
    if public:
        # Answer in public where the person spoke in public.
        target = inbound.filter(visibility=Visibility.PUBLIC).order_by("-created_at", "-id").first()
        if target is None:
            raise CaseActionError("this case has no public post to answer in public")
        mode = ReplyMode.PUBLIC_REPLY
    else:
        target = latest
        # Privately after a public comment: the platform's one private reply to that comment.
        public_target = target is not None and target.visibility == Visibility.PUBLIC
        mode = ReplyMode.PRIVATE_REPLY if public_target else ReplyMode.MESSAGE
    channel = target.channel if target else conversation.channel
    recipient = (target.author.external_id if target and target.author else "") or (
        latest.author.external_id if latest and latest.author else ""
    )
    reply_to = (target.external_id or "") if target else ""
    _check_platform_rules(
        channel,
        _reply(body, mode, reply_to, recipient, key="check", conversation=conversation),
    )
    with transaction.atomic():
        now = timezone.now()
        message = Message.objects.create(
            channel=channel,
            conversation=conversation,
            sent_by=actor,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
            text=body,
            reply_to_external_id=reply_to,
            thread_root=target.thread_root if target else "",
            created_at=now,
            received_at=now,
        )
        outbound = OutboundMessage.objects.create(
            conversation=conversation,
            message=message,
            channel=channel,
            mode=mode,
            reply_to_external_id=reply_to,
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
            reason=f"{_MODE_WORDS[mode]} queued",
            data={"outbound": outbound.pk, "mode": str(mode)},
            created_at=now,
        )
        if actor is not None:
            open_if_new(conversation, actor=actor, reason="first reply sent")
        cases_hooks.reply_queued(conversation.pk, public=public, system=actor is None, at=now)
        transaction.on_commit(lambda: tasks.deliver_outbound.enqueue(outbound.pk))
    return outbound


_MODE_WORDS = {
    ReplyMode.PUBLIC_REPLY: "public reply",
    ReplyMode.PRIVATE_REPLY: "private reply to a public comment",
    ReplyMode.MESSAGE: "private message",
}


def _reply(
    text: str,
    mode: ReplyMode,
    reply_to: str,
    recipient: str,
    *,
    key: str,
    conversation: Conversation,
    exclude_outbound: int | None = None,
) -> OutboundReply:
    """The reply with the facts platforms' rules need, read from the case as it is now."""
    inbound = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    last_private = (
        inbound.filter(visibility=Visibility.PRIVATE)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    replied_at = (
        inbound.filter(external_id=reply_to).values_list("created_at", flat=True).first()
        if reply_to
        else None
    )
    earlier_private_replies = OutboundMessage.objects.filter(
        mode=ReplyMode.PRIVATE_REPLY, reply_to_external_id=reply_to
    ).exclude(status=DeliveryStatus.FAILED)
    if exclude_outbound is not None:
        earlier_private_replies = earlier_private_replies.exclude(pk=exclude_outbound)
    return OutboundReply(
        text=text,
        public=mode == ReplyMode.PUBLIC_REPLY,
        reply_to_external_id=reply_to,
        recipient_external_id=recipient,
        idempotency_key=key,
        mode=mode,
        last_customer_message_at=last_private,
        replied_item_created_at=replied_at,
        private_reply_already_sent=bool(reply_to) and earlier_private_replies.exists(),
        human_agent=True,  # every careline reply is written by a person
    )


def _connector_for(channel: Channel) -> Connector:
    return connector_for(
        channel.platform, credentials=channel.credentials, account_id=channel.external_id
    )


def _check_platform_rules(channel: Channel, reply: OutboundReply) -> None:
    try:
        connector = _connector_for(channel)
    except ConnectorError as exc:
        raise CaseActionError(f"replies cannot be sent on {channel.name}: {exc}") from exc
    try:
        connector.check(reply, now=timezone.now())
    except RuleViolation as exc:
        raise CaseActionError(str(exc)) from exc


def _claim(outbound_id: int) -> bool:
    return claim_for_sending(
        OutboundMessage,
        outbound_id,
        queued=DeliveryStatus.QUEUED,
        retrying=DeliveryStatus.RETRYING,
        sending=DeliveryStatus.SENDING,
    )


def deliver_outbound(outbound_id: int) -> str:
    """Try to deliver one reply. Safe to run twice: only a claimed row is sent.

    Returns the resulting status.
    """
    if not _claim(outbound_id):
        return OutboundMessage.objects.get(pk=outbound_id).status
    outbound = OutboundMessage.objects.select_related("message", "channel", "target").get(
        pk=outbound_id
    )
    paused_until = outbound.channel.send_paused_until
    if paused_until is not None and paused_until > timezone.now():
        # The platform asked us to slow down: wait without spending an attempt.
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            status=DeliveryStatus.RETRYING,
            next_attempt_at=paused_until,
            attempt_count=F("attempt_count") - 1,
        )
        return DeliveryStatus.RETRYING
    if outbound.action != OutboundAction.SEND:
        return _moderate(outbound)
    assert outbound.message is not None  # a SEND always has its reply
    channel = outbound.channel
    outcome_unknown = _last_attempt_outcome_unknown(outbound)
    attempt = DeliveryAttempt.objects.create(outbound=outbound)
    reply = _reply(
        outbound.message.text,
        ReplyMode(outbound.mode),
        outbound.reply_to_external_id,
        outbound.recipient_external_id,
        key=str(outbound.idempotency_key),
        conversation=outbound.conversation,
        exclude_outbound=outbound.pk,
    )
    timeout = settings.CARELINE_OUTBOUND_TIMEOUT
    try:
        connector = _connector_for(channel)
        try:
            # The last attempt may have posted before it timed out: look before posting again.
            found = connector.find_sent(reply, timeout=timeout) if outcome_unknown else None
            result = found or connector.send(reply, timeout=timeout)
        finally:
            remember_session(channel, connector)
            _slow_down(channel, getattr(connector, "last_usage_pressure", None))
    except RuleViolation as exc:
        # The platform's rules changed under us (the window closed while it waited).
        return _record_failure(outbound, attempt, ConnectorError(str(exc), permanent=True))
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
        Message.objects.filter(pk=outbound.message.pk).update(external_id=result.external_id)
        CaseEvent.objects.create(
            conversation_id=outbound.conversation_id,
            kind=EventKind.REPLY_SENT,
            reason=f"delivered to {channel.name} (HTTP {result.status_code})",
            data={"outbound": outbound.pk, "external_id": result.external_id},
            created_at=now,
        )
    return DeliveryStatus.SENT


_MODERATION_EVENTS = {
    OutboundAction.HIDE: EventKind.MESSAGE_HIDDEN,
    OutboundAction.UNHIDE: EventKind.MESSAGE_UNHIDDEN,
    OutboundAction.DELETE: EventKind.MESSAGE_DELETED,
}


def request_moderation(
    message: Message, *, action: str, actor: User | None, reason: str
) -> OutboundMessage:
    """Queue hiding, unhiding or deleting an item on its platform, with the reason recorded.

    Raises CaseActionError when the action makes no sense for the item. Whether an item *may*
    be hidden (legitimate criticism may not) is the caller's policy, not this function's.
    """
    from careline.replies import tasks

    if action not in _MODERATION_EVENTS:
        raise CaseActionError(f"unknown moderation action {action!r}")
    why = reason.strip()
    if not why:
        raise CaseActionError("say why: every moderation action is recorded with its reason")
    if message.direction != Direction.INBOUND or not message.external_id:
        raise CaseActionError("only items people posted on the platform can be moderated")
    if message.deleted_at is not None:
        raise CaseActionError("the item is deleted already")
    if action == OutboundAction.HIDE and message.hidden_at is not None:
        raise CaseActionError("the item is hidden already")
    if action == OutboundAction.UNHIDE and message.hidden_at is None:
        raise CaseActionError("the item is not hidden")
    with transaction.atomic():
        outbound = OutboundMessage.objects.create(
            action=action,
            conversation_id=message.conversation_id,
            target=message,
            channel=message.channel,
            reason=why,
            created_by=actor,
        )
        CaseEvent.objects.create(
            conversation_id=message.conversation_id,
            kind=EventKind.MODERATION_REQUESTED,
            actor=actor,
            reason=why,
            data={"outbound": outbound.pk, "action": action, "message": message.external_id},
        )
        transaction.on_commit(lambda: tasks.deliver_outbound.enqueue(outbound.pk))
    return outbound


def _moderate(outbound: OutboundMessage) -> str:
    target = outbound.target
    assert target is not None  # request_moderation checked it
    attempt = DeliveryAttempt.objects.create(outbound=outbound)
    try:
        _connector_for(outbound.channel).moderate(
            target.external_id or "",
            Action(str(outbound.action)),
            timeout=settings.CARELINE_OUTBOUND_TIMEOUT,
        )
    except ConnectorError as exc:
        return _record_failure(outbound, attempt, exc)
    with transaction.atomic():
        now = timezone.now()
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=now, ok=True)
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            status=DeliveryStatus.SENT, sent_at=now, last_error=""
        )
        by_action: dict[str, dict[str, Any]] = {
            OutboundAction.HIDE: {"hidden_at": now},
            OutboundAction.UNHIDE: {"hidden_at": None},
            OutboundAction.DELETE: {"deleted_at": now},
        }
        changes = by_action[outbound.action]
        Message.objects.filter(pk=target.pk).update(**changes)
        CaseEvent.objects.create(
            conversation_id=outbound.conversation_id,
            kind=_MODERATION_EVENTS[OutboundAction(outbound.action)],
            actor=outbound.created_by,
            reason=f"on {outbound.channel.name}: {outbound.reason}",
            data={"outbound": outbound.pk, "message": target.external_id},
            created_at=now,
        )
    return DeliveryStatus.SENT


def _slow_down(channel: Channel, seconds: float | None) -> None:
    """Pause deliveries on a channel whose platform said it is near or over its limit."""
    if seconds:
        Channel.objects.filter(pk=channel.pk).update(
            send_paused_until=timezone.now() + timedelta(seconds=seconds)
        )


def _last_attempt_outcome_unknown(outbound: OutboundMessage) -> bool:
    """True when the previous attempt got no answer (timeout, dropped connection): it may have
    been posted all the same."""
    last = outbound.attempts.order_by("-started_at", "-id").first()
    return last is not None and not last.ok and last.status_code is None and not last.permanent


def _record_failure(
    outbound: OutboundMessage, attempt: DeliveryAttempt, exc: ConnectorError
) -> str:
    now = timezone.now()
    gave_up = exc.permanent or outbound.attempt_count >= MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if gave_up else DeliveryStatus.RETRYING
    delay = backoff_seconds(outbound.attempt_count, exc.retry_after)
    if not exc.permanent and exc.retry_after:
        # Rate limited: every queued reply on this channel waits, not just this one.
        _slow_down(outbound.channel, exc.retry_after)
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
                conversation_id=outbound.conversation_id,
                kind=EventKind.REPLY_FAILED
                if outbound.action == OutboundAction.SEND
                else EventKind.MODERATION_FAILED,
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
