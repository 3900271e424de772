from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks._content import buckets, content_terms, content_words, strip_code, word_bytes
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record

_BITS = 20  # hashed term ids
_PROMPT_TERMS = 32  # prompt terms kept per record (the lowest hash values: a fixed random sample)
_RESPONSE_TERMS = 64  # response terms kept per record: those shared with the prompt, then a sample
_REFERENCE = 2000  # records the neighbours are looked for among (all of them in smaller files)
_BLOCK = 1024  # records scored at a time against the reference records
_MAX_CHARS = 2000  # texts are read this far: enough to tell what they are about
_SEED = 0
_CALIBRATION = 4000  # records the topic score's threshold is calibrated on
_LOOSE = 0.99  # relevance below this quantile of unrelated pairs counts when another prompt fits
_SCREEN = 0.95  # topic scores are computed where relevance is below this quantile of unrelated pairs'


class OffTaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_response_words: int = Field(
        8, ge=1, description="shorter responses are not judged (labels, codes, one-line answers)"
    )
    null_quantile: float = Field(
        0.85,
        gt=0,
        lt=1,
        description="a pair scoring below this quantile of shuffled (unrelated) pairs' scores is off-task",
    )
    neighbours: int = Field(30, ge=2, description="records per neighbourhood of the topic signal")
    max_share: float = Field(
        0.15,
        gt=0,
        le=1,
        description="a signal that calls more than this share of records off-task cannot judge the data",
    )
    max_fraction: float = Field(
        0.3, gt=0, lt=1, description="the threshold is at most this fraction of the data's median score"
    )
    min_records: int = Field(50, ge=2, description="fewest judged records needed to calibrate the threshold")


def _matrix(terms: array, ends: array, columns: int) -> sp.csr_matrix:
    """Binary rows of term ids stored end to end (`terms`), each row ending at `ends`."""
    indices = np.frombuffer(terms, dtype=np.uint32).astype(np.int32)
    indptr = np.r_[0, np.frombuffer(ends, dtype=np.uint32)].astype(np.int64)
    data = np.ones(indices.size, dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(indptr.size - 1, columns))


