"""Hardening, item by item, through the real command line: no wrong record dropped, no file the
run reads overwritten, no injected terminal or CI output, no traceback."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import pair, write_jsonl
from sftlint.cli import cli
from sftlint.errors import InputError
from sftlint.io import BOM, MAX_LINE_BYTES, ReadStats, iter_lines, read_file, read_records
from sftlint.split import nonblank_lines


def sftlint(*args: object, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], input=stdin, capture_output=True, cwd=cwd,
        timeout=600,  # a run that hangs fails, instead of holding the whole suite
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
    b'{"broken\n{"instruction":"a","output":"b"}\r\r\n'
    b'{"instruction":"c","output":""}\n{"instruction":"d","output":"e"}\n'
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


SEPARATORS = [
    b"\r",
    b"\n",
    b"\r\n",
    b"\x0b",
    b"\x0c",
    b"\x1c",
    b"\x1d",
    b"\x1e",
    b"\x85",
    "\x85".encode(),
    "\u2028".encode(),
]
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
    try:
        records = list(read_file(str(path), stats))
    except InputError as exc:  # refused whole (no JSON among the first lines, or documents in a row): nothing to number
        refusals = ("does not look like JSON Lines", "spread over several lines", "is followed by another at line")
        assert any(said in str(exc) for said in refusals), str(exc)
        records = None
    copied = {number: line.rstrip(b"\r\n") for number, line in iter_lines(str(path)) if line.strip()}
    assert copied == expected
    assert {number: line.rstrip(b"\r\n") for number, line in nonblank_lines(str(path))} == expected
    if (
        records is None or stats.array or any(r.data is None and r.oversized is None for r in records)
    ):  # one JSON document
        return
    assert {r.line: r.data for r in records} == expected
    assert stats.lines - stats.blank == len(expected)
    if not data.removeprefix(BOM).lstrip().startswith(b"["):
        excerpts = list(read_records(str(path), set(range(1, len(expected) + 1))))
        assert [line for _, line, _ in excerpts] == sorted(expected)


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
    data.write_bytes(
        b"[\n" + json.dumps(pair("First?")).encode() + b",\n" + huge + json.dumps(pair()).encode() + b"\n]\n"
    )
    out = json.loads(sftlint("lint", data, "--format", "json", "--select", "SFT0").stdout)
    assert ("SFT002", 3) in [(f["code"], f["line"]) for f in out["findings"]]
    assert out["stats"]["blank_lines"] == 0


# 2. No output overwrites a file the run reads ------------------------------------------------


def _dataset(folder: Path, name: str = "d.jsonl") -> Path:
    records = [pair(f"How do I export batch {i}?", f"Open batch {i} and choose Export.") for i in range(12)]
    return write_jsonl(folder / name, [*records, records[0], pair(output="")])


def test_output_never_overwrites_the_baseline(tmp_path):
    data = _dataset(tmp_path)
    baseline = tmp_path / "b.json"
    sftlint("lint", data, "--write-baseline", baseline)
    before = baseline.read_bytes()
    for option in ("-o", "--report"):
        err = one_error_line(sftlint("lint", data, "--baseline", baseline, option, baseline))
        assert "refusing to overwrite an input file" in err
    assert baseline.read_bytes() == before
    # rewriting the configured baseline with --write-baseline is the documented way to shrink it
    (tmp_path / "sftlint.toml").write_text('baseline = "b.json"\n')
    assert sftlint("lint", data, "--write-baseline", baseline, cwd=tmp_path).returncode in (0, 1)


def test_fix_never_overwrites_the_configured_baseline_it_does_not_apply(tmp_path):
    data = _dataset(tmp_path)
    baseline = tmp_path / "b.json"
    sftlint("lint", data, "--write-baseline", baseline)
    before = baseline.read_bytes()
    (tmp_path / "sftlint.toml").write_text('baseline = "b.json"\n')
    one_error_line(sftlint("fix", data, "-o", "b.json", cwd=tmp_path))
    one_error_line(sftlint("fix", data, "-o", "clean.jsonl", "--rejects", "b.json", cwd=tmp_path))
    assert baseline.read_bytes() == before and not (tmp_path / "clean.jsonl").exists()


def test_fix_refuses_a_pipe_and_an_output_named_dash(tmp_path):
    """fix reads its input twice: a FIFO's second open would wait forever. Its output is linted
    again after it is written, so '-' cannot be standard output: it was a file named '-', and the
    verdict printed was standard input's."""
    data = _dataset(tmp_path)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "sftlint", "fix", str(fifo), "-o", str(tmp_path / "o.jsonl")]
    proc = subprocess.run(command, capture_output=True, timeout=120)  # it used to wait for a writer forever
    assert "not a pipe or device" in one_error_line(proc)
    for command in (
        ["fix", data, "-o", "-"],
        ["split", data, "-o", "-", "-e", "e.jsonl"],
        ["lint", data, "--report", "-"],  # the report was written to a file named '-'
        ["lint", data, "--write-baseline", "-"],
    ):
        assert "'-': this writes a file, not standard output" in one_error_line(sftlint(*command, cwd=tmp_path))
    assert not (tmp_path / "-").exists()
    saved = tmp_path / "result.json"
    saved.write_bytes(sftlint("lint", data, "--format", "json", "--exit-zero").stdout)
    assert "'-': this writes a file" in one_error_line(sftlint("report", saved, "-o", "-", cwd=tmp_path))
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("data", "against"), [("-", "-"), ("-", "/dev/stdin"), ("/dev/stdin", "-")])
def test_standard_input_named_as_data_and_as_evaluation_set_is_one_error(tmp_path, data, against):
    records = _dataset(tmp_path).read_bytes()
    proc = sftlint("lint", data, "--against", against, stdin=records)
    assert "named as data and as an evaluation set" in one_error_line(proc)


