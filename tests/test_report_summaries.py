"""The report shows every check's summary: its own views for the ones it knows, and a key/value
table for the others (off-task, response diversity, system-prompt drift, plugins), with the
groups of records a summary names side by side."""

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


def summary_tables(html: str, labels: bool = False) -> dict[str, dict[str, str]]:
    """slug -> {key: value} of each table in the "Other summaries" section (with `labels`, keyed
    by the heading each row shows instead: the label its check gives the key)."""
    sections = parse(html).find_all("section", id="summaries")
    tables = {}
    for table in sections[0].find_all("table") if sections else []:
        slug = str(table.attrs["id"]).removeprefix("summary-")
        rows = {}
        for tr in table.find_all("tr"):
            th = tr.find("th")
            key = " ".join(th.text.split()) if labels else th.attrs["title"].removesuffix(" in the JSON result")
            rows[key] = " ".join(tr.find("td").text.split())
        tables[slug] = rows
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
    # each key under the words its check gives it, the key beside them
    drift = summary_tables(render_report(data), labels=True)["system-prompt-drift"]
    assert "distinct system prompts" in drift and "conversations without a system prompt" in drift


def test_a_summarys_counted_texts_are_listed_with_their_records_and_an_older_result_keeps_its_keys() -> None:
    data = lint_json(REPO / "tests" / "data" / "real" / "tools" / "glaive_toolcall_en.jsonl")
    page = parse(render_report(data))
    rows = page.by_id("summary-response-diversity").find_all("tr")
    row = next(tr for tr in rows if tr.find("th").attrs["title"].startswith("most_repeated"))
    listed = [" ".join(li.text.split()) for li in row.find_all("li")]
    assert listed[0].startswith("2 × '{\"name\": \"get_stock_price\"") and listed[0].endswith("(line 33, line 66)")
    table = summary_tables(render_report(data), labels=True)["response-diversity"]
    assert table["share of records with a repeated answer"] == "1.5 %"
    assert table["judged (long-form answers, enough records)"] == "yes"
    for row in data["checks"]:  # a result saved before checks labelled their summaries
        row["doc"].pop("summary_labels")
    older = summary_tables(render_report(data), labels=True)["response-diversity"]
    assert older["repeated share"] == "1.5 %" and older["records"] == "262"


def test_a_plugin_summary_is_shown_bounded_and_escaped() -> None:
    data = lint_json(REPO / "sample_data" / "support_go.jsonl")
    data["checks"].append(dict(data["checks"][0], code="ACME001", slug="acme-emails", count=0, records=0))
    data["summaries"]["acme-emails"] = {
        "emails": 1234,
        "share": 0.123456,
        "domains": ["example.com", "example.org"],
        "note": "bell\x07 and <b>tag</b>",
        "long": "x" * 1000,
        "senders": [{"name": "<ann>", "emails": 3}, {"name": "bob", "emails": 1}],  # counted texts
        "pairs": [{"a": 1, "b": 2}],  # objects of another kind
    }
    html = render_report(data)
    table = summary_tables(html)["acme-emails"]
    assert table["emails"] == "1,234" and table["share"] == "12.3 %"  # a share as a percentage
    assert table["domains"] == '["example.com", "example.org"]'
    assert table["note"] == "bell\\x07 and <b>tag</b>"  # shown as text, the control character escaped
    assert "<b>tag</b>" not in html and "\x07" not in html
    assert len(table["long"]) <= 200
    assert table["senders"] == "3 × '<ann>'1 × 'bob'" and "<ann>" not in html  # two items, escaped
    assert table["pairs"] == '[{"a": 1, "b": 2}]'
    non_dict = dict(data, summaries={**data["summaries"], "acme-emails": [1, 2, 3]})
    assert summary_tables(render_report(non_dict))["acme-emails"] == {"": "[1, 2, 3]"}


