"""sftlint: pre-flight checks for instruction-tuning datasets.

The public API for check authors is what ``__all__`` names; everything else is internal.
"""

from sftlint.check import Check, Context, NoOptions
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record, Turn

__version__ = "0.1.0"

__all__ = [
    "Check",
    "Context",
    "Finding",
    "Location",
    "NoOptions",
    "Record",
    "Severity",
    "Turn",
    "__version__",
]