def test_output_never_overwrites_the_config_in_use(tmp_path):
    data = _dataset(tmp_path)
    config = tmp_path / "sftlint.toml"
    config.write_text("examples_per_check = 3\n")
    (tmp_path / "link.toml").symlink_to(config)
    os.link(config, tmp_path / "hard.toml")
    for target in ("sftlint.toml", "link.toml", "hard.toml"):
        for command in (
            ["lint", data, "-o", target],
            ["fix", data, "-o", target],
            ["split", data, "-o", target, "-e", "e.jsonl"],
        ):
            one_error_line(sftlint(*command, cwd=tmp_path))
    assert config.read_text() == "examples_per_check = 3\n"


def test_output_never_overwrites_an_evaluation_set_named_in_config(tmp_path):
    train = _dataset(tmp_path, "tr.jsonl")
    evaluation = write_jsonl(tmp_path / "ev.jsonl", [pair("How do I export batch 1?")])
    before = evaluation.read_bytes()
    (tmp_path / "sftlint.toml").write_text('against = ["ev.jsonl"]\n')
    one_error_line(sftlint("fix", train, "-o", "ev.jsonl", cwd=tmp_path))
    one_error_line(sftlint("fix", train, "-o", "clean.jsonl", "--rejects", "ev.jsonl", cwd=tmp_path))
    one_error_line(sftlint("lint", train, "--report", "ev.jsonl", cwd=tmp_path))
    assert evaluation.read_bytes() == before


def test_output_never_overwrites_a_plugin_module(tmp_path):
    data = _dataset(tmp_path)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    module = plugins / "team.py"
    module.write_text((Path(__file__).parent.parent / "checks" / "no_email_in_response.py").read_text())
    before = module.read_bytes()
    one_error_line(sftlint("lint", data, "--plugins", plugins, "-o", module))
    one_error_line(sftlint("fix", data, "--plugins", plugins, "-o", module))
    assert module.read_bytes() == before



def test_lint_refuses_one_file_for_two_outputs(tmp_path):
    data = _dataset(tmp_path)
    (tmp_path / "link.html").symlink_to(tmp_path / "out.txt")
    for pair_of_options in (
        ["-o", "out.txt", "--report", "out.txt"],
        ["-o", "out.txt", "--report", "link.html"],
        ["--report", "out.txt", "--write-baseline", "./out.txt"],
        ["-o", "out.txt", "--write-baseline", "out.txt"],
    ):
        err = one_error_line(sftlint("lint", data, *pair_of_options, cwd=tmp_path))
        assert "named for two outputs" in err
    assert not (tmp_path / "out.txt").exists()

# 3. split replaces train and eval together ---------------------------------------------------


def test_split_never_leaves_a_train_file_that_does_not_match_its_eval_file(tmp_path):
    data = _dataset(tmp_path)
    train, evaluation = tmp_path / "train.jsonl", tmp_path / "eval.jsonl"
    assert sftlint("split", data, "-o", train, "-e", evaluation).returncode == 0
    before = train.read_bytes()
    words = "apple river stone cloud engine violet harbor pencil garden copper meadow signal lamp".split()
    distinct = [  # records that are not near-duplicates of each other, so both sides get some
        pair(" ".join(random.Random(i).sample(words, 5)) + "?", " ".join(random.Random(-i).sample(words, 9)))
        for i in range(20)
    ]
    other = write_jsonl(tmp_path / "other.jsonl", distinct)
    one_error_line(sftlint("split", other, "-o", train, "-e", "/dev/full"))  # eval cannot be written
    assert train.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# 4. Device nodes and FIFOs are written in place; permissions are kept --------------------------


