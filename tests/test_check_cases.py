"""Every check's cases as data (tests/cases/CODE.json): where it must fire and where it must stay quiet.

A case is a small file: `records` are objects (dumped as JSON), strings (raw lines) or
{"__bytes__": text} (raw bytes, Latin-1 encoded, for invalid UTF-8). `fires` cases list the
lines that must be flagged (and optionally a message fragment); `quiet` cases must give no
finding of the check. Each case runs the real CLI with only that check selected.
"""

import json
from pathlib import Path

import pytest

from conftest import write_jsonl

CASES = Path(__file__).parent / "cases"


def _records(case):
    return [
        r["__bytes__"].encode("latin-1") if isinstance(r, dict) and "__bytes__" in r else r for r in case["records"]
    ]


def _params(kind):
    for file in sorted(CASES.glob("*.json")):
        for i, case in enumerate(json.loads(file.read_text())[kind]):
            yield pytest.param(file.stem, case, id=f"{file.stem}-{kind}-{i}")


def _lint(lint, tmp_path, code, case):
    path = write_jsonl(tmp_path / "case.jsonl", _records(case))
    _, out = lint(None, "--select", code, "--min-pairs", "1", path=path)
    return [f for f in out["findings"] if f["code"] == code]


@pytest.mark.parametrize(("code", "case"), list(_params("fires")))
def test_fires(lint, tmp_path, code, case):
    """The lines flagged (None: the dataset); a dataset-wide finding beside flagged records
    (SFT103's share of copies past its limit, as in every small case of copies) is not counted."""
    found = _lint(lint, tmp_path, code, case)
    if None not in case["lines"]:
        found = [f for f in found if f["line"] is not None]
    assert sorted({f["line"] for f in found}) == case["lines"], found
    if "message" in case:
        assert all(case["message"] in f["message"] for f in found), found


@pytest.mark.parametrize(("code", "case"), list(_params("quiet")))
def test_quiet(lint, tmp_path, code, case):
    assert _lint(lint, tmp_path, code, case) == []
