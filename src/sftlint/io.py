"""Streaming reader: an input file becomes a stream of `RawLine`s with 1-based physical line numbers.

JSON Lines are read one line at a time (constant memory); `-` is standard input; `.gz` is
decompressed on the fly; CRLF endings and a leading UTF-8 BOM are tolerated; blank lines are
skipped and counted. A file that is one JSON array, or one object spread over several lines,
is accepted too (read whole, up to 256 MiB, since it cannot be split into lines). A line that
does not parse, or that holds bytes that are not UTF-8, is returned with the reason so the
engine reports it and reading goes on. Only a file that cannot be read at all raises
`InputError`; so does a file that is no dataset, known from its first bytes (Parquet on
standard input, a PDF, an image, an archive, UTF-16) or from its first non-blank lines (none of
them JSON: a README, a CSV file not named .csv). Parquet, CSV/TSV and Arrow inputs are read by
`sftlint.tables`, through `read_file` and `read_records` as well.
"""

from __future__ import annotations

import errno
import gzip
import itertools
import json
import os
import shlex
import signal
import stat
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from sftlint.errors import InputError, SftlintError

BOM = b"\xef\xbb\xbf"
#: The one definition of a line, for every command (reader, fix, split, excerpts): a line ends
#: after b"\n" and nowhere else. A bare "\r", "\x0b", "\x0c", "\x1c"-"\x1e", "\x85" or
#: "\u2028" is part of its line, so a record's number never depends on who counts.
LINE_END = b"\n"
#: A JSONL line longer than this is reported as oversized instead of being parsed: no training
#: example is this large, and parsing it would hold it in memory in every check.
MAX_LINE_BYTES = 8 * 1024 * 1024
_CHUNK = 1024 * 1024
#: A file that starts like one multi-line JSON document is read whole only up to this size.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
_DECODER = json.JSONDecoder()
# orjson turns integers beyond 64 bits into floats where `json` keeps them exact; a line with a
# run of 19 digits (found by mapping every digit to "0": one C pass) is left to `json`.
_DIGITS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
_LONG_NUMBER = b"0" * 19


@dataclass(slots=True)
class RawLine:
    """One record: its parsed value, or why it could not be parsed, and where it is.

    `line` is the 1-based physical line it starts on (None in a format without lines: Parquet,
    Arrow); `position` its 1-based place among the file's records: the Nth non-blank line of
    JSON Lines (a broken or oversized line is a record too), the Nth element of a JSON array,
    the Nth row of a table. Only `position` is unique in every format.
    """

    line: int | None
    value: Any = None
    error: str | None = None
    encoding_error: str | None = None
    oversized: int | None = None  # the line's size in bytes when it was too large to parse
    #: the line's bytes without its line ending (None for the elements of a JSON document).
    data: bytes | None = None
    #: what `error` is an error of: "JSON", or "CSV" for a row of a CSV file.
    syntax: str = "JSON"
    position: int = 0


@dataclass
class ReadStats:
    """What reading a file saw, besides the records themselves."""

    lines: int = 0
    blank: int = 0
    array: bool = False
    #: "jsonl", "json" (one document: an array, or an object over several lines), or a table's
    #: format (`sftlint.tables.DESCRIPTIONS`).
    format: str = "jsonl"
    #: the longest line read whole (`_bounded_lines`): a record's line in JSON Lines, a whole
    #: document while one is read (an element of a pretty array may be a long line)
    line_limit: int = MAX_LINE_BYTES
    #: the last line a look ahead for a spread object read without finding one (`_spread_object`):
    #: a '{' before it starts no other look ahead, so no line is read ahead twice
    looked_to: int = 0


#: Names that say JSON: a file so named that starts with an Arrow stream's marker (four bytes
#: that are not UTF-8) is JSON Lines with a broken first line.
_JSON_NAMES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz")
ARROW_STREAM = b"\xff\xff\xff\xff"


def json_named(path: str) -> bool:
    """Whether `path` is named as JSON or JSON Lines."""
    return path.lower().endswith(_JSON_NAMES)


_UTF16 = "UTF-16 text (convert it to UTF-8)"
#: Leading bytes of files that are not JSON Lines, and what they look like (for the error).
_NOT_JSONL = (
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow file"),
    (ARROW_STREAM, "an Arrow stream"),
    (b"PK\x03\x04", "a zip archive (a spreadsheet, a wheel, ...)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xff\xfe\x00\x00", "UTF-32 text (convert it to UTF-8)"),  # before UTF-16's, which it starts with
    (b"\x00\x00\xfe\xff", "UTF-32 text (convert it to UTF-8)"),
    (b"\xff\xfe", _UTF16),
    (b"\xfe\xff", _UTF16),
)

