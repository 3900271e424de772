"""Seeded corpora for the near-duplicate benchmark: ~1 KB alpaca records with planted near-duplicates.

Text is made of sentences of pseudo-words drawn with Zipf frequencies, so most word 5-grams are
unique as in real prose. A share of records reuse one of a few instruction templates, and some
answers share a long boilerplate opening, so that many records look alike without being
near-duplicates (the case that floods an LSH with candidates). Planted copies are lightly edited
earlier records: 0 to 8 words replaced, which puts their Jaccard on both sides of 0.8.
A manifest next to the corpus lists every planted copy.

    python benchmarks/neardup_corpus.py 100000 benchmarks/corpora/sftlint-neardup-100k.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

VOCABULARY = 40_000
TEMPLATES = 24
NEAR_COPY_RATE = 0.04  # records that are edited copies of an earlier record
EXACT_COPY_RATE = 0.005  # records that repeat an earlier one with different case (SFT103's)
BOILERPLATE_RATE = 0.06  # answers that open with one of a few long boilerplate paragraphs
EDITS = np.array([0, 1, 1, 2, 2, 3, 4, 5, 8])  # words replaced in a planted copy
WINDOW = 5_000  # a copy's source is at most this many records earlier


def _vocabulary(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Words, their Zipf probabilities, and the three spellings used in sentences."""
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    picks = rng.integers(0, len(syllables), size=(3 * VOCABULARY, 4)).tolist()
    lengths = rng.integers(1, 5, size=3 * VOCABULARY).tolist()
    words = dict.fromkeys("".join(syllables[s] for s in pick[:n]) for pick, n in zip(picks, lengths, strict=True))
    plain = np.array(list(words)[:VOCABULARY], dtype=object)
    table = np.concatenate(
        [
            plain,
            np.array([w.capitalize() for w in plain], dtype=object),
            np.array([w + "." for w in plain], dtype=object),
        ]
    )
    ranks = np.arange(1, VOCABULARY + 1)
    p = 1.0 / ranks**1.07
    return table, p / p.sum()


class Writer:
    """Draws sentences fast: a long stream of words with sentence marks is made in bulk by numpy,
    and each text is the next slice of it, opened with a capital and closed with a period."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.table, self.p = _vocabulary(self.rng)
        self.cdf = np.cumsum(self.p)
        self._stream = np.zeros(0, dtype=np.int64)

    def _refill(self, n: int) -> None:
        size = max(n, 1 << 20)
        ids = np.minimum(np.searchsorted(self.cdf, self.rng.random(size)), VOCABULARY - 1)
        ends = np.cumsum(self.rng.integers(6, 20, size=size // 6 + 2))
        ends = ends[ends < size] - 1
        ids[ends] += 2 * VOCABULARY  # "word." closes a sentence
        ids[ends[:-1] + 1] += VOCABULARY  # "Word" opens the next
        ids[ids >= 3 * VOCABULARY] -= VOCABULARY  # a one-word sentence keeps its period
        self._stream = np.concatenate([self._stream, ids])

    def words(self, n: int) -> np.ndarray:
        if len(self._stream) < n:
            self._refill(n)
        out, self._stream = self._stream[:n].copy(), self._stream[n:]
        return out

    def text(self, words: int) -> str:
        ids = self.words(words)
        ids[0] = ids[0] % VOCABULARY + VOCABULARY
        ids[-1] = ids[-1] % VOCABULARY + 2 * VOCABULARY if words > 1 else ids[-1]
        return " ".join(self.table[ids].tolist())


def _edit(rng: np.random.Generator, writer: Writer, text: str, changes: int) -> str:
    words = text.split(" ")
    if changes == 0:  # retyped: punctuation and spacing differ, the words do not
        return text.replace(". ", "! ", 1).replace(" ", "  ", 3)
    for i in rng.choice(len(words), size=min(changes, len(words)), replace=False):
        words[i] = writer.table[int(writer.words(1)[0]) % VOCABULARY]
    return " ".join(words)


def generate(n: int, path: Path, seed: int = 0) -> list[dict]:
    """Write n records to `path` (JSONL) and return the manifest of planted copies."""
    writer = Writer(seed)
    rng = np.random.default_rng(seed + 1)
    templates = [writer.text(int(rng.integers(12, 25))) for _ in range(TEMPLATES)]
    boilerplate = [writer.text(60) for _ in range(4)]
    kinds = rng.random(n)
    ring: list[dict] = [{}] * WINDOW  # the last WINDOW records, record i at i % WINDOW
    manifest: list[dict] = []
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            kind = kinds[i]
            if i > 10 and kind < NEAR_COPY_RATE + EXACT_COPY_RATE:
                source = int(rng.integers(max(0, i - WINDOW), i))
                original = ring[source % WINDOW]
                if kind < EXACT_COPY_RATE:
                    record = {k: v.upper() for k, v in original.items()}
                    manifest.append({"line": i + 1, "source": source + 1, "kind": "exact", "changes": 0})
                else:
                    changes = int(rng.choice(EDITS))
                    record = dict(original, output=_edit(rng, writer, original["output"], changes))
                    manifest.append({"line": i + 1, "source": source + 1, "kind": "near", "changes": changes})
            else:
                templated = rng.random() < 0.3
                instruction = (
                    templates[int(rng.integers(TEMPLATES))] if templated else writer.text(int(rng.integers(8, 30)))
                )
                has_input = templated or rng.random() < 0.3
                answer = writer.text(int(rng.integers(80, 140)))
                if rng.random() < BOILERPLATE_RATE:
                    answer = boilerplate[int(rng.integers(4))] + " " + writer.text(int(rng.integers(40, 90)))
                record = {
                    "instruction": instruction,
                    "input": writer.text(int(rng.integers(20, 50))) if has_input else "",
                    "output": answer,
                }
            ring[i % WINDOW] = record
            out.write(json.dumps(record) + "\n")
    Path(str(path) + ".manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
