"""The tone guard's data: what it is told about a reply, what it finds, what it reports.

Plain Python, no Django: the composer, the training mode and ``careline tone-check`` share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("complaint", "question", "compliment", "feedback", "spam", "troll", "")
PLATFORMS = ("x", "facebook", "instagram", "messenger", "mastodon", "bluesky", "generic", "")
SEVERITIES = ("info", "warning", "block")

# Every category the guard can report, with what it means (docs/tone-guard.md has examples).
CATEGORIES: dict[str, str] = {
    "defensive": "arguing with the customer or defending the brand instead of helping",
    "dismissive": "brushing the problem or the person off",
    "blaming": "putting the problem on the customer",
    "admits_fault": "admitting the brand's fault before the case shows a verified cause",
    "unbacked_promise": "an amount, a date, an outcome or a guarantee the case does not back",
    "generic": "boilerplate with nothing about this person or their issue",
    "near_duplicate": "almost the same as a public reply of the last 30 days",
    "too_long": "too long for a public answer (more than about 4 sentences or 400 characters)",
    "over_limit": "longer than the platform accepts",
    "private_data": "private data (card, password, e-mail, phone, address, order) in the reply",
    "jargon": "internal, technical or legal language the customer should not need",
    "sarcasm": "sarcasm or mockery",
    "no_acknowledgment": "a complaint answered without acknowledging it or apologising",
    "promotion": "marketing in a complaint thread",
    "over_concession": "a refund or credit above the agent's concession limit",
}

_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
_PLATFORM_ALIASES = {"twitter": "x"}


def fact_is_true(value: Any) -> bool:
    """Whether a fact's value says yes: the rules and the learned model's gates read facts the
    same way ("pending", "denied", "no", "0" … are not a yes)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "no", "false", "none", "0", "pending", "denied")
    return bool(value)


def _decimal(value: Any, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field_name} must be a number, not a boolean")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{field_name} must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{field_name} must be a finite number ≥ 0, got {value!r}")
    return number


@dataclass(frozen=True)
class ReplyContext:
    """What the guard knows about the reply being written.

    ``facts`` are the verified facts of the case; the guard recognises these keys (any other
    key is still used: its values count as "known" when a reply mentions them):

    - ``order`` (str): the order reference; ``order_total`` (number): its value;
      ``currency`` (str): "GBP", "EUR", "USD" or a symbol.
    - ``refund`` (bool or number: approved, or the approved amount), ``refund_amount``,
      ``credit``, ``voucher``, ``discount_percent`` (numbers), ``replacement`` (bool):
      what has been agreed. A reply that offers one of these without the fact is unbacked.
    - ``cause_verified`` (bool) and ``cause`` (str): the brand's fault is established, so a
      reply may admit it.
    - ``expected_time``, ``delivery_date``, ``dispatch_date``, ``eta``, ``refund_date`` (str):
      dates and durations a reply may promise.
    - ``status``, ``tracking`` (str): where the order is; a reply may state it.
    - ``concession_approved`` (bool): a supervisor already approved the offer.
    - ``brand_contacts`` (list of str): the brand's own e-mail addresses, phone numbers and
      handles; they are never private data.
    - ``email``, ``phone``, ``address`` (str): the customer's; never to appear in public.

    ``recent_public_replies`` are the team's public replies of the last 30 days;
    ``customer_text`` the message(s) being answered; ``concession_limit`` the most the agent
    may refund or credit without approval, in the shop currency (None: no limit checked).
    ``from_dict`` also finds these three among the facts when the context lacks them.
    """

    kind: str = ""
    platform: str = ""
    public: bool = True
    customer_name: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    recent_public_replies: Sequence[str] = ()
    customer_text: str = ""
    concession_limit: Decimal | float | None = None

    @classmethod
    def from_dict(cls, data: Any) -> ReplyContext:
        """Build a context from its JSON form; raises ValueError naming the bad field."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError("context must be an object")
        kind = data.get("kind") or ""
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"context.kind must be one of {', '.join(k for k in KINDS if k)}")
        platform = data.get("platform") or ""
        platform = (
            _PLATFORM_ALIASES.get(platform, platform) if isinstance(platform, str) else platform
        )
        if not isinstance(platform, str) or platform not in PLATFORMS:
            names = ", ".join(p for p in PLATFORMS if p)
            raise ValueError(f"context.platform must be one of {names}")
        public = data.get("public", True)
        if not isinstance(public, bool):
            raise ValueError("context.public must be true or false")
        name = data.get("customer_name") or ""
        if not isinstance(name, str):
            raise ValueError("context.customer_name must be a string")
        facts = data.get("facts") or {}
        if not isinstance(facts, Mapping):
            raise ValueError("context.facts must be an object")

        def field_or_fact(name: str, *aliases: str) -> Any:
            # Producers that only know the short CLI form put these among the facts.
            for key in (name, *aliases):
                if data.get(key) is not None:
                    return data[key]
            for key in (name, *aliases):
                if facts.get(key) is not None:
                    return facts[key]
            return None

        recent = field_or_fact("recent_public_replies", "recent_replies") or []
        if not isinstance(recent, list) or not all(isinstance(r, str) for r in recent):
            raise ValueError("context.recent_public_replies must be a list of strings")
        customer_text = field_or_fact("customer_text", "customer_message") or ""
        if not isinstance(customer_text, str):
            raise ValueError("context.customer_text must be a string")
        limit = _decimal(field_or_fact("concession_limit"), "context.concession_limit")
        return cls(
            kind=kind,
            platform=platform,
            public=public,
            customer_name=name,
            facts=dict(facts),
            recent_public_replies=tuple(recent),
            customer_text=customer_text,
            concession_limit=limit,
        )


@dataclass(frozen=True)
class Finding:
    """One problem in a reply: ``text[start:end]`` is the offending span (the whole text when
    the problem is the whole reply), ``message`` says why, ``suggestion`` what to write."""

    category: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass
class ToneReport:
    """The guard's verdict on one reply.

    ``ok`` is True when no finding is a warning or a block. ``needs_approval`` is True when a
    supervisor must approve before sending: a risky reply (any block finding other than
    ``over_limit``, which no approval can fix) or an offer above the concession limit;
    ``approval_reasons`` says why, one readable sentence each.
    """

    findings: list[Finding] = field(default_factory=list)
    needs_approval: bool = False
    approval_reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity != "info" for f in self.findings)

    @property
    def severity(self) -> str:
        """The worst severity found ("" when there is no finding)."""
        if not self.findings:
            return ""
        return max((f.severity for f in self.findings), key=_SEVERITY_RANK.__getitem__)

    def categories(self) -> set[str]:
        return {f.category for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "needs_approval": self.needs_approval,
            "approval_reasons": list(self.approval_reasons),
        }
