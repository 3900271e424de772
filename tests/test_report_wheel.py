"""The report templates ship inside the wheel: build it, install it in a fresh virtual
environment, and render a report from a folder outside the repository.

To stay fast and offline the fresh environment gets sftlint from the wheel only (`--no-deps`)
and reaches the already installed dependencies (numpy, pydantic, ...) through one path line in
a `.pth` file; that line adds a folder to `sys.path` without running its `.pth` files, so the
editable install of the source checkout stays out of the new environment.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from html_tree import parse
from report_fixtures import nogo_records, write_jsonl

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the freshly built wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    build = _run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--quiet", "-w", work / "dist")
    assert build.returncode == 0, build.stderr
    wheel = next((work / "dist").glob("sftlint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "sftlint/report/templates/report.html.j2" in names and "sftlint/report/view.py" in names
    venv = work / "venv"
    assert _run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    (site / "deps_from_test_runner.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel
    )
    assert install.returncode == 0, install.stderr
    return venv / "bin"


def test_installed_wheel_renders_reports_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    where = _run(
        installed / "python",
        "-c",
        "import sftlint.report as r; print(r.__file__); print(r.default_template_dir())",
        cwd=tmp_path,
    )
    module, templates = where.stdout.split()
    assert Path(module).is_relative_to(installed.parent) and Path(templates).is_relative_to(installed.parent), where
    records, raw = nogo_records()
    data = write_jsonl(tmp_path / "data.jsonl", records, raw)
    lint = _run(
        installed / "sftlint",
        "lint",
        data.name,
        "--format",
        "json",
        "-o",
        "result.json",
        "--report",
        "direct.html",
        cwd=tmp_path,
    )
    assert lint.returncode == 1, lint.stderr
    later = _run(installed / "sftlint", "report", "result.json", "-o", "later.html", cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    page = parse((tmp_path / "later.html").read_text(encoding="utf-8"))
    assert page.by_id("verdict-word").text.strip().endswith("NO-GO")
    assert page.by_id("check-SFT101").find_all("li", class_="finding")
    assert (tmp_path / "later.html").read_text() == (tmp_path / "direct.html").read_text()
