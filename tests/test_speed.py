"""What the speed work must not change: parsed values, findings; and the timings it reports."""

import json
from pathlib import Path

from click.testing import CliRunner

from sftlint.cli import cli
from sftlint.io import parse_json, read_file

ROOT = Path(__file__).resolve().parent.parent

# Lines where a fast parser could disagree with `json`: integers beyond 64 bits, non-finite
# numbers, lone surrogate escapes, duplicate keys, escapes and non-ASCII text, and lines `json`
# refuses (their error messages must stay json's).
TRICKY = [
    b'{"instruction": "a", "output": "b", "n": 123456789012345678901234567890}',
    b'{"instruction": "a", "output": "b", "n": -9223372036854775809, "m": 18446744073709551616}',
    b'{"instruction": "a", "output": "b", "n": 9007199254740993, "f": 0.1, "g": 1e308, "h": -0.0}',
    b'{"instruction": "a", "output": "b", "x": NaN, "y": Infinity, "z": 1e400}',
    b'{"instruction": "\\ud800 lone", "output": "\\udc00"}',
    b'{"instruction": "a", "instruction": "second wins", "output": "\\u00e9\\n\\t\\"\\\\"}',
    '{"instruction": "caf\u00e9 \U0001f600 \u05d0", "output": "\u200b\u0301"}'.encode(),
    b'{"instruction": "a", "output": "b",}',
    b'{"instruction": "a\tb", "output": "b"}',
    b'{"instruction": "a", "output": "b"} trailing',
    b"[1, 2]",
    b'"just a string"',
    b'{"instruction": "\xff\xfe bad bytes", "output": "b"}',
]


def test_the_reader_gives_exactly_what_the_json_module_gives(tmp_path):
    path = tmp_path / "tricky.jsonl"
    path.write_bytes(b"\n".join(TRICKY) + b"\n")
    raws = list(read_file(str(path)))
    assert [r.line for r in raws] == list(range(1, len(TRICKY) + 1))
    for raw, line in zip(raws, TRICKY, strict=True):
        expected, error = parse_json(line.decode("utf-8", "replace"))
        assert raw.error == error
        # repr keeps int/float and -0.0 apart, and NaN compares equal to itself there
        assert repr(raw.value) == repr(expected), line
        assert type(raw.value) is type(expected)
    assert raws[0].value["n"] == 123456789012345678901234567890
    assert raws[-1].encoding_error


def test_json_output_reports_the_seconds_of_every_check_and_of_reading(tmp_path):
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        cli, ["lint", str(ROOT / "sample_data" / "support_nogo.jsonl"), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text())
    timings = data["stats"]["timings"]
    ran = {row["code"] for row in data["checks"]}
    assert "read" in timings and all(isinstance(seconds, float) for seconds in timings.values())
    assert sum(timings.values()) > 0
    assert {"SFT101", "SFT103", "SFT104", "SFT107"} <= set(timings) - {"read"} <= ran


def test_a_crashing_check_is_still_timed_and_reported_once(tmp_path, monkeypatch):
    from sftlint.checks.empty_response import EmptyResponse

    def boom(self, record):
        raise RuntimeError("kaput")

    monkeypatch.setattr(EmptyResponse, "check_record", boom)
    out = tmp_path / "out.json"
    data_file = tmp_path / "d.jsonl"
    data_file.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}\n')
    CliRunner().invoke(cli, ["lint", str(data_file), "--format", "json", "-o", str(out)])
    data = json.loads(out.read_text())
    crashes = [f for f in data["findings"] if f["code"] == "SFT101"]
    assert len(crashes) == 1 and "kaput" in crashes[0]["message"] and "2 records" in crashes[0]["message"]
    assert "SFT101" in data["stats"]["timings"]
