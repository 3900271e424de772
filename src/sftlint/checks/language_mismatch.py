from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check
from sftlint.checks._content import EN_STOP, strip_code, word_bytes
from sftlint.findings import Finding, Severity
from sftlint.records import Record

# The most frequent function words of the languages the pre-check recognises on its own. A
# text is "clearly" in one of them when a fifth of its words are that language's function
# words and no other language comes close; anything else goes to langdetect.
_FUNCTION_WORDS = {
    "en": " ".join(sorted(EN_STOP)),
    "es": "el la los las que y en un una por con para es se su al lo como más pero sus le ya este "
    "porque esta cuando muy sin sobre también hay donde qué están puede",
    "fr": "le la les des est et en un une du que qui pour dans pas sur au avec ce il elle sont vous "
    "nous mais ou plus par cette aux ses être je",
    "de": "der die das und ist nicht ein eine zu den mit von sich des auf für im dem es auch als wie "
    "sie ich wir werden oder aber wenn kann",
    "pt": "o a os as que e do da em um uma para com não por mais dos das se na no como mas ao ele "
    "ela são você isso também",
    "it": "il lo la gli le di che è e un una per con non sono del della si da come anche più ma ci questo nel alla sua",
    "nl": "de het een en van is dat op te in niet zijn met voor die er maar ook aan als bij dit wat kan je wordt naar",
}
_FUNCTION_BYTES = {
    lang: frozenset(w.encode() for w in words.split() if "'" not in w) for lang, words in _FUNCTION_WORDS.items()
}

# Languages langdetect confuses with each other: a difference inside a group is not reported.
_SAME = [{"no", "da", "sv"}, {"hr", "sr", "bs", "sl"}, {"id", "ms", "tl"}, {"zh-cn", "zh-tw", "ko", "ja"}, {"cs", "sk"}]
_GROUP = {lang: i for i, group in enumerate(_SAME) for lang in group}

_LANGUAGE_NAMES = (
    "english|spanish|french|german|portuguese|italian|dutch|russian|chinese|mandarin|cantonese|japanese|"
    "korean|arabic|hindi|bengali|urdu|turkish|polish|ukrainian|swedish|norwegian|danish|finnish|greek|"
    "hebrew|czech|romanian|hungarian|vietnamese|thai|indonesian|malay|persian|farsi|swahili|latin|tagalog|"
    "catalan|croatian|serbian|bulgarian|slovak|tamil|telugu|marathi|gujarati|punjabi|esperanto|klingon"
)
# An instruction that asks for another language is not a mismatch.
_ASKS_FOR_LANGUAGE = re.compile(
    rf"(?i)translat|traduc|tradu[zç]|übersetz|overs[æe]t|\b(?:in|into|to|en|auf)\s+(?:{_LANGUAGE_NAMES})\b"
)


class LanguageMismatchOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_words: int = Field(5, ge=1, description="texts with fewer words are too short to judge")
    max_chars: int = Field(200, ge=20, description="only this prefix of each text is examined")
    min_probability: float = Field(0.9, gt=0, le=1, description="langdetect certainty needed to call a language")
    min_letters: float = Field(
        0.6, gt=0, le=1, description="texts with a lower share of letters (code, numbers) are skipped"
    )


# Each function word maps to one integer holding a 16-bit counter per language (a word can belong
# to several languages), so summing the integers of a text's distinct words counts every
# language's function words at once, in C. A 200-character prefix has far fewer than 2**16 words.
_LANGS = tuple(_FUNCTION_BYTES)
_PACKED: dict[bytes, int] = {}
for _i, _lang in enumerate(_LANGS):
    for _word in _FUNCTION_BYTES[_lang]:
        _PACKED[_word] = _PACKED.get(_word, 0) + (1 << (16 * _i))
_PACKED_WORDS = frozenset(_PACKED)


def _function_word_language(tokens: list[bytes]) -> tuple[str | None, bool]:
    """(language whose function words lead among the distinct `tokens`, whether it leads clearly)."""
    present = set(tokens)
    total = sum(map(_PACKED.__getitem__, present & _PACKED_WORDS))
    scores = sorted([((total >> (16 * i)) & 0xFFFF, lang) for i, lang in enumerate(_LANGS)], reverse=True)
    (n, best), (runner_up, _) = scores[0], scores[1]
    if n == 0 or n == runner_up:
        return None, False
    return best, n >= 0.2 * len(present) and n >= 2 * runner_up + 1


