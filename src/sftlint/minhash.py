"""MinHash signatures and LSH banding for many texts at once, compatible with datasketch.

A text is normalised (Unicode NFKC, lower case, punctuation deleted, whitespace collapsed)
and cut into shingles: word 2-grams, or character 5-grams when it has fewer than 5 words.
Each shingle is hashed to 32 bits (`shingle_hash`, spelled out one shingle at a time in
tests/test_minhash.py), and a batch of texts gets its signatures in a few numpy operations.
The result equals datasketch's
``MinHash(num_perm, seed, hashfunc=shingle_hash)`` updated shingle by shingle (its default
"affine32" scheme: the same permutations drawn from the same seed, the same MurmurHash3
pre-mix, the same minimum); tests/test_minhash.py proves it. Shingle hashes are prefix sums
of a polynomial hash over the whole batch, so no shingle string is ever built.

Candidates come from LSH bands as in datasketch's MinHashLSH (two texts are candidates when
all `rows` values of some band agree), with each band folded into one 64-bit key so that
finding equal bands is a numpy sort instead of millions of dictionary inserts. Candidates are
verified with the exact Jaccard similarity of the two shingle-hash sets, which `ShingleStore`
keeps in a temporary file rather than in memory.
"""

from __future__ import annotations

import mmap
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sftlint.errors import temporary_space

SEED = 1  # datasketch's default seed
NUM_PERM = 128  # datasketch's default number of permutations
#: words per shingle. A substituted word breaks every shingle it is in, so a copy with a share
#: e of its words edited keeps about (1 - e)**k of its k-word shingles: word pairs keep 85 % at
#: e = 8 % (Jaccard ~0.73) where 5-grams kept 66 % (Jaccard ~0.49).
WORD_SHINGLE = 2
SHORT_TEXT = 5  # texts of fewer words are cut into character shingles instead
CHAR_SHINGLE = 5  # characters per shingle of a short text
#: Jaccard of word-pair sets at which two records are near-duplicates (SFT104, `sftlint split`): a
#: copy of 20 words with 2 words substituted far apart (the worst case of 8 %, rounded up to 10 %)
#: is at 15/23 = 0.65
THRESHOLD = 0.6
#: LSH bands/rows are chosen so that a pair exactly at the threshold becomes a candidate with
#: at least this probability (pairs above it far more often: 16 x 8 at 0.8 catches ~99 %).
RECALL_AT_THRESHOLD = 0.94

_PUNCT = re.compile(r"[^\w\s]+")
_PUNCT_CHAR = re.compile(r"[^\w\s]")
_ASCII_PUNCT = bytes(b for b in range(128) if _PUNCT.match(chr(b)))
# bytes.translate table for ASCII text: upper case to lower, every whitespace character
# (str.isspace, \x1c-\x1f included) to a space; with _ASCII_PUNCT deleted in the same pass.
_ASCII_FOLD = bytes(32 if b < 128 and chr(b).isspace() else b + 32 if 65 <= b <= 90 else b for b in range(256))
_SPACES = re.compile(rb"  +")
_U32 = np.uint32
_U64 = np.uint64
_MASK64 = (1 << 64) - 1
# Shingle hash: the polynomial sum of code_point[k] * _BASE_INV**k mod 2**64, mixed by
# MurmurHash3's 64-bit finalizer (without it the first character would only touch low bits),
# top 32 bits kept.
_BASE = 0x100000001B3  # the 64-bit FNV prime; odd, hence invertible mod 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_BAND_MULT = _U64(0x9E3779B97F4A7C15)  # golden-ratio constant, folds a band's rows into one key
_SEPARATOR = "\x00"  # joins the texts of a batch; normalised text never contains it
_CHUNK = 4096  # shingles per permutation step: keeps the (num_perm x chunk) block in cache
#: texts signed at once: each numpy step of a batch costs some fixed time, paid half as often as
#: at 256 (~12 % less a text; 1,024 saves ~10 % more but keeps ~25 MB more at 100k real records)
_BATCH_TEXTS = 512
_BATCH_CHARS = 1 << 20  # a batch is signed early past this many characters (bounds its arrays)


def normalise_text(text: str) -> str:
    """NFKC, lower case, punctuation deleted, runs of whitespace made one space."""
    if text.isascii():  # NFKC leaves ASCII alone: one bytes.translate, then runs of spaces squeezed
        folded = text.encode().translate(_ASCII_FOLD, _ASCII_PUNCT)
        if b"  " in folded:
            folded = _SPACES.sub(b" ", folded)
        return folded.strip(b" ").decode()
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PUNCT.sub("", text).split())


class FoldedText(str):
    """Text in NFKC and lower case whose punctuation and whitespace `MinHasher` has yet to fold."""

    __slots__ = ()


#: Fullwidth punctuation common in Chinese and Japanese text, with its NFKC (ASCII). NFKC composes
#: the full decomposition of the whole text, one character's after another; a character whose
#: decomposition is all starters (canonical class 0) decomposes exactly as its NFKC does, so
#: putting its NFKC in its place leaves the text's NFKC unchanged. Replaced first, they no longer
#: send a whole Chinese text through full composition (~1,000 instructions a character) for
#: one comma: NFKC's quick check passes it as it is.
_FULLWIDTH = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，：？（）！；＂～％")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, with common fullwidth punctuation replaced first (faster)."""
    for char, ascii_form in _FULLWIDTH:
        if char in text:
            text = text.replace(char, ascii_form)
    return unicodedata.normalize("NFKC", text)


