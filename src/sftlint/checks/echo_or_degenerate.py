from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from operator import eq

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record, words_said
from sftlint.text.content import EN_STOP, alnum_words, alnum_words_utf8, strip_code
from sftlint.text.normal import excerpt

_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_WORD = re.compile(r"[^\W_]+")  # the words of alnum_words, their case kept
_CASE_CHANGE = re.compile(r"(?i)capitali[sz]|upper[ -]?case|lower[ -]?case|title case|capital letters|camel ?case")
_SENTENCE = re.compile(r"[^.!?\n]+")
_FUNCTION_WORDS = EN_STOP | {w.encode() for w in EN_STOP}  # as str (alnum_words) and bytes (alnum_words_utf8)
_MARKUP = re.compile(r"</?[a-z][^<>]{0,200}>")  # HTML, XML and JSX tags with their attributes
_TABLE_RULE = re.compile(r"[|:=+*#>-]+")  # table, heading and quote syntax legitimately repeats ("> \n> ")
# A prompt that asks for questions (a quiz, an interview, an FAQ): "Question 1: ... Answer:" is the answer.
_ASKS_FOR_QUESTIONS = re.compile(r"(?i)\b(?:quiz|questions|interview|faq|q&a|exam|questionnaire|trivia)")
# A new example inside the response: a line opening a prompt section, then later a line
# opening its answer ("Instruction: ... Output: ...", "Human: ... Assistant: ...").
_PROMPT_LABEL = re.compile(
    r"(?im)^[ \t#*>]*(?:instruction|question|human|user|prompt|input)[ \t]*(?:\d+[ \t]*)?:[ \t]*\S"
)
_PROMPT_WORDS = ("instruction", "question", "human", "user", "prompt", "input")  # one of them opens _PROMPT_LABEL
_ANSWER_LABEL = re.compile(r"(?im)^[ \t#*>]*(?:output|response|answer|assistant|ai|gpt)[ \t]*(?:\d+[ \t]*)?:")


class EchoOrDegenerateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
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


_MIN_CHUNKS, _STUTTER_SHARE, _DISTINCT_GATE = 12, 0.1, 0.35  # the first tests of `_loop`
# bytes.translate: 0 at ASCII whitespace, where str.split() splits (in UTF-8, bytes from 0x80 are
# parts of other characters)
_SOLID = bytes(0 if b < 128 and chr(b).isspace() else 1 for b in range(256))
_BUCKET_BITS = 8
_BINS = 1 << _BUCKET_BITS  # buckets per text that bound its number of distinct chunks from below
_GOLDEN = np.int64(0x9E3779B97F4A7C15 - (1 << 64))  # multiplicative hashing: the top bits of key * this
# Whitespace outside ASCII, where str.split() splits and a split of UTF-8 bytes on ASCII
# whitespace would not (str.isspace() of every code point).
_WIDE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _loop_candidates(texts: list[str]) -> np.ndarray:
    """For each text, whether `_loop` may find a loop in it (False: it certainly finds none).

    `_loop` splits a text on whitespace, then needs 12 chunks and either 10 % of adjacent
    chunks equal or at most 35 % of them distinct. Here the texts of a batch are split all at
    once with numpy, as UTF-8 bytes. A chunk is known by its length in bytes, first and last
    byte, so equal chunks always look equal; different ones sometimes do too, which can only
    make a text look more repetitive than it is: the counts are an upper bound on equal
    neighbours and (through buckets of those keys) a lower bound on distinct chunks, and
    `_loop` itself decides on every text they cannot rule out. A text with whitespace outside
    ASCII (which a split of its bytes would not see) is always a candidate.
    """
    candidates = np.ones(len(texts), dtype=bool)
    ids = [i for i, t in enumerate(texts) if t.isascii() or not _WIDE_SPACE.search(t)]
    if not ids:
        return candidates
    encoded = [texts[i].encode("utf-8", "surrogatepass") for i in ids]
    joined = b"\n" + b"\n".join(encoded) + b"\n"  # a space at each end
    data = np.frombuffer(joined, dtype=np.uint8)
    solid = np.frombuffer(joined.translate(_SOLID), dtype=np.bool_)
    edges = np.flatnonzero(solid[1:] != solid[:-1]) + 1  # chunk starts and ends, alternating
    starts, ends = edges[0::2], edges[1::2]
    n = len(ids)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    text_starts = np.concatenate(([1], 1 + np.cumsum(lengths[:-1] + 1)))
    chunks = np.diff(np.searchsorted(starts, text_starts), append=len(starts))
    owner = np.repeat(np.arange(n), chunks)
    key = ((((ends - starts) << 8) + data[starts]) << 8) + data[ends - 1]  # int64 arrays: no overflow
    equal_next = (key[1:] == key[:-1]) & (owner[1:] == owner[:-1])
    equal_at_most = np.bincount(owner[1:][equal_next], minlength=n)
    bucket = ((key * _GOLDEN) >> (64 - _BUCKET_BITS)) & (_BINS - 1)
    occupied = np.bincount(owner * _BINS + bucket, minlength=n * _BINS).reshape(n, _BINS)
    distinct_at_least = np.count_nonzero(occupied, axis=1)
    may_stutter = (chunks >= 20) & (equal_at_most >= _STUTTER_SHARE * (chunks - 1))
    candidates[ids] = (chunks >= _MIN_CHUNKS) & (may_stutter | (distinct_at_least <= _DISTINCT_GATE * chunks))
    return candidates


