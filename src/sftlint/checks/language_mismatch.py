from __future__ import annotations

import re
import struct
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from operator import mul
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.content import EN_STOP, WORD_BYTES, prose

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
# An instruction that asks for another language, or asks about one (its words, its writing), is not
# a mismatch.
_ASKS_FOR_LANGUAGE = re.compile(
    rf"(?i)translat|traduc|tradu[zç]|übersetz|overs[æe]t|翻译|翻譯|翻訳|번역|перев[оеі]д|\b(?:in|into|to|en|auf)\s+"
    rf"(?:{_LANGUAGE_NAMES})\b|\b(?:kanji|kana|hiragana|katakana|hanzi|pinyin|hangul|cyrillic)\b"
    r"|用?(?:英|中|日|韩|法|德|俄|西班牙|葡萄牙|意大利|阿拉伯)[文语]"
)
# For a switch inside an answer, naming a language written in the run's script is enough ("the
# Japanese word for ..."); naming French or Indonesian does not excuse Chinese words.
_SCRIPT_OF_LANGUAGE = {
    "cjk": "chinese mandarin cantonese japanese korean",
    "cyrillic": "russian ukrainian bulgarian serbian",
    "arabic": "arabic persian farsi urdu",
    "devanagari": "hindi marathi nepali",
    "hebrew": "hebrew",
    "thai": "thai",
    "bengali": "bengali",
    "tamil": "tamil",
    "telugu": "telugu",
    "gujarati": "gujarati",
    "gurmukhi": "punjabi",
}
_NAMES_SCRIPT = {
    script: re.compile(rf"(?i)\b(?:{'|'.join(names.split())})\b") for script, names in _SCRIPT_OF_LANGUAGE.items()
}


class LanguageMismatchOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
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


_UNPACK = struct.Struct(f"<{len(_LANGS)}H").unpack


def _function_word_language(tokens: list[bytes]) -> tuple[str | None, bool]:
    """(language whose function words lead among the distinct `tokens`, whether it leads clearly)."""
    total = sum(map(_PACKED.__getitem__, _PACKED_WORDS.intersection(tokens)))
    if not total:
        return None, False
    counts = _UNPACK(total.to_bytes(2 * len(_LANGS), "little"))  # the 16-bit counters, in C
    n, runner_up = sorted(counts)[-1:-3:-1]
    if n == runner_up:
        return None, False
    # A fifth of the distinct words; there are no more of them than words, so counting them is
    # seldom needed.
    clear = n >= 2 * runner_up + 1 and (n >= 0.2 * len(tokens) or n >= 0.2 * len(set(tokens)))
    return _LANGS[counts.index(n)], clear


