"""Where each record of a run's inputs is: its position in its file and the line it starts on.

Checks know a record by its position (`Record.position`), the one key that is unique in every
format: the elements of a one-line JSON array all start on line 1, and Parquet has no lines.
`Places` maps positions back to lines while the engine reads, in little memory: a file keeps
only the positions where the distance between line and position changes (a blank line, a
record over several lines), so JSON Lines without blank lines costs one entry.
"""

from __future__ import annotations

import bisect
from array import array

from sftlint.findings import Finding, Location, where

#: The offset of a record that has no line (a row of Parquet or Arrow).
_NO_LINE = -(2**62)


class Places:
    """The line of every record position of every input, and each input's format."""

    def __init__(self) -> None:
        #: input name -> format ("jsonl", "json", "csv", "tsv", "parquet", "arrow", "datasets").
        self.formats: dict[str, str] = {}
        self._files: dict[str, _Tracker] = {}

    def tracker(self, file: str) -> _Tracker | None:
        """What notes the records of `file` as they are read; None when it was read before."""
        if file in self._files:
            return None
        tracker = self._files[file] = _Tracker()
        return tracker

    def line(self, file: str, position: int) -> int | None:
        """The line record `position` of `file` starts on, or None (no lines, or not read)."""
        known = self._files.get(file)
        if known is None or not 0 < position <= known.count:
            return None
        i = bisect.bisect_right(known.starts, position) - 1
        offset = known.offsets[i]
        return None if offset == _NO_LINE else position + offset

    def position(self, file: str, line: int) -> int | None:
        """The first record that starts on `line` of `file`, or None."""
        known = self._files.get(file)
        if known is None or not known.count or _NO_LINE in known.offsets:
            return None
        starts, offsets = known.starts, known.offsets
        first_lines = [s + o for s, o in zip(starts, offsets, strict=True)]
        i = bisect.bisect_left(first_lines, line)
        if i < len(first_lines) and first_lines[i] == line:
            return line - offsets[i]
        if i == 0:
            return None
        candidate = line - offsets[i - 1]  # within the run that starts before `line`
        end = starts[i] if i < len(starts) else known.count + 1
        return candidate if candidate < end else None

    def where(self, file: str, position: int, beside: str | None = None) -> str:
        """Record `position` of `file` as people read it (`sftlint.findings.where`)."""
        return where(file, self.line(file, position), position, self.formats, beside)

    def complete(self, findings: list[Finding]) -> None:
        """Give every finding about a record both its line and its position, and the same to
        its related places (a check may know only one of them)."""
        for f in findings:
            if f.file is not None and f.record is None and f.line is not None:
                f.record = self.position(f.file, f.line)
            elif f.file is not None and f.record is not None and f.line is None:
                f.line = self.line(f.file, f.record)
            # a dataset-level finding may point at records too; a list already complete is kept
            # (a fresh one for each of a million findings costs memory, not only time)
            if f.related and any(self._completed(r) is not r for r in f.related):
                f.related = [self._completed(r) for r in f.related]

    def _completed(self, location: Location) -> Location:
        if location.file not in self._files:
            return location  # not an input of the run (an evaluation set): as the check gave it
        if location.record is None and location.line is not None:
            return Location(location.file, location.line, self.position(location.file, location.line))
        if location.record is not None and location.line is None:
            return Location(location.file, self.line(location.file, location.record), location.record)
        return location


class _Tracker:
    """One file's records, noted in order: only the positions where line - position changes
    (`starts`, with that difference in `offsets`), and how many there are."""

    __slots__ = ("count", "last", "offsets", "starts")

    def __init__(self) -> None:
        self.starts: array[int] = array("q")
        self.offsets: array[int] = array("q")
        self.last: int | None = None
        self.count = 0

    def note(self, position: int, line: int | None) -> None:
        self.count = position
        offset = _NO_LINE if line is None else line - position
        if offset != self.last:
            self.starts.append(position)
            self.offsets.append(offset)
            self.last = offset
