"""Replies that need a supervisor's approval before they are sent.

Every reply an agent sends goes through :func:`send_or_hold_reply`: the tone guard checks it
with what the case knows (``reply_context``). A reply the guard calls risky, or one offering
more than the sender's concession limit, is held (``HeldReply``, CaseEvent ``REPLY_HELD``)
instead of queued. A supervisor approves it (then it is queued exactly as ``queue_reply``
queues any reply, CaseEvent ``REPLY_APPROVED``) or rejects it with a reason
(``REPLY_REJECTED``; it is never sent). Supervisors' and admins' own replies are not held,
but the guard's findings are kept with them (``ReplyCheck``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.inbox.models import Direction, Message
from careline.replies import drafting
from careline.replies.models import (
    ConcessionLimit,
    HeldReply,
    HeldStatus,
    OutboundMessage,
    ReplyCheck,
)
from careline.replies.services import MAX_REPLY_CHARS, queue_reply

if TYPE_CHECKING:
    from careline.replies.tone.model import ReplyContext, ToneReport

DEFAULT_CONCESSION_LIMIT = Decimal("25")
MAX_DECISION_CHARS = 2_000
CUSTOMER_TEXT_MESSAGES = 3


@dataclass(frozen=True)
class SendResult:
    """What became of a reply: queued (``outbound``) or held for approval (``held``)."""

    report: ToneReport
    outbound: OutboundMessage | None = None
    held: HeldReply | None = None

    @property
    def was_held(self) -> bool:
        return self.held is not None


def default_concession_limit() -> Decimal:
    raw = getattr(settings, "CARELINE_DEFAULT_CONCESSION_LIMIT", DEFAULT_CONCESSION_LIMIT)
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return DEFAULT_CONCESSION_LIMIT
    return value if value.is_finite() and value >= 0 else DEFAULT_CONCESSION_LIMIT


def concession_limit_for(user: User | None) -> Decimal | None:
    """The most ``user`` may refund or credit without approval: their own limit, else the
    default. None (no limit checked) for careline itself."""
    if user is None:
        return None
    own = ConcessionLimit.objects.filter(user=user).values_list("amount", flat=True).first()
    return own if own is not None else default_concession_limit()


def set_concession_limit(user: User, *, amount: Decimal, actor: User) -> ConcessionLimit:
    """Give ``user`` their own concession limit (supervisors and admins only)."""
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins set concession limits")
    if not amount.is_finite() or amount < 0:
        raise CaseActionError("a concession limit is an amount of 0 or more")
    limit, _ = ConcessionLimit.objects.update_or_create(
        user=user, defaults={"amount": amount, "updated_by": actor, "updated_at": timezone.now()}
    )
    return limit


def reply_context(conversation: Conversation, *, public: bool, actor: User | None) -> ReplyContext:
    """What the tone guard is told about a reply to this case."""
    from careline.replies.tone.model import KINDS, PLATFORMS, ReplyContext

    inbound = list(
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:CUSTOMER_TEXT_MESSAGES]
    )
    facts: dict[str, Any] = {
        "expected_time": drafting.expected_time(conversation),
        "brand_contacts": [
            c
            for c in (
                drafting.support_email(),
                conversation.channel.display_name,
                conversation.channel.name,
            )
            if c
        ],
    }
    order, _product = drafting.order_and_product(conversation)
    if order:
        facts["order"] = order.removeprefix("order ")
    kind = conversation.triage_kind if conversation.triage_kind in KINDS else ""
    platform = conversation.channel.platform if conversation.channel.platform in PLATFORMS else ""
    return ReplyContext(
        kind=kind,
        platform=platform,
        public=public,
        customer_name=drafting.customer_first_name(conversation),
        facts=facts,
        recent_public_replies=tuple(drafting.recent_public_replies()) if public else (),
        customer_text="\n".join(reversed(inbound)),
        concession_limit=concession_limit_for(actor),
    )


def check_outgoing(
    conversation: Conversation, *, text: str, public: bool, actor: User | None
) -> ToneReport:
    """The tone guard's report on ``text`` as a reply to the case (nothing is stored)."""
    try:
        from careline.replies.tone import check_reply
    except ImportError:  # the guard not installed: nothing found, nothing held
        from careline.replies.tone.model import ToneReport as EmptyReport

        return EmptyReport()
    report: ToneReport = check_reply(text, reply_context(conversation, public=public, actor=actor))
    return report


