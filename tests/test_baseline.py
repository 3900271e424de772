"""Baseline: accepted findings stay accepted when lines move; new findings still fail; stale entries are reported."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import REAL_DATA
from sftlint.cli import cli
from sftlint.errors import SftlintError
from sftlint.schema import json_schema

REAL = REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl"


def real_records(start: int, n: int) -> list[dict]:
    with REAL.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle][start : start + n]


def write(path: Path, items: list) -> Path:
    """Objects as JSON lines; str items are written as raw lines."""
    path.write_text(
        "".join((i if isinstance(i, str) else json.dumps(i, ensure_ascii=False)) + "\n" for i in items),
        encoding="utf-8",
    )
    return path


# The baseline works the same for every check; these tests use the format, empty and duplicate
# checks, whose findings on the real records below are fixed, not the content heuristics.
SCOPE = ("--select", "SFT0,SFT101,SFT102,SFT103,SFT2")


def lint(*args: object) -> tuple[int, dict | str]:
    """`sftlint lint`; JSON output is parsed; sftlint's own errors become exit 2, as in `main`."""
    result = CliRunner().invoke(cli, ["lint", *[str(a) for a in args], *SCOPE])
    if isinstance(result.exception, SftlintError):
        return 2, str(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 2:
        return 2, result.output
    out = result.stdout
    return result.exit_code, json.loads(out) if "--format" in args and "json" in args else out


def defects(out: dict) -> list[tuple[str, int | None]]:
    """(code, line) of every finding but advice (guidance, never baselined)."""
    return [(f["code"], f["line"]) for f in out["findings"] if f["severity"] != "advice"]


EMPTY = {"instruction": "Name the capital of Peru.", "output": ""}
PLACEHOLDER = {"instruction": "Give the boiling point of water at sea level.", "output": "N/A"}


@pytest.fixture
def legacy(tmp_path: Path) -> tuple[Path, list]:
    """A dataset a team already has: real records with defects they accept for now."""
    good = real_records(0, 30)
    items = [*good[:10], EMPTY, *good[10:20], "{truncated", good[4], *good[20:]]
    return write(tmp_path / "train.jsonl", items), items


def test_write_baseline_then_lint_with_it_is_go(legacy, tmp_path):
    path, _ = legacy
    baseline = tmp_path / ".sftlint-baseline.json"
    code, before = lint(path, "--format", "json")
    assert code == 1 and {code for code, _ in defects(before)} == {"SFT001", "SFT101", "SFT103", "SFT201"}
    code, _ = lint(path, "--write-baseline", baseline)
    assert code == 0
    data = json.loads(baseline.read_text())
    assert data["tool"] == "sftlint" and data["format"] == 1
    assert sorted(e["code"] for e in data["findings"]) == ["SFT001", "SFT101", "SFT103", "SFT201"]
    assert all(e["count"] == 1 for e in data["findings"])
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert code == 0 and out["verdict"] == "go" and defects(out) == []
    assert {f["code"] for f in out["findings"]} == {f["code"] for f in before["findings"] if f["severity"] == "advice"}
    assert out["baseline"] == {"file": str(baseline), "suppressed": 4, "stale": []}
    jsonschema.validate(out, json_schema())


def test_baseline_survives_inserted_and_removed_lines(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    more = real_records(40, 5)
    write(
        path, [*more, *items[:5], *items[6:], *real_records(50, 3)]
    )  # lines above, one clean line removed, lines below
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert code == 0 and defects(out) == [], out["findings"]
    assert out["baseline"]["suppressed"] == 4 and out["baseline"]["stale"] == []


def test_baseline_survives_a_reexport_with_other_key_order_and_escapes(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    reexported = [i if isinstance(i, str) else json.dumps(dict(reversed(list(i.items()))), indent=None) for i in items]
    path.write_text("\r\n".join(reexported) + "\r\n", encoding="utf-8")
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert code == 0 and out["baseline"]["suppressed"] == 4


def test_suppressed_findings_get_no_excerpts_in_the_json_and_report(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    write(path, [*items, PLACEHOLDER])
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert [(e["line"], e["response"]) for e in out["examples"]] == [(len(items) + 1, "N/A")]


def test_new_findings_still_fail(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    write(path, [*items[:3], PLACEHOLDER, *items[3:]])
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert code == 1 and out["verdict"] == "no-go"
    assert defects(out) == [("SFT101", 4)]
    assert out["baseline"]["suppressed"] == 4


def test_another_copy_of_an_accepted_duplicate_is_new(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    write(path, [*items, items[4]])  # a third copy of the record already duplicated once
    code, out = lint(path, "--baseline", baseline, "--format", "json", "--fail-on", "warning")
    assert code == 1
    # the copy, and the share of copies it takes past SFT103's limit (2 of 34): neither was accepted
    assert defects(out) == [("SFT103", None), ("SFT103", len(items) + 1)]


def test_stale_entries_are_reported_and_do_not_fail(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    write(path, [i for i in items if i is not EMPTY])  # the empty response was fixed
    code, out = lint(path, "--baseline", baseline, "--format", "json")
    assert [(e["code"], e["line"], e["message"]) for e in out["baseline"]["stale"]] == [
        ("SFT101", 11, "response is empty")
    ]
    assert out["baseline"]["suppressed"] == 3 and out["verdict"] == "go" and code == 0
    code, text = lint(path, "--baseline", baseline)
    assert "baseline: 1 stale entry no longer found (fixed or removed); rewrite it with --write-baseline" in text
    assert f"SFT101 first seen at {path}:11: response is empty" in text


def test_baseline_from_config_relative_to_the_config_file(legacy, tmp_path, monkeypatch):
    path, _ = legacy
    (tmp_path / "data").mkdir()
    (tmp_path / "sftlint.toml").write_text('baseline = "data/accepted.json"\n')
    lint(path, "--write-baseline", tmp_path / "data" / "accepted.json")
    monkeypatch.chdir(tmp_path / "data")
    code, out = lint(path, "--format", "json")
    assert code == 0 and out["baseline"]["file"] == str(tmp_path / "data" / "accepted.json")


def test_missing_or_malformed_baseline_is_an_error(legacy, tmp_path):
    path, _ = legacy
    code, message = lint(path, "--baseline", tmp_path / "nope.json")
    assert code == 2 and "baseline file not found" in message
    (tmp_path / "bad.json").write_text('{"findings": [{"code": "SFT101"}]}')
    code, message = lint(path, "--baseline", tmp_path / "bad.json")
    assert code == 2 and "not a sftlint baseline" in message


def test_write_baseline_refuses_an_input(legacy):
    path, _ = legacy
    before = path.read_bytes()
    code, message = lint(path, "--write-baseline", path)
    assert code == 2 and "refusing to overwrite an input" in message
    assert path.read_bytes() == before


def test_fingerprints_only_when_asked_and_identical_records_share_one(tmp_path):
    path = write(tmp_path / "d.jsonl", [EMPTY, EMPTY, "{bad", "{bad"])
    code, out = lint(path, "--format", "json")
    assert all("fingerprint" not in f for f in out["findings"])
    code, out = lint(path, "--format", "json", "--write-baseline", tmp_path / "b.json")
    entries = json.loads((tmp_path / "b.json").read_text())["findings"]
    counts = {(e["code"], e["count"]) for e in entries}
    assert ("SFT101", 2) in counts and ("SFT001", 2) in counts and ("SFT103", 1) in counts


def test_github_format_shows_the_baseline(legacy, tmp_path):
    path, items = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    write(path, [*items, PLACEHOLDER])
    code, text = lint(path, "--baseline", baseline, "--format", "github")
    lines = [line for line in text.splitlines() if not line.startswith("::notice")]  # advice is never baselined
    assert code == 1
    assert (
        lines[0]
        == f"::error file={path},line={len(items) + 1},title=SFT101 empty-response::response is a placeholder ('N/A')"
    )
    assert f"sftlint baseline {baseline}: 4 accepted finding(s) suppressed" in lines


def test_a_dataset_wide_finding_is_accepted_for_its_own_dataset_only(tmp_path):
    """SFT201 (too few pairs) was keyed by no file: a baseline written for one dataset turned
    any other too-small dataset GO."""
    first = write(tmp_path / "first.jsonl", real_records(0, 3))
    other = write(tmp_path / "other.jsonl", real_records(3, 2))
    base = tmp_path / "base.json"
    code, _ = lint(first, "--write-baseline", base, "--format", "json")
    assert code == 0 and any(e["key"] == f"dataset:{first}" for e in json.loads(base.read_text())["findings"])
    code, out = lint(other, "--baseline", base, "--format", "json")
    assert code == 1 and ("SFT201", None) in defects(out)
    code, out = lint(first, "--baseline", base, "--format", "json")
    assert code == 0 and defects(out) == []


def _sums(numbers) -> list[dict]:
    return [{"instruction": f"What is {i} plus {i}?", "output": f"{i} plus {i} is {2 * i}."} for i in numbers]


def test_an_accepted_rate_of_copies_fails_again_once_it_grows(tmp_path):
    """SFT103's rate past max_rate was accepted by code and files alone: a dataset that grew from
    5.7 % to 37.5 % exact copies was GO under the baseline."""
    path = write(tmp_path / "train.jsonl", _sums([*range(100), *range(6)]))
    base = tmp_path / "base.json"
    assert lint(path, "--write-baseline", base, "--format", "json")[0] == 0
    entries = [e for e in json.loads(base.read_text())["findings"] if e["key"].startswith("dataset:")]
    rates = {e["code"]: e["rate"] for e in entries}
    assert rates["SFT103"] == pytest.approx(6 / 106) and rates["SFT201"] is None  # a size is no rate
    assert lint(path, "--baseline", base, "--format", "json")[0] == 0  # the same rate: accepted
    write(path, _sums([*range(100), *range(60)]))
    code, out = lint(path, "--baseline", base, "--format", "json")
    assert code == 1 and ("SFT103", None) in defects(out) and out["baseline"]["stale"] == []
    write(path, _sums([*range(100), *range(4)]))  # fewer copies: still accepted (no error: 3.8 %)
    code, out = lint(path, "--baseline", base, "--format", "json")
    assert code == 0 and ("SFT103", None) not in defects(out)


def test_entries_of_checks_that_did_not_run_are_not_stale(legacy, tmp_path):
    """With --select, the accepted empty response was "no longer found (fixed or removed)", with
    advice to rewrite the baseline, which would have dropped it."""
    path, _ = legacy
    baseline = tmp_path / "baseline.json"
    lint(path, "--write-baseline", baseline)
    result = CliRunner().invoke(cli, ["lint", str(path), "--baseline", str(baseline), "--format", "json",
                                      "--select", "SFT103"])  # fmt: skip
    assert json.loads(result.stdout)["baseline"]["stale"] == []


@pytest.mark.parametrize(
    ("baseline", "says"),
    [
        ({}, "no tool, format, findings"),
        ({"tool": "sftlint", "format": 1}, "no findings"),
        ({"tool": "sftlint", "format": True, "findings": []}, "format: Input should be a valid integer"),
        ({"tool": "sftlint", "format": 1, "findings": [{"code": "SFT101", "key": "k", "count": "5"}]}, "count"),
        ({"tool": "sftlint", "format": 1, "findings": [{"code": "SFT101", "key": "k"}] * 2}, "findings.1 repeats"),
    ],
)
def test_a_baseline_that_is_not_one_as_written_is_an_error(tmp_path, baseline, says):
    data = write(tmp_path / "d.jsonl", real_records(0, 3))
    path = tmp_path / "base.json"
    path.write_text(json.dumps(baseline))
    code, message = lint(data, "--baseline", path)
    assert code == 2 and "not a sftlint baseline" in message and says in message, message
