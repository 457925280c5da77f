"""The write path for triage results: assess messages, correct them, edit the taxonomy.

``assess_messages(ids)`` is called by ingestion, inside its transaction, for every batch it
stores. It runs the triage pipeline once over the batch, adds the legitimacy evidence, stores
one :class:`Assessment` per inbound message with one bulk insert and refreshes the cases'
triage summary (``Conversation.triage_*``) with one read and one batched update. The pipeline
is loaded once per process and shared by threads; the taxonomy is re-read on every batch (one
small query) so a supervisor's edit applies from the next batch on, in every process.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from careline.accounts.models import User
from careline.assessments import conf
from careline.assessments.context import context_severity, load_contexts, raised
from careline.assessments.evidence import TextChecks, text_hash
from careline.assessments.legitimacy import (
    LegitimacyChecker,
    StoredFloodMember,
    Subject,
    Verdict,
    order_numbers_in,
    pipeline_legitimacy_reason,
    pipeline_suspicion,
)
from careline.assessments.models import (
    FALLBACK_TOPIC,
    Assessment,
    CorrectableField,
    Correction,
    Kind,
    Legitimacy,
    Sentiment,
    Topic,
)
from careline.assessments.pipeline_worker import PrecomputedTriage, Taxonomy
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.inbox.models import Direction, Message
from careline.ingestion import bulk
from careline.lib.idlists import in_list
from careline.triage.analysers.taxonomy import (
    MAX_KEYWORD_CHARS,
    TaxonomyTopicAnalyser,
    clean_keywords,
)
from careline.triage.pipeline import TriagePipeline

log = logging.getLogger(__name__)

BATCH = 2000
TIER = "default"
LEGITIMACY_VERSION = "1.0.0"

# Severity 0-100: each pipeline label owns a band; the score moves the value inside it.
SEVERITY_BANDS = {"low": (0, 24), "medium": (25, 49), "high": (50, 74), "critical": (75, 100)}


def severity_points(label: str | None, score: float | None) -> int:
    """The pipeline's severity label and score as 0-100.

    low 0-24, medium 25-49, high 50-74, critical 75-100. For medium, high and critical the
    score measures intensity (e.g. anger or negativity), so a higher score goes up the band;
    for low it is the confidence that nothing is wrong (1 - p(negative)), so it goes down.
    An untriaged message is 0.
    """
    if label not in SEVERITY_BANDS or score is None:
        return 0
    low, high = SEVERITY_BANDS[label]
    step = int(min(max(score, 0.0), 1.0) * (high - low) + 0.5)
    return high - step if label == "low" else low + step


# --- the pipeline, once per process ------------------------------------------------------------

_lock = threading.Lock()
_pipeline: TriagePipeline | None = None


def active_taxonomy() -> Taxonomy:
    """The active topics in priority order, with their keywords (one query)."""
    return [
        (slug, clean_keywords(keywords))
        for slug, keywords in Topic.objects.filter(active=True)
        .order_by("ordering", "slug")
        .values_list("slug", "keywords")
    ]


def _run(
    items: Sequence[dict[str, Any]], taxonomy: Taxonomy | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Triage ``items`` with the cached pipeline and ``taxonomy`` (default: the current one);
    also the versions."""
    global _pipeline
    topics = active_taxonomy() if taxonomy is None else taxonomy
    analyser = TaxonomyTopicAnalyser(topics, fallback=FALLBACK_TOPIC)
    # One lock for loading, swapping the taxonomy and running: the models load once, and a
    # batch's results and stored versions always come from the same taxonomy.
    with _lock:
        if _pipeline is None:
            pipeline = TriagePipeline(TIER, topic_analyser=analyser)
            pipeline.load()
            _pipeline = pipeline
        elif _pipeline.topic.version != analyser.version:
            analyser.load()
            _pipeline.topic = analyser
        return _pipeline.run(items), dict(_pipeline.versions)


def triage_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pipeline's output for ``items`` (``{"id", "text", "author"?}``), nothing stored."""
    return _run(items)[0]


