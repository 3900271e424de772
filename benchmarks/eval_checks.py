#!/usr/bin/env python3
"""Measured quality of the content checks (SFT105-SFT110): precision, recall, false positives.

Builds planted-defect corpora from the sample generator (`tests/generate.py`: clean
support records, alpaca and chat shaped, plus labelled tickets), runs the real CLI with
`--format json` on each, and scores every check against the generator's manifest:

- recall: planted defects of the check's kind that it reported;
- precision: of the records it reported, those planted with its kind. A finding on the
  partner of a planted record counts as correct when the check reports groups (SFT110
  reports every member of a conflict) or pairs (SFT106 names the record a response belongs
  to). Findings on records planted with a *different* defect are shown apart ("other") and
  left out of precision: a refusal is also a little off-task, and saying so is not wrong;
- false-positive rate: records reported on a corpus of clean records, per check.

It then lints the real AlpacaEval answer files (tests/data/real/alpaca_eval) and prints each
check's flag rate there. Corpora are written to benchmarks/corpora (or --out) and reused.

    .venv/bin/python benchmarks/eval_checks.py [--records 3000] [--rate 0.08] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from sample_generator import CORPORA, ROOT, load_generator

CODES = ["SFT105", "SFT106", "SFT107", "SFT108", "SFT109", "SFT110"]
SELECT = ",".join(CODES + ["SFT202"])
GROUP_CHECKS = {"SFT106", "SFT110"}  # a finding on a planted record's partner is correct
SFTLINT = [sys.executable, "-m", "sftlint"]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def lint(path: Path) -> tuple[dict, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [*SFTLINT, "lint", str(path), "--format", "json", "--select", SELECT, "--min-pairs", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"sftlint failed on {path}: {done.stderr.strip()}")
    return json.loads(done.stdout), elapsed


def flagged_lines(result: dict) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    for f in result["findings"]:
        if f["line"] is not None:
            out[f["code"]].add(f["line"])
    return out


def score(result: dict, manifest: list[dict]) -> dict[str, dict[str, int]]:
    planted: dict[str, set[int]] = defaultdict(set)
    partners: dict[str, set[int]] = defaultdict(set)
    any_defect = {m["line"] for m in manifest}
    for m in manifest:
        planted[m["code"]].add(m["line"])
        if m.get("partner"):
            partners[m["code"]].add(m["partner"])
    found = flagged_lines(result)
    out = {}
    for code in CODES:
        lines = found.get(code, set())
        correct = planted[code] | (partners[code] if code in GROUP_CHECKS else set())
        tp = len(lines & correct)
        other = len((lines - correct) & any_defect)
        fp = len(lines - correct - any_defect)
        out[code] = {
            "planted": len(planted[code]),
            "found": len(lines & planted[code]),
            "tp": tp,
            "fp": fp,
            "other": other,
        }
    return out


def build(gen, out: Path, records: int, rate: float, seed: int) -> list[tuple[str, Path, list[dict]]]:
    corpora = []
    for shape in ("alpaca", "chat"):
        clean = gen.clean_records(records, seed=seed, shape=shape)
        lines, manifest = gen.plant_defects(clean, rate, seed)
        path = out / f"eval_checks_{shape}_{records}_s{seed}.jsonl"
        write_lines(path, lines)
        corpora.append((f"planted {shape}", path, manifest))
    tickets = gen.classification_records(records, seed=seed)
    lines, manifest = gen.plant_defects(tickets, rate / 2, seed, kinds=["label-inconsistency"])
    path = out / f"eval_checks_tickets_{records}_s{seed}.jsonl"
    write_lines(path, lines)
    corpora.append(("planted tickets", path, manifest))
    return corpora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=CORPORA)
    args = parser.parse_args()
    gen = load_generator()

    totals: dict[str, dict[str, int]] = {c: defaultdict(int) for c in CODES}
    print(f"planted-defect corpora: {args.records} clean records each, rate {args.rate}, seed {args.seed}")
    for name, path, manifest in build(gen, args.out, args.records, args.rate, args.seed):
        result, elapsed = lint(path)
        print(f"\n{name}: {path} ({result['stats']['records']} records, {elapsed:.1f} s)")
        for code, s in score(result, manifest).items():
            for key, value in s.items():
                totals[code][key] += value
            if s["planted"] or s["tp"] or s["fp"]:
                print(
                    f"  {code}: planted {s['planted']}, found {s['found']}, correct flags {s['tp']}, "
                    f"false {s['fp']}, on other defects {s['other']}"
                )

    print("\nper check, all planted corpora together:")
    print(f"  {'code':7} {'precision':>9} {'recall':>7}  (planted, found, false)")
    for code in CODES:
        t = totals[code]
        precision = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else float("nan")
        recall = t["found"] / t["planted"] if t["planted"] else float("nan")
        print(f"  {code:7} {precision:9.3f} {recall:7.3f}  ({t['planted']}, {t['found']}, {t['fp']})")

    print("\nfalse positives on clean corpora (records flagged / records):")
    for shape in ("alpaca", "chat"):
        path = args.out / f"eval_checks_clean_{shape}_{args.records}_s{args.seed + 1}.jsonl"
        clean = gen.clean_records(args.records, seed=args.seed + 1, shape=shape)
        write_lines(path, [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in clean])
        result, elapsed = lint(path)
        found = flagged_lines(result)
        union = set().union(*(found.get(c, set()) for c in CODES))
        rates = ", ".join(f"{c} {len(found.get(c, ()))}" for c in CODES)
        print(
            f"  clean {shape}: {len(union)} of {args.records} = {len(union) / args.records:.2%} "
            f"({rates}; {elapsed:.1f} s)"
        )

    real = ROOT / "tests" / "data" / "real" / "alpaca_eval"
    if real.is_dir():
        print("\nreal data (AlpacaEval answers), records flagged per check:")
        for path in sorted(real.glob("*.jsonl")):
            result, _ = lint(path)
            found = flagged_lines(result)
            n = result["stats"]["records"]
            rates = ", ".join(f"{c} {len(found.get(c, ())) / n:.1%}" for c in CODES)
            print(f"  {path.name:28} {rates}")


if __name__ == "__main__":
    main()