def _utf16_without_bom(head: bytes) -> bool:
    """Whether a file's first bytes are ASCII JSON written as UTF-16 without a byte-order mark
    (Python's "utf-16-le" writes none): every other byte NUL, the others text, the first "{" or "["
    (or whitespace before one)."""
    if len(head) < 8:
        return False
    for text, zeros in ((head[0::2], head[1::2]), (head[1::2], head[0::2])):
        if not zeros.strip(b"\x00") and text.isascii() and text.lstrip()[:1] in (b"{", b"["):
            return all(32 <= b < 127 or b in b"\t\r\n" for b in text)
    return False


#: How many non-blank lines decide whether a text file is JSON at all.
SNIFF_LINES = 5


def display_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def shown_path(path: str) -> str:
    """A config file's absolute path made relative to the working directory when it is below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return display_name(path)


def rereadable(path: str) -> bool:
    """Whether `path` can be read more than once: a regular file or a `datasets` folder, not
    standard input, a pipe (`<(cmd)`), a FIFO or a device, which give their bytes to the first
    reader only."""
    from sftlint import tables

    try:
        mode = os.stat(path).st_mode if path != "-" else 0
        return stat.S_ISREG(mode) or (stat.S_ISDIR(mode) and tables.input_format(path) == "datasets")
    except (OSError, SftlintError):
        return False


def _open(path: str) -> BinaryIO:
    if path == "-":
        if sys.stdin is None:
            raise InputError("<stdin>: standard input is closed")
        stream: BinaryIO = sys.stdin.buffer
    else:
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, expected a JSONL file")
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by read_file
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot open ({exc.strerror or exc})") from None
    head = stream.peek(16)[:16] if hasattr(stream, "peek") else b""
    looks_like = next(
        (
            like
            for magic, like in _NOT_JSONL
            if head.startswith(magic) and not (magic == ARROW_STREAM and json_named(path))
        ),
        _UTF16 if _utf16_without_bom(head) else None,
    )
    if looks_like is not None:
        if stream is not sys.stdin.buffer:
            stream.close()
        raise InputError(f"{display_name(path)} looks like {looks_like}, not JSON Lines")
    if path.endswith(".gz") or head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


def _decode(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        return data.decode("utf-8", errors="replace"), f"invalid UTF-8 byte 0x{bad} at byte {exc.start + 1}"


def parse_json(text: str) -> tuple[Any, str | None]:
    """Parse one JSON text; on failure return the parser's reason instead of raising."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} (column {exc.colno})"
    except RecursionError:
        return None, "nested too deeply to parse"
    except ValueError as exc:  # e.g. an integer with too many digits
        return None, str(exc)


def dump_json(value: object, default: Callable[[Any], Any] | None = None, allow_nan: bool = True) -> bytes:
    """Compact JSON, UTF-8 where it can be, \\u escapes where a string holds a lone surrogate
    (`default`, `allow_nan`: as in `json.dumps`)."""
    try:
        return json.dumps(value, ensure_ascii=False, default=default, allow_nan=allow_nan).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=default, allow_nan=allow_nan).encode("ascii")


def read_file(path: str, stats: ReadStats | None = None) -> Iterator[RawLine]:
    """Yield every non-blank record of `path` in order (the rows of a table: `sftlint.tables`).

    Raises InputError if it cannot be read.
    """
    from sftlint import tables

    stats = stats if stats is not None else ReadStats()
    kind = tables.input_format(path)
    if kind is not None:
        yield from tables.read_table(path, kind, stats)
        return
    stream = _open(path)
    with _reading(path, stream, lambda: stats.lines):
        yield from _read_stream(_looking_like_json(path, _bounded_lines(stream, stats)), stats)


