"""The property harness: every command through the real entry point, fed hostile input.

`lint` in every format, `fix`, `split`, `report` and the baseline (written, then read) run on
hostile bytes, hostile JSON results, hostile configs and hostile paths. Every case must hold:

- the exit code is 0, 1 or 2, and no traceback is printed;
- an exit 2 says one `sftlint: error: ...` line on standard error, and nothing else;
- every file that existed before the run is unchanged, byte for byte;
- every output is valid UTF-8 and complete (its JSON loads and meets the output contract, the
  report ends in `</html>`, each JSON Lines line parses, split loses no line) or absent, and no
  other file (a temporary one) is left behind;
- standard output and error carry no control character but newline and tab.

The cases run in this process through `sftlint.cli.main`, the console entry point itself, with
descriptors 0, 1 and 2 pointed at files (so its own stream handling and error lines are what is
tested); a sample also runs as real processes. Examples are derandomized: CI runs the same cases.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sftlint.cli import main
from sftlint.io import BOM
from sftlint.output import FORMATS
from sftlint.schema import ResultModel
from test_hardening import CONFIG_KEYS, RESULTS, WRONG_VALUES, _nodes, _toml


def harness(examples: int):
    """Settings of a harness test: `examples` cases, the same ones on every run, nothing stored."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Running a command ----------------------------------------------------------------------------


@dataclass
class Run:
    code: object
    out: bytes
    err: bytes


