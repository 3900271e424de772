"""The streaming reader: formats it accepts, line numbers, and errors that stop nothing."""

import gzip
import io
import json
import sys

import pytest

from sftlint.errors import InputError
from sftlint.io import ReadStats, read_file, write_atomic


def read(path):
    stats = ReadStats()
    return list(read_file(str(path), stats)), stats


def test_jsonl_lines_keep_physical_numbers_and_blank_lines_are_counted(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a": 1}\n\n   \n{"a": 2}\r\n{"a": 3}')
    raws, stats = read(p)
    assert [(r.line, r.value) for r in raws] == [(1, {"a": 1}), (4, {"a": 2}), (5, {"a": 3})]
    assert stats.blank == 2 and stats.lines == 5


def test_blank_lines_before_the_first_record_are_counted_not_kept(tmp_path):
    # A gzip file of a billion line breaks is 4 MB: the lines read to tell JSON from a README
    # held every blank one (3.9 GB of memory). They are counted now, whatever their number.
    import tracemalloc

    p = tmp_path / "d.jsonl.gz"
    p.write_bytes(gzip.compress(b"\r\n" * 3 + b"\n" * 400_000 + b'{"a": 1}\n\n{"a": 2}\n'))
    tracemalloc.start()
    try:
        raws, stats = read(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(r.line, r.value) for r in raws] == [(400_004, {"a": 1}), (400_006, {"a": 2})]
    assert stats.blank == 400_004 and [r.position for r in raws] == [1, 2]
    assert peak < 1_000_000  # a list of 400,000 lines alone is 3.2 MB
    text = tmp_path / "notes.jsonl"
    text.write_bytes(b"\n" * 400_000 + b"just some notes\n" + b"\n" * 10 + b"more notes\n")
    with pytest.raises(InputError, match="does not look like JSON Lines"):
        read(text)


def test_bom_is_tolerated(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"a": 1}\n')
    raws, _ = read(p)
    assert raws[0].value == {"a": 1} and raws[0].error is None


def test_invalid_json_gives_the_reason_and_reading_goes_on(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a": 1,}\n{"a": 2}\n{"a": \n')
    raws, _ = read(p)
    assert raws[0].error and "column" in raws[0].error
    assert raws[1].value == {"a": 2}
    assert raws[2].line == 3 and raws[2].error


def test_invalid_utf8_is_reported_and_the_line_still_parses(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a": "caf\xe9"}\n{"a": "ok"}\n')
    raws, _ = read(p)
    assert "0xe9" in raws[0].encoding_error
    assert raws[0].value == {"a": "caf\ufffd"}
    assert raws[1].encoding_error is None


def test_gzip_is_read_transparently(tmp_path):
    p = tmp_path / "d.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    raws, _ = read(p)
    assert [r.value for r in raws] == [{"a": 1}, {"a": 2}]


def test_truncated_gzip_is_an_input_error(tmp_path):
    p = tmp_path / "d.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"a": 1}\n' * 1000)[:-20])
    with pytest.raises(InputError, match="corrupt gzip"):
        read(p)


def test_corrupt_gzip_is_an_input_error(tmp_path):
    p = tmp_path / "d.jsonl.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    with pytest.raises(InputError, match="corrupt gzip data before its first line"):  # not "after line 0"
        read(p)


def test_missing_file_and_directory_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="is a directory"):
        read(tmp_path)


def test_a_multi_line_json_array_gives_each_element_its_line(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('[\n  {"a": 1},\n\n  {"a":\n    2},\n  {"a": 3}\n]\n')
    raws, stats = read(p)
    assert [(r.line, r.value) for r in raws] == [(2, {"a": 1}), (4, {"a": 2}), (6, {"a": 3})]
    assert stats.array


def test_a_one_line_json_array_is_accepted(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps([{"a": 1}, {"a": 2}]))
    raws, _ = read(p)
    assert [r.value for r in raws] == [{"a": 1}, {"a": 2}]


def test_jsonl_whose_lines_are_arrays_stays_jsonl(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('[1, 2]\n[3]\n{"a": 1}\n')
    raws, stats = read(p)
    assert [(r.line, r.value) for r in raws] == [(1, [1, 2]), (2, [3]), (3, {"a": 1})]
    assert not stats.array


def test_a_broken_array_file_falls_back_to_line_by_line(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('[\n{"a": 1},\n{"a": 2\n')
    raws, _ = read(p)
    assert [r.line for r in raws] == [1, 2, 3]
    assert all(r.error for r in raws)


def test_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(b'{"a": 1}\n{"a": 2}\n'))))
    raws, _ = read("-")
    assert [r.value for r in raws] == [{"a": 1}, {"a": 2}]


def test_deep_nesting_and_huge_numbers_are_parse_errors_not_crashes(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text("[" * 100000 + "]" * 100000 + "\n" + '{"a": ' + "9" * 5000 + "}\n")
    raws, _ = read(p)
    assert len(raws) == 2 and all(r.error for r in raws)


def test_write_atomic_refuses_an_input_and_leaves_no_temporary_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("x\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    with pytest.raises(Exception, match="refusing"):
        write_atomic(link, "y", inputs=[src])
    assert src.read_text() == "x\n"
    write_atomic(tmp_path / "out" / "o.txt", "hello")
    assert (tmp_path / "out" / "o.txt").read_text() == "hello"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["o.txt"]


def test_an_oversized_line_is_skipped_in_bounded_memory(tmp_path):
    from sftlint import io as sio

    p = tmp_path / "d.jsonl"
    p.write_bytes(b'{"a": 1}\n{"a": "' + b"x" * 5000 + b'"}\n{"a": 3}\n')
    stats = ReadStats(line_limit=1000)
    raws = list(sio._read_stream(sio._bounded_lines(open(p, "rb"), stats), stats))
    assert [(r.line, r.oversized) for r in raws] == [(1, None), (2, 5010), (3, None)]  # with its newline
    assert raws[2].value == {"a": 3}


def test_a_minified_array_on_one_long_line_is_still_an_array(tmp_path):
    from sftlint import io as sio

    p = tmp_path / "d.json"
    p.write_bytes(json.dumps([{"a": "x" * 600}, {"a": "y" * 600}]).encode())
    stats = ReadStats(line_limit=1000)
    raws = list(sio._read_stream(sio._bounded_lines(open(p, "rb"), stats), stats))
    assert [len(r.value["a"]) for r in raws] == [600, 600]


def test_a_pretty_array_with_an_element_on_one_long_line_keeps_its_other_records(tmp_path, monkeypatch):
    """One element's line past the line limit made the whole array JSON Lines: an SFT001 on every
    line, and `fix` kept one record of 400. The long element alone is oversized now (as a long
    line of JSON Lines is); the others are read."""
    from sftlint import io as sio

    monkeypatch.setattr(sio, "MAX_LINE_BYTES", 1000)
    records = [{"instruction": f"Q{i}?", "output": f"A{i}."} for i in range(5)]
    records[2]["output"] = "x " * 1000
    p = tmp_path / "d.json"
    p.write_text("[\n" + ",\n".join("  " + json.dumps(r) for r in records) + "\n]\n")
    stats = ReadStats(line_limit=1000)
    raws = list(sio._read_stream(sio._bounded_lines(open(p, "rb"), stats), stats))
    assert [(r.line, r.position, r.oversized is not None, r.error) for r in raws] == [
        (2, 1, False, None), (3, 2, False, None), (4, 3, True, None), (5, 4, False, None), (6, 5, False, None)
    ]  # fmt: skip
    assert raws[4].value == records[4] and stats.line_limit == 1000 and stats.array
    assert raws[2].data is not None and json.loads(raws[2].data) == records[2]  # its text, for fix's rejects file
    # an element over many short lines, longer in all than a line may be, is read as before
    p.write_text(json.dumps([records[0], {"instruction": "Q?", "output": ["word"] * 400}], indent=2))
    stats = ReadStats(line_limit=1000)
    raws = list(sio._read_stream(sio._bounded_lines(open(p, "rb"), stats), stats))
    assert [r.oversized for r in raws] == [None, None] and len(raws[1].value["output"]) == 400
    # not a document after all: its long line is reported as oversized, as in JSON Lines
    p.write_text("[\n" + ",\n".join("  " + json.dumps(r) for r in records) + "\n")  # never closed
    stats = ReadStats(line_limit=1000)
    raws = list(sio._read_stream(sio._bounded_lines(open(p, "rb"), stats), stats))
    assert [r.line for r in raws if r.oversized] == [4] and raws[0].error is not None  # "[" alone


def test_a_pretty_array_past_the_document_limit_is_one_error_with_the_jq_command(tmp_path, monkeypatch):
    """A valid array of 283 MB was read as lines: 419,119 SFT001 findings and NO-GO."""
    from sftlint import io as sio
    from sftlint.errors import InputError

    monkeypatch.setattr(sio, "MAX_DOCUMENT_BYTES", 2000)
    p = tmp_path / "big.json"
    elements = ",\n".join(json.dumps({"instruction": f"Q{i}?", "output": "A."}) for i in range(200))
    p.write_text("[\n" + elements + "\n]\n")
    with pytest.raises(InputError) as raised:
        list(sio.read_file(str(p)))
    assert str(raised.value) == (
        f"{p}: a JSON array over several lines runs past 0 MB, more than sftlint reads as one document; "
        f"write one record per line (JSON Lines), for example with: jq -c '.[]' {p}"
    )


def test_braces_of_ever_new_indentation_are_looked_ahead_from_once(tmp_path, monkeypatch):
    """Each '{' of a new indentation read 10,000 lines ahead again: 40,000 such lines took 26 s.
    The lines a look ahead read start no other one."""
    from sftlint import io as sio

    looked = []
    original = sio._spread_object

    def counted(number, *args):
        looked.append(number)
        return original(number, *args)

    monkeypatch.setattr(sio, "_spread_object", counted)
    p = tmp_path / "d.jsonl"
    braces = "\n".join(" " * i + "{" for i in range(300))
    p.write_text(json.dumps({"instruction": "Q?", "output": "A."}) + "\n" + braces)
    raws = list(sio.read_file(str(p)))
    assert len(raws) == 301 and all(r.error for r in raws[1:]) and looked == [2]


def test_a_pretty_printed_single_object_is_one_record(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('\n{\n  "instruction": "Q",\n  "output": "A"\n}\n')
    raws, _ = read(p)
    assert [(r.line, r.value) for r in raws] == [(2, {"instruction": "Q", "output": "A"})]


def test_a_broken_first_record_does_not_swallow_the_file(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"a": 1\n{"a": 2}\n{"a": 3}\n')
    raws, _ = read(p)
    assert [r.line for r in raws] == [1, 2, 3]
    assert raws[0].error and raws[1].value == {"a": 2}


def test_a_first_line_with_a_vertical_tab_before_a_brace_is_an_invalid_line_not_a_crash(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'\x0b{\n{"a": 2}\n')
    raws, stats = read(p)
    assert [r.line for r in raws] == [1, 2] and stats.lines == 2
    assert raws[0].error and raws[1].value == {"a": 2}
