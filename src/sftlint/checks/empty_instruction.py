from __future__ import annotations

from collections.abc import Iterator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import blank


class EmptyInstruction(Check):
    """An example with no instruction: the response answers nothing.

    What it does: Reports records whose instruction (prompt, question) is empty, only
    whitespace or only invisible characters (zero-width spaces: a reader sees nothing), and
    chat records with an empty user turn (a turn of images or audio only is not empty). An
    alpaca record with an empty instruction but a non-empty `input` is reported too: the
    input is context, not a task.

    Why it matters: Without a prompt the model learns to produce the response unprompted,
    which shows up later as text that ignores what was asked.

    How to fix: Restore the instruction from the source data, move a task that was put in
    `input` into `instruction`, or drop the record.
    """

    code = "SFT102"
    slug = "empty-instruction"
    severity = Severity.ERROR
    disqualifies = True

    def check_record(self, record: Record) -> Iterator[Finding]:
        if record.turns is not None:
            media = record.media or {}
            for turn in record.turns:
                if turn.role == "user" and blank(turn.content) and turn.index not in media:
                    yield self.finding(f"turn {turn.index} (user) is empty", record)
            return
        if blank(record.instruction):
            note = " (the input is not empty: is the task in the wrong field?)" if not blank(record.input) else ""
            yield self.finding(f"instruction is empty{note}", record)
