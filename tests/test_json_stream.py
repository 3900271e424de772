"""The JSON output is written a finding at a time, and is exactly the document `to_dict` gives."""

from __future__ import annotations

import json
from itertools import islice

import click
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import sftlint
from sftlint import output
from sftlint.cli import cli
from sftlint.findings import Finding, Location, Severity
from sftlint.jsontext import indented
from sftlint.output import _JSON_ESCAPES, _finding_json, json_chunks, render_json, render_text, to_dict

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
    assert sum(1 for _ in json_chunks(result)) == 5  # head, "[", the findings, "]", tail


def test_streamed_json_in_pieces_of_any_size_is_the_whole_document(tmp_path, monkeypatch):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE * 3))
    result = sftlint.lint(str(path), progress=False)
    whole = _whole(result)
    assert len(result.findings) >= 5
    for size in (1, 2, 3):
        monkeypatch.setattr(output, "_FINDINGS_PER_CHUNK", size)
        pieces = list(json_chunks(result))
        assert "".join(pieces) == whole
        assert len(pieces) == 4 + -(-len(result.findings) // size)


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
    assert indented(finding.to_dict(), "    ") == expected


#: text as records hold it: controls, separators, bidi overrides, quotes and lone surrogates
_ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8")
    | st.characters(categories=["Cs"])
    | st.sampled_from('\x00\x1b\n"\\\u2028\x7f\x85\u202e'),
    max_size=12,
)
_LINES = st.none() | st.integers(min_value=1, max_value=2**40)
_LOCATIONS = st.builds(Location, file=_ODD_TEXT, line=_LINES, record=_LINES)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(
    file=st.none() | _ODD_TEXT,
    line=_LINES,
    record=_LINES,
    message=_ODD_TEXT,
    related=st.lists(_LOCATIONS, max_size=4),
    score=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    data=st.dictionaries(_ODD_TEXT, _VALUES, max_size=4),
    fingerprint=st.none() | _ODD_TEXT,
    severity=st.sampled_from(list(Severity)),
)
def test_a_finding_with_any_fields_is_written_as_json_dumps_writes_it(**fields):
    """The fixed layout of a finding's fields is exactly json.dumps(indent=2) of its dictionary,
    at its depth in the document, with the escapes of `_JSON_ESCAPES`."""
    finding = Finding(code="SFT104", slug="near-duplicate", **fields)
    expected = json.dumps(finding.to_dict(), indent=2, ensure_ascii=False, default=str).replace("\n", "\n    ")
    assert _finding_json(finding) == expected.translate(_JSON_ESCAPES)


class _Place:
    """A related place that is not a `Location`, as a plugin may give one."""

    def to_dict(self) -> dict[str, object]:
        return {"file": "a.jsonl", "line": 1, "record": 1, "column": [4, 5]}


class _Annotated(Finding):
    """A finding that writes a field of its own."""

    def to_dict(self) -> dict[str, object]:
        return {**Finding.to_dict(self), "note": "extra\x85"}


def test_unusual_findings_and_places_are_written_as_their_dictionaries():
    plain = dict(code="TST001", slug="t", severity=Severity.INFO, file="a.jsonl", line=2, message="m\u202e")
    for finding in (
        Finding(**plain, related=[_Place(), Location("b.jsonl", None, 3)], score=True, record=2),
        _Annotated(**plain, related=[Location("b.jsonl", 1, 1)], score=1, data={"k": (1, "x")}),
        Finding(**plain, related=(Location("c.jsonl", 1, 1),), score=0.5, data={"big": 2**80}, record=2),
    ):
        expected = json.dumps(finding.to_dict(), indent=2, ensure_ascii=False, default=str).replace("\n", "\n    ")
        assert _finding_json(finding) == expected.translate(_JSON_ESCAPES)


def test_a_delete_in_otherwise_ascii_text_is_escaped():
    """DEL is the one character of `_JSON_ESCAPES` that ASCII text can hold."""
    finding = Finding(code="TST001", slug="t", severity=Severity.INFO, file="a.jsonl", line=1, message="a\x7fb")
    assert '"message": "a\\u007fb"' in _finding_json(finding)


def test_text_lines_style_each_findings_own_code_and_severity():
    """A check's code and severity are styled once per run and reused: every line still shows its
    own finding's (a check's rate finding is escalated above its other findings)."""
    made = [
        Finding(code=code, slug=slug, severity=severity, file="a\x1b.jsonl", line=n, message=f"m{n}\n", record=n)
        for n, (code, slug, severity) in enumerate(
            [("SFT104", "near-duplicate", Severity.WARNING), ("SFT104", "near-duplicate", Severity.ERROR)] * 2
            + [("SFT115", "unfilled\x07", Severity.ERROR), ("SFT104", "near-duplicate", Severity.WARNING)],
            start=1,
        )
    ]
    result = sftlint.Result(files=["a.jsonl"], checks=[], findings=made, stats={}, summaries={}, fail_on=Severity.ERROR)
    lines = list(islice(output._text_lines(result), len(made)))
    for line, f in zip(lines, made, strict=True):
        colour = output._COLOURS[f.severity]
        code = click.style(output.printable(f.code), fg=colour, bold=True)
        severity = click.style(f"[{f.severity.value}]", fg=colour)
        at, slug, message = (output.printable(text) for text in (f"{f.file}:{f.line}", f.slug, f.message))
        assert line == f"{at}: {code} {slug} {message} {severity}"


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
