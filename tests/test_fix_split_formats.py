"""`fix` and `split` on inputs that are not JSON Lines, through the real CLI.

Each format keeps and drops the records JSON Lines keeps and drops, and writes them back in its
own format: a JSON array, CSV/TSV with every cell as it was, Parquet and Arrow with the input's
schema, a `datasets` folder as Parquet.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from sftlint.fix import default_rejects
from test_inputs import flat_records, jsonl, one_error_line, sftlint, write_as

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402 - only once pyarrow is known to be there

KINDS = ("json", "csv", "tsv", "parquet", "datasets")
OUTPUT = {"json": "json", "csv": "csv", "tsv": "tsv", "parquet": "parquet", "datasets": "parquet"}


def records_of(path: Path, kind: str) -> list[dict]:
    """The records a written output holds, read with the format's own library."""
    if kind == "jsonl":
        return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    if kind == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    if kind in ("csv", "tsv"):
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        text = io.StringIO(data.decode("utf-8"), newline="")
        return list(csv.DictReader(text, delimiter="\t" if kind == "tsv" else ","))
    return pq.read_table(path).to_pylist()


def write_input(kind: str, folder: Path, records: list[dict]) -> Path:
    if kind == "json":
        path = folder / "data.json"
        path.write_text(json.dumps(records))  # one line, as json.dump writes it
        return path
    return write_as(kind, folder, records)


def run_fix(path: Path, output: Path) -> tuple[list[dict], list[dict]]:
    proc = sftlint("fix", path, "-o", output, "--min-pairs", "1")
    assert proc.returncode in (0, 1), proc.stderr
    data = default_rejects(output).read_bytes()
    data = gzip.decompress(data) if output.name.endswith(".gz") else data
    return [json.loads(line) for line in data.splitlines()], proc.stdout.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_fix_keeps_what_json_lines_keeps_and_writes_the_input_format(tmp_path, kind):
    records = flat_records("support_nogo.jsonl")
    (tmp_path / "jsonl").mkdir()
    (tmp_path / kind).mkdir()
    expected_rejects, _ = run_fix(write_as("jsonl", tmp_path / "jsonl", records), tmp_path / "jsonl" / "out.jsonl")
    expected_kept = records_of(tmp_path / "jsonl" / "out.jsonl", "jsonl")
    assert 0 < len(expected_kept) < len(records)
    output = tmp_path / kind / f"out.{OUTPUT[kind]}"
    rejects, summary = run_fix(write_input(kind, tmp_path / kind, records), output)
    assert records_of(output, OUTPUT[kind]) == expected_kept
    place = "element" if kind == "json" else "row"
    assert [(r[place], r["codes"]) for r in rejects] == [(r["line"], r["codes"]) for r in expected_rejects]
    assert [r["record"] for r in rejects] == [r["record"] for r in expected_rejects]
    assert "written as" in summary and "kept" in summary


def test_fix_of_parquet_keeps_its_schema_and_other_columns_untouched(tmp_path):
    table = pa.table(
        {
            "instruction": ["Q1?", "Q2?", "Q1?", "Q3?"],
            "output": ["A long enough first answer.", "", "A long enough first answer.", "The third answer here."],
            "id": pa.array([10, 20, 30, 40], type=pa.int16()),
            "score": pa.array([0.5, None, 0.25, 1.0], type=pa.float32()),
        }
    ).replace_schema_metadata({"origin": "export v2"})
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    rejects, _ = run_fix(path, tmp_path / "clean.parquet")
    kept = pq.read_table(tmp_path / "clean.parquet")
    assert kept.schema.equals(table.schema, check_metadata=True)
    assert kept.to_pydict() == table.take([0, 3]).to_pydict()
    assert [(r["row"], r["line"], r["codes"]) for r in rejects] == [(2, None, ["SFT101"]), (3, None, ["SFT103"])]


