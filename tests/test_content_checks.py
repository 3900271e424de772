"""Content checks that judge a record against the whole dataset (SFT105, SFT106, SFT110, SFT202),
plus real-data and configuration tests for SFT105-SFT110. The record-level cases of SFT107-SFT109
are data in tests/cases/."""

from __future__ import annotations

import json
import random

import pytest

from conftest import REAL_DATA, sample_generator, write_jsonl
from sftlint.text import retrieval

ALPACA_EVAL = REAL_DATA / "alpaca_eval"


GEN = sample_generator()


def _found(out: dict, code: str) -> dict[int, dict]:
    return {f["line"]: f for f in out["findings"] if f["code"] == code}


def _planted(lint, tmp_path, shape: str, kind: str, n: int = 600, rate: float = 0.02, seed: int = 3):
    records = GEN.clean_records(n, seed=seed, shape=shape)
    lines, manifest = GEN.plant_defects(records, rate, seed, kinds=[kind])
    assert manifest, f"no {kind} defect was planted"
    path = tmp_path / f"{shape}.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    _, out = lint(None, "--min-pairs", "1", "--preview", path=path)
    return out, manifest


def _real(name: str) -> list[dict]:
    return [json.loads(line) for line in (ALPACA_EVAL / name).read_text(encoding="utf-8").splitlines()]


# -- SFT105 length-outlier ------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["alpaca", "chat"])
def test_length_outliers_fire_on_planted_long_and_one_word_responses(lint, tmp_path, shape):
    out, manifest = _planted(lint, tmp_path, shape, "length-outlier")
    planted = {m["line"] for m in manifest}
    found = _found(out, "SFT105")
    assert planted and planted <= set(found)
    assert len(set(found) - planted) <= 1
    assert all("median" in f["message"] and "outlier" in f["message"] for f in found.values())


def test_length_outlier_quiet_on_clean_data_and_summary_has_histograms(lint, tmp_path):
    path = write_jsonl(tmp_path / "clean.jsonl", GEN.clean_records(400, seed=11))
    _, out = lint(None, "--select", "SFT105", "--min-pairs", "1", path=path)
    assert _found(out, "SFT105") == {}
    summary = out["summaries"]["length-outlier"]
    assert summary["max_tokens"] == 4096
    for side in ("instruction", "response"):
        histogram = summary[side]["histogram"]
        assert len(histogram["edges"]) == len(histogram["counts"]) + 1
        assert sum(histogram["counts"]) == 400
        assert summary[side]["high"] > summary[side]["median"] > 0
    assert summary["instruction"]["low"] is None
    assert summary["response"]["low"] is not None


def test_token_limit_is_configurable_and_reported_in_small_files(lint, tmp_path):
    config = tmp_path / "sftlint.toml"
    config.write_text("[checks.length-outlier]\nmax_tokens = 50\n")
    items = [
        {"instruction": "Summarise this.", "output": "word " * 300},
        {"instruction": "Hi", "output": "Hello there."},
    ]
    _, out = lint(items, "--select", "SFT105", "--config", str(config), "--min-pairs", "1")
    found = _found(out, "SFT105")
    assert list(found) == [1]
    assert "the limit is 50" in found[1]["message"]


# -- SFT106 off-task ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["alpaca", "chat"])
def test_off_task_finds_swapped_and_shifted_responses(lint, tmp_path, shape):
    out, manifest = _planted(lint, tmp_path, shape, "off-task", n=2000, rate=0.01)
    planted = {m["line"] for m in manifest}
    found = _found(out, "SFT106")
    assert len(planted & set(found)) >= 0.8 * len(planted)
    assert len(set(found) - planted) <= 0.002 * 2000
    summary = out["summaries"]["off-task"]
    assert summary["signal"] == "topic" and summary["judged"] > 1900 and summary["threshold"] > 0
    assert all("quantile of shuffled pairs" in f["message"] or "misaligned" in f["message"] for f in found.values())


def test_off_task_names_the_record_a_shifted_response_belongs_to(lint, tmp_path):
    out, manifest = _planted(lint, tmp_path, "alpaca", "off-task", n=2000, rate=0.01)
    shifted = {m["line"]: m["partner"] for m in manifest if m["variant"] == "shifted-block" and m["partner"]}
    assert shifted, "no shifted block was planted"
    found = _found(out, "SFT106")
    named = [f for line, f in found.items() if line in shifted and f["data"]["signal"] == "misaligned"]
    assert sum(f["related"][0]["line"] == shifted[f["line"]] for f in named) >= 0.75 * len(shifted)


