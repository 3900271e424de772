"""Output formats: text for people, JSON for pipelines (the stable contract), GitHub annotations."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import click

from sftlint.baseline import describe as describe_baseline
from sftlint.check import Check
from sftlint.display import UNPRINTABLE, counted, placed_message, printable
from sftlint.engine import Result, widespread
from sftlint.findings import Finding, Location, Severity, where
from sftlint.jsontext import encode_string, indented, spliced
from sftlint.output_ci import junit_chunks, render_junit, render_sarif, sarif_chunks
from sftlint.version import __version__

FORMATS = ("text", "json", "github", "sarif", "junit")


def to_dict(result: Result, findings: bool = True) -> dict[str, Any]:
    """The JSON document of DESIGN.md's output contract (validated by `sftlint.schema`);
    without `findings`, the rest of it (`json_chunks` writes the findings one at a time)."""
    return {
        "tool": "sftlint",
        "version": __version__,
        "verdict": result.verdict,
        "fail_on": result.fail_on.value,
        "reasons": result.reasons,
        "files": result.files,
        "stats": result.stats,
        "checks": [
            {**row, "doc": check_doc(check)} for row, check in zip(result.check_rows(), result.checks, strict=True)
        ],
        "findings": [f.to_dict() for f in result.findings] if findings else [],
        "summaries": result.summaries,
        "config": result.config,
        "examples": result.examples,
        **({"baseline": result.baseline} if result.baseline is not None else {}),
    }


def check_doc(check: Check) -> dict[str, Any]:
    """The parts of a check's docstring the report shows, and the labels of its summary's keys,
    so the report renders without the check installed."""
    doc = check.doc_sections()
    return {
        "summary": doc.get("summary", ""),
        "why": doc.get("Why it matters", ""),
        "fix": doc.get("How to fix", ""),
        "summary_labels": dict(check.summary_labels),
    }


#: The characters of UNPRINTABLE that json.dumps leaves raw (DEL, C1 controls, separators, bidi
#: overrides) as JSON escapes: the same JSON value, nothing a terminal acts on when it is printed.
#: Lone surrogates too (a record's "\\ud83d" without its pair): as escapes the document is valid
#: UTF-8 wherever it is written, not only through a stream that writes them as escapes.
_ESCAPED = [c for c in UNPRINTABLE if c >= 0x20] + list(range(0xD800, 0xE000))
_JSON_ESCAPES = str.maketrans({c: f"\\u{c:04x}" for c in _ESCAPED})


def render_json(result: Result) -> str:
    return "".join(json_chunks(result))


#: stands for the findings while the rest of the document is rendered (a string no data can hold)
_FINDINGS_MARK = f"sftlint-findings-{uuid.uuid4().hex}"


def json_chunks(result: Result) -> Iterator[str]:
    """The JSON document of `to_dict`, in pieces: the findings a few thousand at a time.

    A run can have a million findings; as one dictionary and one string they took more memory
    than the whole lint. The text is exactly `json.dumps(to_dict(result), indent=2)`: each
    finding is written alone (`_finding_json`) and indented to its depth in the document.
    """
    document = to_dict(result, findings=False)
    document["findings"] = _FINDINGS_MARK
    findings = map(_finding_json, result.findings)
    yield from spliced(_dumps(document), "findings", _FINDINGS_MARK, findings, depth=2, per_piece=_FINDINGS_PER_CHUNK)


#: findings joined into one piece of the JSON output
_FINDINGS_PER_CHUNK = 1000


def _finding_json(finding: Finding) -> str:
    """`indented(finding.to_dict(), "    ")` with `_JSON_ESCAPES`, the fields every finding has
    written in their fixed order without building the dictionary (a run can have a million)."""
    if type(finding) is not Finding:  # a subclass may write its own dictionary
        return _escaped(indented(finding.to_dict(), _FINDING_PAD))
    related = finding.related
    places = "[\n        " + ",\n        ".join(map(_location_json, related)) + "\n      ]" if related else "[]"
    text = (
        f'{{\n      "code": {indented(finding.code, _FIELD_PAD)},'
        f'\n      "slug": {indented(finding.slug, _FIELD_PAD)},'
        f'\n      "severity": {indented(finding.severity.value, _FIELD_PAD)},'
        f'\n      "file": {indented(finding.file, _FIELD_PAD)},'
        f'\n      "line": {indented(finding.line, _FIELD_PAD)},'
        f'\n      "record": {indented(finding.record, _FIELD_PAD)},'
        f'\n      "message": {indented(finding.message, _FIELD_PAD)},'
        f'\n      "related": {places},'
        f'\n      "score": {indented(finding.score, _FIELD_PAD)}'
    )
    if finding.data:
        text += f',\n      "data": {indented(finding.data, _FIELD_PAD)}'
    if finding.fingerprint is not None:
        text += f',\n      "fingerprint": {indented(finding.fingerprint, _FIELD_PAD)}'
    return _escaped(text + "\n    }")


#: a finding's indentation in the document, and its fields'
_FINDING_PAD = "    "
_FIELD_PAD = "      "


def _location_json(location: Location) -> str:
    """A related place as `indented(location.to_dict(), ...)` writes it in a finding; a place
    in a file with lines (every JSON Lines finding) without a call per field."""
    if type(location) is Location:
        file, line, record = location.file, location.line, location.record
        if type(file) is str and type(line) is int and type(record) is int:
            return (
                f'{{\n{_PLACE_PAD}"file": {encode_string(file)},'
                f'\n{_PLACE_PAD}"line": {line},\n{_PLACE_PAD}"record": {record}\n        }}'
            )
    return indented(location.to_dict(), "        ")


_PLACE_PAD = " " * 10  # the fields of a related place: a list and a dictionary deeper than the finding's


#: the characters `_JSON_ESCAPES` replaces, to look for before translating (most text has none)
_NEEDS_ESCAPES = re.compile("[" + "".join(re.escape(chr(c)) for c in UNPRINTABLE if c >= 0x20) + "\ud800-\udfff]")


def _escaped(text: str) -> str:
    """`text.translate(_JSON_ESCAPES)`, skipped where there is nothing to replace."""
    needs = "\x7f" in text if text.isascii() else _NEEDS_ESCAPES.search(text) is not None
    return text.translate(_JSON_ESCAPES) if needs else text


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)


def use_colour(choice: str, stream: Any) -> bool:
    """Whether to colour: `--color always|never`, else the environment's conventions
    (no-color.org: a non-empty NO_COLOR turns colour off; force-color.org: a non-empty
    FORCE_COLOR turns it on; NO_COLOR wins when both are set), else only on a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(stream.isatty())


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue", Severity.ADVICE: "cyan"}


