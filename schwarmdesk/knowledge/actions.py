"""Every state change on help-center categories, articles, versions and feedback.

Only agents write articles. Each action keeps the search index right in its own transaction:
a published article is indexed for everyone, a draft, archived or deleted one is removed.
"""

from __future__ import annotations

import logging
import re

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from schwarmdesk.community.models import Question
from schwarmdesk.community.models import Visibility as QuestionVisibility
from schwarmdesk.core.errors import Conflict, Invalid, NotFound
from schwarmdesk.knowledge.indexing import sync_article_index
from schwarmdesk.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    Category,
    Status,
)
from schwarmdesk.knowledge.queries import agent_of
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent
from schwarmdesk.search.indexing import remove_document
from schwarmdesk.search.models import Kind

log = logging.getLogger(__name__)

LANGUAGES = ("de", "en")
MAX_TITLE = 200
MAX_COMMENT = 2000
SLUG_LENGTH = 100
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def make_slug(title: str) -> str:
    """An ASCII address from a title, with German umlauts spelled out ("ändern" → "aendern")."""
    slug = slugify(title.lower().translate(_TRANSLITERATION))[:SLUG_LENGTH].strip("-")
    return slug or "article"


def access_article(actor: Actor, pk: int, *, for_update: bool = False) -> Article:
    """The article with this id if the actor may see it (``for_update``: may change it).

    Everyone sees published articles; agents see drafts and archived ones too. Only agents may
    change articles. "May not" and "does not exist" both raise :class:`NotFound`.
    """
    is_agent = agent_of(actor) is not None
    if for_update and not is_agent:
        raise NotFound("no such article")
    articles = Article.objects.select_related("category")
    if not is_agent:
        articles = articles.filter(status=Status.PUBLISHED)
    if for_update:
        articles = articles.select_for_update(of=("self",))
    article = articles.filter(pk=pk).first()
    if article is None:
        raise NotFound("no such article")
    return article


def _access_for_writing(actor: Actor, article: Article) -> tuple[Agent, Article]:
    """The writing agent and the locked, freshly read article; NotFound for everyone else."""
    article = access_article(actor, article.pk, for_update=True)
    agent = agent_of(actor)
    if agent is None:  # access_article(for_update=True) already refused non-agents
        raise NotFound("no such article")
    return agent, article


def _require_agent(actor: Actor) -> Agent:
    agent = agent_of(actor)
    if agent is None:
        raise Invalid("only agents write help-center articles")
    return agent


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise Invalid("an article needs a title")
    if len(cleaned) > MAX_TITLE:
        raise Invalid(f"a title has at most {MAX_TITLE} characters")
    return cleaned


def _clean_body(body: str) -> str:
    cleaned = body.strip().replace("\r\n", "\n")
    if not cleaned:
        raise Invalid("an article needs a text")
    return cleaned


