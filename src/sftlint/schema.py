"""The JSON output contract as pydantic models; `sftlint schema` prints it as JSON Schema.

Other tools rely on this shape: fields may be added, never renamed or removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationModel(_Strict):
    file: str | None
    line: int | None


class FindingModel(_Strict):
    code: str
    slug: str
    severity: Literal["error", "warning", "info", "advice"]
    file: str | None
    line: int | None
    message: str
    related: list[LocationModel]
    score: float | None
    data: dict[str, Any] | None = None
    fingerprint: str | None = None


class CheckDocModel(_Strict):
    summary: str
    why: str
    fix: str


class CheckRowModel(_Strict):
    code: str
    slug: str
    severity: Literal["error", "warning", "info", "advice"]
    count: int
    records: int
    rate: float
    doc: CheckDocModel | None = None


class ExampleModel(_Strict):
    """A bounded excerpt of one flagged record (`raw` when the line is not a usable record)."""

    file: str
    line: int
    shape: str | None
    instruction: str
    input: str
    response: str
    label: str | None
    raw: str | None
    chars: dict[str, int]


class StatsModel(BaseModel):
    records: int
    valid: int
    usable_pairs: int
    blank_lines: int
    shapes: dict[str, int]
    unusable: dict[str, int]
    #: seconds spent in each check (by code) and in reading, parsing and normalising ("read").
    timings: dict[str, float] | None = None
    #: processes the checks were shared among (--jobs).
    jobs: int | None = None


class BaselineEntryModel(_Strict):
    code: str
    key: str
    count: int
    file: str | None
    line: int | None
    message: str


class BaselineSummaryModel(_Strict):
    file: str
    suppressed: int
    stale: list[BaselineEntryModel]


class ResultModel(_Strict):
    tool: Literal["sftlint"]
    version: str
    verdict: Literal["go", "no-go"]
    fail_on: Literal["error", "warning", "info", "advice"]
    reasons: list[str]
    files: list[str]
    stats: StatsModel
    checks: list[CheckRowModel]
    findings: list[FindingModel]
    summaries: dict[str, Any]
    config: dict[str, Any]
    examples: list[ExampleModel] = []
    baseline: BaselineSummaryModel | None = None


def json_schema() -> dict[str, Any]:
    return ResultModel.model_json_schema()