def render_text(result: Result) -> str:
    """`file:line: CODE slug message [severity]` lines (`file[record]:` where lines do not identify
    records), a per-check summary and the verdict line.

    The severity is spelled out so that errors and warnings differ in a log without colours.
    Everything but sftlint's own colours goes through `printable`.
    """
    return "".join(text_chunks(result))


#: finding lines joined into one piece of the text output
_LINES_PER_CHUNK = 2000


def text_chunks(result: Result) -> Iterator[str]:
    """`render_text` in pieces of a few thousand lines: a million findings never make one string."""
    lines = _text_lines(result)
    yield "\n".join(islice(lines, _LINES_PER_CHUNK))
    while more := list(islice(lines, _LINES_PER_CHUNK)):
        yield "\n" + "\n".join(more)


def _text_lines(result: Result) -> Iterator[str]:
    """Every line of the text output: the findings, then `_text_end`."""
    formats = result.stats.get("formats")
    styled: dict[tuple[str, str, Severity], tuple[str, str]] = {}  # a check's code and severity, once
    advice = []  # shown after the findings: kept from the same reading
    for f in result.findings:
        if f.severity is Severity.ADVICE:
            advice.append(f)
            continue
        check = (f.code, f.slug, f.severity)
        if (shown := styled.get(check)) is None:
            colour = _COLOURS[f.severity]
            code = click.style(printable(f.code), fg=colour, bold=True)
            shown = styled[check] = (f"{code} {printable(f.slug)}", click.style(f"[{f.severity.value}]", fg=colour))
        at = where(f.file, f.line, f.record, formats)
        yield f"{printable(at)}: {shown[0]} {printable(f.message)} {shown[1]}"
    yield from _text_end(result, advice)


def dataset_line(stats: dict, files: int | list[str], sep: str = "") -> str:
    """What was read: "359 records in 1 file: 355 valid (alpaca), 345 usable pairs" (`sep`: ","
    groups thousands); records given in memory ("<DataFrame>") are "in a DataFrame". The shapes
    the valid records were read as ("(chat 30, sharegpt 2)") show a file read as another shape
    than meant before its findings are read."""
    where = f"in {counted(files, 'file')}" if isinstance(files, int) else _where(files)
    shapes = stats.get("shapes") or {}
    if len(shapes) == 1:
        read_as = f" ({next(iter(shapes))})"
    else:
        read_as = " (" + ", ".join(f"{shape} {count:{sep}}" for shape, count in shapes.items()) + ")" if shapes else ""
    return (
        f"{counted(stats['records'], 'record', sep)} {where}: {stats['valid']:{sep}} valid"
        f"{read_as}, {counted(stats['usable_pairs'], 'usable pair', sep)}"
    )


#: what the library calls records given in memory (`sftlint.api`), as the dataset line says it
_IN_MEMORY = {"<records>": "given in memory", "<DataFrame>": "in a DataFrame", "<Dataset>": "in a Dataset"}


def _where(files: list[str]) -> str:
    """Where records came from: "in 2 files", or "in a DataFrame" for records given in memory."""
    if len(files) == 1 and files[0] in _IN_MEMORY:
        return _IN_MEMORY[files[0]]
    return f"in {counted(len(files), 'file')}"


