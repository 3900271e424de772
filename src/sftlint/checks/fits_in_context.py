from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.tokens import approx_tokens


class FitsInContextOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    budget: int = Field(100_000, ge=1, description="context budget in tokens the whole dataset is compared with")


class FitsInContext(Check):
    """The whole dataset is small enough to fit in one long prompt.

    What it does: Estimates the tokens of every valid record (instruction, input and response;
    every turn for chat) with `sftlint.tokens.approx_tokens`, the same estimate SFT105 uses,
    and of every distinct list of declared tools (their schemas go into the prompt with the
    examples that call them; records sharing one list count it once), and, when the total is
    within `budget` (default 100,000 tokens, a long-context model's window), advises trying
    prompting first. The summary gives the total either way.

    Why it matters: Prompting shapes the output, retrieval expands what the model knows, and
    fine-tuning changes what the model is. Data that fits in a prompt can be used as few-shot
    examples or a retrieval index today, with no training run, no model to host, and nothing
    to undo when the data changes.

    How to fix: Nothing is wrong. Try the examples as few-shot demonstrations (or retrieve the
    closest ones per request) against an evaluation set first; fine-tune when that falls short
    or when the prompt costs too much per request. Set `budget` to your model's window.

    Options: `budget` (tokens, default 100000) under `[tool.sftlint.checks.fits-in-context]`.
    """

    code = "SFT204"
    slug = "fits-in-context"
    severity = Severity.ADVICE
    Options = FitsInContextOptions

    def __init__(self, options: FitsInContextOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.records = 0
        self.total = 0
        self.tool_lists: set[int] = set()  # hashes of the distinct tool declarations counted

    def collect(self, record: Record) -> None:
        self.records += 1
        # The texts of `record.texts()` without their names; an empty input adds no tokens.
        texts = (
            [turn.content for turn in record.turns]
            if record.turns is not None
            else (record.instruction, record.input, record.response)
        )
        self.total += sum(map(approx_tokens, texts))
        declared = record.tool_use.declared if record.tool_use is not None else None
        if declared:
            text = json.dumps(declared, ensure_ascii=False, sort_keys=True, default=str)
            key = hash(text)
            if key not in self.tool_lists:
                self.tool_lists.add(key)
                self.total += approx_tokens(text)

    def finish(self, context: Context) -> Iterator[Finding]:
        budget = self.options.budget
        if self.records == 0 or self.total > budget:
            return
        tools = len(self.tool_lists)
        with_tools = f" with the {tools:,} tool list{'s' if tools != 1 else ''} they declare" if tools else ""
        yield self.finding(
            f"{'the one record comes' if self.records == 1 else f'all {self.records:,} records come'}{with_tools} "
            f"to about {self.total:,} tokens, within a {budget:,}-token "
            "context: try few-shot prompting or retrieval with these examples before fine-tuning",
            score=self.total / budget,
            total_tokens=self.total,
            budget=budget,
        )

    def summary(self) -> dict[str, Any] | None:
        if self.records == 0:
            return None
        return {"total_tokens": self.total, "budget": self.options.budget, "fits": self.total <= self.options.budget}
