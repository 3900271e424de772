from __future__ import annotations

from sftlint.check import Check
from sftlint.findings import Severity


class InvalidJson(Check):
    """A line that is not valid JSON.

    What it does: Reports every non-blank line that the JSON parser rejects, with the parser's
    reason and column. Reading goes on with the next line.

    Why it matters: Training loaders either crash on such a line or skip it silently; either
    way the example you meant to teach is not taught, and a truncated line often means the
    export that wrote the file was cut short.

    How to fix: Open the file at the reported line and column; look for truncation, unescaped
    quotes or newlines inside strings, single quotes, trailing commas. Re-export the data with
    a JSON library rather than string formatting, or drop the line with `sftlint fix`.
    """

    code = "SFT001"
    slug = "invalid-json"
    severity = Severity.ERROR
    from_reader = True
