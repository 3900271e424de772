"""The inputs users have: files that are no dataset, unmapped fields, Parquet, CSV/TSV and Arrow folders.

All through the real CLI: what is not a dataset is one error line (exit 2), not a finding per line.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, pair


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
        # without a byte-order mark (Python's "utf-16-le" writes none): it was an SFT001 a line, or "binary"
        ("le.jsonl", '{"instruction": "Q", "output": "A"}\n'.encode("utf-16-le"), "looks like UTF-16 text"),
        ("be.jsonl", '  [{"instruction": "Q", "output": "A"}]\n'.encode("utf-16-be"), "looks like UTF-16 text"),
        ("utf32.jsonl", '{"instruction": "Q", "output": "A"}\n'.encode("utf-32"), "looks like UTF-32 text"),
        ("blob.bin", b"\x01\x02\x00\x00garbage\n\x00\x00\x07\n", "looks like a binary file, not JSON Lines"),
        (
            "README.md",
            b"# My dataset\n\nSome words.\n",
            "does not look like JSON Lines: none of its first 2 lines is JSON",
        ),
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


def test_a_json_lines_file_starting_with_an_arrow_stream_marker_is_read_as_json_lines(tmp_path):
    """Four 0xff bytes begin an Arrow stream and are also just bytes that are not UTF-8: a file
    named .jsonl is JSON Lines with a broken first line, as fix and split read it too."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\xff\xff\xff\xff\n" + json.dumps({"instruction": "a", "output": "b"}).encode() + b"\n")
    proc = sftlint("lint", path, "--format", "json", "--min-pairs", "1")
    found = {(f["code"], f["line"]) for f in json.loads(proc.stdout)["findings"]}
    assert {("SFT001", 1), ("SFT003", 1)} <= found and json.loads(proc.stdout)["stats"]["valid"] == 1
    arrow = tmp_path / "data.arrows"
    arrow.write_bytes(path.read_bytes())
    assert "Arrow" in one_error_line(sftlint("lint", arrow))


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


def test_pretty_printed_objects_one_after_another_are_one_error_saying_how_to_fix_them(tmp_path):
    """`jq .` output, or json.dump(indent=2) in a loop: no JSON Lines and no one document. Read as
    lines it was an SFT001 per line and a wrong record count."""
    data = "".join(json.dumps(pair(f"Question {i}?"), indent=2) + "\n" for i in range(3)).encode()
    path = tmp_path / "my data.jsonl"
    path.write_bytes(data)
    message = one_error_line(sftlint("lint", path))
    assert message == (
        f"{path}: its records are JSON objects spread over several lines, one after another; write one object "
        f"per line (JSON Lines), for example with: jq -c . '{path}'"
    )
    assert one_error_line(sftlint("lint", "-", stdin=data)).endswith("for example with: jq -c .")
    packed = tmp_path / "data.jsonl.gz"
    packed.write_bytes(gzip.compress(data))
    assert one_error_line(sftlint("lint", packed)).endswith(f"for example with: gzip -dc {packed} | jq -c .")
    path.write_bytes(data.split(b"}\n", 1)[0] + b"}\n")  # one object over several lines is one record
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT0")
    assert proc.returncode == 0 and json.loads(proc.stdout)["stats"]["valid"] == 1


@pytest.mark.parametrize(
    "second", [[pair("Third?"), pair("Fourth?")], pair("Third?")], ids=["array after array", "object after array"]
)
def test_a_pretty_array_followed_by_more_json_is_one_error_naming_where_the_second_starts(tmp_path, second):
    """`cat a.json b.json`: two documents, no one document and no JSON Lines. Read as lines it was
    an SFT001 on every line ("Expecting value", "Extra data") and no record read."""
    first = json.dumps([pair("First?"), pair("Second?")], indent=2) + "\n"
    data = (first + json.dumps(second, indent=2) + "\n").encode()
    path = tmp_path / "joined.json"
    path.write_bytes(data)
    line = first.count("\n") + 1
    command = "jq -c 'if type == \"array\" then .[] else . end'"
    assert one_error_line(sftlint("lint", path)) == (
        f"{path}: a JSON document over several lines is followed by another at line {line} (files joined?): no one "
        f"JSON document and no JSON Lines; write one record per line, for example with: {command} {path}"
    )
    assert one_error_line(sftlint("lint", "-", stdin=data)).endswith(f"for example with: {command}")
    packed = tmp_path / "joined.json.gz"
    packed.write_bytes(gzip.compress(data))
    assert one_error_line(sftlint("lint", packed)).endswith(f"for example with: gzip -dc {packed} | {command}")
    # an object over several lines followed by an array is two documents too
    path.write_text(json.dumps(pair("First?"), indent=2) + "\n" + json.dumps([pair("Second?")], indent=2) + "\n")
    assert "is followed by another at line 5 " in one_error_line(sftlint("lint", path))


