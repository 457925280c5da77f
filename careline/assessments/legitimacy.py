"""Is it a real customer with a real problem? Evidence from orders, customers and other posts.

``LegitimacyChecker(subjects).load()`` reads, in a fixed number of queries for the whole
batch, the orders the messages name, the orders of their authors and the recent posts with the
same normalised text; ``verdict(subject)`` then combines the pipeline's spam verdict with:

- order numbers (the private-data analyser's ``order_number`` spans) matched against imported
  orders, and the order's e-mail and billing name against the author's;
- a complaint naming an order that does not exist;
- competitor names (``CARELINE_COMPETITORS``);
- copy-paste floods: the same normalised text from >= 3 authors within 24 hours;
- gibberish; link spam.

The rules and weights are in :mod:`careline.assessments.evidence`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from careline.assessments import conf
from careline.assessments.evidence import (
    FLOOD_AUTHORS,
    FLOOD_WINDOW_HOURS,
    WEIGHTS,
    Evidence,
    TextChecks,
    combine,
    competitor_evidence,
    gibberish,
    known_words,
    link_spam,
    order_keys,
    reason_lines,
)
from careline.assessments.models import Assessment, Order
from careline.inbox.models import Message
from careline.lib.idlists import in_list

WINDOW = timedelta(hours=FLOOD_WINDOW_HOURS)


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class Subject:
    """What the checker needs to know about one message and its triage."""

    message_id: int
    conversation_id: int
    author_id: int | None
    created_at: datetime
    text: str
    kind: str = ""
    order_numbers: list[str] = field(default_factory=list)
    # From the pipeline's own legitimacy (spam) rules; None when it failed on the message.
    pipeline_suspicion: float | None = None
    pipeline_reason: str = ""
    text_hash: str = ""
    author_email: str = ""
    author_name: str = ""
    # Computed ahead (a bulk import's triage worker), used with the default vocabulary only.
    text_checks: TextChecks | None = None


@dataclass
class Verdict:
    label: str
    score: float
    evidence: list[Evidence]
    reasons: list[str]


@dataclass
class _Post:
    message_id: int
    author: int | str
    created_at: datetime


@dataclass
class StoredFloodMember:
    """An earlier post that turns out to be part of a flood: its assessment needs updating."""

    message_id: int
    conversation_id: int
    verdict: Verdict
    reasons: list[str]


def order_numbers_in(text: str, spans: Sequence[dict[str, Any]]) -> list[str]:
    return [
        text[int(s["start"]) : int(s["end"])]
        for s in spans
        if s.get("type") == "order_number" and 0 <= int(s["start"]) < int(s["end"]) <= len(text)
    ]


def pipeline_legitimacy_reason(reasons: Sequence[str]) -> str:
    for line in reasons:
        if line.startswith("legitimacy=") and ": " in line:
            return line.split(": ", 1)[1]
    return ""


def is_legitimacy_line(line: str) -> bool:
    return line.startswith(("legitimacy=", "legitimacy evidence"))


class LegitimacyChecker:
    def __init__(
        self,
        subjects: Sequence[Subject],
        *,
        competitors: Sequence[str] | None = None,
        vocabulary: frozenset[str] | None = None,
    ) -> None:
        self.subjects = list(subjects)
        self.competitors = list(conf.competitors() if competitors is None else competitors)
        self.vocabulary = known_words() if vocabulary is None else vocabulary
        # TextChecks are computed with the default vocabulary.
        self.default_vocabulary = vocabulary is None
        self.orders_exist = False
        self.orders_by_key: dict[str, dict[str, Any]] = {}
        self.orders_by_digits: dict[str, dict[str, Any]] = {}
        self.orders_of_email: dict[str, int] = defaultdict(int)
        self.orders_of_name: dict[str, int] = defaultdict(int)
        self.posts: dict[str, list[_Post]] = defaultdict(list)
        self.stored: dict[int, dict[str, Any]] = {}

    def load(self) -> LegitimacyChecker:
        """Read what the batch needs: at most four queries, whatever its size."""
        self.orders_exist = Order.objects.exists()
        if self.orders_exist:
            self._load_orders()
        self._load_posts()
        return self

    def _load_orders(self) -> None:
        keys, digits = set(), set()
        for subject in self.subjects:
            for number in subject.order_numbers:
                key, only_digits = order_keys(number)
                keys.add(key)
                if only_digits:
                    digits.add(only_digits)
        fields = (
            "number",
            "number_key",
            "number_digits",
            "email",
            "name_key",
            "created_at",
            "financial_status",
            "fulfillment_status",
            "total",
            "currency",
        )
        if keys:
            for row in Order.objects.filter(
                in_list("number_key", keys) | in_list("number_digits", digits)
            ).values(*fields):
                self.orders_by_key[row["number_key"]] = row
                self.orders_by_digits.setdefault(row["number_digits"], row)
        emails = {s.author_email for s in self.subjects if s.author_email}
        names = {name_key(s.author_name) for s in self.subjects if name_key(s.author_name)}
        if emails or names:
            for email, key in Order.objects.filter(
                in_list("email", emails) | in_list("name_key", names)
            ).values_list("email", "name_key"):
                if email in emails:
                    self.orders_of_email[email] += 1
                if key in names:
                    self.orders_of_name[key] += 1

    def _load_posts(self) -> None:
        hashed = [s for s in self.subjects if s.text_hash]
        if not hashed:
            return
        ids = {s.message_id for s in self.subjects}
        for s in hashed:
            self.posts[s.text_hash].append(
                _Post(s.message_id, s.author_id or f"m{s.message_id}", s.created_at)
            )
        earliest = min(s.created_at for s in hashed) - WINDOW
        latest = max(s.created_at for s in hashed) + WINDOW
        stored = (
            Assessment.objects.filter(
                in_list("text_hash", {s.text_hash for s in hashed}),
                message__created_at__gte=earliest,
                message__created_at__lte=latest,
            )
            # Says what the hashes above imply, so that the partial index on non-empty hashes
            # serves the lookup (the planners cannot prove it from a long list of values).
            .exclude(text_hash="")
            .exclude(in_list("message_id", ids))
            # Whether each already says "flood", not its evidence and reasons: those are read
            # for the few posts this batch turns into a flood (``earlier_flood_members``).
            .annotate(flagged=_flood_flagged(connection.vendor))
            .values(
                "message_id",
                "text_hash",
                "message__author_id",
                "message__created_at",
                "message__conversation_id",
                "flagged",
            )
        )
        for row in stored:
            self.posts[row["text_hash"]].append(
                _Post(
                    row["message_id"],
                    row["message__author_id"] or f"m{row['message_id']}",
                    row["message__created_at"],
                )
            )
            self.stored[row["message_id"]] = dict(row)

    # --- the verdict -------------------------------------------------------------------------

    def verdict(self, subject: Subject) -> Verdict:
        evidence: list[Evidence] = []
        if subject.pipeline_suspicion is not None:
            evidence.append(
                Evidence(
                    "spam_rules",
                    subject.pipeline_suspicion,
                    f"pipeline: {subject.pipeline_reason or 'spam rules'}",
                )
            )
        evidence.extend(self._order_evidence(subject))
        checks = subject.text_checks if self.default_vocabulary else None
        for found in (
            competitor_evidence(subject.text, self.competitors),
            self._flood(subject.text_hash, subject.message_id, subject.created_at),
            gibberish(subject.text, self.vocabulary) if checks is None else checks.gibberish,
            link_spam(subject.text) if checks is None else checks.link_spam,
        ):
            if found is not None:
                evidence.append(found)
        label, score = combine(evidence)
        return Verdict(label, score, evidence, reason_lines(label, score, evidence))

    def _order_evidence(self, subject: Subject) -> list[Evidence]:
        found: list[Evidence] = []
        numbers = list(dict.fromkeys(subject.order_numbers))
        if not self.orders_exist:
            if numbers:
                listed = ", ".join(f"'{n}'" for n in numbers)
                found.append(
                    Evidence(
                        "order_unchecked", 0.0, f"order {listed} not checked: no orders imported"
                    )
                )
            return found
        for number in numbers:
            key, digits = order_keys(number)
            order = self.orders_by_key.get(key) or (
                self.orders_by_digits.get(digits) if digits else None
            )
            if order is None:
                if subject.kind == "complaint":
                    found.append(
                        Evidence(
                            "order_not_found_in_complaint",
                            WEIGHTS["order_not_found_in_complaint"],
                            f"a complaint about order '{number}', but no imported order has "
                            "that number",
                        )
                    )
                else:
                    found.append(
                        Evidence(
                            "order_not_found",
                            WEIGHTS["order_not_found"],
                            f"order '{number}' is not among the imported orders",
                        )
                    )
                continue
            someone_else = bool(
                subject.author_email and order["email"] and order["email"] != subject.author_email
            )
            # A real order number backs the claim, unless it is known to be someone else's.
            found.append(
                Evidence("order_found", 0.0, _describe(order, subject), verifies=not someone_else)
            )
            if someone_else:
                found.append(
                    Evidence(
                        "order_of_another_customer",
                        WEIGHTS["order_of_another_customer"],
                        f"order {order['number']} belongs to another e-mail address than the "
                        "author's",
                    )
                )
        if subject.author_email and self.orders_of_email.get(subject.author_email):
            count = self.orders_of_email[subject.author_email]
            found.append(
                Evidence(
                    "known_customer",
                    0.0,
                    f"the author's e-mail address is on {count} imported order(s)",
                    verifies=True,
                )
            )
        elif name_key(subject.author_name) and self.orders_of_name.get(
            name_key(subject.author_name)
        ):
            count = self.orders_of_name[name_key(subject.author_name)]
            found.append(
                Evidence(
                    "name_match",
                    0.0,
                    f"the author's name is the billing name of {count} imported order(s) "
                    "(a name alone proves little)",
                )
            )
        return found

    def _flood(self, text_hash: str, message_id: int, at: datetime) -> Evidence | None:
        if not text_hash:
            return None
        near = [p for p in self.posts.get(text_hash, []) if abs(p.created_at - at) <= WINDOW]
        authors = {p.author for p in near}
        if len(authors) < FLOOD_AUTHORS:
            return None
        others = len(authors) - 1
        return Evidence(
            "flood",
            WEIGHTS["flood"],
            f"the same text (after removing links, names and digits) came from {others} other "
            f"author(s) within {FLOOD_WINDOW_HOURS} h ({len(near)} posts)",
        )

    def earlier_flood_members(self) -> list[StoredFloodMember]:
        """Stored posts that this batch turns into a flood and that do not say so yet."""
        floods = {}
        for message_id, row in self.stored.items():
            if row["flagged"]:
                continue
            flood = self._flood(row["text_hash"], message_id, row["message__created_at"])
            if flood is not None:
                floods[message_id] = flood
        if not floods:
            return []
        stored = {
            message_id: (evidence, reasons)
            for message_id, evidence, reasons in Assessment.objects.filter(
                in_list("message_id", floods)
            ).values_list("message_id", "evidence", "reasons")
        }
        members = []
        for message_id, flood in floods.items():
            row = self.stored[message_id]
            stored_evidence, stored_reasons = stored[message_id]
            evidence = [Evidence.from_dict(e) for e in stored_evidence or []]
            if any(e.rule == "flood" for e in evidence):
                continue
            evidence.append(flood)
            label, score = combine(evidence)
            lines = reason_lines(label, score, evidence)
            reasons = [r for r in stored_reasons or [] if not is_legitimacy_line(r)] + lines
            members.append(
                StoredFloodMember(
                    message_id,
                    row["message__conversation_id"],
                    Verdict(label, score, evidence, lines),
                    reasons,
                )
            )
        return members


def _flood_flagged(vendor: str) -> RawSQL:
    """True where an assessment's evidence has a "flood" item (as ``Evidence.rule``)."""
    qn = connection.ops.quote_name
    column = f"{qn(Assessment._meta.db_table)}.{qn('evidence')}"
    if vendor == "postgresql":
        sql = f"{column} @> %s::jsonb"
        return RawSQL(sql, ['[{"rule": "flood"}]'], BooleanField())  # noqa: S611
    sql = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_extract(value, '$.rule') = %s)"  # noqa: S608
    return RawSQL(sql, ["flood"], BooleanField())  # noqa: S611


