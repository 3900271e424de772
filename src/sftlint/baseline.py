"""Baseline: accept the findings a dataset has today so that only new ones fail.

A team adopting sftlint on an existing dataset records the current findings once
(`sftlint lint --write-baseline FILE`) and from then on lints with `--baseline FILE` (or
`baseline = "FILE"` in config). A finding is known by its code and the fingerprint of the
record it is about, never by its line, so inserting or removing lines elsewhere changes
nothing. Each key keeps a count: a third copy of a baselined duplicate is a new finding.
Entries that no finding matches any more are stale (the record was fixed or removed) and
are reported, so the baseline can be rewritten and shrink over time. Advice is guidance, not
a defect: it is never baselined and always shown.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sftlint.engine import Result
from sftlint.errors import InputError
from sftlint.finding_store import FindingStore
from sftlint.findings import Finding, Severity, where
from sftlint.io import write_atomic

FORMAT_VERSION = 1


class Entry(BaseModel):
    """One accepted finding (or `count` findings with the same key)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "5" is no count, true no format

    code: str
    key: str = Field(
        description="fingerprint of the record, or 'dataset:FILE' for a finding about a whole file or dataset "
        "(its files, one per line)"
    )
    count: int = Field(1, ge=1, le=2**31)
    file: str | None = Field(None, description="where it was first seen (for people; not matched)")
    line: int | None = None
    record: int | None = Field(None, description="the record's 1-based position in its file (for people; not matched)")
    message: str = ""
    rate: float | None = Field(
        None, description="for a dataset-wide rate past its limit: the rate accepted (a higher one is new)"
    )


