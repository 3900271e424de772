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
        if record.desirable is not None:
            return None, None  # KTO data: one prompt's completions differ by design, and are no classes
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


# -- spelling variants of one label (SFT202) ------------------------------------------------

TYPO_MIN_CHARS = 5  # shorter labels ("bug", "bugs") are too short for an edit to mean a typo
TYPO_LONG_CHARS = 8  # from this length two edits may be a typo, below it one
_NEGATIONS = ("un", "in", "im", "il", "ir", "non", "not", "dis", "no", "anti")


def label_key(label: str) -> str:
    """A label with case, whitespace and punctuation ignored: 'Positive ', 'positive.' -> 'positive'."""
    return "".join(ch for ch in label.casefold() if ch.isalnum())


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or limit + 1 when over."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _typo_distance(rare: str, common: str) -> int | None:
    """The edit distance between two label keys when it reads as a misspelling, else None.

    Not a misspelling: labels under TYPO_MIN_CHARS characters, labels whose digits differ
    ("class1", "class2"), and a negating prefix ("valid", "invalid"; "relevant", "irrelevant").
    """
    shorter, longer = sorted((rare, common), key=len)
    if len(shorter) < TYPO_MIN_CHARS:
        return None
    if sorted(filter(str.isdigit, rare)) != sorted(filter(str.isdigit, common)):
        return None
    if longer.endswith(shorter) and longer[: len(longer) - len(shorter)] in _NEGATIONS:
        return None
    limit = 1 if len(shorter) < TYPO_LONG_CHARS else 2
    distance = edit_distance(rare, common, limit)
    return distance if distance <= limit else None


def spelling_variants(
    counts: Counter[str], max_typo_share: float, max_labels: int
) -> dict[str, tuple[str, str]] | None:
    """Labels that are likely another label spelled differently: {variant: (canonical, how)}, or
    None when more than `max_labels` labels remain once the variants are merged (not a label set).

    Labels equal but for case, whitespace and punctuation are one label, spelled as its most
    frequent spelling. A rarer label within a small edit of a more frequent one (see
    `_typo_distance`) is a misspelling when it has at most `max_typo_share` of that label's
    records: a typo is rare, while two real classes a letter apart both have many examples.
    """
    by_key: dict[str, list[str]] = {}
    for label in sorted(counts, key=lambda s: (-counts[s], s)):
        key = label_key(label)
        if key:
            by_key.setdefault(key, []).append(label)
    out: dict[str, tuple[str, str]] = {}
    for spellings in by_key.values():
        for other in spellings[1:]:
            out[other] = (spellings[0], "differs in case, spacing or punctuation")
    totals = {key: sum(counts[s] for s in spellings) for key, spellings in by_key.items()}
    canonical: list[str] = []
    for key in sorted(totals, key=lambda k: (-totals[k], k)):
        match = None
        for common in canonical:  # in falling order of frequency
            if totals[key] > max_typo_share * totals[common]:
                break  # no later label is frequent enough for this one to be its typo
            distance = _typo_distance(key, common)
            if distance is not None:
                match = (common, distance)
                break
        if match is None:
            canonical.append(key)
            if len(canonical) > max_labels:
                return None
            continue
        common, distance = match
        for spelling in by_key[key]:
            out[spelling] = (by_key[common][0], f"{distance} edit{'s' if distance > 1 else ''} away")
    return out
