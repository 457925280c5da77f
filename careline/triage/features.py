"""Text normalisation and the shared word + character n-gram TF-IDF feature space.

One feature space serves every trained head, so the pipeline computes features once per item
and each task is a single sparse matrix product. The vocabulary, idf and configuration are
plain numpy arrays (no pickle), and the transform is implemented here, so training and
inference are guaranteed to compute exactly the same features.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w{1,30}")
_REPEAT = re.compile(r"(.)\1{3,}")
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_DIGITS = re.compile(r"\d")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[#$]?\w+(?:['\u2019]\w+)*|[^\w\s]")

WORD_PREFIX = "w:"
CHAR_PREFIX = "c:"


def normalise(text: str) -> str:
    """Return the canonical form every model sees.

    User handles become ``@user`` (TweetEval's convention; in the complaints data the handle
    names the brand and would leak the label), URLs become ``http``, runs of one character are
    capped at three, digits collapse to ``0`` and whitespace to single spaces.
    """
    text = _SURROGATE.sub(" ", html.unescape(text))  # lone halves from bad JSON escapes
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = text.lower()
    text = _REPEAT.sub(r"\1\1\1", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams make up the feature space.

    ``char_mode`` is ``"wb"`` (n-grams inside space-padded words, like scikit-learn's
    ``char_wb``) or ``"all"`` (n-grams across the whole space-padded text).
    """

    word_max_n: int = 2
    char_min_n: int = 2
    char_max_n: int = 5
    max_chars: int = 1000
    char_mode: str = "wb"

    def to_dict(self) -> dict[str, int | str]:
        return {
            "word_max_n": self.word_max_n,
            "char_min_n": self.char_min_n,
            "char_max_n": self.char_max_n,
            "max_chars": self.max_chars,
            "char_mode": self.char_mode,
        }

    @classmethod
    def from_dict(cls, data: dict[str, int | str]) -> FeatureConfig:
        return cls(
            word_max_n=int(data["word_max_n"]),
            char_min_n=int(data["char_min_n"]),
            char_max_n=int(data["char_max_n"]),
            max_chars=int(data["max_chars"]),
            char_mode=str(data["char_mode"]),
        )


def _prepare(text: str, config: FeatureConfig) -> str:
    # Cut before and after normalising: bounds the cost of hostile 20k-character input.
    return normalise(text[: config.max_chars * 4])[: config.max_chars]


def word_terms(norm: str, config: FeatureConfig) -> list[str]:
    """Word uni- to ``word_max_n``-grams of a normalised text."""
    tokens = _WORD.findall(norm)
    terms = list(tokens)
    for n in range(2, config.word_max_n + 1):
        terms += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return terms


_MULT = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: spreads the polynomial hash over all 64 bits.
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