def fold_text(text: str) -> bytes | FoldedText:
    """`normalise_text` less what `MinHasher` does faster for a whole batch.

    ASCII text comes back as bytes: lower case, punctuation deleted, whitespace as spaces,
    stripped, but runs of spaces not yet squeezed. Other text comes back as a `FoldedText`,
    in NFKC and lower case (a NUL deleted: it joins a batch): deleting its punctuation and
    making its whitespace one space is one numpy pass over all such texts of a batch
    instead of a regex and a split per text.
    """
    if text.isascii():
        return text.encode().translate(_ASCII_FOLD, _ASCII_PUNCT).strip(b" ")
    text = nfkc(text).lower()
    return FoldedText(text.replace(_SEPARATOR, "") if _SEPARATOR in text else text)


class _CharClasses:
    """What `normalise_text` does to each code point after NFKC and lower case: keeps it (a word
    character, or NUL, the batch separator), deletes it (punctuation) or makes it a space.

    Classified by the very regex `normalise_text` uses, from code point 0 up to the largest met
    so far, 4,096 at a time (most text needs the first few blocks; all of Unicode takes ~0.3 s).
    """

    KEEP, DELETE, SPACE = 0, 1, 2

    def __init__(self) -> None:
        self.table = np.zeros(0, dtype=np.uint8)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        """The class of every code point of `codes`."""
        top = int(codes.max()) if len(codes) else 0
        if top >= len(self.table):
            self._extend(min((top | 0xFFF) + 1, 0x110000))
        return self.table[codes]

    def _extend(self, size: int) -> None:
        chars = "".join(map(chr, range(len(self.table), size)))
        marked = _PUNCT_CHAR.sub("\x01", chars).encode("utf-32-le", "surrogatepass")  # one mark a character
        table = np.where(np.frombuffer(marked, dtype=_U32) == 1, self.DELETE, self.KEEP).astype(np.uint8)
        table[[m.start() for m in re.finditer(r"\s", chars)]] = self.SPACE
        if not len(self.table):
            table[0] = self.KEEP
        self.table = np.concatenate((self.table, table))


_char_classes = _CharClasses()


def _folded_codes(codes: np.ndarray) -> np.ndarray:
    """Code points with punctuation deleted and every whitespace character made a space (32)."""
    classes = _char_classes(codes)
    deleted = classes == _CharClasses.DELETE
    if deleted.any():
        keep = ~deleted
        codes, classes = codes[keep], classes[keep]
    space = classes == _CharClasses.SPACE
    if space.any():
        codes = np.where(space, codes.dtype.type(32), codes)
    return codes


def shingles(normalised: str, word_shingle: int = WORD_SHINGLE) -> list[str]:
    """The shingles of a normalised text, spelled out (the definition `MinHasher` computes)."""
    words = normalised.split(" ")
    if len(words) >= SHORT_TEXT:
        return [" ".join(words[i : i + word_shingle]) for i in range(len(words) - word_shingle + 1)]
    if not normalised:
        return []
    if len(normalised) <= CHAR_SHINGLE:
        return [normalised]
    return [normalised[i : i + CHAR_SHINGLE] for i in range(len(normalised) - CHAR_SHINGLE + 1)]


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a odd, b), drawn exactly as it draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    return a, b


def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest candidates) whose recall at the threshold is high enough."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= RECALL_AT_THRESHOLD:
            return bands, rows
    return num_perm, 1


@dataclass
class Words:
    """The words of a batch of texts joined by separators: code points, and per word its span and text."""

    codes: np.ndarray  # code points of the joined texts, separators 0
    text_start: np.ndarray  # where each text starts in `codes`
    lengths: np.ndarray  # code points per text
    start: np.ndarray  # per word: first code point
    end: np.ndarray  # per word: one past its last code point
    text: np.ndarray  # per word: its text
    per_text: np.ndarray  # words per text (0 for an empty text)
    first_word: np.ndarray  # per text: its first word (an empty text has one, empty)


@dataclass
class Batch:
    """Signatures of a batch of texts and their shingle hashes (in text order, repeats kept).

    `signatures[i]` is all 0xFFFFFFFF (datasketch's empty MinHash) when text i has no
    shingles; its shingles are `hashes[offsets[i]:offsets[i + 1]]`.
    """

    signatures: np.ndarray  # (n, num_perm) uint32
    hashes: np.ndarray  # uint32, concatenated per text
    offsets: np.ndarray  # (n + 1,) int64

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)


