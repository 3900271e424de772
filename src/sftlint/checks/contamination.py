from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks.near_duplicate import Compared, compared_text
from sftlint.findings import Finding, Location, Severity
from sftlint.io import display_name, read_file
from sftlint.minhash import NUM_PERM, MinHasher, SignedCorpus, band_keys, distinct, jaccard, lsh_params, normalise_text
from sftlint.records import Record, normalise

if TYPE_CHECKING:
    from sftlint.config import Config

#: evaluation records verified per training record (the ones sharing the most LSH bands first)
MAX_CANDIDATES = 32
SHOWN_MATCHES = 5
_WHAT = {"prompt": "prompt", "response": "response", "pair": "record"}


class ContaminationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold: float = Field(
        0.8, gt=0.0, le=1.0, description="Jaccard similarity at which a training text copies an evaluation text"
    )
    on: Compared = Field("prompt", description="text compared: prompt, response or pair (instruction+input+response)")
    num_perm: int = Field(NUM_PERM, ge=16, le=1024, description="MinHash permutations")


def _shown_path(path: str) -> str:
    """A config file's absolute path made relative to the working directory when it is below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return display_name(path)


class Contamination(Check):
    """Training records whose prompt copies, or nearly copies, a record of the evaluation set.

    What it does: With `--against eval.jsonl` (repeatable) or `against = ["eval.jsonl"]` in
    config, indexes the evaluation records before the training data is read, then reports
    every training record whose prompt is an exact or near duplicate of an evaluation prompt:
    the same word 5-gram MinHash/LSH as SFT104, each candidate verified with the exact Jaccard
    of the two shingle sets (at least `threshold`). The evaluation file and line are in
    `related`. Without an evaluation set the check does nothing.

    Why it matters: A model trained on evaluation prompts has seen the test. Its scores on
    that evaluation set then measure memory, not skill, and every comparison made with them
    afterwards is wrong.

    How to fix: Remove the contaminated records from the training data (or, if the
    evaluation set is yours to change, from the evaluation set) and keep the two sets apart
    from the start, for example with `sftlint split`.

    Options: `threshold` (0.8), `on` ("prompt", "response" or "pair") and `num_perm` (128)
    under `[tool.sftlint.checks.contamination]`.
    """

    code = "SFT203"
    slug = "contamination"
    severity = Severity.ERROR
    Options = ContaminationOptions

    def __init__(self, options: ContaminationOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.hasher = MinHasher(self.options.num_perm)
        self.bands, self.rows = lsh_params(self.options.threshold, self.options.num_perm)
        self.against: list[str] = []
        self.eval_corpus: SignedCorpus | None = None
        self.eval_at: list[Location] = []
        self.eval_ids: list[np.ndarray] = []  # per band: indexed evaluation texts, by band key
        self.eval_keys: list[np.ndarray] = []  # per band: their keys, sorted
        self.cache: dict[int, np.ndarray] = {}
        self.pending: list[str] = []
        self.pending_at: list[Location] = []
        self.found: list[Finding] = []
        self.matched: set[int] = set()
        self.result: dict[str, Any] | None = None

    def start(self, config: Config) -> None:
        """Index the evaluation sets; an unreadable one stops the run (InputError, exit 2)."""
        if not config.against:
            return
        corpus = SignedCorpus(self.hasher, self.bands, self.rows)
        for path in config.against:
            name = _shown_path(path)
            self.against.append(name)
            for raw in read_file(path):
                record, _ = normalise(raw.value, name, raw.line, config.fields) if raw.error is None else (None, [])
                if record is not None:
                    self.eval_at.append(Location(name, raw.line))
                    corpus.add(normalise_text(compared_text(record, self.options.on)))
        keys = corpus.freeze()
        indexed = np.flatnonzero(corpus.store.sizes() > 0)
        for band in range(self.bands):
            order = indexed[np.argsort(keys[indexed, band], kind="stable")]
            self.eval_ids.append(order)
            self.eval_keys.append(keys[order, band])
        self.eval_corpus = corpus

    def collect(self, record: Record) -> None:
        if self.eval_corpus is None:
            return
        self.pending.append(normalise_text(compared_text(record, self.options.on)))
        self.pending_at.append(Location(record.file, record.line))
        if len(self.pending) >= 256:
            self._flush()

    def _candidates(self, keys: np.ndarray) -> dict[int, list[int]]:
        """Per training text of the batch, the evaluation texts sharing a band, most shared bands first."""
        rows, evals = [], []
        for band in range(self.bands):
            lo = np.searchsorted(self.eval_keys[band], keys[:, band], side="left")
            hi = np.searchsorted(self.eval_keys[band], keys[:, band], side="right")
            for i in np.flatnonzero(hi > lo):
                evals.append(self.eval_ids[band][lo[i] : hi[i]])
                rows.append(np.full(hi[i] - lo[i], i))
        if not rows:
            return {}
        pairs, counts = np.unique(
            np.stack([np.concatenate(rows), np.concatenate(evals)], axis=1), axis=0, return_counts=True
        )
        out: dict[int, list[int]] = {}
        for (row, ev), _ in sorted(
            zip(pairs.tolist(), counts.tolist(), strict=True), key=lambda p: (p[0][0], -p[1], p[0][1])
        ):
            out.setdefault(row, []).append(ev)
        return out

    def _eval_set(self, i: int) -> np.ndarray:
        if i not in self.cache:
            if len(self.cache) >= 4096:
                self.cache.clear()
            self.cache[i] = self.eval_corpus.store.get(i)  # type: ignore[union-attr]
        return self.cache[i]

    def _flush(self) -> None:
        batch = self.hasher.batch(self.pending)
        keys = band_keys(batch.signatures, self.bands, self.rows)
        threshold = self.options.threshold
        for row, candidates in self._candidates(keys).items():
            shingles = distinct(batch.hashes[batch.offsets[row] : batch.offsets[row + 1]])
            matches = []
            for ev in candidates[:MAX_CANDIDATES]:
                similarity = jaccard(shingles, self._eval_set(ev))
                if similarity >= threshold:
                    matches.append((similarity, ev))
            if matches:
                self.found.append(self._finding(self.pending_at[row], sorted(matches, key=lambda m: (-m[0], m[1]))))
        self.pending, self.pending_at = [], []

    def _finding(self, here: Location, matches: list[tuple[float, int]]) -> Finding:
        similarity, best = matches[0]
        self.matched.update(ev for _, ev in matches)
        what, there = _WHAT[self.options.on], self.eval_at[best]
        if similarity == 1.0:
            message = f"{what} is the same as the evaluation record at {there.file}:{there.line}"
        else:
            message = (
                f"{what} near-duplicates the evaluation record at {there.file}:{there.line} "
                f"(Jaccard {similarity:.2f}, threshold {self.options.threshold:g})"
            )
        if len(matches) > 1:
            message += f" and {len(matches) - 1} more"
        related = [self.eval_at[ev] for _, ev in matches[:SHOWN_MATCHES]]
        return self.finding(
            message, file=here.file, line=here.line, related=related, score=similarity, eval_matches=len(matches)
        )

    def finish(self, context: Context) -> Iterator[Finding]:
        if self.eval_corpus is None:
            return
        if self.pending:
            self._flush()
        self.eval_corpus.store.close()
        yield from self.found
        eval_records = len(self.eval_at)
        self.result = {
            "against": self.against,
            "eval_records": eval_records,
            "contaminated": len(self.matched),  # evaluation records found in the training data
            "rate": round(len(self.matched) / eval_records, 4) if eval_records else 0.0,
            "training_records": len(self.found),  # training records flagged
            "threshold": self.options.threshold,
            "on": self.options.on,
        }

    def summary(self) -> dict[str, Any] | None:
        return self.result