def test_a_pretty_array_followed_by_text_that_is_not_json_is_still_read_as_lines(tmp_path):
    """Only JSON after the document makes it two documents; anything else is a broken file, each
    line of it reported as before."""
    path = tmp_path / "data.json"
    document = json.dumps([pair("First?")], indent=2)
    path.write_text(document + "\ntrailing words\n")
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT001")
    assert proc.returncode == 1
    assert [f["line"] for f in json.loads(proc.stdout)["findings"]][-1] == document.count("\n") + 2


def test_pretty_printed_objects_appended_to_json_lines_are_each_named_as_one_object(tmp_path):
    """`jq . more.json >> data.jsonl`: the records before and after stay records; each line of a
    spread object is still an invalid record (line N stays record N for `fix`), but says which
    object it is part of instead of "Expecting property name" or "Extra data" on each line."""
    nested = {"instruction": "Nested?", "output": "Yes.", "meta": {"source": {"name": "x"}}}
    text = (
        jsonl(pair("First?"))
        + (json.dumps(nested, indent=2) + "\n\n").encode()  # a blank line after it is no record
        + jsonl(pair("Between?", "Press Between, then wait for the second window to open."))
        + (json.dumps(pair("Last?"), indent=4) + "\n").encode()
    )
    path = tmp_path / "data.jsonl"
    path.write_bytes(text)
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT001")
    out = json.loads(proc.stdout)
    found = [(f["line"], f["record"], f["message"]) for f in out["findings"]]
    nested_end = 1 + json.dumps(nested, indent=2).count("\n") + 1
    between = nested_end + 2
    assert found[0][:2] == (2, 2) and found[0][2] == (
        f"invalid JSON: a JSON object spread over lines 2-{nested_end} starts here (pretty-printed): JSON Lines "
        "holds one record per line; write it on one line, for example with jq -c ."
    )
    assert [line for line, _, _ in found] == [*range(2, nested_end + 1), *range(between + 1, between + 5)]
    assert all(m == f"invalid JSON: part of the JSON object spread over lines 2-{nested_end}" for *_, m in found[1:8])
    assert found[-1][2] == f"invalid JSON: part of the JSON object spread over lines {between + 1}-{between + 4}"
    assert [record for _, record, _ in found] == [line - (line > nested_end) for line, _, _ in found]
    assert out["stats"]["valid"] == 2 and out["stats"]["blank_lines"] == 1
    # `fix` drops each line of them and keeps the records around them
    kept, rejects = tmp_path / "kept.jsonl", tmp_path / "rejects.jsonl"
    assert sftlint("fix", path, "-o", kept, "--rejects", rejects).returncode in (0, 1)
    assert [json.loads(line)["instruction"] for line in kept.read_text().splitlines()] == ["First?", "Between?"]


