"""The CLI as users and pipelines meet it: exit codes, formats, selection, config, bad input."""

import gzip
import json
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import REPO, pair, write_jsonl
from sftlint.cli import cli
from sftlint.schema import ResultModel, json_schema


def invoke(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


ITEMS = "invoice receipt order refund payment quote contract ticket report budget memo claim voucher bill lease deposit"
ITEMS += " grant"
TEAMS = (
    "sales support finance legal design research marketing audit billing travel payroll security data hiring ops web "
    "mobile tax sourcing"
)
FORMATS = "CSV PDF Excel JSON XML HTML text Markdown ZIP ODS TSV YAML Parquet SQL RTF DOCX Avro Feather LaTeX EPUB XLSX"
FORMATS += " PNG SVG"


def good_records(n=310):
    """Distinct records: any two differ in at least two of item, team and format (17, 19 and 23
    of them), besides the number. Records that differ only in a number or a name are near-duplicates."""
    items, teams, formats = ITEMS.split(), TEAMS.split(), FORMATS.split()
    return [
        pair(
            f"How do I export {items[i % 17]} batch {i} of the {teams[i % 19]} team to {formats[i % 23]}?",
            f"Open {items[i % 17]} batch {i}, filter by the {teams[i % 19]} team, "
            f"choose Export, then {formats[i % 23]}.",
        )
        for i in range(n)
    ]


@pytest.fixture
def good(tmp_path):
    return write_jsonl(tmp_path / "good.jsonl", good_records())


@pytest.fixture
def bad(tmp_path):
    return write_jsonl(
        tmp_path / "bad.jsonl",
        [*good_records(305), pair(output=""), "{nope", pair("Where is the CSV option?", output="")],
    )


def test_go_exits_0_and_no_go_exits_1(good, bad):
    assert invoke("lint", good).exit_code == 0
    result = invoke("lint", bad)
    assert result.exit_code == 1
    assert "NO-GO" in result.output.splitlines()[-1]
    assert f"{bad}:306: SFT101 empty-response response is empty" in result.output
    assert f"{bad}:307: SFT001 invalid-json" in result.output


def test_text_output_has_a_summary_table(bad):
    out = invoke("lint", bad).output
    assert "records in 1 file: " in out
    table = [line for line in out.splitlines() if line.startswith("SFT101 ")]
    assert table and table[0].split()[1:4] == ["empty-response", "error", "2"]


def test_text_output_names_the_shapes_read(tmp_path):
    """A file read as another shape than meant shows in the summary line, before any finding is read."""
    path = tmp_path / "mixed.jsonl"
    chat = {"messages": [{"role": "user", "content": "Who are you?"}, {"role": "assistant", "content": "A bot."}]}
    alpaca = {"instruction": "Name a colour.", "output": "Blue."}
    path.write_text("\n".join(json.dumps(r) for r in [chat, chat, alpaca, {"text": "raw"}]) + "\n")
    assert "4 records in 1 file: 3 valid (chat 2, alpaca 1), 2 usable pairs\n" in invoke("lint", path).output
    path.write_text(json.dumps(alpaca) + "\n")
    assert "1 record in 1 file: 1 valid (alpaca), 1 usable pair\n" in invoke("lint", path, "--min-pairs", "1").output



def test_json_output_follows_the_contract(bad):
    result = invoke("lint", bad, "--format", "json")
    data = json.loads(result.output)
    ResultModel.model_validate(data)
    jsonschema.validate(data, json_schema())
    assert data["verdict"] == "no-go" and data["tool"] == "sftlint"
    assert data["stats"]["records"] == 308 and data["stats"]["valid"] == 307
    assert data["stats"]["usable_pairs"] == 305
    first = next(f for f in data["findings"] if f["code"] == "SFT101")
    assert first == {
        "code": "SFT101", "slug": "empty-response", "severity": "error", "file": str(bad), "line": 306,
        "record": 306, "message": "response is empty", "related": [], "score": None,
    }  # fmt: skip
    lines = [(f["file"] or "", f["line"] or 0, f["code"]) for f in data["findings"]]  # dataset-wide first
    assert lines == sorted(lines)


def test_github_annotations(bad):
    out = invoke("lint", bad, "--format", "github").output.splitlines()
    assert f"::error file={bad},line=306,title=SFT101 empty-response::response is empty" in out
    assert out[-1].startswith("sftlint NO-GO")


def test_select_and_ignore_by_code_prefix_and_slug(bad):
    def codes(*args):
        found = json.loads(invoke("lint", bad, "--format", "json", *args).output)["findings"]
        return {f["code"] for f in found if f["severity"] != "advice"}

    assert codes() == {"SFT001", "SFT101"}
    assert codes("--select", "SFT1") == {"SFT101"}
    assert codes("--ignore", "empty-response") == {"SFT001"}
    assert codes("--select", "SFT0,SFT101", "--ignore", "SFT1") == {"SFT001", "SFT101"}
    assert codes("--select", "SFT0,SFT1", "--ignore", "SFT10") == {"SFT001"}
    assert codes("--ignore", "SFT1", "--select", "SFT101") == {"SFT101"}  # the more specific wins
    assert invoke("lint", bad, "--ignore", "SFT001,SFT101").exit_code == 0


def test_unknown_selector_is_a_usage_error(good):
    result = invoke("lint", good, "--select", "SFT999")
    assert result.exit_code == 2 and "unknown check selector 'SFT999'" in result.output


def test_fail_on_warning(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [*good_records(), good_records(1)[0]])
    assert invoke("lint", data).exit_code == 0  # a duplicate is a warning
    assert invoke("lint", data, "--fail-on", "warning").exit_code == 1


def test_min_pairs(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", good_records(20))
    result = invoke("lint", data)
    assert result.exit_code == 1 and "only 20 usable pairs of 20 records; the minimum is 300" in result.output
    assert invoke("lint", data, "--min-pairs", "20").exit_code == 0


def test_dataset_size_says_why_records_are_not_usable(bad):
    out = json.loads(invoke("lint", bad, "--format", "json", "--min-pairs", "400").output)
    message = next(f["message"] for f in out["findings"] if f["code"] == "SFT201")
    assert message == "only 305 usable pairs of 308 records (1 invalid, 2 flagged by SFT101); the minimum is 400"


def test_stdin_and_gzip(tmp_path):
    lines = b"".join(json.dumps(r).encode() + b"\n" for r in good_records())
    result = invoke("lint", "-", "--format", "json", input=lines)
    assert result.exit_code == 0 and json.loads(result.output)["files"] == ["<stdin>"]
    gz = tmp_path / "d.jsonl.gz"
    gz.write_bytes(gzip.compress(lines))
    assert invoke("lint", gz).exit_code == 0


def test_field_mapping(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"q": r["instruction"], "a": r["output"]} for r in good_records()])
    assert invoke("lint", data).exit_code == 1
    assert invoke("lint", data, "--field", "instruction=q", "--field", "response=a").exit_code == 0
    result = invoke("lint", data, "--field", "response")
    assert result.exit_code == 2 and "FIELD=NAME" in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[tool.sftlint]\nfail_onn = 'warning'\n", "fail_onn: unknown key"),
        ("[tool.sftlint]\nselect = 'SFT1'\n", "select: Input should be a valid list"),
        ("[tool.sftlint]\nfail_on = 'fatal'\n", "fail_on: Input should be"),
        ("[tool.sftlint.checks.empty-response]\nplaceholder = []\n", "checks.empty-response.placeholder: unknown key"),
        ("[tool.sftlint.checks.dataset-size]\nmin_pairs = 'many'\n", "checks.dataset-size.min_pairs"),
        ("[tool.sftlint.checks.no-such-check]\nx = 1\n", "unknown check 'no-such-check'"),
        ("[tool.sftlint.checks.schema]\nseverity = 'fatal'\n", "checks.schema.severity: must be one of"),
        ("[tool.sftlint\n", "invalid TOML"),
    ],
)
def test_config_errors_name_the_key_and_exit_2(tmp_path, monkeypatch, good, content, expected):
    (tmp_path / "pyproject.toml").write_text(content)
    monkeypatch.chdir(tmp_path)
    result = invoke("lint", good)
    assert result.exit_code == 2
    assert expected in result.output


