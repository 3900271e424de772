"""`sftlint fix`: write the records worth training on, and keep everything removed beside them.

The input is linted once; every record flagged by a dropping check is moved to the rejects
file, with the codes and messages that removed it, and every other record is copied to the
output byte for byte, in its original order. Dropped by default: lines that are not valid
JSON or not a usable record (SFT001, SFT002) and records flagged by any check that
`disqualifies` (empty responses and instructions, exact and near-duplicate copies: the first
of each group is not flagged, so it stays). Other checks' records only with `--drop CODE`.

Both files are streamed into temporary files and renamed into place at the end, so a failed
or interrupted run leaves the previous outputs as they were; the input is only ever read.

Other formats have no lines to copy: their records are chosen by position and the kept ones
written in the input's own format (`sftlint.subsets`): a JSON array (or JSON Lines, for an
output named .jsonl), CSV/TSV with every cell unchanged, Parquet or Arrow with the input's
schema, and a `datasets` folder as Parquet. A reject names its record's position (`element` of
a JSON document, `row` of a table) and the line it starts on where there is one.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sftlint.check import Check
from sftlint.display import counted
from sftlint.engine import Result
from sftlint.errors import SftlintError
from sftlint.findings import Finding
from sftlint.io import (
    ReadStats,
    dump_json,
    is_device,
    iter_lines,
    open_outputs,
    parse_json,
    read_file,
    refuse_inputs,
    same_file,
    write_together,
)
from sftlint.output import printable
from sftlint.subsets import WRITTEN_AS, check_output, gzip_if_named, gzip_named, input_kind, subset
from sftlint.tables import DESCRIPTIONS, input_format

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
    #: what became of an input that is not JSON Lines (None: its lines were copied)
    written_as: str | None = None
    removed_by: Counter[str] = field(default_factory=Counter)  # code -> records it removed
    slugs: dict[str, str] = field(default_factory=dict)
    cleaned: Result | None = None

    @property
    def removed(self) -> int:
        return self.records - self.kept

    def __repr__(self) -> str:
        verdict = "" if self.cleaned is None else f"; the output is {self.cleaned.verdict.upper()}"
        return (
            f"<sftlint.FixReport: kept {self.kept:,} of {self.records:,} records in {self.output.name}, "
            f"{self.removed:,} to {self.rejects.name}{verdict}>"
        )


def default_rejects(output: Path) -> Path:
    """`clean.jsonl` -> `clean.rejected.jsonl` (and `.jsonl.gz` -> `.rejected.jsonl.gz`); the
    rejects of any format are JSON Lines (`clean.parquet` -> `clean.rejected.jsonl`).

    An output that is no regular file (/dev/null, /dev/stdout, a FIFO) has no folder of its own
    to put a file beside it (/dev/null.rejected.jsonl would be a file in /dev): --rejects must
    name the rejects."""
    if is_device(output):
        raise SftlintError(f"{output} is not a regular file: name the rejects file (--rejects FILE)")
    name = output.name
    gz = name.endswith(".gz")
    name = name[:-3] if gz else name
    for ext in (".jsonl", ".json", ".parquet", ".csv", ".tsv", ".arrow"):
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
    try:
        os.stat(source)
    except FileNotFoundError:
        raise SftlintError(f"{source}: no such file") from None
    except OSError as exc:  # a name too long, a loop of links
        raise SftlintError(f"{source}: cannot read ({exc.strerror})") from None
    if source.is_dir() and input_format(str(source)) != "datasets":
        raise SftlintError(f"{source}: is a directory, expected a dataset file or a datasets folder")
    if not source.exists():
        raise SftlintError(f"{source}: no such file")
    if not source.is_dir() and is_device(source):  # a FIFO, /dev/stdin: its second open would wait forever
        raise SftlintError(f"{source}: fix reads a file, not a pipe or device (it reads the input twice)")
    for what, path in (("output", output), ("rejects file", rejects)):
        if same_file(path, source):
            raise SftlintError(f"{path}: the {what} is the input file; sftlint never writes over its input")
        if os.path.isdir(path):
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
    landing = _landing(output)
    kind = input_kind(str(source))
    if kind != "jsonl":
        check_output(str(source), kind, output, "fix")
        _fix_records(report, kind, drop, lint, reads)
        report.cleaned = _lint_again(output, landing, lint)
        return report
    with ExitStack() as stack:
        lines_source = str(source)
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
            rejected.write(_reject_entry(str(source), number, data, reasons))
            for f in reasons:
                report.slugs.setdefault(f.code, f.slug)
            report.removed_by.update({f.code for f in reasons})
        if report.records != records_read:  # lines are not records: copying lines would be wrong
            raise SftlintError(
                f"{source}: {records_read} records on {report.records} non-blank lines; fix copies one record "
                "per line, so convert the file to JSON Lines first (nothing was written)"
            )
    report.cleaned = _lint_again(output, landing, lint)
    return report


def _landing(output: Path) -> Path | None:
    """The file the cleaned records land in, named before it is written (a new file replaces
    it), or None for no regular file: a pipe (-o /dev/stdout) would wait for ever to be read
    back, a device gives back nothing or something else."""
    if is_device(output):
        return None
    try:
        return output.resolve()
    except (OSError, RuntimeError):
        return output


def _lint_again(output: Path, landing: Path | None, lint: Callable[[list[str]], Result]) -> Result | None:
    """The lint of the cleaned file: by its name as given, unless that name now leads elsewhere
    (-o /dev/stdout redirected to a file names the descriptor, which still holds the file the
    cleaned one replaced)."""
    if landing is None:
        return None
    return lint([str(output) if same_file(output, landing) else str(landing)])


def _flagged(result: Result, name: str, drop: set[str], by: str = "line") -> dict[int, list[Finding]]:
    """Line (or record position, `by="record"`) -> the dropping findings about that record."""
    out: dict[int, list[Finding]] = {}
    for f in result.findings:
        key = f.line if by == "line" else f.record
        if f.code in drop and f.file == name and key is not None:
            out.setdefault(key, []).append(f)
    return out


def _fix_records(
    report: FixReport, kind: str, drop: list[str], lint: Callable[[list[str]], Result], reads: Sequence[Path]
) -> None:
    """`fix` of an input that is not JSON Lines: records chosen by position, the kept ones
    written in the input's format, the rejects as JSON Lines; both files or neither."""
    source = str(report.source)
    result = lint([source])
    flagged = _flagged(result, source, set(drop), by="record")
    records_read = result.stats["records"]
    del result
    kept: list[int] = []
    rejected: list[bytes] = []
    stats = ReadStats()
    for raw in read_file(source, stats):
        report.records += 1
        reasons = flagged.get(raw.position)
        if reasons is None:
            kept.append(raw.position)
            continue
        place = {"element" if kind == "json" else "row": raw.position}
        if raw.oversized is not None and raw.data is not None:  # an element too large to judge: its text
            text = raw.data.decode("utf-8", "surrogateescape")
        else:
            text = None if raw.error is not None else dump_json(raw.value).decode("utf-8")
        rejected.append(_entry(source, raw.line, place, reasons, raw.value if text is not None else None, text))
        for f in reasons:
            report.slugs.setdefault(f.code, f.slug)
        report.removed_by.update({f.code for f in reasons})
    if report.records != records_read:
        raise SftlintError(f"{source}: changed while fix read it ({records_read} then {report.records} records)")
    report.kept = len(kept)
    rejects_data = b"".join(rejected)
    rejects_data = gzip_if_named(rejects_data, report.rejects)
    data = subset(source, kind, kept, report.output)
    write_together([(report.output, data), (report.rejects, rejects_data)], [report.source, *reads])
    if report.output.name.lower().endswith((".jsonl", ".jsonl.gz")):
        form = "JSON Lines, one per line"
    else:
        form = "a JSON array" if kind == "json" else f"{WRITTEN_AS[kind]}, columns unchanged"
    what = "one JSON document" if kind == "json" else DESCRIPTIONS[kind]
    report.written_as = f"the input is {what}: its kept records were written as {form}"


