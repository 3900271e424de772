"""The shortcuts that make SFT101, SFT103, SFT104, SFT107, SFT108, SFT109, SFT110, SFT111, SFT112, SFT115, SFT116
and SFT206 (and the escaping of what people are shown) cheap give exactly the answers of the plain
definitions they replace, which are spelled out here.

Each test draws texts that are likely to hit the shortcut's edge: runs of every kind of
whitespace, punctuation, letters outside ASCII, repeated words, the very phrases a check
looks for, in random case.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib
from array import array
from operator import eq

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sftlint.check import Context
from sftlint.checks.echo_or_degenerate import _FUNCTION_WORDS, EchoOrDegenerate, _loop_candidates, _own_words_at_least
from sftlint.checks.empty_response import EmptyResponse
from sftlint.checks.exact_duplicate import ExactDuplicate
from sftlint.checks.format_inconsistency import _BULLET, _NUMBERED, profile
from sftlint.checks.label_inconsistency import _A, _B, _PRIME, _shingle_hashes, _signatures
from sftlint.checks.language_mismatch import _FOREIGN_RUN, _GLOSS, _LETTERS, _SCRIPT_SHARE, _SCRIPTS, _WEIGHT, _script
from sftlint.checks.refusal_boilerplate import (
    _UNCASED,
    DEFAULT_PHRASES,
    RefusalBoilerplate,
    _literal_first,
    _refusal_start,
)
from sftlint.checks.template_leakage import TemplateLeakage
from sftlint.checks.truncated_response import (
    _EMPTY_ITEM,
    _FENCE_LINE,
    _NEVER_LAST,
    _cut_copy,
    _empty_item,
    _finished,
    _judged_sentence,
    _open_brackets,
    _sentence_problem,
    _unclosed_fence,
)
from sftlint.checks.unfilled_placeholder import (
    _NOTHING,
    _SFT101_PLACEHOLDERS,
    _TEMPLATE_ASKED,
    UnfilledPlaceholder,
    _said,
    _slots,
)
from sftlint.display import _PRINTABLE, UNPRINTABLE, printable
from sftlint.minhash import (
    _FULLWIDTH,
    BandKeyStore,
    MinHasher,
    ShingleStore,
    SignedCorpus,
    _among,
    _CharClasses,
    _key_order,
    band_keys,
    find_clusters,
    fold_text,
    nfkc,
    normalise_text,
)
from sftlint.records import normalise
from sftlint.text.content import (
    _CJK,
    _CODE_LINE_END,
    _LIST_MARK,
    alnum_words,
    alnum_words_utf8,
    looks_like_code,
    prose,
    strip_code,
)
from sftlint.text.normal import (
    _ASCII_SQUASH,
    DEFAULT_PLACEHOLDERS,
    content_key,
    excerpt,
    squash,
    squashed,
    squashed_prompt,
)

SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000"
ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
WORDS = ["the", "The", "loop", "LOOP", "a", "I", "am", "sorry", "ﬁle", "Ünï", "日本", "x", "1.", "-", "##", "```"]


def texts(words: list[str] = WORDS, spaces: str = SPACES, max_size: int = 60) -> st.SearchStrategy[str]:
    """Texts of words from `words` and arbitrary characters, joined by runs of `spaces`."""
    piece = st.sampled_from(words) | st.text(max_size=6) | st.text(alphabet=spaces, min_size=1, max_size=3)
    return st.lists(piece, max_size=max_size).map("".join)


def record(obj: dict, line: int = 1):
    found, problems = normalise(obj, "f.jsonl", line)
    assert found is not None, problems
    return found


# -- SFT104: folding a batch at once ----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(texts(), min_size=1, max_size=12))
def test_folded_texts_sign_like_normalised_ones(batch: list[str]) -> None:
    hasher = MinHasher()
    folded, normalised = hasher.batch([fold_text(t) for t in batch]), hasher.batch([normalise_text(t) for t in batch])
    assert np.array_equal(folded.signatures, normalised.signatures)
    assert np.array_equal(folded.hashes, normalised.hashes)
    assert np.array_equal(folded.offsets, normalised.offsets)


FOLD_EDGES = [
    "", " ", "?!", " \u3000\n", "a\x00b", "NUL\x00 ÿ", "¿Qué?  «Sí» \x85 fin\xa0", "  Ünï, ﬁle!  ",
    "日本語、テキスト。", "ｶﾀｶﾅ ＦＵＬＬ", "emoji 😀 here 🎉", "𠀀𠀁 ext-b 𠀂", "lone \ud800 surrogate",
    "tags \U000e0041 end", "a  …  b",
    "x" * 5000 + " é " + "y " * 3000, "one two three four five six", "é", "é ",
]


@pytest.mark.parametrize("mixed", [False, True])
def test_folded_edge_cases_sign_like_normalised_ones(mixed: bool) -> None:
    """Non-ASCII text left for the batch to fold (punctuation, whitespace, ends), alone or beside ASCII text."""
    batch = FOLD_EDGES + (["Hello, World!", "  spaced   out  ", "...", "a b c d e f"] if mixed else [])
    hasher = MinHasher()
    folded, normalised = hasher.batch([fold_text(t) for t in batch]), hasher.batch([normalise_text(t) for t in batch])
    assert np.array_equal(folded.signatures, normalised.signatures)
    assert np.array_equal(folded.hashes, normalised.hashes)
    assert np.array_equal(folded.offsets, normalised.offsets)


@pytest.mark.parametrize(
    "answer",
    [
        "", "plain ascii", "中文回答，很好。", "日本語のテキスト", "한국어 답변", "mixed 中文 and English", "ΑΣ中文Σ",
        "か\u3099が", "ｶﾀｶﾅ", "\uf900\u4e00", "中・文", "中\u0301", "𠀀中𠀁", " 中 ", "中\n\n文",
    ],
)
def test_answer_runs_spaced_fold_like_each_character_spaced(answer: str) -> None:
    """SFT104 spaces a run of CJK characters with one space between two of them; spacing each character
    on its own (two spaces between) folds to the same text."""
    from sftlint.checks.near_duplicate import _CJK_RUN, last_answer

    each = "".join(f" {c} " if _CJK_RUN.match(c) else c for c in answer)
    got = last_answer(record({"instruction": "q", "output": answer}))
    assert normalise_text(got) == normalise_text(each)
    hasher = MinHasher(32)
    assert np.array_equal(hasher.batch([fold_text(got)]).signatures, hasher.batch([normalise_text(each)]).signatures)


def test_fullwidth_punctuation_decomposes_to_starters_alone() -> None:
    """What makes replacing it by its NFKC safe anywhere in a text: its whole decomposition is starters."""
    for char, ascii_form in _FULLWIDTH:
        assert ascii_form == unicodedata.normalize("NFKC", char) == unicodedata.normalize("NFKD", char)
        assert not any(map(unicodedata.combining, char + ascii_form))


# marks that combine with or reorder around their neighbours, starters that compose, other compatibility forms
NFKC_NEIGHBOURS = [
    "a", "e", "中", "文", "\u0301", "\u0327", "\u3099", "\u309a", "か", "ｶ", "\uff9e", "\u1100", "\u1161",
    "\u11a8", "가", "…", "ﬁ", "²", "\u3000", "\x00", " ", "Σ", "\ud800", "😀",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(NFKC_NEIGHBOURS + [c for c, _ in _FULLWIDTH]), max_size=12))
def test_nfkc_matches_the_definition(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_long_and_edge_texts_matches_the_definition() -> None:
    for text in FOLD_EDGES + ["", "，", "中文，" * 5000 + "\u0301", "\u0301，", "，\u0301e", "e\u0301，\u0327"]:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_signed_corpus_signs_the_distinct_shingles_like_a_batch_of_all() -> None:
    """SignedCorpus signs each text's distinct shingles (the set it stores), in batches of mixed kinds."""
    rng = random.Random(5)
    words = ["w1", "w2", "w3", "日本", "ünï", "x"]
    texts = [" ".join(rng.choices(words, k=rng.randrange(0, 40))) + rng.choice(["", "!", " é"]) for _ in range(300)]
    texts += FOLD_EDGES
    hasher = MinHasher()
    corpus = SignedCorpus(hasher, 16, 8, batch_size=37)
    for text in texts:
        corpus.add(fold_text(text))
    keys = corpus.freeze()
    batch = hasher.batch([normalise_text(t) for t in texts])
    assert np.array_equal(keys, band_keys(batch.signatures, 16, 8, np.zeros(len(texts), dtype=np.uint64)))
    for i in range(len(texts)):
        assert np.array_equal(corpus.store.get(i), np.unique(batch.hashes[batch.offsets[i] : batch.offsets[i + 1]]))
    corpus.close()