def test_output_to_a_fifo_writes_into_it_and_keeps_it(tmp_path):
    data = _dataset(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    proc = sftlint("lint", data, "--format", "json", "-o", fifo)
    received = reader.communicate(timeout=60)[0]
    assert proc.returncode == 1 and json.loads(received)["verdict"] == "no-go"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_through_a_link_to_a_device_keeps_the_device(tmp_path):
    data = _dataset(tmp_path)
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    for command in (["lint", data, "-o", link], ["fix", data, "-o", tmp_path / "c.jsonl", "--rejects", link]):
        assert sftlint(*command).returncode in (0, 1)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and link.is_symlink()


def test_a_replaced_output_keeps_its_permissions(tmp_path):
    data = _dataset(tmp_path)
    for name, command in (("r.txt", ["lint", data, "-o"]), ("c.jsonl", ["fix", data, "-o"])):
        out = tmp_path / name
        out.write_text("old")
        out.chmod(0o600)
        assert sftlint(*command, out).returncode in (0, 1)
        assert out.read_text() != "old" and stat.S_IMODE(out.stat().st_mode) == 0o600


# 11. A full disk: exit 2 with one line, the previous output intact ---------------------------


class _FullDisk(io.FileIO):
    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_keeps_the_previous_output(tmp_path, monkeypatch):
    data = _dataset(tmp_path)
    clean, train, evaluation, result = (tmp_path / n for n in ("c.jsonl", "t.jsonl", "e.jsonl", "r.json"))
    for path in (clean, train, evaluation, result):
        path.write_text("previous\n")
    monkeypatch.setattr("sftlint.io.os.fdopen", lambda fd, mode: _FullDisk(fd, "wb"))
    for command in (
        ["fix", data, "-o", clean],
        ["split", data, "-o", train, "-e", evaluation],
        ["lint", data, "--format", "json", "-o", result],
    ):
        outcome = CliRunner().invoke(cli, list(map(str, command)))
        assert outcome.exit_code == 2 and outcome.output.count("\n") == 1, outcome.output
        assert outcome.output.startswith("sftlint: error: ") and "No space left on device" in outcome.output
    for path in (clean, train, evaluation, result):
        assert path.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl", "d.jsonl", "e.jsonl", "r.json", "t.jsonl"]


def test_output_to_dev_full_is_one_error_line(tmp_path):
    data = _dataset(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    for command in (["lint", data, "-o", "/dev/full"], ["fix", data, "-o", "/dev/full", "--rejects", rejects]):
        assert "No space left on device" in one_error_line(sftlint(*command))
    assert not rejects.exists()  # written together with the output, or not at all


# 5. A pipe is read by one process --------------------------------------------------------------


def test_jobs_on_a_fifo_reads_the_stream_in_one_process(tmp_path):
    records = [pair(f"How do I export batch {i}?", f"Open batch {i} and choose Export.") for i in range(300)]
    data = write_jsonl(tmp_path / "d.jsonl", [*records, records[7], pair(output=""), "{broken"])
    expected = json.loads(sftlint("lint", data, "--format", "json", "--jobs", "1").stdout)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", 'cat "$1" > "$2"', "sh", str(data), str(fifo)])
    out = json.loads(sftlint("lint", fifo, "--format", "json", "--jobs", "2").stdout)
    writer.wait(timeout=60)
    assert out["stats"]["jobs"] == 1 and out["stats"]["records"] == expected["stats"]["records"] == 303
    assert [(f["code"], f["line"]) for f in out["findings"]] == [(f["code"], f["line"]) for f in expected["findings"]]


# 12. SIGTERM ends every worker -----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_sigterm_ends_every_worker_process(tmp_path):
    from test_progress_and_interrupt import big_dataset

    data = big_dataset(tmp_path / "big.jsonl", 200_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sftlint", "lint", str(data), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not (workers := _children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and proc.poll() is None, "the run ended before it could be terminated"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err.decode().strip().splitlines()[-1] == "sftlint: terminated"
    time.sleep(0.5)
    assert not [pid for pid in workers if _running(pid)]



def _in_group(group: int) -> list[int]:
    """Processes of a process group still running (a zombie has ended)."""
    members = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat_file.parent.name))
    return members


@pytest.fixture(scope="module")
def large_input(tmp_path_factory):
    from test_progress_and_interrupt import big_dataset

    return big_dataset(tmp_path_factory.mktemp("large") / "big.jsonl", 200_000)


@pytest.mark.parametrize(
    "command",
    [
        ["lint", "--jobs", "2", "--format", "json", "-o", "out.json", "--report", "r.html"],
        ["lint", "--jobs", "1", "--format", "json", "-o", "out.json", "--write-baseline", "b.json"],
        ["fix", "--jobs", "2", "-o", "clean.jsonl"],
        ["split", "-o", "train.jsonl", "-e", "eval.jsonl"],
    ],
    ids=["lint-jobs-2", "lint-jobs-1", "fix", "split"],
)
def test_two_quick_ctrl_c_end_cleanly_with_one_line(tmp_path, large_input, command):
    """Ctrl-C twice, 50 ms apart, to the whole process group as a terminal sends it: the run
    stops as after one (exit 2, `sftlint: interrupted`), with no worker and no output left."""
    from conftest import as_from_a_terminal
    from test_progress_and_interrupt import _wait_until_reading

    proc = subprocess.Popen(
        [sys.executable, "-m", "sftlint", command[0], str(large_input), *command[1:]],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=as_from_a_terminal,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    _wait_until_reading(proc.pid, large_input)
    if "--jobs" in command and command[command.index("--jobs") + 1] == "2":
        deadline = time.monotonic() + 60
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _children(proc.pid), "no worker process started"
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in text, (proc.returncode, text)
    assert [line for line in text.splitlines() if line.strip()] == ["sftlint: interrupted"], text
    assert out == b""
    deadline = time.monotonic() + 10
    while _in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _in_group(proc.pid), "a worker process is left"
    assert list(tmp_path.iterdir()) == [], "an output or temporary file is left"

# 7. No terminal or CI injection -----------------------------------------------------------------

FORGED = "\n::error file=README.md,line=1::forged\n"
TITLE = "\x1b]0;TITLE\x07"
CLEAR = "\x1b[2J"


def _injected_dataset(folder: Path) -> Path:
    """Escape sequences and forged workflow commands in a file name, roles, keys, labels and text."""
    records = [
        {"messages": [{"role": "user" + FORGED, "content": "hi"}, {"role": "assistant", "content": "hello"}]},
        {"instruction": "What is this?" + TITLE, "output": "A test." + FORGED, TITLE + "key" + FORGED: "x"},
        *[{"instruction": f"Classify review {i}", "output": "pos" + CLEAR + FORGED} for i in range(3)],
        {"instruction": "Classify review 9", "output": "neg"},
        {"instruction": "", "output": ""},
    ]
    return write_jsonl(folder / f"data{TITLE}{CLEAR}{FORGED}.jsonl", records)


def _shows_no_control(proc: subprocess.CompletedProcess) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert not any(c < 0x20 and c != 0x0A or c == 0x7F for c in stream), stream
        assert not any(line.startswith(b"::error file=README.md") for line in stream.splitlines()), stream


def test_control_characters_in_content_names_and_baseline_are_escaped(tmp_path):
    data = _injected_dataset(tmp_path)
    baseline = tmp_path / "b.json"
    stale = {
        "code": "SFT101",
        "key": "0" * 16,
        "count": 1,
        "file": f"x{TITLE}.jsonl",
        "line": 1,
        "message": CLEAR + FORGED,
    }
    baseline.write_text(json.dumps({"tool": "sftlint", "format": 1, "findings": [stale]}))
    for fmt in ("text", "github"):
        proc = sftlint("lint", data, "--format", fmt, "--baseline", baseline, "--min-pairs", "1")
        assert proc.returncode == 1
        _shows_no_control(proc)
        assert b"\\x1b]0;TITLE\\x07" in proc.stdout
        assert (b"%0A::error file=README.md" if fmt == "github" else b"\\n::error file=README.md") in proc.stdout
    github = sftlint("lint", data, "--format", "github", "--baseline", baseline).stdout.splitlines()
    assert all(line.startswith((b"::", b"sftlint ")) for line in github)
    assert github[-1].startswith(b"sftlint NO-GO: ")


def test_control_characters_in_error_lines_fix_and_split_are_escaped(tmp_path):
    data = _injected_dataset(tmp_path)
    missing = one_error_line(sftlint("lint", tmp_path / f"missing{TITLE}{FORGED}.jsonl"))
    assert "\\x1b]0;TITLE\\x07" in missing
    for command in (
        ["fix", data, "-o", tmp_path / f"clean{CLEAR}{FORGED}.jsonl"],
        ["split", data, "-o", tmp_path / f"t{CLEAR}{FORGED}.jsonl", "-e", tmp_path / "e.jsonl"],
        ["lint", data, "--write-baseline", tmp_path / f"b{TITLE}.json"],
    ):
        proc = sftlint(*command)
        assert proc.returncode in (0, 1), proc.stderr
        _shows_no_control(proc)



def test_json_output_escapes_controls_that_json_leaves_raw(tmp_path):
    """DEL, C1 controls (0x9B is a CSI), separators and bidi overrides are JSON escapes in the
    JSON output: a terminal shows them, and the JSON value is the same."""
    content = "del\x7f csi\x9b2J nel\x85 sep\u2028 rtl\u202e"
    data = write_jsonl(tmp_path / "d.jsonl", [pair(content, ""), pair()])  # flagged: its excerpt is shown
    proc = sftlint("lint", data, "--format", "json", "--min-pairs", "1")
    _shows_no_control(proc)
    assert not {"\x85", "\x9b", "\u2028", "\u202e"} & set(proc.stdout.decode("utf-8"))
    assert b"del\\u007f csi\\u009b2J nel\\u0085 sep\\u2028 rtl\\u202e" in proc.stdout
    assert content in json.dumps(json.loads(proc.stdout), ensure_ascii=False)

# 8. `sftlint report` validates what it reads ----------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def _result(*args: str) -> dict:
    return json.loads(CliRunner().invoke(cli, ["lint", *args, "--format", "json"]).output)


RESULTS = [
    _result(
        str(REPO / "sample_data" / "support_nogo.jsonl"), "--against", str(REPO / "sample_data" / "support_go.jsonl")
    ),
    _result(str(REPO / "sample_data" / "tickets.jsonl")),
]


def _nodes(value: object, path: tuple = ()) -> list[tuple]:
    """The path of every value in a JSON document."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            out += _nodes(item, (*path, index))
    return out


def test_report_refuses_a_crafted_summary_naming_the_field(tmp_path):
    crafted = json.loads(json.dumps(RESULTS[0]))
    crafted["summaries"]["dataset-size"] = 5
    path = tmp_path / "r.json"
    path.write_text(json.dumps(crafted))
    err = one_error_line(sftlint("report", path, "-o", tmp_path / "r.html"))
    assert "summaries.dataset-size" in err and not (tmp_path / "r.html").exists()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_report_on_any_crafted_result_renders_or_names_the_bad_field(tmp_path, data):
    """Any value of a real result replaced by one of another type: a report, or exit 2 with one line."""
    crafted = json.loads(json.dumps(data.draw(st.sampled_from(RESULTS))))
    where = data.draw(st.sampled_from(_nodes(crafted)[1:]))
    value = data.draw(st.sampled_from([5, -1, 1.5, "x", None, True, [], {}, ["x"], {"a": 1}, [{"file": 3}]]))
    parent = crafted
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    path = tmp_path / "r.json"
    path.write_text(json.dumps(crafted))
    outcome = CliRunner().invoke(cli, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (where, value, outcome.exception)
    assert outcome.exit_code in (0, 2), outcome.output
    if outcome.exit_code == 2:
        assert outcome.output.startswith("sftlint: error: ") and outcome.output.count("\n") == 1


# 9. --isolated reads no config file, so no configured plugin runs ------------------------------


def test_isolated_reads_no_config_and_runs_no_configured_plugin(tmp_path):
    data = _dataset(tmp_path)
    plugins = tmp_path / "p"
    plugins.mkdir()
    (plugins / "marker.py").write_text("from pathlib import Path\nPath(__file__).with_name('RAN').touch()\n")
    (tmp_path / "sftlint.toml").write_text('plugins = ["p"]\nfail_on = "advice"\n')
    commands = [
        ["lint", data, "--min-pairs", "1"],
        ["fix", data, "-o", tmp_path / "c.jsonl", "--min-pairs", "1"],
        ["split", data, "-o", tmp_path / "t.jsonl", "-e", tmp_path / "e.jsonl"],
    ]
    for command in commands:
        assert sftlint(*command, "--isolated", cwd=tmp_path).returncode in (0, 1)
        assert not (plugins / "RAN").exists()
    isolated = json.loads(sftlint("lint", data, "--isolated", "--format", "json", cwd=tmp_path).stdout)
    assert isolated["config"]["fail_on"] == "error" and isolated["config"]["plugins"] == []
    for command in commands:  # without it, the configured plugin is code that runs
        sftlint(*command, cwd=tmp_path)
        assert (plugins / "RAN").exists()
        (plugins / "RAN").unlink()
    assert "--isolated" in one_error_line(sftlint("lint", data, "--isolated", "--config", tmp_path / "sftlint.toml"))


# 10. Every error path: exit 2, one `sftlint: error:` line ----------------------------------------

WRONG_VALUES = [5, -1, 1.5, "x", True, [1], ["x", 2], {"a": 1}, {"a": {"b": [1]}}, [{"a": 1}]]


def _toml(value: object) -> str:
    return (
        json.dumps(value)
        if not isinstance(value, dict)
        else "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + "}"
    )


def _config_keys() -> list[tuple[str, ...]]:
    from sftlint.config import Config
    from sftlint.registry import discover

    keys = [(name,) for name in Config.model_fields]
    for check in discover().values():
        keys += [("checks", check.slug), ("checks", check.slug, "severity")]
        keys += [("checks", check.slug, option) for option in check.Options.model_fields]
    return keys


CONFIG_KEYS = _config_keys()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(CONFIG_KEYS), value=st.sampled_from(WRONG_VALUES), pyproject=st.booleans())
def test_config_values_of_the_wrong_type_at_any_level_are_one_error_line(tmp_path, key, value, pyproject):
    data = write_jsonl(tmp_path / "d.jsonl", [pair()])
    section = ".".join(("tool", "sftlint", *key[:-1]) if pyproject else key[:-1])
    text = (f"[{section}]\n" if section else "") + f'"{key[-1]}" = {_toml(value)}\n'
    config = tmp_path / ("pyproject.toml" if pyproject else "sftlint.toml")
    config.write_text(text)
    for command in (
        ["lint", str(data), "--select", "SFT001"],
        ["split", str(data), "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")],
    ):
        outcome = CliRunner().invoke(cli, [*command, "--config", str(config)])
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (text, outcome.exception)
        if outcome.exit_code == 2:
            assert outcome.output.startswith("sftlint: error: ") and outcome.output.count("\n") == 1, outcome.output


def test_a_pyproject_tool_table_of_the_wrong_type_is_one_error_line(tmp_path):
    data = _dataset(tmp_path)
    for body, where in (
        ("tool = 5", "tool"),
        ('[tool]\nsftlint = "x"', "tool.sftlint"),
        ("[tool]\nsftlint = [1]", "tool.sftlint"),
    ):
        (tmp_path / "pyproject.toml").write_text(body + "\n")
        assert f"{where}: expected a table" in one_error_line(
            sftlint("lint", data, "--config", tmp_path / "pyproject.toml")
        )
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")  # found while searching upward: not sftlint's, skipped
    assert sftlint("lint", data, cwd=tmp_path).returncode == 1


def test_standard_output_full_closed_or_gone_is_one_error_line(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [pair(f"Question {i}?", "") for i in range(3000)])
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "sftlint", "lint", str(data)], stdout=full, stderr=subprocess.PIPE)
    assert "No space left on device" in one_error_line(proc)
    proc = subprocess.run(["sh", "-c", '"$0" -m sftlint lint "$1" >&-', sys.executable, data], stderr=subprocess.PIPE)
    assert "standard output: cannot write" in one_error_line(proc)
    reader = subprocess.Popen(
        [sys.executable, "-m", "sftlint", "lint", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout.readline()  # `| head -1`: the reader goes away after one line
    reader.stdout.close()
    err = reader.stderr.read()
    reader.wait(timeout=60)
    assert "Broken pipe" in one_error_line(subprocess.CompletedProcess(reader.args, reader.returncode, b"", err))


def test_closed_standard_input_and_unresolvable_output_paths_are_one_error_line(tmp_path):
    data = _dataset(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sftlint", "lint", "-"], stdin=subprocess.DEVNULL, capture_output=True)
    assert proc.returncode == 1  # an empty standard input is an empty dataset
    proc = subprocess.run(["sh", "-c", '"$0" -m sftlint lint - <&-', sys.executable], capture_output=True)
    assert "standard input is closed" in one_error_line(proc)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for command in (
        ["lint", data, "-o", loop],
        ["fix", data, "-o", loop],
        ["split", data, "-o", loop, "-e", tmp_path / "e.jsonl"],
        ["lint", data, "-o", tmp_path / ("x" * 300) / "r.txt"],
    ):
        one_error_line(sftlint(*command))


def test_corrupt_gzip_input_is_one_error_line_in_every_command(tmp_path):
    whole = gzip.compress(jsonl(*[pair(f"Question {i}?") for i in range(3000)]))
    good = _dataset(tmp_path)
    for name, content in (("truncated", whole[:-30]), ("garbage", whole[: len(whole) // 2] + b"garbage" * 10)):
        bad = tmp_path / f"{name}.jsonl.gz"
        bad.write_bytes(content)
        for command in (
            ["lint", bad],
            ["lint", bad, "--jobs", "2"],
            ["fix", bad, "-o", tmp_path / "c.jsonl"],
            ["split", bad, "-o", tmp_path / "t.jsonl", "-e", tmp_path / "e.jsonl"],
            ["lint", good, "--against", bad],
        ):
            assert "corrupt gzip data" in one_error_line(sftlint(*command))
        assert not (tmp_path / "c.jsonl").exists() and not (tmp_path / "t.jsonl").exists()



def test_names_too_long_to_look_up_are_one_error_line(tmp_path):
    data = _dataset(tmp_path)
    long = tmp_path / ("x" * 300 + ".jsonl")
    assert "File name too long" in one_error_line(sftlint("fix", long, "-o", tmp_path / "c.jsonl"))
    for command in (
        ["fix", data, "-o", long],
        ["fix", data, "-o", tmp_path / "c.jsonl", "--rejects", long],
        ["lint", long],
        ["split", long, "-o", tmp_path / "t.jsonl", "-e", tmp_path / "e.jsonl"],
    ):
        one_error_line(sftlint(*command))
    assert "plugin folder not found" in one_error_line(sftlint("lint", data, "--plugins", tmp_path / ("p" * 300)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.jsonl"]

# 12. Lone surrogates never become invalid UTF-8 in what sftlint writes --------------------------


def test_lone_surrogates_are_written_as_valid_utf8_and_read_back(tmp_path):
    records = [{"instruction": f"Question {i} about \\ud800 escapes?", "output": f"Answer {i} with \\udc00 inside."}
               for i in range(3)] + [{"instruction": "Why \\ud800?", "output": ""}]  # fmt: skip
    data = tmp_path / "s.jsonl"
    data.write_text("".join(json.dumps(r).replace("\\\\u", "\\u") + "\n" for r in records), encoding="ascii")
    assert "\ud800" in json.loads(data.read_text().splitlines()[0])["instruction"]  # a real lone surrogate
    out, report, baseline = tmp_path / "out.json", tmp_path / "r.html", tmp_path / "b.json"
    assert sftlint("lint", data, "--min-pairs", "1", "--format", "json", "-o", out, "--report", report).returncode == 1
    assert sftlint("lint", data, "--min-pairs", "1", "--write-baseline", baseline).returncode == 0
    for path in (out, report, baseline):
        path.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    assert "\ud800" in json.dumps(json.loads(out.read_text(encoding="utf-8")), ensure_ascii=False)
    assert sftlint("lint", data, "--min-pairs", "1", "--baseline", baseline).returncode == 0  # read back
    assert sftlint("report", out, "-o", tmp_path / "again.html").returncode == 0
    stdout = sftlint("lint", data, "--min-pairs", "1", "--format", "json").stdout
    assert json.loads(stdout.decode("utf-8"))["stats"]["records"] == 4


# 13. A plugin that breaks behaves as documented, with any --jobs --------------------------------

_PLUGIN_HEAD = '''import sys, threading
from sftlint import Check, Severity

class Broken(Check):
    """A plugin that breaks.

    What it does: breaks.
    Why it matters: so sftlint must hold.
    How to fix: fix the plugin.
    """
    code = "XPL001"; slug = "broken"; severity = Severity.WARNING
'''
_YIELD = "    def check_record(self, record):\n        f = self.finding('m', record); {}; yield f\n"
_BROKEN = {
    "start": "    def start(self, config): raise RuntimeError('boom in start')\n"
    "    def check_record(self, record): return ()\n",
    "summary": "    def check_record(self, record): return ()\n    def summary(self): raise ValueError('boom')\n",
    "junk": "    def check_record(self, record): yield 'not a finding'\n",
    "exit": "    def check_record(self, record): sys.exit(0)\n",
    "unpicklable": "    def check_record(self, record): return ()\n"
    "    def summary(self): return {'lock': threading.Lock(), 'n': 1}\n",
    # findings no output can write: each was a traceback, exit 1, or NaN in the JSON output
    "severity": _YIELD.format("f.severity = 'fatal'"),
    "message": _YIELD.format("f.message = 5"),
    "related": _YIELD.format("f.related = [5]"),
    "related place": _YIELD.format("from sftlint.findings import Location; f.related = [Location(file=123, line=1)]"),
    "line": _YIELD.format("f.line = -3"),
    "other code": _YIELD.format("f.code = 'SFT001'"),
    "score": _YIELD.format("f.score = float('nan')"),
    "data": _YIELD.format("f.data = {'n': 10**5000}"),
    "circular": "    def check_record(self, record): return ()\n"
    "    def summary(self):\n        d = {}; d['d'] = d; return d\n",
    "nan summary": "    def check_record(self, record): return ()\n"
    "    def summary(self): return {'share': float('nan')}\n",
    "init": "    def __init__(self, *args, **kwargs): raise ValueError('boom in init')\n"
    "    def check_record(self, record): return ()\n",
    "init exit": "    def __init__(self, *args, **kwargs): raise GeneratorExit('boom')\n"
    "    def check_record(self, record): return ()\n",
    "labels": "    summary_labels = 5\n    def check_record(self, record): return ()\n",
    # an exception whose chain of causes loops back on itself (the run hung, reading the chain)
    "cyclic cause": "    def check_record(self, record):\n"
    "        try:\n            int('x')\n        except ValueError as err:\n"
    "            try:\n                raise RuntimeError('again') from err\n"
    "            except RuntimeError:\n                raise err\n",
    "self cause": "    def check_record(self, record):\n        err = ValueError('me'); raise err from err\n",
    "cyclic in finish": "    def check_record(self, record): return ()\n"
    "    def finish(self, context):\n        err = ValueError('me'); raise err from err\n",
    # an exception whose message cannot be made (a traceback and exit 1)
    "bad message": "    def check_record(self, record):\n"
    "        class Odd(Exception):\n            def __str__(self): raise RuntimeError('no str')\n"
    "        raise Odd()\n",
}


def _broken_plugin(tmp_path: Path, how: str) -> Path:
    folder = tmp_path / f"plugin_{how}"
    folder.mkdir()
    (folder / "broken.py").write_text(_PLUGIN_HEAD + _BROKEN[how])
    return folder


@pytest.mark.parametrize("jobs", ["1", "3"])
@pytest.mark.parametrize(
    "how",
    ["summary", "junk", "exit", "severity", "message", "related", "related place", "line", "other code", "score",
     "data", "circular", "nan summary", "cyclic cause", "self cause", "cyclic in finish", "bad message"],  # fmt: skip
)
def test_a_plugin_that_raises_yields_junk_or_exits_is_one_crash_finding_and_keeps_the_verdict(tmp_path, how, jobs):
    data = write_jsonl(tmp_path / "d.jsonl", [pair(output=""), pair("How do I print an invoice?")])
    proc = sftlint("lint", data, "--plugins", _broken_plugin(tmp_path, how), "--select", "XPL001,SFT101",
                   "--min-pairs", "1", "--jobs", jobs, "--format", "json")  # fmt: skip
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr, proc.stderr  # SFT101's NO-GO stands
    out = json.loads(proc.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON output"))
    crashes = [f for f in out["findings"] if f["code"] == "XPL001"]
    assert len(crashes) == 1 and crashes[0]["message"].startswith("check crashed:"), crashes


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("start", "XPL001 could not start: RuntimeError: boom in start"),
        ("init", "XPL001 could not be created: ValueError: boom in init"),
        ("init exit", "XPL001 could not be created: GeneratorExit: boom"),
        ("labels", "XPL001 summary_labels must map text to text, got 5"),
    ],
)
def test_a_plugin_that_cannot_start_is_one_error_line_naming_it(tmp_path, how, said):
    data = write_jsonl(tmp_path / "d.jsonl", [pair()])
    err = one_error_line(sftlint("lint", data, "--plugins", _broken_plugin(tmp_path, how), "--jobs", "3"))
    assert said in err


def test_a_summary_that_cannot_be_pickled_works_with_three_processes_as_with_one(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [pair(), pair("How do I print an invoice?")])
    plugin = _broken_plugin(tmp_path, "unpicklable")
    summaries, codes = [], set()
    for jobs in ("1", "3"):
        proc = sftlint("lint", data, "--plugins", plugin, "--min-pairs", "1", "--jobs", jobs, "--format", "json")
        assert proc.returncode in (0, 1) and not proc.stderr, proc.stderr
        codes.add(proc.returncode)
        summaries.append(json.loads(proc.stdout)["summaries"]["broken"])
    assert len(codes) == 1
    assert summaries[0]["n"] == summaries[1]["n"] == 1 and all("lock" in s["lock"] for s in summaries)


def test_report_of_a_result_whose_findings_were_removed_renders(tmp_path):
    """A crafted result whose table of checks counts findings that its list no longer holds
    (a check flagging a large share of the records, with no finding left to name)."""
    crafted = json.loads(json.dumps(RESULTS[0]))
    assert any(row["rate"] >= 0.1 for row in crafted["checks"])
    crafted["findings"] = []
    path = tmp_path / "r.json"
    path.write_text(json.dumps(crafted))
    outcome = CliRunner().invoke(cli, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


# Files the run reads besides the data, odd output names, plugins and stops at the end ---------


def _too_deep(n: int = 2000) -> str:
    return "[" * n


def _long_number(digits: int = 5000) -> str:
    return "9" * digits


@pytest.mark.parametrize(
    ("name", "text", "args", "says"),
    [
        ("base.json", _too_deep(), ["--baseline", "{f}"], "baseline is not valid JSON (nested too deeply"),
        ("base.json", '{"findings": [], "x": ' + _long_number() + "}", ["--baseline", "{f}"], "Exceeds the limit"),
        ("c.toml", "jobs = " + _long_number(4301), ["--config", "{f}"], "invalid TOML: Exceeds the limit"),
        ("c.toml", "a = " + "[" * 5000 + "]" * 5000, ["--config", "{f}"], "invalid TOML: nested too deeply"),
    ],
)
def test_what_a_lint_reads_besides_the_data_is_one_error_however_deep_or_long(tmp_path, name, text, args, says):
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    other = tmp_path / name
    other.write_text(text, encoding="utf-8")
    assert says in one_error_line(sftlint("lint", data, *[a.format(f=other) for a in args]))


@pytest.mark.parametrize("text", [_too_deep(), '{"tool": "sftlint", "x": ' + _long_number() + "}"])
def test_a_result_too_deep_or_too_long_to_read_is_one_error_for_report(tmp_path, text):
    result = tmp_path / "result.json"
    result.write_text(text, encoding="utf-8")
    assert "not JSON that can be read" in one_error_line(sftlint("report", result, "-o", tmp_path / "r.html"))
    assert not (tmp_path / "r.html").exists()


def test_a_datasets_folder_naming_a_missing_or_unreadable_file_is_one_error(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "dataset_info.json").write_text("{}")
    (folder / "state.json").write_text('{"_data_files": [{"filename": "data-00000-of-00001.arrow"}]}')
    for command in (["lint", folder], ["fix", folder, "-o", tmp_path / "kept.jsonl"]):
        assert "data-00000-of-00001.arrow, unreadable (No such file" in one_error_line(sftlint(*command))
    (folder / "state.json").write_text(_too_deep(3000))
    assert "unreadable state.json of a datasets folder (nested too deeply)" in one_error_line(sftlint("lint", folder))
    # a name that is no file name was a TypeError or ValueError traceback, exit 1 (read as NO-GO)
    for name, shown in ((5, "5"), (None, "None"), (["a"], "['a']"), ("", "''"), ("a\u0000b", "'a\\x00b'")):
        (folder / "state.json").write_text(json.dumps({"_data_files": [{"filename": name}]}))
        for command in (["lint", folder], ["fix", folder, "-o", tmp_path / "kept.jsonl"]):
            said = one_error_line(sftlint(*command))
            assert f"state.json of a datasets folder names {shown} as a data file\n" in said
    for name in ("../x.arrow", "/etc/passwd"):  # datasets names the files inside its folder
        (folder / "state.json").write_text(json.dumps({"_data_files": [{"filename": name}]}))
        assert f"names {name!r}, outside the folder\n" in one_error_line(sftlint("lint", folder))


@pytest.mark.parametrize(
    "args",
    [["lint", "{d}", "-o", ""], ["lint", "{d}", "--report", ""], ["fix", "{d}", "-o", ""],
     ["fix", "{d}", "-o", "{t}/k.jsonl", "--rejects", ""], ["split", "{d}", "-o", "", "-e", "{t}/e.jsonl"]],
)  # fmt: skip
def test_an_empty_output_name_is_one_error(tmp_path, args):
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    message = one_error_line(sftlint(*[a.format(d=data, t=tmp_path) for a in args], cwd=tmp_path))
    assert "an empty file name" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_fix_into_a_device_needs_a_rejects_file_named(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    message = one_error_line(sftlint("fix", data, "-o", "/dev/null"))
    assert "/dev/null is not a regular file: name the rejects file" in message
    assert not Path("/dev/null.rejected.jsonl").exists()
    proc = sftlint("fix", data, "-o", "/dev/null", "--rejects", tmp_path / "r.jsonl")
    assert proc.returncode == 0 and b"not linted again" in proc.stdout, proc.stderr


def test_the_output_and_the_report_are_replaced_together_or_not_at_all(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    report = tmp_path / "r.html"
    report.write_text("OLD")
    for output in ("/proc/no-such-folder/out.txt", "/dev/full"):
        proc = sftlint("lint", data, "--report", report, "-o", output)
        one_error_line(proc)  # the error alone: not "report written" before it
        assert report.read_text() == "OLD"
    proc = sftlint("lint", data, "--report", report, "-o", tmp_path / "out.txt")
    assert proc.returncode == 1 and proc.stderr.decode().endswith(f"sftlint: report written to {report}\n")
    assert report.read_text().startswith("<!DOCTYPE html>") and (tmp_path / "out.txt").read_text().strip()


def test_a_stop_while_outputs_are_renamed_lands_after_the_last_one(tmp_path, monkeypatch):
    """Ctrl-C between two renames of files that belong together: both are replaced, then it stops."""
    from sftlint import io as sftlint_io

    rename, sent = os.replace, []

    def replace(src, dst):
        if not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGINT)
        rename(src, dst)

    monkeypatch.setattr(sftlint_io.os, "replace", replace)
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    with pytest.raises(KeyboardInterrupt):
        sftlint_io.write_together([(p, p.name) for p in paths])
    assert sent and [p.read_text() for p in paths] == ["a.txt", "b.txt"]


def test_the_command_ends_with_ctrl_c_ignored_so_it_exits_with_its_code(tmp_path):
    """Python puts the default SIGINT handler back as it shuts down: a Ctrl-C then killed the
    process by the signal (exit 130, no message) after its outcome was decided."""
    code = (
        "import signal, sys\nfrom sftlint import cli\nsys.argv = ['sftlint', '--version']\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(code, *(signal.getsignal(s) is signal.SIG_IGN for s in (signal.SIGINT, signal.SIGTERM)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "0 True True", proc.stderr


@pytest.mark.parametrize("body", ["import sys\nsys.exit(5)\n", "raise SystemExit('boom')\n"])
def test_a_plugin_that_exits_as_it_is_imported_is_one_error(tmp_path, body):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "exits.py").write_text(body)
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    for command in (["lint", data], ["rules"], ["rule", "SFT101"]):
        assert "exits.py: failed to import: SystemExit" in one_error_line(sftlint(*command, "--plugins", folder))


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('preview = "yes"', "preview: Input should be a valid boolean"),
        ("preview = 1", "preview: Input should be a valid boolean"),
        ('jobs = "2"', "jobs: Input should be a valid integer"),
        ("jobs = true", "jobs: Input should be a valid integer"),
        ("examples_per_check = true", "examples_per_check: Input should be a valid integer"),
        ('[checks.dataset-size]\nmin_pairs = "500"', "checks.dataset-size.min_pairs: Input should be a valid integer"),
        # true was read as 1: SFT201 silently off
        ("[checks.dataset-size]\nmin_pairs = true", "checks.dataset-size.min_pairs: Input should be a valid integer"),
    ],
)
def test_a_config_value_of_the_wrong_type_is_an_error_not_converted(tmp_path, toml, says):
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    config = tmp_path / "c.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    assert says in one_error_line(sftlint("lint", data, "--config", config))


def test_config_values_of_the_right_type_still_read(tmp_path):
    """fail_on is read from its name, and a whole number is a number where a fraction may be."""
    data = write_jsonl(tmp_path / "in.jsonl", [pair(i) for i in range(5)])
    config = tmp_path / "c.toml"
    config.write_text('fail_on = "advice"\n[checks.near-duplicate]\nthreshold = 1\n', encoding="utf-8")
    proc = sftlint("lint", data, "--config", config, "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["fail_on"] == "advice", proc.stderr


def test_a_first_record_nested_past_pythons_limit_is_read_not_a_traceback(tmp_path):
    """The check for pretty-printed objects one after another decodes the first value with the
    standard library, which stops at Python's recursion limit."""
    path = tmp_path / "deep.jsonl"
    path.write_text('{"a":' + "[" * 1000 + "]" * 1000 + "}\n" + json.dumps(pair()) + "\n")
    proc = sftlint("lint", path, "--format", "json", "--min-pairs", "1")
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr, proc.stderr[-500:]
    assert json.loads(proc.stdout)["stats"]["records"] == 2


def test_fix_writes_a_rejected_record_json_cannot_hold_as_its_raw_text(tmp_path):
    """1e400 parses as infinity and 490 nested objects past what json.dumps can write: the reject
    file stays strict JSON, with the record as written in `raw`."""
    deep = '{"instruction":"q","output":"a","m":' + '[{"a":' * 491 + "1" + "}]" * 491 + "}"
    big = '{"instruction":"q2","output":"b","v":1e400}'
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join([json.dumps(pair()), deep, deep, big, big]) + "\n")
    proc = sftlint("fix", path, "-o", tmp_path / "out.jsonl")
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr, proc.stderr[-500:]
    rejected = (tmp_path / "out.rejected.jsonl").read_text().splitlines()
    strict = {"parse_constant": lambda name: pytest.fail(f"{name} in the reject file")}
    entries = [json.loads(line, **strict) for line in rejected]
    assert [(e["record"], e["raw"]) for e in entries] == [(None, deep), (None, big)]


def test_an_empty_plugin_folder_name_is_refused_and_runs_nothing(tmp_path):
    """'' as a path is the current folder: every .py file there (a setup.py, a conftest.py) was
    run as a plugin, printing into the output."""
    data = _dataset(tmp_path)
    (tmp_path / "setup.py").write_text("print('SETUP.PY RAN')\n")
    proc = sftlint("lint", data, "--plugins", "", cwd=tmp_path)
    assert "an empty plugin folder name" in one_error_line(proc) and b"SETUP.PY RAN" not in proc.stdout
    for setting in ('plugins = [""]', 'against = [""]', 'baseline = ""'):
        (tmp_path / "sftlint.toml").write_text(setting + "\n")
        proc = sftlint("lint", data, cwd=tmp_path)
        key = setting.split()[0]
        assert f"{key}: an empty file or folder name" in one_error_line(proc) and b"SETUP.PY RAN" not in proc.stdout
