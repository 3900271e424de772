"""Progress on standard error for long runs: records read, rate, and the current stage.

Shown only when standard error is a terminal and the output is not JSON, never with --quiet.
It redraws at most a few times a second so it costs nothing measurable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line ticker; `update` is cheap enough to call per record."""

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
        self.stream.write(f"\r\x1b[K{stage}: {records:,} records ({rate:,.0f}/s)")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
