"""SFT115-SFT117 and SFT206 on the real public data of tests/data/real: where they must fire
and the kinds of real records (code, letter templates, tool calls, Chinese chat) they must not flag."""

from __future__ import annotations

import json

import pytest

from conftest import REAL_DATA


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
    ["code/humaneval.jsonl", "alpaca_eval/gpt4_1106_preview.jsonl", "tools/glaive_toolcall_en.jsonl", "zh/oasst_sft_zh.jsonl"],
)
def test_unfilled_placeholder_quiet_on_code_letter_templates_and_tool_calls(lint, name):
    """f-strings, `<URL>` in a code block, "[Your Name]" letters, a user-defined "{your answer}" format."""
    assert _flagged(lint, name, "SFT115") == set()


def test_truncated_response_fires_on_real_cut_answers(lint):
    """chatglm2's answers stop at its token limit: "It is a powerful tool for solving", "key points of"."""
    assert _flagged(lint, "alpaca_eval/chatglm2-6b.jsonl", "SFT116") == {13, 33, 108, 111, 136, 180, 195}


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
