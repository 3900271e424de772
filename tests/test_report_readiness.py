"""The report's readiness summary and its "Before you fine-tune" part, read from the HTML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from html_tree import Node, parse
from readiness_support import REPO, write_jsonl
from sftlint.cli import cli


def _report(tmp_path: Path, data: Path, *extra: str) -> tuple[Node, dict]:
    """Lint through the CLI with `--report`, and return the parsed page and the JSON result."""
    page = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["lint", str(data), "--format", "json", "--report", str(page), *extra])
    assert result.exit_code in (0, 1), result.output
    return parse(page.read_text(encoding="utf-8")), json.loads(result.stdout)


def _rows(page: Node) -> dict[str, tuple[str, str]]:
    """Readiness row label -> (value text, detail text)."""
    out = {}
    for row in page.by_id("readiness").find_all("tr"):
        cell = row.find("td")
        details = cell.find_all("div", class_="muted")
        detail = details[0].text if details else ""
        out[row.find("th").text] = (cell.text.replace(detail, "").strip(), detail)
    return out


def test_small_free_form_data_shows_every_readiness_question_and_the_advice(tmp_path: Path) -> None:
    data = tmp_path / "support.jsonl"
    shutil.copy(REPO / "sample_data" / "support_go.jsonl", data)
    page, out = _report(tmp_path, data)
    verdict = page.by_id("verdict")
    assert verdict.find_all(id="readiness") and verdict.find_all(id="before-you-fine-tune")
    rows = _rows(page)
    assert list(rows) == ["Usable pairs", "Evaluation set", "Fits in one context", "Output form"]
    usable = out["stats"]["usable_pairs"]
    assert rows["Usable pairs"][0] == f"{usable} of at least 300 ✔ ok"
    value, detail = rows["Evaluation set"]
    size = out["summaries"]["no-evaluation-set"]["recommended_size"]
    assert value == "none given" and f"hold out about {size} records" in detail  # advice: no red mark on a GO
    tokens = out["summaries"]["fits-in-context"]["total_tokens"]
    assert rows["Fits in one context"][0] == f"yes: about {tokens:,} tokens, within 100,000"
    form = out["summaries"]["format-inconsistency"]
    assert form["structured"] is False
    assert rows["Output form"][0].startswith(f"no structured form to check (most common: {form['dominant']}, ")
    assert form["dominant"] == "plain prose"  # "no dominant structure" read as a contradiction beside 92.8 %
    advice = page.by_id("before-you-fine-tune")
    assert advice.find("h2").text == "Before you fine-tune"
    items = advice.find_all("li")
    assert {li.find("strong").text for li in items} == {"SFT204", "SFT205"}
    for li in items:
        assert page.by_id(li.find("a").attrs["href"].lstrip("#")).tag == "section"
    assert any("sftlint split" in li.text for li in items)


def test_structured_data_with_an_evaluation_set_that_does_not_fit(tmp_path: Path) -> None:
    records = [
        {"instruction": f"Extract the order from message {i}: customer {i} wants item {i % 7}.",
         "output": json.dumps({"customer": i, "item": i % 7, "quantity": 1 + i % 3})}
        for i in range(400)
    ]  # fmt: skip
    for i in (10, 20, 30, 40):
        records[i]["output"] = "Sorry, I could not find an order in this message."
    data = write_jsonl(tmp_path / "orders.jsonl", records)
    evaluation = write_jsonl(tmp_path / "eval.jsonl", [{"instruction": "Extract: x", "output": "{}"}])
    config = tmp_path / "sftlint.toml"
    config.write_text("[checks.fits-in-context]\nbudget = 1000\n", encoding="utf-8")
    page, out = _report(tmp_path, data, "--against", str(evaluation), "--config", str(config))
    rows = _rows(page)
    assert rows["Evaluation set"] == ("given ✔ ok", str(evaluation))
    assert rows["Fits in one context"][0].startswith("no: about ") and "over 1,000" in rows["Fits in one context"][0]
    value, detail = rows["Output form"]
    assert value.startswith("a JSON object with keys customer, item, quantity: 99.0 % consistent")
    assert "some responses break it" in value and detail == "of 400 responses"
    assert out["summaries"]["format-inconsistency"]["consistent_share"] == 0.99
    assert not page.find_all(id="before-you-fine-tune")  # no advice left to give


def test_label_spellings_row_names_the_variants(tmp_path: Path) -> None:
    records = [json.loads(line) for line in (REPO / "sample_data" / "tickets.jsonl").read_text().splitlines()]
    billing = [r for r in records if r["label"] == "billing"]
    billing[0]["label"], billing[1]["label"] = "Biling", "billing "
    page, out = _report(tmp_path, write_jsonl(tmp_path / "t.jsonl", records))
    value, detail = _rows(page)["Label spellings"]
    assert value == "2 label(s) spelled another way ✖ inconsistent"
    assert "'Biling' → 'billing' (1)" in detail and "'billing ' → 'billing' (1)" in detail
    clean, _ = _report(tmp_path, REPO / "sample_data" / "tickets.jsonl")
    assert _rows(clean)["Label spellings"][0] == "consistent ✔ ok"


def test_readiness_rows_of_checks_left_out_are_left_out(tmp_path: Path) -> None:
    data = tmp_path / "support.jsonl"
    shutil.copy(REPO / "sample_data" / "support_go.jsonl", data)
    page, _ = _report(tmp_path, data, "--ignore", "SFT204,SFT205,SFT112,SFT202")
    assert list(_rows(page)) == ["Usable pairs"]
    assert not page.find_all(id="before-you-fine-tune")
