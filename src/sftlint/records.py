"""Record shapes: detect each record's shape from its keys and normalise it to one `Record`.

Checks never look at raw JSON: they see a `Record` whose `instruction`, `input` and
`response` mean the same thing whatever the file's shape. Problems that stop a record
from being normalised are returned as (code, message) pairs for the engine to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The field names of each flat shape, in detection order.
FLAT_SHAPES: dict[str, dict[str, tuple[str, ...]]] = {
    "alpaca": {"instruction": ("instruction",), "input": ("input",), "response": ("output", "response")},
    "prompt-completion": {"instruction": ("prompt",), "input": (), "response": ("completion",)},
    "question-answer": {"instruction": ("question",), "input": (), "response": ("answer",)},
}
FIELD_NAMES = ("instruction", "input", "response", "label")

CHAT_ROLES = {"system", "user", "assistant", "tool", "function"}
SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "model": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "function",
    "observation": "tool",
}


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a chat record; `index` is 1-based, as in messages."""

    index: int
    role: str
    content: str


@dataclass(slots=True)
class Record:
    """A normalised training example.

    For chat records `instruction` is the non-assistant, non-system turns joined,
    `input` the system prompt, `response` the assistant turns joined, and `turns` keeps
    every turn. `decode_error` is set when the line held bytes that are not UTF-8.
    """

    file: str
    line: int
    shape: str
    instruction: str
    input: str
    response: str
    label: str | None
    raw: dict[str, Any]
    turns: tuple[Turn, ...] | None = None
    decode_error: str | None = None

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


