"""Record fingerprints: a short hash of a record's content that does not depend on where it is.

A baseline must survive lines inserted above a finding, and a file re-exported by another
tool (keys in another order, other whitespace, `\\u00e9` escapes instead of `é`, CRLF). So a
record that parses is hashed as canonical JSON (sorted keys, no spaces, UTF-8); a line that
does not parse is hashed as its bytes without the line ending, a line too large to read by
its size.

Only runs that need fingerprints pay for them: the engine keeps an 8-byte digest per record
(`FingerprintIndex`), and stamps the findings once the run is over.
"""

from __future__ import annotations

import hashlib
import json
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


class FingerprintIndex:
    """Remembers each record's fingerprint by file and position while a run reads its inputs:
    8 bytes a record, in position order (positions count from 1 without gaps)."""

    def __init__(self) -> None:
        self.files: dict[str, bytearray] = {}

    def track(self, name: str, raws: Iterable[RawLine]) -> Iterator[RawLine]:
        """Pass `raws` through, noting each one's fingerprint (a file given twice counts once)."""
        digests = None if name in self.files else self.files.setdefault(name, bytearray())
        for raw in raws:
            if digests is not None:
                digests += fingerprint(raw)
            yield raw

    def stamp(self, findings: Iterable[Finding]) -> None:
        """Set `fingerprint` on every finding about one record."""
        for f in findings:
            digests = self.files.get(f.file or "")
            if f.record is not None and digests is not None and 0 < f.record <= len(digests) // DIGEST_SIZE:
                f.fingerprint = digests[(f.record - 1) * DIGEST_SIZE : f.record * DIGEST_SIZE].hex()
