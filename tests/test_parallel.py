"""--jobs: the checks shared among processes give the same result as one process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, as_from_a_terminal
from sftlint.check import Check
from sftlint.cli import cli
from sftlint.findings import Severity
from sftlint.parallel import AUTO_MIN_BYTES, available_cores, choose_jobs, deal
from test_progress_and_interrupt import _wait_until_reading, big_dataset

SAMPLES = REPO / "sample_data"


def _lint_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.output)
    return result.exit_code, out


def _without_run_details(out: dict) -> dict:
    """The result minus what may differ between runs: timings, and the process count itself."""
    out = dict(out)
    out["stats"] = {k: v for k, v in out["stats"].items() if k not in ("timings", "jobs")}
    out["config"] = {k: v for k, v in out["config"].items() if k != "jobs"}
    return out


@pytest.mark.parametrize(
    "inputs",
    [
        [SAMPLES / "support_nogo.jsonl"],
        [SAMPLES / "chat.jsonl", SAMPLES / "support_go.jsonl"],
        [SAMPLES / "tickets.jsonl", "--against", SAMPLES / "support_go.jsonl", "--plugins", REPO / "checks"],
    ],
    ids=["nogo", "two-files", "against-and-plugin"],
)
def test_same_result_for_any_number_of_processes(inputs):
    runs = {jobs: _lint_json(*inputs, "--jobs", str(jobs)) for jobs in (1, 2, 3, 7)}
    assert {jobs: out["stats"]["jobs"] for jobs, (_, out) in runs.items()} == {1: 1, 2: 2, 3: 3, 7: 7}
    code, one = runs[1]
    assert one["findings"], "the comparison needs findings to compare"
    for jobs, (other_code, out) in runs.items():
        assert other_code == code, jobs
        assert _without_run_details(out) == _without_run_details(one), jobs
    assert set(runs[3][1]["stats"]["timings"]) == set(one["stats"]["timings"])


def test_records_flagged_by_several_disqualifying_checks_count_the_same(tmp_path):
    """An empty response that is also a copy is unusable once, always under the same check."""
    records = [{"instruction": f"Question {i} about invoices and exports?", "output": ""} for i in range(40)] * 2
    records += [{"instruction": "How do I export invoices?", "output": "Open Invoices, then choose Export."}] * 3
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    runs = [_lint_json(data, "--jobs", str(jobs))[1]["stats"] for jobs in (1, 2, 3, 4)]
    assert runs[0]["unusable"] == {"SFT101": 80, "SFT103": 2}
    assert all(stats["unusable"] == runs[0]["unusable"] for stats in runs)


def test_fingerprints_and_baseline_are_the_same_for_any_number_of_processes(tmp_path):
    data = SAMPLES / "support_nogo.jsonl"
    for jobs in (1, 3):
        CliRunner().invoke(
            cli, ["lint", str(data), "--jobs", str(jobs), "--write-baseline", str(tmp_path / f"b{jobs}")]
        )
    assert (tmp_path / "b1").read_bytes() == (tmp_path / "b3").read_bytes()
    code, out = _lint_json(data, "--baseline", tmp_path / "b1", "--jobs", "2")
    assert code == 0 and out["baseline"]["suppressed"] > 0


def test_fix_gives_the_same_files_for_any_number_of_processes(tmp_path):
    for jobs in (1, 2):
        result = CliRunner().invoke(
            cli,
            ["fix", str(SAMPLES / "support_nogo.jsonl"), "-o", str(tmp_path / f"out{jobs}.jsonl"), "--jobs", str(jobs)],
        )
        assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "out1.jsonl").read_bytes() == (tmp_path / "out2.jsonl").read_bytes()
    assert (tmp_path / "out1.rejected.jsonl").read_bytes() == (tmp_path / "out2.rejected.jsonl").read_bytes()


def _plugin(folder: Path, body: str) -> Path:
    folder.mkdir()
    (folder / "odd.py").write_text(
        "import os, signal\n"
        "from sftlint.check import Check\n"
        "from sftlint.findings import Severity\n\n"
        "class Odd(Check):\n"
        '    """Misbehaves on purpose.\n\n'
        "    What it does: misbehaves.\n\n"
        "    Why it matters: tests.\n\n"
        '    How to fix: nothing.\n    """\n\n'
        '    code = "ODD001"\n'
        '    slug = "odd"\n'
        "    severity = Severity.WARNING\n"
        "    cost = 0.01\n\n" + body
    )
    return folder


