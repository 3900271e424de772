"""The docs a user navigates: a short README, links that lead somewhere, rule pages that match the checks."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from conftest import REPO

LINK = re.compile(r"\]\(([^)\s]+)\)")
PAGES = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").rglob("*.md"))]


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for a page's headings."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


def test_readme_is_a_front_page() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move detail into docs/"


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):  # https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, broken
    assert any("docs/rules/SFT101.md" in LINK.findall(p.read_text(encoding="utf-8")) for p in PAGES[:1])


def test_rule_pages_are_made_from_the_checks() -> None:
    generate = runpy.run_path(str(REPO / "docs" / "generate.py"))
    wanted = generate["pages"]()
    have = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "docs" / "rules").glob("*.md")}
    stale = sorted(n for n in wanted.keys() | have.keys() if wanted.get(n) != have.get(n))
    assert not stale, f"stale rule pages {stale}: run python docs/generate.py"
    assert "SFT106.md" in wanted and "preview" in wanted["SFT106.md"]


def test_every_rule_is_in_the_readme_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    generate = runpy.run_path(str(REPO / "docs" / "generate.py"))
    codes = [name[:-3] for name in generate["pages"]() if name != "README.md"]
    missing = [c for c in codes if f"[{c}](docs/rules/{c}.md)" not in readme]
    assert not missing, missing
