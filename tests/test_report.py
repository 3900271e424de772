"""The HTML report: content checked by parsing the page, untrusted text, size, excerpts, CLI."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sftlint.examples
from conftest import REAL_DATA
from html_tree import Node, parse
from report_fixtures import HOSTILE, nogo_records, real_records, result_dict, ticket_records, write_jsonl
from sftlint.cli import cli
from sftlint.config import Config
from sftlint.examples import EXCERPT_CHARS, collect_examples, compare, diff_words, record_excerpt, wanted_records
from sftlint.findings import Finding, Severity
from sftlint.io import read_records
from sftlint.records import normalise
from sftlint.report import environment, render_report
from sftlint.schema import ResultModel
from sftlint.text.normal import ELLIPSIS, excerpt


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    records, raw = nogo_records()
    write_jsonl(folder / "nogo.jsonl", records, raw)
    write_jsonl(folder / "go.jsonl", real_records(400))
    write_jsonl(folder / "tickets.jsonl", ticket_records())
    return folder


@pytest.fixture(scope="module")
def nogo(data_dir: Path) -> dict:
    records, _ = nogo_records()
    evals = [records[5]["instruction"], records[6]["instruction"], "a prompt not in the training data"]
    return result_dict([str(data_dir / "nogo.jsonl")], eval_prompts=evals)


@pytest.fixture(scope="module")
def nogo_page(nogo: dict) -> Node:
    return parse(render_report(nogo))


def _section_findings(page: Node, code: str) -> list[Node]:
    return page.by_id(f"check-{code}").find_all("li", class_="finding")


# -- content ---------------------------------------------------------------------------------


def test_nogo_report_shows_verdict_and_reasons_linking_to_sections(nogo: dict, nogo_page: Node) -> None:
    verdict = nogo_page.by_id("verdict")
    assert "verdict-no-go" in verdict.attrs["class"]
    assert nogo_page.by_id("verdict-word").text.strip().endswith("NO-GO")
    reasons = verdict.find("ul", class_="reasons").find_all("li")
    failing = {f["code"] for f in nogo["findings"] if f["severity"] == "error"}
    assert failing == {"SFT001", "SFT101", "SFT203"}
    assert {li.find("strong").text for li in reasons} == failing
    for li in reasons:
        target = li.find("a").attrs["href"].lstrip("#")
        assert nogo_page.by_id(target).tag == "section"
    empty = next(li for li in reasons if li.find("strong").text == "SFT101")
    assert "5 records (1.5 %)" in empty.text and "line 5" in empty.text


def test_check_table_has_every_check_with_counts_rates_and_docs(nogo: dict, nogo_page: Node) -> None:
    rows = nogo_page.by_id("checks").find_all("tr", class_="check-row")
    assert len(rows) == len(nogo["checks"])
    by_code = {row.attrs["data-code"]: row for row in rows}
    empty = by_code["SFT101"]
    cells = empty.find_all("td")
    assert cells[0].find("a").attrs["href"] == "#check-SFT101"
    assert cells[3].text.strip() == "5" and cells[4].text.strip() == "1.5 %"
    assert "Why it matters." in empty.find("details").text and "How to fix." in empty.find("details").text
    assert "placeholder" in empty.find("details").text
    assert "passed" in by_code["SFT102"].attrs["class"] and "none" in by_code["SFT102"].text
    # the severity is written out next to its symbol, not shown by colour alone
    assert "error" in cells[2].text and "✖" in cells[2].text


def test_a_check_with_a_dataset_wide_error_beside_record_warnings_shows_each_count_with_its_severity(
    tmp_path: Path,
) -> None:
    # one copy in 7 records is past SFT103's 5 % limit: an error for the dataset, the copy a warning
    lines = [json.dumps(r) for r in real_records(6)]
    path = tmp_path / "copies.jsonl"
    path.write_text("\n".join([*lines, lines[0]]) + "\n")
    page = parse(render_report(result_dict([str(path)])))
    row = next(r for r in page.by_id("checks").find_all("tr", class_="check-row") if r.attrs["data-code"] == "SFT103")
    cells = row.find_all("td")
    assert [s.text.split()[-1] for s in cells[2].find_all("span", class_="sev")] == ["error", "warning"]
    assert cells[3].text.strip().startswith("1 dataset-wide") and cells[3].text.strip().endswith("1 on records")
    assert cells[4].text.strip() == "14.3 %"  # the share of records flagged
    heading = page.by_id("check-SFT103-title")  # the section's heading said "error 2 findings"
    assert [s.text.split()[-1] for s in heading.find_all("span", class_="sev")] == ["error", "warning"]
    assert [c.text for c in heading.find_all("span", class_="count")] == ["1 dataset-wide", "1 on records"]
    # each check's own measure (a share, a z-score, a Jaccard) showed as a bare "score 0.1429":
    # the message gives the evidence in words
    assert "score" not in page.by_id("check-SFT103").text
    [copy] = [f for f in _section_findings(page, "SFT103") if f.find_all("div", class_="evidence")]
    assert not copy.find_all("div", class_="side")  # word for word the same: shown once
    assert "The same as the record it names (line 1), shown once." in copy.text
    assert real_records(6)[0]["instruction"][:100] in copy.text


def test_facts_show_usable_pairs_against_minimum_and_summaries(nogo: dict, nogo_page: Node) -> None:
    facts = {row.find("th").text: row.find("td").text for row in nogo_page.by_id("facts").find_all("tr")}
    assert facts["Records"].startswith("331") and "330 valid" in facts["Records"]
    assert (
        facts["Usable pairs"].startswith(f"{nogo['stats']['usable_pairs']}") and "minimum 300" in facts["Usable pairs"]
    )
    assert "alpaca (330)" in facts["Shapes"]
    assert "en (" in facts["Languages"]
    assert "2 of 3 evaluation records" in facts["Contamination"] and "contaminated" in facts["Contamination"]
    near = nogo["summaries"]["near-duplicate"]
    assert f"{near['redundant']} redundant records" in facts["Near-duplicates"]


def test_languages_say_how_many_answers_are_tool_calls(tmp_path: Path) -> None:
    """BFCL's live cases showed "1,053 not judged (too short, mostly code or numbers, ...)" for
    plain English questions answered with a call."""
    def languages(name: str) -> str:
        report = tmp_path / f"{name}.html"
        done = CliRunner().invoke(cli, ["lint", str(REAL_DATA / "tools" / name), "--report", str(report)])
        assert done.exit_code in (0, 1), done.output
        facts = parse(report.read_text(encoding="utf-8")).by_id("facts").find_all("tr")
        return next(row.find("td").text for row in facts if row.find("th").text == "Languages")

    said = languages("bfcl_live_multiple.jsonl.gz")
    assert "0 records checked, 1,053 not judged (1,053 answer with a tool call)" in said
    said = languages("bfcl_live_simple.jsonl")  # three answers in words: 255 calls of 255 skipped
    assert "3 records checked, 255 not judged (255 answer with a tool call)" in said
    said = languages("glaive_toolcall_en.jsonl")  # its last answers are text
    assert "tool call" not in said and "not judged (too short" in said


def test_flagged_records_are_capped_per_check_with_excerpts(data_dir: Path) -> None:
    config = Config(examples_per_check=3)
    data = result_dict([str(data_dir / "nogo.jsonl")], config=config)
    page = parse(render_report(data))
    counts = {c["code"]: c["count"] for c in data["checks"]}
    for code in ("SFT101", "SFT111"):
        items = _section_findings(page, code)
        assert len(items) == 3
        more = page.by_id(f"check-{code}").find("p", class_="more").text
        assert f"and {counts[code] - 3} more {code} findings" in more
        assert all(li.find("div", class_="excerpt") for li in items)
    first = _section_findings(page, "SFT101")[0]
    assert first.find("span", class_="where").text == "line 5"
    assert "placeholder" in first.find("span", class_="message").text
    fields = [n.text for n in first.find_all("div", class_="field-name")]
    assert fields[0] == "instruction" and "response" in fields
    broken = _section_findings(page, "SFT001")[0]
    assert broken.find("div", class_="field-name").text == "raw line"


def test_length_histograms_mark_thresholds(nogo: dict, nogo_page: Node) -> None:
    charts = nogo_page.by_id("lengths").find_all("svg")
    assert len(charts) == 2
    summary = nogo["summaries"]["length-outlier"]["response"]
    bars = [r for r in charts[1].find_all("rect") if r.find_all("title")]
    assert sum(int(b.find("title").text.split(": ")[1].split()[0].replace(",", "")) for b in bars) == 330
    assert len(bars) == sum(1 for c in summary["histogram"]["counts"] if c)
    markers = [t.text for t in charts[1].find_all("text", class_="marker")]
    assert any(m.startswith("median") for m in markers) and any(m.startswith("high") for m in markers)


@pytest.mark.parametrize(
    ("median", "low", "high", "edges"),
    [
        (223, 44.6, 1115, [223, 224]),
        (14.5, None, 206.7, [5, 28, 155]),
        (60, 2, 90, [50, 100]),
        (75, None, None, [0, 99]),
    ],
)
def test_marker_labels_stay_inside_the_chart_and_apart(median, low, high, edges) -> None:
    """A threshold beyond the values sits at the plot's edge: its label reads inwards (a "high"
    label at the right edge ran past the chart, unseen); labels that would overlap take rows."""
    from sftlint.report.view import CHART_W, MARKER_LABEL_ROOM, _histogram

    part = {"histogram": {"edges": edges, "counts": [3] * (len(edges) - 1)}, "median": median, "low": low, "high": high}
    markers = _histogram("response", part)["markers"]
    spans = []
    for m in markers:
        left = m["x"] - {"start": 0, "middle": MARKER_LABEL_ROOM / 2, "end": MARKER_LABEL_ROOM}[m["anchor"]]
        assert 0 <= left and left + MARKER_LABEL_ROOM <= CHART_W, m
        spans.append((m["row"], left))
    for i, (row, left) in enumerate(spans):
        assert all(row != r or abs(left - other) >= MARKER_LABEL_ROOM for r, other in spans[:i]), markers


def test_near_duplicates_side_by_side_with_differences_marked(nogo_page: Node) -> None:
    section = nogo_page.by_id("near-duplicates")
    clusters = section.find_all("div", class_="cluster")
    assert clusters
    marked = [m.text for m in section.find_all("mark")]
    assert any("Sure!" in m for m in marked)  # the planted near-copy starts with "Sure! "
    pair = section.find("div", class_="pair")
    assert len(pair.find_all("div", class_="side")) == 2


def _without_positions(value: object) -> object:
    """A result as sftlint wrote it before records had positions: no `record` anywhere."""
    if isinstance(value, dict):
        return {k: _without_positions(v) for k, v in value.items() if k not in ("record", "formats")}
    if isinstance(value, list):
        return [_without_positions(v) for v in value]
    return value


def test_a_result_saved_before_record_positions_shows_the_same_evidence(nogo: dict) -> None:
    """Excerpts, the records findings name and near-duplicate differences are found by line."""
    assert any(e.get("comparison") for e in nogo["examples"])
    old = _without_positions(nogo)
    assert '"record":' not in json.dumps([old["examples"], old["findings"], old["summaries"]])
    now, then = parse(render_report(nogo)), parse(render_report(old))
    for section in ("near-duplicates", "findings"):
        assert then.by_id(section).text == now.by_id(section).text
    named = then.by_id("findings").find_all("div", class_="related-record")
    assert named and all(side.find_all("pre", class_="text") for side in named)
    assert then.by_id("near-duplicates").find_all("mark") and then.by_id("findings").find_all("mark")


def test_label_conflicts_and_label_distribution(data_dir: Path) -> None:
    data = result_dict([str(data_dir / "tickets.jsonl")])
    page = parse(render_report(data))
    groups = page.by_id("label-conflicts").find_all("div", class_="conflict")
    assert len(groups) == 3
    chips = [c.text for c in groups[0].find("p", class_="labels").find_all("span", class_="chip")]
    assert len(chips) == 2 and all("× 1" in c for c in chips)
    facts = {row.find("th").text: row.find("td").text for row in page.by_id("facts").find_all("tr")}
    assert "billing" in facts["Labels"] and "the largest holds" in facts["Labels"]


def test_go_report_on_real_clean_data(data_dir: Path) -> None:
    data = result_dict([str(data_dir / "go.jsonl")])
    assert data["verdict"] == "go"
    page = parse(render_report(data))
    assert "verdict-go" in page.by_id("verdict").attrs["class"]
    assert page.by_id("verdict-word").text.strip().endswith("GO")
    assert not page.by_id("verdict").find_all("ul", class_="reasons")
    assert "sftlint" in page.by_id("config").text and '"fail_on": "error"' in page.by_id("config").text


def test_sections_without_summaries_are_left_out(data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "lint",
            str(data_dir / "go.jsonl"),
            "--format",
            "json",
            "--ignore",
            "SFT104,SFT204,SFT205,SFT105,SFT106,SFT107,SFT108,SFT109,SFT110",
        ],
    )
    page = parse(render_report(json.loads(result.output)))
    ids = {n.attrs.get("id") for n in page.iter()}
    assert {"verdict", "facts", "checks", "config"} <= ids
    assert not ids & {"lengths", "near-duplicates", "label-conflicts", "findings"}


# -- untrusted content -----------------------------------------------------------------------


def test_record_text_is_data_never_markup(nogo: dict, nogo_page: Node) -> None:
    html = render_report(nogo)
    scripts = nogo_page.find_all("script")
    assert len(scripts) == 1 and "__pwned" not in scripts[0].text
    assert not nogo_page.find_all("img") and not nogo_page.find_all("iframe") and not nogo_page.find_all("textarea")
    assert len(nogo_page.find_all("link")) == 0
    assert all(not k.startswith("on") for n in nogo_page.iter() for k in n.attrs)
    assert all(not (n.attrs.get("href") or "").startswith("javascript:") for n in nogo_page.iter())
    assert len(nogo_page.find_all(id="verdict-word")) == 1
    assert len(nogo_page.find_all("section", id="verdict")) == 1
    # the hostile strings are all there, as text
    text = nogo_page.text
    for payload in HOSTILE:
        assert payload in text  # shown as text, and "{{ 7*7 }}" was not evaluated as a template
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html


def test_control_characters_and_text_reordering_in_records_show_as_escapes(tmp_path: Path) -> None:
    """A right-to-left override shows "gnp.exe" as "exe.png"; ESC and NUL are nothing a page shows.
    Lines and tabs stay what they are."""
    sneaky = "Open invoice\u202egnp.exe and run\x1b[2J it\x00.\nThen\ttab."
    records = [{"instruction": f"Is this safe? {sneaky}", "output": ""}, *real_records(3)]
    page = tmp_path / "r.html"
    CliRunner().invoke(cli, ["lint", str(write_jsonl(tmp_path / "d.jsonl", records)), "--report", str(page)])
    html = page.read_text(encoding="utf-8")
    assert not any(c in html for c in "\u202e\x1b\x00")
    assert "Open invoice\\u202egnp.exe and run\\x1b[2J it\\x00.\nThen\ttab." in html


def test_page_allows_only_its_own_style_and_script(nogo_page: Node) -> None:
    csp = nogo_page.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp)


def test_autoescape_stays_on_in_overriding_templates(tmp_path: Path, nogo: dict) -> None:
    (tmp_path / "_config.html.j2").write_text(
        '<section id="config"><p id="custom">{{ view.files[0] }} {{ view.sections[0].shown[0].message }}</p></section>'
    )
    data = json.loads(json.dumps(nogo))
    for finding in data["findings"]:
        finding["message"] = "<b>bold</b>"
    page = parse(render_report(data, tmp_path))
    assert "<b>bold</b>" in page.by_id("custom").text and not page.by_id("custom").find_all("b")
    assert environment(str(tmp_path)).autoescape is True


# -- size --------------------------------------------------------------------------------------


def test_report_for_a_million_records_stays_under_10_mb(nogo: dict) -> None:
    """Examples are capped and charts are summaries, so the size does not follow the data."""
    big = json.loads(json.dumps(nogo))
    big["stats"].update(records=1_000_000, valid=1_000_000, usable_pairs=800_000)
    long_text = "word " * 2000
    findings, examples = [], []
    for row in big["checks"]:
        row.update(count=5_000, records=5_000, rate=0.005)
        for i in range(5_000):
            line = i * 50 + int(row["code"][-3:])
            findings.append(
                {
                    "code": row["code"],
                    "slug": row["slug"],
                    "severity": row["severity"],
                    "file": "big.jsonl",
                    "line": line,
                    "message": f"finding {i} " + "x" * 80,
                    "related": [{"file": "big.jsonl", "line": 1}] * 8,
                    "score": 0.5,
                }
            )
            if i < 20:
                examples.append(excerpt_record("big.jsonl", line, long_text))
    big.update(findings=findings, examples=examples, files=["big.jsonl"])
    near = big["summaries"]["near-duplicate"]
    members = [{"file": "big.jsonl", "line": j} for j in range(500)]
    near["largest"] = [{"id": i, "size": 5000, "members": members} for i in range(200)]
    big["summaries"]["label-inconsistency"] = {
        "classification_like": True,
        "groups": [
            {
                "prompt": long_text,
                "labels": {"a": 500, "b": 500},
                "members": [{"file": "big.jsonl", "line": j, "label": "a"} for j in range(100)],
            }
        ]
        * 500,
    }
    html = render_report(big)
    size = len(html.encode())
    assert size < 10_000_000, size
    page = parse(html)
    assert len(_section_findings(page, "SFT101")) == 20


def excerpt_record(file: str, line: int, text: str) -> dict:
    return {
        "file": file,
        "line": line,
        "shape": "alpaca",
        "instruction": excerpt(text, EXCERPT_CHARS, keep_tail=True),
        "input": "",
        "response": excerpt(text, EXCERPT_CHARS, keep_tail=True),
        "label": None,
        "raw": None,
        "chars": {"instruction": len(text), "response": len(text)},
    }


# -- excerpts in the JSON result ---------------------------------------------------------------


def test_excerpt_keeps_head_and_tail_within_bounds() -> None:
    assert excerpt("short", EXCERPT_CHARS, keep_tail=True) == "short"
    text = " ".join(f"w{i}" for i in range(1000)) + " <|endoftext|>"
    cut = excerpt(text, EXCERPT_CHARS, keep_tail=True)
    assert len(cut) <= 400 + len(ELLIPSIS) and ELLIPSIS in cut
    assert cut.startswith("w0 w1 ") and cut.endswith("<|endoftext|>")


def test_json_result_carries_capped_examples_valid_against_schema(data_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["lint", str(data_dir / "nogo.jsonl"), "--format", "json", "--examples", "2"])
    assert out.exit_code == 1
    data = json.loads(out.output)
    ResultModel.model_validate(data)
    lines = {(e["file"], e["line"]) for e in data["examples"]}
    for code in {f["code"] for f in data["findings"]}:
        flagged = [(f["file"], f["line"]) for f in data["findings"] if f["code"] == code and f["line"] is not None]
        assert set(flagged[:2]) <= lines
    assert len(data["examples"]) <= 2 * len(data["checks"])
    assert all(e["instruction"] or e["raw"] for e in data["examples"])
    assert all(row["doc"]["why"] and row["doc"]["fix"] for row in data["checks"])


def test_examples_can_be_turned_off(data_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["lint", str(data_dir / "nogo.jsonl"), "--format", "json", "--examples", "0"])
    data = json.loads(out.output)
    assert data["examples"] == []
    assert not parse(render_report(data)).find_all("div", class_="excerpt")


def test_read_records_picks_records_from_jsonl_gzip_and_array_files(tmp_path: Path) -> None:
    rows = [{"instruction": f"q{i}", "output": f"a{i}"} for i in range(10)]
    text = "\n\n".join(json.dumps(r) for r in rows[:2]) + "\n" + "\n".join(json.dumps(r) for r in rows[2:]) + "\n"
    (tmp_path / "a.jsonl").write_text(text)  # a blank line after the first record
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "a.json").write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    (tmp_path / "one.json").write_text(json.dumps(rows))
    for name, expected in (
        ("a.jsonl", [(3, 4, "q2"), (7, 8, "q6")]),
        ("a.jsonl.gz", [(3, 4, "q2"), (7, 8, "q6")]),
        ("a.json", [(3, 4, "q2"), (7, 8, "q6")]),
        ("one.json", [(3, 1, "q2"), (7, 1, "q6")]),
    ):
        wanted = {position for position, _, _ in expected}
        got = [
            (position, line, json.loads(t)["instruction"])
            for position, line, t in read_records(str(tmp_path / name), wanted)
        ]
        assert got == expected, name


def test_examples_follow_the_findings_and_cluster_members(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"instruction": f"q{i}", "output": "x" * (i * 100)} for i in range(12)])
    findings = [Finding("SFT999", "demo", Severity.WARNING, str(path), n, "m", record=n) for n in (2, 4, 6, 8)]
    members = [{"file": str(path), "line": n, "record": n} for n in (11, 12)]
    summaries = {"near-duplicate": {"largest": [{"id": 0, "size": 2, "members": members}]}}
    assert wanted_records(findings, summaries, 3) == {str(path): {2, 4, 6, 11, 12}}
    examples = collect_examples([str(path)], findings, summaries, {}, 3)
    assert [e["line"] for e in examples] == [2, 4, 6, 11, 12]
    assert examples[-1]["chars"]["response"] == 1100 and len(examples[-1]["response"]) < 500


def test_records_from_stdin_get_no_excerpts_but_a_report(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "nogo.jsonl").read_text()
    out = CliRunner().invoke(cli, ["lint", "-", "--format", "json", "--report", str(tmp_path / "r.html")], input=text)
    assert json.loads(out.stdout)["examples"] == []
    page = parse((tmp_path / "r.html").read_text())
    assert _section_findings(page, "SFT101")


# -- command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_lint_writes_the_report_in_every_format(tmp_path: Path, data_dir: Path, fmt: str) -> None:
    report = tmp_path / "out.html"
    out = CliRunner().invoke(cli, ["lint", str(data_dir / "nogo.jsonl"), "--format", fmt, "--report", str(report)])
    assert out.exit_code == 1
    assert out.stderr.splitlines()[-1] == f"sftlint: report written to {report}"
    page = parse(report.read_text(encoding="utf-8"))
    assert page.by_id("verdict-word").text.strip().endswith("NO-GO")
    assert all(li.find_all("div", class_="excerpt") for li in _section_findings(page, "SFT101"))


def test_report_from_saved_json_matches_the_direct_report(tmp_path: Path, data_dir: Path) -> None:
    direct, saved, rendered = tmp_path / "direct.html", tmp_path / "result.json", tmp_path / "later.html"
    runner = CliRunner()
    runner.invoke(
        cli, ["lint", str(data_dir / "nogo.jsonl"), "--format", "json", "-o", str(saved), "--report", str(direct)]
    )
    out = runner.invoke(cli, ["report", str(saved), "-o", str(rendered)])
    assert out.exit_code == 0, out.output
    assert out.stdout == "" and out.stderr == f"sftlint: report written to {rendered}\n"
    assert rendered.read_text() == direct.read_text()


def test_report_path_message_escapes_control_characters(tmp_path: Path, data_dir: Path) -> None:
    report = tmp_path / "r\x1b[31m.html"
    out = CliRunner().invoke(cli, ["lint", str(data_dir / "go.jsonl"), "--report", str(report)])
    assert report.is_file() and "\x1b" not in out.stderr
    assert out.stderr.splitlines()[-1] == f"sftlint: report written to {tmp_path}/r\\x1b[31m.html"


def test_report_from_stdin(tmp_path: Path, data_dir: Path) -> None:
    runner = CliRunner()
    saved = runner.invoke(cli, ["lint", str(data_dir / "go.jsonl"), "--format", "json"]).output
    out = runner.invoke(cli, ["report", "-", "-o", str(tmp_path / "r.html")], input=saved)
    assert out.exit_code == 0
    assert parse((tmp_path / "r.html").read_text()).by_id("verdict-word").text.strip().endswith("GO")


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not JSON"), ('{"tool": "other"}', "not a sftlint JSON result")],
)
def test_report_refuses_what_is_not_a_result(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "report", str(bad), "-o", str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_report_never_overwrites_an_input(tmp_path: Path, data_dir: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", real_records(5))
    before = data.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(data), "--report", str(data)], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "refusing to overwrite" in proc.stderr
    assert data.read_bytes() == before


def test_template_dir_overrides_one_template(tmp_path: Path, data_dir: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_config.html.j2").write_text(
        '<section id="config"><p id="team">Reviewed by the data team.</p></section>'
    )
    out = CliRunner().invoke(
        cli,
        ["lint", str(data_dir / "go.jsonl"), "--report", str(tmp_path / "r.html"), "--template-dir", str(templates)],
    )
    assert out.exit_code == 0
    page = parse((tmp_path / "r.html").read_text())
    assert page.by_id("team").text == "Reviewed by the data team."
    assert page.by_id("checks")  # the other templates are the built-in ones


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"{{ 1/0 }}", "ZeroDivisionError: division by zero"),
        (b'{% include "_config.html.j2" %}', "RecursionError"),
        (b"<p>caf\xe9</p>", "UnicodeDecodeError"),
        (b"{{ undefined_name.attr }}", "UndefinedError"),
    ],
    ids=["division", "includes itself", "not UTF-8", "undefined"],
)
def test_an_overriding_template_that_fails_is_one_error_line(tmp_path: Path, data_dir: Path, text, said) -> None:
    """Whatever an overriding template does wrong is the template's error: one line, exit 2,
    no page (it was a traceback and exit 1, a NO-GO, for a GO dataset)."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_config.html.j2").write_bytes(text)
    page = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-m", "sftlint", "lint", str(data_dir / "go.jsonl"), "--report", str(page),
         "--template-dir", str(templates)], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-500:]
    assert done.stderr.startswith("sftlint: error: report template error") and done.stderr.count("\n") == 1
    assert said in done.stderr and not page.exists()