def _looking_like_json(path: str, lines: Iterator[bytes | int]) -> Iterator[bytes | int]:
    """`lines`, once their first non-blank ones show a JSON file: a README or a CSV file is one
    error, not a finding per line. One JSON-looking line among them is enough, so a JSON Lines
    file with a broken first line is still read (and the line reported)."""
    # The lines read, to be read again: blank ones are counted, not kept (a gzip file of a billion
    # line breaks is 4 MB), and given back empty, as the reader only counts them.
    head: list[bytes | int] = []
    texts: list[bytes] = []
    blank = 0  # blank lines read since the last line kept
    read = 0
    for data in lines:
        read += 1
        if isinstance(data, int):  # an oversized line: reported as such, whatever the file is
            return _again(head, blank, data, lines)
        text = data[len(BOM) :] if read == 1 and data.startswith(BOM) else data
        if not text.strip():
            blank += 1
            continue
        if _json_like(text):
            return _again(head, blank, data, lines)
        texts.append(text)
        if blank:
            head.append(blank)
            blank = 0
        head.append(data)
        if len(texts) == SNIFF_LINES:
            break
    if texts:
        name = display_name(path)
        if any(b"\x00" in text for text in texts):
            raise InputError(f"{name} looks like a binary file, not JSON Lines")
        which = "its first line is not JSON" if len(texts) == 1 else f"none of its first {len(texts)} lines is JSON"
        raise InputError(f"{name} does not look like JSON Lines: {which}")
    return _again(head, blank, None, lines)


def _again(
    head: list[bytes | int], blank: int, last: bytes | int | None, lines: Iterator[bytes | int]
) -> Iterator[bytes | int]:
    """The lines `_looking_like_json` read, then the rest. In `head` an int is a run of blank lines
    (given back empty); an oversized line's int is never kept there, only given as `last`."""
    for data in head:
        if isinstance(data, int):
            yield from itertools.repeat(b"", data)
        else:
            yield data
    yield from itertools.repeat(b"", blank)
    if last is not None:
        yield last
    yield from lines


def _json_like(data: bytes) -> bool:
    """Whether a line starts a JSON object or array, or is JSON itself (a broken record is still JSON-like)."""
    text = data.strip()
    if text.startswith(b"{") or (text.startswith(b"[") and text[1:].lstrip()[:1] in (b"{", b"[", b"]", b'"', b"")):
        return True
    return parse_json(_decode(text)[0])[1] is None


@contextmanager
def _reading(path: str, stream: BinaryIO, lines_read: Callable[[], int]) -> Iterator[None]:
    """Close `stream` afterwards; a failure while reading becomes one InputError naming the line."""
    try:
        yield
    except _EndlessLine:
        where = f"line {lines_read() + 1} runs past {MAX_DOCUMENT_BYTES >> 20} MB"
        raise InputError(f"{display_name(path)}: {where} without a line break: not JSON Lines") from None
    except _DocumentTooLarge as found:
        name = display_name(path)
        command = _jq_command(path, "jq -c '.[]'" if found.array else "jq -c .")
        raise InputError(
            f"{name}: a JSON {'array' if found.array else 'document'} over several lines runs past "
            f"{MAX_DOCUMENT_BYTES >> 20} MB, more than sftlint reads as one document; write one record per "
            f"line (JSON Lines), for example with: {command}"
        ) from None
    except _DocumentsInARow as found:
        name = display_name(path)
        command = _jq_command(
            path, "jq -c ." if found.line is None else "jq -c 'if type == \"array\" then .[] else . end'"
        )
        if found.line is None:
            said = (
                "its records are JSON objects spread over several lines, one after another; write one object "
                "per line (JSON Lines)"
            )
        else:
            said = (
                f"a JSON document over several lines is followed by another at line {found.line} (files joined?): "
                "no one JSON document and no JSON Lines; write one record per line"
            )
        raise InputError(f"{name}: {said}, for example with: {command}") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        reason = "truncated" if isinstance(exc, EOFError) else str(exc)
        after = f" after line {lines_read()}" if lines_read() else " before its first line"
        raise InputError(f"{path}: corrupt gzip data{after} ({reason})") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSONL file") from None
    except OSError as exc:
        raise InputError(f"{path}: read failed after line {lines_read()} ({exc.strerror or exc})") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _jq_command(path: str, program: str) -> str:
    """`program` run on `path` as a shell takes it: standard input as is, a .gz file through gzip."""
    if path == "-":
        return program
    name = shlex.quote(display_name(path))
    return f"gzip -dc {name} | {program}" if path.endswith(".gz") else f"{program} {name}"


