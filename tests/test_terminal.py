"""Terminal conventions through the real command line: colour on a pseudo-terminal and the
NO_COLOR / FORCE_COLOR / --color rules, severity spelled out in logs, --exit-zero, --statistics,
one-line usage errors and "did you mean" for misspelt checks and config keys."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REAL_DATA
from sftlint.cli import cli

ESCAPE = re.compile(rb"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 real identity answers: <NAME> placeholders (errors), near-duplicates (warnings), advice."""
    lines = (REAL_DATA / "identity" / "self_cognition.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("terminal") / "identity.jsonl"
    path.write_text("".join(lines[:30]), encoding="utf-8")
    return path


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


def sftlint(*args: object, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)], capture_output=True, cwd=cwd, env=environment(**env)
    )


def on_terminal(*args: object, **env: str) -> tuple[int, bytes]:
    """Run sftlint with standard output on a pseudo-terminal, as in an interactive shell."""
    main, child = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sftlint", *map(os.fsdecode, args)],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=environment(**env),
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the run ended and closed its side
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(), b"".join(chunks)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.startswith("sftlint: error: ") and err.count("\n") == 1, (proc.returncode, err)
    assert proc.stdout == b""
    return err


# -- colour ------------------------------------------------------------------------------------


def test_colour_on_a_terminal_follows_no_color_force_color_and_the_option(data):
    code, shown = on_terminal("lint", data)
    assert code == 1 and b"NO-GO" in shown and len(ESCAPE.findall(shown)) > 10  # a terminal gets colour
    code, shown = on_terminal("lint", data, NO_COLOR="1")
    assert code == 1 and b"NO-GO" in shown and b"\x1b" not in shown  # not one escape code
    code, shown = on_terminal("lint", data, NO_COLOR="")  # set but empty: ignored (no-color.org)
    assert ESCAPE.search(shown)
    code, shown = on_terminal("lint", data, "--color", "always", NO_COLOR="1")  # the option wins over the environment
    assert ESCAPE.search(shown)
    code, shown = on_terminal("lint", data, "--color", "never", FORCE_COLOR="1")
    assert b"NO-GO" in shown and b"\x1b" not in shown


def test_colour_through_a_pipe_only_when_forced(data):
    assert b"\x1b" not in sftlint("lint", data).stdout
    forced = sftlint("lint", data, FORCE_COLOR="1").stdout
    assert ESCAPE.search(forced) and b"NO-GO" in forced
    assert ESCAPE.search(sftlint("lint", data, "--color", "always").stdout)
    assert b"\x1b" not in sftlint("lint", data, FORCE_COLOR="1", NO_COLOR="1").stdout  # NO_COLOR wins


def test_files_written_with_output_never_hold_colour(data, tmp_path):
    out = tmp_path / "result.txt"
    code, shown = on_terminal("lint", data, "--color", "always", "-o", out, FORCE_COLOR="1")
    assert code == 1 and shown == b""
    written = out.read_bytes()
    assert b"NO-GO" in written and b"\x1b" not in written


def test_bad_colour_choice_is_one_line(data):
    err = one_error_line(sftlint("lint", data, "--color", "sometimes"))
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in err and "sftlint lint --help`)" in err


# -- severity, exit code, statistics -----------------------------------------------------------


def test_piped_text_spells_out_each_findings_severity(data):
    out = sftlint("lint", data).stdout.decode()
    findings = [line for line in out.splitlines() if re.match(r"^\S+:\d+: SFT\d{3} ", line)]
    assert findings
    severities = Counter(re.search(r" \[(error|warning|info)\]$", line).group(1) for line in findings)
    assert severities["error"] and severities["warning"]
    placeholder = next(line for line in findings if " SFT115 " in line)
    assert placeholder.endswith(" [error]")


def test_exit_zero_keeps_no_go_out_of_the_exit_code_but_not_failures(data, tmp_path):
    done = sftlint("lint", data, "--exit-zero")
    assert done.returncode == 0 and "NO-GO" in done.stdout.decode().splitlines()[-1]
    one_error_line(sftlint("lint", tmp_path / "missing.jsonl", "--exit-zero"))
    one_error_line(sftlint("lint", data, "--exit-zero", "--select", "SFT999"))