def test_off_task_quiet_on_clean_generated_data(lint, tmp_path):
    path = write_jsonl(tmp_path / "clean.jsonl", GEN.clean_records(2000, seed=21, shape="chat"))
    _, out = lint(None, "--select", "SFT106", "--min-pairs", "1", path=path)
    assert len(_found(out, "SFT106")) <= 0.002 * 2000


@pytest.mark.parametrize("postings", [None, 20], ids=["default", "large-file-search"])
def test_off_task_on_real_answers_flags_swaps_and_names_the_record_they_belong_to(lint, monkeypatch, postings):
    """With `postings`, the search for the prompt a response fits uses rarer terms only, as in
    files with more prompts than `_POSTINGS` share a term; it must still find the swaps."""
    if postings is not None:
        monkeypatch.setattr(retrieval, "_POSTINGS", postings)
    records = _real("gpt4_1106_preview.jsonl")
    rng = random.Random(5)
    swaps = {}
    for i in rng.sample(range(len(records)), 12):
        j = (i + 97) % len(records)
        records[i] = {**records[i], "output": records[j]["output"]}
        swaps[i + 1] = j + 1
    _, out = lint(records, "--select", "SFT106", "--min-pairs", "1")
    found = _found(out, "SFT106")
    assert out["summaries"]["off-task"]["signal"] == "relevance"
    assert len(set(swaps) & set(found)) >= 11
    assert len(set(found) - set(swaps)) <= 0.01 * len(records)
    related = [f for line, f in found.items() if line in swaps and f["data"]["signal"] == "misaligned"]
    assert sum(f["related"][0]["line"] == swaps[f["line"]] for f in related) >= 0.5 * len(related) > 0


def test_off_task_quiet_on_real_clean_answers(lint):
    _, out = lint(None, "--select", "SFT106", "--min-pairs", "1", path=ALPACA_EVAL / "gpt4_1106_preview.jsonl")
    assert len(_found(out, "SFT106")) <= 0.01 * out["stats"]["records"]


def test_off_task_finds_responses_shuffled_among_real_records(lint):
    records = _real("gpt4_1106_preview.jsonl")
    rng = random.Random(11)
    chosen = sorted(rng.sample(range(len(records)), 20))
    outputs = [records[i]["output"] for i in chosen]
    rotated = outputs[1:] + outputs[:1]  # every chosen record gets another chosen record's response
    for i, output in zip(chosen, rotated, strict=True):
        records[i] = {**records[i], "output": output}
    _, out = lint(records, "--select", "SFT106", "--min-pairs", "1")
    found = _found(out, "SFT106")
    shuffled = {i + 1 for i in chosen}
    assert len(shuffled & set(found)) >= 0.9 * len(shuffled)
    assert len(set(found) - shuffled) <= 0.01 * len(records)


def test_off_task_does_not_judge_short_answers(lint, tmp_path):
    items = [{"instruction": f"Classify ticket {i}: my card was charged twice", "output": "billing"} for i in range(80)]
    _, out = lint(items, "--select", "SFT106", "--min-pairs", "1")
    assert _found(out, "SFT106") == {}
    assert out["summaries"]["off-task"]["judged"] == 0


# -- SFT107-SFT109 on real data ---------------------------------------------------------------


def test_real_clean_answers_are_not_echoes_loops_or_other_languages(lint):
    path = ALPACA_EVAL / "gpt4_1106_preview.jsonl"
    _, out = lint(None, "--select", "SFT107,SFT109", "--min-pairs", "1", path=path)
    assert out["findings"] == []
    summary = out["summaries"]["language-mismatch"]
    assert summary["languages"]["en"] == summary["checked"] > 500


def test_garbage_model_output_is_degenerate(lint):
    _, out = lint(None, "--select", "SFT107", "--min-pairs", "1", path=ALPACA_EVAL / "NullModel.jsonl")
    assert len(_found(out, "SFT107")) == out["stats"]["records"] == 150


