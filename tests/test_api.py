"""The library (`sftlint.lint`, `fix`, `split`): every kind of source gives what `sftlint` gives on
the same records in a JSON Lines file, and the result's views (JSON, pandas, report, notebook HTML)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import sftlint
from conftest import REAL_DATA, REPO
from html_tree import parse
from sftlint.api import FINDING_COLUMNS
from sftlint.cli import cli
from sftlint.config import Config
from sftlint.errors import ConfigError, SftlintError
from sftlint.findings import Finding, Severity
from sftlint.progress import NotebookProgress, Progress, choose_progress

IDENTITY = REAL_DATA / "identity" / "self_cognition.jsonl"  # real data: placeholders and near-duplicates
TICKETS = REPO / "sample_data" / "tickets.jsonl"  # labelled: label conflicts, near-duplicates


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_records(path: Path, records: list) -> Path:
    """Records as a JSON Lines file, one `json.dumps` per line, as a script would write them."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def cli_json(*args: str) -> tuple[int, dict]:
    run = CliRunner().invoke(cli, ["lint", "--isolated", "--format", "json", *args])
    assert run.exit_code in (0, 1), run.output
    return run.exit_code, json.loads(run.output)


def without_timings(document: dict) -> dict:
    document = json.loads(json.dumps(document, default=str))  # the JSON the CLI would print
    document["stats"].pop("timings")
    return document


def renamed(document: dict, path: Path, name: str) -> dict:
    """`document` with the file `path` called `name`, as the library calls in-memory records
    (SFT205's command to hold out an evaluation set names them DATA: they are no file)."""
    text = json.dumps(document).replace(f"`sftlint split {path} ", "`sftlint split DATA ")
    return json.loads(text.replace(json.dumps(str(path))[1:-1], name))


def found(findings: list) -> list[tuple]:
    return [(f["code"], f["file"], f["line"], f["message"]) for f in findings]


def test_records_give_what_the_same_records_in_a_jsonl_file_give(tmp_path, capsys):
    """Record i is line i: the same findings, messages, verdict and JSON document as the CLI's."""
    records = read_records(IDENTITY)
    records[3] = {"prompt": "no instruction field"}  # SFT002 on line 4
    records[7] = {**records[7], "output": "   "}  # SFT101 on line 8
    records.insert(10, "a line that is no record")  # SFT002 on line 11
    path = write_records(tmp_path / "records.jsonl", records)
    code, expected = cli_json(str(path))
    expected = renamed(without_timings(expected), path, "<records>")
    capsys.readouterr()

    for source in (records, iter(records), tuple(records)):
        result = sftlint.lint(source, config={})
        assert capsys.readouterr() == ("", "")  # the library prints nothing
        got = without_timings(result.to_dict())
        assert got == expected
        assert result.verdict == expected["verdict"] == "no-go" and code == 1 and result.go is False
        assert result.files == ["<records>"]
    assert {("SFT002", 4), ("SFT101", 8), ("SFT002", 11)} <= {(f["code"], f["line"]) for f in got["findings"]}
    assert any(f["code"] == "SFT104" and f["related"] for f in got["findings"])  # related records renamed too


def test_paths_give_what_the_cli_gives(tmp_path):
    chat = REPO / "sample_data" / "chat.jsonl"
    _, one = cli_json(str(IDENTITY))
    assert without_timings(sftlint.lint(IDENTITY, config={}).to_dict()) == without_timings(one)
    assert without_timings(sftlint.lint(str(IDENTITY), config={}).to_dict()) == without_timings(one)
    _, two = cli_json(str(IDENTITY), str(chat))
    result = sftlint.lint([IDENTITY, str(chat)], config={})
    assert without_timings(result.to_dict()) == without_timings(two)
    assert result.files == [str(IDENTITY), str(chat)]


def test_a_dataframe_gives_what_its_jsonl_gives(tmp_path):
    import pandas

    records = read_records(TICKETS)
    del records[5]["input"]  # a missing value: NaN in the frame, null in the file
    frame = pandas.DataFrame(records)
    assert frame["input"].isna().sum() == 1
    path = tmp_path / "tickets.jsonl"
    frame.to_json(path, orient="records", lines=True, force_ascii=False)  # pandas' own JSON Lines
    code, expected = cli_json(str(path))
    result = sftlint.lint(frame, config={})
    got = without_timings(result.to_dict())
    assert found(got["findings"]) == found(renamed(expected, path, "<DataFrame>")["findings"])
    assert got == renamed(without_timings(expected), path, "<DataFrame>")
    assert {f["code"] for f in got["findings"]} >= {"SFT104", "SFT110"}  # record findings, by row
    assert result.verdict == expected["verdict"] and code == (0 if result.go else 1)


