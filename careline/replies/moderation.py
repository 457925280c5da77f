"""Duty-of-care moderation and recorded decisions not to reply (docs/moderation.md).

The rules are pure (:mod:`careline.replies.path`); these services apply them to stored items:

- ``moderate_for_duty_of_care``: what duty of care asks of one item — hide it (private data,
  offensive to others) and explain why in private, flag it for removal (not legitimate), or
  refuse (legitimate criticism is never hidden).
- ``hide_message``, ``flag_for_removal``, ``remove_flagged``: the single actions behind the
  conversation page's buttons.
- ``decide_no_reply``: the recorded decision not to answer a case (spam, duplicate, …).
- ``on_inbound_stored``: after ingest, record "no reply" for certain spam and hide items that
  expose private data where the platform allows, both with actor None and a reason.

Every action, and every refusal, appends a CaseEvent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careline.accounts.models import User
from careline.assessments.models import Assessment
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.inbox.models import Channel, Direction, Message, Visibility
from careline.lib.idlists import in_list
from careline.replies.models import DeliveryStatus, OutboundAction, OutboundMessage
from careline.replies.path import (
    AUTO_SPAM_SCORE,
    DATA_WORDS,
    DELETE_PLATFORMS,
    HIDE_PLATFORMS,
    ItemFacts,
    ModerationDecision,
    PathRecommendation,
    criticism_refusal,
    is_legitimate_criticism,
    is_not_legitimate,
    moderation_decision,
    recommend_path,
    sensitive_data,
)
from careline.replies.services import queue_reply, request_moderation

log = logging.getLogger(__name__)

# The recorded reasons not to reply; ``note`` adds the free text.
NO_REPLY_REASONS = {
    "spam": "Spam",
    "duplicate": "Duplicate",
    "handled_elsewhere": "Handled elsewhere",
    "not_addressed": "Not addressed to us",
    "abusive": "Abusive",
}
# These say nothing useful without the details: which case, where it was handled.
NOTE_REQUIRED = frozenset({"duplicate", "handled_elsewhere"})
MAX_NOTE_CHARS = 500
FLAG_ACTION = "flag_for_removal"
ASK_REMOVAL_ACTION = "ask_removal"

# What the person is told in private when careline hides (or cannot hide) their item. Plain,
# no blame, no private data repeated: only the kinds of data.
EXPLANATIONS = {
    "private_data": (
        "Hello, we have hidden your public comment because it showed personal details ({what}) "
        "that anyone could read. Your message has not been ignored: we are on it and will "
        "continue with you here, in private."
    ),
    "private_data_not_hidden": (
        "Hello, your public post shows personal details ({what}) that anyone can read, and "
        "we cannot hide it for you on {platform}. Please delete it to protect yourself. Your "
        "message has not been ignored: we are on it and will continue with you here, in "
        "private."
    ),
    "offensive": (
        "Hello, we have hidden your public comment because parts of it could offend others. "
        "We still want to help with your request, so let's continue here, in private."
    ),
}


@dataclass(frozen=True)
class ModerationOutcome:
    """What a moderation service did: the decision, the outbox rows it queued (the hide and
    the private explanation) and, when the explanation could not be queued, why."""

    decision: ModerationDecision
    moderation: OutboundMessage | None = None
    explanation: OutboundMessage | None = None
    explanation_error: str = ""
    event: CaseEvent | None = None


@dataclass(frozen=True)
class ItemView:
    """One inbound item of a case with its recommended path and duty-of-care decision."""

    message: Message
    facts: ItemFacts
    path: PathRecommendation
    moderation: ModerationDecision
    flagged: bool
    hide_pending: bool

    @property
    def display_text(self) -> str:
        """The item's text, redacted when triage found private data in it."""
        a = _assessment(self.message)
        if a is not None and a.has_private_data:
            return a.redacted or "(contains private data)"
        return self.message.text


# --- facts ---------------------------------------------------------------------------------


def _relayed(channel: Channel) -> bool:
    # A channel with a callback URL replies through a bridge, which cannot moderate.
    return bool(channel.credentials.get("callback_url"))


