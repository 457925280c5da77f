"""Bulk import with a triage worker process: the same stored results as inline triage, and a
worker that fails costs time, never data."""

from __future__ import annotations

import csv
import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from careline.assessments import pipeline_worker
from careline.assessments import services as assessment_services
from careline.assessments.models import FALLBACK_TOPIC, Assessment
from careline.assessments.pipeline_worker import triage_batch
from careline.assessments.services import ASSESSMENT_FIELDS, TIER, active_taxonomy
from careline.connectors.base import InboundItem
from careline.demo.generator import generate
from careline.inbox.models import Channel, Message
from careline.ingestion import importer
from careline.ingestion.importer import ImportSummary, import_file
from careline.ingestion.services import ingest_items

pytestmark = pytest.mark.django_db(transaction=False)

ROWS = 240
SMALL_BATCH = 50  # several batches from a small file, so the worker has batches to do
COLUMNS = ["id", "author_id", "author_handle", "author_name", "text", "created_at"]
COLUMNS += ["visibility", "reply_to"]
COMPARED = [f for f in ASSESSMENT_FIELDS if f not in {"message", "created_at"}]
SUMMARY = ["triage_kind", "triage_severity", "triage_sentiment", "triage_topic"]
SUMMARY += ["triage_has_private_data", "triage_legitimacy", "triage_context"]


def demo_csv(path: Path) -> Path:
    """Demo posts, plus what real exports contain: rows repeated, a person whose handle
    changed between posts, and one text posted by two people."""
    posts = generate(items=ROWS, seed=11, now=datetime(2026, 11, 20, tzinfo=UTC))
    rows = [
        [
            p.external_id,
            p.author_id,
            p.author_handle,
            p.author_name,
            p.text,
            p.created_at.isoformat(),
            "public" if p.public else "private",
            p.reply_to or "",
        ]
        for p in posts
    ]
    rows += [list(row) for row in rows[10:20]]  # exported twice
    renamed = list(rows[-1])
    renamed[0], renamed[2] = "renamed-1", renamed[2] + "_new"
    copied = list(rows[-2])
    copied[0], copied[1], copied[2] = "copied-1", "someone-else", "@someone_else"
    rows += [renamed, copied]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def stored_results() -> dict[str, Any]:
    """Every assessment field and case summary, by the message's external id."""
    results: dict[str, Any] = {}
    for external_id, *values in Assessment.objects.values_list("message__external_id", *COMPARED):
        results[external_id] = dict(zip(COMPARED, values, strict=True))
    for external_id, *values in Message.objects.values_list(
        "external_id", *(f"conversation__{f}" for f in SUMMARY)
    ):
        results[external_id]["case"] = values
    return results


def import_and_forget(path: Path, channel: Channel, workers: int) -> tuple[ImportSummary, Any]:
    """Import into an empty database, read what was stored, then roll it all back."""
    with transaction.atomic():
        summary = import_file(path, channel, triage_workers=workers)
        results = stored_results()
        transaction.set_rollback(True)
    return summary, results


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", SMALL_BATCH)