# -- the committed sample datasets -------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def test_sample_go_report(tmp_path: Path) -> None:
    report = tmp_path / "go.html"
    out = CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--report", str(report), "-q"])
    assert out.exit_code == 0, out.output
    page = parse(report.read_text(encoding="utf-8"))
    assert page.by_id("verdict-word").text.strip().endswith("GO") and "NO-GO" not in page.by_id("verdict-word").text
    facts = {row.find("th").text: row.find("td").text for row in page.by_id("facts").find_all("tr")}
    assert facts["Records"].startswith("450") and facts["Usable pairs"].startswith("450")


def test_sample_nogo_report_lists_every_planted_defect_the_checks_ran_for(tmp_path: Path) -> None:
    report = tmp_path / "nogo.html"
    out = CliRunner().invoke(
        cli, ["lint", str(SAMPLES / "support_nogo.jsonl"), "--format", "json", "--report", str(report), "-q"]
    )
    assert out.exit_code == 1
    data = json.loads(out.stdout)
    page = parse(report.read_text(encoding="utf-8"))
    assert page.by_id("verdict-word").text.strip().endswith("NO-GO")
    manifest = json.loads((SAMPLES / "support_nogo.defects.json").read_text())
    ran = {row["code"] for row in data["checks"]}
    planted: dict[str, set[int]] = {}
    for defect in manifest:
        if defect["code"] in ran:
            planted.setdefault(defect["code"], set()).add(defect["line"])
    assert {"SFT001", "SFT101", "SFT102"} <= set(planted)
    for code, lines in planted.items():
        shown = {int(li.find("span", class_="where").text.split()[-1]) for li in _section_findings(page, code)}
        if code == "SFT106":  # a statistical warning: measured recall, not every line (docs/content-checks.md)
            assert len(lines & shown) >= 0.6 * len(lines), code
            continue
        assert lines <= shown, code
        # each with its record: an excerpt, or (a near-copy) the record and the one it names compared
        assert all(
            li.find_all("div", class_="excerpt") or li.find_all("div", class_="compared")
            for li in _section_findings(page, code)
        )


