from __future__ import annotations

import hashlib
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity, where
from sftlint.minhash import UnionFind
from sftlint.places import Places
from sftlint.records import Record
from sftlint.text.content import alnum_words_utf8
from sftlint.text.labels import LabelTally
from sftlint.text.normal import excerpt

_PERMUTATIONS = 32
_BANDS = 8  # 8 bands of 4 rows: pairs at Jaccard 0.8 share a band with probability ~0.985
_ROWS = _PERMUTATIONS // _BANDS
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240607)  # fixed: signatures must be comparable across runs
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_MAX_GROUPS = 50
_MAX_RELATED = 20
_MAX_EXCERPTS = 20_000  # prompt excerpts kept for the summary (groups past these show none)


class LabelInconsistencyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    max_answer_words: int = Field(3, ge=1, description="responses of at most this many words count as short answers")
    near_threshold: float = Field(
        0.8, gt=0, le=1, description="Jaccard similarity (word 3-grams) from which two prompts are near-same"
    )


def _shingle_hashes(words: list[bytes]) -> Iterator[int]:
    """CRC32 of the word 3-grams of a text whose `alnum_words_utf8` are `words` (single words
    for texts under three words), hashed without a Python loop per 3-gram."""
    if len(words) >= 3:
        return map(zlib.crc32, map(b" ".join, zip(words, words[1:], words[2:], strict=False)))
    return map(zlib.crc32, words or [b""])


def _signatures(hashes: array, counts: list[int]) -> np.ndarray:
    """(texts, 32) MinHash values kept to 16 bits, for texts whose shingle hashes are `hashes`
    one text after another (`counts` of them each): one vectorised step for a batch of texts,
    worked in place (each temporary of a batch is megabytes)."""
    values = np.multiply.outer(np.frombuffer(hashes, dtype=np.uint32).astype(np.uint64), _A)
    values += _B
    values %= np.uint64(_PRIME)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return (np.minimum.reduceat(values, starts, axis=0) & np.uint64(0xFFFF)).astype(np.uint16)


#: texts signed together (bounds the batch's (shingles x 32) array)
_BATCH = 256


