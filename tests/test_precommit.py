"""The pre-commit hook, run by the real pre-commit: a bad dataset's commit is blocked, a good one goes in.

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

from conftest import REAL_DATA, REPO

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


def test_precommit_blocks_a_bad_dataset_and_lets_a_good_one_in(tmp_path, env):
    hook, rev = hook_repository(tmp_path, env)
    config = readme_snippet()
    config["repos"][0].update(repo=str(hook), rev=rev)
    config["repos"][0]["hooks"][0]["args"] = ["--min-pairs", "20"]

    data = tmp_path / "datasets"
    data.mkdir()
    assert git(env, data, "init", "-q").returncode == 0
    (data / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=data, env=env, capture_output=True, text=True
    )
    assert install.returncode == 0, install.stdout + install.stderr
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
