"""Hardening, item by item, through the real command line: no wrong record dropped, no file the
run reads overwritten, no injected terminal or CI output, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import pair, write_jsonl
from sftlint import split as splitting
from sftlint.io import BOM, MAX_LINE_BYTES, ReadStats, iter_lines, read_file, read_lines


def sftlint(*args: object, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], input=stdin, capture_output=True, cwd=cwd
    )


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The run failed as sftlint fails: exit 2, one `sftlint: error:` line, no traceback."""
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err)
    assert err.startswith("sftlint: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


# 1. One definition of a line -----------------------------------------------------------------

BROKEN_THEN_BARE_CR = (
    b'{"broken\n{"instruction":"a","output":"b"}\r\r\n{"instruction":"c","output":""}\n{"instruction":"d","output":"e"}\n'
)


def test_bare_cr_after_broken_first_line_keeps_line_numbers(tmp_path):
    data = tmp_path / "x.jsonl"
    data.write_bytes(BROKEN_THEN_BARE_CR)
    out = json.loads(sftlint("lint", data, "--format", "json", "--select", "SFT0,SFT101").stdout)
    assert [(f["code"], f["line"]) for f in out["findings"]] == [("SFT001", 1), ("SFT101", 3)]
    clean = tmp_path / "c.jsonl"
    sftlint("fix", data, "-o", clean, "--min-pairs", "1")
    assert clean.read_bytes() == b'{"instruction":"a","output":"b"}\r\r\n{"instruction":"d","output":"e"}\n'
    rejected = [json.loads(line) for line in (tmp_path / "c.rejected.jsonl").read_bytes().splitlines()]
    assert [(r["line"], r["codes"]) for r in rejected] == [(1, ["SFT001"]), (3, ["SFT101"])]


SEPARATORS = [b"\r", b"\n", b"\r\n", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x85", "\x85".encode(), "\u2028".encode()]
PIECES = [b'{"instruction":"a","output":"b"}', b'{"x":1}', b"[1]", b"{", b"}", b"[", b"]", b" ", b'"s', b",", b"\xff"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=st.sampled_from([b"", b'{"broken\n', b"[\n", BOM, BOM + b'{"broken\r\n']),
    body=st.lists(st.sampled_from(SEPARATORS + PIECES), max_size=30),
)
def test_every_command_numbers_lines_alike_on_arbitrary_bytes(tmp_path, head, body):
    """The reader, fix's copier, split and the excerpts agree with the definition: a line ends after b"\\n"."""
    data = head + b"".join(body)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    expected = {
        number: line.rstrip(b"\r")
        for number, line in enumerate(data.removeprefix(BOM).split(b"\n"), start=1)
        if line.strip()
    }
    stats = ReadStats()
    records = list(read_file(str(path), stats))
    copied = {number: line.rstrip(b"\r\n") for number, line in iter_lines(str(path)) if line.strip()}
    assert copied == expected
    assert {number: line.rstrip(b"\r\n") for number, line in splitting.read_lines(str(path))} == expected
    if any(r.data is None and r.oversized is None for r in records):  # one JSON document: records are its elements
        return
    assert {r.line: r.data for r in records} == expected
    assert stats.lines - stats.blank == len(expected)
    if not data.removeprefix(BOM).lstrip().startswith(b"["):
        excerpts = dict(read_lines(str(path), set(expected)))
        assert set(excerpts) == set(expected)


# 6. An oversized line is reported wherever it is ---------------------------------------------


def test_oversized_line_after_broken_first_line_is_reported(tmp_path):
    data = tmp_path / "big.jsonl"
    huge = b'{"instruction": "Q", "output": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n'
    data.write_bytes(b'{"broken\n' + huge + jsonl(pair("Last?")))
    out = json.loads(sftlint("lint", data, "--format", "json", "--select", "SFT0").stdout)
    assert [(f["line"], f["code"]) for f in out["findings"]] == [(1, "SFT001"), (2, "SFT002")]
    assert out["stats"]["records"] == 3 and out["stats"]["blank_lines"] == 0


def test_oversized_line_in_a_json_array_is_reported(tmp_path):
    data = tmp_path / "big.json"
    huge = b'{"instruction": "Q", "output": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"},\n'
    data.write_bytes(b"[\n" + json.dumps(pair("First?")).encode() + b",\n" + huge + json.dumps(pair()).encode() + b"\n]\n")
    out = json.loads(sftlint("lint", data, "--format", "json", "--select", "SFT0").stdout)
    assert ("SFT002", 3) in [(f["code"], f["line"]) for f in out["findings"]]
    assert out["stats"]["blank_lines"] == 0
