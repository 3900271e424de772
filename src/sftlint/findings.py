"""Findings: what checks report, and the severities that decide the verdict."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input: a file and a 1-based physical line (None for the whole file)."""

    file: str
    line: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "related": [r.to_dict() for r in self.related],
            "score": self.score,
        }
        if self.data:
            out["data"] = self.data
        if self.fingerprint is not None:
            out["fingerprint"] = self.fingerprint
        return out