ASCII_PIECES = ["the", "The", "a-b", " - ", "x.", "...", "  ", "\t", "\n", "\x00", "one two three", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(texts(ASCII_PIECES, max_size=20), texts(ASCII_PIECES, max_size=20)), min_size=1, max_size=8))
def test_texts_read_as_one_document_hash_like_the_text_they_make(parts: list[tuple[str, str]]) -> None:
    """Document hashing: texts joined by a space as one document, one of them also a document of its
    own, beside texts of the other kind; each has the shingles of its text folded whole."""
    texts, first, stop, wanted = [], [], [], []
    for prompt, reply in parts:
        a, b = fold_text(prompt), fold_text(reply)
        if isinstance(a, bytes) and isinstance(b, bytes) and a and b:
            first += [len(texts), len(texts) + 1]
            stop += [len(texts) + 2, len(texts) + 2]
            texts += [a, b]
        else:  # of the other kind, or empty: each a document of one text
            first += [len(texts), len(texts) + 1]
            stop += [len(texts) + 1, len(texts) + 2]
            texts += [fold_text(f"{prompt}\n{reply}"), b]
        wanted += [normalise_text(f"{prompt}\n{reply}"), normalise_text(reply)]
    hasher = MinHasher()
    hashes, document = hasher.hashes(texts, np.array(first), np.array(stop))
    plain_hashes, plain_document = hasher.hashes(wanted)
    got = sorted(zip(document.tolist(), hashes.tolist(), strict=True))
    assert got == sorted(zip(plain_document.tolist(), plain_hashes.tolist(), strict=True))


def _near_duplicate_rows() -> list[dict]:
    """Flat and chat records, ASCII or not, whose prompt or answer may fold to nothing."""
    rng = random.Random(11)
    words = ["alpha", "beta", "Gamma", "delta,", "-", "x", "ünï", "日本語", "中文", "…", "\t", "a.b"]

    def text(k: int) -> str:
        return " ".join(rng.choices(words if rng.random() < 0.3 else words[:6], k=k))

    rows: list[dict] = []
    for _ in range(150):
        kind = rng.randrange(5)
        if kind == 0:
            turns = [text(rng.randrange(0, 12)), text(rng.randrange(0, 12)), text(rng.randrange(1, 12))]
            roles = ["user", "assistant", "user", "assistant"]
            contents = [*turns, text(rng.randrange(0, 12))]
            rows.append({"messages": [{"role": r, "content": c} for r, c in zip(roles, contents, strict=True)]})
        else:
            row = {"instruction": text(rng.randrange(0, 12)), "output": text(rng.randrange(0, 12))}
            if kind == 1:
                row["input"] = text(rng.randrange(0, 6))
            if kind == 2:
                row["output"] = "?!"  # folds to nothing
            rows.append(row)
    return rows + [{"instruction": "", "output": "a b c d e f"}, {"instruction": "...", "output": "..."}]


def test_near_duplicate_corpus_and_answer_sketches_are_those_of_the_plain_definition() -> None:
    """SFT104 folds and hashes an ASCII record's answer once for the record and its sketch; its band
    keys, shingle sets and sketches are those of the whole text and the answer each normalised alone."""
    from sftlint.checks.near_duplicate import NearDuplicate, _label_group, last_answer
    from sftlint.minhash import Sketches
    from sftlint.text.normal import compared_text

    records = [record(row, line) for line, row in enumerate(_near_duplicate_rows(), start=1)]
    check = NearDuplicate()
    check.corpus.batch_size = 37
    for r in records:
        check.collect(r)
    keys = check.corpus.freeze()
    check.answers.freeze()
    whole = check.corpus.hasher.batch([normalise_text(compared_text(r, "pair")) for r in records])
    groups = np.array([_label_group(r.label) for r in records], dtype=np.uint64)
    plain_keys = band_keys(whole.signatures, check.bands, check.rows, groups)
    for band in range(check.bands):
        assert np.array_equal(keys.band(band), plain_keys[:, band])
    for i in range(len(records)):
        plain_set = np.unique(whole.hashes[whole.offsets[i] : whole.offsets[i + 1]])
        assert np.array_equal(check.corpus.store.get(i), plain_set)
    answers = Sketches().hasher.batch([normalise_text(last_answer(r)) for r in records])
    assert np.array_equal(check.answers.values, (answers.signatures & 0xFFFF).astype(np.uint16))
    check.corpus.close()


