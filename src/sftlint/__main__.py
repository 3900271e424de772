"""`python -m sftlint` runs the command-line interface."""

from sftlint.cli import main

main()
