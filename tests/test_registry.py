"""Every registered check is complete and documented; codes and slugs are unique and stable."""

import re
import sys

from conftest import REPO
from sftlint.registry import discover

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CATALOGUE = {
    "SFT001": "invalid-json", "SFT002": "schema", "SFT003": "encoding", "SFT101": "empty-response",
    "SFT102": "empty-instruction", "SFT103": "exact-duplicate", "SFT104": "near-duplicate",
    "SFT105": "length-outlier", "SFT106": "off-task", "SFT107": "echo-or-degenerate",
    "SFT108": "refusal-boilerplate", "SFT109": "language-mismatch", "SFT110": "label-inconsistency",
    "SFT111": "template-leakage", "SFT112": "format-inconsistency", "SFT113": "system-prompt-drift",
    "SFT114": "tool-call-integrity", "SFT115": "unfilled-placeholder", "SFT116": "truncated-response",
    "SFT117": "missing-input", "SFT118": "unseeable-context", "SFT201": "dataset-size",
    "SFT202": "label-imbalance", "SFT203": "contamination", "SFT204": "fits-in-context",
    "SFT205": "no-evaluation-set", "SFT206": "response-diversity",
}  # fmt: skip


def entry_points() -> dict[str, str]:
    """The built-in checks as pyproject.toml declares them: code -> "module:Class"."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["entry-points"]["sftlint.checks"]


def test_every_check_is_documented_in_three_parts():
    checks = discover()
    assert checks
    for code, cls in checks.items():
        doc = cls.doc_sections()
        for section in ("What it does", "Why it matters", "How to fix"):
            assert len(doc.get(section, "")) > 40, (code, section)
        assert doc["summary"].endswith("."), code
        if cls.Options.model_fields:
            assert doc.get("Options"), f"{code} has options but no 'Options:' section"
            for name in cls.Options.model_fields:
                assert name in doc["Options"], (code, name)


def test_codes_and_slugs_follow_the_catalogue():
    checks = discover()
    slugs = [c.slug for c in checks.values()]
    assert len(slugs) == len(set(slugs))
    for code, cls in checks.items():
        assert re.fullmatch(r"SFT\d{3}", code)
        assert cls.slug == CATALOGUE[code], code


def test_every_declared_check_is_registered_and_in_the_catalogue():
    declared = entry_points()
    checks = discover()
    assert set(declared) == set(CATALOGUE) == set(checks)
    for code, target in declared.items():
        module, name = target.split(":")
        assert (checks[code].__module__, checks[code].__name__) == (module, name), code