@pytest.mark.parametrize(
    "lines",
    [
        ["{", json.dumps(pair("Next?"))],  # a lone brace, then records
        ["{", '  "instruction": "Cut?",', "{", '  "instruction": "Again?"', "}"],  # one never closed
        ["{", '  "a": [1, 2', "}"],  # closed, but no object
        ["{"] * 50,
    ],
    ids=["lone brace", "unclosed before another", "not an object", "braces"],
)
def test_a_brace_that_starts_no_object_is_read_line_by_line_as_before(tmp_path, lines):
    path = tmp_path / "data.jsonl"
    path.write_bytes(jsonl(pair("First?")) + "\n".join(lines).encode() + b"\n")
    out = json.loads(sftlint("lint", path, "--format", "json", "--select", "SFT001").stdout)
    messages = {f["line"]: f["message"] for f in out["findings"]}
    assert out["stats"]["records"] == 1 + len(lines)
    assert all("spread over lines 2-" not in m for m in messages.values())
    assert 2 in messages and all(json.loads(line) for n, line in enumerate(lines, start=2) if n not in messages)
    if len(lines) == 5:  # the object after the one never closed is found
        assert messages[3] == "invalid JSON: Extra data (column 16)"
        assert messages[4].startswith("invalid JSON: a JSON object spread over lines 4-6 starts here")


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
    assert (example["shape"], example["instruction"], example["input"]) == (
        "custom",
        "Translate 'chat' to English.",
        "",
    )


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


# 3. Parquet, CSV/TSV and datasets folders -----------------------------------------------------

pa = pytest.importorskip("pyarrow", reason="Parquet and Arrow inputs need the formats extra")
import pyarrow.parquet as pq  # noqa: E402 - only once pyarrow is known to be there

COLUMNS = ("instruction", "input", "output")


def flat_records(name: str) -> list[dict[str, str]]:
    """The sample file's records that a table can hold as they are: objects of string fields."""
    records = []
    for line in (REPO / "sample_data" / name).read_bytes().splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            records.append({key: value.get(key, "") for key in (*COLUMNS, *(("label",) if "label" in value else ()))})
    return records


def write_as(kind: str, folder: Path, records: list[dict[str, Any]]) -> Path:
    """`records` written as one format: what a user's pipeline would hand sftlint."""
    table = pa.Table.from_pylist(records)
    if kind == "jsonl":
        path = folder / "data.jsonl"
        path.write_bytes(jsonl(*records))
    elif kind in ("csv", "tsv"):
        path = folder / f"data.{kind}"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, list(records[0]), delimiter="\t" if kind == "tsv" else ",")
            writer.writeheader()
            writer.writerows(records)
    elif kind == "parquet":
        path = folder / "data.parquet"
        pq.write_table(table, path, row_group_size=97)  # several row groups and batches
    else:  # a folder as `datasets.Dataset.save_to_disk` writes it: Arrow streams listed in state.json
        path = folder / "saved"
        path.mkdir()
        files = []
        for index, start in enumerate(range(0, len(records), 150)):
            files.append(f"data-{index:05d}-of-00003.arrow")
            with pa.OSFile(str(path / files[-1]), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table.slice(start, 150), max_chunksize=40)
        (path / "state.json").write_text(json.dumps({"_data_files": [{"filename": f} for f in files]}))
        (path / "dataset_info.json").write_text("{}")
    return path


def findings_of(path: Path, *args: str) -> tuple[list[tuple], dict, list[dict]]:
    """Findings without the file name (code, record, severity, message, related records), stats, and
    excerpts without file and line: what must be the same whatever format holds the records."""
    proc = sftlint("lint", path, "--format", "json", "--preview", "--examples", "2", *args)
    assert proc.returncode in (0, 1), proc.stderr
    out = json.loads(proc.stdout)
    found = [
        (
            f["code"],
            f["record"],
            f["severity"],
            f["message"].replace(str(path), "FILE").replace("record ", "line "),
            [r["record"] for r in f["related"]],
        )
        for f in out["findings"]
    ]
    stats = {key: out["stats"][key] for key in ("records", "valid", "usable_pairs", "shapes", "unusable")}
    excerpts = [{k: v for k, v in e.items() if k not in ("file", "line")} for e in out["examples"]]
    for e in excerpts:  # a comparison names the file and line of the record compared with
        if "comparison" in e:
            e["comparison"] = {k: v for k, v in e["comparison"].items() if k not in ("file", "line")}
        if "partners" in e:
            e["partners"] = [{k: v for k, v in p.items() if k not in ("file", "line")} for p in e["partners"]]
    return found, stats, excerpts


