"""Term vectors and neighbour search over prompt-response pairs: the retrieval SFT106 judges with.

Each record's prompt and response become a few dozen hashed content terms (`pair_terms`),
weighted by inverse document frequency over the file (`Terms`); `relevance` scores a response
against its own prompt, `best_prompts` finds the prompt of another record that fits it best,
and `Topics` compares a record with its nearest neighbours among a sample of reference records.
Everything runs on blocks of records with numpy and scipy sparse products, so memory stays a
few hundred bytes a record.
"""

from __future__ import annotations

import zlib
from array import array
from typing import TYPE_CHECKING

import numpy as np

from sftlint.text.content import EN_STOP_BYTES, WORD_BYTES

if TYPE_CHECKING:  # imported where used: scipy takes longer to load than a small run takes to check
    import scipy.sparse as sp

BITS = 20  # hashed term ids
PROMPT_TERMS = 32  # prompt terms kept per record (the lowest hash values: a fixed random sample)
RESPONSE_TERMS = 64  # response terms kept per record: those shared with the prompt, then a sample
_REFERENCE = 2000  # records the neighbours are looked for among (all of them in smaller files)
_BLOCK = 1024  # records scored at a time against the reference records
_SMALL_BLOCK = 256  # records scored at a time where no null scores are needed
_ROWS = 8192  # records whose relevance is computed at a time
SEED = 0
_POSTINGS = 2000  # a term in more prompts than this does not propose the prompt a response fits best
_PROPOSED = 8  # prompts per response compared in full when looking for the one it fits best
_DENSE_POSTINGS = 32  # reference records a term must be in for its similarities to be added densely

# -- terms: content words of many texts at once ---------------------------------------------------
#
# The distinct words of a text that are not English function words, cut to six letters and hashed
# (crc32) into 2**BITS buckets, done with numpy over a block of texts instead of word by word in
# Python: a word is read as the integer of its first eight bytes (words hold no zero byte, so the
# integer is the word), its term is the first six.

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
    words = sorted(EN_STOP_BYTES)
    first = np.array([int.from_bytes(w[:8].ljust(8, b"\0"), "little") for w in words], dtype=_U64)
    size = np.array([len(w) for w in words], dtype=_U64)
    rng = np.random.default_rng(SEED)
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


