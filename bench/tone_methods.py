"""Which features and regularisation for the tone guard's learned phrase model.

Usage: python bench/tone_methods.py [--data FILE ...]

Leave-one-source-out (each labelled file held out in turn, thresholds picked without it too)
for: the model's own word 1-2 + char 3-5-gram TF-IDF at C = 1, 4, 16, and careline.triage's
shared feature space (fitted on tweets) at C = 4, 16. Prints one JSON object: per method, bad
and good replies flagged (rules + model) and per category recall and precision. Slow (about
15 minutes on a shared 2-core machine). The tone package may not import triage, so the triage
feature space is wired in here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from careline.replies.tone.evaluation import Example  # noqa: E402
from careline.replies.tone.learned import (  # noqa: E402
    CONTEXT_FEATURES,
    PHRASE_CATEGORIES,
    context_features,
)
from careline.replies.tone.training import (  # noqa: E402
    Featurizer,
    compare_methods,
    default_data,
    load_sources,
    own_featurizer,
)
from careline.triage.linear import MODEL_DIR as TRIAGE_MODELS  # noqa: E402
from careline.triage.linear import shared_feature_space  # noqa: E402


def triage_featurizer(_: Sequence[Example]) -> Callable[[Sequence[Example]], sp.csr_matrix]:
    """The triage feature space (fixed: fitted on tweets) + the same context features."""
    space = shared_feature_space(TRIAGE_MODELS)

    def transform(examples: Sequence[Example]) -> sp.csr_matrix:
        text = space.transform([e.text for e in examples])
        ctx = np.zeros((len(examples), len(CONTEXT_FEATURES)))
        for r, example in enumerate(examples):
            for name in context_features(example.context):
                ctx[r, CONTEXT_FEATURES.index(name)] = 1.0
        return sp.hstack([text, sp.csr_matrix(ctx)]).tocsr()

    return transform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, nargs="+", default=None)
    args = parser.parse_args()
    rows = load_sources(args.data or default_data())
    categories = [c for c in PHRASE_CATEGORIES if any(c in r.example.categories for r in rows)]
    methods: dict[str, tuple[Featurizer, float]] = {
        "own word 1-2 + char 3-5, C=1": (own_featurizer, 1.0),
        "own word 1-2 + char 3-5, C=4": (own_featurizer, 4.0),
        "own word 1-2 + char 3-5, C=16": (own_featurizer, 16.0),
        "triage shared space (tweets), C=4": (triage_featurizer, 4.0),
        "triage shared space (tweets), C=16": (triage_featurizer, 16.0),
    }
    print(json.dumps(compare_methods(rows, categories, methods), indent=2))


if __name__ == "__main__":
    main()
