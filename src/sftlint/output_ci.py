"""Formats for CI systems: SARIF 2.1.0 (GitHub code scanning) and JUnit XML (test report views).

Both are files for machines that people read through a web page, so every text taken from the
data goes through `printable` as in the text output; the document itself stays valid JSON or XML.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote
from xml.etree import ElementTree

from sftlint.display import placed_message, printable
from sftlint.engine import Result
from sftlint.errors import temporary_space
from sftlint.findings import Finding, Location, Severity, where
from sftlint.jsontext import indented, spliced
from sftlint.version import __version__

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.ADVICE: "note"}
_SRCROOT = "%SRCROOT%"


def _artifact(file: str, cwd: Path) -> dict[str, Any]:
    """An input's artifactLocation: relative to the working directory (the checkout, for GitHub)
    when it is inside it, else an absolute file URI. (A copy: a run names a few files, its
    findings name them again and again.)"""
    return dict(_file_artifact(file, cwd))


@lru_cache(maxsize=64)
def _file_artifact(file: str, cwd: Path) -> dict[str, Any]:
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(cwd)
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix(), errors="surrogateescape"), "uriBaseId": _SRCROOT}


def _location(loc: Location | Finding, cwd: Path) -> dict[str, Any]:
    """A physicalLocation (the line a record starts on), with the record's position in its file
    as a property: the place that tells apart the records of a one-line JSON array or a table."""
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.file or "", cwd)}
    if loc.line is not None:
        physical["region"] = {"startLine": loc.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.record is not None:
        location["properties"] = {"record": loc.record}
    return location


def _shown_lines(text: str) -> str:
    """`printable` line by line: a check's documentation keeps its line breaks."""
    return "\n".join(printable(line) for line in text.splitlines())


def _rule(check: Any) -> dict[str, Any]:
    doc = check.doc_sections()
    help_parts = [(name, doc.get(name, "")) for name in ("What it does", "Why it matters", "How to fix")]
    return {
        "id": check.code,
        "name": check.slug,
        "shortDescription": {"text": printable(check.summary_line() or check.slug)},
        "help": {"text": "\n\n".join(_shown_lines(f"{name}: {text}") for name, text in help_parts if text)},
        "defaultConfiguration": {"level": _SARIF_LEVELS[check.effective_severity]},
        "properties": {"severity": check.effective_severity.value},
    }


def to_sarif(result: Result, cwd: Path | None = None) -> dict[str, Any]:
    """The SARIF log of a run: one rule per check that ran, one result per finding.

    A finding about a whole dataset is placed on the first input file, without a line (GitHub
    code scanning needs a location for every result); one read from standard input has none.
    """
    cwd = Path(cwd or os.getcwd())
    document = _sarif_document(result, cwd)
    document["runs"][0]["results"] = list(_sarif_results(result, document, cwd))
    return document


def _sarif_document(result: Result, cwd: Path) -> dict[str, Any]:
    """The SARIF log without its results."""
    rules = [_rule(check) for check in result.checks]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "sftlint", "version": __version__, "rules": rules}},
                "originalUriBaseIds": {_SRCROOT: {"uri": cwd.as_uri().rstrip("/") + "/"}},
                "results": [],
                "invocations": [{"executionSuccessful": True}],
                "properties": {"verdict": result.verdict, "reasons": [printable(r) for r in result.reasons]},
            }
        ],
    }


def _sarif_results(result: Result, document: dict[str, Any], cwd: Path) -> Iterator[dict[str, Any]]:
    """One SARIF result per finding, in output order, made as it is read."""
    index = {rule["id"]: i for i, rule in enumerate(document["runs"][0]["tool"]["driver"]["rules"])}
    first_file = next((f for f in result.files if f != "<stdin>"), None)
    formats = result.stats.get("formats") or {}
    for f in result.findings:
        item: dict[str, Any] = {
            "ruleId": f.code,
            "level": _SARIF_LEVELS[f.severity],
            "message": {"text": printable(placed_message(f, formats))},
            "properties": {"severity": f.severity.value, "slug": f.slug},
        }
        if f.record is not None:
            item["properties"]["record"] = f.record
        if f.code in index:
            item["ruleIndex"] = index[f.code]
        if f.file is not None and f.file != "<stdin>":
            item["locations"] = [_location(f, cwd)]
        elif f.file is None and first_file is not None:
            item["locations"] = [_location(Location(first_file, None), cwd)]
        related = [r for r in f.related if r.file != "<stdin>"]
        if related:
            item["relatedLocations"] = [{"id": i, **_location(r, cwd)} for i, r in enumerate(related)]
        if f.fingerprint is not None:
            item["partialFingerprints"] = {"sftlintRecord/v1": f.fingerprint}
        yield item


def render_sarif(result: Result) -> str:
    return "".join(sarif_chunks(result))


def sarif_chunks(result: Result, cwd: Path | None = None) -> Iterator[str]:
    """`json.dumps(to_sarif(result), indent=2, ensure_ascii=False)` in pieces: the results a
    thousand at a time, each made, written and let go, so that a million findings never become
    one list of dictionaries or one string."""
    cwd = Path(cwd or os.getcwd())
    document = _sarif_document(result, cwd)
    mark = f"sftlint-results-{uuid.uuid4().hex}"  # a string no data can hold
    document["runs"][0]["results"] = mark
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # a result's depth in the document: the log, its runs, a run, its results
    items = (indented(item, " " * 8) for item in _sarif_results(result, document, cwd))
    yield from spliced(text, "results", mark, items, depth=4)


