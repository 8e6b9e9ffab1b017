"""The in-process vector index: exact and approximate search, incremental updates, filters."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from schwarmdesk.search.vectors import VectorIndex


def _random_vectors(count: int, dimension: int = 32, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, dimension)).astype(np.float32)


def test_exact_search_returns_cosine_best_first() -> None:
    index = VectorIndex(2)
    index.add([1, 2, 3], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

    hits = index.search([2.0, 0.0], 3)

    assert [item_id for item_id, _ in hits] == [1, 3, 2]
    assert [round(score, 4) for _, score in hits] == [1.0, 0.7071, 0.0]


def test_exact_and_approximate_agree_on_top1_for_random_data() -> None:
    vectors = _random_vectors(600)
    ids = list(range(1000, 1600))
    exact = VectorIndex(32)
    approximate = VectorIndex(32, approximate_from=100)
    exact.add(ids, vectors)
    approximate.add(ids, vectors)
    queries = _random_vectors(50, seed=11)

    agree = sum(
        exact.search(query, 1)[0][0] == approximate.search(query, 1)[0][0] for query in queries
    )

    assert not exact.is_approximate
    assert approximate.is_approximate
    assert agree >= 48  # HNSW is approximate; on 600 items it finds the true best nearly always


def test_adding_past_the_threshold_switches_to_hnsw_and_removing_switches_back() -> None:
    index = VectorIndex(32, approximate_from=100)
    vectors = _random_vectors(120)
    index.add(list(range(60)), vectors[:60])
    assert not index.is_approximate

    index.add(list(range(60, 120)), vectors[60:])
    assert index.is_approximate
    assert index.search(vectors[100], 1)[0][0] == 100

    index.remove(list(range(75)))
    assert not index.is_approximate  # below half the threshold: exact again
    assert len(index) == 45
    assert index.search(vectors[100], 1)[0][0] == 100


def test_incremental_add_replace_and_remove() -> None:
    index = VectorIndex(2)
    index.add([1, 2], [[1.0, 0.0], [0.0, 1.0]])
    index.add([3], [[0.6, 0.8]])
    index.add([1], [[-1.0, 0.0]])  # replaces id 1
    index.remove([2, 99])  # 99 is unknown: ignored

    hits = index.search([1.0, 0.0], 5)

    assert len(index) == 2
    assert 2 not in index
    assert [(item_id, round(score, 3)) for item_id, score in hits] == [(3, 0.6), (1, -1.0)]


def test_incremental_updates_in_approximate_mode() -> None:
    index = VectorIndex(32, approximate_from=50)
    vectors = _random_vectors(80)
    index.add(list(range(80)), vectors)
    new = _random_vectors(1, seed=99)[0]

    index.add([500], [new])
    index.remove([3])

    assert index.search(new, 1)[0][0] == 500
    assert 3 not in {item_id for item_id, _ in index.search(vectors[3], 10)}


def test_allowed_filter_in_exact_and_approximate_mode() -> None:
    vectors = _random_vectors(200)
    for approximate_from in (1_000, 50):
        index = VectorIndex(32, approximate_from=approximate_from)
        index.add(list(range(200)), vectors)

        hits = index.search(vectors[10], 5, allowed=lambda item_id: item_id % 2 == 1)

        assert len(hits) == 5
        assert all(item_id % 2 == 1 for item_id, _ in hits)
        assert 10 not in {item_id for item_id, _ in hits}


def test_similarities_are_exact_for_known_ids_only() -> None:
    index = VectorIndex(2)
    index.add([1, 2], [[3.0, 4.0], [0.0, 2.0]])

    scores = index.similarities([0.0, 1.0], [2, 1, 42])

    assert {key: round(value, 3) for key, value in scores.items()} == {2: 1.0, 1: 0.8}


def test_empty_index_and_mismatched_input() -> None:
    index = VectorIndex(4)
    assert index.search([1.0, 0.0, 0.0, 0.0], 3) == []
    with pytest.raises(ValueError, match="2 ids but 1 vectors"):
        index.add([1, 2], [[1.0, 0.0, 0.0, 0.0]])


def test_concurrent_adds_keep_every_vector() -> None:
    index = VectorIndex(8)
    vectors = _random_vectors(400, dimension=8)

    def add(start: int) -> None:
        for i in range(start, start + 100):
            index.add([i], vectors[i : i + 1])

    threads = [threading.Thread(target=add, args=(start,)) for start in (0, 100, 200, 300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(index) == 400
    assert index.search(vectors[321], 1)[0][0] == 321
