"""What the report shows, computed from a JSON result: the templates only format this.

Everything here is bounded whatever the dataset's size: findings are shown up to the
per-check cap (the full list stays in the JSON), clusters and label groups are capped, and
charts are drawn from the checks' histogram summaries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sftlint.display import counted
from sftlint.engine import widespread
from sftlint.examples import (
    DIFF_WORDS,
    EXCERPT_CHARS,
    MEMBERS_SHOWN,
    flagged_turns,
    is_int,
    named_record,
    place_key,
    summary_groups,
)
from sftlint.findings import Severity, where
from sftlint.output import printable
from sftlint.text.normal import excerpt

DEFAULT_PER_CHECK = 20
PAIRS_PER_CLUSTER = MEMBERS_SHOWN - 1  # a group's first record beside each of the next ones
LABEL_GROUPS_SHOWN = 10
LABEL_MEMBERS_SHOWN = 8
RELATED_SHOWN = 5
SEVERITIES = [s.value for s in Severity]  # error, warning, info, advice: most serious first
#: summaries the report has its own views for (readiness, facts, charts, clusters, groups)
VIEWED_SUMMARIES = frozenset(
    {
        "dataset-size",
        "no-evaluation-set",
        "fits-in-context",
        "format-inconsistency",
        "label-imbalance",
        "language-mismatch",
        "near-duplicate",
        "contamination",
        "length-outlier",
        "label-inconsistency",
    }
)
SUMMARY_VALUE_CHARS = 200
SUMMARY_ITEMS = 10  # lines of a summary's list of counted texts


def _rank(severity: str) -> int:
    return Severity(severity).rank


@dataclass(frozen=True)
class _Places:
    """How the report names a place: `sftlint.findings.where`, without the file name when the
    run had one file (an evaluation set's records keep theirs). A result written before records
    had positions names them by line."""

    files: list[str]
    formats: dict[str, str]

    def __call__(self, place: Mapping[str, Any]) -> str:
        file = place.get("file")
        if file is None:
            return "whole dataset"
        single = self.files[0] if len(self.files) == 1 else None
        return where(file, place.get("line"), place.get("record"), self.formats, beside=single)


def _about_a_record(finding: dict[str, Any]) -> bool:
    return finding.get("record") is not None or finding["line"] is not None


@dataclass
class _Shown:
    """What the report shows of one check's findings, from one reading of them: the first ones
    (dataset-wide and about a record), and counts. The findings come in output order (input,
    record), so a check's failing records are told apart from the one before."""

    total: int = 0
    severities: set[str] = field(default_factory=set)
    record_severities: set[str] = field(default_factory=set)
    dataset_severities: set[str] = field(default_factory=set)
    dataset: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    dataset_count: int = 0
    record_count: int = 0
    failing: bool = False
    failing_messages: list[str] = field(default_factory=list)  # the first two dataset-wide ones
    failing_records: int = 0
    failing_first: dict[str, Any] | None = None
    last_failing: Any = None


@dataclass
class _Digest:
    by_code: dict[str, _Shown]
    advice: list[dict[str, Any]]
    severity_counts: dict[str, int]


def _digest(findings: Iterable[dict[str, Any]], fail_on: str, per_check: int) -> _Digest:
    """Read the findings once, keeping what the report shows: bounded whatever their number."""
    threshold = _rank(fail_on)
    keep = max(per_check, 0)
    by_code: dict[str, _Shown] = {}
    advice = []
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        severity = f["severity"]
        counts[severity] += 1
        if severity == "advice":
            advice.append(f)
        shown = by_code.get(f["code"])
        if shown is None:
            shown = by_code[f["code"]] = _Shown()
        shown.total += 1
        shown.severities.add(severity)
        failing = _rank(severity) >= threshold
        shown.failing = shown.failing or failing
        if _about_a_record(f):
            shown.record_count += 1
            shown.record_severities.add(severity)
            if len(shown.records) < keep or not shown.records:
                shown.records.append(f)
            if failing:
                place = place_key(f)
                if place != shown.last_failing:
                    shown.last_failing = place
                    shown.failing_records += 1
                if shown.failing_first is None:
                    shown.failing_first = f
        else:
            shown.dataset_count += 1
            shown.dataset_severities.add(severity)
            if len(shown.dataset) < keep:
                shown.dataset.append(f)
            if failing and len(shown.failing_messages) < 2:
                shown.failing_messages.append(f["message"])
    return _Digest(by_code, advice, counts)


def build_view(data: dict[str, Any], findings: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The report's view model for one JSON result (the `sftlint lint --format json` document).

    `findings`: the result's findings as the JSON document has them, in its order, when the
    document was made without them (a run's findings are read once here, never all held).
    """
    files = data["files"]
    stats = data["stats"]
    places = _Places(files, stats.get("formats") or {})
    summaries = data.get("summaries") or {}
    config = data.get("config") or {}
    per_check = config.get("examples_per_check", DEFAULT_PER_CHECK)
    examples = {place_key(e): e for e in data.get("examples") or []}
    digest = _digest(data["findings"] if findings is None else findings, data["fail_on"], per_check)
    by_code = digest.by_code
    checks = _check_rows(data["checks"], by_code, data.get("summaries") or {})
    return {
        "version": data["version"],
        "verdict": data["verdict"],
        "fail_on": data["fail_on"],
        "reasons": _reasons(data, checks, by_code, places),
        "widespread": _widespread(data, checks, by_code, places),
        "advice": _advice(digest.advice),
        "readiness": _readiness(data, stats, summaries),
        "counts": [{"severity": s, "count": n} for s, n in digest.severity_counts.items() if n],
        "files": files,
        "facts": _facts(data, stats, summaries),
        "checks": checks,
        "lengths": _lengths(summaries.get("length-outlier")),
        "near_duplicates": _near_duplicates(summaries.get("near-duplicate"), examples, stats, places),
        "label_conflicts": _label_conflicts(summaries.get("label-inconsistency"), places),
        "other_summaries": _other_summaries(data["checks"], summaries, examples, places),
        "sections": [
            _section(row, by_code.get(row["code"], _Shown()), examples, per_check, places)
            for row in checks
            if row["count"]
        ],
        "filter_severities": [s for s in SEVERITIES if any(s in r["severities"] and r["count"] for r in checks)],
        "config_json": json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True),
        "diff_words": DIFF_WORDS,
    }


def _languages_detail(languages: Mapping[str, Any]) -> str:
    """How many records SFT109 judged, and why the others were not: tool calls apart (a result
    saved before they were counted has none)."""
    skipped, calls = languages["skipped"], languages.get("tool_calls") or 0
    why = "too short, mostly code or numbers, no clear language, or a translation"
    if calls:
        why = f"{calls:,} answer with a tool call" + (f"; the others {why}" if calls < skipped else "")
    return f"{languages['checked']:,} records checked, {skipped:,} not judged ({why})"


def _check_rows(
    rows: list[dict[str, Any]], by_code: dict[str, _Shown], summaries: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Checks that found something first (most serious first), then the ones that passed, each
    with why it looked at nothing (`skipped`, from its summary: SFT203 without an evaluation set)."""
    out = []
    for row in rows:
        summary = summaries.get(row["slug"])
        skipped = summary.get("skipped") if isinstance(summary, Mapping) and not row["count"] else None
        doc = row.get("doc") or {"summary": "", "why": "", "fix": ""}
        found = by_code.get(row["code"])
        # the row shows its worst severity, and the severity filter finds it by any of its findings'
        severities = sorted(found.severities if found and row["count"] else {row["severity"]}, key=_rank)
        worst = max((*severities, row["severity"]), key=_rank) if row["count"] else row["severity"]
        # dataset-wide findings beside the records' (an error for a share above its limit, then
        # warnings): each count with its own severity, as the text table shows them
        parts = None
        if found and found.dataset_count and found.record_count:
            parts = [
                (found.dataset_count, max(found.dataset_severities, key=_rank), "dataset-wide"),
                (found.record_count, max(found.record_severities, key=_rank), "on records"),
            ]
        out.append(
            {
                **row,
                "doc": doc,
                "severity": worst,
                "parts": parts,
                "severities": severities,
                "anchor": f"check-{row['code']}",
                "skipped": skipped if isinstance(skipped, str) else None,
            }
        )
    out.sort(key=lambda r: (r["count"] == 0, -_rank(r["severity"]), r["code"]))
    return out


def _reasons(
    data: dict[str, Any], checks: list[dict[str, Any]], by_code: dict[str, _Shown], places: _Places
) -> list[dict[str, str]]:
    """One or two sentences per check that makes the verdict NO-GO."""
    out = []
    for row in checks:
        found = by_code.get(row["code"])
        if found is None or not found.failing:
            continue
        sentences = [_sentence(m) for m in found.failing_messages]
        first = found.failing_first
        if first is not None:
            n = found.failing_records
            total = data["stats"]["records"]
            rate = f" ({n / total * 100:.1f} %)" if total else ""
            sentences.append(
                f"{counted(n, 'record', ',')}{rate} flagged; "
                f"first at {places(first)}: {_sentence(first['message'])}"
            )
        out.append({"code": row["code"], "slug": row["slug"], "anchor": row["anchor"], "text": " ".join(sentences)})
    return out


def _widespread(
    data: dict[str, Any], checks: list[dict[str, Any]], by_code: dict[str, _Shown], places: _Places
) -> list[dict[str, str]]:
    """Checks under the verdict's threshold that flag a large share of the records, with the first."""
    failing = {code for code, found in by_code.items() if found.failing}
    anchors = {row["code"]: row["anchor"] for row in checks}
    out = []
    for row in widespread(data["checks"], failing):
        found = by_code.get(row["code"])
        if found is None or not found.records:  # a table of checks counting findings its list does not hold
            continue
        first = found.records[0]
        out.append(
            {
                "code": row["code"],
                "slug": row["slug"],
                "anchor": anchors[row["code"]],
                "severity": max(found.record_severities, key=_rank),
                "text": f"{row['records']:,} of {data['stats']['records']:,} records ({row['rate'] * 100:.1f} %) "
                f"flagged; first at {places(first)}: {_sentence(first['message'])}",
            }
        )
    return out


def _advice(findings: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Advice findings, for the verdict's "Before you fine-tune" part, with their check."""
    return [
        {"code": f["code"], "slug": f["slug"], "anchor": f"check-{f['code']}", "message": _sentence(f["message"])}
        for f in findings
    ]


def _readiness(data: dict[str, Any], stats: dict[str, Any], summaries: dict[str, Any]) -> list[dict[str, Any]]:
    """Should this data be fine-tuned on at all: enough pairs, an evaluation set, too small to
    need training, consistent outputs. One row per question whose check ran."""
    rows = []
    size = summaries.get("dataset-size")
    configured = ((data.get("config") or {}).get("checks") or {}).get("dataset-size", {}).get("min_pairs")
    minimum = size["min_pairs"] if size else configured
    usable = stats["usable_pairs"]
    if minimum:
        rows.append(_fact("Usable pairs", f"{usable:,} of at least {minimum:,}", "", usable >= minimum, "too few"))
    else:
        rows.append(_fact("Usable pairs", f"{usable:,}"))
    evaluation = summaries.get("no-evaluation-set")
    if evaluation:
        if evaluation.get("present"):
            rows.append(_fact("Evaluation set", "given", ", ".join(evaluation.get("files") or []), True))
        else:
            wanted = evaluation.get("recommended_size") or 0
            records = counted(wanted, "record", ",")
            rows.append(
                _fact(
                    "Evaluation set",
                    "none given",
                    f"hold out about {records} with `sftlint split`" if wanted else "",
                    None,  # advice, as SFT205 is: no red mark beside a GO
                )
            )
    context = summaries.get("fits-in-context")
    if context:
        tokens, budget = context["total_tokens"], context["budget"]
        if context.get("fits"):
            value = f"yes: about {tokens:,} tokens, within {budget:,}"
            detail = "few-shot prompting or retrieval may reach the goal without training"
        else:
            value = f"no: about {tokens:,} tokens, over {budget:,}"
            detail = "too much for one prompt: fine-tuning (or retrieval) is the way to use all of it"
        rows.append(_fact("Fits in one context", value, detail))
    form = summaries.get("format-inconsistency")
    if form:
        rows.append(_output_form(form))
    labels = summaries.get("label-imbalance")
    if labels and labels.get("labels") and "spellings" in labels:
        spellings = labels["spellings"]
        shown = _top(
            {variant: labels["labels"].get(variant, 0) for variant in spellings},
            lambda k, v: f"'{k}' → '{spellings[k]}' ({v:,})",
            5,
        )
        rows.append(
            _fact(
                "Label spellings",
                f"{len(spellings)} label(s) spelled another way" if spellings else "consistent",
                shown,
                not spellings,
                "inconsistent",
            )
        )
    return rows


def _output_form(form: dict[str, Any]) -> dict[str, Any]:
    """The dominant form of the responses and how many share it."""
    share = form.get("share", 0.0)
    if not form.get("structured"):
        # free text, most of it plain prose, has no structured form to hold the others to
        said = "no structured form to check" if form["dominant"] == "plain prose" else "no dominant structure"
        return _fact(
            "Output form",
            f"{said} (most common: {form['dominant']}, {share * 100:.1f} %)",
            f"of {form.get('responses', 0):,} responses",
        )
    consistent = form.get("consistent_share", share)
    return _fact(
        "Output form",
        f"{form['dominant']}: {consistent * 100:.1f} % consistent",
        f"of {form.get('responses', 0):,} responses",
        consistent >= 1.0,
        "some responses break it",
    )


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else message + "."


def _fact(label: str, value: str, detail: str = "", ok: bool | None = None, bad: str = "") -> dict[str, Any]:
    """One row of dataset facts; `ok` is None when there is nothing to judge, `bad` says what is wrong."""
    return {"label": label, "value": value, "detail": detail, "ok": ok, "bad": bad}


def _top(counts: dict[str, int], fmt: Any, shown: int = 8) -> str:
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    more = f", {len(top) - shown} more" if len(top) > shown else ""
    return ", ".join(fmt(k, v) for k, v in top[:shown]) + more


def _facts(data: dict[str, Any], stats: dict[str, Any], summaries: dict[str, Any]) -> list[dict[str, Any]]:
    blank = f", {stats['blank_lines']:,} blank lines skipped" if stats.get("blank_lines") else ""
    facts = [
        _fact("Files", ", ".join(data["files"])),
        _fact("Records", f"{stats['records']:,}", f"{stats['valid']:,} valid{blank}"),
    ]
    size = summaries.get("dataset-size")
    configured = ((data.get("config") or {}).get("checks") or {}).get("dataset-size", {}).get("min_pairs")
    minimum = size["min_pairs"] if size else configured
    usable = stats["usable_pairs"]
    unusable = ", ".join(f"{n:,} flagged by {code}" for code, n in sorted((stats.get("unusable") or {}).items()))
    detail = [f"minimum {minimum:,}"] if minimum else []
    if unusable:
        detail.append(f"not counted: {unusable}")
    enough = None if not minimum else usable >= minimum
    facts.append(_fact("Usable pairs", f"{usable:,}", "; ".join(detail), enough, "too few"))
    facts.append(_fact("Shapes", _top(stats.get("shapes") or {}, lambda k, v: f"{k} ({v:,})") or "none"))
    languages = summaries.get("language-mismatch")
    if languages:
        facts.append(
            _fact(
                "Languages",
                _top(languages["languages"], lambda k, v: f"{k} ({v:,})"),
                _languages_detail(languages),
            )
        )
    labels = summaries.get("label-imbalance")
    if labels and labels.get("labels"):
        total = sum(labels["labels"].values()) or 1
        facts.append(
            _fact(
                "Labels",
                _top(labels["labels"], lambda k, v: f"{k} ({v:,}, {v / total * 100:.0f} %)"),
                f"{len(labels['labels'])} labels; the largest holds {labels['majority_share'] * 100:.1f} %",
            )
        )
    near = summaries.get("near-duplicate")
    if near:
        facts.append(
            _fact(
                "Near-duplicates",
                f"{near['redundant']:,} redundant records ({near['rate'] * 100:.1f} %)",
                f"in {counted(near['clusters'], 'cluster')} at Jaccard ≥ {near['threshold']}; "
                f"the limit is {near['max_rate'] * 100:.1f} %",
                near["rate"] <= near["max_rate"],
                "over the limit",
            )
        )
    contamination = summaries.get("contamination")
    if contamination and not contamination.get("skipped"):  # not when there was no evaluation set
        facts.append(
            _fact(
                "Contamination",
                f"{contamination['contaminated']:,} of {contamination['eval_records']:,} evaluation records "
                f"({contamination['rate'] * 100:.1f} %) found in the training data",
                "against " + ", ".join(contamination["against"]),
                contamination["contaminated"] == 0,
                "contaminated",
            )
        )
    return facts


# -- length histograms ---------------------------------------------------------------------

CHART_W, CHART_H = 560, 170
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 48, 28, 26, 34
MARKER_LABEL_ROOM = 120  # the width a marker's label ("high 12,345 (off chart)") takes beside its line


def _lengths(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if not summary:
        return None
    charts = []
    for name in ("instruction", "response"):
        part = summary.get(name)
        if part and part.get("histogram") and part["histogram"].get("counts"):
            charts.append(_histogram(name, part))
    return {"max_tokens": summary.get("max_tokens"), "charts": charts} if charts else None


def _x(value: float, edges: list[float], left: float, width: float) -> tuple[float, bool]:
    """Where `value` falls on a chart whose bins are drawn equally wide; False if off the chart."""
    bins = len(edges) - 1
    if value <= edges[0]:
        return left, value == edges[0]
    if value >= edges[-1]:
        return left + width, value == edges[-1]
    for i in range(bins):
        if edges[i] <= value <= edges[i + 1]:
            span = edges[i + 1] - edges[i] or 1
            return left + (i + (value - edges[i]) / span) * width / bins, True
    return left + width, False  # pragma: no cover - edges not sorted


def _histogram(name: str, part: dict[str, Any]) -> dict[str, Any]:
    """Bars, axis ticks and threshold markers of one length histogram, in SVG coordinates."""
    edges = [float(e) for e in part["histogram"]["edges"]]
    counts = [int(c) for c in part["histogram"]["counts"]]
    width = CHART_W - PLOT_LEFT - PLOT_RIGHT
    height = CHART_H - PLOT_TOP - PLOT_BOTTOM
    peak = max(counts) or 1
    bar_w = width / len(counts)
    low, high = part.get("low"), part.get("high")
    bars = []
    for i, count in enumerate(counts):
        h = max(count / peak * height, 2) if count else 0  # a single record still shows
        outlier = (high is not None and edges[i] >= high) or (low is not None and edges[i + 1] <= low)
        bars.append(
            {
                "x": round(PLOT_LEFT + i * bar_w + 0.5, 1),
                "y": round(PLOT_TOP + height - h, 1),
                "w": round(max(bar_w - 1, 0.5), 1),
                "h": round(h, 1),
                "count": count,
                "range": f"{edges[i]:,.0f}–{edges[i + 1]:,.0f}",
                "outlier": outlier,
            }
        )
    ticks = sorted({0, len(counts) // 2, len(counts)})
    markers = []
    for label, value in (("median", part.get("median")), ("low", low), ("high", high)):
        if value is None:
            continue
        x, on_chart = _x(float(value), edges, PLOT_LEFT, width)
        # the label reads away from its neighbour, but never past the plot's edge (a threshold
        # beyond the largest value sits at the right edge: its label ends there)
        anchor = {"high": "start", "low": "end"}.get(label, "middle")
        if x > PLOT_LEFT + width - MARKER_LABEL_ROOM:
            anchor = "end"
        elif x < PLOT_LEFT + MARKER_LABEL_ROOM:
            anchor = "start"
        # a label that would overlap one already placed goes a row lower (a median at a threshold's edge)
        left = x - {"start": 0, "middle": MARKER_LABEL_ROOM / 2, "end": MARKER_LABEL_ROOM}[anchor]
        taken = {m["row"] for m in markers if abs(m["left"] - left) < MARKER_LABEL_ROOM}
        row = next(r for r in range(len(taken) + 1) if r not in taken)
        markers.append(
            {"label": label, "value": value, "x": round(x, 1), "on_chart": on_chart, "anchor": anchor, "row": row}
        )
        markers[-1]["left"] = left
    return {
        "name": name,
        "width": CHART_W,
        "height": CHART_H,
        "plot": {"left": PLOT_LEFT, "top": PLOT_TOP, "bottom": PLOT_TOP + height, "right": PLOT_LEFT + width},
        "bars": bars,
        "peak": peak,
        "ticks": [{"x": round(PLOT_LEFT + t * bar_w, 1), "label": f"{edges[t]:,.0f}"} for t in ticks],
        "markers": markers,
        "median": part.get("median"),
        "low": low,
        "high": high,
        "outliers": sum(b["count"] for b in bars if b["outlier"]),
    }


# -- groups of records side by side (near-duplicate clusters, any summary's groups) -------------


def _side(member: Mapping[str, Any], example: dict[str, Any] | None, places: _Places) -> dict[str, Any]:
    return {"where": places(member), "example": example}


def _count(value: Any, least: int) -> int:
    """A group's size as the summary gives it, if it is a count of at least `least` records."""
    return value if is_int(value) and value >= least else least


def _record_groups(
    summary: Any, examples: dict[tuple[str, str, int] | None, dict[str, Any]], places: _Places
) -> list[dict[str, Any]]:
    """The groups of records a summary names (`summary_groups`): in each, the group's first
    record beside each of the next ones, with the words that differ marked when the result has
    their full-text comparison (`comparison`, made while the excerpts were collected)."""
    groups = []
    for number, group in enumerate(summary_groups(summary), 1):
        members = [m for m in group["members"] if isinstance(m, Mapping)]
        if not members:
            continue
        first = members[0]
        first_ex = examples.get(place_key(first))
        pairs = []
        for other in members[1 : 1 + PAIRS_PER_CLUSTER]:
            other_ex = examples.get(place_key(other))
            comparison = (other_ex or {}).get("comparison")
            if comparison and place_key(comparison) != place_key(first):
                comparison = None
            fields = _marked(comparison["fields"]) if comparison else _unmarked(first_ex, other_ex)
            pairs.append(
                {
                    "left": _side(first, first_ex, places),
                    "right": _side(other, other_ex, places),
                    "fields": fields,
                    "compared": comparison is not None,
                    "partial": not all(f["compared_all"] for f in fields),
                    "identical": bool(comparison)
                    and not any(s["changed"] for f in fields for s in f["left"] + f["right"]),
                }
            )
        size = _count(group.get("size"), len(members))
        title = group.get("title")
        groups.append(
            {
                "id": printable(str(group.get("id", number))),
                "title": printable(excerpt(title, SUMMARY_VALUE_CHARS)) if isinstance(title, str) else "",
                "size": size,
                "pairs": pairs,
                "more": size - 1 - len(pairs),
            }
        )
    return groups


def _near_duplicates(
    summary: dict[str, Any] | None,
    examples: dict[tuple[str, str, int] | None, dict[str, Any]],
    stats: dict[str, Any],
    places: _Places,
) -> dict[str, Any] | None:
    if not summary:
        return None
    return {
        **{k: summary.get(k) for k in ("clusters", "redundant", "rate", "max_rate", "threshold")},
        "shown": _record_groups(summary, examples, places),
        "records": stats["records"],
        "diff_words": DIFF_WORDS,
    }


def _other_summaries(
    checks: list[dict[str, Any]],
    summaries: dict[str, Any],
    examples: dict[tuple[str, str, int] | None, dict[str, Any]],
    places: _Places,
) -> list[dict[str, Any]]:
    """Every other check's summary (plugins' too) as a small key/value table, in check order;
    the groups of records it names (`largest`, as the near-duplicate summary) side by side."""
    out = []
    for row in checks:
        summary = summaries.get(row["slug"])
        if row["slug"] in VIEWED_SUMMARIES or summary is None:
            continue
        groups = _record_groups(summary, examples, places)
        items = summary.items() if isinstance(summary, dict) else [("", summary)]
        labels = (row.get("doc") or {}).get("summary_labels") or {}
        rows = [
            {
                "key": printable(str(labels.get(key) or str(key).replace("_", " "))),
                "name": printable(str(key)),
                "value": _summary_value(value, str(key)),
                "items": _counted_items(value, places),
            }
            for key, value in items
            if not (groups and key == "largest")
        ]
        out.append({"code": row["code"], "slug": row["slug"], "rows": rows, "groups": groups})
    return out


def _summary_value(value: Any, key: str = "") -> str:
    """One value of a summary as bounded, printable text: numbers as numbers (a share or a rate
    as a percentage), yes and no for booleans, anything nested as JSON."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif value is None or value == [] or value == {}:
        text = "none"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float) and key.endswith(("share", "rate")) and 0 <= value <= 1:
        text = f"{value * 100:.1f} %"  # as the report's other percentages
    elif isinstance(value, float):
        text = f"{value:,.4g}"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return printable(excerpt(text, SUMMARY_VALUE_CHARS))


def _counted_items(value: Any, places: _Places) -> list[str] | None:
    """A summary's list of counted texts, one line each ("12 × 'text' (line 3, line 9)"): objects
    of one text, one count and, optionally, the places of some of their records (each a place
    as findings give one, or [file, record position]). None for any other value, which is shown
    as JSON."""
    if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
        return None
    lines = []
    for item in value[:SUMMARY_ITEMS]:
        texts = [v for v in item.values() if isinstance(v, str)]
        counts = [v for v in item.values() if is_int(v)]
        spots = [v for v in item.values() if isinstance(v, list)]
        if len(texts) != 1 or len(counts) != 1 or len(spots) > 1 or len(item) != 2 + len(spots):
            return None
        at = []
        for spot in spots[0] if spots else []:
            if isinstance(spot, list) and len(spot) == 2 and isinstance(spot[0], str) and is_int(spot[1]):
                spot = {"file": spot[0], "record": spot[1]}
            if not (isinstance(spot, dict) and place_key(spot) is not None):
                return None
            at.append(places(spot))
        where = f" ({', '.join(at)})" if at else ""
        lines.append(printable(f"{counts[0]:,} × '{excerpt(texts[0], SUMMARY_VALUE_CHARS)}'{where}"))
    if len(value) > SUMMARY_ITEMS:
        lines.append(f"and {len(value) - SUMMARY_ITEMS:,} more")
    return lines


#: what an excerpt says of its record's place, not of its text
_PLACE = frozenset({"file", "line", "record"})


def _same_excerpt(example: Mapping[str, Any] | None, other: Mapping[str, Any] | None) -> bool:
    """Whether two records' excerpts hold the same text, so that one of them is enough (a copy
    that differs in letter case or spacing shows another excerpt, and is shown beside it)."""
    if not example or not other:
        return False
    return {k: v for k, v in example.items() if k not in _PLACE} == {k: v for k, v in other.items() if k not in _PLACE}


def _compared_with(example: dict[str, Any], named: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields of an example compared with the record a finding names, if the result has that comparison."""
    for comparison in [example.get("comparison"), *(example.get("partners") or [])]:
        if comparison and place_key(comparison) == place_key(named):
            return comparison["fields"]
    return []


def _marked(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Compared fields, each said to be `same` when no word of it differs, or `same_start` when
    none of the words compared does but the field is longer than what was compared."""
    out = []
    for f in fields:
        unchanged = not any(s["changed"] for s in f["left"] + f["right"])
        out.append({**f, "same": unchanged and f["compared_all"], "same_start": unchanged and not f["compared_all"]})
    return out


def _unmarked(left: dict[str, Any] | None, right: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Both excerpts side by side, nothing marked: a result without the full-text comparison
    (saved by an older sftlint) gets no differences guessed from cut excerpts."""
    if not (left and right):
        return []
    return [
        {
            "name": name,
            "left": [{"text": left.get(name) or "", "changed": False}],
            "right": [{"text": right.get(name) or "", "changed": False}],
            "compared_all": False,
            "same": False,
            "same_start": False,
        }
        for name in ("instruction", "input", "response")
        if left.get(name) or right.get(name)
    ]


def _label_conflicts(summary: dict[str, Any] | None, places: _Places) -> dict[str, Any] | None:
    if not summary or not summary.get("groups"):
        return None
    groups = []
    for group in summary["groups"][:LABEL_GROUPS_SHOWN]:
        members = group.get("members", [])
        groups.append(
            {
                "prompt": excerpt(group.get("prompt", ""), EXCERPT_CHARS, keep_tail=True),
                "labels": sorted(group.get("labels", {}).items(), key=lambda kv: -kv[1]),
                "members": [{"where": places(m), "label": m.get("label")} for m in members[:LABEL_MEMBERS_SHOWN]],
                "more": max(len(members) - LABEL_MEMBERS_SHOWN, 0),
            }
        )
    return {
        "classification_like": summary.get("classification_like", False),
        "groups": groups,
        "total": len(summary["groups"]),
    }


# -- flagged records per check -------------------------------------------------------------


def _section(
    row: dict[str, Any],
    found: _Shown,
    examples: dict[tuple[str, str, int] | None, dict[str, Any]],
    per_check: int,
    places: _Places,
) -> dict[str, Any]:
    """One check's findings: dataset-wide ones, then the first `per_check` flagged records."""
    items = []
    for f in found.dataset[:per_check] + found.records[:per_check]:
        related = f.get("related") or []
        named = named_record(related, f.get("data"))
        example = examples.get(place_key(f)) if _about_a_record(f) else None
        fields = _marked(_compared_with(example, named)) if example and named else []
        related_example = examples.get(place_key(named)) if named else None
        items.append(
            {
                "severity": f["severity"],
                "where": places(f),
                "message": f["message"],
                "related": [places(r) for r in related[:RELATED_SHOWN]],
                "related_more": max(len(related) - RELATED_SHOWN, 0),
                "example": example,
                "turns": flagged_turns(f["message"], f.get("data")),
                "related_example": related_example,
                "related_where": places(named) if named else "",
                # the record and the one it names (left in `fields`) with the words that differ marked
                "fields": fields,
                # every word the same (an exact copy): shown once, not twice side by side
                "identical": all(f["same"] for f in fields) if fields else _same_excerpt(example, related_example),
                "partial": not all(f["compared_all"] for f in fields),
            }
        )
    hidden = max(found.dataset_count - per_check, 0) + max(found.record_count - per_check, 0)
    return {**row, "shown": items, "more": hidden, "total": found.total}
