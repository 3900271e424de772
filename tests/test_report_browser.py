"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright.

No console errors, no network requests, hostile record text does not run, and the in-page
filter shows only the chosen check's findings. Skipped where Chromium is not installed,
except in CI (CI=true), where `.ci/run` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from report_fixtures import nogo_records, result_dict, write_jsonl
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


def test_link_to_a_check_opens_the_page_filtered(browser, report_file: Path) -> None:
    view = Page(browser, report_file.as_uri() + "#check-SFT111")
    assert {el.get_attribute("data-code") for el in view.visible(".finding")} == {"SFT111"}
    view.page.close()


def test_page_is_usable_without_javascript(browser, report_file: Path) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(report_file.as_uri())
    assert not page.is_visible("#filters")
    findings = page.query_selector_all(".finding")
    assert len(findings) > 20 and all(el.is_visible() for el in findings)
    assert page.is_visible("#check-SFT101") and page.is_visible("#near-duplicates")
    page.close()
