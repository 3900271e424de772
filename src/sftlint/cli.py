"""Command-line interface. Exit codes, as ruff: 0 GO, 1 NO-GO, 2 sftlint could not do its job."""

from __future__ import annotations

import errno
import gc
import json
import os
import signal
import sys
from itertools import chain
from pathlib import Path
from typing import Any

import click

from sftlint import __version__, api
from sftlint.api import read_paths
from sftlint.api import split_names as _split
from sftlint.config import Config, load_config
from sftlint.errors import NOT_STANDARD_OUTPUT, SftlintError, did_you_mean
from sftlint.io import append_text, refuse_inputs, same_file, write_atomic, write_together
from sftlint.output import (
    FORMATS,
    printable,
    render_chunks,
    render_statistics,
    render_step_summary,
    to_dict,
    use_colour,
)
from sftlint.parallel import STOP_SIGNALS
from sftlint.registry import discover, resolve

EXIT_GO = 0
EXIT_NO_GO = 1
EXIT_ERROR = 2


class OutputPath(click.Path):
    """`click.Path` for a file to write: an empty name is refused (as a path it is the current
    folder), and so is '-' unless the option writes to standard output (it made a file named '-')."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            self.fail("an empty file name", param, ctx)
        if value == "-" and not self.allow_dash:
            self.fail(f"'-': {NOT_STANDARD_OUTPUT}")
        return super().convert(value, param, ctx)


def _fields(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise click.BadParameter(f"expected FIELD=NAME, got {value!r}", param_hint="--field")
        out[key.strip()] = name.strip()
    return out


_CHECK_OPTIONS = [
    click.option("--select", multiple=True, help="Checks to run: codes, prefixes (SFT1) or slugs; comma-separated."),
    click.option("--ignore", multiple=True, help="Checks to skip: codes, prefixes or slugs; comma-separated."),
    click.option(
        "--fail-on",
        type=click.Choice(["error", "warning", "info", "advice"]),
        help="Lowest severity that means NO-GO [default: error].",
    ),
    click.option(
        "--preview",
        is_flag=True,
        default=None,
        help="Also run the preview checks (not yet precise enough on real data to be on by default).",
    ),
    click.option("--min-pairs", type=click.IntRange(min=1), help="Fewest usable pairs for GO [default: 300]."),
    click.option(
        "--field",
        "fields",
        multiple=True,
        metavar="FIELD=NAME",
        help="Map a record field: instruction, input, response or label.",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (default: sftlint.toml or pyproject.toml, searched upward).",
    ),
    click.option("--isolated", is_flag=True, help="Read no config file: defaults and these options only."),
    click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable)."),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help="Processes to share the checks among; results are the same for any number "
        "[default: every core for inputs of 4 MB or more, else 1].",
    ),
]


def check_options(command: Any) -> Any:
    """The options of every command that runs the checks (lint, fix), declared once."""
    for option in reversed(_CHECK_OPTIONS):
        command = option(command)
    return command


def run_config(
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    min_pairs: int | None,
    fields: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    plugins: tuple[str, ...],
    jobs: int | None = None,
    preview: bool | None = None,
    **more: Any,
) -> tuple[Config, Path | None]:
    """The config file with the `check_options` (and any `more` settings) applied over it, and its path."""
    overrides: dict[str, Any] = {
        "select": _split(select),
        "ignore": _split(ignore),
        "fail_on": fail_on,
        "fields": _fields(fields),
        "plugins": list(plugins),
        "checks": {"dataset-size": {"min_pairs": min_pairs}} if min_pairs else {},
        "jobs": jobs,
        "preview": preview,
        **more,
    }
    return load_config(config_file, overrides, isolated=isolated)


def report_written(path: Path) -> None:
    """Say where the report is, on standard error, so the verdict on standard output stays clean."""
    click.echo(printable(f"sftlint: report written to {path}"), err=True)


class ToolError(click.ClickException):
    """sftlint could not do its job: one line on standard error, exit code 2."""

    exit_code = EXIT_ERROR

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"sftlint: error: {printable(self.format_message())}", err=True)


class _Group(click.Group):
    """Every error of every command is one `sftlint: error:` line and exit code 2: sftlint's own
    errors and Click's usage errors alike (Click would print the usage, a hint and the error)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SftlintError as exc:
            raise ToolError(str(exc)) from None

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except (ToolError, getattr(click.exceptions, "NoArgsIsHelpError", ToolError)) as exc:  # the latter: the help
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:  # a usage error: one line too, with where to find help
            command = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "sftlint"
            click.echo(f"sftlint: error: {printable(exc.format_message())} (see `{command} --help`)", err=True)
            code = EXIT_ERROR
        except (click.exceptions.Abort, KeyboardInterrupt) as exc:
            terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)  # Click wraps it in Abort
            click.echo(f"sftlint: {'terminated' if terminated else 'interrupted'}", err=True)
            code = EXIT_ERROR
        except SftlintError as exc:  # standard output failed outside a command (Click's own messages)
            ToolError(str(exc)).show()
            code = EXIT_ERROR
        code = code if isinstance(code, int) else EXIT_GO
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sftlint")
def cli() -> None:
    """Pre-flight checks for instruction-tuning data: GO / NO-GO before you fine-tune."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@check_options
@click.option(
    "--against",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Evaluation set to check for contamination (repeatable).",
)
@click.option(
    "--output",
    "-o",
    type=OutputPath(dir_okay=False, allow_dash=True),
    help="Write the output to a file instead of standard output.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display on standard error.")
@click.option(
    "--color",
    "colour",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output. auto: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Text output: one line per check with findings (count, code, slug, severity), no line per finding.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even on NO-GO; 2 still means sftlint could not do its job.")
@click.option(
    "--report",
    "report_path",
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Also write the HTML report to this file.",
)
@click.option(
    "--template-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of report templates that override the built-in ones.",
)
@click.option(
    "--examples",
    "examples_per_check",
    type=click.IntRange(min=0),
    help="Flagged records per check shown with excerpts [default: 20].",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="Suppress the findings accepted in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Accept every current finding: write them to this baseline file.",
)
def lint(
    files: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    preview: bool | None,
    min_pairs: int | None,
    fields: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    plugins: tuple[str, ...],
    jobs: int | None,
    against: tuple[str, ...],
    output: str | None,
    quiet: bool,
    colour: str,
    statistics: bool,
    exit_zero: bool,
    report_path: Path | None,
    template_dir: Path | None,
    examples_per_check: int | None,
    baseline_file: str | None,
    write_baseline: Path | None,
) -> None:
    """Lint datasets (JSON Lines, JSON, CSV, Parquet, ...: FILES, or - for standard input) and print the verdict.

    With --format github and $GITHUB_STEP_SUMMARY set, a Markdown summary is added to that file.
    """
    if statistics and fmt != "text":
        raise click.UsageError(f"--statistics goes with --format text, not {fmt}", click.get_current_context())
    config, config_path = run_config(
        select,
        ignore,
        fail_on,
        min_pairs,
        fields,
        config_file,
        isolated,
        plugins,
        jobs,
        preview,
        examples_per_check=examples_per_check,
        against=list(against),
        baseline=baseline_file,
    )
    reads = read_paths(  # --write-baseline writes the baseline instead of reading it
        files, config.model_copy(update={"baseline": None}) if write_baseline else config, config_path, template_dir
    )
    outputs = [Path(output)] if output and output != "-" else []
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY") if fmt == "github" else None
    summary_path = Path(step_summary) if step_summary else None
    written = [*outputs, *[p for p in (report_path, write_baseline, summary_path) if p is not None]]
    refuse_inputs(written, reads)
    for index, path in enumerate(written):  # else the last one written would silently replace the others
        if any(same_file(path, other) for other in written[:index]):
            raise SftlintError(
                f"{path}: named for two outputs (-o, --report, --write-baseline); give each its own file"
            )
    show_progress = not quiet and fmt != "json" and sys.stderr.isatty()
    wants_examples = fmt == "json" or report_path is not None
    result = api.lint(
        list(files), config=config, progress=show_progress, examples=wants_examples, write_baseline=write_baseline
    )
    for message in result.messages:
        click.echo(printable(message), err=True)
    files: list[tuple[Path, Any]] = []  # -o and --report: both replaced, or neither
    chunks = [render_statistics(result)] if statistics else render_chunks(result, fmt)
    if outputs:  # colours are for terminals
        files.append((outputs[0], chain(map(click.unstyle, chunks), ["\n"])))
    if report_path is not None:
        from sftlint.report import render_report

        document, findings = to_dict(result, findings=False), (f.to_dict() for f in result.findings)
        files.append((report_path, render_report(document, template_dir, findings)))
    if files:
        write_together(files, inputs=reads)
    if not outputs:
        colour_on = use_colour(colour, sys.stdout)
        for chunk in chunks:
            click.echo(chunk, nl=False, color=colour_on)
        click.echo("")
    if summary_path is not None:
        append_text(summary_path, render_step_summary(result), inputs=reads)
    if report_path is not None:  # said once everything is written: an error stays the only line
        report_written(report_path)
    sys.exit(EXIT_NO_GO if result.verdict == "no-go" and not exit_zero else EXIT_GO)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable).")
def rules(fmt: str, plugins: tuple[str, ...]) -> None:
    """List every available check: code, slug, default severity, summary."""
    checks = discover(list(plugins))
    if fmt == "json":
        rows = [
            {
                "code": c.code,
                "slug": c.slug,
                "severity": c.severity.value,
                "preview": c.preview,
                "preview_note": c.preview_note or None,
                "summary": c.summary_line(),
            }
            for c in checks.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for c in checks.values():
        status = "preview" if c.preview else "on"
        click.echo(printable(f"{c.code}  {c.slug:<24} {c.severity.value:<8} {status:<8} {c.summary_line()}"))
        if c.preview and c.preview_note:
            click.echo(printable(f"{'':<34}{'':<8} preview: {c.preview_note}"))


@cli.command()
@click.argument("name")
@click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable).")
def rule(name: str, plugins: tuple[str, ...]) -> None:
    """Print the full documentation of one check, by code or slug."""
    checks = discover(list(plugins))
    cls = resolve(name, checks)
    if cls is None:
        close = did_you_mean(name, [known for c in checks.values() for known in (c.code, c.slug)])
        raise SftlintError(f"unknown check '{name}'{close} (see `sftlint rules`)")
    doc = cls.doc_sections()
    click.echo(f"{cls.code} {cls.slug} (default severity: {cls.severity.value})")
    if cls.preview:
        click.echo(f"preview: off unless selected by code or slug, or with --preview. {cls.preview_note}".rstrip())
    click.echo("")
    click.echo(doc["summary"])
    for section in ("What it does", "Why it matters", "How to fix", "Options"):
        if doc.get(section):
            click.echo(f"\n{section}:\n{doc[section]}")


@cli.command()
@click.argument("result_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--output", "-o", required=True, type=OutputPath(dir_okay=False, path_type=Path), help="HTML file to write."
)
@click.option(
    "--template-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of report templates that override the built-in ones.",
)
def report(result_file: str, output: Path, template_dir: Path | None) -> None:
    """Render the HTML report from a saved `sftlint lint --format json` result (- for standard input)."""
    from sftlint.report import load_result, render_report

    data = load_result(result_file)
    reads = read_paths([result_file], template_dir=template_dir)
    refuse_inputs([output], reads)
    write_atomic(output, render_report(data, template_dir), inputs=reads)
    report_written(output)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@check_options
@click.option(
    "--against",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Evaluation set (repeatable), besides the config's `against`.",
)
def precommit(
    files: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    preview: bool | None,
    min_pairs: int | None,
    fields: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    plugins: tuple[str, ...],
    jobs: int | None,
    against: tuple[str, ...],
) -> None:
    """Lint each of FILES as its own dataset (the pre-commit hook's entry).

    Evaluation sets (`against` in config, or --against) are checked as evaluation data when
    staged, and every training file is checked against them for contamination.
    """
    from sftlint.precommit import run_precommit

    config, _ = run_config(
        select, ignore, fail_on, min_pairs, fields, config_file, isolated, plugins, jobs, preview, against=list(against)
    )
    code = run_precommit(list(files), config, lambda paths, cfg: api.lint_paths(paths, cfg, examples=False), click.echo)
    sys.exit(EXIT_NO_GO if code else EXIT_GO)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of `sftlint lint --format json` output."""
    from sftlint.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@cli.command("split")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--eval-fraction",
    type=float,
    default=None,
    help="Share of records to hold out for evaluation.  [default: the size SFT205 recommends: 10 % of the "
    "records, at least 100 but at most 20 % of a small file (at least 1), at most 1,000]",
)
@click.option(
    "--train",
    "-o",
    "train_path",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Where to write the training records.",
)
@click.option(
    "--eval",
    "-e",
    "eval_path",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Where to write the evaluation records.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the split; the same seed gives the same split."
)
@click.option("--no-stratify", is_flag=True, help="Do not balance labels between the two sides.")
@click.option(
    "--no-near-duplicates",
    is_flag=True,
    help="Do not keep near-duplicates (SFT104) and near-copied prompts (SFT203) on one side; only exact prompts.",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="FIELD=NAME",
    help="Map a record field: instruction, input, response or label.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: sftlint.toml or pyproject.toml, searched upward).",
)
@click.option("--isolated", is_flag=True, help="Read no config file: defaults and these options only.")
def split_command(
    file: str,
    eval_fraction: float | None,
    train_path: Path,
    eval_path: Path,
    seed: int,
    no_stratify: bool,
    no_near_duplicates: bool,
    fields: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
) -> None:
    """Split FILE into train and eval sets in FILE's format, keeping duplicates, near-duplicate
    clusters, same-prompt groups and prompts that SFT203 would call contamination on one side."""
    config, config_path = load_config(config_file, {"fields": _fields(fields)}, isolated=isolated)
    refuse_inputs([train_path, eval_path], [config_path] if config_path else [])  # the library gets the settings only
    done = api.split(
        file,
        train_path,
        eval_path,
        eval_fraction=eval_fraction,
        seed=seed,
        stratify=not no_stratify,
        near_duplicates=not no_near_duplicates,
        config=config,
    )
    for line in done.lines:
        click.echo(printable(line))
    if done.note is not None:
        click.echo(done.note, err=True)


