"""Progress for long runs: records read, rate, and the current stage, shown where the run is.

On a terminal: one line on standard error, redrawn in place. In a Jupyter notebook: one line of
the cell's output, updated in place. In CI, in a pipe or with --quiet: nothing. Either display
redraws at most a few times a second, and never in the first second, so short runs show none
and the cost is nothing measurable.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from sftlint.display import printable


class Progress:
    """A one-line ticker on a terminal; `update` is cheap enough to call per record."""

    INTERVAL = 0.25

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.next_draw = self.start + 1.0  # short runs never draw
        self.drawn = False

    def update(self, records: int, stage: str) -> None:
        now = time.monotonic()
        if now < self.next_draw:
            return
        self.next_draw = now + self.INTERVAL
        rate = records / max(now - self.start, 1e-9)
        self.show(printable(f"{stage}: {records:,} records ({rate:,.0f}/s)"))  # a file name is data
        self.drawn = True

    def show(self, text: str) -> None:
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.show("")


class NotebookProgress(Progress):
    """The same ticker as a line of a notebook cell's output (an IPython display, updated in place)."""

    def __init__(self) -> None:
        super().__init__()
        self.handle: Any = None

    def show(self, text: str) -> None:
        from IPython.display import display  # only made when a kernel runs: IPython is there

        shown = {"text/plain": text}
        if self.handle is None:
            self.handle = display(shown, raw=True, display_id=True)
        else:
            self.handle.update(shown, raw=True)


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython is then imported already: nothing is imported here)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def choose_progress(wanted: bool | None) -> Progress | None:
    """The display for a run: none when `wanted` is False; a notebook line in a Jupyter kernel;
    else the terminal ticker, when `wanted` is True or, by default (None), when standard error
    is a terminal and the run is not in CI."""
    if wanted is False or (wanted is None and os.environ.get("CI")):
        return None
    if in_notebook():
        return NotebookProgress()
    if wanted or sys.stderr.isatty():
        return Progress()
    return None
