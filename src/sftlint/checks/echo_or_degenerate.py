from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from operator import eq

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check
from sftlint.checks._content import strip_code
from sftlint.checks._text import excerpt
from sftlint.findings import Finding, Severity
from sftlint.records import Record

_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_SENTENCE = re.compile(r"[^.!?\n]+")
_TABLE_RULE = re.compile(r"[|:=+*#-]+")  # table and heading syntax legitimately repeats
# A new example inside the response: a line opening a prompt section, then later a line
# opening its answer ("Instruction: ... Output: ...", "Human: ... Assistant: ...").
_PROMPT_LABEL = re.compile(
    r"(?im)^[ \t#*>]*(?:instruction|question|human|user|prompt|input)[ \t]*(?:\d+[ \t]*)?:[ \t]*\S"
)
_ANSWER_LABEL = re.compile(r"(?im)^[ \t#*>]*(?:output|response|answer|assistant|ai|gpt)[ \t]*(?:\d+[ \t]*)?:")


class EchoOrDegenerateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    echo_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="share of the response's word 4-grams found in the instruction that makes it an echo",
    )
    max_sentence_repeats: int = Field(3, ge=2, description="times one sentence may appear before it is a loop")
    min_distinct_ngrams: float = Field(
        0.3, gt=0, lt=1, description="lowest share of distinct token 3-grams in a long response"
    )
    min_tokens: int = Field(40, ge=10, description="responses shorter than this are not tested for n-gram loops")


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return list(zip(*(tokens[i:] for i in range(n)), strict=False))


class EchoOrDegenerate(Check):
    """A response that repeats its instruction, loops on itself, or starts a new example.

    What it does: Reports a response (for chat: the assistant turns) that
    *echoes* the instruction: at least `echo_share` of its word 4-grams appear in the
    instruction (the user turns for chat; not the `input`, which a rewriting task may
    legitimately copy); that *loops*: one sentence of three or more words appears more than
    `max_sentence_repeats` times, or, in a response of at least `min_tokens` tokens, fewer
    than `min_distinct_ngrams` of its token 3-grams are distinct (a generation stuck on a
    phrase or a run of symbols); or that *continues the prompt*: outside code blocks, a line
    opens a new prompt section (`Instruction:`, `Input:`, `Question:`, `Human:`, `User:`)
    and a later line opens its answer (`Output:`, `Response:`, `Answer:`, `Assistant:`), the
    sign of a generation that wrote a new example of its own.

    Why it matters: These are generation failures, not answers. Trained on them, a model learns
    to parrot the question, to repeat itself until the token limit, or to invent the next
    user turn instead of stopping.

    How to fix: Regenerate or rewrite the response, or drop the record. Responses that were
    cut off from a larger generation need their trailing example removed at export.

    Options: `echo_share` (default 0.8), `max_sentence_repeats` (default 3),
    `min_distinct_ngrams` (default 0.3), `min_tokens` (default 40), under
    `[tool.sftlint.checks.echo-or-degenerate]`.
    """

    code = "SFT107"
    slug = "echo-or-degenerate"
    severity = Severity.WARNING
    Options = EchoOrDegenerateOptions

    def check_record(self, record: Record) -> Iterator[Finding]:
        response = record.response
        if not response.strip():
            return
        text = strip_code(response)
        found = self._echo(record) or self._loop(text) or self._continuation(text)
        if found:
            message, score, kind = found
            yield self.finding(message, record, score=score, kind=kind)

    def _echo(self, record: Record) -> tuple[str, float, str] | None:
        # Most of the response's 4-grams can only come from the instruction if it is not much longer.
        if len(record.response) > 3 * len(record.instruction) + 40:
            return None
        words = [t for t in _TOKEN.findall(record.response.lower()) if t[0].isalnum()]
        if len(words) < 4:
            return None
        asked = set(_ngrams([t for t in _TOKEN.findall(record.instruction.lower()) if t[0].isalnum()], 4))
        if not asked:
            return None
        grams = _ngrams(words, 4)
        share = sum(g in asked for g in grams) / len(grams)
        if share < self.options.echo_share:
            return None
        return (
            f"echo: {share:.0%} of the response's word 4-grams repeat the instruction "
            f"(threshold {self.options.echo_share:.0%}): {excerpt(record.response)!r}",
            share,
            "echo",
        )

    def _loop(self, text: str) -> tuple[str, float, str] | None:
        chunks = text.split()
        if len(chunks) < 12:
            return None
        if len(chunks) >= 20 and list(map(eq, chunks, chunks[1:])).count(True) >= 0.1 * (len(chunks) - 1):
            stutter = sum(a == b and not _TABLE_RULE.fullmatch(a) for a, b in zip(chunks, chunks[1:], strict=False))
            if stutter >= 0.1 * (len(chunks) - 1):
                return (
                    f"loop: {stutter} of {len(chunks)} words repeat the word before them (at most 10 %)",
                    stutter / (len(chunks) - 1),
                    "stutter",
                )
        # Cheap gate: text that loops uses few distinct words. Ordinary prose of any length used
        # here stays above ~0.3; the exact tests below decide.
        if len(set(chunks)) > 0.35 * len(chunks):
            return None
        sentences = Counter(" ".join(s.lower().split()) for s in _SENTENCE.findall(text) if len(s.split()) >= 3)
        if sentences:
            sentence, times = sentences.most_common(1)[0]
            # A refrain in a song is not a loop; a sentence filling a third of the text is.
            share = times * len(sentence.split()) / len(chunks)
            if times > self.options.max_sentence_repeats and share >= 0.3:
                return (
                    f"loop: one sentence appears {times} times (at most {self.options.max_sentence_repeats}): "
                    f"{excerpt(sentence)!r}",
                    float(times),
                    "repeated-sentence",
                )
        tokens = _TOKEN.findall(text.lower())
        if len(tokens) < self.options.min_tokens:
            return None
        grams = _ngrams(tokens, 3)
        distinct = len(set(grams)) / len(grams)
        if distinct < self.options.min_distinct_ngrams:
            return (
                f"loop: only {distinct:.0%} of the response's token 3-grams are distinct "
                f"(at least {self.options.min_distinct_ngrams:.0%} expected)",
                distinct,
                "repeated-ngrams",
            )
        return None

    def _continuation(self, text: str) -> tuple[str, float, str] | None:
        if ":" not in text:  # both labels end in a colon; most responses have none
            return None
        prompt = _PROMPT_LABEL.search(text)
        if prompt is None or not _ANSWER_LABEL.search(text, prompt.end()):
            return None
        return (
            f"continuation: the response starts a new example at {excerpt(prompt.group(), 30)!r}",
            1.0,
            "continuation",
        )
