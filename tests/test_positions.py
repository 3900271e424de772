"""Where a finding is: every finding names its record's position (`record`) besides its `line`.

Through the real CLI. A JSON array, on one line or pretty-printed, gives the findings the same
records give in JSON Lines (duplicates and dataset checks included); text output writes
`file:line` for JSON Lines and `file[record]` where lines do not identify records.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, pair


def sftlint(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], capture_output=True)


def lint_json(path: Path, *args: str) -> dict:
    proc = sftlint("lint", path, "--format", "json", "--preview", "--examples", "2", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def sample_records() -> list[object]:
    """The parsed records of the NO-GO sample: duplicates, near-duplicates, empty fields, ..."""
    records = []
    for line in (REPO / "sample_data" / "support_nogo.jsonl").read_bytes().splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def comparable(out: dict) -> tuple[list[tuple], dict, list[tuple]]:
    """What must not depend on the format: codes, records flagged, messages (a place in a message
    is "line N" in JSON Lines and "record N" elsewhere), related records, stats, excerpts."""
    found = [
        (
            f["code"],
            f["record"],
            f["severity"],
            f["message"].replace(out["files"][0], "FILE").replace("record ", "line "),
            [r["record"] for r in f["related"]],
        )
        for f in out["findings"]
    ]
    stats = {key: out["stats"][key] for key in ("records", "valid", "usable_pairs", "shapes", "unusable")}
    excerpts = [(e["record"], e["instruction"], e["response"]) for e in out["examples"]]
    return found, stats, excerpts


@pytest.mark.parametrize("layout", ["one line", "pretty"])
def test_a_json_array_gives_the_findings_of_the_same_records_in_json_lines(tmp_path, layout):
    records = sample_records()
    lines = tmp_path / "data.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    array = tmp_path / "data.json"
    array.write_text(json.dumps(records) if layout == "one line" else json.dumps(records, indent=2))
    expected, got = lint_json(lines), lint_json(array)
    codes = {f["code"] for f in expected["findings"]}
    assert {"SFT103", "SFT104", "SFT101"} <= codes  # copies, near copies and a defect of one record
    assert any(f["file"] is None for f in expected["findings"])  # and a dataset-level finding
    assert comparable(got) == comparable(expected)
    assert got["stats"]["formats"] == {str(array): "json"} and expected["stats"]["formats"] == {str(lines): "jsonl"}
    if layout == "one line":
        assert {f["line"] for f in got["findings"] if f["record"] is not None} == {1}
    else:  # each element starts on its own line of the pretty-printed file
        assert len({f["line"] for f in got["findings"] if f["record"] is not None}) == len(
            {f["record"] for f in got["findings"] if f["record"] is not None}
        )


def test_copies_in_a_one_line_array_are_found_and_named_by_record(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([pair("First?"), pair("Second?"), pair("First?"), pair("Third?", "")]))
    out = lint_json(path, "--select", "SFT103,SFT101")
    placed = [f for f in out["findings"] if f["record"] is not None]  # besides SFT103's share of copies (1 in 4)
    assert [(f["code"], f["line"], f["record"], f["message"]) for f in placed] == [
        ("SFT103", 1, 3, "exact duplicate of record 1"),
        ("SFT101", 1, 4, "response is empty"),
    ]
    assert placed[0]["related"] == [{"file": str(path), "line": 1, "record": 1}]
    assert out["stats"]["usable_pairs"] == 2
    text = sftlint("lint", path, "--select", "SFT103,SFT101").stdout.decode()
    assert f"{path}[3]: SFT103 exact-duplicate exact duplicate of record 1" in text
    assert f"{path}[4]: SFT101 empty-response response is empty" in text
    assert "SFT101 empty-response: response is empty (record 4)" in text  # the verdict's reason
    github = sftlint("lint", path, "--select", "SFT103,SFT101", "--format", "github").stdout.decode()
    assert f"::error file={path},line=1,title=SFT101 empty-response::record 4: response is empty" in github


def test_in_json_lines_the_record_counts_records_and_the_line_counts_lines(tmp_path):
    """Record N is the Nth non-blank line: a broken line is a record, a blank line is not."""
    path = tmp_path / "data.jsonl"
    path.write_text(
        "\n".join([json.dumps(pair("First?")), "", "{broken", "", json.dumps(pair("Second?", "")), ""]) + "\n"
    )
    out = lint_json(path, "--select", "SFT001,SFT101")
    assert [(f["code"], f["line"], f["record"]) for f in out["findings"]] == [("SFT001", 3, 2), ("SFT101", 5, 3)]
    assert [(e["line"], e["record"]) for e in out["examples"]] == [(3, 2), (5, 3)]
    text = sftlint("lint", path, "--select", "SFT001,SFT101").stdout.decode()
    assert f"{path}:3: SFT001" in text and f"{path}:5: SFT101" in text
    github = sftlint("lint", path, "--select", "SFT101", "--format", "github").stdout.decode()
    assert f"::error file={path},line=5,title=SFT101 empty-response::response is empty" in github


def test_the_baseline_keeps_the_record_and_a_stale_entry_is_named_as_text_names_it(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps([pair("First?"), pair("Second?", "")]))
    baseline = tmp_path / "baseline.json"
    assert sftlint("lint", path, "--select", "SFT101", "--write-baseline", baseline).returncode == 0
    (entry,) = json.loads(baseline.read_text())["findings"]
    assert (entry["line"], entry["record"]) == (1, 2)
    path.write_text(json.dumps([pair("First?"), pair("Second?")]))  # fixed: the entry is stale
    text = sftlint("lint", path, "--select", "SFT101", "--baseline", baseline).stdout.decode()
    assert f"SFT101 first seen at {path}[2]: response is empty" in text


def test_a_saved_result_without_record_positions_still_makes_a_report(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(pair("First?")) + "\n\n" + json.dumps(pair("Second?", "")) + "\n")
    out = lint_json(path)
    for place in [*out["findings"], *out["examples"]]:
        place.pop("record", None)
    del out["stats"]["formats"]
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(out))
    report = tmp_path / "report.html"
    proc = sftlint("report", saved, "-o", report)
    assert proc.returncode == 0, proc.stderr
    assert "line 3" in report.read_text()


def test_a_record_position_below_one_is_refused_by_report(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(pair("Second?", "")) + "\n")
    out = lint_json(path)
    out["findings"][0]["record"] = 0
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(out))
    proc = sftlint("report", saved, "-o", tmp_path / "r.html")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.startswith("sftlint: error: ") and "record" in err, err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("kind", ["csv", "tsv"])
def test_a_compressed_csv_or_tsv_file_is_read_as_the_plain_one(tmp_path, kind):
    sep = "\t" if kind == "tsv" else ","
    text = f"instruction{sep}output\nFirst?{sep}An answer that is long enough.\nSecond?{sep}\n"
    plain, packed = tmp_path / f"data.{kind}", tmp_path / f"data.{kind}.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    expected, got = lint_json(plain, "--select", "SFT101"), lint_json(packed, "--select", "SFT101")
    assert [(f["code"], f["line"], f["record"]) for f in got["findings"]] == [("SFT101", 3, 2)]
    assert comparable(got) == comparable(expected)
    assert got["stats"]["formats"] == {str(packed): kind}


def test_a_corrupt_compressed_csv_is_one_error_line(tmp_path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(b"instruction,output\n" + b"Q,A\n" * 1000)[:60])
    proc = sftlint("lint", path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "corrupt gzip data" in err, err


def test_places_map_positions_and_lines_both_ways():
    """A plugin's finding may give only a line (or only a position): the run fills in the other."""
    from sftlint.findings import Finding, Severity
    from sftlint.places import Places

    places = Places()
    jsonl = places.tracker("a.jsonl")
    for position, line in ((1, 1), (2, 3), (3, 4), (4, 7)):  # blank lines 2, 5 and 6
        jsonl.note(position, line)
    array = places.tracker("b.json")
    for position in (1, 2, 3):
        array.note(position, 1)
    table = places.tracker("c.parquet")
    for position in (1, 2):
        table.note(position, None)
    places.formats.update({"a.jsonl": "jsonl", "b.json": "json", "c.parquet": "parquet"})
    assert places.tracker("a.jsonl") is None  # a file given twice is noted once
    assert [places.line("a.jsonl", p) for p in (1, 2, 3, 4)] == [1, 3, 4, 7]
    assert [places.position("a.jsonl", n) for n in (1, 2, 3, 4, 5, 7, 8)] == [1, None, 2, 3, None, 4, None]
    assert places.line("b.json", 3) == 1 and places.position("b.json", 1) == 1
    assert places.line("c.parquet", 2) is None and places.position("c.parquet", 2) is None
    found = [
        Finding("SFT900", "plugin", Severity.WARNING, "a.jsonl", 4, "by line"),
        Finding("SFT900", "plugin", Severity.WARNING, "c.parquet", None, "by position", record=2),
    ]
    places.complete(found)
    assert [(f.line, f.record) for f in found] == [(4, 3), (None, 2)]
    assert [places.where(f.file, f.record) for f in found] == ["a.jsonl:4", "c.parquet[2]"]
    assert places.where("b.json", 2, beside="b.json") == "record 2"
