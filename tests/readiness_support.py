"""Helpers shared by the readiness tests: write JSONL, run the real CLI, find real data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sftlint.cli import cli

REPO = Path(__file__).resolve().parents[1]


def real_data(name: str) -> Path:
    """A file of the real public data copied into the repository (tests/data/real)."""
    path = REPO / "tests" / "data" / "real" / name
    if not path.is_file():
        raise FileNotFoundError(name)
    return path


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def lint_json(*args: str) -> tuple[int, dict[str, Any]]:
    """`sftlint lint --format json ARGS` through Click: (exit code, parsed output)."""
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)


def findings(output: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in output["findings"] if f["code"] == code]


def sftlint(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it (exit codes, standard error)."""
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )
