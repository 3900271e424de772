"""The engine: one streaming pass over the inputs, then the dataset checks, then the verdict.

Record checks see each record as it is read; dataset checks keep compact state in `collect`
and report in `finish`. Reader and normaliser problems (SFT001, SFT002, SFT003) are reported
through the checks that document them. A check that raises is reported as an error finding
of that check, once, and the run goes on.
"""

from __future__ import annotations

import json
import math
import shutil
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from sftlint.check import Check, Context
from sftlint.errors import SftlintError, TemporarySpaceError, described
from sftlint.finding_store import FindingStore, Handover, temporary_folder
from sftlint.findings import Finding, Location, Severity, where
from sftlint.fingerprint import FingerprintIndex
from sftlint.io import MAX_LINE_BYTES, RawLine, ReadStats, display_name, read_file
from sftlint.parallel import Workers, deal
from sftlint.places import Places
from sftlint.progress import Progress
from sftlint.records import UNMAPPED, FieldSurvey, Record, normalise


@dataclass
class Result:
    """Everything a run found, ready for any output format.

    `findings` is a `FindingStore` after a run (a sequence in output order that holds a bounded
    number of findings in memory; see sftlint.finding_store), or any sequence of findings.
    """

    files: list[str]
    checks: list[Check]
    findings: Sequence[Finding]
    stats: dict[str, Any]
    summaries: dict[str, Any]
    fail_on: Severity
    config: dict[str, Any] = field(default_factory=dict)
    #: excerpts of flagged records (see `sftlint.examples`), filled in after the pass.
    examples: list[dict[str, Any]] = field(default_factory=list)
    #: what a baseline suppressed and which of its entries are stale (set by sftlint.baseline).
    baseline: dict[str, Any] | None = None
    _tally: _Tally | None = field(default=None, init=False, repr=False, compare=False)

    def failing(self) -> list[Finding]:
        """Findings at or above `fail_on` (advice only when fail_on is advice)."""
        return [f for f in self.findings if f.severity.rank >= self.fail_on.rank]

    @property
    def verdict(self) -> str:
        return "no-go" if self.tally().failing else "go"

    @property
    def go(self) -> bool:
        return not self.tally().failing

    def counts(self) -> Counter[str]:
        return Counter(self.tally().counts)

    def tally(self) -> _Tally:
        """What the verdict, the table of checks and the reasons need, from one reading of the
        findings, kept until the findings or `fail_on` change."""
        key = (id(self.findings), len(self.findings), self.fail_on)
        if self._tally is None or self._tally.key != key:
            self._tally = _Tally.of(self.findings, self.fail_on, key)
        return self._tally

    def check_rows(self, found_severity: bool = False) -> list[dict[str, Any]]:
        """One row per check that ran: counts, records flagged and their rate, and its severity as
        configured.

        With `found_severity`, as tables show them: the severity is the most serious of the
        findings', and a check with dataset-wide findings beside its records' has a row for each
        (an error for the share of copies above its limit, then its records' warnings), so that no
        count sits beside a severity most of its findings do not have.
        """
        tally = self.tally()
        records = self.stats.get("records", 0)
        rows = []
        for check in self.checks:
            n = tally.flagged.get(check.code, 0)
            count = tally.counts.get(check.code, 0)
            row = {
                "code": check.code,
                "slug": check.slug,
                "severity": check.effective_severity.value,
                "count": count,
                "records": n,
                "rate": round(n / records, 4) if records else 0.0,
            }
            if found_severity:
                row["severity"] = tally.worst.get(check.code, check.effective_severity).value
                overall = tally.overall.get(check.code)
                if overall is not None and overall[0] < count:
                    rows.append({**row, "severity": overall[1].value, "count": overall[0], "records": 0, "rate": 0.0})
                    row["severity"] = tally.worst_placed[check.code].value
                    row["count"] = count - overall[0]
            rows.append(row)
        return rows

    @property
    def reasons(self) -> list[str]:
        """Why the verdict is what it is, one short sentence per failing check."""
        out = []
        for code, (count, first) in sorted(self.tally().failing.items()):
            if count == 1:
                at = (
                    f" ({where(first.file, first.line, first.record, self.stats.get('formats'), first.file)})"
                    if first.record is not None or first.line is not None
                    else ""
                )
                out.append(f"{code} {first.slug}: {first.message}{at}")
            else:
                out.append(f"{code} {first.slug}: {count} {first.severity.value}s")
        return out


