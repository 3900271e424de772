#!/usr/bin/env python3
"""SFT106's semantic mode: its CPU cost on one core, and its recall of swapped responses.

Needs the `semantic` extra (docs: semantic.md). Takes the first `--records` records of a real
file (default tests/data/real/alpaca_eval/alpaca-7b.jsonl), swaps the responses of `--swaps`
seeded random pairs of them in a copy written to a temporary folder, and lints the copy through
the real CLI with `method = "semantic"`, on one core (one process, one BLAS thread). Prints:

- the model's load time (in this process, read from the installed package);
- records per second of CPU time, the check's own: the CPU seconds of the semantic run minus
  those of the same command with only SFT101 (reading and parsing), over the record count;
- the swapped records found (recall) and the other records flagged (the copy's unswapped
  records are the file's own pairs, so a flag on one is either a false alarm or a defect of
  the real file; read them).

This is a test of the mechanics (a swap is an easy case), not the check's precision: that is
measured on real data by benchmarks/eval_real.py --semantic.

    .venv/bin/python benchmarks/bench_semantic.py [--records 300] [--swaps 15] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"  # one core, here and in the CLI

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path("tests/data/real/alpaca_eval/alpaca-7b.jsonl")
RESPONSE_KEYS = ("output", "response")


def swapped_copy(source: Path, target: Path, records: int, swaps: int, seed: int) -> set[int]:
    """Write the first `records` records of `source` to `target` with `swaps` pairs of responses
    exchanged; return the lines whose response belongs to another record."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:records]]
    key = next(k for k in RESPONSE_KEYS if k in rows[0])
    picked = random.Random(seed).sample(range(len(rows)), 2 * swaps)
    for a, b in zip(picked[0::2], picked[1::2], strict=True):
        rows[a][key], rows[b][key] = rows[b][key], rows[a][key]
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return {i + 1 for i in picked}


def cpu_run(args: list[str]) -> tuple[float, dict]:
    """CPU seconds (user and system) of one CLI run, and its JSON output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "sftlint", *args], capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.strip())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--file", type=Path, default=DEFAULT, help="real alpaca-style JSONL (relative: to the repository)"
    )
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--swaps", type=int, default=15, help="pairs of records whose responses are exchanged")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sftlint.errors import SftlintError
    from sftlint.text.embed import Encoder, require

    try:
        require("this benchmark")
    except SftlintError as exc:
        raise SystemExit(str(exc)) from None
    start = time.perf_counter()
    Encoder()
    load = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "swapped.jsonl"
        config = Path(tmp) / "sftlint.toml"
        config.write_text('[checks.off-task]\nmethod = "semantic"\n', encoding="utf-8")
        swapped = swapped_copy(ROOT / args.file, copy, args.records, args.swaps, args.seed)
        common = [str(copy), "--format", "json", "--jobs", "1", "--quiet", "--config", str(config)]
        base_cpu, _ = cpu_run(["lint", *common, "--select", "SFT101"])
        cpu, result = cpu_run(["lint", *common, "--select", "SFT106"])
    flagged = {f["line"] for f in result["findings"] if f["code"] == "SFT106"}
    found = flagged & swapped
    per_second = args.records / max(cpu - base_cpu, 1e-9)
    print(f"file: {args.file} (first {args.records} records, {args.swaps} swapped pairs, seed {args.seed})")
    print(f"model load: {load:.2f} s")
    print(f"CPU, one core: {cpu:.1f} s with SFT106 semantic, {base_cpu:.1f} s reading only: {per_second:.1f} records/s")
    print(f"swapped records found: {len(found)} of {len(swapped)} (recall {len(found) / len(swapped):.2f})")
    print(f"other records flagged: {sorted(flagged - swapped) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
