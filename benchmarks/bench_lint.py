#!/usr/bin/env python3
"""End-to-end cost of `sftlint lint` with every default check, against the JSON-parse floor.

For each size (default 10k, 100k and 1M records) it generates once, in benchmarks/corpora (or
$SFTLINT_CORPORA), a realistic corpus from tests/generate.py: blocks of 5,000
records alternating alpaca, chat and sharegpt, each block with 3 % planted defects of every
kind that applies (`plant_defects`, its own seed). Then it runs the real CLI in a subprocess
(`python -m sftlint lint FILE --format json -o OUT`), once with `--jobs 1` and once with the
default (every core for a file this size), and prints the wall time, the CPU time of every
process, records per second, the peak resident memory of the largest process (its own
high-water mark, `VmHWM` in /proc: read by the CLI process as it exits, sampled every 50 ms for
the processes it forks) and of all of them together (PSS summed over the process tree, sampled
every 50 ms), the seconds spent in each check as the engine reports them
(`stats.timings`), whether both runs found the same, and in the same run the floor: reading
the file line by line and parsing each line with the standard `json` module, nothing else.
The ratio lint / floor is the figure to watch; cost per record across sizes shows whether
the cost grows linearly.

With `--corpus real` the corpus is built from the real public data instead (real_corpus.py:
template prompts, short labels, code, Chinese, tool calls, a quarter edited copies); it has far
more findings and repeated prompts than the generated one, and is the one the targets are set on.

    .venv/bin/python benchmarks/bench_lint.py [--corpus generated,real] \\
        [--sizes 10000,100000,1000000] [--jobs 1,default]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import real_corpus
from sample_generator import CORPORA, load_generator

SHAPES = ("alpaca", "chat", "sharegpt")
BLOCK = 5_000
RATE = 0.03


def corpus(records: int, kind: str = "generated") -> Path:
    """The corpus of `records` records, generated on first use (blocks of mixed shapes, defects planted)."""
    if kind == "real":
        return real_corpus.build(records)
    path = CORPORA / f"bench_lint_mixed_{records}_r3.jsonl"
    if path.exists():
        return path
    gen = load_generator()
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


def parse_floor(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds to read `path` line by line and parse each line with the standard json module."""
    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    json.loads(line.decode("utf-8", "replace"))
                except ValueError:
                    pass
    return time.perf_counter() - start, time.process_time() - cpu


