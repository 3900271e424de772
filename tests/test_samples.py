"""The bundled sample datasets: the GO file passes, the NO-GO file fails with every planted defect at its line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SAMPLES = REPO / "sample_data"
# Preview checks run too (--preview): the samples plant their defects as well. Off-task (SFT106)
# is a statistical warning with measured precision and recall (docs/content-checks.md): held
# to rates here, not to every line.
STATISTICAL = {"SFT106"}


def test_go_sample_is_go_with_no_defects(lint):
    code, out = lint(None, "--preview", path=SAMPLES / "support_go.jsonl")
    assert code == 0 and out["verdict"] == "go"
    assert [f for f in out["findings"] if f["severity"] != "advice" and f["code"] not in STATISTICAL] == []
    assert len([f for f in out["findings"] if f["code"] in STATISTICAL]) <= 0.01 * out["stats"]["records"]


@pytest.mark.parametrize("name", ["support_nogo", "tickets"])
def test_every_planted_defect_is_reported_at_its_line(lint, name):
    code, out = lint(None, "--preview", path=SAMPLES / f"{name}.jsonl")
    found = {(f["code"], f["line"]) for f in out["findings"]}
    planted = json.loads((SAMPLES / f"{name}.defects.json").read_text())
    assert planted
    missing = [d for d in planted if (d["code"], d["line"]) not in found]
    assert [d for d in missing if d["code"] not in STATISTICAL] == []
    statistical = [d for d in planted if d["code"] in STATISTICAL]
    assert len([d for d in missing if d["code"] in STATISTICAL]) <= 0.4 * len(statistical)
    if name == "support_nogo":
        assert code == 1 and out["verdict"] == "no-go"


def test_chat_sample_has_no_defects_but_is_too_small(lint):
    code, out = lint(None, "--preview", path=SAMPLES / "chat.jsonl")
    assert out["stats"]["shapes"] == {"chat": out["stats"]["records"]}
    defects = {f["code"] for f in out["findings"] if f["severity"] != "advice"}
    assert defects - STATISTICAL == {"SFT201"} and code == 1


def test_make_demo_lints_both_samples_and_says_where_the_reports_are(tmp_path):
    """`make demo` (its run-demo step, with this interpreter's sftlint): GO and NO-GO, exit 0 overall."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    bin_dir = Path(sys.executable).parent
    run = subprocess.run(
        [make, "--no-print-directory", "-C", str(REPO), "run-demo", f"BIN={bin_dir}", f"DEMO_OUT={tmp_path}"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    go, nogo = tmp_path / "demo-go.html", tmp_path / "demo-nogo.html"
    assert f"sftlint: report written to {go}" in run.stderr
    assert f"sftlint: report written to {nogo}" in run.stderr
    assert "exit 1: NO-GO, as expected for this sample" in run.stdout
    assert f"GO report:    {go}" in run.stdout and f"NO-GO report: {nogo}" in run.stdout
    assert "GO</h1>" in go.read_text(encoding="utf-8") and "NO-GO</h1>" not in go.read_text(encoding="utf-8")
    assert "NO-GO</h1>" in nogo.read_text(encoding="utf-8")
