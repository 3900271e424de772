"""SFT106's block-wise machinery against the word-by-word definitions it replaces.

Terms are extracted for thousands of records at once with numpy (sftlint.text.retrieval);
these tests hold them to the plain word-by-word definitions written out below, and the other
shortcuts (crc32 tables, nearest-record selection) to what they stand for. The bounded search
for the prompt a response fits is tested on real data in test_content_checks.
"""

from __future__ import annotations

import json
import random
import zlib

import numpy as np
import pytest

from conftest import REAL_DATA
from sftlint.checks import off_task
from sftlint.text import retrieval
from sftlint.text.content import EN_STOP_BYTES, WORD_BYTES, strip_code

ALPACA_EVAL = REAL_DATA / "alpaca_eval"


# Function words longer than 8 bytes and words that share their first 8 bytes, non-ASCII
# letters, a stem cut inside a multi-byte character, code fences, apostrophes, digits.
TRICKY = [
    (
        "Why do they blame themselves and ourselves, yourselves?",
        "Themselvesx and yourselfish people blame themselves; ourselves too: yourselves, ourselvesy.",
    ),
    ("Größenänderung der Übersicht", "Die Größenänderung ändert die Übersicht über alle Größen sofort."),
    ("naïve café résumé 東京都の天気", "The naïve café owner's résumé mentions 東京都の天気 and 東京都 twice."),
    ("Explain this code", "Here it is:\n```python\nprint('ignored words here')\n```\nIt prints a greeting line."),
    ("", "An answer to nothing at all, long enough to be judged by its words."),
    ("What's 2+2?", "4"),
    ("It's a b c d e", "a b c d e f g h i j k l m n o p q r s t u v w x y z"),
    ("Don't won't can't", "I don't know why they won't, can't or shouldn't do it, honestly."),
]


def word_bytes(text: str) -> list[bytes]:
    """The words of `text` as lower-case UTF-8 bytes (apostrophes split words)."""
    return text.encode("utf-8", "surrogatepass").translate(WORD_BYTES).split()


def content_terms(tokens: list[bytes], stem: int = 6) -> set[bytes]:
    """Distinct words that are not English function words, cut to `stem` letters."""
    return {w[:stem] for w in set(tokens) - EN_STOP_BYTES if len(w) > 1}


def content_words(text: str) -> set[bytes]:
    return content_terms(word_bytes(text))


def buckets(words: set[bytes], bits: int) -> list[int]:
    """crc32 hashes of `words` into 2**bits buckets, sorted."""
    return sorted(zlib.crc32(w) & ((1 << bits) - 1) for w in words)


def _reference(prompt: str, response: str, min_words: int = 8) -> tuple[list[int], list[int]] | None:
    """The prompt and response ids of one record, word by word (the definition)."""
    tokens = word_bytes(strip_code(response[: off_task._MAX_CHARS]))
    if len(tokens) < min_words:
        return None
    prompt_words = content_words(prompt[: off_task._MAX_CHARS])
    response_words = content_terms(tokens)
    prompt_ids = buckets(prompt_words, retrieval.BITS)[: retrieval.PROMPT_TERMS]
    shared = prompt_words & response_words
    response_ids = buckets(shared, retrieval.BITS)[: retrieval.RESPONSE_TERMS]
    if len(response_ids) < retrieval.RESPONSE_TERMS:
        response_ids += buckets(response_words - shared, retrieval.BITS)[: retrieval.RESPONSE_TERMS - len(response_ids)]
        response_ids.sort()
    if not prompt_ids or not response_ids:
        return None
    return prompt_ids, response_ids


def _pairs() -> list[tuple[str, str]]:
    pairs = list(TRICKY)
    for name in ("gpt4_1106_preview.jsonl", "falcon-7b-instruct.jsonl"):
        for line in (ALPACA_EVAL / name).read_text(encoding="utf-8").splitlines()[:300]:
            record = json.loads(line)
            pairs.append((record["instruction"], record["output"]))
    return pairs


def test_term_ids_of_a_block_are_those_of_the_word_by_word_definition():
    pairs = _pairs()
    texts = [
        t
        for prompt, response in pairs
        for t in (prompt[: off_task._MAX_CHARS], strip_code(response[: off_task._MAX_CHARS]))
    ]
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    judged, prompt_ids, prompt_counts, response_ids, response_counts = retrieval.pair_terms(encoded, 8)
    expected = [_reference(p, r) for p, r in pairs]
    assert judged.tolist() == [e is not None for e in expected]
    kept = [e for e in expected if e is not None]
    assert prompt_counts.tolist() == [len(p) for p, _ in kept]
    assert response_counts.tolist() == [len(r) for _, r in kept]
    assert prompt_ids.tolist() == [i for p, _ in kept for i in p]
    assert response_ids.tolist() == [i for _, r in kept for i in r]


def test_crc32_tables_give_zlib_values():
    rng = random.Random(3)
    words = [bytes(rng.randrange(1, 256) for _ in range(rng.randrange(2, 12))) for _ in range(5000)]
    stems = [w[:6] for w in words]
    values = np.array([int.from_bytes(s, "little") for s in stems], dtype=np.uint64)
    sizes = np.array([len(w) for w in words])
    assert retrieval._crc32(values, sizes).tolist() == [zlib.crc32(s) for s in stems]


@pytest.mark.parametrize("columns", [40, 61, 2000, 2003])
def test_nearest_records_are_the_k_largest_similarities(columns):
    rng = np.random.default_rng(columns)
    similarity = rng.random((50, columns), dtype=np.float32)
    similarity[similarity < 0.6] = 0  # many ties, as in sparse similarities
    similarity[:10] = np.round(similarity[:10] * 4) / 4
    similarity[np.arange(50), rng.integers(0, columns, 50)] = -1.0  # a record's own column
    k = 30
    near = retrieval.top(similarity, k)
    assert near.shape == (50, k) and all(len(set(row)) == k for row in near.tolist())
    expected = -np.sort(-similarity, axis=1)[:, :k]
    assert np.array_equal(-np.sort(-np.take_along_axis(similarity, near, axis=1), axis=1), expected)
