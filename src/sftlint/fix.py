"""`sftlint fix`: write the records worth training on, and keep everything removed beside them.

The input is linted once; every record flagged by a dropping check is moved to the rejects
file, with the codes and messages that removed it, and every other record is copied to the
output byte for byte, in its original order. Dropped by default: lines that are not valid
JSON or not a usable record (SFT001, SFT002) and records flagged by any check that
`disqualifies` (empty responses and instructions, exact and near-duplicate copies: the first
of each group is not flagged, so it stays). Other checks' records only with `--drop CODE`.

Both files are streamed into temporary files and renamed into place at the end, so a failed
or interrupted run leaves the previous outputs as they were; the input is only ever read.

A file that is one JSON document (an array, or an object spread over several lines) has no
lines to copy, so its records are written as JSON Lines, one compact record per line, and a
reject names the line its record starts on.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sftlint.check import Check
from sftlint.engine import Result
from sftlint.errors import SftlintError
from sftlint.findings import Finding
from sftlint.io import (
    RawLine,
    ReadStats,
    dump_json,
    iter_lines,
    open_outputs,
    parse_json,
    read_file,
    refuse_inputs,
    same_file,
    write_error,
)
from sftlint.output import printable
from sftlint.tables import require_jsonl

#: lines that are no usable record at all: dropped by default, like records of disqualifying checks.
INVALID = ("SFT001", "SFT002")


@dataclass
class FixReport:
    """What one `fix` did, for the summary."""

    source: Path
    output: Path
    rejects: Path
    records: int = 0
    kept: int = 0
    blank: int = 0
    document: bool = False  # the input was one JSON document, written out as JSON Lines
    removed_by: Counter[str] = field(default_factory=Counter)  # code -> records it removed
    slugs: dict[str, str] = field(default_factory=dict)
    cleaned: Result | None = None

    @property
    def removed(self) -> int:
        return self.records - self.kept


def default_rejects(output: Path) -> Path:
    """`clean.jsonl` -> `clean.rejected.jsonl` (and `.jsonl.gz` -> `.rejected.jsonl.gz`)."""
    name = output.name
    gz = name.endswith(".gz")
    name = name[:-3] if gz else name
    for ext in (".jsonl", ".json"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return output.with_name(f"{name}.rejected.jsonl{'.gz' if gz else ''}")


def codes_to_drop(checks: list[Check], patterns: list[str]) -> list[str]:
    """The default dropping codes plus the checks `patterns` name (code, prefix or slug)."""
    codes = {c.code for c in checks if c.code in INVALID or c.disqualifies}
    for pattern in patterns:
        matched = {c.code for c in checks if c.slug == pattern.lower() or c.code.startswith(pattern.upper())}
        if not matched:
            raise SftlintError(f"--drop {pattern}: no check that runs matches it (see `sftlint rules`; is it ignored?)")
        codes |= matched
    return sorted(codes)


def check_paths(source: Path, output: Path, rejects: Path) -> None:
    """Refuse an output that is the input (also through a symlink) or two outputs that are one file."""
    if str(source) == "-":
        raise SftlintError("fix reads a file, not standard input (it reads the input twice)")
    require_jsonl(str(source), "fix")
    if not source.is_file():
        raise SftlintError(f"{source}: no such file")
    for what, path in (("output", output), ("rejects file", rejects)):
        if same_file(path, source):
            raise SftlintError(f"{path}: the {what} is the input file; sftlint never writes over its input")
        if path.is_dir():
            raise SftlintError(f"{path}: the {what} is a directory")
    if same_file(output, rejects):
        raise SftlintError(f"{output}: the output and the rejects file must differ")


def fix_file(
    source: Path,
    output: Path,
    rejects: Path,
    drop: list[str],
    lint: Callable[[list[str]], Result],
    reads: Sequence[Path] = (),
) -> FixReport:
    """Write the kept records of `source` to `output` and the dropped ones to `rejects`.

    `reads`: the other files the run reads (config, evaluation sets...), never overwritten either.
    """
    check_paths(source, output, rejects)
    refuse_inputs([output, rejects], reads)
    report = FixReport(source, output, rejects)
    with ExitStack() as stack:
        lines_source, origin = str(source), None
        elements = _document_records(source)
        if elements is not None:
            report.document = True
            lines_source = _write_jsonl(elements)
            stack.callback(Path(lines_source).unlink, missing_ok=True)
            origin = [raw.line for raw in elements]
            del elements
        result = lint([lines_source])
        flagged = _flagged(result, lines_source, set(drop))
        records_read = result.stats["records"]
        del result
        files = stack.enter_context(open_outputs([output, rejects], [source, *reads]))
        kept, rejected = (stack.enter_context(_compressed(h, p)) for h, p in zip(files, (output, rejects), strict=True))
        for number, data in iter_lines(lines_source):
            if not data.strip():
                report.blank += 1
                continue
            report.records += 1
            reasons = flagged.get(number)
            if reasons is None:
                kept.write(data if data.endswith(b"\n") else data + b"\n")
                report.kept += 1
                continue
            line = origin[number - 1] if origin is not None else number
            rejected.write(_reject_entry(str(source), line, data, reasons, element=number if origin else None))
            for f in reasons:
                report.slugs.setdefault(f.code, f.slug)
            report.removed_by.update({f.code for f in reasons})
        if report.records != records_read:  # lines are not records: copying lines would be wrong
            raise SftlintError(
                f"{source}: {records_read} records on {report.records} non-blank lines; fix copies one record "
                "per line, so convert the file to JSON Lines first (nothing was written)"
            )
    report.cleaned = lint([str(output)])
    return report


def _flagged(result: Result, name: str, drop: set[str]) -> dict[int, list[Finding]]:
    """Line -> the dropping findings about the record on that line."""
    out: dict[int, list[Finding]] = {}
    for f in result.findings:
        if f.code in drop and f.file == name and f.line is not None:
            out.setdefault(f.line, []).append(f)
    return out


def _document_records(source: Path) -> list[RawLine] | None:
    """The records of a file that is one JSON document (array or multi-line object), else None.

    Only the first two records are read to tell: JSON Lines gives one record per line.
    """
    stats = ReadStats()
    records = read_file(str(source), stats)
    try:
        first = next(records, None)
        if first is None or (not stats.array and (next(records, None) is not None or stats.lines - stats.blank <= 1)):
            return None
        return [first, *records]
    finally:
        records.close()


def _write_jsonl(elements: list[RawLine]) -> str:
    """A temporary JSON Lines copy of a document's records, one compact record per line."""
    fd, path = tempfile.mkstemp(prefix="sftlint-fix.", suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as handle:
            for raw in elements:
                handle.write(dump_json(raw.value) + b"\n")
    except OSError as exc:
        Path(path).unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path


@contextmanager
def _compressed(handle: BinaryIO, path: Path) -> Iterator[BinaryIO]:
    """`handle` itself, or a gzip stream into it when the name ends in .gz."""
    if not path.name.endswith(".gz"):
        yield handle
        return
    with gzip.GzipFile(filename="", fileobj=handle, mode="wb", mtime=0) as compressed:
        yield compressed  # type: ignore[misc]


def _reject_entry(file: str, line: int, data: bytes, reasons: list[Finding], element: int | None) -> bytes:
    """One line of the rejects file: where it was, why it went, the record and its exact text.

    `raw` is the original line; bytes that are not UTF-8 are kept as \\udcXX escapes, which
    `raw.encode("utf-8", "surrogateescape")` turns back into the original bytes.
    """
    text = data.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
    record, error = parse_json(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    entry = {
        "file": file,
        "line": line,
        **({"element": element} if element is not None else {}),
        "codes": list(dict.fromkeys(f.code for f in reasons)),
        "findings": [
            {"code": f.code, "slug": f.slug, "severity": f.severity.value, "message": f.message} for f in reasons
        ],
        "record": record if error is None else None,
        "raw": text,
    }
    return dump_json(entry) + b"\n"


def summary(report: FixReport) -> str:
    """What was removed and why, then the verdict of the cleaned file (controls shown as escapes)."""
    lines = [f"sftlint fix: {report.source} -> {report.output}"]
    if report.document:
        lines.append("the input is one JSON document: its records were written as JSON Lines, one per line")
    lines.append(f"kept {report.kept} of {report.records} records; removed {report.removed} to {report.rejects}")
    for code, count in sorted(report.removed_by.items()):
        lines.append(f"  {code:<8} {report.slugs[code]:<24} {count:>7}")
    if report.blank:
        lines.append(f"{report.blank} blank line(s) not copied")
    cleaned = report.cleaned
    if cleaned is not None:
        stats = cleaned.stats
        lines.append(f"{report.output}: {stats['records']} records, {stats['usable_pairs']} usable pairs")
        if cleaned.verdict == "go":
            lines.append(f"GO: nothing at or above {cleaned.fail_on.value}")
        else:
            lines.append("NO-GO: " + "; ".join(cleaned.reasons))
            lines.append(f"(run `sftlint lint {report.output}` for every remaining finding)")
    return "\n".join(printable(line) for line in lines)