@contextlib.contextmanager
def _standard_descriptors(stdin: bytes):
    """Descriptors 0, 1 and 2 on temporary files, and fresh `sys` streams over them, as in a new
    process whose standard streams are files; yields a list that receives what 1 and 2 got."""
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_fds = [os.dup(fd) for fd in (0, 1, 2)]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    captured: list[bytes] = []
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        given.write(stdin)
        given.seek(0)
        for fd, file in enumerate((given, out, err)):
            os.dup2(file.fileno(), fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout, sys.stderr = (
            io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8") for fd in (1, 2)
        )
        try:
            yield captured
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            for fd, saved in enumerate(saved_fds):
                os.dup2(saved, fd)
                os.close(saved)
            for file in (out, err):
                file.seek(0)
                captured.append(file.read())


def run_in_process(args: list[str], cwd: Path, stdin: bytes = b"") -> Run:
    """`sftlint ARGS` as the console script runs it, in this process (fast: no interpreter start)."""
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    saved_handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    code: object = 0
    with _standard_descriptors(stdin) as captured:
        sys.argv = ["sftlint", *args]
        os.chdir(cwd)
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        except BaseException:  # what a real process would print before exiting 1
            os.write(2, traceback.format_exc().encode())
            code = 1
        finally:
            os.chdir(saved_cwd)
            sys.argv = saved_argv
            for number, handler in saved_handlers.items():
                signal.signal(number, handler)
    return Run(code, *captured)


def run_process(args: list[str], cwd: Path, stdin: bytes = b"") -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", *args], cwd=cwd, input=stdin, capture_output=True, timeout=300
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


# What every case must hold --------------------------------------------------------------------

#: C0 controls but newline and tab, DEL and C1 controls: what a terminal or a CI log acts on.
_CONTROL = {*range(0x20), 0x7F, *range(0x80, 0xA0)} - {0x0A, 0x09}


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {
        path: hashlib.sha256(path.read_bytes()).digest()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def _complete(path: Path, kind: str) -> None:
    """`path` is valid UTF-8 and whole for what it is (raises if not)."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if kind == "lines":
        return  # what they hold is compared with the input by the test that wrote them
    text = data.decode("utf-8")
    if kind == "result":
        ResultModel.model_validate(json.loads(text))
    elif kind == "baseline":
        assert isinstance(json.loads(text)["findings"], list)
    elif kind == "html":
        assert text.lstrip().startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), text[-200:]
    elif kind == "sarif":
        assert json.loads(text)["version"] == "2.1.0"
    elif kind == "junit":
        ElementTree.fromstring(text)
    elif kind == "jsonl":
        for line in text.split("\n"):  # a line ends at a newline only (not at U+2028, as splitlines would)
            if line.strip():
                json.loads(line)
    else:
        assert kind == "text" and text.endswith("\n"), kind


@dataclass
class Output:
    """A file a case may write, and what it must be if it is there (a kind `_complete` knows)."""

    path: Path
    kind: str
    always: bool = True  # written by every run that does not exit 2
    replaces: bool = False  # an existing file the run does not read, which it may replace


def assert_held(run: Run, before: dict[Path, bytes], folder: Path, outputs: list[Output], context: object) -> None:
    """The promises every case keeps (see the module docstring)."""
    err = run.err.decode("utf-8", "replace")
    where = f"{context}\nexit {run.code}\nstderr: {err[-3000:]}"
    assert run.code in (0, 1, 2), where
    assert "Traceback" not in err and b"Traceback" not in run.out, where
    for name, stream in (("stdout", run.out), ("stderr", run.err)):
        stream.decode("utf-8")  # valid UTF-8, or this raises
        shown = set(stream.decode("utf-8"))
        assert not {c for c in shown if ord(c) in _CONTROL}, f"raw control character on {name}: {where}"
    errors = [line for line in err.splitlines() if line.startswith("sftlint: error: ")]
    if run.code == 2:
        assert err.count("\n") == 1 and len(errors) == 1 and err.endswith("\n"), where
    else:
        assert not errors, where
    after = _snapshot(folder)
    replaceable = {output.path for output in outputs if output.replaces}
    changed = [path for path, digest in before.items() if after.get(path) != digest and path not in replaceable]
    assert not changed, f"an input changed: {changed}\n{where}"
    expected = {output.path for output in outputs}
    for output in outputs:
        if output.path in before and before[output.path] == after.get(output.path):
            continue  # not written (a file the run reads is refused as an output)
        if _is_file(output.path):
            try:
                _complete(output.path, output.kind)
            except Exception as exc:  # noqa: BLE001 - any failure to read it whole is the finding
                raise AssertionError(f"{output.path.name} is not complete: {exc!r}\n{where}") from None
        elif run.code != 2 and output.always:
            raise AssertionError(f"{output.path.name} was not written\n{where}")
    stray = [path for path in after if path not in before and path not in expected]
    assert not stray, f"files left behind: {stray}\n{where}"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long: no file
        return False


@contextlib.contextmanager
def workspace(tmp_path: Path):
    """A fresh folder for one case (the test's own tmp_path is shared by its examples)."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check(
    folder: Path,
    args: list[str],
    outputs: list[Output],
    stdin: bytes = b"",
    runner=run_in_process,
) -> Run:
    """Run one case in `folder` and assert what every case holds."""
    before = _snapshot(folder)
    run = runner(args, folder, stdin)
    assert_held(run, before, folder, outputs, args)
    return run


# Hostile bytes ----------------------------------------------------------------------------------

ESCAPES = [
    "\x1b]0;TITLE\x07",
    "\x1b[2J",
    "\x1b[31m",
    "\x9b2J",
    "\r",
    "\n::error file=README.md,line=1::forged\n",
    "\x00",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
]
hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from([*ESCAPES, "", " ", "N/A", "<|endoftext|>", "### Response:", "{{name}}", "word " * 40]),
    st.lists(st.sampled_from([*ESCAPES, "a", "é", " ", "\U0001f600", "\u0301"]), max_size=8).map("".join),
)
huge_numbers = st.sampled_from([10**30, -(10**30), 2**63, 2**64 + 1, 1e308, -1e308, float("inf"), float("nan")])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), huge_numbers, st.floats(), hostile_text)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=8,
)
maybe = st.one_of(hostile_text, hostile_text, json_values)  # mostly text, sometimes a wrong type
turn = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", "tool", "bot"]) | hostile_text, "content": maybe},
    optional={"tool_calls": json_values, "name": maybe},
)
records = st.one_of(
    st.fixed_dictionaries(
        {"instruction": maybe, "output": maybe}, optional={"input": maybe, "label": maybe, "system": maybe}
    ),
    st.fixed_dictionaries({"messages": st.lists(turn, max_size=4) | json_values}, optional={"tools": json_values}),
    st.fixed_dictionaries(
        {"conversations": st.lists(st.fixed_dictionaries({"from": maybe, "value": maybe}), max_size=3)}
    ),
    st.fixed_dictionaries({"prompt": maybe, "completion": maybe}),
    json_values,
)
deep = st.integers(min_value=1, max_value=60_000).map(lambda n: b"[" * n + b"]" * n)
raw_lines = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"{",
            b'{"instruction": "a", "output": "b"',
            b'{"instruction": "\xff\xfe", "output": "\xc3\x28"}',  # invalid UTF-8 inside a record
            b'{"instruction": "\xed\xa0\x80 encoded surrogate", "output": "x"}',
            b'{"instruction": "a", "output": ' + b"9" * 5000 + b"}",
            b'{"instruction": "a", "output": 1e999}',
            b'{"instruction": "a", "instruction": "b", "output": "dup key"}',
            b"NaN",
            b'"just a string"',
            b"\x00\x00\x00",
        ]
    ),
    deep,
)


