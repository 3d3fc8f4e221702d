"""The lexical half of product search: BM25 values, ranking behaviour, typo correction (and where it
must not happen), Chinese tokens, degenerate corpora and a 20k-document scale check."""

from __future__ import annotations

import itertools
import math
import pickle
import threading
import time

import numpy as np
import pytest

from shopops.search import lexical
from shopops.search.lexical import LexicalIndex, QueryTerms, osa_distance
from shopops.support.tokens import tokenize

K1, B = 1.5, 0.75


def _bm25(tf: int, df: int, count: int, length: int, average: float) -> float:
    idf = math.log(1.0 + (count - df + 0.5) / (df + 0.5))
    return idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average))


def _index(texts: list[str]) -> LexicalIndex:
    return LexicalIndex.build([tokenize(text) for text in texts])


def test_bm25_values_equal_a_hand_computation() -> None:
    docs = [["red", "mug"], ["blue", "mug", "mug"], ["red", "steel", "kettl", "lid"]]
    index = LexicalIndex.build(docs)
    average = 9 / 3
    expected = {
        (0, "red"): _bm25(1, 2, 3, 2, average),
        (0, "mug"): _bm25(1, 2, 3, 2, average),
        (1, "blue"): _bm25(1, 1, 3, 3, average),
        (1, "mug"): _bm25(2, 2, 3, 3, average),
        (2, "red"): _bm25(1, 2, 3, 4, average),
        (2, "lid"): _bm25(1, 1, 3, 4, average),
    }
    for (doc, term), value in expected.items():
        only = index.scores(QueryTerms(weights={term: 1.0}))
        assert only[doc] == pytest.approx(value, rel=1e-6)
    scores = index.scores(index.expand(["red", "mug"]))
    assert scores.dtype == np.float32 and scores.shape == (3,)
    assert scores[0] == pytest.approx(expected[0, "red"] + expected[0, "mug"], rel=1e-6)
    assert scores[1] == pytest.approx(expected[1, "mug"], rel=1e-6)
    assert scores[2] == pytest.approx(expected[2, "red"], rel=1e-6)
    assert len(index) == 3 and index.vocabulary_size == 6
    assert index.document_frequency("mug") == 2 and index.document_frequency("teapot") == 0
    assert index.matrix.data.dtype == np.float32 and index.matrix.indices.dtype == np.int32
    # A weight scales a term's column.
    half = index.scores(QueryTerms(weights={"lid": 0.5}))
    assert half[2] == pytest.approx(0.5 * expected[2, "lid"], rel=1e-6)


def test_a_rarer_term_outranks_a_common_one() -> None:
    docs = [["mug", f"filler{i}"] for i in range(6)] + [["ceramic", "filler9"]]
    index = LexicalIndex.build(docs)
    scores = index.scores(index.expand(["mug", "ceramic"]))
    assert int(np.argmax(scores)) == 6
    assert scores[6] > scores[0] > 0


def test_longer_documents_are_normalised() -> None:
    index = _index(["ceramic mug", "ceramic mug with lid handle saucer gift box spoon", "teapot"])
    scores = index.scores(index.expand(tokenize("mug")))
    assert scores[0] > scores[1] > 0 and scores[2] == 0


def test_chinese_query_tokens_match_chinese_product_text() -> None:
    index = _index(["不锈钢保温杯 大容量 500ml", "蓝牙音箱 防水 便携", "Stainless steel water bottle"])
    terms = index.expand(tokenize("保温杯"))
    assert terms.weights and not terms.corrections
    scores = index.scores(terms)
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
    assert "保温杯" in index.matched(0, terms)


def test_a_misspelt_query_finds_the_product_and_reports_the_corrections() -> None:
    index = _index(["Portable Bluetooth Speaker, waterproof", "Kitchen blender 600W", "Wireless earbuds"])
    terms = index.expand(tokenize("bluetoth speker"))
    assert terms.corrections == {"bluetoth": "bluetooth", "speker": "speaker"}
    assert terms.weights == {"bluetooth": 0.7, "speaker": 0.7}
    scores = index.scores(terms)
    assert int(np.argmax(scores)) == 0 and scores[1] == scores[2] == 0
    # A correction weighs less than the word typed right.
    exact = index.scores(index.expand(tokenize("bluetooth speaker")))
    assert exact[0] > scores[0]


def test_short_tokens_numbers_and_chinese_are_not_corrected() -> None:
    index = _index(["Ceramic mug 500 ml", "Water bottle 500ml", "不锈钢保温杯"])
    for query in ["mig", "600", "600ml", "5000", "保暖杯"]:
        terms = index.expand(tokenize(query))
        assert terms.corrections == {}, query
        assert not index.scores(terms).any(), query


def test_long_words_are_corrected_at_distance_two_short_ones_only_at_one() -> None:
    index = _index(["Digital kitchen thermometer", "Glass blender jar"])
    terms = index.expand(tokenize("termometr"))  # 9 letters, two letters missing
    assert terms.corrections == {"termometr": "thermometer"}
    assert terms.weights == {"thermometer": 0.5}
    assert index.scores(terms)[0] > 0
    assert index.expand(["blndr"]).is_empty()  # 5 letters: two edits from "blender" is too far


def test_the_closest_candidate_wins_then_the_most_frequent() -> None:
    docs = [["strainer"]] + [["straine", f"x{i}"] for i in range(4)]
    index = LexicalIndex.build(docs)
    # Both one edit away: the term in more documents wins.
    assert index.expand(["strainr"]).corrections == {"strainr": "straine"}
    # One edit beats two, whatever the document frequency.
    assert index.expand(["strainerr"]).corrections == {"strainerr": "strainer"}


