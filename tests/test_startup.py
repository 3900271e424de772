"""A default run does not load what only preview or optional checks need.

scipy (SFT106's sparse products, the semantic extra's GELU) takes longer to load than a small
file takes to check; a pre-commit hook pays the start-up on every commit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_default_run_does_not_load_scipy(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"instruction": "Say hello to the team", "output": "Hello, team! Good to see you."}\n')
    code = (
        "import sys\n"
        "from sftlint.cli import cli\n"
        "try:\n"
        f"    cli.main(['lint', {str(data)!r}, '--format', 'json', '-o', {str(tmp_path / 'out.json')!r}])\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # NO-GO: one record is far too few
    assert (tmp_path / "out.json").exists()
    assert done.stdout.strip().splitlines()[-1] == "[]"
