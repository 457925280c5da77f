"""The triage pipeline in a worker process, for bulk imports (no Django here).

``careline import`` writes batch N in the main process while a worker runs the pipeline on the
texts of batch N+1 (docs/performance.md, "Import"). The worker gets each item's text and author
handle, and the active topic taxonomy with every batch, so its results are the ones the main
process would compute; they come back as :class:`PrecomputedTriage`, keyed by (text, author),
and ``assess_messages`` uses a result only for a message with that exact text and author and
the same taxonomy. Anything the worker did not compute is triaged inline, as before.

This module is imported by the spawned worker: it must not import Django or any model.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from careline.assessments.evidence import TextChecks, text_checks
from careline.triage.analysers.taxonomy import TaxonomyTopicAnalyser
from careline.triage.pipeline import TriagePipeline

log = logging.getLogger(__name__)

Taxonomy = list[tuple[str, list[str]]]
TriageKey = tuple[str, str]


@dataclass(frozen=True)
class PrecomputedTriage:
    """Pipeline outputs computed ahead of the write, and what they were computed with.

    ``outputs`` maps (text, author handle) to the pipeline's output without its ``id``;
    ``versions`` are the pipeline's versions (the topic analyser's names the taxonomy);
    ``text_checks`` maps each text to what the legitimacy checks read from it alone.
    """

    tier: str
    fallback: str
    taxonomy: Taxonomy
    versions: dict[str, str]
    outputs: dict[TriageKey, dict[str, Any]] = field(default_factory=dict)
    text_checks: dict[str, TextChecks] = field(default_factory=dict)

    def usable_with(self, tier: str, taxonomy: Taxonomy, fallback: str) -> bool:
        """True when these results are what the main process would compute right now."""
        return self.tier == tier and self.fallback == fallback and self.taxonomy == taxonomy


# --- inside the worker ------------------------------------------------------------------------

_worker_pipeline: TriagePipeline | None = None


def triage_batch(
    tier: str, fallback: str, taxonomy: Taxonomy, items: Sequence[TriageKey]
) -> PrecomputedTriage:
    """Run the pipeline over (text, author) pairs; the models load once per worker."""
    global _worker_pipeline
    analyser = TaxonomyTopicAnalyser(taxonomy, fallback=fallback)
    if _worker_pipeline is None or _worker_pipeline.tier != tier:
        _worker_pipeline = TriagePipeline(tier, topic_analyser=analyser)
        _worker_pipeline.load()
        # The models live as long as the worker: out of the garbage collector's sight, so
        # that its full collections do not walk them again and again.
        gc.freeze()
    elif _worker_pipeline.topic.version != analyser.version:
        analyser.load()
        _worker_pipeline.topic = analyser
    unique = list(dict.fromkeys(items))  # a text posted twice by one person is triaged once
    outs = _worker_pipeline.run(
        [{"id": i, "text": text, "author": author} for i, (text, author) in enumerate(unique)]
    )
    outputs = {}
    for key, out in zip(unique, outs, strict=True):
        out.pop("id", None)
        outputs[key] = out
    # Pure functions of the text, taken off the main process, which is the import's bound.
    checks = {text: text_checks(text) for text in dict.fromkeys(text for text, _ in unique)}
    return PrecomputedTriage(
        tier, fallback, taxonomy, dict(_worker_pipeline.versions), outputs, checks
    )


# --- in the main process ----------------------------------------------------------------------


class TriageWorkers:
    """A pool of spawned triage processes. Any failure (the pool cannot start, a worker dies
    or raises) is logged and turns into "no precomputed results": the caller triages inline.

    Use as a context manager; ``submit`` returns None once the pool is broken.
    """

    def __init__(self, workers: int, *, tier: str, fallback: str) -> None:
        self.workers = workers
        self.tier = tier
        self.fallback = fallback
        self.failed = False
        # spawn, not fork: the main process holds database connections and threads.
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn")
        )

    def __enter__(self) -> TriageWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(
        self, taxonomy: Taxonomy, items: Sequence[TriageKey]
    ) -> Future[PrecomputedTriage] | None:
        if self._pool is None or self.failed:
            return None
        try:
            return self._pool.submit(triage_batch, self.tier, self.fallback, taxonomy, list(items))
        except Exception as exc:  # a broken pool refuses new work
            self._give_up(exc)
            return None

    def result(self, future: Future[PrecomputedTriage] | None) -> PrecomputedTriage | None:
        """The batch's results, or None (triage inline) if the worker failed."""
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:
            self._give_up(exc)
            return None

    def _give_up(self, exc: BaseException) -> None:
        if not self.failed:
            log.warning(
                "triage worker failed (%s: %s); triaging the rest of the import inline",
                type(exc).__name__,
                exc,
            )
        self.failed = True