@cli.command()
@click.argument("source", metavar="IN", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Where to write the kept records.",
)
@click.option(
    "--rejects",
    type=OutputPath(dir_okay=False, path_type=Path),
    help="Where to write the removed records [default: the output's name with .rejected.jsonl].",
)
@click.option(
    "--drop", multiple=True, help="Also drop the records these checks flag: codes, prefixes or slugs; comma-separated."
)
@check_options
def fix(
    source: Path,
    output: Path,
    rejects: Path | None,
    drop: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    preview: bool | None,
    min_pairs: int | None,
    fields: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    plugins: tuple[str, ...],
    jobs: int | None,
) -> None:
    """Write a cleaned copy of IN: drop invalid, empty and duplicate records (and --drop checks' records).

    Kept records are the original lines in their original order; removed ones go to the
    rejects file with the codes and messages that removed them. Exits with the verdict of
    the cleaned file: 0 GO, 1 NO-GO.
    """
    from sftlint.fix import default_rejects, summary

    config, config_path = run_config(
        select, ignore, fail_on, min_pairs, fields, config_file, isolated, plugins, jobs, preview
    )
    rejects = rejects or default_rejects(output)
    refuse_inputs([output, rejects], [config_path] if config_path else [])  # the library gets the settings only
    report = api.fix(source, output, rejects=rejects, drop=drop, config=config, progress=False)
    click.echo(summary(report), err=_is_stdout(output))  # never into the records written to standard output
    sys.exit(EXIT_NO_GO if report.cleaned is not None and report.cleaned.verdict == "no-go" else EXIT_GO)


