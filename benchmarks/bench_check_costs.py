#!/usr/bin/env python3
"""Each check's CPU cost per record, run alone on the real-data corpus, beside its declared `cost`.

`--jobs` deals the checks to processes by their declared `Check.cost` (microseconds per record,
as this benchmark measures them), so a cost that is far off sends most of the work to one
process. For every check (preview checks included) this runs the engine with that check alone
(plus SFT001 and SFT002, which every run has) over the corpus, `--jobs 1`, and prints its CPU
microseconds per record: the run's CPU time less that of a run with no check but those two,
the best of `--runs` runs each. A check that shares a measure with another (SFT103, SFT104
and SFT206 all squash a record's text; the first of them to run in a process pays for it) is
measured paying for it, as it does when it runs in a process of its own.

    .venv/bin/python benchmarks/bench_check_costs.py [--records 50000] [--runs 2]
"""

from __future__ import annotations

import argparse
import time

import real_corpus

from sftlint.api import build_checks
from sftlint.config import Config
from sftlint.engine import run
from sftlint.findings import Severity

ALWAYS = ("SFT001", "SFT002")


def cpu_per_record(path: str, codes: set[str], records: int, runs: int) -> float:
    """CPU microseconds per record of a run with the checks `codes` (and ALWAYS): the best of `runs`."""
    best = float("inf")
    for _ in range(runs):
        checks = [c for c in build_checks(Config(preview=True)) if c.code in codes or c.code in ALWAYS]
        started = time.process_time()
        run([path], checks, {}, Severity.ERROR, jobs=1)
        best = min(best, time.process_time() - started)
    return best / records * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000, help="records of the real corpus")
    parser.add_argument("--runs", type=int, default=2, help="runs of each check; the least CPU counts")
    args = parser.parse_args()
    if args.records < 1 or args.runs < 1:
        parser.error("--records and --runs must be at least 1")
    path = str(real_corpus.build(args.records))
    checks = [c for c in build_checks(Config(preview=True)) if c.code not in ALWAYS]
    cpu_per_record(path, set(), args.records, 1)  # what loads once (langdetect's profiles aside) is loaded
    floor = cpu_per_record(path, set(), args.records, args.runs)
    always = " and ".join(ALWAYS)
    print(f"{args.records:,} real records ({path}); a run with no check but {always}: {floor:.1f} us/record")
    print(f"{'check':8s} {'measured':>9s} {'declared':>9s}")
    for check in checks:
        measured = cpu_per_record(path, {check.code}, args.records, args.runs) - floor
        off = max(measured, 1.0) / check.cost
        flag = "  <- off by more than 2x" if off > 2 or off < 0.5 else ""
        print(f"{check.code:8s} {measured:9.1f} {check.cost:9g}{flag}", flush=True)


if __name__ == "__main__":
    main()