def _reference_osa(first: str, second: str) -> int:
    table = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i in range(len(first) + 1):
        table[i][0] = i
    for j in range(len(second) + 1):
        table[0][j] = j
    for i in range(1, len(first) + 1):
        for j in range(1, len(second) + 1):
            cost = first[i - 1] != second[j - 1]
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def test_osa_distance_known_values() -> None:
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("speaker", "speakre") == 1  # a transposition is one edit
    assert osa_distance("ca", "abc") == 3  # OSA edits no substring twice (full Damerau gives 2)
    assert osa_distance("", "mug") == 3 and osa_distance("mug", "mug") == 0


def test_the_deletion_neighbourhood_finds_what_a_full_scan_finds() -> None:
    """Dense random words over five letters: many near neighbours, so any candidate the SymSpell
    look-up missed (prefix truncation, per-term deletion depth) would show against brute force."""
    rng = np.random.default_rng(7)
    vocabulary = sorted({"".join(rng.choice(list("abcde"), size=n)) for n in rng.integers(3, 11, size=500)})
    docs = [[word] for word in vocabulary for _ in range(int(rng.integers(1, 4)))]
    index = LexicalIndex.build(docs)
    queries: set[str] = set()
    for word in rng.choice(vocabulary, size=150):
        chars = list(word)
        position = int(rng.integers(0, len(chars)))
        edit = int(rng.integers(0, 3))
        if edit == 0:
            chars.insert(position, str(rng.choice(list("abcde"))))
        elif edit == 1:
            del chars[position]
        else:
            chars[position] = str(rng.choice(list("abcde")))
        queries.add("".join(chars))
    queries.update("".join(rng.choice(list("abcde"), size=n)) for n in rng.integers(4, 12, size=100))
    checked = 0
    for query in sorted(queries - set(vocabulary)):
        if len(query) < 4:
            continue
        limit = 2 if len(query) >= 8 else 1
        ranked = sorted(
            (_reference_osa(query, term), -index.document_frequency(term), term)
            for term in vocabulary
            if abs(len(term) - len(query)) <= limit  # the distance is at least the length difference
        )
        expected = ranked[0][2] if ranked and ranked[0][0] <= limit else None
        assert index.expand([query]).corrections.get(query) == expected, query
        checked += 1
    assert checked > 150


def test_empty_query_scores_zero() -> None:
    index = _index(["Ceramic mug", "Teapot"])
    terms = index.expand([])
    assert terms.is_empty() and terms.corrections == {}
    scores = index.scores(terms)
    assert scores.shape == (2,) and not scores.any()


def test_a_corpus_without_vocabulary_works() -> None:
    index = LexicalIndex.build([[], [], []])
    assert len(index) == 3 and index.vocabulary_size == 0
    terms = index.expand(["mug", "kettle"])
    assert terms.is_empty()
    assert index.scores(terms).tolist() == [0.0, 0.0, 0.0]
    assert index.matched(1, terms) == ()
    nothing = LexicalIndex.build([])
    assert len(nothing) == 0 and nothing.scores(nothing.expand(["mug"])).shape == (0,)


def test_matched_lists_only_the_shared_terms() -> None:
    index = _index(["Red ceramic mug", "Blue steel kettle", "Red kettle"])
    terms = index.expand(tokenize("red kettle teapot"))
    assert index.matched(0, terms) == ("red",)
    assert index.matched(1, terms) == ("kettl",)
    assert index.matched(2, terms) == ("red", "kettl")
    with pytest.raises(IndexError):
        index.matched(3, terms)


def test_the_neighbourhood_is_built_once_under_concurrent_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index(["Portable Bluetooth Speaker", "Digital kitchen thermometer"])
    builds: list[int] = []
    original = lexical._DeletionNeighbourhood.build

    def slow_build(terms: tuple[str, ...]) -> lexical._DeletionNeighbourhood:
        builds.append(1)
        time.sleep(0.05)
        return original(terms)

    monkeypatch.setattr(lexical._DeletionNeighbourhood, "build", staticmethod(slow_build))
    results: list[dict[str, str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(index.expand(["speker"]).corrections))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert results == [{"speker": "speaker"}] * 8


def test_an_index_survives_pickling() -> None:
    index = _index(["Portable Bluetooth Speaker", "Digital kitchen thermometer"])
    index.expand(["speker"])  # build the neighbourhood first: it must not travel
    copy = pickle.loads(pickle.dumps(index))
    terms = copy.expand(tokenize("bluetoth"))
    assert terms.corrections == {"bluetoth": "bluetooth"}
    assert np.array_equal(copy.scores(terms), index.scores(terms))


def test_twenty_thousand_synthetic_documents_build_and_score() -> None:
    rng = np.random.default_rng(3)
    words = np.array([f"w{i:05d}" for i in range(8000)] + [f"term{chr(97 + i % 26)}{i}" for i in range(2000)])
    weights = 1.0 / np.arange(1, len(words) + 1)
    weights /= weights.sum()
    lengths = rng.integers(40, 121, size=20_000)
    flat = words[rng.choice(len(words), size=int(lengths.sum()), p=weights)].tolist()
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    docs = [flat[start:end] for start, end in itertools.pairwise(bounds)]
    index = LexicalIndex.build(docs)
    assert len(index) == 20_000 and index.vocabulary_size <= len(words)
    terms = index.expand([str(words[0]), str(words[500]), "termx23", "nosuchword"])
    scores = index.scores(terms)
    assert scores.shape == (20_000,) and scores.dtype == np.float32
    assert np.isfinite(scores).all() and scores.max() > 0
    best = int(np.argmax(scores))
    assert index.matched(best, terms)
