"""Time the readiness checks (SFT112, SFT113, SFT204, SFT205) and `sftlint split` on a large chat corpus.

Builds (once) a chat corpus from the real AlpacaEval answers, with a system prompt on every
record and a few drifted copies, in benchmarks/corpora, then times `sftlint lint` with each
readiness check selected against the same run with only SFT205 (which does no work per
record, so the run is reading and parsing) as the baseline, and times `sftlint split`. Each
figure is the best of two runs.

    python benchmarks/readiness.py [RECORDS]   # default 100000
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sample_generator import CORPORA

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "real"
PROMPT = "You are a careful assistant. Answer the user's question accurately and concisely."


def corpus(records: int) -> Path:
    path = CORPORA / f"readiness_benchmark_chat_{records}.jsonl"
    if path.exists():
        return path
    pairs = []
    for file in sorted((DATA / "alpaca_eval").glob("*.jsonl")):
        if file.name != "NullModel.jsonl":
            pairs += [json.loads(line) for line in file.open(encoding="utf-8")]
    rng = random.Random(0)
    CORPORA.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(records):
            pair = pairs[i % len(pairs)]
            system = PROMPT if rng.random() > 0.001 else PROMPT.replace("accurately", "acurately")
            messages = [
                {"role": "system", "content": system},
                {"role": "user", "content": f"{pair['instruction']} (#{i})"},
                {"role": "assistant", "content": pair["output"]},
            ]
            out.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    return path


def once(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sftlint", *args], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = str(corpus(records))
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "lint --select SFT205 (baseline: read and parse)": ("lint", "--quiet", "--select", "SFT205", path),
            **{
                f"lint --select {code}": ("lint", "--quiet", "--select", code, path)
                for code in ("SFT112", "SFT113", "SFT204")
            },
            "split --eval-fraction 0.1": ("split", path, "-o", f"{tmp}/train.jsonl", "-e", f"{tmp}/eval.jsonl"),
            "split --no-near-duplicates": (
                "split",
                path,
                "-o",
                f"{tmp}/train.jsonl",
                "-e",
                f"{tmp}/eval.jsonl",
                "--no-near-duplicates",
            ),
        }
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(3):  # interleaved rounds, best of three: the machine is shared
            for name, args in runs.items():
                best[name] = min(best[name], once(*args))
    base = next(iter(best.values()))
    print(f"corpus: {path} ({records:,} chat records)")
    for name, took in best.items():
        print(f"{name}: {took:.2f} s ({took / base:.2f}x baseline)")


if __name__ == "__main__":
    main()
