"""Shared helpers of the near-duplicate and contamination tests: seeded prose and exact Jaccard."""

from __future__ import annotations

import json
import random
from pathlib import Path

from sftlint.minhash import WORD_SHINGLE, normalise_text, shingles

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "do", "la", "ri", "co", "ma", "te", "fu"]


def vocabulary(size: int = 3000, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


VOCAB = vocabulary()


def prose(rng: random.Random, words: int) -> str:
    """Sentences of Zipf-like words: most 5-grams unique, as in real text."""
    out, sentence = [], []
    for _ in range(words):
        sentence.append(
            VOCAB[min(int(rng.paretovariate(0.8)) - 1, len(VOCAB) - 1)] if rng.random() < 0.4 else rng.choice(VOCAB)
        )
        if len(sentence) >= rng.randint(6, 18):
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return " ".join(out)


def edit(rng: random.Random, text: str, changes: int) -> str:
    """Replace `changes` words at random positions (each change breaks up to k shingles of k words)."""
    words = text.split(" ")
    for i in rng.sample(range(len(words)), changes):
        words[i] = rng.choice(VOCAB)
    return " ".join(words)


def exact_jaccard(a: str, b: str, word_shingle: int = WORD_SHINGLE) -> float:
    """Jaccard of the two texts' shingle sets, the slow obvious way."""
    x, y = set(shingles(normalise_text(a), word_shingle)), set(shingles(normalise_text(b), word_shingle))
    return len(x & y) / len(x | y) if x | y else 0.0


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path
