"""SFT204 fits-in-context, SFT205 no-evaluation-set, the token estimate, and advice vs the verdict."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from readiness_support import findings, lint_json, real_data, write_jsonl
from sftlint.cli import cli
from sftlint.evalsize import recommended_eval_size
from sftlint.tokens import approx_tokens


def pairs(n: int) -> list[dict]:
    return [
        {
            "instruction": f"Summarise support ticket {i} in one sentence.",
            "output": f"Customer {i} cannot log in after the update.",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("one two three", 4),  # 13 characters / 4, rounded up
        ("x" * 40, 10),
        ("café", 2),  # é is 2 UTF-8 bytes: 4 + 1.5 characters
        ("你好世界", 4),  # about one token per CJK character
        ("Hello 世界", 4),
    ],
)
def test_approx_tokens(text: str, tokens: int) -> None:
    assert approx_tokens(text) == tokens


@pytest.mark.parametrize(
    ("pairs_", "size"), [(0, 0), (1, 0), (40, 8), (300, 60), (553, 100), (1000, 100), (5000, 500), (50_000, 1000)]
)
def test_recommended_eval_size(pairs_: int, size: int) -> None:
    assert recommended_eval_size(pairs_) == size


def test_fits_in_context_fires_on_a_small_dataset(tmp_path) -> None:
    records = pairs(50)
    path = write_jsonl(tmp_path / "small.jsonl", records)
    code, out = lint_json(str(path), "--select", "SFT204")
    [finding] = findings(out, "SFT204")
    expected = sum(approx_tokens(r["instruction"]) + approx_tokens(r["output"]) for r in records)
    assert finding["severity"] == "advice" and finding["line"] is None
    assert f"about {expected:,} tokens, within a 100,000-token context" in finding["message"]
    assert out["summaries"]["fits-in-context"] == {"total_tokens": expected, "budget": 100_000, "fits": True}
    assert code == 0 and out["verdict"] == "go"


def test_fits_in_context_quiet_on_a_large_dataset_and_a_smaller_budget(tmp_path) -> None:
    _, out = lint_json(str(real_data("alpaca_eval/gpt4_1106_preview.jsonl")), "--select", "SFT204")
    assert findings(out, "SFT204") == []
    summary = out["summaries"]["fits-in-context"]
    assert summary["fits"] is False and summary["total_tokens"] > 100_000
    config = tmp_path / "sftlint.toml"
    config.write_text("[checks.fits-in-context]\nbudget = 200\n")
    _, out = lint_json(str(write_jsonl(tmp_path / "d.jsonl", pairs(50))), "--select", "SFT204", "--config", str(config))
    assert findings(out, "SFT204") == []


def test_fits_in_context_counts_each_distinct_tool_list_once(tmp_path) -> None:
    """BFCL's 1,053 live cases were "about 59,158 tokens, within a 100,000-token context", their 3.8
    million characters of tool schemas left out: few-shot examples of tool calling need them."""

    def calling(i: int, tools: list[dict]) -> dict:
        call = {"id": "c0", "type": "function", "function": {"name": "lookup", "arguments": json.dumps({"id": i})}}
        messages = [{"role": "user", "content": f"Look up order {i}."}, {"role": "assistant", "tool_calls": [call]}]
        return {"messages": messages, "tools": tools}

    def tools(i: int) -> list[dict]:
        described = {f"p{k}": {"type": "string", "description": f"Parameter {k} of tool {i}. " * 5} for k in range(20)}
        return [{"type": "function", "function": {"name": "lookup", "parameters": {"properties": described}}}]

    shared = [calling(i, tools(0)) for i in range(40)]
    _, out = lint_json(str(write_jsonl(tmp_path / "shared.jsonl", shared)), "--select", "SFT204")
    [finding] = findings(out, "SFT204")
    once = out["summaries"]["fits-in-context"]["total_tokens"]
    assert "all 40 records come with the 1 tool list they declare to about" in finding["message"]
    own = [calling(i, tools(i)) for i in range(40)]
    _, out = lint_json(str(write_jsonl(tmp_path / "own.jsonl", own)), "--select", "SFT204")
    each = out["summaries"]["fits-in-context"]["total_tokens"]
    lists = [json.dumps({"lookup": tools(i)[0]["function"]["parameters"]}, sort_keys=True) for i in range(1, 40)]
    assert each - once == sum(map(approx_tokens, lists))  # the other 39 lists, each counted once


def test_no_evaluation_set_fires_with_a_sized_recommendation(tmp_path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", pairs(500))
    _, out = lint_json(str(path), "--select", "SFT205,SFT201")
    [finding] = findings(out, "SFT205")
    assert finding["severity"] == "advice"
    assert "hold out about 100 of the 500 records (20%" in finding["message"]
    assert f"`sftlint split {path} -o train.jsonl -e eval.jsonl`, whose default" in finding["message"]
    assert out["summaries"]["no-evaluation-set"] == {"present": False, "files": [], "recommended_size": 100}
    # a name a shell would split is quoted, so the command can be pasted as it is
    spaced = write_jsonl(tmp_path / "my data.jsonl", pairs(500))
    _, out = lint_json(str(spaced), "--select", "SFT205,SFT201")
    [finding] = findings(out, "SFT205")
    assert f"`sftlint split '{spaced}' -o train.jsonl " in finding["message"]


def test_the_split_command_advised_holds_out_the_size_advised_and_never_overwrites_the_input(tmp_path) -> None:
    """The advice sized on usable pairs and `split` on valid records: "about 60" held out 120, and
    the advice's fraction gave a set `split` then called too small. A file named train.jsonl was
    told to split into -o train.jsonl, which `split` refuses."""
    records = pairs(600)
    for record in records[1::2]:
        record["output"] = ""  # half the records are not usable
    path = write_jsonl(tmp_path / "train.jsonl", records)
    _, out = lint_json(str(path), "--select", "SFT205,SFT201")
    [finding] = findings(out, "SFT205")
    assert "hold out about 100 of the 600 records" in finding["message"]
    command = finding["message"].split("`")[-2]
    assert command == f"sftlint split {path} -o train.split.jsonl -e eval.split.jsonl"
    done = subprocess.run([sys.executable, "-m", "sftlint", *command.split()[1:]], capture_output=True, text=True,
                          cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and "eval.split.jsonl: 100 records" in done.stdout and "note:" not in done.stderr


def test_the_advice_says_when_holding_out_leaves_training_under_the_minimum(tmp_path) -> None:
    """345 pairs: the advised 69 held out left 276 for training, and `lint train.jsonl` was NO-GO
    (SFT201, under 300) for a user who had done exactly what the advice said."""
    path = write_jsonl(tmp_path / "d.jsonl", pairs(345))
    _, out = lint_json(str(path), "--select", "SFT205,SFT201")
    [finding] = findings(out, "SFT205")
    assert finding["message"].endswith(
        "; that leaves about 276 usable pairs for training, under the 300 SFT201 asks for: add about 29 pairs "
        "first, or expect its NO-GO on the training set"
    )
    assert finding["data"]["training_pairs_left"] == 276
    # 29 more, not 24: the evaluation set grows with them (374 pairs hold out 74 and keep 300)
    more = write_jsonl(tmp_path / "more.jsonl", pairs(345 + 29))
    _, out = lint_json(str(more), "--select", "SFT205,SFT201")
    assert "that leaves" not in findings(out, "SFT205")[0]["message"]
    fewer = write_jsonl(tmp_path / "fewer.jsonl", pairs(345 + 28))
    _, out = lint_json(str(fewer), "--select", "SFT205,SFT201")
    assert "add about 1 pair first" in findings(out, "SFT205")[0]["message"]
    split = subprocess.run([sys.executable, "-m", "sftlint", "split", str(path), "-o", "train.jsonl", "-e",
                            "eval.jsonl"], capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert split.returncode == 0
    code, trained = lint_json(str(tmp_path / "train.jsonl"), "--select", "SFT201")
    assert code == 1 and trained["stats"]["usable_pairs"] == 276  # the NO-GO the advice announced
    for options, count in ((["--min-pairs", "250"], 345), ([], 500)):  # a minimum the training set still meets
        path = write_jsonl(tmp_path / f"d{count}.jsonl", pairs(count))
        _, out = lint_json(str(path), "--select", "SFT205,SFT201", *options)
        [finding] = findings(out, "SFT205")
        assert "that leaves" not in finding["message"]


def test_no_evaluation_set_quiet_when_config_names_one(tmp_path) -> None:
    write_jsonl(tmp_path / "eval.jsonl", pairs(5))
    config = tmp_path / "sftlint.toml"
    config.write_text('against = ["eval.jsonl"]\n')
    _, out = lint_json(str(write_jsonl(tmp_path / "d.jsonl", pairs(50))), "--select", "SFT205", "--config", str(config))
    assert findings(out, "SFT205") == []
    summary = out["summaries"]["no-evaluation-set"]
    assert summary["present"] is True and summary["files"] == [str(tmp_path / "eval.jsonl")]


def test_advice_never_changes_the_verdict_by_default(tmp_path) -> None:
    path = str(write_jsonl(tmp_path / "d.jsonl", pairs(400)))
    code, out = lint_json(path)
    assert {f["severity"] for f in out["findings"]} == {"advice"}
    assert {f["code"] for f in out["findings"]} == {"SFT204", "SFT205"}
    assert code == 0 and out["verdict"] == "go"
    code, out = lint_json(path, "--fail-on", "warning")
    assert code == 0 and out["verdict"] == "go"
    code, out = lint_json(path, "--fail-on", "advice")  # only when asked for
    assert code == 1 and out["verdict"] == "no-go"


def test_advice_has_its_own_part_of_the_text_output(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(write_jsonl(tmp_path / "d.jsonl", pairs(400)))])
    assert result.exit_code == 0
    head, advice = result.output.split("Before you fine-tune:\n")
    assert "SFT204" not in head and "SFT205" not in head
    assert "  SFT204 fits-in-context: all 400 records come to about" in advice
    assert "  SFT205 no-evaluation-set: no evaluation set given" in advice
    assert "GO: nothing at or above error" in advice


def test_json_output_with_advice_matches_the_schema(tmp_path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    _, out = lint_json(str(write_jsonl(tmp_path / "d.jsonl", pairs(30))))
    jsonschema.validate(out, schema)