def _free_slug(language: str, title: str) -> str:
    base = make_slug(title)
    taken = set(
        Article.objects.filter(language=language, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def save_category(actor: Actor, category: Category) -> Category:
    """Store a new or edited category and re-index its published articles (the index keeps the
    category's short name)."""
    _require_agent(actor)
    if not re.fullmatch(r"[-a-z0-9]+", category.slug):
        raise Invalid("a category's short name has only lower-case letters, digits and hyphens")
    if not category.name.strip():
        raise Invalid("a category needs a name")
    parent = category.parent
    while parent is not None:
        if parent.pk == category.pk:
            raise Invalid("a category cannot be inside itself")
        parent = parent.parent
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise Conflict(f"the short name {category.slug!r} is taken") from None
    for article in category.articles.filter(status=Status.PUBLISHED).select_related("category"):
        sync_article_index(article)
    return category


@transaction.atomic
def delete_category(actor: Actor, category: Category) -> Category:
    """Delete an empty category; one that holds articles or categories raises Conflict."""
    _require_agent(actor)
    if category.articles.exists() or category.children.exists():
        raise Conflict("move or delete the category's articles and sub-categories first")
    category.delete()
    return category


@transaction.atomic
def create_category(
    actor: Actor,
    *,
    name: str,
    slug: str,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    position: int = 0,
    parent: Category | None = None,
) -> Category:
    """Create a category, or update the one with this short name (idempotent)."""
    category = Category.objects.filter(slug=slug).first() or Category(slug=slug)
    category.name = name.strip()
    category.name_en = name_en.strip()
    category.description = description.strip()
    category.description_en = description_en.strip()
    category.position = position
    category.parent = parent
    return save_category(actor, category)


@transaction.atomic
def create_article(
    actor: Actor,
    *,
    category: Category,
    language: str,
    title: str,
    body: str,
    translation_of: Article | None = None,
    publish: bool = False,
) -> Article:
    """Write a new article (version 1), as a draft or published at once.

    ``translation_of`` links it to the other-language variant of the same article; each
    translation group holds at most one article per language.
    """
    author = _require_agent(actor)
    if language not in LANGUAGES:
        raise Invalid(f"unknown article language {language!r}")
    title = _clean_title(title)
    body = _clean_body(body)
    article = Article(
        category=category,
        language=language,
        slug=_free_slug(language, title),
        title=title,
        body=body,
        author=author,
    )
    if translation_of is not None:
        original = access_article(actor, translation_of.pk, for_update=True)
        if Article.objects.filter(
            translation_group=original.translation_group, language=language
        ).exists():
            raise Conflict(f"this article already has a variant in {language!r}")
        article.translation_group = original.translation_group
    if publish:
        article.status = Status.PUBLISHED
        article.published_at = timezone.now()
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        # A concurrent translation or the same slug won the race: nothing was stored.
        raise Conflict("an article with this language and address was just created") from None
    version = ArticleVersion.objects.create(
        article=article, number=1, title=title, body=body, author=author, change_note=""
    )
    article.current_version = version
    article.save(update_fields=["current_version"])
    sync_article_index(article)
    log.info("article.created id=%s language=%s status=%s", article.pk, language, article.status)
    return article


@transaction.atomic
def update_article(
    actor: Actor,
    article: Article,
    *,
    title: str,
    body: str,
    change_note: str = "",
    category: Category | None = None,
) -> Article:
    """Save a new version of the article's title and text; the address stays the same.

    A new ``category`` moves the article without a new version (the text did not change).
    """
    author, article = _access_for_writing(actor, article)
    title = _clean_title(title)
    body = _clean_body(body)
    if category is not None and category.pk != article.category_id:
        article.category = category
        article.save(update_fields=["category", "updated_at"])
        sync_article_index(article)
    if (title, body) == (article.title, article.body):
        return article
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    version = ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=title,
        body=body,
        author=author,
        change_note=" ".join(change_note.split())[:300],
    )
    article.title = title
    article.body = body
    article.current_version = version
    article.save(update_fields=["title", "body", "current_version", "updated_at"])
    sync_article_index(article)
    return article


def _set_status(actor: Actor, article: Article, status: Status) -> Article:
    _author, article = _access_for_writing(actor, article)
    if article.status == status:
        return article
    article.status = status
    fields = ["status", "updated_at"]
    if status == Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.save(update_fields=fields)
    sync_article_index(article)
    log.info("article.status id=%s status=%s", article.pk, status)
    return article


@transaction.atomic
def publish_article(actor: Actor, article: Article) -> Article:
    return _set_status(actor, article, Status.PUBLISHED)


@transaction.atomic
def unpublish_article(actor: Actor, article: Article) -> Article:
    """Back to draft: only agents see it, search no longer finds it."""
    return _set_status(actor, article, Status.DRAFT)


@transaction.atomic
def archive_article(actor: Actor, article: Article) -> Article:
    """Hide an outdated article from readers and search; agents still see it."""
    return _set_status(actor, article, Status.ARCHIVED)


@transaction.atomic
def delete_article(actor: Actor, article: Article) -> Article:
    """Delete the article with its versions and feedback; returns the (now unsaved) object."""
    _author, article = _access_for_writing(actor, article)
    pk = article.pk
    remove_document(Kind.ARTICLE, pk)
    article.delete()
    log.info("article.deleted id=%s", pk)
    return article


@transaction.atomic
def record_feedback(
    actor_or_session: Actor | str,
    article: Article,
    *,
    is_helpful: bool,
    comment: str = "",
) -> Article:
    """Count one reader's "Was this helpful?" answer; a second answer replaces the first.

    The reader is a logged-in user, or else a session key (a string). Only published articles
    take feedback. The counters move with F() expressions and the search ranking follows.
    """
    user, session_key = _reader_key(actor_or_session)
    locked = (
        Article.objects.select_for_update()
        .select_related("category")
        .filter(pk=article.pk, status=Status.PUBLISHED)
        .first()
    )
    if locked is None:  # drafts and archived articles take no feedback, not even from agents
        raise NotFound("no such article")
    article = locked
    comment = comment.strip()[:MAX_COMMENT]
    lookup = {"user": user} if user is not None else {"session_key": session_key}
    previous = ArticleFeedback.objects.select_for_update().filter(article=article, **lookup).first()
    if previous is None:
        ArticleFeedback.objects.create(
            article=article,
            is_helpful=is_helpful,
            comment=comment,
            user=user,
            session_key="" if user is not None else session_key,
        )
        counter = "helpful_yes" if is_helpful else "helpful_no"
        counters = {counter: F(counter) + 1}
    else:
        counters = {}
        if previous.is_helpful != is_helpful:
            added, removed = ("helpful_yes", "helpful_no")[:: 1 if is_helpful else -1]
            counters = {added: F(added) + 1, removed: F(removed) - 1}
        previous.is_helpful = is_helpful
        previous.comment = comment or previous.comment
        previous.save(update_fields=["is_helpful", "comment", "updated_at"])
    if counters:
        Article.objects.filter(pk=article.pk).update(**counters)
        article.refresh_from_db(fields=["helpful_yes", "helpful_no"])
        sync_article_index(article)
    return article


def _reader_key(actor_or_session: Actor | str) -> tuple[User | None, str]:
    if isinstance(actor_or_session, str):
        if not actor_or_session.strip():
            raise Invalid("feedback needs a session")
        return None, actor_or_session.strip()[:40]
    if isinstance(actor_or_session, User) and actor_or_session.is_authenticated:
        return actor_or_session, ""
    raise Invalid("feedback needs a logged-in user or a session")


@transaction.atomic
def promote_answer(
    actor: Actor, question_id: int, *, category: Category, publish: bool = False
) -> Article:
    """Turn a community question and its accepted answer into a help article (a draft).

    The article keeps a link to the question, and each question becomes at most one article.
    """
    _require_agent(actor)
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("accepted_answer")
        .filter(pk=question_id, visibility=QuestionVisibility.VISIBLE)
        .first()
    )
    if question is None:
        raise NotFound("no such question")
    answer = question.accepted_answer
    if answer is None:
        raise Invalid(_("Only a question with an accepted answer can become an article."))
    if Article.objects.filter(source_question=question).exists():
        raise Conflict(_("This question is already a help article."))
    body = answer.body
    if question.body.strip():
        body = f"{question.body.strip()}\n\n---\n\n{answer.body}"
    article = create_article(
        actor,
        category=category,
        language=question.language,
        title=question.title,
        body=body,
        publish=publish,
    )
    article.source_question = question
    article.save(update_fields=["source_question"])
    log.info("article.promoted id=%s question=%s answer=%s", article.pk, question.pk, answer.pk)
    return article