def iter_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """Every physical line of `path` as (1-based number, bytes with their line ending), BOM removed.

    Numbered exactly as `read_file` numbers records, for tools that copy lines through unchanged.
    """
    stream = _open(path)
    number = 0
    with _reading(path, stream, lambda: number):
        for number, data in enumerate(stream, start=1):  # noqa: B007 - read by _reading's error message
            yield number, data[len(BOM) :] if number == 1 and data.startswith(BOM) else data


class _EndlessLine(Exception):
    """A line that runs past `MAX_DOCUMENT_BYTES`: no dataset has one (reading /dev/zero never ends)."""


class _DocumentTooLarge(Exception):
    """A pretty-printed JSON document past `MAX_DOCUMENT_BYTES`: read whole, it would not fit;
    read as lines, every line of it would be a finding. `array` says which it is."""

    def __init__(self, array: bool) -> None:
        super().__init__(array)
        self.array = array


class _DocumentsInARow(Exception):
    """A JSON document over several lines followed by another: no JSON Lines, and no one JSON
    document either. Read as lines, every line of it would be a finding. `line` is None for
    objects one after another (`jq .` output); else, one of them an array (two files joined,
    `cat a.json b.json`), the line where the second starts."""

    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


def _documents_in_a_row(text: str, first_line: int) -> None:
    """Raise `_DocumentsInARow` when `text` starts with a whole JSON object or array over several
    lines and another object or array follows it."""
    try:
        value, end = json.JSONDecoder().raw_decode(text, len(text) - len(text.lstrip()))
    except (ValueError, RecursionError):  # nested past Python's limit: read as lines, and reported there
        return
    after = text[end:].lstrip()[:1]
    if not isinstance(value, (dict, list)) or "\n" not in text[:end] or after not in ("{", "["):
        return
    if isinstance(value, dict) and after == "{":
        raise _DocumentsInARow(None)
    raise _DocumentsInARow(first_line + text.count("\n", 0, len(text) - len(text[end:].lstrip())))


def _bounded_lines(stream: BinaryIO, stats: ReadStats) -> Iterator[bytes | int]:
    """The stream's lines; a line longer than `stats.line_limit` is skipped in chunks and given
    as its size.

    The first non-blank line is exempt when it starts with '[': a minified JSON array file
    is one long line.
    """
    started = False
    while True:
        limit = stats.line_limit
        data = stream.readline(limit + 1)
        if not data:
            return
        if len(data) > limit and not data.endswith(b"\n"):
            if not started and data.lstrip(BOM + b" \t").startswith(b"["):
                data += stream.readline()
            else:
                size = len(data)
                while chunk := stream.readline(_CHUNK):
                    size += len(chunk)
                    if chunk.endswith(b"\n"):
                        break
                    if size > MAX_DOCUMENT_BYTES:  # /dev/zero, a stream that never breaks its line
                        raise _EndlessLine
                started = True
                yield size
                continue
        started = started or bool(data.strip())
        yield data


def _read_stream(lines: Iterator[bytes | int], stats: ReadStats) -> Iterator[RawLine]:
    source = iter(lines)
    put_back = yield from _read_lines(source, stats)
    while put_back is not None:  # read again the lines a look ahead put back (`_spread_object`), then the rest
        pending = iter(put_back)
        put_back = yield from _read_lines(itertools.chain(pending, source), stats)
        if put_back is not None:
            put_back += pending  # a chain one deep, however often lines are put back


def _read_lines(lines: Iterator[bytes | int], stats: ReadStats) -> Iterator[RawLine]:
    """`_read_stream` until the end (returns None) or until lines read ahead must be read again
    (returns them)."""
    loads, decode_error, long_number, digits = orjson.loads, orjson.JSONDecodeError, _LONG_NUMBER, _DIGITS
    for data in lines:
        number = stats.lines = stats.lines + 1
        if type(data) is int:
            yield RawLine(number, oversized=data, position=number - stats.blank)
            continue
        if number == 1 and data.startswith(BOM):
            data = data[len(BOM) :]
        if not data or data.isspace():  # what `not data.strip()` says, without copying the line
            stats.blank += 1
            continue
        if number - stats.blank == 1 and data.lstrip().startswith((b"[", b"{")):
            document, read = _try_document(data, lines, stats)
            if document is not None:
                yield from document
                return
            yield from _jsonl(read, start=number, stats=stats)
            continue
        # `_parse_line`, inlined: this runs once per line.
        data = data.rstrip(b"\r\n")
        if long_number not in data.translate(digits):
            try:
                value = loads(data)
            except decode_error:
                pass
            else:
                yield RawLine(number, value, None, None, None, data, "JSON", number - stats.blank)
                continue
        if number > stats.looked_to and data.strip() == b"{":
            spread, read = _spread_object(number, data, lines, stats)
            if spread is not None:
                yield from spread
                continue
            yield _parse_with_json(number, data, number - stats.blank)
            return read
        yield _parse_with_json(number, data, number - stats.blank)
    return None


