"""The bundled sample datasets: the GO file passes, the NO-GO file fails with every planted defect at its line."""

import json

import pytest

from conftest import REPO

SAMPLES = REPO / "sample_data"
# Preview checks run too (--preview): the samples plant their defects as well. Off-task (SFT106)
# is a statistical warning with measured precision and recall (docs/content-checks.md): held
# to rates here, not to every line.
STATISTICAL = {"SFT106"}


def test_go_sample_is_go_with_no_defects(lint):
    code, out = lint(None, "--preview", path=SAMPLES / "support_go.jsonl")
    assert code == 0 and out["verdict"] == "go"
    assert [f for f in out["findings"] if f["severity"] != "advice" and f["code"] not in STATISTICAL] == []
    assert len([f for f in out["findings"] if f["code"] in STATISTICAL]) <= 0.01 * out["stats"]["records"]


@pytest.mark.parametrize("name", ["support_nogo", "tickets"])
def test_every_planted_defect_is_reported_at_its_line(lint, name):
    code, out = lint(None, "--preview", path=SAMPLES / f"{name}.jsonl")
    found = {(f["code"], f["line"]) for f in out["findings"]}
    planted = json.loads((SAMPLES / f"{name}.defects.json").read_text())
    assert planted
    missing = [d for d in planted if (d["code"], d["line"]) not in found]
    assert [d for d in missing if d["code"] not in STATISTICAL] == []
    statistical = [d for d in planted if d["code"] in STATISTICAL]
    assert len([d for d in missing if d["code"] in STATISTICAL]) <= 0.4 * len(statistical)
    if name == "support_nogo":
        assert code == 1 and out["verdict"] == "no-go"


def test_chat_sample_has_no_defects_but_is_too_small(lint):
    code, out = lint(None, "--preview", path=SAMPLES / "chat.jsonl")
    assert out["stats"]["shapes"] == {"chat": out["stats"]["records"]}
    defects = {f["code"] for f in out["findings"] if f["severity"] != "advice"}
    assert defects - STATISTICAL == {"SFT201"} and code == 1
