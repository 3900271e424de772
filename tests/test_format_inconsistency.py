from __future__ import annotations

import json
import random

import pytest

from readiness_support import findings, lint_json, real_data, write_jsonl
from sftlint.checks.format_inconsistency import profile

PRIORITIES = ["low", "medium", "high"]


def ticket(i: int, response: str | None = None) -> dict:
    rng = random.Random(i)
    body = {"category": rng.choice(["billing", "login", "shipping"]), "priority": rng.choice(PRIORITIES)}
    return {"instruction": f"Triage ticket #{i}: my order {i} has a problem", "output": response or json.dumps(body)}


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ('{"b": 1, "a": 2}', "json-object", ("a", "b")),
        ('```json\n{"a": 1}\n```', "fenced-json-object", ("a",)),
        ("[1, 2, 3]", "json-array", ()),
        ("{'a': 1}", "invalid-json", ()),
        ("```python\nprint(1)\n# not a heading\n```", "code", ()),
        ("## Summary\nok\n\n## Steps:\n1. a", "headings", ("steps", "summary")),
        ("1. first\n2. second\n3. third", "numbered-list", ()),
        ("Some points:\n- one\n- two\n- three", "bullet-list", ()),
        ("Positive", "label", ()),
        ("[Verse 1]\nWe sang a song about the sea and the sky.", "prose", ()),
        ("The capital of France is Paris, a city on the Seine.", "prose", ()),
    ],
)
def test_profile_names_the_form(text: str, kind: str, detail: tuple[str, ...]) -> None:
    assert profile(text)[0] == (kind, detail)


def test_fires_on_responses_that_break_a_json_schema(tmp_path) -> None:
    records = [ticket(i) for i in range(40)]
    records[5] = ticket(5, '{"category": "billing"}')  # missing key
    records[9] = ticket(9, '{"category": "login", "priority": "low", "prioirty": "low"}')  # rare extra key
    records[14] = ticket(14, '{"category": "login", "priority": "low",}')  # invalid JSON
    records[20] = ticket(20, "This looks like a billing problem, medium priority.")  # prose
    code, out = lint_json(str(write_jsonl(tmp_path / "t.jsonl", records)), "--select", "SFT112")
    found = {f["line"]: f["message"] for f in findings(out, "SFT112")}
    assert sorted(found) == [6, 10, 15, 21]
    assert "lacks key priority" in found[6]
    assert "has unexpected key prioirty" in found[10]
    assert "not valid JSON" in found[15]
    assert "plain prose" in found[21]
    assert all(
        "expected a JSON object with keys category, priority (95.0% of responses are a JSON object, min_share 80%)" in m
        for m in found.values()
    )
    summary = out["summaries"]["format-inconsistency"]
    assert summary["dominant"] == "a JSON object with keys category, priority"
    assert summary["share"] == pytest.approx(38 / 40)
    assert summary["forms"] == {
        "a JSON object": 38,
        "text that starts like JSON but does not parse": 1,
        "plain prose": 1,
    }
    assert summary["consistent_share"] == pytest.approx(36 / 40)
    assert code == 0  # a warning does not fail the default verdict


def test_fires_on_a_missing_section_and_on_a_different_layout(tmp_path) -> None:
    records = [
        {
            "instruction": f"Write up incident {i}",
            "output": f"## Summary\nDisk {i} filled up.\n\n## Impact\nNone.\n\n## Follow-up\nAdd alerts.",
        }
        for i in range(30)
    ]
    records[3]["output"] = "## Summary\nDisk filled up.\n\n## Follow-up\nAdd alerts."
    records[7]["output"] = "- disk filled up\n- no impact\n- add alerts"
    _, out = lint_json(str(write_jsonl(tmp_path / "i.jsonl", records)), "--select", "SFT112")
    found = {f["line"]: f["message"] for f in findings(out, "SFT112")}
    assert sorted(found) == [4, 8]
    assert "lacks section impact" in found[4]
    assert "a bulleted list" in found[8]


def test_fires_on_a_chat_assistant_turn_out_of_form(tmp_path) -> None:
    records = [
        {
            "messages": [
                {"role": "user", "content": f"Label: item {i}"},
                {"role": "assistant", "content": "Positive" if i % 2 else "Negative"},
            ]
        }
        for i in range(25)
    ]
    records[11]["messages"][1]["content"] = "I think this one is positive because the customer sounds happy overall."
    _, out = lint_json(str(write_jsonl(tmp_path / "c.jsonl", records)), "--select", "SFT112")
    [finding] = findings(out, "SFT112")
    assert finding["line"] == 12
    assert finding["message"].startswith("turn 2: response is plain prose; expected a single short label")