#: lines looked through for the end of a JSON object spread over several lines in JSON Lines, and
#: their bytes at most (a record that large is past the line limit anyway)
_SPREAD_LINES = 10_000
_SPREAD_BYTES = MAX_LINE_BYTES


def _spread_object(
    number: int, first: bytes, lines: Iterator[bytes | int], stats: ReadStats
) -> tuple[list[RawLine] | None, list[bytes | int]]:
    """A pretty-printed JSON object in JSON Lines (a line '{' down to a '}' as far indented,
    `jq .` output appended to a file): its lines, each an invalid record that says so, or
    (None, the lines read ahead) when `first` starts none. Each of its lines stays a record
    (line N is record N wherever the file is read again), but each says what it is part of
    rather than the parser's error about its own line.

    The look ahead stops at the next line '{' as far indented, and no '{' among the lines a look
    ahead read starts another (`ReadStats.looked_to`), so no line is read more than twice.
    """
    indent = first[: len(first) - len(first.lstrip())]
    closing, opening = indent + b"}", indent + b"{"
    read: list[bytes | int] = []
    size = 0
    for data in itertools.islice(lines, _SPREAD_LINES):
        read.append(data)
        stats.looked_to = number + len(read)
        if type(data) is int:
            return None, read
        size += len(data)
        if size > _SPREAD_BYTES:
            return None, read
        line = data.rstrip()
        if line == opening:
            stats.looked_to -= 1  # the next object, as far indented, may be spread: it is looked at
            return None, read
        if line == closing:
            break
    else:
        return None, read
    try:
        value = json.loads(b"\n".join([first, *read]))
    except (ValueError, RecursionError):
        return None, read
    if not isinstance(value, dict):
        return None, read
    last = number + len(read)
    spread = f"lines {number}-{last}"
    found = [
        RawLine(
            number,
            error=f"a JSON object spread over {spread} starts here (pretty-printed): JSON Lines holds one "
            "record per line; write it on one line, for example with jq -c .",
            data=first,
            position=number - stats.blank,
        )
    ]
    error = f"part of the JSON object spread over {spread}"
    for data in read:  # all bytes: a line too long to read returned above
        stats.lines += 1
        if not data.strip():  # type: ignore[union-attr]
            stats.blank += 1
        else:
            body = data.rstrip(b"\r\n")  # type: ignore[union-attr]
            found.append(RawLine(stats.lines, error=error, data=body, position=stats.lines - stats.blank))
    return found, []


def _parse_line(number: int, data: bytes, position: int) -> RawLine:
    """Parse one line: orjson first (several times faster); anything it refuses goes to `json`.

    orjson accepts only what `json` accepts and gives the same values (valid UTF-8, no lone
    surrogates, NaN or out-of-range floats), except integers beyond 64 bits, which are kept away
    from it; so results and error messages are those of `json`.
    """
    data = data.rstrip(b"\r\n")
    if _LONG_NUMBER not in data.translate(_DIGITS):
        try:
            return RawLine(number, orjson.loads(data), data=data, position=position)
        except orjson.JSONDecodeError:
            pass
    return _parse_with_json(number, data, position)


def _parse_with_json(number: int, data: bytes, position: int) -> RawLine:
    """Parse one line (without its ending) with `json`: its values and its error messages."""
    text, encoding_error = _decode(data)
    value, error = parse_json(text)
    return RawLine(number, value, error, encoding_error, data=data, position=position)


def _jsonl(lines: list[bytes | int], start: int, stats: ReadStats) -> Iterator[RawLine]:
    """Parse already-read lines as JSON Lines (after an attempt to read one document failed)."""
    for number, data in enumerate(lines, start=start):
        if isinstance(data, int) or len(data) > MAX_LINE_BYTES:  # read whole while a document was tried
            size = data if isinstance(data, int) else len(data)
            yield RawLine(number, oversized=size, position=number - stats.blank)
        elif data.strip():
            yield _parse_line(number, data, number - stats.blank)
        else:
            stats.blank += 1


