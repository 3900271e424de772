"""Property-based robustness: whatever the bytes, a run ends in findings or a clear error.

Arbitrary bytes, arbitrary JSON values, deep nesting, huge numbers, unusual Unicode and mixed
shapes go through the reader, every registered check and every output format.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sftlint.api import lint_paths
from sftlint.config import Config
from sftlint.errors import InputError
from sftlint.output import RENDERERS, to_dict

SETTINGS = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text with the characters that break naive code: surrogates, RTL and zero-width marks, combining
# characters, emoji, controls, template tokens.
odd_text = st.one_of(
    st.text(),
    st.text(
        alphabet=st.sampled_from(
            ["\u202e", "\u200b", "\u0301", "\U0001f600", "\ud800", "\x00", "\ufeff", "a", " ", "\n"]
        )
    ),
    st.sampled_from(["", " ", "N/A", "<|endoftext|>", "### Response:", "é" * 50, "word " * 200]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | odd_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(odd_text, children, max_size=4),
    max_leaves=12,
)
shaped = st.one_of(
    st.fixed_dictionaries(
        {"instruction": odd_text, "output": odd_text}, optional={"input": odd_text, "label": odd_text}
    ),
    st.fixed_dictionaries({"prompt": odd_text, "completion": json_values}),
    st.fixed_dictionaries({"question": json_values, "answer": odd_text}),
    st.fixed_dictionaries(
        {
            "messages": st.lists(
                st.fixed_dictionaries(
                    {"role": st.sampled_from(["user", "assistant", "system", "bot"]), "content": odd_text}
                ),
                max_size=5,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "conversations": st.lists(
                st.fixed_dictionaries({"from": st.sampled_from(["human", "gpt"]), "value": json_values}), max_size=4
            )
        }
    ),
    json_values,
)


def _lint(path: Path) -> None:
    try:
        result = lint_paths([str(path)], Config())
    except InputError:
        return  # a clear, one-line error: allowed
    for render in RENDERERS.values():
        assert isinstance(render(result), str)
    assert result.stats["records"] >= result.stats["valid"]
    crashed = [f.message for f in result.findings if "check crashed" in f.message]
    assert crashed == []


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(data)
    _lint(path)


@SETTINGS
@given(st.lists(shaped, max_size=6))
def test_arbitrary_records_and_mixed_shapes(tmp_path, records):
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    _lint(path)


@SETTINGS
@given(
    st.lists(
        st.one_of(json_values.map(json.dumps), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))), max_size=6
    )
)
def test_arbitrary_lines_including_arrays_and_garbage(tmp_path, lines):
    path = tmp_path / "lines.json"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    _lint(path)


def test_named_cases(tmp_path):
    cases = {
        "empty.jsonl": b"",
        "blank.jsonl": b"\n \n\r\n\t\n",
        "object.json": b'{\n  "instruction": "Q",\n  "output": "A"\n}\n',  # one record: too few pairs
        "deep.jsonl": b"[" * 50000 + b"]" * 50000 + b"\n",
        "huge-number.jsonl": b'{"instruction": "Q", "output": ' + b"1" * 10000 + b"}\n",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = lint_paths([str(path)], Config())
        assert result.verdict == "no-go", name  # nothing usable is never GO


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(shaped, min_size=1, max_size=8))
def test_arbitrary_records_give_the_same_result_in_several_processes(tmp_path, records):
    """--jobs changes who runs each check, never what is found (crashes of checks included)."""
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    one, three = (to_dict(lint_paths([str(path)], Config(jobs=jobs))) for jobs in (1, 3))
    assert (one["stats"].pop("jobs"), three["stats"].pop("jobs")) == (1, 3)
    for out in (one, three):
        out["stats"].pop("timings")
        out["config"].pop("jobs")
    assert one == three