@dataclass
class _Tally:
    """Counts of a result's findings by check: all of them, the records they flag, and the
    failing ones with the first of each check."""

    key: tuple[Any, ...]
    counts: dict[str, int]
    flagged: dict[str, int]
    failing: dict[str, tuple[int, Finding]]
    #: findings of each check that name a record of a file (what the examples take from)
    placed: dict[str, int]
    #: the most serious severity among each check's findings
    worst: dict[str, Severity]
    #: each check's dataset-wide findings (no record, no line): how many and the most serious severity
    overall: dict[str, tuple[int, Severity]]
    #: the most serious severity among each check's other findings
    worst_placed: dict[str, Severity]

    @classmethod
    def of(cls, findings: Sequence[Finding], fail_on: Severity, key: tuple[Any, ...]) -> _Tally:
        counts: dict[str, int] = {}
        threshold = fail_on.rank
        # A store reads its inputs' findings in (input, record) order, so a check's records are
        # told apart from the one before; elsewhere the records seen are kept.
        store = isinstance(findings, FindingStore)
        inputs = set(findings.files) if store else set()
        last: dict[str, tuple[str | None, int]] = {}
        seen: dict[str, set[tuple[str | None, int]]] = {}
        flagged: dict[str, int] = {}
        placed: dict[str, int] = {}
        failed: dict[str, int] = {}
        worst: dict[str, Severity] = {}
        overall: dict[str, tuple[int, Severity]] = {}
        worst_placed: dict[str, Severity] = {}
        first_at: dict[int, str] = {}  # where each check's first failing finding is
        rows = findings.brief() if store else ((f.code, f.severity, f.file, f.record) for f in findings)
        for i, (code, severity, file, record) in enumerate(rows):
            counts[code] = counts.get(code, 0) + 1
            if code not in worst or severity.rank > worst[code].rank:
                worst[code] = severity
            if record is None and file is None:
                n, most = overall.get(code, (0, severity))
                overall[code] = (n + 1, severity if severity.rank > most.rank else most)
            elif code not in worst_placed or severity.rank > worst_placed[code].rank:
                worst_placed[code] = severity
            if severity.rank >= threshold:
                if code in failed:
                    failed[code] += 1
                else:
                    failed[code] = 1
                    first_at[i] = code
            if record is not None:
                if file is not None:
                    placed[code] = placed.get(code, 0) + 1
                place = (file, record)
                if file in inputs:
                    if last.get(code) != place:
                        last[code] = place
                        flagged[code] = flagged.get(code, 0) + 1
                else:
                    seen.setdefault(code, set()).add(place)
        for code, places in seen.items():
            flagged[code] = flagged.get(code, 0) + len(places)
        # the first failing finding of each check, made from a reading that stops at the last of them
        firsts: dict[str, Finding] = {}
        if first_at:
            for i, f in enumerate(findings):
                if i in first_at:
                    firsts[first_at[i]] = f
                    if len(firsts) == len(first_at):
                        break
        failing = {code: (count, firsts[code]) for code, count in failed.items()}
        return cls(key, counts, flagged, failing, placed, worst, overall, worst_placed)


#: a check that decides nothing (no finding at or above fail_on) yet flags at least this share of
#: the records is named beside the verdict: a file whose every answer is degenerate is not fine.
LARGE_SHARE = 0.10


def widespread(rows: list[dict[str, Any]], failing_codes: set[str]) -> list[dict[str, Any]]:
    """The check rows (`Result.check_rows`) of checks under the verdict's threshold that flag a
    large share of the records."""
    return [r for r in rows if r["code"] not in failing_codes and r["records"] and r["rate"] >= LARGE_SHARE]