def _try_document(
    first: bytes, rest: Iterator[bytes | int], stats: ReadStats
) -> tuple[list[RawLine] | None, list[bytes | int]]:
    """Read a file whose first line starts with '[' or '{' as one JSON document, if it is one.

    A JSON array gives its elements (line = where each starts); a single object spread over
    several lines gives one record. Returns (records, []) for a document, else (None, the lines
    read so far) when the file is JSON Lines after all: each line is an array, the first record
    is broken, a line is oversized (no document holds one: it is reported, never dropped), or
    `MAX_DOCUMENT_BYTES` were read without finding the end.
    """
    text, _ = _decode(first.rstrip(b"\r\n"))
    value, error = parse_json(text)
    if error is None:
        if isinstance(value, dict):
            return None, [first]
        following = next(rest, None)
        if following is not None:  # one array per line: JSON Lines
            stats.lines += 1
            return None, [first, following]
        stats.array, stats.format = True, "json"
        return [RawLine(stats.lines, v, position=i) for i, v in enumerate(value, start=1)], []
    chunks: list[bytes | int] = [first]
    size = len(first)
    stats.line_limit = MAX_DOCUMENT_BYTES  # an element of a pretty array may be one long line
    try:
        for data in rest:
            stats.lines += 1
            chunks.append(data)
            if isinstance(data, int):
                return None, chunks
            size += len(data)
            if size > MAX_DOCUMENT_BYTES:
                if first.strip() in (b"[", b"{"):  # a pretty document, surely: read as lines, each an error
                    raise _DocumentTooLarge(first.strip() == b"[")
                return None, chunks
    finally:
        stats.line_limit = MAX_LINE_BYTES
    buffer = b"".join(c for c in chunks if isinstance(c, bytes))  # all of them: an int returned above
    text, encoding_error = _decode(buffer)
    if encoding_error is not None:
        return None, chunks
    first_line = stats.lines - len(chunks) + 1
    if text.lstrip(" \t\r\n").startswith("{"):
        value, error = parse_json(text)
        if error is not None:
            _documents_in_a_row(text, first_line)
            return None, chunks
        stats.format = "json"
        return [RawLine(first_line, value, position=1)], []
    elements = _array_elements(text, first_line)
    if elements is None:
        _documents_in_a_row(text, first_line)
        return None, chunks
    stats.array, stats.format = True, "json"
    return elements, []


def _array_elements(text: str, first_line: int) -> list[RawLine] | None:
    """Split a JSON array into its elements with the line each starts on; None if not an array.
    An element with a line longer than a line of JSON Lines may be is oversized, as such a line is."""
    spans = _array_spans(text, first_line)
    if spans is None:
        return None
    out = []
    for k, (line, start, end, value) in enumerate(spans, start=1):
        if end - start > MAX_LINE_BYTES // 4:  # a line of it may be past the limit in UTF-8
            data = text[start:end].encode("utf-8", "surrogatepass")
            if max(map(len, data.split(b"\n"))) > MAX_LINE_BYTES:  # kept whole for fix's rejects file
                out.append(RawLine(line, oversized=len(data), data=data, position=k))
                continue
        out.append(RawLine(line, value, position=k))
    return out


def document_texts(path: str) -> list[str] | None:
    """The exact text of each record of the JSON document `path` (the elements of an array, or
    one object), as written: what `fix` and `split` copy, so numbers keep their digits and a
    1e999 stays 1e999. None when `path` is no JSON document that decodes as UTF-8."""
    stream = _open(path)
    with _reading(path, stream, lambda: 0):
        data = stream.read(MAX_DOCUMENT_BYTES + 1)
    text, encoding_error = _decode(data[len(BOM) :] if data.startswith(BOM) else data)
    if encoding_error is not None or len(data) > MAX_DOCUMENT_BYTES:
        return None
    if text.lstrip(" \t\r\n").startswith("{"):
        return [text.strip(" \t\r\n")]
    spans = _array_spans(text, 1)
    return None if spans is None else [text[start:end] for _, start, end, _ in spans]