def can_hide(message: Message, channel: Channel | None = None) -> bool:
    """Whether the platform's API lets careline hide this item (docs/connectors/)."""
    channel = channel or message.channel
    if channel.platform not in HIDE_PLATFORMS or _relayed(channel):
        return False
    # X hides only replies in conversations the brand started.
    return channel.platform != "x" or bool(message.reply_to_external_id)


def can_delete(message: Message) -> bool:
    return message.channel.platform in DELETE_PLATFORMS and not _relayed(message.channel)


def _assessment(message: Message) -> Assessment | None:
    try:
        return message.assessment
    except Assessment.DoesNotExist:
        return None


def _kind_reason(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    for line in assessment.reasons or []:
        if isinstance(line, str) and line.startswith("kind="):
            return line.split(": ", 1)[-1]
    return ""


def _evidence_lines(assessment: Assessment | None) -> tuple[str, ...]:
    if assessment is None:
        return ()
    lines = []
    for piece in assessment.evidence or []:
        if isinstance(piece, dict) and piece.get("reason") and piece.get("weight"):
            lines.append(str(piece["reason"]))
    return tuple(lines)


def facts_of(message: Message, *, duplicate: bool = False, hide: bool | None = None) -> ItemFacts:
    """The pure facts of one stored inbound item (reads its assessment and channel)."""
    a = _assessment(message)
    return ItemFacts(
        kind=a.kind if a else "",
        public=message.visibility == Visibility.PUBLIC,
        kind_score=a.kind_score if a else None,
        sentiment=a.sentiment if a else "",
        offensive_score=a.offensive_score if a else None,
        hate=a.hate if a else False,
        private_data=tuple(str(s.get("type", "")) for s in (a.private_data if a else []) or []),
        legitimacy=a.legitimacy if a else "",
        evidence=_evidence_lines(a),
        indirect=message.indirect,
        duplicate=duplicate,
        hidden=message.hidden_at is not None,
        deleted=message.deleted_at is not None,
        platform=message.channel.platform,
        can_hide=can_hide(message) if hide is None else hide,
        kind_reason=_kind_reason(a),
    )


def _duplicates(messages: Sequence[Message]) -> set[int]:
    """Ids of messages whose author posted the same text earlier in the same case."""
    seen: set[tuple[Any, ...]] = set()
    found = set()
    for m in sorted(messages, key=lambda m: (m.created_at, m.pk)):
        a = _assessment(m)
        text = (a.text_hash if a and a.text_hash else "") or " ".join(m.text.casefold().split())
        key = (m.conversation_id, m.author_id, text)
        if key in seen and text:
            found.add(m.pk)
        seen.add(key)
    return found


def _is_duplicate(message: Message) -> bool:
    same_author = (
        Q(author__isnull=True) if message.author_id is None else Q(author_id=message.author_id)
    )
    earlier = list(
        Message.objects.filter(
            same_author,
            conversation_id=message.conversation_id,
            direction=Direction.INBOUND,
            created_at__lte=message.created_at,
        )
        .select_related("assessment")
        .order_by("created_at", "id")[:200]
    )
    if not any(m.pk == message.pk for m in earlier):
        earlier.append(message)
    return message.pk in _duplicates(earlier)


def case_items(conversation: Conversation) -> list[ItemView]:
    """Every inbound item of the case with its path and moderation, in thread order.

    Three queries whatever the number of items: the messages (with assessment and channel),
    the case's flags, the pending hides.
    """
    messages = list(
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .select_related("assessment", "channel")
        .order_by("created_at", "id")
    )
    if not messages:
        return []
    flagged = _flagged_ids(conversation.pk)
    pending = set(
        OutboundMessage.objects.filter(
            conversation=conversation, action=OutboundAction.HIDE, target__isnull=False
        )
        .exclude(status=DeliveryStatus.FAILED)
        .exclude(status=DeliveryStatus.SENT)
        .values_list("target_id", flat=True)
    )
    duplicates = _duplicates(messages)
    hide_by_channel: dict[int, bool] = {}
    views = []
    for m in messages:
        if m.channel_id not in hide_by_channel:
            hide_by_channel[m.channel_id] = can_hide(m)
        hide = hide_by_channel[m.channel_id] and (
            m.channel.platform != "x" or bool(m.reply_to_external_id)
        )
        facts = facts_of(m, duplicate=m.pk in duplicates, hide=hide)
        views.append(
            ItemView(
                message=m,
                facts=facts,
                path=recommend_path(facts),
                moderation=moderation_decision(facts),
                flagged=m.pk in flagged,
                hide_pending=m.pk in pending,
            )
        )
    return views


def _flagged_ids(conversation_id: int) -> set[int]:
    ids = set()
    for data in CaseEvent.objects.filter(
        conversation_id=conversation_id, kind=EventKind.MODERATION_REQUESTED
    ).values_list("data", flat=True):
        if isinstance(data, dict) and data.get("action") == FLAG_ACTION:
            ids.add(int(data.get("message_id") or 0))
    return ids


# --- moderation ----------------------------------------------------------------------------


def _require_inbound(message: Message) -> None:
    if message.direction != Direction.INBOUND:
        raise CaseActionError("only items people posted can be moderated")


def _refuse(message: Message, *, actor: User | None, action: str, asked: str, why: str) -> None:
    """Record the refusal, then raise it: the attempt stays on the record."""
    CaseEvent.objects.create(
        conversation_id=message.conversation_id,
        kind=EventKind.MODERATION_REFUSED,
        actor=actor,
        reason=why,
        data={
            "action": action,
            "message": message.external_id or "",
            "message_id": message.pk,
            "asked_reason": asked[:500],
        },
    )
    raise CaseActionError(why)


def _explanation_text(ground: str, facts: ItemFacts, *, hidden: bool) -> str:
    what = ", ".join(DATA_WORDS.get(t, t) for t in sensitive_data(facts)) or "personal details"
    if ground == "private_data":
        key = "private_data" if hidden else "private_data_not_hidden"
    else:
        key = "offensive"
    return EXPLANATIONS[key].format(what=what, platform=_platform_name(facts.platform))


def _platform_name(platform: str) -> str:
    return {"x": "X", "facebook": "Facebook", "instagram": "Instagram"}.get(
        platform, platform.title() or "this platform"
    )


def _explain(
    message: Message, ground: str, facts: ItemFacts, *, actor: User | None, hidden: bool
) -> tuple[OutboundMessage | None, str]:
    """Queue the private message that says why and continues the case.

    Returns (outbox row, "") or (None, why it could not be queued) — the hide stands either
    way, and the failure is recorded so someone reaches out another way.
    """
    text = _explanation_text(ground, facts, hidden=hidden)
    conversation = message.conversation
    try:
        return queue_reply(conversation, text=text, public=False, actor=actor), ""
    except CaseActionError as exc:
        why = f"the private explanation could not be queued ({exc}): reach the person another way"
        CaseEvent.objects.create(
            conversation_id=message.conversation_id,
            kind=EventKind.MODERATION_FAILED,
            actor=actor,
            reason=why,
            data={"message": message.external_id or "", "message_id": message.pk},
        )
        return None, why


def _hide(
    message: Message,
    decision: ModerationDecision,
    facts: ItemFacts,
    *,
    actor: User | None,
    reason: str,
) -> ModerationOutcome:
    with transaction.atomic():
        outbound = request_moderation(
            message, action=OutboundAction.HIDE, actor=actor, reason=reason
        )
        explanation, error = None, ""
        if decision.explain_privately:
            explanation, error = _explain(message, decision.ground, facts, actor=actor, hidden=True)
    return ModerationOutcome(decision, outbound, explanation, error)


def hide_message(message: Message, *, actor: User | None, reason: str) -> ModerationOutcome:
    """Hide an item on its platform with the person's reason.

    Refuses (CaseActionError, recorded as MODERATION_REFUSED) legitimate criticism: a
    complaint or feedback triage finds legitimate, not offensive to others and without
    private data. Where triage found private data or offensiveness, the person also gets a
    private message saying why. Raises CaseActionError when the platform cannot hide it.
    """
    _require_inbound(message)
    asked = reason.strip()
    if not asked:
        raise CaseActionError("say why: every moderation action is recorded with its reason")
    facts = facts_of(message)
    if not facts.public:
        raise CaseActionError("a private message is seen by nobody else: there is nothing to hide")
    if is_legitimate_criticism(facts):
        _refuse(message, actor=actor, action="hide", asked=asked, why=criticism_refusal(facts))
    if not facts.can_hide:
        raise CaseActionError(_cannot_hide(message))
    decision = moderation_decision(facts)
    if decision.action != "hide":
        decision = ModerationDecision("hide", asked)
        recorded = asked
    else:
        recorded = f"{asked} (triage: {decision.reason})"
    return _hide(message, decision, facts, actor=actor, reason=recorded)


def _cannot_hide(message: Message) -> str:
    channel = message.channel
    name = _platform_name(channel.platform)
    if _relayed(channel):
        return f"{channel.name} replies through a bridge, which cannot hide items"
    if channel.platform == "x":
        return "X lets the brand hide only replies in conversations it started"
    return f"{name} does not let careline hide other people's items; report or block there"


def flag_for_removal(message: Message, *, actor: User | None, reason: str = "") -> CaseEvent:
    """Flag an item triage finds not legitimate (spam, suspicious) for removal, with the
    evidence in the event's data. Refuses legitimate items (criticism with a recorded
    refusal); raises CaseActionError when it is flagged already."""
    _require_inbound(message)
    facts = facts_of(message)
    note = reason.strip()
    if not is_not_legitimate(facts):
        if is_legitimate_criticism(facts):
            _refuse(
                message, actor=actor, action=FLAG_ACTION, asked=note, why=criticism_refusal(facts)
            )
        legit = facts.legitimacy or "not checked"
        raise CaseActionError(
            f"only items triage finds not legitimate can be flagged for removal; this one is "
            f"{legit} (correct its kind to spam if triage got it wrong)"
        )
    if message.pk in _flagged_ids(message.conversation_id):
        raise CaseActionError("the item is flagged for removal already")
    a = _assessment(message)
    decision = moderation_decision(facts)
    why = f"flagged for removal: {decision.reason}"
    if note:
        why = f"{why} — {note}"
    return CaseEvent.objects.create(
        conversation_id=message.conversation_id,
        kind=EventKind.MODERATION_REQUESTED,
        actor=actor,
        reason=why[:2000],
        data={
            "action": FLAG_ACTION,
            "message": message.external_id or "",
            "message_id": message.pk,
            "kind": facts.kind,
            "legitimacy": facts.legitimacy,
            "legitimacy_score": a.legitimacy_score if a else None,
            "evidence": list(a.evidence or []) if a else [],
        },
    )


def remove_flagged(message: Message, *, actor: User) -> OutboundMessage:
    """A supervisor removes an item flagged as not legitimate: deleted where the platform
    allows, else hidden. Raises CaseActionError otherwise (the message says what to do)."""
    if not actor.is_supervisor_or_admin:
        raise CaseActionError("removing a flagged item is a supervisor's decision")
    _require_inbound(message)
    flag = next(
        (
            e
            for e in CaseEvent.objects.filter(
                conversation_id=message.conversation_id, kind=EventKind.MODERATION_REQUESTED
            ).order_by("-created_at", "-id")
            if isinstance(e.data, dict)
            and e.data.get("action") == FLAG_ACTION
            and e.data.get("message_id") == message.pk
        ),
        None,
    )
    if flag is None:
        raise CaseActionError("flag the item for removal first, with its evidence")
    reason = f"removing an item flagged as not legitimate ({flag.reason})"
    if can_delete(message):
        return request_moderation(
            message, action=OutboundAction.DELETE, actor=actor, reason=reason[:2000]
        )
    if can_hide(message):
        return request_moderation(
            message, action=OutboundAction.HIDE, actor=actor, reason=reason[:2000]
        )
    raise CaseActionError(_cannot_hide(message))


def moderate_for_duty_of_care(message: Message, *, actor: User | None) -> ModerationOutcome:
    """Do what duty of care asks of the item (see ``careline.replies.path``):

    - private data in public: hidden where the platform allows, and a private message says
      why and continues the case (where it cannot be hidden, the message asks the person to
      delete it);
    - offensive to others: hidden with the reason (a real request behind it is continued in
      private);
    - not legitimate: flagged for removal with the evidence;
    - legitimate criticism: refused and recorded (CaseActionError);
    - nothing to do: CaseActionError saying so.
    """
    _require_inbound(message)
    facts = facts_of(message, duplicate=_is_duplicate(message))
    decision = moderation_decision(facts)
    if decision.action == "refuse":
        _refuse(message, actor=actor, action="duty_of_care", asked="", why=decision.reason)
    if decision.action == "flag":
        event = flag_for_removal(message, actor=actor)
        return ModerationOutcome(decision, event=event)
    if decision.action != "hide":
        raise CaseActionError(decision.reason)
    if message.hidden_at is not None or _hide_pending(message):
        raise CaseActionError("the item is hidden already")
    reason = f"duty of care: {decision.reason}"
    if facts.can_hide:
        return _hide(message, decision, facts, actor=actor, reason=reason)
    if decision.ground != "private_data":
        raise CaseActionError(_cannot_hide(message))
    with transaction.atomic():
        event = CaseEvent.objects.create(
            conversation_id=message.conversation_id,
            kind=EventKind.MODERATION_REQUESTED,
            actor=actor,
            reason=f"{reason}; {_cannot_hide(message)}: asked the person in private to delete it",
            data={
                "action": ASK_REMOVAL_ACTION,
                "message": message.external_id or "",
                "message_id": message.pk,
            },
        )
        explanation, error = _explain(message, "private_data", facts, actor=actor, hidden=False)
    return ModerationOutcome(decision, None, explanation, error, event)


def _hide_pending(message: Message) -> bool:
    return (
        OutboundMessage.objects.filter(target=message, action=OutboundAction.HIDE)
        .exclude(status=DeliveryStatus.FAILED)
        .exists()
    )


# --- no reply --------------------------------------------------------------------------------


def _team_replied(conversation: Conversation) -> bool:
    if conversation.first_response_at is not None:
        return True
    return Message.objects.filter(
        conversation=conversation, direction=Direction.OUTBOUND, sent_by__isnull=False
    ).exists()


def _triage_supports(conversation: Conversation, reason: str) -> bool:
    rows = Assessment.objects.filter(message__conversation=conversation)
    if reason == "spam":
        return rows.filter(Q(kind="spam") | Q(legitimacy="suspicious")).exists()
    # abusive
    return rows.filter(Q(kind="troll") | Q(hate=True) | Q(offensive=True)).exists()


def decide_no_reply(
    conversation: Conversation, *, actor: User | None, reason: str, note: str = ""
) -> Conversation:
    """Record the decision not to reply to the case: ``reason`` one of NO_REPLY_REASONS,
    ``note`` free text (required for duplicate and handled_elsewhere).

    Refuses (CaseActionError) a case the team already answered, one decided already, a closed
    case, and "spam" or "abusive" on a complaint or feedback case unless triage supports it
    (a message triaged spam/suspicious, or troll/offensive) — a real complaint is answered.
    """
    if reason not in NO_REPLY_REASONS:
        raise CaseActionError(f"choose a reason: {', '.join(NO_REPLY_REASONS)}")
    text = " ".join(note.split())
    if len(text) > MAX_NOTE_CHARS:
        raise CaseActionError(f"the note is limited to {MAX_NOTE_CHARS} characters")
    if reason in NOTE_REQUIRED and not text:
        what = "which case it duplicates" if reason == "duplicate" else "where it was handled"
        raise CaseActionError(f"say {what}")
    with transaction.atomic():
        case = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if case.status == "closed":
            raise CaseActionError("the case is closed")
        if case.no_reply_at is not None:
            raise CaseActionError(
                f"a decision not to reply is recorded already: {case.no_reply_reason}"
            )
        if _team_replied(case):
            raise CaseActionError("the case was answered already; there is nothing to decide")
        if (
            reason in ("spam", "abusive")
            and case.triage_kind in ("complaint", "feedback")
            and not _triage_supports(case, reason)
        ):
            raise CaseActionError(
                f"triage finds this {case.triage_kind} legitimate; a complaint is answered, not "
                f"dismissed as {reason} (correct the triage first if it is wrong)"
            )
        label = NO_REPLY_REASONS[reason]
        recorded = f"{label}: {text}" if text else label
        _record_no_reply(
            case, recorded=recorded, actor=actor, data={"reason": reason, "note": text}
        )
    conversation.refresh_from_db()
    return conversation


def _record_no_reply(
    case: Conversation,
    *,
    recorded: str,
    actor: User | None,
    data: dict[str, Any],
) -> None:
    now = timezone.now()
    Conversation.objects.filter(pk=case.pk).update(
        no_reply_reason=recorded[:200],
        no_reply_at=now,
        no_reply_by=actor,
        # Like an answer, the decision ends the customer's wait (careline.sla).
        customer_waiting_since=None,
    )
    CaseEvent.objects.create(
        conversation_id=case.pk,
        kind=EventKind.NO_REPLY_DECIDED,
        actor=actor,
        reason=recorded[:2000],
        data=data,
        created_at=now,
    )
    _refresh_sla([case.pk])


def _refresh_sla(conversation_ids: list[int]) -> None:
    """A decision not to reply stops the reply clocks (docs/sla.md)."""
    from careline.sla.services import refresh_sla

    refresh_sla(conversation_ids)


# --- after ingest ----------------------------------------------------------------------------


def on_inbound_stored(conversation_ids: Sequence[int]) -> set[int]:
    """Called by ``cases.hooks.inbound_stored`` inside the ingest transaction. Returns the
    cases it changed (decided not to answer), whose SLA clocks must be refreshed.

    - A case whose every inbound message triage calls spam with score >= AUTO_SPAM_SCORE
      (and none verified) gets a recorded decision not to reply (actor None, triage's reason).
    - A public item exposing private data on a platform that can hide it is hidden and the
      person told why in private, after commit (a task; actor None).

    One query over the batch's cases finds the few candidates; one more reads the messages
    these rules look at.
    """
    candidates = dict(
        Conversation.objects.filter(in_list("pk", conversation_ids))
        .filter(
            Q(
                triage_kind="spam",
                no_reply_at__isnull=True,
                first_response_at__isnull=True,
                status__in=("new", "open", "pending", "escalated"),
            )
            | Q(triage_has_private_data=True)
        )
        # In a fixed order: the events it records get their ids in this order.
        .order_by("pk")
        .values_list("pk", "triage_kind")
    )
    if not candidates:
        return set()
    spam_ids = [pk for pk, kind in candidates.items() if kind == "spam"]
    others = [pk for pk, kind in candidates.items() if kind != "spam"]
    # A spam case needs all its messages (every one must be spam); of the other cases, only
    # the items _auto_duty_of_care may hide are read (it passes over every other one): a case
    # with private data on a platform that cannot hide costs no message read at all.
    hideable = Q(
        in_list("conversation_id", others),
        assessment__has_private_data=True,
        visibility=Visibility.PUBLIC,
        hidden_at__isnull=True,
        deleted_at__isnull=True,
        channel__platform__in=sorted(HIDE_PLATFORMS),
    )
    messages = list(
        Message.objects.filter(
            in_list("conversation_id", spam_ids) | hideable, direction=Direction.INBOUND
        )
        .select_related("assessment", "channel")
        .order_by("created_at", "id")
    )
    by_case: dict[int, list[Message]] = {}
    for m in messages:
        by_case.setdefault(m.conversation_id, []).append(m)
    decided = _auto_no_reply(spam_ids, by_case)
    _auto_duty_of_care(messages)
    return decided


def _auto_no_reply(case_ids: Iterable[int], by_case: dict[int, list[Message]]) -> set[int]:
    """Record "no reply" on the cases that are certainly spam: one update per distinct
    reason and one insert for all the events (the candidates query excluded decided cases).
    Returns the cases decided."""
    decided: dict[str, list[tuple[int, float]]] = {}
    for pk in case_ids:
        items = by_case.get(pk, [])
        assessed = [a for a in (_assessment(m) for m in items) if a is not None]
        if (
            not items
            or len(assessed) < len(items)
            or any(
                a.kind != "spam"
                or (a.kind_score or 0.0) < AUTO_SPAM_SCORE
                or a.legitimacy == "verified"
                for a in assessed
            )
        ):
            continue
        why = _kind_reason(assessed[0]) or "spam"
        score = min(a.kind_score or 0.0 for a in assessed)
        decided.setdefault(f"Spam (automatic, triage {score:.2f}): {why}", []).append((pk, score))
    if not decided:
        return set()
    now = timezone.now()
    events = []
    for recorded, cases in decided.items():
        Conversation.objects.filter(
            pk__in=[pk for pk, _ in cases], no_reply_at__isnull=True
        ).update(
            no_reply_reason=recorded[:200],
            no_reply_at=now,
            no_reply_by=None,
            customer_waiting_since=None,
        )
        events += [
            CaseEvent(
                conversation_id=pk,
                kind=EventKind.NO_REPLY_DECIDED,
                actor=None,
                reason=recorded[:2000],
                data={"reason": "spam", "automatic": True, "score": score},
                created_at=now,
            )
            for pk, score in cases
        ]
    CaseEvent.objects.bulk_create(events)
    return {pk for cases in decided.values() for pk, _ in cases}


def _auto_duty_of_care(messages: Iterable[Message]) -> None:
    from careline.replies import moderation_tasks

    hide_by_channel: dict[int, bool] = {}
    due = []
    for m in messages:
        a = _assessment(m)
        if (
            a is None
            or not a.has_private_data
            or m.visibility != Visibility.PUBLIC
            or m.hidden_at is not None
            or m.deleted_at is not None
        ):
            continue
        if m.channel_id not in hide_by_channel:
            hide_by_channel[m.channel_id] = m.channel.platform in HIDE_PLATFORMS and not _relayed(
                m.channel
            )
        if not (hide_by_channel[m.channel_id] and can_hide(m)):
            continue
        facts = facts_of(m, hide=True)
        decision = moderation_decision(facts)
        if decision.action == "hide" and decision.ground == "private_data":
            due.append(m.pk)
    if not due:
        return
    # Skip items whose hide is already on its way (a redelivered batch).
    pending = set(
        OutboundMessage.objects.filter(target_id__in=due, action=OutboundAction.HIDE)
        .exclude(status=DeliveryStatus.FAILED)
        .values_list("target_id", flat=True)
    )
    for pk in due:
        if pk not in pending:
            transaction.on_commit(
                lambda pk=pk: moderation_tasks.protect_private_data.enqueue(pk)  # type: ignore[misc]
            )


def protect_private_data(message_id: int) -> str:
    """The automatic duty of care for one item (a task, after the ingest commit). Safe to run
    twice: an item hidden or being hidden is left alone. Returns what happened."""
    message = (
        Message.objects.select_related("assessment", "channel", "conversation")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "gone"
    if message.hidden_at is not None or message.deleted_at is not None or _hide_pending(message):
        return "done already"
    facts = facts_of(message)
    decision = moderation_decision(facts)
    if decision.action != "hide" or decision.ground != "private_data" or not facts.can_hide:
        return "nothing to do"
    _hide(
        message,
        decision,
        facts,
        actor=None,
        reason=f"duty of care (automatic): {decision.reason}",
    )
    return "hidden"
