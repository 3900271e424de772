from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity, where
from sftlint.io import ReadStats, read_file, shown_path
from sftlint.minhash import (
    NUM_PERM,
    Batch,
    MinHasher,
    SignedCorpus,
    band_keys,
    distinct,
    jaccard,
    lsh_params,
    normalise_text,
)
from sftlint.records import Record, normalise
from sftlint.text.normal import Compared, compared_text

if TYPE_CHECKING:
    from sftlint.config import Config

#: evaluation records verified per training record (the ones sharing the most LSH bands first)
MAX_CANDIDATES = 32
SHOWN_MATCHES = 5
#: a shared run found in more training records than this is a phrase of the training data
#: (a template, a boilerplate sentence), not evidence that one evaluation record leaked
MAX_TRAINING_RECORDS = 3
SHOWN_RUN_WORDS = 30
#: words per shingle of the whole-text Jaccard: 5, not SFT104's word pairs, so that prompts
#: built on one long template of the evaluation set stay below the threshold (edited copies
#: are the shared-run rule's)
WORD_SHINGLE = 5
_WHAT = {"prompt": "prompt", "response": "response", "pair": "record"}


class ContaminationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    threshold: float = Field(
        0.8, gt=0.0, le=1.0, description="Jaccard similarity at which a training text copies an evaluation text"
    )
    on: Compared = Field("prompt", description="text compared: prompt, response or pair (instruction+input+response)")
    num_perm: int = Field(NUM_PERM, ge=16, le=1024, description="MinHash permutations")
    ngram: int = Field(13, ge=0, le=100, description="words of a shared run that contaminates (0: no run rule)")
    short_ngram: int = Field(
        8, ge=0, le=100, description="words of a shared run for evaluation texts of fewer than 2 x ngram + 1 words"
    )


@dataclass
class SharedRun:
    """A run of words a training text shares with an evaluation text, grown as long as the texts agree."""

    keys: frozenset[int]  # hashes of the indexed n-grams the two texts share
    eval: int  # the evaluation text
    length: int  # words in the run
    words: str  # the run (normalised words)


@dataclass
class RunSuspect:
    """A training text sharing long runs with evaluation texts, judged once the training data is read."""

    number: int  # the training record's position in the input
    at: Location
    runs: list[SharedRun]
    similarity: dict[int, float]  # Jaccard with each evaluation text it shares a run with


