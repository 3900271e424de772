"""Edited copies of real records: which edit rates SFT104 finds, and which controls it leaves apart.

    .venv/bin/python benchmarks/neardup_edits.py [--per-source 150] [--seed 1]

Real records from tests/data/real (AlpacaEval answers of gpt4_1106_preview and alpaca-7b,
Chinese OpenAssistant conversations, glaive tool-calling conversations) whose compared text
has at least 20 words get seeded copies with 3 %, 5 % and 8 % of their words edited: spread
substitutions, insertions, deletions, a mix of the three, and substitutions clustered in one
run. Controls: copies with 15 %, 20 % and 25 % of their words substituted ("different
enough"), pairs sharing only a template (one real instruction as the frame, two other real
records as the content) and pairs sharing only their instruction (the same AlpacaEval
instruction answered by gpt4_1106_preview and by alpaca-7b).

Each case is one file of the originals followed by their copies, linted by the real CLI
(`sftlint lint FILE --select SFT104 --format json`). A copy counts as found when it ends up in
its original's cluster. Printed per case: recall (or the false-pair rate for a control), and
the exact shingle Jaccard of the pairs (minimum, median, maximum).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sftlint.minhash import normalise_text, shingles
from sftlint.records import normalise
from sftlint.text.normal import compared_text

REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "real"
SOURCES = {
    "gpt4_1106_preview": REAL / "alpaca_eval" / "gpt4_1106_preview.jsonl",
    "alpaca-7b": REAL / "alpaca_eval" / "alpaca-7b.jsonl",
    "oasst_sft_zh": REAL / "zh" / "oasst_sft_zh.jsonl",
    "glaive": REAL / "tools" / "glaive_toolcall_en.jsonl",
}
MIN_WORDS = 20
RATES = (0.03, 0.05, 0.08)
CONTROL_RATES = (0.15, 0.20, 0.25)
TEXT_KEYS = ("instruction", "input", "output")
CHAT_ROLES = ("human", "gpt", "user", "assistant")


def editable(record: dict) -> list[tuple[list, object]]:
    """(container, key) of every string the check compares: alpaca fields and history, user and assistant turns."""
    slots: list[tuple[list, object]] = [(record, k) for k in TEXT_KEYS if isinstance(record.get(k), str)]
    for pair in record.get("history") or []:
        slots += [(pair, i) for i in range(len(pair))]
    for turn in record.get("conversations") or []:
        if turn.get("from") in CHAT_ROLES:
            slots.append((turn, "value"))
    return slots


Word = tuple[int, str]  # (the field it belongs to, the word)


def edit_record(record: dict, edit: Callable[[list[Word]], list[Word]]) -> dict:
    """A deep copy of the record with its compared words edited, the fields' words taken as one sequence.

    A word keeps its field; an inserted word joins the field of the word it is inserted before.
    """
    copy = json.loads(json.dumps(record))
    slots = editable(copy)
    words = [(field, w) for field, (container, key) in enumerate(slots) for w in container[key].split()]
    edited = edit(words)
    for field, (container, key) in enumerate(slots):
        container[key] = " ".join(w for f, w in edited if f == field)
    return copy


def spread(rng: random.Random, vocabulary: list[str], rate: float, ops: str) -> Callable[[list[Word]], list[Word]]:
    """Edits at distinct random positions; each is one of `ops` (s: substitute, i: insert, d: delete)."""

    def apply(words: list[Word]) -> list[Word]:
        count = max(1, round(rate * len(words)))
        out = list(words)
        for position in sorted(rng.sample(range(len(words)), count), reverse=True):
            op = rng.choice(ops)
            field, word = out[position]
            if op == "s":
                out[position] = (field, other_word(rng, vocabulary, word))
            elif op == "i":
                out.insert(position, (field, rng.choice(vocabulary)))
            else:
                del out[position]
        return out

    return apply


def clustered(rng: random.Random, vocabulary: list[str], rate: float) -> Callable[[list[Word]], list[Word]]:
    """Substitutions in one run of consecutive words (a rewritten phrase)."""

    def apply(words: list[Word]) -> list[Word]:
        count = max(1, round(rate * len(words)))
        start = rng.randrange(len(words) - count + 1)
        run = [(field, other_word(rng, vocabulary, w)) for field, w in words[start : start + count]]
        return words[:start] + run + words[start + count :]

    return apply


def other_word(rng: random.Random, vocabulary: list[str], word: str) -> str:
    while True:
        candidate = rng.choice(vocabulary)
        if normalise_text(candidate) != normalise_text(word):
            return candidate


def text_of(record: dict) -> str:
    parsed, _ = normalise(record, "x", 1)
    return normalise_text(compared_text(parsed, "pair")) if parsed else ""


def jaccard(a: dict, b: dict) -> float:
    x, y = set(shingles(text_of(a))), set(shingles(text_of(b)))
    return len(x & y) / len(x | y) if x | y else 0.0


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def same_cluster(path: Path, pairs: list[tuple[int, int]], options: list[str]) -> list[bool]:
    """Lint the file with the real CLI; for each (original line, copy line), whether they share a cluster."""
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(path), "--select", "SFT104", "--format", "json", *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode not in (0, 1):
        sys.exit(f"sftlint failed on {path}: {proc.stderr.strip()}")
    cluster_of: dict[int, int] = {}
    for finding in json.loads(proc.stdout)["findings"]:
        if finding["code"] == "SFT104" and finding["line"] is not None:
            number = finding["data"]["cluster"]
            cluster_of[finding["line"]] = number
            cluster_of[finding["related"][0]["line"]] = number
    return [a in cluster_of and cluster_of.get(a) == cluster_of.get(b) for a, b in pairs]


def run_case(folder: Path, name: str, pairs: list[tuple[dict, dict]], options: list[str]) -> tuple[float, list[float]]:
    """Write the originals then the copies, lint, and return the share found and the pairs' Jaccard."""
    path = folder / f"{name}.jsonl"
    records = [a for a, _ in pairs] + [b for _, b in pairs]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    lines = [(i + 1, len(pairs) + i + 1) for i in range(len(pairs))]
    found = same_cluster(path, lines, options)
    return sum(found) / len(found), [jaccard(a, b) for a, b in pairs]