def _array_spans(text: str, first_line: int) -> list[tuple[int, int, int, Any]] | None:
    """Each element of a JSON array: (line it starts on, start, end, value); None if not an array."""
    ws = " \t\r\n"
    i = text.find("[") + 1
    if not i:  # it started with other whitespace before a '{' ("\v{"): not a document
        return None
    line = first_line + text.count("\n", 0, i)
    out: list[tuple[int, int, int, Any]] = []
    expect_value = True
    while True:
        j = i
        while j < len(text) and text[j] in ws:
            j += 1
        line += text.count("\n", i, j)
        i = j
        if i >= len(text):
            return None
        if text[i] == "]":
            tail = text[i + 1 :].strip()
            return out if not tail and (out or expect_value) else None
        if not expect_value:
            if text[i] != ",":
                return None
            i += 1
            expect_value = True
            continue
        try:
            value, end = _DECODER.raw_decode(text, i)
        except (ValueError, RecursionError):
            return None
        out.append((line, i, end, value))
        line += text.count("\n", i, end)
        i = end
        expect_value = False


def write_atomic(path: Path, data: str | bytes | Iterable[str], inputs: Sequence[Path] = ()) -> None:
    """Write `data` (or its pieces, in order) to `path` through a temporary file and a rename;
    refuse to write over an input.

    A lone surrogate (a record's escaped "\\ud800") is written as that escape, never as the bytes
    of invalid UTF-8: inside a JSON string it is the same JSON escape, so what sftlint writes it
    reads back, and in a report or text it shows as the escape.
    """
    with open_atomic(path, inputs) as handle:
        _write_data(handle, data)


def _write_data(handle: BinaryIO, data: str | bytes | Iterable[str]) -> None:
    """`data` into `handle`: bytes as they are, text as `write_atomic` encodes it."""
    if isinstance(data, bytes):
        handle.write(data)
        return
    for piece in [data] if isinstance(data, str) else data:
        handle.write(piece.encode("utf-8", "backslashreplace"))


def append_text(path: Path, text: str, inputs: Sequence[Path] = ()) -> None:
    """Add `text` at the end of `path` (a file other programs write to as well, such as a CI job
    summary) in one write; refuse a file the run reads."""
    refuse_inputs([path], inputs)
    try:
        with open(path, "ab") as handle:
            handle.write(text.encode("utf-8", "backslashreplace"))
    except OSError as exc:
        raise write_error(path, exc) from None


def write_together(files: Sequence[tuple[Path, str | bytes | Iterable[str]]], inputs: Sequence[Path] = ()) -> None:
    """Write several files that belong together (train and eval; a result and its report): none
    is replaced unless all are complete. Data as `write_atomic` takes it."""
    with open_outputs([path for path, _ in files], inputs) as handles:
        for handle, (_, data) in zip(handles, files, strict=True):
            _write_data(handle, data)


