from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks._content import buckets, content_terms, content_words, strip_code, word_bytes
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record

_PROMPT_TERMS = 24  # prompt terms kept per record (the lowest hash values: a fixed random sample)
_RESPONSE_TERMS = 32  # response terms kept per record: the rarest so far
_TOP_TERMS = 8  # a suspect response's rarest terms used to find the prompt it belongs to
_FLUSH = 1 << 20  # document-frequency buffer size before it is folded into the counts
_BITS = 20
_DIMS = 256  # response vectors: signed feature hashing of the sampled terms
_PROMPT_BUCKETS = 1 << 15  # prompt terms of the association model
_CHUNK = 4096  # records per block when building and applying the association model
_MAX_CHARS = 2000  # texts are read this far: enough to tell what they are about


class OffTaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_response_words: int = Field(
        8, ge=1, description="shorter responses are not judged (labels, codes, one-line answers)"
    )
    relative_threshold: float = Field(
        0.2, gt=0, lt=1, description="a score below this share of the data's median score is off-task"
    )
    margin: float = Field(
        0.3, gt=0, le=1, description="how much better another prompt must fit a response to call the pair misaligned"
    )
    min_records: int = Field(50, ge=2, description="fewest judged records needed to calibrate the threshold")
    min_separation: float = Field(
        0.2,
        gt=0,
        le=2,
        description="how much better than unrelated pairs own pairs must fit for the association signal to be used",
    )


class _Ragged:
    """Rows of term ids stored end to end (`terms`) with each row's end offset."""

    def __init__(self, terms: array, ends: array) -> None:
        self.terms = np.frombuffer(terms, dtype=np.uint32)
        self.ends = np.frombuffer(ends, dtype=np.uint32).astype(np.int64)
        self.starts = np.r_[0, self.ends[:-1]]
        self.owner = np.repeat(np.arange(self.ends.size), self.ends - self.starts)
        self.position = np.arange(self.terms.size) - self.starts[self.owner]

    def row(self, i: int) -> np.ndarray:
        return self.terms[self.starts[i] : self.ends[i]]


