"""Peak memory of a run against its number of findings, the records the same.

Two files of N records each, alike but for one thing: in one every response is empty (N
findings of SFT101), in the other none is (no finding). Both are linted by the real CLI with
SFT101 alone, writing the JSON result and the HTML report (or, with `--format sarif` or
`junit`, that output alone), and the peak RSS of the process (`VmHWM`) is printed for each. What the findings
add is the difference.

    .venv/bin/python benchmarks/bench_findings_memory.py --records 200000,1000000 [--format sarif|junit]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lint import CLI_WITH_PEAK  # noqa: E402


def write(path: Path, records: int, empty: bool) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(records):
            answer = "" if empty else f"Open the invoice list, pick invoice {i} and choose Export."
            question = f"How do I export invoice {i} from the billing page?"
            out.write(json.dumps({"instruction": question, "output": answer}) + "\n")


def peak(path: Path, folder: Path, fmt: str = "json") -> tuple[float, int, float]:
    """Peak RSS (MB) of one run, its findings and its wall seconds."""
    result, report = folder / f"result.{fmt}", folder / "report.html"
    command = [sys.executable, "-c", CLI_WITH_PEAK, "lint", str(path), "--select", "SFT101", "--jobs", "1"]
    command += ["--format", fmt, "-o", str(result)] + (["--report", str(report)] if fmt == "json" else [])
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint failed (exit {done.returncode}): {done.stderr.strip()}")
    hwm = max(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("VmHWM:"))
    if fmt == "junit":
        findings = sum(case.get("name") != "no findings" for case in ElementTree.parse(result).iter("testcase")) - 1
    else:
        document = json.loads(result.read_text(encoding="utf-8"))
        findings = len(document["findings"] if fmt == "json" else document["runs"][0]["results"])
    return hwm / 1024, findings, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default="200000", help="comma-separated record counts")
    parser.add_argument("--format", choices=("json", "sarif", "junit"), default="json", help="the output written")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for records in (int(n) for n in args.records.split(",")):
            rows = []
            for empty in (False, True):
                data = folder / f"{'empty' if empty else 'answered'}.jsonl"
                write(data, records, empty)
                rows.append(peak(data, folder, args.format))
                data.unlink()
            (clean, _, clean_wall), (flagged, findings, flagged_wall) = rows
            per = (flagged - clean) * 2**20 / findings if findings else 0.0
            print(
                f"{records:>9,} records: no finding {clean:7.0f} MB ({clean_wall:5.1f} s); "
                f"{findings:,} findings {flagged:7.0f} MB ({flagged_wall:5.1f} s); "
                f"{per:6.0f} bytes a finding"
            )


if __name__ == "__main__":
    main()
