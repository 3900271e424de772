"""Tabular inputs: Parquet, CSV/TSV and Arrow (a Hugging Face `datasets` folder written by
`save_to_disk`, or one `.arrow` file), read as the records the same rows would be in JSON Lines.

Each row is one record and its 1-based row number is the record's `position` (a CSV header is
no row); a CSV row's `line` is the physical line it starts on, and Parquet and Arrow rows have
none. `.csv.gz` and `.tsv.gz` are decompressed on the fly. Parquet and Arrow are
read with pyarrow (the `formats` extra) one record batch at a time, so memory stays bounded
whatever the file's size; CSV and TSV with the standard library, one row at a time. A null in
Parquet or Arrow is a field the record does not have, as a key missing from a JSON object.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import stat
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sftlint.errors import InputError
from sftlint.io import ARROW_STREAM, MAX_LINE_BYTES, RawLine, ReadStats, display_name, json_named

#: What each format looks like, for messages.
DESCRIPTIONS = {
    "parquet": "a Parquet file",
    "arrow": "an Arrow file",
    "datasets": "a Hugging Face datasets folder",
    "csv": "a CSV file",
    "tsv": "a TSV file",
}
EXTRA = "pip install 'pyarrow>=14'"  # the formats extra; sftlint may not come from an index
#: Rows per record batch read from Parquet: bounded memory at a small cost in calls.
BATCH_ROWS = 1024


def input_format(path: str) -> str | None:
    """The tabular format of `path` (a key of DESCRIPTIONS), or None for JSON Lines.

    Parquet and Arrow are known by their first bytes whatever the file is called; CSV and TSV
    by their names; a `datasets` folder by its `state.json` and `dataset_info.json`.
    """
    if path == "-":
        return None
    if os.path.isdir(path):
        try:
            names = set(os.listdir(path))
        except OSError:
            return None  # the reader reports it
        if "dataset_dict.json" in names:
            splits = ", ".join(sorted(n for n in names if os.path.isdir(os.path.join(path, n))))
            raise InputError(f"{path} is a Hugging Face DatasetDict folder: lint one of its splits ({splits})")
        return "datasets" if {"state.json", "dataset_info.json"} <= names else None
    suffix = path.lower().removesuffix(".gz").rsplit(".", 1)[-1]
    if suffix in ("csv", "tsv"):
        return suffix
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # a pipe or a FIFO: its first bytes are the reader's, and JSON Lines
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError:
        return None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or (head.startswith(ARROW_STREAM) and not json_named(path)):
        return "arrow"  # the file format; the stream format's marker is also just invalid UTF-8
    return None


def input_size(path: str) -> int:
    """Bytes a run reads from `path`: a `datasets` folder counts its Arrow files."""
    if os.path.isdir(path):
        size = 0
        for file in _arrow_files(path):
            try:
                size += os.path.getsize(file)
            except OSError as exc:
                raise InputError(f"{path}: its state.json lists {file}, unreadable ({exc.strerror})") from None
        return size
    return os.path.getsize(path)


def read_table(path: str, kind: str, stats: ReadStats) -> Iterator[RawLine]:
    """Every row of `path` as a record numbered from 1. Raises InputError if it cannot be read."""
    stats.format = kind
    if kind in ("csv", "tsv"):
        yield from _csv_rows(path, "\t" if kind == "tsv" else ",", stats)
        return
    for value in _arrow_rows(path, kind):
        stats.lines += 1
        yield RawLine(None, value, position=stats.lines)


def _csv_rows(path: str, delimiter: str, stats: ReadStats) -> Iterator[RawLine]:
    """CSV rows as records keyed by the header; a row whose cells do not match the header is SFT001."""
    csv.field_size_limit(MAX_LINE_BYTES)
    try:
        with open_text(path) as handle:
            rows = csv.reader(handle, delimiter=delimiter, strict=True)
            header = next(rows, None)
            if header is None:
                return
            _distinct_columns(path, header)
            start = rows.line_num + 1  # the line the next row starts on (a quoted cell may span lines)
            for row in rows:
                line, start = start, rows.line_num + 1
                if not any(row):
                    stats.blank += 1
                    continue
                stats.lines += 1
                if len(row) != len(header):
                    error = f"row has {len(row)} cells where the header has {len(header)}"
                    yield RawLine(line, error=error, syntax="CSV", position=stats.lines)
                else:
                    yield RawLine(line, dict(zip(header, row, strict=True)), position=stats.lines)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: corrupt gzip data after row {stats.lines} ({exc or 'truncated'})") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text after row {stats.lines} ({exc.reason})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: unreadable CSV after row {stats.lines} ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _distinct_columns(path: str, names: list[str]) -> None:
    """Refuse a table with two columns of one name: one of them would be dropped unseen (the
    last `output` won, so an empty first answer column was GO)."""
    counts = Counter(name for name in names if name)  # empty header cells (unused columns) name nothing
    twice = next((name for name, count in counts.items() if count > 1), None)
    if twice is not None:
        raise InputError(f"{display_name(path)}: two columns are named {twice!r}; rename one (which one is meant?)")


def open_text(path: str) -> Any:
    """A CSV or TSV file as text for `csv`, decompressed when its name ends in .gz."""
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _pyarrow(path: str, kind: str) -> Any:
    try:
        import pyarrow
    except ImportError:
        raise InputError(
            f"{display_name(path)} looks like {DESCRIPTIONS[kind]}: reading it needs pyarrow (the formats "
            f"extra): {EXTRA}"
        ) from None
    return pyarrow


def _arrow_files(folder: str) -> list[str]:
    """The Arrow files of a `save_to_disk` folder, in the order `state.json` lists them."""
    try:
        state = json.loads(Path(folder, "state.json").read_text(encoding="utf-8"))
        names = [entry["filename"] for entry in state["_data_files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{folder}: unreadable state.json of a datasets folder ({exc})") from None
    except RecursionError:
        raise InputError(f"{folder}: unreadable state.json of a datasets folder (nested too deeply)") from None
    for name in names:
        if not isinstance(name, str) or not name or "\x00" in name:
            raise InputError(f"{folder}: state.json of a datasets folder names {name!r:.60} as a data file")
        if os.path.isabs(name) or ".." in Path(name).parts:  # `datasets` names files inside its folder
            raise InputError(f"{folder}: state.json of a datasets folder names {name!r:.60}, outside the folder")
    return [os.path.join(folder, name) for name in names]


def data_files(path: str) -> list[str]:
    """The files a `datasets` folder input reads (its state.json's Arrow files); [] for any
    other input or a folder whose state.json cannot be read (reading it reports that)."""
    if not os.path.isdir(path) or input_format(path) != "datasets":
        return []
    try:
        return _arrow_files(path)
    except InputError:
        return []


def _arrow_rows(path: str, kind: str) -> Iterator[dict[str, Any]]:
    pa = _pyarrow(path, kind)
    try:
        for batch in _batches(pa, path, kind):
            _distinct_columns(path, batch.schema.names)
            rows = batch.to_pylist()
            if not all(_json_native(pa, field.type) for field in batch.schema):
                rows = json.loads(json.dumps(rows, default=_as_text))  # dates, decimals, bytes: as text
            for row in rows:
                yield {key: value for key, value in row.items() if value is not None}
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read {DESCRIPTIONS[kind]} ({exc})") from None


def _as_text(value: Any) -> str:
    """A value JSON has no type for as text: bytes (a `binary` column) decoded as UTF-8, what is
    not UTF-8 as U+FFFD (which SFT003 reports); dates and decimals as `str` writes them."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _batches(pa: Any, path: str, kind: str) -> Iterator[Any]:
    if kind == "parquet":
        import pyarrow.parquet

        yield from pyarrow.parquet.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
        return
    for file in _arrow_files(path) if kind == "datasets" else [path]:
        with pa.memory_map(file) as source:
            if source.read(6) == b"ARROW1":
                reader = pa.ipc.open_file(source)
                for index in range(reader.num_record_batches):
                    yield reader.get_batch(index)
            else:
                source.seek(0)
                yield from pa.ipc.open_stream(source)  # what `datasets` writes


def arrow_table(path: str, kind: str) -> tuple[Any, Any, bool]:
    """(pyarrow, the whole of a Parquet or Arrow input as one table, whether it is an Arrow
    stream rather than an Arrow file), for writing some of its rows in its own schema."""
    pa = _pyarrow(path, kind)
    try:
        if kind == "parquet":
            import pyarrow.parquet

            return pa, pyarrow.parquet.read_table(path), False
        tables, stream = [], False
        for file in _arrow_files(path) if kind == "datasets" else [path]:
            with pa.memory_map(file) as source:
                stream = source.read(6) != b"ARROW1"
                source.seek(0)
                tables.append((pa.ipc.open_stream if stream else pa.ipc.open_file)(source).read_all())
        return pa, pa.concat_tables(tables), stream
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read {DESCRIPTIONS[kind]} ({exc})") from None


def _json_native(pa: Any, kind: Any) -> bool:
    """Whether values of this Arrow type become JSON values in `to_pylist` (no dates, bytes, decimals)."""
    types = pa.types
    if types.is_list(kind) or types.is_large_list(kind) or types.is_fixed_size_list(kind):
        return _json_native(pa, kind.value_type)
    if types.is_struct(kind):
        return all(_json_native(pa, kind.field(i).type) for i in range(kind.num_fields))
    return bool(
        types.is_string(kind)
        or types.is_large_string(kind)
        or types.is_integer(kind)
        or types.is_floating(kind)
        or types.is_boolean(kind)
        or types.is_null(kind)
    )
