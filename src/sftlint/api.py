"""The library: `sftlint.lint`, `sftlint.fix` and `sftlint.split`, which the commands wrap.

`lint` takes what a notebook has at hand: a path, several paths, records (an iterable of dicts),
a pandas DataFrame or a Hugging Face `datasets.Dataset`. Records are linted as the same records
written to JSON Lines would be, record i on line i: they are written, one per line, to a
temporary file that the run reads like any other input and findings call `<records>`,
`<DataFrame>` or `<Dataset>`. So every check, `jobs` and the excerpts work on them unchanged,
and memory holds no more than it does for a file. pandas and datasets are never imported here:
their objects are known by their type's module.

Nothing here prints. What a person should be told comes back in the result (`Result.messages`,
`FixReport`, `SplitReport`); errors are `SftlintError`s with a one-line message.
"""

from __future__ import annotations

import datetime
import html
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from itertools import chain
from pathlib import Path
from typing import Any

from sftlint import baseline as baselines
from sftlint import tables
from sftlint.check import Check
from sftlint.config import Config, check_settings, from_table, load_config, selected, with_overrides
from sftlint.engine import Result as _EngineResult
from sftlint.engine import run
from sftlint.errors import NOT_STANDARD_OUTPUT, PluginError, SftlintError, described
from sftlint.evalsize import margin_points, recommended_eval_size
from sftlint.examples import collect_examples
from sftlint.findings import Severity
from sftlint.fix import FixReport, codes_to_drop, default_rejects, fix_file
from sftlint.io import display_name, dump_json, refuse_inputs, same_file, write_atomic, write_error, write_together
from sftlint.output import dataset_line, to_dict
from sftlint.parallel import choose_jobs
from sftlint.progress import Progress, choose_progress
from sftlint.registry import discover
from sftlint.split import NearDuplicates, SamePrompt, Split, leak_groupers
from sftlint.split import split as split_lines

#: what findings call the records of each kind of in-memory source.
RECORDS, DATAFRAME, DATASET = "<records>", "<DataFrame>", "<Dataset>"
#: rows of a DataFrame turned into records at a time.
_ROWS_PER_CHUNK = 1000
#: the columns of `Result.to_pandas`: the keys of a finding in the JSON output.
FINDING_COLUMNS = (
    "code",
    "slug",
    "severity",
    "file",
    "line",
    "record",
    "message",
    "related",
    "score",
    "data",
    "fingerprint",
)


def split_names(values: str | Iterable[str] | None) -> list[str]:
    """Check names from `"A,B"`, `["A", "B"]` or `--select A,B --select C` alike."""
    if values is None:
        return []
    names = [values] if isinstance(values, str) else list(values) if isinstance(values, Iterable) else None
    if names is None or not all(isinstance(name, str) for name in names):
        raise SftlintError(f"check names are text, e.g. 'SFT104' or ['SFT1', 'near-duplicate']; got {values!r:.60}")
    return [v.strip() for name in names for v in name.split(",") if v.strip()]


def build_checks(config: Config) -> list[Check]:
    """Discover, select and configure the checks for a run."""
    available = discover(config.plugins)
    settings = check_settings(config, available)
    checks = []
    for cls in selected(available, config.select, config.ignore, config.preview):
        try:
            checks.append(cls(*settings[cls.code]))
        except SftlintError:
            raise
        except (Exception, SystemExit, GeneratorExit) as exc:  # noqa: BLE001 - a check that cannot be made is a broken plugin
            raise PluginError(f"{cls.code} could not be created: {described(exc)}") from None
    for check in checks:
        try:
            check.start(config)
        except SftlintError:
            raise  # already one line for the user (SFT203: an evaluation set that cannot be read)
        except (Exception, SystemExit, GeneratorExit) as exc:  # noqa: BLE001 - a check that cannot start is a broken plugin
            raise PluginError(f"{check.code} could not start: {described(exc)}") from None
    return checks


