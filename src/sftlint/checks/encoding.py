from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Any character some test below looks for, mojibake aside, and the ASCII bytes none of them is:
# the pre-tests for a clean record.
_ASCII_ALLOWED = bytes(range(32, 127)) + b"\t\n\r"
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\ud800-\udfff]")
# Half of a character outside the Basic Multilingual Plane: JSON's "\\ud83d" escape without its pair.
_SURROGATE = re.compile("[\ud800-\udfff]")
# UTF-8 text decoded as Latin-1/cp1252 once too often: "donâ€™t", "cafÃ©", "Â£5".
_MOJIBAKE = re.compile("â€[™œ\x9d“”˜¢¦\x80-\xbf]|Ã[\x80-\xbf©¨¼¶¤§±³º¹®¯ª«¬]|Â[\xa0-\xbf]")


class Encoding(Check):
    """Text that was damaged by a wrong encoding or carries invisible control characters.

    What it does: Reports bytes that are not valid UTF-8 (found while reading the line), the
    replacement character U+FFFD left by an earlier lossy decode, a byte-order mark inside a
    text, control characters other than tab and newline, lone surrogates (half of a character
    outside the Basic Multilingual Plane, such as an emoji cut in two, written as a JSON
    escape like "\\ud83d"), and mojibake: UTF-8 read as Latin-1
    or cp1252 ("donâ€™t", "cafÃ©").

    Why it matters: The model learns these characters as if they were language. Mojibake
    teaches it to write "â€™" for an apostrophe, and control characters can break tokenizers
    or end a sequence early.

    How to fix: Re-export the data as UTF-8 from its source. For mojibake, re-decode the text
    (the `ftfy` library repairs most of it); strip control characters and stray BOMs.
    """

    code = "SFT003"
    slug = "encoding"
    severity = Severity.WARNING
    from_reader = True

    def check_record(self, record: Record) -> Iterable[Finding]:
        return () if _clean(record) else self.text_by_text(record)

    def text_by_text(self, record: Record) -> Iterator[Finding]:
        """Every finding about `record`, looking at each text in turn."""
        for name, text in record.texts():
            if "\ufffd" in text and record.decode_error is None:
                yield self.finding(f"{name} contains U+FFFD, the mark of an earlier lossy decode", record)
            if "\ufeff" in text:
                yield self.finding(f"{name} contains a byte-order mark (U+FEFF) inside the text", record)
            match = _CONTROL.search(text)
            if match:
                yield self.finding(
                    f"{name} contains control character U+{ord(match.group()):04X} at offset {match.start()}",
                    record,
                )
            match = None if text.isascii() else _SURROGATE.search(text)
            if match:
                yield self.finding(
                    f"{name} contains a lone surrogate U+{ord(match.group()):04X} at offset {match.start()}: half of "
                    "a character (often an emoji cut in two), not valid Unicode, and not writable as UTF-8",
                    record,
                )
            match = None if text.isascii() else _MOJIBAKE.search(text)  # mojibake is never ASCII
            if match:
                yield self.finding(f"{name} looks like mojibake: {match.group()!r} (UTF-8 decoded twice)", record)


def _clean(record: Record) -> bool:
    """Whether no text of `record` has anything `Encoding` reports: nearly every record, decided
    with one scan of all its text. ASCII text can only hold control characters: deleting every
    other byte (in C) must leave nothing."""
    texts = (
        [turn.content for turn in record.turns]
        if record.turns is not None
        else (record.instruction, record.input, record.response)
    )
    joined = "\n".join(texts)
    if joined.isascii():
        return not joined.encode().translate(None, _ASCII_ALLOWED)
    return not _SUSPECT.search(joined) and not _MOJIBAKE.search(joined)
