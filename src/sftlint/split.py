"""`sftlint split`: hold out an evaluation set that is not contaminated by construction.

A random split of fine-tuning data leaks: copies of one record, or the same prompt with
different answers, land on both sides, and the evaluation then measures memorisation. So
records are first joined into groups (union-find over every `Grouper`'s groups), and whole
groups are assigned to one side. The split is seeded and depends only on the input bytes and
the options; records keep their input order and their exact bytes on either side. An input that
is not JSON Lines (a JSON array, CSV/TSV, Parquet, Arrow, a `datasets` folder) is split by
record position and each side written in the input's format (`sftlint.subsets`).

Groupers are pluggable: anything with `add(index, record)` and `groups()` can join records.
The default ones are `SamePrompt` (exact copies and label-conflict groups), `NearDuplicates`
(SFT104's MinHash clusters, and prompts alike as SFT203 judges them) and `SharedRuns` (prompts
sharing a long run of words, SFT203's other rule).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sftlint.checks.contamination import ContaminationOptions
from sftlint.errors import SftlintError
from sftlint.evalsize import recommended_eval_size
from sftlint.io import LINE_END, display_name, iter_lines, parse_json, read_file
from sftlint.minhash import (
    NUM_PERM,
    THRESHOLD,
    MinHasher,
    SignedCorpus,
    UnionFind,
    find_clusters,
    lsh_params,
    normalise_text,
)
from sftlint.records import Record, normalise
from sftlint.subsets import check_output, gzip_if_named, input_kind, subset
from sftlint.text.normal import Compared, compared_text, squash

# Classification-like data: a label (the `label` field, or a short single-line response) on
# at least this share of records, with between 2 and MAX_STRATA distinct labels and on average
# at least MIN_PER_LABEL records per label.
LABELLED_SHARE = 0.9
MAX_STRATA = 50
MIN_PER_LABEL = 5
_LABEL_MAX_WORDS = 3
_LABEL_MAX_CHARS = 40


class Grouper(Protocol):
    """Joins records that must stay on the same side of the split."""

    def add(self, index: int, record: Record) -> None: ...

    def groups(self) -> Iterable[Sequence[int]]: ...


class SamePrompt:
    """Records with the same normalised prompt: exact duplicates and label-conflict groups.

    Two records with the same instruction and input (the user turns for chat, whatever the
    system prompt) are one example as far as contamination goes, whatever their responses.
    """

    def __init__(self) -> None:
        self.by_prompt: dict[bytes, list[int]] = defaultdict(list)

    def add(self, index: int, record: Record) -> None:
        prompt = squash(record.instruction) if record.turns is not None else squash(record.prompt)
        key = hashlib.blake2b(prompt.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        self.by_prompt[key].append(index)

    def groups(self) -> Iterator[list[int]]:
        return (indices for indices in self.by_prompt.values() if len(indices) > 1)


class NearDuplicates:
    """Records that SFT104 would cluster as near-duplicates: the same shingles, MinHash and
    verified Jaccard threshold, so what the linter calls one cluster lands on one side.

    Unlike SFT104, records with different labels are joined too: a near-same prompt with
    another label still leaks the prompt into the evaluation set. Texts are signed in batches
    as they stream in; the shingle sets wait in a temporary file (see `SignedCorpus`).
    """

    def __init__(self, threshold: float = THRESHOLD, on: Compared = "pair", num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.on = on
        bands, rows = lsh_params(threshold, num_perm)
        self.corpus = SignedCorpus(MinHasher(num_perm), bands, rows)
        self.indices: list[int] = []

    def add(self, index: int, record: Record) -> None:
        self.indices.append(index)
        self.corpus.add(normalise_text(compared_text(record, self.on)))

    def groups(self) -> Iterator[list[int]]:
        keys = self.corpus.freeze()
        ids = np.flatnonzero(self.corpus.store.sizes() > 0)
        try:
            clusters = find_clusters(keys, ids, self.corpus.store, self.threshold)
        finally:
            self.corpus.store.close()
        return ([self.indices[m] for m in cluster.members] for cluster in clusters)


class SharedRuns:
    """Records whose prompts (the text `on` names) share a run of words that no more than
    `max_records` records have, as SFT203 calls a training prompt contamination: a run of
    `long` (13) words, or of `short` (8) when one of the prompts has fewer than 2 x `long` + 1
    words ("Hi. Can I upgrade from the Solo plan to a bigger plan?" and "I'm new here. Can I
    upgrade from the Solo plan to a bigger plan?"). A run more records share is a template or a
    set phrase, as SFT203 counts it, and joins nothing.
    """

    def __init__(self, long: int = 13, short: int = 8, on: Compared = "prompt", max_records: int = 4) -> None:
        self.long, self.short, self.on, self.max_records = long, short or long, on, max_records
        self.indices: list[int] = []
        self.texts: list[str] = []

    def add(self, index: int, record: Record) -> None:
        text = normalise_text(compared_text(record, self.on))
        if text.count(" ") + 1 >= min(self.long, self.short):
            self.indices.append(index)
            self.texts.append(text)

    def groups(self) -> Iterator[list[int]]:
        if len(self.texts) < 2:
            return iter(())
        hasher = MinHasher()
        short = np.array([text.count(" ") + 1 < 2 * self.long + 1 for text in self.texts])
        forest = UnionFind(len(self.texts))
        for n, needs_short in ((self.long, False), (self.short, True)):
            hashes, owner, _ = hasher.ngrams(self.texts, n)
            runs = np.unique(np.stack([hashes.astype(np.int64), owner]), axis=1)  # each run once per text
            _, starts, counts = np.unique(runs[0], return_index=True, return_counts=True)  # contiguous, sorted
            kept = (counts >= 2) & (counts <= self.max_records)
            if needs_short and len(starts):  # a run this short joins only where one of its prompts is short
                kept &= np.add.reduceat(short[runs[1]].astype(np.int64), starts) > 0
            kept = np.repeat(kept, counts)
            forest.union(np.repeat(runs[1, starts], counts)[kept], runs[1][kept])  # each text with the run's first
        members: dict[int, list[int]] = defaultdict(list)
        for text, root in enumerate(forest.roots(np.arange(len(self.texts), dtype=np.int64)).tolist()):
            members[root].append(self.indices[text])
        return (group for group in members.values() if len(group) > 1)


def leak_groupers(options: ContaminationOptions | None = None) -> list[Grouper]:
    """What SFT203 with these options (its defaults when None) would call contamination: prompts
    alike at its threshold, and prompts sharing one of its runs."""
    options = options or ContaminationOptions()
    groupers: list[Grouper] = [NearDuplicates(options.threshold, options.on, options.num_perm)]
    if options.ngram:
        groupers.append(SharedRuns(options.ngram, options.short_ngram, options.on))
    return groupers


@dataclass
class Split:
    """The outcome: which records go where (by index: position - 1), and the figures the command prints."""

    lines: list[bytes]  # JSON Lines: every non-blank physical line, newline-terminated, in input order
    train: list[int]
    eval: list[int]
    invalid: int = 0
    groups: int = 0  # groups of two or more records
    largest_group: int = 0
    strata: dict[str, int] = field(default_factory=dict)  # label -> records, when stratified
    source: str = ""
    kind: str = "jsonl"  # the input's format (`sftlint.subsets.input_kind`)
    total: int = 0  # records read

    def data(self, side: list[int], output: Path) -> bytes:
        """The content of `output` holding the records of `side`, in the input's format."""
        if self.kind == "jsonl":
            return gzip_if_named(b"".join(self.lines[i] for i in side), output)
        check_output(self.source, self.kind, output, "split")
        return subset(self.source, self.kind, [i + 1 for i in side], output)


def _label(record: Record) -> str | None:
    if record.label is not None:
        return record.label
    text = record.response.strip()
    if "\n" not in text and len(text) <= _LABEL_MAX_CHARS and 0 < len(text.split()) <= _LABEL_MAX_WORDS:
        return squash(text)
    return None


def nonblank_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """Physical non-blank lines of a JSON Lines file (numbered as `sftlint.io.iter_lines`
    numbers them), each ending in a newline."""
    for number, data in iter_lines(path):
        if data.strip():
            yield number, data if data.endswith(LINE_END) else data + LINE_END


def split(
    path: str,
    eval_fraction: float | None,
    seed: int = 0,
    fields: dict[str, str] | None = None,
    stratify: bool = True,
    groupers: Sequence[Grouper] | None = None,
) -> Split:
    """Split one input into train and eval record indices (nothing is written here).

    `groupers` defaults to `SamePrompt()` and `NearDuplicates()`. Without `eval_fraction`, the
    evaluation set is the size SFT205 recommends for the valid records (`recommended_eval_size`).
    """
    if eval_fraction is not None and not 0 < eval_fraction < 1:
        raise SftlintError(f"--eval-fraction must be between 0 and 1, got {eval_fraction}")
    kind = "jsonl" if path == "-" else input_kind(path)  # standard input is read once: JSON Lines
    groupers = list(groupers) if groupers is not None else [SamePrompt(), NearDuplicates(), *leak_groupers()]
    lines: list[bytes] = []
    labels: list[str | None] = []
    valid: list[int] = []
    for number, value, error, data in _records(path, kind):
        index = len(labels)
        if data is not None:
            lines.append(data)
        labels.append(None)
        record = None if error else normalise(value, path, number, fields)[0]
        if record is None:
            continue
        labels[index] = _label(record)
        valid.append(index)
        for grouper in groupers:
            grouper.add(index, record)
    firsts: list[int] = []
    others: list[int] = []
    for grouper in groupers:
        for group in grouper.groups():
            firsts += [group[0]] * (len(group) - 1)
            others += group[1:]
    uf = UnionFind(len(labels))
    uf.union(np.asarray(firsts, dtype=np.int64), np.asarray(others, dtype=np.int64))
    members: dict[int, list[int]] = defaultdict(list)
    for index, root in zip(valid, uf.roots(np.asarray(valid, dtype=np.int64)).tolist(), strict=True):
        members[root].append(index)
    groups = sorted(members.values(), key=lambda g: g[0])
    if eval_fraction is None:
        eval_fraction = recommended_eval_size(len(valid)) / len(valid) if valid else 0.0
    strata = _strata(groups, labels, len(valid)) if stratify else None
    rng = random.Random(seed)
    chosen: list[int] = []
    by_stratum: dict[str, list[list[int]]] = defaultdict(list)
    for group in groups:
        by_stratum[strata[group[0]] if strata else ""].append(group)
    for name in sorted(by_stratum):
        in_stratum = by_stratum[name]
        target = round(eval_fraction * sum(len(g) for g in in_stratum))
        rng.shuffle(in_stratum)
        taken = 0
        for group in in_stratum:
            if abs(taken + len(group) - target) < abs(taken - target):  # closer to the target
                chosen.extend(group)
                taken += len(group)
    eval_set = set(chosen)
    big = [len(g) for g in groups if len(g) > 1]
    return Split(
        lines=lines,
        train=[i for i in range(len(labels)) if i not in eval_set],
        eval=sorted(eval_set),
        invalid=len(labels) - len(valid),
        groups=len(big),
        largest_group=max(big, default=1),
        strata=dict(Counter(labels[i] for i in valid if labels[i] is not None)) if strata else {},
        source=path,
        kind=kind,
        total=len(labels),
    )


def _records(path: str, kind: str) -> Iterator[tuple[int | None, Any, bool, bytes | None]]:
    """(line, parsed value, whether it failed to parse, the line's bytes in JSON Lines) per record."""
    if kind != "jsonl":
        for raw in read_file(path):
            yield raw.line, raw.value, raw.error is not None or raw.oversized is not None, None
        return
    for index, (number, data) in enumerate(nonblank_lines(path)):
        value, error = parse_json(data.decode("utf-8", errors="replace").rstrip("\r\n"))
        if index == 0 and data.lstrip().startswith(b"[") and (error or isinstance(value, list)):
            raise SftlintError(f"{path}: split needs JSON Lines (one record per line), not a JSON array")
        if index == 0 and data.strip() == b"{":  # `jq .` output on standard input: no record is one line
            raise SftlintError(
                f"{display_name(path)}: split needs JSON Lines (one record per line), not JSON objects spread "
                "over several lines; write one per line, for example with: jq -c ."
            )
        yield number, value, error is not None, data


def _strata(groups: list[list[int]], labels: list[str | None], valid: int) -> dict[int, str] | None:
    """Each group's stratum (its most common label), keyed by the group's first index; None
    when the data is not classification-like."""
    counts = Counter(label for group in groups for i in group if (label := labels[i]) is not None)
    if not valid or sum(counts.values()) < LABELLED_SHARE * valid:
        return None
    if not 2 <= len(counts) <= min(MAX_STRATA, valid / MIN_PER_LABEL):
        return None  # one class, or short free-text answers rather than a label set
    out = {}
    for group in groups:
        in_group = Counter(labels[i] or "" for i in group)
        out[group[0]] = min(in_group, key=lambda label: (-in_group[label], label))
    return out
