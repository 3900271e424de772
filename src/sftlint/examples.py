"""Excerpts of flagged records, so the JSON result (and the report rendered from it) can show them.

Findings carry only where their record is, and most dataset checks only know which records
they flag once every record has been read, so excerpts cannot be cut during the engine's pass
without keeping text for every record. Instead, after the pass, the wanted records (by
position) are picked out in one more streaming read of each input (`sftlint.io.read_records`):
lines of JSON Lines that are not wanted are counted, never parsed, and memory holds only the
few excerpts kept. Standard input, a pipe or a FIFO
cannot be read twice, so records read from them get no excerpts.

An excerpt is what a reviewer needs beside a finding: a conversation's turns with their roles
(the flagged turn always kept), the record a finding names (the original of a duplicate, the
evaluation record it leaks), and for the members of a group a summary names (near-duplicate
clusters, a plugin's groups) the differences from the group's first record, and for a flagged
record the differences from the partner its finding names, computed on the full texts while
they are at hand, never on the cut excerpts.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sftlint.errors import SftlintError
from sftlint.finding_store import FindingStore
from sftlint.findings import Finding
from sftlint.io import display_name, parse_json, read_records, rereadable, shown_path
from sftlint.records import Record, Turn, normalise
from sftlint.text.normal import ELLIPSIS, excerpt

#: characters kept of each field; longer text keeps its head and its tail around an ellipsis.
EXCERPT_CHARS = 400
#: groups of records a summary names (near-duplicate clusters, a plugin's groups), and members of
#: each, whose records get excerpts for the side-by-side view.
CLUSTERS_SHOWN = 10
MEMBERS_SHOWN = 4
#: turns kept of a longer conversation (the first, the last, the flagged ones and the turn before
#: each), and the characters kept of a turn that is not flagged.
MAX_TURNS = 8
TURN_CHARS = 240
#: words of each field compared for near-duplicate differences (a bound on the time: about 0.3 s
#: for two 2,000-word paragraphs differing every 50 words); characters of unchanged text kept on
#: each side of a difference, and of one changed stretch.
DIFF_WORDS = 2000
DIFF_CONTEXT_CHARS = 120
DIFF_CHANGED_CHARS = 600
_TURN = re.compile(r"\bturn (\d+)\b")


def is_int(value: Any) -> bool:
    """An int in a JSON value, not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def flagged_turns(message: str, data: Mapping[str, Any] | None = None) -> list[int]:
    """The turns a finding is about: `data["turn"]` when the check set it, else the turns its
    message names ("turn 3 (assistant) is empty", "turn 4 ... has no result before turn 6")."""
    turn = (data or {}).get("turn")
    if is_int(turn):
        return [turn]
    return sorted({int(n) for n in _TURN.findall(message)})


def place_key(place: Mapping[str, Any]) -> tuple[str, str, int] | None:
    """What tells a place's record apart, as (file, "record", position); a result saved before
    records had positions gives (file, "line", line). None for a place that is no record."""
    file = place.get("file")
    if not isinstance(file, str):
        return None
    for key in ("record", "line"):
        value = place.get(key)
        if is_int(value):
            return file, key, value
    return None


def named_record(
    related: Sequence[Mapping[str, Any]], data: Mapping[str, Any] | None = None
) -> Mapping[str, Any] | None:
    """The place of the record a finding is about besides its own: the partner its message names
    when the check gives one (`data["partner"]`, a near-duplicate's nearest copy), else the first
    related record (the original of a duplicate, the evaluation record it leaks)."""
    partner = (data or {}).get("partner")
    for place in ([partner] if isinstance(partner, Mapping) else []) + list(related[:1]):
        if isinstance(place, Mapping) and place_key(place) is not None:
            return place
    return None