def test_statistics_prints_one_line_per_check_and_the_verdict(data):
    done = sftlint("lint", data, "--statistics")
    assert done.returncode == 1
    *rows, verdict = done.stdout.decode().splitlines()
    assert verdict.startswith("NO-GO: ")
    parsed = [re.fullmatch(r"\s*(\d+) (SFT\d{3})\s+([a-z-]+)\s+(error|warning|info|advice)", row) for row in rows]
    assert all(parsed), rows
    result = json.loads(sftlint("lint", data, "--format", "json").stdout)
    slugs = {c["code"]: c["slug"] for c in result["checks"]}
    rank = ["advice", "info", "warning", "error"]
    # a row per check, and one more for a check whose dataset-wide findings sit beside its records':
    # each count with the most serious severity of its own findings
    counts: Counter[tuple[str, str, bool]] = Counter()
    worst: dict[tuple[str, bool], str] = {}
    for f in result["findings"]:
        overall = f["record"] is None and f["file"] is None
        key = (f["code"], overall)
        worst[key] = max(worst.get(key, "advice"), f["severity"], key=rank.index)
        counts[key] += 1
    expected = [(code, slugs[code], worst[code, overall], n) for (code, overall), n in counts.items()]
    assert sorted((m.group(2), m.group(3), m.group(4), int(m.group(1))) for m in parsed) == sorted(expected)
    # SFT104 over its limit is an error for the dataset, its copies warnings: 1 error, then the warnings
    sft104 = [(m.group(4), int(m.group(1))) for m in parsed if m.group(2) == "SFT104"]
    assert sft104 == [("error", 1), ("warning", counts["SFT104", False])] and counts["SFT104", False] > 1
    assert {c["code"]: c["severity"] for c in result["checks"]}["SFT104"] == "warning"  # the JSON rows as configured
    table = sftlint("lint", data).stdout.decode()
    assert re.search(r"SFT104 +near-duplicate +error +1 +-\n", table)
    assert re.search(rf"SFT104 +near-duplicate +warning +{counts['SFT104', False]} +\d+\.\d%\n", table)
    assert f"checks ran, {len({code for code, _ in counts})} with findings" in table


def test_statistics_is_for_text_output_only(data):
    err = one_error_line(sftlint("lint", data, "--statistics", "--format", "json"))
    assert "--statistics goes with --format text" in err


# -- usage errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["lint", "--bogus", "x.jsonl"], "No such option '--bogus'"),
        (["lint", "--format", "xml", "x.jsonl"], "'xml' is not one of"),
        (["lint"], "Missing argument 'FILES...'"),
        (["lint", "x.jsonl", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["lnit", "x.jsonl"], "No such command 'lnit'"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(args, expected):
    err = one_error_line(sftlint(*args))
    assert expected in err and "Usage:" not in err
    assert err.rstrip().endswith("--help`)")
    runner = CliRunner().invoke(cli, args)  # the group itself, as a program embedding it calls it
    assert runner.exit_code == 2 and runner.output.count("\n") == 1 and runner.output.startswith("sftlint: error: ")


# -- did you mean ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "offtask"], "unknown check selector 'offtask'; did you mean 'off-task'?"),
        (["--ignore", "SFT1066"], "unknown check selector 'SFT1066'; did you mean 'SFT106'?"),
        (["--select", "empty_response"], "did you mean 'empty-response'?"),
    ],
)
def test_unknown_selectors_suggest_the_closest_check(data, args, expected):
    err = one_error_line(sftlint("lint", data, *args))
    assert expected in err and "(see `sftlint rules`)" in err


def test_far_off_selector_suggests_nothing_and_rule_suggests_too(data):
    err = one_error_line(sftlint("lint", data, "--select", "SFT999"))
    assert "did you mean" not in err
    assert "unknown check 'offtask'; did you mean 'off-task'?" in one_error_line(sftlint("rule", "offtask"))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("pyproject.toml", "[tool.sftlint]\nfail-on = 'warning'\n", "fail-on: unknown key; did you mean 'fail_on'?"),
        ("sftlint.toml", "exemples_per_check = 3\n", "did you mean 'examples_per_check'?"),
        ("sftlint.toml", "[checks.offtask]\nneighbours = 3\n", "unknown check 'offtask'; did you mean 'off-task'?"),
        ("sftlint.toml", "[checks.off-task]\nneighbors = 3\n", "neighbors: unknown key; did you mean 'neighbours'?"),
    ],
)
def test_unknown_config_keys_name_the_file_and_the_closest_key(data, tmp_path, name, content, expected):
    project = tmp_path / "project"
    project.mkdir()
    config = project / name
    config.write_text(content, encoding="utf-8")
    err = one_error_line(sftlint("lint", data, cwd=project))
    assert f"{config}: " in err and expected in err
