"""Drafts from playbooks, personalised to the person and their case.

``draft_reply(conversation, purpose=…)`` picks the playbook for the case's kind x topic (the
supervisors' ones first, else the built-in ones), fills its variables from the case and picks
the variant least like the team's recent public replies. It only reads: nothing is stored or
sent. The pure parts (placeholders, rendering, choosing) are in ``playbook_text``.

Privacy: the order number and what was ordered appear only in private replies; public replies
say "your order". Nothing is quoted from the customer's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.inbox.models import Direction, Message, Visibility
from careline.replies import playbook_text as pt
from careline.replies.playbook_defaults import builtin_for, lookup_order

RECENT_DAYS = 30
RECENT_LIMIT = 300
DEFAULT_SUPPORT_EMAIL = "support@example.com"

# Platforms where a public reply can point to direct messages.
_DM_ROUTES = {
    "x": "send us a DM",
    "instagram": "send us a DM",
    "messenger": "send us a message here on Messenger",
    "facebook": "send us a private message on Messenger",
}
# What the case is about, as a noun phrase that fits "sorry to hear about …".
_ISSUE_BY_TOPIC = {
    "delivery": "your delivery",
    "refund_return": "your return",
    "payment_billing": "the payment issue",
    "product_quality": "the problem with your item",
    "account_login": "your account",
    "customer_service": "your experience with us",
    "website_app": "the website problem",
    "pricing": "our prices",
}
_NAME_PART = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_QUANTITY = re.compile(r"^\s*\d+\s*x\s+", re.IGNORECASE)
_SKU = re.compile(r"\s*\([^)]*\)\s*$")
_EVIDENCE_ORDER = re.compile(r"order '([^']{1,40})'")


class DraftError(ValueError):
    """No draft can be made (an unknown purpose, a kind that gets no reply); says why."""


@dataclass(frozen=True)
class Draft:
    text: str
    reason: str
    playbook: str
    purpose: str
    variant: int  # 0-based index into the playbook's variants
    variant_count: int
    variables: dict[str, str] = field(default_factory=dict)
    fallbacks: tuple[str, ...] = ()
    public: bool = True


@dataclass(frozen=True)
class ChosenPlaybook:
    name: str
    variants: tuple[str, ...]
    source: str  # "playbook #12" or "built-in"
    how: str
    pk: int | None = None


def find_playbook(*, kind: str, topic: str, purpose: str) -> ChosenPlaybook | None:
    """The most specific active playbook for kind x topic x purpose; at equal specificity the
    supervisors' playbook wins over the built-in one. None when neither exists."""
    from careline.replies.models import Playbook

    kind = kind if kind in pt.KINDS else ""
    stored = {
        (p.kind, p.topic): p
        for p in Playbook.objects.filter(purpose=purpose, active=True, kind__in={kind, ""})
        .filter(topic__in={topic, ""})
        .only("pk", "kind", "topic", "name", "variants")
    }
    for want_kind, want_topic, how in lookup_order(kind, topic):
        playbook = stored.get((want_kind, want_topic))
        if playbook is not None and playbook.variants:
            return ChosenPlaybook(
                playbook.name,
                tuple(playbook.variants),
                f"playbook #{playbook.pk}",
                how,
                playbook.pk,
            )
        builtin = builtin_for(kind, topic, purpose)
        if builtin is not None and (builtin[0].kind, builtin[0].topic) == (want_kind, want_topic):
            return ChosenPlaybook(builtin[0].name, builtin[0].variants, "built-in", how)
    return None


def draft_reply(
    conversation: Conversation,
    *,
    purpose: str,
    agent: User | None = None,
    variant: int | None = None,
    extra: Mapping[str, str] | None = None,
    public: bool | None = None,
) -> Draft:
    """A draft reply for the case.

    ``variant`` (0-based, wraps around) forces a variant; None picks the one least like the
    team's public replies of the last 30 days. ``extra`` overrides or adds variables
    (``expected_time``, ``survey_link``, ``case_link``, …). ``public`` defaults to the case's
    visibility. Raises DraftError for an unknown purpose, a spam or troll case (they get no
    reply) or when no playbook fits.
    """
    drafts = _drafts(conversation, purpose=purpose, agent=agent, extra=extra, public=public)
    playbook, rendered, public_reply = drafts
    n = len(rendered)
    recent = _recent_public_replies() if public_reply else []
    if variant is not None:
        index = variant % n
        why = f"variant {index + 1} of {n}, as asked"
    else:
        start = conversation.pk or 0
        choice = pt.choose_variant([r.text for r in rendered], recent, start=start)
        index = choice.index
        why = choice.reason if public_reply else f"variant {index + 1} of {n} (a private reply)"
    chosen = rendered[index]
    text = chosen.text
    if public_reply and _same_text(text) in {_same_text(r) for r in recent}:
        # Every variant can read the same for two people of the same first name; X refuses
        # a duplicate post outright, and a copy looks like a bot on every platform.
        text = f"{text} (ref. {conversation.pk})"
        why += "; word for word like a recent public reply, so the case reference is added"
    return Draft(
        text=text,
        reason=_reason(conversation, playbook, why, chosen, public_reply),
        playbook=playbook.name,
        purpose=purpose,
        variant=index,
        variant_count=n,
        variables=dict(chosen.used),
        fallbacks=chosen.fallbacks,
        public=public_reply,
    )


