"""Quality and cost of SFT202's label-spelling findings on generated support tickets.

Generates tickets with `tests/generate.py` (labels billing, bug, how-to, account,
feature-request), respells the label of a random 2 % of records in one of four ways (case,
spacing, punctuation, or a typo: one inner letter deleted, doubled or swapped with its
neighbour), and runs `sftlint lint --select SFT202`. Prints, per kind, how many respelt records
were reported with the right canonical label, the reports on records that were not respelt,
and the time of the run against `--select SFT205` (reading and parsing only) in the same run.

    python benchmarks/label_spelling.py [RECORDS]   # default 20000
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sample_generator import load_generator

REPO = Path(__file__).resolve().parents[1]
KINDS = ("case", "spacing", "punctuation", "typo")


def respell(label: str, kind: str, rng: random.Random) -> str:
    if kind == "case":
        return rng.choice([label.title(), label.upper(), label.capitalize()])
    if kind == "spacing":
        return rng.choice([label + " ", " " + label, label.replace("-", " ") + "  "])
    if kind == "punctuation":
        return rng.choice([label + ".", label + "!", label.replace("-", "_"), f'"{label}"'])
    i = rng.randrange(1, len(label) - 1)
    deleted, doubled = label[:i] + label[i + 1 :], label[:i] + label[i] + label[i:]
    swapped = label[:i] + label[i + 1] + label[i] + label[i + 2 :]
    return rng.choice([deleted, doubled, swapped])


def timed(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sftlint", *args], capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(5)
    records = load_generator().classification_records(n, seed=5)
    planted: dict[int, tuple[str, str]] = {}  # line -> (kind, canonical)
    for i in rng.sample(range(n), n // 50):
        kind = KINDS[len(planted) % len(KINDS)]
        canonical = records[i]["label"]
        spelt = respell(canonical, kind, rng)
        if spelt != canonical:
            records[i]["label"] = spelt
            planted[i + 1] = (kind, canonical)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        common = ("lint", "--format", "json", "--min-pairs", "1", str(path))
        base = check = float("inf")
        for _ in range(3):  # interleaved, best of three: the machine is shared
            base = min(base, timed(*common, "--select", "SFT205")[0])
            took, out = timed(*common, "--select", "SFT202")
            check = min(check, took)
    found = {f["line"]: f["data"]["canonical"] for f in json.loads(out)["findings"] if f["line"] is not None}
    print(f"{n:,} tickets, {len(planted):,} labels respelt")
    for kind in KINDS:
        lines = [line for line, (k, _) in planted.items() if k == kind]
        hit = sum(found.get(line) == planted[line][1] for line in lines)
        short = sum(len(planted[line][1]) < 5 for line in lines)
        print(f"  {kind}: {hit}/{len(lines)} reported with the right canonical label ({short} on labels under 5 chars)")
    missed = Counter(
        (records[line - 1]["label"], canonical)
        for line, (kind, canonical) in planted.items()
        if kind == "typo" and len(canonical) >= 5 and found.get(line) != canonical
    )
    print(f"  typos on labels of 5+ chars missed: {dict(missed)}")
    false = [line for line in found if line not in planted]
    print(f"  reports on records not respelt: {len(false)}")
    print(f"  labels seen: {dict(Counter(r['label'] for r in records).most_common(8))} ...")
    print(f"lint --select SFT205 (baseline): {base:.2f} s; --select SFT202: {check:.2f} s ({check / base:.2f}x)")


if __name__ == "__main__":
    main()
