"""Configuration: ``[tool.sftlint]`` in pyproject.toml or a ``sftlint.toml``, validated up front.

The file is found from the working directory upward (or given with ``--config``); command-line
options override it. Every key is validated by pydantic, per-check options by each check's own
`Options` model, so an unknown key or a wrong type is one clear error naming the key.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from sftlint.check import Check
from sftlint.errors import ConfigError, did_you_mean
from sftlint.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = ("sftlint.toml", "pyproject.toml")
FieldName = Literal["instruction", "input", "response", "label"]


class Config(BaseModel):
    """Settings of a run. Paths in a config file are relative to that file.

    Strict: a value of the wrong type is an error, never converted (`preview = "yes"`,
    `jobs = "2"`); `fail_on` alone is read from its name ("warning").
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    select: list[str] = Field(default_factory=list, description="codes, prefixes or slugs to run (default: all)")
    ignore: list[str] = Field(default_factory=list, description="codes, prefixes or slugs to skip")
    fail_on: Severity = Field(
        Severity.ERROR, strict=False, description="lowest severity that makes the verdict NO-GO"
    )
    preview: bool = Field(False, description="also run the preview checks (not yet precise enough to be on by default)")
    plugins: list[str] = Field(default_factory=list, description="folders of local check modules")
    fields: dict[FieldName, str] = Field(default_factory=dict, description="record field names to use")
    against: list[str] = Field(default_factory=list, description="evaluation sets to check for contamination")
    checks: dict[str, dict[str, Any]] = Field(default_factory=dict, description="per-check options by slug")
    examples_per_check: int = Field(
        20, ge=0, description="flagged records per check whose excerpts go into the JSON output and the report"
    )
    baseline: str | None = Field(None, description="baseline file of accepted findings (see --write-baseline)")
    jobs: int | None = Field(
        None, ge=1, description="processes to share the checks among (default: every core, for inputs of 4 MB or more)"
    )
    #: the config file these settings were read from, named in the errors about them.
    _source: Path | None = PrivateAttr(None)

    def where(self) -> str:
        """"FILE: " to put before an error about this config, or "" without a file."""
        return f"{self._source}: " if self._source is not None else ""


def _format_errors(exc: ValidationError, prefix: str, model: type[BaseModel]) -> str:
    """Pydantic's errors in one line; an unknown key of `model` says which known key it is close to."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            known = list(model.model_fields) + (["severity"] if model is not Config else [])
            msg = "unknown key" + did_you_mean(str(err["loc"][-1]), known)
        else:
            msg = err["msg"]
        parts.append(f"{prefix}{loc}: {msg}")
    return "; ".join(parts)


def find_config_file(start: Path) -> Path | None:
    """The nearest sftlint.toml, or pyproject.toml with a [tool.sftlint] table, upward from start."""
    for folder in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "sftlint.toml":
                return candidate
            tool = load_toml(candidate).get("tool")
            if isinstance(tool, dict) and "sftlint" in tool:
                return candidate
    return None


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file's contents; raises ConfigError if it is missing, unreadable or invalid."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to parse") from None
    except ValueError as exc:  # an integer with too many digits
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_table(path: Path) -> dict[str, Any]:
    """The sftlint settings table of a config file."""
    data = load_toml(path)
    if path.name != "pyproject.toml":
        tool = data.get("tool")
        if isinstance(tool, dict) and "sftlint" in tool:  # pasted from pyproject.toml's form
            raise ConfigError(
                f"invalid config: {path}: the settings of {path.name} go at its top level, without "
                "[tool.sftlint] ([checks.near-duplicate], not [tool.sftlint.checks.near-duplicate]: "
                "that form is pyproject.toml's)"
            )
        return data
    table: Any = data
    for key in ("tool", "sftlint"):
        table = table.get(key, {})
        if not isinstance(table, dict):
            where = "tool" if key == "tool" else "tool.sftlint"
            raise ConfigError(f"invalid config: {path.name}: {where}: expected a table, got {type(table).__name__}")
    return table


def load_config(
    path: Path | None, overrides: dict[str, Any], cwd: Path | None = None, isolated: bool = False
) -> tuple[Config, Path | None]:
    """Read the config file (given or found), apply command-line overrides, validate.

    `isolated` reads no config file at all (`--isolated`): only defaults and the command line,
    so no plugin a config names runs.
    """
    if isolated and path is not None:
        raise ConfigError("--isolated reads no config file: drop --config or --isolated")
    if not isolated:
        path = path or find_config_file(cwd or Path.cwd())
    config = from_table(load_table(path), path) if path else Config()
    return with_overrides(config, overrides), path


def from_table(table: dict[str, Any], path: Path | None = None) -> Config:
    """A settings table validated: a config file's (`path`: its paths are relative to it) or a dict."""
    try:
        config = Config.model_validate(table)
    except ValidationError as exc:
        raise ConfigError("invalid config: " + _format_errors(exc, f"{path}: " if path else "", Config)) from None
    # an empty name is the current (or the config's) folder as a path: every .py file there
    # would be run as a plugin
    for key, names in (("plugins", config.plugins), ("against", config.against), ("baseline", [config.baseline])):
        if "" in names:
            raise ConfigError(f"invalid config: {f'{path}: ' if path else ''}{key}: an empty file or folder name")
    if path is not None:
        base = path.parent
        config.plugins = [str((base / p).resolve()) for p in config.plugins]
        config.against = [str((base / p).resolve()) for p in config.against]
        if config.baseline is not None:
            config.baseline = str((base / config.baseline).resolve())
    config._source = path
    return config