def draft_variants(
    conversation: Conversation,
    *,
    purpose: str,
    agent: User | None = None,
    count: int = 3,
    extra: Mapping[str, str] | None = None,
    public: bool | None = None,
) -> list[Draft]:
    """Up to ``count`` different drafts, the best choice first (see :func:`draft_reply`)."""
    first = draft_reply(conversation, purpose=purpose, agent=agent, extra=extra, public=public)
    drafts = [first]
    for step in range(1, min(count, first.variant_count)):
        drafts.append(
            draft_reply(
                conversation,
                purpose=purpose,
                agent=agent,
                extra=extra,
                public=public,
                variant=(first.variant + step) % first.variant_count,
            )
        )
    return drafts


def _drafts(
    conversation: Conversation,
    *,
    purpose: str,
    agent: User | None,
    extra: Mapping[str, str] | None,
    public: bool | None,
) -> tuple[ChosenPlaybook, list[pt.Rendered], bool]:
    if purpose not in pt.PURPOSES:
        raise DraftError(f"unknown purpose {purpose!r}; one of {', '.join(pt.PURPOSES)}")
    kind = conversation.triage_kind or ""
    if kind in pt.NO_REPLY_KINDS:
        raise DraftError(f"no playbook for {kind}: the response path recommends not replying to it")
    playbook = find_playbook(kind=kind, topic=conversation.triage_topic or "", purpose=purpose)
    if playbook is None:
        raise DraftError(f"no playbook for {purpose} on a {kind or 'untriaged'} case")
    public_reply = conversation.visibility != Visibility.PRIVATE if public is None else public
    values = case_variables(conversation, agent=agent, public=public_reply, purpose=purpose)
    for name, value in (extra or {}).items():
        if name in pt.VARIABLES and value:
            values[name] = str(value)
    rendered = [pt.render(template, values) for template in playbook.variants]
    return playbook, rendered, public_reply


def _reason(
    conversation: Conversation,
    playbook: ChosenPlaybook,
    why_variant: str,
    rendered: pt.Rendered,
    public: bool,
) -> str:
    kind = conversation.triage_kind or "untriaged"
    topic = conversation.triage_topic or "no topic"
    parts = [
        f"{playbook.source} '{playbook.name}' ({playbook.how}) for a {kind} case about {topic}",
        why_variant,
    ]
    if rendered.fallbacks:
        parts.append("no value for " + ", ".join(rendered.fallbacks) + ": a general phrase")
    if public and "order" in rendered.used:
        parts.append("order details left out of a public reply")
    return "; ".join(parts)


def case_variables(
    conversation: Conversation, *, agent: User | None, public: bool, purpose: str = "initial"
) -> dict[str, str]:
    """The playbook variables this case supplies ("" where it has none)."""
    order, product = ("", "") if public else order_and_product(conversation)
    return {
        "customer_name": customer_first_name(conversation),
        "order": order,
        "product": product,
        "issue": issue_phrase(conversation.triage_topic or ""),
        "agent_name": agent_first_name(agent),
        "contact_route": contact_route(conversation.channel.platform, public=public),
        "expected_time": expected_time(conversation, purpose=purpose),
        "case_link": case_link(conversation),
        "survey_link": "",
    }


def clean_first_name(raw: str) -> str:
    """The first word of a display name if it looks like a name (letters, 2-30 of them), else
    "". Handles, e-mail addresses, digits and symbols never pass."""
    raw = (raw or "").strip()
    if not raw or "@" in raw or raw.startswith("#"):
        return ""
    first = raw.split()[0]
    match = _NAME_PART.fullmatch(first)
    if match is None or not 2 <= len(first) <= 30:
        return ""
    return first[:1].upper() + first[1:] if first.islower() else first


def customer_first_name(conversation: Conversation) -> str:
    author = conversation.author
    if author is None:
        return ""
    candidates = [author.customer.display_name if author.customer else "", author.name]
    for raw in candidates:
        name = clean_first_name(raw)
        if name:
            return name
    return ""


