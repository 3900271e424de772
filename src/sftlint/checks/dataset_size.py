from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.display import counted
from sftlint.evalsize import MIN_PAIRS
from sftlint.findings import Finding, Severity


class DatasetSizeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    min_pairs: int = Field(MIN_PAIRS, ge=1, description="fewest usable pairs worth fine-tuning on")


class DatasetSize(Check):
    """Too few usable instruction-response pairs to be worth fine-tuning.

    What it does: Counts usable pairs, the valid records that no disqualifying check flagged
    (empty responses or instructions, duplicate copies), across all files of the run, and
    reports an error when there are fewer than `min_pairs` (default 300). The message says
    how many records were read and why the others do not count.

    Why it matters: Fine-tuning pays off with at least a few hundred good examples; with a
    few dozen the model learns the surface of the examples and little else, and prompting
    with those examples as few-shot demonstrations usually does as well for far less.

    How to fix: Collect or write more examples, or use the ones you have as few-shot examples
    in the prompt. If your task truly needs fewer, lower `min_pairs` in config or with
    `--min-pairs`.

    Options: `min_pairs` (integer, default 300) under `[tool.sftlint.checks.dataset-size]`.
    """

    code = "SFT201"
    slug = "dataset-size"
    severity = Severity.ERROR
    runs_last = True
    Options = DatasetSizeOptions

    def __init__(self, options: DatasetSizeOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.context: Context | None = None

    def finish(self, context: Context) -> Iterator[Finding]:
        self.context = context
        minimum = self.options.min_pairs
        if context.usable_pairs >= minimum:
            return
        reasons = []
        if context.records - context.valid:
            reasons.append(f"{context.records - context.valid} invalid")
        reasons += [f"{n} flagged by {code}" for code, n in sorted(context.unusable.items())]
        why = f" ({', '.join(reasons)})" if reasons else ""
        yield self.finding(
            f"only {counted(context.usable_pairs, 'usable pair')} of {counted(context.records, 'record')}{why}; "
            f"the minimum is {minimum}",
            score=context.usable_pairs / minimum,
        )

    def summary(self) -> dict[str, Any] | None:
        if self.context is None:
            return None
        return {"usable_pairs": self.context.usable_pairs, "min_pairs": self.options.min_pairs}