class LanguageMismatch(Check):
    """A response in a different language from its instruction.

    What it does: Finds the language of each instruction (user turns for chat) and response
    (assistant turns) and reports the pairs that differ. Only the first `max_chars`
    characters are examined, with code blocks removed; a text with fewer than `min_words`
    words, or fewer than `min_letters` letters among its characters (code, numbers, tables),
    is too short to judge and skipped, since language identification on a few words is
    guesswork ("No" comes out Swedish). A cheap pre-check comes first: it counts the distinct function
    words of English, Spanish, French, German, Portuguese, Italian and Dutch in both texts;
    when both lean to the same language and one of them clearly (a fifth of its words, twice
    any other language's count), the record is done without further work; in English data
    that is nearly every record. A text the function words settle clearly keeps that
    language; other texts go to langdetect (with its fixed seed, so results are deterministic; results cached per
    text), and a language is only called when langdetect is at least `min_probability` sure.
    Languages langdetect confuses (Norwegian, Danish and Swedish; Croatian, Serbian and
    Bosnian; Indonesian and Malay; Chinese variants) count as one. Instructions that ask for a
    translation or name a target language ("translate", "in French") are not judged. The
    summary gives the dataset's language mix (languages of the judged responses).

    Why it matters: Trained on answers in another language, the model learns to switch
    language unprompted. It usually comes from a translation step applied to one column only,
    or from mixing sources.

    How to fix: Translate the odd side, or drop the records. If your data deliberately pairs
    languages (translation, cross-lingual tasks), ignore this check for it.

    Options: `min_words` (default 5), `max_chars` (default 200), `min_probability` (default
    0.9), `min_letters` (default 0.6), under `[tool.sftlint.checks.language-mismatch]`.
    """

    code = "SFT109"
    slug = "language-mismatch"
    severity = Severity.WARNING
    Options = LanguageMismatchOptions

    def __init__(self, options: LanguageMismatchOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.languages: Counter[str] = Counter()
        self.checked = 0
        self.skipped = 0
        self.detected = 0  # texts that needed langdetect
        self._cache: dict[str, tuple[str, float] | None] = {}
        self._factory: Any = None

    def check_record(self, record: Record) -> Iterator[Finding]:
        asked = self._prefix(record.instruction)
        answered = self._prefix(record.response) if asked is not None else None
        if asked is None or answered is None:
            self.skipped += 1
            return
        (lead_asked, clear_asked), (lead_answered, clear_answered) = map(
            _function_word_language, (asked[1], answered[1])
        )
        if lead_asked is not None and lead_asked == lead_answered and (clear_asked or clear_answered):
            self.checked += 1
            self.languages[lead_answered] += 1
            return
        # A side the function words settle clearly keeps that language; langdetect does the rest.
        asked_lang = (lead_asked, 1.0) if clear_asked else self._detect(asked[0])
        answered_lang = (lead_answered, 1.0) if clear_answered else self._detect(answered[0])
        if asked_lang is None or answered_lang is None:
            self.skipped += 1
            return
        self.languages[answered_lang[0]] += 1
        same = asked_lang[0] == answered_lang[0] or _GROUP.get(asked_lang[0], -1) == _GROUP.get(answered_lang[0], -2)
        # Asking for another language is not a mismatch (looked at only here: it is rarely needed).
        if not same and _ASKS_FOR_LANGUAGE.search(record.instruction):
            self.skipped += 1
            return
        self.checked += 1
        if same:
            return
        how_asked = "function words" if clear_asked else f"langdetect p={asked_lang[1]:.2f}"
        how_answered = "function words" if clear_answered else f"langdetect p={answered_lang[1]:.2f}"
        yield self.finding(
            f"response is in '{answered_lang[0]}' ({how_answered}), instruction in '{asked_lang[0]}' "
            f"({how_asked}); langdetect calls a language at p >= {self.options.min_probability}",
            record,
            score=min(asked_lang[1], answered_lang[1]),
            instruction_language=asked_lang[0],
            response_language=answered_lang[0],
        )

    def _prefix(self, text: str) -> tuple[str, list[bytes]] | None:
        """The examined prefix and its words, or None when the text is too short or not prose."""
        limit = self.options.max_chars
        prefix = strip_code(text[: 3 * limit])[:limit].strip()
        tokens = word_bytes(prefix)
        count = len(tokens)
        if count < self.options.min_words and not prefix.isascii():
            count = max(count, sum(ord(ch) >= 0x2E80 for ch in prefix) // 2)  # CJK: ~2 characters a word
        if count < self.options.min_words:
            return None
        visible = len(prefix) - prefix.count(" ") - prefix.count("\n")
        if sum(map(len, tokens)) < self.options.min_letters * max(visible, 1):
            return None
        return prefix, tokens

    def _detect(self, text: str) -> tuple[str, float] | None:
        if text in self._cache:
            return self._cache[text]
        if self._factory is None:
            self._factory = _load_factory()
        self.detected += 1
        detector = self._factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
            result = (best.lang, best.prob) if best.prob >= self.options.min_probability else None
        except Exception:  # langdetect raises on text without features  # noqa: BLE001
            result = None
        if len(self._cache) >= 50_000:
            self._cache.clear()
        self._cache[text] = result
        return result

    def summary(self) -> dict[str, Any] | None:
        return {
            "languages": dict(self.languages.most_common()),
            "checked": self.checked,
            "skipped": self.skipped,
            "langdetect_calls": self.detected,
        }


def _load_factory() -> Any:
    """langdetect's detector factory with its profiles loaded and the seed fixed (deterministic)."""
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory
