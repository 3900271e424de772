"""`sftlint split` keeps SFT104's near-duplicate clusters on one side of the split."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import sample_generator
from readiness_support import findings, lint_json
from sftlint.cli import cli
from sftlint.split import NearDuplicates, SamePrompt, SharedRuns, split


def _edit(text: str, rng: random.Random) -> str:
    """A light edit: one word of a long text replaced, as a retyped copy would have."""
    words = text.split(" ")
    words[rng.randrange(len(words))] = "indeed"
    return " ".join(words)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 clean records plus 60 lightly edited copies of records with long responses,
    placed at random later positions so a random split would separate most pairs."""
    rng = random.Random(11)
    records = sample_generator().clean_records(400, seed=5)
    long = [r for r in records if len(r["output"].split()) >= 60][:60]
    assert len(long) == 60
    out = list(records)
    for original in long:
        # a reworded prompt too, so only near-duplicate clustering (not the same prompt) joins them
        instruction = "Quick question: " + original["instruction"]
        copy = dict(original, instruction=instruction, output=_edit(original["output"], rng))
        out.insert(rng.randrange(out.index(original) + 1, len(out) + 1), copy)
    path = tmp_path_factory.mktemp("near") / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return path


def _clusters(path: Path) -> list[set[int]]:
    """The near-duplicate clusters SFT104 reports, as sets of line numbers."""
    _, output = lint_json(str(path), "--select", "SFT104")
    clusters: dict[int, set[int]] = {}
    for f in findings(output, "SFT104"):
        if f["line"] is None:
            continue  # the dataset-wide rate
        lines = {f["line"]} | {r["line"] for r in f["related"]}
        clusters.setdefault(f["data"]["cluster"], set()).update(lines)
    return list(clusters.values())


def _sides(path: Path, tmp: Path, *extra: str) -> dict[int, str]:
    """Line number -> 'train' or 'eval' after `sftlint split` through the CLI."""
    train, evaluation = tmp / "train.jsonl", tmp / "eval.jsonl"
    result = CliRunner().invoke(
        cli, ["split", str(path), "--eval-fraction", "0.2", "-o", str(train), "-e", str(evaluation), *extra]
    )
    assert result.exit_code == 0, result.output
    where = {line: "eval" for line in evaluation.read_bytes().splitlines()}
    where.update({line: "train" for line in train.read_bytes().splitlines()})
    return {n: where[line] for n, line in enumerate(path.read_bytes().splitlines(), start=1)}


def test_no_near_duplicate_cluster_straddles_the_split(planted: Path, tmp_path: Path) -> None:
    clusters = _clusters(planted)
    assert len(clusters) >= 55  # SFT104 finds (nearly) all 60 planted pairs
    sides = _sides(planted, tmp_path)
    assert 0.15 < sum(s == "eval" for s in sides.values()) / len(sides) < 0.25
    straddling = [c for c in clusters if len({sides[n] for n in c}) > 1]
    assert straddling == []
    assert (
        "groups of duplicates, near-duplicates or same-prompt records"
        in CliRunner().invoke(cli, ["split", str(planted), "-o", str(tmp_path / "a"), "-e", str(tmp_path / "b")]).output
    )


def test_without_the_grouper_clusters_straddle(planted: Path, tmp_path: Path) -> None:
    """The control: the same data split on exact prompts alone separates planted pairs."""
    clusters = _clusters(planted)
    sides = _sides(planted, tmp_path, "--no-near-duplicates")
    assert sum(len({sides[n] for n in c}) > 1 for c in clusters) >= 5


def test_grouper_uses_the_configured_threshold(planted: Path, tmp_path: Path) -> None:
    """`[tool.sftlint.checks.near-duplicate] threshold` is the split's threshold too (and
    SFT203's settings its own: here they join nothing either)."""
    config = tmp_path / "sftlint.toml"
    config.write_text(
        "[checks.near-duplicate]\nthreshold = 0.999\n[checks.contamination]\nthreshold = 0.999\nngram = 0\n",
        encoding="utf-8",
    )
    sides = _sides(planted, tmp_path, "--config", str(config))
    assert sum(len({sides[n] for n in c}) > 1 for c in _clusters(planted)) >= 5
    bad = tmp_path / "bad.toml"
    bad.write_text("[checks.near-duplicate]\nthreshold = 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["split", str(planted), "-o", "t", "-e", "e", "--config", str(bad)])
    assert result.exit_code == 2


def test_grouper_is_deterministic_and_joins_only_near_duplicates(planted: Path) -> None:
    first = split(str(planted), 0.2, seed=3)
    defaults = [SamePrompt(), NearDuplicates(), NearDuplicates(0.8, "prompt"), SharedRuns()]
    again = split(str(planted), 0.2, seed=3, groupers=defaults)
    assert (first.train, first.eval) == (again.train, again.eval)
    grouper = NearDuplicates()
    done = split(str(planted), 0.2, seed=3, groupers=[grouper])
    assert 55 <= done.groups <= 70  # the planted pairs, not the whole dataset
    assert done.largest_group <= 3
