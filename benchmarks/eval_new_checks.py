#!/usr/bin/env python3
"""Planted-defect precision and recall of SFT115-SFT118 and SFT206, on damaged real records.

The corpora are built from the real public records in tests/data/real (AlpacaEval's GPT-4
answers, HumanEval, Chinese OpenAssistant chat, glaive tool calls): a share of the records is
damaged the way real data is, and the rest are left as they are, so every quiet record is a
real one (records labelled as real defects of the check in benchmarks/real_labels.csv
are left out). Per check:

- SFT115: a `{{ slot }}` added to the instruction, "Hi <NAME>!" before the response, a
  capitalised word of the response's prose replaced by `{name}`, an input of `<noinput>`;
- SFT116: the last prose paragraph cut inside its last sentence, a fenced code block cut
  mid-block, a response cut right after the lead-in ("...:") of a list;
- SFT117: HumanEval's input (the function) dropped, an AlpacaEval instruction cut right after
  its "the following ...:" so the material is gone;
- SFT116 again, with responses cut at a random word wherever it falls (inside a list item, a
  table, a line of code): the recall a conservative check gives up, printed apart;
- SFT118: the passage after a short lead-in ("I have this text:") replaced by
  `<Picture Attached>`, `[image]` or a markdown image, the response left as it was;
- SFT206: 20 datasets of 100 GPT-4 records, 10 of them with 30-90 % of the responses replaced
  by 3 to 30 answers of other records, 10 untouched: scored per dataset.

Precision counts every finding on a record that was not damaged as false, whatever it says.

    .venv/bin/python benchmarks/eval_new_checks.py [--seed 11] [--rate 0.1]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"
SFTLINT = [sys.executable, "-m", "sftlint"]
BASE = [
    "alpaca_eval/gpt4_1106_preview.jsonl",
    "code/humaneval.jsonl",
    "zh/oasst_sft_zh.jsonl",
    "tools/glaive_toolcall_en.jsonl",
]
_PROSE_END = re.compile(r"[.!?]$")
_LIST = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s")
_CAPITALISED = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}\b")
_FORWARD_WITH_BLOCK = re.compile(r"^(.*?\bthe following\b[^:\n]{0,60}?)\s*:\s*\S", re.I | re.S)


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (REAL / name).read_text(encoding="utf-8").splitlines()]


def known_defects(code: str) -> set[tuple[str, int]]:
    """Records of the real data read and labelled as real defects of `code` (benchmarks/real_labels.csv):
    left out of the base, so that a finding on an undamaged record is a false one."""
    with open(ROOT / "benchmarks" / "real_labels.csv", encoding="utf-8", newline="") as file:
        return {
            (row["dataset"], int(row["line"]))
            for row in csv.DictReader(file)
            if row["code"] == code and row["label"] == "TRUE" and row["line"]
        }


def lint(records: list[dict], code: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "planted.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        done = subprocess.run(
            [*SFTLINT, "lint", str(path), "--format", "json", "--select", code, "--min-pairs", "1"],
            capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
    if done.returncode not in (0, 1):
        raise SystemExit(f"sftlint failed: {done.stderr.strip()}")
    return [f for f in json.loads(done.stdout)["findings"] if f["code"] == code]


# -- damage ---------------------------------------------------------------------------------


def _prose_paragraphs(text: str) -> list[int]:
    """Indices of the paragraphs that are prose sentences (not lists, code, headings or tables)."""
    paragraphs = text.split("\n\n")
    return [
        i
        for i, p in enumerate(paragraphs)
        if "```" not in p
        and "\n" not in p.strip()
        and not _LIST.match(p)
        and not p.lstrip().startswith(("#", "|"))
        and _PROSE_END.search(p.strip())
        and len(p.split()) >= 12
    ]


def placeholder(record: dict, kind: int, rng: random.Random) -> dict | None:
    if "instruction" not in record:
        return None
    out = dict(record)
    if kind == 0:
        out["instruction"] = re.sub(r"[.?!]?\s*$", " for {{ customer_name }}.", record["instruction"], count=1)
    elif kind == 1:
        if "task_id" in record:  # a HumanEval completion is code: a slot there is a string to fill
            return None
        out["output"] = "Hi <NAME>! " + record["output"]
    elif kind == 2:
        prose = _prose_paragraphs(record["output"])
        paragraphs = record["output"].split("\n\n")
        for i in prose:
            if _CAPITALISED.search(paragraphs[i]):
                paragraphs[i] = _CAPITALISED.sub("{name}", paragraphs[i], count=1)
                out["output"] = "\n\n".join(paragraphs)
                return out
        return None
    else:
        out["input"] = "<noinput>"
    return out


def truncate(record: dict, kind: int, rng: random.Random) -> dict | None:
    if "output" not in record:
        return None
    text = record["output"]
    out = dict(record)
    if kind == 0:  # inside the last sentence of the last prose paragraph
        prose = _prose_paragraphs(text)
        if not prose:
            return None
        paragraphs = text.split("\n\n")
        last = paragraphs[prose[-1]]
        sentence_start = max(last.rfind(". ", 0, len(last) - 1), last.rfind("? "), last.rfind("! ")) + 2
        words = last[sentence_start:].split()
        if sentence_start < 2 or len(words) < 8:
            return None
        cut = rng.randrange(1, len(words) - 2)
        paragraphs[prose[-1]] = last[:sentence_start] + " ".join(words[:cut])
        out["output"] = "\n\n".join(paragraphs[: prose[-1] + 1])
    elif kind == 1:  # inside a fenced code block
        start = text.find("```")
        end = text.find("```", start + 3)
        block = text[start:end].split("\n")
        if start < 0 or end < 0 or len(block) < 5:
            return None
        out["output"] = text[:start] + "\n".join(block[: rng.randrange(3, len(block) - 1)])
    else:  # right after the lead-in of a list
        lines = text.split("\n")
        for i, line in enumerate(lines[:-2]):
            if (
                line.rstrip().endswith(":")
                and not _LIST.match(line)
                and any(_LIST.match(n) for n in lines[i + 1 : i + 3])
            ):
                out["output"] = "\n".join(lines[: i + 1])
                return out
        return None
    return out


def cut_anywhere(record: dict, kind: int, rng: random.Random) -> dict | None:
    """A response cut at a random word past its first tenth, whatever is there (a list, code, a table)."""
    words = record.get("output", "").split(" ")
    if len(words) < 20:
        return None
    return {**record, "output": " ".join(words[: rng.randrange(len(words) // 10, len(words) - 1)])}


_BLOCK = re.compile(r"^(.{10,}?[:\n])\s*(\S.*)$", re.S)
_HIDDEN = ["<Picture Attached>", "[image]", "![scan](https://example.com/scan.png)"]


def hide_material(record: dict, kind: int, rng: random.Random) -> dict | None:
    """The passage after a short lead-in ("Rewrite this text:") replaced by an image the model cannot see."""
    match = _BLOCK.match(record.get("instruction", ""))
    if match is None or len(match.group(1).split()) > 25 or len(match.group(2).split()) < 15:
        return None
    return {**record, "instruction": f"{match.group(1)}\n{_HIDDEN[kind]}"}


def drop_input(record: dict, kind: int, rng: random.Random) -> dict | None:
    if record.get("input"):
        return {**record, "input": ""}
    match = _FORWARD_WITH_BLOCK.match(record.get("instruction", ""))
    if match is None:
        return None
    return {**record, "instruction": match.group(1).rstrip() + "."}


# -- scoring --------------------------------------------------------------------------------


def plant(
    records: list[dict], damage, rate: float, rng: random.Random, kinds: int
) -> tuple[list[dict], set[int], dict]:
    """Damage about `rate` of the records that can take a damage; returns (records, planted lines, per kind)."""
    out, planted, per_kind = [], set(), {}
    turn = 0
    for line, record in enumerate(records, start=1):
        damaged = damage(record, turn % kinds, rng) if rng.random() < rate else None
        if damaged is not None:
            planted.add(line)
            per_kind.setdefault(turn % kinds, set()).add(line)
            turn += 1
        out.append(damaged or record)
    return out, planted, per_kind


def score(code: str, records: list[dict], planted: set[int], per_kind: dict, names: list[str]) -> tuple[float, float]:
    flagged = {f["line"] for f in lint(records, code)}
    tp, fp = len(flagged & planted), len(flagged - planted)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / len(planted) if planted else float("nan")
    kinds = ", ".join(f"{names[k]} {len(lines & flagged)}/{len(lines)}" for k, lines in sorted(per_kind.items()))
    print(f"  {code}: precision {precision:.3f} ({tp}/{tp + fp}), recall {recall:.3f} ({tp}/{len(planted)}); {kinds}")
    if fp:
        print(f"    false on lines {sorted(flagged - planted)[:20]}")
    if planted - flagged:
        print(f"    missed lines {sorted(planted - flagged)[:20]}")
    return precision, recall


def diversity(seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    pool = load("alpaca_eval/gpt4_1106_preview.jsonl")
    tp = fp = fn = 0
    for n in range(20):
        sample = rng.sample(pool, 100)
        canned = n < 10
        if canned:
            answers = [r["output"] for r in rng.sample([r for r in pool if r not in sample], 3 + 3 * n)]
            share = 0.3 + 0.6 * n / 9
            sample = [{**r, "output": rng.choice(answers)} if rng.random() < share else r for r in sample]
        found = bool(lint(sample, "SFT206"))
        tp += found and canned
        fp += found and not canned
        fn += canned and not found
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn)
    print(
        f"  SFT206: precision {precision:.3f} ({tp}/{tp + fp} datasets), recall {recall:.3f} ({tp}/{tp + fn} datasets)"
    )
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", type=float, default=0.1)
    args = parser.parse_args()
    base = [(name, line, r) for name in BASE for line, r in enumerate(load(name), start=1)]
    print(f"planted corpora from {len(base)} real records ({', '.join(BASE)}), rate {args.rate}, seed {args.seed}")
    results: dict[str, tuple[float, float]] = {}
    plans = [
        (
            "SFT115",
            placeholder,
            4,
            args.rate,
            ["{{ slot }} in instruction", "<NAME> in response", "{name} in prose", "<noinput> input"],
        ),
        # a cut needs a prose paragraph, a code block or a list lead-in: damage more of the records
        ("SFT116", truncate, 3, 3 * args.rate, ["prose cut", "code block cut", "cut after lead-in"]),
        ("SFT116", cut_anywhere, 1, args.rate, ["cut at a random word"]),
        # few records hold material to drop (HumanEval's inputs, a few AlpacaEval prompts): damage half
        ("SFT117", drop_input, 1, 0.5, ["material dropped"]),
        # only prompts with a passage after a short lead-in can lose it to an image: damage them all
        ("SFT118", hide_material, 3, 1.0, _HIDDEN),
    ]
    for code, damage, kinds, rate, names in plans:
        known = known_defects(code)
        clean = [r for name, line, r in base if (name, line) not in known]
        records, planted, per_kind = plant(clean, damage, rate, random.Random(args.seed), kinds)
        key = code if code not in results else f"{code} ({names[0]})"
        results[key] = score(code, records, planted, per_kind, names)
    results["SFT206"] = diversity(args.seed)
    print(f"\n  {'code':30} precision  recall")
    for code, (precision, recall) in results.items():
        print(f"  {code:30} {precision:9.3f}  {recall:6.3f}")


if __name__ == "__main__":
    main()
