"""`sftlint fix`: kept lines are the original bytes in order, rejects complete the input, the input is never touched."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REAL_DATA
from sftlint.cli import cli
from sftlint.errors import SftlintError

fix_module = importlib.import_module("sftlint.fix")  # the module; `sftlint.fix` is the library's function

REAL = REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl"


def real_lines(n: int) -> list[bytes]:
    """The first `n` lines of real answers (long, on-task: clean data), as stored, without endings."""
    with REAL.open("rb") as handle:
        return [next(handle).rstrip(b"\n") for _ in range(n)]


def dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def messy_dataset(path: Path) -> dict[str, set[int]]:
    """Real records with planted defects of every kind fix handles; returns the planted lines by code."""
    good = real_lines(40)
    lines = [b"\xef\xbb\xbf" + good[0]]  # BOM on line 1: not part of the record
    lines += good[1:10]
    lines.append(b"")  # blank line 11
    lines.append(good[10] + b"\r")  # line 12: CRLF ending, kept as is
    lines.append(b'{"instruction": "Summarise the memo.", "output": "')  # 13: truncated JSON
    lines.append(dump({"instruction": "Name the capital of Peru.", "output": ""}))  # 14: empty response
    lines.append(dump({"instruction": "   ", "output": "Lima is the capital of Peru."}))  # 15: empty instruction
    lines.append(good[3])  # 16: exact copy of line 4
    lines.append(dump(["not", "an", "object"]))  # 17: schema
    lines.append(
        dump({"instruction": "Translate 'bonjour'.", "output": "Hello.<|endoftext|>"})
    )  # 18: leakage (warning)
    lines.append(
        b'{"instruction": "Spell caf\xe9.", "output": "caf\xe9 is spelled c-a-f-e."}'
    )  # 19: latin-1 byte, valid JSON
    lines.append(b'{"instruction": "Bad bytes \xff", "output": ')  # 20: invalid JSON with a non-UTF-8 byte
    lines += good[11:40]
    lines.append(
        dump({"instruction": "Pick a colour.", "output": "Blue, like the sea — «bleu»."})
    )  # last line, no newline
    path.write_bytes(b"\n".join(lines))
    return {"SFT001": {13, 20}, "SFT002": {17}, "SFT101": {14}, "SFT102": {15}, "SFT103": {16}, "SFT111": {18}}


def run_fix(*args: object) -> tuple[int, str]:
    """Run `sftlint fix`; sftlint's own errors become exit code 2 and one line, as in `main`."""
    result = CliRunner().invoke(cli, ["fix", *[str(a) for a in args]])
    if isinstance(result.exception, SftlintError):
        return 2, f"sftlint: error: {result.exception}"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def read_rejects(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return [json.loads(line) for line in handle]


def physical_records(path: Path) -> list[tuple[int, bytes]]:
    """Non-blank lines of a file with their numbers and without line endings (BOM removed)."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    return [(i, line.rstrip(b"\r")) for i, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, dict[str, set[int]]]:
    path = tmp_path / "data.jsonl"
    return path, messy_dataset(path)


def test_kept_plus_rejected_is_the_input_byte_for_byte_in_order(messy, tmp_path):
    path, planted = messy
    out = tmp_path / "clean" / "train.jsonl"
    code, output = run_fix(path, "-o", out, "--min-pairs", "5")
    assert code == 0, output
    rejects = read_rejects(tmp_path / "clean" / "train.rejected.jsonl")
    by_line = {r["line"]: r for r in rejects}
    dropped_by_default = set().union(*(planted[c] for c in ("SFT001", "SFT002", "SFT101", "SFT102", "SFT103")))
    assert set(by_line) == dropped_by_default
    # Walk the input: each record is either the next kept line (same bytes) or a reject holding its exact text.
    kept_lines = out.read_bytes().split(b"\n")
    assert kept_lines.pop() == b""  # every kept line ends with a newline
    kept = iter(kept_lines)
    for number, data in physical_records(path):
        if number in by_line:
            assert by_line[number]["raw"].encode("utf-8", "surrogateescape") == data
        else:
            line = next(kept)
            assert line.rstrip(b"\r") == data
            assert line.endswith(b"\r") == (number == 12)  # the CRLF line keeps its ending
    assert next(kept, None) is None
    assert "kept 43 of 49 records; removed 6" in output


def test_rejects_carry_the_record_and_the_codes_and_messages(messy, tmp_path):
    path, planted = messy
    run_fix(path, "-o", tmp_path / "out.jsonl")
    rejects = {r["line"]: r for r in read_rejects(tmp_path / "out.rejected.jsonl")}
    assert rejects[14]["codes"] == ["SFT101"]
    assert rejects[14]["record"] == {"instruction": "Name the capital of Peru.", "output": ""}
    assert rejects[14]["findings"] == [
        {"code": "SFT101", "slug": "empty-response", "severity": "error", "message": "response is empty"}
    ]
    assert rejects[16]["findings"][0]["message"] == "exact duplicate of line 4"
    assert rejects[13]["record"] is None and rejects[13]["codes"] == ["SFT001"]
    assert rejects[20]["raw"].encode("utf-8", "surrogateescape") == b'{"instruction": "Bad bytes \xff", "output": '
    assert all(r["file"] == str(path) for r in rejects.values())


def test_warnings_are_kept_unless_dropped_explicitly(messy, tmp_path):
    path, planted = messy
    run_fix(path, "-o", tmp_path / "a.jsonl")
    assert b"<|endoftext|>" in (tmp_path / "a.jsonl").read_bytes()
    run_fix(path, "-o", tmp_path / "b.jsonl", "--drop", "template-leakage")
    assert b"<|endoftext|>" not in (tmp_path / "b.jsonl").read_bytes()
    rejects = {r["line"]: r["codes"] for r in read_rejects(tmp_path / "b.rejected.jsonl")}
    assert rejects[18] == ["SFT111"]
    code, output = run_fix(path, "-o", tmp_path / "c.jsonl", "--drop", "SFT999")
    assert code == 2 and "no check that runs matches it" in output


def test_ignoring_a_check_keeps_its_records(messy, tmp_path):
    path, planted = messy
    run_fix(path, "-o", tmp_path / "out.jsonl", "--ignore", "exact-duplicate")
    lines = {r["line"] for r in read_rejects(tmp_path / "out.rejected.jsonl")}
    assert 16 not in lines and 14 in lines


def test_the_cleaned_file_has_none_of_the_dropped_defects_and_its_verdict_is_printed(messy, tmp_path):
    path, _ = messy
    out = tmp_path / "out.jsonl"
    code, output = run_fix(path, "-o", out)
    assert code == 1  # 43 pairs are fewer than the 300 a GO needs
    assert "NO-GO: SFT201 dataset-size" in output
    lint = CliRunner().invoke(cli, ["lint", str(out), "--format", "json"])
    codes = {f["code"] for f in json.loads(lint.output)["findings"]}
    assert not codes & {"SFT001", "SFT002", "SFT101", "SFT102", "SFT103"}
    code, output = run_fix(path, "-o", tmp_path / "again.jsonl", "--min-pairs", "40")
    assert code == 0 and output.splitlines()[-1] == "GO: nothing at or above error"
    assert f"{tmp_path / 'again.jsonl'}: 43 records, 43 usable pairs" in output


def test_the_input_is_never_touched(messy, tmp_path):
    path, _ = messy
    past = 1_600_000_000_000_000_000
    os.utime(path, ns=(past, past))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    run_fix(path, "-o", tmp_path / "out.jsonl", "--drop", "SFT1")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == past
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "out.jsonl", "out.rejected.jsonl"]


def test_refuses_to_write_over_its_input_also_through_a_symlink(messy, tmp_path):
    path, _ = messy
    before = path.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(path)
    hard = tmp_path / "hard.jsonl"
    os.link(path, hard)
    for target in (path, link, hard, tmp_path / "sub" / ".." / "data.jsonl"):
        code, output = run_fix(path, "-o", target)
        assert code == 2 and "never writes over its input" in output, output
    code, output = run_fix(link, "-o", path)
    assert code == 2
    code, output = run_fix(path, "-o", tmp_path / "out.jsonl", "--rejects", link)
    assert code == 2 and "the rejects file is the input file" in output
    assert path.read_bytes() == before and link.is_symlink()


def test_output_is_atomic_a_failed_run_leaves_the_previous_output(messy, tmp_path, monkeypatch):
    path, _ = messy
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"previous good output\n")
    calls = []

    def fail_on_third_reject(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    original = fix_module._reject_entry
    monkeypatch.setattr(fix_module, "_reject_entry", fail_on_third_reject)
    result = CliRunner().invoke(cli, ["fix", str(path), "-o", str(out)])
    assert isinstance(result.exception, OSError)
    assert out.read_bytes() == b"previous good output\n"
    assert not (tmp_path / "out.rejected.jsonl").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "out.jsonl"]  # no temporary files left


@pytest.mark.parametrize("gz", [".gz", ".GZ"])  # any case: the reader takes either as gzip too
def test_gzip_input_and_output(messy, tmp_path, gz):
    path, _ = messy
    packed = tmp_path / "data.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    run_fix(path, "-o", tmp_path / "plain.jsonl")
    code, output = run_fix(packed, "-o", tmp_path / f"clean.jsonl{gz}", "--rejects", tmp_path / f"rejected.jsonl{gz}")
    assert code in (0, 1), output
    assert gzip.decompress((tmp_path / f"clean.jsonl{gz}").read_bytes()) == (tmp_path / "plain.jsonl").read_bytes()
    assert gzip.decompress((tmp_path / f"rejected.jsonl{gz}").read_bytes()).count(b"\n") == 6


def test_a_json_array_input_becomes_json_lines(tmp_path):
    records = [json.loads(line) for line in real_lines(6)]
    records.insert(2, {"instruction": "Name the capital of Peru.", "output": "N/A"})
    records.append(records[0])
    path = tmp_path / "data.json"
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    starts = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line == "  {"]
    code, output = run_fix(path, "-o", tmp_path / "out.jsonl", "--min-pairs", "1")
    assert code == 0, output
    assert "the input is one JSON document" in output
    kept = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert kept == [r for i, r in enumerate(records) if i not in (2, 7)]
    rejects = read_rejects(tmp_path / "out.rejected.jsonl")
    assert [(r["element"], r["line"], r["codes"]) for r in rejects] == [
        (3, starts[2], ["SFT101"]),
        (8, starts[7], ["SFT103"]),
    ]
    assert rejects[0]["record"] == records[2]


def test_a_one_line_json_array_with_identical_elements_keeps_the_first(tmp_path):
    record = {"instruction": "Name the capital of Peru.", "output": "Lima."}
    path = tmp_path / "data.json"
    path.write_text(json.dumps([record, record, {"instruction": "x", "output": ""}]), encoding="utf-8")
    run_fix(path, "-o", tmp_path / "out.jsonl")
    assert [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()] == [record]
    assert [r["element"] for r in read_rejects(tmp_path / "out.rejected.jsonl")] == [2, 3]


def test_errors_exit_2_with_one_line_from_the_real_command(messy, tmp_path):
    path, _ = messy
    sftlint = [sys.executable, "-m", "sftlint", "fix"]
    for args in (
        [str(path), "-o", str(path)],
        ["-", "-o", str(tmp_path / "o.jsonl")],
        [str(tmp_path / "missing.jsonl"), "-o", "x"],
    ):
        proc = subprocess.run([*sftlint, *args], capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("sftlint: error: ") and proc.stderr.count("\n") == 1, proc.stderr


def test_cleaned_records_to_standard_output_are_not_read_back(messy, tmp_path):
    """-o /dev/stdout: into a pipe the records are written and not linted again (reading the
    pipe back waited for ever); redirected to a file, the file is linted, not the descriptor
    (which still holds the file the cleaned one replaced: 0 records, a false NO-GO). The summary
    goes to standard error either way, never among the records."""
    path, _ = messy
    command = [sys.executable, "-m", "sftlint", "fix", str(path), "-o", "/dev/stdout", "--rejects", str(tmp_path / "r")]
    run_fix(path, "-o", tmp_path / "kept.jsonl")
    kept = (tmp_path / "kept.jsonl").read_bytes()
    piped = subprocess.run(command, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stdout == kept, piped.stderr
    assert b"/dev/stdout is not a regular file: not linted again" in piped.stderr
    with open(tmp_path / "redirected.jsonl", "wb") as out:
        redirected = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, timeout=120)
    assert (tmp_path / "redirected.jsonl").read_bytes() == kept
    cleaned = subprocess.run([*command[:3], "lint", str(tmp_path / "kept.jsonl")], capture_output=True)
    assert redirected.returncode == cleaned.returncode, redirected.stderr
    records = sum(1 for line in kept.splitlines() if line.strip())
    assert f"/dev/stdout: {records} records".encode() in redirected.stderr


def test_default_rejects_name():
    assert fix_module.default_rejects(Path("a/clean.jsonl")) == Path("a/clean.rejected.jsonl")
    assert fix_module.default_rejects(Path("clean.jsonl.gz")) == Path("clean.rejected.jsonl.gz")
    assert fix_module.default_rejects(Path("clean.json")) == Path("clean.rejected.jsonl")
    assert fix_module.default_rejects(Path("clean")) == Path("clean.rejected.jsonl")


def test_records_that_are_not_one_per_line_are_refused_not_miscopied(messy, tmp_path, monkeypatch):
    """If the reader ever sees records spanning lines, fix stops before writing anything wrong."""
    import sftlint.engine

    path, _ = messy
    original = sftlint.engine.read_file

    def merged_lines(name, stats=None):  # as if lines 2 and 3 held one record
        return (raw for raw in original(name, stats) if raw.line != 3)

    monkeypatch.setattr(sftlint.engine, "read_file", merged_lines)
    code, output = run_fix(path, "-o", tmp_path / "out.jsonl")
    assert code == 2 and "48 records on 49 non-blank lines" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]


def test_a_pretty_printed_single_object_becomes_one_line(tmp_path):
    record = json.loads(real_lines(1)[0])
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    code, output = run_fix(path, "-o", tmp_path / "out.jsonl", "--min-pairs", "1")
    assert code == 0 and "the input is one JSON document" in output, output
    assert [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()] == [record]
