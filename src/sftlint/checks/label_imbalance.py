from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks._labels import LabelTally
from sftlint.checks._text import excerpt
from sftlint.findings import Finding, Severity
from sftlint.records import Record


class LabelImbalanceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_majority_share: float = Field(0.8, gt=0, le=1, description="largest share of records the top label may have")
    min_class_count: int = Field(10, ge=1, description="fewest examples a label needs to be learnable")
    max_classes: int = Field(50, ge=2, description="more distinct labels than this is not a label set")
    max_answer_words: int = Field(3, ge=1, description="responses of at most this many words count as short answers")


class LabelImbalance(Check):
    """One label dominates a classification dataset, or a label has too few examples.

    What it does: For classification-like data (at least half of the records carry a `label`
    field, or at least 80 % of the responses are short answers of at most `max_answer_words`
    words; see SFT110) with at most `max_classes` distinct labels, counts the records of each
    label and warns when the most common one holds more than `max_majority_share` of them,
    and when a label has fewer than `min_class_count` examples. The summary holds the label
    distribution and the majority share. Long-form data and free short answers (more distinct
    answers than `max_classes`) are not label sets and are left alone.

    Why it matters: A model fine-tuned on 90 % "no" learns to say "no" and scores 90 % doing
    it; a label with a handful of examples is effectively never predicted. Accuracy on such a
    dataset hides both.

    How to fix: Collect more examples of the rare labels, down-sample the majority, or merge
    labels that are too rare to learn into a broader one. Report per-label metrics, not only
    accuracy.

    Options: `max_majority_share` (default 0.8), `min_class_count` (default 10), `max_classes`
    (default 50), `max_answer_words` (default 3), under `[tool.sftlint.checks.label-imbalance]`.
    """

    code = "SFT202"
    slug = "label-imbalance"
    severity = Severity.WARNING
    Options = LabelImbalanceOptions

    def __init__(self, options: LabelImbalanceOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.tally = LabelTally()
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        self.tally.add(record, self.options.max_answer_words)

    def finish(self, context: Context) -> Iterator[Finding]:
        labels = self.tally.labels()
        total = sum(labels.values())
        if not labels or len(labels) > self.options.max_classes:
            self._summary = {"labels": {}, "majority_share": 0.0, "basis": self.tally.basis()}
            return
        top, top_count = labels.most_common(1)[0]
        share = top_count / total
        self._summary = {
            "labels": dict(labels.most_common()),
            "majority_share": round(share, 4),
            "basis": self.tally.basis(),
        }
        if share > self.options.max_majority_share:
            yield self.finding(
                f"label '{excerpt(top, 30)}' holds {share:.0%} of {total} labelled records "
                f"(at most {self.options.max_majority_share:.0%})",
                score=share,
                label=top,
            )
        rare = [(label, n) for label, n in labels.most_common() if n < self.options.min_class_count]
        if rare and len(labels) > 1:
            shown = ", ".join(f"'{excerpt(label, 30)}' ({n})" for label, n in rare[:8])
            more = f" and {len(rare) - 8} more" if len(rare) > 8 else ""
            yield self.finding(
                f"{len(rare)} label(s) have fewer than {self.options.min_class_count} examples: {shown}{more}",
                score=min(n for _, n in rare) / self.options.min_class_count,
                labels=dict(rare),
            )

    def summary(self) -> dict[str, Any] | None:
        return self._summary
