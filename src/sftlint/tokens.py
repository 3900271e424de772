"""A fast, dependency-free estimate of how many tokens a text costs a model.

Exact counts need the model's own tokenizer, which sftlint cannot know and which is slow on a
million records. BPE tokenizers of current models spend about 4 characters, or 3/4 of a word,
per token on English text; prose is nearer the word rule and code or numbers nearer the
character rule, so the estimate takes the larger of the two. Chinese, Japanese and Korean
characters are written without spaces and cost about one token each, so they are counted one
token apiece and left out of the other two rules:

    approx_tokens(text) = cjk_chars + max(ceil(words * 4 / 3), ceil(other_chars / 4))

Checks that reason about length or context budgets (SFT105, SFT204) share this one function so
their figures agree.
"""

from __future__ import annotations

import re

__all__ = ["approx_tokens"]

# Han, Hiragana, Katakana, Hangul syllables and CJK punctuation/full-width forms.
_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def approx_tokens(text: str) -> int:
    """Estimated token count of `text` (see the module docstring for the rule)."""
    if not text:
        return 0
    if text.isascii():  # the common case, without the regular expression
        return max(-(-len(text.split()) * 4 // 3), -(-len(text) // 4))
    rest, cjk = _CJK.subn(" ", text)
    words = len(rest.split())
    chars = len(rest) - cjk
    return cjk + max(-(-words * 4 // 3), -(-chars // 4))
