"""Record shapes: detect each record's shape from its keys and normalise it to one `Record`.

Checks never look at raw JSON: they see a `Record` whose `instruction`, `input` and
`response` mean the same thing whatever the file's shape. Problems that stop a record
from being normalised are returned as (code, message) pairs for the engine to report.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sftlint.display import counted
from sftlint.io import parse_json

# The field names of each flat shape, in detection order.
# Dolly (`instruction`, `context`, `response`) and reading-comprehension sets (`context`,
# `question`, `answer`) give the passage a prompt is about as `context`: it is the input.
FLAT_SHAPES: dict[str, dict[str, tuple[str, ...]]] = {
    "alpaca": {"instruction": ("instruction",), "input": ("input", "context"), "response": ("output", "response")},
    "prompt-completion": {"instruction": ("prompt",), "input": (), "response": ("completion",)},
    "question-answer": {"instruction": ("question",), "input": ("context",), "response": ("answer",)},
}
FIELD_NAMES = ("instruction", "input", "response", "label")
#: Where multimodal data (LLaVA, LLaMA-Factory, ShareGPT4V) names a record's image, video or audio
#: files; the "<image>" in its text marks where the image goes.
MEDIA_FIELDS = ("image", "images", "video", "videos", "audio", "audios")
_MEDIA_FREE = frozenset(MEDIA_FIELDS).isdisjoint  # whether a record's keys name no media field
#: Each kind of media: its fields and the token that marks in the text where each file goes.
_MEDIA_TOKENS = ((("images", "image"), "image", "<image>"), (("videos", "video"), "video", "<video>"),
                 (("audios", "audio"), "audio", "<audio>"))  # fmt: skip
#: How the SFT002 message of a record without instruction/response fields starts.
UNMAPPED = "no instruction/response fields found"
#: Common names of the fields of no known shape, in the order a `--field` is suggested from them.
LIKELY_NAMES = {
    "instruction": ("query", "question", "prompt", "inputs", "input", "text", "instruction"),
    "response": ("reply", "answer", "output", "completion", "targets", "target", "response"),
}
#: Other names of a record's list of turns (lmsys-chat-1m and WildChat write "conversation"):
#: read as "messages" are, role/content or from/value turns alike.
TURN_LIST_NAMES = ("conversation", "dialog", "dialogue")
_OTHER_TURN_KEYS = frozenset(("contents", "chat", *TURN_LIST_NAMES))  # Gemini's and Glaive's turns, the names above

CHAT_ROLES = {"system", "user", "assistant", "tool"}
# OpenAI's legacy role "function" is a tool's result, as "tool" is.
OPENAI_ROLES = {
    "system": "system",
    "developer": "system",  # OpenAI's newer name for the system message
    "user": "user",
    "assistant": "assistant",
    "model": "assistant",  # Gemini's name for the assistant, as exports written as messages keep it
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",  # Llama 3.1's role for a tool's result
}
SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "model": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "observation": "tool",
    "ipython": "tool",
    "function_call": "assistant",  # the assistant's call: JSON with name and arguments
}
# Keys of a record that declare the tools its calls may use (OpenAI, ShareGPT as LLaMA-Factory writes it).
TOOL_KEYS = ("tools", "functions")


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a chat record; `index` is 1-based, as in messages.

    `trained` is False for an assistant turn the data marks as not trained on (OpenAI's
    `"weight": 0`, Axolotl's `"train": false`): context for the turns after it, so no check judges
    it and it is no part of the response.
    """

    index: int
    role: str
    content: str
    trained: bool = True


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One function call of an assistant turn; `arguments` is None when `error` says why it cannot be read.

    `role` is the turn's role as the file spells it ("function_call", "assistant"), for messages.
    """

    turn: int
    role: str
    name: str | None
    arguments: dict[str, Any] | None
    error: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ToolResult:
    """A tool turn: the result of a call, matched by `call_id` (OpenAI) or else by order."""

    turn: int
    role: str
    call_id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class ToolUse:
    """A conversation's tool calling, in turn order.

    `declared` maps each declared tool's name to its parameters' JSON Schema; it is None when
    the record declares no tools. `problems` says why a declaration could not be read.
    """

    declared: dict[str, dict[str, Any]] | None
    calls: tuple[ToolCall, ...]
    results: tuple[ToolResult, ...]
    problems: tuple[str, ...]


@dataclass(slots=True)
class Record:
    """A normalised training example.

    For chat records `instruction` is the non-assistant, non-system turns joined,
    `input` the system prompt, `response` the assistant turns joined, and `turns` keeps
    every turn. An alpaca record with a `history` of earlier [prompt, response] pairs is a
    conversation too: its turns are the history's, then the instruction (with its input) and
    the output. `line` is where the record starts (None in Parquet), `position` which record of
    its file it is. `decode_error` is set when the line held bytes that are not UTF-8; `tool_use`
    holds a conversation's tool calls and results; `media` counts the non-text parts (images,
    audio) of each turn that has some, by turn index.
    """

    file: str
    line: int | None
    shape: str
    instruction: str
    input: str
    response: str
    label: str | None
    raw: dict[str, Any]
    turns: tuple[Turn, ...] | None = None
    decode_error: str | None = None
    tool_use: ToolUse | None = None
    media: dict[int, int] | None = None
    #: what the shared text layer (`sftlint.text`) computed for this record, kept for the next
    #: check that asks (a content key); never part of the record's value
    features: dict[str, Any] | None = dataclasses.field(default=None, repr=False, compare=False)
    #: the record's 1-based position in its file (`sftlint.io.RawLine.position`): the key that
    #: tells records apart where lines do not (a one-line JSON array, Parquet).
    position: int = 0
    #: TRL's KTO data: whether the completion is desirable (its boolean `label`); None elsewhere
    desirable: bool | None = None
    #: the bytes of its line when it has one (JSON Lines), else 0: what a batch of records weighs
    size: int = dataclasses.field(default=0, repr=False, compare=False)

    @property
    def carries_media(self) -> bool:
        """Whether the model is given an image, video or audio with this record: a part of a
        turn, or a field naming its files."""
        return bool(self.media) or any(self.raw.get(field) for field in MEDIA_FIELDS)

    @property
    def prompt(self) -> str:
        """What the model is given: the instruction and, if any, its input."""
        return f"{self.instruction}\n\n{self.input}" if self.input else self.instruction

    @property
    def text(self) -> str:
        """The whole example as one text, for checks that compare examples."""
        return f"{self.prompt}\n\n{self.response}"

    def texts(self) -> list[tuple[str, str]]:
        """Every text field as (name, text), turn by turn for chat records."""
        if self.turns is not None:
            return [(f"turn {t.index} ({t.role})", t.content) for t in self.turns]
        out = [("instruction", self.instruction)]
        if self.input:
            out.append(("input", self.input))
        out.append(("response", self.response))
        return out


Problem = tuple[str, str]  # (code, message)


def detect_shape(obj: Mapping[str, Any]) -> str | None:
    """The shape a record's keys suggest, or None when none fits."""
    if "messages" in obj:
        return "chat"
    if "conversations" in obj:
        return "sharegpt"
    for shape, fields in FLAT_SHAPES.items():
        if any(k in obj for k in fields["instruction"]) and any(k in obj for k in fields["response"]):
            return shape
    return None


