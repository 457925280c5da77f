"""Gather what escalation rules look at (``CaseFacts``) from a stored case and its triage."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

from django.utils import timezone

from careline.assessments.models import Assessment
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.models import Crisis
from careline.inbox.models import Direction, Message
from careline.workflow.facts import CaseFacts, find_legal_terms, find_safety_terms

REPEAT_WINDOW_DAYS = 30
# The cue words are looked for in this much of the case's latest inbound text.
TEXT_CHARS = 20_000
MAX_MESSAGES = 50


def inbound_text(conversation: Conversation) -> str:
    """The case's inbound messages (the latest ``MAX_MESSAGES``), oldest first, one per line."""
    texts = list(
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:MAX_MESSAGES]
    )
    return "\n".join(reversed(texts))[-TEXT_CHARS:]


def _sentiments(conversation: Conversation) -> tuple[str, str]:
    """The sentiment of the latest triaged inbound message and of the one before it."""
    found = list(
        Assessment.objects.filter(message__conversation=conversation)
        .exclude(sentiment="")
        .order_by("-message__created_at", "-message_id")
        .values_list("sentiment", flat=True)[:2]
    )
    now = found[0] if found else conversation.triage_sentiment
    before = found[1] if len(found) > 1 else ""
    return now, before


def repeat_contacts(conversation: Conversation, *, now: datetime) -> int:
    """The person's cases (this one included) created in the last ``REPEAT_WINDOW_DAYS``.

    "The person" is the customer behind the author when known, else the author."""
    author = conversation.author
    if author is None:
        return 1
    since = now - timedelta(days=REPEAT_WINDOW_DAYS)
    cases = Conversation.objects.filter(created_at__gte=since)
    if author.customer_id is not None:
        cases = cases.filter(author__customer_id=author.customer_id)
    else:
        cases = cases.filter(author_id=author.pk)
    return max(1, cases.count())


def breached_clocks(conversation: Conversation, *, now: datetime) -> tuple[str, ...]:
    """Clocks past due and still not done (``Clocks.overdue``): a clock answered late is over
    and does not escalate. Computed by the SLA app when it is installed; else read from the
    SLA_BREACHED events not answered since."""
    if not conversation.is_open:
        return ()
    due = conversation.sla_next_due_at
    if due is None or due > now:
        # The earliest due time of the running clocks is still ahead: nothing is overdue.
        return ()
    try:
        selectors = importlib.import_module("careline.sla.selectors")
    except ImportError:
        selectors = None
    if selectors is not None and hasattr(selectors, "case_clocks"):
        found = selectors.case_clocks(conversation, now=now)
        return tuple(found.clocks.overdue) if found is not None else ()
    clocks: list[str] = []
    last_reply = conversation.last_agent_reply_at
    for payload, at in CaseEvent.objects.filter(
        conversation=conversation, kind=EventKind.SLA_BREACHED
    ).values_list("data", "created_at"):
        if last_reply is not None and last_reply >= at:
            continue  # answered since (late, but answered)
        clock = str((payload or {}).get("clock") or "sla")
        if clock not in clocks:
            clocks.append(clock)
    return tuple(clocks)


def crisis_for(conversation: Conversation, text: str) -> Crisis | None:
    """The oldest running crisis that covers the case, or None."""
    low = text.lower()
    for crisis in Crisis.objects.filter(ended_at__isnull=True).order_by("started_at", "id"):
        keywords = crisis.keyword_list
        if not crisis.topic and not keywords:
            return crisis
        if crisis.topic and crisis.topic == conversation.triage_topic:
            return crisis
        if any(k in low for k in keywords):
            return crisis
    return None


def build_facts(conversation: Conversation, *, now: datetime | None = None) -> CaseFacts:
    """Everything the rules can test about this case, read as it is now.

    ``author_followers`` is the author's reach as the platform last reported it (0 when
    unknown). ``language`` is "" because triage does not record a language yet.
    """
    now = now or timezone.now()
    text = inbound_text(conversation)
    sentiment, previous = _sentiments(conversation)
    crisis = crisis_for(conversation, text)
    return CaseFacts(
        severity=conversation.triage_severity,
        kind=conversation.triage_kind,
        sentiment=sentiment,
        previous_sentiment=previous,
        legal_terms=find_legal_terms(text),
        safety_terms=find_safety_terms(text),
        author_followers=(conversation.author.followers or 0) if conversation.author else 0,
        repeat_contacts=repeat_contacts(conversation, now=now),
        repeat_window_days=REPEAT_WINDOW_DAYS,
        sla_breached=breached_clocks(conversation, now=now),
        crisis=crisis is not None,
        priority=conversation.priority,
        channel=getattr(conversation, "channel_name", None) or conversation.channel.name,
        topic=conversation.triage_topic,
        language="",
        has_private_data=conversation.triage_has_private_data,
        hours_open=round(max(0.0, (now - conversation.created_at).total_seconds() / 3600), 2),
    )
