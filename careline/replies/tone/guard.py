"""``check_reply``: the tone guard's rules applied to one reply. Pure and fast (it runs as the
agent types): a few dozen precompiled regular expressions, the private-data rules of triage,
and set arithmetic for near-duplicates.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from careline.replies.tone import learned, lexicon
from careline.replies.tone.limits import limit_for, over_limit
from careline.replies.tone.model import Finding, ReplyContext, ToneReport, fact_is_true
from careline.triage.analysers.private_data import PrivateDataAnalyser

# Rules run on at most this many characters; the platform limit is measured on the whole text.
MAX_SCAN = 20_000
# "Too long for a public answer": more than this many characters or full sentences.
PUBLIC_SOFT_CHARS = 400
PUBLIC_SOFT_SENTENCES = 4
# Jaccard similarity of character shingles at or above which two public replies are alike.
NEAR_DUPLICATE_SIMILARITY = 0.6
SHINGLE = 5

# One-for-one replacements, so offsets into the folded text are offsets into the reply.
_FOLD = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\uff07": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\d)|\.(?=[a-z]\.))+[.!?]*|\n")
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\bno|\bnothing|\bhardly|\bin no way|\bnone)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:usually|typically|normally|generally|can take|tend to|may|might|could|around|"
    r"about|roughly|approximately|should|would|didn't|did not|was due|were due|was supposed|"
    r"were supposed|hasn't|has not|wasn't|was meant)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_WORDS_ANY = re.compile(r"\w+")
_NUMBER_IN_TEXT = re.compile(r"\d+(?:[.,]\d+)*")
_GREETING_NAME = re.compile(
    r"^\s*(?:hi|hey|hello|dear|thanks|thank you|morning|evening|afternoon)\b[ ,]*[\w.'-]*",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"(?:\s*[-~^/]\s*[\w.]{1,20}\s*|\s*\^\w{1,4}\s*)$")
_TOLL_FREE = re.compile(r"^\+?1?[\s-]*\(?8(?:00|88|77|66|55|44|33)\)?|^0(?:800|808|500|3\d\d)")
_BRAND_MAILBOX = re.compile(
    r"^(?:support|help|helpdesk|care|customercare|customer\.care|customerservice|service|"
    r"hello|hi|team|contact|info|returns|orders|enquiries|inquiries|sales|social|press|"
    r"privacy|dpo|complaints|feedback|shop|store|billing|accounts|refunds)[\w.+-]*@",
    re.IGNORECASE,
)
_BRAND_CONTEXT = re.compile(
    r"(?:(?:email|e-mail|mail|call|ring|phone|text|whatsapp|message|contact|reach|write to|dm"
    r"|dial|try)\s+us|our (?:team|number|line|helpline|hotline|e-?mail|address|support|care"
    r" team|phone line|inbox)|us (?:at|on|via)|(?:helpline|hotline|support line|care team)"
    r"(?: is| on| at)?)\W{0,4}(?:\w+\W{1,3}){0,3}$",
    re.IGNORECASE,
)
_GUARANTEE_NOUN = re.compile(
    r"(?:\bour|\bthe|\ba|\byour|\bunder|year|month|\bback|lifetime|'s|\bprice|\bsatisfaction)"
    r"[\s-]*$",
    re.IGNORECASE,
)
_PASSWORD_SET = re.compile(
    r"\b(?:password|passcode|pass word|pin)\b[^.\n]{0,25}?\b(?:to|is|as|was|now)\b\s*[:\"']?"
    r"(?P<v>[^\s\"']{4,64})",
    re.IGNORECASE,
)
_SECRET_LIKE = re.compile(r"^(?=.*[A-Za-z])(?=.*[\d!@#$%^&*_+=?~]).{6,}$|^\d{4,8}$")
# A code or discount offered to make up for a problem is an offer to this customer, not an ad.
_MAKING_UP = re.compile(
    r"sorry|apolog|make (?:it |this )?up|trouble|hassle|for (?:the )?wait(?:ing)?|inconvenien"
    r"|gesture",
    re.IGNORECASE,
)
_SECRET_WORD = re.compile(r"p(?:ass|w|in\b|in\s*(?:code|number|no))", re.IGNORECASE)
_ALWAYS_PRIVATE = {"card", "cvv", "expiry", "password", "pin"}
_TIME_KEYS = ("expected_time", "delivery_date", "dispatch_date", "eta", "refund_date")
_STATUS_KEYS = (
    "status",
    "tracking",
    "dispatched",
    "shipped",
    "delivered",
    "dispatch_date",
    "delivery_date",
    "eta",
    "expected_time",
)
_OFFER_FACTS = {
    "refund": ("refund", "refund_amount", "refunded", "refund_status"),
    "replacement": ("replacement", "exchange", "replacement_sent", "reship"),
    "credit": (
        "credit",
        "voucher",
        "gift_card",
        "compensation",
        "goodwill",
        "discount_percent",
        "discount",
    ),
}
_GENERIC_TEXT = """
    about above after again against also always another anything anyway apologies apologise
    apologize appreciate aren't around asap assist assistance back been before being best
    better bring business can't care cause caused chat check checking closer come comment
    concern concerns contact contacting could customer customers dear definitely details
    didn't does doesn't doing done don't each even ever every everything experience feedback
    find first from further get getting give glad going good great happy have haven't hear
    hearing hello help here hope hoping how inconvenience information into issue issues it's
    just keep kind know last let's like little look looking love made make many matter maybe
    message more most much must need never next nice note only other ours over please pleased
    possible post priority problem problems quick quickly reach reaching really regards
    reply right said same satisfaction seriously shortly should since some something soon
    sorry sort still strive such sure take team than thank thanks that that's their them
    then there these they thing things think this those through time today touch understand
    very want wanted we'll we're we've were what when where which while will wish with
    within without wonderful would you'd you'll you're you've your yours hi hey dm message
    dms inbox private direct happen happened happening soon let reaching assist details
    order orders account regret regrets assured assure noted improve improving service
    services working valued important sincerely sincere any may experienced kindly rest
    apologise apologies inconvenienced ensure
    """
_GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())

_analyser: PrivateDataAnalyser | None = None


def _private_data_analyser() -> PrivateDataAnalyser:
    global _analyser
    if _analyser is None:
        analyser = PrivateDataAnalyser()
        analyser.load()
        _analyser = analyser
    return _analyser


class _Scan:
    """The reply prepared once for every rule: folded text, sentences, facts as sets."""

    def __init__(self, text: str, context: ReplyContext) -> None:
        self.text = text[:MAX_SCAN].translate(_FOLD)
        self.lower = _same_length_lower(self.text)
        self.context = context
        self.sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(self.text)]
        self.sentence_starts = [s for s, _ in self.sentences]
        self.fact_numbers, self.fact_strings = _flatten_facts(context.facts)
        customer = context.customer_text[:MAX_SCAN].translate(_FOLD)
        self.customer_lower = customer.lower()
        self.customer_numbers = {_as_decimal(n) for n in _NUMBER_IN_TEXT.findall(customer)}

    def sentence(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.sentence_starts, position) - 1
        if index < 0:
            return (0, len(self.text))
        return self.sentences[index]

    def sentence_text(self, position: int) -> str:
        """The lower-cased sentence around ``position`` (for the lexicon's patterns)."""
        start, end = self.sentence(position)
        return self.lower[start:end]

    def fact(self, key: str) -> Any:
        return self.context.facts.get(key)

    def has_fact(self, keys: Iterable[str]) -> bool:
        return any(fact_is_true(self.context.facts.get(k)) for k in keys)


def _same_length_lower(text: str) -> str:
    """``text.lower()``, except that the few characters whose lower case is longer (İ) stay
    as they are, so offsets into the result are offsets into ``text``."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _as_decimal(value: Any) -> Decimal | None:
    try:
        if isinstance(value, bool):
            return None
        text = str(value).replace(",", "")
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number.normalize() if number.is_finite() else None


def _flatten_facts(facts: Mapping[str, Any]) -> tuple[set[Decimal], list[str]]:
    numbers: set[Decimal] = set()
    strings: list[str] = []
    stack: list[Any] = [facts]
    seen = 0
    while stack and seen < 500:  # facts come from the case; stay bounded anyway
        seen += 1
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list | tuple | set):
            stack.extend(value)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float | Decimal):
            number = _as_decimal(value)
            if number is not None:
                numbers.add(number)
        else:
            text = str(value)[:500].translate(_FOLD).lower()
            strings.append(text)
            for raw in _NUMBER_IN_TEXT.findall(text):
                number = _as_decimal(raw)
                if number is not None:
                    numbers.add(number)
    return numbers, strings


def _is_conditional(scan: _Scan, start: int) -> bool:
    sentence_start, sentence_end = scan.sentence(start)
    sentence = scan.lower[sentence_start:sentence_end]
    return bool(lexicon.CONDITIONAL.search(sentence)) or sentence.rstrip().endswith("?")


def _negated(scan: _Scan, start: int) -> bool:
    return bool(_NEGATION.search(scan.text[max(0, start - 30) : start]))


# --- phrase rules --------------------------------------------------------------------------

_PHRASE_SEVERITY_PUBLIC = {"sarcasm": "block", "admits_fault": "block"}


def _phrase_findings(scan: _Scan) -> list[Finding]:
    context = scan.context
    findings: list[Finding] = []
    cause_verified = fact_is_true(context.facts.get("cause_verified"))
    for rule in lexicon.RULES:
        if rule.kinds and context.kind not in rule.kinds:
            continue
        if rule.category == "admits_fault" and cause_verified:
            continue
        if rule.category == "dismissive" and context.kind == "spam":
            continue  # turning spam away is the right answer
        for match in rule.pattern.finditer(scan.lower):
            start, end = match.span()
            if start == end:
                continue
            if rule.negatable and _negated(scan, start):
                continue
            if rule.unless_conditional and _is_conditional(scan, start):
                continue
            severity = "warning"
            if context.public:
                severity = _PHRASE_SEVERITY_PUBLIC.get(rule.category, "warning")
            message = rule.message
            if rule.category == "admits_fault":
                where = "in public " if context.public else ""
                message = (
                    f"Admits fault {where}although the case has no verified cause "
                    "(facts.cause_verified); it may be untrue and can be used against the brand."
                )
            findings.append(Finding(rule.category, severity, start, end, message, rule.suggestion))
    return findings


# --- promises and concessions --------------------------------------------------------------


def _money_value(match: re.Match[str]) -> Decimal | None:
    return _as_decimal(match.group("a") or match.group("b"))


def _currency(scan: _Scan, match: re.Match[str] | None = None) -> str:
    if match is not None and match.group("sym"):
        return match.group("sym")
    currency = str(scan.context.facts.get("currency") or "")
    return {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency.upper(), currency or "")


def _fmt(amount: Decimal, symbol: str) -> str:
    value = f"{amount:,.2f}"
    return f"{symbol}{value}" if len(symbol) <= 1 else f"{value} {symbol}"


def _time_backed(scan: _Scan, phrase: str, sentence: str) -> bool:
    phrase_l = phrase.lower()
    if phrase_l in scan.customer_lower:
        return True
    time_facts = [
        str(scan.context.facts.get(k)).translate(_FOLD).lower()
        for k in _TIME_KEYS
        if scan.context.facts.get(k)
    ]
    candidates = time_facts or scan.fact_strings
    sentence_l = sentence.lower()
    for fact in candidates:
        if not fact:
            continue
        if phrase_l in fact or (len(fact) >= 3 and fact in sentence_l):
            return True
        numbers = set(_NUMBER_IN_TEXT.findall(phrase_l))
        words = {w for w in re.findall(r"[a-z]+", phrase_l) if len(w) > 3}
        fact_words = set(re.findall(r"[a-z]+", fact))
        if numbers and numbers <= set(_NUMBER_IN_TEXT.findall(fact)):
            if not words - {"working", "business", "days", "hours", "weeks", "within"}:
                return True
            if words & fact_words:
                return True
        if not numbers and words and words <= fact_words:
            return True
    return False


def _promotional_sentences(scan: _Scan) -> set[tuple[int, int]]:
    """Sentences that advertise: a sale price there is marketing (see ``promotion``), not a
    promise about this case."""
    sentences = set()
    for rule in lexicon.RULES:
        if rule.category == "promotion":
            for match in rule.pattern.finditer(scan.lower):
                span = scan.sentence(match.start())
                if not _MAKING_UP.search(scan.lower[span[0] : span[1]]):
                    sentences.add(span)
    return sentences


def _promise_findings(scan: _Scan) -> list[Finding]:
    text = scan.text
    findings: list[Finding] = []
    promotional = _promotional_sentences(scan)

    for match in lexicon.GUARANTEE.finditer(scan.lower):
        if _negated(scan, match.start()) and "happen again" not in match.group().lower():
            continue
        if match.group().lower().startswith("guarantee") and _GUARANTEE_NOUN.search(
            text[max(0, match.start() - 16) : match.start()]
        ):
            continue  # "our 2-year guarantee" names a policy, it promises nothing new
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                "A guarantee nobody can keep for certain; if it fails, the public promise is "
                "what people remember.",
                "Say what you will do, not what will certainly happen: “We'll check with the "
                "courier and update you.”",
            )
        )

    for match in lexicon.OFFER.finditer(scan.lower):
        what = (match.group("what") or match.group("what2") or "").lower()
        if "refund" in what or "money back" in what or "reimburs" in what:
            kind = "refund"
        elif "replace" in what or "new" in what or "another" in what:
            kind = "replacement"
        else:
            kind = "credit"
        if scan.has_fact(_OFFER_FACTS[kind]) or _is_conditional(scan, match.start()):
            continue
        if kind == "refund" and scan.has_fact(("refund_amount",)):
            continue
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                f"Promises a {kind} that the case does not show as agreed (facts.{kind}).",
                f"Offer to check first: “Let's look at your order and sort out the best option” "
                f"— or record the {kind} on the case before promising it.",
            )
        )

    status_known = scan.has_fact(_STATUS_KEYS) or scan.has_fact(("replacement",))
    for match in lexicon.STATUS.finditer(scan.lower):
        if status_known or _is_conditional(scan, match.start()):
            continue
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                "States where the order is, but the case has no status or tracking to back it.",
                "Check the order first, or say you will: “Let me check where your parcel is.”",
            )
        )

    for match in lexicon.TIME.finditer(scan.lower):
        sentence = scan.sentence_text(match.start())
        if not lexicon.OUTCOME.search(sentence) or _HEDGE.search(sentence):
            continue
        if scan.sentence(match.start()) in promotional:
            continue
        if _time_backed(scan, match.group(), sentence):
            continue
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                f"Commits to a time (“{text[match.start() : match.end()]}”) the case does not back "
                "(facts.expected_time, delivery_date, refund_date).",
                "Give only a time the case shows, or say when you will update them instead.",
            )
        )

    money = [m for m in lexicon.MONEY.finditer(scan.lower) if _money_value(m) is not None]
    for match in money:
        value = _money_value(match)
        if value is None or value in scan.fact_numbers or value in scan.customer_numbers:
            continue
        if scan.sentence(match.start()) in promotional:
            continue
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                f"Mentions an amount ({text[match.start() : match.end()]}) that is not in the case "
                "facts.",
                "Quote only amounts the case shows (order total, agreed refund), or leave the "
                "amount for the private follow-up.",
            )
        )
    for match in lexicon.PERCENT.finditer(scan.lower):
        sentence = scan.sentence_text(match.start())
        value = _as_decimal(match.group("a"))
        if value is None or value in scan.fact_numbers or not lexicon.OFFER_WORDS.search(sentence):
            continue
        if scan.sentence(match.start()) in promotional:
            continue
        findings.append(
            Finding(
                "unbacked_promise",
                "warning",
                match.start(),
                match.end(),
                f"Offers {text[match.start() : match.end()]} that the case facts do not show as "
                "agreed.",
                "Record the discount on the case first, or offer to look into it privately.",
            )
        )

    findings += _concession_findings(scan, money)
    return findings


def _concession_findings(scan: _Scan, money: list[re.Match[str]]) -> list[Finding]:
    context = scan.context
    if context.concession_limit is None or fact_is_true(context.facts.get("concession_approved")):
        return []
    limit = _as_decimal(context.concession_limit)
    if limit is None:
        return []
    findings: list[Finding] = []
    offers: list[tuple[int, int, Decimal, str]] = []
    for match in money:
        sentence = scan.sentence_text(match.start())
        value = _money_value(match)
        if value is not None and lexicon.OFFER_WORDS.search(sentence):
            offers.append((match.start(), match.end(), value, _currency(scan, match)))
    total = _as_decimal(context.facts.get("order_total"))
    if total is not None:
        for match in lexicon.FULL_REFUND.finditer(scan.lower):
            offers.append((match.start(), match.end(), total, _currency(scan)))
        for match in lexicon.PERCENT.finditer(scan.lower):
            sentence = scan.sentence_text(match.start())
            pct = _as_decimal(match.group("a"))
            if pct is not None and re.search(r"refund|credit|back", sentence, re.IGNORECASE):
                offers.append((match.start(), match.end(), total * pct / 100, _currency(scan)))
    for start, end, value, symbol in offers:
        if value <= limit:
            continue
        findings.append(
            Finding(
                "over_concession",
                "block",
                start,
                end,
                f"Offers {_fmt(value, symbol)}, above your concession limit of "
                f"{_fmt(limit, symbol)}; a supervisor must approve it.",
                f"Offer up to {_fmt(limit, symbol)}, or send the reply for approval.",
            )
        )
    return findings


# --- private data --------------------------------------------------------------------------


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _brand_contact(scan: _Scan, kind: str, start: int, value: str) -> bool:
    contacts = scan.context.facts.get("brand_contacts") or ()
    if isinstance(contacts, str):
        contacts = (contacts,)
    value_l = value.lower()
    for contact in contacts:
        contact_l = str(contact).lower().strip()
        if contact_l and (
            contact_l == value_l or (_digits(contact_l) and _digits(contact_l) == _digits(value_l))
        ):
            return True
    echoed = value_l in scan.customer_lower or (
        kind == "phone"
        and len(_digits(value)) >= 7
        and _digits(value) in _digits(scan.customer_lower)
    )
    if echoed:
        return False
    if kind == "email" and _BRAND_MAILBOX.match(value):
        return True
    if kind == "phone" and _TOLL_FREE.match(value.strip()):
        return True
    return bool(_BRAND_CONTEXT.search(scan.text[max(0, start - 40) : start]))


def _private_data_possible(text: str) -> bool:
    """Whether a private reply can hold what is never allowed even in private: a card needs 13
    digits, a password or PIN its keyword (skips the slow phone-number search)."""
    return sum(ch.isdigit() for ch in text) >= 13 or bool(_SECRET_WORD.search(text))


def _private_findings(scan: _Scan) -> list[Finding]:
    context = scan.context
    findings: list[Finding] = []
    if context.public or _private_data_possible(scan.text):
        candidates = _private_data_analyser().find(scan.text)
    else:
        candidates = []
    for found in candidates:
        value = scan.text[found.start : found.end]
        if found.type in _ALWAYS_PRIVATE:
            findings.append(
                Finding(
                    "private_data",
                    "block",
                    found.start,
                    found.end,
                    f"Repeats a {found.type.replace('_', ' ')}: never write one in a reply, "
                    "public or private.",
                    "Remove it; if the customer shared it, ask them to delete it and never ask "
                    "for it on social media.",
                )
            )
        elif not context.public:
            continue
        elif found.type in ("email", "phone"):
            if _brand_contact(scan, found.type, found.start, value):
                continue
            findings.append(
                Finding(
                    "private_data",
                    "block",
                    found.start,
                    found.end,
                    f"A public reply shows the customer's {found.type}.",
                    "Remove it and continue in a private message.",
                )
            )
        elif found.type == "address":
            findings.append(
                Finding(
                    "private_data",
                    "block",
                    found.start,
                    found.end,
                    "A public reply shows a postal address.",
                    "Remove it and confirm the address in a private message.",
                )
            )
        elif found.type == "order_number":
            findings.append(
                Finding(
                    "private_data",
                    "warning",
                    found.start,
                    found.end,
                    "A public reply shows an order number, which identifies the customer's "
                    "purchase.",
                    "Leave it out in public; use it in the private conversation.",
                )
            )
    taken = [(f.start, f.end) for f in findings]
    for match in _PASSWORD_SET.finditer(scan.text):
        value = match.group("v").rstrip(".,!?;:)")
        start = match.start("v")
        if not _SECRET_LIKE.match(value) or any(
            s < start + len(value) and start < e for s, e in taken
        ):
            continue
        findings.append(
            Finding(
                "private_data",
                "block",
                start,
                start + len(value),
                "Writes out a password or PIN: anyone who sees the reply can use it.",
                "Send a reset link instead and never write a password in a message.",
            )
        )
    if context.public:
        for key in ("email", "phone", "address"):
            fact = context.facts.get(key)
            if not isinstance(fact, str) or len(fact) < 5:
                continue
            position = scan.lower.find(fact.translate(_FOLD).lower())
            if position >= 0 and not any(
                f.start <= position < f.end for f in findings if f.category == "private_data"
            ):
                findings.append(
                    Finding(
                        "private_data",
                        "block",
                        position,
                        position + len(fact),
                        f"A public reply shows the customer's {key} from the case.",
                        "Remove it and continue in a private message.",
                    )
                )
    return findings


# --- length --------------------------------------------------------------------------------


def _length_findings(text: str, scan: _Scan) -> list[Finding]:
    context = scan.context
    findings: list[Finding] = []
    limit = limit_for(context.platform, public=context.public)
    over = over_limit(text, limit) if limit is not None else None
    if limit is not None and over is not None:
        count, cut = over
        findings.append(
            Finding(
                "over_limit",
                "block",
                cut,
                len(text),
                f"{count:,} {limit.unit}; {limit.where} allows {limit.maximum:,}. "
                "The platform will refuse it.",
                "Shorten it, or move the details to a private message.",
            )
        )
    if context.public:
        # Greetings and sign-offs ("Hi Sam!", "- Mia") are not sentences a reader has to read.
        full = [(s, e) for s, e in scan.sentences if len(_WORDS_ANY.findall(scan.text[s:e])) >= 4]
        cut = len(text)
        reasons = []
        if len(text.strip()) > PUBLIC_SOFT_CHARS:
            cut = min(cut, PUBLIC_SOFT_CHARS)
            reasons.append(f"{len(text.strip()):,} characters")
        if len(full) > PUBLIC_SOFT_SENTENCES:
            start, end = full[PUBLIC_SOFT_SENTENCES]
            segment = scan.text[start:end]
            cut = min(cut, start + len(segment) - len(segment.lstrip()))
            reasons.append(f"{len(full)} sentences")
        if reasons:
            findings.append(
                Finding(
                    "too_long",
                    "warning",
                    cut,
                    len(text),
                    f"Long for a public answer ({' and '.join(reasons)}); people skim public "
                    "replies and details belong in private.",
                    "Keep the public reply to an acknowledgment and the next step (about 3 "
                    "sentences); put the details in a private message.",
                )
            )
    return findings


# --- acknowledgment, generic, near-duplicate -----------------------------------------------


def _first_sentence(scan: _Scan) -> tuple[int, int]:
    for start, end in scan.sentences:
        if scan.text[start:end].strip():
            stripped = len(scan.text[start:end]) - len(scan.text[start:end].lstrip())
            return start + stripped, end
    return 0, len(scan.text)


_ACKNOWLEDGMENT_SUGGESTION = (
    "Open by acknowledging the problem: “Sorry your order arrived damaged — that's not "
    "the experience we want for you.”"
)


def _acknowledgment_findings(scan: _Scan) -> list[Finding]:
    if scan.context.kind != "complaint" or not scan.text.strip():
        return []
    for match in lexicon.ACKNOWLEDGMENT.finditer(scan.lower):
        if _negated(scan, match.start()) and not match.group().lower().startswith("not"):
            continue
        # A non-apology ("sorry you feel that way") is already reported as dismissive.
        return []
    start, end = _first_sentence(scan)
    return [
        Finding(
            "no_acknowledgment",
            "warning",
            start,
            end,
            "Answers a complaint without acknowledging it or apologising.",
            _ACKNOWLEDGMENT_SUGGESTION,
        )
    ]


def _name_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s_@.,-]+", name.lower()) if len(t) >= 2]


def _mentions_name(scan: _Scan) -> bool:
    for token in _name_tokens(scan.context.customer_name):
        if re.search(rf"(?<!\w){re.escape(token)}(?!\w)", scan.lower):
            return True
    return False


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text) if w not in _GENERIC_WORDS}


def _has_detail(scan: _Scan) -> bool:
    for fact in scan.fact_strings:
        if len(fact) >= 3 and fact in scan.lower:
            return True
    for number in _NUMBER_IN_TEXT.findall(scan.lower):
        value = _as_decimal(number)
        if value is not None and (value in scan.fact_numbers or value in scan.customer_numbers):
            return True
    reply = _stems(scan.lower)
    if not scan.customer_lower:
        return False
    return bool(reply & _stems(scan.customer_lower))


_GENERIC_SUGGESTION = (
    "Use their name and one detail of what they wrote (the product, the date, what went wrong)."
)


def _generic_findings(scan: _Scan) -> list[Finding]:
    context = scan.context
    if context.kind in ("spam", "troll") or not scan.text.strip():
        return []
    if _has_detail(scan):
        return []
    stock = list(lexicon.STOCK_PHRASES.finditer(scan.lower))
    covered = sum(m.end() - m.start() for m in stock)
    letters = len(re.sub(r"[\W_]+", "", scan.text)) or 1
    coverage = covered / len(scan.text.strip())
    content = [
        w
        for w in _WORD.findall(scan.lower)
        if w not in _GENERIC_WORDS and w[:5] not in {m.group().lower()[:5] for m in stock}
    ]
    named = _mentions_name(scan)
    if not (context.customer_name or scan.customer_lower or context.facts):
        # Nothing to personalise with: only boilerplate through and through is generic.
        generic = coverage >= 0.5
    elif named:
        generic = coverage >= 0.5 and len(content) <= 4
    else:
        # Not one word beyond stock care language: boilerplate, however long.
        generic = coverage >= 0.25 or not content or (len(content) <= 1 and letters < 40)
    if not generic:
        return []
    start, end = (stock[0].start(), stock[0].end()) if stock else (0, len(scan.text))
    if len(stock) != 1:
        start, end = 0, len(scan.text)
    return [
        Finding(
            "generic",
            "warning",
            start,
            end,
            "Boilerplate with nothing about this person or their issue; it reads as a bot.",
            _GENERIC_SUGGESTION,
        )
    ]


_NORMALISE_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_NORMALISE_HANDLE = re.compile(r"[@#][\w.]+|https?://\S+|www\.\S+")
_NORMALISE_SPACE = re.compile(r"[\W_]+")


def _normalise(text: str, names: Iterable[str] = ()) -> str:
    text = text.translate(_FOLD).strip()
    text = _GREETING_NAME.sub("hi name", text, count=1)
    text = _SIGN_OFF.sub("", text)
    lowered = text.lower()
    for name in names:
        lowered = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "name", lowered)
    lowered = _NORMALISE_HANDLE.sub(" ref ", lowered)
    lowered = _NORMALISE_NUMBER.sub("0", lowered)
    return _NORMALISE_SPACE.sub(" ", lowered).strip()


@lru_cache(maxsize=8192)
def _shingles(normalised: str) -> frozenset[int]:
    if len(normalised) < SHINGLE:
        return frozenset({hash(normalised)})
    return frozenset(
        hash(normalised[i : i + SHINGLE]) for i in range(len(normalised) - SHINGLE + 1)
    )


@lru_cache(maxsize=8192)
def _recent_shingles(reply: str) -> frozenset[int]:
    return _shingles(_normalise(reply[:MAX_SCAN]))


def _near_duplicate_findings(text: str, scan: _Scan) -> list[Finding]:
    context = scan.context
    if not context.public or not context.recent_public_replies or not text.strip():
        return []
    mine = _shingles(_normalise(text[:MAX_SCAN], _name_tokens(context.customer_name)))
    best, best_reply = 0.0, ""
    # Jaccard(A, B) >= t is only possible when t * size(A) <= size(B) <= size(A) / t
    low, high = NEAR_DUPLICATE_SIMILARITY * len(mine), len(mine) / NEAR_DUPLICATE_SIMILARITY
    for reply in context.recent_public_replies:
        if not isinstance(reply, str) or not reply.strip():
            continue
        theirs = _recent_shingles(reply)
        size = len(theirs)
        if size < low or size > high:
            continue  # Jaccard can not reach the threshold
        common = len(mine & theirs)
        similarity = common / (len(mine) + size - common)
        if similarity > best:
            best, best_reply = similarity, reply
    if best < NEAR_DUPLICATE_SIMILARITY:
        return []
    preview = " ".join(best_reply.split())[:60]
    return [
        Finding(
            "near_duplicate",
            "warning",
            0,
            len(text),
            f"{best:.0%} alike to a recent public reply (“{preview}…”); identical replies look "
            "automated and X refuses duplicate posts.",
            "Write it for this person: their name, their issue, your own words.",
        )
    ]


# --- the learned phrase model --------------------------------------------------------------


@cache
def _suggestion(category: str) -> str:
    if category == "generic":
        return _GENERIC_SUGGESTION
    if category == "no_acknowledgment":
        return _ACKNOWLEDGMENT_SUGGESTION
    return next(rule.suggestion for rule in lexicon.RULES if rule.category == category)


def _learned_findings(text: str, scan: _Scan, rules: list[Finding]) -> list[Finding]:
    """What the learned model finds in a category no rule reported: the rules' wording is
    more precise, the model's only adds what they miss."""
    phrase_model = learned.shipped_model()
    if phrase_model is None:
        return []
    reported = {f.category for f in rules}
    findings = []
    for hit in phrase_model.predict(text[:MAX_SCAN], scan.context):
        if hit.category in reported:
            continue
        # Always a warning, never a block: a probability asks the agent to look again, it
        # does not hold the reply for a supervisor (blocks stay with the rules, which quote
        # the offending words). Odd text (markup, one word) can score high on a stray cue.
        findings.append(
            Finding(
                hit.category,
                "warning",
                hit.start,
                hit.end,
                hit.message(),
                _suggestion(hit.category),
            )
        )
    return findings


# --- the guard -----------------------------------------------------------------------------

_SEVERITY_RANK = {"block": 0, "warning": 1, "info": 2}


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    ordered = sorted(
        findings, key=lambda f: (f.category, _SEVERITY_RANK[f.severity], f.start, -f.end)
    )
    for finding in ordered:
        if any(
            k.category == finding.category and k.start < finding.end and finding.start < k.end
            for k in kept
        ):
            continue
        kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end, f.category))


def check_reply(text: str, context: ReplyContext, *, use_model: bool = True) -> ToneReport:
    """Check one reply; returns every finding, ordered by position, and whether a supervisor
    must approve it. Raises TypeError if ``text`` is not a string.

    ``use_model=False`` runs the rules alone (training compares against them); the learned
    phrase model is also skipped when no model is installed."""
    if not isinstance(text, str):
        raise TypeError("check_reply() takes the reply text as a string")
    scan = _Scan(text, context)
    findings = _phrase_findings(scan)
    findings += _promise_findings(scan)
    findings += _private_findings(scan)
    findings += _length_findings(text, scan)
    findings += _acknowledgment_findings(scan)
    findings += _generic_findings(scan)
    findings += _near_duplicate_findings(text, scan)
    if use_model:
        findings += _learned_findings(text, scan, findings)
    findings = _deduplicate(findings)
    reasons: list[str] = []
    for finding in findings:
        if finding.severity == "block" and finding.category != "over_limit":
            reason = f"{finding.category.replace('_', ' ')}: {finding.message}"
            if reason not in reasons:
                reasons.append(reason)
    return ToneReport(findings=findings, needs_approval=bool(reasons), approval_reasons=reasons)
