"""Small text helpers shared by the built-in checks."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Lower case with runs of whitespace collapsed: the form exact comparisons use."""
    return " ".join(text.split()).lower()  # str.split() splits exactly where \s+ matches, faster


def excerpt(text: str, limit: int = 60) -> str:
    """A one-line, bounded quote of `text` for a finding's message."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