# --- assessing ---------------------------------------------------------------------------------

ASSESSMENT_FIELDS = (
    "message",
    "kind",
    "kind_score",
    "sentiment",
    "sentiment_score",
    "emotion",
    "emotion_score",
    "irony",
    "irony_score",
    "offensive",
    "offensive_score",
    "hate",
    "hate_score",
    "severity",
    "severity_label",
    "topic",
    "topic_score",
    "private_data",
    "has_private_data",
    "redacted",
    "legitimacy",
    "legitimacy_score",
    "evidence",
    "reasons",
    "versions",
    "tier",
    "text_hash",
    "created_at",
)


def assess_messages(
    message_ids: Sequence[int],
    *,
    force: bool = False,
    precomputed: PrecomputedTriage | None = None,
    unsaved_cases: UnsavedCases | None = None,
) -> int:
    """Triage the inbound messages among ``message_ids`` that have no assessment yet.

    Returns how many assessments were stored. Does nothing (returns 0) when
    ``CARELINE_TRIAGE_ON_INGEST`` is off, unless ``force``. Outbound messages and messages
    already assessed are skipped, so calling it twice is harmless. One bad message gets an
    assessment with empty labels and an ``error:`` reason; it never fails the batch.

    ``precomputed``: pipeline results a triage worker computed ahead (bulk import). One is
    used only for a message with exactly its text and author handle, and only if it was
    computed with the current taxonomy; every other message is triaged here, as without it.

    ``unsaved_cases``: cases of these messages that the caller inserts afterwards (ingestion's
    new cases); their summaries are kept there for the insert instead of written.
    """
    if not message_ids or not (force or conf.triage_on_ingest()):
        return 0
    ids = list(message_ids)
    return sum(
        _assess_batch(ids[start : start + BATCH], precomputed, unsaved_cases)
        for start in range(0, len(ids), BATCH)
    )


def _pipeline_outputs(
    rows: list[tuple[Any, ...]], precomputed: PrecomputedTriage | None
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, TextChecks]]:
    """The pipeline's output for each row (in order), the versions, and the text checks the
    worker computed (by text): the worker's where it computed exactly this text and author
    with this taxonomy, the rest computed now."""
    taxonomy = active_taxonomy()
    items = [{"id": r[0], "text": r[3], "author": r[5] or ""} for r in rows]
    if precomputed is None or not precomputed.usable_with(TIER, taxonomy, FALLBACK_TOPIC):
        return (*_run(items, taxonomy), {})
    outs: list[dict[str, Any] | None] = []
    missing: list[int] = []
    for i, item in enumerate(items):
        out = precomputed.outputs.get((item["text"], item["author"]))
        if out is None:
            missing.append(i)
        # A copy per message: the same text may be stored twice, and outputs get mutated.
        outs.append(None if out is None else {**out, "id": item["id"]})
    versions = dict(precomputed.versions)
    if missing:
        inline, inline_versions = _run([items[i] for i in missing], taxonomy)
        if inline_versions != versions:
            # Another model bundle than the worker's (retrained meanwhile): all from here.
            log.warning("triage worker versions differ from this process's; triaging inline")
            return (*_run(items, taxonomy), {})
        for i, out in zip(missing, inline, strict=True):
            outs[i] = out
    return [out for out in outs if out is not None], versions, precomputed.text_checks


