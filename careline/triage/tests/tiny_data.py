"""A tiny synthetic data directory with the layout of ../shared/data (made up, not copied)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

WORDS = {
    "negative": ["awful", "terrible", "hate", "worst", "broken", "late", "angry", "sad"],
    "neutral": ["today", "meeting", "news", "train", "weather", "monday", "report", "game"],
    "positive": ["love", "great", "happy", "thanks", "amazing", "best", "awesome", "fun"],
}
FILLER = ["the", "a", "my", "it", "is", "so", "this", "was", "@user", "really", "http://x.co/a"]

TWEETEVAL = {
    "sentiment": ["negative", "neutral", "positive"],
    "emotion": ["anger", "joy", "optimism", "sadness"],
    "irony": ["non_irony", "irony"],
    "offensive": ["not-offensive", "offensive"],
    "hate": ["not-hate", "hate"],
}
CUE = {
    "anger": "negative",
    "joy": "positive",
    "optimism": "positive",
    "sadness": "negative",
    "non_irony": "neutral",
    "irony": "positive",
    "not-offensive": "neutral",
    "offensive": "negative",
    "not-hate": "neutral",
    "hate": "negative",
    "negative": "negative",
    "neutral": "neutral",
    "positive": "positive",
}


def sentence(rng: random.Random, polarity: str, extra: str = "") -> str:
    words = [rng.choice(FILLER) for _ in range(4)] + [rng.choice(WORDS[polarity]) for _ in range(2)]
    rng.shuffle(words)
    return " ".join(words + ([extra] if extra else []))


def write_tiny_data(root: Path, *, n: int = 60, seed: int = 1) -> Path:
    rng = random.Random(seed)
    for task, labels in TWEETEVAL.items():
        base = root / "tweeteval" / task
        base.mkdir(parents=True)
        (base / "mapping.txt").write_text(
            "".join(f"{i}\t{name}\n" for i, name in enumerate(labels)), encoding="utf-8"
        )
        for split, size in (("train", n), ("val", n // 3)):
            ids = [i % len(labels) for i in range(size)]
            texts = [sentence(rng, CUE[labels[i]], labels[i].replace("-", "")) for i in ids]
            (base / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
            (base / f"{split}_labels.txt").write_text(
                "\n".join(str(i) for i in ids) + "\n", encoding="utf-8"
            )
    path = root / "complaints"
    path.mkdir()
    domains = ["apparel", "retail", "random_tweet"]
    with (path / "complaints-train.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "label", "domain"])
        for i in range(n * 2):
            domain = domains[i % 3]
            label = 0 if domain == "random_tweet" else (i // 3) % 2
            text = (
                "@Brand"
                + str(i % 5)
                + " "
                + sentence(rng, "negative" if label else "positive", "refund" if label else "")
            )
            writer.writerow([str(1000 + i), text, str(label), domain])
    with (root / "topic_sample.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "kind"])
        for i in range(n * 2):
            if domains[i % 3] != "random_tweet":
                complaint = (i // 3) % 2
                topic = "refund_return" if complaint else "other"
                writer.writerow([str(1000 + i), topic, "complaint" if complaint else "other"])
    return root


def tiny_topic_sample(root: Path) -> Path:
    """The topic sample ``write_tiny_data`` wrote (refund complaints vs other)."""
    return root / "topic_sample.csv"
