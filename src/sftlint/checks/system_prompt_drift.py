from __future__ import annotations

import difflib
import hashlib
import re
from array import array
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import excerpt

NO_PROMPT = -1  # a chat record without a system prompt
UNTRACKED = -2  # a system prompt past `max_distinct`: counted, never compared
_WORDS = re.compile(r"\S+|\s+")


class SystemPromptDriftOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    dominant_share: float = Field(
        0.6, gt=0.5, le=1.0, description="share of chat records that makes a system prompt the dataset's own"
    )
    min_similarity: float = Field(
        0.85, gt=0.0, lt=1.0, description="similarity to the dominant prompt above which another prompt is a variant"
    )
    max_variant_share: float = Field(
        0.1, gt=0.0, le=0.5, description="a variant used by more records than this share looks intended"
    )
    min_records: int = Field(10, ge=2, description="fewest chat records to judge system prompts by")
    max_distinct: int = Field(1000, ge=1, description="distinct system prompts kept in memory for comparison")


class SystemPromptDrift(Check):
    """Chat records whose system prompt drifted from the one the dataset uses.

    What it does: Counts the distinct system prompts of chat records (the summary lists them
    with their counts). When one prompt is used by at least `dominant_share` (default 60 %) of
    the chat records, it flags records carrying a slightly different copy of it (similarity at
    least `min_similarity`, default 0.85, and used by fewer than `max_variant_share` of the
    records: a typo, a stale version, a trailing space) and records with no system prompt at
    all. Clearly different prompts are left alone: several tasks may each have their own.

    Why it matters: The system prompt is part of what the model learns to condition on. A
    handful of near-copies teach it that tiny wording changes matter, and records without the
    prompt teach behaviour the deployed prompt will never trigger; both usually come from
    copy-paste or a prompt edited halfway through data collection.

    How to fix: Replace the variants with the dominant prompt (the message quotes both) and add
    it to the records that lack it, or, if the variation is deliberate, make it large and
    systematic rather than a few stray copies.

    Options: `dominant_share` (default 0.6), `min_similarity` (default 0.85),
    `max_variant_share` (default 0.1), `min_records` (default 10), `max_distinct` (default
    1000) under `[tool.sftlint.checks.system-prompt-drift]`.
    """

    code = "SFT113"
    slug = "system-prompt-drift"
    severity = Severity.WARNING
    Options = SystemPromptDriftOptions
    summary_labels = {
        "records": "conversations",
        "distinct": "distinct system prompts",
        "without": "conversations without a system prompt",
        "prompts": "system prompts, most used first (conversations)",
        "untracked": "conversations whose prompt was not kept (past the distinct prompts kept)",
    }

    def __init__(self, options: SystemPromptDriftOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: dict[str, int] = {}
        self.ids: dict[bytes, int] = {}  # prompt digest -> id
        self.texts: list[str] = []
        self.counts: list[int] = []
        self.untracked = 0
        self.file_ids = array("H")
        self.positions = array("I")
        self.prompt_ids = array("i")
        self.result: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        if record.turns is None:
            return
        self.file_ids.append(self.files.setdefault(record.file, len(self.files)))
        self.positions.append(record.position)
        prompt = record.input
        if not prompt.strip():
            self.prompt_ids.append(NO_PROMPT)
            return
        digest = hashlib.blake2b(prompt.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        prompt_id = self.ids.get(digest)
        if prompt_id is None and len(self.texts) < self.options.max_distinct:
            prompt_id = self.ids[digest] = len(self.texts)
            self.texts.append(prompt)
            self.counts.append(0)
        if prompt_id is None:
            self.untracked += 1
            self.prompt_ids.append(UNTRACKED)
        else:
            self.counts[prompt_id] += 1
            self.prompt_ids.append(prompt_id)

    def finish(self, context: Context) -> Iterator[Finding]:
        records = len(self.prompt_ids)
        if records == 0:
            return
        ranked = sorted(range(len(self.texts)), key=lambda i: (-self.counts[i], i))
        missing = records - sum(self.counts) - self.untracked
        self.result = {
            "records": records,
            "distinct": len(self.texts) + (1 if self.untracked else 0),
            "without": missing,
            "prompts": [{"text": excerpt(self.texts[i], 120), "count": self.counts[i]} for i in ranked[:20]],
        }
        if self.untracked:
            self.result["untracked"] = self.untracked
        if not ranked or records < self.options.min_records:
            return
        dominant = ranked[0]
        share = self.counts[dominant] / records
        if share < self.options.dominant_share:
            return
        variants = self._variants(dominant, records)
        quoted = excerpt(self.texts[dominant], 60)
        names = list(self.files)
        for i, prompt_id in enumerate(self.prompt_ids):
            file, position = names[self.file_ids[i]], self.positions[i]
            if prompt_id == NO_PROMPT:
                yield self.finding(
                    f'no system prompt, while {share:.1%} of chat records use "{quoted}" '
                    f"(dominant_share {self.options.dominant_share:.0%})",
                    file=file,
                    position=position,
                    score=share,
                )
            elif prompt_id in variants:
                similarity, difference = variants[prompt_id]
                yield self.finding(
                    f"system prompt is a variant of the one {share:.1%} of chat records use "
                    f"(similarity {similarity:.2f} >= {self.options.min_similarity}): {difference}",
                    file=file,
                    position=position,
                    score=similarity,
                )

    def _variants(self, dominant: int, records: int) -> dict[int, tuple[float, str]]:
        """Rare prompts close to the dominant one: id -> (similarity, what differs)."""
        base = self.texts[dominant]
        out = {}
        for prompt_id, text in enumerate(self.texts):
            if prompt_id == dominant or self.counts[prompt_id] > self.options.max_variant_share * records:
                continue
            matcher = difflib.SequenceMatcher(None, base, text, autojunk=False)
            if matcher.real_quick_ratio() < self.options.min_similarity:
                continue
            if matcher.quick_ratio() < self.options.min_similarity:
                continue
            similarity = matcher.ratio()
            if similarity >= self.options.min_similarity:
                out[prompt_id] = (similarity, _difference(base, text))
        return out

    def summary(self) -> dict[str, Any] | None:
        return self.result


def _difference(base: str, text: str) -> str:
    """The first place two prompts differ, word by word, quoted from both (repr, so whitespace shows)."""
    a, b = _WORDS.findall(base), _WORDS.findall(text)
    changes = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    _, a1, a2, b1, b2 = changes[0]
    was, now = "".join(a[max(0, a1 - 2) : a2 + 2]), "".join(b[max(0, b1 - 2) : b2 + 2])
    more = f" ({len(changes)} changes in all)" if len(changes) > 1 else ""
    return f"{_quote(was)} became {_quote(now)}{more}"


def _quote(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1]) + "…"
