from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record

DEFAULT_MARKERS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|begin_of_text|>", "<|end_of_text|>",
    "<|start_header_id|>", "<|end_header_id|>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>",
    "<start_of_turn>", "<end_of_turn>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "</s>",
]  # fmt: skip
# Alpaca-style section headers at the start of a line: "### Instruction:", "### Response:".
DEFAULT_HEADER_PATTERN = r"(?im)^[ \t]*#{2,}[ \t]*(instruction|input|response|output|assistant|human)[ \t]*:"
# A turn marker alone on the last line of a response: the model went on to write the next turn
# ("User", "### Human:", "<|user|>", a bare "###").
DEFAULT_TRAILING_PATTERN = (
    r"(?i)^[ \t]*(?:#{1,4}[ \t]*)?(?:<\|)?(?:user|human|assistant|gpt|bot|prompter)(?:\|>)?[ \t]*:?[ \t]*$"
    r"|^[ \t]*###[ \t]*$"
)


class TemplateLeakageOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    markers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MARKERS), description="literal special tokens to look for"
    )
    extra_markers: list[str] = Field(default_factory=list, description="more literal markers, added to `markers`")
    header_pattern: str = Field(DEFAULT_HEADER_PATTERN, description="regular expression for template headers")
    trailing_pattern: str = Field(
        DEFAULT_TRAILING_PATTERN, description="regular expression for a turn marker on a response's last line"
    )

    @field_validator("header_pattern", "trailing_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        """A pattern that does not compile is a config error (exit 2), not a crash."""
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return pattern


class TemplateLeakage(Check):
    """Special tokens or prompt-template markers inside the text of an example.

    What it does: Looks in every text field for literal special tokens (`<|endoftext|>`,
    `<|im_start|>`, `[INST]`, `<</SYS>>`, `</s>` and others) and for alpaca-style section
    headers at the start of a line (`### Instruction:`, `### Response:`). `</s>` is not
    reported when the same text also opens an HTML `<s>` tag. A response whose last line is a
    turn marker alone ("User", "Human:", "### Human:", "<|user|>", a bare "###") is reported
    too: the model went on to write the next turn of the conversation.

    Why it matters: The trainer's chat template adds these tokens itself. When they are also
    inside the text, the model learns to emit an end-of-text token mid-answer or to write a
    new "### Instruction:" block after its answer. One widely used instruction collection ends
    every completion with a literal `<|endoftext|>`.

    How to fix: Strip the markers when you export the data; keep the text plain and let the
    training framework's chat template add the special tokens.

    Options: `markers` (list) replaces the literal tokens; `extra_markers` (list) adds to
    them; `header_pattern` (regular expression) replaces the header rule; `trailing_pattern`
    (regular expression, matched against a response's last line; "" turns it off) replaces
    the turn-marker rule. Under
    `[tool.sftlint.checks.template-leakage]`.
    """

    code = "SFT111"
    slug = "template-leakage"
    severity = Severity.WARNING
    cost = 2
    Options = TemplateLeakageOptions

    def __init__(self, options: TemplateLeakageOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        markers = sorted(set(self.options.markers) | set(self.options.extra_markers), key=len, reverse=True)
        self.tokens = re.compile("|".join(map(re.escape, markers))) if markers else None
        self.headers = re.compile(self.options.header_pattern) if self.options.header_pattern else None
        self.trailing = re.compile(self.options.trailing_pattern) if self.options.trailing_pattern else None
        # Cheap tests that rule out a match before any expression runs: every marker starts with
        # one of `starts`, and the default header rule needs "##".
        self.starts = tuple({m[:1] for m in markers})
        self.header_needs = "##" if self.options.header_pattern == DEFAULT_HEADER_PATTERN else ""

    def check_record(self, record: Record) -> Iterable[Finding]:
        """Looks at all the texts at once first ("\n" joins them, so no "##" is made across two):
        most records are ruled out without building their named texts or a generator."""
        if record.turns is None:
            joined = f"{record.instruction}\n{record.input}\n{record.response}"
        else:
            joined = "\n".join([t.content for t in record.turns])
        markers = self.tokens is not None and any(map(joined.__contains__, self.starts))
        if not markers and (self.headers is None or self.header_needs not in joined):
            return list(self._trailing_findings(record))
        return list(self._findings(record))

    def _trailing_marker(self, name: str, text: str) -> str | None:
        """The turn marker alone on the last line of a response that has more than that line."""
        if self.trailing is None or not (name == "response" or name.endswith("(assistant)")):
            return None
        body, _, last = text.rstrip().rpartition("\n")
        return last.strip() if body.strip() and len(last) <= 24 and self.trailing.match(last) else None

    def _trailing_findings(self, record: Record) -> Iterator[Finding]:
        """Only the responses, without building every named text: the path of most records."""
        if record.turns is None:
            responses: Iterable[tuple[str, str]] = (("response", record.response),)
        else:
            responses = (
                (f"turn {t.index} (assistant)", t.content)
                for t in record.turns
                if t.role == "assistant" and t.trained
            )
        for name, text in responses:
            marker = self._trailing_marker(name, text)
            if marker is not None:
                yield self.finding(f"{name} ends with a turn marker: {marker!r}", record)

    def _findings(self, record: Record) -> Iterator[Finding]:
        for name, text in record.texts():
            found = []
            if self.tokens is not None and any(map(text.__contains__, self.starts)):
                found = [m for m in dict.fromkeys(self.tokens.findall(text)) if m != "</s>" or "<s>" not in text]
            if self.headers is not None and self.header_needs in text:
                match = self.headers.search(text)
                if match:
                    found.append(match.group().strip())
            marker = self._trailing_marker(name, text)
            if found:
                shown = ", ".join(repr(m) for m in found[:3])
                ending = f", and it ends with a turn marker: {marker!r}" if marker not in (None, *found) else ""
                yield self.finding(f"{name} contains template markup: {shown}{ending}", record)
            elif marker is not None:
                yield self.finding(f"{name} ends with a turn marker: {marker!r}", record)
