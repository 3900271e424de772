"""SFT117: an instruction that points at material ("the following sentence") the record lacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import excerpt

# What an instruction can point at: the material a model must be given to do the task.
_MATERIAL = (
    r"(?:sentences?|text|texts|passages?|paragraphs?|articles?|code|snippet|table|list|poems?|story|essay|"
    r"e-?mails?|letter|reviews?|documents?|excerpt|lyrics|tweets?|headlines?|abstract|json|csv|xml|html|data|"
    r"dataset|statements?|quotes?|phrases?|words?|program|function|script|equations?|numbers|conversation|"
    r"dialogue|transcript|summary|input|strings?|query|sql|essay|speech|recipe|report|message|post|questions?|"
    r"problem|options|choices|items)"
)
_KIND = r"(?:\s+[a-z+#-]+){0,2}?\s+" + _MATERIAL  # "the following Python function"
# Material that follows the reference: "the following sentence", "the text below". Whatever
# "the following" names, it comes next, unless it is a time ("the following day").
_TIME = r"(?:day|days|week|weeks|month|months|year|years|morning|night|evening|weekend|season|decade|century)"
_FORWARD = re.compile(
    r"\b(?:the|these) following\b(?!\s+"
    + _TIME
    + r"\b)(?:\s+[a-z+#-]+)?|\b"
    + _MATERIAL
    + r" (?:given |listed )?below\b"
)
# (Both are matched against the lower-cased prompt: a case-insensitive alternation is several
# times slower in Python's re.)
# Material anywhere: "this paragraph", "the given text", "the provided code", "the table above".
_ANYWHERE = re.compile(
    r"\b(?:this|these|the (?:given|provided|attached|above|aforementioned))"
    + _KIND
    + r"\b|\b"
    + _MATERIAL
    + r" above\b"
)
# Where the material would start after a forward reference: a colon, a new line, a quote, or
# the end of the sentence that holds the reference.
_BLOCK_START = re.compile(r"[:：\n\"“'`]|[.?!](?:\s|$)")
_WORDS = re.compile(r"[^\W_]+")
# A prompt this long, besides the sentence that points, holds the material it points at.
MIN_CONTEXT_WORDS = 20
# Sentences before the one that points, this long, are the material "this story" points back to.
MIN_BEFORE_WORDS = 8
_SENTENCE_BREAK = re.compile(r"(?<=[.?!。？！])\s+|\n+")
_QUOTED = re.compile(r"[\"“`'][^\"”`'\n]*?(?:\s[^\"”`'\n]*?){2,}[\"”`']")


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _material_after(text: str) -> bool:
    """Whether anything follows the place where a forward reference's material would start."""
    start = _BLOCK_START.search(text)
    return start is not None and bool(_WORDS.search(text[start.start() + 1 :]))


def missing_material(prompt: str) -> str | None:
    """The reference of a prompt whose material is missing, or None."""
    lower = prompt.lower()
    if len(lower) != len(prompt):  # a letter whose lower case is longer ("İ"): keep offsets right
        prompt = lower
    forward = _FORWARD.search(lower)
    if forward:
        return None if _material_after(prompt[forward.end() :]) else prompt[forward.start() : forward.end()]
    anywhere = _ANYWHERE.search(lower)
    if anywhere is None:
        return None
    before = prompt[: anywhere.start()]
    rest = before + prompt[anywhere.end() :]
    earlier_sentences = _SENTENCE_BREAK.split(before)[:-1]
    if (
        _words(rest) >= MIN_CONTEXT_WORDS
        or _words(" ".join(earlier_sentences)) >= MIN_BEFORE_WORDS
        or _QUOTED.search(prompt)
        or _material_after(prompt[anywhere.end() :])
    ):
        return None
    return prompt[anywhere.start() : anywhere.end()]


class MissingInput(Check):
    """An instruction that refers to material ("the following sentence") that is not there.

    What it does: Finds instructions that point at material the model must be given: "the
    following sentence", "the following companies", "the text below" (material expected after
    the reference), or "this paragraph", "the given code", "the table above" (material
    anywhere). A record is reported
    when its input is empty and the instruction does not hold the material either: nothing
    follows a forward reference after a colon, a new line, a quote or the end of its sentence
    ("Rewrite the following sentence to make it formal." and nothing more), and for the other
    references, fewer than 20 words around the reference, fewer than 8 in the sentences before
    it and no quoted passage. Chat records
    are judged by their first user turn only (later turns may point at earlier answers), and
    records with a `history` are left alone.

    Why it matters: The model learns to answer about text it never saw, that is, to invent the
    material. Such records come from templates whose input column was dropped or left empty at
    export.

    How to fix: Put the material back in the input (or the instruction), or drop the record.
    """

    code = "SFT117"
    slug = "missing-input"
    severity = Severity.WARNING
    cost = 15
    preview = True
    preview_note = (
        "real-data precision not known yet: no finding on the 22 real datasets, where every prompt that "
        "points at material carries it (planted precision 1.00, recall 1.00)"
    )

    def check_record(self, record: Record) -> Iterator[Finding]:
        if record.raw.get("history"):
            return
        if record.turns is None:
            if record.input.strip():
                return
            name, prompt = "instruction", record.instruction
        else:
            first = next((t for t in record.turns if t.role == "user"), None)
            if first is None:
                return
            name, prompt = f"turn {first.index} (user)", first.content
        reference = missing_material(prompt)
        if reference:
            yield self.finding(
                f"{name} refers to {reference.strip()!r} but the record holds no such material: {excerpt(prompt)!r}",
                record,
                reference=reference.strip(),
            )
