"""Precision and recall of every check on real public data, scored against findings judged by reading.

Usage: python benchmarks/eval_real.py [--unjudged FILE] [--json] [--semantic]

Runs the real CLI (`sftlint lint --preview --format json`) on each dataset of tests/data/real
(model outputs, code, tool calls, identity data, Chinese chat) and scores every finding against
benchmarks/real_labels.csv: one row per judged finding (dataset, line, code, TRUE or FALSE, why),
each made by reading the flagged record. Rows labelled TRUE that no finding matches are real
defects the check missed: they give its recall. Advice (SFT204, SFT205) is guidance, not a
defect claim, and is not scored.

Prints precision per check (with its status: on by default or preview), its precision without
the dataset that holds most of its judged findings (one file of repeats, such as NullModel's 150
copies of one garbage answer, can carry a pooled figure), its precision on the held-out files
alone (tests/data/real/holdout: labelled after the checks were calibrated), and per dataset, then
the findings no one has judged yet. Exits 1 when any finding is unjudged or a check that is on
by default is below the bar (precision 0.9), pooled or without its largest dataset, so a figure
is never reported from a partial review.
With --unjudged FILE the unjudged findings are written there as CSV rows to fill in. With
--semantic, SFT106 runs in its semantic mode (benchmarks/semantic.toml; needs the `semantic`
extra): its labels are the same rows, since they judge the record, not the method.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "tests" / "data" / "real"
LABELS = REPO / "benchmarks" / "real_labels.csv"
SEMANTIC_CONFIG = REPO / "benchmarks" / "semantic.toml"
BAR = 0.9

#: dataset (relative to tests/data/real) -> the kind of data it is.
DATASETS = {
    "alpaca_eval/gpt4_1106_preview.jsonl": "model outputs",
    "alpaca_eval/alpaca-7b.jsonl": "model outputs",
    "alpaca_eval/falcon-7b-instruct.jsonl": "model outputs",
    "alpaca_eval/llama-2-7b-chat-hf.jsonl": "model outputs",
    "alpaca_eval/chatglm2-6b.jsonl": "model outputs",
    "alpaca_eval/baize-v2-7b.jsonl": "model outputs",
    "alpaca_eval/Qwen1.5-1.8B-Chat.jsonl": "model outputs",
    "alpaca_eval/NullModel.jsonl": "model outputs",
    "code/humaneval.jsonl": "code",
    "tools/glaive_toolcall_en.jsonl": "tool calls",
    "identity/self_cognition.jsonl": "identity",
    "zh/oasst_sft_zh.jsonl": "non-English chat",
    "alpaca_eval/chatglm2-6b.201-400.jsonl": "model outputs",
    "alpaca_eval/Qwen1.5-1.8B-Chat.151-300.jsonl": "model outputs",
    "alpaca_eval/llama-2-7b-chat-hf.201-350.jsonl": "model outputs",
    "alpaca_eval/baize-v2-7b.201-350.jsonl": "model outputs",
    "zh/oasst_sft_zh.301-500.jsonl": "non-English chat",
    "zh/oasst_sft_zh.501-689.jsonl": "non-English chat",
    "alpaca_eval/alpaca_eval_example.jsonl": "model outputs",
    "tools/bfcl_live_simple.jsonl": "tool calls",
    "tools/bfcl_live_multiple.jsonl.gz": "tool calls",
    "tools/bfcl_live_parallel.jsonl": "tool calls",
    "tools/bfcl_live_parallel_multiple.jsonl": "tool calls",
    "tools/bfcl_parallel.jsonl": "tool calls",
    "tools/bfcl_parallel_multiple.jsonl": "tool calls",
    # Later lines of the same sources, labelled only after the checks were calibrated on the files
    # above: precision here is measured on data the checks were not tuned on.
    "holdout/chatglm2-6b.jsonl": "model outputs",
    "holdout/Qwen1.5-1.8B-Chat.jsonl": "model outputs",
    "holdout/Qwen1.5-1.8B-Chat.421-553.jsonl": "model outputs",
    "holdout/llama-2-7b-chat-hf.jsonl": "model outputs",
    "holdout/baize-v2-7b.jsonl": "model outputs",
    "holdout/bfcl_simple_python.jsonl": "tool calls",
    "holdout/bfcl_multiple.jsonl": "tool calls",
}
NOT_SCORED = {"advice"}


@dataclass(frozen=True)
class Key:
    dataset: str
    line: int | None
    code: str


def load_labels(path: Path = LABELS) -> dict[Key, tuple[bool, str]]:
    """The judged findings: (dataset, line, code) -> (right?, why)."""
    labels: dict[Key, tuple[bool, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = row["label"].strip().upper()
            if label not in ("TRUE", "FALSE"):
                raise SystemExit(f"{path}: label must be TRUE or FALSE, got {row['label']!r} in {row}")
            key = Key(row["dataset"], int(row["line"]) if row["line"].strip() else None, row["code"])
            if key in labels:
                raise SystemExit(f"{path}: {key} is labelled twice")
            labels[key] = (label == "TRUE", row["why"])
    return labels


def lint(dataset: str, semantic: bool = False) -> dict:
    """The real CLI's JSON result for one dataset, every check on (preview ones too), one process."""
    cmd = [sys.executable, "-m", "sftlint", "lint", str(REAL / dataset), "--preview", "--format", "json"]
    cmd += ["--config", str(SEMANTIC_CONFIG)] if semantic else []
    done = subprocess.run([*cmd, "--jobs", "1", "--quiet"], capture_output=True, text=True, cwd=REPO)
    if done.returncode not in (0, 1):
        raise SystemExit(f"sftlint failed on {dataset}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def findings(datasets: list[str], semantic: bool = False) -> tuple[dict[Key, dict], dict[str, bool]]:
    """Every scored finding by key (several findings of one check on one line count once), and
    which codes are preview checks."""
    found: dict[Key, dict] = {}
    for dataset in datasets:
        for f in lint(dataset, semantic)["findings"]:
            if f["severity"] not in NOT_SCORED:
                found.setdefault(Key(dataset, f["line"], f["code"]), f)
    rules = subprocess.run(
        [sys.executable, "-m", "sftlint", "rules", "--format", "json"], capture_output=True, text=True, check=True
    )
    preview = {r["code"]: r["preview"] for r in json.loads(rules.stdout)}
    return found, preview


def score(found: dict[Key, dict], labels: dict[Key, tuple[bool, str]]) -> dict:
    """Per check and per (check, dataset): right, wrong, unjudged, and real defects missed."""
    per_check: dict[str, Counter] = defaultdict(Counter)
    per_dataset: dict[tuple[str, str], Counter] = defaultdict(Counter)
    held_out: dict[str, Counter] = defaultdict(Counter)
    for key in found:
        outcome = "unjudged" if key not in labels else ("right" if labels[key][0] else "wrong")
        per_check[key.code][outcome] += 1
        per_dataset[(key.code, key.dataset)][outcome] += 1
        if key.dataset.startswith("holdout/"):
            held_out[key.code][outcome] += 1
    for key, (right, _) in labels.items():
        if right and key not in found and key.dataset in DATASETS:
            per_check[key.code]["missed"] += 1
            per_dataset[(key.code, key.dataset)]["missed"] += 1
    return {"check": per_check, "dataset": per_dataset, "held_out": held_out}


def precision(c: Counter) -> float | None:
    judged = c["right"] + c["wrong"]
    return c["right"] / judged if judged else None


def without_largest(code: str, per_dataset: dict[tuple[str, str], Counter]) -> Counter:
    """A check's counts without the dataset that holds most of its judged findings."""
    mine = [c for (check, _), c in per_dataset.items() if check == code]
    largest = max(mine, key=precision_base, default=Counter())
    return sum((c for c in mine if c is not largest), Counter())


def precision_base(c: Counter) -> int:
    return c["right"] + c["wrong"]


def recall(c: Counter) -> float | None:
    known = c["right"] + c["missed"]
    return c["right"] / known if known else None


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unjudged", type=Path, help="write the unjudged findings here as CSV rows to fill in")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the per-check table as Markdown")
    parser.add_argument("--show", metavar="CODE", help="list this check's wrong findings and missed defects")
    parser.add_argument("--semantic", action="store_true", help="SFT106 in its semantic mode (the semantic extra)")
    args = parser.parse_args()

    labels = load_labels()
    found, preview = findings(list(DATASETS), args.semantic)
    scores = score(found, labels)
    failing = []
    rows = []
    for code in sorted(set(scores["check"]) | {k.code for k in labels}):
        c = scores["check"][code]
        status = "preview" if preview.get(code) else "on"
        p = precision(c)
        rest = without_largest(code, scores["dataset"])
        p_rest = precision(rest)
        if status == "on" and p is not None and p < BAR:
            failing.append(f"{code} is on by default at precision {p:.2f} < {BAR}")
        if status == "on" and p_rest is not None and p_rest < BAR:
            failing.append(f"{code} is on by default at precision {p_rest:.2f} < {BAR} without its largest dataset")
        rows.append({"code": code, "status": status, "findings": c["right"] + c["wrong"] + c["unjudged"],
                     "right": c["right"], "wrong": c["wrong"], "unjudged": c["unjudged"], "missed": c["missed"],
                     "precision": p, "recall": recall(c),
                     "precision_without_largest": p_rest, "judged_without_largest": precision_base(rest),
                     "held_out_precision": precision(scores["held_out"][code]),
                     "held_out_judged": precision_base(scores["held_out"][code])})  # fmt: skip
    unjudged = sorted((k for k in found if k not in labels), key=lambda k: (k.dataset, k.code, k.line or 0))
    if unjudged:
        failing.append(f"{len(unjudged)} findings are not judged yet")

    if args.json:
        print(json.dumps({"checks": rows, "failing": failing}, indent=2))
    elif args.markdown:
        print("| check | default | findings judged | precision | without its largest dataset | held-out precision "
              "| recall on known defects |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            held = f"{fmt(r['held_out_precision'])} ({r['held_out_judged']})" if r["held_out_judged"] else "-"
            rest = "-"
            if r["judged_without_largest"]:
                rest = f"{fmt(r['precision_without_largest'])} ({r['judged_without_largest']})"
            print(f"| {r['code']} | {r['status']} | {r['right'] + r['wrong']} | {fmt(r['precision'])} | {rest} "
                  f"| {held} | {fmt(r['recall'])} |")  # fmt: skip
    else:
        print(f"real-data review: {len(DATASETS)} datasets, {len(labels)} judged findings ({LABELS.name})\n")
        print(f"{'code':8} {'status':8} {'findings':>8} {'right':>6} {'wrong':>6} {'unjudged':>8} "
              f"{'missed':>6} {'precision':>9} {'w/o largest':>13} {'recall':>7} {'held-out':>13}")  # fmt: skip
        for r in rows:
            print(f"{r['code']:8} {r['status']:8} {r['findings']:8} {r['right']:6} {r['wrong']:6} {r['unjudged']:8} "
                  f"{r['missed']:6} {fmt(r['precision']):>9} "
                  f"{fmt(r['precision_without_largest']):>5} of {r['judged_without_largest']:<4} {fmt(r['recall']):>7} "
                  f"{fmt(r['held_out_precision']):>6} of {r['held_out_judged']:<4}")  # fmt: skip
        print("\nper dataset (right/judged, missed):")
        for (code, dataset), c in sorted(scores["dataset"].items()):
            judged = c["right"] + c["wrong"]
            extra = f", {c['unjudged']} unjudged" if c["unjudged"] else ""
            print(f"  {code} {dataset:40} {c['right']}/{judged}, missed {c['missed']}{extra}")
        if args.show:
            for key in sorted(found, key=lambda k: (k.dataset, k.line or 0)):
                if key.code == args.show and key in labels and not labels[key][0]:
                    print(f"  wrong: {key.dataset}:{key.line} {found[key]['message'][:90]} ({labels[key][1]})")
            for key, (right, why) in sorted(labels.items(), key=lambda kv: (kv[0].dataset, kv[0].line or 0)):
                if key.code == args.show and right and key not in found:
                    print(f"  missed: {key.dataset}:{key.line} ({why})")
        for key in unjudged[:50]:
            print(f"  unjudged: {key.dataset}:{key.line} {key.code} {found[key]['message'][:100]}")
        for line in failing:
            print(f"FAIL: {line}")
    if args.unjudged is not None:
        with args.unjudged.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["dataset", "line", "code", "label", "why", "message"])
            for key in unjudged:
                writer.writerow([key.dataset, key.line or "", key.code, "", "", found[key]["message"]])
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