def _describe(order: dict[str, Any], subject: Subject) -> str:
    facts = []
    if order["created_at"] is not None:
        facts.append(f"placed {order['created_at']:%Y-%m-%d}")
    facts += [s for s in (order["financial_status"], order["fulfillment_status"]) if s]
    if order["total"] is not None:
        facts.append(f"{order['total']} {order['currency']}".strip())
    text = f"order {order['number']} exists" + (f" ({', '.join(facts)})" if facts else "")
    if subject.author_email and order["email"] == subject.author_email:
        text += "; its e-mail address is the author's"
    elif name_key(subject.author_name) and order["name_key"] == name_key(subject.author_name):
        text += "; it is in the author's name"
    return text


def pipeline_suspicion(out: dict[str, Any]) -> float | None:
    """How strongly the pipeline's own legitimacy rules (spam rules) suggest a fake."""
    label, score = out.get("legitimacy"), out.get("legitimacy_score")
    if label is None or score is None:
        return None
    return round(float(score) if label == "suspicious" else 1.0 - float(score), 4)


def author_identity(message: Message) -> tuple[str, str]:
    """(e-mail, name) of the message's author as far as careline knows them."""
    author = message.author
    if author is None:
        return "", ""
    customer = author.customer
    email = (customer.email if customer is not None else "").strip().lower()
    name = author.name or (customer.display_name if customer is not None else "")
    return email, name