def _builtin(check: Check) -> bool:
    return type(check).__module__.startswith("sftlint.checks.")


def _only_findings(found: Iterable[Finding], check: Check) -> list[Finding]:
    """What a plugin's hook returned, refused unless every item is a Finding every output can
    write: a wrong one is the plugin's crash, not a traceback in the output stage."""
    found = list(found)
    wrong = next((f for f in found if not isinstance(f, Finding)), None)
    if wrong is not None:
        raise TypeError(f"it yielded a {type(wrong).__name__}, not a Finding: {wrong!r:.60}")
    for finding in found:
        _check_finding(finding, check)
    return found


def _check_place(file: object, line: object, record: object, whose: str) -> None:
    """Raise TypeError unless a place is a file name (or None) and 1-based line and record numbers (or None)."""
    numbers_ok = all(v is None or (type(v) is int and v >= 1) for v in (line, record))
    if not (file is None or type(file) is str) or not numbers_ok:
        raise TypeError(f"{whose} file, line or record is not a name, a number from 1 or None")


def _check_finding(f: Finding, check: Check) -> None:
    """Raise TypeError or ValueError when a plugin's finding has a field no output can write, or
    speaks for another check."""
    if not isinstance(f.severity, Severity):
        raise TypeError(f"its finding's severity is {f.severity!r:.40}, not a sftlint.Severity")
    for name in ("code", "slug", "message"):
        if type(getattr(f, name)) is not str:  # a subclass may print as anything, or raise
            raise TypeError(f"its finding's {name} is a {type(getattr(f, name)).__name__}, not text")
    if (f.code, f.slug) != (check.code, check.slug):
        raise ValueError(f"its finding is named {f.code} {f.slug}, not {check.code} {check.slug}")
    _check_place(f.file, f.line, f.record, "its finding's")
    if not isinstance(f.related, list) or not all(isinstance(r, Location) for r in f.related):
        raise TypeError("its finding's related is not a list of sftlint Locations")
    for place in f.related:
        _check_place(place.file, place.line, place.record, "a related place's")
        if place.file is None:
            raise TypeError("a related place of its finding names no file")
    if f.score is not None and (
        not isinstance(f.score, (int, float)) or isinstance(f.score, bool) or not math.isfinite(f.score)
    ):
        raise ValueError(f"its finding's score is {f.score!r:.40}, not a finite number")
    if not isinstance(f.data, dict):
        raise TypeError(f"its finding's data is a {type(f.data).__name__}, not a dict")
    _plain(f.data, strict=True)  # JSON with finite numbers: no NaN, no circle, no integer past 4,300 digits


def _plain(summary: object, strict: bool = False) -> object:
    """A summary as plain JSON values: what any process can send and the JSON output can hold
    (an object a plugin put in it becomes its text), so --jobs 3 gives what one process gives.
    Raises ValueError for a circle or an integer of 4,300 digits, and for NaN or infinity when
    `strict` (a plugin's), and RecursionError past Python's nesting limit."""
    return json.loads(json.dumps(summary, default=str, allow_nan=not strict))


def _checked(check: Check, hook: Callable[[Record], Iterable[Finding]]) -> Callable[[Record], Iterable[Finding]]:
    """A plugin's record hook, made to yield only findings (a built-in check's is trusted as it is)."""
    if _builtin(check):
        return hook
    return lambda record: _only_findings(hook(record) or (), check)


def _interrupted(exc: BaseException) -> bool:
    """Whether `exc` stands for a Ctrl-C that a library turned into an ordinary exception.

    langdetect, for one, wraps anything raised while it loads its profiles, KeyboardInterrupt
    included, in its own exception.
    """
    chain: set[int] = set()  # a chain may loop back on itself (`raise err from err`)
    seen: BaseException | None = exc
    while seen is not None and id(seen) not in chain:
        if isinstance(seen, KeyboardInterrupt):
            return True
        chain.add(id(seen))
        seen = seen.__cause__ or seen.__context__
    return False


