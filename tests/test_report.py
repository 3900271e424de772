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

from html_tree import Node, parse
from report_fixtures import HOSTILE, nogo_records, real_records, result_dict, ticket_records, write_jsonl
from sftlint.cli import cli
from sftlint.config import Config
from sftlint.examples import ELLIPSIS, collect_examples, excerpt, wanted_records
from sftlint.findings import Finding, Severity
from sftlint.io import read_records
from sftlint.report import environment, render_report
from sftlint.schema import ResultModel


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


def test_near_duplicates_side_by_side_with_differences_marked(nogo_page: Node) -> None:
    section = nogo_page.by_id("near-duplicates")
    clusters = section.find_all("div", class_="cluster")
    assert clusters
    marked = [m.text for m in section.find_all("mark")]
    assert any("Sure!" in m for m in marked)  # the planted near-copy starts with "Sure! "
    pair = section.find("div", class_="pair")
    assert len(pair.find_all("div", class_="side")) == 2


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
        "instruction": excerpt(text),
        "input": "",
        "response": excerpt(text),
        "label": None,
        "raw": None,
        "chars": {"instruction": len(text), "response": len(text)},
    }


# -- excerpts in the JSON result ---------------------------------------------------------------


def test_excerpt_keeps_head_and_tail_within_bounds() -> None:
    assert excerpt("short") == "short"
    text = " ".join(f"w{i}" for i in range(1000)) + " <|endoftext|>"
    cut = excerpt(text)
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
    assert json.loads(out.output)["examples"] == []
    page = parse((tmp_path / "r.html").read_text())
    assert _section_findings(page, "SFT101")


# -- command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_lint_writes_the_report_in_every_format(tmp_path: Path, data_dir: Path, fmt: str) -> None:
    report = tmp_path / "out.html"
    out = CliRunner().invoke(cli, ["lint", str(data_dir / "nogo.jsonl"), "--format", fmt, "--report", str(report)])
    assert out.exit_code == 1
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
    assert rendered.read_text() == direct.read_text()


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
    data = json.loads(out.output)
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
        if code == "SFT106":  # a statistical warning: measured recall, not every line (README)
            assert len(lines & shown) >= 0.6 * len(lines), code
            continue
        assert lines <= shown, code
        assert all(li.find("div", class_="excerpt") for li in _section_findings(page, code))
