"""Normal forms of a record's text: what comparisons compare and what messages quote."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from sftlint.records import Record

#: what a report excerpt puts where it cut a long text
ELLIPSIS = " […] "
Compared = Literal["pair", "prompt", "response"]
#: responses that stand for no answer: SFT101 counts them as empty (its default `placeholders`),
#: SFT115 leaves them to it
DEFAULT_PLACEHOLDERS = [
    "n/a", "na", "none", "null", "nil", "nan", "<noinput>", "<no input>", "<nooutput>", "<no output>",
    "<empty>", "...", "…", "todo", "tbd", "tba", "-", "--", "?", "empty", "no response", "no answer",
]  # fmt: skip


# bytes.translate table for ASCII text: whitespace (as str.split() sees it) a space, letters lower-cased
_ASCII_SQUASH = bytes(32 if chr(b).isspace() else ord(chr(b).lower()) if b < 128 else b for b in range(256))
_SPACE_RUN = re.compile(rb"  +")


def squash(text: str) -> str:
    """Lower case with runs of whitespace collapsed: the form exact comparisons use.

    ASCII text (most of it) is lower-cased and its whitespace made spaces in one pass; a text
    with two spaces together (a third of them: double-spaced sentences, indented code) has its
    runs of spaces replaced by one. Splitting it into words, which made an object of every
    word, cost several times more, and so did halving the runs with repeated replacements.
    """
    if text.isascii():
        flat = text.encode().translate(_ASCII_SQUASH)
        if flat.find(b"  ") >= 0:  # (`b"  " in flat` tries the bytes as an int first: dearer)
            flat = _SPACE_RUN.sub(b" ", flat)
        return flat.strip(b" ").decode()
    return " ".join(text.split()).lower()  # str.split() splits exactly where \s+ matches, faster


#: characters that show nothing yet are not whitespace to `str.isspace`: zero-width space,
#: non-joiner and joiner, word joiner, byte-order mark (zero-width no-break space), soft hyphen
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# every whitespace character (none is above U+3000), then the invisible ones
_BLANK = "".join(filter(str.isspace, map(chr, range(0x3001)))) + INVISIBLE


def blank(text: str) -> bool:
    """Whether `text` shows nothing: empty, whitespace, or invisible characters such as a
    zero-width space (a text "\u200b\u200b" is as empty to a reader as "")."""
    return not text.strip(_BLANK)


def excerpt(text: str, limit: int = 60, *, keep_tail: bool = False) -> str:
    """`text` cut to about `limit` characters.

    By default a one-line quote for a finding's message: runs of whitespace become one space
    and a longer text keeps its head, ending in "…". With `keep_tail`, as the report shows a
    field: the text keeps its lines, and a longer one keeps three quarters head and one
    quarter tail around ELLIPSIS, without cutting a word in two.
    """
    if not keep_tail:
        if len(text) > 2 * limit:
            # Collapsing a head of the text gives a head of the collapsed text: when it already
            # runs past `limit`, the rest of a long text (an essay, a passage) is not read.
            head = " ".join(text[: 2 * limit].split())
            if len(head) > limit:
                return head[: limit - 1] + "…"
        flat = " ".join(text.split())  # as in `squash`: split() cuts at runs of \s, and strips
        return flat if len(flat) <= limit else flat[: limit - 1] + "…"
    if len(text) <= limit:
        return text
    tail = limit // 4
    head, end = text[: limit - tail], text[-tail:]
    head = head.rsplit(None, 1)[0] if " " in head.strip() else head
    end = end.split(None, 1)[-1] if " " in end.strip() else end
    return head + ELLIPSIS + end


def _features(record: Record) -> dict[str, Any]:
    if record.features is None:
        record.features = {}
    return record.features


def squashed(record: Record) -> tuple[str, str, str]:
    """`squash` of the record's instruction, input and response, computed once per record
    (SFT103's content key and SFT206's answer and prompt keys compare them)."""
    features = _features(record)
    found = features.get("squashed")
    if found is None:
        found = features["squashed"] = (squash(record.instruction), squash(record.input), squash(record.response))
    return found


def squashed_prompt(record: Record) -> str:
    """`squash(record.prompt)`, from the squashed instruction and input: whitespace parts them."""
    instruction, given, _ = squashed(record)
    return f"{instruction} {given}" if instruction and given else instruction or given


def content_key(record: Record) -> bytes:
    """16-byte hash of a record's content, lower-cased with whitespace collapsed: equal for copies.

    Kept on the record, so the checks that compare copies (SFT103, SFT104) normalise it once.
    """
    features = _features(record)
    key = features.get("content_key")
    if key is None:
        if record.turns is not None:
            parts = [f"{t.role}\x1e{squash(t.content)}" for t in record.turns]
        else:
            parts = list(squashed(record))
        key = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        features["content_key"] = key
    return key


#: the low bits of `numbers_key` that hold how many numbers a text has
NUMBERS_COUNT = 0xFFFF
# bytes.translate table: digits, "." and "," kept, every other byte a space
_NUMBER_BYTES = bytes(b if b in b"0123456789.," else 32 for b in range(256))
_HASH_BITS = 0xFFFF_FFFF_FFFF_FFFF & ~NUMBERS_COUNT


def numbers_key(text: str) -> int:
    """The numbers in `text` (runs of ASCII digits, "." and ",", trimmed of "." and ","), in any
    order ("15 % of $50" and "$50 at 15 %" are alike), as a 64-bit key: how many there are (at
    most NUMBERS_COUNT) in its low 16 bits, a hash of them above. Equal for texts that give the
    same numbers, whatever their words; equal low bits for texts that give as many numbers. The
    hash is Python's own, salted per process: keys are compared within one run, never stored.

    One `bytes.translate` and a split: a regex took five times as long, a cost every record pays.
    """
    runs = text.encode("utf-8", "surrogatepass").translate(_NUMBER_BYTES).split()
    found = sorted(filter(None, (run.strip(b".,") for run in runs))) if runs else None
    if not found:  # no number: one key, whatever the text ("..." included)
        return 0
    return (hash(b" ".join(found)) & _HASH_BITS) | min(len(found), NUMBERS_COUNT)


def compared_text(record: Record, on: Compared) -> str:
    """The text near-duplicate search compares: the whole pair, the prompt or the response.

    A chat record's system prompt is left out: it is usually the same boilerplate in every
    conversation and would make unrelated conversations look alike.
    """
    if on == "response":
        return record.response
    prompt = (
        record.instruction if record.turns is not None or not record.input else f"{record.instruction}\n{record.input}"
    )
    return prompt if on == "prompt" else f"{prompt}\n{record.response}"
