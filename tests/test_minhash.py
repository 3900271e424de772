"""The vectorised MinHash equals datasketch's, and the LSH finds the pairs datasketch's LSH finds."""

from __future__ import annotations

import random
import re
import unicodedata
from itertools import combinations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup_helpers import edit, exact_jaccard, prose
from sftlint import minhash
from sftlint.minhash import (
    MinHasher,
    ShingleStore,
    UnionFind,
    band_keys,
    bucketed,
    distinct,
    find_clusters,
    jaccard,
    lsh_params,
    normalise_text,
    shingles,
)


def shingle_hash(shingle: str | bytes) -> int:
    """32-bit hash of one shingle, spelled out: the `hashfunc` to give datasketch for identical signatures."""
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8", "surrogatepass")
    h, power = 0, 1
    for ch in shingle:
        h = (h + ord(ch) * power) & minhash._MASK64
        power = (power * minhash._BASE_INV) & minhash._MASK64
    return int(minhash._fmix64(np.array([h], dtype=np.uint64))[0]) >> 32


TEXTS = [
    "Hello, World! This is a test of the shingles; it is only a test.",
    "",
    "   ",
    "short",
    "two words",
    "four words right here",
    "exactly five words in this",
    "Ünïcödé  ＦＵＬＬＷＩＤＴＨ ﬁligree — “quotes” and emoji 😀 in a sentence of words",
    "日本語のテキストは空白がない",
    "tab\tseparated\nlines\r\nand   spaces",
    "lone surrogate \ud800 inside a text of several words",
]


def datasketch_minhash(text: str, num_perm: int = 128, seed: int = 1, default_hash: bool = False) -> MinHash:
    """The obvious datasketch way: one `update` per shingle."""
    if default_hash:
        m = MinHash(num_perm=num_perm, seed=seed)
        for s in shingles(normalise_text(text)):
            m.update(s.encode("utf-8", "surrogatepass"))
    else:
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
        for s in shingles(normalise_text(text)):
            m.update(s)
    return m


def realistic_texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [prose(rng, rng.choice([3, 40, 150])) for _ in range(n)]


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42)])
def test_signatures_equal_datasketch(num_perm: int, seed: int) -> None:
    texts = TEXTS + realistic_texts(40)
    batch = MinHasher(num_perm, seed).batch([normalise_text(t) for t in texts])
    for text, signature in zip(texts, batch.signatures, strict=True):
        assert np.array_equal(signature, datasketch_minhash(text, num_perm, seed).hashvalues), text


def test_sign_equals_datasketch_default_sha1_hash() -> None:
    """The permutation and minimum step alone matches datasketch with its own default hash function."""
    texts = TEXTS + realistic_texts(20)
    hashes, offsets = [], [0]
    for text in texts:
        hashes += [sha1_hash32(s.encode("utf-8", "surrogatepass")) for s in shingles(normalise_text(text))]
        offsets.append(len(hashes))
    signatures = MinHasher().sign(np.array(hashes, dtype=np.uint32), np.array(offsets))
    for text, signature in zip(texts, signatures, strict=True):
        assert np.array_equal(signature, datasketch_minhash(text, default_hash=True).hashvalues), text


def test_shingle_hashes_are_the_hashes_of_the_spelled_out_shingles() -> None:
    texts = [normalise_text(t) for t in TEXTS + realistic_texts(20)]
    batch = MinHasher().batch(texts)
    for i, text in enumerate(texts):
        expected = sorted({shingle_hash(s) for s in shingles(text)})
        assert distinct(batch.hashes[batch.offsets[i] : batch.offsets[i + 1]]).tolist() == expected


def test_shingles_are_word_pairs_or_character_5grams_for_short_texts() -> None:
    assert shingles("a b c d e f") == ["a b", "b c", "c d", "d e", "e f"]
    assert shingles("a b c d e") == ["a b", "b c", "c d", "d e"]
    assert shingles("four words right here") == [
        "four ",
        "our w",
        "ur wo",
        "r wor",
        " word",
        "words",
        "ords ",
        "rds r",
        "ds ri",
        "s rig",
        " righ",
        "right",
        "ight ",
        "ght h",
        "ht he",
        "t her",
        " here",
    ]
    assert shingles("tiny") == ["tiny"]
    assert shingles("") == []


def test_normalise_text() -> None:
    assert normalise_text("  Hello,   WORLD!\n\tDon't  stop… ") == "hello world dont stop"
    assert normalise_text("ＦＵＬＬ ﬁ Ünï") == "full fi ünï"
    assert normalise_text("?!...") == ""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(" ,.!?'\t\n-_")))
