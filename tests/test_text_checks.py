"""SFT115-SFT117, SFT206 and SFT111's turn markers on the real public data of tests/data/real:
where they must fire, and the kinds of real records (code, letter templates, tool calls,
Chinese chat) they must not flag."""

from __future__ import annotations

import json

import pytest

from conftest import REAL_DATA
from readiness_support import sftlint


def _flagged(lint, name: str, code: str) -> set[int]:
    _, out = lint(None, "--select", code, "--min-pairs", "1", path=REAL_DATA / name)
    return {f["line"] for f in out["findings"] if f["code"] == code}


def _lines_where(name: str, test) -> set[int]:
    with open(REAL_DATA / name, encoding="utf-8") as file:
        return {i for i, line in enumerate(file, start=1) if test(json.loads(line))}


def test_unfilled_placeholder_fires_on_every_identity_answer_with_name_or_author(lint):
    with_slots = _lines_where(
        "identity/self_cognition.jsonl", lambda r: "<NAME>" in r["output"] or "<AUTHOR>" in r["output"]
    )
    assert len(with_slots) == 74
    assert _flagged(lint, "identity/self_cognition.jsonl", "SFT115") == with_slots


@pytest.mark.parametrize(
    "name",
    [
        "code/humaneval.jsonl",
        "alpaca_eval/gpt4_1106_preview.jsonl",
        "tools/glaive_toolcall_en.jsonl",
        "zh/oasst_sft_zh.jsonl",
    ],
)
def test_unfilled_placeholder_quiet_on_code_letter_templates_and_tool_calls(lint, name):
    """f-strings, `<URL>` in a code block, "[Your Name]" letters, a user-defined "{your answer}" format."""
    assert _flagged(lint, name, "SFT115") == set()


def test_truncated_response_fires_on_real_cut_answers(lint):
    """chatglm2's answers stop at its token limit: "It is a powerful tool for solving", "key points of",
    a looping ingredient list cut at "* 1 cup rolled"."""
    assert _flagged(lint, "alpaca_eval/chatglm2-6b.jsonl", "SFT116") == {13, 33, 93, 108, 111, 136, 180, 195}


@pytest.mark.parametrize(
    "name",
    [
        "code/humaneval.jsonl",
        "alpaca_eval/alpaca-7b.jsonl",
        "alpaca_eval/llama-2-7b-chat-hf.jsonl",
        "identity/self_cognition.jsonl",
        "zh/oasst_sft_zh.jsonl",
    ],
)
def test_truncated_response_quiet_on_code_lists_lyrics_letters_and_casual_chinese(lint, name):
    """Python's // is not a comment, lists and lyrics have no full stops, letters end on a name,
    and casual Chinese drops the final 。."""
    assert _flagged(lint, name, "SFT116") == set()


@pytest.mark.parametrize(
    "name", ["alpaca_eval/gpt4_1106_preview.jsonl", "code/humaneval.jsonl", "zh/oasst_sft_zh.jsonl"]
)
def test_missing_input_quiet_where_the_material_is_there(lint, name):
    """AlpacaEval's "the following ...:" prompts carry their material, HumanEval's "Complete the
    following Python function." has it in the input, "How many horses are in this story?" follows the story."""
    assert _flagged(lint, name, "SFT117") == set()


def test_missing_input_fires_when_the_real_input_is_dropped(lint, tmp_path):
    records = [json.loads(line) for line in (REAL_DATA / "code/humaneval.jsonl").read_text().splitlines()[:20]]
    for record in records[::2]:
        record["input"] = ""
    path = tmp_path / "dropped.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, out = lint(None, "--select", "SFT117", "--min-pairs", "1", path=path)
    assert {f["line"] for f in out["findings"]} == set(range(1, 21, 2))


def test_response_diversity_reports_one_answer_for_every_prompt(lint):
    """AlpacaEval's NullModel answers all 150 instructions with one garbage string."""
    _, out = lint(None, "--select", "SFT206", "--min-pairs", "1", path=REAL_DATA / "alpaca_eval/NullModel.jsonl")
    (finding,) = out["findings"]
    assert finding["line"] is None
    assert finding["message"].startswith(
        "150 of 150 records with a distinct prompt and answer (100%) answer with another prompt's exact response"
    )
    assert [r["line"] for r in finding["related"]] == [1, 2, 3]
    assert out["summaries"]["response-diversity"]["distinct_answers"] == 1


@pytest.mark.parametrize(
    "name",
    [
        "alpaca_eval/gpt4_1106_preview.jsonl",
        "identity/self_cognition.jsonl",
        "tools/glaive_toolcall_en.jsonl",
        "zh/oasst_sft_zh.jsonl",
    ],
)
def test_response_diversity_quiet_on_real_varied_answers(lint, name):
    """Identity answers repeat a little (6 %), glaive's copied conversations are SFT103's."""
    assert _flagged(lint, name, "SFT206") == set()


