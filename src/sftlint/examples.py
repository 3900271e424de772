"""Excerpts of flagged records, so the JSON result (and the report rendered from it) can show them.

Findings carry only where their record is, and most dataset checks only know which records
they flag once every record has been read, so excerpts cannot be cut during the engine's pass
without keeping text for every record. Instead, after the pass, the wanted records (by
position) are picked out in one more streaming read of each input (`sftlint.io.read_records`):
lines of JSON Lines that are not wanted are counted, never parsed, and memory holds only the
few excerpts kept. Standard input, a pipe or a FIFO
cannot be read twice, so records read from them get no excerpts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sftlint.errors import SftlintError
from sftlint.findings import Finding
from sftlint.io import display_name, parse_json, read_records, rereadable
from sftlint.records import normalise

#: characters kept of each field; longer text keeps its head and its tail around an ellipsis.
EXCERPT_CHARS = 400
#: near-duplicate clusters (and members of each) whose records get excerpts for the side-by-side view.
CLUSTERS_SHOWN = 10
MEMBERS_SHOWN = 4
ELLIPSIS = " […] "


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` cut to about `limit` characters: three quarters head, one quarter tail."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    head, end = text[: limit - tail], text[-tail:]
    head = head.rsplit(None, 1)[0] if " " in head.strip() else head  # do not cut a word in two
    end = end.split(None, 1)[-1] if " " in end.strip() else end
    return head + ELLIPSIS + end


def wanted_records(findings: Iterable[Finding], summaries: Mapping[str, Any], per_check: int) -> dict[str, set[int]]:
    """The record positions to excerpt, by file: the first `per_check` flagged records of each
    check, plus the members of the largest near-duplicate clusters (shown side by side in the report)."""
    taken: dict[str, int] = {}
    wanted: dict[str, set[int]] = {}
    for f in findings:
        if f.file is None or f.record is None or taken.get(f.code, 0) >= per_check:
            continue
        taken[f.code] = taken.get(f.code, 0) + 1
        wanted.setdefault(f.file, set()).add(f.record)
    if per_check:
        for cluster in (summaries.get("near-duplicate") or {}).get("largest", [])[:CLUSTERS_SHOWN]:
            for member in cluster.get("members", [])[:MEMBERS_SHOWN]:
                if member.get("file") is not None and isinstance(member.get("record"), int):
                    wanted.setdefault(member["file"], set()).add(member["record"])
    return wanted


def record_excerpt(file: str, line: int | None, position: int, text: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """One example: the normalised record's fields cut to size, or the raw line if it is not a record."""
    value, error = parse_json(text)
    record = normalise(value, file, line, fields)[0] if error is None else None
    if record is None:
        return {
            "file": file,
            "line": line,
            "record": position,
            "shape": None,
            "instruction": "",
            "input": "",
            "response": "",
            "label": None,
            "raw": excerpt(text),
            "chars": {"raw": len(text)},
        }
    return {
        "file": file,
        "line": line,
        "record": position,
        "shape": record.shape,
        "instruction": excerpt(record.instruction),
        "input": excerpt(record.input),
        "response": excerpt(record.response),
        "label": None if record.label is None else excerpt(record.label, 100),
        "raw": None,
        "chars": {"instruction": len(record.instruction), "input": len(record.input), "response": len(record.response)},
    }


def collect_examples(
    paths: Sequence[str],
    findings: Iterable[Finding],
    summaries: Mapping[str, Any],
    fields: Mapping[str, str],
    per_check: int,
) -> list[dict[str, Any]]:
    """Excerpts of the wanted records of every input, in file then record order."""
    wanted = wanted_records(findings, summaries, per_check)
    out: list[dict[str, Any]] = []
    for path in dict.fromkeys(paths):
        name = display_name(path)
        if name not in wanted or not rereadable(path):
            continue
        try:
            for position, line, text in read_records(path, wanted[name]):
                out.append(record_excerpt(name, line, position, text, fields))
        except SftlintError:  # the file changed or vanished since the pass: no excerpts from it
            continue
    return out