def read_paths(
    files: Iterable[str | Path],
    config: Config | None = None,
    config_path: Path | None = None,
    template_dir: Path | None = None,
) -> list[Path]:
    """Every file a run reads, which none of its outputs may overwrite: the inputs, the config
    file, the baseline, the evaluation sets, the plugin modules and the report templates."""
    paths = [Path(f) for f in files if str(f) != "-"]
    paths += [Path(data) for f in list(paths) for data in tables.data_files(str(f))]  # their links resolved later
    if config_path is not None:
        paths.append(config_path)
    if config is not None:
        paths += [Path(f) for f in config.against]
        paths += [Path(config.baseline)] if config.baseline else []
        folders = [Path(f) for f in config.plugins if os.path.isdir(f)]  # discovery reports the others
        paths += [module for folder in folders for module in sorted(folder.glob("*.py"))]
    if template_dir is not None:
        if not template_dir.is_dir():
            problem = "is not a folder" if template_dir.exists() else "no such folder"
            raise SftlintError(f"{template_dir}: {problem} (the report's template folder)")
        try:
            paths += sorted(p for p in template_dir.iterdir() if p.is_file())
        except OSError as exc:
            raise SftlintError(f"{template_dir}: cannot read the template folder: {exc.strerror or exc}") from None
    return paths


@dataclass
class Result(_EngineResult):
    """What a lint found: `verdict` ("go" or "no-go"), `go`, `reasons`, `findings`, `stats`,
    and the views a script or notebook wants (`to_dict`, `to_pandas`, `report`, inline HTML)."""

    #: what the run has to tell a person (e.g. that it wrote a baseline); the CLI prints them.
    messages: list[str] = field(default_factory=list)
    #: the files the run read, which `report` never writes over.
    inputs: list[Path] = field(default_factory=list)

    def __repr__(self) -> str:  # the fields hold every finding and check: too much to show
        verdict = "GO" if self.go else "NO-GO"
        return f"<sftlint.Result {verdict}: {self.stats['records']:,} records, {len(self.findings):,} findings>"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `sftlint lint --format json` (see `sftlint schema`)."""
        return to_dict(self)

    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame, one row per finding, columns as in the JSON output."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Result.to_pandas needs pandas: pip install pandas") from None
        rows = [
            [_writable(row.get(column)) for column in FINDING_COLUMNS] for row in (f.to_dict() for f in self.findings)
        ]
        frame = pandas.DataFrame(rows, columns=list(FINDING_COLUMNS))
        for column in ("line", "record"):  # dataset-wide findings have neither
            frame[column] = frame[column].astype("Int64")
        return frame

    def report(self, path: str | os.PathLike[str], template_dir: str | os.PathLike[str] | None = None) -> Path:
        """Write the HTML report to `path` (complete or not at all; never over an input) and return the path."""
        from sftlint.report import render_report

        target = _output_path(path, "path")
        templates = Path(template_dir) if template_dir is not None else None
        reads = [*self.inputs, *read_paths([], template_dir=templates)]
        refuse_inputs([target], reads)
        findings = (f.to_dict() for f in self.findings)
        write_atomic(target, render_report(to_dict(self, findings=False), templates, findings), inputs=reads)
        return target

    def _repr_html_(self) -> str:
        """The verdict, its reasons and the checks with findings, for a notebook cell's output."""
        e = html.escape
        colour = "#1a7f37" if self.go else "#cf222e"
        stats = self.stats
        parts = [
            '<div class="sftlint-result">',
            f'<p><strong style="color:#fff;background:{colour};padding:2px 8px;border-radius:4px">'
            f"{'GO' if self.go else 'NO-GO'}</strong> "
            f"{e(dataset_line(stats, self.files, ','))}; NO-GO at {e(self.fail_on.value)} or above</p>",
        ]
        if self.reasons:
            parts.append("<ul>" + "".join(f"<li>{e(reason)}</li>" for reason in self.reasons) + "</ul>")
        rows = [r for r in self.check_rows(found_severity=True) if r["count"]]  # as the text table and report
        if rows:
            head = "".join(f"<th>{h}</th>" for h in ("code", "check", "severity", "findings", "records", "rate"))
            body = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in _cells(r)) + "</tr>" for r in rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        parts.append(f"<p>{len(self.checks)} checks ran, {len({r['code'] for r in rows})} with findings.</p>")
        parts += [f"<p>{e(message)}</p>" for message in self.messages]
        parts.append("</div>")
        return _writable("".join(parts))