def test_response_diversity_threshold_is_an_option(lint, tmp_path):
    config = tmp_path / "sftlint.toml"
    config.write_text("[checks.response-diversity]\nmax_repeated_share = 1.0\n")
    _, out = lint(
        None, "--select", "SFT206", "--min-pairs", "1", "--config", str(config),
        path=REAL_DATA / "alpaca_eval/NullModel.jsonl",
    )  # fmt: skip
    assert out["findings"] == []


def test_template_leakage_fires_on_real_answers_that_run_into_the_next_turn(lint):
    """falcon-7b-instruct ends answers with "User" or "###" on a line of their own."""
    assert _flagged(lint, "alpaca_eval/falcon-7b-instruct.jsonl", "SFT111") == {131, 139, 207, 251, 266, 377, 467}


@pytest.mark.parametrize("name", ["alpaca_eval/gpt4_1106_preview.jsonl", "alpaca_eval/alpaca-7b.jsonl"])
def test_template_leakage_quiet_on_real_lists_ending_in_user(lint, name):
    """alpaca-7b's list of 100 items ends "Translatable User Interface": a word, not a turn."""
    assert _flagged(lint, name, "SFT111") == set()


@pytest.mark.parametrize(
    "name", ["alpaca_eval/gpt4_1106_preview.jsonl", "alpaca_eval/alpaca-7b.jsonl", "tools/glaive_toolcall_en.jsonl"]
)
def test_unseeable_context_quiet_on_real_links_and_photos_named_in_text(lint, name):
    """ "Shortcuts do not work on this website: https://..." needs no sight of the site; "use the
    photo delivery system" names a thing; glaive's "Please find attached" is an e-mail being written."""
    assert _flagged(lint, name, "SFT118") == set()


def test_unseeable_context_fires_when_a_real_passage_becomes_an_attachment(lint, tmp_path):
    record = json.loads((REAL_DATA / "alpaca_eval/gpt4_1106_preview.jsonl").read_text().splitlines()[146])
    assert record["instruction"].startswith("I have this text:")
    damaged = {**record, "instruction": "I have this text: <Picture Attached>\nRewrite it in professional style."}
    path = tmp_path / "attached.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(damaged) + "\n")
    _, out = lint(None, "--select", "SFT118", "--min-pairs", "1", path=path)
    assert [f["line"] for f in out["findings"]] == [2]


@pytest.mark.parametrize("option", ["header_pattern", "trailing_pattern"])
def test_template_leakage_pattern_that_does_not_compile_is_one_line_error(tmp_path, option):
    (tmp_path / "sftlint.toml").write_text(f'[checks.template-leakage]\n{option} = "("\n')
    done = sftlint("lint", str(REAL_DATA / "alpaca_eval/falcon-7b-instruct.jsonl"), cwd=tmp_path)
    assert done.returncode == 2
    config = tmp_path / "sftlint.toml"
    assert done.stderr.startswith(f"sftlint: error: invalid config: {config}: checks.template-leakage.")
    assert len(done.stderr.strip().splitlines()) == 1


def test_template_leakage_trailing_rule_can_be_turned_off(lint, tmp_path):
    config = tmp_path / "sftlint.toml"
    config.write_text('[checks.template-leakage]\ntrailing_pattern = ""\n')
    path = REAL_DATA / "alpaca_eval/falcon-7b-instruct.jsonl"
    _, out = lint(None, "--select", "SFT111", "--min-pairs", "1", "--config", str(config), path=path)
    assert {f["line"] for f in out["findings"]} == {467}  # its "### Output:" header


def test_exact_duplicate_says_when_copies_declare_other_tools(lint, tmp_path):
    """Glaive copies whose tool descriptions were reworded read as "exact" duplicates, though
    the records differ: the message now says the turns are the same and the tools are not."""
    turns = [{"from": "human", "value": "Weather in Paris?"}, {"from": "gpt", "value": "It is sunny in Paris today."}]
    tools = [json.dumps([{"name": "get_weather", "description": d}]) for d in ("Weather", "The weather of a city")]
    records = [{"conversations": turns, "tools": t} for t in (tools[0], tools[1], tools[0])]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, out = lint(None, "--select", "SFT103", "--min-pairs", "1", path=path)
    messages = {f["line"]: f["message"] for f in out["findings"] if f["line"]}
    assert messages == {
        2: "exact duplicate of line 1 (the same turns; the declared tools differ)",
        3: "exact duplicate of line 1",
    }