class MinHasher:
    """Computes datasketch-compatible MinHash signatures for batches of normalised texts."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED, word_shingle: int = WORD_SHINGLE) -> None:
        """`word_shingle`: words per shingle (at most SHORT_TEXT; shorter texts get character shingles)."""
        self.num_perm = num_perm
        self.word_shingle = word_shingle
        self.a, self.b = permutations(num_perm, seed)
        self._powers = np.ones(1, dtype=_U64)
        self._inverse_powers = np.ones(1, dtype=_U64)
        # The (num_perm x shingles) block of `sign`, reused: a fresh 2 MB array per chunk costs
        # page faults that can take longer than the arithmetic.
        self._block = np.empty(num_perm * 2 * _CHUNK, dtype=_U32)
        self._prefix = np.empty(0, dtype=_U64)  # the prefix sums of `shingle_hashes`, reused likewise

    def _ensure_powers(self, n: int) -> None:
        """Powers of the base and its inverse up to n, grown by doubling and kept between batches."""
        if len(self._powers) > n:
            return
        size = max(n + 1, 2 * len(self._powers), 1 << 16)
        for attr, base in (("_powers", _BASE), ("_inverse_powers", _BASE_INV)):
            powers = np.full(size, base, dtype=_U64)
            powers[0] = 1
            setattr(self, attr, np.cumprod(powers, dtype=_U64))

    def words(self, texts: Sequence[str | bytes]) -> Words:
        """The words of a batch of normalised (or `fold_text`-folded) texts, joined.

        What `fold_text` left undone is done here for the whole batch: runs of spaces made one,
        and in a `FoldedText` punctuation deleted, whitespace made a space and the ends stripped.
        """
        try:  # a byte a character instead of four when every code point is below 256
            latin1 = [t if isinstance(t, bytes) else t.encode("latin-1") for t in texts]
            codes = np.frombuffer(b"\x00".join(latin1), dtype=np.uint8)
        except UnicodeEncodeError:
            joined = _SEPARATOR.join([t if isinstance(t, str) else t.decode("ascii") for t in texts])
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=_U32)
        if any(isinstance(t, FoldedText) for t in texts):
            codes = _folded_codes(codes)
            space = codes == 32
            # spaces after a space, a separator or nothing go; then the one space a text may end on
            drop = space & np.concatenate(([True], space[:-1] | (codes[:-1] == 0)))
            codes, space = codes[~drop], space[~drop]
            drop = space & np.concatenate((codes[1:] == 0, [True]))
            codes = codes[~drop]
        # Breaks between words: spaces and separators, found among the code points up to 32 (in
        # normalised text there are no others; anything else there stays inside its word).
        breaks = np.flatnonzero(codes <= 32)
        kind = codes[breaks]
        if not np.all((kind == 32) | (kind == 0)):
            breaks = breaks[(kind == 32) | (kind == 0)]
            kind = codes[breaks]
        separator = kind == 0
        # a space right after a space (texts are stripped: runs are inside them) goes
        doubled = (breaks[1:] == breaks[:-1] + 1) & ~separator[1:] & ~separator[:-1]
        if doubled.any():
            kept = np.ones(len(codes), dtype=bool)
            kept[breaks[1:][doubled]] = False
            codes = codes[kept]
            keep = np.concatenate(([True], ~doubled))
            breaks = (breaks - np.concatenate(([0], np.cumsum(doubled))))[keep]
            separator = separator[keep]
        ends = breaks[separator]
        text_start = np.concatenate(([0], ends + 1))
        lengths = np.concatenate((ends, [len(codes)])) - text_start
        word_start = np.concatenate(([0], breaks + 1))
        word_end = np.concatenate((breaks, [len(codes)]))
        word_text = np.zeros(len(word_start), dtype=np.int64)  # separators before each word
        np.cumsum(separator, out=word_text[1:])
        first_word = np.concatenate(([0], np.flatnonzero(separator) + 1))  # an empty text has one empty word
        words_per_text = np.diff(first_word, append=len(word_start))
        words_per_text[lengths == 0] = 0
        return Words(codes, text_start, lengths, word_start, word_end, word_text, words_per_text, first_word)

    def ngrams(self, texts: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every run of n words of every text: its 64-bit hash, its text and its first word's index in the text.

        Equal runs have equal hashes (the polynomial of `shingle_hash`, all 64 bits kept), so
        long shared n-grams are found by comparing hashes; texts of fewer than n words have none.
        """
        words = self.words(texts)
        k = np.arange(max(len(words.start) - n + 1, 0))
        owner = words.text[k]
        k = k[(owner == words.text[k + n - 1]) & (words.per_text[owner] >= n)]
        hashes = self.span_hashes(words.codes, words.start[k], words.end[k + n - 1])
        return hashes, words.text[k], k - words.first_word[words.text[k]]

    def shingle_hashes(self, codes: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """`shingle_hash` of every span: the top 32 bits of `span_hashes`."""
        return (self.span_hashes(codes, start, end) >> _U64(32)).astype(_U32)

    def span_hashes(self, codes: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """64-bit hash of every span, from prefix sums: fmix64(sum(c_j * inv**j) * base**start)."""
        prefix = self._prefix_sums(codes)
        with np.errstate(over="ignore"):
            return _fmix64((prefix[end] - prefix[start]) * self._powers[start])

    def _prefix_sums(self, codes: np.ndarray, spaces: np.ndarray | None = None) -> np.ndarray:
        """sum(c_j * inv**j) over j < i for every i, the code points at `spaces` counted as spaces
        (a span without them is hashed alike either way: their terms cancel)."""
        n = len(codes)
        self._ensure_powers(n)
        if len(self._prefix) <= n:
            self._prefix = np.empty(max(n + 1, 2 * len(self._prefix)), dtype=_U64)
        prefix = self._prefix[: n + 1]
        prefix[0] = 0
        with np.errstate(over="ignore"):
            np.multiply(codes, self._inverse_powers[:n], out=prefix[1:])
            if spaces is not None and len(spaces):
                prefix[spaces + 1] = _U64(32) * self._inverse_powers[spaces]
            np.cumsum(prefix[1:], out=prefix[1:])
        return prefix

    def batch(self, texts: Sequence[str | bytes]) -> Batch:
        """Signatures and shingle hashes of normalised (or `fold_text`-folded) texts."""
        n = len(texts)
        if n == 0:
            return Batch(np.zeros((0, self.num_perm), _U32), np.zeros(0, _U32), np.zeros(1, np.int64))
        hashes, text = self.hashes(texts)
        if len(text) and np.any(text[1:] < text[:-1]):  # character shingles come after word shingles, groups apart
            order = np.argsort(text, kind="stable")
            text, hashes = text[order], hashes[order]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(text, minlength=n), out=offsets[1:])
        return Batch(self.sign(hashes, offsets), hashes, offsets)

    def hashes(
        self, texts: Sequence[str | bytes], first: np.ndarray | None = None, stop: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every shingle's hash and its document (not in document order).

        Document d is texts first[d] .. stop[d] - 1 read as one text, a space between two of them
        (by default, text d alone); its texts are all bytes or all not, and none is empty when it
        has several. Documents may share texts: one pass over the batch hashes them all. Bytes
        texts are hashed apart from the others: with a code point above 255 a joined batch takes
        4 bytes a character, so ASCII text is kept at 1.
        """
        if first is None or stop is None:
            first = np.arange(len(texts))
            stop = first + 1
        narrow = np.array([isinstance(t, bytes) for t in texts], dtype=bool)
        if narrow.all() or not narrow.any():
            return self._hashes(texts, first, stop)
        hashes, document = [], []
        for kind in (narrow, ~narrow):
            rank = np.cumsum(kind) - 1  # a text's place among the texts of its kind
            group = np.flatnonzero(kind[first])
            group_hashes, group_document = self._hashes(
                [texts[i] for i in np.flatnonzero(kind).tolist()], rank[first[group]], rank[stop[group] - 1] + 1
            )
            hashes.append(group_hashes)
            document.append(group[group_document])
        return np.concatenate(hashes), np.concatenate(document)

    def _hashes(
        self, texts: Sequence[str | bytes], first: np.ndarray, stop: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """`hashes` of texts of one kind."""
        words = self.words(texts)
        last = stop - 1
        start = words.text_start[first]
        length = words.text_start[last] + words.lengths[last] - start
        first_word = words.first_word[first]
        count = words.first_word[last] + words.per_text[last] - first_word  # words of each document
        joins = _ranges(first + 1, stop - first - 1)[0]  # texts that go on a document
        prefix = self._prefix_sums(words.codes, words.text_start[joins] - 1)
        hashes, document = [], []
        # Word shingles of documents of SHORT_TEXT words or more: the runs of `size` words that start
        # at their word k < count - size + 1. Every run of the batch is hashed, then those are picked.
        size = self.word_shingle
        runs = len(words.start) - size + 1
        long = np.flatnonzero(count >= SHORT_TEXT)
        if runs > 0 and len(long):
            run_start = words.start[:runs]
            with np.errstate(over="ignore"):
                mixed = _fmix64((prefix[words.end[size - 1 :]] - prefix[run_start]) * self._powers[run_start])
            run_hashes = (mixed >> _U64(32)).astype(_U32)
            k, owner = _ranges(first_word[long], count[long] - size + 1)
            hashes.append(run_hashes[k])
            document.append(long[owner])
        # Character shingles of documents of 1 to SHORT_TEXT - 1 words: every CHAR_SHINGLE characters
        # (the whole document when shorter).
        short = np.flatnonzero((count < SHORT_TEXT) & (length > 0))
        if len(short):
            begin, owner = _ranges(start[short], np.maximum(length[short] - CHAR_SHINGLE + 1, 1))
            end = begin + np.minimum(length[short], CHAR_SHINGLE)[owner]
            with np.errstate(over="ignore"):
                mixed = _fmix64((prefix[end] - prefix[begin]) * self._powers[begin])
            hashes.append((mixed >> _U64(32)).astype(_U32))
            document.append(short[owner])
        if not hashes:
            return np.zeros(0, dtype=_U32), np.zeros(0, dtype=np.int64)
        return np.concatenate(hashes), np.concatenate(document)

    def sign(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of texts given their 32-bit shingle hashes, text i's being hashes[offsets[i]:offsets[i+1]].

        Per text and permutation, the minimum of a*fmix32(h)+b mod 2**32 over its shingles:
        one (num_perm x shingles) block per chunk of texts, reduced per text with reduceat.
        """
        out = np.full((len(offsets) - 1, self.num_perm), 0xFFFFFFFF, dtype=_U32)
        mixed = _fmix32(hashes.astype(_U32))
        nonempty = np.flatnonzero(np.diff(offsets) > 0)
        firsts = offsets[nonempty]
        a, b = self.a[:, None], self.b[:, None]
        i = 0
        while i < len(nonempty):
            lo = firsts[i]
            j = int(np.searchsorted(firsts, lo + _CHUNK, side="right"))
            j = max(j, i + 1)
            chosen = nonempty[i:j]
            hi = offsets[chosen[-1] + 1]
            width = int(hi - lo)
            if width * self.num_perm > len(self._block):  # one text of more than _CHUNK shingles
                self._block = np.empty(width * self.num_perm, dtype=_U32)
            block = self._block[: width * self.num_perm].reshape(self.num_perm, width)
            np.multiply(a, mixed[lo:hi], out=block)
            block += b
            out[chosen] = np.minimum.reduceat(block, firsts[i:j] - lo, axis=1).T
            i = j
        return out


def _ranges(begin: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """begin[i], begin[i] + 1, ... (count[i] values) for every i, one after another, and each one's i."""
    owner = np.repeat(np.arange(len(count)), count)
    ends = np.cumsum(count)
    return np.arange(ends[-1] if len(ends) else 0) + (begin - (ends - count))[owner], owner


def band_keys(signatures: np.ndarray, bands: int, rows: int, groups: np.ndarray | None = None) -> np.ndarray:
    """(n, bands) uint64: one key per LSH band, equal when the band's rows are all equal.

    `groups` (one uint64 per text) keeps texts of different groups from ever sharing a key.
    """
    n = len(signatures)
    values = signatures[:, : bands * rows].reshape(n, bands, rows).astype(_U64)
    keys = np.zeros((n, bands), dtype=_U64) if groups is None else np.repeat(groups[:, None], bands, axis=1)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = (keys ^ values[:, :, r]) * _BAND_MULT
        return _fmix64(keys)


def bucketed(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `ids` (ascending) that share their key with another, grouped: (members, group number).

    Members come group by group, in ascending order within a group; groups are numbered 0, 1, ...
    in the order of their keys.
    """
    order, ordered = _key_order(keys)
    new = np.concatenate(([True], ordered[1:] != ordered[:-1]))[: len(ordered)]
    group = np.cumsum(new) - 1
    size = np.bincount(group)
    shared = size[group] >= 2
    return ids[order[shared]], np.cumsum(new[shared]) - 1


def _key_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.argsort(keys, kind="stable")` of uint64 keys, and the keys in that order, from one
    plain sort of packed values.

    Each key's high bits and its position share one uint64, so a sort of values (several times
    faster than a stable sort of indices) orders the positions by key and, among equal keys,
    by position, as a stable sort does. Two keys that differ only in the low bits dropped may
    come out of order: that is seen and the stable sort is taken instead (for a million keys,
    20 bits are dropped, and two random keys alike in the other 44 come about once in 30 bands).
    """
    width = max(len(keys) - 1, 1).bit_length()
    packed = (keys >> _U64(width) << _U64(width)) | np.arange(len(keys), dtype=_U64)
    packed.sort()
    order = (packed & _U64((1 << width) - 1)).astype(np.int64)
    ordered = keys[order]
    if np.any(ordered[1:] < ordered[:-1]):
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    return order, ordered


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array (a shingle set)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def shingle_sets(hashes: np.ndarray, text: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingle sets of n texts from each shingle's hash and text (in any order): every set
    sorted and distinct, in text order, and the (n + 1,) offsets of the sets."""
    tagged = distinct((text.astype(_U64) << _U64(32)) | hashes)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount((tagged >> _U64(32)).astype(np.int64), minlength=n), out=offsets[1:])
    return (tagged & _U64(0xFFFFFFFF)).astype(_U32), offsets


def jaccard(x: np.ndarray, y: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets given as sorted arrays of distinct values."""
    if len(x) == 0 or len(y) == 0:
        return 0.0
    common = len(np.intersect1d(x, y, assume_unique=True))
    return common / (len(x) + len(y) - common)


class ShingleStore:
    """Every text's shingle set, appended to a temporary file and read back by index.

    4 bytes per distinct shingle go to disk instead of memory, so memory stays at 8 bytes of
    offset per text however large the dataset. Sets are stored sorted and distinct, so reading
    one back is a slice; `jaccards` reads them through a memory map whose pages it lets go
    after each batch, so only the sets being compared are resident.
    """

    def __init__(self) -> None:
        with temporary_space():
            self._file = tempfile.TemporaryFile(prefix="sftlint-shingles-")
        self._chunks: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._end = 0
        self._map: mmap.mmap | None = None
        self._values = np.zeros(0, dtype=_U32)

    def append(self, batch: Batch) -> None:
        owner = np.repeat(np.arange(len(batch.offsets) - 1, dtype=np.int64), batch.sizes)
        self.append_sets(*shingle_sets(batch.hashes, owner, len(batch.offsets) - 1))

    def append_sets(self, values: np.ndarray, offsets: np.ndarray) -> None:
        """Append the sets of `shingle_sets`."""
        with temporary_space():
            self._file.write(values.tobytes())
        self._chunks.append(offsets[1:] + self._end)
        self._end += len(values)

    def freeze(self) -> None:
        """Finish writing; from now on `get` and `jaccards` read."""
        with temporary_space():
            self._file.flush()
        self._offsets = np.concatenate(self._chunks)
        self._chunks = [self._offsets]
        if self._end:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self._values = np.frombuffer(self._map, dtype=_U32)

    def __len__(self) -> int:
        return sum(len(c) for c in self._chunks) - 1

    def sizes(self) -> np.ndarray:
        """Distinct shingles per text (0 for an empty text)."""
        return np.diff(self._offsets)

    def get(self, i: int) -> np.ndarray:
        """Text i's shingle set: sorted distinct hashes."""
        return self._values[self._offsets[i] : self._offsets[i + 1]].copy()

    def _tagged(self, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sets of texts[k], each value tagged with k in its top 32 bits (so ascending), and their sizes."""
        lo = self._offsets[texts]
        size = self._offsets[texts + 1] - lo
        shift = np.repeat(lo - (np.cumsum(size) - size), size)  # from a value's place in the result to the file
        tags = np.repeat(np.arange(len(texts), dtype=_U64) << _U64(32), size)
        return tags | self._values[np.arange(len(shift)) + shift], size

    def jaccards(self, x: np.ndarray, y: np.ndarray, values: int = 1 << 17) -> np.ndarray:
        """Exact Jaccard similarity of the shingle sets of texts x[k] and y[k], for every k at once.

        Both sets of pair k are tagged with k and merged by one stable sort of two ascending
        runs (a linear merge); a value met twice is in both sets. Pairs go in chunks of about
        `values` shingles (at least one pair), and the pages read are let go after each: the
        kernel maps some 64 KB of the file around every set it reads, so a chunk of a few
        thousand pairs made the whole file resident.
        """
        out = np.zeros(len(x), dtype=np.float64)
        sizes = self._offsets[x + 1] - self._offsets[x] + self._offsets[y + 1] - self._offsets[y]
        cuts = np.searchsorted(np.cumsum(sizes), np.arange(values, int(sizes.sum()), values))
        bounds = np.unique(np.concatenate(([0], cuts, [len(x)]))).tolist()
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            left, left_size = self._tagged(x[start:end])
            right, right_size = self._tagged(y[start:end])
            merged = np.concatenate((left, right))
            del left, right
            merged.sort(kind="stable")
            both = merged[1:][merged[1:] == merged[:-1]] >> _U64(32)
            common = np.bincount(both.astype(np.int64), minlength=len(left_size))
            union = left_size + right_size - common
            out[start:end] = np.divide(common, union, out=np.zeros(len(union)), where=union > 0)
            self.release()  # only one chunk's sets are ever resident
        return out

    def release(self) -> None:
        """Let go of the pages `jaccards` read (clean file pages, read again if needed): they do not stay resident."""
        if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        self._values = np.zeros(0, dtype=_U32)
        if self._map is not None:
            self._map.close()
        self._file.close()


class BandKeyStore:
    """LSH band keys kept in a temporary file, written in blocks and read back one band at a time.

    At 8 bytes per band and text (128 bytes at 16 bands), the keys are the largest state kept
    per text; on disk, memory holds one block while writing and one band while bucketing.
    Each block is stored band by band, so reading a band is one read per block.
    """

    BLOCK_ROWS = 1 << 16

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.rows = 0
        with temporary_space():
            self._file = tempfile.TemporaryFile(prefix="sftlint-bandkeys-")
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._blocks: list[tuple[int, int]] = []  # (offset in the file, rows) of each block
        self._end = 0

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.bands

    def append(self, keys: np.ndarray) -> None:
        """Add the (n, bands) keys of the next n texts."""
        self._pending.append(keys)
        self._pending_rows += len(keys)
        self.rows += len(keys)
        if self._pending_rows >= self.BLOCK_ROWS:
            self._write()

    def _write(self) -> None:
        if self._pending_rows:
            block = np.concatenate(self._pending)
            data = np.ascontiguousarray(block.T).tobytes()
            with temporary_space():
                self._file.write(data)
            self._blocks.append((self._end, len(block)))
            self._end += len(data)
            self._pending, self._pending_rows = [], 0

    def freeze(self) -> BandKeyStore:
        """Finish writing; from now on `band` reads."""
        self._write()
        with temporary_space():
            self._file.flush()
        return self

    def band(self, band: int) -> np.ndarray:
        """Every text's key for one band, (n,) uint64."""
        out = np.empty(self.rows, dtype=_U64)
        row = 0
        for offset, rows in self._blocks:
            data = os.pread(self._file.fileno(), 8 * rows, offset + 8 * rows * band)
            out[row : row + rows] = np.frombuffer(data, dtype=_U64)
            row += rows
        return out

    def close(self) -> None:
        self._file.close()


class UnionFind:
    """Disjoint sets of 0..n-1 whose root is always the smallest member (the first record),
    joined and looked up many at a time: pointer jumping over an array, no loop per member."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def roots(self, x: np.ndarray | None = None) -> np.ndarray:
        """The root of each of x (default: of every member); the paths walked are compressed."""
        parent = self.parent
        x = np.arange(len(parent)) if x is None else x
        root = parent[x]
        while True:
            up = parent[root]
            if np.array_equal(up, root):
                break
            root = up
        parent[x] = root
        return root

    def union(self, x: np.ndarray, y: np.ndarray) -> None:
        """Join the sets of x[k] and y[k] for every k."""
        x, y = np.asarray(x, dtype=np.int64), np.asarray(y, dtype=np.int64)
        while len(x):
            rx, ry = self.roots(x), self.roots(y)
            apart = rx != ry
            x, y, rx, ry = x[apart], y[apart], rx[apart], ry[apart]
            np.minimum.at(self.parent, np.maximum(rx, ry), np.minimum(rx, ry))


class SignedCorpus:
    """Texts signed in batches as they stream in: LSH band keys in memory, shingle sets on disk."""

    def __init__(
        self,
        hasher: MinHasher,
        bands: int,
        rows: int,
        batch_size: int = _BATCH_TEXTS,
        keys_on_disk: bool = False,
        sketches: Sketches | None = None,
    ) -> None:
        """`keys_on_disk`: keep the band keys in a `BandKeyStore` (`freeze` then returns it).
        `sketches`: where each text's answer is sketched (every `add` then names one)."""
        self.hasher, self.bands, self.rows, self.batch_size = hasher, bands, rows, batch_size
        self.store = ShingleStore()
        self.sketches = sketches
        self._texts: list[str | bytes] = []  # what is hashed: texts, their parts and answers
        # text i is _texts[_first[i]:_stop[i]] (one text, or the two parts of a pair); its answer, if
        # sketched, is _texts[_answer_first[i]] (the pair's second part, or the text after it)
        self._first: list[int] = []
        self._stop: list[int] = []
        self._answer_first: list[int] = []
        self._groups: list[int] = []
        self._pending_chars = 0
        self._keys: list[np.ndarray] = []
        self.key_store = BandKeyStore(bands) if keys_on_disk else None

    def add(
        self, normalised: str | bytes | tuple[bytes, bytes], group: int = 0, answer: str | bytes | None = None
    ) -> None:
        """Queue a normalised text, or one folded by `fold_text` (faster than normalising it).

        A pair of folded texts (neither empty) is their text joined by a space, the second its
        answer: its words are hashed once for both. Otherwise `answer` is the text's answer,
        normalised or folded. Texts of different `group`s are never candidates (see `band_keys`).
        """
        texts = self._texts
        self._first.append(len(texts))
        if type(normalised) is tuple:
            texts += normalised
            self._answer_first.append(len(texts) - 1)
            self._pending_chars += len(normalised[0]) + len(normalised[1])
        else:
            texts.append(normalised)
            self._pending_chars += len(normalised)
            if answer is not None:
                self._answer_first.append(len(texts))
                texts.append(answer)
                self._pending_chars += len(answer)
        self._stop.append(len(texts) if answer is None else len(texts) - 1)
        self._groups.append(group)
        if len(self._groups) >= self.batch_size or self._pending_chars >= _BATCH_CHARS:
            self._flush()

    def _flush(self) -> None:
        n = len(self._groups)
        if n:
            # text i is texts first[i] .. stop[i] - 1; its answer (i + n) one text, a part of it or after it
            first = np.array(self._first + self._answer_first, dtype=np.int64)
            stop = np.array(self._stop, dtype=np.int64)
            stop = np.concatenate((stop, first[n:] + 1)) if len(first) > n else stop
            # signed over the distinct shingles the store keeps anyway: the same minima, a tenth fewer values
            values, offsets = shingle_sets(*self.hasher.hashes(self._texts, first, stop), len(first))
            if self.sketches is not None:
                self.sketches.append_sets(values[offsets[n] :], offsets[n:] - offsets[n])
                values, offsets = values[: offsets[n]], offsets[: n + 1]
            groups = np.array(self._groups, dtype=_U64)
            keys = band_keys(self.hasher.sign(values, offsets), self.bands, self.rows, groups)
            if self.key_store is not None:
                self.key_store.append(keys)
            else:
                self._keys.append(keys)
            self.store.append_sets(values, offsets)
            self._texts, self._first, self._stop, self._answer_first, self._groups = [], [], [], [], []
            self._pending_chars = 0

    def freeze(self) -> np.ndarray | BandKeyStore:
        """Sign what is left and return every text's band keys, (n, bands) (or their store)."""
        self._flush()
        self.store.freeze()
        if self.key_store is not None:
            return self.key_store.freeze()
        keys = np.concatenate(self._keys) if self._keys else np.zeros((0, self.bands), dtype=_U64)
        self._keys = [keys]
        return keys

    def close(self) -> None:
        """Remove the temporary files."""
        self.store.close()
        if self.key_store is not None:
            self.key_store.close()


class Sketches:
    """Small MinHash sketches of texts streamed in: `similarity` estimates two texts' Jaccard.

    Each text keeps `num_perm` minima cut to their low 16 bits (2 bytes each; two different
    minima agree there once in 65,536 times), so a second comparison of every record costs
    64 bytes a record at the default 32, with a standard error of at most 0.09.
    """

    def __init__(self, num_perm: int = 32) -> None:
        self.hasher = MinHasher(num_perm)
        self._parts: list[np.ndarray] = []
        self.values = np.zeros((0, num_perm), dtype=np.uint16)

    def append_sets(self, values: np.ndarray, offsets: np.ndarray) -> None:
        """Sketch the next texts from their shingle sets (as `shingle_sets` gives them)."""
        self._parts.append((self.hasher.sign(values, offsets) & 0xFFFF).astype(np.uint16))

    def freeze(self) -> None:
        if self._parts:
            self.values = np.concatenate([self.values, *self._parts])
            self._parts = []

    def similarity(self, i: int | np.ndarray, j: int | np.ndarray) -> float | np.ndarray:
        """Estimated Jaccard of texts i and j (or of each pair i[k], j[k])."""
        return np.count_nonzero(self.values[i] == self.values[j], axis=-1) / self.values.shape[1]


@dataclass
class Cluster:
    """Records whose shingle sets are linked by verified pairs; `members[0]` is the first."""

    members: list[int]
    #: for each member but the first: (the member it was verified against, exact Jaccard)
    links: dict[int, tuple[int, float]]


def handed_over(clusters: list[Cluster]) -> Iterator[Cluster]:
    """Each cluster in turn, its slot in the list emptied as it is handed over: once a caller is
    past a cluster nothing keeps it, so a million records' clusters are let go as they are
    reported instead of all staying until the last (the list keeps its length)."""
    for i, cluster in enumerate(clusters):
        clusters[i] = None  # type: ignore[call-overload]
        yield cluster


def find_clusters(
    keys: np.ndarray | BandKeyStore,
    ids: np.ndarray,
    store: ShingleStore,
    threshold: float,
    max_leaders: int = 16,
    accept: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    counts: dict[str, int] | None = None,
) -> list[Cluster]:
    """Verified near-duplicate clusters among `ids` (ascending), from their LSH band keys (in memory or on disk).

    In each bucket of texts that share a band, every member is verified against the bucket's
    leaders (its first member, then each member that matched no leader, up to `max_leaders`)
    until one reaches `threshold` in exact Jaccard (and, with `accept`, passes it too); a member
    already in the leader's cluster, or a pair whose sets were read and failed in an earlier
    band, is not verified again. The leaders of one band are taken in rounds, the first leader
    of every bucket at once, so each round is a few array operations and one batch of
    `ShingleStore.jaccards`, whatever the number of buckets. A member costs at most `max_leaders` verifications a band,
    and most near-copies are joined in their first shared band, so the work grows with the
    records, not with the pairs in a bucket (`counts`, if given, receives "verified", the pairs
    whose sets were read). A pair whose set sizes alone keep it below the threshold is judged
    without reading its sets.
    `accept(x, y)` judges the pairs (x[k], y[k]) all at once, before their sets are read: a pair
    is verified when it reaches `threshold` and `accept` holds for it.
    """
    n = keys.shape[0]
    sizes = store.sizes()
    forest = UnionFind(n)
    rejected = np.full(1, _MASK64, dtype=_U64)  # leader * n + member of every pair read that failed, sorted
    links: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    verified = 0
    for band in range(keys.shape[1]):
        column = keys[:, band] if isinstance(keys, np.ndarray) else keys.band(band)
        members, group = bucketed(column[ids], ids)
        waiting = np.ones(len(members), dtype=bool)  # neither a leader yet nor settled
        failed: list[np.ndarray] = []
        for _ in range(max_leaders):
            at = np.flatnonzero(waiting)
            if len(at) < 2:
                break
            first = np.concatenate(([True], group[at[1:]] != group[at[:-1]]))
            leader = members[at[first]][np.cumsum(first) - 1][~first]
            waiting[at[first]] = False  # the first waiting member of each bucket leads this round
            at = at[~first]
            if not len(at):
                break
            member = members[at]
            pair = leader.astype(_U64) * _U64(n) + member.astype(_U64)
            known = _among(rejected, pair)
            todo = ~known & (forest.roots(leader) != forest.roots(member))
            x, y = leader[todo], member[todo]
            # Jaccard is at most min/max of the set sizes: pairs that cannot reach the threshold are not read,
            # nor pairs `accept` refuses (asked first: it reads no set, and most candidates fail it)
            small, large = np.minimum(sizes[x], sizes[y]), np.maximum(sizes[x], sizes[y])
            similarity = np.zeros(len(x))
            can = small / np.maximum(large, 1) >= threshold
            if accept is not None and can.any():
                can[can] = accept(x[can], y[can])
            similarity[can] = store.jaccards(x[can], y[can])
            verified += int(can.sum())
            ok = similarity >= threshold
            links.append((x[ok], y[ok], similarity[ok]))
            # only pairs whose sets were read are remembered: judging the others again reads nothing
            failed.append(pair[todo][can & ~ok])
            forest.union(x[ok], y[ok])
            # settled: matched, or (now) in the leader's cluster; the others wait for the next leader
            waiting[at] = forest.roots(leader) != forest.roots(member)
        if failed:  # one sorted run more: a stable sort (timsort) merges two runs in linear time
            rejected = np.sort(np.concatenate([rejected, np.sort(np.concatenate(failed))]), kind="stable")
        store.release()
    if counts is not None:
        counts["verified"] = verified
    return _clusters(forest, links) if links else []


def _among(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each of `values` is one of `sorted_values` (ascending, not empty).

    The values are looked up in ascending order: numpy's search starts each one where the one
    before ended, so a million lookups in millions of values take a few cache misses each
    instead of a whole descent (a million among 8 million: 0.08 s against 0.53, the sort included).
    """
    order = np.argsort(values)
    ordered = values[order]
    found = sorted_values[np.minimum(np.searchsorted(sorted_values, ordered), len(sorted_values) - 1)] == ordered
    out = np.empty(len(values), dtype=bool)
    out[order] = found
    return out


def _clusters(forest: UnionFind, links: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[Cluster]:
    """The clusters of the verified links, by first member; each other member with its best link."""
    x, y, similarity = (np.concatenate(part) for part in zip(*links, strict=True))
    if not len(x):
        return []
    # every link names a partner for both of its ends; the best is the most alike, then the first
    member, partner, score = np.concatenate((y, x)), np.concatenate((x, y)), np.concatenate((similarity, similarity))
    order = np.lexsort((partner, -score, member))
    member, partner, score = member[order], partner[order], score[order]
    best = np.concatenate(([True], member[1:] != member[:-1]))
    member, partner, score = member[best], partner[best], score[best]  # one row per linked text, ascending
    root = forest.roots(member)
    order = np.lexsort((member, root))
    member, partner, score, root = member[order].tolist(), partner[order].tolist(), score[order].tolist(), root[order]
    bounds = np.flatnonzero(np.concatenate(([True], root[1:] != root[:-1], [True]))).tolist()
    return [
        Cluster(member[lo:hi], {member[k]: (partner[k], score[k]) for k in range(lo + 1, hi)})
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]