def _type_name(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _pick(obj: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        if name in obj:
            return name, obj[name]
    return None, None


def normalise(
    value: Any, file: str, line: int, fields: Mapping[str, str] | None = None
) -> tuple[Record | None, list[Problem]]:
    """Turn one parsed JSON value into a Record, or explain (SFT002) why it cannot be one.

    Well-formed records of the known shapes take a fast path; anything unusual (a mapped
    field, a missing or mistyped field, an odd role, a turn out of order) takes the general
    path, which gives the same Record and explains every problem.
    """
    if not isinstance(value, dict):
        return None, [("SFT002", f"record is a JSON {_type_name(value)}, expected an object")]
    if not fields:
        if "messages" in value or "conversations" in value:
            record = _fast_chat(value, file, line)
        else:
            shape = _flat_shape(value)
            record = None if shape is None else _fast_flat(value, shape, file, line)
        if record is not None:
            return record, []
    return _normalise(value, file, line, fields or {})


# Per flat shape: the keys of instruction, input and response, as `normalise` picks them.
_FLAT_KEYS = {shape: (f["instruction"], f["input"], f["response"]) for shape, f in FLAT_SHAPES.items()}
# Per chat shape: the turns key, role key, content key, and the roles spelled as the fast path takes them.
_CHAT_KEYS = {
    "chat": ("messages", "role", "content", {role: role for role in CHAT_ROLES}),
    "sharegpt": ("conversations", "from", "value", SHAREGPT_ROLES),
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


def _fast_flat(value: dict[str, Any], shape: str, file: str, line: int) -> Record | None:
    """A flat record whose fields are all strings (input absent or null, label absent, null or a string)."""
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


def _fast_chat(value: dict[str, Any], file: str, line: int) -> Record | None:
    """A conversation of string turns with known roles in a valid order, or None."""
    shape = "chat" if "messages" in value else "sharegpt"
    key, role_key, content_key, roles = _CHAT_KEYS[shape]
    turns_value = value[key]
    label = value.get("label")
    if type(turns_value) is not list or (label is not None and type(label) is not str):
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


def _turn(index: int, role: str, content: str) -> Turn:
    """`Turn(index, role, content)`, built through the slots' setters (once per turn of every record)."""
    turn = _new_turn(Turn)
    _set_index(turn, index)
    _set_role(turn, role)
    _set_content(turn, content)
    return turn


def _normalise(
    value: dict[str, Any], file: str, line: int, fields: Mapping[str, str]
) -> tuple[Record | None, list[Problem]]:
    """The general path of `normalise`: any shape, mapped fields, and every problem explained."""
    shape = detect_shape(value)
    if shape in ("chat", "sharegpt") and "response" not in fields:
        return _normalise_chat(value, shape, file, line, fields)
    names = dict(FLAT_SHAPES.get(shape or "alpaca", FLAT_SHAPES["alpaca"]))
    names["label"] = ("label",)
    for key, name in fields.items():
        names[key] = (name,)
    if any(key != "label" for key in fields):
        shape = "custom"
    if shape is None:
        keys = ", ".join(sorted(value)[:8]) or "none"
        return None, [
            (
                "SFT002",
                "no instruction/response fields found (keys: "
                f"{keys}); map them with --field response=NAME or [tool.sftlint.fields]",
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
        elif val is None and field == "input":
            got[field] = ""
        elif not isinstance(val, str):
            problems.append(("SFT002", f"field '{key}' is a {_type_name(val)}, expected a string"))
            got[field] = ""
        else:
            got[field] = val
    label = _label(value, names["label"][0], problems)
    if problems:
        return None, problems
    return Record(file, line, shape, got["instruction"], got["input"], got["response"], label, value), []


def _label(value: Mapping[str, Any], key: str, problems: list[Problem]) -> str | None:
    if key not in value or value[key] is None:
        return None
    label = value[key]
    if isinstance(label, (str, int, bool)) and not isinstance(label, float):
        return str(label)
    problems.append(("SFT002", f"field '{key}' is a {_type_name(label)}, expected a string or integer label"))
    return None


def _content(content: Any) -> str | None:
    """A turn's text: a string, or OpenAI's list of {type: text, text} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) for p in content):
        parts = [p.get("text") for p in content if p.get("type", "text") == "text"]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(parts)
    return None


def _normalise_chat(
    value: dict[str, Any], shape: str, file: str, line: int, fields: Mapping[str, str]
) -> tuple[Record | None, list[Problem]]:
    key, role_key, content_key = (
        ("messages", "role", "content") if shape == "chat" else ("conversations", "from", "value")
    )
    turns_value = value[key]
    if not isinstance(turns_value, list):
        return None, [("SFT002", f"field '{key}' is a {_type_name(turns_value)}, expected an array of turns")]
    problems: list[Problem] = []
    turns: list[Turn] = []
    for i, turn in enumerate(turns_value, start=1):
        if not isinstance(turn, dict):
            problems.append(("SFT002", f"turn {i} is a {_type_name(turn)}, expected an object"))
            continue
        role = turn.get(role_key)
        if not isinstance(role, str):
            problems.append(("SFT002", f"turn {i} has no '{role_key}'"))
            continue
        norm_role = role.lower() if shape == "chat" else SHAREGPT_ROLES.get(role.lower(), role.lower())
        if norm_role not in CHAT_ROLES:
            problems.append(("SFT002", f"turn {i} has unknown role '{role}'"))
            continue
        content = _content(turn.get(content_key))
        if content is None and not (norm_role == "assistant" and turn.get("tool_calls")):
            problems.append(("SFT002", f"turn {i} ({role}) has no text '{content_key}'"))
            continue
        turns.append(Turn(i, norm_role, content or ""))
    if problems:
        return None, problems
    problems.extend(_order_problems(turns))
    if problems:
        return None, problems
    system = "\n".join(t.content for t in turns if t.role == "system")
    prompt = "\n".join(t.content for t in turns if t.role not in ("assistant", "system"))
    response = "\n".join(t.content for t in turns if t.role == "assistant")
    label = _label(value, fields.get("label", "label"), problems)
    if problems:
        return None, problems
    return Record(file, line, shape, prompt, system, response, label, value, tuple(turns)), []


def _order_problems(turns: list[Turn]) -> list[Problem]:
    """Roles out of order: a late system turn, an assistant first, two user or assistant turns in a row."""
    if not turns:
        return [("SFT002", "conversation has no turns")]
    if not any(t.role == "assistant" for t in turns):
        return [("SFT002", "conversation has no assistant turn")]
    problems: list[Problem] = []
    previous: Turn | None = None
    for t in turns:
        if t.role == "system" and previous is not None and previous.role != "system":
            problems.append(("SFT002", f"turn {t.index} is a system turn after the conversation started"))
        elif t.role == "assistant" and (previous is None or previous.role == "system"):
            problems.append(("SFT002", f"turn {t.index} (assistant) comes before any user turn"))
        elif previous is not None and t.role == previous.role and t.role in ("user", "assistant"):
            problems.append(("SFT002", f"turn {t.index} ({t.role}) follows another {t.role} turn"))
        previous = t
    return problems
