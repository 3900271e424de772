"""The layers of sftlint hold: the import contracts in pyproject.toml pass, and no module uses
another module's private names.

Each rule is also shown to fail: on a copy of the sources with one forbidden import added, the
contracts break; on a snippet that reaches for a private name, the scan finds it.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SRC = REPO / "src"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package under `root`/src, with the contracts of `root`/pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_import_contracts_are_kept() -> None:
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        # a check importing another check
        ("checks/near_duplicate.py", "from sftlint.checks import exact_duplicate", "A check never imports another"),
        # a check importing a command
        ("checks/no_evaluation_set.py", "from sftlint import split", "Commands above the engine"),
        # the text layer importing the engine
        ("text/normal.py", "from sftlint import engine", "Commands above the engine"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, forbidden: str, contract: str) -> None:
    shutil.copytree(SRC, tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "src" / "sftlint" / module
    text = path.read_text(encoding="utf-8")
    future = "from __future__ import annotations\n"
    assert future in text
    path.write_text(text.replace(future, f"{future}{forbidden}\n", 1), encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in " ".join(broken.split()), done.stdout


def private_uses(source: str, module: str) -> list[str]:
    """Where `source` (the module `module`) reaches for a private name of another sftlint module:
    an underscore module (`sftlint.checks._x`), `from sftlint.m import _name`, or `m._name` on a
    module it imported."""
    found = []
    modules: set[str] = set()  # local names bound to sftlint modules
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sftlint":
            if node.module == module:
                continue
            if any(part.startswith("_") for part in node.module.split(".")[1:]):
                found.append(f"line {node.lineno}: {node.module}")
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: {node.module}.{alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sftlint":
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_a_private_name_of_another() -> None:
    offences = {}
    for path in sorted((SRC / "sftlint").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found = private_uses(path.read_text(encoding="utf-8"), module)
        if found:
            offences[str(path.relative_to(REPO))] = found
    assert offences == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "from sftlint.io import _open\n",
        "from sftlint.checks._content import strip_code\n",
        "from sftlint import io\nio._open('x')\n",
    ],
)
def test_the_private_name_scan_finds_each_kind(snippet: str) -> None:
    assert private_uses(snippet, "sftlint.split")


def _imports_only(node: ast.stmt) -> bool:
    """An import, or a block of imports only (`if TYPE_CHECKING:`, a version switch)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.If, ast.Try)):
        blocks = [node.body, node.orelse, *(h.body for h in getattr(node, "handlers", []))]
        return all(_imports_only(inner) for block in blocks for inner in block)
    return False


def late_imports(source: str) -> list[int]:
    """Lines of module-level imports that come after the module's code has started: an import
    left at the end to break a cycle, which hides the cycle instead of removing it."""
    body = ast.parse(source).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    code = next((i for i, node in enumerate(body) if not _imports_only(node)), len(body))
    return [node.lineno for node in body[code:] if _imports_only(node)]


def test_every_module_imports_at_its_top() -> None:
    late = {}
    for path in sorted((SRC / "sftlint").rglob("*.py")):
        lines = late_imports(path.read_text(encoding="utf-8"))
        if lines:
            late[str(path.relative_to(REPO))] = lines
    assert late == {}


def test_the_late_import_scan_finds_an_import_after_the_code() -> None:
    top = '"""Doc."""\nfrom __future__ import annotations\nimport json\nif TYPE_CHECKING:\n    import os\n'
    assert late_imports(top + "X = 1\n") == []
    assert late_imports(top + "X = 1\nfrom sftlint.output_ci import render_sarif  # noqa: E402\n") == [7]
