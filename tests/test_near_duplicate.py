"""SFT104 near-duplicate: planted copies are found with their partner; similar-looking records are not."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from neardup_helpers import edit, exact_jaccard, prose, write_jsonl
from sftlint.api import lint_paths
from sftlint.cli import cli
from sftlint.config import Config
from sftlint.findings import Location

REAL_DATA = Path(__file__).resolve().parent / "data" / "real" / "alpaca_eval"


def clean_records(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    return [
        {"instruction": prose(rng, rng.randint(8, 30)), "input": "", "output": prose(rng, rng.randint(40, 120))}
        for _ in range(n)
    ]


def lint(path: Path, **options: object) -> dict:
    config = Config(select=["SFT103", "SFT104", "SFT201"], checks={"near-duplicate": options} if options else {})
    result = lint_paths([str(path)], config)
    return {
        "verdict": result.verdict,
        "findings": [f.to_dict() for f in result.findings if f.code == "SFT104"],
        "exact": [f.line for f in result.findings if f.code == "SFT103"],
        "summary": result.summaries.get("near-duplicate"),
        "usable": result.stats["usable_pairs"],
    }


def planted(tmp_path: Path) -> tuple[Path, list[dict], dict[int, int]]:
    """400 clean records, then 12 lightly edited copies of earlier ones: copy line -> source line."""
    rng = random.Random(7)
    records = clean_records(400)
    partners = {}
    for source in rng.sample(range(400), 12):
        record = dict(records[source])
        record["output"] = edit(rng, record["output"], 1)
        records.append(record)
        partners[len(records)] = source + 1
    return write_jsonl(tmp_path / "train.jsonl", records), records, partners


def test_planted_near_duplicates_are_found_with_their_partner(tmp_path: Path) -> None:
    path, records, partners = planted(tmp_path)
    out = lint(path)
    found = {f["line"]: f for f in out["findings"]}
    assert set(found) == set(partners)
    for line, finding in found.items():
        source = partners[line]
        assert finding["related"][0] == {"file": str(path), "line": source, "record": source}
        copy, original = (f"{r['instruction']}\n{r['output']}" for r in (records[line - 1], records[source - 1]))
        assert finding["score"] == pytest.approx(exact_jaccard(copy, original), abs=1e-4)
        assert finding["score"] >= 0.6
        assert f"line {source}" in finding["message"] and "threshold 0.6" in finding["message"]
        assert finding["severity"] == "warning"
        assert finding["data"]["cluster_size"] == 2
        assert finding["data"]["partner"] == {"file": str(path), "line": source, "record": source}
    summary = out["summary"]
    assert summary["clusters"] == 12 and summary["redundant"] == 12
    assert summary["rate"] == pytest.approx(12 / 412, abs=1e-4)
    assert 12 <= summary["pairs_verified"] <= 16 * 32 * 412  # each copy judged; at most 16 leaders a band
    assert out["usable"] == 400  # the copies are not usable pairs


def test_clean_data_with_a_shared_template_is_not_reported(tmp_path: Path) -> None:
    """Records built on one prompt template, and a pair with a quarter of its words replaced, stay quiet."""
    rng = random.Random(3)
    template = (
        "Read the customer review below and classify its sentiment as positive, negative or neutral."
        " Explain your answer in one sentence."
    )
    records = [{"instruction": template, "input": prose(rng, 40), "output": prose(rng, 15)} for _ in range(300)]
    source = prose(rng, 150)
    below = edit(random.Random(9), source, 38)
    assert 0.3 < exact_jaccard(source, below) < 0.6
    records += [
        {"instruction": "Summarise.", "input": "", "output": source},
        {"instruction": "Summarise.", "input": "", "output": below},
    ]
    for i, j in ((0, 1), (5, 17), (100, 200)):
        a, b = (f"{records[k]['instruction']}\n{records[k]['input']}\n{records[k]['output']}" for k in (i, j))
        assert 0.05 < exact_jaccard(a, b) < 0.6  # they do share the template
    out = lint(write_jsonl(tmp_path / "templated.jsonl", records))
    assert out["findings"] == []
    assert out["summary"]["clusters"] == 0 and out["summary"]["rate"] == 0.0
    assert out["verdict"] == "go"


def test_real_clean_data_is_quiet() -> None:
    path = REAL_DATA / "gpt4_1106_preview.jsonl"
    out = lint(path, max_rate=0.05)
    assert out["findings"] == []


def test_real_cross_file_copies_are_found() -> None:
    """The same AlpacaEval instructions answered by two models: identical short answers are near-duplicates."""
    config = Config(select=["SFT103", "SFT104"])
    result = lint_paths([str(REAL_DATA / "gpt4_1106_preview.jsonl"), str(REAL_DATA / "alpaca-7b.jsonl")], config)
    near = [f for f in result.findings if f.code == "SFT104"]
    assert near, "expected cross-file near-duplicates"
    for f in near:
        assert f.file.endswith("alpaca-7b.jsonl") and f.related[0].file.endswith("gpt4_1106_preview.jsonl")
        assert f.related[0].line == f.line  # the same instruction, same line in both files


def substituted(record: dict, share: float, pool: list[str]) -> dict:
    """The record with `share` of its instruction and output words replaced, evenly spread (the hardest case)."""
    words = [("instruction", w) for w in record["instruction"].split()] + [
        ("output", w) for w in record["output"].split()
    ]
    count = max(1, round(share * len(words)))
    for k in range(count):
        at = int((k + 0.5) * len(words) / count)
        words[at] = (words[at][0], pool[(at * 7919 + k) % len(pool)])
    return {key: " ".join(w for field, w in words if field == key) for key in ("instruction", "output")}


def edited_copies(tmp_path: Path, share: float) -> tuple[Path, int]:
    """40 short real AlpacaEval records (20 to 60 words), then a copy of each with `share` of its words replaced."""
    rows = [json.loads(line) for line in (REAL_DATA / "alpaca-7b.jsonl").read_text().splitlines()]
    short = [
        {"instruction": r["instruction"], "output": r["output"]}
        for r in rows
        if 20 <= len(f"{r['instruction']} {r['output']}".split()) <= 60
    ]
    originals = random.Random(13).sample(short, 40)
    pool = [w for r in short for w in r["output"].split() if w.isalpha() and len(w) > 3]
    copies = [substituted(r, share, pool) for r in originals]
    return write_jsonl(tmp_path / f"edited-{share}.jsonl", originals + copies), len(originals)


@pytest.mark.parametrize("share", [0.03, 0.05, 0.08])
def test_real_records_with_3_to_8_percent_of_words_replaced_are_found(tmp_path: Path, share: float) -> None:
    path, n = edited_copies(tmp_path, share)
    result = CliRunner().invoke(cli, ["lint", str(path), "--select", "SFT104", "--format", "json"])
    found = {
        (f["related"][0]["line"], f["line"]) for f in json.loads(result.output)["findings"] if f["line"] is not None
    }
    assert found == {(i, n + i) for i in range(1, n + 1)}


def test_real_records_with_a_quarter_of_words_replaced_stay_apart(tmp_path: Path) -> None:
    path, _ = edited_copies(tmp_path, 0.25)
    result = CliRunner().invoke(cli, ["lint", str(path), "--select", "SFT104", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["findings"] == []


def test_exact_copies_are_left_to_sft103(tmp_path: Path) -> None:
    records = clean_records(50)
    copy = {k: v.upper() for k, v in records[10].items()}  # only case differs: an exact duplicate
    punctuated = dict(records[20], output=records[20]["output"].replace(".", "!"))  # punctuation differs
    records += [copy, punctuated]
    out = lint(write_jsonl(tmp_path / "d.jsonl", records))
    assert out["exact"] == [51]
    assert [(f["line"], f["related"][0]["line"], f["score"]) for f in out["findings"]] == [(52, 21, 1.0)]
    assert out["summary"]["exact_copies_skipped"] == 1


def test_a_cluster_is_reported_once_per_extra_member(tmp_path: Path) -> None:
    rng = random.Random(4)
    records = clean_records(100)
    source = {"instruction": "Describe the process.", "input": "", "output": prose(rng, 300)}
    records.insert(30, source)
    for _ in range(3):
        records.append(dict(source, output=edit(rng, source["output"], 1)))
    out = lint(write_jsonl(tmp_path / "c.jsonl", records))
    assert [f["line"] for f in out["findings"]] == [102, 103, 104]
    assert {f["data"]["cluster"] for f in out["findings"]} == {1}
    for f in out["findings"]:
        assert f["related"][0]["line"] == 31
        assert len(f["related"]) == 3
        assert "cluster 1 has 4 records, first at line 31" in f["message"]
    assert out["summary"]["largest"] == [
        {
            "id": 1,
            "size": 4,
            "members": [{"file": str(tmp_path / "c.jsonl"), "line": n, "record": n} for n in (31, 102, 103, 104)],
        }
    ]


def test_related_names_the_first_the_partner_then_the_next_members_each_once(tmp_path: Path) -> None:
    """`related`, built from each cluster's first members, is its plain definition: the first,
    the partner, then the cluster's next members in order, without repeats or the record itself,
    at most five (a cluster of a chain of edits across two files: partners other than the first)."""
    rng = random.Random(8)
    chain = [{"instruction": "Describe the process.", "input": "", "output": prose(rng, 300)}]
    for _ in range(13):
        chain.append(dict(chain[-1], output=edit(rng, chain[-1]["output"], 6)))
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    write_jsonl(paths[0], clean_records(20, seed=2) + chain[:7])
    write_jsonl(paths[1], chain[7:] + clean_records(20, seed=3))
    result = lint_paths([str(p) for p in paths], Config(select=["SFT104"]))
    found = [f for f in result.findings if f.code == "SFT104" and f.record is not None]
    order = {str(p): n for n, p in enumerate(paths)}
    for number in {f.data["cluster"] for f in found}:
        cluster = [f for f in found if f.data["cluster"] == number]
        first = cluster[0].related[0]
        members = sorted(
            {first, *(Location(f.file, f.line, f.record) for f in cluster)}, key=lambda m: (order[m.file], m.record)
        )
        assert members[0] == first and len(members) == cluster[0].data["cluster_size"]
        for f in cluster:
            here, partner = Location(f.file, f.line, f.record), Location(**f.data["partner"])
            shown = list(dict.fromkeys(m for m in [first, partner, *members[1:7]] if m != here))[:5]
            assert f.related == shown
    assert any(len(f.related) == 5 for f in found)
    assert any(f.data["partner"] != f.related[0].to_dict() for f in found)
    assert {f.file for f in found} == {str(p) for p in paths}


def test_rate_above_max_rate_is_an_error(tmp_path: Path) -> None:
    rng = random.Random(5)
    records = clean_records(100)
    records += [dict(r, output=edit(rng, r["output"], 1)) for r in records[:8] if len(r["output"].split()) > 60]
    path = write_jsonl(tmp_path / "r.jsonl", records)
    redundant = len(records) - 100
    out = lint(path)
    rate_findings = [f for f in out["findings"] if f["line"] is None]
    assert len(rate_findings) == 1 and rate_findings[0]["severity"] == "error"
    assert (
        f"({redundant} of {len(records)})" in rate_findings[0]["message"]
        and "max_rate is 5.0%" in rate_findings[0]["message"]
    )
    assert out["verdict"] == "no-go"
    relaxed = lint(path, max_rate=0.2)
    assert len(relaxed["findings"]) == redundant and all(f["line"] for f in relaxed["findings"])
    # A severity the user configured for the check is never overridden, the rate's included.
    configured = lint(path, severity="warning")
    assert {f["severity"] for f in configured["findings"]} == {"warning"}
    assert [f for f in configured["findings"] if f["line"] is None]


def test_on_prompt_compares_prompts_only(tmp_path: Path) -> None:
    rng = random.Random(6)
    records = clean_records(60)
    records.append({"instruction": records[5]["instruction"], "input": "", "output": prose(rng, 80)})
    path = write_jsonl(tmp_path / "p.jsonl", records)
    assert [f["line"] for f in lint(path)["findings"]] == []
    assert [(f["line"], f["related"][0]["line"]) for f in lint(path, on="prompt")["findings"]] == [(61, 6)]


def test_chat_records_ignore_a_shared_system_prompt(tmp_path: Path) -> None:
    rng = random.Random(8)
    system = prose(rng, 200)  # long boilerplate in every conversation

    def chat(user: str, answer: str, sys_prompt: str = system) -> dict:
        return {
            "messages": [
                {"role": "system", "content": sys_prompt},
                {"role": "user", "content": user},
                {"role": "assistant", "content": answer},
            ]
        }

    records = [chat(prose(rng, 15), prose(rng, 80)) for _ in range(80)]
    copied = records[12]["messages"]
    records.append(chat(copied[1]["content"], edit(rng, copied[2]["content"], 1), sys_prompt="You are terse."))
    records.append(
        {
            "conversations": [
                {"from": "human", "value": records[40]["messages"][1]["content"]},
                {"from": "gpt", "value": records[40]["messages"][2]["content"] + "!"},
            ]
        }
    )
    out = lint(write_jsonl(tmp_path / "chat.jsonl", records))
    assert [(f["line"], f["related"][0]["line"]) for f in out["findings"]] == [(81, 13), (82, 41)]


def test_bad_text_never_raises(tmp_path: Path) -> None:
    lines = [
        json.dumps({"instruction": "\ud800 lone surrogate", "output": "x"}),
        json.dumps({"instruction": "", "output": ""}),
        json.dumps({"instruction": "   \n\t ", "output": "?!"}),
        json.dumps({"instruction": "\u0000\u200b\ufeff", "output": "😀" * 500}),
        json.dumps({"instruction": "a" * 100000, "output": "b"}),
        json.dumps({"instruction": "same", "output": "same"}),
        json.dumps({"instruction": "Same!", "output": "same?"}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lint_paths([str(path)], Config(select=["SFT104"]))
    assert not [f for f in result.findings if "crashed" in f.message]
    assert [(f.line, f.related[0].line) for f in result.findings if f.line] == [(7, 6)]


def test_findings_are_deterministic(tmp_path: Path) -> None:
    path, _, _ = planted(tmp_path)
    first, second = lint(path), lint(path)
    assert first == second and first["findings"]


def test_through_the_cli_with_config(tmp_path: Path) -> None:
    path, _, partners = planted(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["lint", str(path), "--select", "SFT104", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert sorted(f["line"] for f in doc["findings"]) == sorted(partners)
    summary = doc["summaries"]["near-duplicate"]
    assert set(summary) >= {"clusters", "redundant", "rate", "max_rate", "threshold", "largest"}
    assert summary["largest"][0]["members"][0]["file"] == str(path)
    (tmp_path / "sftlint.toml").write_text(
        "[checks.near-duplicate]\nmax_rate = 0.01\nthreshold = 0.9\n", encoding="utf-8"
    )
    strict = runner.invoke(cli, ["lint", str(path), "--select", "SFT104", "--config", str(tmp_path / "sftlint.toml")])
    assert strict.exit_code == 1
    assert "max_rate is 1.0%" in strict.output


def test_records_with_different_labels_are_left_to_label_inconsistency(tmp_path: Path) -> None:
    rng = random.Random(12)
    task = "Classify this support ticket into one of: billing, bug, feature-request, account, how-to."
    records = [
        {"instruction": task, "input": prose(rng, 25), "output": label, "label": label}
        for label in ["bug", "billing"] * 30
    ]
    records.append(dict(records[4], output="how-to", label="how-to"))  # same ticket, conflicting label
    records.append(dict(records[7], input=records[7]["input"] + " Thanks!"))  # same ticket, same label, retyped
    out = lint(write_jsonl(tmp_path / "tickets.jsonl", records))
    assert [(f["line"], f["related"][0]["line"]) for f in out["findings"]] == [(62, 8)]


def _conversation(history: list[tuple[str, str]], prompt: str, answer: str) -> dict:
    return {"instruction": prompt, "input": "", "output": answer, "history": [list(turn) for turn in history]}


def test_branches_of_one_conversation_with_other_last_replies_are_not_near_duplicates(tmp_path: Path) -> None:
    """Conversation trees export each branch as a record: the shared history is not a copy."""
    rng = random.Random(5)
    history = [(prose(rng, 25), prose(rng, 120)), (prose(rng, 20), prose(rng, 110))]
    prompt = prose(rng, 12)
    records = clean_records(40) + [_conversation(history, prompt, prose(rng, 30)) for _ in range(3)]
    out = lint(write_jsonl(tmp_path / "branches.jsonl", records))
    assert out["findings"] == []


def test_a_conversation_copied_with_a_few_words_of_its_last_reply_edited_is_found(tmp_path: Path) -> None:
    rng = random.Random(6)
    history = [(prose(rng, 25), prose(rng, 120))]
    prompt, answer = prose(rng, 12), prose(rng, 80)
    copy = _conversation(history, prompt, edit(rng, answer, 4))
    records = clean_records(40) + [_conversation(history, prompt, answer), copy]
    out = lint(write_jsonl(tmp_path / "copied.jsonl", records))
    assert [f["line"] for f in out["findings"]] == [42]


def test_chinese_replies_reworded_by_a_few_characters_still_match(tmp_path: Path) -> None:
    """Text without spaces is compared by its characters, so an edited Chinese reply is still a copy."""
    answer = "通货膨胀是一种经济现象，指的是货币购买力下降，导致一般物价水平持续上升。通常用消费者物价指数来衡量。"
    records = clean_records(40) + [
        {"instruction": "请解释一下什么是通货膨胀", "output": answer},
        {"instruction": "请解释一下什么是通货膨胀", "output": "#zh-hant\n" + answer.replace("持续", "")},
    ]
    out = lint(write_jsonl(tmp_path / "zh.jsonl", records))
    assert [f["line"] for f in out["findings"]] == [42]


def test_answer_sketches_estimate_jaccard_within_their_error() -> None:
    from sftlint.minhash import MinHasher, Sketches, fold_text, jaccard, shingle_sets

    rng = random.Random(7)
    base = prose(rng, 200)
    texts = [base] + [edit(rng, base, changes) for changes in (4, 20, 60)] + [prose(rng, 200)]
    sketches = Sketches()
    for text in texts:
        sketches.append_sets(*shingle_sets(*sketches.hasher.hashes([fold_text(text)]), 1))
    sketches.freeze()
    batch = MinHasher().batch([fold_text(t) for t in texts])
    sets = [np.unique(batch.hashes[batch.offsets[i] : batch.offsets[i + 1]]) for i in range(len(texts))]
    for j in range(1, len(texts)):
        assert abs(sketches.similarity(0, j) - jaccard(sets[0], sets[j])) <= 0.3
    assert sketches.similarity(0, 1) > 0.6 > sketches.similarity(0, 4)


def test_a_desirable_and_an_undesirable_kto_completion_are_no_near_duplicates(tmp_path: Path) -> None:
    """KTO data pairs one prompt with a good and a bad completion that may differ by one word;
    two completions marked alike are still near-duplicates."""
    ask = [{"role": "user", "content": "Q: What is the capital of Australia? Answer in one full sentence."}]
    said = "{} is the capital city of Australia, and it has been since the federation chose it in 1908."

    def kto(city: str, desirable: bool) -> dict:
        return {"prompt": ask, "completion": [{"role": "assistant", "content": said.format(city)}], "label": desirable}

    assert lint(write_jsonl(tmp_path / "kto.jsonl", [kto("Canberra", True), kto("Sydney", False)]))["findings"] == []
    found = lint(write_jsonl(tmp_path / "same.jsonl", [kto("Canberra", True), kto("Canberra.", True)]))["findings"]
    assert [f["line"] for f in found if f["line"]] == [2]


def test_exact_copies_past_their_max_rate_are_an_error_as_near_copies_are(tmp_path: Path) -> None:
    """12.7 % exact copies were warnings only, while 12.0 % near-copies made the verdict NO-GO."""
    records = clean_records(100)
    path = write_jsonl(tmp_path / "r.jsonl", records + records[:6])

    def exact(**options: object) -> list[dict]:
        config = Config(select=["SFT103"], checks={"exact-duplicate": options})
        return [f.to_dict() for f in lint_paths([str(path)], config).findings]

    found = exact()
    rate = [f for f in found if f["line"] is None]
    assert len(found) == 7 and len(rate) == 1 and rate[0]["severity"] == "error"
    assert rate[0]["message"] == "5.7% of records (6 of 106) are exact copies of an earlier one; max_rate is 5.0%"
    assert all(f["line"] for f in exact(max_rate=0.06))  # at or under the limit: the copies alone
    assert {f["severity"] for f in exact(severity="warning")} == {"warning"}  # a configured severity stays


def _tool_record(tools: list[str], turns: list[tuple[str, str]]) -> dict:
    """A LLaMA-Factory ShareGPT tool-calling record, as in Glaive's data."""
    declared = [{"name": name, "description": name.replace("_", " "), "parameters": {}} for name in tools]
    return {"conversations": [{"from": role, "value": text} for role, text in turns], "tools": json.dumps(declared)}