def _assess_batch(
    ids: list[int],
    precomputed: PrecomputedTriage | None = None,
    unsaved_cases: UnsavedCases | None = None,
) -> int:
    rows = list(
        Message.objects.filter(
            in_list("pk", ids), direction=Direction.INBOUND, assessment__isnull=True
        )
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "conversation_id",
            "author_id",
            "text",
            "created_at",
            "author__handle",
            "author__name",
            "author__customer__email",
            "author__customer__display_name",
        )
    )
    if not rows:
        return 0
    outs, versions, checks = _pipeline_outputs(rows, precomputed)
    versions["legitimacy"] = LEGITIMACY_VERSION
    subjects = [_subject(row, out, checks.get(row[3])) for row, out in zip(rows, outs, strict=True)]
    checker = LegitimacyChecker(subjects).load()

    at = bulk.datetime_adapter()
    now = timezone.now()
    created = at(now)
    as_json = bulk.json_adapter()
    versions_json = as_json(versions)
    no_spans = as_json([])
    values = []
    for subject, out in zip(subjects, outs, strict=True):
        verdict = _verdict(checker, subject)
        values.append(_row(subject, out, verdict, versions_json, created, no_spans, as_json))
    with transaction.atomic():
        bulk.insert_rows(Assessment, ASSESSMENT_FIELDS, values)
        earlier = checker.earlier_flood_members()
        if earlier:
            _store_flood_members(earlier)
        refresh_summaries(
            {s.conversation_id for s in subjects} | {m.conversation_id for m in earlier},
            unsaved_cases=unsaved_cases,
        )
    return len(values)


def _subject(row: tuple[Any, ...], out: dict[str, Any], checks: TextChecks | None) -> Subject:
    pk, conversation_id, author_id, text, created_at, _handle, name, email, display = row
    return Subject(
        message_id=pk,
        conversation_id=conversation_id,
        author_id=author_id,
        created_at=created_at,
        text=text,
        kind=out["kind"] or "",
        order_numbers=order_numbers_in(text, out["private_data"] or []),
        pipeline_suspicion=pipeline_suspicion(out),
        pipeline_reason=pipeline_legitimacy_reason(out["reasons"] or []),
        text_hash=text_hash(text) if checks is None else checks.text_hash,
        author_email=(email or "").strip().lower(),
        author_name=name or display or "",
        text_checks=checks,
    )


def _verdict(checker: LegitimacyChecker, subject: Subject) -> Verdict:
    try:
        return checker.verdict(subject)
    except Exception as exc:  # one message's odd data must not fail the batch
        log.exception("legitimacy check of message %s failed", subject.message_id)
        return Verdict("", 0.0, [], [f"legitimacy: error: {type(exc).__name__}: {exc}"])


def _flag(label: str | None, score: float | None, flag: str) -> tuple[bool, float | None]:
    """A binary head's output as (flag, probability of the flag)."""
    if label is None or score is None:
        return False, None
    if label == flag:
        return True, float(score)
    return False, round(1.0 - float(score), 4)


def _row(
    subject: Subject,
    out: dict[str, Any],
    verdict: Verdict,
    versions_json: Any,
    created: Any,
    no_spans: Any,
    as_json: Callable[[Any], Any],
) -> tuple[Any, ...]:
    irony, irony_score = _flag(out["irony"], out["irony_score"], "irony")
    offensive, offensive_score = _flag(out["offensive"], out["offensive_score"], "offensive")
    hate, hate_score = _flag(out["hate"], out["hate_score"], "hate")
    severity = severity_points(out["severity"], out["severity_score"])
    prefix = f"severity={out['severity']}"
    reasons = []
    for line in out["reasons"] or []:
        if line.startswith("legitimacy"):
            continue  # replaced by the combined verdict below
        if line.startswith(prefix + " "):
            line = f"{prefix} {severity}/100{line[len(prefix) :]}"
        reasons.append(line)
    reasons += verdict.reasons
    spans = out["private_data"] or []
    return (
        subject.message_id,
        out["kind"] or "",
        out["kind_score"],
        out["sentiment"] or "",
        out["sentiment_score"],
        out["emotion"] or "",
        out["emotion_score"],
        irony,
        irony_score,
        offensive,
        offensive_score,
        hate,
        hate_score,
        severity,
        out["severity"] or "",
        out["topic"] or "",
        out["topic_score"],
        as_json(spans) if spans else no_spans,
        bool(spans),
        out["redacted"] or "",
        verdict.label,
        verdict.score if verdict.label else None,
        as_json([e.to_dict() for e in verdict.evidence]),
        as_json(reasons),
        versions_json,
        TIER,
        subject.text_hash,
        created,
    )


