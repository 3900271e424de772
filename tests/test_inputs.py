"""The inputs users have: files that are no dataset, unmapped fields, Parquet, CSV/TSV and Arrow folders.

All through the real CLI: what is not a dataset is one error line (exit 2), not a finding per line.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import pair


def sftlint(*args: object, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], input=stdin, capture_output=True)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The run failed as sftlint fails: exit 2, one `sftlint: error:` line, no traceback."""
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err, proc.stdout[:300])
    assert err.startswith("sftlint: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err.removeprefix("sftlint: error: ").rstrip("\n")


def jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


# 1. Not a dataset -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "looks like a PDF document"),
        ("chart.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "looks like a PNG image"),
        ("photo.jsonl", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100), "looks like a JPEG image"),
        ("data.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "looks like a zip archive"),
        ("utf16.jsonl", '{"instruction": "Q", "output": "A"}\n'.encode("utf-16"), "looks like UTF-16 text"),
        ("blob.bin", b"\x01\x02\x00\x00garbage\n\x00\x00\x07\n", "looks like a binary file, not JSON Lines"),
        ("README.md", b"# My dataset\n\nSome words.\n", "does not look like JSON Lines: none of its first 2 lines"),
        ("one.txt", b"hello\n", "does not look like JSON Lines: its first line is not JSON"),
        ("table.txt", b"instruction,output\nQ,A\nQ2,A2\n", "does not look like JSON Lines"),
        ("notes.md", b"[link](http://example.com)\ntext\n", "does not look like JSON Lines"),
    ],
)
def test_a_file_that_is_no_dataset_is_one_error_saying_what_it_looks_like(tmp_path, name, data, says):
    path = tmp_path / name
    path.write_bytes(data)
    message = one_error_line(sftlint("lint", path))
    assert message.startswith(str(path)) and says in message, message


def test_a_readme_compressed_or_on_standard_input_is_refused_too(tmp_path):
    readme = b"# Title\n\nNot data at all.\n"
    path = tmp_path / "README.md.gz"
    path.write_bytes(gzip.compress(readme))
    assert "does not look like JSON Lines" in one_error_line(sftlint("lint", path))
    assert "<stdin> does not look like JSON Lines" in one_error_line(sftlint("lint", "-", stdin=readme))
    assert "<stdin> looks like a PDF document" in one_error_line(sftlint("lint", "-", stdin=b"%PDF-1.4\n"))


def test_broken_lines_among_good_ones_are_still_findings(tmp_path):
    """A JSON Lines file whose first lines are broken is still read: one JSON line among the first five is enough."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"oops\nnot json either\n" + jsonl(pair("First?"), pair("Second?")) + b"garbage\n")
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT001")
    found = [(f["code"], f["line"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("SFT001", 1), ("SFT001", 2), ("SFT001", 5)]


def test_pretty_printed_json_and_arrays_are_still_read(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps([pair("First?"), pair("Second?")], indent=2))
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT0")
    assert proc.returncode == 0 and json.loads(proc.stdout)["stats"]["valid"] == 2


# 2. Unmapped fields ---------------------------------------------------------------------------


def test_records_without_known_fields_are_one_dataset_finding_with_the_fields_to_map(lint):
    records = [{"Query": f"Question {i}?", "reply": f"Answer {i}.", "id": i} for i in range(40)]
    code, out = lint(records, "--select", "SFT0")
    assert code == 1
    assert [(f["code"], f["line"]) for f in out["findings"]] == [("SFT002", None)]
    assert out["findings"][0]["message"] == (
        "no record has instruction/response fields (keys: Query, id, reply); "
        "map them with --field instruction=Query --field response=reply or [tool.sftlint.fields]"
    )
    code, out = lint(records, "--select", "SFT0", "--field", "instruction=Query", "--field", "response=reply")
    assert code == 0 and out["stats"]["valid"] == 40


@pytest.mark.parametrize(
    ("keys", "suggested"),
    [
        (("question", "output"), "--field instruction=question --field response=output"),
        (("input", "target"), "--field instruction=input --field response=target"),
        (("text", "label"), "--field instruction=text --field response=NAME"),
    ],
)
def test_the_suggestion_comes_from_common_names(lint, keys, suggested):
    code, out = lint([dict.fromkeys(keys, "x")], "--select", "SFT002")
    assert suggested in out["findings"][0]["message"]


def test_mapping_input_as_the_instruction_reads_it_once(lint):
    code, out = lint([{"input": "Translate 'chat' to English.", "output": ""}], "--field", "instruction=input")
    (example,) = out["examples"]
    assert (example["shape"], example["instruction"], example["input"]) == ("custom", "Translate 'chat' to English.", "")


def test_some_unmapped_records_among_good_ones_are_each_a_finding(lint):
    records = [pair("First?"), {"query": "q", "reply": "r"}, pair("Second?"), {"query": "q2", "reply": "r2"}]
    code, out = lint(records, "--select", "SFT002")
    assert [(f["code"], f["line"]) for f in out["findings"]] == [("SFT002", 2), ("SFT002", 4)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_field_mapped_to_a_key_no_record_has_is_a_usage_error(tmp_path, jobs):
    path = tmp_path / "data.jsonl"
    path.write_bytes(jsonl(*({"query": f"q{i}", "reply": f"r{i}"} for i in range(5))))
    proc = sftlint("lint", path, "--field", "instruction=query", "--field", "response=replay", "--jobs", jobs)
    assert one_error_line(proc) == "field mapping response=replay: no record has this key (keys: query, reply)"
    assert proc.stdout == b""