def summary_groups(summary: Any) -> list[Mapping[str, Any]]:
    """The groups of records a check's summary names, for the side-by-side view: the first
    `CLUSTERS_SHOWN` objects with a `members` list in its `largest` list. That is the shape of
    the near-duplicate summary, and any check's summary (a plugin's too) may use it."""
    groups = summary.get("largest") if isinstance(summary, Mapping) else None
    if not isinstance(groups, list):
        return []
    return [g for g in groups if isinstance(g, Mapping) and isinstance(g.get("members"), list)][:CLUSTERS_SHOWN]


def _cluster_pairs(summaries: Mapping[str, Any]) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """(first member, other member) of the groups every summary names, as (file, record
    position): the pairs the report shows side by side."""
    pairs = []
    for summary in summaries.values():
        for group in summary_groups(summary):
            members = [
                (m["file"], m["record"])
                for m in group["members"][:MEMBERS_SHOWN]
                if isinstance(m, Mapping) and isinstance(m.get("file"), str) and is_int(m.get("record"))
            ]
            pairs += [(members[0], other) for other in members[1:]] if members else []
    return pairs


def wanted_records(
    findings: Iterable[Finding], summaries: Mapping[str, Any], per_check: int, placed: Mapping[str, int] | None = None
) -> dict[str, set[int]]:
    """The record positions to excerpt, by file: the first `per_check` flagged records of each
    check and the first record each of them names (the original of a duplicate, the evaluation
    record it leaks), plus the members of the groups the summaries name (shown side by side).

    `placed`, if known, is how many findings of each check name a record of a file
    (`Result.tally().placed`): the reading stops once every check has given what it can, not
    at the last of a million findings."""
    taken: dict[str, int] = {}
    wanted: dict[str, set[int]] = {}
    enough = {} if placed is None else {code: min(per_check, n) for code, n in placed.items() if n and per_check}
    unfinished = len(enough) if placed is not None else -1
    for f in findings:
        if unfinished == 0:
            break
        if f.file is None or f.record is None or taken.get(f.code, 0) >= per_check:
            continue
        taken[f.code] = count = taken.get(f.code, 0) + 1
        if count == enough.get(f.code):
            unfinished -= 1
        wanted.setdefault(f.file, set()).add(f.record)
        named = named_record([r.to_dict() for r in f.related[:1]], f.data)
        if named is not None and isinstance(named.get("record"), int):
            wanted.setdefault(named["file"], set()).add(named["record"])
    if per_check:
        for pair in _cluster_pairs(summaries):
            for file, position in pair:
                wanted.setdefault(file, set()).add(position)
    return wanted


def _turn_excerpts(record: Record, flagged: set[int]) -> tuple[list[dict[str, Any]], int]:
    """The record's turns, each cut to size, with the role as the file spells it for tool calls
    and results; a long conversation keeps its first and last turns and the `flagged` turns with
    the turn before each. Returns the turns and how many were left out."""
    turns = record.turns or ()
    spelled = _spelled_roles(record)
    first, last = (turns[0].index, turns[-1].index) if turns else (0, 0)
    keep = {first, last} | {i for t in flagged for i in (t - 1, t)}
    out = []
    for turn in turns:
        if len(turns) > MAX_TURNS and turn.index not in keep:
            continue
        text = turn.content  # a call's turn holds the call as JSON (name and arguments)
        out.append(
            {
                "index": turn.index,
                "role": spelled.get(turn.index, turn.role),
                "text": excerpt(text, EXCERPT_CHARS if turn.index in flagged else TURN_CHARS, keep_tail=True),
                "chars": len(text),
            }
        )
    return out, len(turns) - len(out)