def test_a_hugging_face_dataset_gives_what_its_jsonl_gives(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # nothing read or written outside the test
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    records = read_records(IDENTITY)
    dataset = datasets.Dataset.from_list(records)
    path = write_records(tmp_path / "identity.jsonl", records)
    _, expected = cli_json(str(path))
    result = sftlint.lint(dataset, config={})
    assert without_timings(result.to_dict()) == renamed(without_timings(expected), path, "<Dataset>")
    assert result.verdict == expected["verdict"]
    splits = datasets.DatasetDict({"train": dataset, "test": dataset})
    with pytest.raises(SftlintError, match=r"DatasetDict holds several splits: lint one of them \(\['train'\], "):
        sftlint.lint(splits)


@pytest.mark.parametrize("form", ["pandas", "arrow", "numpy"])
def test_a_dataset_in_any_format_gives_what_it_gives_as_python_rows(tmp_path, monkeypatch, form):
    """A Dataset set to return DataFrames, Arrow tables or arrays is read row by row as dicts all
    the same (its rows were once written as text, each a JSON string: a false NO-GO)."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    dataset = datasets.Dataset.from_list(read_records(IDENTITY))
    plain = sftlint.lint(dataset, config={}, examples=False)
    formatted = sftlint.lint(dataset.with_format(form), config={}, examples=False)
    assert [f.to_dict() for f in formatted.findings] == [f.to_dict() for f in plain.findings]
    assert formatted.verdict == plain.verdict and formatted.stats["valid"] == len(dataset)


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"instruction": "a", "output": "b", ("x", 1): "c"}, "keys must be str"),
        ({"instruction": "a", "output": "b", "n": 10**5000}, "Exceeds the limit"),
        ({"instruction": "a", "output": [[[]]] * 2}, None),  # nesting JSON can hold: no error
        ({"instruction": "a", "output": "b", "score": np.longdouble(1.5)}, None),  # was endless recursion
    ],
)
def test_a_record_json_cannot_hold_is_one_error_naming_it(record, says):
    records = [{"instruction": "Q?", "output": "A."}, record]
    if says is None:
        assert sftlint.lint(records, config={}, examples=False).stats["records"] == 2
        return
    with pytest.raises(SftlintError, match=rf"^<records> record 2 cannot be written as JSON: {says}"):
        sftlint.lint(records, config={})
    circular: dict = {"instruction": "a"}
    circular["self"] = circular
    with pytest.raises(SftlintError, match="record 1 cannot be written as JSON: Circular reference"):
        sftlint.lint([circular], config={})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sftlint.lint(IDENTITY, config={}, select=5), "check names are text"),
        (lambda: sftlint.lint(IDENTITY, config={}, ignore=[5]), "check names are text"),
        (lambda: sftlint.lint(IDENTITY, config={}, against=[{"a": 1}]), "against takes paths"),
        (lambda: sftlint.lint(IDENTITY, config={}, against=3), "against takes paths"),
        (lambda: sftlint.split(IDENTITY, "t.jsonl", "e.jsonl", eval_fraction="0.1"), "eval_fraction is a number"),
        (lambda: sftlint.fix([{"instruction": "a", "output": "b"}], "o.jsonl"), "fix reads a dataset file"),
        # a raw TypeError, and switches that read any non-empty text as True ("no" included)
        (lambda: sftlint.lint(IDENTITY, config={}, write_baseline=5), "write_baseline is the name of a file"),
        (lambda: sftlint.lint(IDENTITY, config={}, progress="yes"), "progress is True or False, got 'yes'"),
        (lambda: sftlint.lint(IDENTITY, config={}, examples="no"), "examples is True or False, got 'no'"),
        (lambda: sftlint.split(IDENTITY, "t.jsonl", "e.jsonl", seed="x"), "seed is a whole number"),
        (lambda: sftlint.split(IDENTITY, "t.jsonl", "e.jsonl", stratify="no"), "stratify is True or False"),
        (lambda: sftlint.fix(IDENTITY, "o.jsonl", progress=1), "progress is True or False, got 1"),
    ],
)
def test_options_of_the_wrong_type_are_one_error(tmp_path, monkeypatch, call, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SftlintError, match=message):
        call()
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_dataframe_with_two_columns_of_one_name_is_one_error():
    import pandas as pd

    series = pd.Series(["data.jsonl", "other.jsonl"])  # was read as paths
    with pytest.raises(SftlintError, match="^cannot lint a pandas Series: give a DataFrame"):
        sftlint.lint(series, config={})

    frame = pd.DataFrame([["Q?", "A.", "B."]], columns=["instruction", "output", "output"])
    with pytest.raises(SftlintError, match="^the DataFrame has columns of the same name: output$"):
        sftlint.lint(frame, config={})


def test_a_report_with_a_template_folder_that_is_not_one_is_one_error(tmp_path):
    result = sftlint.lint(IDENTITY, config={}, select="SFT101")
    for folder, says in ((tmp_path / "missing", "no such folder"), (Path(IDENTITY), "is not a folder")):
        with pytest.raises(SftlintError, match=f"{says} \\(the report's template folder\\)"):
            result.report(tmp_path / "report.html", template_dir=folder)
    assert not (tmp_path / "report.html").exists()


def test_a_lone_surrogate_in_a_record_reaches_every_output_as_its_escape(tmp_path):
    """A record's "\\ud83d" without its pair is kept as read, and written as that escape: the
    JSON document, a notebook's output and pandas' string columns all stay valid UTF-8."""
    path = tmp_path / "cut.jsonl"
    lines = [json.dumps({"instruction": f"Label review {i}: fine", "output": "positive"}) for i in range(30)]
    lines.append('{"instruction": "Label review: fine", "output": "positive \\ud83d"}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()  # writes its output strictly as UTF-8, as a file or a pipe would
    proc = runner.invoke(cli, ["lint", str(path), "--format", "json", "--min-pairs", "1"])
    assert proc.exit_code in (0, 1), proc.output
    document = json.loads(proc.output)
    assert "\\ud83d" in proc.output and "\ud83d" not in proc.output
    assert any("lone surrogate U+D83D" in f["message"] for f in document["findings"])
    result = sftlint.lint(path, config={})
    result._repr_html_().encode("utf-8")
    frame = result.to_pandas()
    assert frame["message"].str.contains("\\ud83d", regex=False).any()


def test_values_json_has_no_type_for_are_written_as_json_would_hold_them(tmp_path):
    """numpy numbers, dates and sets in records become numbers, ISO dates and lists, as a JSON export would."""
    import datetime

    import numpy as np

    records = [
        {
            "instruction": f"Question {i}?",
            "output": f"Answer {i}.",
            "id": np.int64(i),
            "when": datetime.date(2024, 1, i),
        }
        for i in range(1, 6)
    ]
    plain = [{**r, "id": int(r["id"]), "when": r["when"].isoformat(), "tags": ["a", "b"]} for r in records]
    path = write_records(tmp_path / "plain.jsonl", plain)
    _, expected = cli_json(str(path))
    result = sftlint.lint(records, config={})
    assert without_timings(result.to_dict()) == renamed(without_timings(expected), path, "<records>")


def test_no_records_is_an_empty_dataset():
    result = sftlint.lint([], config={})
    assert repr(result) == f"<sftlint.Result NO-GO: 0 records, {len(result.findings)} findings>"
    assert result.stats["records"] == 0 and result.verdict == "no-go"  # too few pairs to train on
    assert any(f.code == "SFT201" for f in result.findings)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"instruction": "a", "output": "b"}, "one record: pass a list of records"),
        (42, "cannot lint a int: give a path, paths, records"),
        (b"data.jsonl", "cannot lint a bytes"),
        (["data.jsonl", {"instruction": "a"}], "paths and records mixed: a dict among paths"),
    ],
)
def test_what_cannot_be_linted_is_one_error(source, message):
    with pytest.raises(SftlintError, match=message):
        sftlint.lint(source, config={})


def test_config_as_a_file_a_dict_or_a_config_and_keyword_overrides(tmp_path):
    toml = tmp_path / "sftlint.toml"
    toml.write_text('select = ["SFT104", "SFT115"]\nfail_on = "warning"\n', encoding="utf-8")
    from_file = sftlint.lint(IDENTITY, config=toml)
    from_dict = sftlint.lint(IDENTITY, config={"select": ["SFT104", "SFT115"], "fail_on": "warning"})
    from_model = sftlint.lint(IDENTITY, config=Config(select=["SFT104", "SFT115"], fail_on=Severity.WARNING))
    from_keywords = sftlint.lint(IDENTITY, config={}, select="SFT104,unfilled-placeholder", fail_on="warning")
    expected = [f.to_dict() for f in from_file.findings]
    assert {f["code"] for f in expected} == {"SFT104", "SFT115"}
    for other in (from_dict, from_model, from_keywords):
        assert [f.to_dict() for f in other.findings] == expected
        assert [c.code for c in other.checks] == ["SFT104", "SFT115"] and other.fail_on is Severity.WARNING
    assert toml in from_file.inputs  # a report never overwrites the config file either
    with pytest.raises(ConfigError, match="invalid config: bogus: unknown key"):
        sftlint.lint(IDENTITY, config={"bogus": 1})
    with pytest.raises(ConfigError, match="unknown check selector 'SFT999'"):
        sftlint.lint(IDENTITY, config={}, ignore=["SFT999"])


def test_to_pandas_has_one_row_per_finding(monkeypatch):
    result = sftlint.lint(IDENTITY, config={})
    frame = result.to_pandas()
    assert frame.shape == (len(result.findings), len(FINDING_COLUMNS)) and len(result.findings) > 70
    assert list(frame.columns) == list(FINDING_COLUMNS)
    assert list(frame["code"]) == [f.code for f in result.findings]
    assert str(frame["line"].dtype) == "Int64" and frame["line"].isna().sum() == 3  # three dataset-wide findings
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match=r"^Result.to_pandas needs pandas: pip install pandas$"):
        result.to_pandas()


def test_report_writes_the_html_report_and_never_over_an_input(tmp_path):
    data = write_records(tmp_path / "identity.jsonl", read_records(IDENTITY))
    result = sftlint.lint(data, config={})
    out = result.report(tmp_path / "out" / "report.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    tree = parse(html)
    assert "NO-GO" in tree.find("body").text and "SFT115" in html
    before = data.read_bytes()
    with pytest.raises(SftlintError, match="refusing to overwrite an input file"):
        result.report(data)
    assert data.read_bytes() == before
    CliRunner().invoke(cli, ["lint", "--isolated", str(data), "--report", str(tmp_path / "cli.html")])
    assert (tmp_path / "cli.html").read_text(encoding="utf-8") == html  # the report the CLI writes


def test_notebook_html_shows_verdict_reasons_and_checks_and_escapes_everything():
    result = sftlint.lint(IDENTITY, config={})
    result.findings.append(
        Finding("SFT101", "empty-response", Severity.ERROR, "<records>", 3, "<script>alert(1)</script> & more")
    )
    html = result._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "&lt;records&gt;" not in html  # the reason names the line, not the file
    tree = parse(html)
    assert "NO-GO" in tree.find("strong").text
    assert "80 records in 1 file: " in tree.find("p").text
    assert tree.find("p").text.endswith("; NO-GO at error or above")  # the verdict's rule, in its words
    listed = parse(sftlint.lint(read_records(IDENTITY), config={})._repr_html_()).find("p").text
    assert "80 records given in memory: " in listed  # not "in 1 file"
    reasons = [li.text for li in tree.find_all("li")]
    assert reasons == result.reasons and any("SFT201 dataset-size" in r for r in reasons)
    rows = {
        tr.find_all("td")[0].text: [td.text for td in tr.find_all("td")] for tr in tree.find("tbody").find_all("tr")
    }
    assert rows["SFT115"][1:4] == ["unfilled-placeholder", "error", "74"]
    assert rows["SFT201"][4:] == ["-", "-"]  # a dataset-wide finding flags no record
    assert f"{len(result.checks)} checks ran" in tree.text
    # a check's most serious finding's severity, as the text table and the report show it: SFT104's
    # rate past max_rate is an error beside its warnings (the notebook said "warning")
    nulls = sftlint.lint(REAL_DATA / "alpaca_eval" / "NullModel.jsonl", config={})
    body = parse(nulls._repr_html_()).find("tbody")
    rows = [[td.text for td in tr.find_all("td")] for tr in body.find_all("tr")]
    sft104 = [row[2:] for row in rows if row[0] == "SFT104"]  # the dataset-wide error, then the records' warnings
    assert sft104[0] == ["error", "1", "-", "-"] and sft104[1][0] == "warning" and sft104[1][2] != "-"
    assert [row[2] for row in rows if row[0] == "SFT107"] == ["warning"]


def test_messages_come_back_instead_of_being_printed(tmp_path, capsys):
    baseline = tmp_path / "baseline.json"
    result = sftlint.lint(IDENTITY, config={}, write_baseline=baseline)
    assert capsys.readouterr() == ("", "")
    assert result.messages == [f"sftlint: wrote 78 accepted finding(s) to {baseline}"]
    assert result.baseline is not None and result.baseline["suppressed"] == 78
    again = sftlint.lint(IDENTITY, config={"baseline": str(baseline)})
    assert [f.code for f in again.findings] == [f.code for f in result.findings]
    assert "wrote 78 accepted finding(s)" in result._repr_html_()


def test_fix_and_split_reports_show_in_a_notebook_as_one_short_line(tmp_path):
    # a split's repr held every line of its input (262 KB for the 359-record sample)
    source = REPO / "sample_data" / "support_nogo.jsonl"
    fixed = sftlint.fix(source, tmp_path / "clean.jsonl", config={})
    assert repr(fixed) == (
        "<sftlint.FixReport: kept 345 of 359 records in clean.jsonl, 14 to clean.rejected.jsonl; the output is GO>"
    )
    done = sftlint.split(source, tmp_path / "train.jsonl", tmp_path / "eval.jsonl", config={})
    n_train, n_eval = len(done.split.train), len(done.split.eval)
    assert repr(done) == f"<sftlint.SplitReport: {n_train} records to train.jsonl, {n_eval} to eval.jsonl, seed 0>"
    assert n_train + n_eval == 359 and n_eval > 0


def test_fix_and_split_give_what_the_commands_give(tmp_path):
    source = REPO / "sample_data" / "support_nogo.jsonl"
    report = sftlint.fix(source, tmp_path / "api" / "clean.jsonl", config={})
    run = CliRunner().invoke(cli, ["fix", "--isolated", str(source), "-o", str(tmp_path / "clean.jsonl")])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "api" / "clean.jsonl").read_bytes() == (tmp_path / "clean.jsonl").read_bytes()
    assert report.removed == 14 and report.cleaned is not None and report.cleaned.go
    assert report.rejects == tmp_path / "api" / "clean.rejected.jsonl" and report.rejects.is_file()

    done = sftlint.split(TICKETS, tmp_path / "train.jsonl", tmp_path / "eval.jsonl", config={})
    run = CliRunner().invoke(
        cli, ["split", "--isolated", str(TICKETS), "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")]
    )
    assert run.exit_code == 0, run.output
    assert (tmp_path / "train.jsonl").read_bytes() == (tmp_path / "t.jsonl").read_bytes()
    assert (tmp_path / "eval.jsonl").read_bytes() == (tmp_path / "e.jsonl").read_bytes()
    # the size SFT205 recommends for 400 records: a fifth of them, 80 (at least 100, at most a fifth)
    assert len(done.split.eval) == 80 and done.lines[0].endswith("80 records (20.0% of 400, seed 0)")
    assert done.note is None
    with pytest.raises(SftlintError, match="split reads a dataset file"):
        sftlint.split(read_records(TICKETS), tmp_path / "a.jsonl", tmp_path / "b.jsonl")


def test_the_names_fix_and_split_are_the_functions_and_their_modules_still_import():
    from sftlint.fix import codes_to_drop  # noqa: F401 - importing the module must not rebind the name
    from sftlint.split import nonblank_lines

    assert callable(sftlint.fix) and sftlint.fix.__module__ == "sftlint.api"
    assert sftlint.split.__module__ == "sftlint.api" and callable(nonblank_lines)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_where_someone_watches(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a file
    assert choose_progress(None) is None and choose_progress(False) is None
    assert type(choose_progress(True)) is Progress  # asked for: the terminal ticker all the same
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert type(choose_progress(None)) is Progress and choose_progress(False) is None
    monkeypatch.setenv("CI", "true")
    assert choose_progress(None) is None  # a CI log is no terminal to redraw, whatever it claims


NOTEBOOK_CELLS = [
    "import sftlint\nresult = sftlint.lint(RECORDS, config={})\nresult",
    "from sftlint.progress import choose_progress\n"
    "progress = choose_progress(None)\n"
    "print(type(progress).__name__)\n"
    "progress.next_draw = 0\nprogress.update(10, 'reading a')\n"
    "progress.next_draw = 0\nprogress.update(20, 'reading b')",
]


def test_from_a_real_notebook(tmp_path, monkeypatch):
    """A kernel runs the example of the docs: the cell shows the verdict inline; progress is a line of the cell."""
    import nbclient
    import nbformat

    monkeypatch.delenv("CI", raising=False)
    for name in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))  # nothing read from the home folder
    records = json.dumps(read_records(IDENTITY)[:40], ensure_ascii=False)
    cells = [nbformat.v4.new_code_cell(f"RECORDS = {records}")]
    cells += [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    notebook = nbformat.v4.new_notebook(cells=cells)
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    ).execute()
    shown = notebook.cells[1].outputs[-1]["data"]
    assert "NO-GO" in shown["text/html"] and "SFT201 dataset-size" in shown["text/html"]
    outputs = notebook.cells[2].outputs
    assert outputs[0]["text"].strip() == NotebookProgress.__name__
    assert outputs[1]["data"]["text/plain"].startswith("reading b: 20 records")  # updated in place: one output
    assert len(outputs) == 2
