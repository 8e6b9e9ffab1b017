"""Query terms that nearly every document holds are left out of the full-text query."""

from __future__ import annotations

from django.db import connection

from schwarmdesk.search import lexical
from schwarmdesk.search.models import Audience, Kind, SearchDocument


def test_frequent_terms_are_pruned_but_the_rarest_are_kept(db: None) -> None:
    # given 1,200 documents that all hold "gemein", "oft" and "weit", five also "selten"
    SearchDocument.objects.bulk_create(
        SearchDocument(
            kind=Kind.ARTICLE,
            object_id=number,
            audience=Audience.PUBLIC,
            title=f"Dokument {number}",
            title_terms="gemein oft weit",
            body_terms="gemein selten" if number <= 5 else "gemein",
        )
        for number in range(1, 1201)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
    lexical._stats.clear()  # statistics are cached per process for a minute

    # then a query with a frequent, a rare and an unknown term drops the frequent one
    assert lexical.prune_frequent(["anders", "gemein", "selten"]) == ["anders", "selten"]
    # and a query of frequent terms only keeps two of them
    assert lexical.prune_frequent(["gemein", "oft", "weit"]) == ["gemein", "oft"]
    # and the matches come from the rare term alone
    ids = {pk for pk, _ in lexical.ranked_matches(["gemein", "selten", "anders"], limit=100)}
    assert len(ids) == 5
