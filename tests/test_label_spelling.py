"""SFT202 label hygiene: one label spelled several ways is reported; different labels are not."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from readiness_support import REPO, findings, lint_json, write_jsonl
from sftlint.text.labels import edit_distance, label_key, spelling_variants

TICKETS = REPO / "sample_data" / "tickets.jsonl"


def _spelling(output: dict) -> dict[int, dict]:
    """SFT202 findings about spellings, by line."""
    return {f["line"]: f for f in findings(output, "SFT202") if f["line"] is not None}


@pytest.fixture
def misspelt_tickets(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """The sample tickets (billing, bug, how-to, account, feature-request) with some labels
    respelt on chosen lines; returns the file and {line: canonical label}."""
    records = [json.loads(line) for line in TICKETS.read_text(encoding="utf-8").splitlines()]
    respell = {
        "billing": ["Billing", "billing ", "biling", "BILLING."],
        "bug": ["Bug!"],
        "feature-request": ["feature request", "Feature_Request", "feature-reqest"],
        "account": ["acount"],
    }
    rng = random.Random(2)
    planted: dict[int, str] = {}
    for canonical, spellings in respell.items():
        lines = [i for i, r in enumerate(records) if r["label"] == canonical and i + 1 not in planted]
        for spelling, i in zip(spellings, rng.sample(lines, len(spellings)), strict=True):
            records[i]["label"] = spelling
            planted[i + 1] = canonical
    return write_jsonl(tmp_path / "tickets.jsonl", records), planted


def test_respelt_labels_are_reported_on_every_record_with_the_canonical_spelling(misspelt_tickets) -> None:
    path, planted = misspelt_tickets
    code, out = lint_json(str(path), "--select", "SFT202", "--min-pairs", "1")
    found = _spelling(out)
    assert set(found) == set(planted)
    for line, canonical in planted.items():
        f = found[line]
        assert f["data"]["canonical"] == canonical
        assert f"is likely '{canonical}'" in f["message"]
        assert f["severity"] == "warning"
    assert "1 edit away" in found[min(n for n, c in planted.items() if c == "account")]["message"]
    assert "case, spacing or punctuation" in next(f["message"] for f in found.values() if f["data"]["label"] == "Bug!")
    spellings = out["summaries"]["label-imbalance"]["spellings"]
    assert spellings["biling"] == "billing" and spellings["feature request"] == "feature-request"
    # the variants need merging, not more examples: they are not in the rare-label warning
    assert not [f for f in findings(out, "SFT202") if f["line"] is None and "fewer than" in f["message"]]
    assert code == 0  # warnings do not fail the default verdict


def test_clean_sample_tickets_have_no_spelling_findings() -> None:
    _, out = lint_json(str(TICKETS), "--select", "SFT202", "--min-pairs", "1")
    assert _spelling(out) == {}
    assert out["summaries"]["label-imbalance"]["spellings"] == {}
    assert len(out["summaries"]["label-imbalance"]["labels"]) == 5


def test_genuinely_different_labels_stay_quiet(tmp_path: Path) -> None:
    """Pairs a letter or two apart that are real classes: negations, numbered labels, short
    labels, and near-spellings that both have many examples."""
    counts = {
        "valid": 60, "invalid": 12, "relevant": 50, "irrelevant": 9, "class_1": 40, "class_2": 5,
        "bug": 70, "bugs": 4, "billing": 80, "sport": 30, "short": 25, "helpful": 40, "unhelpful": 8,
    }  # fmt: skip
    records = [
        {"instruction": f"Item {i} of {label}", "output": "ok", "label": label}
        for label, n in counts.items()
        for i in range(n)
    ]
    _, out = lint_json(str(write_jsonl(tmp_path / "d.jsonl", records)), "--select", "SFT202", "--min-pairs", "1")
    assert _spelling(out) == {}
    assert out["summaries"]["label-imbalance"]["spellings"] == {}


def test_short_answers_with_a_typo_are_reported(tmp_path: Path) -> None:
    """Without a label field the short response is the label (already lower-cased): typos remain."""
    records = [
        {"instruction": f"Review {i}: the product was {'great' if i % 2 else 'awful'}.", "output": label}
        for i, label in enumerate(["Positive", "Negative"] * 60)
    ]
    records[7]["output"] = "Postive"
    records[8]["output"] = "negatve."
    _, out = lint_json(str(write_jsonl(tmp_path / "s.jsonl", records)), "--select", "SFT202", "--min-pairs", "1")
    found = _spelling(out)
    assert {line: f["data"]["canonical"] for line, f in found.items()} == {8: "positive", 9: "negative"}


def test_spelling_variants_unit_cases() -> None:
    counts = Counter({"positive": 400, "Positive": 30, "positive ": 5, "Postive": 3, "negative": 380, "nuetral": 4,
                      "neutral": 100})  # fmt: skip
    variants = spelling_variants(counts, 0.2, 50)
    assert variants == {
        "Positive": ("positive", "differs in case, spacing or punctuation"),
        "positive ": ("positive", "differs in case, spacing or punctuation"),
        "Postive": ("positive", "1 edit away"),
        "nuetral": ("neutral", "1 edit away"),  # a swap of neighbours is one edit
    }
    # a near-spelling with as many examples as the other is a class of its own
    assert spelling_variants(Counter({"positive": 100, "postive": 40}), 0.2, 50) == {}
    assert spelling_variants(Counter({"billing": 100, "bug": 2}), 0.2, 50) == {}
    assert label_key(" Feature_Request! ") == "featurerequest"
    assert edit_distance("billing", "bug", 2) == 3 and edit_distance("positive", "psoitive", 2) == 1


def test_labels_spelled_oddly_do_not_raise(tmp_path: Path) -> None:
    records = [{"instruction": f"x {i}", "output": "y", "label": label} for i, label in enumerate(
        ["", " ", "!!", "?", "é", "\u0000", "a" * 500, "12345", "12354", "🙂", "positive"] * 5)]  # fmt: skip
    code, out = lint_json(str(write_jsonl(tmp_path / "odd.jsonl", records)), "--select", "SFT202", "--min-pairs", "1")
    assert code in (0, 1)
    assert "label-imbalance" in out["summaries"]


def test_many_spellings_of_few_labels_are_still_a_label_set(tmp_path: Path) -> None:
    """60 distinct strings that are 3 labels spelled many ways: over `max_classes` (50) only
    before the variants are merged."""
    records = [{"instruction": f"Ticket {i}", "output": "ok", "label": ["billing", "account", "shipping"][i % 3]}
               for i in range(3000)]  # fmt: skip
    for n in range(20):
        for k, base in enumerate(("billing", "account", "shipping")):
            records[n * 3 + k]["label"] = base.upper() + "." * (n + 1)
    _, out = lint_json(str(write_jsonl(tmp_path / "m.jsonl", records)), "--select", "SFT202", "--min-pairs", "1")
    assert len(out["summaries"]["label-imbalance"]["labels"]) == 63
    assert len(_spelling(out)) == 60
    free = [{"instruction": f"Capital {i}?", "output": f"city{i}"} for i in range(300)]
    _, out = lint_json(str(write_jsonl(tmp_path / "f.jsonl", free)), "--select", "SFT202", "--min-pairs", "1")
    assert out["findings"] == [] and out["summaries"]["label-imbalance"]["labels"] == {}