def _response_vectors(response: _Ragged, lo: int, hi: int) -> np.ndarray:
    """Unit vectors of records lo..hi-1: their sampled response terms, feature-hashed with signs."""
    a, b = response.starts[lo], response.ends[hi - 1]
    terms = response.terms[a:b].astype(np.int64)
    rows = response.owner[a:b] - lo
    signs = np.where((terms >> 8) & 1, 1.0, -1.0)
    flat = np.bincount(rows * _DIMS + (terms % _DIMS), weights=signs, minlength=(hi - lo) * _DIMS)
    vectors = flat.reshape(hi - lo, _DIMS).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _association(prompt: _Ragged, response: _Ragged) -> tuple[np.ndarray, np.ndarray]:
    """How well each response fits what the data's other prompts with the same words lead to.

    The model is learnt from the data itself: each prompt word's profile is the mean
    (centred) response vector of the other records whose prompts use it; a prompt predicts
    the sum of its words' profiles, and the fit is the cosine between that prediction and the
    record's own centred response (leaving the record itself out). Words that occur with
    every kind of response average out to nothing, so the topic words carry the prediction.
    The second array is the same fit against another record's response (a fixed shuffle
    within blocks): the fit of unrelated pairs, which tells whether the model says anything.
    """
    n = prompt.ends.size
    mean = np.zeros(_DIMS, dtype=np.float32)
    buckets = (prompt.terms % _PROMPT_BUCKETS).astype(np.int64)
    counts = np.bincount(buckets, minlength=_PROMPT_BUCKETS).astype(np.float64)
    profiles = np.zeros((_PROMPT_BUCKETS, _DIMS), dtype=np.float32)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        vectors = _response_vectors(response, lo, hi)
        mean += vectors.sum(axis=0)
        a, b = prompt.starts[lo], prompt.ends[hi - 1]
        order = np.argsort(buckets[a:b], kind="stable")
        keys = buckets[a:b][order]
        rows = vectors[prompt.owner[a:b][order] - lo]
        cuts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        profiles[keys[cuts]] += np.add.reduceat(rows, cuts, axis=0)
    mean /= max(n, 1)
    profiles -= counts.astype(np.float32)[:, None] * mean  # centre: sum of (r - mean) over each word's records
    # Leaving record i out of word t's profile: (profile_t - r_i) / (n_t - 1), summed over t,
    # is sum(profile_t / (n_t - 1)) - r_i * sum(1 / (n_t - 1)).
    scale = (1.0 / np.maximum(counts - 1.0, 1.0)).astype(np.float32)
    profiles *= scale[:, None]
    fit = np.zeros(n)
    null = np.zeros(n)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        vectors = _response_vectors(response, lo, hi) - mean
        a, b = prompt.starts[lo], prompt.ends[hi - 1]
        owner = prompt.owner[a:b] - lo
        keys = buckets[a:b]
        cuts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        predicted = np.add.reduceat(profiles[keys], cuts, axis=0)
        predicted -= vectors * np.add.reduceat(scale[keys], cuts)[:, None]
        predicted /= np.maximum(np.linalg.norm(predicted, axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(vectors, axis=1), 1e-9)
        fit[lo:hi] = (predicted * vectors).sum(axis=1) / norms
        shuffled = np.roll(np.arange(hi - lo), (hi - lo) // 2)
        null[lo:hi] = (predicted * vectors[shuffled]).sum(axis=1) / norms[shuffled]
    return fit, null


class OffTask(Check):
    """A response that does not answer its own instruction, or that belongs to another record.

    What it does: Judges every response of at least `min_response_words` words (shorter ones,
    such as labels, numbers or one-line answers, are too short to judge lexically) on the
    distinct content words of prompt and response (function words and code blocks left out,
    words cut to six letters, hashed: about 200 bytes a record, never the texts). Two scores,
    both learnt from the data itself: *relevance*, the share of the prompt's words (weighted
    by inverse document frequency over the run) that the response uses; and *association*,
    how well the response fits what the other records with the same prompt words were
    answered with (each prompt word's profile is the mean response of the other records whose
    prompt uses it, so words that go with every answer cancel out and topic words decide).
    Association is used when it separates the data's own pairs from shuffled pairs by at
    least `min_separation` (data with many records per topic, where answers need not repeat
    the question's words); otherwise relevance is (diverse data, where they do). A response is
    off-task when its score is below `relative_threshold` times the median score of all
    judged records (calibrated on the file, not a fixed number; it needs `min_records` judged
    records), and, when the score is association, its relevance is also below 0.3 times the
    median relevance: either signal alone misfires on some topics, together they rarely do.
    For each off-task response, the other prompts sharing its rarest words are
    searched: when another record's prompt fits it better than its own by at least `margin`
    (word overlap), the finding says *misaligned* and names that record in `related`, the
    signature of responses shifted by a line or shuffled between records. The message gives
    the signal that fired, the score and the threshold.

    Why it matters: The model learns to answer whatever it is asked with whatever the data
    paired with it. A few off-task pairs teach it to ignore the question; a shifted column
    teaches it nothing but noise, and it is invisible when you read records one by one.

    How to fix: Look at the reported pairs. For a misaligned pair, check the related record:
    if the responses were shifted or shuffled during export, re-join prompts and responses by
    their ids. Drop or rewrite responses that answer something else. Word statistics cannot
    judge a correct answer phrased in other words; if your data paraphrases heavily, lower
    `relative_threshold`.

    Options: `min_response_words` (default 8), `relative_threshold` (default 0.2), `margin`
    (default 0.3), `min_records` (default 50), `min_separation` (default 0.2), under
    `[tool.sftlint.checks.off-task]`.
    """

    code = "SFT106"
    slug = "off-task"
    severity = Severity.WARNING
    Options = OffTaskOptions

    def __init__(self, options: OffTaskOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: list[str] = []
        self.file_index: dict[str, int] = {}
        self.where = array("I")  # file index, line: two entries per judged record
        self.prompt_terms = array("I")
        self.prompt_end = array("I")  # end offset of each judged record's prompt terms
        self.shared_mask = array("I")  # bit k: prompt term k also occurs in the response
        self.response_terms = array("I")
        self.response_end = array("I")
        self.documents = 0
        self.df = np.zeros(1 << _BITS, dtype=np.int64)
        self.pending = array("I")  # term ids waiting to be counted into df
        self.skipped = 0
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        self.documents += 2
        tokens = word_bytes(strip_code(record.response[:_MAX_CHARS]))
        if len(tokens) < self.options.min_response_words:
            self.skipped += 1
            return
        prompt_words = content_words(record.prompt[:_MAX_CHARS])
        response_words = content_terms(tokens)
        prompt_ids = buckets(prompt_words, _BITS)[:_PROMPT_TERMS]
        response_ids = buckets(response_words, _BITS)
        self._count(prompt_ids, response_ids)
        if not prompt_ids or not response_ids:
            self.skipped += 1
            return
        shared = set(buckets(prompt_words & response_words, _BITS))
        mask = 0
        for k, term in enumerate(prompt_ids):
            if term in shared:
                mask |= 1 << k
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        self.where.extend((file_no, record.line))
        self.prompt_terms.extend(prompt_ids)
        self.prompt_end.append(len(self.prompt_terms))
        self.shared_mask.append(mask)
        if len(response_ids) > _RESPONSE_TERMS:
            # Keep the rarest words seen so far: they tell which prompt a response belongs to.
            ids = np.array(response_ids, dtype=np.int64)
            rarest = np.argsort(self.df[ids], kind="stable")[:_RESPONSE_TERMS]
            response_ids = sorted(ids[rarest].tolist())
        self.response_terms.extend(response_ids)
        self.response_end.append(len(self.response_terms))

    def _count(self, prompt_ids: list[int], response_ids: list[int]) -> None:
        self.pending.extend(prompt_ids)
        self.pending.extend(response_ids)
        # Counts are folded in often while the data is small (the rarest-word sample needs them
        # early) and in big batches later (each fold of a big batch costs a pass over df).
        if len(self.pending) >= (_FLUSH if self.documents > 100_000 else 8192):
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        ids = np.frombuffer(self.pending, dtype=np.uint32)
        if ids.size < 100_000:
            np.add.at(self.df, ids, 1)
        else:
            self.df += np.bincount(ids, minlength=self.df.size)
        self.pending = array("I")

    def finish(self, context: Context) -> Iterator[Finding]:
        self._flush()
        judged = len(self.shared_mask)
        self._summary = {"threshold": None, "judged": judged, "skipped": self.skipped, "signal": None}
        if judged == 0:
            return
        idf = np.log((self.documents + 1) / (self.df + 1)).astype(np.float32)
        prompt = _Ragged(self.prompt_terms, self.prompt_end)
        response = _Ragged(self.response_terms, self.response_end)
        masks = np.frombuffer(self.shared_mask, dtype=np.uint32).astype(np.int64)
        in_response = (masks[prompt.owner] >> prompt.position) & 1
        weights = idf[prompt.terms]
        prompt_weight = np.bincount(prompt.owner, weights=weights, minlength=judged)
        relevance = np.bincount(prompt.owner, weights=weights * in_response, minlength=judged)
        relevance /= np.maximum(prompt_weight, 1e-9)

        signal, scores = "relevance", relevance
        fit, null = _association(prompt, response)
        separation = float(np.median(fit) - np.median(null)) if judged >= self.options.min_records else 0.0
        if separation >= self.options.min_separation:
            signal, scores = "association", fit
        median = float(np.median(scores))
        threshold = self.options.relative_threshold * median if judged >= self.options.min_records else None
        self._summary.update(
            threshold=None if threshold is None else round(threshold, 4),
            signal=signal,
            median=round(median, 4),
            median_relevance=round(float(np.median(relevance)), 4),
            association_separation=round(separation, 4),
        )
        if threshold is None:
            return
        low = scores < threshold
        if signal == "association":  # both scores must agree: either alone misfires on some topics
            low &= relevance < 0.3 * float(np.median(relevance))
        flagged = np.flatnonzero(low)
        misaligned = self._misaligned(flagged, idf, prompt, response, prompt_weight, relevance)
        where = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)
        for i in flagged:
            file, line = self.files[where[i, 0]], int(where[i, 1])
            if i in misaligned:
                j, other_fit = misaligned[i]
                other_file, other_line = self.files[where[j, 0]], int(where[j, 1])
                place = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
                yield self.finding(
                    f"misaligned: the response fits the prompt of {place} better than its own "
                    f"(word overlap {other_fit:.2f} vs {relevance[i]:.2f}, margin {self.options.margin})",
                    file=file,
                    line=line,
                    related=[Location(other_file, other_line)],
                    score=other_fit - float(relevance[i]),
                    signal="misaligned",
                )
            else:
                what = (
                    "fits what this data's prompts lead to"
                    if signal == "association"
                    else "uses its instruction's words"
                )
                yield self.finding(
                    f"off-task: the response hardly {what} ({signal} {scores[i]:.2f}, threshold {threshold:.2f} = "
                    f"{self.options.relative_threshold} x this data's median {median:.2f})",
                    file=file,
                    line=line,
                    score=float(scores[i]),
                    signal=signal,
                )

    def _misaligned(
        self,
        suspects: np.ndarray,
        idf: np.ndarray,
        prompt: _Ragged,
        response: _Ragged,
        prompt_weight: np.ndarray,
        relevance: np.ndarray,
    ) -> dict[int, tuple[int, float]]:
        """Suspect index -> (record whose prompt fits its response clearly better, that fit).

        A suspect's fit to another prompt counts only the suspect's rarest sampled response
        words, so it is a lower bound of that prompt's relevance, compared with the exact own
        relevance: the comparison errs toward silence. Prompts of fewer than three words fit
        too easily to count.
        """
        if suspects.size == 0:
            return {}
        order = np.argsort(prompt.terms, kind="stable")
        sorted_terms, posting_owner = prompt.terms[order], prompt.owner[order]
        prompt_size = np.diff(np.r_[0, prompt.ends])
        limit = max(64, prompt_weight.size // 200)  # terms in more prompts than this find nothing rare
        found: dict[int, tuple[int, float]] = {}
        for i in suspects:
            terms = response.row(int(i))
            lo = np.searchsorted(sorted_terms, terms, "left")
            hi = np.searchsorted(sorted_terms, terms, "right")
            usable = np.flatnonzero((hi - lo <= limit) & (hi > lo))
            if usable.size == 0:
                continue
            rare = usable[np.argsort(-idf[terms[usable]], kind="stable")[:_TOP_TERMS]]
            postings = np.concatenate([posting_owner[lo[t] : hi[t]] for t in rare])
            gains = np.concatenate([np.full(hi[t] - lo[t], idf[terms[t]]) for t in rare])
            candidates, inverse = np.unique(postings, return_inverse=True)
            fit = np.bincount(inverse, weights=gains) / np.maximum(prompt_weight[candidates], 1e-9)
            fit[(candidates == i) | (prompt_size[candidates] < 3)] = -1.0
            best = int(np.argmax(fit))
            if fit[best] >= relevance[i] + self.options.margin:
                found[int(i)] = (int(candidates[best]), float(fit[best]))
        return found

    def summary(self) -> dict[str, Any] | None:
        return self._summary
