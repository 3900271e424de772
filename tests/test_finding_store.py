"""Findings held up to a bound and written out beyond it read back exactly as one stable sort of
all of them, in the order they arrived, would give; a run whose findings were written out gives
the same result, with one process or several, and leaves no file behind."""

from __future__ import annotations

import copy
import json
import os
import pickle
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from sftlint import finding_store
from sftlint.api import lint_paths
from sftlint.checks.exact_duplicate import ExactDuplicate
from sftlint.cli import cli
from sftlint.config import Config
from sftlint.engine import Result, _Tally
from sftlint.finding_store import FindingStore
from sftlint.findings import Finding, Location, Severity

FILES = ["b.jsonl", "a.jsonl"]
SAMPLES = REPO / "sample_data"


def finding(code: str, file: str | None, record: int | None, message: str = "m", **more) -> Finding:
    return Finding(code, "slug", Severity.WARNING, file, None, message, record=record, **more)


def one_sort(findings: list[Finding], files: list[str]) -> list[Finding]:
    order = {name: i for i, name in enumerate(files)}
    return sorted(findings, key=lambda f: (order.get(f.file or "", -1), f.record or 0, f.code, f.message))


def as_rows(findings) -> list[tuple]:
    return [(f.code, f.file, f.record, f.message, f.data.get("n")) for f in findings]


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["SFT103", "SFT104", "SFT001"]),
        st.sampled_from([None, "a.jsonl", "b.jsonl", "other.jsonl"]),
        st.none() | st.integers(0, 5),
        st.sampled_from(["x", "y", "near-duplicate of line 2", ""]),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.integers(1, 8), st.integers(1, 5))
def test_findings_read_back_as_one_stable_sort_of_all_of_them(rows, held, piece) -> None:
    # equal keys, told apart by their arrival number: stability shows
    findings = [finding(*row, data={"n": i}) for i, row in enumerate(rows)]
    for i, f in enumerate(findings):
        f.severity = list(Severity)[i % len(Severity)]
    store = FindingStore(FILES, held=held)
    finding_store.PIECE, saved = piece, finding_store.PIECE
    try:
        for i in range(0, len(findings), 3):
            store.extend(findings[i : i + 3])
        assert len(store) == len(findings)
        assert store.spilled == (len(findings) > held)
        assert as_rows(store) == as_rows(one_sort(findings, FILES))
        assert as_rows(store) == as_rows(store)  # read again: the same
        assert list(store.brief()) == [(f.code, f.severity, f.file, f.record) for f in store]
        # the tally of a store, read brief, is the tally of its findings read whole
        for fail_on in Severity:
            of_store, of_list = _Tally.of(store, fail_on, ()), _Tally.of(list(store), fail_on, ())
            for counted in ("counts", "flagged", "placed"):
                assert getattr(of_store, counted) == getattr(of_list, counted)
            assert {c: (n, as_rows([f])) for c, (n, f) in of_store.failing.items()} == {
                c: (n, as_rows([f])) for c, (n, f) in of_list.failing.items()
            }
            assert list(of_store.failing) == list(of_list.failing)
    finally:
        finding_store.PIECE = saved


def test_findings_written_out_come_back_whole() -> None:
    original = Finding(
        "SFT104",
        "near-duplicate",
        Severity.ERROR,
        "a.jsonl",
        7,
        "near-duplicate of line 2 (J=0.91) é \udcff",
        [Location("a.jsonl", 2, 2), Location("eval.jsonl", None, 4)],
        0.91,
        {"of": [1, 2], "text": "x"},
        "00ff00ff00ff00ff",
        7,
    )
    store = FindingStore(["a.jsonl"], held=1)
    store.extend([original, finding("SFT001", "a.jsonl", 9)])
    assert store.spilled
    assert store[0] == original and store[0] is not original


def test_each_finding_is_prepared_once_before_it_is_written_or_read() -> None:
    prepared: list[int] = []

    def prepare(findings: list[Finding]) -> None:
        for f in findings:
            assert f.line is None, "prepared twice"
            f.line = f.record
            prepared.append(f.record)

    store = FindingStore(["a.jsonl"], prepare, held=4)
    store.extend(finding("SFT103", "a.jsonl", n) for n in range(1, 7))  # 6 > 4: written out
    store.append(finding("SFT103", "a.jsonl", 9))
    assert [f.line for f in store] == [1, 2, 3, 4, 5, 6, 9]
    store.append(finding("SFT103", "a.jsonl", 8))
    assert [f.line for f in store] == [1, 2, 3, 4, 5, 6, 8, 9]
    assert sorted(prepared) == [1, 2, 3, 4, 5, 6, 8, 9]


