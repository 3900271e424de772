"""Named hard inputs, each through the real command line: never a traceback, never a lost byte."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from conftest import pair, write_jsonl
from sftlint.cli import cli


def sftlint(*args: object, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], input=stdin, capture_output=True, cwd=cwd
    )


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1, 2)


def test_a_50_mb_line_is_reported_as_oversized(tmp_path):
    data = tmp_path / "big.jsonl"
    with open(data, "wb") as handle:
        handle.write(json.dumps(pair()).encode() + b"\n")
        handle.write(b'{"instruction": "Q", "output": "' + b"x" * (50 * 1024 * 1024) + b'"}\n')
        handle.write(json.dumps(pair("What is the last step?", "Select Download.")).encode() + b"\n")
    proc = sftlint("lint", data, "--format", "json", "--select", "SFT0,SFT1")
    no_traceback(proc)
    out = json.loads(proc.stdout)
    assert [(f["line"], f["code"]) for f in out["findings"]] == [(2, "SFT002")]
    assert "over the 8,388,608-byte limit" in out["findings"][0]["message"]
    assert out["stats"]["valid"] == 2


def test_a_stream_that_never_breaks_its_line_ends_the_run_with_one_error():
    """/dev/zero was read until the run was killed; a line past 256 MB is no dataset's."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", "-"], stdin=open("/dev/zero", "rb"), capture_output=True, timeout=120
    )
    assert proc.returncode == 2 and time.monotonic() - started < 120
    assert proc.stderr.decode() == (
        "sftlint: error: <stdin>: line 1 runs past 256 MB without a line break: not JSON Lines\n"
    )


def test_one_million_lines_through_standard_input():
    line = json.dumps(pair()).encode() + b"\n"
    proc = sftlint("lint", "-", "--format", "json", "--select", "SFT001,SFT002,SFT101", stdin=line * 1_000_000)
    no_traceback(proc)
    out = json.loads(proc.stdout)
    assert out["stats"]["records"] == 1_000_000 and out["stats"]["valid"] == 1_000_000


def test_truncated_gzip_is_a_clear_error(tmp_path):
    data = tmp_path / "d.jsonl.gz"
    data.write_bytes(gzip.compress(b"".join(json.dumps(pair(f"Q{i}?")).encode() + b"\n" for i in range(2000)))[:-30])
    proc = sftlint("lint", data)
    no_traceback(proc)
    assert proc.returncode == 2 and proc.stderr.startswith(b"sftlint: error: ") and b"corrupt gzip" in proc.stderr


def test_a_file_that_grows_while_it_is_read(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [pair(f"Q{i}?") for i in range(20000)])
    stop = threading.Event()

    def append() -> None:
        with open(data, "ab") as handle:
            while not stop.is_set():
                handle.write(json.dumps(pair("Late?")).encode() + b"\n{half a rec")
                handle.flush()
                time.sleep(0.001)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        proc = sftlint("lint", data, "--format", "json", "--select", "SFT0,SFT101")
    finally:
        stop.set()
        writer.join()
    no_traceback(proc)
    assert json.loads(proc.stdout)["stats"]["records"] >= 20000


def test_a_path_without_read_permission(tmp_path, monkeypatch):
    data = write_jsonl(tmp_path / "d.jsonl", [pair()])
    if os.geteuid() != 0:
        data.chmod(0)
        proc = sftlint("lint", data)
        assert proc.returncode == 2 and b"permission denied" in proc.stderr
        return
    # root reads anything: make open() refuse as it would for another user
    real_open = open

    def refusing(path, *args, **kwargs):
        if os.fspath(path) == str(data):
            raise PermissionError(13, "Permission denied", str(data))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing)
    result = CliRunner().invoke(cli, ["lint", str(data)])
    assert result.exit_code == 2 and "permission denied" in result.output


def test_a_file_name_that_is_not_utf8(tmp_path):
    name = os.fsencode(tmp_path) + b"/data-\xff\xfe.jsonl"
    with open(name, "wb") as handle:
        handle.write(json.dumps(pair("", "")).encode() + b"\n")
    proc = sftlint("lint", os.fsdecode(name), "--min-pairs", "1")
    no_traceback(proc)
    assert proc.returncode == 1 and b"SFT101" in proc.stdout and b"data-" in proc.stdout


def _snapshot(paths: list[Path]) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def test_no_command_writes_to_its_inputs(tmp_path):
    records = [pair(f"How do I export batch {i}?", f"Open batch {i} and choose Export.") for i in range(40)]
    data = write_jsonl(tmp_path / "train.jsonl", [*records, records[3], pair(output=""), "{broken"])
    evaluation = write_jsonl(tmp_path / "eval.jsonl", records[:5])
    inputs = [data, evaluation]
    before = _snapshot(inputs)
    out = tmp_path / "out"
    out.mkdir()
    commands = [
        ["lint", data, "--against", evaluation],
        ["lint", data, "--format", "json", "-o", out / "r.json", "--report", out / "r.html"],
        ["lint", data, "--write-baseline", out / "baseline.json"],
        ["lint", data, "--baseline", out / "baseline.json", "--format", "github"],
        ["report", out / "r.json", "-o", out / "again.html"],
        ["fix", data, "-o", out / "clean.jsonl"],
        ["split", data, "-o", out / "train.jsonl", "-e", out / "eval.jsonl"],
        ["lint", data, "-o", data],
        ["fix", data, "-o", data],
        ["lint", data, "--report", evaluation, "--against", evaluation],
    ]
    for command in commands:
        no_traceback(sftlint(*command))
    assert _snapshot(inputs) == before
    assert (out / "clean.jsonl").exists() and (out / "again.html").exists()
