"""SFT203 contamination: training prompts that copy evaluation prompts, found through --against."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from neardup_helpers import edit, exact_jaccard, prose, write_jsonl
from sftlint.cli import cli, lint_paths
from sftlint.config import Config, load_config

TEMPLATE = "Answer the question about the passage below in one or two sentences, quoting the passage where you can."


def eval_records(n: int = 40, seed: int = 21) -> list[dict]:
    rng = random.Random(seed)
    return [{"instruction": TEMPLATE, "input": prose(rng, 60), "output": prose(rng, 20)} for _ in range(n)]


def train_and_eval(tmp_path: Path) -> tuple[Path, Path, dict[int, int]]:
    """150 training records on the same template as the evaluation set, 4 of which copy an eval prompt."""
    rng = random.Random(22)
    evals = eval_records()
    train = [{"instruction": TEMPLATE, "input": prose(rng, 60), "output": prose(rng, 20)} for _ in range(150)]
    leaks = {}
    for line, (source, changes) in zip((10, 50, 90, 140), ((3, 0), (17, 0), (25, 1), (33, 1)), strict=True):
        copied = evals[source - 1]
        train[line - 1] = {
            "instruction": TEMPLATE,
            "input": edit(rng, copied["input"], changes) if changes else copied["input"],
            "output": prose(rng, 20),
        }
        leaks[line] = source
    return write_jsonl(tmp_path / "train.jsonl", train), write_jsonl(tmp_path / "eval.jsonl", evals), leaks


def test_training_records_copying_eval_prompts_are_errors(tmp_path: Path) -> None:
    train, evals, leaks = train_and_eval(tmp_path)
    result = lint_paths([str(train)], Config(select=["SFT203"], against=[str(evals)]))
    found = {f.line: f for f in result.findings}
    assert set(found) == set(leaks)
    train_rows = [json.loads(x) for x in train.read_text().splitlines()]
    eval_rows = [json.loads(x) for x in evals.read_text().splitlines()]
    for line, finding in found.items():
        assert finding.severity.value == "error"
        assert finding.related[0].file == str(evals) and finding.related[0].line == leaks[line]
        prompt = lambda r: f"{r['instruction']}\n{r['input']}"  # noqa: E731
        assert finding.score == pytest.approx(
            exact_jaccard(prompt(train_rows[line - 1]), prompt(eval_rows[leaks[line] - 1])), abs=1e-4
        )
        assert f"{evals}:{leaks[line]}" in finding.message
    assert found[10].score == 1.0 and "is the same as" in found[10].message
    assert found[140].score < 1.0 and "threshold 0.8" in found[140].message
    assert result.verdict == "no-go"
    assert result.summaries["contamination"] == {
        "against": [str(evals)],
        "eval_records": 40,
        "contaminated": 4,
        "rate": round(4 / 40, 4),
        "training_records": 4,
        "threshold": 0.8,
        "on": "prompt",
    }


def test_same_template_without_copies_is_clean(tmp_path: Path) -> None:
    train, evals, leaks = train_and_eval(tmp_path)
    rows = [json.loads(x) for x in train.read_text().splitlines()]
    clean = write_jsonl(tmp_path / "clean.jsonl", [r for i, r in enumerate(rows, 1) if i not in leaks])
    result = lint_paths([str(clean)], Config(select=["SFT203"], against=[str(evals)]))
    assert result.findings == [] and result.verdict == "go"
    assert result.summaries["contamination"]["contaminated"] == 0


def test_without_an_eval_set_the_check_is_silent(tmp_path: Path) -> None:
    train, _, _ = train_and_eval(tmp_path)
    result = lint_paths([str(train)], Config(select=["SFT203"]))
    assert result.findings == [] and "contamination" not in result.summaries


def test_on_response_and_chat_eval_sets(tmp_path: Path) -> None:
    rng = random.Random(5)
    answers = [prose(rng, 50) for _ in range(20)]
    chat_eval = [
        {"messages": [{"role": "user", "content": prose(rng, 10)}, {"role": "assistant", "content": a}]}
        for a in answers
    ]
    evals = write_jsonl(tmp_path / "eval_chat.jsonl", chat_eval)
    train = [{"prompt": prose(rng, 10), "completion": prose(rng, 50)} for _ in range(30)]
    train.append({"prompt": "Something else entirely.", "completion": answers[7]})
    path = write_jsonl(tmp_path / "train.jsonl", train)
    by_prompt = lint_paths([str(path)], Config(select=["SFT203"], against=[str(evals)]))
    assert by_prompt.findings == []
    by_response = lint_paths(
        [str(path)], Config(select=["SFT203"], against=[str(evals)], checks={"contamination": {"on": "response"}})
    )
    assert [(f.line, f.related[0].line) for f in by_response.findings] == [(31, 8)]
    assert by_response.findings[0].message.startswith("response is the same as")


def test_through_the_cli_with_repeated_against(tmp_path: Path) -> None:
    train, evals, leaks = train_and_eval(tmp_path)
    rows = [json.loads(x) for x in evals.read_text().splitlines()]
    first = write_jsonl(tmp_path / "eval_a.jsonl", rows[:20])
    second = write_jsonl(tmp_path / "eval_b.jsonl", rows[20:])
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "lint",
            str(train),
            "--select",
            "SFT203",
            "--against",
            str(first),
            "--against",
            str(second),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["verdict"] == "no-go"
    where = {f["line"]: (f["related"][0]["file"], f["related"][0]["line"]) for f in doc["findings"]}
    expected = {line: (str(first), src) if src <= 20 else (str(second), src - 20) for line, src in leaks.items()}
    assert where == expected
    assert doc["summaries"]["contamination"]["against"] == [str(first), str(second)]
    assert doc["summaries"]["contamination"]["eval_records"] == 40


def test_against_in_config_is_relative_to_the_config_file(tmp_path: Path) -> None:
    train, evals, leaks = train_and_eval(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "sftlint.toml").write_text('against = ["../eval.jsonl"]\nselect = ["SFT203"]\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config, _ = load_config(project / "sftlint.toml", {}, cwd=elsewhere)
    assert config.against == [str(evals.resolve())]
    command = [sys.executable, "-m", "sftlint", "lint", str(train), "--config", str(project / "sftlint.toml")]
    proc = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, cwd=elsewhere, check=False)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert sorted(f["line"] for f in doc["findings"]) == sorted(leaks)


def test_a_missing_eval_set_is_a_usage_error(tmp_path: Path) -> None:
    train, _, _ = train_and_eval(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(train), "--against", str(tmp_path / "nope.jsonl")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"sftlint: error: {tmp_path / 'nope.jsonl'}: no such file"