#: words of a response looked up in its instruction's text before its words are listed instead
_LOOKUPS = 24


def _own_words_at_least(words: list[str] | list[bytes], instruction: str, ascii_pair: bool, need: float) -> bool:
    """Whether `need` of the distinct `words` (of a response) that are not function words are
    certainly not words of `instruction`: not even inside its lower-cased text (a word of the
    instruction always is). False when that is not settled within `_LOOKUPS` lookups. The words
    are taken in order, so a response whose answer is settled early is not read to its end."""
    asked = instruction.encode().lower() if ascii_pair else instruction.lower()
    unseen = looked = 0
    seen: set[str | bytes] = set()
    for word in words:
        if word in seen or word in _FUNCTION_WORDS:
            continue
        if looked == _LOOKUPS:
            return False
        seen.add(word)
        looked += 1
        if word not in asked:  # type: ignore[operator]  # bytes in bytes or str in str
            unseen += 1
            if unseen >= need:
                return True
    return False


class EchoOrDegenerate(Check):
    """A response that repeats its instruction, loops on itself, or starts a new example.

    What it does: Reports a response (for chat: the assistant turns, without the tool calls
    they make: parallel calls to one function repeat by design) that
    *echoes* the instruction: at least `echo_share` of its word 4-grams appear in the
    instruction (the user turns for chat; not the `input`, which a rewriting task may
    legitimately copy), unless the instruction asks for another letter case and the response
    gives its words in another case; that *loops*: one sentence of three or more words appears more than
    `max_sentence_repeats` times, or, in a response of at least `min_tokens` tokens, fewer
    than `min_distinct_ngrams` of its token 3-grams are distinct (a generation stuck on a
    phrase or a run of symbols); or that *continues the prompt*: outside code blocks, a line
    opens a new prompt section (`Instruction:`, `Input:`, `Question:`, `Human:`, `User:`)
    and a later line opens its answer (`Output:`, `Response:`, `Answer:`, `Assistant:`), the
    sign of a generation that wrote a new example of its own, unless the prompt asks for
    questions (a quiz, an interview, an FAQ) and they are what it gives.

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
    cost = 8
    Options = EchoOrDegenerateOptions

    batch_size = 512  # the first tests for loops run on a whole batch of responses at once

    def check_batch(self, records: Sequence[Record]) -> Iterator[Finding]:
        judged = [(r, said, strip_code(said)) for r in records if (said := words_said(r)).strip()]
        may_loop = _loop_candidates([text for _, _, text in judged])
        for (record, response, text), maybe in zip(judged, may_loop.tolist(), strict=True):
            found = (
                self._echo(record, response)
                or (maybe and self._loop(text, record.instruction))
                or self._continuation(text, record.instruction)
            )
            if found:
                message, score, kind = found
                yield self.finding(message, record, score=score, kind=kind)

    def _echo(self, record: Record, response: str) -> tuple[str, float, str] | None:
        # Most of the response's 4-grams can only come from the instruction if it is not much longer.
        if len(response) > 3 * len(record.instruction) + 40:
            return None
        # The words of _TOKEN are its runs of letters and digits, exactly what alnum_words finds.
        ascii_pair = response.isascii() and record.instruction.isascii()
        words_of = alnum_words_utf8 if ascii_pair else alnum_words
        words = words_of(response)
        if len(words) < 4:
            return None
        if _own_words_at_least(words, record.instruction, ascii_pair, max(1, 0.05 * len(words))):
            return None  # the test on `own` below, settled before the instruction is split into words
        asked_words = words_of(record.instruction)
        if len(asked_words) < 4:
            return None  # no 4-gram to repeat
        # A short answer that restates the question and adds its answer ("The permission ... is
        # called Development Team") is an answer: an echo adds (almost) nothing of its own. (Tested
        # first: it rules out nearly every response with a few set operations, before any 4-gram.)
        own = set(words).difference(asked_words, _FUNCTION_WORDS)
        if len(own) >= max(1, 0.05 * len(words)):
            return None
        asked = set(_ngrams(asked_words, 4))
        grams = _ngrams(words, 4)
        share = sum(map(asked.__contains__, grams)) / len(grams)
        if share < self.options.echo_share:
            return None
        if _CASE_CHANGE.search(record.instruction):
            # Its words in the case it asks for ("every other letter upper case") are the rewrite
            # asked for, not a copy: a copy keeps the words as written.
            kept = _ngrams(_WORD.findall(response), 4)
            as_written = set(_ngrams(_WORD.findall(record.instruction), 4))
            if sum(map(as_written.__contains__, kept)) < self.options.echo_share * len(kept):
                return None
        return (
            f"echo: {share:.0%} of the response's word 4-grams repeat the instruction "
            f"(threshold {self.options.echo_share:.0%}): {excerpt(response)!r}",
            share,
            "echo",
        )

    def _loop(self, text: str, instruction: str) -> tuple[str, float, str] | None:
        chunks = text.split()
        if len(chunks) < _MIN_CHUNKS:
            return None
        stutter_gate = _STUTTER_SHARE * (len(chunks) - 1)
        if len(chunks) >= 20 and list(map(eq, chunks, chunks[1:])).count(True) >= stutter_gate:
            stutter = sum(a == b and not _TABLE_RULE.fullmatch(a) for a, b in zip(chunks, chunks[1:], strict=False))
            if stutter >= stutter_gate:
                return (
                    f"loop: {stutter} of {len(chunks)} words repeat the word before them (at most 10 %)",
                    stutter / (len(chunks) - 1),
                    "stutter",
                )
        # Cheap gate: text that loops uses few distinct words. Ordinary prose of any length used
        # here stays above ~0.3; the exact tests below decide.
        if len(set(chunks)) > _DISTINCT_GATE * len(chunks):
            return None
        sentences = Counter(" ".join(s.lower().split()) for s in _SENTENCE.findall(text) if len(s.split()) >= 3)
        if sentences:
            sentence, times = sentences.most_common(1)[0]
            # A refrain in a song is not a loop; a sentence filling a third of the text is.
            share = times * len(sentence.split()) / len(chunks)
            # "Repeat this sentence five times" asks for the loop.
            asked = sentence in " ".join(instruction.lower().split())
            if times > self.options.max_sentence_repeats and share >= 0.3 and not asked:
                return (
                    f"loop: one sentence appears {times} times (at most {self.options.max_sentence_repeats}): "
                    f"{excerpt(sentence)!r}",
                    float(times),
                    "repeated-sentence",
                )
        tokens = _TOKEN.findall(_MARKUP.sub(" ", text.lower()))  # tags repeat by nature; their text does not
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

    def _continuation(self, text: str, instruction: str) -> tuple[str, float, str] | None:
        if text.count(":") < 2:  # each label ends in a colon; most responses have fewer than two
            return None
        if text.isascii() and not any(map(text.lower().__contains__, _PROMPT_WORDS)):
            return None  # (in ASCII, lower case is exactly what IGNORECASE matches)
        prompt = _PROMPT_LABEL.search(text)
        if prompt is None or not _ANSWER_LABEL.search(text, prompt.end()):
            return None
        if prompt.group().lstrip(" \t#*>").lower().startswith("question") and _ASKS_FOR_QUESTIONS.search(instruction):
            return None  # the quiz it was asked for
        return (
            f"continuation: the response starts a new example at {excerpt(prompt.group(), 30)!r}",
            1.0,
            "continuation",
        )
