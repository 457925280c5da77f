"""Text normalisation and the shared word + character n-gram TF-IDF feature space.

One feature space serves every trained head, so the pipeline computes features once per item
and each task is a single sparse matrix product. The vocabulary, idf and configuration are
plain numpy arrays (no pickle), and the transform is implemented here, so training and
inference are guaranteed to compute exactly the same features.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w{1,30}")
_REPEAT = re.compile(r"(.)\1{3,}")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[#$]?\w+(?:['’]\w+)*|[^\w\s]")

WORD_PREFIX = "w:"
CHAR_PREFIX = "c:"


def normalise(text: str) -> str:
    """Return the canonical form every model sees.

    User handles become ``@user`` (TweetEval's convention; in the complaints data the handle
    names the brand and would leak the label), URLs become ``http``, runs of one character are
    capped at three, digits collapse to ``0`` and whitespace to single spaces.
    """
    text = html.unescape(text)
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = text.lower()
    text = _REPEAT.sub(r"\1\1\1", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams make up the feature space."""

    word_max_n: int = 2
    char_min_n: int = 2
    char_max_n: int = 5
    max_chars: int = 1000

    def to_dict(self) -> dict[str, int]:
        return {
            "word_max_n": self.word_max_n,
            "char_min_n": self.char_min_n,
            "char_max_n": self.char_max_n,
            "max_chars": self.max_chars,
        }

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> FeatureConfig:
        return cls(**{k: int(v) for k, v in data.items()})


def analyse(text: str, config: FeatureConfig) -> list[str]:
    """Return the n-gram terms of one text (with repeats), word terms first.

    Texts are cut to ``config.max_chars`` normalised characters: a tweet-sized model gains
    nothing from the rest, and the cut bounds the cost of hostile input.
    """
    norm = normalise(text[: config.max_chars * 4])[: config.max_chars]
    tokens = _WORD.findall(norm)
    terms = [WORD_PREFIX + t for t in tokens]
    for n in range(2, config.word_max_n + 1):
        terms.extend(
            WORD_PREFIX + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)
        )
    lo, hi = config.char_min_n, config.char_max_n
    for word in norm.split(" "):
        padded = f" {word} "
        size = len(padded)
        for n in range(lo, min(hi, size) + 1):
            terms.extend(CHAR_PREFIX + padded[i : i + n] for i in range(size - n + 1))
    return terms


class FeatureSpace:
    """Sublinear TF-IDF over a fixed vocabulary, rows L2-normalised."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, config: FeatureConfig) -> None:
        if len(terms) != len(idf):
            raise ValueError("terms and idf differ in length")
        self.terms = list(terms)
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.config = config

    @property
    def size(self) -> int:
        return len(self.terms)

    @classmethod
    def fit(
        cls, texts: Iterable[str], config: FeatureConfig, *, min_df: int = 3
    ) -> FeatureSpace:
        """Build the vocabulary (terms in >= ``min_df`` texts, sorted) and smooth idf."""
        df: Counter[str] = Counter()
        n_docs = 0
        for text in texts:
            df.update(set(analyse(text, config)))
            n_docs += 1
        terms = sorted(t for t, c in df.items() if c >= min_df)
        idf = np.array(
            [math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float64
        )
        return cls(terms, idf, config)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the (len(texts), size) TF-IDF matrix."""
        index = self.index
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for text in texts:
            counts: Counter[int] = Counter()
            for term in analyse(text, self.config):
                j = index.get(term)
                if j is not None:
                    counts[j] += 1
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.int32)
        tf = np.asarray(values, dtype=np.float64)
        data = (1.0 + np.log(tf)) * self.idf[idx] if len(idx) else tf
        matrix = sp.csr_matrix(
            (data, idx, np.asarray(indptr, dtype=np.int64)), shape=(len(texts), self.size)
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for ``np.savez`` (terms as one UTF-8 blob, newline separated)."""
        blob = "\n".join(self.terms).encode("utf-8")
        return {
            "terms_utf8": np.frombuffer(blob, dtype=np.uint8),
            "idf": self.idf.astype(np.float32),
            "config": np.array(
                [self.config.word_max_n, self.config.char_min_n, self.config.char_max_n,
                 self.config.max_chars],
                dtype=np.int64,
            ),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray] | np.lib.npyio.NpzFile) -> FeatureSpace:
        blob = bytes(np.asarray(arrays["terms_utf8"], dtype=np.uint8))
        terms = blob.decode("utf-8").split("\n") if blob else []
        cfg = [int(x) for x in arrays["config"]]
        config = FeatureConfig(
            word_max_n=cfg[0], char_min_n=cfg[1], char_max_n=cfg[2], max_chars=cfg[3]
        )
        return cls(terms, np.asarray(arrays["idf"], dtype=np.float64), config)
