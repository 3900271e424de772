from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record, ToolCall, ToolResult, ToolUse, Turn, json_type_name

# The JSON-Schema basics a call's arguments are held to; other types are not checked.
_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _in_enum(value: Any, enum: list[Any]) -> bool:
    """Whether `value` is one of `enum`'s values as JSON Schema compares them: `true` is not 1,
    though Python's `==` says so (1 and 1.0 are one number)."""
    flag = isinstance(value, bool)
    return any(value == e and isinstance(e, bool) == flag for e in enum)


def _quoted(value: Any, limit: int = 80) -> str:
    """A value as a message quotes it, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed(enum: list[Any], shown: int = 12) -> str:
    """An enum as a message gives it: its first `shown` values (a schema may list hundreds)."""
    values = ", ".join(map(_quoted, enum[:shown]))
    return f"[{values}]" if len(enum) <= shown else f"[{values}, ... ({len(enum)} values)]"


def schema_problems(value: Any, schema: Any, path: str = "") -> Iterator[str]:
    """Where `value` breaks `schema`'s type, enum, required, properties or items (JSON-Schema basics).

    `path` names `value` inside the arguments ("city", "filters.price", "ids[2]"); "" is the
    arguments object itself.
    """
    if not isinstance(schema, dict):
        return
    declared = schema.get("type")
    declared = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    # Gemini's declarations (OpenAPI) spell types in capitals ("STRING") and mark a null as `nullable`
    types = [t.lower() for t in declared if isinstance(t, str) and t.lower() in _TYPE_TESTS]
    # A null where the declared default is null: the parameter of a Python function declared
    # `start_date: str = None`, as tool schemas made from one read (BFCL's among them).
    if value is None and (schema.get("nullable") is True or ("default" in schema and schema["default"] is None)):
        return
    if types and not any(_TYPE_TESTS[t](value) for t in types):
        found = json_type_name(value)
        found = f"an {found}" if found[0] in "aeiou" else f"a {found}"
        enum = schema.get("enum")  # the values it takes tell how to fix it ("True", not true)
        among = f" (one of {_listed(enum)})" if isinstance(enum, list) and enum else ""
        yield f"argument '{path}' is {found}, expected {' or '.join(types)}{among}"
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        items = schema.get("items")
        if isinstance(value, list) and not any(isinstance(e, list) for e in enum):
            # An array whose enum lists single values declares its items' values: "metrics" of type
            # array with enum ["temperature", "humidity", ...] takes ["temperature", "humidity"].
            # (Its items' own enum, when they declare one, is held below instead.)
            outside = [item for item in value if not _in_enum(item, enum)]
            if outside and not (isinstance(items, dict) and "enum" in items):
                some = ", ".join(map(_quoted, outside[:3]))
                some += f" and {len(outside) - 3} more" if len(outside) > 3 else ""
                yield f"argument '{path}' holds {some}, not among {_listed(enum)}"
        elif not _in_enum(value, enum):
            yield f"argument '{path}' is {_quoted(value)}, not one of {_listed(enum)}"
    if isinstance(value, dict):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = schema.get("required")
        for name in required if isinstance(required, list) else []:
            if isinstance(name, str) and name not in value:
                yield f"missing required argument '{f'{path}.{name}' if path else name}'"
        closed = schema.get("additionalProperties") is False  # no argument but those declared
        for name, item in value.items():
            if name in properties:
                yield from schema_problems(item, properties[name], f"{path}.{name}" if path else name)
            elif closed:
                where = f"{path}.{name}" if path else name
                closing = "and the schema allows no other (additionalProperties: false)"
                yield f"argument '{where}' is not declared, {closing}"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        # Items with the same problem are one finding: 20,000 strings in an array of integers were
        # 20,000 findings of one record.
        alike: dict[str, list[int]] = {}
        for i, item in enumerate(value):
            for problem in schema_problems(item, schema["items"], f"{path}[{i}]"):
                alike.setdefault(problem.replace(f"'{path}[{i}]", f"'{path}[*]", 1), []).append(i)
        for problem, items in alike.items():
            named = problem.replace(f"'{path}[*]", f"'{path}[{items[0]}]", 1)
            more = len(items) - 1
            yield named if not more else f"{named} (and {more} more of its items alike)"


def _calls_in_text(text: str) -> bool:
    """Whether an assistant turn calls a tool in its text, as Llama 3.1 writes it: a built-in tool
    after `<|python_tag|>`, a function as `<function=name>{...}</function>` or as a JSON object
    `{"name": ..., "parameters": ...}`."""
    return "<|python_tag|>" in text or "<function=" in text or text.lstrip().startswith("{") and '"name"' in text


def _answered(pending: list[ToolCall], result: ToolResult) -> ToolCall | None:
    """The pending call a result answers (removed from `pending`): by call id when both sides
    have ids, by function name when both have names, else the earliest; None when it answers none."""
    if not pending:
        return None
    if result.call_id is not None and any(call.id is not None for call in pending):
        matches = [call for call in pending if call.id == result.call_id]
    elif result.name is not None and any(call.name is not None for call in pending):
        matches = [call for call in pending if call.name == result.name]
    else:
        matches = pending[:1]
    if matches:
        pending.remove(matches[0])
        return matches[0]
    return None


def _about(call: ToolCall) -> dict[str, Any]:
    """What a finding's `data` says of the call it is about: its turn, and its tool and id when known."""
    about = {"turn": call.turn, "tool": call.name, "call_id": call.id}
    return {key: value for key, value in about.items() if value is not None}


