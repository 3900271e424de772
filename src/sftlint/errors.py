"""Errors that stop sftlint from doing its job: the CLI prints them in one line and exits 2."""


class SftlintError(Exception):
    """A problem with the invocation or its inputs (not with the data's quality)."""


class InputError(SftlintError):
    """An input file cannot be read at all: missing, a directory, unreadable, corrupt."""


class ConfigError(SftlintError):
    """The configuration is invalid: unknown key, wrong type, unknown check."""


class PluginError(SftlintError):
    """A check plugin cannot be loaded or is malformed."""
