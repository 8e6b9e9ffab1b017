"""The in-memory BM25 reference index."""

from __future__ import annotations

import math

import pytest

from schwarmdesk.search.lexical_memory import MemoryBM25


def _index() -> MemoryBM25:
    index = MemoryBM25()
    index.add(1, ["passwort", "vergess", "link"])
    index.add(2, ["rechnung", "adress", "andern"])
    index.add(3, ["passwort", "andern", "passwort"])
    return index


def test_search_ranks_by_bm25() -> None:
    hits = _index().search(["passwort", "andern"], 10)

    assert [doc_id for doc_id, _ in hits] == [3, 1, 2]


def test_score_matches_lucene_formula() -> None:
    index = MemoryBM25()
    index.add(1, ["a", "b"])
    index.add(2, ["c", "d"])

    ((doc_id, score),) = index.search(["a"], 5)

    idf = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    assert doc_id == 1
    assert score == pytest.approx(idf * 2.2 / (1 + 1.2))  # tf 1, length = average


def test_score_gives_any_documents_score_including_zero() -> None:
    index = _index()
    searched = dict(index.search(["passwort"], 10))

    scores = index.score(["passwort"], [1, 2, 3, 42])

    assert scores == {1: searched[1], 2: 0.0, 3: searched[3]}


def test_add_replaces_and_remove_forgets() -> None:
    index = _index()
    index.add(1, ["rechnung"])
    index.remove(2)
    index.remove(99)

    assert len(index) == 2
    assert 2 not in index
    assert [doc_id for doc_id, _ in index.search(["rechnung"], 10)] == [1]
    assert index.search(["vergess"], 10) == []


def test_empty_index_and_k() -> None:
    assert MemoryBM25().search(["x"], 3) == []
    assert len(_index().search(["passwort", "andern", "rechnung"], 2)) == 2