def _tip(bill: str, tip: str) -> dict:
    return _tool_record(
        ["calculate_tip"],
        [
            ("human", f"Hi, I need help with calculating the tip for my bill. The total amount is ${bill} and "
                      "I want to leave a 15% tip."),
            ("function_call", json.dumps({"name": "calculate_tip", "arguments": {"bill_amount": float(bill),
                                                                                 "tip_percentage": 15}})),
            ("observation", json.dumps({"tip_amount": float(tip)})),
            ("gpt", f"The tip amount for your bill should be ${tip}. Is there anything else you would like help "
                    "with today?"),
        ],
    )  # fmt: skip


def test_a_template_filled_with_other_numbers_is_another_example(tmp_path: Path) -> None:
    """Real false alarms on Glaive's tool-calling data: the same tip, discount or loan template with
    another bill and another result (Jaccard 0.62-0.70). The same values reworded stay copies, and so
    does a copy whose edit adds a number (not as many numbers: no template refilled)."""
    records = clean_records(40) + [_tip("50", "7.5"), _tip("100", "15")]
    assert lint(write_jsonl(tmp_path / "refilled.jsonl", records))["findings"] == []
    retyped = _tip("50", "7.5")
    retyped["conversations"][3]["value"] = "Your tip should be $7.5. Anything else you would like help with today?"
    records = clean_records(40) + [_tip("50", "7.5"), retyped]
    assert [f["line"] for f in lint(write_jsonl(tmp_path / "retyped.jsonl", records))["findings"]] == [42]
    rng = random.Random(3)
    answer = prose(rng, 60)
    original = {"instruction": "List 3 ways to save energy at home.", "output": f"1. {answer}"}
    edited = {"instruction": "List 3 ways to save energy at home, 2 short.", "output": f"1. {answer} 2."}
    records = clean_records(40) + [original, edited]
    assert [f["line"] for f in lint(write_jsonl(tmp_path / "edited.jsonl", records))["findings"]] == [42]