def test_char_classes_are_the_regex_of_normalise_text() -> None:
    classes = _CharClasses()
    for top in (0x41, 0x3000, 0x110000 - 1):  # grown block by block, then to the end of Unicode
        got = classes(np.arange(top + 1, dtype=np.uint32))
        want = [
            _CharClasses.KEEP if c == 0 or re.match(r"\w", chr(c)) else
            _CharClasses.SPACE if chr(c).isspace() else _CharClasses.DELETE
            for c in range(top + 1)
        ]  # fmt: skip
        assert got.tolist() == want


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_normalisation_matches_the_definition(text: str) -> None:
    assert normalise_text(text) == " ".join(re.sub(r"[^\w\s]+", "", text.lower()).split())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40) | st.sampled_from([2**63, 2**64 - 1]), max_size=300),
    st.integers(0, 2**64 - 1),
)
def test_key_order_is_the_stable_argsort(values: list[int], high: int) -> None:
    """Keys alike in their high bits (`high` with small differences below) are the sort's hard case."""
    for keys in (np.array(values, dtype=np.uint64), np.array([high ^ v for v in values], dtype=np.uint64)):
        order, ordered = _key_order(keys)
        assert np.array_equal(order, np.argsort(keys, kind="stable"))
        assert np.array_equal(ordered, keys[order])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 20), min_size=1, max_size=200),
    st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 20), max_size=200),
)
def test_among_is_membership(known: list[int], asked: list[int]) -> None:
    """Pairs judged before are found by looking the pairs up in ascending order: the same answers."""
    values = np.unique(np.array(known, dtype=np.uint64))
    pairs = np.array(asked, dtype=np.uint64)
    assert np.array_equal(_among(values, pairs), np.isin(pairs, values))


def test_band_keys_on_disk_read_back_band_by_band_and_cluster_alike(monkeypatch) -> None:
    monkeypatch.setattr(BandKeyStore, "BLOCK_ROWS", 7)  # many blocks
    rng = random.Random(3)
    words = [f"w{i}" for i in range(40)]
    base = [" ".join(rng.choices(words, k=30)) for _ in range(10)]
    batch_texts = [b if rng.random() < 0.5 else b + " extra" for b in base for _ in range(5)]
    batch = MinHasher().batch([normalise_text(t) for t in batch_texts])
    keys = band_keys(batch.signatures, 16, 8)
    on_disk = BandKeyStore(16)
    for i in range(0, len(keys), 5):
        on_disk.append(keys[i : i + 5])
    on_disk.freeze()
    assert on_disk.shape == keys.shape
    for band in range(16):
        assert np.array_equal(on_disk.band(band), keys[:, band])
    store = ShingleStore()
    store.append(batch)
    store.freeze()
    ids = np.arange(len(batch_texts))
    in_memory, from_disk = find_clusters(keys, ids, store, 0.8), find_clusters(on_disk, ids, store, 0.8)
    assert [(c.members, c.links) for c in in_memory] == [(c.members, c.links) for c in from_disk]
    assert in_memory
    on_disk.close()
    store.close()


def test_pairs_refused_by_accept_are_never_read_and_clusters_are_as_if_judged_after() -> None:
    """`accept` is asked before a pair's sets are read; the clusters are those of the plain
    definition, a pair verified when its exact Jaccard reaches the threshold and accept holds."""
    rng = random.Random(4)
    words = [f"w{i}" for i in range(30)]
    base = [" ".join(rng.choices(words, k=25)) for _ in range(8)]
    texts = [b if rng.random() < 0.5 else b + " more words" for b in base for _ in range(6)]
    batch = MinHasher().batch([normalise_text(t) for t in texts])
    keys = band_keys(batch.signatures, 16, 8)
    store = ShingleStore()
    store.append(batch)
    store.freeze()
    ids = np.arange(len(texts))
    refuse = lambda x, y: (x + y) % 3 == 0  # noqa: E731
    read: list[tuple[int, int]] = []
    jaccards = store.jaccards

    def spying(x, y):
        read.extend(zip(x.tolist(), y.tolist(), strict=True))
        return jaccards(x, y)

    def judged_after(x, y):  # the plain definition: the exact Jaccard of a refused pair counts for nothing
        return np.where(refuse(x, y), 0.0, jaccards(x, y))

    store.jaccards = spying
    found = find_clusters(keys, ids, store, 0.8, accept=lambda x, y: ~refuse(x, y))
    assert read and not any(refuse(x, y) for x, y in read)
    store.jaccards = judged_after
    plain = find_clusters(keys, ids, store, 0.8)
    assert [(c.members, c.links) for c in found] == [(c.members, c.links) for c in plain]
    assert sum(len(c.members) for c in found) > 2
    store.close()


# -- SFT103: copies found by sorting keys -----------------------------------------------------


def test_exact_copies_are_the_records_after_the_first_of_their_content() -> None:
    """Against the plain definition: remember the first (file, position) of every squashed content."""
    rng = random.Random(5)
    answers = ["Open Invoices.", "open   invoices.", "Close it.", "CLOSE IT.\n", "Other."]
    rows = [(f"f{rng.randint(0, 2)}.jsonl", {"instruction": "Q", "output": rng.choice(answers)}) for _ in range(60)]
    rows += rows[:5]  # a file given twice: its records are not copies of themselves
    check = ExactDuplicate()
    expected, first_seen = [], {}
    for line, (name, obj) in enumerate(rows, start=1):
        line = line if line <= 60 else line - 60
        rec = normalise(obj, name, line)[0]
        rec.position = line
        check.collect(rec)
        key = "\x1f".join([squash(rec.instruction), squash(rec.input), squash(rec.response)])
        first = first_seen.setdefault(key, (name, line))
        if first != (name, line):
            expected.append((name, line, first))
    found = [(f.file, f.record, (f.related[0].file, f.related[0].record)) for f in check.finish(Context(files=[]))]
    assert sorted(found) == sorted(expected)
    assert len(expected) > 30


# -- SFT101: only texts of few words are squashed ------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(texts(["n/a", "N/A.", "no", "answer", "...", "!", ".", "none!", "TODO"], SPACES, 6))
def test_placeholder_test_matches_the_definition(text: str) -> None:
    for placeholders in (DEFAULT_PLACEHOLDERS, ["", "no answer"], ["."]):
        check = EmptyResponse(EmptyResponse.Options(placeholders=placeholders))
        squashed = {squash(p) for p in placeholders}
        value = squash(text)
        is_placeholder = bool(text.strip()) and (value in squashed or value.rstrip(".!") in squashed)
        assert (check._problem(text) or "").startswith("is a placeholder") == is_placeholder