def _weighted(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Rows weighted by `idf` and scaled to unit length (cosine by dot product)."""
    weighted = matrix @ sp.diags(idf.astype(np.float32))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return (sp.diags((1.0 / np.maximum(norms, 1e-9)).astype(np.float32)) @ weighted).tocsr()


def _best_prompts(rows: np.ndarray, prompts: sp.csr_matrix, responses: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """For each of `rows`, the other record whose prompt is most similar to its response, and that similarity."""
    best = np.zeros(rows.size, dtype=np.int64)
    fit = np.zeros(rows.size)
    by_prompt = prompts.T.tocsc()
    for lo in range(0, rows.size, 256):
        block = rows[lo : lo + 256]
        similarity = (responses[block] @ by_prompt).toarray()
        similarity[np.arange(block.size), block] = -1.0
        best[lo : lo + block.size] = np.argmax(similarity, axis=1)
        fit[lo : lo + block.size] = similarity[np.arange(block.size), best[lo : lo + block.size]]
    return best, fit


def _idf(df: np.ndarray, documents: int) -> np.ndarray:
    return np.log((documents + 1) / (df + 1))


def _mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (values * weights).sum(axis=-1) / weights.sum(axis=-1)


class _Topics:
    """The topic signal: does a response look like the responses of records with similar prompts?

    For record i, its prompt's neighbours are the `k` reference records with the most similar
    prompts, and `fit_response` is how close the response comes to their responses, divided by
    how close those responses are to each other (a response that belongs with them scores
    about 1, whatever the topic). The same is done the other way round (the prompts of records
    with similar responses, against this prompt), and the two are added. A prompt made mostly
    of names and account details has neighbours with every kind of answer; dividing by their
    own agreement keeps such records from looking off-task.
    """

    def __init__(self, prompts: sp.csr_matrix, responses: sp.csr_matrix, k: int) -> None:
        n = prompts.shape[0]
        self.n = n
        self.reference = (
            np.arange(n) if n <= _REFERENCE else np.sort(np.random.default_rng(_SEED).choice(n, _REFERENCE, False))
        )
        self.k = min(k, self.reference.size - 1)
        self.position = np.full(n, -1, dtype=np.int64)
        self.position[self.reference] = np.arange(self.reference.size)
        self.prompts, self.responses = prompts, responses
        self.ref_prompts = prompts[self.reference].T.tocsr()
        self.ref_responses = responses[self.reference].T.tocsr()
        self.prompt_gram = (prompts[self.reference] @ self.ref_prompts).toarray()
        self.response_gram = (responses[self.reference] @ self.ref_responses).toarray()
        self.prompt_neighbours = np.zeros((n, self.k), dtype=np.int32)
        self.response_neighbours = np.zeros((n, self.k), dtype=np.int32)
        self.prompt_weights = np.zeros((n, self.k), dtype=np.float32)
        self.response_weights = np.zeros((n, self.k), dtype=np.float32)
        self.prompt_agreement = np.zeros(n)  # how alike the responses of a prompt's neighbours are
        self.response_agreement = np.zeros(n)
        self.done = np.zeros(n, dtype=bool)

    def _similarities(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        by_prompt = (self.prompts[rows] @ self.ref_prompts).toarray()
        by_response = (self.responses[rows] @ self.ref_responses).toarray()
        own = np.flatnonzero(self.position[rows] >= 0)
        by_prompt[own, self.position[rows[own]]] = -1.0  # a record is not its own neighbour
        by_response[own, self.position[rows[own]]] = -1.0
        return by_prompt, by_response

    def _agreement(self, gram: np.ndarray, neighbours: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Weighted mean similarity between distinct neighbours."""
        pairs = gram[neighbours[:, :, None], neighbours[:, None, :]]
        total = np.matmul(weights[:, None, :], np.matmul(pairs, weights[:, :, None])).ravel()
        total -= (weights**2 * gram.diagonal()[neighbours]).sum(axis=1)
        norm = weights.sum(axis=1) ** 2 - (weights**2).sum(axis=1)
        return np.maximum(total, 0.0) / np.maximum(norm, 1e-9) + 1e-3

    def _neighbourhoods(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Find and keep the neighbours of `rows`; return their similarities to the reference."""
        k = self.k
        by_prompt, by_response = self._similarities(rows)
        m = by_prompt.shape[1]
        near_prompt = np.argpartition(by_prompt, m - k, axis=1)[:, m - k :]
        near_response = np.argpartition(by_response, m - k, axis=1)[:, m - k :]
        w_p = self._weights(np.take_along_axis(by_prompt, near_prompt, axis=1))
        w_r = self._weights(np.take_along_axis(by_response, near_response, axis=1))
        self.prompt_neighbours[rows], self.prompt_weights[rows] = near_prompt, w_p
        self.response_neighbours[rows], self.response_weights[rows] = near_response, w_r
        self.prompt_agreement[rows] = self._agreement(self.response_gram, near_prompt, w_p)
        self.response_agreement[rows] = self._agreement(self.prompt_gram, near_response, w_r)
        self.done[rows] = True
        return by_prompt, by_response

    def _ensure(self, rows: np.ndarray) -> None:
        todo = rows[~self.done[rows]]
        for lo in range(0, todo.size, _BLOCK):
            self._neighbourhoods(todo[lo : lo + _BLOCK])

    def scores(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Own scores of `rows`, and the scores of their prompts with each other's responses."""
        own = np.zeros(rows.size)
        null = np.zeros(rows.size)
        for lo in range(0, rows.size, _BLOCK):
            block = rows[lo : lo + _BLOCK]
            by_prompt, by_response = self._neighbourhoods(block)
            near_p, w_p, agree_p = (
                self.prompt_neighbours[block],
                self.prompt_weights[block],
                self.prompt_agreement[block],
            )
            near_r, w_r = self.response_neighbours[block], self.response_weights[block]
            agree_r = self.response_agreement[block]
            own[lo : lo + block.size] = (
                _mean(np.take_along_axis(by_response, near_p, axis=1), w_p) / agree_p
                + _mean(np.take_along_axis(by_prompt, near_r, axis=1), w_r) / agree_r
            )
            other = np.roll(np.arange(block.size), block.size // 2)  # a fixed shuffle within the block
            null[lo : lo + block.size] = (
                _mean(np.maximum(np.take_along_axis(by_response[other], near_p, axis=1), 0), w_p) / agree_p
                + _mean(np.maximum(np.take_along_axis(by_prompt, near_r[other], axis=1), 0), w_r[other])
                / agree_r[other]
            )
        return own, null

    @staticmethod
    def _weights(similarities: np.ndarray) -> np.ndarray:
        """Closer neighbours count more (squared similarity): a prompt's few close matches
        say more about its topic than the many that share one common word with it."""
        return np.maximum(similarities, 1e-6) ** 2

    def fit(self, candidates: np.ndarray, i: int) -> np.ndarray:
        """Score of each candidate record's prompt with record i's response."""
        self._ensure(np.r_[candidates, i])
        by_prompt = (self.prompts[candidates] @ self.ref_prompts).toarray()
        by_response = (self.responses[i] @ self.ref_responses).toarray().ravel()
        return (
            _mean(by_response[self.prompt_neighbours[candidates]], self.prompt_weights[candidates])
            / self.prompt_agreement[candidates]
            + _mean(by_prompt[:, self.response_neighbours[i]], self.response_weights[i]) / self.response_agreement[i]
        )

    def candidates(self, i: int) -> np.ndarray:
        """Records whose prompts may fit record i's response: those with similar responses."""
        return self.reference[self.response_neighbours[i]]


class OffTask(Check):
    """A response that does not answer its own instruction, or that belongs to another record.

    What it does: Judges every response of at least `min_response_words` words (shorter ones,
    such as labels, numbers or one-line answers, are too short to judge by their words) on the
    distinct content words of prompt and response (function words and code blocks left out,
    words cut to six letters, hashed and sampled: about 320 bytes a record, never the texts;
    a chat record's prompt is its user turns), weighted by inverse document frequency over the
    file. Two scores: *relevance*, the cosine of response and prompt (diverse data, where
    answers use their question's words), and *topic*, how well the response matches the
    responses of the `neighbours` records with the most similar prompts, and the prompt the
    prompts of the records with the most similar responses, each relative to how well those
    neighbours agree among themselves (data with many records per topic, where good answers
    need not repeat the question's words). Both are calibrated on the file itself: every
    prompt is also scored with another record's response (a fixed shuffle), and a pair is
    off-task when it scores below the `null_quantile` of those unrelated pairs (and below
    `max_fraction` of the median pair). The score used is the one that leaves the fewest of
    the file's own pairs looking unrelated; when even it would call more than `max_share` of
    the records off-task, it cannot judge the data and nothing is reported (`min_records`
    judged records are needed at all). An off-task response that fits an adjacent record's
    prompt (a shifted column) or another prompt as well as a typical pair fits its own is
    reported as *misaligned*, with that record in `related`; with relevance, a pair a little
    above the threshold is reported too when another prompt fits it at least twice as well.
    The message gives the signal, the score and the threshold.

    Why it matters: The model learns to answer whatever it is asked with whatever the data
    paired with it. A few off-task pairs teach it to ignore the question; a shifted column
    teaches it nothing but noise, and it is invisible when you read records one by one.

    How to fix: Look at the reported pairs. For a misaligned pair, check the related record:
    if the responses were shifted or shuffled during export, re-join prompts and responses by
    their ids. Drop or rewrite responses that answer something else. Word statistics cannot
    judge a correct answer phrased in other words; if your data paraphrases heavily, lower
    `null_quantile`.

    Options: `min_response_words` (default 8), `null_quantile` (default 0.85), `max_fraction`
    (default 0.3), `neighbours` (default 30), `max_share` (default 0.15), `min_records`
    (default 50), under
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
        self.prompt_end = array("I")
        self.response_terms = array("I")
        self.response_end = array("I")
        self.skipped = 0
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        tokens = word_bytes(strip_code(record.response[:_MAX_CHARS]))
        if len(tokens) < self.options.min_response_words:
            self.skipped += 1
            return
        # A chat record's system prompt says how to answer, not what: its user turns are the question.
        prompt_words = content_words((record.instruction if record.turns else record.prompt)[:_MAX_CHARS])
        response_words = content_terms(tokens)
        prompt_ids = buckets(prompt_words, _BITS)[:_PROMPT_TERMS]
        # The words shared with the prompt first (so the sample keeps the overlap), then the rest.
        shared = prompt_words & response_words
        response_ids = buckets(shared, _BITS)[:_RESPONSE_TERMS]
        if len(response_ids) < _RESPONSE_TERMS:
            response_ids += buckets(response_words - shared, _BITS)[: _RESPONSE_TERMS - len(response_ids)]
            response_ids.sort()
        if not prompt_ids or not response_ids:
            self.skipped += 1
            return
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        self.where.extend((file_no, record.line))
        self.prompt_terms.extend(prompt_ids)
        self.prompt_end.append(len(self.prompt_terms))
        self.response_terms.extend(response_ids)
        self.response_end.append(len(self.response_terms))

    def finish(self, context: Context) -> Iterator[Finding]:
        judged = len(self.prompt_end)
        self._summary = {"threshold": None, "judged": judged, "skipped": self.skipped, "signal": None}
        if judged < max(self.options.min_records, 3):
            return
        prompts = _matrix(self.prompt_terms, self.prompt_end, 1 << _BITS)
        responses = _matrix(self.response_terms, self.response_end, 1 << _BITS)
        df_prompt = np.bincount(prompts.indices, minlength=1 << _BITS)
        df_response = np.bincount(responses.indices, minlength=1 << _BITS)
        both = _idf(df_prompt + df_response, 2 * judged)
        prompt_vectors, response_vectors = _weighted(prompts, both), _weighted(responses, both)
        relevance = np.asarray(prompt_vectors.multiply(response_vectors).sum(axis=1)).ravel()
        other = np.roll(np.arange(judged), judged // 2)
        relevance_null = np.asarray(prompt_vectors.multiply(response_vectors[other]).sum(axis=1)).ravel()

        topics = _Topics(
            _weighted(prompts, _idf(df_prompt, judged)),
            _weighted(responses, _idf(df_response, judged)),
            self.options.neighbours,
        )
        # The topic score is costly: it is calibrated on a sample, and computed for the records
        # whose relevance does not already set them apart from unrelated pairs.
        sample = (
            np.arange(judged)
            if judged <= _CALIBRATION
            else np.sort(np.random.default_rng(_SEED).choice(judged, _CALIBRATION, replace=False))
        )
        topic_sample, topic_null = topics.scores(sample)

        q = self.options.null_quantile
        choices = {}
        for name, own, null in (("relevance", relevance, relevance_null), ("topic", topic_sample, topic_null)):
            median = float(np.median(own))
            threshold = min(float(np.quantile(null, q)), self.options.max_fraction * median)
            choices[name] = (float(np.mean(own < threshold)), threshold, median)
        signal = min(choices, key=lambda name: choices[name][0])
        share, threshold, median = choices[signal]
        self._summary.update(
            signal=signal,
            threshold=round(threshold, 4),
            median=round(median, 4),
            share_below={name: round(c[0], 4) for name, c in choices.items()},
        )
        if share > self.options.max_share or threshold >= median:
            self._summary["signal"] = None  # no score tells this data's pairs from unrelated ones
            return
        if signal == "relevance":
            scores = relevance
        else:
            scores = np.full(judged, np.inf)
            scores[sample] = topic_sample
            screened = np.flatnonzero(relevance < np.quantile(relevance_null, _SCREEN))
            screened = np.setdiff1d(screened, sample)
            scores[screened] = topics.scores(screened)[0]
            self._summary["screened"] = int(screened.size + sample.size)
        where = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)
        if signal == "relevance":
            # A pair a little above the threshold still counts when another prompt of the file
            # fits its response at least twice as well, and better than nearly all unrelated pairs.
            loose = float(np.quantile(relevance_null, _LOOSE))
            suspects = np.flatnonzero(relevance < max(loose, threshold))
            best, best_fit = _best_prompts(suspects, prompt_vectors, response_vectors)
            clear = best_fit >= np.maximum(2 * relevance[suspects], loose)
            belongs = {
                int(i): (int(j), float(f)) for i, j, f, c in zip(suspects, best, best_fit, clear, strict=True) if c
            }
            flagged = [int(i) for i in suspects if relevance[i] < threshold or int(i) in belongs]
        else:
            flagged = np.flatnonzero(scores < threshold).tolist()
            belongs = {}
            for i in flagged:
                found = self._belongs_to(i, topics, where, (threshold, median))
                if found is not None:
                    belongs[i] = found
        for i in flagged:
            file, line = self.files[where[i, 0]], int(where[i, 1])
            j, other_fit = belongs.get(i, (None, 0.0))
            if j is not None:
                other_file, other_line = self.files[where[j, 0]], int(where[j, 1])
                place = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
                yield self.finding(
                    f"misaligned: the response fits the prompt of {place} better than its own "
                    f"({signal} {other_fit:.2f} vs {scores[i]:.2f}; threshold {threshold:.2f})",
                    file=file,
                    line=line,
                    related=[Location(other_file, other_line)],
                    score=float(scores[i]),
                    signal="misaligned",
                )
            else:
                yield self.finding(
                    f"off-task: the response scores like an unrelated pair ({signal} {scores[i]:.2f}, threshold "
                    f"{threshold:.2f} = the {q} quantile of shuffled pairs; this data's median {median:.2f})",
                    file=file,
                    line=line,
                    score=float(scores[i]),
                    signal=signal,
                )

    def _belongs_to(
        self, i: int, topics: _Topics, where: np.ndarray, calibration: tuple[float, float]
    ) -> tuple[int, float] | None:
        """The record whose prompt fits response i as well as a typical pair fits its own, if any.

        An adjacent record of the same file is preferred (responses shifted by a line) when it
        fits at least halfway from the threshold to the median; then the best of the records
        with similar responses when it fits at least as well as the median pair.
        """
        threshold, median = calibration
        n = where.shape[0]
        adjacent = np.array([j for j in (i + 1, i - 1) if 0 <= j < n and where[j, 0] == where[i, 0]], dtype=np.int64)
        others = topics.candidates(i)
        others = np.unique(others[others != i]).astype(np.int64)
        for group, bar in ((adjacent, (threshold + median) / 2), (others, median)):
            if group.size == 0:
                continue
            fits = topics.fit(group, i)
            best = int(np.argmax(fits))
            if fits[best] >= bar:
                return int(group[best]), float(fits[best])
        return None

    def summary(self) -> dict[str, Any] | None:
        return self._summary