def agent_first_name(agent: User | None) -> str:
    if agent is None:
        return ""
    return clean_first_name(agent.first_name) or clean_first_name(agent.username)


def issue_phrase(topic: str) -> str:
    if not topic or topic == "other":
        return ""
    if topic in _ISSUE_BY_TOPIC:
        return _ISSUE_BY_TOPIC[topic]
    from careline.assessments.models import Topic

    name = Topic.objects.filter(slug=topic).values_list("name", flat=True).first()
    return f"your message about {name.lower()}" if name else ""


def support_email() -> str:
    return str(getattr(settings, "CARELINE_SUPPORT_EMAIL", "") or DEFAULT_SUPPORT_EMAIL)


def contact_route(platform: str, *, public: bool) -> str:
    """How to reach us privately: a DM where the platform has them, else e-mail."""
    if not public:
        return "reply to this message"
    return _DM_ROUTES.get(platform) or f"e-mail us at {support_email()}"


def expected_time(conversation: Conversation, *, purpose: str = "initial") -> str:
    """When the next answer is due: the case's escalation or SLA due time when set and ahead,
    else the priority's default target."""
    from careline.workflow.sla import DEFAULT_TARGETS, Priority

    now = timezone.now()
    due: datetime | None = conversation.sla_next_due_at
    if purpose == "escalation_notice" and conversation.escalation_due_at:
        due = conversation.escalation_due_at
    if due is not None and due > now:
        return within(due - now)
    try:
        targets = DEFAULT_TARGETS[Priority(conversation.priority)]
    except ValueError:
        return ""
    if purpose == "escalation_notice":
        return within(targets.resolution)
    return within(targets.next_response)


def within(delta: timedelta) -> str:
    """'within 30 minutes', 'within the hour', 'within 4 hours', 'within 2 days'."""
    minutes = max(1, int(delta.total_seconds() // 60))
    if minutes <= 45:
        step = 5 if minutes > 10 else 1
        rounded = -(-minutes // step) * step
        return f"within {rounded} minute{'s' if rounded != 1 else ''}"
    if minutes <= 60:
        return "within the hour"
    hours = -(-minutes // 60)
    if hours <= 36:
        return f"within {hours} hours"
    days = -(-hours // 24)
    return f"within {days} days"


def case_link(conversation: Conversation) -> str:
    base = str(getattr(settings, "CARELINE_BASE_URL", "") or "").rstrip("/")
    return base + reverse("conversation", args=[conversation.pk]) if base else ""


def _inbound(conversation: Conversation) -> list[Message]:
    return list(
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .select_related("assessment")
        .order_by("-created_at", "-id")[:20]
    )


def order_and_product(conversation: Conversation) -> tuple[str, str]:
    """The order the customer named (from the private-data spans of their messages, else the
    legitimacy evidence) and the first item of it when the order is imported."""
    from careline.assessments.evidence import order_keys
    from careline.assessments.models import Assessment, Order

    number = ""
    for message in _inbound(conversation):
        try:
            assessment = message.assessment
        except Assessment.DoesNotExist:
            continue
        number = _order_in(message.text, assessment.private_data, assessment.evidence)
        if number:
            break
    if not number:
        return "", ""
    key, digits = order_keys(number)
    order = Order.objects.filter(number_key=key).first()
    if order is None and digits:
        order = Order.objects.filter(number_digits=digits).first()
    label = order.number if order is not None else number
    product = ""
    if order is not None and order.line_items:
        first = order.line_items.splitlines()[0]
        product = _SKU.sub("", _QUANTITY.sub("", first)).strip()
        product = f"your {product}" if product else ""
    return f"order {label}", product


def _order_in(text: str, spans: Sequence[Mapping[str, Any]], evidence: Sequence[Any]) -> str:
    for span in spans or []:
        if span.get("type") != "order_number":
            continue
        try:
            start, end = int(span["start"]), int(span["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= len(text) and end - start <= 40:
            return text[start:end].strip()
    for item in evidence or []:
        reason = item.get("reason", "") if isinstance(item, Mapping) else ""
        match = _EVIDENCE_ORDER.search(str(reason))
        if match:
            return match.group(1)
    return ""


def _recent_public_replies() -> list[str]:
    """The team's public replies of the last 30 days, newest first (at most 300)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    queryset = Message.objects.filter(
        direction=Direction.OUTBOUND, visibility=Visibility.PUBLIC, created_at__gte=since
    )
    return list(queryset.order_by("-created_at").values_list("text", flat=True)[:RECENT_LIMIT])


def _same_text(text: str) -> str:
    return " ".join(text.casefold().split())


def recent_public_replies() -> list[str]:
    """The team's public replies of the last 30 days (for the tone guard's near-duplicates)."""
    return _recent_public_replies()
