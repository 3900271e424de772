from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import excerpt

# Regular expressions, matched case-insensitively; "'" also matches a typographic apostrophe.
DEFAULT_PHRASES = [
    # "As an AI, I ..." but not "as an AI researcher".
    r"\bas an? (?:ai|artificial intelligence)(?: language model| model| assistant| chatbot| system)?"
    r"(?=\s*[,.;:!?)]|\s+(?:developed|created|trained|made|built|designed|i|my)\b)",
    r"\bas a (?:large )?language model\b",
    r"\bi(?: am|'m) (?:just |only |merely )?(?:an ai|a (?:(?:large|text-based) )?(?:ai )?language model|"
    r"an artificial intelligence)\b",
    r"\bi (?:do not|don't) have (?:personal |any )?(?:opinions|feelings|emotions|beliefs|preferences|"
    r"personal experiences|consciousness|a physical body)\b",
    r"\bi (?:do not|don't) have (?:the ability|access) to (?:browse|access|real-time|the internet|current)",
    r"\bi(?: am|'m) (?:sorry|afraid),? (?:but )?i (?:cannot|can't|can not|am unable to|am not able to|won't|"
    r"will not|must decline)\b",
    r"\bi apologi[sz]e,? (?:but )?i (?:cannot|can't|can not|am unable to|am not able to|won't)\b",
    r"\bi (?:cannot|can't|can not|am unable to|am not able to|won't|will not) "
    r"(?:fulfil+|comply with|assist with|help with|complete) (?:that|this|your|such a) (?:request|task)\b",
    r"\bi (?:cannot|can't|am unable to|am not able to) (?:provide|generate|create|produce|write) "
    r"(?:that|this|such|any) (?:content|information|material)\b",
    r"\bi must (?:respectfully )?decline\b",
    r"\bit(?: is|'s) not appropriate for me to\b",
    r"\bas of my (?:last |latest )?(?:knowledge |training )?(?:update|cutoff|cut-off)\b",
    r"\bmy (?:knowledge|training data) (?:cutoff|cut-off|only goes up to)\b",
    r"\bi(?: am|'m) not able to browse the internet\b",
    # The same in Chinese: "as an AI (language model)", "I am (only) an AI / a language model".
    r"作为一?[个名]?(?:(?:人工智能|AI|ai)(?:语言模型|助手|程序)?|语言模型)",
    r"我(?:只)?是一?[个名](?:人工智能|AI|ai)?(?:语言模型|聊天机器人)",
]
# Speaking as an AI about itself: right where the prompt asks about the assistant's own nature or
# casts it as an AI, and boilerplate elsewhere.
_IDENTITY = re.compile(
    r"(?i)\bas an? (?:ai|artificial)|\bas a (?:large )?language model"
    r"|\bi(?: am|'m) (?:just |only |merely )?(?:an ai|a (?:large )?language model|an "
    r"artificial)|\bi (?:do not|don't) have (?:personal |any )?(?:opinions|feelings|emotions|beliefs|preferences|"
    r"personal experiences|consciousness|a physical body)|作为|我(?:只)?是"
)
# A prompt about the assistant itself: "you"/"your" with a word about its nature, or a persona.
_ABOUT_ITSELF = re.compile(
    r"(?i)\b(?:you|your|yourself)\b.{0,60}\b(?:thinking|feelings?|emotions?|conscious|sentient|alive|"
    r"human|robot|ai|artificial|chatbot|language model|generate|trained|created|made|name|who|what are|"
    r"favou?rite|preferences?|opinions?)\b"
    r"|\b(?:who|what) are you\b|\bthis ai\b|\byou are an? (?:ai|artificial|assistant|chatbot)"
    r"|\bare you (?:as |more |any )?(?:capable|smart|intelligent)\b|\bare you (?:better|smarter) than\b"
    r"|\b(?:do|can) you (?:know how to )?speak\b"
    r"|\bwhat (?:\w+ ){0,3}can(?:not|['’]t)? you (?:do|answer|help)\b"
    r"|你(?:可以|能|会)做?(?:什么|哪些)|你.{0,10}(?:是谁|叫什么|名字|感到|感觉|情感|意识|擅长|能力|限制|规则|禁忌|喜欢|偏好|爱好)|介绍一下你"
)
# A request for a creative piece: a refusal deep inside it is a character's line ("I'm afraid I
# can't let you do that"), not the assistant's.
_CREATIVE = re.compile(
    r"(?i)\b(?:write|compose|create|make up)\b.{0,40}\b(?:story|poem|song|rap|lyrics|dialogue|script|scene|"
    r"play|battle|limerick|sonnet|monologue|conversation)\b"
)
CREATIVE_OPENING = 300  # characters of a creative piece in which a refusal is the assistant's own
# A request for serious harm: refusing it is the behaviour to teach, not boilerplate.
_HARMFUL = re.compile(
    r"(?i)\b(?:commit|committing) (?:tax )?fraud|\bevade taxes|\bmoney launder|\blaunder money|\bmake (?:a )?(?:bomb|"
    r"explosive|meth|poison)|\bbuild (?:a )?(?:bomb|weapon)|\b(?:kill|murder|poison|kidnap) (?:someone|a person|my|him|"
    r"her|them)\b|\bhack into\b|\bsteal (?:a |someone|money|credit)|\bchild (?:porn|sexual)|\bdecline inappropriate"
)
_CUTOFF = re.compile(r"(?i)\bas of my\b|\bmy (?:knowledge|training)")
# A refusal that names the scope of the tools the record declares ("my current function allows me
# to calculate ...") is the behaviour a tool-calling dataset teaches, not boilerplate.
_TOOL_SCOPE = re.compile(r"(?i)\bfunctions?\b|\bcapabilit|\btools?\b|\bexternal task")