def test_normalise_text_fast_path_matches_the_definition(text: str) -> None:
    definition = " ".join(re.sub(r"[^\w\s]+", "", unicodedata.normalize("NFKC", text).lower()).split())
    assert normalise_text(text) == definition


def test_batches_do_not_change_signatures() -> None:
    texts = [normalise_text(t) for t in realistic_texts(60)]
    hasher = MinHasher()
    whole = hasher.batch(texts).signatures
    pieces = np.concatenate([hasher.batch(texts[i : i + 7]).signatures for i in range(0, 60, 7)])
    assert np.array_equal(whole, pieces)


def test_lsh_params_favour_recall() -> None:
    assert lsh_params(0.6) == (32, 4)
    assert lsh_params(0.8) == (16, 8)
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        bands, rows = lsh_params(threshold)
        assert bands * rows <= 128
        assert 1 - (1 - threshold**rows) ** bands >= 0.94


@pytest.mark.parametrize(("bands", "rows"), [(16, 8), (32, 4)])
def test_band_buckets_find_the_pairs_datasketch_lsh_finds(bands: int, rows: int) -> None:
    rng = random.Random(5)
    base = realistic_texts(30, seed=9)
    texts = base + [edit(rng, t, rng.randint(1, 6)) for t in base if len(t.split()) > 20]
    normalised = [normalise_text(t) for t in texts]
    signatures = MinHasher().batch(normalised).signatures
    lsh = MinHashLSH(num_perm=128, params=(bands, rows))
    minhashes = []
    for i, sig in enumerate(signatures):
        m = MinHash(num_perm=128, hashvalues=sig, scheme="affine32")
        lsh.insert(i, m)
        minhashes.append(m)
    expected = {(min(i, j), max(i, j)) for i, m in enumerate(minhashes) for j in lsh.query(m) if i != j}
    keys = band_keys(signatures, bands, rows)
    ids = np.arange(len(texts))
    found = set()
    for band in range(bands):
        members, group = bucketed(keys[:, band], ids)
        for g in np.unique(group):
            found.update(combinations(members[group == g].tolist(), 2))
    assert found == expected
    assert len(found) >= 5  # some edited copies are candidates, so the comparison is not vacuous


def test_exact_jaccard() -> None:
    x, y = np.array([1, 2, 3, 4], dtype=np.uint32), np.array([3, 4, 5], dtype=np.uint32)
    assert jaccard(x, y) == pytest.approx(2 / 5)
    assert jaccard(x, np.array([], dtype=np.uint32)) == 0.0


def _store(texts: list[str]) -> tuple[np.ndarray, ShingleStore]:
    batch = MinHasher().batch([normalise_text(t) for t in texts])
    store = ShingleStore()
    store.append(batch)
    store.freeze()
    return band_keys(batch.signatures, 16, 8), store


def test_clusters_are_verified_with_exact_jaccard() -> None:
    rng = random.Random(11)
    source = prose(rng, 200)
    texts = [source, edit(rng, source, 1), prose(rng, 200), edit(rng, source, 2), edit(rng, source, 12)]
    keys, store = _store(texts)
    clusters = find_clusters(keys, np.arange(len(texts)), store, 0.8)
    store.close()
    expected = [i for i in range(1, 5) if exact_jaccard(texts[0], texts[i]) >= 0.8]
    assert expected == [1, 3]
    assert len(clusters) == 1
    assert clusters[0].members == [0, 1, 3]
    for member, (partner, similarity) in clusters[0].links.items():
        assert similarity == pytest.approx(exact_jaccard(texts[member], texts[partner]))
        assert similarity >= 0.8


def test_identical_template_bucket_costs_few_verifications() -> None:
    """Records that all share a band but are not similar are each verified against a few leaders only."""
    rng = random.Random(2)
    template = prose(rng, 300)
    texts = [template + " " + prose(rng, 300) for _ in range(50)]
    keys, store = _store(texts)
    keys[:, 0] = 7  # force every record into one bucket of the first band
    counts: dict[str, int] = {}
    clusters = find_clusters(keys, np.arange(len(texts)), store, 0.8, counts=counts)
    store.close()
    assert clusters == []
    assert 16 <= counts["verified"] <= 16 * 50  # each against the 16 leaders at most, not all 1,225 pairs


