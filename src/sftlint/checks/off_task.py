from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks._content import bucket, content_words, strip_code
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record

_PROMPT_TERMS = 24  # prompt terms kept per record (the lowest hash values: a fixed random sample)
_RESPONSE_TERMS = 48  # response terms kept for the records worth a misalignment search
_TOP_TERMS = 8  # a suspect response's rarest terms used to find the prompt it belongs to
_FLUSH = 1 << 20  # document-frequency buffer size before it is folded into the counts
_BITS = 20


class OffTaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_response_words: int = Field(
        8, ge=1, description="shorter responses are not judged (labels, codes, one-line answers)"
    )
    relative_threshold: float = Field(
        0.2, gt=0, lt=1, description="relevance below this share of the file's median relevance is off-task"
    )
    margin: float = Field(
        0.4, gt=0, le=1, description="how much better another prompt must fit a response to call the pair misaligned"
    )
    min_records: int = Field(50, ge=2, description="fewest judged records needed to calibrate the relevance threshold")


class OffTask(Check):
    """A response that does not answer its own instruction, or that belongs to another record.

    What it does: Judges every response of at least `min_response_words` words (shorter ones,
    such as labels, numbers or one-line answers, are too short to judge lexically) with two
    signals, using the distinct content words (no function words, code blocks left out) of
    prompt and response weighted by their inverse document frequency over the whole run.
    *Relevance*: the weighted share of the prompt's words that the response uses. It is
    calibrated on the data itself: a response is off-task when its relevance is below
    `relative_threshold` times the median relevance of all judged records (so a dataset of
    terse answers is not held to the standard of an essay dataset); it needs `min_records`
    judged records. *Misaligned pair*: the response's rarest words are looked up in every
    other prompt; when another record's prompt fits the response better than its own by at
    least `margin` (same measure, same words), the pair is reported with that record in
    `related`, which catches responses shifted by one line or shuffled between records, even
    within one topic. The finding names the signal that fired and its score. Memory is about
    a hundred bytes a record (hashed word ids, never the texts).

    Why it matters: The model learns to answer whatever it is asked with whatever the data
    paired with it. A few off-task pairs teach it to ignore the question; a shifted column
    teaches it nothing but noise, and it is invisible when you read records one by one.

    How to fix: Look at the reported pairs. For a misaligned pair, check the related record:
    if the responses were shifted or shuffled during export, re-join prompts and responses by
    their ids. Drop or rewrite responses that answer something else. Lexical relevance cannot
    judge a correct answer in other words; if your data paraphrases heavily, lower
    `relative_threshold`.

    Options: `min_response_words` (default 8), `relative_threshold` (default 0.2), `margin`
    (default 0.4), `min_records` (default 50), under `[tool.sftlint.checks.off-task]`.
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
        self.suspects = array("I")  # judged-record indices kept for the misalignment search
        self.suspect_terms = array("I")
        self.suspect_end = array("I")
        self.documents = 0
        self.df = np.zeros(1 << _BITS, dtype=np.int64)
        self.pending = array("I")  # term ids waiting to be counted into df
        self.skipped = 0
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        self.documents += 2
        response = strip_code(record.response)
        if len(response.split()) < self.options.min_response_words:
            self.skipped += 1
            return
        prompt_words = content_words(record.prompt)
        response_words = content_words(response)
        prompt_ids = sorted({bucket(w, _BITS) for w in prompt_words})[:_PROMPT_TERMS]
        response_ids = sorted({bucket(w, _BITS) for w in response_words})
        self._count(prompt_ids, response_ids)
        if not prompt_ids or not response_ids:
            self.skipped += 1
            return
        shared = {bucket(w, _BITS) for w in prompt_words & response_words}
        mask = 0
        for k, term in enumerate(prompt_ids):
            if term in shared:
                mask |= 1 << k
        index = len(self.shared_mask)
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        self.where.extend((file_no, record.line))
        self.prompt_terms.extend(prompt_ids)
        self.prompt_end.append(len(self.prompt_terms))
        self.shared_mask.append(mask)
        # A response using most of its prompt's words is not misaligned: keep the others only.
        if 2 * bin(mask).count("1") < len(prompt_ids) or len(prompt_ids) < 4:
            self.suspects.append(index)
            self.suspect_terms.extend(response_ids[:_RESPONSE_TERMS])
            self.suspect_end.append(len(self.suspect_terms))

    def _count(self, prompt_ids: list[int], response_ids: list[int]) -> None:
        self.pending.extend(prompt_ids)
        self.pending.extend(response_ids)
        if len(self.pending) >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.df += np.bincount(np.frombuffer(self.pending, dtype=np.uint32), minlength=self.df.size)
            self.pending = array("I")

    def finish(self, context: Context) -> Iterator[Finding]:
        self._flush()
        judged = len(self.shared_mask)
        self._summary = {"threshold": None, "judged": judged, "skipped": self.skipped, "median_relevance": None}
        if judged == 0:
            return
        idf = np.log((self.documents + 1) / (self.df + 1)).astype(np.float32)
        terms = np.frombuffer(self.prompt_terms, dtype=np.uint32)
        ends = np.frombuffer(self.prompt_end, dtype=np.uint32).astype(np.int64)
        starts = np.concatenate(([0], ends[:-1]))
        owner = np.repeat(np.arange(judged), ends - starts)
        position = np.arange(terms.size) - starts[owner]
        masks = np.frombuffer(self.shared_mask, dtype=np.uint32).astype(np.int64)
        in_response = (masks[owner] >> position) & 1
        weights = idf[terms]
        prompt_weight = np.bincount(owner, weights=weights, minlength=judged)
        relevance = np.bincount(owner, weights=weights * in_response, minlength=judged) / np.maximum(prompt_weight, 1e-9)
        where = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)

        median = float(np.median(relevance))
        threshold = self.options.relative_threshold * median if judged >= self.options.min_records else None
        self._summary.update(
            threshold=None if threshold is None else round(threshold, 4), median_relevance=round(median, 4)
        )
        misaligned = self._misaligned(idf, terms, owner, prompt_weight, relevance, ends - starts)
        for i in range(judged):
            file, line = self.files[where[i, 0]], int(where[i, 1])
            if i in misaligned:
                j, fit, own = misaligned[i]
                other_file, other_line = self.files[where[j, 0]], int(where[j, 1])
                place = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
                yield self.finding(
                    f"misaligned: the response fits the prompt of {place} better than its own "
                    f"(fit {fit:.2f} vs {own:.2f}, margin {self.options.margin})",
                    file=file,
                    line=line,
                    related=[Location(other_file, other_line)],
                    score=fit - own,
                    signal="misaligned",
                    relevance=round(float(relevance[i]), 4),
                )
            elif threshold is not None and relevance[i] < threshold:
                yield self.finding(
                    f"off-task: the response uses few of its instruction's words "
                    f"(relevance {relevance[i]:.2f}, threshold {threshold:.2f} = "
                    f"{self.options.relative_threshold} x this data's median {median:.2f})",
                    file=file,
                    line=line,
                    score=float(relevance[i]),
                    signal="relevance",
                )

    def _misaligned(
        self,
        idf: np.ndarray,
        terms: np.ndarray,
        owner: np.ndarray,
        prompt_weight: np.ndarray,
        relevance: np.ndarray,
        prompt_size: np.ndarray,
    ) -> dict[int, tuple[int, float, float]]:
        """Suspect index -> (best other record, its fit, own relevance) for clearly misaligned pairs.

        A suspect's fit to another prompt counts only the suspect's rarest response words, so it
        is a lower bound of that prompt's relevance, compared with the exact own relevance: the
        comparison errs toward silence. Prompts of fewer than three words fit too easily to count.
        """
        suspects = np.frombuffer(self.suspects, dtype=np.uint32).astype(np.int64)
        if suspects.size == 0:
            return {}
        # Inverted index of prompt terms: postings sorted by term.
        order = np.argsort(terms, kind="stable")
        sorted_terms, posting_owner = terms[order], owner[order]
        limit = max(64, len(prompt_weight) // 200)  # terms in more prompts than this find nothing rare
        s_terms = np.frombuffer(self.suspect_terms, dtype=np.uint32)
        s_ends = np.frombuffer(self.suspect_end, dtype=np.uint32).astype(np.int64)
        s_starts = np.concatenate(([0], s_ends[:-1]))
        found: dict[int, tuple[int, float, float]] = {}
        for k, i in enumerate(suspects):
            response = s_terms[s_starts[k] : s_ends[k]]
            lo = np.searchsorted(sorted_terms, response, "left")
            hi = np.searchsorted(sorted_terms, response, "right")
            usable = (hi - lo <= limit) & (hi > lo)
            if not usable.any():
                continue
            rare = np.flatnonzero(usable)
            rare = rare[np.argsort(-idf[response[rare]], kind="stable")[:_TOP_TERMS]]
            postings = np.concatenate([posting_owner[lo[t] : hi[t]] for t in rare])
            gains = np.concatenate([np.full(hi[t] - lo[t], idf[response[t]]) for t in rare])
            candidates, inverse = np.unique(postings, return_inverse=True)
            fit = np.bincount(inverse, weights=gains) / np.maximum(prompt_weight[candidates], 1e-9)
            fit[(candidates == i) | (prompt_size[candidates] < 3)] = -1.0
            best = int(np.argmax(fit))
            own = float(relevance[i])
            if fit[best] >= own + self.options.margin:
                found[int(i)] = (int(candidates[best]), float(fit[best]), own)
        return found

    def summary(self) -> dict[str, Any] | None:
        return self._summary