def _refusal(tool: str, city: str, ability: str) -> dict:
    return _tool_record(
        [tool],
        [
            ("human", f"Can you please book a flight for me from New York to {city}?"),
            ("gpt", f"I'm sorry, but I don't have the capability to book flights. My current function is to "
                    f"{ability}."),
        ],
    )


def test_the_same_request_with_other_tools_at_hand_is_another_example(tmp_path: Path) -> None:
    """Real false alarms on Glaive's data: one refusal template, the record's own tool named in it.
    Records that share a tool, or declare none, are compared as before."""
    records = clean_records(40) + [
        _refusal("create_invoice", "Los Angeles", "create invoices for you"),
        _refusal("calculate_age", "Los Angeles", "calculate age based on the birth date"),
    ]
    assert lint(write_jsonl(tmp_path / "other_tools.jsonl", records))["findings"] == []
    records = clean_records(40) + [
        _refusal("create_invoice", "Los Angeles", "create invoices for you"),
        _refusal("create_invoice", "Los Angeles", "create invoices for you when asked"),
    ]
    assert [f["line"] for f in lint(write_jsonl(tmp_path / "same_tool.jsonl", records))["findings"]] == [42]
    plain = [{k: v for k, v in r.items() if k != "tools"} for r in records[-2:]]
    plain[1]["conversations"][1]["value"] = plain[1]["conversations"][1]["value"].replace("invoices", "receipts")
    records = clean_records(40) + [_refusal("create_invoice", "Los Angeles", "create invoices for you"), plain[1]]
    assert [f["line"] for f in lint(write_jsonl(tmp_path / "one_without.jsonl", records))["findings"]] == [42]


