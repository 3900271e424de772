"""Near-duplicate benchmark: sftlint's SFT104 stage against datasketch on the same records.

    .venv/bin/python benchmarks/bench_neardup.py                        # 10k and 100k records
    .venv/bin/python benchmarks/bench_neardup.py --sizes 1000000        # 1M (baselines skipped)
    .venv/bin/python benchmarks/bench_neardup.py --corpus real --sizes 100000 --no-quality

For each corpus size (generated once by neardup_corpus.py into --corpora, default
benchmarks/corpora; with `--corpus real`, built by real_corpus.py from tests/data/real, where
a quarter of the records are edited copies and clusters are large), in one run:

- floor: every line parsed with the standard `json.loads`;
- sftlint stage: the SFT104 check's `collect` + `finish` over the records (normalise,
  shingle, sign, LSH, verify, cluster; parsing excluded), wall and CPU time;
- sftlint lint: the whole `sftlint lint --select SFT104` in a subprocess, wall time and peak RSS;
- datasketch obvious: `MinHash.update` per shingle + `MinHashLSH(threshold)` insert and query,
  candidates kept when `MinHash.jaccard` reaches the threshold;
- datasketch bulk: `MinHash.bulk` + `MinHashLSH` insertion session + the same query;
  (both baselines get the same normalised text and shingles, and are timed from raw text)
- quality on the 10k corpus (or the smallest size with `--corpus real`): recall and precision
  of the reported pairs against exact all-pairs Jaccard of the shingle sets (a sparse product;
  exact copies left to SFT103 excluded).

The machine is shared, so CPU time is printed beside wall time; ratios use CPU time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from itertools import combinations, islice
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import real_corpus  # noqa: E402
from bench_lint import CLI_WITH_PEAK  # noqa: E402  (the CLI reporting its own VmHWM as it exits)
from neardup_corpus import generate  # noqa: E402

from sftlint.check import Context  # noqa: E402
from sftlint.checks.near_duplicate import NearDuplicate  # noqa: E402
from sftlint.io import read_file  # noqa: E402
from sftlint.minhash import THRESHOLD, normalise_text, shingles  # noqa: E402
from sftlint.records import normalise  # noqa: E402
from sftlint.text.normal import compared_text, content_key  # noqa: E402


class Timer:
    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def corpus(size: int, folder: Path, kind: str = "generated") -> Path:
    if kind == "real":
        return real_corpus.build(size, folder=folder)
    label = f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"
    path = folder / f"sftlint-neardup_corpus-{label}.jsonl"
    if not path.exists():
        with Timer() as t:
            generate(size, path)
        print(f"generated {path} in {t.wall:.1f} s", flush=True)
    return path


def records(path: Path):
    for raw in read_file(str(path)):
        record, _ = normalise(raw.value, path.name, raw.line)
        record.position = raw.position  # as the engine sets it: findings name records by position
        yield record


def json_floor(path: Path) -> Timer:
    with Timer() as t, open(path, "rb") as f:
        for line in f:
            json.loads(line)
    return t


def sftlint_stage(path: Path) -> tuple[Timer, list, dict]:
    """collect + finish of SFT104 over every record; parsing is outside the timed calls.

    Records are parsed 1,000 at a time and each thousand collected under one timer: timing every
    call (a CPU clock costs a microsecond or more a reading) would add a few percent to the stage.
    """
    check = NearDuplicate()
    wall = cpu = 0.0
    n = 0
    stream = records(path)
    while chunk := list(islice(stream, 1000)):
        w, c = time.perf_counter(), time.process_time()
        for record in chunk:
            check.collect(record)
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
        n += len(chunk)
    with Timer() as t:
        findings = list(check.finish(Context(files=[path.name], records=n, valid=n)))
    t.wall += wall
    t.cpu += cpu
    return t, findings, check.summary() or {}


def sftlint_lint(path: Path) -> tuple[float, float]:
    """The whole CLI in a subprocess: wall seconds and peak resident memory in MB."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CLI_WITH_PEAK, "lint", str(path), "--select", "SFT104", "--format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    peak = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("VmHWM")]
    return wall, peak[0] / 1024 if peak else float("nan")


def texts_of(path: Path) -> tuple[list[str], np.ndarray]:
    """Pair texts, and which records are exact copies (SFT103's) of an earlier one."""
    texts, keys, first = [], [], {}
    for i, record in enumerate(records(path)):
        texts.append(compared_text(record, "pair"))
        keys.append(first.setdefault(content_key(record), i) != i)
    return texts, np.array(keys)


def verified_pairs(lsh, minhashes) -> set[tuple[int, int]]:
    pairs = set()
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if j > i and m.jaccard(minhashes[j]) >= THRESHOLD:
                pairs.add((i, j))
    return pairs


def datasketch_obvious(texts: list[str]) -> tuple[Timer, set]:
    from datasketch import MinHash, MinHashLSH

    with Timer() as t:
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
        minhashes = []
        for i, text in enumerate(texts):
            m = MinHash(num_perm=128)
            for s in shingles(normalise_text(text)):
                m.update(s.encode("utf-8"))
            lsh.insert(i, m)
            minhashes.append(m)
        pairs = verified_pairs(lsh, minhashes)
    return t, pairs


def datasketch_bulk(texts: list[str]) -> tuple[Timer, set]:
    from datasketch import MinHash, MinHashLSH

    with Timer() as t:
        minhashes = MinHash.bulk(
            ([s.encode("utf-8") for s in shingles(normalise_text(text))] for text in texts), num_perm=128
        )
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
        with lsh.insertion_session() as session:
            for i, m in enumerate(minhashes):
                session.insert(i, m)
        pairs = verified_pairs(lsh, minhashes)
    return t, pairs


