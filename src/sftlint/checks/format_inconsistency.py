from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Severity
from sftlint.records import Record

# A response's form: (kind, detail). `detail` is the sorted top-level keys of a JSON object
# or the normalised markdown headings; empty for the other kinds.
Form = tuple[str, tuple[str, ...]]

KINDS = {
    "json-object": "a JSON object",
    "fenced-json-object": "a JSON object inside a ``` fence",
    "json-array": "a JSON array",
    "fenced-json-array": "a JSON array inside a ``` fence",
    "invalid-json": "text that starts like JSON but does not parse",
    "code": "a fenced code block",
    "headings": "markdown sections",
    "numbered-list": "a numbered list",
    "bullet-list": "a bulleted list",
    "label": "a single short label",
    "prose": "plain prose",
}
JSON_OBJECTS = ("json-object", "fenced-json-object")

_FENCED = re.compile(r"\A```[\w+-]*[ \t]*\n(.*?)\n?```\s*\Z", re.DOTALL)
_FENCE_BLOCK = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*+•][ \t]+\S")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)][ \t]+\S")
_LIST_ITEM = re.compile(r"\s*(?:\d{1,3}[.)]|[-*+•])[ \t]+\S")  # _BULLET or _NUMBERED (never both)
# JSON-looking starts: "{" before a key or "}", "[" before a value; "[Verse 1]" is not JSON.
_JSON_START = re.compile(r"""\A(\{\s*(["'}]|\w+\s*:)|\[\s*([\[{"\]\d-]|true|false|null))""")
_LABEL_MAX_WORDS = 3
_LABEL_MAX_CHARS = 40


