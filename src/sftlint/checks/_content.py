"""Cheap text measures shared by the content checks (SFT105-SFT110, SFT202).

Everything here runs once or twice per record on datasets of millions of records, so it
leans on C-speed string and regex operations and deterministic hashing (never Python's
salted `hash()`), and keeps nothing per record beyond what the caller stores.
"""

from __future__ import annotations

import re
import zlib

# Fenced code blocks: language and relevance measures look at prose, not code.
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ALNUM = re.compile(r"[^\W_]+")

# Function words of English: never evidence that two texts are about the same thing.
EN_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves i'm it's don't can't
    you're we're they're i'll you'll we'll that's there's what's let's isn't aren't doesn't didn't
    won't wouldn't shouldn't couldn't here's may might must shall us one two get got make made use
    used using like well also many much way yes ok vs eg ie etc""".split()
)


def strip_code(text: str) -> str:
    """`text` without fenced code blocks (```...```)."""
    return _FENCE.sub(" ", text) if "```" in text else text


def approx_tokens(text: str) -> int:
    """Approximate token count: 4 characters a token, one token a non-Latin character.

    OpenAI documents ~4 characters per token for English with its BPE vocabularies; letters of
    scripts such as CJK take about one token each, which the extra UTF-8 bytes account for
    (a 3-byte character adds 2 x 1.5 characters). Within ~20 % of a BPE count on English prose,
    never a tokenizer call.
    """
    n = len(text)
    if text.isascii():
        return (n + 3) // 4
    extra = len(text.encode("utf-8", "surrogatepass")) - n
    return int((n + 1.5 * extra + 3) // 4)


def words(text: str) -> list[str]:
    """Lower-cased letter words (apostrophes kept inside words)."""
    return _WORD.findall(text.lower())


def alnum_words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: the tokens comparisons use."""
    return _ALNUM.findall(text.lower())


_BUCKETS: dict[str, int] = {}


def bucket(word: str, bits: int = 20) -> int:
    """A deterministic hash of `word` into 2**bits buckets (memoised; crc32 is stable across runs)."""
    value = _BUCKETS.get(word)
    if value is None:
        if len(_BUCKETS) > 500_000:
            _BUCKETS.clear()
        value = _BUCKETS[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
    return value & ((1 << bits) - 1)


def content_words(text: str, stem: int = 6) -> set[str]:
    """Distinct words that are not English function words, cut to `stem` letters.

    Cutting words to their first six letters is a crude stemmer ("building" and "build" meet,
    "spherical" and "sphere" do not) that costs nothing and is the same for every language.
    """
    return {w[:stem] for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in EN_STOP}
