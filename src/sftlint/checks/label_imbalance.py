from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record
from sftlint.text.labels import LabelTally, spelling_variants
from sftlint.text.normal import excerpt


class LabelImbalanceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    max_majority_share: float = Field(0.8, gt=0, le=1, description="largest share of records the top label may have")
    min_class_count: int = Field(10, ge=1, description="fewest examples a label needs to be learnable")
    max_classes: int = Field(50, ge=2, description="more distinct labels than this is not a label set")
    max_answer_words: int = Field(3, ge=1, description="responses of at most this many words count as short answers")
    max_typo_share: float = Field(
        0.2, gt=0, le=1, description="a label a small edit from another is its typo up to this share of its count"
    )


_RELATED = 5  # other records of the same spelling named in a spelling finding
_MAX_SPELLINGS = 1000  # distinct labels located at most: more is free text, not a messy label set


class LabelImbalance(Check):
    """A label dominates, a label has too few examples, or one label is spelled several ways.

    What it does: For classification-like data (at least half of the records carry a `label`
    field, or at least 80 % of the responses are short answers of at most `max_answer_words`
    words; see SFT110) with at most `max_classes` distinct labels (spelling variants, below,
    merged), counts the records of each
    label and warns when the most common one holds more than `max_majority_share` of them,
    and when a label has fewer than `min_class_count` examples. The summary holds the label
    distribution and the majority share. Long-form data and free short answers (more distinct
    answers than `max_classes`, or more than half of the short answers distinct: each label of
    a label set comes back) are not label sets and are left alone.
    Label hygiene: a label that equals a more frequent one but for case, whitespace or
    punctuation ("Positive", "positive " beside "positive"), or that is a small edit from a
    more frequent one and has at most `max_typo_share` of its records ("Postive"; one edit for
    labels of 5 to 7 characters, two, a swap of neighbours counting as one, from 8), is
    reported on every record that carries it, with the canonical (most frequent) spelling in
    the message and in `data.canonical`, and a few other records of the same spelling in
    `related`. Labels under 5 characters ("bug" and "bugs"), labels whose digits differ
    ("class_1", "class_2") and a negating prefix ("valid", "invalid") are never typos. The
    summary maps each variant to its canonical spelling (`spellings`), and variants are left
    out of the rare-label warning: they need merging, not more examples.

    Why it matters: A model fine-tuned on 90 % "no" learns to say "no" and scores 90 % doing
    it; a label with a handful of examples is effectively never predicted. Accuracy on such a
    dataset hides both.

    How to fix: Collect more examples of the rare labels, down-sample the majority, or merge
    labels that are too rare to learn into a broader one. Report per-label metrics, not only
    accuracy. Rewrite each reported spelling variant to its canonical label (one
    search-and-replace per variant). If two reported labels really are different classes,
    set `max_typo_share` below the rarer one's share of the other's count.

    Options: `max_majority_share` (default 0.8), `min_class_count` (default 10), `max_classes`
    (default 50), `max_answer_words` (default 3), `max_typo_share` (default 0.2), under
    `[tool.sftlint.checks.label-imbalance]`.
    """

    code = "SFT202"
    slug = "label-imbalance"
    severity = Severity.WARNING
    Options = LabelImbalanceOptions

    def __init__(self, options: LabelImbalanceOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.tally = LabelTally()
        self.files: dict[str, int] = {}
        # Where each label occurs (file id, line pairs), by label field and by short answer; dropped
        # once there are more distinct labels than a label set may have.
        self.where: dict[str, dict[str, array[int]]] = {"field": {}, "answer": {}}
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        label, answer = self.tally.add(record, self.options.max_answer_words)
        for kind, value in (("field", label), ("answer", answer)):
            places = self.where[kind]
            if value is None or (value not in places and len(places) >= _MAX_SPELLINGS):
                continue
            file_id = self.files.setdefault(record.file, len(self.files))
            places.setdefault(value, array("I")).extend((file_id, record.position))

    def finish(self, context: Context) -> Iterator[Finding]:
        labels = self.tally.labels()
        total = sum(labels.values())
        variants = None
        # Short answers most of which differ are free answers (capitals, trivia), not a label set:
        # a label set's answers come back, each about twice or more. A label field is one by name.
        repeated = self.tally.uses_label_field or 2 * len(labels) <= total
        if labels and len(labels) <= _MAX_SPELLINGS and repeated:
            variants = spelling_variants(labels, self.options.max_typo_share, self.options.max_classes)
        if variants is None:
            self._summary = {"labels": {}, "majority_share": 0.0, "basis": self.tally.basis(), "spellings": {}}
            return
        top, top_count = labels.most_common(1)[0]
        share = top_count / total
        self._summary = {
            "labels": dict(labels.most_common()),
            "majority_share": round(share, 4),
            "basis": self.tally.basis(),
            "spellings": {variant: canonical for variant, (canonical, _) in sorted(variants.items())},
        }
        if share > self.options.max_majority_share:
            yield self.finding(
                f"label '{excerpt(top, 30)}' holds {share:.0%} of {total} labelled records "
                f"(at most {self.options.max_majority_share:.0%})",
                score=share,
                label=top,
            )
        yield from self._spelling_findings(labels, variants)
        minimum = self.options.min_class_count
        rare = [(label, n) for label, n in labels.most_common() if n < minimum and label not in variants]
        if rare and len(labels) > 1:
            shown = ", ".join(f"'{excerpt(label, 30)}' ({n})" for label, n in rare[:8])
            more = f" and {len(rare) - 8} more" if len(rare) > 8 else ""
            yield self.finding(
                f"{len(rare)} label(s) have fewer than {self.options.min_class_count} examples: {shown}{more}",
                score=min(n for _, n in rare) / self.options.min_class_count,
                labels=dict(rare),
            )

    def _spelling_findings(self, labels: Counter[str], variants: dict[str, tuple[str, str]]) -> Iterator[Finding]:
        """One finding per record whose label is a spelling variant of a more frequent label."""
        places = self.where["field" if self.tally.uses_label_field else "answer"]
        names = list(self.files)
        for variant, (canonical, how) in sorted(variants.items()):
            found = places.get(variant)
            if found is None:
                continue
            at = [Location(names[found[i]], None, found[i + 1]) for i in range(0, len(found), 2)]
            for here in at:
                others = [loc for loc in at if loc != here][:_RELATED]
                yield self.finding(
                    f"label '{excerpt(variant, 30)}' ({labels[variant]} records) is likely '{excerpt(canonical, 30)}' "
                    f"({labels[canonical]} records) spelled differently: {how}",
                    at=here,
                    related=others,
                    score=labels[variant] / labels[canonical],
                    label=variant,
                    canonical=canonical,
                )

    def summary(self) -> dict[str, Any] | None:
        return self._summary
