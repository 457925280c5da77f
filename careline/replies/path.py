"""Which way to answer an item, and what duty of care asks of it. Pure: no Django.

``recommend_path(facts)`` returns one of four paths with a reason a person can read and the
steps to take:

- ``hybrid``: a short public acknowledgment (how to reach us privately), then the details in
  private. The default for complaints: people see that we answer, nobody's data goes public.
- ``public``: a simple question, a compliment, feedback — answered where it was asked.
- ``private``: direct messages (and items no longer visible in public).
- ``no_reply``: spam, duplicates, abuse — recorded with its reason, never silently dropped.

``moderation_decision(facts)`` says whether an item should be hidden (private data, offensive
to others), flagged for removal (not legitimate) or left alone — and when a hide must be
refused because the item is legitimate criticism. See docs/moderation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PATHS = ("hybrid", "public", "private", "no_reply")

# Private data that must not stay in public. An order number alone is not: people name their
# order when they complain, and hiding every such complaint would look like hiding criticism.
SENSITIVE_DATA = frozenset(
    {"card", "cvv", "expiry", "password", "pin", "email", "phone", "address"}
)
DATA_WORDS = {
    "card": "a card number",
    "cvv": "a card security code",
    "expiry": "a card expiry date",
    "password": "a password",
    "pin": "a PIN",
    "email": "an e-mail address",
    "phone": "a phone number",
    "address": "an address",
}
# The offensive head over-flags angry but fair complaints ("this is a disgrace" scores ~0.8),
# so hiding criticism for offensiveness needs a much surer verdict than the flag's 0.5.
OFFENSIVE_HIDE_SCORE = 0.9
# Automatic no-reply for spam only when triage is this sure (the spam rules' score).
AUTO_SPAM_SCORE = 0.9
CRITICISM_KINDS = frozenset({"complaint", "feedback"})
# Platforms whose API lets the brand hide other people's items (docs/connectors/): Facebook
# and Instagram comments; on X only replies in conversations the brand started.
HIDE_PLATFORMS = frozenset({"facebook", "instagram", "x"})
DELETE_PLATFORMS = frozenset({"facebook", "instagram"})


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the recommendation needs to know about one inbound item and its triage."""

    kind: str = ""  # triage kind; "" when untriaged
    public: bool = True
    kind_score: float | None = None
    sentiment: str = ""
    offensive_score: float | None = None
    hate: bool = False
    private_data: tuple[str, ...] = ()  # span types found by triage
    legitimacy: str = ""  # legitimate, verified, suspicious or ""
    evidence: tuple[str, ...] = ()  # legitimacy evidence, as readable lines
    indirect: bool = False  # found by listening, not addressed to us
    duplicate: bool = False  # the same person posted the same text earlier in the case
    hidden: bool = False
    deleted: bool = False
    platform: str = ""
    # False when the channel relays through a bridge or the item cannot be hidden there.
    can_hide: bool = False
    kind_reason: str = ""  # triage's own reason for the kind


@dataclass(frozen=True, slots=True)
class PathRecommendation:
    path: str
    reason: str
    steps: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "reason": self.reason, "steps": list(self.steps)}


@dataclass(frozen=True, slots=True)
class ModerationDecision:
    """``action``: ``hide``, ``flag`` (for removal), ``refuse`` (hiding it would hide
    legitimate criticism) or ``none``. ``explain_privately``: the person gets a private
    message saying why and continuing the case."""

    action: str
    reason: str
    explain_privately: bool = False
    ground: str = ""  # private_data, offensive, not_legitimate, criticism or ""


def sensitive_data(facts: ItemFacts) -> list[str]:
    """The sensitive span types of the item, in first-seen order, without repeats."""
    return list(dict.fromkeys(t for t in facts.private_data if t in SENSITIVE_DATA))


def is_offensive_to_others(facts: ItemFacts) -> bool:
    return facts.hate or (facts.offensive_score or 0.0) >= OFFENSIVE_HIDE_SCORE


def is_not_legitimate(facts: ItemFacts) -> bool:
    return facts.kind == "spam" or facts.legitimacy == "suspicious"


def is_legitimate_criticism(facts: ItemFacts) -> bool:
    """A complaint or feedback (or a negative question) that triage finds legitimate, not
    offensive to others and free of sensitive data: never hidden."""
    criticism = facts.kind in CRITICISM_KINDS or (
        facts.kind == "question" and facts.sentiment == "negative"
    )
    return (
        criticism
        and not is_not_legitimate(facts)
        and not is_offensive_to_others(facts)
        and not sensitive_data(facts)
    )


def recommend_path(facts: ItemFacts) -> PathRecommendation:
    """The recommended way to answer one item, with its reason and steps (duty-of-care steps
    such as hiding come first)."""
    found = _recommend(facts)
    if found.path == "public":
        protect = _protect_step(facts, sensitive_data(facts))
        return PathRecommendation(found.path, found.reason, (*protect, *found.steps))
    return found