def json_type_name(value: Any) -> str:
    """The JSON name of a parsed value's type ("object", "array", "number", ...), for messages."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def a_json_type(value: Any) -> str:
    """`json_type_name` with its article, for messages: "an object", "a string"."""
    name = json_type_name(value)
    return f"an {name}" if name[0] in "ao" else f"a {name}"


def _pick(obj: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        if name in obj:
            return name, obj[name]
    return None, None


def normalise(
    value: Any, file: str, line: int | None, fields: Mapping[str, str] | None = None
) -> tuple[Record | None, list[Problem]]:
    """Turn one parsed JSON value into a Record, or explain (SFT002) why it cannot be one.

    Well-formed records of the known shapes take a fast path; anything unusual (a mapped
    field, a missing or mistyped field, an odd role, a turn out of order) takes the general
    path, which gives the same Record and explains every problem.
    """
    if not isinstance(value, dict):
        return None, [("SFT002", f"record is a JSON {json_type_name(value)}, expected an object")]
    if not fields:
        value = _as_conversation(value)
        if "messages" in value or "conversations" in value:
            record = _fast_chat(value, file, line)
        else:
            shape = _flat_shape(value)
            record = None if shape is None else _fast_flat(value, shape, file, line)
        if record is not None:
            return record, []
    return _normalise(value, file, line, fields or {})


def _as_conversation(value: dict[str, Any]) -> dict[str, Any]:
    """A conversation written in another form, as OpenAI messages: Gemini's `contents`, a list of
    turns under another name (`TURN_LIST_NAMES`), and TRL's conversational prompt-completion
    (`prompt` and `completion` both lists of message objects: the prompt's turns, then the
    completion's)."""
    if not _OTHER_TURN_KEYS.isdisjoint(value) and "messages" not in value and "conversations" not in value:
        if _gemini_turns(value.get("contents")) and _flat_shape(value) is None:  # a flat record keeps its shape
            return _from_gemini(value)
        if isinstance(value.get("chat"), str) and _flat_shape(value) is None:
            glaive = _from_glaive(value)
            if glaive is not None:
                return glaive
        for name in TURN_LIST_NAMES:
            turns = value.get(name)
            if isinstance(turns, list) and turns and all(isinstance(turn, dict) for turn in turns):
                if _flat_shape(value) is not None:
                    break
                renamed = {key: item for key, item in value.items() if key != name}
                renamed["messages"] = turns
                return renamed
    prompt, completion = value.get("prompt"), value.get("completion")
    if not (
        isinstance(prompt, list)
        and isinstance(completion, list)
        and "messages" not in value
        and all(isinstance(turn, dict) for turn in chain(prompt, completion))
    ):
        return value
    joined = {key: item for key, item in value.items() if key not in ("prompt", "completion")}
    joined["messages"] = [*prompt, *completion]
    return joined


def _desirability(value: Mapping[str, Any]) -> bool | None:
    """TRL's KTO data: a boolean `label` beside a `completion` (or on the conversation a
    conversational prompt and completion make) says whether the completion is desirable."""
    label = value.get("label")
    if type(label) is bool and ("completion" in value or "messages" in value or "conversations" in value):
        return label
    return None


def _gemini_turns(contents: Any) -> bool:
    """Whether `contents` is Gemini's list of turns: objects with a list of `parts`."""
    return isinstance(contents, list) and bool(contents) and all(
        isinstance(turn, dict) and isinstance(turn.get("parts"), list) for turn in contents
    )


def _gemini_part(part: Any) -> Any:
    """A Gemini part as the content block it is: text, a call (`functionCall`: Anthropic's
    tool_use), a result (`functionResponse`: tool_result) or a file (`inlineData`, `fileData`)."""
    if not isinstance(part, dict) or "text" in part:
        return part
    if isinstance(call := part.get("functionCall"), dict):
        return {"type": "tool_use", "name": call.get("name"), "input": call.get("args", {})}
    if isinstance(answer := part.get("functionResponse"), dict):
        return {"type": "tool_result", "content": json.dumps(answer.get("response"), ensure_ascii=False)}
    return {"type": next(iter(part), "file")}


def _from_gemini(value: dict[str, Any]) -> dict[str, Any]:
    """Gemini's (Vertex AI tuning) `contents`, `systemInstruction` and `tools` as messages,
    `system` and tools: the roles `user` and `model`, each part a content block."""
    names = ("contents", "systemInstruction", "system_instruction", "tools")
    converted = {key: item for key, item in value.items() if key not in names}
    converted["messages"] = [
        {"role": turn.get("role", "user"), "content": [_gemini_part(part) for part in turn["parts"]]}
        for turn in value["contents"]
    ]
    system = value.get("systemInstruction", value.get("system_instruction"))
    if isinstance(system, dict) and isinstance(system.get("parts"), list):
        converted["system"] = [_gemini_part(part) for part in system["parts"]]
    tools = value.get("tools")
    if isinstance(tools, list):
        # functions declared in groups; a built-in tool ({"googleSearch": {}}, "retrieval",
        # "codeExecution") declares none, and is no schema to check a call against
        functions: list[Any] = []
        for tool in tools:
            group = None
            if isinstance(tool, dict):
                group = tool.get("functionDeclarations", tool.get("function_declarations"))
            if isinstance(group, list):
                functions += group
            elif not isinstance(tool, dict) or "name" in tool or "function" in tool:
                functions.append(tool)
        tools = functions or None
    if tools is not None:
        converted["tools"] = tools
    return converted


# Glaive's function-calling data (glaive-function-calling-v2): `system` and `chat` are strings,
# the turns marked "USER:", "ASSISTANT:" and "FUNCTION RESPONSE:" at the start of a line, each
# assistant turn ended by "<|endoftext|>", a call written "<functioncall> {"name": ..., "arguments":
# '{...}'}" (its arguments a JSON text in single quotes), the functions pretty-printed JSON objects
# after the system prompt's prose.
_GLAIVE_MARK = re.compile(r"(?:\A|\r\n|[\n\r\u2028\u2029])[ \t\u00a0]*(USER|ASSISTANT|FUNCTION RESPONSE):[ \t\u00a0]?")
_GLAIVE_ROLES = {"USER": "human", "ASSISTANT": "gpt", "FUNCTION RESPONSE": "observation"}
_GLAIVE_END = "<|endoftext|>"
_GLAIVE_CALL_MARK = "<functioncall>"
# a call whose arguments are a JSON text in single quotes: its start, up to the opening quote
_GLAIVE_QUOTED = re.compile(r"""\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"arguments"\s*:\s*'""")
_GLAIVE_QUOTE_END = re.compile(r"'\s*\}")
_JSON_VALUE = json.JSONDecoder().raw_decode


def _glaive_calls(text: str) -> list[Any]:
    """The calls written one after another in `text` (after a `<functioncall>`), as far as they
    can be read: each a JSON object, or {"name", "arguments"} with the arguments a JSON text in
    single quotes (kept as that text: `_arguments` reads it, or says why it cannot)."""
    calls: list[Any] = []
    at = 0
    while True:
        at = len(text) - len(text[at:].lstrip())
        if text.startswith(_GLAIVE_CALL_MARK, at):
            at += len(_GLAIVE_CALL_MARK)
            continue
        if at == len(text):
            return calls
        quoted = _GLAIVE_QUOTED.match(text, at)
        if quoted is not None:
            try:  # the arguments end where their JSON does; unreadable ones, at the first quote and brace
                end: int | None = _JSON_VALUE(text, quoted.end())[1]
            except (ValueError, RecursionError):
                end = None
            close = _GLAIVE_QUOTE_END.match(text, end) if end is not None else None
            close = close or _GLAIVE_QUOTE_END.search(text, quoted.end())
            if close is None:
                return calls
            name = json.loads(quoted.group(1))
            calls.append({"name": name, "arguments": text[quoted.end() : close.start()]})
            at = close.end()
            continue
        try:
            call, at = _JSON_VALUE(text, at)
        except (ValueError, RecursionError):  # text after the calls, or no call at all
            return calls
        calls.append(call)


def _glaive_call_turn(text: str) -> str:
    """The text of a Glaive assistant turn that calls functions, as a ShareGPT `function_call`
    turn writes it: the call in JSON, or a list of them. Prose around the calls is not kept (that
    form has no place for it); a call that cannot be read stays as written, for SFT114 to report."""
    calls = _glaive_calls(text)
    if not calls:
        return text
    return json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)


