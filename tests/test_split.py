from __future__ import annotations

import gzip
import hashlib
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness_support import real_data, sftlint
from sftlint.cli import cli
from sftlint.records import Record
from sftlint.split import split


def labelled_lines(seed: int = 7) -> list[bytes]:
    """500 classification records (70/20/10 %) with duplicates and conflicting-label groups,
    written with uneven spacing and escapes so byte-for-byte copying is visible."""
    rng = random.Random(seed)
    labels = ["billing"] * 350 + ["login"] * 100 + ["shipping"] * 50
    rng.shuffle(labels)
    lines = []
    for i, label in enumerate(labels):
        prompt = f"Route ticket {i}: customer writes about case {i * 7}"
        if i % 25 == 3:  # the same prompt as an earlier record, another label: a conflict group
            prompt = f"Route ticket {i - 3}: customer writes about case {(i - 3) * 7}"
        record = {"instruction": prompt, "output": label, "label": label}
        text = json.dumps(record, ensure_ascii=i % 2 == 0, separators=(",", ":") if i % 3 else (", ", ": "))
        lines.append(text.encode("utf-8") + b"\n")
        if i % 40 == 5:  # an exact copy later in the file
            lines.append(text.encode("utf-8") + b"\n")
    lines.append('{"instruction": "Route ticket é", "output": "billing", "label": "billing"}\r\n'.encode())
    lines.append(b"{not json}\n")
    return lines


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"".join(labelled_lines()))
    return path