def _json_form(text: str, fenced: bool) -> tuple[Form, str | None] | None:
    """The form of a text that starts like JSON, with the parser's complaint when it is invalid."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = f"{exc.msg} (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return ("invalid-json", ()), reason
    prefix = "fenced-" if fenced else ""
    if isinstance(value, dict):
        return (prefix + "json-object", tuple(sorted(str(k) for k in value))), None
    if isinstance(value, list):
        return (prefix + "json-array", ()), None
    return None


def profile(response: str) -> tuple[Form, str | None]:
    """The form of one response, and why it is not valid JSON when it looks like JSON."""
    text = response.strip()
    fence = _FENCED.match(text) if text.startswith("```") else None
    if fence:
        inner = fence.group(1).strip()
        if _JSON_START.match(inner):
            found = _json_form(inner, fenced=True)
            if found is not None:
                return found
        return ("code", ()), None
    if text[:1] in ("{", "[") and _JSON_START.match(text):
        found = _json_form(text, fenced=False)
        if found is not None:
            return found
    outside_code = _FENCE_BLOCK.sub("", text) if "```" in text else text
    headings = _HEADING.findall(outside_code) if "#" in outside_code else []
    if headings:
        names = {h.strip().strip("*_:").strip().lower() for h in headings}
        return ("headings", tuple(sorted(n for n in names if n))), None
    lines = list(filter(str.strip, outside_code.splitlines()))
    items = len(list(filter(None, map(_LIST_ITEM.match, lines))))  # numbered + bulleted lines
    if items >= 2 and 2 * items >= len(lines):
        numbered = len(list(filter(None, map(_NUMBERED.match, lines))))
        return ("numbered-list" if 2 * numbered >= items else "bullet-list", ()), None
    if len(lines) == 1 and len(text) <= _LABEL_MAX_CHARS and len(text.split()) <= _LABEL_MAX_WORDS:
        return ("label", ()), None
    return ("prose", ()), None


def _names(items: tuple[str, ...] | list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class FormatInconsistencyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    min_share: float = Field(0.8, gt=0.5, le=1.0, description="share of responses that makes a form dominant")
    min_responses: int = Field(20, ge=2, description="fewest responses to judge a dataset's format by")
    rare_key_share: float = Field(
        0.05, ge=0.0, lt=0.5, description="a JSON key in fewer than this share of objects is unexpected"
    )


class FormatInconsistency(Check):
    """A response that breaks the structured form most of the dataset's responses share.

    What it does: Profiles every response (each assistant turn for chat; a tool call is no
    answer and is left out): a JSON object and its top-level keys, a JSON array, either inside
    a ``` fence, text that starts like JSON but does not parse, a fenced code block, markdown
    sections and their headings, a numbered or bulleted list, a single short label, or plain
    prose. When one structured form covers at
    least `min_share` (default 80 %) of the responses, it flags every response in another form,
    and, for JSON objects, those missing a key that `min_share` of the objects have or carrying
    a key that fewer than `rare_key_share` of them have; for markdown sections, those missing a
    heading that `min_share` of the responses use. Data with no dominant structured form (free
    prose, mixed answers) is left alone.

    Why it matters: Teams fine-tune to get consistent output: a fixed JSON schema, a fixed set
    of sections, a fixed label format. Every example in another form teaches the model that the
    form is optional, and a parser downstream breaks on exactly those outputs.

    How to fix: Rewrite the flagged responses into the expected form (the message names it), or
    drop them. If two forms are both intended, split the data by task so each task is consistent.

    Options: `min_share` (0.5-1, default 0.8), `min_responses` (default 20),
    `rare_key_share` (default 0.05) under `[tool.sftlint.checks.format-inconsistency]`.
    """

    code = "SFT112"
    slug = "format-inconsistency"
    severity = Severity.WARNING
    cost = 3
    Options = FormatInconsistencyOptions

    def __init__(self, options: FormatInconsistencyOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: dict[str, int] = {}
        self.forms: dict[Form, int] = {}
        # One entry per response, as parallel compact arrays.
        self.file_ids = array("H")
        self.positions = array("I")
        self.turns = array("I")
        self.form_ids = array("I")
        self.json_errors: dict[int, str] = {}
        self.result: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        if record.turns is not None:
            # a tool call is the assistant acting, not answering: its JSON is no form of the answers
            calls = {call.turn for call in record.tool_use.calls} if record.tool_use is not None else ()
            responses = [
                (t.index, t.content)
                for t in record.turns
                if t.role == "assistant" and t.trained and t.index not in calls
            ]
        else:
            responses = [(0, record.response)]
        file_id = self.files.setdefault(record.file, len(self.files))
        for turn, text in responses:
            if not text or text.isspace():
                continue  # empty responses are SFT101's
            form, error = profile(text)
            if error is not None:
                self.json_errors[len(self.form_ids)] = error
            self.file_ids.append(file_id)
            self.positions.append(record.position)
            self.turns.append(turn)
            self.form_ids.append(self.forms.setdefault(form, len(self.forms)))

    def finish(self, context: Context) -> Iterator[Finding]:
        total = len(self.form_ids)
        if total == 0:
            return
        forms = list(self.forms)
        per_form = Counter(self.form_ids)
        kinds: Counter[str] = Counter()
        for form_id, n in per_form.items():
            kinds[forms[form_id][0]] += n
        kind, count = max(kinds.items(), key=lambda item: (item[1], item[0]))
        share = count / total
        self.result = {
            "dominant": KINDS[kind],
            "share": round(share, 4),
            "forms": {KINDS[k]: n for k, n in sorted(kinds.items(), key=lambda item: -item[1])},
            "responses": total,
            "structured": False,
        }
        if total < self.options.min_responses or share < self.options.min_share or kind == "prose":
            return
        details: Counter[str] = Counter()
        for form_id, n in per_form.items():
            if forms[form_id][0] == kind:
                details.update({d: n for d in forms[form_id][1]})
        required = tuple(sorted(d for d, n in details.items() if n >= self.options.min_share * count))
        known = {d for d, n in details.items() if n >= self.options.rare_key_share * count}
        if kind == "headings" and not required:
            return  # markdown everywhere, but no shared sections: free-form, not a template
        expected = KINDS[kind] + (
            f" with {'keys' if kind in JSON_OBJECTS else 'sections'} {_names(required)}" if required else ""
        )
        self.result["dominant"] = expected
        self.result["structured"] = True
        names = list(self.files)
        breaking = 0
        reported: set[tuple[int, int]] = set()  # one finding per record, at its first breaking turn
        for i, form_id in enumerate(self.form_ids):
            problem = self._problem(forms[form_id], kind, required, known, self.json_errors.get(i))
            if problem is None:
                continue
            breaking += 1
            key = (self.file_ids[i], self.positions[i])
            if key in reported:
                continue
            reported.add(key)
            where = f"turn {self.turns[i]}: " if self.turns[i] else ""
            yield self.finding(
                f"{where}{problem}; expected {expected} ({share:.1%} of responses are {KINDS[kind]}, "
                f"min_share {self.options.min_share:.0%})",
                file=names[self.file_ids[i]],
                position=self.positions[i],
                score=share,
                expected=expected,
            )
        self.result["consistent_share"] = round(1 - breaking / total, 4)

    def _problem(
        self, form: Form, kind: str, required: tuple[str, ...], known: set[str], json_error: str | None
    ) -> str | None:
        """Why one response's form differs from the expected one, or None when it conforms."""
        got_kind, detail = form
        if got_kind == "invalid-json" and kind.startswith(("json", "fenced-json")):
            return f"response is not valid JSON: {json_error}"
        if got_kind != kind:
            return f"response is {KINDS[got_kind]}"
        missing = [d for d in required if d not in detail]
        extra = [d for d in detail if d not in known] if kind in JSON_OBJECTS else []
        parts = []
        if missing:
            noun = "key" if kind in JSON_OBJECTS else "section"
            parts.append(f"lacks {noun}{'s' if len(missing) > 1 else ''} {_names(missing)}")
        if extra:
            parts.append(f"has unexpected key{'s' if len(extra) > 1 else ''} {_names(extra)}")
        return "response " + " and ".join(parts) if parts else None

    def summary(self) -> dict[str, Any] | None:
        return self.result