_NAMES_A_FUNCTION = re.compile(r"""\bname["']?\s*:""")


def _glaive_tools(system: str) -> tuple[str, Any]:
    """A Glaive system prompt's prose and its functions: the JSON objects (or arrays of them) that
    start a line after the prose (their text as it is when one cannot be read, so that SFT114 says
    so), or None when it declares none. A line that starts with a bracket but reads as no JSON
    and names no function ("[Important] Be polite.", an "{answer}" template) is prose."""
    start = re.search(r"^[ \t]*[\[{]", system, re.MULTILINE)
    begin = start.start() if start is not None else _inline_functions(system)
    if begin is None:
        return system.strip(), None
    prose, rest = system[:begin].strip(), system[begin:]
    tools: list[Any] = []
    at = 0
    while True:
        at = len(rest) - len(rest[at:].lstrip())
        if at == len(rest):
            return prose, tools
        try:
            value, at = _JSON_VALUE(rest, at)
        except (ValueError, RecursionError):  # as `parse_json`: nesting too deep is no JSON we read
            if not tools and not _NAMES_A_FUNCTION.search(rest):  # prose: "[Important] ...", "{answer}"
                return system.strip(), None
            return prose, rest.strip()
        tools += value if isinstance(value, list) else [value]


_INLINE_DECLARATION = re.compile(r"""(?<=[\s:-])[\[{]\s*(?:\{\s*)?"name"\s*:""")