# The same-script pre-check. Per script: its letters (as ranges), the language it names when it is
# written in one language only (among those langdetect knows), and evidence for its languages:
# letters, then common words, that only some of them use, each with those languages. Latin is
# listed so that its letters count, but never settles a pair: function words cover its common
# languages and it has too many others.
_SCRIPTS: dict[str, tuple[str, str | None, dict[str, str], dict[str, str]]] = {
    "latin": ("A-Za-z\u00c0-\u024f\u1e00-\u1eff", None, {}, {}),
    "cyrillic": (
        "\u0400-\u04ff",
        None,
        {"ыэёЫЭЁ": "ru", "іїєґІЇЄҐ": "uk", "ѓќѕЃЌЅ": "mk", "ђћЂЋ": "sr", "јљњџЈЉЊЏ": "mk sr"},
        {
            "что это если почему можно нужно только уже есть мне сейчас здесь где когда чтобы который "
            "спасибо пожалуйста": "ru",
            "як що це якщо чому можна потрібно тільки вже мені коли щоб який яка які дякую або але немає також": "uk",
            "че това ще са тук къде кога защо ако няма благодаря моля също вече": "bg",
            "как или": "ru bg",
        },
    ),
    "arabic": (
        "\u0600-\u06ff\u0750-\u077f",
        None,
        {"يكى": "ar", "پچژگکی": "fa ur", "ٹڈڑںےہھ": "ur"},
        {"است را این که از برای": "fa"},
    ),
    "devanagari": (
        "\u0900-\u097f",
        None,
        {"ळ": "mr"},
        {
            "है हैं के की में और से का यह नहीं भी लिए": "hi",
            "आहे आहेत आणि मध्ये नाही तुम्ही": "mr",
            "छ छन् पनि गर्न तपाईं यो थियो छैन": "ne",
        },
    ),
    # Chinese, Japanese and Korean are one group for this check (langdetect confuses them).
    "cjk": (
        "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff",
        "zh",
        {"".join(map(chr, range(0x3040, 0x3100))): "ja", "".join(map(chr, range(0xAC00, 0xD7A4))): "ko"},
        {},
    ),
    "greek": ("\u0370-\u03ff\u1f00-\u1fff", "el", {}, {}),
    "hebrew": ("\u0590-\u05ff", "he", {}, {}),
    "bengali": ("\u0980-\u09ff", "bn", {}, {}),
    "gurmukhi": ("\u0a00-\u0a7f", "pa", {}, {}),
    "gujarati": ("\u0a80-\u0aff", "gu", {}, {}),
    "tamil": ("\u0b80-\u0bff", "ta", {}, {}),
    "telugu": ("\u0c00-\u0c7f", "te", {}, {}),
    "kannada": ("\u0c80-\u0cff", "kn", {}, {}),
    "malayalam": ("\u0d00-\u0d7f", "ml", {}, {}),
    "thai": ("\u0e00-\u0e7f", "th", {}, {}),
}
_SCRIPT_NAMES = tuple(_SCRIPTS)
# A run of another script inside Latin-script prose: two or more CJK characters, or a word of three or
# more letters of an alphabet other than Latin and Greek (Greek letters are mathematics' notation).
_FOREIGN_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af][\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uff00-\uffef·]*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
    r"|[\u0400-\u04ff\u0590-\u06ff\u0750-\u077f\u0900-\u0d7f\u0e00-\u0e7f]{3,}"
)
# A gloss: a name given in its own script in brackets or quotes, as in "Shurijo Castle (首里城)".
_GLOSS = re.compile(r"\([^()\n]{0,80}\)|（[^（）\n]{0,80}）|'[^'\n]{0,80}'|「[^」\n]{0,80}」")
# A term given in its own script after a word that introduces it, as a writer glosses ("Perform
# Charye or 차례.", "a dish called 비빔밥"), with a space between: a model slipping into another
# script glues it to the word before ("or面心位置", "a glass of丹麦啤酒").
_NAMED_TERM = re.compile(
    r"\b(or|called|named|known as|meaning|means|word|term) +[^\s\x00-\u024f]{1,12}(?=[\s.,;:!?)]|$)"
)
_WIDE = re.compile("[\u2e80-\U0010ffff]")  # CJK and everything after it in Unicode
_UNSEEN = object()
#: words of prose a Latin-script text needs before langdetect's guess of its language is evidence.
_LANGDETECT_WORDS = 8
#: texts whose judgement each side (instructions, responses) remembers
_JUDGED_CACHE = 10_000


def _script_table() -> np.ndarray:
    """Each UTF-16 code unit's script number (1, 2, ...), 0 for the rest: every letter of a known
    script is in the Basic Multilingual Plane, so the halves of the characters past it are 0 too."""
    table = np.zeros(0x10000, np.uint8)
    for number, (ranges, *_) in enumerate(_SCRIPTS.values(), start=1):
        for first, last in re.findall(r"(.)-(.)", ranges):
            table[ord(first) : ord(last) + 1] = number
    return table


_SCRIPT_TABLE = _script_table()