def run_split(data: Path, out: Path, *extra: str) -> tuple[list[bytes], list[bytes]]:
    result = CliRunner().invoke(
        cli,
        [
            "split",
            str(data),
            "--eval-fraction",
            "0.2",
            "-o",
            str(out / "train.jsonl"),
            "-e",
            str(out / "eval.jsonl"),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return (out / "train.jsonl").read_bytes().splitlines(keepends=True), (out / "eval.jsonl").read_bytes().splitlines(
        keepends=True
    )


def prompt_of(line: bytes) -> str:
    return " ".join(json.loads(line)["instruction"].lower().split())


def test_same_seed_same_split_and_another_seed_another(data: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    first = run_split(data, tmp_path / "a", "--seed", "3")
    again = run_split(data, tmp_path / "b", "--seed", "3")
    other = run_split(data, tmp_path / "c", "--seed", "4")
    assert first == again
    assert set(first[1]) != set(other[1])


def test_lines_are_kept_byte_for_byte_and_in_order(data: Path, tmp_path: Path) -> None:
    train, evaluation = run_split(data, tmp_path)
    original = data.read_bytes().splitlines(keepends=True)
    assert Counter(train + evaluation) == Counter(original)
    assert train == [line for line in original if line in set(train)]  # input order kept
    assert b"{not json}\n" in train  # lines that are not records stay with the training data
    assert any(line.endswith(b"\r\n") for line in train + evaluation)


def test_no_duplicate_or_same_prompt_group_straddles_the_split(data: Path, tmp_path: Path) -> None:
    train, evaluation = run_split(data, tmp_path)
    records = [line for line in train + evaluation if line != b"{not json}\n"]
    shared = Counter(prompt_of(line) for line in records)
    assert sum(1 for n in shared.values() if n > 1) >= 20  # the fixture really has groups
    train_prompts = {prompt_of(line) for line in train if line != b"{not json}\n"}
    assert not train_prompts & {prompt_of(line) for line in evaluation}
    assert not set(train) & set(evaluation)  # no exact copy on both sides


def _deviation(data: Path, seed: int, stratify: bool) -> float:
    """How far the eval set's label counts are from 20 % of each label's count, summed."""
    done = split(str(data), 0.2, seed=seed, stratify=stratify)
    labels = [json.loads(line)["label"] for line in done.lines if line != b"{not json}\n"]
    held = Counter(json.loads(done.lines[i])["label"] for i in done.eval)
    return sum(abs(held[label] - 0.2 * n) for label, n in Counter(labels).items())


def test_labels_are_stratified(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["split", str(data), "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")]
    )
    assert "stratified by label: 3 labels" in result.output
    stratified = [_deviation(data, seed, stratify=True) for seed in range(5)]
    plain = [_deviation(data, seed, stratify=False) for seed in range(5)]
    assert max(stratified) <= 6  # about two records per label (conflict groups mix labels)
    assert sum(stratified) < sum(plain) / 2


def test_the_input_is_never_touched(data: Path, tmp_path: Path) -> None:
    before = (hashlib.sha256(data.read_bytes()).hexdigest(), data.stat().st_mtime_ns)
    run_split(data, tmp_path)
    refused = sftlint("split", str(data), "-o", str(data), "-e", str(tmp_path / "e.jsonl"))
    assert refused.returncode == 2 and "refusing to overwrite an input file" in refused.stderr
    assert (hashlib.sha256(data.read_bytes()).hexdigest(), data.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data.jsonl",
        "eval.jsonl",
        "train.jsonl",
    ]  # no temporary files left


def test_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text('[{"instruction": "a", "output": "b"}]\n')
    out = subprocess.run(  # standard input is read once, as JSON Lines: an array there is refused
        [
            sys.executable,
            "-m",
            "sftlint",
            "split",
            "-",
            "-o",
            str(tmp_path / "t.jsonl"),
            "-e",
            str(tmp_path / "e.jsonl"),
        ],
        input=array.read_text(),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "not a JSON array" in out.stderr
    pretty = "".join(json.dumps({"instruction": f"Q{i}?", "output": f"A{i}."}, indent=2) + "\n" for i in range(4))
    out = subprocess.run(  # `jq .` output: each line was a record that is no valid record
        [sys.executable, "-m", "sftlint", "split", "-", "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e")],
        input=pretty,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "jq -c ." in out.stderr, out.stderr
    out = sftlint(
        "split", str(array), "--eval-fraction", "1.5", "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")
    )
    assert out.returncode == 2 and "between 0 and 1" in out.stderr
    out = sftlint(
        "split", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")
    )
    assert out.returncode == 2 and "no such file" in out.stderr
    assert not (tmp_path / "t.jsonl").exists()


def test_a_grouper_can_join_more_records(data: Path) -> None:
    """Another grouping (such as near-duplicate clusters) plugs in beside the same-prompt one."""

    class SameLabel:
        def __init__(self) -> None:
            self.by_label: dict[str | None, list[int]] = {}

        def add(self, index: int, record: Record) -> None:
            self.by_label.setdefault(record.label, []).append(index)

        def groups(self):
            return self.by_label.values()

    done = split(str(data), 0.2, seed=1, groupers=[SameLabel()], stratify=False)
    labels = {json.loads(done.lines[i])["label"] for i in done.eval}
    train_labels = {json.loads(done.lines[i])["label"] for i in done.train if done.lines[i] != b"{not json}\n"}
    assert not labels & train_labels  # whole label groups stayed on one side


def test_free_form_real_data_is_not_stratified(tmp_path: Path) -> None:
    source = real_data("alpaca_eval/gpt4_1106_preview.jsonl")
    done = split(str(source), 0.1, seed=0)
    assert done.strata == {}
    assert len(done.eval) == round(0.1 * len(done.lines))
    files = ["-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")]
    out = sftlint("split", str(source), *files, "--eval-fraction", "0.1")
    assert out.returncode == 0
    assert "e.jsonl: 55 records (9.9% of 553, seed 0)" in out.stdout
    assert "100 are recommended" in out.stderr
    # by default, the size SFT205 recommends: at least 100 records, at most a fifth of a small file
    out = sftlint("split", str(source), *files)
    assert out.returncode == 0 and "e.jsonl: 100 records (18.1% of 553, seed 0)" in out.stdout
    assert "recommended" not in out.stderr


def test_a_split_with_no_evaluation_record_says_so_without_a_margin(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"instruction": f"Q{i}?", "output": f"A{i}."}) + "\n" for i in range(3)))
    args = ["split", str(data), "-o", str(tmp_path / "t.jsonl"), "-e", str(tmp_path / "e.jsonl")]
    args += ["--eval-fraction", "0.1"]
    outcome = CliRunner().invoke(cli, args)  # a tenth of 3 records rounds to none
    assert outcome.exit_code == 0
    assert "note: no evaluation records measure nothing; 1 are recommended" in outcome.output
    assert "inf" not in outcome.output


