#!/usr/bin/env python3
"""SFT114 (tool-call integrity) on real tool-calling data with planted defects.

Takes LLaMA-Factory's glaive tool-calling demo (tests/data/real/tools/glaive_toolcall_en.jsonl,
ShareGPT with `function_call` / `observation` turns and `tools`), lints it untouched, then
plants one defect of each kind into copies of a seeded sample of its records: arguments that
are not JSON, a call to an undeclared function, a missing required argument, an argument of
the wrong type, a dropped observation, an observation that answers no call, and a
conversation cut after an observation. The untouched records and the planted copies are
linted together through the real CLI. A planted copy is found when SFT114 reports it with
the message of its defect; any other SFT114 finding is a false positive, except on the
untouched records read by hand and known to be defective (`KNOWN_DEFECTS`).

    .venv/bin/python benchmarks/eval_tool_calls.py [--per-kind 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "real" / "tools" / "glaive_toolcall_en.jsonl"
# Untouched records that are truly defective, read by hand: line -> what is wrong.
KNOWN_DEFECTS = {
    260: "passes calories_per_item as a list of three numbers where track_calories declares one number",
}
WRONG_VALUES = {"string": 42, "number": "ten", "integer": "ten", "boolean": "yes", "array": "a, b", "object": "x"}

Record = dict[str, Any]


def _calls(record: Record) -> list[tuple[int, dict[str, Any]]]:
    """(turn position, parsed call) of every function_call turn."""
    turns = record["conversations"]
    return [(i, json.loads(t["value"])) for i, t in enumerate(turns) if t["from"] == "function_call"]


def _tools(record: Record) -> dict[str, dict[str, Any]]:
    return {tool["name"]: tool.get("parameters", {}) for tool in json.loads(record["tools"])}


def _set_call(record: Record, position: int, call: dict[str, Any]) -> None:
    record["conversations"][position]["value"] = json.dumps(call)


def bad_json(record: Record, rng: random.Random) -> bool:
    position, call = rng.choice(_calls(record))
    call["arguments"] = json.dumps(call["arguments"])[:-1]  # a JSON string cut before its last brace
    _set_call(record, position, call)
    return True


def undeclared(record: Record, rng: random.Random) -> bool:
    position, call = rng.choice(_calls(record))
    call["name"] += "_v2"
    _set_call(record, position, call)
    return True


def missing_required(record: Record, rng: random.Random) -> bool:
    tools = _tools(record)
    for position, call in _calls(record):
        present = [name for name in tools.get(call["name"], {}).get("required", []) if name in call["arguments"]]
        if present:
            del call["arguments"][rng.choice(present)]
            _set_call(record, position, call)
            return True
    return False


def wrong_type(record: Record, rng: random.Random) -> bool:
    tools = _tools(record)
    for position, call in _calls(record):
        properties = tools.get(call["name"], {}).get("properties", {})
        typed = [name for name in call["arguments"] if properties.get(name, {}).get("type") in WRONG_VALUES]
        if typed:
            name = rng.choice(typed)
            call["arguments"][name] = WRONG_VALUES[properties[name]["type"]]
            _set_call(record, position, call)
            return True
    return False


def dropped_observation(record: Record, rng: random.Random) -> bool:
    turns = record["conversations"]
    position, _ = rng.choice(_calls(record))
    if position + 2 >= len(turns) or turns[position + 1]["from"] != "observation":
        return False
    del turns[position + 1]
    return True


def orphan_observation(record: Record, rng: random.Random) -> bool:
    turns = record["conversations"]
    answers = [i for i in range(1, len(turns) - 1) if turns[i]["from"] == "gpt" and turns[i + 1]["from"] == "human"]
    if not answers:
        return False
    turns.insert(rng.choice(answers) + 1, {"from": "observation", "value": '{"status": "ok"}'})
    return True


def trailing_observation(record: Record, rng: random.Random) -> bool:
    turns = record["conversations"]
    ends = [i for i, t in enumerate(turns) if t["from"] == "observation"]
    if not ends:
        return False
    del turns[rng.choice(ends) + 1 :]
    return True


# Defect kind -> (planter, a fragment of the message SFT114 must give, whether it needs a call).
KINDS: dict[str, tuple[Callable[[Record, random.Random], bool], str, bool]] = {
    "bad JSON arguments": (bad_json, "arguments are not valid JSON", True),
    "undeclared function": (undeclared, "which the record's tools do not declare", True),
    "missing required argument": (missing_required, "missing required argument", True),
    "wrong type": (wrong_type, ", expected ", True),
    "dropped observation": (dropped_observation, "has no result before turn", True),
    "orphan observation": (orphan_observation, "answers no call", False),
    "trailing observation": (trailing_observation, "the conversation ends with a tool result", True),
}


def lint(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(path), "--format", "json", "--select", "SFT114"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"sftlint failed: {done.stderr.strip()}")
    return json.loads(done.stdout)["findings"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=20, help="planted copies per defect kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    originals = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as folder:
        untouched = lint(SOURCE)
        print(f"untouched: {len(originals)} records, {len(untouched)} SFT114 findings")
        for finding in untouched:
            known = KNOWN_DEFECTS.get(finding["line"], "NOT KNOWN TO BE DEFECTIVE")
            print(f"  line {finding['line']}: {finding['message']}\n    read by hand: {known}")

        lines = [json.dumps(r) for r in originals]
        planted: dict[int, str] = {}  # line -> defect kind
        for kind, (plant, _, needs_call) in KINDS.items():
            pool = [
                i for i, r in enumerate(originals, start=1) if i not in KNOWN_DEFECTS and (not needs_call or _calls(r))
            ]
            rng.shuffle(pool)
            done = 0
            for line in pool:
                record = copy.deepcopy(originals[line - 1])
                if done < args.per_kind and plant(record, rng):
                    lines.append(json.dumps(record))
                    planted[len(lines)] = kind
                    done += 1
        corpus = Path(folder) / "planted.jsonl"
        corpus.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        findings = lint(corpus)

    found: set[int] = set()
    true_positives = false_positives = 0
    for finding in findings:
        kind = planted.get(finding["line"])
        if kind is not None and KINDS[kind][1] in finding["message"]:
            true_positives += 1
            found.add(finding["line"])
        elif finding["line"] not in KNOWN_DEFECTS:
            false_positives += 1
            print(f"false positive: line {finding['line']} ({kind or 'untouched'}): {finding['message']}")
    print(f"\nplanted {len(planted)} defects into copies of {len(originals)} records (seed {args.seed})")
    print(f"{'kind':<28}{'planted':>8}{'found':>7}{'recall':>8}")
    for kind in KINDS:
        lines_of_kind = [line for line, k in planted.items() if k == kind]
        hits = sum(line in found for line in lines_of_kind)
        print(f"{kind:<28}{len(lines_of_kind):>8}{hits:>7}{hits / max(1, len(lines_of_kind)):>8.3f}")
    precision = true_positives / max(1, true_positives + false_positives)
    recall = len(found) / max(1, len(planted))
    print(f"\nprecision {precision:.3f} ({true_positives} of {true_positives + false_positives} findings)")
    print(f"recall    {recall:.3f} ({len(found)} of {len(planted)} planted records)")
    return 0 if precision >= 0.9 and recall >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