#: What XML 1.0 cannot hold even as a character reference, after `printable`: lone surrogates
#: and the two non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def _case(name: str, classname: str, **attrs: str) -> ElementTree.Element:
    return ElementTree.Element(
        "testcase", {"name": _xml(name), "classname": _xml(classname), **{k: _xml(v) for k, v in attrs.items()}}
    )


def _testcase(suite: ElementTree.Element, name: str, classname: str, **attrs: str) -> ElementTree.Element:
    case = _case(name, classname, **attrs)
    suite.append(case)
    return case


def _suite(root: ElementTree.Element, name: str, tests: int, failures: int) -> ElementTree.Element:
    attrs = {"name": _xml(name), "tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0"}
    return ElementTree.SubElement(root, "testsuite", attrs)


def _finding_case(f: Finding, formats: dict[str, str] | None) -> ElementTree.Element:
    """A finding's test case: failed when it is an error or a warning, else passed with its
    message as output."""
    attrs = {"file": f.file} if f.file is not None else {}
    attrs |= {"line": str(f.line)} if f.line is not None else {}
    attrs |= {"record": str(f.record)} if f.record is not None else {}
    at = where(f.file, f.line, f.record, formats)
    case = _case(at, f"sftlint.{f.code}", **attrs)
    detail = f"{at}: {f.code} {f.slug} {f.message} [{f.severity.value}]"
    if f.severity.rank >= Severity.WARNING.rank:
        failure = ElementTree.SubElement(case, "failure", {"message": _xml(f.message), "type": f.severity.value})
        failure.text = _xml(detail)
    else:
        ElementTree.SubElement(case, "system-out").text = _xml(detail)
    return case


#: text of one check's test cases held in memory before it goes to a temporary file
_SPOOL_CHARS = 1 << 20
_CASE_PAD = "\n    "  # a test case's depth in the document: testsuites, a testsuite


def junit_chunks(result: Result) -> Iterator[str]:
    """JUnit XML: a `verdict` suite (fails on NO-GO), then one suite per check that ran, in pieces.

    A check with no findings is one passing test; each finding is a test of its own. The suites
    group the findings by check, which come in record order: each finding's test case is written,
    as it is read, to its check's spool (memory, then a temporary file), so that a million findings
    never make one tree or one string. The text is what `ElementTree.indent` and `tostring` make
    of the whole tree (`tests/test_ci_outputs.py` holds them to it).
    """
    slugs = {check.code: check.slug for check in result.checks}
    spools: dict[str, IO[str]] = {}
    tallies: dict[str, list[int]] = {code: [0, 0] for code in slugs}  # tests, failures
    formats = result.stats.get("formats")
    try:
        for f in result.findings:
            slugs.setdefault(f.code, f.slug)
            tally = tallies.setdefault(f.code, [0, 0])
            spool = spools.get(f.code)
            if spool is None:
                with temporary_space():
                    spool = spools[f.code] = tempfile.SpooledTemporaryFile(
                        _SPOOL_CHARS, "w+", encoding="utf-8", newline="", prefix="sftlint-junit-"
                    )
            case = _finding_case(f, formats)
            ElementTree.indent(case, level=2)
            with temporary_space():
                spool.write(_CASE_PAD + ElementTree.tostring(case, encoding="unicode"))
            tally[0] += 1
            tally[1] += f.severity.rank >= Severity.WARNING.rank
        yield from _junit_document(result, slugs, tallies, spools)
    finally:
        for spool in spools.values():
            spool.close()


def _junit_document(
    result: Result, slugs: dict[str, str], tallies: dict[str, list[int]], spools: dict[str, IO[str]]
) -> Iterator[str]:
    """The document around the spooled test cases: its skeleton is one small tree, each check's
    cases stood for by a mark that no data can hold."""
    no_go = result.verdict == "no-go"
    failed = sum(failures for _, failures in tallies.values())
    tests = 1 + sum(max(count, 1) for count, _ in tallies.values())
    root = ElementTree.Element(
        "testsuites", {"name": "sftlint", "tests": str(tests), "failures": str(failed + no_go), "errors": "0"}
    )
    verdict = _suite(root, "sftlint", 1, int(no_go))
    case = _testcase(verdict, "verdict", "sftlint")
    if no_go:
        reasons = result.reasons
        failure = ElementTree.SubElement(case, "failure", {"message": _xml("NO-GO: " + "; ".join(reasons))})
        failure.text = "\n".join(_xml(reason) for reason in reasons)
    mark = f"sftlint-cases-{uuid.uuid4().hex}"
    for code, (count, failures) in tallies.items():
        suite = _suite(root, f"{code} {slugs[code]}", max(count, 1), failures)
        if count:
            suite.text = mark
        else:
            _testcase(suite, "no findings", f"sftlint.{code}")
    ElementTree.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode")
    parts = text.split(mark)
    yield parts[0]
    for code, part in zip((code for code, (count, _) in tallies.items() if count), parts[1:], strict=True):
        spool = spools[code]
        spool.seek(0)
        while piece := spool.read(_SPOOL_CHARS):
            yield piece
        yield "\n  " + part  # the suite's closing tag at its depth, and what follows up to the next mark


def render_junit(result: Result) -> str:
    return "".join(junit_chunks(result))