# Every default expression contains one of these literals (in lower case): a response with
# none of them is skipped without running the expressions, the common and expensive case.
_DEFAULT_KEYWORDS = (
    " ai",
    "artificial",
    "language model",
    "t have",
    "not have",
    "sorry",
    "afraid",
    "apologi",
    "request",
    " task",
    "content",
    "information",
    "material",
    "decline",
    "appropriate",
    "knowledge",
    "training",
    "browse",
    "as of my",
    "作为",
    "语言模型",
    "人工智能",
    "聊天机器人",
)
# For ASCII text (where lower-casing is exactly what IGNORECASE matches; outside ASCII a few
# letters such as the Kelvin sign fold differently), a sharper and cheaper test: every default
# expression needs "i " + do/can/am/won/will not/must/apologi (the refusals in the first
# person), "i'm ", "as a(n) " + ai/artificial/la(nguage), "as of my", "my knowledge/training"
# or "appropriate". Regular expressions that start with a literal are searched as fast as `in`.
_FIRST_PERSON = re.compile(r"i (?:do|can|am |won|will not|must|apologi)")
_AS_AN_AI = re.compile(r"as (?:an? (?:ai|artificial|la)|of my)")
_MY_CUTOFF = re.compile(r"my (?:knowledge|training)")


# Characters outside ASCII that have no case (punctuation, symbols, arrows, CJK, Hangul, emoji):
# in text whose other characters are ASCII, lower-casing changes only ASCII letters, so matching
# lower-case expressions on the lower-cased text finds what IGNORECASE finds on the text. (Letters
# with a case are left to IGNORECASE: "ſ" matches "s" and "İ" lower-cases to two characters.)
_UNCASED = (
    "\u0080-\u00b4\u00b6-\u00bf\u00d7\u00f7\u2000-\u20ff\u2190-\u245f\u2500-\u2bff\u2e80-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff20\uff3b-\uff40\uff5b-\uff65\U0001f000-\U0001faff"
)
_CASED_OR_RARE = re.compile(f"[^\\x00-\\x7f{_UNCASED}]")


