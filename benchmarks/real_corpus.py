#!/usr/bin/env python3
"""A large benchmark corpus built from the real public data in tests/data/real.

Generated data is too regular to show what real datasets cost (one language, few repeated
prompts, few findings). This builder multiplies the real subsets (model outputs, HumanEval code,
Glaive tool calls, Chinese OASST chat, identity answers) with seeded edits into a corpus of any
size that is like the mixed datasets people lint:

- prose records: a real instruction with a response rebuilt from its first sentence and
  sentences of other real responses in the same language (so records differ, as real ones do);
- template prompts, one template for many prompts (T0-style): questions about a real passage,
  and classification prompts whose answer is a short label (sentiment, yes/no, topic);
- code (HumanEval, names renamed), Chinese chat, identity answers, ShareGPT tool calls;
- about 25 % edited copies of an earlier record (light: one word; heavy: a tenth of the words
  and a sentence), and about 5 % exact copies.

The same seed gives the same bytes. Written to benchmarks/corpora (ignored by git) or $SFTLINT_CORPORA.

    .venv/bin/python benchmarks/real_corpus.py --records 100000 [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from sample_generator import CORPORA, ROOT

REAL = ROOT / "tests" / "data" / "real"

#: Share of each kind of new record (copies are decided first, see COPY_SHARE).
KINDS = (
    ("prose", 0.50),
    ("template", 0.14),
    ("label", 0.12),
    ("code", 0.08),
    ("zh", 0.09),
    ("identity", 0.02),
    ("tools", 0.05),
)
EDITED_SHARE = 0.25
EXACT_SHARE = 0.05
#: Earlier records kept to copy from (a window, so memory does not grow with the corpus).
WINDOW = 20_000

PASSAGE_TEMPLATES = (
    "Read the passage below and answer the question.\n\nPassage: {passage}\n\nQuestion: {question}",
    "{passage}\n\nBased on the text above, {question_lower}",
    "Answer the question using only the context.\nContext: {passage}\nQ: {question}\nA:",
)
LABEL_TEMPLATES = (
    (
        "Classify the sentiment of the following review as positive, negative or neutral.\n\nReview: {text}",
        ("positive", "negative", "neutral"),
    ),
    ("Is the following answer helpful? Answer yes or no.\n\nAnswer: {text}", ("yes", "no")),
    (
        "What is the topic of this text? Choose one of: science, sports, politics, cooking, technology.\n\n{text}",
        ("science", "sports", "politics", "cooking", "technology"),
    ),
)
SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")
CJK = re.compile(r"[\u3400-\u9fff]")


def _load(folder: str) -> list[dict]:
    """The records of a folder's files in alpaca or ShareGPT form (BFCL's OpenAI records are left
    out: the corpus stays what it was before they were copied in)."""
    out = []
    for path in sorted((REAL / folder).glob("*.jsonl")):
        if path.name.startswith("bfcl_"):
            continue
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(text.strip()) if len(s) > 3]


class Sources:
    """The real records, split by kind, and pools of their sentences to recombine."""

    def __init__(self) -> None:
        prose = _load("alpaca_eval") + _load("holdout")
        self.prose = [r for r in prose if "instruction" in r and not CJK.search(r["instruction"])]
        self.zh = [r for r in _load("zh") + prose if "instruction" in r and CJK.search(r["instruction"])]
        self.code = _load("code")
        self.identity = _load("identity")
        self.tools = _load("tools")
        self.en_sentences = [s for r in self.prose for s in _sentences(r["output"])[1:] if not CJK.search(s)]
        self.zh_sentences = [s for r in self.zh for s in _sentences(r["output"])[1:]]
        self.questions = [
            r["instruction"]
            for r in self.prose
            if r["instruction"].rstrip().endswith("?") and len(r["instruction"]) < 200
        ]


def _rebuilt(rng: random.Random, output: str, pool: list[str], joiner: str) -> str:
    """The first sentence of a real response, then 1-5 sentences from other real responses."""
    first = _sentences(output)[:1] or [output.strip()]
    return joiner.join(first + rng.sample(pool, rng.randint(1, 5)))


def _prose(rng: random.Random, src: Sources) -> dict:
    record = rng.choice(src.prose)
    return {"instruction": record["instruction"], "output": _rebuilt(rng, record["output"], src.en_sentences, " ")}


def _template(rng: random.Random, src: Sources) -> dict:
    passage = " ".join(rng.sample(src.en_sentences, rng.randint(2, 4)))
    question = rng.choice(src.questions)
    prompt = rng.choice(PASSAGE_TEMPLATES).format(
        passage=passage, question=question, question_lower=question[:1].lower() + question[1:]
    )
    return {"instruction": prompt, "input": "", "output": rng.choice(src.en_sentences)}


def _label(rng: random.Random, src: Sources) -> dict:
    template, labels = rng.choice(LABEL_TEMPLATES)
    text = " ".join(rng.sample(src.en_sentences, rng.randint(1, 3)))
    # The label follows the text (as an annotator would), so repeated texts mostly agree.
    label = labels[hash_text(text) % len(labels)] if rng.random() > 0.02 else rng.choice(labels)
    return {"instruction": template.format(text=text), "input": "", "output": label}


def hash_text(text: str) -> int:
    """A hash that does not change between runs (str hashes are salted per process)."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(text[:64]))