def _new_file_mode() -> int:
    """The mode `open()` would give a new file (temporary files are created private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise SftlintError(f"{path}: cannot resolve the path ({getattr(exc, 'strerror', None) or exc})") from None


def is_device(path: Path) -> bool:
    """Whether `path` exists and is no regular file: a device such as /dev/null, a FIFO, a pipe
    (/dev/stdout, `>(cmd)`). Written in place, never replaced; nothing can be put beside it."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # not there yet (or not reachable): a new file
        return False


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: equal once symlinks are resolved, or hard links."""
    if _resolve(a) == _resolve(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(outputs: Iterable[Path], inputs: Sequence[Path]) -> None:
    """Refuse to write any of `outputs` over a file the run reads (also through symlinks and hard
    links), a file inside an input folder (a `datasets` folder's data, state and info) included."""
    for output in outputs:
        if any(same_file(output, p) for p in inputs):
            raise SftlintError(f"{output}: refusing to overwrite an input file of this run")
        if os.path.exists(output) and any(_inside(output, p) for p in inputs):  # False for a name too long
            raise SftlintError(f"{output}: refusing to overwrite a file inside an input folder of this run")


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` lies inside `folder`, once symlinks are resolved (False when `folder` is no folder)."""
    return os.path.isdir(folder) and _resolve(path).is_relative_to(_resolve(folder))


class _Output:
    """A file being written: a failed write (a full disk, a closed pipe) is one error naming it."""

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self.path = path
        self.handle = handle

    def write(self, data: bytes) -> int:
        try:
            return self.handle.write(data)
        except OSError as exc:
            raise write_error(self.path, exc) from None

    def flush(self) -> None:
        try:
            self.handle.flush()
        except OSError as exc:
            raise write_error(self.path, exc) from None

    def finish(self) -> None:
        """Flush, sync and close: after this the bytes are on disk, or the error is raised."""
        try:
            self.handle.flush()
            try:
                os.fsync(self.handle.fileno())
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.EROFS):  # a device or a pipe cannot be synced
                    raise
            self.handle.close()
        except OSError as exc:
            raise write_error(self.path, exc) from None


def _discard(handle: BinaryIO) -> None:
    """Close a file the run gave up on; its own error would only hide the first one."""
    try:
        handle.close()
    except OSError:
        pass


def write_error(path: Path | str, exc: OSError) -> SftlintError:
    return SftlintError(f"{path}: cannot write ({exc.strerror or exc})")


@contextmanager
def open_atomic(path: Path, inputs: Sequence[Path] = ()) -> Iterator[BinaryIO]:
    """Stream into a temporary file beside `path`, renamed over it only if the block succeeds.

    For outputs too large to build in memory (`write_atomic` takes the whole content); see
    `open_outputs`.
    """
    with open_outputs([path], inputs) as (handle,):
        yield handle


@contextmanager
def open_outputs(paths: Sequence[Path], inputs: Sequence[Path] = ()) -> Iterator[list[BinaryIO]]:
    """Streams for `paths`, each into a temporary file beside it; all are renamed into place only
    when the block succeeds and every file is written, flushed and synced, so a failed run (a
    full disk, Ctrl-C) leaves every previous file as it was.

    Refuses a path the run reads (`inputs`). A replaced file keeps its permission bits. A path
    that is no regular file (a device such as /dev/null, a FIFO, `>(cmd)`) is written in place:
    renaming over it would replace the device with a file.
    """
    refuse_inputs(paths, inputs)
    with ExitStack() as stack:
        handles: list[BinaryIO] = []
        renames: list[tuple[str, Path]] = []
        for path in paths:
            try:
                existing = os.stat(path)
            except OSError:
                existing = None
            try:
                if existing is not None and not stat.S_ISREG(existing.st_mode):
                    handle = open(path, "wb")  # noqa: SIM115 - closed below, or by the stack on failure
                else:
                    target = _resolve(path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                    stack.callback(Path(tmp).unlink, missing_ok=True)
                    handle = os.fdopen(fd, "wb")
                    os.chmod(fd, stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode())
                    renames.append((tmp, target))
            except OSError as exc:
                raise write_error(path, exc) from None
            stack.callback(_discard, handle)
            handles.append(_Output(path, handle))
        yield handles  # type: ignore[misc]
        for output in handles:
            output.finish()
        with _uninterrupted():
            for tmp, target in renames:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise write_error(target, exc) from None


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while files that belong together are renamed into place (a
    few microseconds): a stop lands before the first or after the last, so all are replaced or none.

    The handlers are swapped for one that notes the signal, which is raised again once they are
    back: whichever thread the system gives a signal to, Python runs the handler in the main one,
    so blocking it there would not hold it back. Elsewhere than the main thread (where handlers
    cannot be set) nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if handler is not None and handler != signal.SIG_IGN:  # one set outside Python cannot be put back
            previous[number] = signal.signal(number, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])


def read_records(path: str, wanted: set[int]) -> Iterator[tuple[int, int | None, str]]:
    """Yield (position, line, text) for the records at the `wanted` positions of `path`.

    A cheap second pass for excerpts: in JSON Lines other lines are counted, not decoded or
    parsed. A JSON array file is read whole as in `read_file`, and a table row by row, each
    wanted record re-serialised as JSON.
    """
    from sftlint import tables

    if not wanted:
        return
    last = max(wanted)
    if tables.input_format(path) is None and not _starts_an_array(path):
        position = 0
        for number, data in iter_lines(path):
            if data.isspace():
                continue
            position += 1
            if position in wanted:
                yield position, number, _decode(data.rstrip(b"\r\n"))[0]
            if position >= last:
                return
        return
    for raw in read_file(path):
        if raw.position in wanted and raw.error is None and raw.oversized is None:
            yield raw.position, raw.line, json.dumps(raw.value, ensure_ascii=False)
        if raw.position >= last:
            return


def _starts_an_array(path: str) -> bool:
    """Whether the first non-blank line of a JSON file starts with '[' (read as `read_file` reads it)."""
    for _, data in iter_lines(path):
        if not data.isspace():
            return data.lstrip().startswith(b"[")
    return False
