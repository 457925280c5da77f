"""Rule-based detector of private data: spans, types and a redacted rendering.

Types: ``card`` (13-19 digits, Luhn-valid, known issuer range, grouped by spaces or dashes),
``cvv`` and ``expiry`` (only beside a card), ``password`` and ``pin`` (shared in a phrase such
as "my password is X" or "pin 1234"), ``email``, ``phone`` (libphonenumber, default regions
GB then US), ``address`` (best effort: UK postcodes, US street lines and ZIP codes) and
``order_number`` (configurable pattern).

Reasons name the types and positions found, never the values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers

from careline.triage.base import Analyser, Prediction

PLACEHOLDERS = {
    "card": "[CARD]",
    "cvv": "[CVV]",
    "expiry": "[EXPIRY]",
    "password": "[PASSWORD]",
    "pin": "[PIN]",
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "address": "[ADDRESS]",
    "order_number": "[ORDER]",
}

# When two findings overlap the one earlier in this list wins.
PRIORITY = ("card", "cvv", "expiry", "password", "pin", "email", "order_number", "phone", "address")

DEFAULT_ORDER_PATTERN = (
    r"(?i)(?:(?<![\w#])#\s?(?P<a>[A-Z]{1,4}-\d{4,12})\b"
    r"|(?<![\w#])#(?P<b>\d{5,12})\b"
    r"|\border\b\s*(?:no\.?|number|num|nr|id|ref)?\s*[:#]?\s*#?\s*(?P<c>[A-Z]{0,4}-?\d{4,12})\b)"
)

# Characters people put between digit groups: spaces (incl. no-break and thin), dashes.
_SPACES = r"[ \u00a0\u2009\u202f]"
_SEP = rf"{_SPACES}*[-\u2010\u2011\u2012\u2013]{_SPACES}*|{_SPACES}{{1,3}}"
_DIGIT_RUN = re.compile(rf"(?<![\w.,/])\d+(?:(?:{_SEP})\d+)*(?![\w]|[.,/]\d)")
_GROUP = re.compile(r"\d+")

_NEGATIVE_CONTEXT = re.compile(
    r"(?i)\b(?:order|invoice|inv|tracking|track|parcel|package|shipment|consignment|waybill|awb"
    r"|isbn|iban|sort\s*code|account\s*(?:no|number|#)|acct|ref|reference|receipt|case|ticket"
    r"|confirmation|booking|serial|imei|barcode|ean|upc|sku|customer\s*(?:no|number|id)"
    r"|membership|member|policy|phone|tel|mobile|call|fax|whatsapp)\b"
)
_POSITIVE_CONTEXT = re.compile(
    r"(?i)\b(?:card|cards|visa|master\s*card|mastercard|amex|american\s+express|discover|jcb"
    r"|diners|maestro|unionpay|cc|credit|debit|pan|cvv|cvc|expiry|exp)\b"
)

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_ISBN = re.compile(
    r"(?i)\bISBN(?:-1[03])?:?\s*[\d\- ]{10,17}[\dX]\b|\b97[89][- ]?\d{1,5}[- ]\d+[- ]\d+[- ][\dX]\b"
)
_UPS = re.compile(r"(?i)\b1Z[0-9A-Z]{16}\b")

_EXPIRY = re.compile(
    r"(?i)(?:\b(?:exp(?:iry|iration|ires)?|valid\s+(?:thru|through|until)|good\s+thru)"
    r"(?:\s+date)?\.?\s*[:\-]?\s*)?"
    r"(?<!\d)(?P<v>(?:0?[1-9]|1[0-2])\s?[/\-.]\s?(?:20)?\d{2})(?![\d/])"
)
_CVV_LABELLED = re.compile(
    r"(?i)\b(?:cvv2?|cvc2?|cid|csc|cav2?|security\s+code|sec\s+code|3[- ]digit\s+code"
    r"|code\s+on\s+the\s+back)\s*(?:is|number|no\.?|code)?\s*[:#=\-]?\s*(?P<v>\d{3,4})(?!\d)"
)
_CVV_BARE = re.compile(r"[\s,;:/|\-]*(?P<v>\d{3,4})(?![\d/])")

_SECRET_WORDS = {
    "is",
    "was",
    "are",
    "not",
    "wrong",
    "incorrect",
    "invalid",
    "expired",
    "reset",
    "resets",
    "changed",
    "change",
    "working",
    "work",
    "works",
    "correct",
    "the",
    "a",
    "an",
    "my",
    "your",
    "too",
    "still",
    "being",
    "been",
    "now",
    "required",
    "same",
    "again",
    "please",
    "and",
    "or",
    "but",
    "for",
    "to",
    "of",
    "in",
    "on",
    "it",
    "that",
    "this",
    "there",
    "here",
    "just",
    "no",
    "none",
    "blank",
    "empty",
    "forgotten",
    "forgot",
    "locked",
    "lost",
    "stolen",
    "new",
    "old",
    "weak",
    "strong",
    "hidden",
    "sent",
    "updated",
    "update",
    "rejected",
    "accepted",
    "case",
    "sensitive",
    "manager",
    "protected",
    "recovery",
    "help",
    "issue",
    "problem",
    "doesn't",
    "doesnt",
    "isn't",
    "isnt",
    "won't",
    "wont",
    "didn't",
    "didnt",
    "has",
    "had",
    "have",
    "will",
    "would",
    "should",
    "can",
    "can't",
    "cant",
    "cannot",
    "must",
    "then",
    "so",
    "email",
    "e-mail",
    "link",
    "code",
    "number",
    "field",
    "box",
    "page",
    "screen",
    "different",
    "long",
    "short",
    "like",
    "every",
    "all",
    "any",
    "some",
    "also",
    "always",
    "never",
    "with",
    "without",
    "at",
    "by",
    "from",
    "as",
    "if",
    "when",
    "because",
    "did",
    "does",
    "do",
    "be",
    "[redacted]",
    "***",
    "xxxx",
    "xxx",
    "set",
    "saved",
}
_PASSWORD = re.compile(
    r"(?i)\b(?P<k>password|passwd|passcode|pass\s*word|pwd|pw|pword|pass)\b"
    r"(?P<conn>\s+(?:is|was|would\s+be|will\s+be)\b|\s*[:=]|\s+-)?"
    r"\s*[\"'\u201c\u2018\u00ab]?(?P<v>[^\s\"'\u201d\u2019\u00bb]{3,64})"
)
_PASSWORD_LIKE = re.compile(r"^(?=.*[A-Za-z])(?=.*[\d!@#$%^&*_+=?~]).{6,}$")
_PIN = re.compile(
    r"(?i)\b(?:pin|pin\s*(?:code|number|no\.?)|passcode)\s*(?:is|was|=|:|-|#)?\s*(?:is\s+)?"
    r"[\"'\u201c\u2018]?(?P<v>\d{4,8})(?!\d)"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}))*\.[A-Za-z]{2,24}\b"
)
_UK_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})\b"
)
_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Close|Way|Place|Pl"
    r"|Terrace|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Gardens|Grove|Row|Mews|Circle|Cir"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_STREET = re.compile(
    rf"(?<![\w#£$€.,])\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'\-]+\.?\s+){{1,4}}(?:{_STREET_TYPES})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?\s*#?\w+)?"
    rf"(?:,?\s+[A-Z][a-z][A-Za-z'\-]*(?:\s+[A-Z][a-z][A-Za-z'\-]*){{0,2}})?"
    rf"(?:,?\s+(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?)?"
)
_US_STATE_ZIP = re.compile(rf"\b(?:{_US_STATES}),?\s+\d{{5}}(?:-\d{{4}})?\b")

_ANY_DIGIT = re.compile(r"\d")
_SECRET_HINT = re.compile(r"(?i)p(?:ass|w|in\b|in\s*(?:code|number|no))")

_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(digits: str) -> bool:
    """Return True if the digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _LUHN_DOUBLE[d] if i % 2 else d
    return total % 10 == 0


