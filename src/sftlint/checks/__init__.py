"""Built-in checks, one per module. They register through the `sftlint.checks` entry points."""
