"""`sftlint precommit`: what the pre-commit hook runs on the staged files.

pre-commit hands over every staged file at once, but the files of a commit are seldom one
dataset: a training file and its evaluation set go in together, or two unrelated datasets.
Linted as one, a 100-record evaluation set fails on the training-set size and nothing compares
it with the training data. So here each staged file is its own dataset. The evaluation sets are
the config's `against` (and `--against`): a staged evaluation set is checked as evaluation data
(its records, not its size nor the training advice), and every training file is checked against
all the evaluation sets (contamination). A `.json` file that is one JSON object, not an array
of records, is a config or manifest file, not a dataset: it is named and left alone.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

from sftlint.baseline import stale_in
from sftlint.config import Config
from sftlint.io import shown_path
from sftlint.output import RENDERERS, printable

#: checks about training on a dataset, which say nothing of an evaluation set.
TRAINING_ONLY = ["dataset-size", "fits-in-context", "no-evaluation-set"]
#: a `.json` file up to this size is read whole to tell a dataset from a config file.
PEEK_BYTES = 1 << 20


def _same(path: str) -> Path:
    return Path(path).resolve()


def is_object_file(path: str) -> bool:
    """Whether `path` is a `.json` (or `.json.gz`) file holding one JSON object (package.json, a
    manifest): not records. A JSON array, JSON Lines or anything unreadable is left for the
    checks to judge."""
    file = Path(path)
    name = file.name.lower()
    if not name.endswith((".json", ".json.gz")) or not file.is_file() or file.stat().st_size > PEEK_BYTES:
        return False
    try:
        with gzip.open(file) if name.endswith(".gz") else file.open("rb") as handle:
            data = handle.read(PEEK_BYTES + 1)
        value = json.loads(data) if len(data) <= PEEK_BYTES else None
    except (OSError, EOFError, ValueError, RecursionError):
        return False
    return isinstance(value, dict)


def plan(files: list[str], config: Config) -> list[tuple[str, str]]:
    """Each staged file with its role: "training", "evaluation" (named in `against`) or "skipped"."""
    evaluation = {_same(p) for p in config.against}
    out = []
    seen: set[Path] = set()
    for path in files:
        if _same(path) in seen:
            continue  # one file named twice ("a.jsonl ./a.jsonl") is linted once
        seen.add(_same(path))
        if is_object_file(path):
            out.append((path, "skipped"))
        else:
            out.append((path, "evaluation" if _same(path) in evaluation else "training"))
    return out


def run_precommit(files: list[str], config: Config, lint: Callable, echo: Callable[[str], None]) -> int:
    """Lint each file as its own dataset (`lint(paths, config)` gives a Result); print each file's
    text output under a heading; 1 if any is NO-GO, else 0."""
    worst, first = 0, True
    for path, role in plan(files, config):
        if role == "skipped":
            echo(printable(f"sftlint: {path}: one JSON object, not a dataset: skipped"))
            continue
        if role == "evaluation":
            heading = f"{path}: evaluation set (its records are checked, not its size)"
            settings = config.model_copy(update={"against": [], "ignore": [*config.ignore, *TRAINING_ONLY]})
        else:
            against = [p for p in config.against if _same(p) != _same(path)]
            shown = ", ".join(shown_path(p) for p in against)
            heading = f"{path}: training data" + (f", checked against {shown}" if against else "")
            settings = config.model_copy(update={"against": against})
        result = lint([path], settings)
        if result.baseline is not None:  # the other files' accepted findings are not stale in this one
            result.baseline["stale"] = stale_in(result.baseline["stale"], [path])
        if not first:
            echo("")
        echo(printable(f"== {heading}"))
        first = False
        echo(RENDERERS["text"](result))
        worst = max(worst, 1 if result.verdict == "no-go" else 0)
    return worst