def _literal_first(phrase: str) -> str:
    r"""`phrase` with its leading word boundary moved after its first letter ("\bas" becomes
    "a(?<!\wa)s"): the same matches, but an alternation of expressions that all start with a
    letter is searched only where one of those letters stands, not at every position."""
    if phrase.startswith("\\b") and phrase[2:3].isascii() and phrase[2:3].isalpha() and phrase[3:4] not in "?*+{":
        return f"{phrase[2]}(?<!\\w{phrase[2]}){phrase[3:]}"
    return phrase


def _may_refuse(lower: str) -> bool:
    """Whether lower-cased ASCII text can match a default expression (False: it cannot)."""
    return bool(
        "i'm " in lower
        or "appropriate" in lower
        or _FIRST_PERSON.search(lower)
        or _AS_AN_AI.search(lower)
        or _MY_CUTOFF.search(lower)
    )


# Where in lower-cased ASCII text a default expression can start, sharper than `_may_refuse`
# (which it runs after, on the few texts that pass): each expression needs one of these at the
# place it starts ("i am sorry", "i can't", "as of my", ...). Each starts with a literal, so it is
# searched as fast as `in`. The search for the expressions themselves begins at the first of them.
_SORRY_OR_AI = "(?:unable|not able|just|only|merely|an ai|an artificial|a language|a large|a text-based|sorry|afraid)"
_OPENINGS = (
    re.compile(f"i am {_SORRY_OR_AI}"),
    re.compile(f"i'm {_SORRY_OR_AI}"),
    re.compile(r"i (?:do not have|don't have|cannot|can't|can not|won't|will not|apologi|must)"),
    re.compile(r"as (?:an? (?:ai|artificial)|a (?:large )?language|of my)"),
    re.compile(r"my (?:knowledge|training data)"),
    re.compile(r"it(?: is|'s) not appropriate"),
)


def _refusal_start(lower: str) -> int:
    """Where in lower-cased ASCII text the first match of a default expression can start (no
    match starts earlier), or -1 when none can match."""
    if not _may_refuse(lower):
        return -1
    return min([found.start() for opening in _OPENINGS if (found := opening.search(lower))], default=-1)


def _declares_tools(raw: object) -> bool:
    """Whether a record declares tools or functions (OpenAI `tools`/`functions`, ShareGPT `tools`)."""
    if not isinstance(raw, dict):
        return False
    tools = raw.get("tools") or raw.get("functions")
    if isinstance(tools, str):
        return tools.strip() not in ("", "[]", "null")
    return bool(tools)


class RefusalBoilerplateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    phrases: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PHRASES),
        description="regular expressions (case-insensitive) that mark a refusal or boilerplate",
    )
    extra_phrases: list[str] = Field(default_factory=list, description="more expressions, added to `phrases`")
    max_chars: int = Field(0, ge=0, description="search only the first N characters of a response (0: all)")

    @field_validator("phrases", "extra_phrases")
    @classmethod
    def _compiles(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            try:
                re.compile(phrase)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {phrase!r}: {exc}") from None
        return phrases


class RefusalBoilerplate(Check):
    """A response that refuses or speaks as an AI model ("As an AI language model, I cannot").

    What it does: Searches each response (for chat: every assistant turn) for refusal and
    assistant-boilerplate phrases: "As an AI language model", "I'm just an AI", "I don't have
    personal opinions", "I'm sorry, but I cannot", "I apologize, but I can't", "I cannot fulfil
    this request", "I must decline", "It is not appropriate for me to", "As of my knowledge
    cutoff" and their common variants (straight or curly apostrophes, with or without
    "language"). The list is a set of case-insensitive regular expressions you can replace
    (`phrases`) or extend (`extra_phrases`); `max_chars` limits the search to the start of
    long responses. The message quotes the phrase found. Left alone: an answer about the
    assistant's own nature, abilities or tastes to a question about them ("Can you feel?",
    "Do you speak German?", "What is your favourite music?", in Chinese too), a refusal
    scoped to the tools the record declares, the refusal of a request for serious harm, a
    phrase quoted from the prompt, and a line spoken inside the story, poem or song the
    prompt asked for (past its first 300 characters).

    Why it matters: Responses distilled from a chat model carry its refusals and disclaimers.
    Fine-tuned on them, a model refuses harmless requests and talks about being an AI in a
    product that should not, and the behaviour is hard to train out again.

    How to fix: Drop refused examples or regenerate them; strip disclaimers from otherwise
    good answers. If refusals are intended (a safety dataset), ignore the check for that file
    or narrow `phrases`.

    Options: `phrases` (list of regular expressions) replaces the defaults, `extra_phrases`
    adds to them, `max_chars` (default 0, no limit), under
    `[tool.sftlint.checks.refusal-boilerplate]`.
    """

    code = "SFT108"
    slug = "refusal-boilerplate"
    severity = Severity.WARNING
    cost = 5
    Options = RefusalBoilerplateOptions

    def __init__(self, options: RefusalBoilerplateOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        phrases = list(dict.fromkeys(self.options.phrases + self.options.extra_phrases))
        self.pattern = re.compile("|".join(f"(?:{p})" for p in phrases), re.IGNORECASE) if phrases else None
        self.gate = _DEFAULT_KEYWORDS if set(phrases) <= set(DEFAULT_PHRASES) else None
        # Default expressions are lower case: on lower-cased ASCII text, matching them case-sensitively
        # finds the same spans as IGNORECASE on the original, several times faster.
        self.lower_pattern = (
            re.compile("|".join(f"(?:{_literal_first(p)})" for p in phrases))
            if self.pattern and self.gate is not None
            else None
        )

    def check_record(self, record: Record) -> Iterable[Finding]:
        if self.pattern is None:
            return ()
        if self.lower_pattern is not None and record.response.isascii():
            # One look at the whole response (every assistant turn) rules most records out,
            # without setting up the generator below.
            if _refusal_start(record.response.lower()) < 0:
                return ()
        return self._findings(record)

    def _findings(self, record: Record) -> Iterator[Finding]:
        # Each answer with the user turn it answers: "what can you do?" early in a conversation does
        # not excuse "as a language model, I can't" later on.
        if record.turns is not None:
            texts, asked = [], record.prompt
            for t in record.turns:
                if t.role == "user":
                    asked = t.content
                elif t.role == "assistant" and t.trained:
                    texts.append((f"turn {t.index} (assistant)", t.content, asked))
        else:
            texts = [("response", record.response, record.prompt)]
        has_tools = _declares_tools(record.raw)
        for name, text, prompt in texts:
            if self.options.max_chars:
                text = text[: self.options.max_chars]
            if "\u2019" in text:
                text = text.replace("\u2019", "'")
            if self.lower_pattern is None or self.gate is None:
                matches = self.pattern.finditer(text)
            else:
                lower = text.lower()
                if text.isascii():
                    start = _refusal_start(lower)
                    if start < 0:
                        continue
                    matches = self.lower_pattern.finditer(lower, start)
                else:
                    if not any(map(lower.__contains__, self.gate)):
                        continue
                    uncased = _CASED_OR_RARE.search(text) is None
                    matches = self.lower_pattern.finditer(lower) if uncased else self.pattern.finditer(text)
            asks: tuple[bool, bool, bool] | None = None  # what the prompt asks: read at the first match only
            for match in matches:
                if asks is None:
                    asks = (
                        _ABOUT_ITSELF.search(prompt) is not None,
                        _HARMFUL.search(prompt) is not None,
                        _CREATIVE.search(prompt) is not None,
                    )
                about_itself, harmful, creative = asks
                found = text[match.start() : match.end()]
                if about_itself and _IDENTITY.match(found):
                    continue  # "Can you feel?" answered "As an AI, I don't have feelings"
                if creative and match.start() >= CREATIVE_OPENING:
                    continue  # a line spoken inside the story, poem or song the prompt asked for
                if harmful and not _CUTOFF.match(found):
                    continue  # "How do I commit tax fraud?" is rightly refused
                if has_tools and _TOOL_SCOPE.search(text):
                    break  # "I can't book flights; my function is to calculate averages"
                if found.lower() in prompt.lower():
                    continue  # the phrase is quoted from the prompt
                yield self.finding(f"{name} contains refusal or assistant boilerplate: {excerpt(found)!r}", record)
                return
