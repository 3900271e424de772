"""`--format github`: workflow annotations GitHub Actions understands, and the usual exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from conftest import REAL_DATA
from sftlint.cli import cli

REAL = REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl"

PLUGIN = '''
from sftlint import Check, Severity


class Progress(Check):
    """Flags records whose response mentions a percentage.

    What it does: Reports responses containing a percent sign.

    Why it matters: It exercises messages with characters GitHub commands must escape.

    How to fix: Nothing to fix; this is a test check.
    """

    code = "GHT001"
    slug = "percent-sign"
    severity = Severity.INFO

    def check_record(self, record):
        if "%" in record.response:
            yield self.finding("50% done,\\nsecond line: here", record)
'''


def real_lines(n: int) -> list[str]:
    with REAL.open(encoding="utf-8") as handle:
        return [handle.readline().rstrip("\n") for _ in range(n)]


def github(*args: object) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["lint", "--format", "github", *[str(a) for a in args]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.splitlines()


def test_clean_data_is_go_and_advice_is_only_a_notice(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(real_lines(20)) + "\n", encoding="utf-8")
    code, lines = github(path, "--min-pairs", "20", "--ignore", "fits-in-context,no-evaluation-set")
    assert code == 0 and lines == ["sftlint GO"]
    code, lines = github(path, "--min-pairs", "20")
    assert code == 0 and lines[-1] == "sftlint GO"
    assert lines[:-1] and all(line.startswith("::notice title=SFT2") for line in lines[:-1])


def test_errors_warnings_and_dataset_findings_become_annotations(tmp_path):
    path = tmp_path / "train.jsonl"
    good = real_lines(5)
    path.write_text("\n".join([*good, json.dumps({"instruction": "Say hi.", "output": ""}), good[0]]) + "\n")
    code, lines = github(path, "--ignore", "fits-in-context,no-evaluation-set")
    assert code == 1
    assert lines == [  # one copy in 7 records is past SFT103's 5 % limit: an error for the dataset
        "::error title=SFT103 exact-duplicate::14.3%25 of records (1 of 7) are exact copies of an earlier one; "
        "max_rate is 5.0%25",
        "::error title=SFT201 dataset-size::only 5 usable pairs of 7 records "
        "(1 flagged by SFT101, 1 flagged by SFT103); the minimum is 300",
        f"::error file={path},line=6,title=SFT101 empty-response::response is empty",
        f"::warning file={path},line=7,title=SFT103 exact-duplicate::exact duplicate of line 1",
        "sftlint NO-GO: SFT101 empty-response: response is empty (line 6); SFT103 exact-duplicate: 14.3% of "
        "records (1 of 7) are exact copies of an earlier one; max_rate is 5.0%; SFT201 dataset-size: "
        "only 5 usable pairs of 7 records (1 flagged by SFT101, 1 flagged by SFT103); the minimum is 300",
    ]


def test_properties_and_messages_are_escaped(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "percent.py").write_text(PLUGIN)
    path = tmp_path / "a,b:c.jsonl"
    path.write_text(json.dumps({"instruction": "How far along is it?", "output": "About 50%."}) + "\n")
    code, lines = github(path, "--plugins", tmp_path / "plugins", "--select", "GHT001")
    escaped = str(path).replace(",", "%2C").replace(":", "%3A")
    assert lines[0] == f"::notice file={escaped},line=1,title=GHT001 percent-sign::50%25 done,%0Asecond line: here"
    assert code == 0  # a notice never fails the run


def test_standard_input_annotations_have_no_file(tmp_path):
    record = json.dumps({"instruction": "Say hi.", "output": ""})
    result = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", "-", "--format", "github", "--select", "SFT101"],
        input=record + "\n",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "::error title=SFT101 empty-response::response is empty"
