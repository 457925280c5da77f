"""One contract test over every analyser (scikit-learn's check_estimator, in spirit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from careline.triage.analysers.lexicon import ProfanityAnalyser, SpamAnalyser
from careline.triage.analysers.private_data import PrivateDataAnalyser
from careline.triage.analysers.taxonomy import SEED_TOPICS, TaxonomyTopicAnalyser
from careline.triage.analysers.text_models import OPTIONAL_TEXT_ANALYSERS, TEXT_ANALYSERS
from careline.triage.base import Analyser, Prediction

TEXTS = [
    "my parcel is late again, where is my refund?",
    "",
    "love the new jacket, thanks!",
    "<script>alert('x')</script><b onmouseover=steal()>hi</b> &amp; &lt;",
    "a" * 20_000,
    "card 4111 1111 1111 1111 \u202e\u0000 emoji \U0001f621 done",
    "   \n\t  ",
    "lone surrogate \ud83d from a broken JSON escape",
]


def _text_model(task: str) -> Callable[[Path], Analyser]:
    return lambda model_dir: {**TEXT_ANALYSERS, **OPTIONAL_TEXT_ANALYSERS}[task](
        model_dir=model_dir
    )


FACTORIES: dict[str, Callable[[Path], Analyser]] = {
    "private_data": lambda _: PrivateDataAnalyser(),
    "profanity": lambda _: ProfanityAnalyser(),
    "topic": lambda _: TaxonomyTopicAnalyser(SEED_TOPICS),
    "spam": lambda _: SpamAnalyser(),
    **{task: _text_model(task) for task in TEXT_ANALYSERS},
    "topic_model": _text_model("topic"),
}


@pytest.fixture(params=sorted(FACTORIES))
def analyser(request: pytest.FixtureRequest, tiny_models: Path) -> Analyser:
    made = FACTORIES[request.param](tiny_models)
    made.load()
    return made


def test_it_returns_one_prediction_per_text_in_order(analyser: Analyser) -> None:
    results = analyser.predict(TEXTS)
    assert len(results) == len(TEXTS)
    assert all(isinstance(r, Prediction) for r in results)
    one_by_one = [analyser.predict([t])[0] for t in TEXTS]
    assert [r.label for r in results] == [r.label for r in one_by_one]
    assert [r.score for r in results] == pytest.approx([r.score for r in one_by_one])


def test_every_prediction_names_its_analyser_version_and_reason(analyser: Analyser) -> None:
    for result in analyser.predict(TEXTS):
        assert result.analyser == analyser.name
        assert result.analyser
        assert result.version == analyser.version
        assert result.version
        assert isinstance(result.reason, str)
        assert len(result.reason) > 5
        assert 0.0 <= result.score <= 1.0
        assert isinstance(result.label, str)
        assert result.label


def test_it_answers_an_empty_batch_with_an_empty_list(analyser: Analyser) -> None:
    assert analyser.predict([]) == []


def test_it_refuses_a_bare_string(analyser: Analyser) -> None:
    with pytest.raises(TypeError):
        analyser.predict("not a list")


def test_hostile_html_stays_plain_text(analyser: Analyser) -> None:
    result = analyser.predict([TEXTS[3]])[0]
    assert "<script" not in result.reason.replace("'<script'", "")
