"""Tests of the example team check, run through the real CLI as a team would run it."""

import json
from pathlib import Path

from click.testing import CliRunner

from sftlint.cli import cli

HERE = Path(__file__).parent


def lint(tmp_path, records, *args):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(
        cli, ["lint", str(data), "--plugins", str(HERE), "--select", "TEAM001", "--format", "json", *args]
    )
    return result.exit_code, json.loads(result.output)


def test_fires_on_a_customer_address(tmp_path):
    records = [{"instruction": "Who handled my refund?", "output": "Maria (maria.lopez@gmail.com) handled it."}]
    code, out = lint(tmp_path, records)
    assert [(f["code"], f["line"]) for f in out["findings"]] == [("TEAM001", 1)]
    assert "maria.lopez@gmail.com" in out["findings"][0]["message"]
    assert code == 0  # a warning does not fail the run by default


def test_quiet_on_allowed_domains_and_addresses_in_the_instruction(tmp_path):
    records = [
        {"instruction": "Email me at bob@corp.io", "output": "Write to support@example.com with your invoice number."},
        {"instruction": "How do I reach you?", "output": "Use the contact form; we reply within a day."},
    ]
    _, out = lint(tmp_path, records)
    assert out["findings"] == []


def test_allowed_domains_option_from_config(tmp_path):
    (tmp_path / "sftlint.toml").write_text('[checks.no-email-in-response]\nallowed_domains = ["tallybook.io"]\n')
    records = [{"instruction": "Contact?", "output": "Mail help@eu.tallybook.io any time."}]
    _, out = lint(tmp_path, records, "--config", str(tmp_path / "sftlint.toml"))
    assert out["findings"] == []
