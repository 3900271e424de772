"""The report reads a run's findings once, keeping only what it shows: the same view as the one
made from the whole JSON document, whatever the number of findings or examples per check."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import REPO
from sftlint.cli import cli
from sftlint.report.view import build_view

SAMPLES = REPO / "sample_data"


def _document(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize("per_check", [0, 1, 3, 20])
@pytest.mark.parametrize("fail_on", ["error", "warning", "advice"])
def test_a_view_from_findings_read_once_is_the_view_from_the_whole_document(per_check, fail_on) -> None:
    data = _document(SAMPLES / "support_nogo.jsonl", SAMPLES / "tickets.jsonl", "--fail-on", fail_on)
    data["config"]["examples_per_check"] = per_check
    assert len(data["findings"]) > 40 and len({f["code"] for f in data["findings"]}) > 5
    findings = data["findings"]
    read: list[int] = []

    def once():
        for i, f in enumerate(findings):
            read.append(i)
            yield f

    expected = build_view(data)
    got = build_view({**data, "findings": []}, once())
    assert got == expected
    assert read == list(range(len(findings)))
    if fail_on == "warning":
        assert expected["reasons"] and expected["sections"]


def test_reasons_count_each_failing_record_once_however_many_findings_it_has() -> None:
    data = _document(SAMPLES / "support_nogo.jsonl")
    base = next(f for f in data["findings"] if f["record"] is not None and f["severity"] == "error")
    twice = [
        {**base, "message": "first problem"},
        {**base, "message": "second problem"},
        {**base, "record": base["record"] + 1, "line": base["line"] + 1, "message": "first problem"},
    ]
    view = build_view({**data, "findings": []}, iter(twice))
    [reason] = [r for r in view["reasons"] if r["code"] == base["code"]]
    assert reason["text"].startswith("2 records")
    [section] = [s for s in view["sections"] if s["code"] == base["code"]]
    assert section["total"] == 3


@pytest.mark.parametrize("per_check", [0, 1, 3, 20])
@pytest.mark.parametrize("held", [3, 10**6])
def test_examples_stop_reading_early_and_take_what_a_whole_reading_takes(monkeypatch, per_check, held) -> None:
    """The examples read a store's findings only as far as they need (every check's first
    records taken, the last wanted record passed) and take exactly what reading every finding
    of a plain list takes, with the findings in memory or written out."""
    from sftlint import finding_store
    from sftlint.api import lint
    from sftlint.examples import collect_examples, wanted_records

    monkeypatch.setattr(finding_store, "HELD", held)
    paths = [str(SAMPLES / "support_nogo.jsonl"), str(SAMPLES / "tickets.jsonl")]
    result = lint(paths, examples=False)
    store, plain = result.findings, list(result.findings)
    assert isinstance(store, finding_store.FindingStore) and store.spilled == (held == 3)
    placed = result.tally().placed
    assert sum(placed.values()) > 40
    read = 0

    def counted():
        nonlocal read
        for f in store:
            read += 1
            yield f

    assert wanted_records(counted(), result.summaries, per_check, placed) == wanted_records(
        plain, result.summaries, per_check
    )
    assert read < len(plain) or per_check == 20  # twenty of each check means reading them all here
    got = collect_examples(paths, store, result.summaries, {}, per_check, placed=placed)
    assert got == collect_examples(paths, plain, result.summaries, {}, per_check)