def test_tool_calls_are_not_answers_whose_form_is_profiled(tmp_path) -> None:
    """Agentic data with several calls a conversation: the calls (JSON objects with `name` and
    `arguments`) made "a JSON object" dominant, and every final prose answer was flagged."""
    tools = json.dumps([{"name": "get_weather", "parameters": {"type": "object", "properties": {}}}])
    records = []
    for i in range(30):
        turns = [{"from": "human", "value": f"What will the weather be in city {i} for the next four days?"}]
        for day in range(4):
            call = {"name": "get_weather", "arguments": {"city": f"city {i}", "day": day}}
            turns += [{"from": "function_call", "value": json.dumps(call)},
                      {"from": "observation", "value": json.dumps({"temp": 10 + (i + day) % 15})}]  # fmt: skip
        turns.append({"from": "gpt", "value": f"In city {i} it stays mild, between 10 and 14 degrees."})
        records.append({"conversations": turns, "tools": tools})
    _, out = lint_json(str(write_jsonl(tmp_path / "calls.jsonl", records)), "--select", "SFT112")
    assert findings(out, "SFT112") == []
    # answers that are JSON objects, with calls among them, are still profiled as answers
    for record in records:
        record["conversations"][-1]["value"] = json.dumps({"city": "x", "low": 10, "high": 14})
    records[4]["conversations"][-1]["value"] = "It stays mild."
    _, out = lint_json(str(write_jsonl(tmp_path / "answers.jsonl", records)), "--select", "SFT112")
    assert [f["line"] for f in findings(out, "SFT112")] == [5]


def test_quiet_on_consistent_structured_data(tmp_path) -> None:
    _, out = lint_json(str(write_jsonl(tmp_path / "t.jsonl", [ticket(i) for i in range(40)])), "--select", "SFT112")
    assert findings(out, "SFT112") == []
    summary = out["summaries"]["format-inconsistency"]
    assert summary["structured"] is True and summary["share"] == 1.0 and summary["consistent_share"] == 1.0


def test_quiet_on_free_form_real_answers() -> None:
    _, out = lint_json(str(real_data("alpaca_eval/gpt4_1106_preview.jsonl")), "--select", "SFT112")
    assert findings(out, "SFT112") == []
    summary = out["summaries"]["format-inconsistency"]
    assert summary["structured"] is False
    assert summary["dominant"] == "plain prose" and summary["share"] < 0.8


def test_quiet_when_markdown_is_everywhere_but_sections_differ(tmp_path) -> None:
    records = [
        {"instruction": f"Explain topic {i}", "output": f"# Topic {i}\nText.\n\n## Detail {i}\nMore."}
        for i in range(30)
    ]
    records[4]["output"] = "A short plain answer about the topic."
    _, out = lint_json(str(write_jsonl(tmp_path / "m.jsonl", records)), "--select", "SFT112")
    assert findings(out, "SFT112") == []


def test_quiet_below_min_responses(tmp_path) -> None:
    records = [ticket(i) for i in range(10)]
    records[2] = ticket(2, "plain words here, not JSON at all")
    _, out = lint_json(str(write_jsonl(tmp_path / "t.jsonl", records)), "--select", "SFT112")
    assert findings(out, "SFT112") == []


def worked_solution(i: int) -> dict:
    """A grade-school word problem answered as GSM8K writes answers: steps with <<calculator>>
    annotations, some of one line and some of several, a final "#### N" line."""
    rng = random.Random(i)
    a, b = rng.randint(10, 90), rng.randint(2, 9)
    steps = [f"She sold {a} / {b} = <<{a}/{b}={a // b}>>{a // b} boxes on Monday."]
    if i % 3:
        steps.append(f"Then {a // b} x {b + 1} = <<{a // b}*{b + 1}={a // b * (b + 1)}>>{a // b * (b + 1)} in all.")
    if i % 5 == 0:
        steps = [f"{a} - {b} = {a - b}, so the answer is {a - b}"]
    total = a // b * (b + 1) if i % 3 else a // b
    question = f"A shop has {a} apples and packs them {b} to a box. How many boxes does it sell by Tuesday (#{i})?"
    return {"question": question, "answer": "\n".join(steps) + f"\n#### {total}"}


def test_quiet_on_worked_math_solutions(tmp_path) -> None:
    """Free-form worked solutions of varying shape are prose, whatever their step count."""
    path = write_jsonl(tmp_path / "math.jsonl", [worked_solution(i) for i in range(80)])
    _, out = lint_json(str(path), "--select", "SFT112", "--min-pairs", "1")
    assert out["stats"]["valid"] == 80
    assert findings(out, "SFT112") == []
