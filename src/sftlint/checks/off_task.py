from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from sftlint.check import Check, Context
from sftlint.checks._content import _EN_STOP_BYTES, _WORD_BYTES, strip_code
from sftlint.findings import Finding, Location, Severity
from sftlint.records import Record

_BITS = 20  # hashed term ids
_PROMPT_TERMS = 32  # prompt terms kept per record (the lowest hash values: a fixed random sample)
_RESPONSE_TERMS = 64  # response terms kept per record: those shared with the prompt, then a sample
_REFERENCE = 2000  # records the neighbours are looked for among (all of them in smaller files)
_BLOCK = 1024  # records scored at a time against the reference records
_SMALL_BLOCK = 256  # records scored at a time where no null scores are needed
_ROWS = 8192  # records whose relevance is computed at a time
_PENDING = 2048  # records whose texts are turned into terms together
_MAX_CHARS = 2000  # texts are read this far: enough to tell what they are about
_SEED = 0
_CALIBRATION = 4000  # records the topic score's threshold is calibrated on
_LOOSE = 0.99  # relevance below this quantile of unrelated pairs counts when another prompt fits
_SCREEN = 0.95  # topic scores are computed where relevance is below this quantile of unrelated pairs'
_POSTINGS = 2000  # a term in more prompts than this does not propose the prompt a response fits best
_PROPOSED = 8  # prompts per response compared in full when looking for the one it fits best
_DENSE_POSTINGS = 32  # reference records a term must be in for its similarities to be added densely


class OffTaskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_response_words: int = Field(
        8, ge=1, description="shorter responses are not judged (labels, codes, one-line answers)"
    )
    null_quantile: float = Field(
        0.85,
        gt=0,
        lt=1,
        description="a pair scoring below this quantile of shuffled (unrelated) pairs' scores is off-task",
    )
    neighbours: int = Field(30, ge=2, description="records per neighbourhood of the topic signal")
    max_share: float = Field(
        0.15,
        gt=0,
        le=1,
        description="a signal that calls more than this share of records off-task cannot judge the data",
    )
    max_fraction: float = Field(
        0.3, gt=0, lt=1, description="the threshold is at most this fraction of the data's median score"
    )
    min_records: int = Field(50, ge=2, description="fewest judged records needed to calibrate the threshold")


# -- terms: content words of many texts at once ---------------------------------------------------
#
# `content_terms(word_bytes(text))` hashed with `buckets` (sftlint.checks._content), done with numpy
# over a block of texts instead of word by word in Python: a word is read as the integer of its
# first eight bytes (words hold no zero byte, so the integer is the word), its term is the first six.

_U64 = np.uint64
_FIRST_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=_U64)  # mask of a word's first n bytes
_STEM = _U64((1 << 48) - 1)  # words cut to six letters (bytes)
_STOP_SLOTS = 14


def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """crc32 is affine over the bits of a message of fixed length: the crc of an n-byte term is
    `_CRC_ZERO[n]` xor, for each byte position j, `_CRC_BYTE[n, j, byte]` (independent lookups)."""
    by_byte = np.zeros((7, 6, 256), dtype=np.uint32)
    zero = np.zeros(7, dtype=np.uint32)
    for size in range(1, 7):
        zero[size] = zlib.crc32(bytes(size))
        for j in range(size):
            for byte in range(256):
                message = bytearray(size)
                message[j] = byte
                by_byte[size, j, byte] = zlib.crc32(message) ^ zero[size]
    return by_byte.reshape(-1), zero


_CRC_BYTE, _CRC_ZERO = _crc_tables()