def _word_evidence(marks: dict[str, str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    return [(frozenset(words.split()), frozenset(langs.split())) for words, langs in marks.items()]


def _letter_evidence(marks: dict[str, str]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """`_word_evidence` for letters, each set of them a pattern that finds any of them: a text is scanned
    in C rather than looked up in a set character by character (Hangul alone is 11,172 letters).
    Runs of consecutive letters are written as ranges, which compile quickly."""
    found = []
    for letters, languages in marks.items():
        runs: list[list[int]] = []
        for code in sorted(map(ord, set(letters))):
            if runs and runs[-1][1] == code - 1:
                runs[-1][1] = code
            else:
                runs.append([code, code])
        ranges = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in runs)
        found.append((re.compile(f"[{ranges}]"), frozenset(languages.split())))
    return found


_LETTERS = {name: _letter_evidence(letters) for name, (_, _, letters, _) in _SCRIPTS.items()}
_WORDS = {name: _word_evidence(words) for name, (_, _, _, words) in _SCRIPTS.items()}
# Punctuation stripped from words before they are compared with the evidence words.
_PUNCTUATION = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum()) + "«»“”„‘’—–…·।॥،؛؟"
#: the share of a text's weighted letters its script must hold for the text to count as written in it.
_SCRIPT_SHARE = 2 / 3
#: a letter's weight in tenths of a word: a Latin, Cyrillic or Greek word has ~5 letters; a Chinese
#: word ~1.5 characters, so "我想用 python 读取 jsonl 文件" is Chinese with two English names in it.
_LETTER_TENTHS, _CJK_TENTHS = 2, 7
_WEIGHT = {name: (_CJK_TENTHS if name == "cjk" else _LETTER_TENTHS) / 10 for name in _SCRIPT_NAMES}
#: the weights by script number; characters of no script (number 0) weigh nothing
_WEIGHTS = (0.0, *(_WEIGHT[name] for name in _SCRIPT_NAMES))
_CJK = _SCRIPT_NAMES.index("cjk") + 1


@lru_cache(maxsize=1024)
def _script(text: str) -> str | None:
    """The script that holds at least two thirds of `text`'s letters, weighted as words, if any.

    Remembered for the last texts: a pair's texts are asked for again when it is settled."""
    # Each UTF-16 code unit looked up in the table and counted by script number, in C.
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), np.uint16)
    letters = np.bincount(_SCRIPT_TABLE.take(units), minlength=len(_WEIGHTS)).tolist()
    letters[0] = 0
    most, total = max(letters), sum(letters)
    if most == total:  # letters of one script only (most texts), or none
        return _SCRIPT_NAMES[letters.index(most) - 1] if most else None
    # Weighed in tenths, exactly: the heaviest script is CJK or the most frequent other one. The
    # weights as floats differ from these by far less than a tenth for any text that fits in memory,
    # so only at exactly two thirds does their rounding decide, as it always did.
    cjk = letters[_CJK]
    letters[_CJK] = 0
    other = max(letters)
    heaviest = max(_CJK_TENTHS * cjk, _LETTER_TENTHS * other)
    whole = _LETTER_TENTHS * (total - cjk) + _CJK_TENTHS * cjk
    if 3 * heaviest < 2 * whole:
        return None
    if 3 * heaviest > 2 * whole:  # more than two thirds: one script only is that heavy
        return "cjk" if heaviest == _CJK_TENTHS * cjk else _SCRIPT_NAMES[letters.index(other) - 1]
    letters[_CJK] = cjk
    # Weighted and summed in script order, as a dict of the scripts present would be: the 0.0 of
    # the absent ones leave the sum as it is; the first script with the highest weight wins.
    weighted = list(map(mul, letters, _WEIGHTS))
    best = max(weighted)
    return _SCRIPT_NAMES[weighted.index(best) - 1] if best >= _SCRIPT_SHARE * sum(weighted) else None


def _candidates(text: str, script: str) -> frozenset[str] | None:
    """The languages of `script` that the letters and words of `text` allow (None: any of them)."""
    allowed: frozenset[str] | None = None
    found = [languages for letters, languages in _LETTERS[script] if letters.search(text)]
    if _WORDS[script]:
        words = {word.strip(_PUNCTUATION) for word in text.lower().split()}
        found += [languages for marks, languages in _WORDS[script] if not marks.isdisjoint(words)]
    for languages in found:
        allowed = languages if allowed is None else allowed & languages
    return allowed


