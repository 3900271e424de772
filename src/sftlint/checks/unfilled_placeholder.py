"""SFT115: template slots that were never filled in, such as "I am <NAME>, developed by <AUTHOR>"."""

from __future__ import annotations

import re

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.content import looks_like_code, without_code_spans
from sftlint.text.normal import DEFAULT_PLACEHOLDERS, squash

# {{ name }}: a mustache or Jinja variable.
_MUSTACHE = re.compile(r"\{\{\s*[A-Za-z_][\w. -]{0,40}?\s*\}\}")
# <NAME>, <AUTHOR>, <COMPANY NAME>: an all-caps tag not glued to a word (List<T> is a generic).
# (The look-behinds follow the bracket, so the search skips to each bracket instead of trying
# every position.)
_CAPS_TAG = re.compile(r"<(?<![\w<]<)([A-Z][A-Z0-9_]*(?: [A-Z][A-Z0-9_]*){0,3})>")
# {name}, {your answer}: one brace, not LaTeX (\frac{a}, x^{2}, a_{i}) nor a set or a dict.
_BRACE = re.compile(r"\{(?<![\w\\^_${}%#]\{)([A-Za-z_][A-Za-z0-9_]*(?: [a-z]+){0,3})\}(?!\})")
# <noinput>, <No Output>: the markers of a generated dataset's empty fields.
_NO_IO = re.compile(r"<no ?(?:input|output)>", re.IGNORECASE)
# Whole texts that say there is nothing, beyond the placeholders SFT101 already reports.
_NOTHING = {"no output", "no input", "noinput", "nooutput"}
_SFT101_PLACEHOLDERS = {squash(p) for p in DEFAULT_PLACEHOLDERS}
# All-caps tags that are markup, keys or special tokens, not slots to fill.
_NOT_SLOTS = frozenset(
    """A ABBR B BR BODY CODE DIV EM FONT FORM H1 H2 H3 H4 H5 H6 HEAD HR HTML I IMG INPUT LI LINK META OL P PRE
    SCRIPT SPAN STRONG STYLE SUB SUP TABLE TD TH TITLE TR U UL XML SVG CR LF ENTER TAB ESC SPACE BS DEL EOF EOS
    BOS SEP PAD UNK CLS MASK S""".split()
)
# A prompt that speaks of its own slots asks for a template, or defines a reply format.
_TEMPLATE_ASKED = re.compile(
    r"\b(?:templates?|placeholders?|curly braces?|fill[- ]in|mail merge|jinja|mustache|handlebars|"
    r"format strings?|f-strings?)\b",
    re.IGNORECASE,
)


def _slots(text: str) -> list[str]:
    """The unfilled slots in the prose of `text`, in order, each once."""
    if "{" not in text and "<" not in text:
        return []
    text = without_code_spans(text)
    found = [m.group() for m in _MUSTACHE.finditer(text)]
    found += [m.group() for m in _CAPS_TAG.finditer(text) if m.group(1) not in _NOT_SLOTS]
    found += [m.group() for m in _BRACE.finditer(text) if len(m.group(1)) >= 3]
    found += [m.group() for m in _NO_IO.finditer(text)]
    if not found or looks_like_code(text):  # a program's slots are its own
        return []
    return list(dict.fromkeys(found))


# A text without the spaces, full stops and exclamation marks around it.
_CORE = re.compile(r"[^\s.!](?:.*[^\s.!])?", re.DOTALL)
_MOST_WORDS = max(len(marker.split()) for marker in _NOTHING | _SFT101_PLACEHOLDERS)


def _said(text: str) -> str | None:
    """`squash(text).strip(" .!")` when it is short enough to be a marker of an empty text, else
    None: a long text is not squashed whole."""
    core = _CORE.search(text)
    words = core.group().split(None, _MOST_WORDS) if core else []
    return " ".join(words).lower() if len(words) <= _MOST_WORDS else None


class UnfilledPlaceholder(Check):
    """A template slot left unfilled: `<NAME>`, `{{name}}`, `{name}`, `<noinput>`, "No Output".

    What it does: Looks in the prose of every text (instruction, input, response; each chat
    turn) for template slots that were never replaced: all-caps angle tags (`<NAME>`,
    `<AUTHOR>`), mustache or Jinja variables (`{{ name }}`), single-brace slots (`{name}`,
    `{your answer}`) and the empty-field markers of generated data (`<noinput>`,
    `<No Output>`), and for a whole text that reads "No Output" or "No input". Code is left
    alone: fenced blocks, inline code spans and texts that are programs (format strings,
    f-strings, `List<T>`), as are HTML tags, LaTeX (`\\frac{a}{b}`, `x^{2}`), and every slot of
    a record whose prompt asks for a template or defines its own slots ("replace the content
    inside the curly braces"). Square-bracket fillers such as `[Your Name]` are not reported:
    in real data they are the slots of letters and templates written for the user to fill.
    A whole response that SFT101 reports as a placeholder (`<noinput>`) is left to SFT101.

    Why it matters: The model learns the slot as the answer. An identity dataset whose
    responses read "I am <NAME>, an AI assistant developed by <AUTHOR>" trains a model that
    introduces itself as "<NAME>"; a prompt with `{product}` teaches it to answer questions
    nobody asked.

    How to fix: Fill the slots before training (replace `<NAME>` with the model's name), or
    drop the records whose generation step failed to fill them.
    """

    code = "SFT115"
    slug = "unfilled-placeholder"
    severity = Severity.ERROR
    cost = 3

    def check_record(self, record: Record) -> list[Finding]:
        texts = record.texts()
        if record.turns is not None:  # only a conversation has tool turns to leave out
            texts = [(name, text) for name, text in texts if not name.endswith(("(tool)", "(function)"))]
        found = []
        for name, text in texts:
            whole = _said(text)
            if whole in _NOTHING:
                said = text.strip()
                found.append(self.finding(f"{name} is a placeholder: {said!r}", record, placeholder=said))
                continue
            if whole in _SFT101_PLACEHOLDERS and (name == "response" or name.endswith("(assistant)")):
                continue
            slots = _slots(text)
            if slots:
                shown = ", ".join(slots[:3]) + (f" and {len(slots) - 3} more" if len(slots) > 3 else "")
                found.append(self.finding(f"{name} has an unfilled placeholder: {shown}", record, placeholder=slots[0]))
        # Looked at only when there is something to report: most records have no slot at all.
        return found if found and not _TEMPLATE_ASKED.search(record.prompt) else []
