"""The real-data review as a test: every finding on tests/data/real is judged, and every check that
is on by default is right at least 9 times in 10 (benchmarks/eval_real.py, real_labels.csv)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_every_real_finding_is_judged_and_default_checks_meet_the_bar():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "eval_real.py"), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    report = json.loads(done.stdout)
    assert report["failing"] == [] and done.returncode == 0, report["failing"]
    rows = {row["code"]: row for row in report["checks"]}
    assert rows["SFT115"]["right"] >= 70  # the identity set's <NAME> placeholders are found
    for row in rows.values():
        if row["status"] == "on" and row["precision"] is not None:
            assert row["precision"] >= 0.9, row