def _writable(value: Any) -> Any:
    """A text with its lone surrogates (a record's "\\ud83d" without its pair, quoted in a
    message) as that escape, so it can be written as UTF-8 (a notebook's output, pandas' string
    columns); any other value as it is."""
    if type(value) is str and not value.isascii():
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _cells(row: dict[str, Any]) -> list[str]:
    """One check's row of the inline table; dataset-wide findings flag no record, so no rate."""
    flagged = row["records"]
    rate = f"{row['rate']:.1%}" if flagged else "-"
    return [row["code"], row["slug"], row["severity"], f"{row['count']:,}", f"{flagged:,}" if flagged else "-", rate]


def _each_file_once(
    paths: list[str], names: Sequence[str] | None
) -> tuple[list[str], Sequence[str] | None, list[tuple[str, str]]]:
    """The paths (and their names) without a second path to a file already named (`a.jsonl
    ./a.jsonl`): read twice, its records were counted twice yet never duplicates of each other.
    Also returns (the path left out, the one kept) for each."""
    kept: list[int] = []
    repeated = []
    for i, path in enumerate(paths):
        same = (
            k
            for k in kept
            if path == paths[k] == "-" or ("-" not in (path, paths[k]) and same_file(Path(path), Path(paths[k])))
        )
        first = next(same, None)
        if first is None:
            kept.append(i)
        else:
            repeated.append((path, paths[first]))
    if not repeated:
        return paths, names, []
    return [paths[i] for i in kept], None if names is None else [names[i] for i in kept], repeated


def lint_paths(
    paths: list[str],
    config: Config,
    progress: Progress | None = None,
    examples: bool = True,
    write_baseline: Path | None = None,
    names: Sequence[str] | None = None,
) -> Result:
    """Run the configured checks over `paths` (`names`: what findings call them, as in `engine.run`).

    With `examples`, excerpts of flagged records are read for the JSON result and the report.
    The baseline (`config.baseline`, or `write_baseline`: accept every finding) applies first.
    """
    if any(map(_is_stdin, paths)) and any(map(_is_stdin, config.against)):
        raise SftlintError(
            "standard input ('-') is named as data and as an evaluation set (--against); it can be read "
            "only once: write one of them to a file"
        )
    paths, names, repeated = _each_file_once(paths, names)
    fingerprints = bool(write_baseline or config.baseline)
    checks = build_checks(config)
    jobs = choose_jobs(config.jobs, paths)
    found = run(
        paths,
        checks,
        dict(config.fields),
        config.fail_on,
        progress,
        against=config.against,
        fingerprints=fingerprints,
        jobs=jobs,
        names=names,
    )
    result = Result(**{f.name: getattr(found, f.name) for f in fields(found) if f.init})
    result.config = config.model_dump(mode="json")
    result.inputs = read_paths(paths if names is None else [], config)
    result.messages += [
        f"sftlint: {display_name(again)} is named twice: read once"
        if again == first
        else f"sftlint: {again} is {first}: read once"
        for again, first in repeated
    ]
    if write_baseline is not None:
        accepted = baselines.from_findings(result.findings, result.files)
        baselines.write(write_baseline, accepted, [Path(p) for p in paths if p != "-"])
        count = sum(e.count for e in accepted.findings)
        result.messages.append(f"sftlint: wrote {count} accepted finding(s) to {write_baseline}")
        baselines.apply(result, accepted, write_baseline)
    elif config.baseline:
        path = Path(config.baseline)
        baselines.apply(result, baselines.load(path), path)
    if examples:
        result.examples = collect_examples(
            [*paths, *config.against],
            result.findings,
            result.summaries,
            dict(config.fields),
            config.examples_per_check,
            names=names,
            placed=result.tally().placed,
        )
    return result


def resolve_config(
    config: str | os.PathLike[str] | Mapping[str, Any] | Config | None, **overrides: Any
) -> tuple[Config, Path | None]:
    """The settings of a library call and the config file they came from.

    `config`: None finds sftlint.toml or pyproject.toml upward from the working directory, as
    the CLI does; a path reads that file; a dict is a settings table like the file's; a Config
    is used as it is. `overrides` go over it as command-line options do.
    """
    overrides = {key: value for key, value in overrides.items() if value is not None}
    if config is None or isinstance(config, (str, os.PathLike)):
        return load_config(Path(config) if config is not None else None, overrides)
    if isinstance(config, Config):
        return with_overrides(config, overrides), None
    if isinstance(config, Mapping):
        return with_overrides(from_table(dict(config)), overrides), None
    raise SftlintError(f"config: expected a path, a dict or a Config, got {type(config).__name__}")


