"""The report shows every check's summary: its own views for the ones it knows, and a key/value
table for the others (off-task, response diversity, system-prompt drift, plugins)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO
from html_tree import parse
from sftlint.cli import cli
from sftlint.report import render_report
from sftlint.report.view import VIEWED_SUMMARIES


def lint_json(path: Path) -> dict:
    out = CliRunner().invoke(cli, ["lint", str(path), "--preview", "--format", "json", "--quiet"])
    assert out.exit_code in (0, 1), out.output
    return json.loads(out.output)


def summary_tables(html: str) -> dict[str, dict[str, str]]:
    """slug -> {key: value} of each table in the "Other summaries" section."""
    sections = parse(html).find_all("section", id="summaries")
    tables = {}
    for table in sections[0].find_all("table") if sections else []:
        slug = str(table.attrs["id"]).removeprefix("summary-")
        tables[slug] = {tr.find("th").text: tr.find("td").text for tr in table.find_all("tr")}
    return tables


def test_summaries_without_a_view_get_a_table_and_known_ones_do_not() -> None:
    data = lint_json(REPO / "sample_data" / "chat.jsonl")
    unviewed = {slug for slug in data["summaries"] if slug not in VIEWED_SUMMARIES}
    assert {"off-task", "response-diversity", "system-prompt-drift"} <= unviewed
    tables = summary_tables(render_report(data))
    assert set(tables) == unviewed
    for slug in unviewed:
        summary = data["summaries"][slug]
        assert set(tables[slug]) == {str(k) for k in summary}


def test_a_plugin_summary_is_shown_bounded_and_escaped() -> None:
    data = lint_json(REPO / "sample_data" / "support_go.jsonl")
    data["checks"].append(dict(data["checks"][0], code="ACME001", slug="acme-emails", count=0, records=0))
    data["summaries"]["acme-emails"] = {
        "emails": 1234,
        "share": 0.123456,
        "domains": ["example.com", "example.org"],
        "note": "bell\x07 and <b>tag</b>",
        "long": "x" * 1000,
    }
    html = render_report(data)
    table = summary_tables(html)["acme-emails"]
    assert table["emails"] == "1,234" and table["share"] == "0.1235"
    assert table["domains"] == '["example.com", "example.org"]'
    assert table["note"] == "bell\\x07 and <b>tag</b>"  # shown as text, the control character escaped
    assert "<b>tag</b>" not in html and "\x07" not in html
    assert len(table["long"]) <= 200
    non_dict = dict(data, summaries={**data["summaries"], "acme-emails": [1, 2, 3]})
    assert summary_tables(render_report(non_dict))["acme-emails"] == {"": "[1, 2, 3]"}
