from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import DEFAULT_PLACEHOLDERS, INVISIBLE, blank, squash


class EmptyResponseOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    placeholders: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PLACEHOLDERS),
        description="responses that count as empty (compared case-insensitively, whitespace ignored)",
    )


class EmptyResponse(Check):
    """A response that is empty, only whitespace, or a placeholder such as N/A or <noinput>.

    What it does: Reports records whose response (for chat: any assistant turn trained on; an
    assistant turn marked `"weight": 0` or `"train": false` is context, and a conversation with
    no other is reported as training on nothing) is empty,
    whitespace only, only invisible characters (zero-width spaces and joiners, a byte-order
    mark, a soft hyphen: a reader sees nothing), or one of the placeholder strings (`N/A`, `none`, `<noinput>`, `...`,
    `TODO` and others), compared case-insensitively with surrounding punctuation such as a
    final period ignored.

    Why it matters: The model is trained to produce exactly the target. An empty target
    teaches it to stop at once; a placeholder teaches it to answer "N/A". Both come from
    unfinished annotation or a failed generation step.

    How to fix: Write the missing answers, or drop the records (`sftlint fix` does). If a
    placeholder is a real answer in your data (a classifier whose label is "none"), remove it
    from the list in config.

    Options: `placeholders` (list of strings) replaces the default placeholder list, under
    `[tool.sftlint.checks.empty-response]`.
    """

    code = "SFT101"
    slug = "empty-response"
    severity = Severity.ERROR
    disqualifies = True
    Options = EmptyResponseOptions

    def __init__(self, options: EmptyResponseOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.placeholders = {squash(p) for p in self.options.placeholders}
        # A text of two or more words, and more words than the longest placeholder, cannot be one:
        # squash keeps the words, and stripping a final "." or "!" word would leave a trailing
        # space. So most responses are ruled out by a split that stops after that many words.
        self.max_words = max([1] + [len(p.split()) for p in self.placeholders])

    def _problem(self, text: str) -> str | None:
        if not text or text.isspace():
            return "is empty" if not text else "is only whitespace"
        if not text.isascii() and blank(text):
            shown = ", ".join(f"U+{ord(c):04X}" for c in INVISIBLE if c in text)
            return f"shows nothing: only invisible characters ({shown})"
        if len(text.split(None, self.max_words)) > self.max_words:
            return None
        value = squash(text)
        if value in self.placeholders or value.rstrip(".!") in self.placeholders:
            return f"is a placeholder ({text.strip()!r})"
        return None

    def check_record(self, record: Record) -> Iterator[Finding]:
        if record.turns is None:
            problem = self._problem(record.response)
            if problem:
                yield self.finding(f"response {problem}", record)
            return
        trained = [turn for turn in record.turns if turn.role == "assistant" and turn.trained]
        if not trained:
            yield self.finding("no assistant turn is trained on: every one is marked weight 0 (or train false)", record)
        for turn in trained:
            if problem := self._problem(turn.content):
                yield self.finding(f"turn {turn.index} (assistant) {problem}", record)