def _text_end(result: Result, advice: list[Finding]) -> list[str]:
    """The lines after the findings: `advice`, the table of checks, the verdict."""
    lines = []
    formats = result.stats.get("formats")
    if advice:
        lines += ["", "Before you fine-tune:"]
        lines += [printable(f"  {f.code} {f.slug}: {f.message}") for f in advice]
    stats = result.stats
    lines += ["", dataset_line(stats, len(result.files))]
    check_rows = result.check_rows(found_severity=True)  # a pass over every finding: once
    rows = [r for r in check_rows if r["count"]]
    if rows:
        lines.append(f"{'code':<8} {'check':<24} {'severity':<9} {'count':>7} {'rate':>8}")
        for r in rows:
            rate = f"{r['rate']:.1%}" if r["records"] else "-"  # dataset-wide findings have no rate
            lines.append(printable(f"{r['code']:<8} {r['slug']:<24} {r['severity']:<9} {r['count']:>7} {rate:>8}"))
    lines.append(f"{len(result.checks)} checks ran, {len({r['code'] for r in rows})} with findings")
    if result.baseline is not None:
        lines += [printable(line) for line in describe_baseline(result.baseline, formats)]
    rows = widespread(check_rows, set(result.tally().failing))
    if rows:
        shares = [
            f"{r['code']} {r['slug']} ({r['severity']}): {r['records']} of {stats['records']} records ({r['rate']:.1%})"
            for r in rows
        ]
        lines.append(printable("Flagged on a large share of the records: " + "; ".join(shares)))
    lines.append(_verdict_line(result))
    return lines


def _verdict_line(result: Result) -> str:
    if result.verdict == "go":
        return click.style("GO", fg="green", bold=True) + f": nothing at or above {result.fail_on.value}"
    return click.style("NO-GO", fg="red", bold=True) + ": " + printable("; ".join(result.reasons))


def render_statistics(result: Result) -> str:
    """`--statistics`: one `count code slug severity` line per check with findings, then the verdict."""
    rows = [r for r in result.check_rows(found_severity=True) if r["count"]]
    width = max((len(str(r["count"])) for r in rows), default=1)
    lines = [printable(f"{r['count']:>{width}} {r['code']:<8} {r['slug']:<24} {r['severity']}").rstrip() for r in rows]
    return "\n".join([*lines, _verdict_line(result)])


def _escape(value: str, properties: bool = False) -> str:
    """A workflow command's data: GitHub's own escapes (a newline is %0A, shown as a line break in
    the annotation, never read as a command), every other control shown (`printable`)."""
    value = printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    return value.replace(":", "%3A").replace(",", "%2C") if properties else value


_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.ADVICE: "notice"}


def render_github(result: Result) -> str:
    """GitHub Actions workflow commands: one annotation per finding, then the verdict.

    An annotation points at the line a record starts on; where lines do not identify records
    (a JSON array, a table) the message starts with the record's position ("record 3: ...").
    """
    lines = []
    formats = result.stats.get("formats") or {}
    for f in result.findings:
        props = []
        if f.file is not None and f.file != "<stdin>":
            props.append(f"file={_escape(f.file, True)}")
            if f.line is not None:
                props.append(f"line={f.line}")
        props.append(f"title={_escape(f'{f.code} {f.slug}', True)}")
        lines.append(f"::{_LEVELS[f.severity]} {','.join(props)}::{_escape(placed_message(f, formats))}")
    if result.baseline is not None:
        lines += [f"sftlint {printable(line.strip())}" for line in describe_baseline(result.baseline, formats)]
    verdict = "GO" if result.verdict == "go" else "NO-GO: " + "; ".join(result.reasons)
    lines.append(f"sftlint {printable(verdict)}")
    return "\n".join(lines)


def _markdown(text: str) -> str:
    """Record content as literal Markdown: shown escaped (`printable`), every ASCII punctuation
    backslash-escaped, so a message can neither add HTML, links or emphasis nor break a table."""
    return re.sub(r"([!-/:-@\\[-`{-~])", r"\\\1", printable(text))


def render_step_summary(result: Result) -> str:
    """The Markdown a GitHub Actions job page shows: the verdict, its reasons, one row per check."""
    title = "GO" if result.verdict == "go" else "NO-GO"
    lines = [f"## sftlint: {title}", ""]
    if result.verdict == "go":
        lines.append(f"Nothing at or above {result.fail_on.value}.")
    lines += [f"- {_markdown(reason)}" for reason in result.reasons]
    stats = result.stats
    lines += [
        "",
        dataset_line(stats, len(result.files)) + ".",
        "",
        "| code | check | severity | findings | records flagged |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for r in result.check_rows(found_severity=True):
        row = [_markdown(str(r[key])) for key in ("code", "slug", "severity", "count", "records")]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
    "junit": render_junit,
}
#: the formats written in pieces (`render_chunks`): a million findings never become one string
_IN_PIECES = {"text": text_chunks, "json": json_chunks, "sarif": sarif_chunks, "junit": junit_chunks}


def render_chunks(result: Result, fmt: str) -> Iterable[str]:
    """The output of `fmt` in pieces that, joined, are `RENDERERS[fmt](result)`."""
    chunks = _IN_PIECES.get(fmt)
    return chunks(result) if chunks is not None else [RENDERERS[fmt](result)]
