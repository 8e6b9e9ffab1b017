"""The impact-ordered postings score exactly as BM25 does, and read only the top of each list."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from schwarmdesk.search import lexical
from schwarmdesk.search.lexical_memory import MemoryBM25
from schwarmdesk.search.models import Audience, Kind, SearchDocument, Term

TEXTS = [
    ("rechnung adress", "adress der rechnung andern bitte"),
    ("rout blinkt", "der rout blinkt rot seit gest"),
    ("roaming", "roaming in der eu kostet nicht extra"),
    ("rechnung", "die rechnung ist zu hoch rechnung prufen"),
    ("esim", "esim aktivi am handy"),
    ("vertrag kundig", "vertrag kundig frist rechnung"),
]


def _load(texts: list[tuple[str, str]]) -> list[int]:
    documents = SearchDocument.objects.bulk_create(
        SearchDocument(
            kind=Kind.ARTICLE,
            object_id=number,
            audience=Audience.PUBLIC,
            title=title,
            title_terms=title,
            body_terms=body,
            term_count=lexical.term_frequencies(title, body)[1],
        )
        for number, (title, body) in enumerate(texts, start=1)
    )
    lexical.clear_statistics()
    lexical.write_postings(
        [
            lexical.DocumentTerms(d.pk, *lexical.term_frequencies(d.title_terms, d.body_terms))
            for d in documents
        ],
        replace=False,
    )
    lexical.clear_statistics()
    return [d.pk for d in documents]


def _reference(texts: list[tuple[str, str]], ids: list[int]) -> MemoryBM25:
    # BM25 over the same terms, a title term written three times (as the postings weigh it)
    reference = MemoryBM25()
    for pk, (title, body) in zip(ids, texts, strict=True):
        reference.add(pk, title.split() * 3 + body.split())
    return reference


@pytest.mark.django_db
def test_scores_equal_bm25_over_the_same_terms() -> None:
    # given six documents written in one batch
    ids = _load(TEXTS)
    reference = _reference(TEXTS, ids)

    # when a query is scored by the postings
    query = ["rechnung", "rout", "unbekannt"]
    terms = lexical.query_terms(query)
    hits = lexical.top_matches(terms, limit=10)

    # then the unknown term is dropped, and ranking and scores are BM25's
    assert [t.text for t in terms] == ["rechnung", "rout"]
    expected = reference.search(query, 10)
    assert [pk for pk, _ in hits] == [pk for pk, _ in expected]
    for (_, score), (_, reference_score) in zip(hits, expected, strict=True):
        assert score == pytest.approx(reference_score, rel=1e-6)
    # and any document can be scored, 0.0 where nothing matches
    scores = lexical.scores_for(terms, [ids[2], ids[3]])
    assert scores[ids[2]] == 0.0
    assert scores[ids[3]] == pytest.approx(reference.score(query, [ids[3]])[ids[3]], rel=1e-6)


@pytest.mark.django_db
def test_reading_the_top_of_each_list_still_scores_the_winners_exactly() -> None:
    # given many documents holding "rechnung" and a few also "tarif"
    texts = [("rechnung", f"rechnung nummer{n}") for n in range(40)]
    texts += [("tarif", "rechnung tarif wechsel"), ("tarif rechnung", "tarif rechnung")]
    ids = _load(texts)
    reference = _reference(texts, ids)

    # when only the top 3 postings per term are read
    query = ["rechnung", "tarif"]
    hits = lexical.top_matches(lexical.query_terms(query), limit=3)

    # then the three best are BM25's three best, with their full scores
    expected = reference.search(query, 3)
    assert [pk for pk, _ in hits] == [pk for pk, _ in expected]
    assert [s for _, s in hits] == pytest.approx([s for _, s in expected], rel=1e-6)


@pytest.mark.django_db
def test_filtered_read_returns_only_permitted_documents() -> None:
    # given documents of which only the agent-only ones pass the filter
    ids = _load(TEXTS)
    SearchDocument.objects.filter(pk__in=ids[3:]).update(audience=Audience.AGENTS)

    # when the filtered read runs
    where = lexical.SqlFilter("d.audience = %s", (Audience.AGENTS,))
    hits = lexical.top_matches(lexical.query_terms(["rechnung"]), limit=10, where=where)

    # then "rechnung" is found in the permitted documents only
    assert sorted(pk for pk, _ in hits) == [ids[3], ids[5]]


@pytest.mark.django_db
def test_document_counts_follow_writes_and_deletes() -> None:
    # given the six documents
    ids = _load(TEXTS)
    assert Term.objects.get(text="rechnung").document_count == 3

    # when one is rewritten without the term and another is deleted
    lexical.write_postings(
        [lexical.DocumentTerms(ids[0], *lexical.term_frequencies("adress", "neue adress"))]
    )
    lexical.delete_postings([ids[5]])
    SearchDocument.objects.filter(pk=ids[5]).delete()

    # then the counts moved with them, and nothing of the deleted document is left
    assert Term.objects.get(text="rechnung").document_count == 1
    assert Term.objects.get(text="kundig").document_count == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_posting WHERE document_id = %s", [ids[5]])
        assert cursor.fetchone() == (0,)
    assert lexical.query_terms(["kundig"]) == []


@pytest.mark.django_db
def test_a_bulk_write_stores_every_posting() -> None:
    # given 400 documents with three terms each: 1,200 postings in one write (COPY on PostgreSQL)
    texts = [(f"titel{n % 7}", f"text{n} gemein") for n in range(400)]
    ids = _load(texts)
    reference = _reference(texts, ids)

    # then every posting is there and the counts are right
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_posting")
        assert cursor.fetchone() == (1200,)
    assert Term.objects.get(text="gemein").document_count == 400
    assert Term.objects.get(text="titel3").document_count == 57
    # and scoring matches BM25
    query = ["titel3", "text10"]
    hits = lexical.top_matches(lexical.query_terms(query), limit=5)
    expected = reference.search(query, 5)
    assert [pk for pk, _ in hits] == [pk for pk, _ in expected]


@pytest.mark.django_db(transaction=True)
def test_an_expired_statistic_is_refreshed_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a cached document count of an index that has grown since
    _load(TEXTS[:2])
    assert lexical.document_count() == 2
    SearchDocument.objects.bulk_create(
        SearchDocument(kind=Kind.ARTICLE, object_id=n, audience=Audience.PUBLIC, title=f"{n}")
        for n in range(10, 14)
    )
    monkeypatch.setattr(lexical, "STATS_SECONDS", 0.0)

    # a search gets the old count at once; a thread computes the new one
    assert lexical.document_count() == 2
    for _ in range(200):
        monkeypatch.setattr(lexical, "STATS_SECONDS", 3600.0)
        if lexical.document_count() == len(TEXTS):
            break
        time.sleep(0.05)
    assert lexical.document_count() == len(TEXTS)