def _recommend(facts: ItemFacts) -> PathRecommendation:
    exposed = sensitive_data(facts) if facts.public else []
    protect = _protect_step(facts, exposed)
    if facts.kind == "spam":
        why = f"spam: {facts.kind_reason}" if facts.kind_reason else "spam"
        return PathRecommendation(
            "no_reply",
            why,
            ("Record the decision not to reply (spam)", "Flag it for removal with the evidence"),
        )
    if facts.duplicate:
        return PathRecommendation(
            "no_reply",
            "duplicate: the same person posted the same text earlier in this case",
            ("Answer the earlier post", "Record the decision not to reply (duplicate)"),
        )
    if facts.kind == "troll":
        steps = ["Do not engage", "Record the decision not to reply (abusive)"]
        if facts.public and is_offensive_to_others(facts):
            steps.insert(0, "Hide it: it is offensive to others")
        return PathRecommendation(
            "no_reply", "abuse or trolling with no request to answer", tuple(steps)
        )
    if facts.deleted or facts.hidden:
        gone = "deleted" if facts.deleted else "hidden"
        return PathRecommendation(
            "private",
            f"the item is {gone} on the platform: continue with the person in private",
            (*protect, "Reply in private"),
        )
    if not facts.public:
        return PathRecommendation(
            "private",
            "direct message: answer in private",
            ("Reply in private",),
        )
    if facts.indirect:
        return _indirect(facts)
    if facts.kind in ("complaint", "") or exposed:
        what = "complaint" if facts.kind == "complaint" else "item"
        if exposed:
            why = (
                f"public {what} exposing private data ({', '.join(exposed)}): acknowledge "
                "publicly without repeating it, sort out the details in private"
            )
        elif facts.kind == "":
            why = "not triaged: the hybrid is the safe default until someone has read it"
        else:
            why = (
                "public complaint with details to sort out: a short public acknowledgment "
                "shows we answer, the details stay private"
            )
        return PathRecommendation(
            "hybrid",
            why,
            (
                *protect,
                "Acknowledge publicly and say how to reach us privately",
                "Resolve the details in private, in this same case",
            ),
        )
    if facts.kind == "question":
        if "order_number" in facts.private_data:
            return PathRecommendation(
                "hybrid",
                "question about a specific order: acknowledge publicly, check the order in private",
                (
                    "Acknowledge publicly and say how to reach us privately",
                    "Answer with the order's details in private",
                ),
            )
        return PathRecommendation(
            "public",
            "simple question: answer it where it was asked, others may have it too",
            ("Answer publicly",),
        )
    if facts.kind == "compliment":
        return PathRecommendation(
            "public",
            "compliment: thank them publicly so the public feed is not one-sided",
            ("Thank them publicly",),
        )
    if facts.kind == "feedback":
        return PathRecommendation(
            "public",
            "feedback: thank them publicly and say what happens with it",
            ("Reply publicly",),
        )
    return PathRecommendation(
        "public",
        "no clear request: a short public reply if it is addressed to us",
        ("Reply publicly, or record why not",),
    )


def _indirect(facts: ItemFacts) -> PathRecommendation:
    if facts.kind in ("complaint", "question"):
        return PathRecommendation(
            "public",
            f"{facts.kind} found by listening, not addressed to us: offer help publicly "
            "once, without pushing",
            ("Offer help publicly, once",),
        )
    if facts.kind == "compliment":
        return PathRecommendation(
            "public",
            "compliment found by listening: a short public thanks",
            ("Thank them publicly",),
        )
    return PathRecommendation(
        "no_reply",
        "found by listening and not addressed to us",
        ("Record the decision not to reply (not addressed to us)",),
    )


def _protect_step(facts: ItemFacts, exposed: list[str]) -> tuple[str, ...]:
    """Duty-of-care steps that come before any answer."""
    if facts.hidden or facts.deleted or not facts.public:
        return ()
    steps = []
    if exposed and facts.can_hide:
        steps.append(f"Hide it: it exposes {_words(exposed)}; explain why in private")
    elif exposed:
        steps.append(f"Ask the person in private to remove it: it exposes {_words(exposed)}")
    elif is_offensive_to_others(facts):
        steps.append("Hide it: it is offensive to others; answer the request in private")
    if facts.legitimacy == "suspicious":
        steps.append("Check the legitimacy evidence before answering")
    return tuple(steps)


def _words(types: list[str]) -> str:
    return ", ".join(DATA_WORDS.get(t, t) for t in types)


def moderation_decision(facts: ItemFacts) -> ModerationDecision:
    """What duty of care asks of an item: hide it, flag it for removal, or nothing — and
    ``refuse`` for legitimate criticism, which is never hidden."""
    if facts.deleted:
        return ModerationDecision("none", "the item is deleted on the platform")
    exposed = sensitive_data(facts)
    if exposed and facts.public:
        return ModerationDecision(
            "hide",
            f"exposes private data in public ({', '.join(exposed)})",
            explain_privately=True,
            ground="private_data",
        )
    if is_offensive_to_others(facts) and facts.public:
        score = facts.offensive_score or 0.0
        what = "hateful" if facts.hate else f"offensive to others (triage p={score:.2f})"
        # A real request behind the insults still gets an answer, in private.
        request = facts.kind in ("complaint", "question", "feedback")
        return ModerationDecision("hide", what, explain_privately=request, ground="offensive")
    if is_not_legitimate(facts):
        evidence = "; ".join(facts.evidence) or facts.kind_reason or "triage says spam"
        return ModerationDecision("flag", f"not legitimate: {evidence}", ground="not_legitimate")
    if is_legitimate_criticism(facts):
        return ModerationDecision("refuse", criticism_refusal(facts), ground="criticism")
    if not facts.public:
        return ModerationDecision("none", "a private message: nothing public to moderate")
    return ModerationDecision("none", "nothing to hide: no private data, not offensive")


def criticism_refusal(facts: ItemFacts) -> str:
    """Why a hide is refused, for the person who asked."""
    kind = facts.kind or "item"
    legit = facts.legitimacy or "legitimate"
    return (
        f"legitimate criticism is never hidden: this {kind} is {legit}, not offensive to "
        "others and exposes no private data — answer it instead"
    )
