"""The JSON output contract as pydantic models; `sftlint schema` prints it as JSON Schema.

Other tools rely on this shape: fields may be added, never renamed or removed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: The record's place among its file's records, besides the line it starts on: the Nth
#: non-blank line of JSON Lines, element of a JSON array, row of a table. Optional, so results
#: written before it existed still read.
RECORD = Field(
    None,
    ge=1,
    description="1-based position of the record in its file (Nth non-blank line of JSON Lines, "
    "element of a JSON array, row of a table); null for a finding about a whole file or dataset",
)
LINE_DESCRIPTION = (
    "1-based physical line the record starts on; null for a whole file or dataset, and in formats "
    "without lines (Parquet, Arrow, a datasets folder)"
)


class LocationModel(_Strict):
    file: str | None
    line: int | None = Field(description=LINE_DESCRIPTION)
    record: int | None = RECORD


class FindingModel(_Strict):
    code: str
    slug: str
    severity: Literal["error", "warning", "info", "advice"]
    file: str | None
    line: int | None = Field(description=LINE_DESCRIPTION)
    record: int | None = RECORD
    message: str
    related: list[LocationModel]
    score: float | None
    data: dict[str, Any] | None = None
    fingerprint: str | None = None


class CheckDocModel(_Strict):
    summary: str
    why: str
    fix: str
    #: what the keys of the check's summary mean, as the report labels them
    summary_labels: dict[str, str] = {}


class CheckRowModel(_Strict):
    code: str
    slug: str
    severity: Literal["error", "warning", "info", "advice"]
    count: int
    records: int
    rate: float
    doc: CheckDocModel | None = None


class TurnExcerptModel(_Strict):
    """One turn of a conversation, cut to size; `role` as the file spells it for tool calls and results."""

    index: int
    role: str
    text: str
    chars: int


class SegmentModel(_Strict):
    """A stretch of text: `changed` when the other record lacks it, `cut` for a left-out stretch,
    `missing` (empty) where the other record has words this one lacks."""

    text: str
    changed: bool
    cut: bool = False
    missing: bool = False


class ComparedFieldModel(_Strict):
    name: str
    left: list[SegmentModel]
    right: list[SegmentModel]
    compared_all: bool


class ComparisonModel(_Strict):
    """A record's differences from another (its file, line and record position): a near-duplicate's
    from its cluster's first record, or a flagged record's from its partner; on the full texts."""

    file: str
    line: int | None = Field(description=LINE_DESCRIPTION)
    record: int | None = RECORD
    fields: list[ComparedFieldModel]


class ExampleModel(_Strict):
    """A bounded excerpt of one flagged record (`raw` when the line is not a usable record)."""

    file: str
    line: int | None = Field(description=LINE_DESCRIPTION)
    record: int | None = RECORD
    shape: str | None
    instruction: str
    input: str
    response: str
    label: str | None
    raw: str | None
    chars: dict[str, int]
    turns: list[TurnExcerptModel] | None = None
    turns_left_out: int | None = None
    #: a conversation's declared tools, one line each (name, then its parameters' JSON Schema),
    #: the ones its flagged turns call first; cut to size (`chars["tools"]` is the full length)
    tools: str | None = None
    comparison: ComparisonModel | None = None
    #: the record's differences from the records its findings name as their partner (a
    #: near-duplicate's nearest copy, the evaluation record it leaks), besides `comparison`
    partners: list[ComparisonModel] | None = None


class StatsModel(BaseModel):
    records: int
    valid: int
    usable_pairs: int
    blank_lines: int
    #: each input's format ("jsonl", "json", "csv", "tsv", "parquet", "arrow", "datasets"): it
    #: says how a place is written for people, `file:line` (jsonl) or `file[record]`.
    formats: dict[str, str] | None = None
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
    record: int | None = RECORD
    message: str


class BaselineSummaryModel(_Strict):
    file: str
    suppressed: int
    stale: list[BaselineEntryModel]


class _Open(BaseModel):
    """A part other tools may extend: the fields sftlint reads are typed, others are kept as they are."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# The summaries the report reads, by check slug. A summary is the check's own; these models