@pytest.mark.parametrize("fraction", ["0.1", "0.2"])
@pytest.mark.parametrize("name", ["support_go.jsonl", "tickets.jsonl"])
def test_the_evaluation_set_split_off_passes_the_contamination_check(tmp_path: Path, name: str, fraction: str) -> None:
    """What SFT203 calls contamination stays on one side: a question reworded ("Hi. Can our
    clients pay invoices online from the email?" and the same with "Thanks!") shares a long run
    of words with its copy. Before, linting the training side against the evaluation side gave
    10 SFT203 errors on support_go.jsonl."""
    source = Path(__file__).resolve().parent.parent / "sample_data" / name
    train, held = tmp_path / "train.jsonl", tmp_path / "eval.jsonl"
    assert sftlint("split", str(source), "--eval-fraction", fraction, "-o", str(train), "-e", str(held)).returncode == 0
    out = sftlint("lint", str(train), "--against", str(held), "--select", "SFT203", "--format", "json")
    assert json.loads(out.stdout)["findings"] == [] and len(held.read_text().splitlines()) > 0


def test_prompts_sharing_a_long_run_stay_together_and_a_template_phrase_joins_nothing() -> None:
    from sftlint.split import SharedRuns

    def record(text: str) -> Record:
        return Record("f.jsonl", 1, "alpaca", text, "", "An answer.", None, {})

    grouper = SharedRuns()
    asked = [
        "Hi. Can I upgrade from the Solo plan to a bigger plan?",
        "I am new here. Can I upgrade from the Solo plan to a bigger plan?",
        "How do I export my invoices to a spreadsheet file today?",
    ]
    template = "Please answer in one short sentence and be polite to the customer: "
    questions = ("Where is my parcel?", "Can I pay by card?", "Do you ship abroad?", "Is there a discount?", "Why?")
    asked += [template + question for question in questions]
    for index, text in enumerate(asked):
        grouper.add(index, record(text))
    assert sorted(map(sorted, grouper.groups())) == [[0, 1]]


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".JSONL.GZ"])
def test_outputs_named_gz_are_written_compressed_and_read_back(data: Path, tmp_path: Path, suffix: str) -> None:
    plain_out, gz_out = tmp_path / "plain", tmp_path / "gz"
    plain_out.mkdir(), gz_out.mkdir()
    train, evaluation = run_split(data, plain_out)
    compressed = tmp_path / f"data{suffix}"
    compressed.write_bytes(gzip.compress(data.read_bytes()))
    for source in (data, compressed):  # a plain and a compressed input alike
        done = CliRunner().invoke(
            cli, ["split", str(source), "--eval-fraction", "0.2", "-o", str(gz_out / f"train{suffix}"),
                  "-e", str(gz_out / f"eval{suffix}")],  # fmt: skip
        )
        assert done.exit_code == 0, done.output
        for name, lines in ((f"train{suffix}", train), (f"eval{suffix}", evaluation)):
            written = (gz_out / name).read_bytes()
            assert written[:2] == b"\x1f\x8b"  # gzip, not text under a .gz name
            assert gzip.decompress(written).splitlines(keepends=True) == lines
        again = CliRunner().invoke(cli, ["lint", str(gz_out / f"eval{suffix}"), "--format", "json", "--exit-zero"])
        assert again.exit_code == 0 and json.loads(again.output)["stats"]["records"] == len(evaluation)
