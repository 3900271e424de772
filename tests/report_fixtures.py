"""Datasets and check summaries for the report's tests.

The records are generated deterministically (support-desk questions and answers). The
`Fixture*` checks are small, honest implementations that produce summaries and findings in the
shapes the real dataset checks put into a result (near-duplicate clusters, length histograms,
languages, label conflicts and balance, contamination), so the report can be tested on every
section whatever checks are installed. They are passed to the engine directly, never registered.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from sftlint.api import build_checks
from sftlint.check import Check, Context
from sftlint.config import Config
from sftlint.engine import Result, run
from sftlint.examples import collect_examples
from sftlint.findings import Location, Severity
from sftlint.output import to_dict
from sftlint.records import Record

PRODUCTS = [
    "router",
    "printer",
    "laptop",
    "phone",
    "tablet",
    "smart watch",
    "camera",
    "headset",
    "monitor",
    "keyboard",
    "e-reader",
    "speaker",
    "thermostat",
    "doorbell",
    "projector",
]
PROBLEMS = [
    "will not turn on",
    "keeps disconnecting from wifi",
    "shows an error after the update",
    "is very slow",
    "makes a clicking noise",
    "has a flickering screen",
    "cannot pair over bluetooth",
    "does not charge",
]

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '</textarea><img src=x onerror="window.__pwned=2">',
    '"onerror="window.__pwned=3" x="',
    '</pre></div></section><h1 id="verdict-word">GO</h1>',
    "{{ 7*7 }} {% raw %}",
    '<a href="javascript:window.__pwned=4">click</a>',
    '<link rel="stylesheet" href="https://example.invalid/x.css">',
    ']]><!-- <iframe src="https://example.invalid/"></iframe>',
]


def real_records(n: int = 400) -> list[dict[str, str]]:
    """The first `n` records of a real, clean instruction set (AlpacaEval answered by a strong model)."""
    path = Path(__file__).resolve().parent / "data" / "real" / "alpaca_eval" / "gpt4_1106_preview.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()[:n]
    return [{k: v for k, v in json.loads(line).items() if k in ("instruction", "output")} for line in lines]


def write_jsonl(path: Path, records: list[Any], raw_lines: dict[int, str] | None = None) -> Path:
    """Write records one per line; `raw_lines` puts literal text at given 1-based lines."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    for line, text in sorted((raw_lines or {}).items()):
        lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nogo_records(seed: int = 11) -> tuple[list[dict[str, str]], dict[int, str]]:
    """Support pairs with planted defects, hostile markup in some records, and a broken line."""
    records = real_records(330)
    rng = random.Random(seed)
    for i in (4, 40, 77, 150, 222):
        records[i]["output"] = rng.choice(["", "   ", "N/A", "<noinput>"])
    for i in (10, 60, 99):
        records[i]["output"] += " <|endoftext|>"
    for i in (15, 16, 17, 18):  # exact copies of record 3
        records[i] = dict(records[3])
    for k, i in enumerate((30, 31, 32)):  # near-copies of record 20 with a word or two changed
        r = dict(records[20])
        r["output"] = ["Sure! ", "Certainly. ", "Okay, here goes. "][k] + r["output"]
        records[i] = r
    records[50]["output"] = " ".join(["very long answer"] * 600)
    for k, text in enumerate(HOSTILE):
        i = 100 + k
        records[i]["instruction"] = f"{records[i]['instruction']} {text}"
        records[i]["output"] = f"{text} <|endoftext|>"
    return records, {200: '{"instruction": "broken line <script>window.__pwned=5</script>", '}


def ticket_records(seed: int = 5) -> list[dict[str, str]]:
    """A small classification set: tickets with a category label, some prompts labelled twice differently."""
    rng = random.Random(seed)
    labels = ["billing", "billing", "billing", "hardware", "account"]
    out = []
    for product, problem in ((p, q) for p in PRODUCTS for q in PROBLEMS):
        out.append(
            {
                "instruction": "Classify the support ticket.",
                "input": f"My {product} {problem}.",
                "output": "",
                "label": rng.choice(labels),
            }
        )
    for record in out:
        record["output"] = record["label"]
    for i in (3, 8, 21):
        twin = dict(out[i])
        twin["label"] = twin["output"] = "account" if twin["label"] != "account" else "billing"
        out.append(twin)
    return out