@pytest.fixture
def inline_items(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items the main process ran through the pipeline itself."""
    counts: list[int] = []
    real = assessment_services._run

    def counting(items: Any, taxonomy: Any = None) -> Any:
        counts.append(len(items))
        return real(items, taxonomy)

    monkeypatch.setattr(assessment_services, "_run", counting)
    return counts


def test_the_worker_stores_exactly_what_inline_triage_stores(
    tmp_path: Path,
    generic_channel: Channel,
    small_batches: None,
    inline_items: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = demo_csv(tmp_path / "export.csv")
    inline_summary, inline = import_and_forget(path, generic_channel, workers=0)
    inline_items.clear()
    hashed: list[str] = []  # texts whose legitimacy checks the main process ran itself
    real_hash = assessment_services.text_hash

    def counting_hash(text: str) -> str:
        hashed.append(text)
        return real_hash(text)

    monkeypatch.setattr(assessment_services, "text_hash", counting_hash)
    worker_summary, with_worker = import_and_forget(path, generic_channel, workers=1)

    assert worker_summary.ingest.created == inline_summary.ingest.created == ROWS + 2
    assert worker_summary.ingest.duplicates == inline_summary.ingest.duplicates == 10
    assert set(with_worker) == set(inline)
    for external_id, expected in inline.items():
        assert with_worker[external_id] == expected, external_id
    # The worker did the work: inline, only the first batch and the renamed person's post;
    # its text checks too (every text of the file is triaged there, the renamed post's too).
    assert sum(inline_items) <= SMALL_BATCH + 1
    assert len(hashed) <= SMALL_BATCH


def test_a_second_import_with_the_worker_adds_nothing(
    tmp_path: Path, generic_channel: Channel, small_batches: None
) -> None:
    path = demo_csv(tmp_path / "export.csv")
    import_file(path, generic_channel, triage_workers=1)
    again = import_file(path, generic_channel, triage_workers=1)
    assert again.ingest.created == 0
    assert again.ingest.duplicates == ROWS + 2 + 10
    assert Assessment.objects.count() == Message.objects.count() == ROWS + 2


class _DieWhenUnpickled:
    """Stands in for the worker's task: the worker process exits as it receives it."""

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return (os._exit, (3,))


@pytest.mark.parametrize("failure", ["crash", "error"])
def test_a_failing_worker_falls_back_to_inline_triage(
    tmp_path: Path,
    generic_channel: Channel,
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = demo_csv(tmp_path / "export.csv")
    _, inline = import_and_forget(path, generic_channel, workers=0)
    if failure == "crash":
        monkeypatch.setattr(pipeline_worker, "triage_batch", _DieWhenUnpickled())
    else:  # the worker raises: a tier it does not know
        monkeypatch.setattr(importer, "TIER", "no-such-tier")
    summary, results = import_and_forget(path, generic_channel, workers=1)
    assert summary.ingest.created == ROWS + 2
    assert results == inline
    assert "triaging the rest of the import inline" in caplog.text


def items_of(texts: list[tuple[str, str]]) -> list[InboundItem]:
    at = datetime(2026, 11, 1, 10, tzinfo=UTC)
    return [
        InboundItem(f"m{i}", f"u{i}", handle, handle, text, at, public=True)
        for i, (text, handle) in enumerate(texts)
    ]


def test_a_precomputed_result_is_used_only_for_its_exact_text_and_author(
    generic_channel: Channel, inline_items: list[int]
) -> None:
    texts = [("My parcel never arrived, third time!", "@ann"), ("Thanks, great service", "@bob")]
    with transaction.atomic():
        ingest_items(generic_channel, items_of(texts))
        expected = stored_results()
        transaction.set_rollback(True)
    taxonomy = active_taxonomy()

    # Results for the same texts by other people, swapped: using one would change the result.
    other_people = triage_batch(TIER, FALLBACK_TOPIC, taxonomy, [(t, "@x") for t, _ in texts])
    (first, out_first), (second, out_second) = other_people.outputs.items()
    swapped = dataclasses.replace(other_people, outputs={first: out_second, second: out_first})
    # The right results under another taxonomy.
    other_taxonomy = triage_batch(TIER, FALLBACK_TOPIC, [("billing", ["parcel"])], texts)
    for misleading in (swapped, other_taxonomy):
        inline_items.clear()
        with transaction.atomic():
            ingest_items(generic_channel, items_of(texts), precomputed_triage=misleading)
            assert stored_results() == expected
            transaction.set_rollback(True)
        assert sum(inline_items) == len(texts)  # all triaged here

    inline_items.clear()
    right = triage_batch(TIER, FALLBACK_TOPIC, taxonomy, texts)
    ingest_items(generic_channel, items_of(texts), precomputed_triage=right)
    assert stored_results() == expected
    assert inline_items == []  # all from the worker's results


def test_the_worker_is_used_by_default_only_for_large_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    path = demo_csv(tmp_path / "export.csv")
    size = path.stat().st_size
    monkeypatch.setattr(importer.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(importer, "WORKER_MIN_BYTES", size + 1)
    assert importer._triage_workers_for(path, None) == 0
    assert importer._triage_workers_for(path, 2) == 2  # asked for
    monkeypatch.setattr(importer, "WORKER_MIN_BYTES", size)
    assert importer._triage_workers_for(path, None) == 1
    assert importer._triage_workers_for(path, 0) == 0
    monkeypatch.setattr(importer.os, "cpu_count", lambda: 1)  # no core to overlap with
    assert importer._triage_workers_for(path, None) == 0
    settings.CARELINE_TRIAGE_ON_INGEST = False  # nothing to triage: no worker
    assert importer._triage_workers_for(path, None) == 0
    assert importer._triage_workers_for(path, 1) == 0
