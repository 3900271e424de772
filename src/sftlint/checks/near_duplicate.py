from __future__ import annotations

import hashlib
import json
import re
import zlib
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.findings import Finding, Location, Severity, where
from sftlint.minhash import (
    NUM_PERM,
    THRESHOLD,
    Cluster,
    MinHasher,
    SignedCorpus,
    Sketches,
    find_clusters,
    fold_text,
    handed_over,
    lsh_params,
)
from sftlint.places import Places
from sftlint.records import Record
from sftlint.text.normal import NUMBERS_COUNT, Compared, compared_text, content_key, numbers_key

_COUNT_BITS = np.uint64(NUMBERS_COUNT)
#: members of a cluster named in `related` and in the summary
SHOWN_MEMBERS = 5
SHOWN_CLUSTERS = 10
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
#: how much less alike than the whole records two answers may be (the sketch's error, with room)
ANSWER_MARGIN = 0.15


def _spaced(run: re.Match[str]) -> str:
    """A run of Chinese, Japanese or Korean characters, a space around each: one call a run, not a character."""
    return f" {' '.join(run.group())} "


def last_answer(record: Record) -> str:
    """The answer a record ends on (its last assistant turn, or its response), with each Chinese,
    Japanese or Korean character a word of its own: text without spaces is compared by its
    character pairs, so a reworded Chinese reply still looks like the one it rewords. (Two such
    characters in a row are parted by one space, not two: the same words once folded.)"""
    if record.turns is not None:
        answer = next((t.content for t in reversed(record.turns) if t.role == "assistant" and t.trained), "")
    else:
        answer = record.response
    return answer if answer.isascii() else _CJK_RUN.sub(_spaced, answer)


