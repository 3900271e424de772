"""The HTML report: one self-contained file rendered from a JSON result with Jinja2.

This module owns the Jinja2 environment: autoescaping is always on (dataset text is data,
never markup), filters are registered once here, and templates are found in the installed
package (`sftlint/report/templates`, force-included by the wheel build) or, in a source
checkout, in `reports/templates/`. A `--template-dir` is searched first, so a team can
override any single template. Python decides what to show (`sftlint.report.view`); the
templates only format it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup, escape
from pydantic import ValidationError

from sftlint.display import visible
from sftlint.errors import SftlintError
from sftlint.report.view import build_view
from sftlint.text.normal import INVISIBLE

__all__ = ["default_template_dir", "environment", "load_result", "render_report"]


def default_template_dir() -> Path:
    """The built-in templates: inside the installed package, else in the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[2] / "reports" / "templates"):
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise SftlintError(f"report templates not found (looked in {here / 'templates'} and reports/templates)")


def _number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _percent(value: float | None) -> str:
    if value is None:
        return "–"
    if 0 < value < 0.001:
        return f"{value * 100:.2f} %"
    return f"{value * 100:.1f} %"


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _prose(text: object) -> Markup:
    """The tool's own prose (a check's doc, a fact's note, a finding's message) with its `code`
    spans shown as code: escaped first, so nothing in it is markup but those spans."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


_INVISIBLE_SHOWN = str.maketrans({c: f"\\u{ord(c):04x}" for c in INVISIBLE})


def _unhidden(text: str) -> str:
    """A marked difference with its invisible characters (zero-width space, soft hyphen, byte-order
    mark...) as escapes: a difference made of them alone was a marked word the same on both sides.
    Unmarked text keeps them (a zero-width joiner belongs in Persian, Hindi and emoji)."""
    return text.translate(_INVISIBLE_SHOWN)


FILTERS = {"num": _number, "pct": _percent, "prose": _prose, "unhidden": _unhidden}


@functools.lru_cache(maxsize=8)
def _shown(value: Any) -> Any:
    """Every value a template prints, text as `visible` makes it: record text is data, and a
    control character or a bidirectional override in it must show, not act."""
    return visible(value) if isinstance(value, str) else value


def environment(template_dir: str | None = None) -> Environment:
    """The report's Jinja2 environment (one per override folder), filters registered once."""
    loaders = [FileSystemLoader(template_dir)] if template_dir else []
    loaders.append(FileSystemLoader(str(default_template_dir())))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    env.filters.update(FILTERS)
    return env


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_report(
    data: dict[str, Any], template_dir: Path | str | None = None, findings: Iterable[dict[str, Any]] | None = None
) -> str:
    """The report for one JSON result (the `sftlint lint --format json` document) as HTML;
    `findings` are its findings when the document was made without them (`build_view`).

    The inline style and script are rendered first so the page's Content-Security-Policy can
    allow exactly them and nothing else: no other script runs and nothing is fetched.
    """
    env = environment(str(template_dir) if template_dir else None)
    try:
        style = env.get_template("report.css.j2").render()
        script = env.get_template("report.js.j2").render()
        csp = (
            "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
            f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}"
        )
        return env.get_template("report.html.j2").render(
            view=build_view(data, findings), style=Markup(style), script=Markup(script), csp=csp
        )
    except TemplateError as exc:  # most likely in an overriding template
        raise SftlintError(f"report template error: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - an overriding template's own failure ({{ 1/0 }}, itself included, not UTF-8)
        if template_dir is None:
            raise
        raise SftlintError(f"report template error in {template_dir}: {type(exc).__name__}: {exc}"[:500]) from None


def _escape_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate in its strings written as its escape (`\\ud800`)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escape_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_escape_surrogates(k): _escape_surrogates(v) for k, v in value.items()}
    return value


def load_result(path: str) -> dict[str, Any]:
    """A saved JSON result, validated against the output contract (raises SftlintError)."""
    from sftlint.schema import ResultModel

    name = "<stdin>" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SftlintError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SftlintError(f"{name}: cannot read ({exc})") from None
    try:
        # as read (exclude_unset: no defaults added), every field the report relies on typed
        model = ResultModel.model_validate(_escape_surrogates(json.loads(text)))
        return model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    except json.JSONDecodeError as exc:
        raise SftlintError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise SftlintError(f"{name}: not JSON that can be read (nested too deeply)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "document"
        raise SftlintError(
            f"{name}: not a sftlint JSON result ({loc}: {first['msg']}); make one with `sftlint lint --format json`"
        ) from None
    except ValueError as exc:  # an integer with too many digits
        raise SftlintError(f"{name}: not JSON that can be read ({exc})") from None
