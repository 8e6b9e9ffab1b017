"""Reads for the help center, the admin and (later) the inbox sidebar.

Readers see published articles; agents also see drafts and archived ones (with a banner).
Lists in the help center show published articles only, one per translation group, in the
reader's language where that variant exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from schwarmdesk.core.errors import NotFound
from schwarmdesk.knowledge.models import Article, ArticleFeedback, Category, Status
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent
from schwarmdesk.search.queries import SearchHit, search

SEARCH_LIMIT = 20


def agent_of(actor: Actor) -> Agent | None:
    """The actor's agent profile if the actor is an active, logged-in agent."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    agent: Agent | None = getattr(actor, "agent", None)
    return agent


def readable_articles(reader: Actor) -> QuerySet[Article]:
    articles = Article.objects.select_related("category", "author")
    if agent_of(reader) is None:
        articles = articles.filter(status=Status.PUBLISHED)
    return articles


def get_article(reader: Actor, *, language: str, slug: str) -> Article:
    article = readable_articles(reader).filter(language=language, slug=slug).first()
    if article is None:
        raise NotFound("no such article")
    return article


def get_category(slug: str) -> Category:
    category = Category.objects.select_related("parent").filter(slug=slug).first()
    if category is None:
        raise NotFound("no such category")
    return category


@dataclass(frozen=True)
class CategorySummary:
    category: Category
    name: str
    description: str
    article_count: int  # published articles, a German/English pair counted once


def list_categories(language: str, *, parent: Category | None = None) -> list[CategorySummary]:
    """Categories (top level, or the children of ``parent``) that hold published articles."""
    published = Q(articles__status=Status.PUBLISHED)
    categories = (
        Category.objects.filter(parent=parent)
        .annotate(group_count=Count("articles__translation_group", filter=published, distinct=True))
        .order_by("position", "name", "pk")
    )
    return [
        CategorySummary(
            category=category,
            name=category.name_in(language),
            description=category.description_in(language),
            article_count=category.group_count,
        )
        for category in categories
        if category.group_count or parent is not None
    ]


def _prefer_language(articles: list[Article], language: str) -> list[Article]:
    """One article per translation group, the reader's language first, then by title."""
    chosen: dict[str, Article] = {}
    for article in articles:
        key = str(article.translation_group)
        if key not in chosen or (article.language == language != chosen[key].language):
            chosen[key] = article
    return sorted(chosen.values(), key=lambda a: (a.language != language, a.title.casefold(), a.pk))


def list_category_articles(category: Category, language: str) -> list[Article]:
    articles = Article.objects.filter(category=category, status=Status.PUBLISHED).select_related(
        "category"
    )
    return _prefer_language(list(articles), language)


def list_popular_articles(language: str, *, limit: int = 5) -> list[Article]:
    """The most helpful published articles, in the reader's language where it exists."""
    articles = Article.objects.filter(status=Status.PUBLISHED).select_related("category")
    ranked = sorted(
        _prefer_language(list(articles), language),
        key=lambda a: (a.language != language, -(a.helpful_yes - a.helpful_no), a.title),
    )
    return ranked[:limit]


def list_translations(reader: Actor, article: Article) -> list[Article]:
    """The article's other-language variants that the reader may see."""
    return list(
        readable_articles(reader)
        .filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def search_articles(
    reader: Actor, text: str, *, language: str = "", category: str = "", limit: int = SEARCH_LIMIT
) -> list[SearchHit]:
    """Published articles matching the text, in any language unless one is asked for."""
    return search(
        reader, text, kinds=("article",), language=language, category=category, limit=limit
    )


def related_articles(
    reader: Actor, text: str, limit: int = 5, *, exclude: Article | None = None
) -> list[SearchHit]:
    """Articles that may help with a text (a conversation, a question, another article).

    ``exclude`` leaves out an article and its translations (an article is not related to
    itself).
    """
    excluded: set[int] = set()
    if exclude is not None:
        excluded = set(
            Article.objects.filter(translation_group=exclude.translation_group).values_list(
                "pk", flat=True
            )
        )
    hits = search(reader, text, kinds=("article",), limit=limit + len(excluded))
    return [hit for hit in hits if hit.object_id not in excluded][:limit]


def given_feedback(
    article: Article, *, reader: Actor, session_key: str | None
) -> ArticleFeedback | None:
    """The reader's answer to "Was this helpful?" for this article, or None."""
    feedback = ArticleFeedback.objects.filter(article=article)
    if reader is not None and reader.is_authenticated:
        return feedback.filter(user_id=reader.pk).first()
    if session_key:
        return feedback.filter(session_key=session_key).first()
    return None