def _inline_functions(system: str) -> int | None:
    """Where functions declared on the prose's own line start ("Use them if required - {"name":
    ...}"): the first object (or array of objects) with a "name" after a space, colon or dash
    that reads as JSON; None when there is none."""
    for found in _INLINE_DECLARATION.finditer(system):
        try:
            value = _JSON_VALUE(system, found.start())[0]
        except (ValueError, RecursionError):
            continue
        if isinstance(value, (dict, list)):
            return found.start()
    return None


def _from_glaive(value: dict[str, Any]) -> dict[str, Any] | None:
    """A Glaive record as LLaMA-Factory's ShareGPT (as it converts Glaive's data): `conversations`
    of human, gpt, function_call and observation turns, `system` and `tools`; None when `chat`
    does not start with a turn mark."""
    chat = value["chat"]
    marks = list(_GLAIVE_MARK.finditer(chat))
    if not marks or chat[: marks[0].start()].strip():
        return None
    turns = []
    ends = [mark.start() for mark in marks[1:]] + [len(chat)]
    for mark, end in zip(marks, ends, strict=True):
        text = chat[mark.end() : end].strip()
        role = _GLAIVE_ROLES[mark.group(1)]
        if role == "gpt":
            text = text.removesuffix(_GLAIVE_END).rstrip()
            called = text.lower().find(_GLAIVE_CALL_MARK)
            if called >= 0:
                role, text = "function_call", _glaive_call_turn(text[called + len(_GLAIVE_CALL_MARK) :].strip())
        turns.append({"from": role, "value": text})
    converted = {key: item for key, item in value.items() if key not in ("chat", "system")}
    converted["conversations"] = turns
    system = value.get("system")
    if isinstance(system, str):
        prose, tools = _glaive_tools(system.strip().removeprefix("SYSTEM:"))
        converted["system"] = prose
        if tools is not None and "tools" not in value:
            converted["tools"] = tools
    elif system is not None:
        converted["system"] = system
    return converted


# Per flat shape: the keys of instruction, input and response, as `normalise` picks them.
_FLAT_KEYS = {shape: (f["instruction"], f["input"], f["response"]) for shape, f in FLAT_SHAPES.items()}
# Per chat shape: the turns key, role key, content key, and the roles spelled as the fast path takes them:
# not tool calls or results, which the general path reads into `ToolUse`.
_PLAIN_ROLES = ("system", "user", "assistant")
_CHAT_KEYS = {
    "chat": ("messages", "role", "content", {role: role for role in _PLAIN_ROLES}),
    "sharegpt": (
        "conversations",
        "from",
        "value",
        {name: role for name, role in SHAREGPT_ROLES.items() if role in _PLAIN_ROLES and name != "function_call"},
    ),
}
_MISSING = object()


def _flat_shape(obj: dict[str, Any]) -> str | None:
    """`detect_shape` for a record known to have neither "messages" nor "conversations"."""
    for shape, (instruction_keys, _, response_keys) in _FLAT_KEYS.items():
        for key in instruction_keys:
            if key in obj:
                for other in response_keys:
                    if other in obj:
                        return shape
                break
    return None


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of `keys` that `obj` has (as `_pick`), or _MISSING."""
    for key in keys:
        if key in obj:
            return obj[key]
    return _MISSING


def _fast_flat(value: dict[str, Any], shape: str, file: str, line: int | None) -> Record | None:
    """A flat record whose fields are all strings (input absent or null, label absent, null or a string)
    and that has no `history` of earlier turns."""
    if value.get("history") or not _MEDIA_FREE(value):
        return None
    instruction_keys, input_keys, response_keys = _FLAT_KEYS[shape]
    instruction = _first(value, instruction_keys)
    response = _first(value, response_keys)
    text_input = _first(value, input_keys)
    label = value.get("label")
    if type(instruction) is not str or type(response) is not str or (label is not None and type(label) is not str):
        return None
    if text_input is _MISSING or text_input is None:
        text_input = ""
    elif type(text_input) is not str:
        return None
    return Record(file, line, shape, instruction, text_input, response, label, value)


def _fast_chat(value: dict[str, Any], file: str, line: int | None) -> Record | None:
    """A conversation of string turns with known roles in a valid order and no tools, or None."""
    shape = "chat" if "messages" in value else "sharegpt"
    key, role_key, content_key, roles = _CHAT_KEYS[shape]
    turns_value = value[key]
    label = value.get("label")
    if type(turns_value) is not list or (label is not None and type(label) is not str):
        return None
    if "tools" in value or "functions" in value or "system" in value or not _MEDIA_FREE(value):
        return None
    turns: list[Turn] = []
    texts: tuple[list[str], list[str], list[str]] = ([], [], [])  # prompt, system, response
    previous = None
    try:
        for i, turn in enumerate(turns_value, start=1):
            if type(turn) is not dict:
                return None
            content = turn.get(content_key)
            role = roles.get(turn.get(role_key))  # TypeError when the role is unhashable
            joins = _JOINS.get((previous, role))
            if joins is None or type(content) is not str:
                return None
            if joins == 2 and ("tool_calls" in turn or "function_call" in turn or "weight" in turn or "train" in turn):
                return None
            texts[joins].append(content)
            turns.append(_turn(i, role, content))
            previous = role
    except TypeError:
        return None
    if not texts[2]:
        return None
    prompt, system, response = map("\n".join, texts)
    return Record(file, line, shape, prompt, system, response, label, value, tuple(turns))


# (previous role, role) -> which text a turn joins (0 prompt, 1 system, 2 response). The
# orders `_order_problems` reports are left out, so such records take the general path.
_JOINS: dict[tuple[str | None, str], int] = {
    (previous, role): 1 if role == "system" else 2 if role == "assistant" else 0
    for previous in (None, *CHAT_ROLES)
    for role in CHAT_ROLES
    if not (role == "system" and previous not in (None, "system"))
    and not (role == "assistant" and previous in (None, "system", "assistant"))
    and not (role == "user" and previous == "user")
}
_new_turn = Turn.__new__
# The slots' own setters: a frozen dataclass's __init__ goes through object.__setattr__, twice as slow.
_set_index = Turn.index.__set__  # type: ignore[attr-defined]
_set_role = Turn.role.__set__  # type: ignore[attr-defined]
_set_content = Turn.content.__set__  # type: ignore[attr-defined]
_set_trained = Turn.trained.__set__  # type: ignore[attr-defined]


def _turn(index: int, role: str, content: str) -> Turn:
    """`Turn(index, role, content)`, built through the slots' setters (once per turn of every record)."""
    turn = _new_turn(Turn)
    _set_index(turn, index)
    _set_role(turn, role)
    _set_content(turn, content)
    _set_trained(turn, True)
    return turn


