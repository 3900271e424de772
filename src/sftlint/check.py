"""The check plugin API: a check is a small documented class that yields findings.

A *record check* implements `check_record(record)` and is called once per record as the file
streams past; one that judges many texts at once sets `batch_size` and implements
`check_batch(records)`, called with that many consecutive records at a time. A *dataset check*
implements `collect(record)` to keep compact state per record and `finish(context)` to report
once everything has been read. A check that needs the run's
settings before the first record (SFT203 indexes the evaluation sets) implements
`start(config)`. Checks never print and never raise on bad data; the engine reports a check
that crashes instead of stopping the run.

The docstring is the check's documentation (shown by `sftlint rule CODE` and the report) and
must have three parts, each starting on its own line: ``What it does:``, ``Why it matters:``
and ``How to fix:`` (plus ``Options:`` for a check that reads settings).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from sftlint.findings import Finding, Location, Severity
from sftlint.places import Places

if TYPE_CHECKING:
    from sftlint.config import Config
    from sftlint.records import Record

DOC_SECTIONS = ("What it does", "Why it matters", "How to fix", "Options")
_SECTION_RE = re.compile(r"^({}):\s*".format("|".join(DOC_SECTIONS)), re.MULTILINE)


class NoOptions(BaseModel):
    """Options model for a check that takes none: any key is an error."""

    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted


@dataclass
class Context:
    """What a dataset check may know when it finishes: the whole run's counts and settings."""

    files: list[str]
    records: int = 0
    valid: int = 0
    usable_pairs: int = 0
    unusable: dict[str, int] = field(default_factory=dict)  # code -> records it disqualified
    against: list[str] = field(default_factory=list)  # the evaluation sets given (--against), as given
    #: where the records are: `places.where(file, position)` names a record as every output does.
    places: Places = field(default_factory=Places)


class Check:
    """Base class of every check. Subclasses set `code`, `slug`, `severity` and a docstring."""

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    Options: ClassVar[type[BaseModel]] = NoOptions
    #: records this check flags stop counting as usable pairs (SFT201), and `sftlint fix` drops them
    #: (a duplicate check flags only the copies, so the first of each group is kept).
    disqualifies: ClassVar[bool] = False
    #: run `finish` after every other dataset check (it reads their outcome from the context).
    runs_last: ClassVar[bool] = False
    #: findings come from the reader or the normaliser, not from a method of the check.
    from_reader: ClassVar[bool] = False
    #: CPU microseconds per record on real data, the check run alone (as
    #: benchmarks/bench_check_costs.py measures it; 1 for the cheap ones): `--jobs` deals the
    #: checks to processes by it, so each does about the same work.
    cost: ClassVar[float] = 1.0
    #: not yet precise enough on real data to run by default: it runs only when selected by its
    #: exact code or slug, or with `--preview`. `preview_note` says why (its measured precision).
    preview: ClassVar[bool] = False
    preview_note: ClassVar[str] = ""
    #: records the engine hands to `check_batch` at once; 0 (the default): one at a time to
    #: `check_record`.
    batch_size: ClassVar[int] = 0
    #: what the keys of `summary()` mean, in a few words each: the report's labels for a summary
    #: it has no view of its own for (a key without one is shown as it is spelled)
    summary_labels: ClassVar[dict[str, str]] = {}

    def __init__(self, options: BaseModel | None = None, severity: Severity | None = None) -> None:
        self.options: Any = options if options is not None else self.Options()
        self.configured_severity = severity  # what the user set for this check, if anything
        self.effective_severity = severity or self.severity

    # -- the hooks a check implements -------------------------------------------------------

    def start(self, config: Config) -> None:
        """Prepare from the run's settings before the first record (e.g. index a reference file)."""

    def check_record(self, record: Record) -> Iterable[Finding]:
        """Findings for one record (record checks)."""
        return ()

    def check_batch(self, records: Sequence[Record]) -> Iterable[Finding]:
        """Findings for consecutive records, up to `batch_size` of them (record checks that set it).

        For a check that judges many texts at once (numpy over a batch): it stays a record check,
        with no state of its own between batches. The last batch of a run may be shorter.
        """
        for record in records:
            yield from self.check_record(record)

    def collect(self, record: Record) -> None:
        """Keep what `finish` will need from one record (dataset checks)."""

    def finish(self, context: Context) -> Iterable[Finding]:
        """Findings once every record has been seen (dataset checks)."""
        return ()

    def summary(self) -> dict[str, Any] | None:
        """Dataset-level figures for the report and the JSON output (rates, distributions)."""
        return None

    # -- helpers ----------------------------------------------------------------------------

    @classmethod
    def is_record_check(cls) -> bool:
        return cls.check_record is not Check.check_record or cls.check_batch is not Check.check_batch

    @classmethod
    def is_dataset_check(cls) -> bool:
        return cls.collect is not Check.collect or cls.finish is not Check.finish

    def finding(
        self,
        message: str,
        record: Record | None = None,
        *,
        at: Location | None = None,
        file: str | None = None,
        line: int | None = None,
        position: int | None = None,
        related: Sequence[Location] | Iterator[Location] = (),
        score: float | None = None,
        **data: Any,
    ) -> Finding:
        """Build a finding of this check, at `record`, at a place (`at`, or a record of `file`: its
        `position` or its `line`, the engine fills in the other), or dataset-wide."""
        if record is not None:
            file, line, position = record.file, record.line, record.position
        elif at is not None:
            file, line, position = at.file, at.line, at.record
        return Finding(
            code=self.code,
            slug=self.slug,
            severity=self.effective_severity,
            file=file,
            line=line,
            message=message,
            related=list(related),
            score=None if score is None else round(float(score), 4),
            data=data,
            record=position,
        )

    def share_past_limit(self, count: int, of: int, what: str, limit: float) -> Finding | None:
        """The dataset-wide error for `count` of `of` records being `what` ("exact copies of an
        earlier one") when that share is above `limit` (a check's `max_rate`), else None."""
        rate = count / of if of else 0.0
        if rate <= limit:
            return None
        said = f"{rate:.1%} of records ({count} of {of}) are {what}; max_rate is {limit:.1%}"
        found = self.finding(said, score=rate)
        found.data = {"rate": rate}  # a baseline accepts this rate, not a higher one
        return self.escalated(found, Severity.ERROR)

    def escalated(self, finding: Finding, severity: Severity) -> Finding:
        """`finding` raised to `severity` (a dataset-wide rate past its limit), unless the user
        configured this check's severity: a configured severity is never overridden."""
        if self.configured_severity is None and severity.rank > finding.severity.rank:
            finding.severity = severity
        return finding

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring split into its summary and the named sections."""
        return parse_doc(inspect.getdoc(cls) or "")

    @classmethod
    def summary_line(cls) -> str:
        return cls.doc_sections().get("summary", "")


def parse_doc(doc: str) -> dict[str, str]:
    """Split a check docstring into 'summary' and its 'What it does' ... 'Options' sections."""
    parts = _SECTION_RE.split(doc)
    out = {"summary": " ".join(parts[0].split())}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        out[name] = inspect.cleandoc(body).strip()
    return out
