"""What keeps a run with a million findings small gives exactly what the plain way gives: the
near-duplicate findings' data, the records flagged per check, the places of
related records and the answers SFT206 quotes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from neardup_helpers import edit, prose, write_jsonl
from sftlint.api import lint_paths
from sftlint.checks import response_diversity
from sftlint.checks.exact_duplicate import ExactDuplicate
from sftlint.checks.response_diversity import ResponseDiversity
from sftlint.config import Config
from sftlint.engine import Result
from sftlint.findings import Finding, Location, Severity
from sftlint.minhash import Cluster, handed_over
from sftlint.places import Places
from sftlint.records import normalise


def finding(code: str, file: str | None, record: int | None, message: str = "m") -> Finding:
    return Finding(code, "slug", Severity.WARNING, file, None, message, record=record)


def test_clusters_handed_over_are_each_given_once_and_then_let_go() -> None:
    clusters = [Cluster([1, 2], {2: (1, 0.9)}), Cluster([3, 5, 8], {5: (3, 0.7), 8: (5, 0.8)})]
    given = list(clusters)
    assert [c for c in handed_over(clusters)] == given
    assert clusters == [None, None]  # the list keeps its length: the summary counts the clusters


def test_members_verified_against_one_partner_share_data_equal_to_their_own(tmp_path: Path) -> None:
    rng = random.Random(4)
    rows = [
        {"instruction": prose(rng, rng.randint(8, 30)), "input": "", "output": prose(rng, rng.randint(40, 120))}
        for _ in range(60)
    ]
    source = {"instruction": "Describe the process.", "input": "", "output": prose(rng, 300)}
    rows.insert(10, source)
    rows += [dict(source, output=edit(rng, source["output"], 1)) for _ in range(4)]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    result = lint_paths([str(path)], Config(select=["SFT104"]))
    found = [f for f in result.findings if f.code == "SFT104" and f.record is not None]
    assert len(found) == 4
    for f in found:
        partner = next(r for r in f.related if f"near-duplicate of line {r.line} " in f.message)
        assert f.data == {"cluster": 1, "cluster_size": 5, "partner": partner.to_dict()}
    by_partner: dict[int, list[Finding]] = {}
    for f in found:
        by_partner.setdefault(f.data["partner"]["record"], []).append(f)
    assert all(f.data is group[0].data for group in by_partner.values() for f in group)


def test_records_flagged_count_each_file_apart() -> None:
    findings = [
        finding("SFT103", "a.jsonl", 1),
        finding("SFT103", "b.jsonl", 1),
        finding("SFT103", "a.jsonl", 1, "again"),
        finding("SFT103", None, None),
    ]
    result = Result(["a.jsonl", "b.jsonl"], [ExactDuplicate()], findings, {"records": 4}, {}, Severity.ERROR)
    [row] = result.check_rows()
    assert (row["count"], row["records"], row["rate"]) == (4, 2, 0.5)


def test_related_places_already_complete_keep_their_list_and_the_others_are_filled() -> None:
    places = Places()
    tracker = places.tracker("a.jsonl")
    for position, line in ((1, 1), (2, 3), (3, 4)):
        tracker.note(position, line)
    complete = finding("SFT104", "a.jsonl", 2)
    complete.related = [Location("a.jsonl", 1, 1), Location("eval.jsonl", None, 7)]
    partial = finding("SFT103", "a.jsonl", 3)
    partial.related = [Location("a.jsonl", None, 2)]
    kept = complete.related
    places.complete([complete, partial])
    assert complete.related is kept
    assert partial.related == [Location("a.jsonl", 3, 2)]


@pytest.mark.parametrize("limit", [1, 2, 20_000])
def test_sft206_quotes_the_first_answers_seen_twice_after_letting_go_of_what_it_saw(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(response_diversity, "_MAX_EXCERPTS", limit)
    answers = ["alpha beta gamma delta", "one two three four five", "alpha beta gamma delta", "red green blue cyan"]
    answers += ["one two three four five", "red green blue cyan", "alpha beta gamma delta", "seven eight nine ten"]
    check = ResponseDiversity()
    for i, answer in enumerate(answers, start=1):
        record, _ = normalise({"instruction": f"question {i}", "output": answer}, "d.jsonl", i)
        assert record is not None
        record.position = i
        check.collect(record)
    # the definition: answers in the order they are first seen again, at most `limit` of them
    seen, quoted = set(), []
    for answer in answers:
        if answer in seen and answer not in quoted:
            quoted.append(answer)
        seen.add(answer)
    assert list(check.excerpts.values()) == quoted[:limit]
    assert len(check.answers) == len(answers)
