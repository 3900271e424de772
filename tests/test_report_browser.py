"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright.

No console errors, no network requests, hostile record text does not run, and the in-page
filter shows only the chosen check's findings. Skipped where Chromium is not installed,
except in CI (CI=true), where `.ci/run` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REAL_DATA, REPO
from report_fixtures import nogo_records, result_dict, write_jsonl
from sftlint.cli import cli
from sftlint.report import render_report

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


def _require_browser() -> None:
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    records, raw = nogo_records()
    data = write_jsonl(folder / "nogo.jsonl", records, raw)
    out = folder / "nogo.html"
    out.write_text(render_report(result_dict([str(data)])), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def chat_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chat sample with the first answer of line 2 (after a system prompt) emptied and
    line 6 copied to the end (line 61), linted and reported through the command line."""
    folder = tmp_path_factory.mktemp("chat")
    lines = (REPO / "sample_data" / "chat.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    assert [m["role"] for m in record["messages"]][:3] == ["system", "user", "assistant"]
    record["messages"][2]["content"] = ""
    lines[1] = json.dumps(record)
    lines.append(lines[5])
    data = folder / "chat.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "chat.html"
    result = CliRunner().invoke(cli, ["lint", str(data), "--report", str(out), "-q"])
    assert result.exit_code == 1, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Chromium launched by Playwright; every launch gets a fresh, temporary profile."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


class Page:
    """A page of the report with everything it logged and requested."""

    def __init__(self, browser, url: str) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_context().new_page()
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def visible(self, selector: str) -> list:
        return [el for el in self.page.query_selector_all(selector) if el.is_visible()]


def test_report_loads_without_errors_or_network(browser, report_file: Path) -> None:
    view = Page(browser, report_file.as_uri())
    assert view.errors == []
    assert view.requests == [report_file.as_uri()]
    assert view.page.evaluate("typeof window.__pwned") == "undefined"
    assert view.page.inner_text("#verdict-word").strip().endswith("NO-GO")
    view.page.close()


def test_filter_by_check_shows_only_that_checks_findings(browser, report_file: Path) -> None:
    view = Page(browser, report_file.as_uri())
    total = len(view.visible(".finding"))
    assert view.page.is_visible("#filters")
    view.page.select_option("#filter-check", "SFT101")
    shown = view.visible(".finding")
    assert len(shown) == 5 and {el.get_attribute("data-code") for el in shown} == {"SFT101"}
    assert [s.get_attribute("id") for s in view.visible(".check-section")] == ["check-SFT101"]
    assert view.page.inner_text("#filter-status") == f"5 of {total} shown"
    view.page.select_option("#filter-check", "")
    view.page.select_option("#filter-severity", "error")
    assert {el.get_attribute("data-severity") for el in view.visible(".finding")} == {"error"}
    view.page.select_option("#filter-severity", "")
    view.page.fill("#filter-text", "noinput")
    shown = view.visible(".finding")
    assert shown and all("noinput" in el.inner_text().lower() for el in shown)
    view.page.fill("#filter-text", "no record says this")
    assert view.visible(".finding") == [] and view.page.is_visible("#filter-empty")
    assert view.errors == [] and len(view.requests) == 1
    view.page.close()


def test_filter_by_severity_keeps_a_check_whose_findings_have_it(browser, tmp_path: Path) -> None:
    """SFT104's row shows its worst severity, the error its rate of copies escalates to, and the
    severity filter still finds it by its warnings (real data: a model answering every question alike)."""
    out = tmp_path / "null.html"
    data = REPO / "tests" / "data" / "real" / "alpaca_eval" / "NullModel.jsonl"
    proc = CliRunner().invoke(cli, ["lint", str(data), "--select", "SFT104", "--report", str(out)])
    assert proc.exit_code == 1, proc.output
    view = Page(browser, out.as_uri())
    row = view.page.query_selector('.check-row[data-code="SFT104"]')
    assert row.get_attribute("data-severity") == "error"
    for severity in ("warning", "error"):
        view.page.select_option("#filter-severity", severity)
        assert row.is_visible() and view.visible(f'.finding[data-severity="{severity}"]')
    assert view.errors == []
    view.page.close()


def test_link_to_a_check_opens_the_page_filtered(browser, report_file: Path) -> None:
    view = Page(browser, report_file.as_uri() + "#check-SFT111")
    assert {el.get_attribute("data-code") for el in view.visible(".finding")} == {"SFT111"}
    view.page.close()


def test_a_verdict_reason_followed_in_the_page_filters_to_its_check(browser, report_file: Path) -> None:
    """Clicking a reason only scrolled: the filter stayed on every check."""
    view = Page(browser, report_file.as_uri())
    reason = view.page.locator("#verdict a[href^='#check-']").first
    code = reason.get_attribute("href").removeprefix("#check-")
    reason.click()
    view.page.wait_for_function(f"document.getElementById('filter-check').value === '{code}'")
    assert {el.get_attribute("data-code") for el in view.visible(".finding")} == {code}
    assert view.errors == []
    view.page.close()


@pytest.mark.parametrize("width", [1280, 420])
def test_a_check_jumped_to_shows_its_heading_below_the_sticky_filter_bar(browser, report_file: Path, width) -> None:
    """The heading, its description and part of "How to fix" were under the bar (46 px wide, 144 on a phone)."""
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(report_file.as_uri())
    reason = page.locator("#verdict a[href^='#check-']").first
    target = reason.get_attribute("href")
    reason.click()
    page.wait_for_timeout(300)
    bar = page.locator("#filters").bounding_box()
    heading = page.locator(f"{target} h3, {target} h2").first.bounding_box()
    assert heading["y"] >= bar["y"] + bar["height"], (heading, bar)
    page.close()


def test_page_is_usable_without_javascript(browser, report_file: Path) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(report_file.as_uri())
    assert not page.is_visible("#filters")
    findings = page.query_selector_all(".finding")
    assert len(findings) > 20 and all(el.is_visible() for el in findings)
    assert page.is_visible("#check-SFT101") and page.is_visible("#near-duplicates")
    page.close()


def test_chat_record_shows_its_turns_with_roles_and_marks_the_flagged_one(browser, chat_report: Path) -> None:
    view = Page(browser, chat_report.as_uri())
    finding = view.page.locator("#check-SFT101 .finding").first
    assert finding.locator(".message").inner_text() == "turn 3 (assistant) is empty"
    turns = finding.locator(".turn")
    assert [turns.nth(i).get_attribute("data-role") for i in range(turns.count())] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    assert turns.nth(0).is_visible() and "Tallybook support specialist" in turns.nth(0).inner_text()
    flagged = finding.locator(".turn.flagged")
    assert flagged.count() == 1 and flagged.is_visible()
    assert flagged.get_attribute("data-turn") == "3" and flagged.get_attribute("data-role") == "assistant"
    assert "(empty)" in flagged.inner_text() and "flagged" in flagged.locator(".field-name").inner_text()
    assert finding.locator(".field-name", has_text="response").count() == 0  # no INPUT/RESPONSE guesswork
    assert view.errors == []
    view.page.close()


def test_a_finding_shows_the_record_it_names_beside_it(browser, chat_report: Path) -> None:
    view = Page(browser, chat_report.as_uri())
    finding = view.page.locator("#check-SFT103 .finding").first
    assert finding.locator(".message").inner_text() == "exact duplicate of line 6"
    # an exact copy is shown once, naming the record it copies (two identical sides doubled the page)
    assert finding.locator(".pair .side").count() == 0
    shown = finding.locator(".evidence")
    assert "The same as the record it names (line 6), shown once." in shown.inner_text()
    original = json.loads((REPO / "sample_data" / "chat.jsonl").read_text(encoding="utf-8").splitlines()[5])
    first_question = original["messages"][0]["content"]
    assert first_question in shown.locator(".turn").first.inner_text() and shown.is_visible()
    view.page.close()


@pytest.mark.parametrize("width", [360, 420])
def test_a_narrow_screen_never_scrolls_the_page_sideways(browser, tmp_path: Path, width: int) -> None:
    """Real tool-calling data under a long folder: the near-duplicate pairs side by side, the
    findings and the reasons name paths longer than the screen; they wrap (a wide table
    scrolls inside itself)."""
    folder = tmp_path / "a-rather-long-folder-name-for-the-datasets-of-the-team"
    folder.mkdir()
    data = folder / "glaive_toolcall_en_with_a_long_name.jsonl"
    data.write_bytes((REAL_DATA / "tools" / "glaive_toolcall_en.jsonl").read_bytes())
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["lint", str(data), "--report", str(out), "-q"])
    assert result.exit_code == 1, result.output
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(out.as_uri())
    assert page.query_selector(".pair") is not None
    assert page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]") == [
        width,
        width,
    ]
    # a word is broken only where it cannot fit: each check's code stays on one line
    codes = "[...document.querySelectorAll('tr.check-row td:first-child a')]"
    lines = page.evaluate(f"{codes}.map(a => a.getClientRects().length)")
    assert lines and set(lines) == {1}, lines
    # every check's count and rate are on the screen, labelled, not behind a sideways scroll
    cells = page.evaluate(
        "[...document.querySelectorAll('tr.check-row td[data-label]')].map(td => {"
        " const box = td.getBoundingClientRect();"
        " return [box.right <= document.documentElement.clientWidth, box.width > 0,"
        " getComputedStyle(td, '::before').content]; })"
    )
    assert cells and all(inside and shown for inside, shown, _ in cells), cells
    assert {label for *_, label in cells} == {'"findings "', '"rate "'}
    page.close()