#: records read before the checks visit them: each check then runs over them in one go
VISIT_RUN = 64
#: the most bytes of record lines a batch check is handed at once (and kept waiting for it):
#: a batch of 512 records that each declare 2,000 tools (500 KB a line) held hundreds of MB
BATCH_BYTES = 8 << 20


@dataclass
class _Part:
    """What one process's share of the checks found, sent back to the parent (see sftlint.parallel)."""

    findings: Handover
    crashes: dict[str, tuple[int, Finding]]
    timings: dict[str, float]
    summaries: dict[str, Any]


class _Runner:
    """State of one run (or of one process's share of its checks: `own`).

    Kept apart from `run` so the pass over records stays short. `checks` are all the run's
    checks (which of them disqualify records matters to SFT201); only `own` are called.
    """

    def __init__(
        self,
        checks: Sequence[Check],
        fields: dict[str, str],
        progress: Progress | None = None,
        fingerprints: bool = False,
        own: Sequence[Check] | None = None,
        files: Sequence[str] = (),
        folder: str | None = None,
    ) -> None:
        own = checks if own is None else own
        self.progress = progress
        self.checks = list(checks)
        self.by_code = {c.code: c for c in checks}
        self.own = {c.code: c for c in own}
        self.fields = fields
        self.record_checks = [c for c in own if c.is_record_check()]
        self.dataset_checks = [c for c in own if c.is_dataset_check()]
        #: held up to a bound, then written to a file in `folder` (or an unnamed one): see
        #: sftlint.finding_store; each is given its line, position and fingerprint before.
        self.findings = FindingStore(files, self._prepare, folder=folder)
        self.crashes: dict[str, tuple[int, Finding]] = {}
        self.records = 0
        self.valid = 0
        self.blank = 0
        self.shapes: Counter[str] = Counter()
        self.survey = FieldSurvey(fields)
        #: SFT002 findings of records without instruction/response fields, held until the end of
        #: reading: when every record is so, one dataset-wide finding replaces them.
        self.unmapped: list[Finding] = []
        self.fingerprints = FingerprintIndex() if fingerprints else None
        self.places = Places()
        #: seconds spent in each check's hooks, by code, and in reading (everything else in the pass).
        self.timings: defaultdict[str, float] = defaultdict(float)
        self._record_hooks = [(c, c.code, _checked(c, c.check_record)) for c in self.record_checks if not c.batch_size]
        #: the record checks that judge records in batches, each with the records waiting for it
        self._batches: list[tuple[Check, list[Record]]] = [(c, []) for c in self.record_checks if c.batch_size]
        self._collect_hooks = [(c, c.code, c.collect) for c in self.dataset_checks]

    def _prepare(self, findings: list[Finding]) -> None:
        """Give findings their lines and positions (a check may know only one of them) and,
        when asked for, their records' fingerprints."""
        self.places.complete(findings)
        if self.fingerprints is not None:
            self.fingerprints.stamp(findings)

    def emit(self, code: str, message: str, file: str, raw: RawLine) -> None:
        check = self.own.get(code)
        if check is not None:
            self.findings.append(check.finding(message, file=file, line=raw.line, position=raw.position))

    def guarded(
        self,
        check: Check,
        call: Callable[[], Iterable[Finding] | None],
        at: tuple[str | None, int | None],
        records: int = 1,
    ) -> None:
        """Run one hook of one check (on `records` records); an exception becomes one finding, not a crash."""
        started = perf_counter()
        try:
            found = call()
            if found:
                self.findings.extend(found if _builtin(check) else _only_findings(found, check))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken check must not stop the run
            self.crashed(check, exc, at, records)
        self.timings[check.code] += perf_counter() - started

    def crashed(self, check: Check, exc: BaseException, at: tuple[str | None, int | None], records: int = 1) -> None:
        """Count a crash of `check` on `records` records (from a file and record position); the
        first one becomes its error finding. A Ctrl-C stops the run."""
        self._fatal(exc)
        count, first = self.crashes.get(check.code, (0, None))  # type: ignore[assignment]
        if first is None:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            first = check.finding(
                f"check crashed: {described(exc)} (at {frame.filename}:{frame.lineno})",
                file=at[0],
                position=at[1],
            )
            first.severity = Severity.ERROR
        self.crashes[check.code] = (count + records, first)

    @staticmethod
    def _fatal(exc: BaseException) -> None:
        """Stop the run on a Ctrl-C (even one a library wrapped) and when there is no room to work."""
        if _interrupted(exc):
            raise KeyboardInterrupt from None
        if isinstance(exc, TemporarySpaceError):
            raise exc  # no room to work: the run stops, whichever check met it

    def read(self, path: str, name: str) -> None:
        """Stream one file, shown as `name`, through the record hooks; time not spent in checks counts as "read"."""
        started = perf_counter()
        in_checks = sum(self.timings.values())
        self._read(path, name)
        self.timings["read"] += perf_counter() - started - (sum(self.timings.values()) - in_checks)

    def _read(self, path: str, name: str) -> None:
        stats = ReadStats()
        raws = read_file(path, stats)
        tracker = self.places.tracker(name)
        pending: list[Record] = []  # records read and not yet visited
        for raw in self.fingerprints.track(name, raws) if self.fingerprints is not None else raws:
            self.records += 1
            if tracker is not None:
                tracker.note(raw.position, raw.line)
            if self.progress is not None:
                self.progress.update(self.records, f"reading {name}")
            if raw.oversized is not None:
                self.emit(
                    "SFT002",
                    f"line is {raw.oversized:,} bytes, over the {MAX_LINE_BYTES:,}-byte limit; not parsed",
                    name,
                    raw,
                )
                continue
            if raw.encoding_error:
                self.emit("SFT003", raw.encoding_error, name, raw)
            if raw.error is not None:
                self.emit("SFT001", f"invalid {raw.syntax}: {raw.error}", name, raw)
                continue
            record, problems = normalise(raw.value, name, raw.line, self.fields)
            if type(raw.value) is dict:
                unmapped = bool(problems) and problems[0][1].startswith(UNMAPPED)
                self.survey.see(raw.value, unmapped)
                if unmapped and "SFT002" in self.own:
                    self.unmapped.append(
                        self.own["SFT002"].finding(problems[0][1], file=name, line=raw.line, position=raw.position)
                    )
                    continue
            for code, message in problems:
                self.emit(code, message, name, raw)
            if record is None:
                continue
            record.position = raw.position
            record.size = len(raw.data) if raw.data is not None else 0
            record.decode_error = raw.encoding_error
            self.valid += 1
            self.shapes[record.shape] += 1
            pending.append(record)
            if len(pending) >= VISIT_RUN:
                self.visit(pending)
                pending.clear()
        self.visit(pending)
        self.blank += stats.blank
        self.places.formats.setdefault(name, stats.format)

    def done_reading(self) -> None:
        """Hand the batch checks their last records, then report the records without
        instruction/response fields: once for the dataset when none has them, else each. A mapped
        name that no record has stops the run (a mistyped --field)."""
        for check, waiting in self._batches:
            while waiting:
                self.flush(check, waiting)
        unused = self.survey.unused()
        if unused:
            raise SftlintError(
                f"field mapping {', '.join(unused)}: no record has "
                f"{'this key' if len(unused) == 1 else 'these keys'} (keys: {self.survey.key_list()})"
            )
        if self.unmapped and self.survey.all_unmapped():
            self.findings.append(self.own["SFT002"].finding(self.survey.suggestion()))
        else:
            self.findings.extend(self.unmapped)

    def visit(self, records: list[Record]) -> None:
        """Every record and dataset check's hook on a run of consecutive records, each guarded.

        Each check takes the whole run in turn, timed once: timing and calling every check once
        per record cost more than the cheaper checks themselves.
        """
        timings, findings = self.timings, self.findings
        for hooks in (self._record_hooks, self._collect_hooks):
            for check, code, hook in hooks:
                started = perf_counter()
                found_here: list[Finding] = []  # handed to the store once: a call per record cost more
                add = found_here.extend
                for record in records:
                    try:
                        found = hook(record)
                        if found:
                            add(found)
                    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken check must not stop the run
                        self.crashed(check, exc, (record.file, record.position))
                findings.extend(found_here)
                timings[code] += perf_counter() - started
        for check, waiting in self._batches:
            waiting.extend(records)
            while len(waiting) >= check.batch_size or sum(r.size for r in waiting) >= BATCH_BYTES:
                self.flush(check, waiting)

    def flush(self, check: Check, waiting: list[Record]) -> None:
        """Hand a batch check the first `batch_size` records waiting for it.

        A batch that crashes is handed over again one record at a time, so that the other
        records' findings are kept and the crash is placed at the record that causes it.
        """
        if not waiting:
            return
        # at most `batch_size` records, and no more than BATCH_BYTES of them (but at least one)
        take, weight = 0, 0
        while take < min(check.batch_size, len(waiting)) and (not take or weight + waiting[take].size <= BATCH_BYTES):
            weight += waiting[take].size
            take += 1
        records = tuple(waiting[:take])  # the check is handed a list of its own
        del waiting[:take]
        started = perf_counter()
        try:
            self._batch(check, list(records))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken check must not stop the run
            self._fatal(exc)
            alone = False  # whether a record crashes the check on its own
            for record in records if len(records) > 1 else ():
                try:
                    self._batch(check, [record])
                except (Exception, SystemExit) as again:  # noqa: BLE001
                    self.crashed(check, again, (record.file, record.position))
                    alone = True
            if not alone:
                self.crashed(check, exc, (records[0].file, records[0].position), len(records))
        self.timings[check.code] += perf_counter() - started

    def _batch(self, check: Check, records: Sequence[Record]) -> None:
        """A batch check's findings on `records`, kept only when the whole call succeeds."""
        found = check.check_batch(records)
        if found:
            found = _only_findings(found, check) if not _builtin(check) else list(found)
            self.findings.extend(found)

    def context(self, files: list[str], against: Sequence[str]) -> Context:
        return Context(files=files, records=self.records, valid=self.valid, against=list(against), places=self.places)

    def finish(self, context: Context) -> None:
        """Finish the dataset checks that do not run last."""
        for check in self.dataset_checks:
            if check.runs_last:
                continue
            if self.progress is not None:
                self.progress.update(self.records, f"finishing {check.slug}")
            self.guarded(check, lambda c=check: c.finish(context), (None, None))  # type: ignore[arg-type]

    def part(self) -> _Part:
        """What a worker sends back to the run."""
        summaries = self.summaries()
        return _Part(self.findings.handover(), self.crashes, dict(self.timings), summaries)

    def summaries(self) -> dict[str, Any]:
        """Each of its own checks' summary (a crash in one is that check's crash)."""
        summaries = {}
        for check in self.own.values():
            try:
                summary = check.summary()
                if summary is not None:
                    summaries[check.slug] = _plain(summary, strict=not _builtin(check))
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken summary must not stop the run
                self.crashed(check, exc, (None, None))
        return summaries

    def merge(self, part: _Part) -> None:
        """Take in another process's findings, crashes and timings (its checks are not ours)."""
        self.findings.absorb(part.findings)
        self.crashes.update(part.crashes)
        for code, seconds in part.timings.items():
            self.timings[code] += seconds

    def finish_last(self, context: Context) -> None:
        """Count usable pairs from every finding so far, then finish the checks that run last."""
        self._count_usable(context)
        for check in self.dataset_checks:
            if check.runs_last:
                self.guarded(check, lambda c=check: c.finish(context), (None, None))  # type: ignore[arg-type]

    def report_crashes(self) -> None:
        """Each crashed check's first crash becomes a finding (after the summaries: one can crash too)."""
        for count, crash in self.crashes.values():
            if count > 1:
                crash.message += f"; crashed on {count} records in all"
            self.findings.append(crash)

    def _count_usable(self, context: Context) -> None:
        """Usable pairs: valid records that no disqualifying check flagged.

        A record flagged by several such checks counts against the lowest code, whatever
        order the findings arrived in (it differs with --jobs). The store reads an input's
        findings in (record, code) order, so the first disqualifying finding of a record has
        its lowest code, and no record need be remembered but the last; records of other files
        (evaluation sets) are kept.
        """
        inputs = set(self.findings.files)
        unusable: Counter[str] = Counter()
        last: tuple[str | None, int] | None = None
        claimed: dict[tuple[str | None, int], str] = {}
        for code, _, file, record in self.findings.brief():
            check = self.by_code.get(code)
            if check is not None and check.disqualifies and record is not None:
                key = (file, record)
                if file in inputs:
                    if key != last:
                        last = key
                        unusable[code] += 1
                elif key not in claimed or code < claimed[key]:
                    claimed[key] = code
        unusable.update(claimed.values())
        context.unusable = dict(sorted(unusable.items()))  # the same order whatever the --jobs
        context.usable_pairs = self.valid - sum(unusable.values())