def _code(rng: random.Random, src: Sources) -> dict:
    record = dict(rng.choice(src.code))
    suffix = f"_{rng.randint(0, 99999)}"
    names = set(re.findall(r"def (\w+)\(", record.get("input", "") + record["output"]))
    for name in names:
        for field in ("input", "output"):
            if field in record:
                record[field] = re.sub(rf"\b{re.escape(name)}\b", name + suffix, record[field])
    return record


def _zh(rng: random.Random, src: Sources) -> dict:
    record = rng.choice(src.zh)
    return {
        "instruction": record["instruction"],
        "input": "",
        "output": _rebuilt(rng, record["output"], src.zh_sentences, ""),
    }


def _identity(rng: random.Random, src: Sources) -> dict:
    return dict(rng.choice(src.identity))


def _tools(rng: random.Random, src: Sources) -> dict:
    return rng.choice(src.tools)


MAKERS = {
    "prose": _prose,
    "template": _template,
    "label": _label,
    "code": _code,
    "zh": _zh,
    "identity": _identity,
    "tools": _tools,
}


def _edit_text(rng: random.Random, text: str, heavy: bool) -> str:
    words = text.split(" ")
    if len(words) < 3:
        return text + rng.choice((".", "!", " indeed"))
    for _ in range(max(1, len(words) // 10) if heavy else 1):
        i = rng.randrange(len(words))
        words[i] = rng.choice(("the", "a", "very", "also", "then", words[i].upper(), words[i][::-1]))
    if heavy and len(words) > 20:
        cut = rng.randrange(len(words) - 5)
        del words[cut : cut + 5]
    return " ".join(words)


def _edited(rng: random.Random, record: dict) -> dict:
    """A copy of `record` with one word changed (light) or about a tenth of them (heavy)."""
    heavy = rng.random() < 0.4
    copy = json.loads(json.dumps(record))
    if "conversations" in copy:
        turn = rng.choice([t for t in copy["conversations"] if t.get("from") == "gpt"] or copy["conversations"])
        turn["value"] = _edit_text(rng, turn["value"], heavy)
    else:
        copy["output"] = _edit_text(rng, copy["output"], heavy)
    return copy


def lines(records: int, seed: int = 0):
    """The corpus as JSON lines (bytes, newline-terminated), deterministic by `seed`."""
    rng = random.Random(seed)
    src = Sources()
    kinds, weights = zip(*KINDS, strict=False)
    window: list[bytes] = []
    for _n in range(records):
        roll = rng.random()
        if window and roll < EXACT_SHARE:
            line = rng.choice(window)
        elif window and roll < EXACT_SHARE + EDITED_SHARE:
            line = (json.dumps(_edited(rng, json.loads(rng.choice(window))), ensure_ascii=False) + "\n").encode()
        else:
            record = MAKERS[rng.choices(kinds, weights)[0]](rng, src)
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        if len(window) < WINDOW:
            window.append(line)
        else:
            window[rng.randrange(WINDOW)] = line
        yield line


def build(records: int, seed: int = 0, folder: Path = CORPORA) -> Path:
    """The corpus file for (`records`, `seed`), written on first use."""
    path = folder / f"real_{records}_s{seed}.jsonl"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        out.writelines(lines(records, seed))
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    path = build(args.records, args.seed)
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
