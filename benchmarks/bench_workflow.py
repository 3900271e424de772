"""What the workflow features cost: lint, lint with a baseline (fingerprints), and fix, on one corpus.

Usage: python benchmarks/bench_workflow.py [--records 10000] [--corpora benchmarks/corpora]

The corpus is real answers (AlpacaEval, gpt4_1106_preview) made distinct by a numbered
instruction, with 1 % empty responses and 1 % exact copies planted at fixed positions. It is
written once to the corpora folder (named after this script and its size) and reused.
Prints each timing and its ratio to plain `lint` measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REAL_DATA = REPO / "tests" / "data" / "real"


def corpus(folder: Path, records: int) -> Path:
    path = folder / f"bench_workflow_{records}.jsonl"
    if path.exists():
        return path
    source = [
        json.loads(line) for line in (REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl").open(encoding="utf-8")
    ]
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(records):
            record = dict(source[i % len(source)])
            record["instruction"] = f"{record['instruction']} (request {i})"
            if i % 100 == 37:
                record["output"] = ""
            line = json.dumps(record, ensure_ascii=False)
            handle.write(line + "\n")
            if i % 100 == 71:
                handle.write(line + "\n")
    return path


def timed(args: list[str], repeat: int) -> float:
    """Median wall time of the sftlint command, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "sftlint", *args], capture_output=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(proc.stderr.decode())
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--corpora", type=Path, default=Path(__file__).resolve().parent / "corpora")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    data = corpus(opts.corpora, opts.records)
    size = data.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline.json"
        timed(["lint", str(data), "--write-baseline", str(baseline)], 1)
        runs = {
            "lint": ["lint", str(data)],
            "lint --baseline": ["lint", str(data), "--baseline", str(baseline)],
            "fix": ["fix", str(data), "-o", str(Path(tmp) / "clean.jsonl")],
        }
        results = {name: timed(args, opts.repeat) for name, args in runs.items()}
    print(f"corpus: {data} ({opts.records} records + copies, {size:.1f} MB); median of {opts.repeat} runs")
    base = results["lint"]
    for name, seconds in results.items():
        print(f"{name:<16} {seconds:7.2f} s   {seconds / base:5.2f}x lint")


if __name__ == "__main__":
    main()