@pytest.mark.parametrize("sample", ["support_nogo.jsonl", "tickets.jsonl"])
def test_every_format_gives_the_findings_of_the_same_records_in_json_lines(tmp_path, sample):
    records = flat_records(sample)
    assert len(records) > 300
    results = {}
    for kind in ("jsonl", "csv", "tsv", "parquet", "datasets"):
        (tmp_path / kind).mkdir()
        results[kind] = findings_of(write_as(kind, tmp_path / kind, records))
    expected_findings, expected_stats, expected_excerpts = results.pop("jsonl")
    assert len({code for code, *_ in expected_findings}) >= 3 and expected_excerpts
    for kind, (found, stats, excerpts) in results.items():
        assert found == expected_findings, kind
        assert stats == expected_stats, kind
        assert excerpts == expected_excerpts, kind


def test_chat_records_in_parquet_and_a_datasets_folder_are_read_as_in_json_lines(tmp_path):
    records = [json.loads(line) for line in (REPO / "sample_data" / "chat.jsonl").read_bytes().splitlines()]
    results = {}
    for kind in ("jsonl", "parquet", "datasets"):
        (tmp_path / kind).mkdir()
        results[kind] = findings_of(write_as(kind, tmp_path / kind, records))
    assert results["jsonl"][1]["shapes"] == {"chat": len(records)}
    assert results["parquet"] == results["jsonl"] == results["datasets"]


def test_a_null_is_a_missing_field_and_dates_or_bytes_are_text(tmp_path):
    import datetime

    records = [
        {"instruction": "Q1?", "output": "A1.", "when": datetime.datetime(2024, 5, 1), "blob": b"\x00\x01"},
        {"instruction": "Q2?", "output": None, "when": None, "blob": None},
    ]
    path = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pylist(records), path)
    found, stats, _ = findings_of(path, "--select", "SFT0")
    ((code, line, _, message, _),) = found  # as for {"instruction": "Q2?"} in JSON Lines: the nulls are absent
    assert (code, line) == ("SFT002", 2) and message.startswith(
        "no instruction/response fields found (keys: instruction);"
    )
    baseline = tmp_path / "base.json"  # fingerprints hash each record as JSON: dates and bytes too
    assert sftlint("lint", path, "--select", "SFT0", "--write-baseline", baseline).returncode == 0
    assert json.loads(baseline.read_text())["findings"][0]["code"] == "SFT002"


def test_two_columns_of_one_name_are_one_error_in_csv_and_parquet(tmp_path):
    """`instruction,output,output` kept the last `output`: an empty one gave SFT101, and the
    same cells the other way round gave GO. The library already refused such a DataFrame."""
    path = tmp_path / "data.csv"
    path.write_text("instruction,output,output\nWhat is 2+2?,4,\n")
    said = one_error_line(sftlint("lint", path))
    assert said == f"{path}: two columns are named 'output'; rename one (which one is meant?)"
    table = pa.Table.from_arrays([pa.array(["What is 2+2?"]), pa.array(["4"]), pa.array([""])],
                                 names=["instruction", "output", "output"])  # fmt: skip
    pq.write_table(table, tmp_path / "data.parquet")
    assert "two columns are named 'output'" in one_error_line(sftlint("lint", tmp_path / "data.parquet"))
    # a spreadsheet's unused columns have empty names: they name nothing twice
    path.write_text("instruction,output,,\nWhat is 2+2?,4,,\n")
    assert sftlint("lint", path, "--min-pairs", "1").returncode == 0