def _crc32(terms: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """`zlib.crc32` of each term (the integer of its first `sizes` bytes, at most 6)."""
    sizes = np.minimum(sizes, 6).astype(np.int32)
    crc = _CRC_ZERO[sizes]
    table = sizes * (6 * 256)
    term_bytes = np.ascontiguousarray(terms, dtype=_U64).view(np.uint8).reshape(-1, 8)
    for j in range(6):
        crc ^= _CRC_BYTE[table + term_bytes[:, j]]
        table += 256
    return crc


def _stop_table() -> tuple[np.uint64, np.ndarray, np.ndarray, frozenset[bytes]]:
    """A collision-free hash table of the function words (their first 8 bytes and length)."""
    words = sorted(_EN_STOP_BYTES)
    first = np.array([int.from_bytes(w[:8].ljust(8, b"\0"), "little") for w in words], dtype=_U64)
    size = np.array([len(w) for w in words], dtype=_U64)
    rng = np.random.default_rng(_SEED)
    while True:
        mult = _U64(rng.integers(1, 1 << 63, dtype=np.uint64) | 1)
        slots = ((first ^ size) * mult) >> _U64(64 - _STOP_SLOTS)
        if np.unique(slots).size == len(words):
            break
    table_first = np.zeros(1 << _STOP_SLOTS, dtype=_U64)
    table_size = np.zeros(1 << _STOP_SLOTS, dtype=np.int64)
    table_first[slots], table_size[slots] = first, size
    return mult, table_first, table_size, frozenset(w for w in words if len(w) > 8)


_STOP_MULT, _STOP_FIRST, _STOP_SIZE, _LONG_STOP = _stop_table()


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """Where each run of equal values of `groups` begins."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if groups.size else np.zeros(0, np.int64)


def _ranks(groups: np.ndarray) -> np.ndarray:
    """Each element's position within its run of equal values of `groups`."""
    starts = _group_starts(groups)
    return np.arange(groups.size) - np.repeat(starts, np.diff(np.r_[starts, groups.size]))


def _pair_terms(
    texts: list[bytes], min_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Term ids of prompt-response pairs: `texts` holds each pair's encoded prompt, then response.

    Returns which pairs are judged (responses of `min_words` words or more, with terms on both
    sides), and for those the prompt ids and the response ids, each with its count per pair.
    """
    pairs = len(texts) // 2
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = b" ".join([b"", *texts, b" " * 15]).translate(_WORD_BYTES)  # a space before, 16 after
    chars = np.frombuffer(joined, dtype=np.uint8)
    is_word = chars != 32
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    starts, sizes = edges[::2], edges[1::2] - edges[::2]
    text_starts = np.ones(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=text_starts[1:])
    text_starts[1:] += 1
    first_word = np.searchsorted(starts, text_starts)
    words = np.diff(np.r_[first_word, starts.size])  # words per text
    judged = words[1::2] >= min_words
    eight = np.ndarray((chars.size - 15,), dtype="<u8", buffer=joined, strides=(1,))
    first = eight[starts] & _FIRST_BYTES[np.minimum(sizes, 8)]
    slots = ((first ^ sizes.astype(_U64)) * _STOP_MULT) >> _U64(64 - _STOP_SLOTS)
    stop = (_STOP_FIRST[slots] == first) & (_STOP_SIZE[slots] == sizes)
    long = np.flatnonzero(stop & (sizes > 8))  # the few function words longer than 8 bytes
    stop[long] = [
        joined[s : s + z] in _LONG_STOP for s, z in zip(starts[long].tolist(), sizes[long].tolist(), strict=True)
    ]
    keep = (sizes > 1) & ~stop
    first, sizes = first[keep], sizes[keep]
    kept = np.r_[0, np.cumsum(keep)]
    text = np.repeat(np.arange(len(texts), dtype=_U64), kept[np.r_[first_word[1:], starts.size]] - kept[first_word])
    crc = _crc32(first & _STEM, sizes).astype(_U64)
    # One sort by pair, bucket (the crc's low bits), the rest of the crc, then prompt before
    # response: equal neighbours are one term of one text, a response term right after the
    # same prompt term is shared with the prompt.
    low = _U64((1 << _BITS) - 1)
    key = np.sort(
        ((text >> _U64(1)) << _U64(33))
        | ((crc & low) << _U64(33 - _BITS))
        | ((crc >> _U64(_BITS)) << _U64(1))
        | (text & _U64(1)),
        kind="stable",  # the keys come grouped by pair, which a merge sort makes use of
    )
    key = key[_group_starts(key)]
    pair = (key >> _U64(33)).astype(np.int64)
    is_response = (key & _U64(1)).astype(bool)
    shared = np.zeros(key.size, dtype=bool)
    shared[1:] = is_response[1:] & (key[1:] - _U64(1) == key[:-1])
    ids = ((key >> _U64(33 - _BITS)) & low).astype(np.uint32)
    prompt_pair, prompt_ids = pair[~is_response], ids[~is_response]
    kept = _ranks(prompt_pair) < _PROMPT_TERMS
    prompt_pair, prompt_ids = prompt_pair[kept], prompt_ids[kept]
    # The response terms shared with the prompt first (so the sample keeps the overlap), then the rest.
    response_pair, response_ids, shared = pair[is_response], ids[is_response], shared[is_response]
    starts = _group_starts(response_pair)
    counts = np.diff(np.r_[starts, response_pair.size])
    shared_before = np.r_[0, np.cumsum(shared)]
    shared_rank = shared_before[1:] - shared - np.repeat(shared_before[starts], counts)
    shared_total = np.repeat(np.diff(np.r_[shared_before[starts], shared_before[-1]]), counts)
    other_rank = np.arange(response_pair.size) - np.repeat(starts, counts) - shared_rank
    kept = np.where(
        shared, shared_rank < _RESPONSE_TERMS, other_rank < _RESPONSE_TERMS - np.minimum(shared_total, _RESPONSE_TERMS)
    )
    response_pair, response_ids = response_pair[kept], response_ids[kept]
    prompt_count = np.bincount(prompt_pair, minlength=pairs)
    response_count = np.bincount(response_pair, minlength=pairs)
    judged &= (prompt_count > 0) & (response_count > 0)
    return (
        judged,
        prompt_ids[judged[prompt_pair]],
        prompt_count[judged],
        response_ids[judged[response_pair]],
        response_count[judged],
    )


# -- scoring ------------------------------------------------------------------------------------


class _Terms:
    """Term ids of every judged record stored end to end, and their document frequencies: weighted rows on demand."""

    def __init__(self, terms: array, ends: array) -> None:
        self.ids = np.frombuffer(terms, dtype=np.uint32)
        self.bounds = np.r_[0, np.frombuffer(ends, dtype=np.uint32)].astype(np.int64)
        self.n = self.bounds.size - 1
        self.df = np.zeros(1 << _BITS, dtype=np.int64)  # counted by blocks: bincount copies its input to int64
        for lo in range(0, self.ids.size, 1 << 20):
            self.df += np.bincount(self.ids[lo : lo + (1 << 20)], minlength=1 << _BITS)

    def rows(self, rows: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
        """`rows` weighted by `idf` and scaled to unit length (cosine by dot product)."""
        lo = self.bounds[rows]
        lengths = self.bounds[rows + 1] - lo
        indptr = np.zeros(rows.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = self.ids[np.repeat(lo - indptr[:-1], lengths) + np.arange(indptr[-1])].astype(np.int32)
        matrix = sp.csr_matrix((idf[indices], indices, indptr), shape=(rows.size, 1 << _BITS))
        matrix.sum_duplicates()  # a bucket two of a record's terms fall in counts twice
        squares = np.bincount(
            np.repeat(np.arange(rows.size), np.diff(matrix.indptr)), matrix.data * matrix.data, rows.size
        )
        matrix.data /= np.repeat(np.maximum(np.sqrt(squares), 1e-9), np.diff(matrix.indptr)).astype(np.float32)
        return matrix


def _idf(df: np.ndarray, documents: int) -> np.ndarray:
    return np.log((documents + 1) / (df + 1)).astype(np.float32)


def _rowwise_dot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (values * weights).sum(axis=-1) / weights.sum(axis=-1)


def _best_prompts(
    rows: np.ndarray, prompts: _Terms, responses: _Terms, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each of `rows`, the other record whose prompt is most similar to its response, and that similarity.

    Prompts are proposed by the response's terms found in at most `_POSTINGS` prompts (every
    term, in files that small), so the cost grows with the file, not with its square; the
    `_PROPOSED` prompts sharing most with the response through those terms are then compared
    in full.
    """
    n = prompts.n
    rare = (prompts.df <= _POSTINGS).astype(np.float32)
    blocks = []
    for lo in range(0, n, _ROWS):  # an index of the prompts by their rare terms, built by blocks
        block = prompts.rows(np.arange(lo, min(n, lo + _ROWS)), idf)
        block.data *= rare[block.indices]
        block.eliminate_zeros()
        blocks.append(block)
    by_term = sp.vstack(blocks, format="csr").T.tocsr()
    del blocks
    proposed_row, proposed = [], []
    for lo in range(0, rows.size, 128):
        block = rows[lo : lo + 128]
        partial = responses.rows(block, idf) @ by_term
        for r, i in enumerate(block.tolist()):
            start, end = partial.indptr[r], partial.indptr[r + 1]
            columns, values = partial.indices[start:end], partial.data[start:end]
            values = np.where(columns == i, -1.0, values)  # a record's own prompt does not count
            if values.size > _PROPOSED:
                top = np.argpartition(-values, _PROPOSED - 1)[:_PROPOSED]
                columns, values = columns[top], values[top]
            columns = columns[values > 0]
            proposed_row.append(np.full(columns.size, lo + r))
            proposed.append(columns)
    row = np.concatenate(proposed_row) if proposed_row else np.zeros(0, dtype=np.int64)
    column = np.concatenate(proposed).astype(np.int64) if proposed else np.zeros(0, dtype=np.int64)
    full = np.zeros(row.size)
    for lo in range(0, row.size, _ROWS):
        part = slice(lo, lo + _ROWS)
        full[part] = _rowwise_dot(responses.rows(rows[row[part]], idf), prompts.rows(column[part], idf))
    # A response that shares no term with another prompt fits the first of them, with 0.
    best = np.where(rows == 0, 1, 0).astype(np.int64)
    fit = np.zeros(rows.size)
    order = np.lexsort((column, -full, row))  # the best first, the lowest record number among equals
    chosen = order[_group_starts(row[order])]
    best[row[chosen]] = column[chosen]
    fit[row[chosen]] = full[chosen]
    return best, fit


def _relevance(prompts: _Terms, responses: _Terms, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each prompt with its own response, and with another record's (a fixed shuffle)."""
    n = prompts.n
    own = np.zeros(n, dtype=np.float32)
    null = np.zeros(n, dtype=np.float32)
    for lo in range(0, n, _ROWS):
        rows = np.arange(lo, min(n, lo + _ROWS))
        prompt = prompts.rows(rows, idf)
        own[rows] = _rowwise_dot(prompt, responses.rows(rows, idf))
        null[rows] = _rowwise_dot(prompt, responses.rows((rows - n // 2) % n, idf))
    return own, null


def _weights(similarities: np.ndarray) -> np.ndarray:
    """Closer neighbours count more (squared similarity): a prompt's few close matches
    say more about its topic than the many that share one common word with it."""
    return np.maximum(similarities, 1e-6) ** 2


def _top(similarity: np.ndarray, k: int, layers: int = 8) -> np.ndarray:
    """Column indices of the `k` largest values of each row (in no order).

    The columns are cut into groups (column j belongs to group j mod width); the k groups with
    the largest maxima hold the k largest values, so only their `layers * k` values are ranked.
    """
    rows, columns = similarity.shape
    width = -(-columns // layers)
    if width < 2 * k:
        return np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    padded = np.full((rows, layers * width), -np.inf, dtype=similarity.dtype)
    padded[:, :columns] = similarity
    grid = padded.reshape(rows, layers, width)
    groups = np.argpartition(-grid.max(axis=1), k - 1, axis=1)[:, :k]
    values = np.take_along_axis(grid, np.broadcast_to(groups[:, None, :], (rows, layers, k)), axis=2)
    best = np.argpartition(-values.reshape(rows, layers * k), k - 1, axis=1)[:, :k]
    return np.take_along_axis(groups, best % k, axis=1) + best // k * width


def _csr(row: np.ndarray, column: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A sparse matrix from entries sorted by row."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((data, column, indptr), shape=shape)


class _Reference:
    """One side (prompts or responses) of the reference records: their vectors, both ways.

    Similarities to them are sparse products, except for the terms found in `_DENSE_POSTINGS`
    or more reference records: those add whole dense rows (`dense`), which is cheaper than
    walking long lists of postings. `compact` holds the vectors over the reference's own
    vocabulary (`vocabulary` maps a term id to its column there, -1 for terms no reference
    record has): sums of them stay small.
    """

    def __init__(self, terms: _Terms, reference: np.ndarray) -> None:
        self.terms = terms
        self.idf = _idf(terms.df, terms.n)
        self.vectors = terms.rows(reference, self.idf)
        self.by_term = self.vectors.T.tocsr()
        squares = self.vectors.multiply(self.vectors)
        self.norms = np.asarray(squares.sum(axis=1), dtype=np.float32).ravel()  # each vector's dot product with itself
        postings = np.diff(self.by_term.indptr)
        common = np.flatnonzero(postings >= _DENSE_POSTINGS)
        self.dense_column = np.full(1 << _BITS, -1, dtype=np.int32)
        self.dense_column[common] = np.arange(common.size, dtype=np.int32)
        self.dense = self.by_term[common].toarray()
        self.sparse = self.by_term.copy()
        self.sparse.data[self.dense_column[np.repeat(np.arange(1 << _BITS), postings)] >= 0] = 0
        self.sparse.eliminate_zeros()
        words = np.unique(self.vectors.indices)
        self.vocabulary = np.full(1 << _BITS, -1, dtype=np.int32)
        self.vocabulary[words] = np.arange(words.size, dtype=np.int32)
        self.compact_size = words.size
        self.compact = self.in_vocabulary(self.vectors)

    def similarities(self, rows: np.ndarray) -> np.ndarray:
        """Cosine of each of `rows` with every reference record (dense, rows x reference records)."""
        vectors = self.terms.rows(rows, self.idf)
        row = np.repeat(np.arange(rows.size), np.diff(vectors.indptr))
        column = self.dense_column[vectors.indices]
        dense = column >= 0
        out = _csr(row[dense], column[dense], vectors.data[dense], (rows.size, self.dense.shape[0])) @ self.dense
        rare = _csr(row[~dense], vectors.indices[~dense], vectors.data[~dense], vectors.shape)
        out += (rare @ self.sparse).toarray()
        return out

    def in_vocabulary(self, vectors: sp.csr_matrix) -> sp.csr_matrix:
        """`vectors` over the reference's vocabulary (other terms cannot meet a reference vector)."""
        columns = self.vocabulary[vectors.indices]
        known = columns >= 0
        row = np.repeat(np.arange(vectors.shape[0]), np.diff(vectors.indptr))
        return _csr(row[known], columns[known], vectors.data[known], (vectors.shape[0], self.compact_size))


class _Side:
    """Some records' neighbourhoods on one side: the similarity of their prompts (or responses)
    to the reference records' (own left out), the `k` nearest, their weights, and how alike the
    other side of those neighbours is (their agreement)."""

    def __init__(self, topics: _Topics, rows: np.ndarray, mine: _Reference, other: _Reference) -> None:
        self.similarity = mine.similarities(rows)
        self.own, self.own_position = topics.positions(rows)
        self.similarity[self.own, self.own_position] = -1.0  # a record is not its own neighbour
        k = topics.k
        self.near = _top(self.similarity, k)
        self.weights = _weights(np.take_along_axis(self.similarity, self.near, axis=1))
        # The weighted sum of the neighbours' other-side vectors: its squared length is the
        # weighted sum of their pairwise similarities, its dot product with a vector the
        # weighted sum of that vector's similarities to them.
        self.mixture = (
            sp.csr_matrix(
                (self.weights.ravel(), self.near.ravel(), np.arange(0, self.near.size + 1, k)),
                shape=(rows.size, other.vectors.shape[0]),
            )
            @ other.compact
        )
        squares = np.bincount(
            np.repeat(np.arange(rows.size), np.diff(self.mixture.indptr)),
            self.mixture.data * self.mixture.data,
            rows.size,
        ).astype(np.float32)
        total = squares - (self.weights**2 * other.norms[self.near]).sum(axis=1)  # pairs of distinct neighbours
        norm = self.weights.sum(axis=1) ** 2 - (self.weights**2).sum(axis=1)
        self.agreement = (np.maximum(total, 0.0) / np.maximum(norm, 1e-9) + 1e-3).astype(np.float64)
        self.other = other

    def fit(self, vectors: sp.csr_matrix) -> np.ndarray:
        """How well each of `vectors` (other-side, one per row) fits the neighbours, relative to their agreement."""
        fit = _rowwise_dot(self.other.in_vocabulary(vectors), self.mixture)
        return fit / self.weights.sum(axis=1) / self.agreement

    def restore_own(self, mine: _Reference) -> None:
        """Put back each reference record's similarity to itself (fitting other records needs it)."""
        self.similarity[self.own, self.own_position] = mine.norms[self.own_position]


class _Topics:
    """The topic signal: does a response look like the responses of records with similar prompts?

    For record i, its prompt's neighbours are the `k` reference records with the most similar
    prompts, and `fit_response` is how close the response comes to their responses, divided by
    how close those responses are to each other (a response that belongs with them scores
    about 1, whatever the topic). The same is done the other way round (the prompts of records
    with similar responses, against this prompt), and the two are added. A prompt made mostly
    of names and account details has neighbours with every kind of answer; dividing by their
    own agreement keeps such records from looking off-task. Records are scored in blocks; only
    the reference records' vectors and similarities are kept.
    """

    def __init__(self, prompts: _Terms, responses: _Terms, k: int) -> None:
        n = prompts.n
        self.reference = (
            np.arange(n) if n <= _REFERENCE else np.sort(np.random.default_rng(_SEED).choice(n, _REFERENCE, False))
        )
        self.k = min(k, self.reference.size - 1)
        self.prompts = _Reference(prompts, self.reference)
        self.responses = _Reference(responses, self.reference)

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of `rows` are reference records (their index in `rows`), and where in the reference."""
        at = np.minimum(np.searchsorted(self.reference, rows), self.reference.size - 1)
        own = np.flatnonzero(self.reference[at] == rows)
        return own, at[own]

    def by_prompt(self, rows: np.ndarray) -> _Side:
        return _Side(self, rows, self.prompts, self.responses)

    def by_response(self, rows: np.ndarray) -> _Side:
        return _Side(self, rows, self.responses, self.prompts)

    def scores(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Own scores of `rows`, and the scores of their prompts with each other's responses."""
        own = np.zeros(rows.size)
        null = np.zeros(rows.size)
        for lo in range(0, rows.size, _BLOCK):
            prompt_side, response_side = self._sides(rows[lo : lo + _BLOCK])
            own[lo : lo + _BLOCK] = self._score(prompt_side, response_side)
            other = np.roll(np.arange(prompt_side.near.shape[0]), prompt_side.near.shape[0] // 2)  # a fixed shuffle
            null[lo : lo + _BLOCK] = self._score(prompt_side, response_side, other)
        return own, null

    def scores_below(self, rows: np.ndarray, threshold: float) -> np.ndarray:
        """Scores of `rows`, inf for those known to score `threshold` or more.

        A record whose response alone fits its prompt's neighbours that well (the first of the
        score's two halves, neither of them negative) is not scored further.
        """
        half = np.zeros(rows.size)
        for lo in range(0, rows.size, _SMALL_BLOCK):
            block = rows[lo : lo + _SMALL_BLOCK]
            half[lo : lo + block.size] = self.by_prompt(block).fit(self.responses.terms.rows(block, self.responses.idf))
        scores = np.full(rows.size, np.inf)
        rest = np.flatnonzero(half < threshold * (1 + 1e-4) + 1e-6)  # a margin for rounding
        for lo in range(0, rest.size, _SMALL_BLOCK):
            block = rest[lo : lo + _SMALL_BLOCK]
            scores[block] = self._score(*self._sides(rows[block]))
        return scores

    def _sides(self, rows: np.ndarray) -> tuple[_Side, _Side]:
        return self.by_prompt(rows), self.by_response(rows)

    @staticmethod
    def _score(prompt_side: _Side, response_side: _Side, other: np.ndarray | None = None) -> np.ndarray:
        """The score of each record, or with `other`, of each prompt with the response of record `other`."""
        by_prompt, by_response = prompt_side.similarity, response_side.similarity
        p_near, p_weights, p_agreement = prompt_side.near, prompt_side.weights, prompt_side.agreement
        r_near, r_weights, r_agreement = response_side.near, response_side.weights, response_side.agreement
        if other is None:
            return (
                _mean(np.take_along_axis(by_response, p_near, axis=1), p_weights) / p_agreement
                + _mean(np.take_along_axis(by_prompt, r_near, axis=1), r_weights) / r_agreement
            )
        fit_response = _mean(np.maximum(np.take_along_axis(by_response[other], p_near, axis=1), 0), p_weights)
        fit_prompt = _mean(np.maximum(np.take_along_axis(by_prompt, r_near[other], axis=1), 0), r_weights[other])
        return fit_response / p_agreement + fit_prompt / r_agreement[other]

    def misaligned(
        self, flagged: list[int], where: np.ndarray, calibration: tuple[float, float]
    ) -> dict[int, tuple[int, float]]:
        """For each flagged record, the record whose prompt fits its response as well as a typical pair
        fits its own, if any.

        An adjacent record of the same file is preferred (responses shifted by a line) when it
        fits at least halfway from the threshold to the median; then the best of the records
        with similar responses when it fits at least as well as the median pair.
        """
        threshold, median = calibration
        n = where.shape[0]
        found: dict[int, tuple[int, float]] = {}
        if not flagged:
            return found
        reference = self.by_prompt(self.reference)
        reference.restore_own(self.prompts)
        for lo in range(0, len(flagged), 256):
            block = np.array(flagged[lo : lo + 256], dtype=np.int64)
            response_side = self.by_response(block)
            response_side.restore_own(self.responses)
            adjacent_of = [
                [j for j in (i + 1, i - 1) if 0 <= j < n and where[j, 0] == where[i, 0]] for i in block.tolist()
            ]
            adjacent_rows = np.unique(np.array([j for js in adjacent_of for j in js], dtype=np.int64))
            adjacent = self.by_prompt(adjacent_rows)
            adjacent.restore_own(self.prompts)
            for b, i in enumerate(block.tolist()):
                near, weights, agreement = response_side.near[b], response_side.weights[b], response_side.agreement[b]
                by_response = response_side.similarity[b]
                at = np.searchsorted(adjacent_rows, adjacent_of[b])
                others = self.reference[near]
                others = np.unique(others[others != i]).astype(np.int64)
                places = np.searchsorted(self.reference, others)
                groups = (
                    (
                        np.array(adjacent_of[b], dtype=np.int64),
                        adjacent,
                        at,
                        adjacent.similarity[at],
                        (threshold + median) / 2,
                    ),
                    (others, reference, places, reference.similarity[places], median),
                )
                for group, side, rows, by_prompt, bar in groups:
                    if group.size == 0:
                        continue
                    fits = (
                        _mean(by_response[side.near[rows]], side.weights[rows]) / side.agreement[rows]
                        + _mean(by_prompt[:, near], weights) / agreement
                    )
                    best = int(np.argmax(fits))
                    if fits[best] >= bar:
                        found[i] = (int(group[best]), float(fits[best]))
                        break
        return found


class OffTask(Check):
    """A response that does not answer its own instruction, or that belongs to another record.

    What it does: Judges every response of at least `min_response_words` words (shorter ones,
    such as labels, numbers or one-line answers, are too short to judge by their words) on the
    distinct content words of prompt and response (function words and code blocks left out,
    words cut to six letters, hashed and sampled: about 320 bytes a record, never the texts;
    a chat record's prompt is its user turns), weighted by inverse document frequency over the
    file. Two scores: *relevance*, the cosine of response and prompt (diverse data, where
    answers use their question's words), and *topic*, how well the response matches the
    responses of the `neighbours` records with the most similar prompts, and the prompt the
    prompts of the records with the most similar responses, each relative to how well those
    neighbours agree among themselves (data with many records per topic, where good answers
    need not repeat the question's words). Both are calibrated on the file itself: every
    prompt is also scored with another record's response (a fixed shuffle), and a pair is
    off-task when it scores below the `null_quantile` of those unrelated pairs (and below
    `max_fraction` of the median pair). The score used is the one that leaves the fewest of
    the file's own pairs looking unrelated; when even it would call more than `max_share` of
    the records off-task, it cannot judge the data and nothing is reported (`min_records`
    judged records are needed at all). An off-task response that fits an adjacent record's
    prompt (a shifted column) or another prompt as well as a typical pair fits its own is
    reported as *misaligned*, with that record in `related`; with relevance, a pair a little
    above the threshold is reported too when another prompt fits it at least twice as well
    (the other prompts are those sharing with the response a word found in at most 2,000
    prompts, which in smaller files is every word). The message gives the signal, the score
    and the threshold. Memory stays small at any size: the term ids per record, scored in
    blocks; the cost grows linearly with the number of records.

    Why it matters: The model learns to answer whatever it is asked with whatever the data
    paired with it. A few off-task pairs teach it to ignore the question; a shifted column
    teaches it nothing but noise, and it is invisible when you read records one by one.

    How to fix: Look at the reported pairs. For a misaligned pair, check the related record:
    if the responses were shifted or shuffled during export, re-join prompts and responses by
    their ids. Drop or rewrite responses that answer something else. Word statistics cannot
    judge a correct answer phrased in other words; if your data paraphrases heavily, lower
    `null_quantile`.

    Options: `min_response_words` (default 8), `null_quantile` (default 0.85), `max_fraction`
    (default 0.3), `neighbours` (default 30), `max_share` (default 0.15), `min_records`
    (default 50), under
    `[tool.sftlint.checks.off-task]`.
    """

    code = "SFT106"
    slug = "off-task"
    severity = Severity.WARNING
    preview = True
    preview_note = (
        "real-data precision 0.00 (0 of 81 findings right; 0 of 8 held out): word overlap cannot tell a "
        "short or creative on-topic answer from a swapped one"
    )
    cost = 30
    Options = OffTaskOptions

    def __init__(self, options: OffTaskOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.files: list[str] = []
        self.file_index: dict[str, int] = {}
        self.pending: list[bytes] = []  # encoded prompt and response of records not yet turned into terms
        self.pending_where = array("I")
        self.where = array("I")  # file index, position: two entries per judged record
        self.prompt_terms = array("I")
        self.prompt_end = array("I")
        self.response_terms = array("I")
        self.response_end = array("I")
        self.skipped = 0
        self._summary: dict[str, Any] | None = None

    def collect(self, record: Record) -> None:
        file_no = self.file_index.setdefault(record.file, len(self.files))
        if file_no == len(self.files):
            self.files.append(record.file)
        # A chat record's system prompt says how to answer, not what: its user turns are the question.
        prompt = (record.instruction if record.turns else record.prompt)[:_MAX_CHARS]
        self.pending.append(prompt.encode("utf-8", "surrogatepass"))
        self.pending.append(strip_code(record.response[:_MAX_CHARS]).encode("utf-8", "surrogatepass"))
        self.pending_where.extend((file_no, record.position))
        if len(self.pending) >= 2 * _PENDING:
            self._add_pending()

    def _add_pending(self) -> None:
        """Turn the pending records' texts into term ids (a few thousand records at a time)."""
        if not self.pending:
            return
        judged, prompt_ids, prompt_counts, response_ids, response_counts = _pair_terms(
            self.pending, self.options.min_response_words
        )
        self.skipped += int(judged.size - judged.sum())
        where = np.frombuffer(self.pending_where, dtype=np.uint32).reshape(-1, 2)[judged]
        self.where.frombytes(where.tobytes())
        self.prompt_terms.frombytes(prompt_ids.tobytes())
        self.prompt_end.frombytes(
            (np.cumsum(prompt_counts) + len(self.prompt_terms) - prompt_ids.size).astype(np.uint32).tobytes()
        )
        self.response_terms.frombytes(response_ids.tobytes())
        self.response_end.frombytes(
            (np.cumsum(response_counts) + len(self.response_terms) - response_ids.size).astype(np.uint32).tobytes()
        )
        del where
        self.pending = []
        self.pending_where = array("I")

    def finish(self, context: Context) -> Iterator[Finding]:
        self._add_pending()
        places = context.places
        judged = len(self.prompt_end)
        self._summary = {"threshold": None, "judged": judged, "skipped": self.skipped, "signal": None}
        if judged < max(self.options.min_records, 3):
            return
        prompts = _Terms(self.prompt_terms, self.prompt_end)
        responses = _Terms(self.response_terms, self.response_end)
        both = _idf(prompts.df + responses.df, 2 * judged)
        relevance, relevance_null = _relevance(prompts, responses, both)
        topics = _Topics(prompts, responses, self.options.neighbours)
        # The topic score is costly: it is calibrated on a sample, and computed for the records
        # whose relevance does not already set them apart from unrelated pairs.
        sample = (
            np.arange(judged)
            if judged <= _CALIBRATION
            else np.sort(np.random.default_rng(_SEED).choice(judged, _CALIBRATION, replace=False))
        )
        topic_sample, topic_null = topics.scores(sample)

        q = self.options.null_quantile
        choices = {}
        for name, own, null in (("relevance", relevance, relevance_null), ("topic", topic_sample, topic_null)):
            median = float(np.median(own))
            threshold = min(float(np.quantile(null, q)), self.options.max_fraction * median)
            choices[name] = (float(np.mean(own < threshold)), threshold, median)
        signal = min(choices, key=lambda name: choices[name][0])
        share, threshold, median = choices[signal]
        self._summary.update(
            signal=signal,
            threshold=round(threshold, 4),
            median=round(median, 4),
            share_below={name: round(c[0], 4) for name, c in choices.items()},
        )
        if share > self.options.max_share or threshold >= median:
            self._summary["signal"] = None  # no score tells this data's pairs from unrelated ones
            return
        if signal == "relevance":
            scores = relevance
        else:
            scores = np.full(judged, np.inf)
            scores[sample] = topic_sample
            screened = np.flatnonzero(relevance < np.quantile(relevance_null, _SCREEN))
            screened = np.setdiff1d(screened, sample)
            scores[screened] = topics.scores_below(screened, threshold)
            self._summary["screened"] = int(screened.size + sample.size)
        where = np.frombuffer(self.where, dtype=np.uint32).reshape(-1, 2)
        if signal == "relevance":
            # A pair a little above the threshold still counts when another prompt of the file
            # fits its response at least twice as well, and better than nearly all unrelated pairs.
            loose = float(np.quantile(relevance_null, _LOOSE))
            suspects = np.flatnonzero(relevance < max(loose, threshold))
            best, best_fit = _best_prompts(suspects, prompts, responses, both)
            clear = best_fit >= np.maximum(2 * relevance[suspects], loose)
            belongs = {
                int(i): (int(j), float(f)) for i, j, f, c in zip(suspects, best, best_fit, clear, strict=True) if c
            }
            flagged = [int(i) for i in suspects if relevance[i] < threshold or int(i) in belongs]
        else:
            flagged = np.flatnonzero(scores < threshold).tolist()
            belongs = topics.misaligned(flagged, where, (threshold, median))
        for i in flagged:
            file, position = self.files[where[i, 0]], int(where[i, 1])
            j, other_fit = belongs.get(i, (None, 0.0))
            if j is not None:
                other_file, other_position = self.files[where[j, 0]], int(where[j, 1])
                place = places.where(other_file, other_position, beside=file)
                yield self.finding(
                    f"misaligned: the response fits the prompt of {place} better than its own "
                    f"({signal} {other_fit:.2f} vs {scores[i]:.2f}; threshold {threshold:.2f})",
                    file=file,
                    position=position,
                    related=[Location(other_file, None, other_position)],
                    score=float(scores[i]),
                    signal="misaligned",
                )
            else:
                yield self.finding(
                    f"off-task: the response scores like an unrelated pair ({signal} {scores[i]:.2f}, threshold "
                    f"{threshold:.2f} = the {q} quantile of shuffled pairs; this data's median {median:.2f})",
                    file=file,
                    position=position,
                    score=float(scores[i]),
                    signal=signal,
                )

    def summary(self) -> dict[str, Any] | None:
        return self._summary