def char_hashes(norms: Sequence[str], config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, key) arrays: one 64-bit key per character n-gram occurrence.

    N-grams are taken inside space-padded words (scikit-learn's ``char_wb``) when
    ``char_mode == "wb"``, else across the whole padded text. Vectorised over the batch, so
    the cost per text is a few microseconds; a 64-bit key makes collisions negligible.
    """
    if not norms:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    joined = "\x00".join(f" {n} " for n in norms)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(n) + 3 for n in norms), dtype=np.int64, count=len(norms))
    owner = np.repeat(np.arange(len(norms), dtype=np.int64), lengths)[: len(codes)]
    sep_cum = np.concatenate(([0], np.cumsum(codes == 0)))
    space_cum = np.concatenate(([0], np.cumsum(codes == 32)))
    rows: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        h = codes.copy()
        for n in range(2, config.char_max_n + 1):
            h = h[:-1] * _MULT + codes[n - 1 :]
            if n < config.char_min_n:
                continue
            start = np.arange(len(h))
            ok = sep_cum[start + n] == sep_cum[start]
            if config.char_mode == "wb" and n > 2:
                ok &= space_cum[start + n - 1] == space_cum[start + 1]
            rows.append(owner[start[ok]])
            keys.append(_mix(h[ok] ^ np.uint64(n * 0x9E3779B97F4A7C15 % 2**64)))
        if config.char_min_n <= 1:
            ok = (codes != 0) & (codes != 32)
            rows.append(owner[ok])
            keys.append(_mix(codes[ok] ^ np.uint64(0x9E3779B97F4A7C15)))
    return np.concatenate(rows), np.concatenate(keys)


class FeatureSpace:
    """Sublinear TF-IDF over a fixed vocabulary, rows L2-normalised.

    Columns are the word n-grams (``words``, readable, used for explanations) followed by the
    character n-grams, which are stored as sorted 64-bit keys (see :func:`char_hashes`).
    """

    def __init__(
        self,
        words: Sequence[str],
        char_keys: np.ndarray,
        idf: np.ndarray,
        config: FeatureConfig,
    ) -> None:
        if len(words) + len(char_keys) != len(idf):
            raise ValueError("vocabulary and idf differ in length")
        self.words = list(words)
        self.word_index = {t: i for i, t in enumerate(self.words)}
        self.char_keys = np.asarray(char_keys, dtype=np.uint64)
        if len(self.char_keys) > 1 and not np.all(self.char_keys[1:] > self.char_keys[:-1]):
            raise ValueError("char keys must be sorted and unique")
        self.idf = np.asarray(idf, dtype=np.float64)
        self.config = config

    @property
    def size(self) -> int:
        return len(self.idf)

    @property
    def n_words(self) -> int:
        return len(self.words)

    @classmethod
    def fit(cls, texts: Iterable[str], config: FeatureConfig, *, min_df: int = 3) -> FeatureSpace:
        """Build the vocabulary (n-grams in >= ``min_df`` texts, sorted) and smooth idf."""
        norms = [_prepare(t, config) for t in texts]
        word_df: Counter[str] = Counter()
        for norm in norms:
            word_df.update(set(word_terms(norm, config)))
        words = sorted(t for t, c in word_df.items() if c >= min_df)
        char_df: Counter[int] = Counter()
        for lo in range(0, len(norms), 5000):
            rows, keys = char_hashes(norms[lo : lo + 5000], config)
            pairs = np.unique(np.stack([rows.astype(np.uint64), keys]), axis=1)
            uniq, counts = np.unique(pairs[1], return_counts=True)
            char_df.update(dict(zip(uniq.tolist(), counts.tolist(), strict=True)))
        char_keys = np.array(sorted(k for k, c in char_df.items() if c >= min_df), np.uint64)
        n_docs = len(norms)
        df = np.array(
            [word_df[w] for w in words] + [char_df[int(k)] for k in char_keys], dtype=np.float64
        )
        idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        return cls(words, char_keys, idf, config)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the (len(texts), size) TF-IDF matrix."""
        config = self.config
        norms = [_prepare(t, config) for t in texts]
        wget = self.word_index.get
        w_rows: list[int] = []
        w_cols: list[int] = []
        for r, norm in enumerate(norms):
            for j in map(wget, word_terms(norm, config)):
                if j is not None:
                    w_rows.append(r)
                    w_cols.append(j)
        c_rows, c_keys = char_hashes(norms, config)
        if len(self.char_keys):
            pos = np.searchsorted(self.char_keys, c_keys)
            pos[pos == len(self.char_keys)] = 0
            hit = self.char_keys[pos] == c_keys
            c_rows, c_cols = c_rows[hit], pos[hit] + self.n_words
        else:
            c_rows, c_cols = c_rows[:0], c_rows[:0]
        rows = np.concatenate([np.asarray(w_rows, dtype=np.int64), c_rows])
        cols = np.concatenate([np.asarray(w_cols, dtype=np.int64), c_cols])
        coo = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), self.size))
        matrix = coo.tocsr()  # sums duplicate (row, term) pairs into counts
        matrix.sum_duplicates()
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms_ = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms_[norms_ == 0] = 1.0
        matrix.data /= np.repeat(norms_, np.diff(matrix.indptr))
        return matrix

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for ``np.savez`` (words as one UTF-8 blob, newline separated)."""
        blob = "\n".join(self.words).encode("utf-8")
        return {
            "words_utf8": np.frombuffer(blob, dtype=np.uint8),
            "char_keys": self.char_keys,
            "idf": self.idf.astype(np.float32),
        }

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray] | np.lib.npyio.NpzFile, config: FeatureConfig
    ) -> FeatureSpace:
        blob = bytes(np.asarray(arrays["words_utf8"], dtype=np.uint8))
        words = blob.decode("utf-8").split("\n") if blob else []
        return cls(
            words,
            np.asarray(arrays["char_keys"], dtype=np.uint64),
            np.asarray(arrays["idf"], dtype=np.float64),
            config,
        )