def legitimacy_evidence(message: Message) -> tuple[str, float, list[str]]:
    """(label, score, reasons) for one stored inbound message, against today's orders and posts.

    Uses the message's stored triage (kind, order numbers, the pipeline's spam verdict) when
    it has one, else runs the triage pipeline on it. ``assess_messages`` uses
    :class:`LegitimacyChecker` directly, for a whole batch at once.
    """
    from careline.assessments.evidence import text_hash
    from careline.assessments.services import triage_items

    try:
        assessment: Assessment | None = message.assessment
    except Assessment.DoesNotExist:
        assessment = None
    if assessment is not None:
        spam = next((e for e in assessment.evidence or [] if e.get("rule") == "spam_rules"), None)
        kind, spans = assessment.kind, assessment.private_data or []
        suspicion = float(spam["weight"]) if spam is not None else None
        reason = str(spam["reason"]).removeprefix("pipeline: ") if spam is not None else ""
    else:
        out = triage_items([{"id": message.pk, "text": message.text}])[0]
        kind, spans = out["kind"] or "", out["private_data"] or []
        suspicion = pipeline_suspicion(out)
        reason = pipeline_legitimacy_reason(out["reasons"])
    email, name = author_identity(message)
    subject = Subject(
        message_id=message.pk,
        conversation_id=message.conversation_id,
        author_id=message.author_id,
        created_at=message.created_at,
        text=message.text,
        kind=kind,
        order_numbers=order_numbers_in(message.text, spans),
        pipeline_suspicion=suspicion,
        pipeline_reason=reason,
        text_hash=text_hash(message.text),
        author_email=email,
        author_name=name,
    )
    verdict = LegitimacyChecker([subject]).load().verdict(subject)
    return verdict.label, verdict.score, verdict.reasons
