from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.tokens import approx_tokens

_MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this is its standard deviation
_HISTOGRAM_BINS = 24


class LengthOutlierOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    max_tokens: int = Field(4096, ge=1, description="longest example (prompt + response, approximate tokens)")
    threshold: float = Field(
        4.0, gt=0, description="robust z-score (on log length) beyond which a length is an outlier"
    )
    min_ratio: float = Field(
        5.0, ge=1, description="an outlier is also at least this many times the median (or below median / min_ratio)"
    )
    long_form_min_tokens: int = Field(
        40, ge=1, description="median response length from which too-short responses are reported"
    )
    min_records: int = Field(30, ge=3, description="fewest records in a file for its own distribution to be used")


class _FileLengths:
    """Per-file columns: record position, prompt tokens, response tokens (12 bytes a record)."""

    __slots__ = ("positions", "prompt", "response")

    def __init__(self) -> None:
        self.positions = array("I")
        self.prompt = array("I")
        self.response = array("I")


def _bounds(values: np.ndarray, threshold: float, min_ratio: float) -> tuple[float, float, float, float]:
    """(median, low, high, sigma) of token counts, from the median and MAD of log(1 + tokens)."""
    logs = np.log1p(values)
    centre = float(np.median(logs))
    sigma = max(_MAD_TO_SIGMA * float(np.median(np.abs(logs - centre))), 1e-9)
    median = float(np.median(values))
    high = max(math.expm1(centre + threshold * sigma), median * min_ratio)
    low = min(math.expm1(centre - threshold * sigma), median / min_ratio)
    return median, low, high, sigma