@contextmanager
def _compressed(handle: BinaryIO, path: Path) -> Iterator[BinaryIO]:
    """`handle` itself, or a gzip stream into it when the name ends in .gz."""
    if not gzip_named(path):
        yield handle
        return
    with gzip.GzipFile(filename="", fileobj=handle, mode="wb", mtime=0) as compressed:
        yield compressed  # type: ignore[misc]


def _reject_entry(file: str, line: int, data: bytes, reasons: list[Finding]) -> bytes:
    """One line of the rejects file: where it was, why it went, the record and its exact text.

    `raw` is the original line; bytes that are not UTF-8 are kept as \\udcXX escapes, which
    `raw.encode("utf-8", "surrogateescape")` turns back into the original bytes.
    """
    text = data.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
    record, error = parse_json(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return _entry(file, line, {}, reasons, record if error is None else None, text)


def _entry(
    file: str, line: int | None, place: dict[str, int], reasons: list[Finding], record: object, text: str | None
) -> bytes:
    entry = {
        "file": file,
        "line": line,
        **place,
        "codes": list(dict.fromkeys(f.code for f in reasons)),
        "findings": [
            {"code": f.code, "slug": f.slug, "severity": f.severity.value, "message": f.message} for f in reasons
        ],
        "record": record,
        "raw": text,
    }
    if text is not None:
        try:
            return dump_json(entry, allow_nan=False) + b"\n"
        except (ValueError, RecursionError):
            # a value JSON cannot hold as parsed (1e999 read as infinity; nesting past Python's
            # limit): `raw` holds the record as written
            entry["record"] = None
    return dump_json(entry) + b"\n"


def summary(report: FixReport) -> str:
    """What was removed and why, then the verdict of the cleaned file (controls shown as escapes)."""
    lines = [f"sftlint fix: {report.source} -> {report.output}"]
    if report.written_as:
        lines.append(report.written_as)
    lines.append(f"kept {report.kept} of {report.records} records; removed {report.removed} to {report.rejects}")
    for code, count in sorted(report.removed_by.items()):
        lines.append(f"  {code:<8} {report.slugs[code]:<24} {count:>7}")
    if report.blank:
        lines.append(f"{report.blank} blank line(s) not copied")
    cleaned = report.cleaned
    if cleaned is None:
        lines.append(f"{report.output} is not a regular file: not linted again (lint the data where it lands)")
    else:
        stats = cleaned.stats
        lines.append(
            f"{report.output}: {counted(stats['records'], 'record')}, {counted(stats['usable_pairs'], 'usable pair')}"
        )
        if cleaned.verdict == "go":
            lines.append(f"GO: nothing at or above {cleaned.fail_on.value}")
        else:
            lines.append("NO-GO: " + "; ".join(cleaned.reasons))
            lines.append(f"(run `sftlint lint {report.output}` for every remaining finding)")
    return "\n".join(printable(line) for line in lines)
