#!/usr/bin/env python3
"""CPU cost of writing the outputs of a run with many findings, per format and per finding.

Lints the first `--records` records of the real benchmark corpus (real_corpus.py, built on
first use in benchmarks/corpora or $SFTLINT_CORPORA) once with every default check, then
renders each format the way the command line writes it (`render_chunks`, joined) `--repeat`
times and prints the least CPU time (`time.process_time`: the cores may be shared) in all and
per finding. Only the public rendering is called, so another checkout's code can be measured
on the same findings: `PYTHONPATH=other/src python benchmarks/bench_output.py`.

    .venv/bin/python benchmarks/bench_output.py [--records 300000] [--corpus 1000000] \\
        [--formats json,text] [--repeat 3] [--select SFT104]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from itertools import islice
from pathlib import Path

import real_corpus

import sftlint
from sftlint.output import render_chunks


def first_records(corpus: Path, records: int, folder: Path) -> Path:
    """The first `records` lines of `corpus` as a file of their own."""
    path = folder / f"first_{records}.jsonl"
    with corpus.open("rb") as source, path.open("wb") as out:
        out.writelines(islice(source, records))
    return path


def least_cpu(render: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        render()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--corpus", type=int, default=1_000_000, help="size of the real corpus to take them from")
    parser.add_argument("--formats", default="json,text")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--select", default=None, help="checks to run (default: every default check)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = first_records(real_corpus.build(args.corpus), args.records, Path(folder))
        started = time.process_time()
        result = sftlint.lint(str(path), select=args.select, progress=False)
        lint_cpu = time.process_time() - started
    findings = len(result.findings)
    print(f"{args.records} records, {findings} findings ({lint_cpu:.1f} s CPU to lint)")
    print("  " + ", ".join(f"{code} {n}" for code, n in Counter(f.code for f in result.findings).most_common()))
    for fmt in args.formats.split(","):
        cpu = least_cpu(lambda fmt=fmt: "".join(render_chunks(result, fmt)), args.repeat)
        print(f"{fmt:>5}: {cpu:.2f} s CPU, {cpu / max(findings, 1) * 1e6:.1f} us per finding")


if __name__ == "__main__":
    main()