class Terminated(KeyboardInterrupt):
    """SIGTERM: stops the run the way Ctrl-C does (workers ended, no output half-written)."""


def _is_stdout(path: Path) -> bool:
    """Whether `path` is this process's standard output (-o /dev/stdout, or a name for what it
    is redirected to)."""
    try:
        here, there = os.fstat(sys.stdout.fileno()), os.stat(path)
    except (OSError, ValueError, AttributeError):  # no standard output, or one with no file behind it
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _stop(signum: int, frame: Any) -> None:
    """The first Ctrl-C or SIGTERM stops the run; any that follow are ignored, so that a second,
    impatient Ctrl-C cannot interrupt the cleanup (workers ended, temporary files removed, one line
    said) and leave a traceback, a worker or a temporary file behind."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def _silence(fd: int) -> None:
    """Point a standard stream's descriptor at /dev/null: it is closed or failed, and a file the
    run opens must not take its number, nor the interpreter's last flush print a traceback."""
    devnull = os.open(os.devnull, os.O_RDWR)
    if devnull != fd:
        os.dup2(devnull, fd)
        os.close(devnull)


class _StandardStream:
    """A standard stream for the run: a write that fails (closed, a full disk, `| head` gone)
    stops the run with one error line on standard output, and is dropped on standard error,
    where there is nowhere left to say anything."""

    def __init__(self, stream: Any, fd: int) -> None:
        self.stream = stream
        self.fd = fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # a text stream (Click probes with b"" to tell)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:  # ... and then with "": nothing to write, nothing to fail
            return 0
        if self.stream is None:
            return self._failed(OSError(errno.EBADF, "it is closed"))
        data = text.encode(self.stream.encoding or "utf-8", self.stream.errors or "strict")
        try:
            self.stream.flush()
            while data:  # written here, not buffered: a pipe whose reader left can end a buffered write silently
                data = data[os.write(self.fd, data) :]
        except OSError as exc:
            return self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            try:
                self.stream.flush()
            except OSError as exc:
                self._failed(exc)

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def _failed(self, exc: OSError) -> int:
        self.stream = None
        _silence(self.fd)
        if self.fd == 1:
            raise SftlintError(f"standard output: cannot write ({exc.strerror or exc})")
        return 0


