"""The JSON output is written a finding at a time, and is exactly the document `to_dict` gives."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import sftlint
from sftlint import output
from sftlint.cli import cli
from sftlint.findings import Finding, Location, Severity
from sftlint.output import _JSON_ESCAPES, _indented, json_chunks, render_json, render_text, to_dict

HOSTILE = [
    {"instruction": "Say hi.\n\nTwice\u2028please", "output": "hi\x1b[31m hi \u202e"},
    {"instruction": "Say hi.\n\nTwice\u2028please", "output": "hi\x1b[31m hi \u202e"},
    {"instruction": "Write {{name}} a note", "output": 'Dear {{name}}, "findings": [] thanks'},
    {"instruction": "findings", "output": ""},
]


def _whole(result: sftlint.Result) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)


def test_streamed_json_is_the_whole_document_byte_for_byte(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE))
    result = sftlint.lint(str(path), progress=False)
    assert len(result.findings) >= 3
    assert render_json(result) == _whole(result)
    assert sum(1 for _ in json_chunks(result)) == len(result.findings) + 4  # head, "[", each finding, "]", tail


def test_streamed_json_without_findings_is_the_whole_document(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps({"instruction": "What is 2+2?", "output": "4"}) + "\n")
    result = sftlint.lint(str(path), select="SFT101", progress=False)
    assert result.findings == []
    text = render_json(result)
    assert text == _whole(result) and '"findings": []' in text


def test_cli_json_to_a_file_and_to_stdout_agree(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE))
    out = tmp_path / "out.json"
    runner = CliRunner()
    to_file = runner.invoke(cli, ["lint", str(path), "--format", "json", "-o", str(out)])
    to_stdout = runner.invoke(cli, ["lint", str(path), "--format", "json"])
    assert to_file.exit_code == to_stdout.exit_code == 1
    written = json.loads(out.read_text())
    shown = json.loads(to_stdout.output)
    assert written["findings"] == shown["findings"] and len(shown["findings"]) >= 3
    assert out.read_text().endswith("}\n")


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from('\x00\x1b\n"\\\u2028\x7f\x85'),
    max_size=12,
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
)
_KEYS = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.booleans(), st.none(), st.floats(allow_nan=False))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    data=st.dictionaries(st.text(min_size=1, max_size=6), _VALUES, max_size=4),
    message=_TEXT,
)
def test_a_finding_is_written_as_json_dumps_writes_it(data, message):
    """Whatever a plugin puts in a finding's data: the same text as json.dumps(indent=2)."""
    finding = Finding(
        code="TST001",
        slug="t",
        severity=Severity.WARNING,
        file="a.jsonl",
        line=3,
        message=message or "m",
        related=[Location("b.jsonl", 1, 1)],
        score=0.5,
        data=data,
        record=3,
    )
    expected = json.dumps(finding.to_dict(), indent=2, ensure_ascii=False, default=str).replace("\n", "\n    ")
    assert _indented(finding.to_dict(), "    ") == expected


def test_text_output_in_pieces_of_any_size_is_the_same_text(tmp_path, monkeypatch):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE * 3))
    result = sftlint.lint(str(path), progress=False)
    whole = render_text(result)
    assert len(result.findings) >= 5 and whole.count("\n") > len(result.findings)
    for size in (1, 2, 3, 1000):
        monkeypatch.setattr(output, "_LINES_PER_CHUNK", size)
        pieces = list(output.text_chunks(result))
        assert "".join(pieces) == whole
        assert size == 1000 or len(pieces) > 2
