"""SFT116: responses cut off before their end (a generation's token limit, a bad export)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.content import looks_like_code
from sftlint.text.normal import excerpt

# A fence opens or closes a line; ```psql``` at a line's start with its closing ticks on the same
# line is inline code, as some data writes every code span. A block may also close at the end of
# its last line of code ("}```"), when no other ``` stands before it on the line ("Install with
# ```pip install x```" ends an inline span).
_FENCE_LINE = re.compile(r"^[ \t]*(?:```(?![^\n]*```)|~~~)|^(?:(?!```)[^\n])*[^\s`]```[ \t]*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)]|[A-Za-z][.)])\s")
_EMPTY_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s*$")
# A line that is not a sentence: a table row, a heading, a quote, hashtags, a link.
_NOT_SENTENCE = re.compile(r"\|.*\||^\s*#|^\s*>|#\w+\s*$|https?://|www\.")
# A sentence end: . ! ? … (after a word of 3 or more letters, not an initial, "Dr." or "Mrs."),
# CJK full stops, and a closing quote or bracket after one of them.
_SENTENCE_END = re.compile(
    r"(?:(?<=[^\W\d_]{3})(?<!Mrs|Inc|Ltd|Gen|Sen|Rev|Col|Sgt)(?<!Capt|Prof|Dept)[.!?]|[!?…。！？；])"
    r"[\"'”’)\]]*(?=\s|$)"
)
_FULL_STOPS = frozenset(".!?…。！？")
_CLOSERS = "\"'”’)]"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # "don't", "how-to": one word
# Words that never end an English sentence: articles, prepositions, conjunctions, auxiliaries.
_NEVER_LAST = frozenset(
    """the a an of to in on at for with from by into onto about than and or but nor that which whose
    whether because although though while if as is are was were be been being has have had will would
    shall should can could may might must my your our their its his her we they you i""".split()
) - {"you", "i", "her", "his"}  # "thank you", "after I", "to her", "is his" end sentences
# "..., though" and "..., as well" end a sentence: the word after the comma is an afterthought.
_AFTERTHOUGHT = re.compile(r",\s+(?:though|as well)$", re.IGNORECASE)
_C_LIKE = re.compile(r"[;{]\s*$", re.MULTILINE)
FRAGMENT_WORDS = 3  # words after the last sentence end that make an unfinished sentence (a list item: 4)
LONG_LINE_WORDS = 8  # a last line this long without a full stop, where its siblings have one, is cut
MIN_SIBLINGS = 2
_GOES_ON = re.compile(r" ?[^\W\d_]")  # the rest of a word, or a next word: not ", yeah"
_LAST_TO_JUDGE = frozenset(":：,，、")  # line endings judged besides letters
_TAIL_CHARS = 120  # the end of a last line that `_sentence_problem` counts words in
MIN_CUT_COPY_CHARS = 8  # a shorter last line may begin an earlier one by chance ("- Salt")
MIN_ANSWER_WORDS = 5  # shorter responses are labels or short answers, never judged as sentences
SIBLING_SHARE = 0.8


# What `_open_brackets` does not count in: string literals (to their closing quote, the end of
# their line or of the text; a backslash escapes the next character) and comments, by style. A #
# comment starts a line or follows whitespace: "{{#items}}" opens a Mustache section, no comment.
_STRING = r'"[^"\\\n]*(?:\\[\s\S]?[^"\\\n]*)*["\n]?' + r"|'[^'\\\n]*(?:\\[\s\S]?[^'\\\n]*)*['\n]?"
_NOT_CODE = {"//": re.compile(rf"{_STRING}|//[^\n]*"), "#": re.compile(rf"{_STRING}|(?<!\S)#[^\n]*")}


def _open_brackets(code: str) -> int:
    """Brackets opened and never closed in `code`, outside string literals and comments.

    A program whose lines end in ; or { has // comments (and # is not one: #include);
    any other has # comments (and // is Python's floor division).
    """
    code = _NOT_CODE["//" if _C_LIKE.search(code) else "#"].sub("", code)
    return sum(map(code.count, "([{")) - sum(map(code.count, ")]}"))


def _cut_json(text: str) -> bool:
    """Whether `text` is JSON that stops before its brackets close (a parse that fails at the end)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.pos >= len(text) and _open_brackets(text) > 0
    except RecursionError:  # nested too deeply to parse: where it ends is not known, so it is not called cut
        return False
    return False


def _unclosed_fence(text: str) -> bool:
    """Whether the last ``` fence opens a block that never closes: an odd count of fences, with
    code or an unfinished line after the last one (a stray closing fence ends the text, or is
    followed by finished prose)."""
    if "```" not in text and "~~~" not in text:
        return False  # no fence (the search for fences tries every line start)
    fences = list(_FENCE_LINE.finditer(text))
    if len(fences) % 2 == 0:
        return False
    after = text[fences[-1].end() :].partition("\n")[2].strip()
    return bool(after) and (looks_like_code(after) or not _finished(after))


def _finished(line: str) -> bool:
    """Whether a line without trailing whitespace ends on a full stop, perhaps inside closing
    quotes or brackets: read off its end, not searched for from every position."""
    return line.rstrip(_CLOSERS)[-1:] in _FULL_STOPS


def _items_unfinished(body: str) -> bool:
    """Whether the earlier list items of a response (`body`: the text before its last line) are
    written without full stops: at least `MIN_SIBLINGS` of them, and fewer than half ending with one."""
    items = [
        line.rstrip()
        for line in body.split("\n")
        if _LIST_ITEM.match(line) and len(_WORD.findall(line)) >= FRAGMENT_WORDS
    ]
    finished = sum(map(_finished, items))
    return len(items) >= MIN_SIBLINGS and finished < len(items) / 2


def _siblings_finished(body: str, item: bool) -> bool:
    """Whether the earlier long lines of the same kind (list items, or prose) in `body` end with
    a full stop: at least `MIN_SIBLINGS` of them, and `SIBLING_SHARE` of them finished."""
    siblings = [
        line.rstrip()
        for line in body.split("\n")
        if bool(_LIST_ITEM.match(line)) == item
        and len(_WORD.findall(line)) >= LONG_LINE_WORDS
        and not _NOT_SENTENCE.search(line)
    ]
    finished = sum(map(_finished, siblings))
    return len(siblings) >= MIN_SIBLINGS and finished >= SIBLING_SHARE * len(siblings)


def _cut_copy(line: str, body: str) -> str | None:
    """A last line that is the start of an earlier, longer line: a repeated item cut off
    ("* 1 cup rolled" after "* 1 cup rolled oats"), as a looping answer ends at its token limit.
    Not when the earlier line goes on after a comma or a stop, nor when the same line came
    earlier whole: a song's refrain ("Another one bites the dust, yeah") ends as it began.
    `body` is the text before the line: an earlier line that begins with it holds it, so most
    texts are settled by one search for the line, without reading their lines."""
    stripped = line.strip()
    if len(stripped) < MIN_CUT_COPY_CHARS or stripped not in body:
        return None
    others = {other.strip() for other in body.split("\n")}
    if stripped in others:
        return None
    for other in others:
        if len(other) > len(stripped) and other.startswith(stripped) and _GOES_ON.match(other, len(stripped)):
            return f"ends on a copy of an earlier line, cut short: {excerpt(stripped[-60:])!r}"
    return None


def _sentence_problem(line: str, body: str) -> str | None:
    """Why the last line of a prose response reads as cut off mid-sentence, or None.

    Only a line that ends on a colon, a comma or a letter can be reported, and a letter only
    when it is lower-cased to ASCII (every word of `_NEVER_LAST` is ASCII; other letters end in
    `not last.isascii()` below): the other lines are settled without reading their words, and
    `body` (the text before the line) is cut into lines only for the few read in full."""
    stripped = line.rstrip()
    last = stripped[-1:]
    if not last or last not in _LAST_TO_JUDGE and not (last.isalpha() and last.lower().isascii()):
        return None
    return _judged_sentence(stripped, body)


def _judged_sentence(stripped: str, body: str) -> str | None:
    """`_sentence_problem` of a line without trailing whitespace, read in full."""
    # Only the number of words up to LONG_LINE_WORDS and the last word matter: a long line's
    # tail holds them (its first word may be cut, its last is whole), so one long line costs
    # what a short one does.
    words = _WORD.findall(stripped[-_TAIL_CHARS:])
    if len(words) <= LONG_LINE_WORDS and len(stripped) > _TAIL_CHARS:
        words = _WORD.findall(stripped)
    if not words or _NOT_SENTENCE.search(stripped):
        return None
    last = stripped[-1]
    if last in ":：" and not _LIST_ITEM.match(stripped):
        return f"ends on a lead-in with nothing after it: {excerpt(stripped[-60:])!r}"
    if last in ",，、" and len(words) > 3:
        return f"ends on a comma: {excerpt(stripped[-60:])!r}"
    if not last.isalpha():
        return None
    if words[-1].lower() in _NEVER_LAST and len(words) >= 2 and not _AFTERTHOUGHT.search(stripped):
        return f"ends mid-sentence on {words[-1]!r}: {excerpt(stripped[-60:])!r}"
    if not last.isascii():
        return None
    item = bool(_LIST_ITEM.match(stripped))
    if item and _items_unfinished(body):
        return None  # a list written without full stops: its last item needs none either
    ends = list(_SENTENCE_END.finditer(stripped))
    if (
        ends
        and len(_WORD.findall(stripped[ends[-1].end() :])) >= FRAGMENT_WORDS + item
        and not _AFTERTHOUGHT.search(stripped)
    ):
        return f"ends mid-sentence: {excerpt(stripped[ends[-1].end() :].strip()[-60:])!r}"
    if len(words) >= LONG_LINE_WORDS and _siblings_finished(body, item):
        kind = "list items" if item else "paragraphs"
        return f"ends mid-sentence where the other {kind} end with a full stop: {excerpt(stripped[-60:])!r}"
    return None


def _empty_item(text: str) -> str | None:
    """A response of several lines whose last line is an empty list item ("4."), or None."""
    cut = text.rfind("\n")  # the last line, with text before it (not copied: most texts end on a full stop)
    if cut > 0 and _EMPTY_ITEM.match(last_line := text[cut + 1 :]):
        return f"stops at an empty list item: {last_line.strip()!r}"
    return None


def truncation(text: str) -> str | None:
    """Why a response reads as cut off before its end, or None.

    A response whose last line is followed by a line break was ended by its writer: its last
    sentence may lack a full stop ("... without detonating\n"), but a generation stopped by its
    token limit stops after a word, not after a line break. Only the structure (an open code
    block, JSON or program, an empty list item) is judged then."""
    line_ended = text.rstrip(" \t").endswith(("\n", "\r"))
    text = text.rstrip()
    if not text:
        return None
    if text[-1] in _FULL_STOPS and "```" not in text and "~~~" not in text and text.lstrip()[:1] not in "{[":
        # Ends on a full stop, and no fence or JSON to cut: only an empty last item ("4.") is left.
        return _empty_item(text)
    if _unclosed_fence(text):
        return "has a code block that is never closed"
    if text.endswith(("```", "~~~")):
        return None
    head = text.lstrip()
    if head[:1] in "{[" and _cut_json(head):
        return "is JSON with brackets that are never closed"
    if "```" not in text and looks_like_code(text):
        return "is code with brackets that are never closed" if _open_brackets(text) > 0 else None
    empty = _empty_item(text)
    if empty is not None or line_ended:
        return empty
    if len(text.split(None, MIN_ANSWER_WORDS)) < MIN_ANSWER_WORDS:
        return None  # a label or a short answer ("how-to", "Paris") is not a sentence
    cut = text.rfind("\n")
    last_line, body = text[cut + 1 :], text[:cut] if cut >= 0 else ""
    return _sentence_problem(last_line, body) or _cut_copy(last_line, body)


class TruncatedResponse(Check):
    """A response cut off before its end: mid-sentence, in an open code block, after a lead-in.

    What it does: Reads the end of every response (for chat: each assistant turn) and reports
    one that ends inside a sentence (three or more words after the last full stop, four in a
    list item; a last word that never ends an English sentence: "the", "of", "and", "during";
    or a long last line without a full stop where the other list items or paragraphs of the
    response have one), on a comma, on a lead-in with nothing after it ("here are the
    steps:"), on an empty list item ("1."), on the start of an earlier line ("* 1 cup
    rolled" after "* 1 cup rolled oats": a looping answer cut at its token limit), inside a
    code block whose ``` fence is never closed, or with brackets left open in a JSON response
    or a program. A conversation that ends on a user turn, after its last answer, was cut
    there too. It is conservative:
    code, table rows, headings, hashtags, links and short lines are not judged as sentences,
    nor the last item of a list whose items are written without full stops; ```x``` inside
    a line is inline code, not a fence, and ``` at the end of a line of code closes its
    block ("}```"); a response whose last line is followed by a line
    break is judged only for an open code block, JSON or program and an empty list item (a
    writer ended that line; a generation cut at its token limit stops after a word);
    and text that ends in Chinese or Japanese characters is judged only by its punctuation
    (casual Chinese often drops the final 。), so a cut is missed rather than a complete
    answer flagged: a response cut exactly at a sentence end, or inside a line of code, reads
    as finished.

    Why it matters: A model trained on cut answers learns to stop mid-thought. Truncation
    comes from a generation step's token limit or a length filter that cuts instead of
    dropping, so it usually hits the longest, most valuable answers.

    How to fix: Regenerate the response with a larger token limit, or drop the record. If
    the data was cut at export, export it again. Answer a conversation's last user turn, or
    drop that turn.
    """

    code = "SFT116"
    slug = "truncated-response"
    severity = Severity.WARNING
    cost = 3.5

    def check_record(self, record: Record) -> Iterator[Finding]:
        if record.turns is None:
            problem = truncation(record.response)
            if problem:
                yield self.finding(f"response {problem}", record)
            return
        for turn in record.turns:
            if turn.role == "assistant" and turn.trained and (problem := truncation(turn.content)):
                yield self.finding(f"turn {turn.index} (assistant) {problem}", record)
        last = record.turns[-1]
        if last.role == "user":
            yield self.finding(
                f"the conversation ends on turn {last.index} (user), which no assistant turn answers: "
                f"{excerpt(last.content)!r}",
                record,
            )
