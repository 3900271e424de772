"""What the outputs for people show of the data: every control character escaped (`printable`),
and a finding's message placed by line (`placed_message`).

Shared by the text, GitHub and CI formats (`sftlint.output`, `sftlint.output_ci`), the report and
the commands that print record content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sftlint.findings import BY_LINE, Finding, where

#: Characters a terminal or a CI log would act on rather than show: C0 and C1 controls (escape
#: sequences, newlines that forge a GitHub workflow command), DEL, line and paragraph separators,
#: and bidirectional overrides that reorder what is shown.
UNPRINTABLE = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_PRINTABLE = str.maketrans({c: _SHOWN.get(chr(c), f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in UNPRINTABLE})


def printable(text: str) -> str:
    """`text` safe to print for people: every control character shown as an escape (`\\x1b`, `\\n`).

    Record content, file names and messages are data: raw, they could move the cursor, retitle
    the terminal, clear the screen or print a line a CI runner takes for a command.
    """
    return text.translate(_PRINTABLE) if _UNPRINTABLE_FOUND(text) else text  # a search costs less than a translate


_UNPRINTABLE_FOUND = re.compile("[" + "".join(re.escape(chr(c)) for c in UNPRINTABLE) + "]").search
_SHOWN_IN_PAGES = [c for c in UNPRINTABLE if chr(c) not in "\n\r\t"]
_VISIBLE = str.maketrans({c: _PRINTABLE[c] for c in _SHOWN_IN_PAGES})
_INVISIBLE_FOUND = re.compile("[" + "".join(re.escape(chr(c)) for c in _SHOWN_IN_PAGES) + "]").search


def visible(text: str) -> str:
    """`printable` for a page, where text keeps its lines and tabs: the other control characters,
    and those that reorder text (a right-to-left override shows "gnp.exe" as "exe.png"), as escapes."""
    return text.translate(_VISIBLE) if _INVISIBLE_FOUND(text) else text


def placed_message(f: Finding, formats: Mapping[str, str]) -> str:
    """A finding's message for an output that places it by line (annotations, SARIF): led by the
    record's position ("record 3: ...") where lines do not identify records."""
    if f.file is not None and f.record is not None and formats.get(f.file, BY_LINE) != BY_LINE:
        return f"{where(f.file, f.line, f.record, formats, beside=f.file)}: {f.message}"
    return f.message


def counted(count: int, noun: str, sep: str = "") -> str:
    """"1 record", "2 records" (`sep`: "," groups thousands)."""
    return f"{count:{sep}} {noun}{'s' * (count != 1)}"