def _encode(record: object, ascii_only: bool) -> bytes:
    """A record as JSON: lone surrogates escaped (`\\ud800`) or, raw, as bytes no UTF-8 allows."""
    return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


lines = st.one_of(
    st.tuples(records, st.booleans()).map(lambda pair: _encode(*pair)),
    raw_lines,
)
separators = st.sampled_from([b"\n", b"\n", b"\r\n", b"\r", b"\r\r\n", b"\n\n", "\u2028".encode(), b"\x85"])


@st.composite
def jsonl_bytes(draw) -> bytes:
    body = draw(st.lists(st.tuples(lines, separators), max_size=8))
    data = b"".join(line + sep for line, sep in body)
    if body and draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no newline at the end
    return draw(st.sampled_from([b"", BOM, codecs.BOM_UTF16_LE])) + data


@st.composite
def json_array_bytes(draw) -> bytes:
    items = draw(st.lists(st.tuples(records, st.booleans()).map(lambda pair: _encode(*pair)), max_size=6))
    joiner = draw(st.sampled_from([b",", b",\n", b",\r\n", b" , "]))
    closing = draw(st.sampled_from([b"]", b"]\n", b"", b"],"]))  # "" and "]," are broken arrays
    return draw(st.sampled_from([b"", BOM])) + b"[" + joiner.join(items) + closing


