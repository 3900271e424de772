from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sftlint.check import Check, Context, NoOptions
from sftlint.display import counted
from sftlint.evalsize import MIN_PAIRS, margin_points, recommended_eval_size
from sftlint.findings import Finding, Severity

if TYPE_CHECKING:
    from sftlint.config import Config


class NoEvaluationSet(Check):
    """No evaluation set was given, so nothing will tell whether fine-tuning worked.

    What it does: Looks for an evaluation set given with `--against FILE` or `against = [...]`
    in config. When there is none, it advises keeping one and says how large: 10 % of the
    valid records, at least 100 (at most 20 % of a small dataset, at least one) and at most 1,000, with the
    95 % margin of error that size gives on an accuracy-like score. It names the `sftlint split`
    command that holds such a set out: its default evaluation set is that size, counted the same
    way. When holding it out leaves the training set under the usable pairs SFT201 asks for
    (`min_pairs`), it says so, and how many pairs to add first.

    Why it matters: Fine-tuning pays off only against clear evaluation goals. Without held-out
    examples the training loss is the only signal, and it keeps falling while the model
    memorises; a set split off at random is no better when copies of a training record or the
    same prompt with another answer end up in it.

    How to fix: Run `sftlint split DATA -o train.jsonl -e eval.jsonl` (seeded; keeps
    duplicates and same-prompt groups on one side; stratified by label for classification
    data), train on train.jsonl, and lint it with `--against eval.jsonl`.
    """

    code = "SFT205"
    slug = "no-evaluation-set"
    severity = Severity.ADVICE
    runs_last = True

    def __init__(self, options: NoOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.result: dict[str, Any] | None = None
        self.min_pairs = MIN_PAIRS

    def start(self, config: Config) -> None:
        """The usable pairs SFT201 asks of the training set, as configured (`--min-pairs`)."""
        for name, table in config.checks.items():
            if name.lower() in ("sft201", "dataset-size") and isinstance(table, dict):
                wanted = table.get("min_pairs")
                if isinstance(wanted, int) and not isinstance(wanted, bool):
                    self.min_pairs = wanted

    def finish(self, context: Context) -> Iterator[Finding]:
        against = list(context.against)
        # sized on the valid records, as `sftlint split` sizes its default: the command below holds it out
        records = context.valid
        size = recommended_eval_size(records)
        self.result = {"present": bool(against), "files": against, "recommended_size": size}
        if against or size == 0:
            return
        fraction = size / records
        # one file by its name, quoted for a shell; standard input and records in memory
        # ("<stdin>", "<DataFrame>") as DATA
        named = len(context.files) == 1 and not context.files[0].startswith("<")
        data = shlex.quote(context.files[0]) if named else "DATA"
        train, held = "train.jsonl", "eval.jsonl"
        if named and os.path.basename(context.files[0]) in (train, held):  # never the input's own name
            train, held = "train.split.jsonl", "eval.split.jsonl"
        left = _left_for_training(context.usable_pairs, records, 0)
        short = ""
        if context.usable_pairs >= self.min_pairs > left:
            more = self.min_pairs - left  # each pair added grows the evaluation set too: find the count
            while _left_for_training(context.usable_pairs, records, more) < self.min_pairs:
                more += 1
            short = (
                f"; that leaves about {left} usable pairs for training, under the {self.min_pairs} SFT201 asks "
                f"for: add about {counted(more, 'pair')} first, or expect its NO-GO on the training set"
            )
        yield self.finding(
            f"no evaluation set given (--against or `against` in config): hold out about {size} of the "
            f"{records} records ({fraction:.0%}; a 95% margin of about ±{margin_points(size):.0f} points "
            f"on an accuracy-like score) with `sftlint split {data} -o {train} -e {held}`, whose default "
            f"evaluation set is this size{short}",
            recommended_size=size,
            eval_fraction=round(fraction, 4),
            training_pairs_left=left,
        )

    def summary(self) -> dict[str, Any] | None:
        return self.result


def _left_for_training(usable: int, records: int, added: int) -> int:
    """The usable pairs the training set keeps once `added` usable pairs join the valid records
    and the recommended evaluation set is held out (its share taken evenly from the usable ones)."""
    total = records + added
    return round((usable + added) * (total - recommended_eval_size(total)) / total)
