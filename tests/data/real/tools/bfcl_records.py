"""Write BFCL's function-calling test cases as OpenAI chat records: `bfcl_*.jsonl` here.

The Berkeley Function Calling Leaderboard (the `bfcl-eval` package on PyPI, Apache-2.0) ships
each case as a question, the functions it may call and its accepted calls. A record here is
that question, an assistant turn making the calls and the functions as `tools`, converted the
way BFCL's own OpenAI handler converts them (`convert_to_tool`: Python type names made JSON
Schema's, "." in a function name made "_"). Of the values a parameter accepts, the first is
taken. "" means it may be left out: a parameter whose first accepted value is "" is left out,
unless its function requires it and another value is accepted. An empty list of accepted values
is an empty array (BFCL's cases give it for lists with nothing in them).

    pip download --no-deps bfcl-eval==2026.3.23 && unzip bfcl_eval-*.whl -d bfcl
    python tests/data/real/tools/bfcl_records.py bfcl/bfcl_eval/data tests/data/real/tools
    gzip -9n tests/data/real/tools/bfcl_live_multiple.jsonl
    python tests/data/real/tools/bfcl_records.py bfcl/bfcl_eval/data tests/data/real/holdout \
        simple_python multiple parallel parallel_multiple
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

# bfcl_eval.constants.type_mappings.GORILLA_TO_OPENAPI
_TYPES = {
    "integer": "integer", "number": "number", "float": "number", "string": "string", "boolean": "boolean",
    "bool": "boolean", "array": "array", "list": "array", "dict": "object", "object": "object",
    "tuple": "array", "any": "string", "byte": "integer", "short": "integer", "long": "integer",
    "double": "number", "char": "string", "ArrayList": "array", "Array": "array", "HashMap": "object",
    "Hashtable": "object", "Queue": "array", "Stack": "array", "Any": "string", "String": "string",
    "Bigint": "integer",
}  # fmt: skip
_LEFT_OUT = object()
#: BFCL's "live" cases: questions users sent in
SUBSETS = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")


def _schema_types(properties: dict[str, Any]) -> dict[str, Any]:
    """BFCL's `_cast_to_openai_type`: Python type names made JSON Schema's, nested ones too."""
    for value in properties.values():
        kind = _TYPES.get(value.get("type", "string"), "string")
        if value.get("type") == "float":
            value["format"] = "float"
        value["type"] = kind
        if kind in ("array", "object"):
            if "properties" in value:
                value["properties"] = _schema_types(value["properties"])
            elif "items" in value:
                items = value["items"]
                items["type"] = _TYPES.get(items.get("type", "string"), "string")
                if items["type"] == "object" and "properties" in items:
                    items["properties"] = _schema_types(items["properties"])
                elif items["type"] == "array" and "items" in items:
                    items["items"]["type"] = _TYPES.get(items["items"].get("type", "string"), "string")
    return properties


def _tool(function: dict[str, Any]) -> dict[str, Any]:
    function = copy.deepcopy(function)
    function["name"] = function["name"].replace(".", "_")
    function["parameters"]["type"] = "object"
    function["parameters"]["properties"] = _schema_types(function["parameters"].get("properties", {}))
    return {"type": "function", "function": function}


def _chosen(value: Any) -> Any:
    """The first of a parameter's accepted values, with the same choice made inside a dictionary."""
    if isinstance(value, dict):
        return {k: _chosen(v[0]) for k, v in value.items() if isinstance(v, list) and v and v[0] != ""}
    if isinstance(value, list):
        return [_chosen(v) for v in value]
    return value


def _argument(accepted: list[Any], required: bool) -> Any:
    """The value a call gives a parameter of these accepted values, or `_LEFT_OUT`."""
    if not accepted:
        return []
    given = [v for v in accepted if v != ""] if required else accepted
    return _chosen(given[0]) if given and given[0] != "" else _LEFT_OUT


def _call(i: int, call: dict[str, Any], required: set[str]) -> dict[str, Any]:
    ((name, accepted),) = call.items()
    arguments = {k: _argument(v, k in required) for k, v in accepted.items()}
    arguments = {k: v for k, v in arguments.items() if v is not _LEFT_OUT}
    return {
        "id": f"call_{i}",
        "type": "function",
        "function": {"name": name.replace(".", "_"), "arguments": json.dumps(arguments, ensure_ascii=False)},
    }


def records(data: Path, subset: str) -> list[dict[str, Any]]:
    questions = [json.loads(line) for line in (data / f"BFCL_v4_{subset}.json").open(encoding="utf-8")]
    answers = {
        a["id"]: a["ground_truth"]
        for a in map(json.loads, (data / "possible_answer" / f"BFCL_v4_{subset}.json").open(encoding="utf-8"))
    }
    out = []
    for case in questions:
        required = {f["name"]: set(f["parameters"].get("required", ())) for f in case["function"]}
        calls = [_call(i, c, required.get(next(iter(c)), set())) for i, c in enumerate(answers[case["id"]])]
        messages = [*case["question"][0], {"role": "assistant", "content": None, "tool_calls": calls}]
        out.append({"id": case["id"], "messages": messages, "tools": [_tool(f) for f in case["function"]]})
    return out


def main(data: str, folder: str, *subsets: str) -> None:
    for subset in subsets or SUBSETS:
        path = Path(folder) / f"bfcl_{subset}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for record in records(Path(data), subset):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