class Baseline(BaseModel):
    """The baseline file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tool: Literal["sftlint"] = "sftlint"
    format: int = FORMAT_VERSION
    findings: list[Entry] = Field(default_factory=list)


def finding_key(f: Finding, dataset: Sequence[str] = ()) -> tuple[str, str]:
    """What identifies a finding across edits of the file: its code and its record's content.

    A finding about the whole dataset (SFT201's size) is known by the files of the dataset
    (`dataset`: the run's inputs), so it is never accepted for another dataset.
    """
    if f.fingerprint is not None:
        return f.code, f.fingerprint
    if f.record is None and f.line is None:
        return f.code, _dataset_key([f.file] if f.file else dataset)
    # a finding on a line that is no record (should not happen): fall back to its message
    return f.code, "message:" + hashlib.blake2b(f.message.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _dataset_key(files: Sequence[str]) -> str:
    """The key of a finding about a whole file or dataset: its files, one per line."""
    return "dataset:" + "\n".join(files)


def stale_in(stale: list[dict[str, Any]], files: Sequence[str]) -> list[dict[str, Any]]:
    """The stale entries (`apply`'s) first seen in `files`, or about the dataset they make: all
    that a run over these files alone can call stale (the pre-commit hook lints each file alone)."""
    named = {Path(f).resolve() for f in files}
    return [e for e in stale if (Path(e["file"]).resolve() in named if e["file"] else e["key"] == _dataset_key(files))]


def from_findings(findings: Sequence[Finding], dataset: Sequence[str] = ()) -> Baseline:
    """A baseline accepting every one of `findings` but advice (`dataset`: the run's inputs)."""
    entries: dict[tuple[str, str], Entry] = {}
    for f in findings:
        if f.severity is Severity.ADVICE:
            continue
        code, key = finding_key(f, dataset)
        if (code, key) in entries:
            entries[code, key].count += 1
        else:
            entries[code, key] = Entry(
                code=code, key=key, file=f.file, line=f.line, record=f.record, message=f.message, rate=_rate(f)
            )
    return Baseline(findings=[entries[k] for k in sorted(entries)])


def write(path: Path, baseline: Baseline, inputs: Sequence[Path] = ()) -> None:
    data = baseline.model_dump(mode="json")
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", inputs=list(inputs))


def load(path: Path) -> Baseline:
    """Read a baseline file; a missing or malformed one is an error (exit 2), never ignored."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{path}: baseline file not found (create it with `sftlint lint --write-baseline {path}`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read baseline ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: baseline is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise InputError(f"{path}: baseline is not valid JSON (nested too deeply to parse)") from None
    except ValueError as exc:  # an integer with too many digits
        raise InputError(f"{path}: baseline is not valid JSON ({exc})") from None
    if isinstance(data, dict) and (missing := [k for k in ("tool", "format", "findings") if k not in data]):
        raise InputError(f"{path}: not a sftlint baseline (no {', '.join(missing)})")
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path}: not a sftlint baseline ({where}: {first['msg']})") from None
    if baseline.format != FORMAT_VERSION:
        raise InputError(f"{path}: baseline format {baseline.format} is not supported (expected {FORMAT_VERSION})")
    first: dict[tuple[str, str], int] = {}
    for number, e in enumerate(baseline.findings):
        if (earlier := first.setdefault((e.code, e.key), number)) != number:
            repeated = f"findings.{number} repeats findings.{earlier}: one entry a key"
            raise InputError(f"{path}: not a sftlint baseline ({repeated})")
    return baseline


def _rate(f: Finding) -> float | None:
    """The rate of a dataset-wide finding that one is past its limit (SFT103's and SFT104's share
    of copies), else None."""
    rate = f.data.get("rate") if isinstance(f.data, Mapping) and f.record is None and f.line is None else None
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None


def apply(result: Result, baseline: Baseline, path: Path) -> None:
    """Remove the findings `baseline` accepts from `result`; note what was suppressed and what is stale.

    A dataset-wide rate past its limit is accepted up to the rate the baseline recorded: a file
    that has grown from 6 % to 38 % exact copies fails again. An entry of a check that did not
    run (`--select`, `--ignore`) was not looked for, so it is not stale."""
    remaining = Counter({(e.code, e.key): e.count for e in baseline.findings})
    accepted_rate = {(e.code, e.key): e.rate for e in baseline.findings if e.rate is not None}

    def new(f: Finding) -> bool:
        key = finding_key(f, result.files)
        if remaining[key] > 0:
            remaining[key] -= 1  # found again (not stale) ...
            rate, accepted = _rate(f), accepted_rate.get(key)
            return rate is not None and accepted is not None and rate > accepted + 1e-9  # ... but worse: new
        return True

    found = result.findings
    kept = found.kept(new) if isinstance(found, FindingStore) else [f for f in found if new(f)]
    ran = {check.code for check in result.checks}
    stale: list[dict[str, Any]] = []
    for e in baseline.findings:
        left = remaining[e.code, e.key]
        if left > 0 and e.code in ran:
            stale.append({**e.model_dump(mode="json"), "count": left})
    result.baseline = {
        "file": str(path),
        "suppressed": len(found) - len(kept),
        "stale": stale,
    }
    result.findings = kept


def describe(summary: dict[str, Any], formats: Mapping[str, str] | None = None, limit: int = 5) -> list[str]:
    """Lines for the text summary: how many findings were suppressed, and the stale entries
    (`formats`: the run's input formats, which say how a place is written)."""
    stale = summary["stale"]
    lines = [f"baseline {summary['file']}: {summary['suppressed']} accepted finding(s) suppressed"]
    if stale:
        n = sum(e["count"] for e in stale)
        lines.append(
            f"baseline: {n} stale entr{'y' if n == 1 else 'ies'} no longer found (fixed or removed); "
            "rewrite it with --write-baseline"
        )
        for e in stale[:limit]:
            at = where(e["file"], e["line"], e.get("record"), formats)
            lines.append(f"  {e['code']} first seen at {at}: {e['message']}")
        if len(stale) > limit:
            lines.append(f"  ... and {len(stale) - limit} more")
    return lines
