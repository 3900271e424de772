"""JSON text as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, made with the C
string encoder: the JSON and SARIF outputs write every finding this way, a piece at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice


def indented(value: object, pad: str) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False, default=str)` writes it at an
    indentation of `pad` (its first line unindented, as it follows a key or a comma).

    json.dumps with an indent runs its pure-Python encoder, which took longer per finding than
    the check that made it; this writes the same text with the C string encoder.
    """
    kind = type(value)
    if kind is str:
        return encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or value is True or value is False:
        return _CONSTANTS[value]
    if kind is float:
        return _float(value)
    inner = pad + "  "
    if kind is dict or isinstance(value, dict):
        if not value:
            return "{}"
        # strings and integers need no call: most keys and values are one or the other
        items = [
            f"{encode_string(k if type(k) is str else _key(k))}: "
            f"{encode_string(v) if type(v) is str else f'{v}' if type(v) is int else indented(v, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + inner + f",\n{inner}".join(items) + f"\n{pad}}}"
    if kind is list or isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [
            encode_string(v) if type(v) is str else f"{v}" if type(v) is int else indented(v, inner) for v in value
        ]
        return "[\n" + inner + f",\n{inner}".join(items) + f"\n{pad}]"
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return encode_string(str(value))  # default=str


_CONSTANTS = {None: "null", True: "true", False: "false"}
encode_string = json.encoder.encode_basestring  # the C encoder where there is one, as json.dumps uses


def _float(value: float) -> str:
    text = float.__repr__(value)
    return _NOT_FINITE.get(text, text)


_NOT_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}  # as json.dumps writes them


def _key(key: object) -> str:
    """A dictionary key as json.dumps writes it (any other kind of key by its text)."""
    if isinstance(key, str):
        return key
    if key is None or key is True or key is False:
        return _CONSTANTS[key]
    if isinstance(key, int):
        return int.__repr__(key)
    return _float(key) if isinstance(key, float) else str(key)


def spliced(text: str, key: str, mark: str, items: Iterable[str], depth: int, per_piece: int = 1000) -> Iterator[str]:
    """`text`, a document dumped with `mark` as the value of `key`, with the list of `items` (each
    already written at `depth` levels of indentation) in its place: in pieces of `per_piece`
    items, so that a list of a million is never one string."""
    head, tail = text.split(f'"{key}": "{mark}"', 1)
    yield head
    pad = "\n" + "  " * depth
    items = iter(items)
    first = list(islice(items, per_piece))
    if not first:
        yield f'"{key}": []'
    else:
        yield f'"{key}": [' + pad
        yield ("," + pad).join(first)
        while more := list(islice(items, per_piece)):
            yield "," + pad + ("," + pad).join(more)
        yield "\n" + "  " * (depth - 1) + "]"
    yield tail