def _overrides(
    select: str | Iterable[str] | None,
    ignore: str | Iterable[str] | None,
    fail_on: str | Severity | None,
    against: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None,
    jobs: int | None,
) -> dict[str, Any]:
    """The keyword options of `lint` and `fix` as config overrides."""
    if against is None or _is_path(against):
        evals: list[Any] | None = [] if against is None else [against]
    else:
        evals = list(against) if isinstance(against, Iterable) else None
    if evals is None or not all(_is_path(p) for p in evals):
        raise SftlintError(f"against takes paths of evaluation sets; got {against!r:.60}")
    return {
        "select": split_names(select),
        "ignore": split_names(ignore),
        "fail_on": fail_on,
        "against": [str(Path(p)) for p in evals],
        "jobs": jobs,
    }


def lint(
    source: Any,
    *,
    config: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    fail_on: str | Severity | None = None,
    against: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    examples: bool = True,
    write_baseline: str | os.PathLike[str] | None = None,
) -> Result:
    """Lint a dataset and return its verdict and findings, as `sftlint lint` does.

    `source`: a path, several paths (one dataset), records (an iterable of dicts), a pandas
    DataFrame or a `datasets.Dataset`. `config`: see `resolve_config`; `select`, `ignore`
    ("SFT1,exact-duplicate" or a list), `fail_on`, `against` and `jobs` override it.
    `progress`: True, False, or None to show it only where someone watches (a terminal or a
    notebook, not CI). `write_baseline`: accept every finding into this baseline file.
    """
    settings, config_path = resolve_config(config, **_overrides(select, ignore, fail_on, against, jobs))
    _flags(progress=progress, examples=examples)
    target = _output_path(write_baseline, "write_baseline") if write_baseline is not None else None
    with records_as_file(source) as (paths, names):
        if target is not None:  # written instead of the configured baseline, which is then not read
            refuse_inputs([target], read_paths(paths, settings.model_copy(update={"baseline": None}), config_path))
        result = lint_paths(paths, settings, choose_progress(progress), examples, target, names)
    if config_path is not None:
        result.inputs.append(config_path)
    return result


def fix(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    rejects: str | os.PathLike[str] | None = None,
    drop: str | Iterable[str] | None = None,
    config: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    fail_on: str | Severity | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
) -> FixReport:
    """Write the records of the dataset file `source` worth training on to `output` (in its format),
    and the removed ones, with why, to `rejects` (default: OUT.rejected.jsonl), as `sftlint fix` does.

    `drop`: checks whose records go too, besides invalid lines, empty records and duplicates.
    `FixReport.cleaned` is the lint of `output`; `sftlint.fix` module's `summary` words it all.
    """
    if not _is_path(source):
        raise SftlintError("fix reads a dataset file: write the records to one first")
    settings, config_path = resolve_config(config, **_overrides(select, ignore, fail_on, None, jobs))
    reads = read_paths([source], settings, config_path)  # its data files, and the baseline it does not apply
    settings = settings.model_copy(update={"baseline": None})  # fix drops defects whether accepted or not
    _flags(progress=progress)
    out = _output_path(output, "output")
    rejected = _output_path(rejects, "rejects") if rejects is not None else default_rejects(out)
    drop_codes = codes_to_drop(build_checks(settings), split_names(drop))

    def lint_file(paths: list[str]) -> Result:
        return lint_paths(paths, settings, choose_progress(progress), examples=False)

    return fix_file(Path(source), out, rejected, drop_codes, lint_file, reads=reads)


@dataclass
class SplitReport:
    """What `split` wrote: the split itself, the two files, and what to tell a person."""

    split: Split
    train: Path
    eval: Path
    seed: int
    #: the summary `sftlint split` prints on standard output.
    lines: list[str] = field(default_factory=list)
    #: a warning `sftlint split` prints on standard error: too few evaluation records, or None.
    note: str | None = None

    def __repr__(self) -> str:  # `split` holds every line of the input: too much to show
        done = self.split
        return (
            f"<sftlint.SplitReport: {len(done.train):,} records to {self.train.name}, "
            f"{len(done.eval):,} to {self.eval.name}, seed {self.seed}>"
        )