def _label_group(label: str | None, desirable: bool | None = None) -> int:
    """Records with different labels are never near-duplicates: conflicting labels are SFT110's.
    Nor are a desirable and an undesirable completion of KTO data: they differ by design."""
    if desirable is not None:
        label = f"{label}\x00{desirable}"
    if label is None:
        return 0
    return int.from_bytes(hashlib.blake2b(label.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _tools_masks(record: Record) -> tuple[int, int]:
    """The tools a record declares, each name one bit in each of two 64-bit masks, picked by two
    parts of its hash ((0, 0) when it declares none). Two records whose masks share no bit in
    either share no tool; two that share a tool share a bit in both (two tools alone collide in
    both once in 4,096 times, and are then taken as sharing one)."""
    declared = record.tool_use.declared if record.tool_use is not None else None
    return _bit_masks(declared or ())


def _bit_masks(words: Iterable[str]) -> tuple[int, int]:
    """Each word one bit in each of two 64-bit masks, picked by two parts of its CRC32: one set's
    words are among another's when its bits are among the other's in both (or, seldom, by chance)."""
    first = second = 0
    for word in words:
        hashed = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        first |= 1 << (hashed & 63)
        second |= 1 << ((hashed >> 8) & 63)
    return first, second


#: an argument value of at most this many words is a slot's filling (a city, a date, a name);
#: longer ones are free text (an e-mail's body), which a reworded copy rewords
_SLOT_WORDS = 4
_SLOT_DEPTH = 16
_SLOT_WORD = re.compile(r"\w+")


def _slot_words(value: Any, out: set[str], depth: int = 0) -> None:
    """Add the words of the short values in a call's arguments to `out`, case folded: a
    number is one word ("12345", 12345 and 12345.0 alike; "-40" is not "40"), as are true,
    false and null, written or quoted. Values nested deeper than `_SLOT_DEPTH` are not read."""
    if isinstance(value, (dict, list)):
        if depth < _SLOT_DEPTH:
            for item in value.values() if isinstance(value, dict) else value:
                _slot_words(item, out, depth + 1)
        return
    if isinstance(value, bool) or value is None:
        out.add(json.dumps(value))
        return
    text = str(value)
    if len(text.split()) > _SLOT_WORDS:
        return
    try:
        out.add(repr(float(text)))
    except (ValueError, OverflowError):
        out.update(_SLOT_WORD.findall(text.casefold()))


def _slot_masks(record: Record) -> tuple[int, int] | None:
    """The words of the short values of every call a record makes (`_slot_words`) as `_bit_masks`,
    None when it makes no call (other words taken for a record's own once in hundreds of times:
    a copy is then reported as before)."""
    use = record.tool_use
    if use is None or not use.calls:
        return None
    words: set[str] = set()
    for call in use.calls:
        _slot_words(call.arguments, words)
    return _bit_masks(words)


def _refilled(keys: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether records x[k] and y[k] give as many numbers (`numbers_key`), not the same ones:
    values put in a template's slots."""
    a, b = keys[x], keys[y]
    return (a != b) & ((a & _COUNT_BITS) == (b & _COUNT_BITS))


class NearDuplicateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    threshold: float = Field(
        THRESHOLD, gt=0.0, le=1.0, description="Jaccard similarity at which two records are near-duplicates"
    )
    on: Compared = Field("pair", description="text compared: pair (instruction+input+response), prompt or response")
    max_rate: float = Field(0.05, ge=0.0, le=1.0, description="highest share of redundant copies before it is an error")
    num_perm: int = Field(NUM_PERM, ge=16, le=1024, description="MinHash permutations")


class NearDuplicate(Check):
    """Records that are nearly the same as another: reworded, retyped or lightly edited copies.

    What it does: Compares records by the Jaccard similarity of their sets of word pairs
    (2-grams, after Unicode NFKC, lower case, punctuation and extra whitespace removed;
    character 5-grams for texts under 5 words), using MinHash signatures and LSH to find
    candidates, then verifies every candidate with the exact Jaccard of the two shingle sets.
    Word pairs, not longer shingles, because an edited word breaks every shingle it is in: a
    copy with 8 % of its words replaced keeps ~85 % of its word pairs (Jaccard ~0.73; at worst
    0.65 for 20 words with 2 replaced far apart) but only ~66 % of its 5-grams (Jaccard ~0.49).
    The default threshold 0.6 finds copies with 3-8 % of their words substituted, inserted or
    deleted (recall 0.99-1.00 at 3-5 % and 0.96-0.99 at 8 % on edited real records,
    `benchmarks/neardup_edits.py`), while
    records sharing only a template, or a quarter of their words replaced, stay apart.
    With `on = "pair"`, the two answers must be alike as well (their estimated Jaccard at least
    `threshold` - 0.15, from a 32-value sketch of each record's last answer): two branches of
    one conversation share their history but not their last reply, and the same question with
    another answer is an alternative, not a copy. Nor are two records a copy when their prompts
    (user turns) give other numbers and their last answers answer other numbers, as many in each:
    a template filled with other values (a tip on $50 and on $100) is another example, and so
    are two records that both call tools with other words in their short argument values,
    neither's all among the other's ("weather in Sacramento" and "weather in Rutherford, NJ",
    each called with its city; the words of values of up to four words, case folded, a number
    one word, "12345" and 12345 alike; argument and function names and longer texts such as an
    e-mail body left out, as reworded copies change them; not with `on = "prompt"`). Nor are
    two records that declare tools but share none: the same request with other tools at hand
    teaches another choice (which tool to call, or what to decline). Verified pairs are grouped
    into clusters; each record but the first of its cluster is reported with the first (and a
    few other members) in `related`, its Jaccard with the record it was verified against in
    `score`, and the cluster id and that partner in `data`.
    Exact copies are left to SFT103, and records with different labels to SFT110 (label
    inconsistency): they are never near-duplicates of each other. The dataset summary gives the clusters, the redundant
    records and their rate; a rate above `max_rate` is itself an error (or of the severity
    configured for the check, which is never overridden).

    Why it matters: Near-duplicate copies are trained on several times, so the model
    over-weights and memorises them, and they inflate the apparent size of the dataset while
    adding nothing new. A high rate usually means templated generation or a merge of
    overlapping sources.

    How to fix: Keep one record per cluster (the first, or the best) and drop the others. If
    records legitimately share a long template, compare only the part that varies with
    `on = "response"` or `on = "prompt"`.

    Options: `threshold` (0.6), `on` ("pair", "prompt" or "response"; chat records are compared
    without their system prompt), `max_rate` (0.05) and `num_perm` (128) under
    `[tool.sftlint.checks.near-duplicate]`.
    """

    code = "SFT104"
    slug = "near-duplicate"
    severity = Severity.WARNING
    cost = 37
    disqualifies = True
    Options = NearDuplicateOptions

    def __init__(self, options: NearDuplicateOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.bands, self.rows = lsh_params(self.options.threshold, self.options.num_perm)
        self.answers = Sketches() if self.options.on == "pair" else None
        self.corpus = SignedCorpus(
            MinHasher(self.options.num_perm), self.bands, self.rows, keys_on_disk=True, sketches=self.answers
        )
        self.files: list[str] = []
        self.file_index: dict[str, int] = {}
        self.file_ids = array("i")
        self.positions = array("q")
        self.content = bytearray()  # 8 bytes of SFT103's content key per record
        # per record: the numbers it is given and those it answers (`numbers_key`), its tools (`_tools_masks`)
        # and the words of its calls' short values (`_slot_masks`; calling: whether it makes a call)
        self.given, self.answered, self.tools, self.tools_too = array("Q"), array("Q"), array("Q"), array("Q")
        self.slots, self.slots_too, self.calling = array("Q"), array("Q"), bytearray()
        self.result: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        index = self.file_index.get(record.file)
        if index is None:
            index = self.file_index[record.file] = len(self.files)
            self.files.append(record.file)
        self.file_ids.append(index)
        self.positions.append(record.position)
        self.content += content_key(record)[:8]
        text, group = compared_text(record, self.options.on), _label_group(record.label, record.desirable)
        answer = last_answer(record)
        # what a record is asked: its user turns (not tool results: a random password or a quote differs
        # in every run of one conversation), or its instruction and input
        if record.turns:
            asked = "\n".join([t.content for t in record.turns if t.role == "user"])
        else:
            asked = f"{record.instruction}\n{record.input}"
        self.given.append(numbers_key(asked))
        self.answered.append(numbers_key(answer))
        masks = _tools_masks(record)
        self.tools.append(masks[0])
        self.tools_too.append(masks[1])
        slots = _slot_masks(record) if self.options.on != "prompt" else None
        self.calling.append(slots is not None)
        self.slots.append(slots[0] if slots else 0)
        self.slots_too.append(slots[1] if slots else 0)
        if self.answers is None:
            self.corpus.add(fold_text(text), group)
            return
        cut = len(text) - len(answer)
        if cut > 0 and text[cut - 1].isspace() and text.endswith(answer) and text.isascii():
            # ASCII text that ends on its answer after a space: its words are the prompt's, then the
            # answer's (folding is letter by letter), so both are folded and hashed once
            prompt, reply = fold_text(text[:cut]), fold_text(answer)
            if prompt and reply:
                self.corpus.add((prompt, reply), group)
            else:
                self.corpus.add(prompt or reply, group, answer=reply)
        else:
            self.corpus.add(fold_text(text), group, answer=fold_text(answer))

    def finish(self, context: Context) -> Iterator[Finding]:
        places = context.places

        located: dict[int, Location] = {}  # members are named several times (first, partner, related)

        def location(i: int) -> Location:
            at = located.get(i)
            if at is None:
                file, position = self.files[self.file_ids[i]], self.positions[i]
                at = located[i] = Location(file, places.line(file, position), position)
            return at

        threshold = self.options.threshold
        work: dict[str, int] = {}
        clusters, exact_copies = self._cluster(work)
        # the largest clusters' members are picked now: each cluster is let go once reported
        by_size = sorted(range(len(clusters)), key=lambda k: (-len(clusters[k].members), k))[:SHOWN_CLUSTERS]
        largest = [(k + 1, len(clusters[k].members), clusters[k].members[:SHOWN_MEMBERS]) for k in by_size]
        redundant = 0
        limit = f", threshold {threshold:g})"
        for number, cluster in enumerate(handed_over(clusters), start=1):
            members, size = cluster.members, len(cluster.members)
            first, first_at = members[0], location(members[0])
            # Named in `related`: the first, the partner, then the next members (a slice keeps a
            # cluster of 100,000 copies linear), each once and never the member itself.
            next_at = [(m, location(m)) for m in members[1 : SHOWN_MEMBERS + 2]]
            first_said: dict[str, str] = {}  # by the member's file ("first at line 3" within one file)
            # one `data` for the members verified against the same partner: ~180 bytes a finding less
            shared: dict[int, dict[str, Any]] = {}
            for member in members[1:]:
                redundant += 1
                partner, similarity = cluster.links[member]
                here, partner_loc = location(member), first_at if partner == first else location(partner)
                related = [first_at] if partner == first else [first_at, partner_loc]
                related += [at for m, at in next_at if m != member and m != partner]
                message = f"near-duplicate of {self._where(places, partner_loc, here)} (Jaccard {similarity:.2f}{limit}"
                if size > 2:
                    if (said := first_said.get(here.file)) is None:
                        first_where = self._where(places, first_at, here)
                        said = first_said[here.file] = f"; cluster {number} has {size} records, first at {first_where}"
                    message += said
                if (data := shared.get(partner)) is None:
                    data = shared[partner] = {"cluster": number, "cluster_size": size, "partner": partner_loc.to_dict()}
                found = self.finding(message, at=here, related=related[:SHOWN_MEMBERS], score=similarity)
                found.data = data
                yield found
        rate = redundant / context.valid if context.valid else 0.0
        self.result = {
            "clusters": len(clusters),
            "redundant": redundant,
            "rate": round(rate, 4),
            "max_rate": self.options.max_rate,
            "threshold": threshold,
            "pairs_verified": work.get("verified", 0),  # candidate pairs whose sets were compared: the cost
            "largest": [
                {"id": number, "size": size, "members": [location(m).to_dict() for m in members]}
                for number, size, members in largest
            ],
            "on": self.options.on,
            "lsh": {"bands": self.bands, "rows": self.rows, "num_perm": self.options.num_perm},
            "verification": "exact Jaccard of shingle sets",
            "exact_copies_skipped": exact_copies,
        }
        self.file_ids, self.positions = array("i"), array("q")
        past = self.share_past_limit(redundant, context.valid, "near-duplicate copies", self.options.max_rate)
        if past is not None:
            yield past

    def _cluster(self, work: dict[str, int]) -> tuple[list[Cluster], int]:
        """The verified clusters, and how many records were left to SFT103 as exact copies.

        What the records were compared by (band keys, shingle sets, answer sketches, content
        keys) is let go here, before the findings are built: at a million records it is some
        100 MB that the findings would otherwise be stacked on.
        """
        keys = self.corpus.freeze()
        content = np.frombuffer(bytes(self.content), dtype=np.uint64)
        self.content = bytearray()
        _, first = np.unique(content, return_index=True)
        exact_copy = np.ones(len(content), dtype=bool)
        exact_copy[first] = False  # SFT103 reports these; they are not near-duplicates again
        ids = np.flatnonzero(~exact_copy & (self.corpus.store.sizes() > 0))
        threshold = self.options.threshold
        given, answered, tools, tools_too = (
            np.frombuffer(a, dtype=np.uint64) for a in (self.given, self.answered, self.tools, self.tools_too)
        )
        calling = np.frombuffer(self.calling, dtype=bool)
        slots, slots_too = (np.frombuffer(a, dtype=np.uint64) for a in (self.slots, self.slots_too))

        def called_alike(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            """Whether the call words of x[k] are among y[k]'s or the other way (true when one makes no call)."""
            within = ((slots[x] & ~slots[y]) == 0) & ((slots_too[x] & ~slots_too[y]) == 0)
            around = ((slots[y] & ~slots[x]) == 0) & ((slots_too[y] & ~slots_too[x]) == 0)
            return within | around | ~(calling[x] & calling[y])

        answers, alike = self.answers, threshold - ANSWER_MARGIN
        if answers is not None:
            answers.freeze()

        def accept(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            """Whether records x[k] and y[k] may be copies: not a template refilled (other numbers
            asked and answered, as many of each; calls with other values), a tool in common (or no
            tools), and in pair mode answers alike."""
            ok = ~(_refilled(given, x, y) & _refilled(answered, x, y))
            shared = ((tools[x] & tools[y]) != 0) & ((tools_too[x] & tools_too[y]) != 0)
            ok &= shared | (tools[x] == 0) | (tools[y] == 0)
            if ok.any():
                ok[ok] = called_alike(x[ok], y[ok])
            if answers is not None and ok.any():
                ok[ok] = answers.similarity(x[ok], y[ok]) >= alike
            return ok

        clusters = find_clusters(keys, ids, self.corpus.store, threshold, accept=accept, counts=work)
        self.corpus.close()
        self.corpus = self.answers = None  # type: ignore[assignment]
        self.given, self.answered, self.tools, self.tools_too = array("Q"), array("Q"), array("Q"), array("Q")
        self.slots, self.slots_too, self.calling = array("Q"), array("Q"), bytearray()
        return clusters, int(exact_copy.sum())

    @staticmethod
    def _where(places: Places, target: Location, here: Location) -> str:
        return where(target.file, target.line, target.record, places.formats, beside=here.file)

    def summary(self) -> dict[str, Any] | None:
        return self.result
