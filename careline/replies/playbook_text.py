"""Playbook templates as text: placeholders, validation, rendering and choosing a variant.

Plain Python, no Django: the drafting service, the playbook editor's preview and the tests
share it. A template is text with ``{name}`` placeholders; ``{{`` and ``}}`` stand for literal
braces. Only the names in :data:`VARIABLES` are allowed; a template naming another is refused
when it is saved, with an error that names it. A variable with no value is replaced by its
fallback phrase (:data:`FALLBACKS`), so a draft never reads "Hi ,".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PURPOSES: dict[str, str] = {
    "initial": "Initial response",
    "escalation_notice": "Escalation notice",
    "follow_up": "Follow-up",
    "resolution_check": "Resolution check",
    "satisfaction_ask": "Satisfaction ask",
    "story_consent": "Success-story consent ask",
}
# Kinds a playbook can be written for; "" means any kind. Spam and trolls get no playbook:
# the response path decides not to reply to them.
KINDS: dict[str, str] = {
    "": "Any kind",
    "complaint": "Complaint",
    "question": "Question / request",
    "compliment": "Compliment",
    "feedback": "Feedback / suggestion",
}
NO_REPLY_KINDS = frozenset({"spam", "troll"})

VARIABLES: dict[str, str] = {
    "customer_name": "the person's first name, as they show it",
    "order": "their order number (private replies only; public ones say 'your order')",
    "product": "the product of their order, else the topic",
    "issue": "a short cue of what their message is about (the topic)",
    "agent_name": "the first name of the agent who sends the reply",
    "contact_route": "how to reach us privately on this platform",
    "expected_time": "when to expect the next answer, e.g. 'within 30 minutes'",
    "case_link": "the link to the case in careline",
    "survey_link": "the satisfaction survey link",
}
FALLBACKS: dict[str, str] = {
    "customer_name": "there",
    "order": "your order",
    "product": "your order",
    "issue": "this",
    "agent_name": "the care team",
    "contact_route": "send us a private message",
    "expected_time": "as soon as we can",
    "case_link": "your case",
    "survey_link": "Just reply with a score from 1 (poor) to 5 (great).",
}
SAMPLE_VALUES: dict[str, str] = {
    "customer_name": "Jamie",
    "order": "#1001",
    "product": "the Trail Runner jacket",
    "issue": "a late delivery",
    "agent_name": "Priya",
    "contact_route": "send us a DM",
    "expected_time": "within the hour",
    "case_link": "https://careline.example/c/42/",
    "survey_link": "https://careline.example/s/abc/",
}

MAX_TEMPLATE_CHARS = 2_000
MAX_VARIANTS = 12
# A template reads "the same" as a recent reply at this similarity (0-1) and above.
SAME_AT = 0.6

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


class PlaybookTextError(ValueError):
    """A template that cannot be used; the message names the problem (and the variable)."""


@dataclass(frozen=True)
class Rendered:
    text: str
    used: dict[str, str] = field(default_factory=dict)
    fallbacks: tuple[str, ...] = ()


def placeholders(template: str) -> list[str]:
    """The variable names a template uses, in order of first use.

    Raises PlaybookTextError for a stray brace or a malformed placeholder.
    """
    names: dict[str, None] = {}
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise PlaybookTextError(
                f"a single '{token}' at character {match.start() + 1}: write {token}{token} "
                "for a literal brace"
            )
        names.setdefault(match.group(1).strip(), None)
    return list(names)


def validate_template(template: str) -> list[str]:
    """Check one template; returns its variable names.

    Raises PlaybookTextError naming the first unknown variable, a stray brace, an empty or an
    over-long template.
    """
    if not template.strip():
        raise PlaybookTextError("a variant cannot be empty")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise PlaybookTextError(f"a variant is limited to {MAX_TEMPLATE_CHARS} characters")
    names = placeholders(template)
    for name in names:
        if name not in VARIABLES:
            known = ", ".join(VARIABLES)
            raise PlaybookTextError(f"unknown variable {{{name}}}; the variables are: {known}")
    return names


def validate_variants(variants: Sequence[str]) -> list[str]:
    """Check a playbook's variants; returns them stripped. Raises PlaybookTextError naming the
    variant (1-based) and the problem."""
    cleaned = [v.strip() for v in variants if v.strip()]
    if not cleaned:
        raise PlaybookTextError("a playbook needs at least one variant")
    if len(cleaned) > MAX_VARIANTS:
        raise PlaybookTextError(f"a playbook has at most {MAX_VARIANTS} variants")
    for number, variant in enumerate(cleaned, start=1):
        try:
            validate_template(variant)
        except PlaybookTextError as exc:
            raise PlaybookTextError(f"variant {number}: {exc}") from None
    seen: dict[str, int] = {}
    for number, variant in enumerate(cleaned, start=1):
        key = " ".join(variant.split()).lower()
        if key in seen:
            raise PlaybookTextError(f"variant {number} repeats variant {seen[key]}")
        seen[key] = number
    return cleaned


def render(template: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill a template. Blank values get their fallback phrase; the result has single spaces
    within lines and no space before punctuation.

    Raises PlaybookTextError for an invalid template (see :func:`validate_template`).
    """
    validate_template(template)
    used: dict[str, str] = {}
    fell_back: list[str] = []

    def fill(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = (match.group(1) or "").strip()
        value = " ".join(str(values.get(name) or "").split())
        if not value:
            value = FALLBACKS[name]
            if name not in fell_back:
                fell_back.append(name)
        used[name] = value
        return value

    text = _TOKEN.sub(fill, template)
    return Rendered(text=tidy(text), used=used, fallbacks=tuple(fell_back))


def tidy(text: str) -> str:
    """Single spaces within each line, no space before , . ! ? and a capital first letter."""
    lines = []
    for line in text.splitlines():
        line = " ".join(line.split())
        line = re.sub(r"\s+([,.!?;:])", r"\1", line)
        lines.append(line)
    out = "\n".join(lines).strip()
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out[:1].upper() + out[1:]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    if len(tokens) < 2:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + 2]) for i in range(len(tokens) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity (0-1) of the two texts' word pairs, ignoring case and punctuation."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def _closest(candidate: set[tuple[str, ...]], recent: Sequence[set[tuple[str, ...]]]) -> float:
    if not candidate:
        return 0.0
    return max((len(candidate & r) / len(candidate | r) for r in recent), default=0.0)


@dataclass(frozen=True)
class VariantChoice:
    index: int
    closest: float  # highest similarity to a recent reply (0 when none)
    reason: str


def choose_variant(
    candidates: Sequence[str], recent: Iterable[str], *, start: int = 0
) -> VariantChoice:
    """Pick the candidate least like the recent replies.

    ``candidates`` are the rendered variants; ``recent`` the team's recent public replies.
    Ties go to the first candidate counting from ``start`` (so cases with no history still
    spread over the variants). Raises ValueError when there is no candidate.
    """
    if not candidates:
        raise ValueError("no variant to choose from")
    recent_list = [r for r in recent if r.strip()]
    recent_sets = [s for s in (_shingles(r) for r in recent_list) if s]
    n = len(candidates)
    order = [(start + i) % n for i in range(n)]
    scores = {i: _closest(_shingles(candidates[i]), recent_sets) for i in order}
    best = min(order, key=lambda i: scores[i])  # min() keeps the first of equal scores
    closest = scores[best]
    if not recent_list:
        reason = f"variant {best + 1} of {n} (no public replies in the last 30 days to avoid)"
    elif n == 1:
        reason = f"the only variant ({closest:.0%} like the closest recent public reply)"
    else:
        worst = max(scores.values())
        reason = (
            f"variant {best + 1} of {n}: least like the team's {len(recent_list)} recent public "
            f"replies ({closest:.0%} similar at most, against {worst:.0%} for the closest variant)"
        )
        if closest >= SAME_AT:
            reason += "; every variant is close to a recent reply, so personalise it further"
    return VariantChoice(index=best, closest=closest, reason=reason)
