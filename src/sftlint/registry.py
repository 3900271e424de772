"""Check discovery: one path for built-in and third-party checks, plus local folders.

Built-in checks register under the entry-point group ``sftlint.checks`` exactly as a
third-party package does; a folder of ``.py`` files is loaded with ``--plugins DIR`` or
``plugins = [...]`` in config. Finding checks is kept apart from instantiating them, and
every check is validated once here so the rest of the program can trust it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import os
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path

from sftlint.check import DOC_SECTIONS, Check
from sftlint.errors import PluginError, described
from sftlint.findings import Severity

ENTRY_POINT_GROUP = "sftlint.checks"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_SECTIONS = DOC_SECTIONS[:3]


def validate(cls: object, origin: str) -> type[Check]:
    """Refuse anything that is not a complete check: code, slug, severity, three-part doc."""
    if not (inspect.isclass(cls) and issubclass(cls, Check)):
        raise PluginError(f"{origin}: {cls!r} is not a subclass of sftlint.Check")
    code, slug = getattr(cls, "code", None), getattr(cls, "slug", None)
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise PluginError(f"{origin}: {cls.__name__} has no valid code (like 'ACME001'), got {code!r}")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise PluginError(f"{origin}: {cls.__name__} has no valid slug (like 'no-email'), got {slug!r}")
    if not isinstance(getattr(cls, "severity", None), Severity):
        raise PluginError(f"{origin}: {code} severity must be a sftlint.Severity")
    cost = getattr(cls, "cost", None)
    if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not 0 < cost < float("inf"):
        raise PluginError(f"{origin}: {code} cost must be a positive number, got {cost!r}")
    batch = getattr(cls, "batch_size", None)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 0:
        raise PluginError(f"{origin}: {code} batch_size must be a whole number >= 0, got {batch!r}")
    labels = getattr(cls, "summary_labels", None)
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise PluginError(f"{origin}: {code} summary_labels must map text to text, got {labels!r:.60}")
    if cls.check_batch is not Check.check_batch and batch == 0:
        raise PluginError(f"{origin}: {code} implements check_batch but sets no batch_size")
    missing = [s for s in REQUIRED_SECTIONS if not cls.doc_sections().get(s)]
    if missing:
        raise PluginError(f"{origin}: {code} docstring lacks: " + ", ".join(f"'{s}:'" for s in missing))
    if not (cls.from_reader or cls.is_record_check() or cls.is_dataset_check()):
        raise PluginError(f"{origin}: {code} implements neither check_record (or check_batch) nor collect/finish")
    return cls


@functools.cache
def installed_checks() -> tuple[type[Check], ...]:
    """Checks registered under the entry-point group (built-ins included).

    Loaded and validated once per process: `fix` discovers the checks three times, and reading
    every entry point's metadata and docstring each time cost more than linting a small file.
    """
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except (Exception, SystemExit) as exc:  # a broken third-party package must not crash or end the run
            raise PluginError(f"entry point '{ep.name} = {ep.value}' failed to load: {described(exc)}") from None
        found.append(validate(obj, f"entry point '{ep.name}'"))
    return tuple(found)


def load_folder(folder: str | Path) -> list[type[Check]]:
    """Every Check subclass defined in the .py files of `folder` (not in its subfolders)."""
    if str(folder) == "":  # as a path, the current folder: every .py file there would be run
        raise PluginError("an empty plugin folder name (give '.' for the current folder)")
    path = Path(folder)
    if not os.path.isdir(path):  # False too for a name the system cannot look up (too long)
        raise PluginError(f"{folder}: plugin folder not found")
    found = []
    for file in sorted(path.glob("*.py")):
        if file.name.startswith("_") or file.name.startswith("test_"):
            continue
        digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:10]
        name = f"sftlint_local_{file.stem}_{digest}"
        try:
            spec = importlib.util.spec_from_file_location(name, file)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:  # SystemExit: a module that calls sys.exit() must not end the run
            sys.modules.pop(name, None)
            raise PluginError(f"{file}: failed to import: {described(exc)}") from None
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Check) and obj.__module__ == name and "code" in obj.__dict__:
                found.append(validate(obj, str(file)))
    return found


def discover(plugin_folders: list[str] | tuple[str, ...] = ()) -> dict[str, type[Check]]:
    """All available checks by code; a code or slug registered twice is an error."""
    by_code: dict[str, type[Check]] = {}
    slugs: dict[str, str] = {}
    candidates = list(installed_checks())
    for folder in plugin_folders:
        candidates.extend(load_folder(folder))
    for cls in candidates:
        if cls.code in by_code and by_code[cls.code] is not cls:
            raise PluginError(
                f"check code {cls.code} is registered twice ({by_code[cls.code].__name__}, {cls.__name__})"
            )
        if slugs.get(cls.slug, cls.code) != cls.code:
            raise PluginError(f"check slug '{cls.slug}' is used by both {slugs[cls.slug]} and {cls.code}")
        by_code[cls.code] = cls
        slugs[cls.slug] = cls.code
    return dict(sorted(by_code.items()))


def resolve(name: str, checks: dict[str, type[Check]]) -> type[Check] | None:
    """A check by its code or slug (case-insensitive for codes)."""
    if name.upper() in checks:
        return checks[name.upper()]
    return next((c for c in checks.values() if c.slug == name.lower()), None)