# -- SFT107: loops ruled out in batches ------------------------------------------------------------

LOOPY = ["again", "again.", "and", "the", "cat", "I", "||", "-", "ok!", "Ünï", "\x00", "à", "日本", "\ud800"]


@settings(max_examples=150, deadline=None)
@given(st.lists(texts(LOOPY, ASCII_SPACES + "\xa0\u3000", 80), min_size=1, max_size=20))
def test_loop_candidates_never_rule_out_a_loop(batch: list[str]) -> None:
    check = EchoOrDegenerate()
    candidates = _loop_candidates(batch)
    for text, candidate in zip(batch, candidates, strict=True):
        if check._loop(text, "") is not None:
            assert candidate, text
        chunks = text.split()
        if (
            text.isascii()
            and len(chunks) >= 20
            and list(map(eq, chunks, chunks[1:])).count(True) >= 0.1 * (len(chunks) - 1)
        ):
            assert candidate


def test_loop_candidates_rule_out_text_outside_ascii() -> None:
    """Text outside ASCII is split as UTF-8 bytes too (à ends in the byte 0xA0, which is not a
    space there); only whitespace outside ASCII keeps a text a candidate."""
    words = " ".join(f"слово{i} à日本{i}" for i in range(30))
    looping = " ".join(["повтор à"] * 30)
    assert _loop_candidates([words, looping, words.replace(" ", "\u3000")]).tolist() == [False, True, True]
    assert EchoOrDegenerate()._loop(looping, "") is not None


ECHO_WORDS = ["the", "The", "reset", "Reset", "password", "pass", "word", "ÜNÏ", "ünï", "a1", "is", "日本", "ß", "SS"]
ECHO_SPACES = ASCII_SPACES + ".,"


@settings(max_examples=400, deadline=None)
@given(texts(ECHO_WORDS, ECHO_SPACES, 40), texts(ECHO_WORDS, ECHO_SPACES, 40), st.booleans())
def test_own_words_found_outside_the_instruction_are_own_words(instruction: str, response: str, copy: bool) -> None:
    response = instruction + response if copy else response
    ascii_pair = instruction.isascii() and response.isascii()
    words = (alnum_words_utf8 if ascii_pair else alnum_words)(response)
    need = max(1, 0.05 * len(words))
    own = set(words).difference((alnum_words_utf8 if ascii_pair else alnum_words)(instruction), _FUNCTION_WORDS)
    if _own_words_at_least(words, instruction, ascii_pair, need):
        assert len(own) >= need


def test_own_words_are_settled_by_a_few_lookups() -> None:
    assert _own_words_at_least([b"cats", b"and", b"dogs"], "Reset the password", True, 2)
    assert not _own_words_at_least([b"reset", b"the", b"pass"], "Reset the password", True, 1)  # "pass" is inside
    # Function words and repeats are not lookups; an answer not settled within 24 lookups is False.
    assert _own_words_at_least([b"the", b"reset"] * 100 + [b"cats"], "Reset the password", True, 1)
    asked = " ".join(f"w{i}" for i in range(30))
    assert not _own_words_at_least([f"w{i}".encode() for i in range(30)] + [b"cats"], asked, True, 1)
    assert _own_words_at_least([f"w{i}".encode() for i in range(20)] + [b"cats"], asked, True, 1)


def test_batched_judgement_equals_one_record_at_a_time() -> None:
    rng = random.Random(9)
    words = ["please", "reset", "your", "password", "now", "Ünï", "again", "Instruction:", "Output:", "\n"]
    rows = []
    for i in range(1300):  # more than two batches
        instruction = " ".join(rng.choices(words, k=rng.randint(3, 15)))
        response = " ".join(rng.choices(words[: rng.randint(2, len(words))], k=rng.randint(0, 70)))
        if i % 10 == 0:
            response = instruction + " now"  # an echo
        elif i % 10 == 1:
            response = "Reset your password from the settings page. " * rng.randint(1, 8)  # a repeated sentence
        rows.append(record({"instruction": instruction, "output": response}, i + 1))
    check = EchoOrDegenerate()
    size = check.batch_size
    batched = [
        (f.line, f.message, f.data["kind"])
        for start in range(0, len(rows), size)
        for f in check.check_batch(rows[start : start + size])
    ]
    plain = []
    for rec in rows:
        if rec.response.strip():
            text = strip_code(rec.response)
            found = (
                check._echo(rec, rec.response)
                or check._loop(text, rec.instruction)
                or check._continuation(text, rec.instruction)
            )
            if found:
                plain.append((rec.line, found[0], found[2]))
    assert batched == plain
    assert {kind for _, _, kind in plain} >= {"echo", "continuation", "stutter", "repeated-sentence"}


# -- SFT108: lower-cased ASCII searched case-sensitively, behind a sharper gate ----------------------

REFUSALS = [
    "As an AI language model, I cannot",
    "as an AI developed by",
    "As a large language model",
    "I'm just an AI",
    "I am an artificial intelligence",
    "I do not have personal opinions",
    "I don’t have access to the internet",
    "I'm sorry, but I cannot",
    "I am afraid I won't",
    "I apologise, but I can't",
    "I cannot fulfill that request",
    "I am unable to help with this task",
    "I can't provide that content",
    "I must respectfully decline",
    "It's not appropriate for me to",
    "As of my last knowledge update",
    "my training data only goes up to",
    "I'm not able to browse the internet",
]
OTHER_WORDS = (
    "as an ai i am i'm my it is the model sorry request task decline knowledge , . ! ) ’ é — “ … 😀 \u3000 ſ \u212a İ "
    "作为一个人工智能语言模型 我是一个ai语言模型 我只是一名AI聊天机器人"
).split()


@st.composite
def refusal_like(draw: st.DrawFn) -> str:
    """Refusal phrases, some with a word dropped, among other words, in random case."""
    pieces = []
    for _ in range(draw(st.integers(0, 4))):
        words = draw(st.sampled_from(REFUSALS)).split()
        if draw(st.booleans()):
            del words[draw(st.integers(0, len(words) - 1))]
        pieces.append(" ".join(words))
        pieces += draw(st.lists(st.sampled_from(OTHER_WORDS), max_size=3))
    case = draw(st.sampled_from([str, str.upper, str.title, str.swapcase]))
    return case(" ".join(draw(st.permutations(pieces))))


