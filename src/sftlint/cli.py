"""Command-line interface. Exit codes, as ruff: 0 GO, 1 NO-GO, 2 sftlint could not do its job."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sftlint import __version__
from sftlint.check import Check
from sftlint.config import Config, check_settings, load_config, selected
from sftlint.engine import Result, run
from sftlint.errors import SftlintError
from sftlint.io import write_atomic
from sftlint.output import FORMATS, RENDERERS
from sftlint.progress import Progress
from sftlint.registry import discover, resolve

EXIT_GO = 0
EXIT_NO_GO = 1
EXIT_ERROR = 2


def _split(values: tuple[str, ...]) -> list[str]:
    """Accept both `--select A,B` and `--select A --select B`."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _fields(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise click.BadParameter(f"expected FIELD=NAME, got {value!r}", param_hint="--field")
        out[key.strip()] = name.strip()
    return out


def build_checks(config: Config) -> list[Check]:
    """Discover, select and configure the checks for a run."""
    available = discover(config.plugins)
    settings = check_settings(config, available)
    return [cls(*settings[cls.code]) for cls in selected(available, config.select, config.ignore)]


def lint_paths(paths: list[str], config: Config, progress: Progress | None = None) -> Result:
    """Run the configured checks over `paths` (the library entry point behind `sftlint lint`)."""
    result = run(paths, build_checks(config), dict(config.fields), config.fail_on, progress)
    result.config = config.model_dump(mode="json")
    return result


class ToolError(click.ClickException):
    """sftlint could not do its job: one line on standard error, exit code 2."""

    exit_code = EXIT_ERROR

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"sftlint: error: {self.format_message()}", err=True)


class _Group(click.Group):
    """Turns sftlint's own errors into `ToolError`s for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SftlintError as exc:
            raise ToolError(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sftlint")
def cli() -> None:
    """Pre-flight checks for instruction-tuning data: GO / NO-GO before you fine-tune."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--select", multiple=True, help="Checks to run: codes, prefixes (SFT1) or slugs; comma-separated.")
@click.option("--ignore", multiple=True, help="Checks to skip: codes, prefixes or slugs; comma-separated.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "advice"]),
    help="Lowest severity that means NO-GO [default: error].",
)
@click.option("--min-pairs", type=click.IntRange(min=1), help="Fewest usable pairs for GO [default: 300].")
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
@click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the output to a file instead of standard output.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display on standard error.")
def lint(
    files: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    min_pairs: int | None,
    fields: tuple[str, ...],
    config_file: Path | None,
    plugins: tuple[str, ...],
    output: str | None,
    quiet: bool,
) -> None:
    """Lint JSONL datasets (FILES, or - for standard input) and print the verdict."""
    overrides: dict[str, Any] = {
        "select": _split(select),
        "ignore": _split(ignore),
        "fail_on": fail_on,
        "fields": _fields(fields),
        "plugins": list(plugins),
        "checks": {"dataset-size": {"min_pairs": min_pairs}} if min_pairs else {},
    }
    config, _ = load_config(config_file, overrides)
    show_progress = not quiet and fmt != "json" and sys.stderr.isatty()
    result = lint_paths(list(files), config, Progress() if show_progress else None)
    text = RENDERERS[fmt](result)
    if output and output != "-":
        write_atomic(Path(output), text + "\n", inputs=[Path(f) for f in files if f != "-"])
    else:
        click.echo(text)
    sys.exit(EXIT_NO_GO if result.verdict == "no-go" else EXIT_GO)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable).")
def rules(fmt: str, plugins: tuple[str, ...]) -> None:
    """List every available check: code, slug, default severity, summary."""
    checks = discover(list(plugins))
    if fmt == "json":
        rows = [
            {"code": c.code, "slug": c.slug, "severity": c.severity.value, "summary": c.summary_line()}
            for c in checks.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for c in checks.values():
        click.echo(f"{c.code}  {c.slug:<24} {c.severity.value:<8} {c.summary_line()}")


@cli.command()
@click.argument("name")
@click.option("--plugins", multiple=True, type=click.Path(), help="Folder of local check modules (repeatable).")
def rule(name: str, plugins: tuple[str, ...]) -> None:
    """Print the full documentation of one check, by code or slug."""
    checks = discover(list(plugins))
    cls = resolve(name, checks)
    if cls is None:
        raise SftlintError(f"unknown check '{name}' (see `sftlint rules`)")
    doc = cls.doc_sections()
    click.echo(f"{cls.code} {cls.slug} (default severity: {cls.severity.value})")
    click.echo("")
    click.echo(doc["summary"])
    for section in ("What it does", "Why it matters", "How to fix", "Options"):
        if doc.get(section):
            click.echo(f"\n{section}:\n{doc[section]}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of `sftlint lint --format json` output."""
    from sftlint.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    """Console entry point: turns sftlint's own errors into one line and exit code 2."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("sftlint: interrupted", err=True)
        code = EXIT_ERROR
    except BrokenPipeError:
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_GO)