def test_batch_jaccards_equal_the_exact_jaccard_of_each_pair() -> None:
    rng = random.Random(4)
    base = realistic_texts(40, seed=6)
    texts = [*base, *(edit(rng, t, min(rng.randint(0, 8), len(t.split()))) for t in base), "", "two words"]
    _, store = _store(texts)
    x = np.array([rng.randrange(len(texts)) for _ in range(400)] + list(range(40)))
    y = np.array([rng.randrange(len(texts)) for _ in range(400)] + list(range(40, 80)))  # each with its edit
    got = store.jaccards(x, y, values=500)  # many chunks of about 500 shingles
    assert store.jaccards(x, y, values=1).tolist() == got.tolist()  # one pair a chunk, even past the budget
    assert store.jaccards(x, y).tolist() == got.tolist()  # one chunk
    assert store.jaccards(x[:0], y[:0]).tolist() == []
    sets = [store.get(i) for i in range(len(texts))]
    store.close()
    assert got.tolist() == [jaccard(sets[i], sets[j]) for i, j in zip(x, y, strict=True)]
    batch = MinHasher().batch([normalise_text(t) for t in texts])
    for i, stored in enumerate(sets):  # stored as each text's distinct shingle hashes, sorted
        assert stored.tolist() == sorted(set(batch.hashes[batch.offsets[i] : batch.offsets[i + 1]].tolist()))
    assert (got > 0.6).sum() >= 20 and (got < 0.1).sum() >= 20  # copies and strangers both among the pairs


def _verified_for_near_copies_of_one(n: int) -> tuple[int, list]:
    rng = random.Random(8)
    source = prose(rng, 120)
    texts = [source, *(edit(rng, source, rng.randint(1, 4)) for _ in range(n - 1))]
    keys, store = _store(texts)
    counts: dict[str, int] = {}
    clusters = find_clusters(keys, np.arange(n), store, 0.6, counts=counts)
    store.close()
    return counts["verified"], clusters


def test_verified_pairs_stay_proportional_to_records_when_all_are_near_copies_of_one() -> None:
    """Every record shares every band with hundreds of others; each is still verified about once, not once a pair."""
    small, clusters = _verified_for_near_copies_of_one(300)
    large, _ = _verified_for_near_copies_of_one(1200)
    assert [len(c.members) for c in clusters] == [300]  # all found, as one cluster
    assert 299 <= small <= 2 * 300
    assert large <= 4.4 * small  # 4x the records: about 4x the verifications (all pairs would be 16x)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
        | st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000")
    )
)
def test_squash_matches_its_regular_expression_definition(text: str) -> None:
    """SFT103's key (which SFT104 reuses to skip exact copies) collapses whitespace as \\s+ does."""
    from sftlint.text.normal import squash

    assert squash(text) == re.sub(r"\s+", " ", text).strip().lower()


def test_no_candidates_make_no_clusters() -> None:
    """No texts to compare, or one: nothing to bucket, nothing to verify (and no error)."""
    keys, store = _store(["", "one text of several words here"])
    counts: dict[str, int] = {}
    assert find_clusters(keys, np.zeros(0, dtype=np.int64), store, 0.6, counts=counts) == []
    assert find_clusters(keys, np.array([1]), store, 0.6) == []
    store.close()
    assert counts["verified"] == 0


def test_union_find_joins_many_pairs_at_once_and_roots_each_set_at_its_smallest_member() -> None:
    rng = random.Random(3)
    n = 500
    pairs = [(rng.randrange(n), rng.randrange(n)) for _ in range(300)] + [(k, k + 1) for k in range(400, 450)]
    forest = UnionFind(n)
    forest.union(np.array([a for a, _ in pairs[:150]]), np.array([b for _, b in pairs[:150]]))
    forest.union(np.array([a for a, _ in pairs[150:]]), np.array([b for _, b in pairs[150:]]))
    sets = [{k} for k in range(n)]  # the plain definition: merge the two sets of each pair
    owner = list(range(n))
    for a, b in pairs:
        if owner[a] != owner[b]:
            keep, gone = owner[a], owner[b]
            sets[keep] |= sets[gone]
            for k in sets[gone]:
                owner[k] = keep
    assert forest.roots().tolist() == [min(sets[owner[k]]) for k in range(n)]
    assert forest.roots(np.array([449, 400])).tolist() == [min(sets[owner[400]])] * 2  # a chain of 50 is one set
    forest.union(np.array([], dtype=np.int64), np.array([], dtype=np.int64))  # nothing to join