def test_a_check_that_crashes_in_a_worker_is_reported_as_in_one_process(tmp_path):
    plugins = _plugin(tmp_path / "plugins", "    def check_record(self, record):\n        raise ValueError('boom')\n")
    data = SAMPLES / "support_go.jsonl"
    runs = [_lint_json(data, "--plugins", plugins, "--select", "SFT101,ODD001", "--jobs", j) for j in ("1", "2")]
    crashes = [[f for f in out["findings"] if f["code"] == "ODD001"] for _, out in runs]
    assert len(crashes[0]) == 1 and "check crashed: ValueError: boom" in crashes[0][0]["message"]
    assert crashes[0] == crashes[1]
    assert runs[1][1]["stats"]["jobs"] == 2


def test_a_worker_that_dies_is_one_clear_error(tmp_path):
    plugins = _plugin(
        tmp_path / "plugins",
        "    def check_record(self, record):\n        os.kill(os.getpid(), signal.SIGKILL)\n        return ()\n",
    )
    result = CliRunner().invoke(
        cli,
        ["lint", str(SAMPLES / "support_go.jsonl"), "--plugins", str(plugins), "--select", "SFT101,ODD001", "-j", "2"],
    )
    assert result.exit_code == 2
    assert "the process running ODD001 stopped (exit code -9)" in result.output
    assert "--jobs 1" in result.output


def test_an_unreadable_input_stops_every_process_with_one_error(tmp_path):
    missing = tmp_path / "missing.jsonl"
    result = CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), str(missing), "--jobs", "3"])
    assert result.exit_code == 2
    assert "missing.jsonl" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("cost", ["'high'", "0", "-1", "True", "float('nan')"])
def test_a_plugin_with_a_bad_cost_is_refused(tmp_path, cost):
    body = f"    cost = {cost}\n    def check_record(self, record):\n        return ()\n"
    plugins = _plugin(tmp_path / "plugins", body)
    result = CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--plugins", str(plugins)])
    assert result.exit_code == 2
    assert "ODD001 cost must be a positive number" in result.output


class _Cost(Check):
    """Test check.

    What it does: nothing. Why it matters: nothing. How to fix: nothing.
    """

    severity = Severity.INFO

    def __init__(self, code: str, cost: float) -> None:
        super().__init__()
        self.code, self.slug, self.cost = code, code.lower(), cost  # type: ignore[misc]


def test_deal_balances_cost_and_keeps_the_original_order_in_each_group():
    checks = [_Cost("A", 10), _Cost("B", 1), _Cost("C", 6), _Cost("D", 4), _Cost("E", 1)]
    groups = deal(checks, 2)
    assert [[c.code for c in g] for g in groups] == [["A", "B"], ["C", "D", "E"]]
    assert [[c.code for c in g] for g in deal(checks, 9)] == [["A"], ["C"], ["D"], ["B"], ["E"]]
    assert [[c.code for c in g] for g in deal(checks, 1)] == [["A", "B", "C", "D", "E"]]
    assert deal([], 4) == [[]]


def test_choose_jobs(tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n")
    big = tmp_path / "big.jsonl"
    with big.open("wb") as handle:
        handle.truncate(AUTO_MIN_BYTES)
    assert choose_jobs(None, [str(small)]) == 1
    assert choose_jobs(None, [str(big)]) == available_cores()
    assert choose_jobs(None, [str(small), str(tmp_path / "missing")]) == 1
    assert choose_jobs(3, [str(small)]) == 3
    assert choose_jobs(3, [str(small), "-"]) == 1  # standard input can be read only once


def test_jobs_in_config_and_its_validation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sftlint.toml").write_text("jobs = 2\n")
    data = tmp_path / "d.jsonl"
    data.write_bytes((SAMPLES / "support_nogo.jsonl").read_bytes())
    out = json.loads(CliRunner().invoke(cli, ["lint", str(data), "--format", "json"]).output)
    assert out["stats"]["jobs"] == 2
    assert (
        json.loads(CliRunner().invoke(cli, ["lint", str(data), "--format", "json", "-j", "1"]).output)["stats"]["jobs"]
        == 1
    )
    (tmp_path / "sftlint.toml").write_text("jobs = 0\n")
    result = CliRunner().invoke(cli, ["lint", str(data)])
    assert result.exit_code == 2 and "jobs" in result.output


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def test_ctrl_c_with_several_processes_stops_them_all(tmp_path):
    data = big_dataset(tmp_path / "big.jsonl", 300_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sftlint", "lint", str(data), "--jobs", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_terminal,
    )
    _wait_until_reading(proc.pid, data)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) == 2 and proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1] == "sftlint: interrupted"
    assert "Traceback" not in err
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
