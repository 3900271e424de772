"""Write docs/rules/: one page per built-in check, from its docstring and attributes.

    python docs/generate.py          # rewrite the pages
    python docs/generate.py --check  # exit 1 if a page is stale (tests/test_docs.py runs this)

A check's docstring is the single source of its documentation: `sftlint rule CODE` prints it,
the report shows it, and these pages are made from it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sftlint.registry import discover

RULES = Path(__file__).resolve().parent / "rules"
SECTIONS = ("What it does", "Why it matters", "How to fix", "Options")


def page(check: type) -> str:
    """The Markdown page of one check."""
    doc = check.doc_sections()
    status = "preview (off unless selected by code or slug, or with `--preview`)" if check.preview else "on"
    lines = [
        f"# {check.code} {check.slug}",
        "",
        doc.get("summary", ""),
        "",
        "| code | slug | default severity | default |",
        "|---|---|---|---|",
        f"| {check.code} | {check.slug} | {check.severity.value} | {status} |",
        "",
    ]
    if check.preview and check.preview_note:
        lines += [f"Why it is in preview: {check.preview_note}.".replace("..", "."), ""]
    for section in SECTIONS:
        if doc.get(section):
            lines += [f"## {section}", "", doc[section], ""]
    lines += [f"Configure it under `[tool.sftlint.checks.{check.slug}]`; see [configuration](../configuration.md).", ""]
    return "\n".join(lines)


def index(checks: list[type]) -> str:
    """The list of every check, linking to its page."""
    lines = ["# Rules", "", "Every built-in check; `sftlint rules` prints the same list.", ""]
    lines += ["| code | slug | severity | default | summary |", "|---|---|---|---|---|"]
    for c in checks:
        summary = c.doc_sections().get("summary", "").replace("|", "\\|")
        status = "preview" if c.preview else "on"
        lines.append(f"| [{c.code}]({c.code}.md) | {c.slug} | {c.severity.value} | {status} | {summary} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """Every file of docs/rules by name."""
    checks = list(discover([]).values())
    out = {f"{c.code}.md": page(c) for c in checks}
    out["README.md"] = index(checks)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a page differs from what would be written")
    args = parser.parse_args()
    wanted = pages()
    have = {p.name: p.read_text(encoding="utf-8") for p in RULES.glob("*.md")} if RULES.is_dir() else {}
    if args.check:
        stale = sorted(n for n in wanted.keys() | have.keys() if wanted.get(n) != have.get(n))
        for name in stale:
            print(f"docs/rules/{name} is stale: run python docs/generate.py", file=sys.stderr)
        return 1 if stale else 0
    RULES.mkdir(exist_ok=True)
    for name in have.keys() - wanted.keys():
        (RULES / name).unlink()
    for name, text in wanted.items():
        (RULES / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
