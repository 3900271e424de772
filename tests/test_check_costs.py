"""Every check's cost per record stays bounded whatever the text.

Each default check is timed (the engine's `stats.timings`, one process) on an ordinary corpus
built from the real data in tests/data/real and on adversarial corpora of the same size: text
in no language, one template for every prompt with short labels, and records that are all
near-copies of one another. A check whose cost per record on an adversarial corpus is more than
three times its cost on the ordinary one has a cost that depends on the text (a quadratic
grouping, a fallback to a slow path for every record). Each figure is the minimum of several
runs of CPU time (the engine's clock is replaced by this thread's CPU clock), so a busy machine
does not make the test flaky; the adversarial texts are about as long as the ordinary ones.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import pytest

import sftlint.engine
from sftlint.api import build_checks
from sftlint.config import Config
from sftlint.engine import run
from sftlint.findings import Severity

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import real_corpus  # noqa: E402

RECORDS = 2_000
RUNS = 5
#: the allowed ratio of adversarial to ordinary cost per record
BOUND = 3.0
#: the cost per record under which a check's cost is noise (timer overhead, scheduling, the
#: caches of a machine shared with other work), as a share of the whole ordinary cost per record
#: (every check and the reading) and at least NOISE_US: the blow-ups this test exists for are
#: tens of times the ordinary cost, not a few microseconds a record, and a slower machine makes
#: those microseconds more (SFT003 reads text outside ASCII for mojibake: some 10 us a record on
#: text in no language against 2.5-3.5 on ordinary text; SFT111 5 against 2.5 here, 17 against
#: 5.5 on a machine 2-3 times slower)
NOISE_SHARE = 0.04
NOISE_US = 5.0
#: Costs known to be above BOUND, with the bound they are held to instead and why: none now.
#: SFT109 was held to five times on text in no language, which it reads outside ASCII character
#: by character (2.0-3.5 times its ordinary cost on different machines); since its prose stopped
#: counting the CJK characters of lines with words enough, 1.7 (64.5 against 38 us a record).
KNOWN: dict[tuple[str, str], float] = {}
#: the real record the near-copies are made of (0-based line; a 346-character answer)
LINE = 24


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def ordinary(rng: random.Random) -> list[dict]:
    """Mixed real data: prose, template prompts, labels, code, Chinese, tool calls, copies."""
    return [json.loads(line) for line in real_corpus.lines(RECORDS, seed=rng.randint(0, 99))]


def ordinary_labels(rng: random.Random) -> list[dict]:
    """Classification data made of real text: checks that only look at labelled records (SFT110)
    cost nothing on most mixed records, so their ordinary cost is this one's."""
    sources = real_corpus.Sources()
    return [real_corpus.MAKERS["label"](rng, sources) for _ in range(RECORDS)]


_ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz",
    "абвгдежзиклмнопрстуфхцчшщыэюя",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自之着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长",
    "0123456789+-*/=<>{}[]()#@$%^&|~",
)


def _gibberish(rng: random.Random, words: int) -> str:
    """Word-shaped runs of letters from several scripts, digits and symbols: text in no language,
    in lines of 6-14 words as answers have (the cost of a line-based check follows line length)."""
    out = []
    for _ in range(words):
        alphabet = rng.choice(_ALPHABETS) + rng.choice(_ALPHABETS)
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))))
        out.append("\n" if rng.random() < 0.1 else " ")
    return "".join(out[:-1])


def no_language(rng: random.Random) -> list[dict]:
    return [
        {"instruction": _gibberish(rng, rng.randint(8, 40)), "output": _gibberish(rng, rng.randint(8, 80))}
        for _ in range(RECORDS)
    ]


def one_template(rng: random.Random) -> list[dict]:
    """Every prompt is the same long template around a short text; answers are labels that disagree."""
    template = (
        "You are a careful annotator. Read the customer review below and classify its overall sentiment. "
        "Answer with exactly one word: positive, negative or neutral. Do not explain your answer.\n\n"
        "Review: {text}"
    )
    words = "good bad fine slow fast broken great awful okay cheap".split()
    return [
        {
            "instruction": template.format(text=" ".join(rng.choices(words, k=3))),
            "input": "",
            "output": rng.choice(("positive", "negative", "neutral")),
        }
        for _ in range(RECORDS)
    ]


def near_copies(rng: random.Random) -> list[dict]:
    """Every record is one real record (of an ordinary length) with a word or two changed."""
    real = ROOT / "tests/data/real/alpaca_eval/gpt4_1106_preview.jsonl"
    base = json.loads(real.read_text(encoding="utf-8").splitlines()[LINE])
    words = base["output"].split(" ")
    out = []
    for _ in range(RECORDS):
        edited = list(words)
        for _ in range(rng.randint(1, 2)):
            edited[rng.randrange(len(edited))] = rng.choice(("the", "a", "very", "also", str(rng.randint(0, 999))))
        out.append({"instruction": base["instruction"], "output": " ".join(edited)})
    return out


CORPORA = {"no language": no_language, "one template": one_template, "near-copies": near_copies}


def costs(path: Path) -> dict[str, float]:
    """CPU microseconds per record of each default check on `path`: the minimum over RUNS runs."""
    best: dict[str, float] = {}
    for _ in range(RUNS):
        result = run([str(path)], build_checks(Config()), {}, Severity.ERROR, jobs=1)
        for code, seconds in result.stats["timings"].items():
            per_record = seconds / RECORDS * 1e6
            best[code] = min(best.get(code, per_record), per_record)
    return best


@pytest.fixture(autouse=True, scope="module")
def cpu_clock():
    """Time the checks by CPU, not wall: other processes on the machine do not count."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sftlint.engine, "perf_counter", time.thread_time)
        yield


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, float]:
    """Each check's cost per record on ordinary data: the higher of mixed and classification data."""
    folder = tmp_path_factory.mktemp("costs")
    mixed = _write(folder / "ordinary.jsonl", ordinary(random.Random(1)))
    labels = _write(folder / "labels.jsonl", ordinary_labels(random.Random(1)))
    run([str(mixed)], build_checks(Config()), {}, Severity.ERROR, jobs=1)  # loads what loads once
    of_mixed, of_labels = costs(mixed), costs(labels)
    return {code: max(of_mixed.get(code, 0.0), of_labels.get(code, 0.0)) for code in of_mixed.keys() | of_labels.keys()}


@pytest.mark.parametrize("name", list(CORPORA))
def test_no_check_costs_more_than_three_times_its_ordinary_cost(name, baseline, tmp_path):
    path = _write(tmp_path / "adversarial.jsonl", CORPORA[name](random.Random(2)))
    measured = costs(path)
    noise = max(NOISE_US, NOISE_SHARE * sum(baseline.values()))
    over = {
        code: f"{us:.1f} us/record against {baseline.get(code, 0.0):.1f} (noise below {noise:.1f})"
        for code, us in measured.items()
        if code != "read" and us > KNOWN.get((name, code), BOUND) * max(baseline.get(code, 0.0), noise)
    }
    assert not over, f"{name}: {over}"
