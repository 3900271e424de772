#!/usr/bin/env python3
"""Per-record cost of the content checks (SFT105-SFT110, SFT202) through the real CLI.

Lints a clean generated corpus (default 100,000 alpaca records from tests/generate.py,
written once to benchmarks/corpora) with each check alone, and with all of them, and prints the
time over a baseline measured in the same run: the same command with only SFT101 (reading,
parsing and normalising every record plus one trivial check). The difference divided by the
record count is the check's own cost per record.

    .venv/bin/python benchmarks/bench_content.py [--records 100000] [--shape alpaca]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sample_generator import ROOT, load_generator

CHECKS = ["SFT105", "SFT106", "SFT107", "SFT108", "SFT109", "SFT110", "SFT202"]


def corpus(path: Path, records: int, shape: str) -> Path:
    if path.exists():
        return path
    gen = load_generator()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in gen.iter_clean_records(records, seed=0, shape=shape):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def timed(path: Path, select: str) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sftlint",
            "lint",
            str(path),
            "--format",
            "json",
            "--select",
            select,
            "--min-pairs",
            "1",
            "--jobs",
            "1",  # one process: the figures are costs per record, not wall time on every core
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--shape", default="alpaca")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "corpora")
    args = parser.parse_args()
    path = corpus(args.out / f"clean_{args.shape}_{args.records}_s0.jsonl", args.records, args.shape)
    base, _ = timed(path, "SFT101")
    print(f"{path}: {args.records} records")
    print(f"baseline (read + SFT101): {base:.1f} s, {base / args.records * 1e6:.0f} us/record")
    for select in [*CHECKS, ",".join(CHECKS)]:
        elapsed, result = timed(path, f"SFT101,{select}")
        extra = elapsed - base
        flagged = len({(f["file"], f["line"]) for f in result["findings"] if f["code"] != "SFT101"})
        name = "all content checks" if "," in select else select
        print(
            f"{name:20} {elapsed:6.1f} s  ratio {elapsed / base:4.2f}  "
            f"own cost {extra / args.records * 1e6:6.1f} us/record  flagged {flagged}"
        )


if __name__ == "__main__":
    main()