@settings(max_examples=400, deadline=None)
@given(refusal_like())
def test_refusal_search_matches_the_case_insensitive_definition(text: str) -> None:
    pattern = re.compile("|".join(f"(?:{p})" for p in DEFAULT_PHRASES), re.IGNORECASE)
    match = pattern.search(text.replace("\u2019", "'"))
    expected = [f"response contains refusal or assistant boilerplate: {excerpt(match.group())!r}"] if match else []
    found = RefusalBoilerplate().check_record(record({"instruction": "Q", "output": text}))
    assert [f.message for f in found] == expected


@settings(max_examples=400, deadline=None)
@given(refusal_like())
def test_refusal_start_is_where_the_first_match_can_start(text: str) -> None:
    pattern = re.compile("|".join(f"(?:{_literal_first(p)})" for p in DEFAULT_PHRASES))
    ascii_lower = text.replace("\u2019", "'").lower().encode("ascii", "ignore").decode()
    for lower in (ascii_lower, "", "i can " * 50_000 + ascii_lower):
        everywhere = [m.span() for m in pattern.finditer(lower)]
        start = _refusal_start(lower)
        if start < 0:
            assert everywhere == []
        else:
            assert [m.span() for m in pattern.finditer(lower, start)] == everywhere


def test_uncased_characters_have_no_case() -> None:
    """The premise of matching lower-cased text: lower-casing leaves these characters alone, and
    IGNORECASE matches them to nothing else."""
    uncased = re.compile(f"[{_UNCASED}]")
    for char in map(chr, range(0x80, 0x20000)):
        if uncased.match(char):
            assert char.lower() == char == char.upper(), hex(ord(char))


@settings(max_examples=200, deadline=None)
@given(texts(["As an AI", "i", "a", "作为", "AI", "\u212a", "ſ", "—"], SPACES, 20))
def test_literal_first_phrases_match_where_the_phrases_do(text: str) -> None:
    for phrase in DEFAULT_PHRASES:
        expected = [m.span() for m in re.finditer(phrase, text.lower())]
        assert [m.span() for m in re.finditer(_literal_first(phrase), text.lower())] == expected


# -- SFT109: prose read line by line, each measure in C ---------------------------------------------


def plain_prose(text: str, min_words: int = 4, limit: int | None = None) -> str:
    """`prose` as first written: every pattern on every line, the word measures in Python."""
    not_prose = re.compile(
        r"`[^`\n]*`|\"[^\"\n]{1,120}\"|\([^()\n]{1,80}\)|（[^（）\n]{1,80}）|“[^”\n]{1,120}”|《[^》\n]{1,60}》"
        r"|\b(?:https?|ftp)://\S+|\bwww\.\S+|\S+@\S+\.\w+|</?[A-Za-z][^<>\n]{0,200}>|\\[A-Za-z]+"
    )
    code_start = re.compile(
        r"^\s*(?:def|class|import|from\s+\S+\s+import|return|elif|else:|try:|except|finally:|raise|yield|async|"
        r"await|#include|#define|package|using|namespace|public|private|protected|static|void|int|var|let|const|"
        r"function|fn|impl|struct|enum|func|SELECT|INSERT|UPDATE|DELETE|CREATE|print|console\.|System\.|@\w+)\b"
        r"|^\s*(?:with|for|while|if)\b.*[:{]\s*$|^\s*[}\])]"
        r"|^\s*(?:#|//|/\*|\*|--|>>>|\$ )|^\s*\w+(?:\.\w+)*\s*(?:[-+*/]?=|\()"
        r"|^[\x00-\x7f]*[=(].*;\s*$"
    )
    kept: list[str] = []
    for line in strip_code(text).splitlines():
        if not line.strip() or (line.startswith(("    ", "\t")) and not _LIST_MARK.match(line)):
            continue
        line = _LIST_MARK.sub("", line, count=1)
        if code_start.match(line) or _CODE_LINE_END.search(line):
            continue
        if sum(map(line.count, "{}[]()<>=;_$\\|&^~#@*/")) > 0.08 * len(line) + 1:
            continue
        words = [w for w in not_prose.sub(" ", line).split() if not w.isdigit()]
        latin = [w for w in words if w[0].isascii() and w[0].isalpha()]
        cjk = len(_CJK.findall(line))
        if not cjk and len(latin) >= 3 and sum(w[0].isupper() for w in latin) >= 0.6 * len(latin):
            continue
        if len(words) + cjk // 2 >= min_words:
            kept.append(" ".join(words))
            if limit is not None and len("\n".join(kept)) >= limit:
                break
    return "\n".join(kept)


PROSE_PIECES = [
    "The cat sat on the mat.", "x = f(a);", "for i in y:", "if (a) {", "}", "    indented", "\t", "- item one two",
    "1. first", "a) b", "`code`", '"quoted words here"', "(an aside)", "see https://x.org/a", "www.x.org", "a@b.co",
    "<b>", "\\frac", "By George B. Thomas And Ross", "中文字符", "²", "42", "```", "(", "@", ";", ":", "Ünï", "\ud800",
    # the edges of the shortcuts: words that are numbers or hold digits, spacing that a split changes, code
    # starts that need an "=", "(" or a final colon, list marks after a letter, runs of CJK characters
    "abc123", "7", "２", "  ", "\x1f", "\xa0", "Élan Vital", "x=1", "f(x)", "obj.attr += 3", "if x:", "while y {",
    "b.", "c)", "What is", "•", "-", "（注）", "“quoted”", "中文 run", "日本語の文", "The end",
]


@settings(max_examples=400, deadline=None)
@given(
    texts(PROSE_PIECES, " \n\n\t\r\x1c\x1f\xa0\u2028\u3000", 40), st.integers(1, 5), st.sampled_from([None, 20, 200])
)
def test_prose_matches_the_definition(text: str, min_words: int, limit: int | None) -> None:
    assert prose(text, min_words, limit) == plain_prose(text, min_words, limit)


@settings(max_examples=300, deadline=None)
@given(texts(["Hello there my friend", "中文", "字", "Привет", "мир", "（注）", "'", "`", "```", "\n"], SPACES, 20))
def test_a_mid_text_switch_needs_a_run_in_the_raw_response(text: str) -> None:
    """SFT109 looks for a switch of script only in responses with a run of another script: prose,
    which it reads, cannot make one."""
    if _FOREIGN_RUN.search(text) is None:
        assert _FOREIGN_RUN.search(_GLOSS.sub(" ", prose(text, min_words=1))) is None


def test_letter_patterns_find_exactly_their_letters() -> None:
    """SFT109's evidence letters, written as ranges of a character class, are the letters listed."""
    for name, (_, _, letters, _) in _SCRIPTS.items():
        assert len(_LETTERS[name]) == len(letters)
        for (pattern, languages), (listed, named) in zip(_LETTERS[name], letters.items(), strict=True):
            assert languages == frozenset(named.split())
            found = {char for char in map(chr, range(0x20000)) if pattern.search(char)}
            assert found == set(listed), (name, named)