def _store_flood_members(members: list[StoredFloodMember]) -> None:
    """Earlier posts of a flood found now: their legitimacy, evidence and reasons, in one go."""
    qn = connection.ops.quote_name
    table = qn(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {qn('legitimacy')} = %s, {qn('legitimacy_score')} = %s, "  # noqa: S608
            f"{qn('evidence')} = %s, {qn('reasons')} = %s WHERE {qn('message_id')} = %s",
            [
                (
                    m.verdict.label,
                    m.verdict.score,
                    bulk.adapt_json([e.to_dict() for e in m.verdict.evidence]),
                    bulk.adapt_json(m.reasons),
                    m.message_id,
                )
                for m in members
            ],
        )


# --- the case's summary ------------------------------------------------------------------------

_LEGITIMACY_RANK = {Legitimacy.SUSPICIOUS: 2, Legitimacy.VERIFIED: 1, Legitimacy.LEGITIMATE: 0}


def summarise(rows: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    """One case's triage summary from its messages' (created_at, message id, severity, kind,
    topic, sentiment, has_private_data, legitimacy).

    severity: the highest; kind and topic: those of the most severe message (the latest of
    equals); sentiment: the latest message's; private data: any message's; legitimacy:
    suspicious if any message is, else verified if any is, else legitimate.
    """
    triaged = [r for r in rows if r[3]]
    if not triaged:
        return {
            "kind": "",
            "severity": 0,
            "sentiment": "",
            "topic": "",
            "private": False,
            "legitimacy": "",
        }
    lead = max(triaged, key=lambda r: (r[2], r[0], r[1]))
    latest = max(triaged, key=lambda r: (r[0], r[1]))
    legitimacy = max(
        (r[7] for r in triaged if r[7]), key=lambda v: _LEGITIMACY_RANK.get(v, -1), default=""
    )
    return {
        "kind": lead[3],
        "severity": lead[2],
        "sentiment": latest[5],
        "topic": lead[4],
        "private": any(r[6] for r in triaged),
        "legitimacy": legitimacy,
    }


@dataclass
class UnsavedCases:
    """New cases whose messages are stored but which are not inserted yet.

    Ingestion inserts a new case once its triage summary is known, rather than inserting it
    and rewriting it at once (on PostgreSQL every rewrite is a new row version with an entry in
    each of the case table's indexes). ``refresh_summaries`` reads these cases from here and
    leaves their summaries in ``summaries`` for the insert (``summary_columns``).
    """

    cases: dict[int, tuple[int, datetime]]  # case id → (author id, created at)
    summaries: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    def summary_columns(self, pk: int) -> tuple[Any, ...]:
        """Values of ``SUMMARY_FIELDS`` for case ``pk`` (the columns' defaults: never
        summarised, e.g. with triage off), datetimes not yet adapted for the database."""
        return self.summaries.get(pk, _NO_SUMMARY)


def refresh_summaries(
    conversation_ids: Iterable[int], *, unsaved_cases: UnsavedCases | None = None
) -> None:
    """Recompute ``Conversation.triage_*`` of these cases: one read, one batched update.

    The summaries of ``unsaved_cases`` are kept there instead (see :class:`UnsavedCases`).
    """
    ids = sorted(set(conversation_ids))
    if not ids:
        return
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for conversation_id, *rest in Assessment.objects.filter(
        in_list("message__conversation_id", ids)
    ).values_list(
        "message__conversation_id",
        "message__created_at",
        "message_id",
        "severity",
        "kind",
        "topic",
        "sentiment",
        "has_private_data",
        "legitimacy",
    ):
        grouped.setdefault(conversation_id, []).append(tuple(rest))
    if not grouped:
        return
    summaries = [(conversation_id, summarise(rows)) for conversation_id, rows in grouped.items()]
    unsaved = unsaved_cases.cases if unsaved_cases is not None else {}
    contexts = load_contexts(dict(summaries), unsaved=unsaved)
    for conversation_id, summary in summaries:
        extra = context_severity(contexts[conversation_id]) if conversation_id in contexts else None
        summary["context"] = extra.reason if extra else ""
        if extra:
            summary["severity"] = raised(summary["severity"], extra)
    now = timezone.now()
    if unsaved_cases is not None and unsaved:
        for conversation_id, summary in summaries:
            if conversation_id in unsaved:
                unsaved_cases.summaries[conversation_id] = (*_summary_values(summary), now)
        summaries = [(pk, summary) for pk, summary in summaries if pk not in unsaved]
    if summaries:
        _write_summaries(summaries, now)


_SUMMARY_COLUMNS = (
    ("triage_kind", "kind", "text"),
    ("triage_severity", "severity", "integer"),
    ("triage_sentiment", "sentiment", "text"),
    ("triage_topic", "topic", "text"),
    ("triage_has_private_data", "private", "boolean"),
    ("triage_legitimacy", "legitimacy", "text"),
    ("triage_context", "context", "text"),
)
# The case columns a summary sets, in the order of ``UnsavedCases.summary_columns``.
SUMMARY_FIELDS = (*(column for column, _, _ in _SUMMARY_COLUMNS), "triaged_at")
_summary_values = itemgetter(*(key for _, key, _ in _SUMMARY_COLUMNS))
_NO_SUMMARY: tuple[Any, ...] = ("", 0, "", "", False, "", "", None)


def _write_summaries(summaries: list[tuple[int, dict[str, Any]]], now: datetime) -> None:
    qn = connection.ops.quote_name
    table = qn(Conversation._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement over the summaries as one JSON document: PostgreSQL pays a round
            # trip per executemany row, and psycopg quotes a Python list (one per column)
            # element by element in Python, ~0.3 s per 20,000 imported rows.
            sets = ", ".join(f"{qn(column)} = v.{key}" for column, key, _ in _SUMMARY_COLUMNS)
            names = ", ".join(f"{key} {kind}" for _, key, kind in _SUMMARY_COLUMNS)
            keys = [key for _, key, _ in _SUMMARY_COLUMNS]
            cursor.execute(
                f"UPDATE {table} AS c SET {sets}, {qn('triaged_at')} = %s "  # noqa: S608
                f"FROM json_to_recordset(%s::json) AS v(id bigint, {names}) "
                f"WHERE c.{qn('id')} = v.id",
                [
                    now,
                    json.dumps([{"id": pk, **{k: s[k] for k in keys}} for pk, s in summaries]),
                ],
            )
            return
        at = bulk.datetime_adapter()
        sets = ", ".join(f"{qn(column)} = %s" for column, _, _ in _SUMMARY_COLUMNS)
        cursor.executemany(
            f"UPDATE {table} SET {sets}, {qn('triaged_at')} = %s WHERE {qn('id')} = %s",  # noqa: S608
            [(*(s[key] for _, key, _ in _SUMMARY_COLUMNS), at(now), pk) for pk, s in summaries],
        )


# --- corrections -------------------------------------------------------------------------------


def correct_assessment(
    message: Message,
    *,
    actor: User,
    kind: str | None = None,
    sentiment: str | None = None,
    topic: str | None = None,
) -> list[Correction]:
    """Set the message's kind, sentiment and/or topic as a person says they are.

    Appends a :class:`Correction` per changed field (kept as training data), updates the
    assessment (score 1.0: a person's call) and the case's summary, and records a
    ``triage_corrected`` case event. Raises CaseActionError when there is nothing to correct
    or a value is unknown.
    """
    wanted = {
        CorrectableField.KIND: kind,
        CorrectableField.SENTIMENT: sentiment,
        CorrectableField.TOPIC: topic,
    }
    if kind is not None and kind not in Kind.values:
        raise CaseActionError(f"unknown kind {kind!r}")
    if sentiment is not None and sentiment not in Sentiment.values:
        raise CaseActionError(f"unknown sentiment {sentiment!r}")
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().filter(message=message).first()
        if assessment is None:
            raise CaseActionError("this message has no triage result to correct")
        if (
            topic is not None
            and topic != assessment.topic
            and not Topic.objects.filter(slug=topic, active=True).exists()
        ):
            raise CaseActionError(f"unknown or inactive topic {topic!r}")
        changes = [
            (str(name), str(getattr(assessment, name)), value)
            for name, value in wanted.items()
            if value is not None and value != getattr(assessment, name)
        ]
        if not changes:
            raise CaseActionError("nothing to correct: the values are the ones already shown")
        now = timezone.now()
        corrections = Correction.objects.bulk_create(
            [
                Correction(
                    message=message,
                    field=name,
                    old_value=old,
                    new_value=new,
                    actor=actor,
                    created_at=now,
                )
                for name, old, new in changes
            ]
        )
        lines = []
        for name, old, new in changes:
            setattr(assessment, name, new)
            setattr(assessment, f"{name}_score", 1.0)
            lines.append(f"{name}={new}: corrected by {actor.username} (was {old or 'none'})")
        assessment.reasons = lines + list(assessment.reasons)
        assessment.corrected_at = now
        assessment.save(
            update_fields=[
                *(name for name, _, _ in changes),
                *(f"{name}_score" for name, _, _ in changes),
                "reasons",
                "corrected_at",
            ]
        )
        CaseEvent.objects.create(
            conversation_id=message.conversation_id,
            kind=EventKind.TRIAGE_CORRECTED,
            actor=actor,
            data={
                "message": message.external_id or str(message.pk),
                **{name: f"{old or 'none'} → {new}" for name, old, new in changes},
            },
            created_at=now,
        )
        refresh_summaries([message.conversation_id])
    return corrections


# --- the topic taxonomy ------------------------------------------------------------------------


class TopicError(ValueError):
    """A topic edit that is not valid; the message says why, for the user."""


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins may edit the topics")


def create_topic(
    *, actor: User, slug: str, name: str, keywords: str, ordering: int = 0, active: bool = True
) -> Topic:
    """Add a topic. Raises PermissionDenied for agents, TopicError for a taken slug."""
    _require_supervisor(actor)
    if Topic.objects.filter(slug=slug).exists():
        raise TopicError(f"there is already a topic {slug!r}")
    return Topic.objects.create(
        slug=slug,
        name=name.strip(),
        keywords="\n".join(clean_keywords(keywords)),
        ordering=ordering,
        active=active or slug == FALLBACK_TOPIC,
    )


def update_topic(
    topic: Topic, *, actor: User, name: str, keywords: str, ordering: int, active: bool
) -> Topic:
    """Change a topic's name, keywords, order or state (the slug stays: results refer to it).

    The fallback topic ``other`` cannot be switched off. Raises PermissionDenied for agents.
    """
    _require_supervisor(actor)
    if topic.slug == FALLBACK_TOPIC and not active:
        raise TopicError(f"'{FALLBACK_TOPIC}' is where unmatched messages go; it stays active")
    topic.name = name.strip()
    topic.keywords = "\n".join(clean_keywords(keywords))
    topic.ordering = ordering
    topic.active = active
    topic.updated_at = timezone.now()
    topic.save(update_fields=["name", "keywords", "ordering", "active", "updated_at"])
    return topic


KEYWORD_HELP = f"One keyword or phrase per line (at most {MAX_KEYWORD_CHARS} characters each)."


# --- backfill ----------------------------------------------------------------------------------


def assess_missing(
    *, batch: int = BATCH, on_progress: Callable[[int], None] = lambda _n: None
) -> int:
    """Assess every inbound message that has none (stored before triage ran, or while it was
    switched off), oldest first, one transaction per batch. Returns how many were stored."""
    total = 0
    last_id = 0
    while True:
        ids = list(
            Message.objects.filter(
                direction=Direction.INBOUND, assessment__isnull=True, pk__gt=last_id
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return total
        with transaction.atomic():
            stored = assess_messages(ids, force=True)
        total += stored
        on_progress(stored)
        last_id = ids[-1]