# type only what the report relies on, so a crafted result is refused up front, naming the field.


class DatasetSizeSummary(_Open):
    min_pairs: int


class EvaluationSetSummary(_Open):
    present: bool = False
    files: list[str] | None = None
    recommended_size: int | None = None


class FitsInContextSummary(_Open):
    total_tokens: int
    budget: int
    fits: bool = False


class FormSummary(_Open):
    dominant: str
    share: float = 0.0
    structured: bool = False
    responses: int = 0
    consistent_share: float = 0.0


class LabelImbalanceSummary(_Open):
    labels: dict[str, int] | None = None
    majority_share: float = 0.0
    spellings: dict[str, str] = {}


class LanguageSummary(_Open):
    languages: dict[str, int]
    checked: int
    skipped: int
    #: of the skipped, the records whose answer is a tool call
    tool_calls: int = 0


class Histogram(_Open):
    edges: list[float]
    counts: list[int]

    @model_validator(mode="after")
    def _bins(self) -> Histogram:
        if self.counts and len(self.edges) != len(self.counts) + 1:
            raise ValueError("edges must be one more than counts")
        return self


class LengthPart(_Open):
    histogram: Histogram | None = None
    median: float | None = None
    low: float | None = None
    high: float | None = None


class LengthSummary(_Open):
    max_tokens: int | None = None
    instruction: LengthPart | None = None
    response: LengthPart | None = None


class ClusterModel(_Open):
    size: int = 0
    members: list[LocationModel] = []


class NearDuplicateSummary(_Open):
    clusters: int
    redundant: int
    rate: float
    max_rate: float
    threshold: float
    largest: list[ClusterModel] = []


class LabelMemberModel(_Open):
    file: str | None = None
    line: int | None = None
    record: int | None = RECORD
    label: str | None = None


class LabelGroupModel(_Open):
    prompt: str = ""
    labels: dict[str, int] = {}
    members: list[LabelMemberModel] = []


class LabelConflictSummary(_Open):
    classification_like: bool = False
    groups: list[LabelGroupModel] = []


class ContaminationSummary(_Open):
    contaminated: int
    eval_records: int
    rate: float
    against: list[str]
    skipped: str | None = Field(None, description="why nothing was compared: no evaluation set given")


class SummariesModel(_Open):
    """Each check's summary by slug; checks (plugins too) may add their own."""

    dataset_size: DatasetSizeSummary | None = Field(None, alias="dataset-size")
    no_evaluation_set: EvaluationSetSummary | None = Field(None, alias="no-evaluation-set")
    fits_in_context: FitsInContextSummary | None = Field(None, alias="fits-in-context")
    format_inconsistency: FormSummary | None = Field(None, alias="format-inconsistency")
    label_imbalance: LabelImbalanceSummary | None = Field(None, alias="label-imbalance")
    language_mismatch: LanguageSummary | None = Field(None, alias="language-mismatch")
    length_outlier: LengthSummary | None = Field(None, alias="length-outlier")
    near_duplicate: NearDuplicateSummary | None = Field(None, alias="near-duplicate")
    label_inconsistency: LabelConflictSummary | None = Field(None, alias="label-inconsistency")
    contamination: ContaminationSummary | None = None


class DatasetSizeOptions(_Open):
    min_pairs: int | None = None


class CheckOptionsModel(_Open):
    dataset_size: DatasetSizeOptions | None = Field(None, alias="dataset-size")


class ConfigModel(_Open):
    """The run's settings (see `sftlint.config.Config`); the report reads these."""

    examples_per_check: int = Field(20, ge=0)
    checks: CheckOptionsModel = CheckOptionsModel()


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
    summaries: SummariesModel
    config: ConfigModel
    examples: list[ExampleModel] = []
    baseline: BaselineSummaryModel | None = None


def json_schema() -> dict[str, Any]:
    return ResultModel.model_json_schema()