def test_fix_of_csv_keeps_every_cell_and_the_line_ending(tmp_path):
    path = tmp_path / "data.csv"
    rows = [
        ["instruction", "output", "note"],
        ["Q1, with a comma?", "A first answer,\nover two lines.", ""],
        ["Q2?", "", "empty"],
        ['Q3 "quoted"?', "The third answer.", "  spaces kept  "],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)  # \r\n line endings, as the csv module writes them
    run_fix(path, tmp_path / "clean.csv.gz")
    data = gzip.decompress((tmp_path / "clean.csv.gz").read_bytes()).decode("utf-8")
    assert list(csv.reader(io.StringIO(data, newline=""))) == [rows[0], rows[1], rows[3]]
    assert data.startswith("instruction,output,note\r\n")


def test_fix_of_a_pretty_array_keeps_an_oversized_element_whole_in_the_rejects_file(tmp_path, monkeypatch):
    """Its entry said "raw": "null": the element's text was in neither output."""
    import sftlint
    from sftlint import io as sio

    monkeypatch.setattr(sio, "MAX_LINE_BYTES", 1000)
    records = [{"instruction": f"Question {i} about the export?", "output": f"Answer {i} in words."} for i in range(3)]
    records[1]["output"] = "long " * 400
    path = tmp_path / "data.json"
    path.write_text("[\n" + ",\n".join("  " + json.dumps(r) for r in records) + "\n]\n")
    sftlint.fix(path, tmp_path / "kept.json", rejects=tmp_path / "rejected.jsonl", config={"jobs": 1})
    assert json.loads((tmp_path / "kept.json").read_text()) == [records[0], records[2]]
    [entry] = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert entry["codes"] == ["SFT002"] and json.loads(entry["raw"]) == records[1] and entry["record"] is None


def test_fix_of_csv_with_old_mac_line_endings_keeps_them(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"instruction,output\rWhat is two plus two?,Four.\rWhat is three plus three?,Six.\r")
    run_fix(path, tmp_path / "clean.csv")
    assert (tmp_path / "clean.csv").read_bytes() == path.read_bytes()  # it wrote \n endings


def test_fix_of_a_datasets_folder_writes_parquet_or_json_lines(tmp_path):
    folder = write_as("datasets", tmp_path, flat_records("support_nogo.jsonl")[:20])
    message = one_error_line(sftlint("fix", folder, "-o", tmp_path / "clean.csv"))
    assert message == (
        f"{folder} is a Hugging Face datasets folder: fix writes its records as Parquet "
        "(name the output NAME.parquet) or as JSON Lines (NAME.jsonl); got clean.csv"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved"]


def test_no_output_overwrites_a_file_inside_a_datasets_folder_it_reads(tmp_path):
    """The folder is the input, but the run reads its Arrow data, state and info: each is refused
    as an output, whatever the command; a new file beside them is not read, and is allowed."""
    folder = write_as("datasets", tmp_path, flat_records("support_nogo.jsonl")[:20])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    arrow, state = folder / "data-00000-of-00003.arrow", folder / "state.json"
    for command in (
        ["lint", folder, "-o", arrow],
        ["lint", folder, "--report", state],
        ["lint", folder, "--write-baseline", folder / "dataset_info.json"],
        ["fix", folder, "-o", tmp_path / "x.parquet", "--rejects", state],
        ["split", folder, "-o", arrow, "-e", tmp_path / "e.jsonl"],
    ):
        assert "refusing to overwrite" in one_error_line(sftlint(*command))  # an input file, or one inside
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # its data file reached through a symlink from outside the folder is read, so refused too
    outside = tmp_path / "elsewhere.arrow"
    arrow.rename(outside)
    arrow.symlink_to(outside)
    kept = outside.read_bytes()
    assert "refusing to overwrite an input file" in one_error_line(sftlint("lint", folder, "-o", outside))
    assert outside.read_bytes() == kept
    assert sftlint("lint", folder, "--report", folder / "report.html").returncode in (0, 1)


def test_an_output_named_jsonl_is_json_lines_whatever_the_input(tmp_path):
    records = [{"instruction": "Q1?", "output": "A1 is long enough."}, {"instruction": "Q2?", "output": ""}]
    path = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pylist(records), path)
    _, summary = run_fix(path, tmp_path / "clean.jsonl")
    assert records_of(tmp_path / "clean.jsonl", "jsonl") == records[:1]
    assert "the input is a Parquet file: its kept records were written as JSON Lines" in summary


