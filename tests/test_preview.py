"""Preview checks: not precise enough on real data to be on by default, so they run only when
named exactly or with --preview, and `sftlint rules` says why."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write_jsonl
from sftlint.cli import cli
from sftlint.registry import discover

PREVIEW = sorted(code for code, cls in discover().items() if cls.preview)


def _codes_run(tmp_path, *args: str) -> set[str]:
    records = [{"instruction": f"Question {i}?", "output": "An answer."} for i in range(5)]
    path = write_jsonl(tmp_path / "d.jsonl", records)
    result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return {row["code"] for row in json.loads(result.output)["checks"]}


def test_some_checks_are_in_preview_each_with_its_measured_precision():
    assert PREVIEW, "no check is in preview"
    for cls in discover().values():
        assert bool(cls.preview_note) == cls.preview, cls.code
        if cls.preview:
            assert "precision" in cls.preview_note


def test_preview_checks_do_not_run_by_default_nor_by_prefix_or_all(tmp_path):
    for args in ((), ("--select", "SFT1"), ("--select", "ALL")):
        ran = _codes_run(tmp_path, *args)
        assert ran and not ran & set(PREVIEW), args


@pytest.mark.parametrize("how", ["code", "slug"])
def test_a_preview_check_named_exactly_runs(tmp_path, how):
    cls = discover()[PREVIEW[0]]
    assert cls.code in _codes_run(tmp_path, "--select", cls.code if how == "code" else cls.slug)


def test_preview_flag_and_config_turn_every_preview_check_on(tmp_path):
    assert set(PREVIEW) <= _codes_run(tmp_path, "--preview")
    config = tmp_path / "sftlint.toml"
    config.write_text("preview = true\n")
    assert set(PREVIEW) <= _codes_run(tmp_path, "--config", str(config))
    assert not set(PREVIEW) & _codes_run(tmp_path, "--preview", "--ignore", ",".join(PREVIEW))


def test_rules_show_preview_status_and_why():
    text = CliRunner().invoke(cli, ["rules"]).output
    rows = json.loads(CliRunner().invoke(cli, ["rules", "--format", "json"]).output)
    for row in rows:
        assert row["preview"] == (row["code"] in PREVIEW)
    for code in PREVIEW:
        line = next(line for line in text.splitlines() if line.startswith(code))
        assert " preview " in line
    assert "preview: off unless selected" in CliRunner().invoke(cli, ["rule", PREVIEW[0]]).output
