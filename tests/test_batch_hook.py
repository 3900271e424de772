"""The batch hook of the check API: a record check that judges many records at once.

A check sets `batch_size` and implements `check_batch(records)`; the engine hands it that many
consecutive records at a time (the last batch shorter) and the check stays a record check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sftlint.check import Check
from sftlint.checks.echo_or_degenerate import EchoOrDegenerate
from sftlint.engine import run
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.registry import PluginError, validate


class LongestOfBatch(Check):
    """Flags the record with the longest response of each batch of three.

    What it does: Looks at records three at a time and flags the longest response of each.

    Why it matters: It proves the engine's batches: their size, their order and the last one.

    How to fix: Nothing to fix; a check of the tests.
    """

    code = "TST901"
    slug = "longest-of-batch"
    severity = Severity.WARNING
    batch_size = 3

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[int]] = []

    def check_batch(self, records: Sequence[Record]) -> Iterator[Finding]:
        self.batches.append([r.line for r in records])
        longest = max(records, key=lambda r: len(r.response))
        yield self.finding(f"longest of {len(records)}", longest)


class BrokenBatch(LongestOfBatch):
    """Crashes on its second batch.

    What it does: Raises on the second batch it is given.

    Why it matters: A crash in a batch is one error finding, and the run goes on.

    How to fix: Nothing to fix; a check of the tests.
    """

    code = "TST902"
    slug = "broken-batch"

    def check_batch(self, records: Sequence[Record]) -> Iterator[Finding]:
        self.batches.append([r.line for r in records])
        if len(self.batches) == 2:
            raise ValueError("bad batch")
        return iter(())


class BrokenOnARecord(LongestOfBatch):
    """Flags every response of four words or more, and crashes on a response of exactly five.

    What it does: Yields findings one by one, then raises when it meets a five-word response.

    Why it matters: The crash of one record must not lose the findings of the others in its batch.

    How to fix: Nothing to fix; a check of the tests.
    """

    code = "TST903"
    slug = "broken-on-a-record"

    def check_batch(self, records: Sequence[Record]) -> Iterator[Finding]:
        self.batches.append([r.line for r in records])
        for record in records:
            words = len(record.response.split())
            if words == 5:
                raise ValueError(f"five words at line {record.line}")
            if words >= 4:
                yield self.finding(f"{words} words", record)


def _dataset(tmp_path: Path, lengths: list[int]) -> str:
    path = tmp_path / "data.jsonl"
    rows = [{"instruction": f"question {i}", "output": "word " * n} for i, n in enumerate(lengths)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_batches_come_in_order_of_their_size_and_the_last_is_shorter(tmp_path):
    path = _dataset(tmp_path, [1, 5, 2, 3, 9, 4, 7])
    check = LongestOfBatch()
    result = run([path], [check], {}, Severity.ERROR)
    assert check.batches == [[1, 2, 3], [4, 5, 6], [7]]
    assert [(f.line, f.message) for f in result.findings] == [
        (2, "longest of 3"),
        (5, "longest of 3"),
        (7, "longest of 1"),
    ]


def test_a_batch_check_spans_files_and_is_a_record_check(tmp_path):
    first = _dataset(tmp_path, [1, 2])
    second = tmp_path / "more.jsonl"
    second.write_text(json.dumps({"instruction": "q", "output": "a b c d e f"}) + "\n")
    check = LongestOfBatch()
    result = run([first, str(second)], [check], {}, Severity.ERROR)
    assert check.batches == [[1, 2, 1]]
    assert [(Path(f.file).name, f.line) for f in result.findings] == [("more.jsonl", 1)]
    assert LongestOfBatch.is_record_check() and not LongestOfBatch.is_dataset_check()


def test_a_crash_in_one_batch_is_one_error_finding_and_the_run_goes_on(tmp_path):
    path = _dataset(tmp_path, [1, 2, 3, 4, 5, 6, 7])
    check = BrokenBatch()
    result = run([path], [check], {}, Severity.ERROR)
    # The crashed batch is handed over again record by record; none of them crashes alone.
    assert check.batches == [[1, 2, 3], [4, 5, 6], [4], [5], [6], [7]]
    [crash] = result.findings
    assert crash.severity is Severity.ERROR and "check crashed: ValueError: bad batch" in crash.message
    assert crash.record == 4  # placed at the first record of the batch
    assert crash.message.endswith("crashed on 3 records in all")  # the records of the batch, not one


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_record_that_crashes_a_batch_loses_no_other_records_findings(tmp_path, jobs):
    # Batches [1, 2, 3] [4, 5, 6] [7, 8]: the second and the third crash half-way (5 words at
    # lines 5 and 8), after yielding a finding for line 4 and line 7.
    path = _dataset(tmp_path, [4, 1, 6, 4, 5, 9, 4, 5])
    result = run([path], [BrokenOnARecord()], {}, Severity.ERROR, jobs=jobs)
    found = [(f.line, f.message) for f in result.findings if "crashed" not in f.message]
    assert found == [(1, "4 words"), (3, "6 words"), (4, "4 words"), (6, "9 words"), (7, "4 words")]
    [crash] = [f for f in result.findings if "crashed" in f.message]
    assert "ValueError: five words at line 5" in crash.message and crash.record == 5  # the record, not its batch
    assert crash.message.endswith("crashed on 2 records in all")  # lines 5 and 8


def test_a_retried_batch_adds_each_finding_once(tmp_path):
    path = _dataset(tmp_path, [4, 4, 5])
    check = BrokenOnARecord()
    result = run([path], [check], {}, Severity.ERROR)
    assert check.batches == [[1, 2, 3], [1], [2], [3]]
    assert sorted(f.line for f in result.findings) == [1, 2, 3]  # two findings and the crash at line 3


def test_parallel_run_gives_the_same_batches_and_findings(tmp_path):
    path = _dataset(tmp_path, list(range(20, 0, -1)))
    one = run([path], [LongestOfBatch(), EchoOrDegenerate()], {}, Severity.ERROR)
    two = run([path], [LongestOfBatch(), EchoOrDegenerate()], {}, Severity.ERROR, jobs=2)
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
    assert [(f.code, f.line) for f in one.findings] == [("SFT107", 1)] + [("TST901", line) for line in range(1, 20, 3)]


def test_a_plugin_with_check_batch_must_say_its_batch_size():
    class NoSize(LongestOfBatch):
        """No batch size.

        What it does: Nothing.

        Why it matters: Nothing.

        How to fix: Nothing.
        """

        batch_size = 0

    with pytest.raises(PluginError, match="implements check_batch but sets no batch_size"):
        validate(NoSize, "test")

    class BadSize(LongestOfBatch):
        """A batch size that is not a number.

        What it does: Nothing.

        Why it matters: Nothing.

        How to fix: Nothing.
        """

        batch_size = "3"

    with pytest.raises(PluginError, match="batch_size must be a whole number"):
        validate(BadSize, "test")
    assert validate(LongestOfBatch, "test") is LongestOfBatch


def test_echo_check_judges_in_batches_as_a_record_check(tmp_path):
    """SFT107 wants numpy over many responses at once: it is a record check with a batch size."""
    assert EchoOrDegenerate.batch_size > 1 and EchoOrDegenerate.is_record_check()
    assert not EchoOrDegenerate.is_dataset_check()
    path = tmp_path / "echo.jsonl"
    looped = "I am sure. " * 30
    rows = [
        {"instruction": f"Say something about topic {i}.", "output": f"Topic {i} is a fine topic to study."}
        for i in range(5)
    ]
    rows.append({"instruction": "Tell me about cats.", "output": looped})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run([str(path)], [EchoOrDegenerate()], {}, Severity.ERROR)
    assert [(f.code, f.line, f.data.get("kind")) for f in result.findings] == [("SFT107", 6, "repeated-sentence")]


class EmptiesItsBatch(LongestOfBatch):
    """Empties the list of records it is handed, then crashes.

    What it does: Clears its batch and raises.

    Why it matters: The engine must not read the records back from the list it handed over.

    How to fix: Nothing to fix; a check of the tests.
    """

    code = "TST904"
    slug = "empties-its-batch"

    def check_batch(self, records: Sequence[Record]) -> Iterator[Finding]:
        records.clear()  # type: ignore[attr-defined]
        raise ValueError("after clearing")


def test_a_batch_check_that_empties_its_list_and_crashes_is_one_crash_at_its_records(tmp_path):
    path = _dataset(tmp_path, [1, 2, 3, 4])
    result = run([path], [EmptiesItsBatch()], {}, Severity.ERROR)
    [crash] = result.findings
    assert "ValueError: after clearing" in crash.message and crash.record == 1
    assert crash.message.endswith("crashed on 4 records in all")


def test_a_batch_holds_no_more_than_its_bytes_allow(tmp_path, monkeypatch):
    """512 records that each declare 2,000 tools were one batch of SFT107's: 850 MB held at once.
    A batch ends at `batch_size` records or at BATCH_BYTES of their lines, whichever comes first
    (one record larger than that is a batch of its own)."""
    import sftlint.engine

    monkeypatch.setattr(sftlint.engine, "BATCH_BYTES", 1_000)
    lengths = [1, 300, 2, 1, 300, 1, 1]  # "word " a word: lines 2 and 5 are some 1,550 bytes, the others 60
    check = LongestOfBatch()
    result = run([_dataset(tmp_path, lengths)], [check], {}, Severity.ERROR)
    assert check.batches == [[1], [2], [3, 4], [5], [6, 7]]
    assert sorted(f.line for f in result.findings) == [1, 2, 3, 5, 6]  # one a batch: every record judged once
    monkeypatch.setattr(sftlint.engine, "BATCH_BYTES", 100)  # each record over it: a batch of its own
    check = LongestOfBatch()
    run([_dataset(tmp_path, [300, 300, 1])], [check], {}, Severity.ERROR)
    assert check.batches == [[1], [2], [3]]