#: allocations between collections of the youngest generation, for the command's own process: a
#: run allocates millions of short-lived objects and keeps hundreds of thousands of findings, and
#: the default (700) made the collector walk them over and over (some 7 % of a run's CPU)
GC_THRESHOLD = (50_000, 20, 10)


def main() -> None:
    """Console entry point: standard streams whose failure is one error line, SIGTERM as Ctrl-C,
    and a garbage collector that runs less often (`GC_THRESHOLD`; a library caller's is left alone)."""
    gc.set_threshold(*GC_THRESHOLD)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        try:
            os.fstat(fd)
        except OSError:
            stream = None
        if stream is None:  # closed by the caller
            _silence(fd)
        elif hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        setattr(sys, name, _StandardStream(stream, fd))
    for number in STOP_SIGNALS:
        if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler):  # not ignored by the caller
            signal.signal(number, _stop)
    try:
        try:
            cli.main()
        finally:
            # The outcome is decided: exit with its code. Python puts back the default handlers as it
            # shuts down, and a Ctrl-C then would kill the process by the signal; ignored ones it keeps.
            for number in STOP_SIGNALS:
                signal.signal(number, signal.SIG_IGN)
    except KeyboardInterrupt as exc:  # one that came while the run unwound (its exit, its cleanup)
        click.echo(f"sftlint: {'terminated' if isinstance(exc, Terminated) else 'interrupted'}", err=True)
        sys.exit(EXIT_ERROR)