@st.composite
def hostile_file(draw) -> tuple[str, bytes]:
    """A file name and its bytes: JSON Lines, a JSON array, compressed, tabular, or garbage."""
    kind = draw(st.sampled_from(["jsonl"] * 5 + ["array", "binary", "empty", "gz", "csv", "parquet"]))
    if kind == "jsonl":
        return draw(st.sampled_from(["data.jsonl", "data.json", "data.txt"])), draw(jsonl_bytes())
    if kind == "array":
        return "data.json", draw(json_array_bytes())
    if kind == "binary":
        return "data.jsonl", draw(st.binary(max_size=300))
    if kind == "empty":
        return "data.jsonl", draw(st.sampled_from([b"", b"\n", b" \r\n\t\n", BOM, b"[]", b"{}", b"null"]))
    if kind == "gz":
        packed = gzip.compress(draw(jsonl_bytes()), mtime=0)
        cut = draw(st.sampled_from([len(packed), len(packed) - 1, len(packed) // 2, 10, 0]))
        return "data.jsonl.gz", packed[:cut] + draw(st.sampled_from([b"", b"garbage"]))
    if kind == "csv":
        header = draw(st.sampled_from([b"instruction,output\n", b"instruction\toutput\n", b"", b'"unclosed\n']))
        return draw(st.sampled_from(["data.csv", "data.tsv"])), header + draw(jsonl_bytes())
    return "data.parquet", b"PAR1" + draw(st.binary(max_size=80)) + draw(st.sampled_from([b"PAR1", b""]))


def _input(folder: Path, drawn: tuple[str, bytes]) -> str:
    name, data = drawn
    (folder / name).write_bytes(data)
    return name


def _lint_outputs(folder: Path, fmt: str, to_file: bool, report: bool) -> tuple[list[str], list[Output]]:
    args, outputs = ["--format", fmt], []
    if to_file:
        kind = {"json": "result", "sarif": "sarif", "junit": "junit"}.get(fmt, "text")
        name = f"out.{ {'result': 'json', 'sarif': 'sarif', 'junit': 'xml'}.get(kind, 'txt') }"
        args += ["-o", name]
        outputs.append(Output(folder / name, kind))
    if report:
        args += ["--report", "r.html"]
        outputs.append(Output(folder / "r.html", "html"))
    return args, outputs


def _stdout_complete(run: Run, fmt: str) -> None:
    """What `lint` prints when it succeeds is whole: the JSON result, or lines ending in the verdict."""
    if run.code == 2:
        return
    text = run.out.decode("utf-8")
    if fmt == "json":
        ResultModel.model_validate(json.loads(text))
    elif fmt == "sarif":
        assert json.loads(text)["version"] == "2.1.0"
    elif fmt == "junit":
        ElementTree.fromstring(text)
    else:
        last = text.rstrip("\n").splitlines()[-1]
        assert last.startswith(("sftlint GO", "sftlint NO-GO") if fmt == "github" else ("GO: ", "NO-GO: ")), text
    if fmt == "github":
        assert all(line.startswith(("::", "sftlint ")) for line in text.splitlines()), text


# lint, in every format --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@harness(260)
@given(drawn=hostile_file(), to_file=st.booleans(), report=st.sampled_from([False, False, True]), stdin=st.booleans())
def test_lint_holds_on_hostile_bytes(tmp_path, fmt, drawn, to_file, report, stdin):
    with workspace(tmp_path) as folder:
        name = _input(folder, drawn)
        args, outputs = _lint_outputs(folder, fmt, to_file, report)
        if stdin and not name.endswith((".gz", ".csv", ".tsv")):  # standard input is read as JSON Lines
            run = check(folder, ["lint", "-", *args], outputs, stdin=(folder / name).read_bytes())
        else:
            run = check(folder, ["lint", name, *args], outputs)
        if not to_file:
            _stdout_complete(run, fmt)


# fix --------------------------------------------------------------------------------------------


@harness(220)
@given(drawn=hostile_file(), gz=st.booleans(), drop=st.sampled_from([[], ["--drop", "SFT1"], ["--min-pairs", "1"]]))
def test_fix_holds_on_hostile_bytes(tmp_path, drawn, gz, drop):
    with workspace(tmp_path) as folder:
        name = _input(folder, drawn)
        clean = "clean.jsonl.gz" if gz else "clean.jsonl"
        rejects = clean.replace("clean.", "clean.rejected.")
        outputs = [Output(folder / clean, "lines"), Output(folder / rejects, "jsonl")]
        check(folder, ["fix", name, "-o", clean, *drop], outputs)
        if (folder / clean).exists():
            _kept_records_are_whole(folder / clean, folder / name)


def _kept_records_are_whole(clean: Path, source: Path) -> None:
    """fix keeps records as the input has them: each kept line is a JSON record and, for JSON
    Lines, a line of the input; invalid UTF-8 only where the input had it (copied byte for byte)."""
    kept = _nonblank(clean)
    for line in kept:
        json.loads(line.decode("utf-8", "surrogateescape").strip())
    if source.name.endswith((".gz", ".csv", ".tsv", ".parquet")):
        return
    original = _nonblank(source)
    try:
        source.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pass  # its lines are copied as they are
    else:
        b"\n".join(kept).decode("utf-8")  # a valid input gives a valid output
    if original and _one_record(original[0]):  # JSON Lines, not one document spread over lines
        assert set(kept) <= set(original), "fix wrote a line that is not in its input"


def _one_record(line: bytes) -> bool:
    try:
        return not line.lstrip().startswith(b"[") and json.loads(line.decode("utf-8", "replace")) is not None
    except ValueError:
        return False


def _nonblank(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [line.rstrip(b"\r\n") for line in data.removeprefix(BOM).split(b"\n") if line.strip()]


# split ------------------------------------------------------------------------------------------


@harness(220)
@given(
    drawn=hostile_file(),
    fraction=st.sampled_from(["0.1", "0.5", "0", "1", "-1", "2", "nan", "inf", "1e-300"]),
    near=st.booleans(),
    stratify=st.booleans(),
)
def test_split_holds_on_hostile_bytes(tmp_path, drawn, fraction, near, stratify):
    with workspace(tmp_path) as folder:
        name = _input(folder, drawn)
        options = ["--eval-fraction", fraction, *([] if near else ["--no-near-duplicates"])]
        options += [] if stratify else ["--no-stratify"]
        outputs = [Output(folder / "train.jsonl", "lines"), Output(folder / "eval.jsonl", "lines")]
        run = check(folder, ["split", name, "-o", "train.jsonl", "-e", "eval.jsonl", *options], outputs)
        if run.code != 2 and not name.endswith((".gz", ".csv", ".tsv", ".parquet")):
            split = _nonblank(folder / "train.jsonl") + _nonblank(folder / "eval.jsonl")
            elements = _array_elements(folder / name)
            if elements is not None:  # a JSON array: its records, written one per line
                dealt = [json.loads(line) for line in split]
                assert len(dealt) == len(elements), "split lost or invented a record"
                if _utf8(folder / name):  # bytes that are not UTF-8 are read as U+FFFD, as SFT003 says
                    assert sorted(map(_canonical, dealt)) == sorted(map(_canonical, elements)), "split changed a record"
            else:
                assert sorted(split) == sorted(_nonblank(folder / name)), "split lost or invented a line"


def _array_elements(path: Path) -> list | None:
    """The elements of `path` if it is one JSON array, else None (JSON Lines, broken or not)."""
    try:
        value = json.loads(path.read_bytes().removeprefix(BOM))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True)


# the baseline, written then read ----------------------------------------------------------------


@harness(180)
@given(drawn=hostile_file(), fmt=st.sampled_from(FORMATS), tamper=st.sampled_from([None, None, "bytes", "json"]))
def test_baseline_written_then_read_holds_on_hostile_bytes(tmp_path, drawn, fmt, tamper):
    with workspace(tmp_path) as folder:
        name = _input(folder, drawn)
        baseline = Output(folder / "b.json", "baseline")
        run = check(folder, ["lint", name, "--write-baseline", "b.json", "--format", fmt], [baseline])
        if run.code == 2:
            return
        assert run.code == 0, "a run that accepts every finding but advice is GO unless too few records"
        if tamper == "bytes":
            (folder / "b.json").write_bytes((folder / "b.json").read_bytes()[:-7])
        elif tamper == "json":
            accepted = json.loads((folder / "b.json").read_text(encoding="utf-8"))
            accepted["findings"] = [{"code": 5, "key": None}] if accepted["findings"] else "x"
            (folder / "b.json").write_text(json.dumps(accepted))
        run = check(folder, ["lint", name, "--baseline", "b.json", "--format", fmt], [])
        if tamper is None:
            assert run.code in (0, 1)


# report on hostile JSON results -----------------------------------------------------------------

WRONG = [*WRONG_VALUES, None, "", "\x1b[2J<script>alert(1)</script>", 10**30, -(10**30), 1e308, "\ud800"]


@st.composite
def hostile_result(draw) -> bytes:
    """A real result with a value of the wrong type somewhere, a key missing or added; or garbage."""
    how = draw(st.sampled_from(["retype"] * 3 + ["drop", "add", "bytes", "nan"]))
    if how == "bytes":
        return draw(st.one_of(jsonl_bytes(), st.binary(max_size=200), json_array_bytes()))
    result = json.loads(json.dumps(draw(st.sampled_from(RESULTS))))
    where = draw(st.sampled_from(_nodes(result)[1:]))
    parent = result
    for key in where[:-1]:
        parent = parent[key]
    if how == "retype":
        parent[where[-1]] = draw(st.sampled_from(WRONG) | json_values)
    elif how == "drop":
        del parent[where[-1]]
    elif how == "add" and isinstance(parent, dict):
        parent[draw(hostile_text)] = draw(json_values)
    elif how == "add":
        parent.append(draw(json_values))
    else:
        parent[where[-1]] = float("nan")
    return json.dumps(result, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@harness(320)
@given(result=hostile_result(), stdin=st.booleans())
def test_report_holds_on_hostile_results(tmp_path, result, stdin):
    with workspace(tmp_path) as folder:
        html = Output(folder / "r.html", "html")
        if stdin:
            check(folder, ["report", "-", "-o", "r.html"], [html], stdin=result)
        else:
            (folder / "result.json").write_bytes(result)
            check(folder, ["report", "result.json", "-o", "r.html"], [html])


#: a small dataset that lints, fixes and splits: the input of the config and path cases
HEALTHY = b"".join(
    json.dumps({"instruction": f"How do I export report {i} to CSV?", "output": f"Open report {i}."}).encode() + b"\n"
    for i in range(6)
) + b'{"instruction": "Why?", "output": ""}\n{"broken\n'


# hostile configs --------------------------------------------------------------------------------

config_values = st.one_of(st.sampled_from(WRONG), json_values.filter(lambda v: v == v))  # TOML has no NaN keys


def _toml_value(value: object) -> str:
    """A value as TOML, when TOML can say it (no null; NaN and huge numbers as TOML spells them)."""
    if value is None:
        return '""'
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return _toml(value)


@st.composite
def hostile_config(draw) -> tuple[str, bytes]:
    """A config file name and its bytes: wrong types at any level, unknown keys, or no TOML at all."""
    name = draw(st.sampled_from(["sftlint.toml", "pyproject.toml"]))
    how = draw(st.sampled_from(["wrong"] * 4 + ["unknown", "broken", "tool"]))
    if how == "broken":
        return name, draw(
            st.one_of(
                st.binary(max_size=120),
                st.sampled_from([b'select = "unclosed', b"[checks\n", b"a = 1\na = 2\n", b"\xff\xfe = 1", b"= 5"]),
            )
        )
    if how == "tool":
        tables = [b"tool = 5\n", b'[tool]\nsftlint = "x"\n', b"[tool]\nsftlint = [1]\n"]
        return "pyproject.toml", draw(st.sampled_from(tables))
    key = draw(st.sampled_from(CONFIG_KEYS))
    if how == "unknown":
        key = (*key[:-1], draw(hostile_text.filter(bool)))
    value = draw(config_values)
    if key == ("jobs",) and isinstance(value, int) and not isinstance(value, bool) and value > 2:
        value = -value  # a valid number of processes is no hostile value, and forking many is slow
    section = ".".join(json.dumps(k) for k in (("tool", "sftlint") if name == "pyproject.toml" else ()) + key[:-1])
    text = (f"[{section}]\n" if section else "") + f"{json.dumps(key[-1])} = {_toml_value(value)}\n"
    return name, text.encode("utf-8", "surrogatepass")


@harness(240)
@given(
    config=hostile_config(),
    given_as=st.sampled_from(["found", "option", "isolated"]),
    command=st.sampled_from(["lint", "fix", "split"]),
    fmt=st.sampled_from(FORMATS),
)
def test_commands_hold_on_hostile_configs(tmp_path, config, given_as, command, fmt):
    with workspace(tmp_path) as folder:
        (folder / "data.jsonl").write_bytes(HEALTHY)
        name, text = config
        (folder / name).write_bytes(text)
        options = {"found": [], "option": ["--config", name], "isolated": ["--isolated"]}[given_as]
        if command == "lint":
            args, outputs = _lint_outputs(folder, fmt, to_file=True, report=False)
            args = ["lint", "data.jsonl", *args]
        elif command == "fix":
            args = ["fix", "data.jsonl", "-o", "clean.jsonl"]
            outputs = [Output(folder / "clean.jsonl", "lines"), Output(folder / "clean.rejected.jsonl", "jsonl")]
        else:
            args = ["split", "data.jsonl", "-o", "train.jsonl", "-e", "eval.jsonl"]
            outputs = [Output(folder / "train.jsonl", "lines"), Output(folder / "eval.jsonl", "lines")]
        run = check(folder, [*args, *options], outputs)
        if given_as == "isolated":
            assert run.code in (0, 1), "--isolated reads no config file, so no config can make it fail"


# hostile paths ----------------------------------------------------------------------------------

ODD_NAMES = [
    "with space.jsonl",
    "new\nline.jsonl",
    "tab\there.jsonl",
    "\x1b]0;TITLE\x07.jsonl",
    "ünïcödé—名前.jsonl",
    "\u202eevil.jsonl",
    "-dash.jsonl",
    "--format",
    "x" * 300 + ".jsonl",
    "missing/dir/out.jsonl",
    ".",
    "..",
    "a dir",
    "data.jsonl",
    "./data.jsonl",
    "sftlint.toml",
]


@st.composite
def hostile_command(draw, folder_names: list[str]) -> list[str]:
    """One command with hostile paths in place of its file arguments."""
    path = st.sampled_from(ODD_NAMES + folder_names)
    command = draw(st.sampled_from(["lint", "lint-out", "report", "fix", "split", "baseline", "config"]))
    source = draw(path)
    if command == "lint":
        return ["lint", source, "--format", draw(st.sampled_from(FORMATS))]
    if command == "lint-out":
        return ["lint", source, "-o", draw(path), "--report", draw(path)]
    if command == "report":
        return ["report", draw(st.sampled_from(["result.json", *ODD_NAMES])), "-o", draw(path)]
    if command == "fix":
        return ["fix", source, "-o", draw(path), "--rejects", draw(path)]
    if command == "split":
        return ["split", source, "-o", draw(path), "-e", draw(path)]
    if command == "baseline":
        return ["lint", source, draw(st.sampled_from(["--baseline", "--write-baseline"])), draw(path)]
    return ["lint", source, "--config", draw(path)]


@harness(240)
@given(data=st.data(), dash=st.booleans())
def test_commands_hold_on_hostile_paths(tmp_path, data, dash):
    with workspace(tmp_path) as folder:
        existing = data.draw(st.lists(st.sampled_from(ODD_NAMES[:8]), max_size=3, unique=True))
        for name in ["data.jsonl", *existing]:
            (folder / name).write_bytes(HEALTHY)
        (folder / "a dir").mkdir()
        (folder / "sftlint.toml").write_text("examples_per_check = 2\n")
        (folder / "result.json").write_text(json.dumps(RESULTS[1]))
        args = data.draw(hostile_command(existing))
        outputs = _named_outputs(folder, args)
        if dash:  # options first, then `--`: a name after it with a leading dash is a file, not an option
            args = [args[0], *args[2:], "--", args[1]]
        check(folder, args, outputs)


def _named_outputs(folder: Path, args: list[str]) -> list[Output]:
    """The files a command may write, by the options that name them (and fix's default rejects);
    an existing one it does not read it may replace."""
    kinds = {"-o": "text", "--report": "html", "--rejects": "jsonl", "-e": "lines", "--write-baseline": "baseline"}
    if args[0] == "report":
        kinds["-o"] = "html"
    elif args[0] in ("fix", "split"):
        kinds["-o"] = "lines"
    named = list(zip(args[2::2], args[3::2], strict=False))
    config = [] if args[0] == "report" else ["sftlint.toml"]  # report reads no config
    reads = {_resolved(folder / name) for name in [*config, args[1]]}
    reads |= {_resolved(folder / value) for option, value in named if option in ("--config", "--baseline")}
    outputs = []
    for option, value in named:
        if option in kinds:
            targets = [folder / value]
            if args[0] == "fix" and option == "-o":
                from sftlint.fix import default_rejects

                targets.append(default_rejects(folder / value))
            for target, kind in zip(targets, [kinds[option], "jsonl"], strict=False):
                outputs.append(Output(target, kind, always=False, replaces=_resolved(target) not in reads))
    return outputs


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except OSError:
        return None


# a sample as real processes ---------------------------------------------------------------------


@harness(6)
@given(drawn=hostile_file(), command=st.sampled_from(["lint", "lint-json", "fix", "split", "report"]))
def test_a_sample_holds_in_real_processes(tmp_path, drawn, command):
    """The same promises from a new interpreter: the console entry point's own streams and exit."""
    with workspace(tmp_path) as folder:
        name = _input(folder, drawn)
        if command == "lint":
            check(folder, ["lint", name, "--report", "r.html"], [Output(folder / "r.html", "html")], runner=run_process)
        elif command == "lint-json":
            run = check(folder, ["lint", "-", "--format", "json"], [], stdin=drawn[1], runner=run_process)
            _stdout_complete(run, "json")
        elif command == "fix":
            outputs = [Output(folder / "c.jsonl", "lines"), Output(folder / "c.rejected.jsonl", "jsonl")]
            check(folder, ["fix", name, "-o", "c.jsonl"], outputs, runner=run_process)
        elif command == "split":
            outputs = [Output(folder / "t.jsonl", "lines"), Output(folder / "e.jsonl", "lines")]
            check(folder, ["split", name, "-o", "t.jsonl", "-e", "e.jsonl"], outputs, runner=run_process)
        else:
            check(folder, ["report", name, "-o", "r.html"], [Output(folder / "r.html", "html")], runner=run_process)