def test_config_is_found_upward_and_the_command_line_wins(tmp_path, monkeypatch):
    data = write_jsonl(tmp_path / "d.jsonl", good_records(50))
    (tmp_path / "sftlint.toml").write_text("[checks.dataset-size]\nmin_pairs = 50\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert invoke("lint", data).exit_code == 0
    assert invoke("lint", data, "--min-pairs", "60").exit_code == 1


def test_a_sftlint_toml_written_in_pyprojects_form_says_to_drop_the_prefix(tmp_path, monkeypatch):
    """A table pasted from pyproject.toml's form was "tool: unknown key", with no hint."""
    data = write_jsonl(tmp_path / "d.jsonl", good_records(50))
    (tmp_path / "sftlint.toml").write_text("[tool.sftlint.checks.dataset-size]\nmin_pairs = 50\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("lint", data)
    assert result.exit_code == 2
    assert "go at its top level, without [tool.sftlint]" in result.output
    (tmp_path / "sftlint.toml").write_text("[checks.dataset-size]\nmin_pairs = 50\n")
    assert invoke("lint", data).exit_code == 0  # the form it asks for


def test_one_option_set_twice_under_two_names_of_a_check_is_an_error_and_the_command_line_wins(tmp_path, monkeypatch):
    """[checks.near-duplicate] and [checks.SFT104] setting the threshold to 0.5 and 0.9: the one
    later in the file won, silently."""
    monkeypatch.chdir(tmp_path)
    data = write_jsonl(tmp_path / "d.jsonl", good_records(20))
    config = tmp_path / "sftlint.toml"
    config.write_text("[checks.near-duplicate]\nthreshold = 0.5\n[checks.SFT104]\nthreshold = 0.9\n")
    result = invoke("lint", data)
    assert result.exit_code == 2 and result.output.endswith(
        "[checks.SFT104]: threshold = 0.9 but [checks.near-duplicate] sets threshold = 0.5 for the same check "
        "(SFT104 near-duplicate); set it once\n"
    )
    config.write_text("[checks.near-duplicate]\nthreshold = 0.7\n[checks.sft104]\nthreshold = 0.7\n")
    assert invoke("lint", data, "--min-pairs", "1").exit_code == 0  # the same value twice is no conflict
    config.write_text("[checks.SFT201]\nmin_pairs = 100\n")
    out = json.loads(invoke("lint", data, "--format", "json", "--min-pairs", "20").output)
    assert out["summaries"]["dataset-size"]["min_pairs"] == 20  # --min-pairs over [checks.SFT201]


def test_config_severity_override_and_pyproject(tmp_path, monkeypatch):
    data = write_jsonl(tmp_path / "d.jsonl", [*good_records(), good_records(1)[0]])
    (tmp_path / "pyproject.toml").write_text("[tool.sftlint.checks.exact-duplicate]\nseverity = 'error'\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("lint", data, "--format", "json")
    assert result.exit_code == 1
    defects = [f for f in json.loads(result.output)["findings"] if f["severity"] != "advice"]
    assert defects[0]["severity"] == "error"


def test_explicit_config_file_missing_is_an_error(good, tmp_path):
    result = invoke("lint", good, "--config", tmp_path / "nope.toml")
    assert result.exit_code == 2


def test_local_plugins_folder(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [pair(output="Mail jo@corp.io"), *good_records()])
    out = json.loads(invoke("lint", data, "--plugins", REPO / "checks", "--format", "json").output)
    assert [(f["code"], f["line"]) for f in out["findings"] if f["severity"] != "advice"] == [("TEAM001", 1)]
    (tmp_path / "sftlint.toml").write_text('plugins = ["' + str(REPO / "checks") + '"]\n')
    assert "TEAM001" in invoke("rules", "--plugins", REPO / "checks").output


def test_broken_plugin_is_a_clear_error(tmp_path, good):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text("import not_a_module_anywhere\n")
    result = invoke("lint", good, "--plugins", plugins)
    assert result.exit_code == 2
    assert "broken.py: failed to import: ModuleNotFoundError" in result.output


def test_plugin_without_documentation_is_refused(tmp_path, good):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "nodoc.py").write_text(
        "from sftlint import Check, Severity\n"
        "class NoDoc(Check):\n    code = 'X001'\n    slug = 'no-doc'\n    severity = Severity.WARNING\n"
        "    def check_record(self, record):\n        return []\n"
    )
    result = invoke("lint", good, "--plugins", plugins)
    assert result.exit_code == 2 and "X001 docstring lacks" in result.output


def test_rules_and_rule(tmp_path):
    out = invoke("rules").output
    assert "SFT101  empty-response" in out
    rows = json.loads(invoke("rules", "--format", "json").output)
    assert {
        "code": "SFT001",
        "slug": "invalid-json",
        "severity": "error",
        "preview": False,
        "preview_note": None,
        "summary": "A line that is not valid JSON.",
    } in rows
    doc = invoke("rule", "SFT101").output
    for part in ("SFT101 empty-response", "What it does:", "Why it matters:", "How to fix:", "Options:"):
        assert part in doc
    assert invoke("rule", "empty-response").output == doc
    result = invoke("rule", "SFT999")
    assert result.exit_code == 2 and "unknown check 'SFT999'" in result.output


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "missing.jsonl",
        lambda d: d,
        lambda d: (d / "x.jsonl.gz").write_bytes(b"\x1f\x8bnot gzip at all") and d / "x.jsonl.gz",
    ],
)
def test_unreadable_inputs_exit_2_with_one_line_and_no_traceback(tmp_path, make):
    path = make(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sftlint", "lint", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("sftlint: error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_output_file_is_written_and_never_over_an_input(good, tmp_path):
    out = tmp_path / "result.json"
    assert invoke("lint", good, "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["verdict"] == "go"
    before = good.read_bytes()
    result = invoke("lint", good, "-o", good)
    assert result.exit_code == 2 and "refusing to overwrite an input" in result.output
    assert good.read_bytes() == before


def test_schema_command_prints_the_json_schema():
    schema = json.loads(invoke("schema").output)
    assert schema == json_schema() and "findings" in schema["properties"]


def test_python_dash_m_and_version():
    proc = subprocess.run([sys.executable, "-m", "sftlint", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "0.1.0" in proc.stdout


def test_a_crashing_check_is_reported_not_fatal(tmp_path, good):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "crash.py").write_text(
        '''from sftlint import Check, Severity
class Crash(Check):
    """Crashes on purpose.

    What it does: raises.

    Why it matters: tests.

    How to fix: nothing.
    """
    code = "X002"
    slug = "crash"
    severity = Severity.WARNING
    def check_record(self, record):
        raise ValueError("boom")
'''
    )
    result = invoke("lint", good, "--plugins", plugins, "--format", "json")
    data = json.loads(result.output)
    crash = [f for f in data["findings"] if f["code"] == "X002"]
    assert result.exit_code == 1 and len(crash) == 1
    assert "check crashed: ValueError: boom" in crash[0]["message"] and "crashed on 310 records" in crash[0]["message"]


def test_the_console_command_runs_the_garbage_collector_less_often_and_a_library_caller_keeps_its_own():
    """A run allocates millions of objects and keeps its findings: the default threshold made the
    collector walk them again and again. Only the command's own process changes it."""
    probe = (
        "import gc, sftlint.api, sftlint.cli as c\n"
        "before = gc.get_threshold()\n"
        "sftlint.api.lint([{'instruction': 'Say hi', 'output': 'Hi there.'}])\n"
        "print(before == gc.get_threshold())\n"
        "c.cli.main = lambda: print(gc.get_threshold() == c.GC_THRESHOLD, gc.get_threshold()[0] > before[0])\n"
        "c.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True"]


def test_a_file_named_twice_is_read_once(tmp_path, monkeypatch):
    """Read twice, its records were counted twice and were never duplicates of each other."""
    data = write_jsonl(tmp_path / "a.jsonl", [pair(f"Question {i}?", f"Answer number {i}.") for i in range(5)])
    monkeypatch.chdir(tmp_path)
    once = CliRunner().invoke(cli, ["lint", "a.jsonl", "--format", "json"])
    twice = CliRunner().invoke(cli, ["lint", "a.jsonl", "./a.jsonl", str(data), "--format", "json"])
    results = [json.loads(out.stdout) for out in (once, twice)]
    for result in results:  # what the run took
        result["stats"] = {k: v for k, v in result["stats"].items() if k not in ("timings", "elapsed_seconds")}
    assert results[1] == results[0]
    assert twice.stderr.splitlines() == [
        "sftlint: ./a.jsonl is a.jsonl: read once",
        f"sftlint: {data} is a.jsonl: read once",
    ]
    # standard input named twice: one input, as its records are read once
    piped = subprocess.run([sys.executable, "-m", "sftlint", "lint", "-", "-", "--format", "json"],
                           input=data.read_bytes(), capture_output=True)  # fmt: skip
    assert json.loads(piped.stdout)["files"] == ["<stdin>"]
    assert piped.stderr.decode().splitlines() == ["sftlint: <stdin> is named twice: read once"]
