from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sftlint.check import Check, NoOptions
from sftlint.checks._text import squash
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record


def content_key(record: Record) -> bytes:
    """16-byte hash of a record's content, lower-cased with whitespace collapsed: equal for copies.

    SFT104 needs the same key for the same record right after this check; the last key is
    remembered so the text is normalised once.
    """
    if _last[0] is record:
        return _last[1]
    if record.turns is not None:
        parts = [f"{t.role}\x1e{squash(t.content)}" for t in record.turns]
    else:
        parts = [squash(record.instruction), squash(record.input), squash(record.response)]
    key = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()
    _last[:] = [record, key]
    return key


_last: list = [None, b""]


class ExactDuplicate(Check):
    """A record that repeats an earlier one, ignoring case and whitespace.

    What it does: Compares instruction, input and response (all turns for chat) after
    lower-casing and collapsing whitespace, across every file of the run, and reports each
    later copy with the first occurrence in `related`. Memory is 16 bytes of hash per record.

    Why it matters: A duplicated example is trained on twice as often, so the model
    over-weights it and memorises it; many copies skew the whole dataset toward a few answers.

    How to fix: Keep the first copy and drop the rest (`sftlint fix` does exactly that). If
    the copies came from merging sources, deduplicate at the merge.
    """

    code = "SFT103"
    slug = "exact-duplicate"
    severity = Severity.WARNING
    disqualifies = True

    def __init__(self, options: NoOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.seen: dict[bytes, tuple[str, int]] = {}

    def check_record(self, record: Record) -> Iterator[Finding]:
        key = content_key(record)
        first = self.seen.setdefault(key, (record.file, record.line))
        if first != (record.file, record.line):
            where = f"line {first[1]}" if first[0] == record.file else f"{first[0]}:{first[1]}"
            yield self.finding(f"exact duplicate of {where}", record, related=[Location(*first)], score=1.0)
