"""How large an evaluation set to hold out: shared by `sftlint split` and SFT205's advice."""

from __future__ import annotations

import math

# Evaluation set sizing: 10 % of the data, at least 100 records (a 95 % margin of about
# +/-10 points on an accuracy-like score) but never more than 20 % of a small dataset, and at
# most 1,000 (+/-3 points): past that, records do more good in training.
EVAL_FRACTION = 0.1
EVAL_MIN = 100
EVAL_MAX_SHARE_SMALL = 0.2
EVAL_MAX = 1000
#: fewest usable pairs worth fine-tuning on: SFT201's default, and what SFT205's advice leaves for training
MIN_PAIRS = 300


def recommended_eval_size(pairs: int) -> int:
    """How many records to hold out for evaluation from a dataset of `pairs` records."""
    if pairs < 2:
        return 0
    floor = min(EVAL_MIN, int(pairs * EVAL_MAX_SHARE_SMALL))
    return max(1, min(EVAL_MAX, max(floor, round(pairs * EVAL_FRACTION))))


def margin_points(size: int) -> float:
    """The 95 % margin, in percentage points, of a rate measured on `size` records (worst case p=0.5)."""
    return 100 * 1.96 * 0.5 / math.sqrt(size) if size else float("inf")