def test_numbers_key_counts_the_numbers_and_ignores_their_order() -> None:
    from sftlint.text.normal import NUMBERS_COUNT, numbers_key

    assert numbers_key("15 % of $50") == numbers_key("$50 at 15 %")
    assert numbers_key("15 % of $50") != numbers_key("15 % of $100")
    assert numbers_key("15 % of $50") & NUMBERS_COUNT == numbers_key("20 % of $80") & NUMBERS_COUNT == 2
    assert numbers_key("no numbers") & NUMBERS_COUNT == 0 and numbers_key("") == numbers_key("none at all")
    assert numbers_key("1,000.5 and 3") & NUMBERS_COUNT == 2
    assert numbers_key("...") == numbers_key("no") == 0  # no number, whatever the punctuation
    assert all(0 <= numbers_key(f"{i} and {i * 7}") < 2**64 for i in range(200))  # fits an unsigned 64-bit key


def _weather_call(question: str, arguments: dict, name: str = "get_current_weather") -> dict:
    """An OpenAI tool-calling record ending on its call, as BFCL's live cases are written."""
    call = {"id": "call_0", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    properties = {key: {"type": "string"} for key in arguments}
    tool = {"name": name, "description": "Current weather conditions for a city.",
            "parameters": {"type": "object", "properties": properties}}
    return {"messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": None, "tool_calls": [call]}],
            "tools": [{"type": "function", "function": tool}]}  # fmt: skip