def record_excerpt(
    file: str, line: int | None, position: int, text: str, fields: Mapping[str, str], turns: set[int] | None = None
) -> dict[str, Any]:
    """One example: the normalised record's fields cut to size (and its turns, for a
    conversation: `turns` are the flagged ones), or the raw text if it is not a record."""
    value, error = parse_json(text)
    record = normalise(value, file, line, fields)[0] if error is None else None
    if record is None:
        return {
            "file": file,
            "line": line,
            "record": position,
            "shape": None,
            "instruction": "",
            "input": "",
            "response": "",
            "label": None,
            "raw": excerpt(text, EXCERPT_CHARS, keep_tail=True),
            "chars": {"raw": len(text)},
        }
    out = {
        "file": file,
        "line": line,
        "record": position,
        "shape": record.shape,
        "instruction": excerpt(record.instruction, EXCERPT_CHARS, keep_tail=True),
        "input": excerpt(record.input, EXCERPT_CHARS, keep_tail=True),
        "response": excerpt(record.response, EXCERPT_CHARS, keep_tail=True),
        "label": None if record.label is None else excerpt(record.label, 100, keep_tail=True),
        "raw": None,
        "chars": {"instruction": len(record.instruction), "input": len(record.input), "response": len(record.response)},
    }
    if record.turns is not None:
        out["turns"], out["turns_left_out"] = _turn_excerpts(record, turns or set())
        tools, shown = _declared_tools(record, turns or set())
        if tools:
            out["tools"], out["chars"]["tools"] = shown, len(tools)
    return out


#: characters of a called tool's schema shown whole: the argument a finding cites may be its last
CALLED_TOOL_CHARS = 2_000


def _declared_tools(record: Record, flagged: set[int]) -> tuple[str, str]:
    """The tools a conversation declares, one line each (name and parameters' schema): what a
    call is held to, and what of it the report shows: all of it up to `CALLED_TOOL_CHARS`,
    else the tools its flagged turns call (or those it calls at all) whole, up to that many
    characters each, and the others by name on one line. A tool-calling record may offer
    dozens of tools; cut to a head and a tail, their schemas hid the one that was called."""
    use = record.tool_use
    if use is None or not use.declared:
        return "", ""
    called = {call.name for call in use.calls if call.turn in flagged} or {call.name for call in use.calls}
    lines = {name: f"{name} {json.dumps(schema, ensure_ascii=False)}" for name, schema in use.declared.items()}
    whole = "\n".join(lines[name] for name in sorted(lines, key=lambda name: name not in called))
    if len(whole) <= CALLED_TOOL_CHARS:
        return whole, whole
    if not called & lines.keys():
        return whole, excerpt(whole, EXCERPT_CHARS, keep_tail=True)
    shown = [excerpt(lines[name], CALLED_TOOL_CHARS, keep_tail=True) for name in lines if name in called]
    others = [name for name in lines if name not in called]
    if others:
        shown.append(excerpt("also declared: " + ", ".join(others), EXCERPT_CHARS, keep_tail=True))
    return whole, "\n".join(shown)


# -- near-duplicate differences, on the full texts -------------------------------------------

_WORD = re.compile(r"\S+\s*")


