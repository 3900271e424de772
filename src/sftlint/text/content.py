"""Words, prose and code: cheap text measures shared by the content checks (SFT105-SFT117, SFT202).

Everything here runs once or twice per record on datasets of millions of records, so it
leans on C-speed string and regex operations and keeps nothing per record beyond what the
caller stores.
"""

from __future__ import annotations

import re
from itertools import filterfalse
from operator import itemgetter

# Fenced code blocks: language and relevance measures look at prose, not code.
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_ALNUM = re.compile(r"[^\W_]+")

# Function words of English: never evidence that two texts are about the same thing.
EN_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves i'm it's don't can't
    you're we're they're i'll you'll we'll that's there's what's let's isn't aren't doesn't didn't
    won't wouldn't shouldn't couldn't here's may might must shall us one two get got make made use
    used using like well also many much way yes ok vs eg ie etc don isn aren doesn didn wasn weren
    hasn haven hadn wouldn shouldn couldn ll re ve""".split()
)
EN_STOP_BYTES = frozenset(w.encode() for w in EN_STOP if "'" not in w)
# bytes.translate table: ASCII letters lower-cased, bytes of multi-byte UTF-8 characters kept,
# everything else (digits, punctuation, apostrophes, spaces) a separator.
WORD_BYTES = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (65 <= c <= 90 or 97 <= c <= 122 or c >= 128) else 32 for c in range(256)
)


def strip_code(text: str) -> str:
    """`text` without fenced code blocks (```...```)."""
    return _FENCE.sub(" ", text) if "```" in text else text


# What is not the writer's own prose, inside a line: inline code, quoted titles and phrases, asides
# in brackets (often a name or title in another language), URLs,
# e-mail addresses, markup tags, LaTeX commands.
_QUOTED = r"`[^`\n]*`|\"[^\"\n]{1,120}\"|\([^()\n]{1,80}\)|（[^（）\n]{1,80}）|“[^”\n]{1,120}”|《[^》\n]{1,60}》"
_MARKUP = r"</?[A-Za-z][^<>\n]{0,200}>|\\[A-Za-z]+"
_NOT_PROSE = re.compile(rf"{_QUOTED}|\b(?:https?|ftp)://\S+|\bwww\.\S+|\S+@\S+\.\w+|{_MARKUP}")
# The same without addresses, for the many lines that have no "@", "://" or "www.": the address
# patterns are tried at every word and were most of the cost of `prose`.
_NOT_PROSE_INLINE = re.compile(f"{_QUOTED}|{_MARKUP}")
# A line of code: a statement keyword at its start, or an ending only code has. The patterns
# anchored at the start are tried once per line, each only on the lines it can match: a block
# opener ("if x:") on lines that end in a colon or brace, an assignment or call on lines with an
# "=" or "(" (on prose, the first word is taken for its name and given back letter by letter,
# which made that pattern most of the cost of the start). The endings are tried only on lines
# that end in a brace, colon or semicolon (tried at every position, they were most of the cost
# of `prose`).
_CODE_LINE_START = re.compile(
    r"^\s*(?:def|class|import|from\s+\S+\s+import|return|elif|else:|try:|except|finally:|raise|yield|async|await|"
    r"#include|#define|package|using|namespace|public|private|protected|static|void|int|var|let|const|function|"
    r"fn|impl|struct|enum|func|SELECT|INSERT|UPDATE|DELETE|CREATE|print|console\.|System\.|@\w+)\b"
    r"|^\s*[}\])]|^\s*(?:#|//|/\*|\*|--|>>>|\$ )"
)
_CODE_BLOCK_START = re.compile(r"^\s*(?:with|for|while|if)\b.*[:{]\s*$")
_CODE_ASSIGNMENT_OR_CALL = re.compile(r"^\s*\w+(?:\.\w+)*\s*(?:[-+*/]?=|\()")
_CODE_LINE_END = re.compile(r"[{}]\s*$|\)\s*:\s*$")
_CODE_STATEMENT = re.compile(r"[\x00-\x7f]*[=(].*;\s*$")  # an ASCII line with "=" or "(" ending in ";"
# A character every match of _NOT_PROSE has but URLs ("://", "www."): lines without any skip it.
_NOT_PROSE_HINT = re.compile(r"[`\"(（“《@<\\]")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]\s+|\d{1,3}[.)、]\s*|[a-z][.)]\s+)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_RUN = re.compile(f"{_CJK.pattern}+")  # counted by runs: a list of runs, not of characters
# bytes.translate deletion tables: every byte but the ASCII letters, every byte but the capitals.
_NOT_ASCII_LETTER = bytes(c for c in range(256) if not (65 <= c <= 90 or 97 <= c <= 122))
_NOT_ASCII_CAPITAL = bytes(c for c in range(256) if not 65 <= c <= 90)


def _mark(byte: int) -> int:
    """What a byte of a line's UTF-8 is to `prose`: ASCII whitespace (as str.split sees it) a space,
    a capital "A", a small letter "a", a digit "0", a code symbol "c", a code symbol that may start
    an aside, a tag or a LaTeX command "h" and a quote "q" (the ASCII characters of
    `_NOT_PROSE_HINT`), anything else "." (every byte of a character outside ASCII too)."""
    char = chr(byte)
    if byte < 128 and char.isspace():
        return ord(" ")
    if "A" <= char <= "Z" or "a" <= char <= "z":
        return ord("A" if char.isupper() else "a")
    if "0" <= char <= "9":
        return ord("0")
    for mark, chars in (("h", "(<@\\"), ("c", "{}[])>=;_$|&^~#*/"), ("q", '`"')):
        if char in chars:
            return ord(mark)
    return ord(".")


# bytes.translate table of `_mark`: one translate and a few counts in C measure a line.
_MARKS = bytes(map(_mark, range(256)))
# The marks looked for with `in`, as ints: `bytes in bytes` first tries its operand as an int and
# builds and drops an error, ten times the cost of looking for the int.
_DIGIT, _ASIDE, _QUOTE, _SPACE = b"0hq "


def prose(text: str, min_words: int = 4, limit: int | None = None) -> str:
    """The natural-language part of `text`: what a language or wording judgment may look at.

    Drops fenced and indented code, lines that read as code (a statement keyword, a trailing
    brace or semicolon, an assignment or call at the start, a dense share of code symbols),
    inline code, URLs, markup tags, digits, and lines too short to be a sentence (a title, a
    list of names): fewer than `min_words` words, where two CJK characters count as a word.
    With `limit`, stops once that many characters are kept (a caller that looks at a prefix).
    """
    kept = []
    size = -1  # length of "\n".join(kept)
    for line in strip_code(text).splitlines():
        if not line or line.isspace():
            continue
        # A list mark starts with a space, a symbol, a digit, or a small letter before "." or ")".
        mark = None if line[0].isalpha() and line[1:2] not in (".", ")") else _LIST_MARK.match(line)
        if mark:
            line = line[mark.end() :]
        elif line.startswith(("    ", "\t")):
            continue
        ending = line.rstrip()[-1:]
        if (
            _CODE_LINE_START.match(line)
            or (ending in "{}:" and (_CODE_LINE_END.search(line) or _CODE_BLOCK_START.match(line)))
            or (ending == ";" and _CODE_STATEMENT.match(line))
            or (("=" in line or "(" in line) and _CODE_ASSIGNMENT_OR_CALL.match(line))
        ):
            continue
        is_ascii = line.isascii()
        # A space before the line makes every word's first character follow one.
        marks = (b" " + (line.encode() if is_ascii else line.encode("utf-8", "surrogatepass"))).translate(_MARKS)
        if marks.count(b"c") + marks.count(b"h") > 0.08 * len(line) + 1:
            continue
        plain = line
        if "@" in line or "://" in line or "www." in line:
            plain = _NOT_PROSE.sub(" ", line)
        elif _ASIDE in marks or _QUOTE in marks or (not is_ascii and _NOT_PROSE_HINT.search(line)):
            plain = _NOT_PROSE_INLINE.sub(" ", line)
        if is_ascii:
            if plain is not line:
                marks = (b" " + plain.encode()).translate(_MARKS)
            # Words that start with a Latin letter, and those of them that start with a capital.
            capitals = marks.count(b" A")
            latin = capitals + marks.count(b" a")
            if latin >= 3 and capitals >= 0.6 * latin:
                continue  # names and titles ("by George B. Thomas and Ross L. Finney"), not sentences
            spaces = plain.count(" ")
            if (
                _DIGIT not in marks
                and marks.count(b" ") == spaces + 1  # no whitespace but spaces,
                and "  " not in plain  # never two together,
                and marks[-1] != _SPACE  # none at the end (nor an empty line)
                and marks[1] != _SPACE  # and none at the start:
            ):
                words, joined = spaces + 1, plain  # the line is its words, joined by single spaces
            else:
                word_list = list(filterfalse(str.isdigit, plain.split()))
                words, joined = len(word_list), " ".join(word_list)
        else:
            word_list = list(filterfalse(str.isdigit, plain.split()))
            words = len(word_list)
            # as above; words may be split by whitespace outside ASCII, which marks do not show
            if _CJK.search(line) is None:
                initials = "".join(map(itemgetter(0), word_list)).encode("utf-8", "surrogatepass")
                latin = len(initials.translate(None, _NOT_ASCII_LETTER))
                if latin >= 3 and len(initials.translate(None, _NOT_ASCII_CAPITAL)) >= 0.6 * latin:
                    continue
            elif words < min_words:  # its CJK characters are counted only when the words fall short
                words += sum(map(len, _CJK_RUN.findall(line))) // 2
            joined = " ".join(word_list)
        if words >= min_words:
            kept.append(joined)
            size += len(joined) + 1
            if limit is not None and size >= limit:
                break
    return "\n".join(kept)


# Telling a program from prose (SFT115, SFT116): a placeholder inside a format string, a line of
# code without a full stop and a bracket opened on one line of a program are normal in code.
_FENCED = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.DOTALL)  # an unclosed fence runs to the end
_INLINE = re.compile(r"`[^`\n]+`")
# A line of a program: a statement keyword at its start, an ending in ; { } or a Python block
# opener, or an indent of four spaces or a tab. The start is one anchored match; the ending is
# read off the line's end (`_program_line`), not searched for at every position.
_PROGRAM_START = re.compile(
    r"\s*(?:def |class |return\b|import |from \S+ import |for .*:$|if .*:$|elif |else:|while .*:$|try:|except\b|"
    r"#include|#define|public |private |static |function\b|const |let |var |print\(|console\.|@\w+|"
    r"[A-Za-z_][\w.\[\]]* ?[-+*/]?= ?\S)"
    r"|(?:    |\t)\S"
)


def _program_line(line: str) -> bool:
    """Whether a line (without line breaks) reads as a line of a program."""
    if _PROGRAM_START.match(line):
        return True
    end = line.rstrip()
    return end[-1:] in (";", "{", "}") or end[-1:] == ":" and end[:-1].rstrip().endswith(")")


PROGRAM_SHARE = 0.5  # share of lines that read as code for a text to be a program


def without_code_spans(text: str) -> str:
    """`text` without fenced code blocks (``` or ~~~) and inline code spans."""
    if "```" in text or "~~~" in text:
        text = _FENCED.sub(" ", text)
    return _INLINE.sub(" ", text) if "`" in text else text


def looks_like_code(text: str) -> bool:
    """Whether an unfenced text is a program (HumanEval's completions are): at least half of
    its lines read as code."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    prose_allowed = len(lines) - PROGRAM_SHARE * len(lines)  # more lines of prose: not a program
    code = prose = 0
    for line in lines:
        if _program_line(line):
            code += 1
        else:
            prose += 1
            if prose > prose_allowed:
                return False  # decided: most texts are prose, and their first lines tell
    return code >= PROGRAM_SHARE * len(lines) and (code >= 2 or len(lines) == 1 and code == 1)


def alnum_words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: the tokens prompt comparisons use."""
    return _ALNUM.findall(text.lower())


# bytes.translate table: ASCII letters lower-cased, digits kept, everything else a space.
_ASCII_ALNUM = bytes(b + 32 if 65 <= b <= 90 else b if 97 <= b <= 122 or 48 <= b <= 57 else 32 for b in range(256))


def alnum_words_utf8(text: str) -> list[bytes]:
    """`alnum_words(text)`, each UTF-8 encoded: ASCII text (most of it) is split without a
    regular expression, and callers that hash the words need not encode them again."""
    if text.isascii():
        return text.encode().translate(_ASCII_ALNUM).split()
    return [word.encode("utf-8", "surrogatepass") for word in _ALNUM.findall(text.lower())]
