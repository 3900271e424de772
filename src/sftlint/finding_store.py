"""A run's findings, held in memory up to a bound and, beyond it, in a temporary file.

A run over a million records can find half a million things: held as objects they took a
fifth of its peak memory, and grew with the findings rather than the records. A
`FindingStore` holds at most `HELD` findings; when it holds more, it sorts them in the order
every output uses (input, record, code, message) and writes them to a temporary file as one
sorted run, a few thousand findings to a piece. Reading a store that has written findings
writes what it still holds too, then merges the runs, a piece of each at a time. Each finding is
written as a tuple that starts with its place in that order and then its number among all the
findings written: a run is sorted stably and the runs are written one after the other, so the
numbers of findings with equal keys follow their arrival, and merging the tuples gives exactly
the order one stable sort of all the findings, in the order they arrived, would give.

Written findings are never changed again: before findings are sorted and written, `prepare`
gives them what the run adds to them (lines and positions, fingerprints), and a store read
before the run is over prepares what it holds first.

A process of a run with `--jobs` writes its store to a file in a folder the run made
(`handover`); the run reads it into its own store (`absorb`), which prepares and writes them
again, and removes it.
"""

from __future__ import annotations

import heapq
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, overload

from sftlint.errors import temporary_space
from sftlint.findings import Finding, Location, Severity

#: findings held in memory before they are written out (about 400 bytes each).
HELD = 50_000
#: findings to a piece of a run: what a reading holds of each run at a time (a run of HELD
#: findings for every 50,000 found: what reading holds grows by some 2 bytes a finding).
PIECE = 256

_SEVERITIES = {s.value: s for s in Severity}


@dataclass
class _Run:
    """One sorted run in `file`: its pieces' (offset, size)."""

    file: IO[bytes]
    pieces: list[tuple[int, int]]


@dataclass
class Handover:
    """A process's findings on their way to the run: held ones, or a file of runs (`path`)."""

    held: list[Finding]
    path: str | None = None
    runs: list[list[tuple[int, int]]] | None = None


class FindingStore(Sequence[Finding]):
    """The findings of a run, in output order whenever they are read (see the module's docstring).

    `files`: the run's inputs, whose order is the first key of the findings' order.
    `prepare`: called on findings before they are sorted, once each.
    `held`: how many findings to hold before writing (default `HELD`).
    `folder`: where to write (a named file, which `handover` hands on); else an unnamed one.
    """

    def __init__(
        self,
        files: Sequence[str],
        prepare: Callable[[list[Finding]], None] | None = None,
        held: int | None = None,
        folder: str | None = None,
    ) -> None:
        self.files = list(files)
        self._order = {name: i for i, name in enumerate(self.files)}
        self._prepare = prepare
        self._limit = HELD if held is None else max(1, held)
        self._folder = folder
        self._held: list[Finding] = []
        self._prepared = 0  # the first `_prepared` held findings are prepared
        self._runs: list[_Run] = []
        self._written = 0
        self._file: IO[bytes] | None = None
        self._path: str | None = None

    # -- adding -------------------------------------------------------------------------------

    def append(self, finding: Finding) -> None:
        self._held.append(finding)
        if len(self._held) > self._limit:
            self._write_held()

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings; an iterable that is not a list is taken a piece at a time, so that
        what it yields never gathers in memory."""
        if isinstance(findings, list):
            self._held.extend(findings)
            if len(self._held) > self._limit:
                self._write_held()
            return
        found = iter(findings)
        while piece := list(islice(found, PIECE)):
            self.extend(piece)

    def handover(self) -> Handover:
        """What to send to the run: the held findings, or (once any were written) all of them,
        written to this store's named file, whose path goes instead."""
        if not self._runs:
            return Handover(self._settled())
        if self._path is None:
            return Handover(list(self))
        self._write_held()
        assert self._file is not None
        self._file.flush()
        return Handover([], self._path, [run.pieces for run in self._runs])

    def absorb(self, other: Handover) -> None:
        """Take in another process's findings after those added so far, as `extend` would (a
        stable sort orders sorted findings as it would have ordered them unsorted)."""
        if other.path is None:
            self.extend(other.held)
            return
        with open(other.path, "rb") as file:
            os.unlink(other.path)
            self.extend(_merged([_Run(file, pieces) for pieces in other.runs or []]))

    def kept(self, keep: Callable[[Finding], bool]) -> FindingStore:
        """A new store of the findings that `keep` accepts, read in order (one call each)."""
        out = FindingStore(self.files, held=self._limit)
        out.extend(f for f in self if keep(f))
        return out

    # -- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._written + len(self._held)

    def file_order(self, file: str | None) -> int:
        """Where findings about `file` come in the reading order: by this index (the run's
        inputs in order; -1 for any other file and for none), then by record."""
        return self._order.get(file or "", -1)

    @property
    def spilled(self) -> bool:
        """Whether some findings are in a file rather than in memory."""
        return bool(self._runs)

    def __iter__(self) -> Iterator[Finding]:
        if not self._runs:
            return iter(self._settled())
        self._write_held()  # all in runs: one merge of tuples compared in C, no key to call
        if self._file is not None:
            self._file.flush()
        return _merged(self._runs)

    def brief(self) -> Iterator[tuple[str, Severity, str | None, int | None]]:
        """(code, severity, file, record) of every finding, in output order: what counting them
        needs, without making a finding and its related places of each one written out (the
        greater part of reading it back)."""
        if not self._runs:
            return ((f.code, f.severity, f.file, f.record) for f in self._settled())
        self._write_held()
        if self._file is not None:
            self._file.flush()
        return ((row[2], _SEVERITIES[row[6]], row[7], row[13]) for row in _ordered_rows(self._runs))

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        """By position in output order; once findings are written out this reads up to them."""
        if not self._runs:
            return self._settled()[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return list(self)[index] if step < 0 else list(islice(self, start, stop, step))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("finding index out of range")
        return next(islice(self, position, None))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __reduce__(self) -> tuple[type[list[Finding]], tuple[list[Finding]]]:
        """A copy or a pickle of a store is the list of its findings, in output order: the
        temporary file the written ones are in belongs to this store alone."""
        return list, (list(self),)

    def __repr__(self) -> str:
        return f"<FindingStore of {len(self)} findings, {self._written} of them written out>"

    # -- inside -------------------------------------------------------------------------------

    def _key(self, f: Finding) -> tuple[int, int, str, str]:
        return (self.file_order(f.file), f.record or 0, f.code, f.message)

    def _settled(self) -> list[Finding]:
        """The held findings, prepared and sorted (a stable sort of sorted findings and those
        added after them orders them as one sort of all of them would)."""
        held = self._held
        if self._prepared < len(held):
            if self._prepare is not None:
                self._prepare(held[self._prepared :])
            held.sort(key=self._key)
            self._prepared = len(held)
        return held

    def _write_held(self) -> None:
        """Write the held findings out as one sorted run."""
        held = self._settled()
        if not held:
            return
        file = self._open()
        pieces = []
        key, number = self._key, self._written
        with temporary_space():
            for start in range(0, len(held), PIECE):
                rows = [(*key(f), number + i, *_fields(f)) for i, f in enumerate(held[start : start + PIECE], start)]
                data = pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)
                pieces.append((file.tell(), len(data)))
                file.write(data)
        self._runs.append(_Run(file, pieces))
        self._written += len(held)
        self._held = []
        self._prepared = 0

    def _open(self) -> IO[bytes]:
        if self._file is None:
            with temporary_space():
                if self._folder is None:
                    self._file = tempfile.TemporaryFile(prefix="sftlint-findings-")
                else:
                    fd, self._path = tempfile.mkstemp(prefix="findings-", dir=self._folder)
                    self._file = os.fdopen(fd, "w+b")
        return self._file

def temporary_folder() -> str:
    """A new folder for the files of a run's processes (the run removes it)."""
    with temporary_space():
        return tempfile.mkdtemp(prefix="sftlint-")


def _merged(runs: list[_Run]) -> Iterator[Finding]:
    """The findings of sorted runs, in order (see the module's docstring). Related places met
    again are the same `Location` (they are immutable; a cluster's members all name its first)."""
    places: dict[tuple[Any, ...], Location] = {}
    rows = _ordered_rows(runs)
    for _, _, code, message, _, slug, severity, file, line, related, score, data, fingerprint, record in rows:
        if related:
            if len(places) > PIECE:
                places.clear()
            related = [places.get(r) or places.setdefault(r, Location(*r)) for r in related]
        else:
            related = []
        yield Finding(code, slug, _SEVERITIES[severity], file, line, message, related, score, data, fingerprint, record)


def _ordered_rows(runs: list[_Run]) -> Iterator[tuple[Any, ...]]:
    """The rows of sorted runs, merged in order (tuples compared in C)."""
    streams = [_rows(run) for run in runs]
    return streams[0] if len(streams) == 1 else heapq.merge(*streams)


def _rows(run: _Run) -> Iterator[tuple[Any, ...]]:
    fd = run.file.fileno()
    for offset, size in run.pieces:
        yield from pickle.loads(os.pread(fd, size, offset))


def _fields(f: Finding) -> tuple[Any, ...]:
    """A finding as plain values after its key (cheaper to write and read than the object)."""
    related = tuple((r.file, r.line, r.record) for r in f.related) if f.related else ()
    return (f.slug, f.severity.value, f.file, f.line, related, f.score, f.data, f.fingerprint, f.record)