class RunIndex:
    """The word n-grams of the evaluation texts that can show a leak of one of them.

    Texts of at least 2 x `long` + 1 words are indexed by their `long`-grams, shorter ones by
    their `short`-grams. Words that several distinct evaluation texts share (in a run of the
    smallest n-gram length) are their template or a set phrase: an n-gram that touches one is
    not indexed, so a training text on the same template is not taken for a leak of any of them.
    """

    def __init__(self, hasher: MinHasher, long: int, short: int) -> None:
        self.hasher, self.long, self.short = hasher, long, short
        self.sizes = sorted({n for n in (long, short) if n > 0}) if long > 0 else []
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.evals = np.zeros(0, dtype=np.int64)
        self.positions = np.zeros(0, dtype=np.int64)

    def index(self, texts: list[str]) -> None:
        if not self.sizes:
            return
        first: dict[str, int] = {}
        ids = np.array([i for i, t in enumerate(texts) if first.setdefault(t, i) == i], dtype=np.int64)
        words = np.array([texts[i].count(" ") + 1 if texts[i] else 0 for i in ids], dtype=np.int64)
        offset = np.concatenate(([0], np.cumsum(words)))  # first word of each distinct text, all joined
        size = np.where(words >= 2 * self.long + 1, self.long, self.short)
        grams: dict[int, list[np.ndarray]] = {n: [] for n in self.sizes}  # per n: (hash, text, position) rows
        for lo in range(0, len(ids), 256):
            chunk = [texts[i] for i in ids[lo : lo + 256]]
            for n in self.sizes:
                hashes, owner, position = self.hasher.ngrams(chunk, n)
                grams[n].append(np.stack([hashes.astype(np.int64), owner + lo, position]))
        table = {n: np.concatenate(g, axis=1) if g else np.zeros((3, 0), np.int64) for n, g in grams.items()}
        # Template words: covered by a run of the smallest length that two distinct texts share.
        smallest = self.sizes[0]
        hashes, owner, position = table[smallest]
        shared = np.isin(hashes, _shared(hashes, owner))
        cover = np.zeros(offset[-1] + 1, dtype=np.int64)
        starts = offset[owner[shared]] + position[shared]
        np.add.at(cover, starts, 1)
        np.add.at(cover, starts + smallest, -1)
        template = np.concatenate(([0], np.cumsum(np.cumsum(cover)[:-1] > 0)))
        kept = []
        for n in self.sizes:
            hashes, owner, position = table[n]
            first_word = offset[owner] + position
            clean = (size[owner] == n) & (words[owner] >= n) & (template[first_word + n] == template[first_word])
            kept.append(table[n][:, clean])
        hashes, owner, position = np.concatenate(kept, axis=1)
        single = ~np.isin(hashes, _shared(hashes, owner))
        unsigned = hashes[single].astype(np.uint64)
        order = np.argsort(unsigned, kind="stable")
        self.hashes = unsigned[order]
        self.evals = ids[owner[single][order]]
        self.positions = position[single][order]

    def find(self, texts: list[str], eval_texts: list[str]) -> dict[int, list[SharedRun]]:
        """Per training text of the batch, its longest verified shared run with each evaluation text it meets.

        A run with an evaluation text of fewer than 2 x `long` + 1 words counts only when the
        runs shared with it cover at least half its words (one edit leaves that much; a set
        phrase of a short question does not).
        """
        if not len(self.hashes):
            return {}
        # (training row, evaluation text) -> {start in the evaluation text: (hash, start in the training text, words)}
        hits: dict[tuple[int, int], dict[int, tuple[int, int, int]]] = {}
        # Each text split once, and each run grown once: the n-grams of a long shared passage all
        # fall inside the run the first of them grew (split and grown again for each, a passage of
        # 16,000 words took 38 s). Runs by (row, evaluation text, offset between their starts).
        train_split: dict[int, list[str]] = {}
        eval_split: dict[int, list[str]] = {}
        runs_on: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
        for n in self.sizes:
            hashes, owner, position = self.hasher.ngrams(texts, n)
            at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
            for i in np.flatnonzero(self.hashes[at] == hashes):
                row, ev = int(owner[i]), int(self.evals[at[i]])
                t, e = int(position[i]), int(self.positions[at[i]])
                known = runs_on.setdefault((row, ev, t - e), [])
                inside = next((run for run in known if run[0] <= t < run[0] + run[2]), None)
                if inside is not None:  # within a run already grown: that run, or a hash collision past its end
                    grown = inside if t + n <= inside[0] + inside[2] else None
                else:
                    if row not in train_split:
                        train_split[row] = texts[row].split(" ")
                    if ev not in eval_split:
                        eval_split[ev] = eval_texts[ev].split(" ")
                    grown = _grow(train_split[row], eval_split[ev], t, e, n)
                    if grown is not None:
                        known.append(grown)
                if grown is not None:
                    start, eval_start, length = grown
                    hits.setdefault((row, ev), {})[eval_start] = (int(hashes[i]), start, length)
        out: dict[int, list[SharedRun]] = {}
        for (row, ev), runs in hits.items():
            eval_words = eval_texts[ev].count(" ") + 1
            covered = np.zeros(eval_words, dtype=bool)
            for eval_start, (_, _, length) in runs.items():
                covered[eval_start : eval_start + length] = True
            if eval_words < 2 * self.long + 1 and 2 * covered.sum() < eval_words:
                continue
            _, start, length = max(runs.values(), key=lambda run: (run[2], -run[1]))
            words = " ".join(texts[row].split(" ")[start : start + length])
            out.setdefault(row, []).append(SharedRun(frozenset(run[0] for run in runs.values()), ev, length, words))
        return out