def true_pairs(texts: list[str], copies: np.ndarray) -> dict[tuple[int, int], float]:
    """Every pair at or above the threshold, by exact Jaccard of the shingle sets (sparse product)."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        if copies[i]:
            continue
        for s in set(shingles(normalise_text(text))):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(texts), len(vocab)))
    sizes = np.asarray(x.sum(axis=1)).ravel()
    common = sparse.triu(x @ x.T, k=1).tocoo()
    similarity = common.data / (sizes[common.row] + sizes[common.col] - common.data)
    keep = similarity >= THRESHOLD
    return {
        (int(i), int(j)): float(s) for i, j, s in zip(common.row[keep], common.col[keep], similarity[keep], strict=True)
    }


def all_pair_jaccard(texts: list[str], i: int, j: int) -> float:
    a, b = set(shingles(normalise_text(texts[i]))), set(shingles(normalise_text(texts[j])))
    return len(a & b) / len(a | b)


def quality(name: str, texts: list[str], copies: np.ndarray, findings: list, obvious: set) -> None:
    with Timer() as t:
        truth = true_pairs(texts, copies)
    edges, clusters = set(), {}
    for f in findings:  # records by position (1-based): the stage's context knows no lines
        if f.record is None:
            continue
        member, partner = f.record - 1, f.data["partner"]["record"] - 1
        edges.add((min(member, partner), max(member, partner)))
        clusters.setdefault(f.data["cluster"], {f.related[0].record - 1}).add(member)
    grouped = {pair for members in clusters.values() for pair in combinations(sorted(members), 2)}
    obvious = {p for p in obvious if not copies[p[0]] and not copies[p[1]]}
    in_truth = lambda pairs: sum(p in truth for p in pairs)  # noqa: E731
    print(f"\n  quality on {name}: {len(truth)} pairs with exact Jaccard >= {THRESHOLD}")
    print(
        f"  sftlint    recall {in_truth(grouped) / len(truth):.4f}"
        f"  precision: verified pairs {in_truth(edges) / max(len(edges), 1):.4f}"
        f" ({len(edges)}), all pairs within clusters {in_truth(grouped) / max(len(grouped), 1):.4f} ({len(grouped)})"
    )
    print(
        f"  datasketch recall {in_truth(obvious) / len(truth):.4f}"
        f"  precision {in_truth(obvious) / max(len(obvious), 1):.4f}"
        f" ({len(obvious)} pairs; MinHashLSH(threshold={THRESHOLD}) defaults, MinHash.jaccard estimate)"
    )
    missed = sorted(truth[p] for p in truth if p not in grouped)
    if missed:
        print(f"  sftlint missed {len(missed)} pairs, exact Jaccard {missed[0]:.3f}..{missed[-1]:.3f}")
    low = [all_pair_jaccard(texts, *p) for p in grouped if p not in truth]
    if low:
        print(
            "  cluster pairs below the threshold (chained through a third record):"
            f" Jaccard {min(low):.3f}..{max(low):.3f}"
        )
    print(f"  (exact all-pairs ground truth took {t.wall:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated")
    corpora = Path(__file__).resolve().parent / "corpora"
    parser.add_argument("--corpora", type=Path, default=corpora, help="folder of generated corpora")
    parser.add_argument(
        "--baselines-max", type=int, default=200_000, help="largest corpus to run the datasketch baselines on"
    )
    parser.add_argument("--corpus", choices=("generated", "real"), default="generated", help="which corpus")
    parser.add_argument("--no-quality", action="store_true", help="skip the exact all-pairs quality check")
    args = parser.parse_args()
    args.corpora.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    quality_size = min(sizes) if args.corpus == "real" else 10_000
    for size in sizes:
        path = corpus(size, args.corpora, args.corpus)
        mb = path.stat().st_size / 1e6
        floor = json_floor(path)
        stage, findings, summary = sftlint_stage(path)
        lint_wall, peak = sftlint_lint(path)
        print(f"\n== {size} records, {mb:.0f} MB ({path})")
        print(f"  json.loads floor      {floor.wall:8.2f} s wall {floor.cpu:8.2f} s cpu  {size / floor.cpu:9.0f} rec/s")
        print(
            f"  sftlint SFT104 stage  {stage.wall:8.2f} s wall {stage.cpu:8.2f} s cpu  {size / stage.cpu:9.0f} rec/s"
            f"  ({summary['clusters']} clusters, {summary['redundant']} redundant, rate {summary['rate']:.2%})"
        )
        print(f"  sftlint lint --select SFT104 (whole CLI): {lint_wall:.2f} s wall, peak RSS {peak:.0f} MB")
        if size > args.baselines_max:
            print(f"  datasketch baselines skipped above {args.baselines_max} records")
            continue
        texts, copies = texts_of(path)
        obvious, obvious_pairs = datasketch_obvious(texts)
        print(
            f"  datasketch obvious    {obvious.wall:8.2f} s wall {obvious.cpu:8.2f} s cpu"
            f"  {size / obvious.cpu:9.0f} rec/s"
            f"  -> sftlint {obvious.cpu / stage.cpu:.1f}x faster"
        )
        bulk, bulk_pairs = datasketch_bulk(texts)
        print(
            f"  datasketch bulk       {bulk.wall:8.2f} s wall {bulk.cpu:8.2f} s cpu  {size / bulk.cpu:9.0f} rec/s"
            f"  -> sftlint {bulk.cpu / stage.cpu:.1f}x faster (same pairs as obvious: {bulk_pairs == obvious_pairs})"
        )
        if size == quality_size and not args.no_quality:
            quality(path.name, texts, copies, findings, obvious_pairs)
        del texts


if __name__ == "__main__":
    main()