# -- the evidence beside a finding ---------------------------------------------------------------


def test_near_duplicate_differences_are_computed_on_the_full_texts(tmp_path: Path) -> None:
    """A one-word change in the middle of a long answer, where the excerpts are cut: still marked."""
    records = real_records(60)
    line, original = next((i + 1, r) for i, r in enumerate(records) if len(r["output"]) > 2500)
    words = original["output"].split(" ")
    middle = next(i for i in range(len(words) // 2, len(words)) if words[i].isalpha())
    changed = [*words[:middle], "Meanwhile", *words[middle + 1 :]]
    data = write_jsonl(tmp_path / "d.jsonl", [*records, {**original, "output": " ".join(changed)}])
    page = tmp_path / "r.html"
    out = CliRunner().invoke(cli, ["lint", str(data), "--format", "json", "--report", str(page)])
    result = json.loads(out.stdout)
    copy = next(e for e in result["examples"] if e["line"] == len(records) + 1)
    assert ELLIPSIS in copy["response"] and "Meanwhile" not in copy["response"]  # the excerpt lacks it
    assert (copy["comparison"]["file"], copy["comparison"]["line"]) == (str(data), line)
    section = parse(page.read_text(encoding="utf-8")).by_id("near-duplicates")
    pair = next(p for p in section.find_all("div", class_="pair") if f"line {len(records) + 1}" in p.text)
    assert sorted(m.text.strip() for m in pair.find_all("mark")) == sorted([words[middle], "Meanwhile"])
    assert pair.find_all("span", class_="cut")  # long unchanged stretches are left out, not marked
    names = [n.text for n in pair.find_all("div", class_="field-name")]
    assert names == ["instruction (the same in both)", "response"] * 2
    assert "same word for word" not in pair.text


def test_a_flagged_near_copy_is_shown_beside_the_record_it_names_with_the_differences_marked(tmp_path: Path) -> None:
    """SFT104's and SFT203's findings: the record and its partner compared on the full texts, so
    a word changed in the middle of a long answer is marked, not cut out of both excerpts."""
    records = real_records(60)
    line, original = next((i + 1, r) for i, r in enumerate(records) if len(r["output"]) > 2500)
    words = original["output"].split(" ")
    middle = next(i for i in range(len(words) // 2, len(words)) if words[i].isalpha())
    copy = {**original, "output": " ".join([*words[:middle], "Meanwhile", *words[middle + 1 :]])}
    train = write_jsonl(tmp_path / "train.jsonl", [*records, copy])
    held_out = write_jsonl(tmp_path / "eval.jsonl", [{**copy, "output": copy["output"].replace("Meanwhile", "Later")}])
    page = tmp_path / "r.html"
    out = CliRunner().invoke(
        cli, ["lint", str(train), "--against", str(held_out), "--format", "json", "--report", str(page)]
    )
    result = json.loads(out.stdout)
    leak = next(f for f in result["findings"] if f["code"] == "SFT203" and f["line"] == len(records) + 1)
    assert leak["data"]["partner"] == {"file": str(held_out), "line": 1, "record": 1}
    html = parse(page.read_text(encoding="utf-8"))
    for code, other, ours, theirs in (("SFT104", f"line {line}", "Meanwhile", words[middle]),
                                      ("SFT203", "eval.jsonl:1", "Meanwhile", "Later")):  # fmt: skip
        item = next(li for li in _section_findings(html, code) if f"line {len(records) + 1}" in li.text)
        this, named = item.find("div", class_="compared").find_all("div", class_="side")
        assert other in named.find("div", class_="side-title").text
        assert [m.text.strip() for m in this.find_all("mark")] == [ours]
        assert [m.text.strip() for m in named.find_all("mark")] == [theirs]
        assert this.find_all("span", class_="cut")  # the unchanged stretches are left out


def test_a_field_that_differs_only_past_the_words_compared_is_not_called_the_same(tmp_path: Path) -> None:
    words = [f"w{i}" for i in range(2_400)]
    edited = [*words[:2_200], "CHANGED", *words[2_201:]]
    records = [{"instruction": "Summarise.", "input": " ".join(text), "output": "Words."} for text in (words, edited)]
    page, data = tmp_path / "r.html", write_jsonl(tmp_path / "d.jsonl", records)
    CliRunner().invoke(cli, ["lint", str(data), "--min-pairs", "1", "--report", str(page)])
    html = parse(page.read_text(encoding="utf-8"))
    for section in ("near-duplicates", "check-SFT104"):
        names = [" ".join(n.text.split()) for n in html.by_id(section).find_all("div", class_="field-name")]
        assert "input (no difference in the first 2,000 words)" in names and "input (the same in both)" not in names
        assert "instruction (the same in both)" in names


def test_a_long_conversation_keeps_its_ends_and_the_flagged_turn_with_the_one_before() -> None:
    turns = [{"role": "user" if i % 2 else "assistant", "content": f"message {i} " + "x" * 500} for i in range(1, 13)]
    turns[6]["content"] = ""
    example = record_excerpt("chat.jsonl", 1, 1, json.dumps({"messages": turns}), {}, {7})
    assert [(t["index"], t["role"]) for t in example["turns"]] == [
        (1, "user"), (6, "assistant"), (7, "user"), (12, "assistant")
    ]  # fmt: skip
    assert example["turns_left_out"] == 8 and example["turns"][2]["text"] == ""
    assert len(example["turns"][0]["text"]) < 300  # turns not flagged are cut shorter
    macro = environment().from_string('{% from "_macros.html.j2" import excerpt %}{{ excerpt(ex, [7]) }}')
    page = parse(macro.render(ex=example))
    gaps = [p.text for p in page.find_all("p", class_="turn-gap")]
    assert gaps == ["… 4 turns not shown …", "… 4 turns not shown …"]
    flagged = page.find("div", class_="flagged")
    assert flagged.attrs["data-turn"] == "7" and "(empty)" in flagged.text


def test_word_differences_rebuild_both_texts_and_mark_only_what_changed() -> None:
    left = "Open Settings.\nThen choose Billing and click Export.\n\nDone: the file downloads."
    right = "Open Settings.\nThen choose Invoices and click Export now.\n\nDone: the file downloads."
    a, b = diff_words(left, right)
    assert "".join(s["text"] for s in a) == left and "".join(s["text"] for s in b) == right
    assert [s["text"].strip() for s in a if s["changed"]] == ["Billing", "Export."]
    assert [s["text"].strip() for s in b if s["changed"]] == ["Invoices", "Export now."]


def test_words_one_text_lacks_leave_a_mark_where_they_would_be_and_both_sides_show_the_same_stretch() -> None:
    """Text appended to a long answer: the side without it showed its first words, the other its
    last ones, and where the texts part was nowhere to be seen on the first."""
    words = " ".join(f"w{i}" for i in range(400))
    a, b = diff_words(words, f"{words} APPENDED SENTENCE.")
    assert len(a) == len(b) and [s["changed"] for s in a] == [s["changed"] for s in b] == [False, True]
    assert a[1] == {"text": "", "changed": True, "missing": True} and b[1]["text"].strip() == "APPENDED SENTENCE."
    (field,) = [f for f in compare_texts(words, f"{words} APPENDED SENTENCE.") if f["name"] == "response"]
    shown = ["".join(s["text"] for s in side if not s.get("cut")) for side in (field["left"], field["right"])]
    assert shown[0].rstrip().endswith("w398 w399") and shown[1].rstrip().endswith("w399 APPENDED SENTENCE.")
    macro = environment().from_string('{% from "_macros.html.j2" import segments %}{{ segments(s) }}')
    assert '<mark class="missing"' in macro.render(s=field["left"])


def test_a_difference_made_of_invisible_characters_shows_them_as_escapes() -> None:
    """A zero-width space was the whole difference: both sides showed the same marked word."""
    words = " ".join(f"word{i}" for i in range(40))
    fields = compare_texts(f"{words} final total", f"{words} final\u200b total")
    (field,) = [f for f in fields if f["name"] == "response"]
    macro = environment().from_string('{% from "_macros.html.j2" import segments %}{{ segments(s) }}')
    left, right = macro.render(s=field["left"]), macro.render(s=field["right"])
    assert "<mark>final\\u200b </mark>" in right and "\u200b" not in right and "<mark>final </mark>" in left
    # unmarked text keeps them: a zero-width joiner belongs in Persian, Hindi and emoji
    same = words + " \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    (field,) = [f for f in compare_texts(same + " one", same + " two") if f["name"] == "response"]
    assert "\u200c" in macro.render(s=field["left"])


def test_both_sides_are_cut_at_the_same_words_never_inside_one() -> None:
    """Cut by characters, the sides of one stretch differed ("[…] le March" beside "[…] ple March")."""
    words = [f"word{i}" for i in range(300)]
    left, right = " ".join(words), " ".join([*words[:150], "CHANGED", *words[151:]]).replace("word140 ", "word140   ")
    fields = compare_texts(left, right)
    sides = (fields[-1]["left"], fields[-1]["right"])
    kept = [[s["text"] for s in side if not s["changed"] and not s.get("cut")] for side in sides]
    assert [t.split() for t in kept[0]] == [t.split() for t in kept[1]] and len(kept[0]) == 2
    assert all(t.split()[0].startswith("word") and t.split()[-1].startswith("word") for t in kept[0])


def test_a_flagged_tool_call_is_shown_with_the_declared_schema_it_is_held_to(tmp_path: Path) -> None:
    """SFT114 says an argument breaks the declared schema; the report shows that schema above the
    turns, the called tool first, and a page without a minimum of pairs says only what is not counted."""
    other = {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
    called = {"name": "track", "parameters": {"type": "object", "properties": {"calories": {"type": "number"}}}}
    record = {
        "conversations": [
            {"from": "human", "value": "Track 150 and 350 calories."},
            {"from": "function_call", "value": json.dumps({"name": "track", "arguments": {"calories": [150, 350]}})},
            {"from": "observation", "value": '{"total": 500}'},
            {"from": "gpt", "value": "You had 500 calories."},
        ],
        "tools": json.dumps([other, called]),
    }
    page, data = tmp_path / "r.html", write_jsonl(tmp_path / "d.jsonl", [record])
    result = CliRunner().invoke(cli, ["lint", str(data), "--select", "SFT114", "--report", str(page)])
    assert "argument 'calories' is an array, expected number" in result.output
    html = parse(page.read_text(encoding="utf-8"))
    fields = html.by_id("check-SFT114").find_all("div", class_="field")
    assert fields[0].find("div", class_="field-name").text.strip() == "declared tools"
    tools = fields[0].find("pre").text.splitlines()
    assert tools[0] == "track " + json.dumps(called["parameters"]) and tools[1].startswith("get_weather ")
    facts = {row.find("th").text: row.find("td").text for row in html.by_id("facts").find_all("tr")}
    assert facts["Usable pairs"].split() == ["0", "not", "counted:", "1", "flagged", "by", "SFT114"]
    plain = record_excerpt("d.jsonl", 1, 1, json.dumps({"messages": [{"role": "user", "content": "hi"}]}), {})
    assert "tools" not in plain  # a conversation without tools shows none


def test_a_called_tool_among_many_is_shown_whole_and_the_others_by_name(tmp_path: Path) -> None:
    """BFCL's records offer up to a dozen functions of 1-2 KB each: cut to 400 characters, head and
    tail, the excerpt showed the called tool's first parameter and another tool's enum, not the
    enum the finding cites."""
    described = {f"p{i}": {"type": "string", "description": "A parameter described at length. " * 4} for i in range(8)}
    called = {"type": "object", "properties": {**described, "kind": {"type": "string", "enum": ["True", "False"]}}}
    others = {f"tool_{i}": {"type": "object", "properties": described} for i in range(10)}
    call = {"id": "c0", "type": "function", "function": {"name": "find", "arguments": json.dumps({"kind": True})}}
    declared = {**others, "find": called}
    tools = [{"type": "function", "function": {"name": n, "parameters": p}} for n, p in declared.items()]
    record = {"messages": [{"role": "user", "content": "Find a unisex salon."},
                           {"role": "assistant", "content": None, "tool_calls": [call]}], "tools": tools}  # fmt: skip
    page, data = tmp_path / "r.html", write_jsonl(tmp_path / "d.jsonl", [record])
    result = CliRunner().invoke(cli, ["lint", str(data), "--select", "SFT114", "--report", str(page)])
    assert "argument 'kind' is a boolean, expected string" in result.output
    field = parse(page.read_text(encoding="utf-8")).by_id("check-SFT114").find("div", class_="field")
    shown = field.find("pre").text.splitlines()
    assert shown == ["find " + json.dumps(called), "also declared: " + ", ".join(others)]
    assert '"enum": ["True", "False"]' in shown[0] and "characters, cut" in field.find("div", class_="field-name").text


def test_conversations_are_compared_turn_by_turn_with_their_roles() -> None:
    """Squashed into an instruction and a response, a tool result read as the instruction and a
    call as the response, and the roles were lost."""
    turns = [
        {"from": "human", "value": "What is the rate from USD to EUR?"},
        {"from": "function_call", "value": '{"name": "rate", "arguments": {"from": "USD"}}'},
        {"from": "observation", "value": '{"rate": 0.85}'},
        {"from": "gpt", "value": "The rate is 0.85."},
    ]
    shorter = [*turns[:3], {"from": "gpt", "value": "It is 0.85 today."}]
    longer = [*turns, {"from": "human", "value": "Thanks!"}, {"from": "gpt", "value": "You are welcome."}]
    first, second = (normalise({"conversations": t}, "f.jsonl", 1)[0] for t in (shorter, longer))
    fields = compare(first, second)
    assert [f["name"] for f in fields] == ["turn 1 · user", "turn 4 · assistant", "turn 5 · user", "turn 6 · assistant"]
    assert fields[0]["left"] == fields[0]["right"]  # the first turn, the same in both: context
    assert fields[2]["left"] == [{"text": "", "changed": True, "missing": True}]
    macro = environment().from_string('{% from "_macros.html.j2" import side %}{{ side(s) }}')
    assert "(none in this record)" in macro.render(s=fields[2]["left"])


def test_turns_are_matched_by_content_so_a_turn_one_conversation_lacks_is_shown_once() -> None:
    """Compared by number, an exchange added at the start made every later turn "changed"."""
    exchange = [
        {"from": "human", "value": "What is the rate from USD to EUR?"},
        {"from": "gpt", "value": "The rate is 0.85."},
        {"from": "human", "value": "And to GBP?"},
        {"from": "gpt", "value": "It is 0.79."},
    ]
    greeting = [{"from": "human", "value": "Hello, can you help with currencies?"}, {"from": "gpt", "value": "Sure."}]
    first, second = (normalise({"conversations": t}, "f.jsonl", 1)[0] for t in (exchange, greeting + exchange))
    fields = compare(first, second)
    assert [f["name"] for f in fields] == ["turn 1 · user", "turn 2 · assistant"]
    assert all(f["left"] == [{"text": "", "changed": True, "missing": True}] for f in fields)

    # an exchange dropped in the middle, and the last answer changed: the turns after the gap keep both numbers
    shorter = [exchange[0], exchange[1], exchange[2], {"from": "gpt", "value": "It is 0.80 today."}]
    longer = [*exchange[:2], *greeting, *exchange[2:]]
    first, second = (normalise({"conversations": t}, "f.jsonl", 1)[0] for t in (shorter, longer))
    names = [f["name"] for f in compare(first, second)]
    assert names == ["turn 1 · user", "turn 3 · user", "turn 4 · assistant", "turn 4 / 6 · assistant"]


def test_very_long_conversations_are_compared_turn_by_number(monkeypatch) -> None:
    """Matching turns by content is quadratic at worst: past ALIGNED_TURNS they are paired in order."""
    monkeypatch.setattr(sftlint.examples, "ALIGNED_TURNS", 2)
    turns = [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}]
    before = [{"from": "human", "value": "Who are you?"}, {"from": "gpt", "value": "A helper."}]
    first, second = (normalise({"conversations": t}, "f.jsonl", 1)[0] for t in (turns, before + turns))
    fields = compare(first, second)
    assert [f["name"] for f in fields] == ["turn 1 · user", "turn 2 · assistant", "turn 3 · user", "turn 4 · assistant"]
    assert fields[0]["left"] != [{"text": "", "changed": True, "missing": True}]  # "Hi?" against "Who are you?"


def compare_texts(left: str, right: str) -> list[dict]:
    first, second = (normalise({"instruction": "Say it.", "output": text}, "f.jsonl", 1)[0] for text in (left, right))
    return compare(first, second)


NULL_MODEL = REAL_DATA / "alpaca_eval" / "NullModel.jsonl"


def test_warnings_on_most_records_are_named_beside_the_verdict(tmp_path: Path) -> None:
    """A file of garbage answers: every record is a degenerate-answer warning (SFT107)."""
    page = tmp_path / "r.html"
    out = CliRunner().invoke(cli, ["lint", str(NULL_MODEL), "--format", "json", "--report", str(page)])
    result = json.loads(out.stdout)
    total = result["stats"]["records"]
    flagged = {f["line"] for f in result["findings"] if f["code"] == "SFT107"}
    assert len(flagged) == total and result["verdict"] == "no-go"
    items = [li.text for li in parse(page.read_text(encoding="utf-8")).by_id("widespread").find_all("li")]
    assert len(items) == 1 and "SFT107" in items[0] and f"{total} of {total} records (100.0 %)" in items[0]

    # the same warnings when nothing else decides the verdict: GO, and still said (in the text output too)
    out = CliRunner().invoke(cli, ["lint", str(NULL_MODEL), "--ignore", "SFT104,SFT201", "--report", str(page)])
    assert out.exit_code == 0
    assert out.stdout.splitlines()[-2:] == [
        f"Flagged on a large share of the records: SFT107 echo-or-degenerate (warning): {total} of {total} records "
        "(100.0%)",
        "GO: nothing at or above error",
    ]
    widespread = parse(page.read_text(encoding="utf-8")).by_id("widespread")
    assert "No finding decides the verdict" in widespread.text and "SFT107" in widespread.text


def test_contamination_without_an_evaluation_set_reads_not_run_not_none_found(tmp_path: Path) -> None:
    """"✔ none" beside contamination read as "checked and clean" when nothing was checked."""
    page = tmp_path / "r.html"
    CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--report", str(page)])
    rows = {r.attrs["data-code"]: r for r in parse(page.read_text(encoding="utf-8")).find_all("tr", class_="check-row")}
    cells = [td.text.strip() for td in rows["SFT203"].find_all("td")]
    assert "Not run: no evaluation set given (--against)." in cells[1] and cells[3] == "not run"
    assert "✔ none" in rows["SFT101"].text
    evaluation = write_jsonl(tmp_path / "eval.jsonl", real_records(5))
    CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--against", str(evaluation),
                             "--report", str(page)])  # fmt: skip
    rows = {r.attrs["data-code"]: r for r in parse(page.read_text(encoding="utf-8")).find_all("tr", class_="check-row")}
    assert "✔ none" in rows["SFT203"].text


def test_check_summaries_in_the_table_show_their_backticks_as_code(tmp_path: Path) -> None:
    """SFT115's summary read "`<NAME>`, `{{name}}`" with the backticks shown."""
    page = tmp_path / "r.html"
    CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--report", str(page)])
    rows = {r.attrs["data-code"]: r for r in parse(page.read_text(encoding="utf-8")).find_all("tr", class_="check-row")}
    summary = rows["SFT115"].find_all("td")[1]
    assert "`" not in summary.text and "<NAME>" in [c.text for c in summary.find_all("code")]


def test_no_widespread_warning_on_the_go_sample(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    out = CliRunner().invoke(cli, ["lint", str(SAMPLES / "support_go.jsonl"), "--report", str(page)])
    assert not parse(page.read_text(encoding="utf-8")).find_all(id="widespread")
    assert "large share" not in out.stdout


def test_contamination_shows_the_evaluation_record_beside_the_training_record(tmp_path: Path) -> None:
    records = real_records(80)
    train = write_jsonl(tmp_path / "train.jsonl", records[:60])
    evaluation = write_jsonl(tmp_path / "eval.jsonl", [*records[60:70], records[7]])
    page = tmp_path / "r.html"
    out = CliRunner().invoke(cli, ["lint", str(train), "--against", str(evaluation), "--report", str(page)])
    assert out.exit_code == 1, out.output
    finding = _section_findings(parse(page.read_text(encoding="utf-8")), "SFT203")[0]
    # the evaluation record is a copy of line 8: shown once, naming where its copy is
    assert not finding.find_all("div", class_="side")
    shown = finding.find("div", class_="evidence")
    assert "The same as the record it names" in shown.text and f"{evaluation}:11" in shown.text
    assert records[7]["instruction"][:200] in shown.text


def test_a_contaminated_conversation_is_shown_with_the_turns_it_shares(tmp_path: Path) -> None:
    """The prompt the two share is the evidence: shown turns that differ only, the comparison left
    out the copied turn and marked every other one as changed."""
    question = ("Explain in detail how the tides are caused by the moon and the sun and why there are two high "
                "tides every single day on most coasts")  # fmt: skip
    system = {"role": "system", "content": "You are a science tutor."}
    asked = {"role": "user", "content": question}
    train = write_jsonl(tmp_path / "train.jsonl", [
        *real_records(20),
        {"messages": [system, asked, {"role": "assistant", "content": "Tides come from the moon's pull."},
                      {"role": "user", "content": "And spring tides?"},
                      {"role": "assistant", "content": "They come when sun and moon line up."}]},
    ])  # fmt: skip
    evaluation = write_jsonl(tmp_path / "eval.jsonl", [
        {"messages": [system, asked, {"role": "assistant", "content": "Because of gravity."}]}
    ])  # fmt: skip
    out = CliRunner().invoke(cli, ["lint", str(train), "--against", str(evaluation), "--format", "json",
                                   "--select", "SFT203"])  # fmt: skip
    (shown,) = [e for e in json.loads(out.stdout)["examples"] if e.get("partners")]
    fields = shown["partners"][0]["fields"]
    assert [f["name"] for f in fields][:3] == ["turn 1 · system", "turn 2 · user", "turn 3 · assistant"]
    assert not any(s["changed"] for s in fields[1]["left"] + fields[1]["right"])


def test_report_of_a_result_holding_a_lone_surrogate_shows_its_escape(tmp_path):
    """A record with a lone surrogate ("\\ud800" in its JSON) reaches the result's messages and
    excerpts; the report shows it as that escape instead of failing to encode it."""
    data = tmp_path / "data.jsonl"
    row = '{"instruction": "Say \\ud800 twice.", "output": "Say \\ud800 twice."}\n'
    data.write_text(row * 3, encoding="utf-8")
    result, page = tmp_path / "result.json", tmp_path / "r.html"
    runner = CliRunner()
    linted = runner.invoke(cli, ["lint", str(data), "--format", "json", "-o", str(result)])
    assert linted.exit_code in (0, 1), linted.output
    assert "\\ud800" in result.read_text(encoding="utf-8")
    made = runner.invoke(cli, ["report", str(result), "-o", str(page)])
    assert made.exit_code == 0, made.output
    html = page.read_text(encoding="utf-8")
    assert "\\ud800" in html and html.rstrip().endswith("</html>")


def test_the_tools_own_prose_shows_code_spans_as_code_and_stays_escaped():
    """A check's doc and a fact's note write commands in backticks; shown raw they read as Markdown."""
    from sftlint.report import FILTERS

    shown = str(FILTERS["prose"]("hold out 9 records with `sftlint split`; `<b>x</b>` & done"))
    assert shown == "hold out 9 records with <code>sftlint split</code>; <code>&lt;b&gt;x&lt;/b&gt;</code> &amp; done"