@pytest.mark.parametrize("held", [2, 100])
def test_a_store_reads_like_the_list_of_its_findings(held) -> None:
    findings = [finding("SFT103", "a.jsonl", n, data={"n": n}) for n in (5, 1, 4, 2, 3)]
    store = FindingStore(["a.jsonl"], held=held)
    store.extend(findings)
    expected = one_sort(findings, ["a.jsonl"])
    assert store == expected and expected == store and store != expected[:-1]
    assert bool(store) and not FindingStore(["a.jsonl"])
    assert [store[i].record for i in range(-5, 5)] == [1, 2, 3, 4, 5] * 2
    assert [f.record for f in store[1:4]] == [2, 3, 4]
    assert [f.record for f in store[::-2]] == [5, 3, 1]
    assert [f.record for f in store[-2:]] == [4, 5]
    with pytest.raises(IndexError):
        store[5]
    assert store.index(expected[2]) == 2 and store.count(expected[0]) == 1
    # a copy or a pickle is the list of its findings, written out or not (its file is its own)
    for copied in (copy.deepcopy(store), pickle.loads(pickle.dumps(store))):
        assert type(copied) is list and copied == expected and as_rows(copied) == as_rows(expected)


def test_a_process_hands_its_written_findings_over_through_a_file_that_is_then_gone(tmp_path) -> None:
    worker = FindingStore(FILES, held=3, folder=str(tmp_path))
    worker.extend(finding("SFT104", "a.jsonl", n, data={"n": n}) for n in range(10, 0, -1))
    handed = worker.handover()
    assert handed.path is not None and not handed.held

    stamped: list[Finding] = []
    run = FindingStore(FILES, stamped.extend, held=4)
    run.extend([finding("SFT103", "b.jsonl", 1), finding("SFT103", "a.jsonl", 3)])
    run.absorb(handed)
    run.append(finding("SFT201", None, None))
    assert list(tmp_path.iterdir()) == []
    assert len(stamped) == 12  # the run prepares what it takes over, and the rest when read
    assert [(f.code, f.file, f.record) for f in run][:4] == [
        ("SFT201", None, None),
        ("SFT103", "b.jsonl", 1),
        ("SFT104", "a.jsonl", 1),
        ("SFT104", "a.jsonl", 2),
    ]
    assert len(stamped) == 13
    small = FindingStore(FILES, folder=str(tmp_path))
    small.append(finding("SFT103", "a.jsonl", 1))
    assert small.handover().path is None  # a few findings go as they are


def test_records_flagged_are_counted_from_a_store_as_from_a_list() -> None:
    rows = [("SFT103", "a.jsonl", 1), ("SFT103", "b.jsonl", 1), ("SFT103", "a.jsonl", 1), ("SFT103", None, None)]
    rows += [("SFT103", "eval.jsonl", 2), ("SFT103", "other.jsonl", 2), ("SFT103", "eval.jsonl", 2)]
    for findings in ([finding(*r, message=str(i)) for i, r in enumerate(rows)],):
        store = FindingStore(["a.jsonl", "b.jsonl"], held=2)
        store.extend(findings)
        counted = [
            Result(["a.jsonl", "b.jsonl"], [ExactDuplicate()], given, {"records": 8}, {}, Severity.ERROR).check_rows()
            for given in (findings, store)
        ]
        assert counted[0] == counted[1]
        assert (counted[1][0]["count"], counted[1][0]["records"]) == (7, 4)


def _lint_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.output)
    out["stats"] = {k: v for k, v in out["stats"].items() if k not in ("timings", "jobs")}
    out["config"].pop("jobs", None)
    return out