def diff_words(left: str, right: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Both texts as segments with `changed` set on the words the other text lacks: lines are
    matched first, then the words of the lines that differ (fast on long, mostly equal texts).

    The two lists are aligned, segment k of one beside segment k of the other: where one text
    has words the other lacks, the other has an empty changed segment marked `missing` (the place
    they would be), so both sides can be cut alike around every difference."""
    pairs: list[list[Any]] = []  # [text of left, text of right, changed]
    a, b = left.splitlines(keepends=True), right.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, [x.strip() for x in a], [x.strip() for x in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            _diff_word_level("".join(a[i1:i2]), "".join(b[j1:j2]), pairs)
        else:
            _pair(pairs, "".join(a[i1:i2]), "".join(b[j1:j2]), tag != "equal")
    return [_segment(p[0], p[1], p[2]) for p in pairs], [_segment(p[1], p[0], p[2]) for p in pairs]


def _diff_word_level(left: str, right: str, pairs: list[list[Any]]) -> None:
    a, b = _WORD.findall(left), _WORD.findall(right)
    _pair(pairs, left[: len(left) - len(left.lstrip())], right[: len(right) - len(right.lstrip())], False)
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _pair(pairs, "".join(a[i1:i2]), "".join(b[j1:j2]), tag != "equal")


def _pair(pairs: list[list[Any]], left: str, right: str, changed: bool) -> None:
    """Add a stretch of both texts, joined to the last one when it is changed (or not) alike."""
    if not (left or right):
        return
    if pairs and pairs[-1][2] == changed:
        pairs[-1][0] += left
        pairs[-1][1] += right
    else:
        pairs.append([left, right, changed])


def _segment(text: str, other: str, changed: bool) -> dict[str, Any]:
    segment: dict[str, Any] = {"text": text, "changed": changed}
    if changed and not text and other:
        segment["missing"] = True  # the other text has words here
    return segment


def _shorten(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], ...]:
    """Both sides' segments (aligned, as `diff_words` gives them) with long stretches cut in the
    middle (a `cut` segment, never a difference), at the same words on both sides: the report
    shows every difference with some context on each side, and stays small."""
    out: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    last = len(left) - 1
    for i, pair in enumerate(zip(left, right, strict=True)):
        changed = pair[0]["changed"]
        limit = DIFF_CHANGED_CHARS if changed else 2 * DIFF_CONTEXT_CHARS
        if all(len(seg["text"]) <= limit for seg in pair):
            out[0].append(pair[0])
            out[1].append(pair[1])
            continue
        inner = changed or 0 < i < last  # context on both sides of it
        keep_head = limit // 2 if inner or i > 0 else limit if last == 0 else 0
        keep_tail = limit // 2 if inner or (i == 0 and last > 0) else 0
        words = [_WORD.findall(seg["text"]) for seg in pair]
        heads = [_fitting(w, keep_head) for w in words]
        tails = [_fitting(w[::-1], keep_tail) for w in words]
        if not changed and len(words[0]) == len(words[1]):  # the same words: cut both at the same ones
            heads[1], tails[1] = heads[0], tails[0]
        for side, seg, side_words, n_head, n_tail in zip(out, pair, words, heads, tails, strict=True):
            text = seg["text"]
            if len(text) <= limit:
                side.append(seg)
                continue
            if n_head + n_tail < len(side_words):  # cut between words
                head = text[: len(text) - len(text.lstrip())] + "".join(side_words[:n_head])
                tail = "".join(side_words[len(side_words) - n_tail :])
            else:  # a few words with long runs of space: cut between characters
                head, tail = text[:keep_head], text[len(text) - keep_tail :] if keep_tail else ""
            if head:
                side.append({"text": head, "changed": changed})
            side.append({"text": ELLIPSIS, "changed": False, "cut": True})
            if tail:
                side.append({"text": tail, "changed": changed})
    return out


def _fitting(words: list[str], chars: int) -> int:
    """How many of `words` (from the first) fit in `chars` characters: at least one when any are wanted."""
    count = total = 0
    for word in words:
        total += len(word)
        if total > chars and count:
            break
        count += 1
        if total >= chars:
            break
    return count if chars else 0


def compare(left: Record, right: Record, keep_same: bool = False) -> list[dict[str, Any]]:
    """The fields of two records with the words that differ marked, computed on the full texts
    (the first `DIFF_WORDS` words of each), then shortened for showing.

    Two conversations are compared turn by turn, each field a turn named with its number and
    role ("turn 4 · function_call", "turn 3 / 4 · user" where the same turn has another number
    in the second): the first turn, and every turn that differs (the turns left out are the same
    in both; with `keep_same`, every turn: where what two records share is the evidence, as a
    contaminated prompt is). Turns are matched by their content, so a turn one conversation has
    more shows as missing from the other, not as every later turn changed."""
    if left.turns and right.turns:
        roles = [_spelled_roles(left), _spelled_roles(right)]
        fields = []
        for a, b in _aligned_turns(left.turns, right.turns):
            if a is not None and b is not None and a.content == b.content and fields and not keep_same:
                continue
            numbers = dict.fromkeys(str(t.index) for t in (a, b) if t is not None)
            role = " / ".join(dict.fromkeys(r[t.index] for r, t in zip(roles, (a, b), strict=True) if t is not None))
            fields += _compared(f"turn {' / '.join(numbers)} · {role}", a.content if a else "", b.content if b else "")
        return fields
    fields = []
    for name in ("instruction", "input", "response"):
        fields += _compared(name, getattr(left, name), getattr(right, name))
    return fields


#: turns of two conversations past which they are matched by number, not by content (matching
#: is quadratic in the turns at worst)
ALIGNED_TURNS = 1_000


def _aligned_turns(left: Sequence[Turn], right: Sequence[Turn]) -> list[tuple[Turn | None, Turn | None]]:
    """The turns of two conversations side by side, the same turns (role and text) matched
    wherever they are; between two matched stretches the turns are paired in order, and those one
    side has more face None."""
    matched: list[tuple[int, int, int]] = []  # (start in left, start in right, turns): none, paired in order
    if len(left) * len(right) <= ALIGNED_TURNS**2:
        keys = [[(t.role, t.content) for t in turns] for turns in (left, right)]
        matched = difflib.SequenceMatcher(None, *keys, autojunk=False).get_matching_blocks()[:-1]  # last: an end mark
    pairs: list[tuple[Turn | None, Turn | None]] = []
    i = j = 0
    for start_left, start_right, size in [*matched, (len(left), len(right), 0)]:
        gap = max(start_left - i, start_right - j)
        pairs += [
            (left[i + k] if i + k < start_left else None, right[j + k] if j + k < start_right else None)
            for k in range(gap)
        ]
        pairs += list(zip(left[start_left : start_left + size], right[start_right : start_right + size], strict=True))
        i, j = start_left + size, start_right + size
    return pairs


def _spelled_roles(record: Record) -> dict[int, str]:
    """Each turn's role, as the file spells it for tool calls and results."""
    roles = {t.index: t.role for t in record.turns or ()}
    if record.tool_use is not None:
        roles.update({call.turn: call.role for call in record.tool_use.calls})
        roles.update({result.turn: result.role for result in record.tool_use.results})
    return roles


def _compared(name: str, left: str, right: str) -> list[dict[str, Any]]:
    """One field of two records compared (none when both are empty)."""
    a, b = _WORD.findall(left), _WORD.findall(right)
    if not (a or b):
        return []
    left_segments, right_segments = _shorten(*diff_words("".join(a[:DIFF_WORDS]), "".join(b[:DIFF_WORDS])))
    compared_all = len(a) <= DIFF_WORDS and len(b) <= DIFF_WORDS
    return [{"name": name, "left": left_segments, "right": right_segments, "compared_all": compared_all}]


def _partner(f: Finding) -> tuple[str, int] | None:
    """The record a finding says its record is nearly the same as (`data["partner"]`: a
    near-duplicate's nearest copy, the evaluation record a training record leaks), as (file,
    record position): the two are compared word by word, as a group's members are."""
    partner = f.data.get("partner") if isinstance(f.data, Mapping) else None
    if isinstance(partner, Mapping) and isinstance(partner.get("file"), str) and is_int(partner.get("record")):
        return partner["file"], partner["record"]
    return None


def _name_in(wanted: Mapping[str, Any], path: str, given: str | None) -> str | None:
    """The name findings give `path` (`given`, as in `engine.run`; else the path as given, or an
    evaluation set's path as the contamination check shows it), if any finding wants records of it."""
    names = (given,) if given is not None else (display_name(path), shown_path(path))
    return next((name for name in names if name in wanted), None)


def _place(findings: FindingStore, f: Finding) -> tuple[int, int]:
    """Where a store reads finding `f`: by its file, then its record."""
    return findings.file_order(f.file), f.record or 0


def _last_place(findings: Sequence[Finding], wanted: Mapping[str, set[int]]) -> tuple[int, int] | None:
    """The place (`_place`) of the last wanted record in a store's reading order: (-2, 0), before
    every finding, when no record is wanted; None if the findings are not a store (a list has no
    order to rely on)."""
    if not isinstance(findings, FindingStore):
        return None
    places = [(findings.file_order(file), max(positions)) for file, positions in wanted.items() if positions]
    return max(places) if places else (-2, 0)


def collect_examples(
    paths: Sequence[str],
    findings: Sequence[Finding],
    summaries: Mapping[str, Any],
    fields: Mapping[str, str],
    per_check: int,
    names: Sequence[str] | None = None,
    placed: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Excerpts of the wanted records of every input (the training files and the evaluation sets
    their findings name), in file then record order; `names` name the first paths, as in
    `engine.run`. The example of each group member shown beside its group's first record (a
    near-duplicate beside its cluster's first) carries the two records' differences (`comparison`),
    and so does each flagged record shown beside its finding's partner (`partners`).
    `placed`: as for `wanted_records`."""
    wanted = wanted_records(findings, summaries, per_check, placed)
    # the flagged turns of the records excerpted, kept only where there are some: a set for every
    # flagged record took more memory than the whole pass at a million findings
    turns: dict[tuple[str, int], set[int]] = {}
    # (partner, flagged record, whether what they share is the evidence)
    partnered: list[tuple[tuple[str, int], tuple[str, int], bool]] = []
    partners_taken: dict[str, int] = {}
    last = _last_place(findings, wanted)
    for f in findings:
        if last is not None and _place(findings, f) > last:
            break  # a store reads in (file, record) order: no wanted record comes after this one
        if f.file is not None and f.record in wanted.get(f.file, ()):
            flagged = flagged_turns(f.message, f.data)
            if flagged:
                turns.setdefault((f.file, f.record), set()).update(flagged)
            partner = _partner(f)
            if partner is not None and partners_taken.get(f.code, 0) < per_check:
                partners_taken[f.code] = partners_taken.get(f.code, 0) + 1
                partnered.append((partner, (f.file, f.record), f.data.get("partner_shares") is True))
    pairs = _cluster_pairs(summaries) if per_check else []
    compared = {at for pair in pairs for at in pair} | {at for *pair, _ in partnered for at in pair}
    records: dict[tuple[str, int], Record] = {}
    out: list[dict[str, Any]] = []
    given = dict(zip(paths, names or [], strict=False))  # the evaluation sets after them have none
    for path in dict.fromkeys(paths):
        name = _name_in(wanted, path, given.get(path))
        if name is None or not rereadable(path):
            continue
        try:
            for position, line, text in read_records(path, wanted[name]):
                out.append(record_excerpt(name, line, position, text, fields, turns.get((name, position))))
                if (name, position) in compared:
                    value, error = parse_json(text)
                    record = normalise(value, name, line, fields)[0] if error is None else None
                    if record is not None:
                        records[(name, position)] = record
        except SftlintError:  # the file changed or vanished since the pass: no excerpts from it
            continue
    by_place = {(e["file"], e["record"]): e for e in out}

    def comparison(first: tuple[str, int], other: tuple[str, int], keep_same: bool = False) -> dict[str, Any]:
        fields = compare(records[first], records[other], keep_same)
        return {"file": first[0], "line": by_place[first]["line"], "record": first[1], "fields": fields}

    # a record shown in a group is compared with the group's first (`comparison`); a flagged
    # record shown beside its partner, with the partner (`partners`), unless it already is
    for first, other in pairs:
        if first in records and other in records and "comparison" not in by_place[other]:
            by_place[other]["comparison"] = comparison(first, other)
    for first, other, shares in partnered:
        if first in records and other in records:
            shown = by_place[other]
            done = {(c["file"], c["record"]) for c in [shown.get("comparison"), *shown.get("partners", [])] if c}
            if first not in done:
                shown.setdefault("partners", []).append(comparison(first, other, shares))
    return out
