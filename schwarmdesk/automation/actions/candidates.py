"""The answer bot's agent and settings, and the answer candidates with their confidence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from schwarmdesk.automation.models import (
    DEFAULT_PUBLIC_THRESHOLD,
    DEFAULT_THRESHOLD,
    PUBLIC_CHANNELS,
    BotSetting,
    SourcePrior,
)
from schwarmdesk.community.models import Question
from schwarmdesk.community.models import Visibility as PostVisibility
from schwarmdesk.conversations.models import Status
from schwarmdesk.knowledge.models import Article
from schwarmdesk.knowledge.models import Status as ArticleStatus
from schwarmdesk.people.models import Agent
from schwarmdesk.text.analysis import analyze_query

if TYPE_CHECKING:
    from schwarmdesk.search.duplicates import SimilarItem

log = logging.getLogger(__name__)

BOT_USERNAME = "schwarmdesk-assistent"
BOT_NAME = "Schwarmdesk-Assistent"
BOT_INITIALS = "SDA"
MIN_TOPIC_LABELS = 20  # fewer labelled items: topic comes from the nearest help article
RETRAIN_EVERY = 20  # this many new labels since the last version: train a new one
REPEAT_HOURS = 24  # earlier messages of the same customer within this window ...
REPEAT_CONTACTS = 2  # ... this many or more: repeated contact
BURST_MINUTES = 60  # triaged messages with the same topic within this window ...
BURST_SIZE = 5  # ... this many or more: a burst (outage)
PRIOR_HELPFUL = 9.0  # Beta prior of a source that never got feedback: mean 0.9
PRIOR_UNHELPFUL = 1.0
CANDIDATES = 3
FEEDBACK_SALT = "schwarmdesk.automation.feedback"
VIP_TAG = "vip"
OPEN_STATUSES = (Status.OPEN, Status.PENDING)


# The bot ----------------------------------------------------------------------------------------


def bot_agent() -> Agent:
    """The answer bot's agent ("Schwarmdesk-Assistent"), created on first use.

    Its account cannot log in (no password, no admin site); it is a superuser only so that
    ``channels.actions.reply`` lets it answer in any team's conversation.
    """
    agent = Agent.objects.select_related("user").filter(user__username=BOT_USERNAME).first()
    if agent is not None:
        return agent
    with transaction.atomic():
        user, _created = User.objects.get_or_create(
            username=BOT_USERNAME,
            defaults={"first_name": BOT_NAME, "is_staff": False, "is_superuser": True},
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        agent, _created = Agent.objects.get_or_create(
            user=user,
            defaults={
                "display_name": BOT_NAME,
                "initials": BOT_INITIALS,
                "languages": ["de", "en"],
                "is_available": False,
            },
        )
    return agent


def is_bot(agent_id: int | None) -> bool:
    return (
        agent_id is not None
        and Agent.objects.filter(pk=agent_id, user__username=BOT_USERNAME).exists()
    )


def bot_setting(channel_kind: str) -> BotSetting:
    """The stored setting of a channel, or the default (public channels have a higher bar)."""
    setting = BotSetting.objects.filter(channel_kind=channel_kind).first()
    if setting is not None:
        return setting
    public = channel_kind in PUBLIC_CHANNELS
    return BotSetting(
        channel_kind=channel_kind,
        threshold=DEFAULT_PUBLIC_THRESHOLD if public else DEFAULT_THRESHOLD,
    )


# Answer candidates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    kind: str  # "article" or "answer" (an accepted community answer)
    object_id: int
    title: str
    url: str
    language: str
    body: str
    similarity: float
    helpfulness: float
    confidence: float
    category: str = ""


def posterior(helpful: int, unhelpful: int) -> float:
    """Posterior mean of "this source solves it": the Beta prior plus the feedback counts."""
    return (PRIOR_HELPFUL + helpful) / (PRIOR_HELPFUL + PRIOR_UNHELPFUL + helpful + unhelpful)


def helpfulness(kind: str, object_id: int) -> float:
    prior = SourcePrior.objects.filter(kind=kind, object_id=object_id).first()
    return posterior(prior.helpful, prior.unhelpful) if prior else posterior(0, 0)


def _priors(keys: list[tuple[str, int]]) -> dict[tuple[str, int], float]:
    """Helpfulness of several sources in one query."""
    if not keys:
        return {}
    where = Q()
    for kind, object_id in keys:
        where |= Q(kind=kind, object_id=object_id)
    rows = SourcePrior.objects.filter(where).values_list(
        "kind", "object_id", "helpful", "unhelpful"
    )
    counts = {(kind, object_id): (yes, no) for kind, object_id, yes, no in rows}
    return {key: posterior(*counts.get(key, (0, 0))) for key in keys}


def _terms(text: str, language: str) -> set[str]:
    return set(analyze_query(text, language or None))


def _overlap(query_terms: set[str], title: str, language: str) -> float:
    """Lexical fallback similarity (no embedding model): Jaccard overlap of analysed terms."""
    title_terms = _terms(title, language)
    if not query_terms or not title_terms:
        return 0.0
    return len(query_terms & title_terms) / len(query_terms | title_terms)


def find_answers(
    text: str, *, language: str = "", exclude_question: int | None = None
) -> list[Candidate]:
    """Published help articles and accepted community answers that may answer ``text``.

    Similarity is the duplicate finder's calibrated probability when embeddings are on, else the
    lexical overlap of the analysed terms; confidence = similarity x the source's helpfulness.
    """
    from schwarmdesk.search.duplicates import find_similar  # noqa: PLC0415 -- heavy imports

    if not text.strip():
        return []
    exclude = ("question", exclude_question) if exclude_question else None
    similar = find_similar(None, text, kinds=("article", "question"), exclude=exclude, limit=8)
    articles = {
        article.pk: article
        for article in Article.objects.select_related("category").filter(
            pk__in=[item.object_id for item in similar if item.kind == "article"],
            status=ArticleStatus.PUBLISHED,
        )
    }
    questions = {
        question.pk: question
        for question in Question.objects.select_related("accepted_answer", "category").filter(
            pk__in=[item.object_id for item in similar if item.kind == "question"],
            visibility=PostVisibility.VISIBLE,
            accepted_answer__visibility=PostVisibility.VISIBLE,
        )
    }
    sources: list[tuple[SimilarItem, str, int, str, str, str]] = []
    for item in similar:
        if item.kind == "article" and (article := articles.get(item.object_id)) is not None:
            kind, object_id, body = "article", article.pk, article.body
            url, category = article.get_absolute_url(), article.category.name
        elif item.kind == "question" and (question := questions.get(item.object_id)) is not None:
            answer = question.accepted_answer
            if answer is None:  # filtered out above; unaccepted since
                continue
            kind, object_id, body = "answer", answer.pk, answer.body
            url, category = answer.get_absolute_url(), question.category.slug
        else:
            continue
        sources.append((item, kind, object_id, body, url, category))
    priors = _priors([(kind, object_id) for _item, kind, object_id, *_rest in sources])
    query_terms = _terms(text, language) if any(not s[0].similarity for s in sources) else set()
    found: list[Candidate] = []
    for item, kind, object_id, body, url, category in sources:
        similarity = item.similarity or _overlap(query_terms, item.title, language)
        helpful = priors[(kind, object_id)]
        found.append(
            Candidate(
                kind=kind,
                object_id=object_id,
                title=item.title,
                url=url,
                language=item.language,
                body=body,
                similarity=round(similarity, 4),
                helpfulness=round(helpful, 4),
                confidence=round(similarity * helpful, 4),
                category=category,
            )
        )
    found.sort(key=lambda candidate: candidate.confidence, reverse=True)
    return found[:CANDIDATES]