def _normalise(
    value: dict[str, Any], file: str, line: int | None, fields: Mapping[str, str]
) -> tuple[Record | None, list[Problem]]:
    """The general path of `normalise`: any shape, mapped fields, and every problem explained."""
    value = _as_conversation(value) if fields.keys() <= {"label"} else value  # mapped text fields are text
    shape = detect_shape(value)
    if shape in ("chat", "sharegpt") and "response" not in fields:
        return _normalise_chat(value, shape, file, line, fields)
    names = dict(FLAT_SHAPES.get(shape or "alpaca", FLAT_SHAPES["alpaca"]))
    names["label"] = ("label",)
    for key, name in fields.items():
        names[key] = (name,)
    if "input" not in fields:  # `--field instruction=input` reads "input" once, as the instruction
        names["input"] = tuple(n for n in names["input"] if n not in fields.values())
    if any(key != "label" for key in fields):
        shape = "custom"
    if shape is None:
        keys = ", ".join(sorted(value)[:8]) or "none"
        return None, [
            (
                "SFT002",
                f"{UNMAPPED} (keys: {keys}); map them with --field response=NAME or [tool.sftlint.fields]",
            )
        ]
    problems: list[Problem] = []
    got: dict[str, str] = {}
    for field in ("instruction", "input", "response"):
        key, val = _pick(value, names[field])
        if key is None:
            if field != "input":
                problems.append(("SFT002", f"missing field '{names[field][0]}'"))
            got[field] = ""
        elif field == "input" and (val is None or key == "context" and not isinstance(val, str)):
            got[field] = ""  # HotpotQA's `context` is an object of passages: no text input
        elif not isinstance(val, str):
            problems.append(("SFT002", f"field '{key}' is {a_json_type(val)}, expected a string"))
            got[field] = ""
        else:
            got[field] = val
    label = _label(value, names["label"][0], problems)
    turns = _history_turns(value.get("history"), got, problems)
    texts = [got["instruction"], got["input"], got["response"], *(t.content for t in turns or ())]
    problems += _media_problems(value, texts)
    if problems:
        return None, problems
    if turns is None:
        record = Record(file, line, shape, got["instruction"], got["input"], got["response"], label, value)
        record.desirable = _desirability(value)
        return record, []
    prompt = "\n".join(t.content for t in turns if t.role == "user")
    response = "\n".join(t.content for t in turns if t.role == "assistant")
    return Record(file, line, shape, prompt, "", response, label, value, turns), []


def _media_problems(value: Mapping[str, Any], texts: list[str], turns: Any = None) -> list[Problem]:
    """Media files named in a field whose count differs from the tokens that place them in the text,
    or from the parts of that type that place them in the turns (`{"type": "image"}`, as TRL's
    vision data writes them).

    LLaMA-Factory stops with an error on such a record; LLaVA trains on it without its image.
    """
    problems: list[Problem] = []
    for fields, kind, token in _MEDIA_TOKENS:
        name = next((field for field in fields if value.get(field)), None)
        if name is None:
            continue
        given = len(value[name]) if isinstance(value[name], list) else 1
        found = sum(text.count(token) for text in texts)
        if isinstance(turns, list):
            found += sum(len(_blocks(turn, kind)) for turn in turns if isinstance(turn, dict))
        if found != given:
            tokens = counted(found, f"{token} token") if found else f"no {token} token"
            problems.append(("SFT002", f"field '{name}' names {counted(given, kind)} but the text holds {tokens}"))
    return problems


def _history_turns(history: Any, got: dict[str, str], problems: list[Problem]) -> tuple[Turn, ...] | None:
    """An alpaca `history` (earlier [prompt, response] pairs, as LLaMA-Factory writes them) and the
    record's own exchange as turns, or None when there is no history."""
    if not history:
        return None
    if not isinstance(history, list):
        problems.append(("SFT002", f"field 'history' is {a_json_type(history)}, expected an array of pairs"))
        return None
    turns: list[Turn] = []
    for number, pair in enumerate(history, start=1):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(text, str) for text in pair)):
            problems.append(("SFT002", f"history item {number} is not a [prompt, response] pair of strings"))
            continue
        turns += (Turn(len(turns) + 1, "user", pair[0]), Turn(len(turns) + 2, "assistant", pair[1]))
    prompt = f"{got['instruction']}\n\n{got['input']}" if got["input"] else got["instruction"]
    turns += (Turn(len(turns) + 1, "user", prompt), Turn(len(turns) + 2, "assistant", got["response"]))
    return tuple(turns)