SHARED_OPENING = '''
from sftlint import Check, Location, Severity


class SharedOpening(Check):
    """Responses that open with the same words.

    What it does: Groups records whose responses start with the same six words.
    Why it matters: A template opening repeated across records teaches the model the template.
    How to fix: Vary the openings.
    """

    code = "ACME010"
    slug = "shared-opening"
    severity = Severity.INFO

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_opening = {}

    def collect(self, record):
        opening = " ".join(record.response.lower().split()[:6])
        self.by_opening.setdefault(opening, []).append(Location(record.file, record.line, record.position))

    def summary(self):
        groups = sorted((places for places in self.by_opening.values() if len(places) > 1), key=len, reverse=True)
        return {
            "groups": len(groups),
            "largest": [
                {"id": n, "size": len(places), "title": "opens the same way",
                 "members": [p.to_dict() for p in places[:4]]}
                for n, places in enumerate(groups, 1)
            ],
        }
'''

OPENING = "Thanks for writing in about this, here is what to do:"


def test_a_plugin_summary_that_names_groups_shows_their_records_side_by_side(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "shared_opening.py").write_text(SHARED_OPENING, encoding="utf-8")
    topics = ["refund an invoice", "export the ledger", "close the account", "add a second user"]
    records = [
        {"instruction": f"How do I {topic}?", "output": f"{OPENING} open Settings and choose {topic.split()[0]}."}
        for topic in topics
    ]
    records += [{"instruction": f"Question {n} on reports?", "output": f"Answer {n} is another one."} for n in range(6)]
    data = tmp_path / "d.jsonl"
    # a blank first line: the records' lines are not their positions, and both must be right
    data.write_text("\n" + "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = tmp_path / "r.html"
    out = CliRunner().invoke(cli, ["lint", str(data), "--plugins", str(plugins), "--report", str(report), "-q"])
    assert out.exit_code in (0, 1), out.output
    html = report.read_text(encoding="utf-8")

    table = summary_tables(html)["shared-opening"]
    assert table == {"groups": "1"}  # the groups are shown as records, not as a JSON blob
    shown = parse(html).by_id("groups-shared-opening")
    (group,) = shown.find_all("div", class_="cluster")
    assert " ".join(group.find("h3").text.split()) == "Group 1 · 4 records: opens the same way"
    pairs = group.find_all("div", class_="pair")
    assert len(pairs) == 3  # the first record beside each of the next three
    for n, pair in enumerate(pairs, 2):
        left, right = pair.find_all("div", class_="side")
        assert left.find("div", class_="where").text == "line 2"  # record 1, after the blank line
        assert right.find("div", class_="where").text == f"line {n + 1}"
        texts = {
            f.find("div", class_="field-name").text.split()[0]: f.find("pre").text
            for f in right.find_all("div", class_="field")
        }
        assert texts["instruction"] == f"How do I {topics[n - 1]}?"
        assert texts["response"].startswith(OPENING)
        marked = " | ".join(m.text for m in right.find_all("mark"))
        assert topics[n - 1].split()[0] in marked and "Thanks" not in marked  # only the differences
        assert "refund" in " | ".join(m.text for m in left.find_all("mark"))  # the first record's too
    assert "no full-text comparison" not in shown.text


def test_groups_in_a_summary_are_shown_only_when_they_name_records() -> None:
    data = lint_json(REPO / "sample_data" / "support_go.jsonl")
    data["checks"].append(dict(data["checks"][0], code="ACME010", slug="shared-opening", count=0, records=0))
    for largest in ([], ["not a group"], [{"members": "line 3"}], "clusters", [{"members": [], "size": True}]):
        data["summaries"]["shared-opening"] = {"groups": 1, "largest": largest}
        html = render_report(data)
        assert set(summary_tables(html)["shared-opening"]) == {"groups", "largest"}
        assert not parse(html).find_all(id="groups-shared-opening")
    # members without excerpts (records read from standard input) are named, their texts left out
    members = [{"file": "x.jsonl", "line": 3, "record": 3}, {"file": "x.jsonl", "line": 9}]
    data["summaries"]["shared-opening"] = {"largest": [{"id": "<a>", "size": "many", "members": members}]}
    html = render_report(data)
    group = parse(html).by_id("groups-shared-opening").find("div", class_="cluster")
    assert " ".join(group.find("h3").text.split()) == "Group <a> · 2 records"
    assert [w.text for w in group.find_all("div", class_="where")] == ["x.jsonl:3", "x.jsonl:9"]
    assert "No excerpts in this result" in group.text
