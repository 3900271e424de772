"""Record fingerprints: a short hash of a record's content that does not depend on where it is.

A baseline must survive lines inserted above a finding, and a file re-exported by another
tool (keys in another order, other whitespace, `\\u00e9` escapes instead of `é`, CRLF). So a
record that parses is hashed as canonical JSON (sorted keys, no spaces, UTF-8); a line that
does not parse is hashed as its bytes without the line ending, a line too large to read by
its size.

Only runs that need fingerprints pay for them: the engine keeps an 8-byte digest and the
line number per record (`FingerprintIndex`), and stamps the findings once the run is over.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from array import array
from collections.abc import Iterable, Iterator

from sftlint.findings import Finding
from sftlint.io import RawLine

DIGEST_SIZE = 8  # 64 bits: no expected collision below billions of records


def fingerprint(raw: RawLine) -> bytes:
    """The digest of one record: canonical JSON if it parsed, else its raw bytes (or size, if oversized)."""
    if raw.oversized is not None:
        return _digest(b"oversized line of %d bytes" % raw.oversized)
    if raw.error is None:
        try:
            content = json.dumps(raw.value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            return _digest(content.encode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            pass
    return _digest(raw.data or b"")


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


class _FileIndex:
    """Line numbers (ascending) and their digests for one file, in compact arrays."""

    def __init__(self) -> None:
        self.lines = array("q")
        self.digests = bytearray()

    def get(self, line: int) -> str | None:
        i = bisect.bisect_left(self.lines, line)
        if i < len(self.lines) and self.lines[i] == line:
            return self.digests[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE].hex()
        return None


class FingerprintIndex:
    """Remembers each record's fingerprint by (file, line) while a run reads its inputs.

    The elements of a one-line JSON array share a line; a finding on such a line gets the
    first element's fingerprint.
    """

    def __init__(self) -> None:
        self.files: dict[str, _FileIndex] = {}

    def track(self, name: str, raws: Iterable[RawLine]) -> Iterator[RawLine]:
        """Pass `raws` through, noting each one's fingerprint (a file given twice counts once)."""
        index = None if name in self.files else self.files.setdefault(name, _FileIndex())
        for raw in raws:
            if index is not None and (not index.lines or raw.line > index.lines[-1]):
                index.lines.append(raw.line)
                index.digests += fingerprint(raw)
            yield raw

    def stamp(self, findings: Iterable[Finding]) -> None:
        """Set `fingerprint` on every finding about one record."""
        for f in findings:
            index = self.files.get(f.file or "")
            if f.line is not None and index is not None:
                f.fingerprint = index.get(f.line)