def _label(value: Mapping[str, Any], key: str, problems: list[Problem]) -> str | None:
    if key not in value or value[key] is None:
        return None
    label = value[key]
    if _desirability(value) is not None:
        return None  # TRL's KTO data: whether the completion is desirable, no class of the prompt
    if isinstance(label, (str, int, bool)) and not isinstance(label, float):
        return str(label)
    problems.append(("SFT002", f"field '{key}' is {a_json_type(label)}, expected a string or integer label"))
    return None


_TEXT_PARTS = frozenset({"text", "input_text", "output_text"})
_NOT_CONTENT = frozenset({"tool_use", "thinking", "redacted_thinking"})  # Anthropic blocks that are no text nor file


def _content(content: Any) -> tuple[str, int] | None:
    """A turn's text and its number of non-text parts, or None when it has no text content.

    Content is a string or a list of parts: text parts ("text", and the Responses API's
    "input_text" and "output_text") hold `text` (OpenAI) or `value`; image, audio and other parts
    are counted, not read as text. Anthropic's blocks: a `tool_use` block is a call (`_calls`
    reads it), a `tool_result` block's content (a string or text blocks) is the tool's output,
    and a `thinking` block is the model's reasoning before its answer, neither.
    """
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return None
    texts: list[str] = []
    media = 0
    for part in content:
        if not isinstance(part, dict):
            return None
        kind = part.get("type", "text")
        if not isinstance(kind, str):
            return None  # a part's type is a name: {"type": {}} is no part sftlint can read
        if kind in _NOT_CONTENT:
            continue
        if kind == "tool_result":
            inner = _content(part.get("content") or "")  # a tool that returned nothing has none
            if inner is None:
                return None
            texts.append(inner[0])
            media += inner[1]
            continue
        if kind not in _TEXT_PARTS:
            media += 1
            continue
        text = part["text"] if "text" in part else part.get("value")
        if not isinstance(text, str):
            return None
        texts.append(text)
    return "\n".join(texts), media