def _memory(pid: int) -> tuple[int, int]:
    """(PSS summed over `pid` and its descendants, the largest `VmHWM` among them), in bytes;
    (0, 0) once they are gone."""
    total = highest = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            total += next((int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:")), 0)
        with open(f"/proc/{pid}/status") as handle:
            highest = next((int(line.split()[1]) * 1024 for line in handle if line.startswith("VmHWM:")), 0)
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            children = [int(c) for c in handle.read().split()]
    except (OSError, ValueError):
        return total, highest
    for child in children:
        pss, hwm = _memory(child)
        total, highest = total + pss, max(highest, hwm)
    return total, highest


class _TotalMemory(threading.Thread):
    """Samples the memory of a process tree every 50 ms: the highest total and the largest process.

    Forked processes share pages; PSS divides each shared page among its sharers, so the sum
    is the tree's real footprint (RSS would count shared pages once per process).
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.largest, self.done = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            total, largest = _memory(self.pid)
            self.peak, self.largest = max(self.peak, total), max(self.largest, largest)


# The CLI, reporting its own peak memory as it exits. `ru_maxrss` from `wait4` cannot be used: a
# process keeps the high-water mark of the process it was started from across exec, so after
# this script had loaded a million findings every later run reported the script's own peak.
CLI_WITH_PEAK = """
import atexit, sys
from sftlint.cli import main
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            sys.stderr.write(line)
atexit.register(peak)
sys.argv = ["sftlint", *sys.argv[1:]]
main()
"""


def lint(path: Path, jobs: int | None) -> tuple[float, float, int, int, dict]:
    """One real CLI run with the default checks (`jobs` None: sftlint's default).

    Returns wall seconds, CPU seconds of every process, the peak RSS of the largest process
    (`VmHWM`), the peak total PSS of all of them (sampled) and the JSON result.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-c", CLI_WITH_PEAK, "lint", str(path), "--format", "json", "-o", str(out)]
        command += ["--jobs", str(jobs)] if jobs else []
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        memory = _TotalMemory(child.pid)
        memory.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        memory.done.set()
        memory.join()
        stderr = child.stderr.read().decode() if child.stderr else ""
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):
            raise SystemExit(f"lint failed (exit {child.returncode}): {stderr.strip()}")
        cpu = usage.ru_utime + usage.ru_stime  # wait4 counts the child and the processes it waited for
        own = [int(line.split()[1]) * 1024 for line in stderr.splitlines() if line.startswith("VmHWM:")]
        return wall, cpu, max([memory.largest, *own]), memory.peak, json.loads(out.read_text())


def report(label: str, floor: tuple[float, float], run: tuple[float, float, int, int, dict]) -> None:
    """One run's figures; the ratios to the floor by wall time and by CPU time (on a shared
    machine the CPU ratio is the steady one; the per-check timings are wall seconds)."""
    wall, cpu, rss, total, result = run
    stats = result["stats"]
    timings = stats.get("timings", {})
    print(
        f"{label}: {wall:6.2f} s (CPU {cpu:.2f} s)  {stats['records'] / wall:,.0f} records/s  "
        f"processes {stats['jobs']}  "
        f"peak RSS {rss / 2**20:,.0f} MB (largest process), {total / 2**20:,.0f} MB (all, PSS)  "
        f"ratio to floor {wall / floor[0]:.1f}x (wall), {cpu / floor[1]:.1f}x (CPU)  "
        f"findings {len(result['findings']):,}"
    )
    in_checks = sum(timings.values())
    print(f"  per check (s, share of the {in_checks:.1f} s the engine timed, summed over processes):")
    for code, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"    {code:7s} {seconds:7.2f}  {seconds / max(in_checks, 1e-9):5.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="generated,real", help="comma-separated: generated, real (or both)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated record counts")
    parser.add_argument(
        "--jobs", default="1,default", help="comma-separated --jobs values to run; 'default' runs without --jobs"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = [None if j == "default" else int(j) for j in args.jobs.split(",")]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for kind in args.corpus.split(","):
        print(f"\n#### {kind} corpus")
        run_sizes(kind, sizes, jobs)


def run_sizes(kind: str, sizes: list[int], jobs: list[int | None]) -> None:
    rows = []
    for size in sizes:
        started = time.perf_counter()
        path = corpus(size, kind)
        ready = time.perf_counter() - started
        print(f"\n== {size:,} records: {path} ({path.stat().st_size / 1e6:.0f} MB, ready in {ready:.1f} s)")
        floor = parse_floor(path)
        print(f"json-parse floor: {floor[0]:6.2f} s (CPU {floor[1]:.2f} s)")
        runs = {j: lint(path, j) for j in jobs}
        for j, run in runs.items():
            report(f"lint --jobs {j or 'default'}", floor, run)
        first, *others = runs.values()
        for other in others:
            same = _comparable(first[4]) == _comparable(other[4])
            print(f"  same findings and summaries as the first run: {same}")
        rows.append((size, *(run[:4] for run in runs.values())))
    if len(rows) > 1:
        # CPU time is the steadier figure on a shared machine; the smallest size carries the
        # fixed start-up cost (imports, langdetect's profiles), so compare the larger ones.
        print("\nlinearity (cost per record; x = relative to the smallest size), by --jobs:")
        for i, j in enumerate(jobs):
            base = rows[0][1 + i]
            wall0, cpu0 = base[0] / rows[0][0], base[1] / rows[0][0]
            for size, *measured in rows:
                wall, cpu, rss, total = measured[i]
                print(
                    f"  --jobs {j or 'default'} {size:>9,}: wall {wall / size * 1e6:6.1f} us/record "
                    f"(x{wall / size / wall0:.2f})  CPU {cpu / size * 1e6:6.1f} us/record (x{cpu / size / cpu0:.2f})  "
                    f"peak {total / 2**20:,.0f} MB (all processes)"
                )


def _comparable(result: dict) -> tuple:
    return result["findings"], result["summaries"], result["verdict"]


if __name__ == "__main__":
    main()