class LabelInconsistency(Check):
    """The same or nearly the same prompt with different labels or short answers.

    What it does: Applies to classification-like data only: a dataset where at least half of
    the records carry a `label` field (the label is that field), or where at least 80 % of the
    responses are short answers of at most `max_answer_words` words (the label is the
    response, lower-cased, surrounding punctuation and quotes removed). Long-form data is
    left alone: two different essays answering one prompt are not a conflict. Prompts are
    grouped when they are equal after lower-casing and dropping punctuation, and when they
    are near-same: MinHash estimate of Jaccard similarity of word 3-grams at least
    `near_threshold`, on the `input` field when an alpaca record has one (a shared
    instruction such as "Classify the sentiment" must not make every review look alike),
    else on the user turns. Every member of a group whose labels disagree is reported, with
    the other members in `related`, and the competing labels, their counts and where each other
    label is first given ("'how-to' at line 312") in the message.
    Memory is about 80 bytes per labelled record.

    Why it matters: Two different labels for the same input teach the model that the answer
    is a coin toss; a classifier trained on them is capped below the accuracy you expect, and
    the noise hits exactly the cases the labels were supposed to settle.

    How to fix: Decide the correct label for each reported group (the message shows the
    vote) and fix the minority, or drop the group. If the prompts differ in a way that
    matters, raise `near_threshold`.

    Options: `max_answer_words` (default 3), `near_threshold` (default 0.8), under
    `[tool.sftlint.checks.label-inconsistency]`.
    """

    code = "SFT110"
    slug = "label-inconsistency"
    severity = Severity.ERROR
    cost = 5
    Options = LabelInconsistencyOptions

    def __init__(self, options: LabelInconsistencyOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.tally = LabelTally()
        self.files: list[str] = []
        self.file_index: dict[str, int] = {}
        self.where = array("I")  # file index, line per kept record
        self.keys = array("Q")  # hash of the normalised prompt
        self.signatures = array("H")  # 32 x 16-bit MinHash per kept record
        self.field_label = array("i")  # label ids (-1: none), by label field and by short answer
        self.answer_label = array("i")
        self.label_ids: dict[str, int] = {}
        self.label_names: list[str] = []
        self.excerpts: dict[int, str] = {}  # prompt key -> excerpt, for the first prompts seen
        self._hashes = array("I")  # shingle hashes (CRC32) of the texts not signed yet
        self._counts: list[int] = []
        self._summary: dict[str, Any] | None = None

    def _label_id(self, label: str | None) -> int:
        if label is None:
            return -1
        found = self.label_ids.get(label)
        if found is None:
            found = self.label_ids[label] = len(self.label_names)
            self.label_names.append(label)
        return found

    def collect(self, record: Record) -> None:
        label, answer = self.tally.add(record, self.options.max_answer_words)
        if label is None and answer is None:
            return
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        # The words of the prompt are those of the instruction, then those of the input.
        asked = alnum_words_utf8(record.instruction)
        given = alnum_words_utf8(record.input) if record.input else []
        key = int.from_bytes(hashlib.blake2b(b" ".join(asked + given), digest_size=8).digest(), "little")
        self.where.extend((file_no, record.position))
        self.keys.append(key)
        before = len(self._hashes)
        self._hashes.extend(_shingle_hashes(given if record.turns is None and record.input.strip() else asked))
        self._counts.append(len(self._hashes) - before)
        if len(self._counts) >= _BATCH:
            self._sign()
        self.field_label.append(self._label_id(label))
        self.answer_label.append(self._label_id(answer))
        if len(self.excerpts) < _MAX_EXCERPTS:
            self.excerpts.setdefault(key, excerpt(record.prompt, 200))

    def _sign(self) -> None:
        if self._counts:
            self.signatures.frombytes(_signatures(self._hashes, self._counts).tobytes())
            self._hashes, self._counts = array("I"), []

    def finish(self, context: Context) -> Iterator[Finding]:
        self._sign()
        like = self.tally.classification_like
        self._summary = {"classification_like": like, "basis": self.tally.basis(), "groups": []}
        if not like or not self.keys:
            self._let_go()
            return
        labels = np.frombuffer(self.field_label if self.tally.uses_label_field else self.answer_label, dtype=np.int32)
        kept = np.flatnonzero(labels >= 0)
        keys = np.frombuffer(self.keys, dtype=np.uint64)[kept]
        signatures = np.frombuffer(self.signatures, dtype=np.uint16).reshape(-1, _PERMUTATIONS)[kept]
        components = self._group(keys, signatures)
        yield from self._report(kept, labels[kept], components, context.places)
        self._let_go()

    def _let_go(self) -> None:
        """Drop what was kept per record once `finish` has used it: the findings of the later
        checks are not stacked on it."""
        self.where, self.keys, self.signatures = array("I"), array("Q"), array("H")
        self.field_label, self.answer_label = array("i"), array("i")
        self.excerpts = {}

    def _group(self, keys: np.ndarray, signatures: np.ndarray) -> np.ndarray:
        """Component id of each record: equal normalised prompts, then near-same ones (verified)."""
        _, exact = np.unique(keys, return_inverse=True)
        representatives = np.unique(exact, return_index=True)[1]
        union = UnionFind(representatives.size)
        rep_signatures = signatures[representatives]
        for band in range(_BANDS):
            rows = rep_signatures[:, band * _ROWS : (band + 1) * _ROWS].astype(np.uint64)
            band_key = (
                rows[:, 0] | rows[:, 1] << np.uint64(16) | rows[:, 2] << np.uint64(32) | rows[:, 3] << np.uint64(48)
            )
            order = np.argsort(band_key, kind="stable")
            sorted_keys = band_key[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            first = order[np.repeat(starts, np.diff(np.r_[starts, order.size]))]
            same = first != order
            if not same.any():
                continue
            a, b = first[same], order[same]
            estimate = (rep_signatures[a] == rep_signatures[b]).mean(axis=1)
            close = estimate >= self.options.near_threshold
            union.union(a[close], b[close])
        return union.roots()[exact]

    def _report(self, kept: np.ndarray, labels: np.ndarray, components: np.ndarray, at: Places) -> Iterator[Finding]:
        order = np.argsort(components, kind="stable")
        sorted_components = components[order]
        starts = np.flatnonzero(np.r_[True, sorted_components[1:] != sorted_components[:-1]])
        ends = np.r_[starts[1:], order.size]
        spots = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)  # per kept record: file, position
        groups = []
        for start, end in zip(starts, ends, strict=True):
            if end - start < 2:
                continue
            members = order[start:end]
            votes = Counter(self.label_names[labels[m]] for m in members)
            if len(votes) < 2:
                continue
            places = [(self.files[spots[kept[m], 0]], int(spots[kept[m], 1])) for m in members]
            shown = ", ".join(f"'{excerpt(label, 30)}' x{n}" for label, n in votes.most_common(5))
            # The first members but this one: enough to name, and linear in a group of thousands.
            named = places[: _MAX_RELATED + 1]
            # the first record of each label, the most common first: a message names where the others are
            first_of: dict[str, tuple[str, int]] = {}
            for m, place in zip(members, places, strict=True):
                first_of.setdefault(self.label_names[labels[m]], place)
            ranked = [label for label, _ in votes.most_common()]
            for m, (file, position) in zip(members, places, strict=True):
                others = [Location(f, None, n) for f, n in named if (f, n) != (file, position)]
                mine = self.label_names[labels[m]]
                other_labels = [label for label in ranked if label != mine][:3]
                elsewhere = "; ".join(
                    f"'{excerpt(label, 30)}' at {where(f, at.line(f, n), n, at.formats, beside=file)}"
                    for label in other_labels
                    for f, n in [first_of[label]]
                )
                yield self.finding(
                    f"{len(members)} records with the same or near-same prompt disagree: {shown} "
                    f"(this one: '{excerpt(mine, 30)}'; {elsewhere})",
                    file=file,
                    position=position,
                    related=others[:_MAX_RELATED],
                    score=1.0 - votes[self.label_names[labels[m]]] / len(members),
                    labels=dict(votes),
                )
            if len(groups) < _MAX_GROUPS:
                first = int(self.keys[int(kept[members[0]])])
                groups.append(
                    {
                        "prompt": self.excerpts.get(first, ""),
                        "labels": dict(votes.most_common()),
                        "members": [
                            {"file": f, "line": at.line(f, n), "record": n, "label": self.label_names[labels[m]]}
                            for m, (f, n) in zip(members, places, strict=True)
                        ],
                    }
                )
        assert self._summary is not None
        self._summary["groups"] = groups

    def summary(self) -> dict[str, Any] | None:
        return self._summary
