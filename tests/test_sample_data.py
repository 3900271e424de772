"""The sample data generator: determinism, cleanliness, and an honest defect manifest."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from conftest import sample_generator

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


gen = sample_generator()

REFUSAL_MARKERS = (
    "as an ai", "i'm sorry, but", "unfortunately, i cannot", "i don't have personal opinions",
    "as a large language model", "i'm just an ai", "sorry, i can't help", "i apologize, but",
)
LEAK_MARKERS = ("<|endoftext|>", "### Response:", "[INST]", "<|im_start|>", "</s>")
FOREIGN_WORDS = {
    "el", "la", "los", "las", "de", "que", "les", "des", "et", "vous", "votre", "und", "die", "der", "sie", "ihre",
}
MOJIBAKE = ("â€", "Ã")


def _read(name: str) -> bytes:
    return (SAMPLE_DIR / name).read_bytes()


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in _read(name).decode("utf-8").splitlines()]


def _instruction(rec: dict) -> str:
    return gen._get_instr(rec)


def _response(rec: dict):
    return gen._get_resp(rec)


def _norm(rec: dict) -> str:
    return " ".join(gen.record_text(rec).lower().split())


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return gen.build_sample_files()


# -- determinism ---------------------------------------------------------------


def test_regenerating_gives_byte_identical_files(built):
    names = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.suffix in (".jsonl", ".json"))
    assert sorted(built) == names
    for name, data in built.items():
        assert data == _read(name), f"{name} differs from a fresh regeneration"


def test_same_seed_same_records_different_seed_different_records():
    assert gen.clean_records(20, seed=5) == gen.clean_records(20, seed=5)
    assert gen.clean_records(20, seed=5) != gen.clean_records(20, seed=6)
    assert list(gen.iter_clean_records(20, 5)) == gen.clean_records(20, 5)


def test_committed_files_are_small():
    for path in SAMPLE_DIR.iterdir():
        if path.suffix in (".jsonl", ".json"):
            assert path.stat().st_size < 400_000, path.name


# -- shapes --------------------------------------------------------------------


@pytest.mark.parametrize("shape", gen.SHAPES)
def test_shape_generators_yield_the_right_keys(shape):
    recs = gen.clean_records(200, seed=9, shape=shape)
    assert len(recs) == 200
    for rec in recs:
        json.dumps(rec)
        if shape == "alpaca":
            assert set(rec) in ({"instruction", "output"}, {"instruction", "input", "output"})
            assert all(isinstance(v, str) and v.strip() for v in rec.values())
        elif shape == "prompt":
            assert set(rec) == {"prompt", "completion"}
        elif shape == "qa":
            assert set(rec) == {"question", "answer"}
        elif shape == "chat":
            assert set(rec) == {"messages"}
            roles = [m["role"] for m in rec["messages"]]
            assert all(set(m) == {"role", "content"} for m in rec["messages"])
            body = roles[1:] if roles[0] == "system" else roles
            assert body[0::2] == ["user"] * (len(body) // 2) and body[1::2] == ["assistant"] * (len(body) // 2)
            assert len(body) % 2 == 0 and body
        else:
            assert set(rec) == {"conversations"}
            froms = [m["from"] for m in rec["conversations"]]
            assert froms[0::2] == ["human"] * (len(froms) // 2) and froms[1::2] == ["gpt"] * (len(froms) // 2)
    if shape == "alpaca":
        with_input = sum("input" in r for r in recs) / len(recs)
        assert 0.15 < with_input < 0.45
    if shape == "chat":
        assert any(r["messages"][0]["role"] == "system" for r in recs)
        assert any(sum(m["role"] == "user" for m in r["messages"]) > 1 for r in recs)


def test_classification_records():
    recs = gen.classification_records(500, seed=3)
    assert all(set(r) == {"instruction", "input", "output", "label"} for r in recs)
    assert all(r["output"] == r["label"] and r["label"] in gen.LABELS for r in recs)
    counts = {label: sum(r["label"] == label for r in recs) for label in gen.LABELS}
    assert max(counts.values()) / len(recs) <= 0.4 and min(counts.values()) > 0
    assert len({r["input"] for r in recs}) == len(recs)


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError):
        gen.clean_records(1, shape="nope")


# -- cleanliness ---------------------------------------------------------------


def _max_pairs(recs, threshold=0.5):
    sets = [gen.shingles(gen.record_text(r)) for r in recs]
    return gen.similar_pairs(sets, threshold)


def test_similarity_join_matches_brute_force():
    recs = gen.clean_records(150, seed=21)
    sets = [gen.shingles(gen.record_text(r)) for r in recs]
    found = 0
    for threshold in (0.1, 0.15, 0.3):
        brute = {
            (i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))
            if gen.jaccard(sets[i], sets[j]) >= threshold
        }
        assert {(i, j) for i, j, _ in gen.similar_pairs(sets, threshold)} == brute
        found += len(brute)
    assert found  # low thresholds do find pairs, so the join is exercised


def test_5000_generated_records_have_no_near_duplicate_pair():
    assert _max_pairs(gen.clean_records(5000, seed=0)) == []


def test_go_file_is_clean():
    recs = _records("support_go.jsonl")
    assert len(recs) == 450
    assert _max_pairs(recs) == []
    lengths = []
    for rec in recs:
        assert set(rec) <= {"instruction", "input", "output"}
        instr, resp = rec["instruction"], rec["output"]
        assert instr.strip() and resp.strip() not in gen.PLACEHOLDERS
        text = gen.record_text(rec)
        assert not any(m in text for m in MOJIBAKE + LEAK_MARKERS)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
        assert not any(m in resp.lower() for m in REFUSAL_MARKERS)
        assert "\nInput:" not in resp
        lengths.append(len(resp.split()))
    median = statistics.median(lengths)
    assert 60 <= median <= 140
    assert sum(40 <= n <= 250 for n in lengths) / len(lengths) > 0.85
    assert max(lengths) < 4 * median


def test_chat_file_is_clean():
    recs = _records("chat.jsonl")
    assert len(recs) == 60
    assert _max_pairs(recs) == []
    assert all(r["messages"][-1]["role"] == "assistant" for r in recs)


# -- manifests -----------------------------------------------------------------


def _manifest(name):
    return {m["line"]: m for m in json.loads(_read(name))}


def _word_set(text):
    return set(re.findall(r"[a-zà-ÿ]+", text.lower()))


def _check_defect(m, raw: bytes, lines: list[bytes]):
    code = m["code"]
    if code == "SFT001":
        raw.decode("utf-8")
        with pytest.raises(ValueError):
            json.loads(raw)
        return
    if code == "SFT003":
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return
        resp = _response(json.loads(text))
        assert re.search(r"[\x00-\x08\x0b-\x1f\x7f]", resp) or any(x in resp for x in MOJIBAKE)
        return
    rec = json.loads(raw)
    if code == "SFT002":
        if not isinstance(rec, dict):
            return
        if "messages" in rec or "conversations" in rec:
            turns = rec.get("messages") or rec.get("conversations")
            roles = [t.get("role", t.get("from")) for t in turns]
            last = [t for t in turns if t.get("role", t.get("from")) in ("assistant", "gpt")]
            assert "robot" in roles or not last or not isinstance(last[-1].get("content", last[-1].get("value")), str)
        else:
            assert not isinstance(rec.get("output"), str)
        return
    instr, resp = _instruction(rec), _response(rec)
    partner = json.loads(lines[m["partner"] - 1]) if m["partner"] else None
    if code == "SFT101":
        assert resp.strip() in {p.strip() for p in gen.PLACEHOLDERS}
    elif code == "SFT102":
        assert instr.strip() == ""
    elif code == "SFT103":
        assert _norm(rec) == _norm(partner)
    elif code == "SFT104":
        score = gen.jaccard(gen.shingles(gen.record_text(rec)), gen.shingles(gen.record_text(partner)))
        assert 0.8 <= score < 1.0
    elif code == "SFT105":
        median = 80
        assert len(resp.split()) >= 15 * median or len(resp.split()) == 1
    elif code == "SFT106":
        family = lambda text: gen._family(gen._guess_topic({"output": text}))  # noqa: E731
        own = family(gen.record_text({k: v for k, v in rec.items() if k != "output"}))
        assert family(resp) != own
        if partner is not None:  # a shifted block: the response answers the next record
            assert m["partner"] == m["line"] + 1 and m["variant"] == "shifted-block"
    elif code == "SFT107":
        sentences = [s for s in re.split(r"(?<=\.) ", resp) if len(s.split()) >= 8]
        loops = max(resp.count(s) for s in sentences) if len(resp.split()) > 40 else 0
        near_echo = resp.lower().rstrip(".?! ") == instr.lower().rstrip(".?! ")
        assert near_echo or loops >= 8 or "\nInput:" in resp
    elif code == "SFT108":
        assert any(x in resp.lower() for x in REFUSAL_MARKERS)
    elif code == "SFT109":
        assert len(resp.split()) >= 25
        assert len(_word_set(resp) & FOREIGN_WORDS) >= 3
        assert not _word_set(instr) & (FOREIGN_WORDS - {"de"})
    elif code == "SFT110":
        assert rec["input"] == partner["input"] and rec["label"] != partner["label"]
    elif code == "SFT111":
        assert any(x in resp for x in LEAK_MARKERS)
    else:
        raise AssertionError(f"unexpected code {code}")


def test_nogo_manifest_points_at_real_defects():
    lines = _read("support_nogo.jsonl").split(b"\n")[:-1]
    manifest = _manifest("support_nogo.defects.json")
    assert 340 <= len(lines) <= 380
    assert 0.08 <= len(manifest) / len(lines) <= 0.11
    kinds = {}
    for m in manifest.values():
        assert m["code"] == gen.DEFECT_KINDS[m["kind"]]
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
        _check_defect(m, lines[m["line"] - 1], lines)
    assert set(kinds) == set(gen.DEFECT_KINDS) - {"label-inconsistency"}
    assert min(kinds.values()) >= 2
    # every other line is a clean record
    clean = [json.loads(line) for n, line in enumerate(lines, 1) if n not in manifest]
    for rec in clean:
        assert rec["instruction"].strip() and rec["output"].strip() not in gen.PLACEHOLDERS
        assert not any(x in rec["output"] for x in LEAK_MARKERS + MOJIBAKE)
    assert _max_pairs(clean) == []  # clean records are not near-duplicates of each other


def test_tickets_manifest_points_at_label_conflicts():
    lines = _read("tickets.jsonl").split(b"\n")[:-1]
    manifest = _manifest("tickets.defects.json")
    assert len(lines) == 400 and 4 <= len(manifest) <= 10
    for m in manifest.values():
        assert m["kind"] == "label-inconsistency" and m["partner"] < m["line"]
        _check_defect(m, lines[m["line"] - 1], lines)
    recs = [json.loads(line) for line in lines]
    by_text = {}
    for n, rec in enumerate(recs, 1):
        by_text.setdefault(rec["input"], []).append(n)
    conflicted = {n for ns in by_text.values() if len(ns) > 1 for n in ns}
    assert conflicted == set(manifest) | {m["partner"] for m in manifest.values()}


@pytest.mark.parametrize("shape", ["chat", "sharegpt", "prompt", "qa"])
def test_planting_works_for_every_shape(shape):
    recs = gen.clean_records(300, seed=31, shape=shape)
    lines, manifest = gen.plant_defects(recs, rate=0.1, seed=31)
    assert {m["kind"] for m in manifest} == set(gen.DEFECT_KINDS) - {"label-inconsistency"}
    for m in manifest:
        if m["code"] in ("SFT001", "SFT002", "SFT003", "SFT101", "SFT102", "SFT103", "SFT104", "SFT108", "SFT111"):
            _check_defect(m, lines[m["line"] - 1], lines)


def test_plant_defects_validates_its_arguments():
    recs = gen.clean_records(50, seed=1)
    with pytest.raises(ValueError):
        gen.plant_defects(recs, rate=0.1, seed=1, kinds=["label-inconsistency"])
    with pytest.raises(ValueError):
        gen.plant_defects(recs, rate=0.1, seed=1, kinds=["no-such-kind"])
    with pytest.raises(ValueError):
        gen.plant_defects([], rate=0.1, seed=1)