def plain_script(text: str) -> str | None:
    """`_script` as first written: each character looked up in the scripts' ranges, the weighted
    counts summed in the scripts' order."""
    ranges = {
        name: [(ord(first), ord(last)) for first, last in re.findall(r"(.)-(.)", letters)]
        for name, (letters, *_) in _SCRIPTS.items()
    }
    letters: dict[str, int] = {}
    for char in text:
        for name, spans in ranges.items():
            if any(first <= ord(char) <= last for first, last in spans):
                letters[name] = letters.get(name, 0) + 1
    counts = {name: letters[name] * _WEIGHT[name] for name in ranges if name in letters}
    if not counts:
        return None
    script = max(counts, key=counts.__getitem__)
    return script if counts[script] >= _SCRIPT_SHARE * sum(counts.values()) else None


SCRIPT_PIECES = (
    "abc 中文 カナ 한국 Привет ї مرحبا नमस्ते Ελλάδα שלום ไทย é ﬁ ， \U0001f600 \U00020000 7 \x00 \ud800 Ā ḁ"
).split()
# Each range's first and last letters and the characters just outside it, the last characters
# before the surrogates and before the end of the Basic Multilingual Plane, and characters past it.
SCRIPT_EDGES = sorted(
    {
        chr(code)
        for letters, *_ in _SCRIPTS.values()
        for first, last in re.findall(r"(.)-(.)", letters)
        for code in (ord(first) - 1, ord(first), ord(last), ord(last) + 1)
    }
    | set("\ud7ff\ud800\udfff\ue000\ufaff\ufb00\uffff\U00010000\U0010ffff")
)


@settings(max_examples=400, deadline=None)
@given(texts(SCRIPT_PIECES, " \n", 12))
def test_script_matches_the_definition(text: str) -> None:
    """SFT109 tells a text's script by looking its UTF-16 code units up in a table and counting them
    by script, in C (characters past the table and those of no script count for none)."""
    assert _script.__wrapped__(text) == plain_script(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SCRIPT_EDGES), max_size=30).map("".join))
def test_script_matches_the_definition_at_the_edges_of_the_ranges(text: str) -> None:
    assert _script.__wrapped__(text) == plain_script(text)


@pytest.mark.parametrize(
    ("latin", "cyrillic", "cjk"),
    [
        # exactly two thirds of the weight, where the rounding of the weights as floats decides: nearly
        # always for the script, for none at these two
        (2, 1, 0), (0, 7, 1), (0, 7, 4), (7, 0, 4), (9, 1, 1), (5, 38, 4), (38, 5, 4),
        # a letter short of two thirds and a letter over
        (2, 2, 0), (3, 1, 0), (8, 0, 4), (7, 0, 5), (0, 0, 0),
    ],  # fmt: skip
)
def test_script_at_two_thirds_matches_the_definition(latin: int, cyrillic: int, cjk: int) -> None:
    letters = "a" * latin + "ж" * cyrillic + "中" * cjk
    for text in (letters, letters[::-1], " ".join(letters) + " 1 ,"):
        assert _script.__wrapped__(text) == plain_script(text)


# -- SFT115: only short texts are squashed ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(texts(["No", "output", "no input", "n/a", "N/A.", "…", "!", ".", "İ", "none", "x"], SPACES, 8))
def test_said_matches_the_definition(text: str) -> None:
    said, whole = _said(text), squash(text).strip(" .!")
    assert said == whole or (said is None and whole not in _NOTHING | _SFT101_PLACEHOLDERS)


def plain_placeholder_messages(found) -> list[str]:
    """SFT115's findings as first written: every text of `Record.texts` in turn."""
    messages = []
    for name, text in found.texts():
        if name.endswith(("(tool)", "(function)")):
            continue
        whole = _said(text)
        if whole in _NOTHING:
            messages.append(f"{name} is a placeholder: {text.strip()!r}")
        elif not (whole in _SFT101_PLACEHOLDERS and (name == "response" or name.endswith("(assistant)"))):
            slots = _slots(text)
            if slots:
                shown = ", ".join(slots[:3]) + (f" and {len(slots) - 3} more" if len(slots) > 3 else "")
                messages.append(f"{name} has an unfilled placeholder: {shown}")
    return messages if messages and not _TEMPLATE_ASKED.search(found.prompt) else []


PLACEHOLDER_WORDS = ["<NAME>", "{{ name }}", "{product}", "<noinput>", "No Output", "no input", "template", "Ünï",
                     "<AUTHOR>", "```", "def f():", "x = {a}", "N/A", "日本"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    texts(PLACEHOLDER_WORDS, SPACES, 12),
    texts(PLACEHOLDER_WORDS, SPACES, 12),
    texts(PLACEHOLDER_WORDS, SPACES, 12),
    st.sampled_from(["tool", "function", "x(tool", "assistant", "user", "(function"]),
)
def test_placeholder_findings_match_the_definition(first: str, second: str, third: str, role: str) -> None:
    check = UnfilledPlaceholder()
    chat = {"messages": [{"role": "user", "content": first}, {"role": role, "content": second},
                         {"role": "assistant", "content": third}]}  # fmt: skip
    for obj in (
        {"instruction": first, "input": second, "output": third},
        {"instruction": first, "input": "", "output": third},
        {"instruction": "", "input": "", "output": ""},
        {"instruction": first * 200, "input": "", "output": "<NAME> " + second * 200},
        chat,
    ):
        found, _ = normalise(obj, "f.jsonl", 1)
        if found is not None:
            assert [f.message for f in check.check_record(found)] == plain_placeholder_messages(found)


# -- SFT116: brackets counted outside strings and comments in one pass ---------------------------------

#: a line that ends on a full stop, perhaps inside closing quotes or brackets, as first written
PLAIN_FINISHED = re.compile(r"[.!?…。！？][\"'”’)\]]*$")


@settings(max_examples=400, deadline=None)
@given(texts([".", "!", "?", "…", "。", "\"", "'", "”", "’", ")", "]", "(", "done", "日本", ","], " ", 8))
def test_finished_matches_the_definition(line: str) -> None:
    line = line.rstrip()
    assert _finished(line) == bool(PLAIN_FINISHED.search(line))


def plain_cut_copy(line: str, earlier: list[str]) -> bool:
    """Whether a last line is an earlier, longer line cut short, as first written: every line read."""
    stripped = line.strip()
    others = {other.strip() for other in earlier}
    goes_on = re.compile(r" ?[^\W\d_]")
    return len(stripped) >= 8 and stripped not in others and any(
        len(o) > len(stripped) and o.startswith(stripped) and goes_on.match(o, len(stripped)) for o in others
    )