def send_or_hold_reply(
    conversation: Conversation, *, text: str, public: bool, actor: User
) -> SendResult:
    """Queue the reply, or hold it for a supervisor when the tone guard says it needs
    approval and ``actor`` is an agent.

    Raises CaseActionError for a reply that cannot be sent at all (see ``queue_reply``).
    """
    body = text.strip()
    if not body:
        raise CaseActionError("a reply cannot be empty")
    if len(body) > MAX_REPLY_CHARS:
        raise CaseActionError(f"a reply is limited to {MAX_REPLY_CHARS} characters")
    if not conversation.is_open and conversation.status != "resolved":
        raise CaseActionError(f"the case is {conversation.status}; replies are closed")
    report = check_outgoing(conversation, text=body, public=public, actor=actor)
    findings = [f.to_dict() for f in report.findings]
    if report.needs_approval and not actor.is_supervisor_or_admin:
        with transaction.atomic():
            held = HeldReply.objects.create(
                conversation=conversation,
                text=body,
                public=public,
                author=actor,
                approval_reasons=list(report.approval_reasons),
                findings=findings,
            )
            CaseEvent.objects.create(
                conversation=conversation,
                kind=EventKind.REPLY_HELD,
                actor=actor,
                reason="held for a supervisor's approval: " + "; ".join(report.approval_reasons),
                data={
                    "held": held.pk,
                    "public": public,
                    "reasons": list(report.approval_reasons),
                },
                created_at=held.created_at,
            )
        return SendResult(report=report, held=held)
    with transaction.atomic():
        outbound = queue_reply(conversation, text=body, public=public, actor=actor)
        ReplyCheck.objects.create(
            outbound=outbound,
            findings=findings,
            needs_approval=report.needs_approval,
            approval_reasons=list(report.approval_reasons),
            approval_skipped=report.needs_approval,
        )
    return SendResult(report=report, outbound=outbound)


def pending_approvals() -> list[HeldReply]:
    """Held replies waiting for a decision, oldest first."""
    return list(
        HeldReply.objects.filter(status=HeldStatus.HELD)
        .select_related("conversation", "conversation__channel", "author")
        .order_by("created_at", "id")
    )


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins approve or reject held replies")


def _lock_held(held: HeldReply) -> HeldReply:
    locked = (
        HeldReply.objects.select_for_update(of=("self",))
        .select_related("conversation", "conversation__channel", "author")
        .get(pk=held.pk)
    )
    if locked.status != HeldStatus.HELD:
        raise CaseActionError(f"this reply was already {locked.status}")
    return locked


def approve_held_reply(held: HeldReply, *, actor: User, reason: str = "") -> OutboundMessage:
    """Approve a held reply and queue it as its author's reply.

    Raises PermissionDenied for agents, CaseActionError when it was decided already or can no
    longer be sent (the case closed meanwhile, the platform's rules refuse it); then nothing
    changes.
    """
    _require_supervisor(actor)
    why = reason.strip()[:MAX_DECISION_CHARS]
    with transaction.atomic():
        locked = _lock_held(held)
        now = timezone.now()
        author = locked.author.username if locked.author else "unknown"
        CaseEvent.objects.create(
            conversation=locked.conversation,
            kind=EventKind.REPLY_APPROVED,
            actor=actor,
            reason=why or f"approved {author}'s reply",
            data={"held": locked.pk, "author": author},
            created_at=now,
        )
        sender = locked.author or actor
        outbound = queue_reply(
            locked.conversation, text=locked.text, public=locked.public, actor=sender
        )
        ReplyCheck.objects.create(
            outbound=outbound,
            findings=locked.findings,
            needs_approval=True,
            approval_reasons=locked.approval_reasons,
        )
        HeldReply.objects.filter(pk=locked.pk).update(
            status=HeldStatus.APPROVED,
            decided_by=actor,
            decided_at=now,
            decision_reason=why,
            outbound=outbound,
        )
    return outbound


def reject_held_reply(held: HeldReply, *, actor: User, reason: str) -> HeldReply:
    """Reject a held reply with a reason; it is never sent.

    Raises PermissionDenied for agents, CaseActionError without a reason or when it was
    decided already.
    """
    _require_supervisor(actor)
    why = reason.strip()[:MAX_DECISION_CHARS]
    if not why:
        raise CaseActionError("say why the reply is rejected, so its author can rewrite it")
    with transaction.atomic():
        locked = _lock_held(held)
        now = timezone.now()
        author = locked.author.username if locked.author else "unknown"
        HeldReply.objects.filter(pk=locked.pk).update(
            status=HeldStatus.REJECTED, decided_by=actor, decided_at=now, decision_reason=why
        )
        CaseEvent.objects.create(
            conversation=locked.conversation,
            kind=EventKind.REPLY_REJECTED,
            actor=actor,
            reason=why,
            data={"held": locked.pk, "author": author},
            created_at=now,
        )
        locked.refresh_from_db()
    return locked
