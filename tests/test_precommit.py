"""The pre-commit hook, run by the real pre-commit: a bad dataset's commit is blocked, a good one goes in;
each staged file is its own dataset, and evaluation sets named in config are checked as such.

The hook repository is a git copy of this working tree (pre-commit installs a hook from a
commit, and the checkout may have uncommitted changes); the dataset repository uses the
`.pre-commit-config.yaml` snippet from docs/workflow.md with that copy's path and commit. The
first run builds the hook's environment from PyPI (about 20 s).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REAL_DATA, REPO
from sftlint.cli import cli

REAL = REAL_DATA / "alpaca_eval" / "gpt4_1106_preview.jsonl"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "build", "dist", "corpora", "*.html"
)


def readme_snippet() -> dict:
    """The `.pre-commit-config.yaml` the workflow docs tell a team to paste."""
    text = (REPO / "docs" / "workflow.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.DOTALL)
    assert match, "docs/workflow.md has no .pre-commit-config.yaml snippet"
    return yaml.safe_load(match.group(1))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Git and pre-commit isolated from the user's configuration and caches."""
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Data Team",
        "GIT_AUTHOR_EMAIL": "data@example.com",
        "GIT_COMMITTER_NAME": "Data Team",
        "GIT_COMMITTER_EMAIL": "data@example.com",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }


def git(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def hook_repository(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """This working tree, committed into a fresh git repository; returns its path and commit."""
    hook = tmp_path / "sftlint-hook"
    shutil.copytree(REPO, hook, ignore=NOT_COPIED)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "sftlint")):
        assert git(env, hook, *args).returncode == 0
    assert (hook / ".pre-commit-hooks.yaml").is_file()
    return hook, git(env, hook, "rev-parse", "HEAD").stdout.strip()


def real_lines(n: int) -> list[str]:
    with REAL.open(encoding="utf-8") as handle:
        return [handle.readline().rstrip("\n") for _ in range(n)]