@settings(max_examples=400, deadline=None)
@given(
    texts(["* 1 cup rolled", " oats", ",", " ", "x", "日本"], " ", 5),
    st.lists(texts(["* 1 cup rolled", " oats", ", yeah", "x", "2", "日本"], " \t", 5), max_size=5),
)
def test_cut_copy_matches_the_definition(line: str, earlier: list[str]) -> None:
    body = "\n".join(earlier)
    assert (_cut_copy(line, body) is not None) == plain_cut_copy(line, body.split("\n") if earlier else [])



@settings(max_examples=400, deadline=None)
@given(texts(["```", "~~~", "``", "~~", "```python", "x = 1;", "done.", "\n", "日本", "`"], SPACES, 16))
def test_unclosed_fence_matches_the_definition(text: str) -> None:
    for candidate in (text, "", "prose line\n" * 20_000 + text):
        fences = list(_FENCE_LINE.finditer(candidate))
        after = candidate[fences[-1].end() :].partition("\n")[2].strip() if fences else ""
        expected = len(fences) % 2 == 1 and bool(after) and (looks_like_code(after) or not PLAIN_FINISHED.search(after))
        assert _unclosed_fence(candidate) == expected


def plain_open_brackets(code: str) -> int:
    """`_open_brackets` as first written: a walk over every character (a # comment only where a
    line starts or after whitespace: "{{#items}}" is a Mustache section)."""
    comment = "//" if re.search(r"[;{]\s*$", code, re.MULTILINE) else "#"
    depth, quote, i = 0, "", 0
    while i < len(code):
        ch = code[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote or ch == "\n":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif code.startswith(comment, i) and (comment == "//" or i == 0 or code[i - 1].isspace()):
            end = code.find("\n", i)
            i = len(code) if end < 0 else end
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        i += 1
    return depth


@settings(max_examples=500, deadline=None)
@given(
    texts(
        ["(", ")", "[", "]", "{", "}", '"', "'", "\\", "#", "//", "/", ";", "\n", "x = f(a", "#include", "{{#x}}"],
        " \n\t",
        30,
    )
)
def test_open_brackets_match_the_definition(code: str) -> None:
    assert _open_brackets(code) == plain_open_brackets(code)


LAST_WORDS = ["the", "and", "done.", "x,", "：", ":", "、", "日本", "Ünï", "\u212a", "ΑΣ", "1.", "- item", "#tag"]


@settings(max_examples=500, deadline=None)
@given(
    texts(LAST_WORDS, " \t", 20),
    st.lists(texts(["A long line of words that ends.", "no stop here at all", "- x"], " ", 4), max_size=4),
)
def test_sentence_problem_reads_the_words_of_every_line_it_can_report(line: str, earlier: list[str]) -> None:
    assert all(word.isascii() for word in _NEVER_LAST)
    body = "\n".join(earlier)
    expected = _judged_sentence(line.rstrip(), body) if line.strip() else None
    assert _sentence_problem(line, body) == expected


# A line of a program as it was first written: one expression searched over the line.
PLAIN_PROGRAM_LINE = re.compile(
    r"^\s*(?:def |class |return\b|import |from \S+ import |for .*:$|if .*:$|elif |else:|while .*:$|try:|except\b|"
    r"#include|#define|public |private |static |function\b|const |let |var |print\(|console\.|@\w+|"
    r"[A-Za-z_][\w.\[\]]* ?[-+*/]?= ?\S)"
    r"|[;{}]\s*$|\)\s*:\s*$|^(?:    |\t)\S",
    re.MULTILINE,
)


def plain_looks_like_code(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    code = sum(1 for line in lines if PLAIN_PROGRAM_LINE.search(line))
    return bool(lines) and code >= 0.5 * len(lines) and (code >= 2 or len(lines) == 1 and code == 1)


CODE_WORDS = ["def f(x):", "if x:", "x = 1", "a.b[0] += 2", ";", "{", "}", ")", ":", "(a) :", "    ", "\t", "return",
              "prose", "日本", "@dec", "print(", "for i in x:", "\n", "=", " "]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(texts(CODE_WORDS, SPACES, 24))
def test_looks_like_code_matches_the_definition(text: str) -> None:
    assert looks_like_code(text) == plain_looks_like_code(text)


# -- SFT111: one look at the whole record -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        texts(["<|im_end|>", "</s>", "<s>", "[INST]", "### Response:", "#", "<", "["], SPACES, 8),
        min_size=3,
        max_size=5,
    )
)
def test_template_leakage_matches_looking_at_every_text(parts: list[str]) -> None:
    flat = record({"instruction": parts[0], "input": parts[1], "output": parts[2]})
    chat = record(
        {"messages": [{"role": r, "content": t} for r, t in zip(["user", "assistant"] * 3, parts, strict=False)]}
    )
    check = TemplateLeakage()
    for rec in (flat, chat):
        expected = []
        for name, text in rec.texts():
            markers = [m for m in dict.fromkeys(check.tokens.findall(text)) if m != "</s>" or "<s>" not in text]
            header = check.headers.search(text)
            markers += [header.group().strip()] if header else []
            if markers:
                expected.append(f"{name} contains template markup: " + ", ".join(repr(m) for m in markers[:3]))
        assert [f.message for f in check.check_record(rec)] == expected


# -- SFT112: list lines counted with one expression ---------------------------------------------------


def list_text(indents: list[str], markers: list[str], words: list[str], breaks: list[str]) -> st.SearchStrategy[str]:
    line = st.tuples(
        st.sampled_from(indents),
        st.sampled_from(markers),
        st.sampled_from(["", " ", "\t", "  "]),
        st.sampled_from(words),
    ).map("".join)
    return st.lists(st.tuples(line, st.sampled_from(breaks))).map(lambda pairs: "".join(a + b for a, b in pairs))


ASCII_LISTS = list_text(
    ["", " ", "  ", "\t", "\x1f"],
    ["", "1.", "2)", "10.", "1234.", "-", "*", "+", "x", "7"],
    ["", "item", "a b", "1. a"],
    ["\n", "\n\n", "\r\n", "\r", "\x0b", "\x1c", "\n \n"],
)
ANY_LISTS = list_text(
    ["", " ", "\xa0", "\u3000"], ["", "1.", "-", "•", "x"], ["", "item", "é"], ["\n", "\u2028", "\x85", "\r\n"]
)