def pair_terms(texts: list[bytes], min_words: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Term ids of prompt-response pairs: `texts` holds each pair's encoded prompt, then response.

    Returns which pairs are judged (responses of `min_words` words or more, with terms on both
    sides), and for those the prompt ids and the response ids, each with its count per pair.
    """
    pairs = len(texts) // 2
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = b" ".join([b"", *texts, b" " * 15]).translate(WORD_BYTES)  # a space before, 16 after
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
    low = _U64((1 << BITS) - 1)
    key = np.sort(
        ((text >> _U64(1)) << _U64(33))
        | ((crc & low) << _U64(33 - BITS))
        | ((crc >> _U64(BITS)) << _U64(1))
        | (text & _U64(1)),
        kind="stable",  # the keys come grouped by pair, which a merge sort makes use of
    )
    key = key[_group_starts(key)]
    pair = (key >> _U64(33)).astype(np.int64)
    is_response = (key & _U64(1)).astype(bool)
    shared = np.zeros(key.size, dtype=bool)
    shared[1:] = is_response[1:] & (key[1:] - _U64(1) == key[:-1])
    ids = ((key >> _U64(33 - BITS)) & low).astype(np.uint32)
    prompt_pair, prompt_ids = pair[~is_response], ids[~is_response]
    kept = _ranks(prompt_pair) < PROMPT_TERMS
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
        shared, shared_rank < RESPONSE_TERMS, other_rank < RESPONSE_TERMS - np.minimum(shared_total, RESPONSE_TERMS)
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


class Terms:
    """Term ids of every judged record stored end to end, and their document frequencies: weighted rows on demand."""

    def __init__(self, terms: array, ends: array) -> None:
        self.ids = np.frombuffer(terms, dtype=np.uint32)
        self.bounds = np.r_[0, np.frombuffer(ends, dtype=np.uint32)].astype(np.int64)
        self.n = self.bounds.size - 1
        self.df = np.zeros(1 << BITS, dtype=np.int64)  # counted by blocks: bincount copies its input to int64
        for lo in range(0, self.ids.size, 1 << 20):
            self.df += np.bincount(self.ids[lo : lo + (1 << 20)], minlength=1 << BITS)

    def rows(self, rows: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
        """`rows` weighted by `idf` and scaled to unit length (cosine by dot product)."""
        import scipy.sparse as sp

        lo = self.bounds[rows]
        lengths = self.bounds[rows + 1] - lo
        indptr = np.zeros(rows.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = self.ids[np.repeat(lo - indptr[:-1], lengths) + np.arange(indptr[-1])].astype(np.int32)
        matrix = sp.csr_matrix((idf[indices], indices, indptr), shape=(rows.size, 1 << BITS))
        matrix.sum_duplicates()  # a bucket two of a record's terms fall in counts twice
        squares = np.bincount(
            np.repeat(np.arange(rows.size), np.diff(matrix.indptr)), matrix.data * matrix.data, rows.size
        )
        matrix.data /= np.repeat(np.maximum(np.sqrt(squares), 1e-9), np.diff(matrix.indptr)).astype(np.float32)
        return matrix


def idf(df: np.ndarray, documents: int) -> np.ndarray:
    return np.log((documents + 1) / (df + 1)).astype(np.float32)


def _rowwise_dot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (values * weights).sum(axis=-1) / weights.sum(axis=-1)


def best_prompts(rows: np.ndarray, prompts: Terms, responses: Terms, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `rows`, the other record whose prompt is most similar to its response, and that similarity.

    Prompts are proposed by the response's terms found in at most `_POSTINGS` prompts (every
    term, in files that small), so the cost grows with the file, not with its square; the
    `_PROPOSED` prompts sharing most with the response through those terms are then compared
    in full.
    """
    import scipy.sparse as sp

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


def relevance(prompts: Terms, responses: Terms, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def top(similarity: np.ndarray, k: int, layers: int = 8) -> np.ndarray:
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
    import scipy.sparse as sp

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

    def __init__(self, terms: Terms, reference: np.ndarray) -> None:
        self.terms = terms
        self.idf = idf(terms.df, terms.n)
        self.vectors = terms.rows(reference, self.idf)
        self.by_term = self.vectors.T.tocsr()
        squares = self.vectors.multiply(self.vectors)
        self.norms = np.asarray(squares.sum(axis=1), dtype=np.float32).ravel()  # each vector's dot product with itself
        postings = np.diff(self.by_term.indptr)
        common = np.flatnonzero(postings >= _DENSE_POSTINGS)
        self.dense_column = np.full(1 << BITS, -1, dtype=np.int32)
        self.dense_column[common] = np.arange(common.size, dtype=np.int32)
        self.dense = self.by_term[common].toarray()
        self.sparse = self.by_term.copy()
        self.sparse.data[self.dense_column[np.repeat(np.arange(1 << BITS), postings)] >= 0] = 0
        self.sparse.eliminate_zeros()
        words = np.unique(self.vectors.indices)
        self.vocabulary = np.full(1 << BITS, -1, dtype=np.int32)
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

    def __init__(self, topics: Topics, rows: np.ndarray, mine: _Reference, other: _Reference) -> None:
        import scipy.sparse as sp

        self.similarity = mine.similarities(rows)
        self.own, self.own_position = topics.positions(rows)
        self.similarity[self.own, self.own_position] = -1.0  # a record is not its own neighbour
        k = topics.k
        self.near = top(self.similarity, k)
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


class Topics:
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

    def __init__(self, prompts: Terms, responses: Terms, k: int) -> None:
        n = prompts.n
        self.reference = (
            np.arange(n) if n <= _REFERENCE else np.sort(np.random.default_rng(SEED).choice(n, _REFERENCE, False))
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
