from __future__ import annotations

from readiness_support import findings, lint_json, real_data, write_jsonl

PROMPT = "You are Acme's support assistant. Answer politely and in at most three sentences."


def chat(i: int, system: str | None = PROMPT) -> dict:
    messages = [{"role": "system", "content": system}] if system is not None else []
    messages += [
        {"role": "user", "content": f"Where is my order number {i}?"},
        {"role": "assistant", "content": f"Order {i} left our warehouse yesterday and should arrive soon."},
    ]
    return {"messages": messages}


def test_fires_on_a_drifted_copy_and_on_a_missing_prompt(tmp_path) -> None:
    records = [chat(i) for i in range(30)]
    records[4] = chat(4, PROMPT.replace("politely", "politley"))
    records[9] = chat(9, PROMPT + " ")
    records[17] = chat(17, None)
    code, out = lint_json(str(write_jsonl(tmp_path / "c.jsonl", records)), "--select", "SFT113")
    found = {f["line"]: f["message"] for f in findings(out, "SFT113")}
    assert sorted(found) == [5, 10, 18]
    assert "variant of the one 90.0% of chat records use" in found[5]
    assert "'Answer politely and' became 'Answer politley and'" in found[5]
    assert "similarity 0.99 >= 0.85" in found[5]
    assert "sentences. '" in found[10]  # the trailing space shows in the quote
    assert found[18].startswith("no system prompt, while 90.0% of chat records use")
    summary = out["summaries"]["system-prompt-drift"]
    assert summary["prompts"][0] == {"text": PROMPT, "count": 27}
    assert sorted(p["count"] for p in summary["prompts"]) == [1, 1, 27]
    assert summary["without"] == 1 and summary["records"] == 30
    assert code == 0


def test_quiet_when_every_record_has_the_same_prompt(tmp_path) -> None:
    _, out = lint_json(str(write_jsonl(tmp_path / "c.jsonl", [chat(i) for i in range(30)])), "--select", "SFT113")
    assert findings(out, "SFT113") == []
    assert out["summaries"]["system-prompt-drift"]["prompts"] == [{"text": PROMPT, "count": 30}]


def test_quiet_on_a_deliberate_second_prompt_and_no_dominant_one(tmp_path) -> None:
    french = PROMPT.replace("politely", "politely in French")
    records = [chat(i) for i in range(24)] + [chat(i, french) for i in range(24, 30)]  # 20 %: intended
    _, out = lint_json(str(write_jsonl(tmp_path / "a.jsonl", records)), "--select", "SFT113")
    assert findings(out, "SFT113") == []
    half = [chat(i) for i in range(15)] + [chat(i, None) for i in range(15, 30)]  # no prompt dominates
    _, out = lint_json(str(write_jsonl(tmp_path / "b.jsonl", half)), "--select", "SFT113")
    assert findings(out, "SFT113") == []


def test_quiet_and_no_summary_on_non_chat_data() -> None:
    _, out = lint_json(str(real_data("alpaca_eval/gpt4_1106_preview.jsonl")), "--select", "SFT113")
    assert findings(out, "SFT113") == []
    assert "system-prompt-drift" not in out["summaries"]