def run(
    paths: Sequence[str],
    checks: Sequence[Check],
    fields: dict[str, str],
    fail_on: Severity,
    progress: Progress | None = None,
    against: Sequence[str] = (),
    fingerprints: bool = False,
    jobs: int = 1,
    names: Sequence[str] | None = None,
) -> Result:
    """Lint `paths` as one dataset with `checks`; `against` (the evaluation sets) reaches dataset
    checks as `Context.against`.

    `names`: what findings call each input (default: its path; `<stdin>` for `-`).

    With `fingerprints`, each finding about a record carries the hash of that record's content
    (for baselines). With `jobs` above 1 the checks are shared among that many processes
    (sftlint.parallel); the result is the same. Raises InputError for unreadable files.
    """
    files = list(names) if names is not None else [display_name(p) for p in paths]
    groups = deal([c for c in checks if not c.runs_last], jobs)
    mine = [*groups[0], *(c for c in checks if c.runs_last)]
    folder = temporary_folder() if len(groups) > 1 else None
    runner = _Runner(checks, fields, progress, fingerprints, own=mine, files=files)

    def share(group: list[Check]) -> _Part:
        """A worker's pass: the same reading, only its own checks."""
        worker = _Runner(checks, fields, own=group, files=files, folder=folder)
        for path, name in zip(paths, files, strict=True):
            worker.read(path, name)
        worker.done_reading()
        worker.finish(worker.context(files, against))
        return worker.part()

    workers: Workers | None = None
    parts: list[_Part] = []
    try:
        if len(groups) > 1:
            workers = Workers(groups[1:], share)
        for path, name in zip(paths, files, strict=True):
            runner.read(path, name)
        runner.done_reading()
        context = runner.context(files, against)
        runner.finish(context)
        if workers is not None:
            if progress is not None:
                progress.update(runner.records, "waiting for the other processes")
            parts = workers.results()
            for part in parts:
                runner.merge(part)
        runner.finish_last(context)
    except BaseException:
        if workers is not None:
            workers.stop()
        raise
    finally:
        if progress is not None:
            progress.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    summaries = runner.summaries()
    for part in parts:
        summaries.update(part.summaries)
    runner.report_crashes()
    stats = {
        "records": runner.records,
        "valid": runner.valid,
        "usable_pairs": context.usable_pairs,
        "blank_lines": runner.blank,
        "formats": runner.places.formats,
        "shapes": dict(runner.shapes.most_common()),
        "unusable": context.unusable,
        "timings": {code: round(seconds, 3) for code, seconds in sorted(runner.timings.items())},
        "jobs": len(groups),
    }
    summaries = {c.slug: summaries[c.slug] for c in checks if c.slug in summaries}
    return Result(files, list(checks), runner.findings, stats, summaries, fail_on)