@settings(max_examples=500, deadline=None)
@given(ASCII_LISTS | ANY_LISTS)
def test_list_detection_matches_the_definition(text: str) -> None:
    stripped = text.strip()
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    numbered = sum(1 for ln in lines if _NUMBERED.match(ln))
    bullets = sum(1 for ln in lines if _BULLET.match(ln))
    if not stripped:
        return
    kind = profile(text)[0][0]
    if numbered + bullets >= 2 and 2 * (numbered + bullets) >= len(lines):
        assert kind == ("numbered-list" if numbered >= bullets else "bullet-list")
    elif len(lines) == 1 and len(stripped) <= 40 and len(stripped.split()) <= 3:
        assert kind == "label"
    else:
        assert kind == "prose"


# -- the shared text layer: excerpts, words, squashed fields (SFT103, SFT110, SFT206) ----------

SIGMA_WORDS = ["ΟΔΟΣ", "Σ", "σ", "İ", "ß", "Ünï", "word", "WORD", "a1", "_", "日本", "\ud800"]


@settings(max_examples=400, deadline=None)
@given(texts(WORDS + SIGMA_WORDS, SPACES, 120), st.sampled_from([1, 5, 30, 60, 80, 200]))
def test_excerpt_matches_the_definition(text: str, limit: int) -> None:
    flat = re.sub(r"\s+", " ", text).strip()
    assert excerpt(text, limit) == (flat if len(flat) <= limit else flat[: limit - 1] + "…")


@settings(max_examples=400, deadline=None)
@given(texts(WORDS + SIGMA_WORDS, SPACES, 60))
def test_utf8_words_are_the_encoded_alnum_words(text: str) -> None:
    assert alnum_words_utf8(text) == [w.encode("utf-8", "surrogatepass") for w in alnum_words(text)]


@settings(max_examples=300, deadline=None)
@given(texts(WORDS + SIGMA_WORDS, SPACES, 40))
def test_shingle_hashes_are_the_crc32_of_the_spelled_out_3grams(text: str) -> None:
    tokens = alnum_words(text)
    shingles = [" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2)] if len(tokens) >= 3 else tokens or [""]
    expected = [zlib.crc32(s.encode("utf-8", "surrogatepass")) for s in shingles]
    assert list(_shingle_hashes(alnum_words_utf8(text))) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(texts(WORDS + SIGMA_WORDS, SPACES, 40), min_size=1, max_size=8))
def test_label_signatures_are_the_minhash_of_each_text(batch: list[str]) -> None:
    batch = [*batch, "", "word " * 5000, "Ünï 日本 ﬁle " * 300]  # empty, huge, non-ASCII
    per_text = [list(_shingle_hashes(alnum_words_utf8(text))) for text in batch]
    hashes = array("I", [h for text in per_text for h in text])
    got = _signatures(hashes, [len(text) for text in per_text])
    wrap = (1 << 64) - 1  # the products and sums wrap around at 64 bits, as numpy's do
    for row, text in zip(got, per_text, strict=True):
        mins = [min(((h * int(a) & wrap) + int(b) & wrap) % _PRIME for h in text) for a, b in zip(_A, _B, strict=True)]
        assert row.tolist() == [value & 0xFFFF for value in mins]


def _plain_squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@settings(max_examples=600, deadline=None)
@given(
    texts(WORDS + SIGMA_WORDS, SPACES, 60)
    | texts([w for w in WORDS if w.isascii()], ASCII_SPACES, 60)
    | st.lists(st.sampled_from(["Word", "X", " " * 5, " " * 17, "\n" * 40, "\t \r\n"]), max_size=20).map("".join)
)
def test_squash_matches_the_definition(text: str) -> None:
    """ASCII text is squashed by translating and replacing runs of spaces; the rest by splitting."""
    assert squash(text) == _plain_squash(text)


def test_squash_of_empty_and_huge_texts() -> None:
    huge = "Ab  c\n\n" * 50_000 + " " * 70_000
    edges = ["A" + " " * 100_001 + "B", "\tX\n\n", "Ünï  \xa0 X", "ΑΣ  Σ", " İ ", "\x1c\x1d\x1e\x1f"]
    for text in ["", " ", " " * 100_000, "\x1c\x1f\x0b", "A" * 100_000, huge + "É", huge + "z", *edges]:
        assert squash(text) == _plain_squash(text)


def test_ascii_squash_table_is_split_whitespace_and_lower_case() -> None:
    for b in range(128):
        assert _ASCII_SQUASH[b] == (32 if chr(b).isspace() else ord(chr(b).lower()))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(ASCII_SPACES + "aZ .\x00\x7f") | st.characters(max_codepoint=127), max_size=40))
def test_ascii_squash_matches_the_definition(text: str) -> None:
    assert squash(text) == " ".join(text.split()).lower()


@settings(max_examples=400, deadline=None)
@given(texts(WORDS + SIGMA_WORDS, SPACES, 20), texts(WORDS + SIGMA_WORDS, SPACES, 20), texts(SIGMA_WORDS, SPACES, 20))
def test_squashed_fields_and_prompt_match_the_definition(instruction: str, given_input: str, response: str) -> None:
    alpaca = record({"instruction": instruction, "input": given_input, "output": response})
    chat = record({"messages": [{"role": "system", "content": given_input}, {"role": "user", "content": instruction},
                                {"role": "assistant", "content": response}]})  # fmt: skip
    for found in (alpaca, chat):
        assert squashed(found) == (squash(found.instruction), squash(found.input), squash(found.response))
        assert squashed_prompt(found) == squash(found.prompt)
    plain = [squash(alpaca.instruction), squash(alpaca.input), squash(alpaca.response)]
    key = hashlib.blake2b("\x1f".join(plain).encode("utf-8", "surrogatepass"), digest_size=16).digest()
    assert content_key(alpaca) == key


@settings(max_examples=400, deadline=None)
@given(texts(["4.", "-", "*", "12)", "item", "\n", "\n\n", "•"], " \t\n\r\x0b\u2028", 12))
def test_empty_item_matches_the_definition(text: str) -> None:
    body, _, last_line = text.rpartition("\n")
    expected = bool(body and _EMPTY_ITEM.match(last_line))
    assert (_empty_item(text) is not None) == expected
    if expected:
        assert _empty_item(text) == f"stops at an empty list item: {last_line.strip()!r}"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from([chr(c) for c in UNPRINTABLE]) | st.characters(), max_size=20))
def test_printable_matches_translating_every_text(text: str) -> None:
    """`printable` translates only text with something to escape: the same text either way."""
    assert printable(text) == text.translate(_PRINTABLE)
