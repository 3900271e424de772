"""Progress on standard error for long runs, and a clean stop on Ctrl-C."""

import io
import json
import os
import signal
import subprocess
import sys
import time

from conftest import as_from_a_terminal
from sftlint.progress import Progress


def test_progress_draws_records_rate_and_stage_then_clears(monkeypatch):
    clock = iter([0.0, 0.5, 1.5, 1.6, 2.0])
    monkeypatch.setattr("sftlint.progress.time.monotonic", lambda: next(clock))
    stream = io.StringIO()
    progress = Progress(stream)
    progress.update(10, "reading a.jsonl")  # t=0.5: too early, nothing drawn
    assert stream.getvalue() == ""
    progress.update(3000, "reading a.jsonl")  # t=1.5
    assert "reading a.jsonl: 3,000 records (2,000/s)" in stream.getvalue()
    progress.update(3100, "reading a.jsonl")  # t=1.6: within the redraw interval
    assert stream.getvalue().count("records") == 1
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_shows_control_characters_in_a_file_name_as_escapes(monkeypatch):
    """A file named with a terminal title and a clear-screen sequence cannot drive the terminal."""
    clock = iter([0.0, 1.5])
    monkeypatch.setattr("sftlint.progress.time.monotonic", lambda: next(clock))
    stream = io.StringIO()
    Progress(stream).update(3000, "reading evil\x1b]0;PWN\x07\x1b[2J.jsonl")
    drawn = stream.getvalue()
    assert drawn.startswith("\r\x1b[K") and "\x1b" not in drawn[4:] and "\x07" not in drawn
    assert "reading evil\\x1b]0;PWN\\x07\\x1b[2J.jsonl: 3,000 records" in drawn


def _wait_until_reading(pid: int, path, timeout: float = 60.0) -> None:
    """Wait until the process has the data file open (imports can be slow on a loaded machine)."""
    deadline = time.monotonic() + timeout
    fds = f"/proc/{pid}/fd"
    while time.monotonic() < deadline:
        try:
            if any(os.path.realpath(os.path.join(fds, fd)) == str(path) for fd in os.listdir(fds)):
                time.sleep(0.3)
                return
        except FileNotFoundError:
            return
        time.sleep(0.05)


def big_dataset(path, records: int):
    """A file long enough to be interrupted while it is read: `records` distinct pairs."""
    line = json.dumps({"instruction": "How do I export invoices?", "output": "Open Invoices and choose Export. " * 8})
    with open(path, "w") as handle:
        for i in range(records):
            handle.write(line.replace("?", f" {i}?") + "\n")
    return path


def test_ctrl_c_stops_cleanly_with_exit_2(tmp_path):
    data = big_dataset(tmp_path / "big.jsonl", 400_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sftlint", "lint", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_terminal,
    )
    _wait_until_reading(proc.pid, data)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1] == "sftlint: interrupted"
    assert "Traceback" not in err


def test_a_ctrl_c_that_escapes_the_command_still_exits_2_with_one_line():
    """A Ctrl-C that reached the entry point past the command's own handling (while the run
    unwound) killed the process by the signal: exit -2, with a traceback."""
    code = (
        "import sftlint.cli as c\n"
        "def interrupted(): raise KeyboardInterrupt\n"
        "c.cli.main = interrupted\n"
        "c.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr == "sftlint: interrupted\n", proc.stderr