def _blocks(turn: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """A turn's content blocks of one type (Anthropic's `tool_use`, `tool_result`)."""
    content = turn.get("content")
    if not isinstance(content, list):
        return []
    return [part for part in content if isinstance(part, dict) and part.get("type") == kind]


def _arguments(arguments: Any) -> tuple[dict[str, Any] | None, str | None]:
    """A call's arguments as an object (given as one or as a JSON string), or why they are not one."""
    if isinstance(arguments, str):
        arguments, reason = parse_json(arguments)
        if reason is not None:
            return None, f"arguments are not valid JSON: {reason}"
    if isinstance(arguments, dict):
        return arguments, None
    return None, f"arguments are a JSON {json_type_name(arguments)}, expected an object"


def _call(turn: int, role: str, spec: Any, call_id: Any = None) -> ToolCall:
    """One call from its {name, arguments} object."""
    call_id = call_id if isinstance(call_id, str) else None
    if not isinstance(spec, dict):
        error = f"the call is a JSON {json_type_name(spec)}, expected an object"
        return ToolCall(turn, role, None, None, error, call_id)
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        return ToolCall(turn, role, None, None, "the call names no function", call_id)
    if "arguments" not in spec:
        return ToolCall(turn, role, name, None, f"the call to '{name}' has no arguments", call_id)
    arguments, error = _arguments(spec["arguments"])
    return ToolCall(turn, role, name, arguments, error, call_id)


def _calls(turn: dict[str, Any], index: int, role: str, text: str | None) -> list[ToolCall]:
    """The calls an assistant turn makes: a ShareGPT `function_call` turn's JSON text (one call or
    a list), or OpenAI's `tool_calls` and legacy `function_call`."""
    if role == "function_call":
        value, reason = parse_json(text or "")
        if reason is not None:
            return [ToolCall(index, role, None, None, f"the call is not valid JSON: {reason}")]
        return [_call(index, role, spec) for spec in (value if isinstance(value, list) else [value])]
    calls = []
    tool_calls = turn.get("tool_calls")
    if isinstance(tool_calls, list):
        for item in tool_calls:
            spec, call_id = (item.get("function"), item.get("id")) if isinstance(item, dict) else (item, None)
            calls.append(_call(index, role, spec, call_id))
    elif tool_calls is not None:
        error = f"'tool_calls' is a JSON {json_type_name(tool_calls)}, expected an array"
        calls.append(ToolCall(index, role, None, None, error))
    if turn.get("function_call") is not None:
        calls.append(_call(index, role, turn["function_call"]))
    for block in _blocks(turn, "tool_use"):  # Anthropic: {"type": "tool_use", "id", "name", "input"}
        spec = {key: block[key] for key in ("name", "input") if key in block}
        if "input" in spec:
            spec["arguments"] = spec.pop("input")
        calls.append(_call(index, role, spec, block.get("id")))
    return calls


def words_said(record: Record) -> str:
    """The response without the tool calls written into it: a ShareGPT `function_call` turn is
    calls alone, and an OpenAI or Anthropic turn's calls are its last lines, one each (see
    `_turns`), after its words. Parallel calls to one function repeat their JSON by design, and
    a call quotes the request it serves (a search query): judged as words, they read as a loop
    or an echo."""
    use = record.tool_use
    if record.turns is None or use is None or not use.calls:
        return record.response
    calls = Counter(call.turn for call in use.calls)
    whole = {call.turn for call in use.calls if call.role == "function_call"}
    said = []
    for turn in record.turns:
        if turn.role != "assistant" or not turn.trained or turn.index in whole:
            continue
        made = calls.get(turn.index, 0)
        if not made:
            said.append(turn.content)
        elif turn.content.count("\n") >= made:  # its words, then a line per call
            said.append(turn.content.rsplit("\n", made)[0])
    return "\n".join(said)


def _call_text(call: ToolCall) -> str:
    """The text of an OpenAI call, as ShareGPT writes a `function_call` turn: {"name", "arguments"}."""
    if call.arguments is not None:
        try:
            return json.dumps({"name": call.name, "arguments": call.arguments}, ensure_ascii=False)
        except RecursionError:  # arguments nested near the parser's own limit, written from deeper down
            return json.dumps({"name": call.name, "error": "arguments nested too deeply to write"})
    return json.dumps({"name": call.name, "error": call.error}, ensure_ascii=False)


def _declared(value: dict[str, Any]) -> tuple[dict[str, dict[str, Any]] | None, list[str]]:
    """The tools a record declares, by name (their parameters' schema), and why a declaration cannot be read.

    `tools` is a list of OpenAI {type: function, function: {...}} entries or of bare {name,
    parameters} schemas (`functions`, ShareGPT; Anthropic's {name, input_schema}), or a JSON
    string of such a list.
    """
    declared: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for key in TOOL_KEYS:
        tools = value.get(key)
        if isinstance(tools, str):
            if not tools.strip():
                continue
            tools, reason = parse_json(tools)
            if reason is not None:
                problems.append(f"field '{key}' is not valid JSON: {reason}")
                continue
        if tools is None or tools == {}:
            continue
        if not isinstance(tools, list):
            tools = [tools]
        for number, tool in enumerate(tools, start=1):
            spec = tool.get("function", tool) if isinstance(tool, dict) else tool
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                problems.append(f"tool {number} in '{key}' is not a schema with a name")
                continue
            parameters = spec.get("parameters", spec.get("input_schema"))  # Anthropic: input_schema
            declared[spec["name"]] = parameters if isinstance(parameters, dict) else {}
    return declared or None, problems


#: the role and content keys of a turn, by shape
_TURN_KEYS = {"chat": ("role", "content"), "sharegpt": ("from", "value")}


def _normalise_chat(
    value: dict[str, Any], shape: str, file: str, line: int | None, fields: Mapping[str, str]
) -> tuple[Record | None, list[Problem]]:
    key = "messages" if shape == "chat" else "conversations"
    turns_value = value[key]
    if not isinstance(turns_value, list):
        return None, [("SFT002", f"field '{key}' is {a_json_type(turns_value)}, expected an array of turns")]
    problems: list[Problem] = []
    turns: list[Turn] = []
    calls: list[ToolCall] = []
    results: list[ToolResult] = []
    media: dict[int, int] = {}
    # turns as the shape writes them, or as the other one does (many exports put OpenAI's
    # role/content turns under "conversations", or ShareGPT's from/value under "messages")
    own, other = _TURN_KEYS[shape], _TURN_KEYS["sharegpt" if shape == "chat" else "chat"]
    for i, turn in enumerate(turns_value, start=1):
        if not isinstance(turn, dict):
            problems.append(("SFT002", f"turn {i} is {a_json_type(turn)}, expected an object"))
            continue
        role_key, content_key = other if own[0] not in turn and other[0] in turn else own
        roles = OPENAI_ROLES if role_key == "role" else SHAREGPT_ROLES
        role = turn.get(role_key)
        if not isinstance(role, str):
            problems.append(("SFT002", f"turn {i} has no '{role_key}'"))
            continue
        norm_role = roles.get(role.lower(), role.lower())
        answered = _blocks(turn, "tool_result") if norm_role == "user" else []
        if answered:
            norm_role = "tool"  # Anthropic: the tools' results come back in a user turn
        if norm_role not in CHAT_ROLES:
            problems.append(("SFT002", f"turn {i} has unknown role '{role}'"))
            continue
        content = _content(turn.get(content_key))
        text = None if content is None else content[0]
        made = _calls(turn, i, role.lower(), text) if norm_role == "assistant" else []
        if role_key == "role" and made:  # OpenAI: the calls are not in the content; write them out
            text = "\n".join([text, *map(_call_text, made)] if text else map(_call_text, made))
        if text is None:
            problems.append(("SFT002", f"turn {i} ({role}) has no text '{content_key}'"))
            continue
        if content is not None and content[1]:
            media[i] = content[1]
        calls += made
        if answered:
            for block in answered:
                call_id = block.get("tool_use_id")
                results.append(ToolResult(i, "tool_result", call_id if isinstance(call_id, str) else None, None))
        elif norm_role == "tool":
            call_id, name = turn.get("tool_call_id"), turn.get("name")
            call_id, name = (v if isinstance(v, str) else None for v in (call_id, name))
            results.append(ToolResult(i, role.lower(), call_id, name))
        trained = norm_role != "assistant" or not (turn.get("weight") == 0 or turn.get("train") is False)
        turns.append(Turn(i, norm_role, text, trained))
    if problems:
        return None, problems
    problems.extend(_order_problems(turns, {call.turn for call in calls}))
    problems.extend(_media_problems(value, [t.content for t in turns], turns_value))
    if problems:
        return None, problems
    # a system prompt given beside the turns (LLaMA-Factory's ShareGPT, Anthropic's Messages) comes first
    given = _content(value.get("system"))
    system_prompts = [given[0]] if given and given[0] else []
    system = "\n".join(system_prompts + [t.content for t in turns if t.role == "system"])
    prompt = "\n".join(t.content for t in turns if t.role not in ("assistant", "system"))
    response = "\n".join(t.content for t in turns if t.role == "assistant" and t.trained)
    label = _label(value, fields.get("label", "label"), problems)
    if problems:
        return None, problems
    declared, tool_problems = _declared(value)
    tool_use = (
        ToolUse(declared, tuple(calls), tuple(results), tuple(tool_problems))
        if calls or results or declared or tool_problems
        else None
    )
    record = Record(file, line, shape, prompt, system, response, label, value, tuple(turns))
    record.desirable = _desirability(value)
    record.tool_use = tool_use
    record.media = media or None
    return record, []


def _order_problems(turns: list[Turn], call_turns: set[int]) -> list[Problem]:
    """Roles out of order: a late system turn, an assistant first, two user or assistant turns in a row.

    An assistant turn after a tool call (`call_turns`) is no schema problem: the missing result is
    SFT114's to report.
    """
    if not turns:
        return [("SFT002", "conversation has no turns")]
    if not any(t.role == "assistant" for t in turns):
        return [("SFT002", "conversation has no assistant turn")]
    problems: list[Problem] = []
    previous: Turn | None = None
    started = False  # a turn other than a system one came before
    for t in turns:
        if t.role == "system" and started:
            problems.append(("SFT002", f"turn {t.index} is a system turn after the conversation started"))
        elif t.role == "assistant" and not started:
            problems.append(("SFT002", f"turn {t.index} (assistant) comes before any user turn"))
        elif (
            previous is not None
            and t.role == previous.role
            and t.role in ("user", "assistant")
            and previous.index not in call_turns
        ):
            problems.append(("SFT002", f"turn {t.index} ({t.role}) follows another {t.role} turn"))
        previous = t
        started = started or t.role != "system"
    return problems


def _a_record(value: dict[str, Any]) -> bool:
    """Whether an object is a record of a shape `normalise` reads (a conversation in any of its forms too)."""
    return detect_shape(_as_conversation(value)) is not None


class FieldSurvey:
    """What the records' keys say about the field mapping, gathered while reading.

    When no record has instruction/response fields, one finding with the `--field` options to
    use says more than the same finding on every record; a mapped name that no record has is a
    mistyped `--field`, which only the whole dataset can tell.
    """

    KEYS_KEPT = 50  # distinct keys remembered for the suggestion and the error: enough to name them

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        self.objects = 0
        self.unmapped = 0
        self.keys: Counter[str] = Counter()
        self.absent = set(fields.values())
        self.holders: Counter[str] = Counter()  # keys whose value is a list of records ({"data": [...]})

    def see(self, value: dict[str, Any], unmapped: bool) -> None:
        """Take in one record that is a JSON object (`unmapped`: it has no instruction/response fields)."""
        self.objects += 1
        if self.absent:
            self.absent.difference_update([name for name in self.absent if name in value])
        if unmapped:
            self.unmapped += 1
            for key, item in value.items():
                if isinstance(item, list) and item and isinstance(item[0], dict) and _a_record(item[0]):
                    self.holders[key] += 1
        if unmapped or self.absent:
            for key in value:
                if key in self.keys or len(self.keys) < self.KEYS_KEPT:
                    self.keys[key] += 1

    def all_unmapped(self) -> bool:
        return self.objects > 0 and self.unmapped == self.objects

    def suggestion(self) -> str:
        """The dataset-wide SFT002 message: the keys the records have and the `--field` options to
        try, or what the data is when it is no instruction-response data."""
        keys = {key.lower() for key in self.keys}
        if self.holders:
            holder = self.holders.most_common(1)[0][0]
            path = f".{holder}" if holder.isidentifier() else f".[{json.dumps(holder)}]"
            return (
                f"the records are inside the field '{holder}' (keys: {self.key_list()}); lint them as a file of "
                f"their own, one per line, for example: jq -c {shlex.quote(path + '[]')} FILE > records.jsonl"
            )
        if {"chosen", "rejected"} <= keys:
            return (
                f"preference data, not instruction-response pairs (keys: {self.key_list()}); to lint the answers "
                "fine-tuning would learn, map them with --field instruction=prompt --field response=chosen "
                "(text fields: chosen answers written as lists of messages are not read)"
            )
        if "preferred_output" in keys:
            return (
                f"preference data, not instruction-response pairs (keys: {self.key_list()}); "
                "sftlint lints instruction-response data"
            )
        if keys - {"id", "meta", "metadata", "source"} == {"text"}:
            return (
                "plain text for language modelling, with no prompt and response to check "
                f"(keys: {self.key_list()}); sftlint lints instruction-response data"
            )
        chosen: dict[str, str] = {}
        for field, likely in LIKELY_NAMES.items():
            by_name = {key.lower(): key for key, _ in reversed(self.keys.most_common()) if key not in chosen.values()}
            chosen[field] = next((by_name[n] for n in likely if n in by_name), "NAME")
        options = " ".join(f"--field {field}={name}" for field, name in chosen.items())
        return (
            f"no record has instruction/response fields (keys: {self.key_list()}); "
            f"map them with {options} or [tool.sftlint.fields]"
        )

    def unused(self) -> list[str]:
        """The mappings (FIELD=NAME) whose NAME no record has, once at least one record was read."""
        if not self.objects:
            return []
        return [f"{field}={name}" for field, name in self.fields.items() if name in self.absent]

    def key_list(self) -> str:
        return ", ".join(sorted(self.keys)[:8]) or "none"