@pytest.mark.parametrize(
    "inputs",
    [
        [SAMPLES / "support_nogo.jsonl"],
        [SAMPLES / "tickets.jsonl", SAMPLES / "support_nogo.jsonl", "--against", SAMPLES / "support_go.jsonl"],
    ],
    ids=["nogo", "two-files-against"],
)
def test_a_run_whose_findings_are_written_out_gives_the_same_result(inputs, monkeypatch, tmp_path) -> None:
    expected = _lint_json(*inputs, "--jobs", "1")
    assert len(expected["findings"]) > 10, "the comparison needs findings to compare"
    monkeypatch.setattr(finding_store, "HELD", 3)
    monkeypatch.setattr(finding_store, "PIECE", 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for jobs in ("1", "2", "3"):
        assert _lint_json(*inputs, "--jobs", jobs) == expected, jobs
    assert list(tmp_path.iterdir()) == []  # the run's folder and files are gone


def test_baselines_are_the_same_when_findings_are_written_out(monkeypatch, tmp_path) -> None:
    data = SAMPLES / "support_nogo.jsonl"
    CliRunner().invoke(cli, ["lint", str(data), "--write-baseline", str(tmp_path / "held")])
    monkeypatch.setattr(finding_store, "HELD", 3)
    for jobs in ("1", "2"):
        CliRunner().invoke(cli, ["lint", str(data), "--jobs", jobs, "--write-baseline", str(tmp_path / jobs)])
        assert (tmp_path / jobs).read_bytes() == (tmp_path / "held").read_bytes()
    lines = data.read_bytes().splitlines(keepends=True)
    (tmp_path / "part.jsonl").write_bytes(b"".join(lines[:60] + lines[200:]))
    monkeypatch.setattr(finding_store, "HELD", 10**6)
    expected = _lint_json(tmp_path / "part.jsonl", "--baseline", tmp_path / "held")
    monkeypatch.setattr(finding_store, "HELD", 3)
    got = _lint_json(tmp_path / "part.jsonl", "--baseline", tmp_path / "held", "--jobs", "2")
    assert got == expected and 0 < got["baseline"]["suppressed"] < len(lines)


def test_a_run_holds_no_more_than_the_bound_of_findings(monkeypatch, tmp_path) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text("".join(json.dumps({"instruction": f"Question {i}?", "output": ""}) + "\n" for i in range(500)))
    monkeypatch.setattr(finding_store, "HELD", 50)
    most = 0
    extend = FindingStore.extend

    def watched(self, findings):
        nonlocal most
        extend(self, findings)
        most = max(most, len(self._held))

    monkeypatch.setattr(FindingStore, "extend", watched)
    result = lint_paths([str(data)], Config(select=["SFT101"]))
    assert isinstance(result.findings, FindingStore) and result.findings.spilled
    assert len(result.findings) == 500 and most <= 50
    assert [f.record for f in result.findings] == list(range(1, 501))


def test_a_temporary_folder_that_cannot_be_written_is_one_error(monkeypatch, tmp_path) -> None:
    data = SAMPLES / "support_nogo.jsonl"
    monkeypatch.setattr(finding_store, "HELD", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    result = CliRunner().invoke(cli, ["lint", str(data), "--jobs", "1"])
    assert result.exit_code == 2
    assert result.output.startswith("sftlint: error: ") and result.output.count("\n") == 1
    assert "temporary file" in result.output and "TMPDIR" in result.output
    assert not os.path.exists(tmp_path / "missing")


class _FullDisk:
    """A temporary file on a full disk: every write fails as the kernel says so."""

    def __init__(self, *args, **kwargs) -> None:
        self.file = _real_temporary_file()

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str):
        return getattr(self.file, name)


_real_temporary_file = tempfile.TemporaryFile


@pytest.mark.parametrize("select", ["SFT101", "SFT104"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_run_with_one_error_even_inside_a_check(monkeypatch, tmp_path, select, jobs) -> None:
    data = tmp_path / "d.jsonl"
    rows = [{"instruction": f"Question {i} about exports and invoices?", "output": ""} for i in range(300)]
    rows += [{"instruction": "How do I export an invoice?", "output": "Open the invoice, then Export."}] * 300
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr(finding_store, "HELD", 10)
    monkeypatch.setattr(tempfile, "TemporaryFile", _FullDisk)
    result = CliRunner().invoke(cli, ["lint", str(data), "--select", select, "--jobs", jobs])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"sftlint: error: cannot write a temporary file in {tempfile.gettempdir()} (No space left on device); "
        "set TMPDIR to a folder with room\n"
    )


def _peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        lint_paths([str(path)], Config(select=["SFT101"], jobs=1), examples=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_findings_beyond_the_bound(monkeypatch, tmp_path) -> None:
    """Every record flagged, 1,500 or 6,000 of them, with 200 held: the run's peak is the same
    within 60 bytes a finding (a finding held takes some 400)."""
    monkeypatch.setattr(finding_store, "HELD", 200)
    monkeypatch.setattr(finding_store, "PIECE", 8)
    peaks = []
    for records in (10, 1_500, 6_000):  # the first run imports and caches what every run uses
        data = tmp_path / f"{records}.jsonl"
        rows = ({"instruction": f"How do I export invoice {i}?", "output": ""} for i in range(records))
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
        peaks.append(_peak_bytes(data))
    assert peaks[2] - peaks[1] < 60 * 4_500, peaks