def _distinct_paths(paths: list[str]) -> list[str]:
    """`paths` without a second name for a file already named (by its resolved path), in order."""
    seen: set[str] = set()
    out = []
    for path in paths:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def _drop_set_elsewhere(tables: dict[str, Any], name: str, options: dict[str, Any]) -> None:
    """Remove `options` from the tables that name the same built-in check as `name` otherwise
    (`--min-pairs` sets dataset-size's min_pairs over a `[checks.SFT201]` table's)."""
    from sftlint.registry import installed_checks, resolve

    builtin = {cls.code: cls for cls in installed_checks()}
    target = resolve(name, builtin)
    for other, table in tables.items():
        if other != name and target is not None and isinstance(table, dict) and resolve(other, builtin) is target:
            for key in options:
                table.pop(key, None)


def with_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """`config` with options given on the command line (or to `sftlint.lint`) over it: None and
    empty values leave a setting alone; fields and checks merge, plugins and against add up."""
    data = config.model_dump()
    for key, value in overrides.items():
        if value is None or value == [] or value == {}:
            continue
        if key == "fields":
            data["fields"] = {**data["fields"], **value}
        elif key in ("plugins", "against"):  # a file named in config and again on the command line is one
            data[key] = _distinct_paths(data[key] + list(value))
        elif key == "checks":
            for slug, opts in value.items():
                _drop_set_elsewhere(data["checks"], slug, opts)
                data["checks"].setdefault(slug, {}).update(opts)
        else:
            data[key] = value
    try:
        updated = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("invalid option: " + _format_errors(exc, "", Config)) from None
    updated._source = config._source
    return updated


def check_settings(config: Config, checks: dict[str, type[Check]]) -> dict[str, tuple[BaseModel, Severity | None]]:
    """Each check's validated options and severity override, by code."""
    from sftlint.registry import resolve

    by_code: dict[str, dict[str, Any]] = {}
    named: dict[tuple[str, str], str] = {}  # (code, option) -> the table that set it
    for name, table in config.checks.items():
        cls = resolve(name, checks)
        if cls is None:
            close = did_you_mean(name, [c.slug for c in checks.values()])
            raise ConfigError(f"{config.where()}[checks.{name}]: unknown check '{name}'{close} (see `sftlint rules`)")
        if not isinstance(table, dict):
            raise ConfigError(f"{config.where()}[checks.{name}]: expected a table of options")
        merged = by_code.setdefault(cls.code, {})
        for key, value in table.items():
            if key in merged and merged[key] != value:  # [checks.near-duplicate] and [checks.SFT104]: which one?
                raise ConfigError(
                    f"{config.where()}[checks.{name}]: {key} = {value!r} but [checks.{named[cls.code, key]}] sets "
                    f"{key} = {merged[key]!r} for the same check ({cls.code} {cls.slug}); set it once"
                )
            merged[key] = value
            named.setdefault((cls.code, key), name)
    out: dict[str, tuple[BaseModel, Severity | None]] = {}
    for code, cls in checks.items():
        table = dict(by_code.get(code, {}))
        severity = table.pop("severity", None)
        try:
            sev = Severity(severity) if severity is not None else None
        except ValueError:
            raise ConfigError(
                f"{config.where()}checks.{cls.slug}.severity: must be one of error, warning, info, advice, "
                f"got {severity!r}"
            ) from None
        try:
            options = cls.Options.model_validate(table)
        except ValidationError as exc:
            prefix = f"{config.where()}checks.{cls.slug}."
            raise ConfigError("invalid config: " + _format_errors(exc, prefix, cls.Options)) from None
        out[code] = (options, sev)
    return out


def _match(cls: type[Check], pattern: str) -> int:
    """How specifically `pattern` names `cls`: a slug or full code beats a prefix; 0 is no match."""
    if pattern.lower() == cls.slug:
        return 100
    return len(pattern) if cls.code.startswith(pattern.upper()) else 0


def selected(
    checks: dict[str, type[Check]], select: list[str], ignore: list[str], preview: bool = False
) -> list[type[Check]]:
    """The checks to run: the most specific of --select and --ignore wins (ALL selects all).

    A preview check runs only with `preview`, or when a selector names it exactly (code or slug):
    a prefix or ALL does not turn on a check that is not yet precise enough to trust.
    """
    patterns = [p for p in select + ignore if p.upper() != "ALL"]
    for pattern in patterns:
        if not any(_match(cls, pattern) for cls in checks.values()):
            close = did_you_mean(pattern, [name for cls in checks.values() for name in (cls.code, cls.slug)])
            raise ConfigError(f"unknown check selector '{pattern}'{close} (see `sftlint rules`)")
    chosen = []
    for cls in checks.values():
        sel = max((_match(cls, p) if p.upper() != "ALL" else 1 for p in select), default=1)
        ign = max((_match(cls, p) if p.upper() != "ALL" else 1 for p in ignore), default=0)
        named = any(p.lower() == cls.slug or p.upper() == cls.code for p in select)
        if sel > 0 and sel > ign and (preview or named or not cls.preview):
            chosen.append(cls)
    return chosen