def report(label: str, share: float, similarities: list[float], what: str) -> None:
    print(
        f"  {label:<34} {what} {share:6.3f}   n={len(similarities):4d}   Jaccard min {min(similarities):.2f}"
        f"  median {statistics.median(similarities):.2f}  max {max(similarities):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-source", type=int, default=150, help="records taken from each real file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, help="SFT104 threshold (default: the check's)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    originals: list[dict] = []
    vocabularies: list[list[str]] = []
    for name, path in SOURCES.items():
        # Distinct texts only: an exact copy is left to SFT103, so it would never join a cluster.
        by_text = {text_of(r): r for r in reversed(load(path))}
        records = [r for text, r in reversed(by_text.items()) if len(text.split(" ")) >= MIN_WORDS]
        chosen = rng.sample(records, min(args.per_source, len(records)))
        vocabulary = [w for r in records for container, key in editable(r) for w in container[key].split()]
        originals += chosen
        vocabularies += [vocabulary] * len(chosen)
        print(f"{name}: {len(chosen)} of {len(records)} distinct records with >= {MIN_WORDS} words")
    with tempfile.TemporaryDirectory(prefix="sftlint-neardup-edits-") as tmp:
        folder = Path(tmp)
        options = []
        if args.threshold is not None:
            (folder / "sftlint.toml").write_text(f"[checks.near-duplicate]\nthreshold = {args.threshold}\n")
            options = ["--config", str(folder / "sftlint.toml")]
        print(f"\nedited copies (recall: copy in its original's cluster), {len(originals)} records per case")
        for rate in RATES:
            for label, ops in (("substituted", "s"), ("inserted", "i"), ("deleted", "d"), ("mixed", "sid")):
                pairs = [
                    (r, edit_record(r, spread(rng, v, rate, ops))) for r, v in zip(originals, vocabularies, strict=True)
                ]
                share, similarities = run_case(folder, f"{label}-{rate}", pairs, options)
                report(f"{rate:.0%} of words {label}", share, similarities, "recall")
            pairs = [(r, edit_record(r, clustered(rng, v, rate))) for r, v in zip(originals, vocabularies, strict=True)]
            share, similarities = run_case(folder, f"clustered-{rate}", pairs, options)
            report(f"{rate:.0%} of words in one run", share, similarities, "recall")
        print("\ncontrols (false-pair rate: pair in one cluster)")
        for rate in CONTROL_RATES:
            pairs = [
                (r, edit_record(r, spread(rng, v, rate, "s"))) for r, v in zip(originals, vocabularies, strict=True)
            ]
            share, similarities = run_case(folder, f"control-{rate}", pairs, options)
            report(f"{rate:.0%} of words substituted", share, similarities, "false ")
        frames = [r["instruction"] for r in load(SOURCES["gpt4_1106_preview"]) if len(r["instruction"].split()) >= 25]
        shuffled = rng.sample(originals, len(originals))
        template_pairs = []
        for a, b in zip(originals, shuffled, strict=True):
            if a is b:
                continue
            frame = rng.choice(frames)
            a_record, b_record = (normalise(x, "x", 1)[0] for x in (a, b))
            template_pairs.append(
                tuple({"instruction": frame, "input": x.prompt, "output": x.response} for x in (a_record, b_record))
            )
        share, similarities = run_case(folder, "template", template_pairs, options)
        report("one template, other content", share, similarities, "false ")
        gpt4, alpaca = load(SOURCES["gpt4_1106_preview"]), load(SOURCES["alpaca-7b"])
        same_prompt = [(a, b) for a, b in zip(gpt4, alpaca, strict=True) if len(text_of(b).split(" ")) >= MIN_WORDS]
        share, similarities = run_case(folder, "same-instruction", same_prompt, options)
        report("same instruction, other answer", share, similarities, "false ")


if __name__ == "__main__":
    main()
