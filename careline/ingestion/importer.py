"""Bulk import of exported posts from CSV or JSON lines (docs/ingestion.md lists the fields).

A bad row is reported with its line number and reason and skipped; good rows are kept.
Importing the same file again adds nothing.
"""

from __future__ import annotations

import csv
import gc
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from careline.assessments.conf import triage_on_ingest
from careline.assessments.models import FALLBACK_TOPIC
from careline.assessments.pipeline_worker import PrecomputedTriage, TriageWorkers
from careline.assessments.services import TIER, active_taxonomy
from careline.connectors.base import InboundItem, PayloadError
from careline.connectors.normalise import item_from_record
from careline.inbox.models import Channel
from careline.ingestion.services import IngestResult, ingest_items

BATCH_SIZE = 2000
REQUIRED_COLUMNS = ("id", "author_id", "text", "created_at")
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, "author_handle", "author_name", "visibility", "reply_to")
MAX_REPORTED_ERRORS = 1000
# From this size on, `careline import` triages in a worker process while it writes (unless
# told otherwise). The worker takes about a second to start and load the models, and the
# first batch is triaged inline while it does, so it pays once a file has more than ~2
# batches: a demo export averages ~190 bytes a row, so 1 MB is ~5,000 rows (docs/performance.md).
WORKER_MIN_BYTES = 1_000_000
# The garbage collector's first threshold while importing (Python's default: 700).
YOUNG_GC_THRESHOLD = 20_000
# One CSV field larger than this is refused rather than read into memory.
csv.field_size_limit(1_000_000)


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportSummary:
    rows: int = 0
    ingest: IngestResult = field(default_factory=IngestResult)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def reject(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, reason))


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns, not UTF-8).

    ``summary`` holds what was imported before the problem was found, if anything.
    """

    def __init__(self, message: str, summary: ImportSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


def detect_format(path: Path, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    raise ImportFileError(f"cannot tell the format of {path.name}: use --format csv|jsonl")


def _csv_records(handle: TextIO) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(handle)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(missing)}")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, PayloadError(f"unreadable CSV: {exc}")
            continue
        if None in row:
            yield reader.line_num, PayloadError("more fields than the header has")
            continue
        yield reader.line_num, row


def _jsonl_records(handle: TextIO) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, PayloadError(f"not valid JSON: {exc.msg}")


def import_file(
    path: Path,
    channel: Channel,
    *,
    file_format: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    triage_workers: int | None = None,
) -> ImportSummary:
    """Import every good row of ``path`` into ``channel``. Raises ImportFileError.

    ``triage_workers``: processes that run the triage pipeline on the next batch while this
    one is written (0: triage inline, in each batch's transaction). The default, None, uses one
    worker for a file of at least ``WORKER_MIN_BYTES`` when triage on ingest is on.
    """
    fmt = detect_format(path, file_format)
    summary = ImportSummary()
    workers = _triage_workers_for(path, triage_workers)
    batches = _frozen_after_each(_read_batches(path, fmt, summary))
    thresholds = gc.get_threshold()
    # Fewer young collections too: a batch allocates ~10^6 objects, most of them freed by
    # reference counting (0.8 s of collections per 40,000 rows at 700, 0.4 s at this).
    gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
    try:
        if workers <= 0:
            _import_inline(batches, channel, summary, on_progress)
        else:
            _import_with_workers(batches, channel, summary, on_progress, workers)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return summary


def _frozen_after_each(batches: Iterator[list[InboundItem]]) -> Iterator[list[InboundItem]]:
    """The batches, with what the process holds moved out of the garbage collector's sight
    before each (``gc.freeze``; ``import_file`` unfreezes it at the end).

    The triage models, Django and the import's own state are millions of objects that live
    for the whole import, and every full collection walked all of them: ~16 collections of
    ~0.1 s per 40,000 imported rows, 15-20 % of the main process's CPU (docs/performance.md).
    Nothing here depends on when garbage is collected; cyclic garbage frozen meanwhile is
    collected after the import.
    """
    for batch in batches:
        gc.freeze()
        yield batch


def _triage_workers_for(path: Path, requested: int | None) -> int:
    if not triage_on_ingest():
        return 0  # nothing to triage
    if requested is not None:
        return max(0, requested)
    if (os.cpu_count() or 1) < 2:
        return 0  # a worker needs a core of its own to overlap anything
    try:
        large = path.stat().st_size >= WORKER_MIN_BYTES
    except OSError:
        large = False
    return 1 if large else 0


def _read_batches(path: Path, fmt: str, summary: ImportSummary) -> Iterator[list[InboundItem]]:
    """The file's good rows in batches of BATCH_SIZE; bad rows go to ``summary``.

    A file that stops being UTF-8 half-way yields the good rows before the problem, then
    raises ImportFileError carrying ``summary``.
    """
    max_chars = settings.CARELINE_MAX_TEXT_CHARS
    batch: list[InboundItem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = _csv_records(handle) if fmt == "csv" else _jsonl_records(handle)
            for line, record in records:
                summary.rows += 1
                if isinstance(record, PayloadError):
                    summary.reject(line, str(record))
                    continue
                try:
                    batch.append(item_from_record(record, max_text_chars=max_chars))
                except PayloadError as exc:
                    summary.reject(line, str(exc))
                    continue
                if len(batch) >= BATCH_SIZE:
                    yield batch
                    batch = []
    except UnicodeDecodeError as exc:
        if batch:
            yield batch
        raise ImportFileError(
            f"the file is not UTF-8 text (byte {exc.start} of a read block); "
            "rows before it were imported",
            summary,  # filled in by the caller as it stores the batches before the problem
        ) from exc
    if batch:
        yield batch


def _import_inline(
    batches: Iterator[list[InboundItem]],
    channel: Channel,
    summary: ImportSummary,
    on_progress: Callable[[int], None] | None,
) -> None:
    for batch in batches:
        summary.ingest.add(ingest_items(channel, batch))
        if on_progress:
            on_progress(len(batch))


def _import_with_workers(
    batches: Iterator[list[InboundItem]],
    channel: Channel,
    summary: ImportSummary,
    on_progress: Callable[[int], None] | None,
    workers: int,
) -> None:
    """Write batch N while the workers triage the next ``workers`` batches.

    The first batch is triaged inline (it overlaps the workers' start-up); a batch whose
    worker failed is triaged inline too, so a worker problem costs time, never data.
    """
    ahead: deque[tuple[list[InboundItem], Future[PrecomputedTriage] | None]] = deque()
    problem: ImportFileError | None = None
    with TriageWorkers(workers, tier=TIER, fallback=FALLBACK_TOPIC) as pool:
        first = True
        while True:
            # Keep the workers busy: read and hand over up to ``workers`` batches ahead.
            while problem is None and len(ahead) <= workers:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except ImportFileError as exc:
                    problem = exc
                    break
                if first:
                    ahead.append((batch, None))
                    first = False
                    continue
                keys = [(item.text, item.author_handle or "") for item in batch]
                ahead.append((batch, pool.submit(active_taxonomy(), keys)))
            if not ahead:
                break
            batch, future = ahead.popleft()
            result = ingest_items(channel, batch, precomputed_triage=pool.result(future))
            summary.ingest.add(result)
            if on_progress:
                on_progress(len(batch))
    if problem is not None:
        raise problem