def _shared(hashes: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """The hashes found in two or more distinct texts."""
    pairs = np.unique(np.stack([hashes, texts]), axis=1)
    values, counts = np.unique(pairs[0], return_counts=True)
    return values[counts >= 2]


def _grow(train: list[str], evaluation: list[str], t: int, e: int, n: int) -> tuple[int, int, int] | None:
    """The run the texts share around an n-gram matched by hash: (start in train, start in evaluation, words).

    None when the words differ (a hash collision).
    """
    if train[t : t + n] != evaluation[e : e + n]:
        return None
    while t > 0 and e > 0 and train[t - 1] == evaluation[e - 1]:
        t, e, n = t - 1, e - 1, n + 1
    while t + n < len(train) and e + n < len(evaluation) and train[t + n] == evaluation[e + n]:
        n += 1
    return t, e, n


class Contamination(Check):
    """Training records whose prompt copies, or nearly copies, a record of the evaluation set.

    What it does: With `--against eval.jsonl` (repeatable) or `against = ["eval.jsonl"]` in
    config, indexes the evaluation records before the training data is read, then reports
    every training record whose prompt (the text `on` names) matches an evaluation prompt by
    either rule:

    - near duplicate: MinHash/LSH as in SFT104, on word 5-grams (not pairs: prompts on one
      long template of the evaluation set would reach the threshold), each candidate verified
      with the exact Jaccard of the two shingle sets (at least `threshold`);
    - long shared run: the two texts share a run of `ngram` (13) words, or of `short_ngram`
      (8) when the evaluation text has fewer than 27 words (2 x 13 + 1). One edit anywhere
      in a text of 27 words or more leaves 13 untouched words on one side of it, so a
      question with one name swapped still shares a 13-word run; one of 17 to 26 words keeps
      8. This is GPT-3's decontamination practice (13-gram overlap), with a shorter run for
      short texts, where a 13-word run cannot survive an edit. Three guards keep shared
      phrasing from counting: words that several evaluation texts share in an 8-word run are
      their template, and no run through them counts; with an evaluation text under 27
      words, the shared runs must cover at least half of it (one edit leaves that much, a
      set phrase does not); and a run found in more than 3 training records is a phrase of
      the training data (a template, a boilerplate sentence), not a leak. The message quotes
      the longest shared run (normalised words) as the evidence; the Jaccard of the two
      texts is its `score`.

    The evaluation file and line are in `related`, and the one the message names is the
    finding's `partner` in `data` (the report shows the two records compared word by word).
    Without an evaluation set the check does nothing.

    Why it matters: A model trained on evaluation prompts has seen the test. Its scores on
    that evaluation set then measure memory, not skill, and every comparison made with them
    afterwards is wrong.

    How to fix: Remove the contaminated records from the training data (or, if the
    evaluation set is yours to change, from the evaluation set) and keep the two sets apart
    from the start, for example with `sftlint split`.

    Options: `threshold` (0.8), `on` ("prompt", "response" or "pair"), `ngram` (13; 0 turns
    the run rule off), `short_ngram` (8) and `num_perm` (128) under
    `[tool.sftlint.checks.contamination]`.
    """

    code = "SFT203"
    slug = "contamination"
    severity = Severity.ERROR
    Options = ContaminationOptions

    def __init__(self, options: ContaminationOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.hasher = MinHasher(self.options.num_perm, word_shingle=WORD_SHINGLE)
        self.bands, self.rows = lsh_params(self.options.threshold, self.options.num_perm)
        self.against: list[str] = []
        self.eval_corpus: SignedCorpus | None = None
        self.eval_at: list[Location] = []
        self.eval_formats: dict[str, str] = {}  # each evaluation file's format, to name its records
        self.eval_ids: list[np.ndarray] = []  # per band: indexed evaluation texts, by band key
        self.eval_keys: list[np.ndarray] = []  # per band: their keys, sorted
        self.cache: dict[int, np.ndarray] = {}
        self.eval_texts: list[str] = []
        self.runs = RunIndex(self.hasher, self.options.ngram, self.options.short_ngram)
        self.pending: list[str] = []
        self.pending_at: list[Location] = []
        self.seen = 0  # training records read so far
        self.found: list[tuple[int, Finding]] = []  # (training record number, finding)
        self.run_suspects: list[RunSuspect] = []
        self.run_counts: Counter[int] = Counter()  # training records holding each indexed run
        self.matched: set[int] = set()
        self.result: dict[str, Any] | None = None

    def start(self, config: Config) -> None:
        """Index the evaluation sets; an unreadable one stops the run (InputError, exit 2)."""
        if not config.against:
            return
        corpus = SignedCorpus(self.hasher, self.bands, self.rows)
        for path in config.against:
            name = shown_path(path)
            self.against.append(name)
            stats = ReadStats()
            for raw in read_file(path, stats):
                record, _ = normalise(raw.value, name, raw.line, config.fields) if raw.error is None else (None, [])
                if record is not None:
                    self.eval_at.append(Location(name, raw.line, raw.position))
                    self.eval_texts.append(normalise_text(compared_text(record, self.options.on)))
                    corpus.add(self.eval_texts[-1])
            self.eval_formats[name] = stats.format
        self.runs.index(self.eval_texts)
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
        self.pending_at.append(Location(record.file, record.line, record.position))
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
        flagged = set()
        for row, candidates in self._candidates(keys).items():
            shingles = self._shingles(batch, row)
            matches = []
            for ev in candidates[:MAX_CANDIDATES]:
                similarity = jaccard(shingles, self._eval_set(ev))
                if similarity >= threshold:
                    matches.append((similarity, ev))
            if matches:
                flagged.add(row)
                finding = self._finding(self.pending_at[row], sorted(matches, key=lambda m: (-m[0], m[1])))
                self.found.append((self.seen + row, finding))
        for row, runs in self.runs.find(self.pending, self.eval_texts).items():
            self.run_counts.update(set().union(*(run.keys for run in runs)))
            if row not in flagged:
                shingles = self._shingles(batch, row)
                similarity = {run.eval: jaccard(shingles, self._eval_set(run.eval)) for run in runs}
                self.run_suspects.append(RunSuspect(self.seen + row, self.pending_at[row], runs, similarity))
        self.seen += len(self.pending)
        self.pending, self.pending_at = [], []

    @staticmethod
    def _shingles(batch: Batch, row: int) -> np.ndarray:
        """Training text `row`'s shingle set."""
        return distinct(batch.hashes[batch.offsets[row] : batch.offsets[row + 1]])

    def _where(self, there: Location) -> str:
        return where(there.file, there.line, there.record, self.eval_formats)

    def _finding(self, here: Location, matches: list[tuple[float, int]]) -> Finding:
        similarity, best = matches[0]
        self.matched.update(ev for _, ev in matches)
        what, there = _WHAT[self.options.on], self.eval_at[best]
        if similarity == 1.0:
            message = f"{what} is the same as the evaluation record at {self._where(there)}"
        else:
            message = (
                f"{what} near-duplicates the evaluation record at {self._where(there)} "
                f"(Jaccard {similarity:.2f}, threshold {self.options.threshold:g})"
            )
        if len(matches) > 1:
            message += f" and {len(matches) - 1} more"
        related = [self.eval_at[ev] for _, ev in matches[:SHOWN_MATCHES]]
        return self.finding(
            message,
            at=here,
            related=related,
            score=similarity,
            eval_matches=len(matches),
            partner=there.to_dict(),  # the evaluation record the message names, compared with it in the report
            partner_shares=True,  # what the two share is the evidence: the report shows the turns alike too
        )

    def _run_finding(self, suspect: RunSuspect) -> Finding | None:
        """The finding for a training text sharing long runs, if one of them is rare in the training data."""
        runs = [run for run in suspect.runs if min(self.run_counts[k] for k in run.keys) <= MAX_TRAINING_RECORDS]
        if not runs:
            return None
        best = max(runs, key=lambda r: (r.length, -r.eval))
        self.matched.update(r.eval for r in runs)
        there = self.eval_at[best.eval]
        words = best.words.split(" ")
        shown = " ".join(words[:SHOWN_RUN_WORDS]) + (" …" if len(words) > SHOWN_RUN_WORDS else "")
        message = (
            f"{_WHAT[self.options.on]} shares a run of {best.length} words with the evaluation record at "
            f'{self._where(there)}: "{shown}"'
        )
        others = sorted({r.eval for r in runs} - {best.eval})
        if others:
            message += f" and runs with {len(others)} more"
        related = [there] + [self.eval_at[ev] for ev in others[: SHOWN_MATCHES - 1]]
        return self.finding(
            message,
            at=suspect.at,
            related=related,
            score=suspect.similarity[best.eval],
            eval_matches=1 + len(others),
            shared_words=best.length,
            shared_run=best.words,
            partner=there.to_dict(),
            partner_shares=True,
        )

    def finish(self, context: Context) -> Iterator[Finding]:
        if self.eval_corpus is None:
            # said, so that no table reads "none found" as "checked and clean"
            self.result = {
                "against": [],
                "eval_records": 0,
                "contaminated": 0,
                "rate": 0.0,
                "skipped": "no evaluation set given (--against)",
            }
            return
        if self.pending:
            self._flush()
        self.eval_corpus.store.close()
        by_run = [(s.number, f) for s in self.run_suspects if (f := self._run_finding(s)) is not None]
        findings = [f for _, f in sorted(self.found + by_run, key=lambda item: item[0])]
        yield from findings
        eval_records = len(self.eval_at)
        self.result = {
            "against": self.against,
            "eval_records": eval_records,
            "contaminated": len(self.matched),  # evaluation records found in the training data
            "rate": round(len(self.matched) / eval_records, 4) if eval_records else 0.0,
            "training_records": len(findings),  # training records flagged
            "by_shared_run": len(by_run),  # of them, flagged by a long shared run alone
            "threshold": self.options.threshold,
            "ngram": self.options.ngram,
            "short_ngram": self.options.short_ngram,
            "on": self.options.on,
        }

    def summary(self) -> dict[str, Any] | None:
        return self.result