def card_issuer(digits: str) -> str | None:
    """Return the issuer whose number range and length fit ``digits``, else None."""
    n = len(digits)
    p2 = int(digits[:2])
    p3 = int(digits[:3])
    p4 = int(digits[:4])
    p6 = int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "Visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "Mastercard"
    if p2 in (34, 37) and n == 15:
        return "American Express"
    if 2200 <= p4 <= 2204 and n == 16:
        return "Mir"
    if (p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925) and 16 <= n <= 19:
        return "Discover"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "JCB"
    if (300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095) and 14 <= n <= 19:
        return "Diners Club"
    if p2 in (62, 81) and 16 <= n <= 19:
        return "UnionPay"
    if (p2 == 50 or 56 <= p2 <= 69) and 13 <= n <= 19:
        return "Maestro"
    return None


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    detail: str = ""


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


class PrivateDataAnalyser(Analyser):
    """Find private data; label ``private_data`` or ``none``.

    ``extras``: ``spans`` (list of ``{"type","start","end"}``, sorted, non-overlapping,
    character offsets into the input) and ``redacted`` (the text with each span replaced by
    a placeholder such as ``[CARD]``).
    """

    name = "private_data"
    version = "1.0.0"

    def __init__(
        self,
        *,
        order_pattern: str | re.Pattern[str] | None = DEFAULT_ORDER_PATTERN,
        phone_regions: Sequence[str] = ("GB", "US"),
        redact_types: Iterable[str] | None = None,
        max_chars: int = 20_000,
    ) -> None:
        super().__init__()
        self.order_pattern = order_pattern
        self.phone_regions = tuple(phone_regions)
        self.redact_types = frozenset(PLACEHOLDERS if redact_types is None else redact_types)
        self.max_chars = max_chars
        self._order: re.Pattern[str] | None = None

    def _load(self) -> None:
        pattern = self.order_pattern
        self._order = re.compile(pattern) if isinstance(pattern, str) else pattern

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._one(text) for text in texts]

    def find(self, text: str) -> list[Finding]:
        """Return the non-overlapping findings in ``text``, sorted by start."""
        self.load()
        text = text[: self.max_chars]
        findings: list[Finding] = []
        # Cheap gates first: most messages have no digits, no "@" and no secret keyword.
        digits = len(_ANY_DIGIT.findall(text))
        excluded: list[tuple[int, int]] = []
        if digits >= 13:
            excluded = self._excluded_spans(text)
            cards = self._cards(text, excluded)
            findings += cards
            if cards:
                findings += self._card_companions(text, cards)
        if _SECRET_HINT.search(text):
            findings += self._secrets(text)
        if "@" in text:
            findings += [Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
        if digits:
            findings += self._orders(text)
            if digits >= 7:
                taken = [(f.start, f.end) for f in findings] + excluded
                findings += self._phones(text, taken)
            findings += self._addresses(text)
        return self._resolve(findings)

    def _one(self, text: str) -> Prediction:
        findings = self.find(text)
        spans = [{"type": f.type, "start": f.start, "end": f.end} for f in findings]
        redacted = self.redact(text, findings)
        if not findings:
            return Prediction(
                self.name,
                self.version,
                "none",
                1.0,
                "no private data found by the rules",
                {"spans": [], "redacted": redacted},
            )
        parts = []
        for f in findings:
            extra = f" ({f.detail})" if f.detail else ""
            parts.append(f"{f.type}{extra} at {f.start}-{f.end}")
        return Prediction(
            self.name,
            self.version,
            "private_data",
            1.0,
            "rules found " + "; ".join(parts),
            {"spans": spans, "redacted": redacted},
        )

    def redact(self, text: str, findings: Sequence[Finding]) -> str:
        """Return ``text`` with every finding of a redacted type replaced by its placeholder."""
        out: list[str] = []
        pos = 0
        for f in sorted(findings, key=lambda f: f.start):
            if f.type not in self.redact_types or f.start < pos:
                continue
            out.append(text[pos : f.start])
            out.append(PLACEHOLDERS[f.type])
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    # --- cards -------------------------------------------------------------------------

    @staticmethod
    def _excluded_spans(text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in _IBAN.finditer(text)]
        spans += [m.span() for m in _ISBN.finditer(text)]
        spans += [m.span() for m in _UPS.finditer(text)]
        return spans

    def _cards(self, text: str, excluded: list[tuple[int, int]]) -> list[Finding]:
        found: list[Finding] = []
        for run in _DIGIT_RUN.finditer(text):
            if _overlaps(run.span(), excluded):
                continue
            groups = [
                (g.start() + run.start(), g.end() + run.start())
                for g in _GROUP.finditer(run.group())
            ]
            total = sum(e - s for s, e in groups)
            if total < 13:
                continue
            match = self._card_in_groups(text, groups)
            if match is None:
                continue
            start, end, issuer, n = match
            if self._negative_context(text, start):
                continue
            found.append(Finding("card", start, end, f"{issuer}, {n} digits, Luhn-valid"))
        return found

    @staticmethod
    def _card_in_groups(
        text: str, groups: list[tuple[int, int]]
    ) -> tuple[int, int, str, int] | None:
        """Find a card in a run of digit groups: the whole run, or a leading part of it.

        Only leading parts are tried, and only when the rest is short (a CVV or a year typed
        straight after the number): searching inside long runs would find "cards" in
        tracking numbers and bank references.
        """
        lengths = [e - s for s, e in groups]
        if len(groups) > 1 and not (2 <= lengths[0] <= 6):
            return None
        for k in range(len(groups), 0, -1):
            head = lengths[:k]
            rest = sum(lengths[k:])
            if rest > 4 or (k < len(groups) and len(groups) - k > 1):
                break
            n = sum(head)
            if not 13 <= n <= 19:
                continue
            if k > 1 and min(head[1:-1], default=4) < 3:
                continue
            digits = "".join(text[s:e] for s, e in groups[:k])
            if not luhn_valid(digits):
                continue
            issuer = card_issuer(digits)
            if issuer is None:
                continue
            return groups[0][0], groups[k - 1][1], issuer, n
        return None

    @staticmethod
    def _negative_context(text: str, start: int) -> bool:
        """True if the nearest keyword in the 40 characters before the number is not a card's."""
        window = text[max(0, start - 40) : start]
        last_neg = max((m.end() for m in _NEGATIVE_CONTEXT.finditer(window)), default=-1)
        last_pos = max((m.end() for m in _POSITIVE_CONTEXT.finditer(window)), default=-1)
        return last_neg > last_pos

    @staticmethod
    def _card_companions(text: str, cards: list[Finding]) -> list[Finding]:
        """CVV and expiry date within 60 characters after (or 30 before) a card."""
        found: list[Finding] = []
        for card in cards:
            lo, hi = max(0, card.start - 30), min(len(text), card.end + 60)
            window = text[lo:hi]
            exp_spans: list[tuple[int, int]] = []
            for m in _EXPIRY.finditer(window):
                s, e = m.span("v")
                if lo + s < card.start and m.group(0) == m.group("v"):
                    continue  # an unlabelled date before the card is not its expiry
                found.append(Finding("expiry", lo + s, lo + e))
                exp_spans.append((lo + s, lo + e))
            for m in _CVV_LABELLED.finditer(window):
                s, e = m.span("v")
                if not _overlaps((lo + s, lo + e), exp_spans):
                    found.append(Finding("cvv", lo + s, lo + e))
            if not any(f.type == "cvv" for f in found):
                # an unlabelled 3-4 digit number right after the card or its expiry
                anchors = [card.end] + [e for _, e in exp_spans if e > card.end]
                for anchor in anchors:
                    bare = _CVV_BARE.match(text, anchor, min(len(text), anchor + 12))
                    if bare and not _overlaps(bare.span("v"), exp_spans):
                        found.append(Finding("cvv", *bare.span("v")))
                        break
        return found

    # --- secrets, orders, phones, addresses ---------------------------------------------

    @staticmethod
    def _secrets(text: str) -> list[Finding]:
        found: list[Finding] = []
        for m in _PIN.finditer(text):
            found.append(Finding("pin", *m.span("v")))
        for m in _PASSWORD.finditer(text):
            value = m.group("v").rstrip(".,!?;:)")
            if value.lower() in _SECRET_WORDS or value.lower().startswith(("http", "www.")):
                continue
            conn = m.group("conn") or ""
            if len(value) < 3 or value[0] in "#@":
                continue  # a hashtag or a handle
            if m.group("k").lower() == "pass" and not re.search("[:=]", conn):
                continue  # "pass X" / "the pass is X" is nearly always the verb or a ticket
            if not conn and not _PASSWORD_LIKE.match(value):
                continue  # without "is" / ":" only a password-looking value counts
            s = m.start("v")
            found.append(Finding("password", s, s + len(value)))
        return found

    def _orders(self, text: str) -> list[Finding]:
        if self._order is None:
            return []
        found = []
        for m in self._order.finditer(text):
            named = [g for g, v in m.groupdict().items() if v is not None]
            s, e = m.span(named[0]) if named else m.span()
            found.append(Finding("order_number", s, e))
        return found

    def _phones(self, text: str, taken: list[tuple[int, int]]) -> list[Finding]:
        found: list[Finding] = []
        seen: list[tuple[int, int]] = []
        for region in self.phone_regions:
            try:
                matcher = phonenumbers.PhoneNumberMatcher(
                    text, region, leniency=phonenumbers.Leniency.VALID, max_tries=200
                )
                matches = list(matcher)
            except Exception:  # noqa: S112 - a libphonenumber edge case must not fail triage
                continue
            for match in matches:
                span = (match.start, match.end)
                if _overlaps(span, seen) or _overlaps(span, taken):
                    continue
                if sum(ch.isdigit() for ch in match.raw_string) < 9:
                    continue
                before = text[max(0, span[0] - 25) : span[0]]
                if re.search(
                    r"(?i)\b(order|invoice|tracking|ref|reference|case|ticket)\b\W*$", before
                ) or before.endswith("#"):
                    continue
                seen.append(span)
                found.append(Finding("phone", *span))
        return found

    @staticmethod
    def _addresses(text: str) -> list[Finding]:
        spans = [m.span() for m in _STREET.finditer(text)]
        spans += [m.span() for m in _UK_POSTCODE.finditer(text) if not _overlaps(m.span(), spans)]
        spans += [m.span() for m in _US_STATE_ZIP.finditer(text) if not _overlaps(m.span(), spans)]
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and re.fullmatch(r"[\s,]{0,3}", text[merged[-1][1] : s]):
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [Finding("address", s, e) for s, e in merged]

    @staticmethod
    def _resolve(findings: list[Finding]) -> list[Finding]:
        rank = {t: i for i, t in enumerate(PRIORITY)}
        chosen: list[Finding] = []
        for f in sorted(findings, key=lambda f: (rank[f.type], f.start, -(f.end - f.start))):
            if f.end > f.start and not _overlaps(
                (f.start, f.end), [(c.start, c.end) for c in chosen]
            ):
                chosen.append(f)
        return sorted(chosen, key=lambda f: f.start)