def _called(call: ToolCall) -> str:
    """The call as a message names it; by its id too, which tells parallel calls to one function apart."""
    named = f"the call to '{call.name}'" if call.name else "the call"
    return f"{named} (id '{call.id}')" if call.id else named


#: findings of one kind (`data["kind"]`) a record gets before the rest are counted in one
PER_KIND = 5


class ToolCallIntegrity(Check):
    """A tool call the declared tools or the conversation around it contradict.

    What it does: Reads the function calls of tool-calling conversations (ShareGPT
    `function_call` / `observation` turns with `tools`; OpenAI `tool_calls`, `tool` turns and
    `tools`, or the legacy `function_call`, `function` role and `functions`) and reports:
    arguments that are not valid JSON or not an object; a call to a function the record's
    tools do not declare (only when it declares some); arguments that lack a required
    parameter or break the declared schema's `type` (string, number, integer, boolean,
    array, object, null), `enum`, nested `properties` or array `items`, or that the schema
    does not declare where it sets `"additionalProperties": false`; a call with no
    result before the conversation goes on; a tool result that answers no call (by
    `tool_call_id` when the turns carry ids, else in order; a ShareGPT `observation` answers
    every call of the `function_call` turn before it, a list of parallel calls too, as
    LLaMA-Factory writes them; Llama 3.1's `ipython` result answers the tool the turn before
    called in its text: after `<|python_tag|>`, as `<function=...>` or as a JSON object with a
    name); a tool result as the last turn,
    with no assistant answer; and `tools` that cannot be read. Each finding names the turn;
    its `data` gives the `kind` of problem (`arguments`, `undeclared-tool`, `unreadable-call`,
    `no-result`, `unanswered-result`, `ends-on-result`, `tools`) and the `turn`, `tool` and
    `call_id` it is about. A record gets at most five findings of each kind; one more counts
    the rest (`more` in its `data`).

    Why it matters: The model learns to call tools from these examples. A call with broken
    arguments, to a function that does not exist, or missing a required parameter is what
    it will emit at inference, where the call fails. A dropped or misplaced result teaches
    it to answer without the tool's output, that is, to make the answer up.

    How to fix: Regenerate or repair the call (valid JSON arguments matching the declared
    parameters), declare every function the conversation calls in `tools`, put each tool
    result right after its call and end the conversation with the assistant's answer, or
    drop the record (`sftlint fix` does).
    """

    code = "SFT114"
    slug = "tool-call-integrity"
    severity = Severity.ERROR
    disqualifies = True

    def check_record(self, record: Record) -> Iterator[Finding]:
        """Each kind of problem at most `PER_KIND` times a record, then one finding counting the rest
        (3,000 broken calls in one turn were 6,000 findings)."""
        counted: dict[str, int] = {}
        for finding in self._problems(record):
            kind = finding.data["kind"]  # every finding of `_problems` says its kind
            counted[kind] = counted.get(kind, 0) + 1
            if counted[kind] <= PER_KIND:
                yield finding
        for kind, count in counted.items():
            if count > PER_KIND:
                more = count - PER_KIND
                yield self.finding(
                    f"{more:,} more {kind} problem{'s' if more > 1 else ''} in this record, besides the "
                    f"{PER_KIND} reported one by one",
                    record,
                    kind=kind,
                    more=more,
                )

    def _problems(self, record: Record) -> Iterator[Finding]:
        use = record.tool_use
        if use is None or record.turns is None:
            return
        for problem in use.problems:
            yield self.finding(problem, record, kind="tools")
        for call in use.calls:
            where = f"turn {call.turn} ({call.role})"
            about = _about(call)
            if call.error is not None:
                # "the call ..." names itself; "arguments are ..." is named by its call, parallel ones by id
                said = call.error if call.error.startswith("the call") else f"{_called(call)}: {call.error}"
                yield self.finding(f"{where}: {said}", record, kind="unreadable-call", **about)
            elif use.declared is not None and call.name not in use.declared:
                declared = ", ".join(sorted(use.declared)[:5])
                yield self.finding(
                    f"{where}: calls '{call.name}', which the record's tools do not declare ({declared})",
                    record,
                    kind="undeclared-tool",
                    **about,
                )
            elif use.declared is not None:
                for problem in schema_problems(call.arguments, use.declared[call.name]):
                    yield self.finding(f"{where}: {_called(call)}: {problem}", record, kind="arguments", **about)
        yield from self._order(record, use, record.turns)

    def _order(self, record: Record, use: ToolUse, turns: tuple[Turn, ...]) -> Iterator[Finding]:
        """Calls left without a result, results that answer no call, and a result that ends the conversation."""
        calls: dict[int, list[ToolCall]] = {}
        for call in use.calls:
            calls.setdefault(call.turn, []).append(call)
        results: dict[int, list[ToolResult]] = {}  # a turn may hold several (Anthropic's tool_result blocks)
        for result in use.results:
            results.setdefault(result.turn, []).append(result)
        pending: list[ToolCall] = []
        said = ""  # the last assistant turn's text
        for turn in turns:
            if turn.index in results:
                for result in results[turn.index]:
                    if result.role == "observation" and pending:
                        # ShareGPT's turns alternate: one observation answers all the calls of its turn
                        pending = []
                    elif result.role == "ipython" and not pending and _calls_in_text(said):
                        continue  # Llama 3.1: a tool called in the text of the turn before
                    elif _answered(pending, result) is None:
                        key = "tool_use_id" if result.role == "tool_result" else "tool_call_id"
                        asked = f" ({key} '{result.call_id}')" if result.call_id else ""
                        yield self.finding(
                            f"turn {turn.index} ({result.role}): a tool result{asked} that answers no call",
                            record,
                            kind="unanswered-result",
                            turn=turn.index,
                        )
                continue
            for call in pending:
                yield self.finding(
                    f"turn {call.turn} ({call.role}): {_called(call)} has no result before "
                    f"turn {turn.index} ({turn.role})",
                    record,
                    kind="no-result",
                    **_about(call),
                )
            pending = list(calls.get(turn.index, ()))
            said = turn.content if turn.role == "assistant" else said
        last = turns[-1]
        if last.index in results:
            yield self.finding(
                f"turn {last.index} ({results[last.index][0].role}): the conversation ends with a tool "
                "result, with no assistant answer",
                record,
                kind="ends-on-result",
                turn=last.index,
            )
