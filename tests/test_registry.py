"""Every registered check is complete and documented; codes and slugs are unique and stable."""

import re

from sftlint.registry import discover

CATALOGUE = {
    "SFT001": "invalid-json", "SFT002": "schema", "SFT003": "encoding", "SFT101": "empty-response",
    "SFT102": "empty-instruction", "SFT103": "exact-duplicate", "SFT104": "near-duplicate",
    "SFT105": "length-outlier", "SFT106": "off-task", "SFT107": "echo-or-degenerate",
    "SFT108": "refusal-boilerplate", "SFT109": "language-mismatch", "SFT110": "label-inconsistency",
    "SFT111": "template-leakage", "SFT112": "format-inconsistency", "SFT201": "dataset-size",
    "SFT202": "label-imbalance", "SFT203": "contamination", "SFT204": "fits-in-context",
    "SFT205": "no-evaluation-set",
}  # fmt: skip


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
        if code in CATALOGUE:
            assert cls.slug == CATALOGUE[code]
