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
