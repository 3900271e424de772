"""When a dataset counts as classification-like, and what a record's label is (SFT110, SFT202).

A dataset is classification-like when at least half of its records carry a `label` field
(the label is then that field), or when at least `SHORT_SHARE` of its responses are short
answers of at most `max_answer_words` words (the label is then the response, lower-cased,
with surrounding punctuation and quotes removed). Long-form data, where two different
answers to the same prompt can both be right, is neither.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sftlint.records import Record

LABEL_SHARE = 0.5  # share of records with a label field that makes the label field the label
SHORT_SHARE = 0.8  # share of short responses that makes the response the label
MAX_ANSWER_CHARS = 60
_STRIP = " \t\r\n.!?;:,'\"`“”‘’()[]*"


def normalise_answer(text: str) -> str:
    """A short answer as a label: lower case, single spaces, no surrounding punctuation or quotes."""
    return " ".join(text.split()).strip(_STRIP).lower()


def short_answer(text: str, max_words: int) -> str | None:
    """The label a short response stands for, or None when the response is not short."""
    if len(text) > MAX_ANSWER_CHARS:
        return None
    answer = normalise_answer(text)
    return answer if answer and len(answer.split()) <= max_words else None


@dataclass
class LabelTally:
    """Counts that decide whether the data is classification-like, and the label counts themselves."""

    records: int = 0
    field_labels: Counter[str] = field(default_factory=Counter)
    short_answers: Counter[str] = field(default_factory=Counter)

    def add(self, record: Record, max_words: int) -> tuple[str | None, str | None]:
        """Count one record; returns (label field, short answer) for the caller to keep."""
        self.records += 1
        answer = short_answer(record.response, max_words)
        if record.label is not None:
            self.field_labels[record.label] += 1
        if answer is not None:
            self.short_answers[answer] += 1
        return record.label, answer

    @property
    def uses_label_field(self) -> bool:
        return self.records > 0 and sum(self.field_labels.values()) >= LABEL_SHARE * self.records

    @property
    def classification_like(self) -> bool:
        if self.records == 0:
            return False
        return self.uses_label_field or sum(self.short_answers.values()) >= SHORT_SHARE * self.records

    def labels(self) -> Counter[str]:
        """The label counts of a classification-like dataset (empty otherwise)."""
        if not self.classification_like:
            return Counter()
        return self.field_labels if self.uses_label_field else self.short_answers

    def basis(self) -> str:
        if not self.classification_like:
            return "long-form"
        return "label field" if self.uses_label_field else "short responses"
