"""The analyser contract shared by every triage model and rule set.

An analyser takes its parameters in the constructor, loads its resources once in ``load()``
and then answers ``predict(texts)``: pure, batched, one :class:`Prediction` per input, in input
order. No Django anywhere in ``careline.triage``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class TriageError(Exception):
    """A triage failure. ``permanent`` says whether retrying the same input can help.

    Missing or corrupt model files are permanent (retraining or reinstalling fixes them); a
    bad input item is permanent for that item only.
    """

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Prediction:
    """One analyser's verdict on one text.

    ``score`` is the analyser's confidence in ``label`` (0..1); ``reason`` is a sentence a
    care agent can read; ``extras`` holds analyser-specific data (e.g. ``spans``,
    ``probabilities``) and must be JSON-serialisable.
    """

    analyser: str
    version: str
    label: str
    score: float
    reason: str
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyser": self.analyser,
            "version": self.version,
            "label": self.label,
            "score": self.score,
            "reason": self.reason,
            **({"extras": self.extras} if self.extras else {}),
        }


class Analyser(ABC):
    """Base class: subclasses set ``name`` and ``version`` and implement the two methods."""

    name: str = ""
    version: str = ""

    def __init__(self) -> None:
        self._loaded = False

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        """Load resources (model files, compiled rules). Idempotent; raises TriageError."""
        if not self._loaded:
            self._load()
            self._loaded = True

    def _load(self) -> None:  # noqa: B027 - analysers without resources need nothing here
        """Subclass hook for ``load()``."""

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one Prediction per text, in order. Loads on first use."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of texts, not one string")
        self.load()
        if not texts:
            return []
        results = self._predict(texts)
        if len(results) != len(texts):
            raise TriageError(f"{self.name} returned {len(results)} results for {len(texts)}")
        return results

    @abstractmethod
    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Subclass hook: ``texts`` is non-empty, resources are loaded."""
