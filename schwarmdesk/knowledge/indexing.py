"""How articles appear in the search index: published ones for everyone, nothing else at all."""

from __future__ import annotations

from collections.abc import Sequence

from schwarmdesk.core.markdown import markdown_to_text
from schwarmdesk.knowledge.models import Article, Status
from schwarmdesk.search.indexing import IndexEntry, index_document, remove_document
from schwarmdesk.search.models import Audience, Kind
from schwarmdesk.search.registry import IndexSource, register

# Feedback moves an article's ranking only once a few readers have answered: the prior of five
# imaginary neutral votes keeps one "No" from burying a new article.
FEEDBACK_PRIOR = 5


def feedback_quality(helpful_yes: int, helpful_no: int) -> float:
    """A ranking prior in (-1, 1) from "Was this helpful?" answers."""
    return (helpful_yes - helpful_no) / (helpful_yes + helpful_no + FEEDBACK_PRIOR)


def article_entry(article: Article) -> IndexEntry | None:
    """The index entry of an article, or None when it must not be found (draft, archived)."""
    if article.status != Status.PUBLISHED:
        return None
    return IndexEntry(
        kind=Kind.ARTICLE,
        object_id=article.pk,
        audience=Audience.PUBLIC,
        title=article.title,
        body=markdown_to_text(article.body),
        language=article.language,
        url=article.get_absolute_url(),
        category=article.category.slug,
        quality=feedback_quality(article.helpful_yes, article.helpful_no),
    )


def sync_article_index(article: Article) -> None:
    """Index a published article, remove any other; in the caller's transaction."""
    entry = article_entry(article)
    if entry is None:
        remove_document(Kind.ARTICLE, article.pk)
    else:
        index_document(entry)


def _batch(after: int, size: int) -> Sequence[tuple[int, IndexEntry | None]]:
    articles = Article.objects.filter(pk__gt=after).select_related("category").order_by("pk")
    return [(article.pk, article_entry(article)) for article in articles[:size]]


def register_source() -> None:
    register(IndexSource(kind=Kind.ARTICLE, batch=_batch, objects=Article.objects.all))
