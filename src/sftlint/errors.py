"""Errors that stop sftlint from doing its job: the CLI prints them in one line and exits 2."""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class SftlintError(Exception):
    """A problem with the invocation or its inputs (not with the data's quality)."""


class InputError(SftlintError):
    """An input file cannot be read at all: missing, a directory, unreadable, corrupt."""


class ConfigError(SftlintError):
    """The configuration is invalid: unknown key, wrong type, unknown check."""


class PluginError(SftlintError):
    """A check plugin cannot be loaded or is malformed."""


class TemporarySpaceError(SftlintError):
    """A temporary file cannot be made or written: the run stops, even inside a check."""


#: why '-' is refused as an output that is a file: it is read back, or it is HTML (a file named
#: '-' was made)
NOT_STANDARD_OUTPUT = "this writes a file, not standard output (name a file; its full path for one named '-')"


def described(exc: BaseException) -> str:
    """"ValueError: its message" for an exception a plugin raised, whose message may itself fail
    to be made (a `__str__` that raises)."""
    try:
        said = str(exc)
    except Exception as inner:  # noqa: BLE001 - the plugin's exception, not sftlint's
        said = f"(its message could not be made: {type(inner).__name__})"
    return f"{type(exc).__name__}: {said}"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the choice closest to a misspelt `name`, else ""."""
    by_key = {choice.lower().replace("_", "-"): choice for choice in choices}
    close = difflib.get_close_matches(name.lower().replace("_", "-"), by_key, n=1, cutoff=0.8)
    return f"; did you mean '{by_key[close[0]]}'?" if close else ""


@contextmanager
def temporary_space() -> Iterator[None]:
    """A temporary file that cannot be made or written (no such folder, a full disk) stops the
    run with one line that says where, and how to choose another place."""
    try:
        yield
    except OSError as exc:
        raise TemporarySpaceError(
            f"cannot write a temporary file in {tempfile.gettempdir()} ({exc.strerror or exc}); "
            "set TMPDIR to a folder with room"
        ) from None