def same_script_language(asked: str, answered: str) -> str | None:
    """The language (or, failing that, the script) of a pair written in one non-Latin script, or None.

    None when the texts are not both in one non-Latin script, or when letters only some of the
    script's languages use point to different languages ("ы" is Russian, "ї" Ukrainian): then
    langdetect has to tell.
    """
    if asked.isascii() or answered.isascii():
        return None
    script = _script(asked)
    if script is None or script == "latin" or _script(answered) != script:
        return None
    name = _SCRIPTS[script][1]
    if script == "cjk":  # one language for this check: the name is only for the summary
        return script_language(answered, script)
    of_asked, of_answered = _candidates(asked, script), _candidates(answered, script)
    if of_asked is None or of_answered is None:
        allowed = of_answered if of_asked is None else of_asked
    else:
        allowed = of_asked & of_answered
    if allowed is not None and len(allowed) != 1:
        return None if not allowed else name or script
    return next(iter(allowed)) if allowed else name or script


def script_language(text: str, script: str) -> str:
    """The language `text`, written in the non-Latin `script`, is in: the one its letters and
    words allow, else the script's usual language ("zh" for Chinese characters), else the
    script's name."""
    allowed = _candidates(text, script)
    if allowed is not None and len(allowed) == 1:
        return next(iter(allowed))
    return _SCRIPTS[script][1] or script


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
    that is nearly every record. A pair written in one non-Latin script (at least two thirds of
    each text's letters: Cyrillic, Arabic, Devanagari, Chinese/Japanese/Korean, Greek, Hebrew,
    Thai and the Indic scripts) is done too, unless letters or common words that only some of
    the script's languages use point to different languages ("ы" or "что" is Russian, "ї" or
    "що" Ukrainian): then langdetect tells. Languages that share a script and have no such
    evidence between them (Russian and Bulgarian without their marker words, Hindi and Nepali)
    are not told apart. A text the function words settle clearly keeps that language; a text
    in a non-Latin script against such a side differs from it whatever its language, and is
    named by its script ("zh" for Chinese characters) without langdetect; other texts go to
    langdetect (with its fixed seed, so results are deterministic; results cached
    per text), and a language is only called when langdetect is at least `min_probability` sure.
    Languages langdetect confuses (Norwegian, Danish and Swedish; Croatian, Serbian and
    Bosnian; Indonesian and Malay; Chinese variants) count as one. Instructions that ask for a
    translation or name a target language ("translate", "in French") are not judged, nor an
    answer in the language of the record's `input`, the text the instruction works on
    ("Summarize the following text" over a Chinese text, answered in Chinese). The
    summary gives the dataset's language mix (languages of the judged responses; a pair settled
    by its script counts under the language its evidence names, else the script's language,
    "zh" for Chinese characters, or the script's name), and how many pairs langdetect and the
    script settled.

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
    cost = 20
    Options = LanguageMismatchOptions

    def __init__(self, options: LanguageMismatchOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.languages: Counter[str] = Counter()
        self.checked = 0
        self.skipped = 0
        self.tool_calls = 0  # of the skipped: records whose answer is a tool call, no text to judge
        self.detected = 0  # texts that needed langdetect
        self.same_script = 0  # pairs settled by their common non-Latin script
        self.by_script = 0  # texts told apart from a clearly Latin-script other side by their script
        self._instructions: dict[str, tuple[str, str | None, bool] | None] = {}
        self._responses: dict[str, tuple[str, str | None, bool] | None] = {}
        self._cache: dict[str, tuple[str, float] | None] = {}
        self._factory: Any = None

    def check_record(self, record: Record) -> Iterator[Finding]:
        found = list(self._whole_response(record))
        if not found and not record.response.isascii():
            found = list(self._switch(record))
        yield from found

    def _switch(self, record: Record) -> Iterator[Finding]:
        """A response to a Latin-script instruction that switches to another script mid-text.

        Models trained on mixed data answer an English question in English and slip into Chinese
        for a phrase or the rest of the answer: the first characters look fine, so the whole-text
        judgement misses it. A name glossed in its own script (in brackets or quotes), code, and
        an instruction that uses that script or asks for a language are not switches.
        """
        if _FOREIGN_RUN.search(record.response) is None:
            return  # prose only drops text and joins words with spaces: it cannot make a run
        asked = record.instruction[: 3 * self.options.max_chars]
        # The run is looked for first: in text outside ASCII it is found sooner than the script is told.
        if not asked.isascii() and (_FOREIGN_RUN.search(record.instruction) or _script(asked) != "latin"):
            return
        answered = prose(record.response, min_words=1)
        run = _FOREIGN_RUN.search(_NAMED_TERM.sub(r"\1", _GLOSS.sub(" ", answered)))
        if run is None or _ASKS_FOR_LANGUAGE.search(record.instruction):
            return
        if sum(word.isascii() and word.isalpha() for word in answered.split()) < self.options.min_words:
            return
        script = _script(run.group())
        if script in _NAMES_SCRIPT and _NAMES_SCRIPT[script].search(record.instruction):
            return
        yield self.finding(
            f"response switches to {script} script mid-text: '{run.group()[:40]}' in an answer to a "
            f"Latin-script instruction that does not ask for another language",
            record,
            instruction_language="latin",
            response_language=script_language(run.group(), script) if script else None,
        )

    def _whole_response(self, record: Record) -> Iterator[Finding]:
        asked = self._judged(record.instruction, self._instructions)
        answered = self._judged(record.response, self._responses) if asked is not None else None
        if asked is None or answered is None:
            self.skipped += 1
            self.tool_calls += _answers_with_a_call(record)
            return
        (asked_text, lead_asked, clear_asked), (answered_text, lead_answered, clear_answered) = asked, answered
        if lead_asked is not None and lead_asked == lead_answered and (clear_asked or clear_answered):
            self.checked += 1
            self.languages[lead_answered] += 1
            return
        if not clear_asked and not clear_answered:
            language = same_script_language(asked_text, answered_text)
            if language is not None:
                self.checked += 1
                self.same_script += 1
                self.languages[language] += 1
                return
        # A side the function words settle clearly keeps that language; the other is told by its
        # script or by langdetect.
        asked_lang = (
            (lead_asked, 1.0, "function words")
            if clear_asked
            else self._unsettled(asked_text, answered_text, clear_answered)
        )
        answered_lang = (
            (lead_answered, 1.0, "function words")
            if clear_answered
            else self._unsettled(answered_text, asked_text, clear_asked)
        )
        if asked_lang is None or answered_lang is None:
            self.skipped += 1
            return
        self.languages[answered_lang[0]] += 1
        same = asked_lang[0] == answered_lang[0] or _GROUP.get(asked_lang[0], -1) == _GROUP.get(answered_lang[0], -2)
        # Asking for another language is not a mismatch (looked at only here: it is rarely needed),
        # nor answering in the language of the input the instruction works on ("Summarize the
        # following text" over a Chinese text, answered in Chinese).
        if not same and (
            _ASKS_FOR_LANGUAGE.search(record.instruction) or self._in_input_language(record, answered_lang[0])
        ):
            self.skipped += 1
            return
        self.checked += 1
        if same:
            return
        told = f"; langdetect calls a language at p >= {self.options.min_probability}"  # said where it decided
        yield self.finding(
            f"response is in '{answered_lang[0]}' ({answered_lang[2]}), instruction in '{asked_lang[0]}' "
            f"({asked_lang[2]}){told if 'langdetect' in answered_lang[2] + asked_lang[2] else ''}",
            record,
            score=min(asked_lang[1], answered_lang[1]),
            instruction_language=asked_lang[0],
            response_language=answered_lang[0],
        )

    def _in_input_language(self, record: Record, language: str) -> bool:
        """Whether the record's input (an alpaca `input`) is in `language`, as far as it can be told."""
        if record.turns is not None or not record.input.strip():
            return False
        given = self._judged(record.input, self._instructions)
        if given is None:
            return False
        text, lead, clear = given
        told = (lead, 1.0, "") if clear else self._unsettled(text, "", False)
        return told is not None and (told[0] == language or _GROUP.get(told[0], -1) == _GROUP.get(language, -2))

    def _judged(
        self, text: str, judged: dict[str, tuple[str, str | None, bool] | None]
    ) -> tuple[str, str | None, bool] | None:
        """`_judge`, remembered in `judged` per text: the same prompt often comes with several
        answers, and the same short answers ("no", "Positive") come back again and again."""
        key = text[: 3 * self.options.max_chars]  # all that `_judge` looks at
        found = judged.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(judged) >= _JUDGED_CACHE:
                judged.clear()
            found = judged[key] = self._judge(key)
        return found  # type: ignore[return-value]

    def _judge(self, text: str) -> tuple[str, str | None, bool] | None:
        """(examined prefix, leading function-word language, whether it leads clearly), or None
        when the text is too short or not prose."""
        options = self.options
        limit = options.max_chars
        prefix = prose(text[: 3 * limit], limit=limit)[:limit].strip()
        translated = prefix.encode("utf-8", "surrogatepass").translate(WORD_BYTES)
        tokens = translated.split()
        count = len(tokens)
        if count < options.min_words and not prefix.isascii():
            count = max(count, len(_WIDE.findall(prefix)) // 2)  # CJK: ~2 characters a word
        if count < options.min_words:
            return None
        visible = len(prefix) - prefix.count(" ") - prefix.count("\n")
        if len(translated) - translated.count(b" ") < options.min_letters * max(visible, 1):  # letters in words
            return None
        if not prefix.isascii() and _script(prefix) not in (None, "latin"):
            return prefix, None, False  # English titles in Chinese prose do not make it English
        return (prefix, *_function_word_language(tokens))

    def _unsettled(self, text: str, other: str, other_is_clear: bool) -> tuple[str, float, str] | None:
        """(language, certainty, how it was told) of a text its function words leave open.

        A text written in a non-Latin script that the other side does not share is named by its
        script ("zh" for Chinese characters) without langdetect: the two differ whatever this
        language is, and langdetect's guess on mixed-script text (Chinese with English names
        comes out Vietnamese or Croatian) is never the evidence. Latin-script text goes to
        langdetect only with `_LANGDETECT_WORDS` words of prose: shorter, it guesses. Text that no
        script holds two thirds of is not judged.
        """
        script = _script(text)
        if script is not None and script != "latin" and (other_is_clear or _script(other) != script):
            self.by_script += 1
            return script_language(text, script), 1.0, f"{script} script"
        if script is None:
            # No script holds two thirds of the letters: mixed-script text or symbols, where
            # langdetect's guess is not evidence (and, on every record of such data, the slowest path).
            return None
        words = sum(not w.isdigit() and w.isalnum() for w in text.split())
        if script == "latin" and words < _LANGDETECT_WORDS:
            return None
        detected = self._detect(text)
        return None if detected is None else (detected[0], detected[1], f"langdetect p={detected[1]:.2f}")

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
            "tool_calls": self.tool_calls,
            "langdetect_calls": self.detected,
            "same_script": self.same_script,
            "by_script": self.by_script,
        }


def _answers_with_a_call(record: Record) -> bool:
    """Whether a record's last answer is a tool call (its response is the call's JSON)."""
    use = record.tool_use
    if use is None or not use.calls or not record.turns:
        return False
    last = max((t.index for t in record.turns if t.role == "assistant"), default=None)
    return any(call.turn == last for call in use.calls)


def _load_factory() -> Any:
    """langdetect's detector factory with its profiles loaded and the seed fixed (deterministic)."""
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory
