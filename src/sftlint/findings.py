"""Findings: what checks report, and the severities that decide the verdict."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The input format whose lines identify records: every other format's places are `file[record]`.
BY_LINE = "jsonl"


class Severity(str, enum.Enum):
    """How serious a finding is. ``advice`` is guidance, never a defect."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    ADVICE = "advice"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ADVICE: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


def where(
    file: str | None,
    line: int | None,
    record: int | None,
    formats: Mapping[str, str] | None = None,
    beside: str | None = None,
) -> str:
    """How every output writes a place for people: `file:line` in JSON Lines, where a line is a
    record; `file[record]` where lines do not identify records (a JSON array, Parquet, CSV,
    Arrow, a `datasets` folder: `formats` maps each input to its format). A place in the file
    `beside` drops the file name ("line 3", "record 3"); no file at all is the whole dataset.
    """
    if file is None:
        return "dataset"
    by_line = line is not None and (record is None or formats is None or formats.get(file, BY_LINE) == BY_LINE)
    if by_line:
        return f"line {line}" if file == beside else f"{file}:{line}"
    if record is not None:
        return f"record {record}" if file == beside else f"{file}[{record}]"
    return file


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input: a file, the 1-based physical line its record starts on (None for the
    whole file, or a format without lines such as Parquet) and the record's 1-based position
    in its file (`record`: the Nth non-blank line of JSON Lines, element of an array, row of a
    table)."""

    file: str
    line: int | None
    record: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "record": self.record}


@dataclass(slots=True)
class Finding:
    """One problem found by one check, at one place (slotted: a run may hold a million)."""

    code: str
    slug: str
    severity: Severity
    file: str | None
    line: int | None
    message: str
    related: list[Location] = field(default_factory=list)
    score: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: hash of the flagged record's content (set when a run asks for it: baseline keys).
    fingerprint: str | None = None
    #: the record's 1-based position in its file (see `Location`); None for a whole file or dataset.
    record: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "record": self.record,
            "message": self.message,
            "related": [r.to_dict() for r in self.related],
            "score": self.score,
        }
        if self.data:
            out["data"] = self.data
        if self.fingerprint is not None:
            out["fingerprint"] = self.fingerprint
        return out