def test_language_check_is_deterministic_and_uses_the_cache(tmp_path):
    from sftlint.checks.language_mismatch import LanguageMismatch
    from sftlint.records import normalise

    texts = ["Das ist ein kurzer Satz auf Deutsch über Rechnungen", "Ceci est une réponse en français sur les factures"]
    rows = [{"instruction": "Explain briefly how invoices are numbered in the app.", "output": t} for t in texts * 3]
    runs = []
    for _ in range(2):
        check = LanguageMismatch()
        found = [f for i, r in enumerate(rows) for f in check.check_record(normalise(r, "f", i + 1)[0])]
        runs.append([(f.line, f.message) for f in found])
        assert check.summary()["checked"] == 6
    assert runs[0] == runs[1] and len(runs[0]) == 6


def test_refusal_phrases_are_configurable_and_bad_expressions_are_a_config_error(lint, tmp_path):
    config = tmp_path / "sftlint.toml"
    config.write_text('[checks.refusal-boilerplate]\nextra_phrases = ["please contact support"]\n')
    items = [{"instruction": "How do I export?", "output": "Please contact support for that."}]
    _, out = lint(items, "--select", "SFT108", "--config", str(config), "--min-pairs", "1")
    assert list(_found(out, "SFT108")) == [1]

    from sftlint.cli import main

    config.write_text('[checks.refusal-boilerplate]\nphrases = ["(unclosed"]\n')
    path = write_jsonl(tmp_path / "d.jsonl", items)
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(path), "--config", str(config)], capture_output=True, text=True
    )
    assert done.returncode == 2 and "invalid regular expression" in done.stderr
    assert main  # the console entry point is what turns the error into exit code 2


# -- SFT110 label-inconsistency and SFT202 label-imbalance ---------------------------------------


def test_conflicting_labels_report_every_member_with_the_others_related(lint, tmp_path):
    tickets = GEN.classification_records(500, seed=4)
    lines, manifest = GEN.plant_defects(tickets, 0.02, 4, kinds=["label-inconsistency"])
    assert manifest, "no label conflict was planted"
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    _, out = lint(None, "--select", "SFT110,SFT202", "--min-pairs", "1", path=path)
    found = _found(out, "SFT110")
    expected = {m["line"] for m in manifest} | {m["partner"] for m in manifest}
    assert set(found) == expected
    for m in manifest:
        assert {"file": str(path), "line": m["partner"], "record": m["partner"]} in found[m["line"]]["related"]
        assert " x1" in found[m["line"]]["message"]
    summary = out["summaries"]["label-inconsistency"]
    assert summary["classification_like"] is True
    assert len(summary["groups"]) == len(manifest)
    group = summary["groups"][0]
    assert len(group["prompt"]) <= 200 and len(group["labels"]) == 2 and len(group["members"]) == 2
    imbalance = out["summaries"]["label-imbalance"]
    assert sum(imbalance["labels"].values()) == len(lines) and 0 < imbalance["majority_share"] < 1


def test_near_same_prompts_with_different_short_answers_conflict(lint, tmp_path):
    base = (
        "Is the following review positive or negative? "
        "The delivery was quick and the support team answered every question"
    )
    items = [
        {
            "instruction": f"Review {i}: {'great' if i % 2 else 'awful'} product number {i}",
            "output": "positive" if i % 2 else "negative",
        }
        for i in range(40)
    ]
    items += [
        {"instruction": base + ".", "output": "Positive"},
        {"instruction": base.lower() + "!!", "output": "negative"},
    ]
    items += [{"instruction": "Please: " + base, "output": "negative"}]
    _, out = lint(items, "--select", "SFT110", "--min-pairs", "1")
    assert set(_found(out, "SFT110")) == {41, 42, 43}


def test_long_form_answers_that_differ_are_not_label_conflicts(lint, tmp_path):
    items = [
        {
            "instruction": f"Explain topic {i % 20} to a beginner.",
            "output": f"Here is one long explanation number {i} with plenty of words in it.",
        }
        for i in range(60)
    ]
    _, out = lint(items, "--select", "SFT110,SFT202", "--min-pairs", "1")
    assert out["findings"] == []
    assert out["summaries"]["label-inconsistency"]["classification_like"] is False


def test_same_instructions_answered_by_two_models_are_not_conflicts(lint, tmp_path):
    path = ALPACA_EVAL / "gpt4_1106_preview.jsonl"
    other = ALPACA_EVAL / "alpaca-7b.jsonl"
    from click.testing import CliRunner

    from sftlint.cli import cli

    result = CliRunner().invoke(cli, ["lint", str(path), str(other), "--format", "json", "--select", "SFT110,SFT202"])
    out = json.loads(result.output)
    assert out["findings"] == []


