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
from sftlint.api import lint_paths
from sftlint.checks.contamination import WORD_SHINGLE
from sftlint.cli import cli
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
            exact_jaccard(prompt(train_rows[line - 1]), prompt(eval_rows[leaks[line] - 1]), WORD_SHINGLE), abs=1e-4
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
        "by_shared_run": 0,
        "threshold": 0.8,
        "ngram": 13,
        "short_ngram": 8,
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
    assert result.findings == []
    summary = result.summaries["contamination"]
    assert summary["skipped"] == "no evaluation set given (--against)" and summary["eval_records"] == 0


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


REAL = Path(__file__).resolve().parent / "data" / "real"
ALPACA_EVAL = REAL / "alpaca_eval" / "gpt4_1106_preview.jsonl"


def real_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def lint_against(train: Path, *options: str) -> dict:
    """`sftlint lint train --select SFT203 --against` the real AlpacaEval file, through the CLI."""
    args = ["lint", str(train), "--select", "SFT203", "--against", str(ALPACA_EVAL), "--format", "json", *options]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def unrelated_training_records() -> list[dict]:
    """Real records that are not AlpacaEval's: HumanEval tasks as alpaca records."""
    return [
        {"instruction": r["instruction"], "output": r["output"]}
        for r in real_rows(REAL / "code" / "humaneval.jsonl")[:40]
    ]


def test_a_question_with_one_name_swapped_and_the_same_answer_is_contamination(tmp_path: Path) -> None:
    evals = real_rows(ALPACA_EVAL)
    swaps = {183: ("Anakin", "Luke"), 275: ("Robert Frost", "Emily Dickinson")}
    train = unrelated_training_records()
    for line, (name, other) in swaps.items():
        assert name in evals[line - 1]["instruction"]
        train.append(
            {"instruction": evals[line - 1]["instruction"].replace(name, other), "output": evals[line - 1]["output"]}
        )
    path = write_jsonl(tmp_path / "train.jsonl", train)
    doc = lint_against(path)
    found = {f["line"]: f for f in doc["findings"]}
    assert sorted(found) == [41, 42]
    anakin, frost = found[41], found[42]
    shown = anakin["related"][0]["file"]  # the evaluation file as the message names it
    assert Path(shown).resolve() == ALPACA_EVAL
    assert anakin["related"][0]["line"] == 183 and frost["related"][0] == {"file": shown, "line": 275, "record": 275}
    run = "skywalker encountering a jedi who speaks and acts like a 1920s british aristocrat"
    assert f'shares a run of 13 words with the evaluation record at {shown}:183: "{run}"' in anakin["message"]
    assert frost["data"]["shared_run"] == "write a poem about a family sailing vacation in bora bora in the style of"
    assert all(f["score"] < 0.8 for f in found.values())  # the whole-prompt Jaccard alone misses both
    assert doc["summaries"]["contamination"]["by_shared_run"] == 2
    assert doc["verdict"] == "no-go"
    (tmp_path / "off.toml").write_text("[checks.contamination]\nngram = 0\n", encoding="utf-8")
    assert lint_against(path, "--config", str(tmp_path / "off.toml"))["findings"] == []


def test_a_shared_template_or_phrase_is_not_contamination(tmp_path: Path) -> None:
    """AlpacaEval's recipe frame with other dishes, and a set phrase of one short evaluation prompt elsewhere."""
    evals = real_rows(ALPACA_EVAL)
    frame = next(r["instruction"] for r in evals if r["instruction"].startswith("I like to host guests"))
    assert sum(r["instruction"].startswith(frame[:60]) for r in evals) >= 10  # a template of the evaluation set
    head = frame[: frame.index("I am interested in trying")]
    train = unrelated_training_records()
    for cuisine, dish in (("Peruvian", "Lomo Saltado"), ("Hungarian", "Lecsó"), ("Vietnamese", "Bún chả")):
        train.append(
            {
                "instruction": f"{head}I am interested in trying some {cuisine} dishes. "
                f"Can you give me a recipe for {dish}?",
                "output": "Sure.",
            }
        )
    boilerplate = "Do not offer any explanation or out of character notes."
    assert sum(boilerplate in r["instruction"] for r in evals) == 1  # one evaluation prompt has it
    tasks = [
        "Write a monologue of a pirate captain at dawn.",
        "Write a dialogue between two knights after a battle.",
        "Write a letter from a lighthouse keeper to his sister.",
        "Write a diary entry of a tired dragon.",
    ]
    for task in tasks:
        train.append({"instruction": f"{task} {boilerplate}", "output": "..."})
    doc = lint_against(write_jsonl(tmp_path / "train.jsonl", train))
    assert doc["findings"] == []
    assert doc["summaries"]["contamination"]["training_records"] == 0


def test_a_passage_of_an_evaluation_prompt_is_contamination_unless_many_training_records_share_it(
    tmp_path: Path,
) -> None:
    """Two sentences of a 38-word AlpacaEval prompt in one training prompt leak it; in four, they are boilerplate."""
    passage = "Your job is coming up with viral TikTok ideas. "
    passage += "Your ideas are always, creative, and the TikTok audience loves them."
    assert sum(passage in r["instruction"] for r in real_rows(ALPACA_EVAL)) == 1
    tasks = [f"Write a script about {topic}." for topic in ("a cat café", "street food", "old cameras", "morning runs")]
    records = [{"instruction": f"You are a video creator. {passage} {task}", "output": "..."} for task in tasks]
    train = unrelated_training_records()
    once = lint_against(write_jsonl(tmp_path / "once.jsonl", train + records[:1]))
    assert [f["line"] for f in once["findings"]] == [41]
    assert once["findings"][0]["data"]["shared_words"] == 24 and once["findings"][0]["related"][0]["line"] == 202
    assert lint_against(write_jsonl(tmp_path / "four.jsonl", train + records))["findings"] == []


def test_a_long_shared_passage_is_grown_into_its_run_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every n-gram of a long passage two texts share matches: the first grows the whole run, the
    others fall inside it (each grown again, a 16,000-word passage took 38 s and 100,000 words
    more than ten minutes)."""
    import sftlint.checks.contamination as contamination

    grown = []
    real_grow = contamination._grow
    monkeypatch.setattr(contamination, "_grow", lambda *args: grown.append(args[2:]) or real_grow(*args))
    rng = random.Random(3)
    passage = " ".join(f"w{rng.randint(0, 99_999)}" for _ in range(5_000))
    asked = {"instruction": "Summarise this.", "input": passage, "output": "ok"}
    train = write_jsonl(tmp_path / "train.jsonl", [asked])
    held = write_jsonl(tmp_path / "eval.jsonl", [{**asked, "input": f"{passage} more", "output": "x"}])
    config = Config(against=[str(held)], select=["SFT203"], checks={"contamination": {"threshold": 1.0}})
    result = lint_paths([str(train)], config)
    assert [f.code for f in result.findings] == ["SFT203"] and result.findings[0].data["shared_words"] == 5_002
    assert len(grown) <= 2  # one run: its first n-gram of each length
