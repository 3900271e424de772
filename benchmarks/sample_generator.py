"""What the benchmarks share: the sample-data generator, and where generated corpora are kept.

Corpora are written once and reused, in benchmarks/corpora (ignored by git) or in the folder
named by $SFTLINT_CORPORA.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SFTLINT_CORPORA", Path(__file__).resolve().parent / "corpora"))


def load_generator() -> ModuleType:
    """tests/generate.py (the sample data generator) as a module."""
    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "tests" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