def test_a_pretty_json_array_fixed_to_a_json_file_is_an_array(tmp_path):
    records = [{"instruction": "Q1?", "output": "A1 is long enough."}, {"instruction": "Q2?", "output": ""}]
    path = tmp_path / "data.json"
    path.write_text(json.dumps(records, indent=2))
    _, summary = run_fix(path, tmp_path / "clean.json")
    assert json.loads((tmp_path / "clean.json").read_text()) == records[:1]
    assert "written as a JSON array" in summary


# Records of a JSON array as written: a number beyond a double, one with more digits than a double
# keeps, an escape, a record over two lines; then a record fix drops.
EXACT = [
    '{"instruction": "Q1?", "output": "A1 is long enough.", "x": 1e999}',
    '{"instruction":"Q2?","output":"A2 is caf\\u00e9.","y":0.1000000000000000055511151231257827}',
    '{"instruction": "Q3?",\n   "output": "A3 is long enough.", "z": 12345678901234567890123}',
]


@pytest.mark.parametrize("one_line", [False, True])
def test_fix_and_split_copy_the_records_of_a_json_array_as_written(tmp_path, one_line):
    """1e999 was written back as Infinity (no JSON) and 0.1000000000000000055511151231257827 as 0.1."""
    dropped = '{"instruction": "Q4?", "output": ""}'
    joined = ", ".join(EXACT + [dropped]) if one_line else ",\n  ".join(EXACT + [dropped])
    path = tmp_path / "data.json"
    path.write_text(f"[{joined}]\n" if one_line else f"[\n  {joined}\n]\n", encoding="utf-8")
    run_fix(path, tmp_path / "clean.json")
    assert (tmp_path / "clean.json").read_text() == "[\n" + ",\n".join(EXACT) + "\n]\n"
    run_fix(path, tmp_path / "clean.jsonl")
    lines = (tmp_path / "clean.jsonl").read_text().splitlines()
    assert lines == [text.replace("\n", " ") for text in EXACT]
    assert [json.loads(line) for line in lines] == [json.loads(text) for text in EXACT]
    proc = sftlint("split", path, "-o", tmp_path / "train.json", "-e", tmp_path / "eval.json", "--eval-fraction", "0.5")
    assert proc.returncode == 0, proc.stderr
    written = (tmp_path / "train.json").read_text() + (tmp_path / "eval.json").read_text()
    assert all(text in written for text in EXACT) and "Infinity" not in written


@pytest.mark.parametrize("kind", KINDS)
def test_split_deals_the_records_json_lines_deals_and_writes_the_input_format(tmp_path, kind):
    records = flat_records("tickets.jsonl")
    sides = {}
    for name in ("jsonl", kind):
        (tmp_path / name).mkdir()
        path = (
            write_input(name, tmp_path / name, records) if name != "jsonl" else write_as(name, tmp_path / name, records)
        )
        ext = "jsonl" if name == "jsonl" else OUTPUT[kind]
        train, held = tmp_path / name / f"train.{ext}", tmp_path / name / f"eval.{ext}"
        proc = sftlint("split", path, "-o", train, "-e", held, "--seed", "3")
        assert proc.returncode == 0, proc.stderr
        sides[name] = (records_of(train, ext), records_of(held, ext))
    assert sides[kind] == sides["jsonl"]
    train, held = sides[kind]
    assert len(train) + len(held) == len(records) and held


def test_split_refuses_an_output_named_for_another_format_and_writes_nothing(tmp_path):
    path = write_as("parquet", tmp_path, flat_records("tickets.jsonl")[:30])
    message = one_error_line(sftlint("split", path, "-o", tmp_path / "t.parquet", "-e", tmp_path / "e.csv"))
    assert message.startswith(f"{path} is a Parquet file: split writes") and message.endswith("; got e.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.parquet"]


def test_json_lines_still_copies_bytes(tmp_path):
    """The JSON Lines path is untouched: kept lines are the input's bytes."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(jsonl({"instruction": "Q1?", "output": "A1 is long enough."}).replace(b": ", b":  "))
    run_fix(path, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_bytes() == path.read_bytes()
