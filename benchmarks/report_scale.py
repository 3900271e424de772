"""Report size and the cost of excerpts on a large corpus.

Generates (once) N clean support records with a defect planted every 97th and 331st record,
lints them, and prints: the engine's pass, the extra streaming read that collects excerpts
(as a ratio to the pass, measured in the same run), the JSON size and the HTML report's size
and render time. Usage: python benchmarks/report_scale.py [N] (default 1,000,000); the
corpus is kept in benchmarks/corpora (or $SFTLINT_CORPORA).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sample_generator import CORPORA, load_generator

from sftlint.api import build_checks
from sftlint.config import Config
from sftlint.engine import run
from sftlint.examples import collect_examples
from sftlint.output import render_json, to_dict
from sftlint.report import render_report


def corpus(n: int) -> Path:
    folder = CORPORA
    path = folder / f"report_scale_{n}_s3.jsonl"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for i, record in enumerate(load_generator().iter_clean_records(n, seed=3)):
                if i % 97 == 0:
                    record["output"] = "N/A"
                elif i % 331 == 0:
                    record["output"] += "<|endoftext|>"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    path = corpus(n)
    print(f"corpus: {path} ({path.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - started:.1f} s)")
    config = Config()
    t0 = time.perf_counter()
    result = run([str(path)], build_checks(config), {}, config.fail_on)
    t1 = time.perf_counter()
    result.config = config.model_dump(mode="json")
    result.examples = collect_examples([str(path)], result.findings, result.summaries, {}, config.examples_per_check)
    t2 = time.perf_counter()
    text = render_json(result)
    t3 = time.perf_counter()
    html = render_report(to_dict(result))
    t4 = time.perf_counter()
    pass_s, read_s = t1 - t0, t2 - t1
    print(f"records: {result.stats['records']:,}; findings: {len(result.findings):,}; examples: {len(result.examples)}")
    print(f"engine pass (baseline): {pass_s:.1f} s")
    print(f"excerpt read:           {read_s:.1f} s  ratio to the pass: {read_s / pass_s:.3f}")
    print(f"JSON result:            {len(text.encode()) / 1e6:.1f} MB in {t3 - t2:.1f} s")
    print(f"HTML report:            {len(html.encode()) / 1e6:.2f} MB in {t4 - t3:.1f} s (limit 10 MB)")


if __name__ == "__main__":
    main()
