"""The bundled sample datasets: the GO file passes, the NO-GO file fails with every planted defect at its line."""

import json

import pytest

from conftest import REPO
from sftlint.registry import discover

SAMPLES = REPO / "sample_data"


def test_go_sample_is_go_with_no_defects(lint):
    code, out = lint(path=SAMPLES / "support_go.jsonl")
    assert code == 0 and out["verdict"] == "go"
    assert [f for f in out["findings"] if f["severity"] != "advice"] == []


@pytest.mark.parametrize("name", ["support_nogo", "tickets"])
def test_every_planted_defect_is_reported_at_its_line(lint, name):
    code, out = lint(path=SAMPLES / f"{name}.jsonl")
    found = {(f["code"], f["line"]) for f in out["findings"]}
    registered = discover()
    planted = json.loads((SAMPLES / f"{name}.defects.json").read_text())
    missing = [d for d in planted if d["code"] in registered and (d["code"], d["line"]) not in found]
    assert missing == []
    if name == "support_nogo":
        assert code == 1 and out["verdict"] == "no-go"


def test_chat_sample_has_no_defects_but_is_too_small(lint):
    code, out = lint(path=SAMPLES / "chat.jsonl")
    assert out["stats"]["shapes"] == {"chat": out["stats"]["records"]}
    defects = {f["code"] for f in out["findings"] if f["severity"] != "advice"}
    assert defects == {"SFT201"} and code == 1