def _histogram(values: np.ndarray) -> dict[str, list[Any]]:
    """Log-spaced histogram of token counts (lengths span orders of magnitude)."""
    if values.size == 0:
        return {"edges": [], "counts": []}
    bottom, top = max(float(values.min()), 1.0), float(values.max()) + 1.0
    edges = np.unique(np.round(np.geomspace(bottom, max(top, bottom + 1.0), _HISTOGRAM_BINS + 1)))
    edges[0] = min(edges[0], float(values.min()))
    counts, _ = np.histogram(values, bins=edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


class LengthOutlier(Check):
    """An instruction or response far longer or shorter than the rest of its file, or over the token limit.

    What it does: Measures every prompt (instruction plus input; user turns plus system prompt
    for chat) and response (assistant turns) in approximate tokens, and per file takes the
    median and the median absolute deviation (MAD) of log(1 + tokens), which outliers
    themselves cannot drag (a mean and standard deviation can). A length is an outlier when
    its robust z-score passes `threshold` and it is also at least `min_ratio` times the median
    (so a very uniform file does not flag a reply that is merely 50 % longer). Too-short
    responses are reported only in long-form files (median response of at least
    `long_form_min_tokens`), where a one-line answer is a truncated or missing one; short
    prompts are never outliers. Any example whose prompt plus response exceeds `max_tokens`
    is reported whatever the file looks like. Files with fewer than `min_records` records get
    only the token-limit check. Tokens are approximated without a tokenizer
    (`sftlint.tokens.approx_tokens`: 4 characters a token, about one a CJK character; on
    AlpacaEval it reads 1.19 times OpenAI's cl100k count, erring high). The summary carries
    both length distributions for the report's histograms.

    Why it matters: A response ten times longer than the rest is usually two answers pasted
    together, a log dump or a generation that never stopped; a one-line reply in a long-form
    dataset is usually truncated. Either teaches the model a length habit you do not want.
    Over the context limit, the trainer truncates the example and the model learns an answer
    that stops mid-sentence, or the example is silently dropped.

    How to fix: Open the reported lines: trim or split the long ones, complete or drop the
    truncated ones. Raise `max_tokens` to your model's real context length.

    Options: `max_tokens` (default 4096), `threshold` (robust z, default 4.0), `min_ratio`
    (default 5.0), `long_form_min_tokens` (default 40), `min_records` (default 30), under
    `[tool.sftlint.checks.length-outlier]`.
    """

    code = "SFT105"
    slug = "length-outlier"
    severity = Severity.WARNING
    preview = True
    preview_note = (
        "real-data precision 0.09 (14 of 156 findings right; 3 of 35 held out): it compares a response "
        "with the whole file, so a correct one-word answer to a short question is an outlier"
    )
    Options = LengthOutlierOptions

    def __init__(self, options: LengthOutlierOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: dict[str, _FileLengths] = {}
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        columns = self.files.get(record.file)
        if columns is None:
            columns = self.files[record.file] = _FileLengths()
        columns.positions.append(record.position)
        columns.prompt.append(approx_tokens(record.prompt))
        columns.response.append(approx_tokens(record.response))

    def finish(self, context: Context) -> Iterator[Finding]:
        opts = self.options
        for file, columns in self.files.items():
            positions = np.frombuffer(columns.positions, dtype=np.uint32)
            prompt = np.frombuffer(columns.prompt, dtype=np.uint32).astype(np.float64)
            response = np.frombuffer(columns.response, dtype=np.uint32).astype(np.float64)
            total = prompt + response
            flagged: set[int] = set()
            for i in np.flatnonzero(total > opts.max_tokens):
                flagged.add(int(i))
                yield self.finding(
                    f"example is ~{int(total[i])} tokens (prompt {int(prompt[i])}, response {int(response[i])}); "
                    f"the limit is {opts.max_tokens}",
                    file=file,
                    position=int(positions[i]),
                    score=float(total[i] / opts.max_tokens),
                    kind="over-limit",
                )
            if positions.size < opts.min_records:
                continue
            yield from self._outliers(file, positions, prompt, "prompt", flagged, low_too=False)
            long_form = float(np.median(response)) >= opts.long_form_min_tokens
            yield from self._outliers(file, positions, response, "response", flagged, low_too=long_form)
        self._summary = self._summarise()

    def _outliers(
        self, file: str, positions: np.ndarray, values: np.ndarray, what: str, flagged: set[int], low_too: bool
    ) -> Iterator[Finding]:
        median, low, high, sigma = _bounds(values, self.options.threshold, self.options.min_ratio)
        centre = math.log1p(median)
        for i in np.flatnonzero(values > high):
            if int(i) in flagged:
                continue
            z = (math.log1p(values[i]) - centre) / sigma
            yield self.finding(
                f"{what} is ~{int(values[i])} tokens, far above this file's typical length "
                f"(median {median:.0f}, outlier above {high:.0f})",
                file=file,
                position=int(positions[i]),
                score=z,
                kind=f"long-{what}",
            )
        if not low_too:
            return
        for i in np.flatnonzero((values < low) & (values > 0)):  # an empty response is SFT101's
            z = (math.log1p(values[i]) - centre) / sigma
            yield self.finding(
                f"{what} is only ~{int(values[i])} tokens in a long-form file "
                f"(median {median:.0f}, outlier below {low:.0f})",
                file=file,
                position=int(positions[i]),
                score=z,
                kind=f"short-{what}",
            )

    def _summarise(self) -> dict[str, Any]:
        opts = self.options
        out: dict[str, Any] = {"max_tokens": opts.max_tokens}
        for what in ("prompt", "response"):
            parts = [np.frombuffer(getattr(c, what), dtype=np.uint32) for c in self.files.values()]
            values = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
            key = "instruction" if what == "prompt" else "response"
            if values.size == 0:
                out[key] = {"median": 0.0, "low": None, "high": float(opts.max_tokens), "histogram": _histogram(values)}
                continue
            median, low, high, _ = _bounds(values, opts.threshold, opts.min_ratio)
            long_form = what == "response" and median >= opts.long_form_min_tokens
            out[key] = {
                "median": median,
                "low": round(low, 1) if long_form else None,
                "high": round(high, 1),
                "histogram": _histogram(values),
            }
        out["approximation"] = "sftlint.tokens.approx_tokens: 4 characters a token, ~1 a CJK character"
        return out

    def summary(self) -> dict[str, Any] | None:
        return self._summary
