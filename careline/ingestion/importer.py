"""Bulk import of exported posts from CSV or JSON lines (docs/ingestion.md lists the fields).

A bad row is reported with its line number and reason and skipped; good rows are kept.
Importing the same file again adds nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from careline.connectors.base import InboundItem, PayloadError
from careline.connectors.normalise import item_from_record
from careline.inbox.models import Channel
from careline.ingestion.services import IngestResult, ingest_items

BATCH_SIZE = 2000
REQUIRED_COLUMNS = ("id", "author_id", "text", "created_at")
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, "author_handle", "author_name", "visibility", "reply_to")
MAX_REPORTED_ERRORS = 1000
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
) -> ImportSummary:
    """Import every good row of ``path`` into ``channel``. Raises ImportFileError."""
    fmt = detect_format(path, file_format)
    summary = ImportSummary()
    batch: list[InboundItem] = []
    max_chars = settings.CARELINE_MAX_TEXT_CHARS

    def flush() -> None:
        if batch:
            summary.ingest.add(ingest_items(channel, batch))
            if on_progress:
                on_progress(len(batch))
            batch.clear()

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
                    flush()
    except UnicodeDecodeError as exc:
        flush()
        raise ImportFileError(
            f"the file is not UTF-8 text (byte {exc.start} of a read block); "
            "rows before it were imported",
            summary,
        ) from exc
    flush()
    return summary
