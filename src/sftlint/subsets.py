"""Some records of an input, written in the input's own format: what `fix` keeps and `split` deals.

JSON Lines is copied line by line by `fix` and `split` themselves (byte for byte). Here are the
other formats, each record chosen by its position (`sftlint.io.RawLine.position`):

- a JSON document (an array, or one object over several lines): a JSON array with one
  element per line, or JSON Lines when the output is named `.jsonl` / `.jsonl.gz`;
- CSV and TSV (also `.gz`): the header and the chosen rows, every cell as it was, with the
  input's delimiter and line ending; compressed when the output is named `.gz`;
- Parquet: the chosen rows with the input's schema (types, metadata) untouched;
- an Arrow file: the same, in the same Arrow format (file or stream);
- a Hugging Face `datasets` folder: as Parquet (an output named `.parquet`), which
  `datasets.load_dataset("parquet", ...)` reads back; a folder is not written.

An output named `.jsonl` (or `.jsonl.gz`) is JSON Lines whatever the input, one compact record
per line; any other output of a table must be named for the format written (`.parquet`, `.csv`,
...), so a file's name never lies about its content.

Outputs are built in memory (as `split` holds its records) and written by the caller through
`sftlint.io.write_together`, so each is complete or absent.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sftlint.errors import SftlintError
from sftlint.io import ReadStats, document_texts, dump_json, read_file
from sftlint.tables import DESCRIPTIONS, arrow_table, input_format, open_text

#: The format each table format's chosen rows are written in, and the names such an output may have.
WRITTEN_AS = {"parquet": "Parquet", "arrow": "Arrow", "datasets": "Parquet", "csv": "CSV", "tsv": "TSV"}
_NAMES = {
    "parquet": (".parquet", ".pq"),
    "datasets": (".parquet", ".pq"),
    "arrow": (".arrow", ".feather", ".ipc"),
    "csv": (".csv", ".csv.gz"),
    "tsv": (".tsv", ".tsv.gz"),
}
_JSON_LINES = (".jsonl", ".jsonl.gz")


def input_kind(path: str) -> str:
    """How `subset` writes this input: "jsonl", "json" (one JSON document) or a table format."""
    kind = input_format(path)
    if kind is not None:
        return kind
    stats = ReadStats()
    records = read_file(path, stats)
    try:
        next(records, None)
    finally:
        records.close()
    return stats.format


def check_output(path: str, kind: str, output: Path, command: str) -> None:
    """Refuse an output of a table whose name is not that of the format it would be written in."""
    name = output.name.lower()
    if kind not in _NAMES or name.endswith(_JSON_LINES) or name.endswith(_NAMES[kind]):
        return
    raise SftlintError(
        f"{path} is {DESCRIPTIONS[kind]}: {command} writes its records as {WRITTEN_AS[kind]} "
        f"(name the output NAME{_NAMES[kind][0]}) or as JSON Lines (NAME.jsonl); got {output.name}"
    )


def subset(path: str, kind: str, positions: Sequence[int], output: Path) -> bytes:
    """The content of `output`: the records of `path` at `positions` (1-based, ascending)."""
    as_lines = output.name.lower().endswith(_JSON_LINES)
    if kind == "json" or as_lines:
        return _json(path, kind, positions, as_lines, output)
    if kind in ("csv", "tsv"):
        return _csv(path, "\t" if kind == "tsv" else ",", positions, output)
    return _arrow(path, kind, positions)


def gzip_named(output: Path) -> bool:
    """Whether a file to write is gzip by its name: it ends in .gz, in any case (the reader takes
    gzip by its bytes, whatever the name)."""
    return output.name.lower().endswith(".gz")


def gzip_if_named(data: bytes, output: Path) -> bytes:
    """`data` as the file `output` holds it: gzip-compressed when `gzip_named`."""
    return gzip.compress(data, mtime=0) if gzip_named(output) else data


def _json(path: str, kind: str, positions: Sequence[int], as_lines: bool, output: Path) -> bytes:
    wanted = set(positions)
    texts = document_texts(path) if kind == "json" else None
    if texts is not None and (not positions or positions[-1] <= len(texts)):
        # each record as written; one per line for JSON Lines (JSON text outside its strings may
        # lose its line breaks: a string cannot hold a raw one)
        exact = [texts[k - 1] for k in positions]
        chosen = [t.replace("\r", " ").replace("\n", " ").encode() if as_lines else t.encode() for t in exact]
    else:
        chosen = [dump_json(raw.value) for raw in read_file(path) if raw.position in wanted]
    if as_lines:
        return gzip_if_named(b"".join(line + b"\n" for line in chosen), output)
    if not chosen:
        return b"[]\n"
    return b"[\n" + b",\n".join(chosen) + b"\n]\n"


def _csv(path: str, delimiter: str, positions: Sequence[int], output: Path) -> bytes:
    """The header and the chosen rows, re-quoted only where a cell needs it (cells unchanged).

    Rows are counted as `sftlint.tables` counts them: a row of empty cells is no record.
    """
    wanted = set(positions)
    text = io.StringIO()
    with open_text(path) as handle:
        first = handle.readline()
        ending = "\r\n" if first.endswith("\r\n") else "\r" if first.endswith("\r") else "\n"  # \r: old Mac files
        handle.seek(0)
        rows = csv.reader(handle, delimiter=delimiter, strict=True)
        writer = csv.writer(text, delimiter=delimiter, lineterminator=ending)
        header = next(rows, None)
        if header is not None:
            writer.writerow(header)
        number = 0
        for row in rows:
            if not any(row):
                continue
            number += 1
            if number in wanted:
                writer.writerow(row)
    return gzip_if_named(text.getvalue().encode("utf-8"), output)


def _arrow(path: str, kind: str, positions: Sequence[int]) -> bytes:
    """Parquet or Arrow with the input's schema; a `datasets` folder becomes Parquet."""
    pa, table, stream = arrow_table(path, kind)
    chosen = table.take(pa.array([p - 1 for p in positions], type=pa.int64()))
    sink = pa.BufferOutputStream()
    if kind in ("parquet", "datasets"):
        import pyarrow.parquet as pq

        pq.write_table(chosen, sink)
    else:
        opener: Any = pa.ipc.new_stream if stream else pa.ipc.new_file
        with opener(sink, chosen.schema) as writer:
            writer.write_table(chosen)
    return sink.getvalue().to_pybytes()