def test_the_same_request_called_with_other_values_is_another_example(tmp_path: Path) -> None:
    """Real false alarms on BFCL's live cases (Jaccard 0.60-0.67): one request template, each record
    calling with its own city, date or event type. A copy whose call gives the same values, whatever
    their case, spacing or quoting, stays a copy, and so does one whose call adds a value or a word
    ("Yellowstone" and "Yellowstone National Park"); `on = "prompt"` compares prompts alone."""
    ask = "What is the current weather like in {}? Please give me the temperature in fahrenheit, thanks a lot"
    given = {"unit": "fahrenheit", "days": 3, "include_hourly_forecast": True, "language": "english"}
    records = clean_records(40) + [
        _weather_call(ask.format("Sacramento, CA"), {"location": "Sacramento, CA", **given}),
        _weather_call(ask.format("Rutherford, NJ"), {"location": "Rutherford, NJ", **given}),
    ]
    assert lint(write_jsonl(tmp_path / "refilled.jsonl", records))["findings"] == []
    sacramento = {"location": "Sacramento, CA", **given}
    retyped = {**sacramento, "location": "sacramento,  CA", "unit": "Fahrenheit", "days": "3"}
    records = clean_records(40) + [
        _weather_call(ask.format("Sacramento, CA"), sacramento),
        _weather_call(ask.format("sacramento, CA") + ".", retyped),
        _weather_call(ask.format("Sacramento, CA") + "!!", {**sacramento, "hourly": True}),
        _weather_call(ask.format("Sacramento, CA") + "?", {**sacramento, "location": "Sacramento"}),
        _weather_call(ask.format("Sacramento, CA") + " :)", {**sacramento, "include_hourly_forecast": "TRUE"}),
    ]  # fmt: skip
    assert [f["line"] for f in lint(write_jsonl(tmp_path / "copies.jsonl", records))["findings"] if f["line"]] == [
        42,
        43,
        44,
        45,
    ]
    on_prompt = Config(select=["SFT104"], checks={"near-duplicate": {"on": "prompt"}})
    same_prompt = records[:41] + [_weather_call(ask.format("Sacramento, CA"), {"location": "Rutherford, NJ"})]
    found = lint_paths([str(write_jsonl(tmp_path / "prompt.jsonl", same_prompt))], on_prompt).findings
    assert [f.line for f in found if f.line] == [42]
