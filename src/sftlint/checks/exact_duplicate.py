from __future__ import annotations

import bisect
import json
import zlib
from array import array
from collections.abc import Iterator

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity
from sftlint.records import TOOL_KEYS, Record
from sftlint.text.normal import content_key


def _tools_crc(record: Record) -> int:
    """A CRC of the tools a record declares as written (its `tools` or `functions`), 0 for none."""
    raw = record.raw
    tools = next((raw[key] for key in TOOL_KEYS if raw.get(key)), None) if isinstance(raw, dict) else None
    if not tools:
        return 0
    text = tools if isinstance(tools, str) else json.dumps(tools, sort_keys=True, default=str)
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) or 1


class ExactDuplicateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    max_rate: float = Field(0.05, ge=0.0, le=1.0, description="highest share of copies before it is an error")


class ExactDuplicate(Check):
    """A record that repeats an earlier one, ignoring case and whitespace.

    What it does: Compares instruction, input and response (all turns for chat) after
    lower-casing and collapsing whitespace, across every file of the run, and reports each
    later copy with the first occurrence in `related`; copies of a conversation whose declared
    tools are written otherwise are copies still (the turns are the example), and the message
    says the tools differ. Memory is 20 bytes of hashes and the record's position per record.
    A share of copies above `max_rate` is itself an error (or of the severity configured for
    the check, which is never overridden), as for SFT104's near-duplicates.

    Why it matters: A duplicated example is trained on twice as often, so the model
    over-weights it and memorises it; many copies skew the whole dataset toward a few answers.

    How to fix: Keep the first copy and drop the rest (`sftlint fix` does exactly that). If
    the copies came from merging sources, deduplicate at the merge.

    Options: `max_rate` (0.05) under `[tool.sftlint.checks.exact-duplicate]`.
    """

    code = "SFT103"
    slug = "exact-duplicate"
    severity = Severity.WARNING
    cost = 7
    disqualifies = True
    Options = ExactDuplicateOptions

    def __init__(self, options: ExactDuplicateOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.keys = bytearray()  # 16 bytes a record
        self.positions = array("q")
        self.tools = array("I")  # a CRC of each record's declared tools (0: none), said when copies differ there
        self.file_runs: list[tuple[int, str]] = []  # (first record, file): records arrive file by file

    def collect(self, record: Record) -> None:
        self.keys += content_key(record)
        self.tools.append(_tools_crc(record))
        if not self.file_runs or self.file_runs[-1][1] != record.file:
            self.file_runs.append((len(self.positions), record.file))
        self.positions.append(record.position)

    def _where(self, i: int) -> tuple[str, int]:
        run = bisect.bisect_right(self.file_runs, i, key=lambda r: r[0]) - 1
        return self.file_runs[run][1], self.positions[i]

    def finish(self, context: Context) -> Iterator[Finding]:
        """Copies are found by sorting the keys: every record after the first of its key is one."""
        n = len(self.positions)
        if n < 2:
            return
        keys = np.frombuffer(self.keys, dtype=np.uint64).reshape(n, 2)
        order = np.lexsort((keys[:, 1], keys[:, 0]))  # stable: the records of a key stay in input order
        ordered = keys[order]
        starts_group = np.ones(n, dtype=bool)
        starts_group[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        first = order[np.maximum.accumulate(np.where(starts_group, np.arange(n), 0))]
        del keys, ordered
        self.keys = bytearray()  # let go before the findings pile up: only positions are read from here
        copies = 0
        for i, j in zip(order[~starts_group].tolist(), first[~starts_group].tolist(), strict=True):
            here, there = self._where(i), self._where(j)
            if there == here:  # a file given twice: its records are not copies of themselves
                continue
            copies += 1
            original = Location(there[0], context.places.line(*there), there[1])
            where = context.places.where(*there, beside=here[0])
            # the turns are the example: copies are copies whatever tools they declare, but say so
            differ = " (the same turns; the declared tools differ)" if self.tools[i] != self.tools[j] else ""
            yield self.finding(
                f"exact duplicate of {where}{differ}",
                file=here[0],
                position=here[1],
                related=[original],
                score=1.0,
            )
        past = self.share_past_limit(copies, context.valid, "exact copies of an earlier one", self.options.max_rate)
        if past is not None:
            yield past