def test_label_imbalance_warns_on_a_dominant_label_and_rare_labels(lint, tmp_path):
    items = [
        {"instruction": f"Ticket {i}: question about invoices", "output": "x", "label": "billing"} for i in range(95)
    ]
    items += [{"instruction": f"Ticket {i}: app crashes", "output": "x", "label": "bug"} for i in range(95, 100)]
    _, out = lint(items, "--select", "SFT202", "--min-pairs", "1")
    messages = [f["message"] for f in out["findings"]]
    assert any("'billing' holds 95%" in m for m in messages)
    assert any("'bug' (5)" in m for m in messages)
    assert all(f["line"] is None for f in out["findings"])
    assert out["summaries"]["label-imbalance"] == {
        "labels": {"billing": 95, "bug": 5},
        "majority_share": 0.95,
        "basis": "label field",
        "spellings": {},
    }


def test_label_imbalance_quiet_on_balanced_labels(lint, tmp_path):
    labels = ["billing", "bug", "account", "export"]
    items = [{"instruction": f"Ticket {i}", "output": "x", "label": labels[i % 4]} for i in range(80)]
    _, out = lint(items, "--select", "SFT202", "--min-pairs", "1")
    assert out["findings"] == []
    assert out["summaries"]["label-imbalance"]["majority_share"] == 0.25


def test_label_imbalance_leaves_free_short_answers_alone(lint, tmp_path):
    """Capitals, trivia: short answers most of which differ are no label set ("12 label(s) have
    fewer than 10 examples" on a quiz); short answers that come back are one, without a label field."""
    capitals = ["Paris", "Madrid", "Rome", "Berlin", "Lisbon", "Vienna", "Athens", "Oslo", "Bern", "Dublin", "Warsaw"]
    items = [{"instruction": f"What is the capital of country {i}?", "output": c} for i, c in enumerate(capitals)]
    _, out = lint(items, "--select", "SFT202", "--min-pairs", "1")
    assert out["findings"] == [] and out["summaries"]["label-imbalance"]["labels"] == {}
    answers = ["positive"] * 40 + ["negative"] * 3
    items = [{"instruction": f"Sentiment of review {i}: fine product", "output": a} for i, a in enumerate(answers)]
    _, out = lint(items, "--select", "SFT202", "--min-pairs", "1")
    assert any("'negative' (3)" in f["message"] for f in out["findings"])


def test_content_checks_do_not_raise_on_odd_records(lint, tmp_path):
    items = [
        {"instruction": "", "output": ""},
        {"instruction": "x" * 10000, "output": "\u4e2d\u6587" * 300},
        {"instruction": "```\ncode only\n```", "output": "```python\nprint(1)\n```"},
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "} } } } }"}]},
        {"instruction": "Label?", "output": "yes", "label": 3},
    ]
    _, out = lint(items, "--select", "SFT105,SFT106,SFT107,SFT108,SFT109,SFT110,SFT202", "--min-pairs", "1")
    assert not [f for f in out["findings"] if "crashed" in f["message"]]


def test_a_language_mismatch_names_langdetect_only_where_it_decided(lint):
    """Told by function words on both sides, the message said "langdetect calls a language at p >= 0.9"."""
    record = {
        "instruction": "Write a short note to your neighbour about the party that you are planning for the weekend.",
        "output": "Liebe Nachbarin, wir machen am Samstag eine kleine Feier und es wird vielleicht etwas lauter "
        "als sonst. Wir hoffen, dass du nicht böse bist, und du bist natürlich auch eingeladen.",
    }
    _, out = lint([record], "--select", "SFT109", "--min-pairs", "1")
    [found] = [f["message"] for f in out["findings"] if f["code"] == "SFT109"]
    assert found == "response is in 'de' (function words), instruction in 'en' (function words)"


def test_json_nested_too_deeply_to_parse_is_no_crash_of_any_check(lint):
    """A response of JSON nested thousands deep: SFT116 parsed it to tell a cut one, and crashed
    (an error finding, a NO-GO) on a complete one."""
    deep = '{"a":' * 3000 + "1" + "}" * 3000
    items = [
        {"instruction": "Give me nested JSON", "output": deep},
        {"instruction": "And a list", "output": "[" * 3000 + "]" * 3000},
        {"instruction": "Cut it", "output": '{"a":' * 3000 + "1"},
    ]
    _, out = lint(items, "--preview", "--min-pairs", "1")
    assert not [f for f in out["findings"] if "crashed" in f["message"]]
