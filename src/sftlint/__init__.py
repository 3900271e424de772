"""sftlint: pre-flight checks for instruction-tuning datasets.

The public API is what ``__all__`` names: `lint`, `fix`, `split` and their `Result` for using
sftlint from Python, and the check API for check authors. Everything else is internal.
"""

# After __version__, which the library's modules import. Importing it loads the modules
# `sftlint.fix` and `sftlint.split` first, so the names `fix` and `split` here are the functions.
from sftlint.api import Result, fix, lint, split  # noqa: E402
from sftlint.check import Check, Context, NoOptions
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record, Turn
from sftlint.version import __version__

__all__ = [
    "Check",
    "Context",
    "Finding",
    "Location",
    "NoOptions",
    "Record",
    "Result",
    "Severity",
    "Turn",
    "__version__",
    "fix",
    "lint",
    "split",
]
