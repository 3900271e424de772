#!/usr/bin/env python3
"""End-to-end cost of `sftlint lint` with every default check, against the JSON-parse floor.

For each size (default 10k, 100k and 1M records) it generates once, in benchmarks/corpora (or
$SFTLINT_CORPORA), a realistic corpus from sample_data/generate.py: blocks of 5,000
records alternating alpaca, chat and sharegpt, each block with 3 % planted defects of every
kind that applies (`plant_defects`, its own seed). Then it runs the real CLI in a subprocess
(`python -m sftlint lint FILE --format json -o OUT`) and prints the wall time, records per
second, the child's peak resident memory (from the operating system, via `os.wait4`), the
seconds spent in each check as the engine reports them (`stats.timings`), and in the same
run the floor: reading the file line by line and parsing each line with the standard
`json` module, nothing else. The ratio lint / floor is the figure to watch; cost per record
across sizes shows whether the cost grows linearly.

    .venv/bin/python benchmarks/bench_lint.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SFTLINT_CORPORA", Path(__file__).resolve().parent / "corpora"))
SHAPES = ("alpaca", "chat", "sharegpt")
BLOCK = 5_000
RATE = 0.03


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "sample_data" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(gen)
    return gen


def corpus(records: int) -> Path:
    """The corpus of `records` records, generated on first use (blocks of mixed shapes, defects planted)."""
    path = CORPORA / f"bench_lint_mixed_{records}_r3.jsonl"
    if path.exists():
        return path
    gen = _generator()
    CORPORA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for block, start in enumerate(range(0, records, BLOCK)):
            shape = SHAPES[block % len(SHAPES)]
            clean = gen.clean_records(min(BLOCK, records - start), seed=1000 + block, shape=shape)
            lines, _ = gen.plant_defects(clean, RATE, seed=block)
            out.write(b"".join(line + b"\n" for line in lines))
    tmp.replace(path)
    return path


def parse_floor(path: Path) -> float:
    """Wall seconds to read `path` line by line and parse each line with the standard json module."""
    start = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    json.loads(line.decode("utf-8", "replace"))
                except ValueError:
                    pass
    return time.perf_counter() - start


def lint(path: Path) -> tuple[float, float, int, dict]:
    """(wall seconds, CPU seconds, peak RSS in bytes, JSON result) of one real CLI run with the default checks."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "sftlint", "lint", str(path), "--format", "json", "-o", str(out)]
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        stderr = child.stderr.read().decode() if child.stderr else ""
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):
            raise SystemExit(f"lint failed (exit {child.returncode}): {stderr.strip()}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated record counts")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    rows = []
    for size in sizes:
        started = time.perf_counter()
        path = corpus(size)
        ready = time.perf_counter() - started
        print(f"\n== {size:,} records: {path} ({path.stat().st_size / 1e6:.0f} MB, ready in {ready:.1f} s)")
        floor = parse_floor(path)
        wall, cpu, rss, result = lint(path)
        stats = result["stats"]
        records = stats["records"]
        timings = stats.get("timings", {})
        print(f"json-parse floor: {floor:6.2f} s")
        print(
            f"full lint:        {wall:6.2f} s (CPU {cpu:.2f} s)  {records / wall:,.0f} records/s  "
            f"peak RSS {rss / 2**20:,.0f} MB  "
            f"ratio to floor {wall / floor:.1f}x  findings {len(result['findings']):,}"
        )
        in_checks = sum(timings.values())
        print(f"per check (s, share of the {in_checks:.1f} s the engine timed):")
        for code, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
            print(f"  {code:7s} {seconds:7.2f}  {seconds / max(in_checks, 1e-9):5.1%}")
        rows.append((size, wall, cpu, rss))
    if len(rows) > 1:
        # CPU time is the steadier figure on a shared machine; the smallest size carries the
        # fixed start-up cost (imports, langdetect's profiles), so compare the larger ones.
        print("\nlinearity (cost per record; x = relative to the smallest size):")
        wall0, cpu0 = rows[0][1] / rows[0][0], rows[0][2] / rows[0][0]
        for size, wall, cpu, rss in rows:
            print(
                f"  {size:>9,}: wall {wall / size * 1e6:6.1f} us/record (x{wall / size / wall0:.2f})  "
                f"CPU {cpu / size * 1e6:6.1f} us/record (x{cpu / size / cpu0:.2f})  peak RSS {rss / 2**20:,.0f} MB"
            )


if __name__ == "__main__":
    main()