def dataset_repository(tmp_path: Path, env: dict[str, str], config: dict) -> Path:
    """A git repository with the hook installed from `config`."""
    data = tmp_path / "datasets"
    data.mkdir()
    assert git(env, data, "init", "-q").returncode == 0
    (data / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=data, env=env, capture_output=True, text=True
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return data


def test_precommit_blocks_a_bad_dataset_and_lets_a_good_one_in(tmp_path, env):
    hook, rev = hook_repository(tmp_path, env)
    config = readme_snippet()
    config["repos"][0].update(repo=str(hook), rev=rev)
    config["repos"][0]["hooks"][0]["args"] = ["--min-pairs", "20"]
    data = dataset_repository(tmp_path, env, config)
    git(env, data, "add", ".pre-commit-config.yaml")

    good = real_lines(30)
    bad = [
        *good[:12],
        json.dumps({"instruction": "Name the capital of Peru.", "output": ""}),
        *good[12:25],
        '{"instruction": "Sum',
    ]
    (data / "train.jsonl").write_text("\n".join(bad) + "\n", encoding="utf-8")
    (data / "notes.txt").write_text("not a dataset: the hook does not look at it\n")
    git(env, data, "add", "train.jsonl", "notes.txt")
    blocked = git(env, data, "commit", "-m", "add training data")
    shown = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, shown
    assert "sftlint" in shown and "Failed" in shown
    assert "train.jsonl:13: SFT101 empty-response response is empty" in shown
    assert "train.jsonl:27: SFT001 invalid-json" in shown
    assert "NO-GO" in shown
    assert git(env, data, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # nothing was committed

    (data / "train.jsonl").write_text("\n".join(good) + "\n", encoding="utf-8")
    git(env, data, "add", "train.jsonl")
    passed = git(env, data, "commit", "-m", "add training data")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"sftlint\.+Passed", passed.stdout + passed.stderr)
    committed = git(env, data, "ls-tree", "--name-only", "HEAD").stdout.split()
    assert sorted(committed) == [".pre-commit-config.yaml", "notes.txt", "train.jsonl"]

    (data / "notes.txt").write_text("edited\n")
    git(env, data, "add", "notes.txt")
    skipped = git(env, data, "commit", "-m", "notes only")
    assert skipped.returncode == 0 and re.search(
        r"sftlint\.+\(no files to check\)Skipped", skipped.stdout + skipped.stderr
    )


def test_each_staged_file_is_its_own_dataset_and_evaluation_sets_are_checked_as_such(tmp_path, env):
    """A training file and its small evaluation set staged together: the evaluation set (named in
    config) is not failed for size, the training file is checked against it, and a JSON array
    file is linted while a JSON object file (a manifest) is left alone."""
    hook, rev = hook_repository(tmp_path, env)
    config = readme_snippet()
    config["repos"][0].update(repo=str(hook), rev=rev)
    config["repos"][0]["hooks"][0].update(args=["--min-pairs", "20"], verbose=True)  # output on success too
    data = dataset_repository(tmp_path, env, config)
    (data / "sftlint.toml").write_text('against = ["eval.jsonl"]\n', encoding="utf-8")
    (data / "manifest.json").write_text('{"name": "support-bot data", "version": 3}\n', encoding="utf-8")
    lines = real_lines(45)
    train, evaluation = lines[:30], lines[30:40]  # 10 evaluation records: under --min-pairs 20
    (data / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (data / "eval.jsonl").write_text("\n".join(evaluation) + "\n", encoding="utf-8")
    git(env, data, "add", ".")
    passed = git(env, data, "commit", "-m", "add training and evaluation data")
    shown = passed.stdout + passed.stderr
    assert passed.returncode == 0, shown
    assert "== train.jsonl: training data, checked against eval.jsonl" in shown
    assert "== eval.jsonl: evaluation set (its records are checked, not its size)" in shown
    assert "SFT201" not in shown and "manifest.json: one JSON object, not a dataset: skipped" in shown

    (data / "train.jsonl").write_text("\n".join([*train, evaluation[3]]) + "\n", encoding="utf-8")
    git(env, data, "add", "train.jsonl")
    blocked = git(env, data, "commit", "-m", "more training data")
    shown = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, shown
    assert "train.jsonl:31: SFT203 contamination prompt is the same as the evaluation record at eval.jsonl:4" in shown
    assert "NO-GO" in shown and "Failed" in shown

    records = [json.loads(line) for line in lines[40:45]]
    records[2]["output"] = ""
    git(env, data, "checkout", "--", "train.jsonl")
    (data / "more.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
    git(env, data, "add", "more.json")
    array = git(env, data, "commit", "-m", "a JSON array file")
    shown = array.stdout + array.stderr
    assert array.returncode != 0 and "== more.json: training data" in shown, shown
    assert "more.json:" in shown and "SFT101 empty-response response is empty" in shown


# -- the hook's entry, without pre-commit (fast) ---------------------------------------------------


def test_precommit_entry_names_each_file_role_and_exits_with_the_worst_verdict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = real_lines(40)
    Path("train.jsonl").write_text("\n".join(lines[:30]) + "\n", encoding="utf-8")
    Path("eval.jsonl").write_text("\n".join(lines[30:]) + "\n", encoding="utf-8")
    Path("small.jsonl").write_text("\n".join(lines[30:]) + "\n", encoding="utf-8")
    Path("sftlint.toml").write_text('against = ["eval.jsonl"]\n', encoding="utf-8")
    run = CliRunner().invoke(cli, ["precommit", "train.jsonl", "eval.jsonl", "--min-pairs", "20"])
    assert run.exit_code == 0, run.output
    assert [line for line in run.stdout.splitlines() if line.startswith("==")] == [
        "== train.jsonl: training data, checked against eval.jsonl",
        "== eval.jsonl: evaluation set (its records are checked, not its size)",
    ]
    # a small file not named as an evaluation set is training data: too small for --min-pairs 20
    run = CliRunner().invoke(cli, ["precommit", "train.jsonl", "small.jsonl", "--min-pairs", "20"])
    assert run.exit_code == 1 and "small.jsonl: training data" in run.stdout
    assert "SFT201 dataset-size: only 10 usable pairs" in run.stdout.split("== small.jsonl")[1]


def test_precommit_entry_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.jsonl").write_text("\n".join(real_lines(5)) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["precommit", "train.jsonl", "--against", "missing.jsonl"])
    assert run.exit_code == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith("sftlint: error: ")


def test_each_file_is_told_only_its_own_stale_baseline_entries(tmp_path, monkeypatch):
    """The hook lints each file alone with the whole baseline: the other files' entries were
    reported as stale in every file."""
    monkeypatch.chdir(tmp_path)
    lines = real_lines(20)
    Path("a.jsonl").write_text("\n".join(lines[:10]) + '\n{"instruction": "Q?", "output": ""}\n', encoding="utf-8")
    Path("b.jsonl").write_text("\n".join(lines[10:]) + '\n{"instruction": "R?", "output": ""}\n', encoding="utf-8")
    run = CliRunner().invoke(cli, ["lint", "a.jsonl", "b.jsonl", "--write-baseline", "base.json", "--isolated"])
    assert run.exit_code in (0, 1), run.output
    Path("sftlint.toml").write_text('baseline = "base.json"\n', encoding="utf-8")
    run = CliRunner().invoke(cli, ["precommit", "a.jsonl", "b.jsonl", "--min-pairs", "5"])
    assert "stale" not in run.stdout and run.stdout.count("1 accepted finding(s) suppressed") == 2, run.stdout
    Path("b.jsonl").write_text("\n".join(lines[10:]) + "\n", encoding="utf-8")  # its empty answer fixed
    run = CliRunner().invoke(cli, ["precommit", "a.jsonl", "b.jsonl", "--min-pairs", "5"])
    a_part, b_part = run.stdout.split("== b.jsonl")
    assert "stale" not in a_part and "1 stale entry" in b_part, run.stdout


def test_an_evaluation_set_named_twice_is_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = real_lines(40)
    Path("train.jsonl").write_text("\n".join(lines[:30] + lines[30:31]) + "\n", encoding="utf-8")
    Path("eval.jsonl").write_text("\n".join(lines[30:]) + "\n", encoding="utf-8")
    Path("sftlint.toml").write_text('against = ["eval.jsonl"]\n', encoding="utf-8")
    run = CliRunner().invoke(cli, ["precommit", "train.jsonl", "--against", "eval.jsonl", "--against", "./eval.jsonl"])
    assert "== train.jsonl: training data, checked against eval.jsonl\n" in run.stdout, run.stdout
    assert "and 1 more" not in run.stdout and "same as the evaluation record at eval.jsonl:1" in run.stdout


def test_a_file_named_twice_is_linted_once_and_a_gzipped_manifest_is_skipped(tmp_path, monkeypatch):
    import gzip

    monkeypatch.chdir(tmp_path)
    Path("train.jsonl").write_text("\n".join(real_lines(30)) + "\n", encoding="utf-8")
    Path("manifest.json.gz").write_bytes(gzip.compress(b'{"name": "pkg", "version": "1.0"}'))
    run = CliRunner().invoke(cli, ["precommit", "train.jsonl", "./train.jsonl", "manifest.json.gz", "--min-pairs", "5"])
    assert run.exit_code == 0, run.output
    assert run.stdout.count("== ") == 1 and "manifest.json.gz: one JSON object, not a dataset: skipped" in run.stdout
