"""Shared helpers: write datasets to temporary files and run the real CLI on them."""

from __future__ import annotations

import functools
import gc
import importlib.util
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from hypothesis import settings

from sftlint.cli import cli

# In CI the property tests draw the same examples every run, so a run fails only for a change;
# run locally, they draw new ones each time and keep looking.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
REAL_DATA = REPO / "tests" / "data" / "real"  # real public data copied into the repository (see its README)


@functools.cache
def sample_generator() -> ModuleType:
    """tests/generate.py (the sample data generator) as a module, loaded once."""
    spec = importlib.util.spec_from_file_location("sample_generate", REPO / "tests" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def as_from_a_terminal() -> None:
    """`preexec_fn` of a run a test will Ctrl-C: a test suite started in the background (`make
    test &`) hands its children an ignored SIGINT, which a run started from a terminal never has."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def to_line(item: object) -> bytes:
    """A record as one JSONL line: objects are dumped, str/bytes are taken as the raw line."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8", "surrogatepass")
    return json.dumps(item).encode()


def write_jsonl(path: Path, items: list[object]) -> Path:
    path.write_bytes(b"".join(to_line(i) + b"\n" for i in items))
    return path


class Lint:
    """Run `sftlint lint` through Click's runner and parse the JSON output."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def __call__(self, items: list[object] | None = None, *args: str, path: Path | None = None) -> tuple[int, dict]:
        if path is None:
            path = write_jsonl(self.tmp_path / "data.jsonl", items or [])
        result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", *args])
        assert result.exit_code in (0, 1), result.output
        return result.exit_code, json.loads(result.output)


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    return Lint(tmp_path)


@pytest.fixture(autouse=True)
def outside_a_ci_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as on a plain machine whatever runs them: no job summary to append to, no colour
    forced or refused by the environment (the tests that need these set them)."""
    for name in ("GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def garbage_collected_as_before() -> Iterator[None]:
    """The console entry point, which some tests call in this process, makes the collector run
    less often for the rest of its process: each test starts and ends with the thresholds it had."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def pair(instruction: str = "How do I export invoices to CSV?", output: str | None = None, **extra: object) -> dict:
    """A plausible alpaca record."""
    if output is None:
        output = "Open Invoices, choose Export, pick CSV and the date range, then select Download."
    return {"instruction": instruction, "output": output, **extra}