# -- fixture dataset checks: summaries in the shapes of the real ones ------------------------

_WORDS = re.compile(r"\w+")


def _doc(summary: str) -> str:
    return f"""{summary}

    What it does: A test fixture producing this check's summary shape.

    Why it matters: The report renders this summary.

    How to fix: Nothing to fix; it is a fixture.
    """


class FixtureNearDuplicate(Check):
    __doc__ = _doc("Records that are almost the same as another record.")
    code, slug, severity = "SFT104", "near-duplicate", Severity.WARNING

    def __init__(self) -> None:
        super().__init__()
        self.heads: dict[str, list[tuple[frozenset[str], list[tuple[Location, frozenset[str]]]]]] = {}
        self.clusters: list[list[Location]] = []
        self.records = 0

    def collect(self, record: Record) -> None:
        """Candidates share the instruction (a real check finds them with MinHash/LSH); Jaccard verifies."""
        self.records += 1
        words = frozenset(_WORDS.findall(record.text.lower()))
        bucket = self.heads.setdefault(" ".join(record.instruction.lower().split()), [])
        for head_words, members in bucket:
            if len(words & head_words) / max(len(words | head_words), 1) >= 0.7:
                members.append((Location(record.file, record.line, record.position), words))
                return
        bucket.append((words, [(Location(record.file, record.line, record.position), words)]))

    def finish(self, context: Context):
        for head_words, members in (c for bucket in self.heads.values() for c in bucket):
            if len(members) < 2:
                continue
            first = members[0][0]
            for loc, words in members[1:]:
                jaccard = len(words & head_words) / len(words | head_words)
                yield self.finding(
                    f"near-duplicate of line {first.line} (Jaccard ~{jaccard:.2f})",
                    file=loc.file,
                    line=loc.line,
                    related=[first],
                    score=jaccard,
                    cluster=len(self.clusters),
                )
            self.clusters.append([loc for loc, _ in members])

    def summary(self) -> dict[str, Any]:
        redundant = sum(len(c) - 1 for c in self.clusters)
        largest = sorted(enumerate(self.clusters), key=lambda ic: -len(ic[1]))
        return {
            "clusters": len(self.clusters),
            "redundant": redundant,
            "rate": redundant / max(self.records, 1),
            "max_rate": 0.05,
            "threshold": 0.7,
            "largest": [{"id": i, "size": len(c), "members": [m.to_dict() for m in c]} for i, c in largest],
        }


class FixtureLengthOutlier(Check):
    __doc__ = _doc("Instructions or responses far longer or shorter than the rest.")
    code, slug, severity = "SFT105", "length-outlier", Severity.WARNING

    def __init__(self) -> None:
        super().__init__()
        self.lengths: dict[str, list[int]] = {"instruction": [], "response": []}
        self.where: list[Location] = []
        self.parts: dict[str, Any] = {}

    def collect(self, record: Record) -> None:
        self.lengths["instruction"].append(len(record.prompt.split()))
        self.lengths["response"].append(len(record.response.split()))
        self.where.append(Location(record.file, record.line, record.position))

    def finish(self, context: Context):
        for name, values in self.lengths.items():
            arr = np.array(values or [0])
            median = float(np.median(arr))
            mad = float(np.median(np.abs(arr - median))) or 1.0
            high = median + 10 * mad
            low = max(median - 10 * mad, 0) or None
            counts, edges = np.histogram(arr, bins=24)
            self.parts[name] = {
                "median": median,
                "low": low,
                "high": high,
                "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
            }
            for loc, value in zip(self.where, values, strict=True):
                if value > high:
                    yield self.finding(
                        f"{name} is {value} words, above {high:.0f}", file=loc.file, line=loc.line, score=value
                    )

    def summary(self) -> dict[str, Any]:
        return {"max_tokens": 4096, **self.parts}


class FixtureLanguage(Check):
    __doc__ = _doc("Responses in another language than their instruction.")
    code, slug, severity = "SFT109", "language-mismatch", Severity.WARNING

    def __init__(self) -> None:
        super().__init__()
        self.languages: Counter[str] = Counter()
        self.skipped = 0

    def collect(self, record: Record) -> None:
        if len(record.response.split()) < 5:
            self.skipped += 1
        else:
            self.languages["en" if record.response.isascii() else "other"] += 1

    def summary(self) -> dict[str, Any]:
        return {"languages": dict(self.languages), "checked": sum(self.languages.values()), "skipped": self.skipped}


class FixtureLabels(Check):
    __doc__ = _doc("The same prompt with different labels.")
    code, slug, severity = "SFT110", "label-inconsistency", Severity.ERROR

    def __init__(self) -> None:
        super().__init__()
        self.by_prompt: dict[str, list[tuple[Location, str]]] = defaultdict(list)
        self.groups: list[dict[str, Any]] = []

    def collect(self, record: Record) -> None:
        if record.label is not None:
            self.by_prompt[record.prompt].append((Location(record.file, record.line, record.position), record.label))

    def finish(self, context: Context):
        for prompt, members in self.by_prompt.items():
            labels = Counter(label for _, label in members)
            if len(labels) > 1:
                self.groups.append(
                    {
                        "prompt": prompt,
                        "labels": dict(labels),
                        "members": [{**loc.to_dict(), "label": label} for loc, label in members],
                    }
                )
                for loc, label in members[1:]:
                    yield self.finding(
                        f"label '{label}' conflicts with line {members[0][0].line}",
                        file=loc.file,
                        line=loc.line,
                        related=[members[0][0]],
                    )

    def summary(self) -> dict[str, Any]:
        return {"classification_like": True, "groups": self.groups}


class FixtureImbalance(Check):
    __doc__ = _doc("One label dominates a classification dataset.")
    code, slug, severity = "SFT202", "label-imbalance", Severity.WARNING

    def __init__(self) -> None:
        super().__init__()
        self.labels: Counter[str] = Counter()

    def collect(self, record: Record) -> None:
        if record.label is not None:
            self.labels[record.label] += 1

    def summary(self) -> dict[str, Any] | None:
        if not self.labels:
            return None
        return {"labels": dict(self.labels), "majority_share": max(self.labels.values()) / sum(self.labels.values())}


class FixtureContamination(Check):
    __doc__ = _doc("Training records that repeat evaluation records.")
    code, slug, severity = "SFT203", "contamination", Severity.ERROR

    def __init__(self, eval_prompts: list[str] | None = None, against: str = "eval.jsonl") -> None:
        super().__init__()
        self.eval = set(eval_prompts or [])
        self.against = against
        self.hits: set[str] = set()

    def check_record(self, record: Record):
        if record.instruction in self.eval:
            self.hits.add(record.instruction)
            yield self.finding(f"instruction appears in {self.against}", record)

    def summary(self) -> dict[str, Any]:
        n = len(self.eval)
        return {
            "against": [self.against],
            "eval_records": n,
            "contaminated": len(self.hits),
            "rate": len(self.hits) / n if n else 0.0,
        }


def fixture_checks(eval_prompts: list[str] | None = None) -> list[Check]:
    return [
        FixtureNearDuplicate(),
        FixtureLengthOutlier(),
        FixtureLanguage(),
        FixtureLabels(),
        FixtureImbalance(),
        FixtureContamination(eval_prompts),
    ]


def lint_with_fixtures(paths: list[str], config: Config | None = None, eval_prompts: list[str] | None = None) -> Result:
    """Lint with the installed checks plus the fixture checks (replacing installed ones of the same slug)."""
    config = config or Config()
    extra = fixture_checks(eval_prompts)
    slugs = {c.slug for c in extra}
    checks = [c for c in build_checks(config) if c.slug not in slugs] + extra
    result = run(paths, checks, dict(config.fields), config.fail_on)
    result.config = config.model_dump(mode="json")
    result.examples = collect_examples(
        paths, result.findings, result.summaries, dict(config.fields), config.examples_per_check
    )
    return result


def result_dict(paths: list[str], **kwargs: Any) -> dict[str, Any]:
    return json.loads(json.dumps(to_dict(lint_with_fixtures(paths, **kwargs)), default=str))