def split(
    source: str | os.PathLike[str],
    train: str | os.PathLike[str],
    eval: str | os.PathLike[str],
    *,
    eval_fraction: float | None = None,
    seed: int = 0,
    stratify: bool = True,
    near_duplicates: bool = True,
    config: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
) -> SplitReport:
    """Split the dataset file `source` into `train` and `eval` files in its format, as `sftlint split`
    does: duplicates, near-duplicate clusters and same-prompt groups stay on one side. Without
    `eval_fraction`, the evaluation set is the size SFT205 recommends for the file."""
    if not isinstance(source, (str, os.PathLike)):
        raise SftlintError("split reads a dataset file: write the records to one first")
    if eval_fraction is not None and (isinstance(eval_fraction, bool) or not isinstance(eval_fraction, (int, float))):
        raise SftlintError(f"eval_fraction is a number between 0 and 1, got {eval_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SftlintError(f"seed is a whole number, got {seed!r:.60}")
    _flags(stratify=stratify, near_duplicates=near_duplicates)
    train_path, eval_path = _output_path(train, "train"), _output_path(eval, "eval")
    if same_file(train_path, eval_path):
        raise SftlintError(f"{train_path}: train and eval must be different files")
    settings, config_path = resolve_config(config)
    file = str(source)
    reads = read_paths([file], settings, config_path)
    refuse_inputs([train_path, eval_path], reads)
    groupers: list[Any] = [SamePrompt()]
    if near_duplicates:
        own = check_settings(settings, discover(settings.plugins))  # the linter's own settings
        near = own["SFT104"][0]
        groupers += [NearDuplicates(near.threshold, near.on, near.num_perm), *leak_groupers(own["SFT203"][0])]
    done = split_lines(file, eval_fraction, seed, dict(settings.fields), stratify=stratify, groupers=groupers)
    write_together(
        [(train_path, done.data(done.train, train_path)), (eval_path, done.data(done.eval, eval_path))], inputs=reads
    )
    return SplitReport(done, train_path, eval_path, seed, *_split_summary(done, train_path, eval_path, seed))


def _split_summary(done: Split, train: Path, eval: Path, seed: int) -> tuple[list[str], str | None]:
    total = done.total
    lines = [
        f"{train}: {len(done.train)} records; {eval}: {len(done.eval)} records "
        f"({len(done.eval) / total if total else 0:.1%} of {total}, seed {seed})"
    ]
    if done.groups:
        lines.append(
            f"{done.groups} groups of duplicates, near-duplicates or same-prompt records kept on one side "
            f"(largest {done.largest_group})"
        )
    if done.strata:
        lines.append(f"stratified by label: {len(done.strata)} labels")
    if done.invalid:
        lines.append(f"{done.invalid} lines that are not valid records went to {train} (run `sftlint lint` on it)")
    recommended = recommended_eval_size(total - done.invalid)
    note = None
    if len(done.eval) < recommended:
        measured = (
            f"{len(done.eval)} evaluation records measure a rate to about ±{margin_points(len(done.eval)):.0f} points"
            if done.eval
            else "no evaluation records measure nothing"
        )
        note = f"note: {measured}; {recommended} are recommended for this dataset's size"
    return lines, note


# --- sources ---------------------------------------------------------------------------------


def _output_path(value: str | os.PathLike[str], name: str) -> Path:
    """A file to write, by its name; an empty name (as a path, the current folder) is refused."""
    if not _is_path(value) or not os.fspath(value):
        raise SftlintError(f"{name} is the name of a file to write, got {value!r}")
    if os.fspath(value) == "-":  # read back and linted after it is written: no stream can be
        raise SftlintError(f"{name} '-': {NOT_STANDARD_OUTPUT}")
    return Path(value)


def _is_stdin(path: str) -> bool:
    """Whether `path` names standard input: '-' or the system's names for it."""
    return path in ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def _flags(**flags: object) -> None:
    """Refuse a switch given as something else than True, False (or None where it means "decide"):
    progress="no" is a non-empty string, so it read as True."""
    for name, value in flags.items():
        if not (value is None and name == "progress") and not isinstance(value, bool):
            raise SftlintError(f"{name} is True or False, got {value!r:.60}")


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _module(value: object) -> str:
    return type(value).__module__.split(".", 1)[0]


def _records(source: Any) -> tuple[list[str], None] | tuple[Iterable[Any], str]:
    """Paths to read and None, or the records of an in-memory source and what to call them."""
    if _is_path(source):
        return [os.fspath(source)], None
    if _module(source) == "pandas" and hasattr(source, "columns") and hasattr(source, "iloc"):
        repeated = sorted({str(name) for name in source.columns[source.columns.duplicated()]})
        if repeated:  # a row as a dict would keep one of them, silently
            raise SftlintError(f"the DataFrame has columns of the same name: {', '.join(repeated)}")
        return _dataframe_rows(source), DATAFRAME
    if _module(source) == "pandas" and hasattr(source, "index"):  # a Series, or another pandas object
        raise SftlintError(
            f"cannot lint a pandas {type(source).__name__}: give a DataFrame (one record a row) or a list of records"
        )
    if _module(source) == "datasets":
        if isinstance(source, Mapping):  # a DatasetDict: one dataset per split
            splits = ", ".join(f"[{name!r}]" for name in source)
            raise SftlintError(f"a DatasetDict holds several splits: lint one of them ({splits})")
        # rows as dicts of Python values, whatever format the dataset is set to (pandas, arrow, torch...)
        return (source.with_format(None) if hasattr(source, "with_format") else source), DATASET
    if isinstance(source, Mapping):
        raise SftlintError("one record: pass a list of records, e.g. [record]")
    if isinstance(source, (bytes, bytearray)) or not isinstance(source, Iterable):
        raise SftlintError(
            f"cannot lint a {type(source).__name__}: give a path, paths, records (dicts), "
            "a pandas DataFrame or a datasets.Dataset"
        )
    items = iter(source)
    for first in items:
        if not _is_path(first):
            return chain([first], items), RECORDS
        paths = [first, *items]
        wrong = next((p for p in paths if not _is_path(p)), None)
        if wrong is not None:
            raise SftlintError(f"paths and records mixed: a {type(wrong).__name__} among paths")
        return [os.fspath(p) for p in paths], None
    return (), RECORDS  # no records at all


def _dataframe_rows(frame: Any) -> Iterator[dict[str, Any]]:
    """A DataFrame's rows as records, in order; missing values (NaN, None, NA, NaT) become null."""
    import pandas  # the caller gave a DataFrame: pandas is there

    for start in range(0, len(frame), _ROWS_PER_CHUNK):
        for row in frame.iloc[start : start + _ROWS_PER_CHUNK].to_dict("records"):
            yield {key: None if pandas.api.types.is_scalar(v) and pandas.isna(v) else v for key, v in row.items()}


def _json_value(value: Any) -> Any:
    """A JSON value for what JSON has no type for: numpy numbers and arrays, dates, sets, else text."""
    if hasattr(value, "tolist") and _module(value) == "numpy":
        plain = value.tolist()
        # np.longdouble's tolist() is a longdouble again (JSON would ask for it forever): as a float
        return float(plain) if type(plain) is type(value) else plain
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


@contextmanager
def records_as_file(source: Any) -> Iterator[tuple[list[str], list[str] | None]]:
    """The paths a run reads for `source` and what findings call them (None: the paths themselves).

    In-memory records are written to a temporary JSON Lines file, one per line, removed after.
    """
    paths, name = _records(source)
    if name is None:
        yield paths, None  # type: ignore[misc]
        return
    fd, path = tempfile.mkstemp(prefix="sftlint-records.", suffix=".jsonl")
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                for number, record in enumerate(paths, start=1):
                    try:
                        line = dump_json(record, default=_json_value)
                    except (TypeError, ValueError, RecursionError) as exc:
                        raise SftlintError(f"{name} record {number} cannot be written as JSON: {exc}") from None
                    handle.write(line + b"\n")
        except OSError as exc:
            raise write_error(path, exc) from None
        yield [path], [name]
    finally:
        Path(path).unlink(missing_ok=True)