def test_binary_columns_are_read_as_utf8_text_not_as_python_bytes(tmp_path):
    """A `binary` column held b'' for an empty answer: linted as the text "b''" it was GO, and
    `fix` wrote "b'Caf\\xc3\\xa9'" into the cleaned file."""
    path = tmp_path / "data.parquet"
    instructions = ["Explique la différence entre un café et un thé.".encode(), b"Q?"]
    table = pa.table({"instruction": pa.array(instructions, pa.binary()), "output": pa.array(
        ["Le café est torréfié.".encode(), b""], pa.binary())})  # fmt: skip
    pq.write_table(table, path)
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT101,SFT003", "--min-pairs", "1")
    found = [(f["code"], f["record"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("SFT101", 2)]
    assert sftlint("fix", path, "-o", tmp_path / "kept.jsonl").returncode in (0, 1)  # one pair: too few
    kept = json.loads((tmp_path / "kept.jsonl").read_text(encoding="utf-8"))
    assert kept == {"instruction": instructions[0].decode(), "output": "Le café est torréfié."}
    pq.write_table(pa.table({"instruction": pa.array([b"Bad \xff byte?"], pa.binary()),
                             "output": pa.array([b"Answer."], pa.binary())}), path)  # fmt: skip
    proc = sftlint("lint", path, "--format", "json", "--select", "SFT003", "--min-pairs", "1")
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["SFT003"]


def test_an_arrow_file_is_read_whatever_its_name(tmp_path):
    table = pa.Table.from_pylist([pair("First?"), pair("Second?", "")])
    path = tmp_path / "export.jsonl"  # misnamed: its first bytes say what it is
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    found, stats, _ = findings_of(path, "--select", "SFT101")
    assert [(code, line) for code, line, *_ in found] == [("SFT101", 2)] and stats["valid"] == 2


def test_a_csv_row_whose_cells_do_not_match_the_header_is_a_finding_at_its_row(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('instruction,output\n"Q1?","A1."\n\n"Q2?","A2.",extra\n"Q3,\nover two lines?",""\n')
    found, stats, excerpts = findings_of(path, "--select", "SFT001,SFT101")
    assert [(code, record, message) for code, record, _, message, _ in found] == [
        ("SFT001", 2, "invalid CSV: row has 3 cells where the header has 2"),
        ("SFT101", 3, "response is empty"),
    ]
    assert (stats["records"], stats["valid"]) == (3, 2)
    assert [(e["record"], e["instruction"]) for e in excerpts] == [(3, "Q3,\nover two lines?")]
    lines = json.loads(sftlint("lint", path, "--select", "SFT001,SFT101", "--format", "json").stdout)["findings"]
    assert [f["line"] for f in lines] == [4, 5]  # where each row starts: after the header and a blank line
    text = sftlint("lint", path, "--select", "SFT001,SFT101").stdout.decode()
    assert f"{path}[2]: SFT001" in text and f"{path}[3]: SFT101" in text


def test_a_datasets_folder_runs_in_several_processes_like_in_one(tmp_path):
    records = flat_records("support_nogo.jsonl")
    path = write_as("datasets", tmp_path, records)
    assert findings_of(path, "--jobs", "1") == findings_of(path, "--jobs", "2")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.joinpath("data.parquet").write_bytes(b"PAR1" + bytes(50)), "cannot read a Parquet file"),
        (lambda p: p.joinpath("data.arrow").write_bytes(b"ARROW1\x00\x00garbage"), "cannot read an Arrow file"),
        (lambda p: p.joinpath("data.csv").write_bytes(b"a,b\n\xff\xfe,x\n"), "not UTF-8 text after row 0"),
    ],
)
def test_a_corrupt_table_is_one_error_line(tmp_path, make, says):
    make(tmp_path)
    (path,) = tmp_path.iterdir()
    assert says in one_error_line(sftlint("lint", path))


def test_a_dataset_dict_folder_names_its_splits(tmp_path):
    for split in ("train", "test"):
        (tmp_path / "dd" / split).mkdir(parents=True)
        write_as("datasets", tmp_path / "dd" / split, [pair()])
    (tmp_path / "dd" / "dataset_dict.json").write_text('{"splits": ["train", "test"]}')
    message = one_error_line(sftlint("lint", tmp_path / "dd"))
    assert message == f"{tmp_path / 'dd'} is a Hugging Face DatasetDict folder: lint one of its splits (test, train)"


def test_without_pyarrow_a_parquet_file_says_which_extra_to_install(tmp_path):
    shim = tmp_path / "shim" / "pyarrow"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('No module named pyarrow')\n")
    path = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pylist([pair()]), path)
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(path)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "shim")},
    )
    assert (
        one_error_line(proc)
        == f"{path} looks like a Parquet file: reading it needs pyarrow (the formats extra): pip install 'pyarrow>=14'"
    )
