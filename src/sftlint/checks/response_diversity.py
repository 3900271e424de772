"""SFT206: a dataset whose many prompts share a few answers."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record
from sftlint.text.labels import LabelTally
from sftlint.text.normal import excerpt, squashed, squashed_prompt

_MAX_WORDS = 3  # a short answer (a label) is expected to repeat: as SFT110's default
_MAX_EXCERPTS = 20_000  # answers quoted in the summary (repeated answers past these show none)
_SHOWN = 5  # most repeated answers in the message and the summary
_EXAMPLE_LINES = 3


def _key(squashed_text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(squashed_text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


class ResponseDiversityOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    max_repeated_share: float = Field(
        0.1, ge=0, le=1, description="share of records answering with another prompt's exact answer that is reported"
    )
    min_records: int = Field(20, ge=2, description="records with a long-form answer needed to judge the share")


class ResponseDiversity(Check):
    """Many prompts answered with the same few responses.

    What it does: Compares the assistant side of every record (the response; for chat, the
    assistant turns joined) after lower-casing and collapsing whitespace, and counts the
    records whose answer is exactly the answer of a record with a different prompt. Copies of
    a whole record (same prompt and answer) count once: they are SFT103's. When that share is
    above `max_repeated_share` (10 %) of at least `min_records` (20) records, it reports one
    dataset-level finding with the share, the number of distinct answers and the most repeated
    answers with their counts and example records. Short answers of three words or fewer are
    left out, and classification-like data (as SFT110 decides it: a `label` field, or mostly
    short answers) is not judged at all: labels are meant to repeat. Memory is about 100 bytes
    per record.

    Why it matters: A model fine-tuned on 500 conversations that reuse 40 answers learns 40
    answers, whatever it is asked: it stops reading the prompt. Canned answers come from a
    generation step that fell back to a default, a template filled with one value, or a
    broken join that gave every prompt the same response.

    How to fix: Look at the most repeated answers in the message: regenerate them for their
    prompts, or keep one record per answer. When the repeated answer is a tool call (one
    call with no arguments, made for many prompts), its prompts are rewordings of one request
    (keep fewer of them) or some of them call the wrong tool. If the repetition is
    deliberate (a fixed greeting, an identity answer), raise `max_repeated_share`.

    Options: `max_repeated_share` (default 0.1), `min_records` (default 20), under
    `[tool.sftlint.checks.response-diversity]`.
    """

    code = "SFT206"
    slug = "response-diversity"
    severity = Severity.WARNING
    cost = 8
    summary_labels = {
        "judged": "judged (long-form answers, enough records)",
        "records": "records judged (distinct prompt and answer)",
        "repeated": "records whose answer another prompt's record repeats",
        "repeated_share": "share of records with a repeated answer",
        "distinct_answers": "distinct answers",
        "most_repeated": "most repeated answers (records, first places)",
        "basis": "why not judged",
    }
    Options = ResponseDiversityOptions

    def __init__(self, options: ResponseDiversityOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.tally = LabelTally()
        self.answers = array("Q")
        self.prompts = array("Q")
        self.positions = array("q")
        self.files = array("I")
        self.file_names: list[str] = []
        #: the answers seen, while excerpts are still taken (then let go: 45 bytes a record)
        self.seen: set[int] | None = set()
        self.excerpts: dict[int, str] = {}  # answers seen twice, quoted in the message
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        _, short = self.tally.add(record, _MAX_WORDS)
        if short is not None or not record.response.strip():
            return
        answer = _key(squashed(record)[2])
        seen = self.seen
        if seen is not None:  # excerpts are still taken
            if answer not in seen:
                seen.add(answer)
            elif answer not in self.excerpts:
                self.excerpts[answer] = excerpt(record.response, 80)
                if len(self.excerpts) >= _MAX_EXCERPTS:
                    self.seen = None  # every excerpt is taken: what was seen no longer matters
        if not self.file_names or self.file_names[-1] != record.file:
            self.file_names.append(record.file)
        self.answers.append(answer)
        self.prompts.append(_key(squashed_prompt(record)))
        self.positions.append(record.position)
        self.files.append(len(self.file_names) - 1)

    def finish(self, context: Context) -> Iterator[Finding]:
        self.seen = None
        if self.tally.classification_like:
            self._summary = {"judged": False, "basis": self.tally.basis()}
            return
        pairs = np.stack([np.frombuffer(self.answers, np.uint64), np.frombuffer(self.prompts, np.uint64)], axis=1)
        self.answers, self.prompts = array("Q"), array("Q")
        if len(pairs) == 0:
            self._summary = {"judged": False, "basis": "no long-form answers"}
            return
        # One row per distinct (answer, prompt): copies of a whole record count once.
        _, first = np.unique(pairs, axis=0, return_index=True)
        first.sort()
        answers = pairs[first, 0]
        distinct, inverse, counts = np.unique(answers, return_inverse=True, return_counts=True)
        per_record = counts[inverse]
        repeated = int((per_record > 1).sum())
        share = repeated / len(first)
        top = [i for i in np.argsort(-counts, kind="stable")[:_SHOWN] if counts[i] > 1]
        shown = []
        at = context.places
        for i in top:
            examples = []
            for r in first[inverse == i][:_EXAMPLE_LINES]:
                file, position = self.file_names[self.files[r]], int(self.positions[r])
                examples.append(Location(file, at.line(file, position), position).to_dict())
            answer = self.excerpts.get(int(distinct[i]), "")
            shown.append({"answer": answer, "records": int(counts[i]), "examples": examples})
        self._summary = {
            "judged": len(first) >= self.options.min_records,
            "records": int(len(first)),
            "repeated": repeated,
            "repeated_share": round(share, 4),
            "distinct_answers": int(len(distinct)),
            "most_repeated": shown,
        }
        if len(first) < self.options.min_records or share <= self.options.max_repeated_share:
            return
        reused = int((counts > 1).sum())
        listed = "; ".join(
            f"'{item['answer']}' x{item['records']} "
            f"({', '.join(at.where(e['file'], e['record'], e['file']) for e in item['examples'])})"
            for item in shown
        )
        yield self.finding(
            # counted once per distinct prompt and answer: exact copies are SFT103's
            f"{repeated:,} of {len(first):,} records with a distinct prompt and answer ({share:.0%}) "
            "answer with another prompt's exact response: "
            f"{reused} answer{' is' if reused == 1 else 's are'} reused; most repeated: {listed}",
            related=[Location(e["file"], None, e["record"]) for item in shown for e in item["examples"]],
            score=share,
        )

    def summary(self) -> dict[str, Any] | None:
        return self._summary
