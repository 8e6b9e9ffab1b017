"""The learning loop: versioned topic and sentiment models, knowledge candidates."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.automation import classifiers
from schwarmdesk.automation.actions.candidates import (
    BOT_USERNAME,
    MIN_TOPIC_LABELS,
    RETRAIN_EVERY,
    VIP_TAG,
)
from schwarmdesk.automation.models import (
    CandidateStatus,
    KnowledgeCandidate,
    ModelKind,
    ModelVersion,
)
from schwarmdesk.community.models import Question
from schwarmdesk.community.models import Visibility as PostVisibility
from schwarmdesk.conversations.models import (
    Conversation,
    Direction,
    Status,
    Visibility,
)
from schwarmdesk.core.errors import Conflict, Invalid, NotFound
from schwarmdesk.knowledge.models import Article
from schwarmdesk.knowledge.models import Category as ArticleCategory
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent
from schwarmdesk.text.language import detect_language

log = logging.getLogger(__name__)

# Model versions -----------------------------------------------------------------------------------


def labelled_examples() -> tuple[list[str], list[str]]:
    """Texts and topics agents set: conversation tags (first tag by name, "vip" aside) on the
    first customer message, community categories on questions."""
    texts: list[str] = []
    labels: list[str] = []
    conversations = (
        Conversation.objects.filter(tags__isnull=False)
        .exclude(tags__name=VIP_TAG, tags__isnull=True)
        .distinct()
        .prefetch_related("tags")
        .order_by("pk")
    )
    for conversation in conversations:
        names = sorted(tag.name for tag in conversation.tags.all() if tag.name != VIP_TAG)
        first = (
            conversation.messages.filter(direction=Direction.INBOUND)
            .order_by("created_at", "pk")
            .values_list("body_text", flat=True)
            .first()
        )
        if names and (first or conversation.subject):
            texts.append(f"{conversation.subject}\n{first or ''}".strip())
            labels.append(names[0])
    questions = Question.objects.filter(visibility=PostVisibility.VISIBLE).select_related(
        "category"
    )
    for question in questions.order_by("pk"):
        texts.append(f"{question.title}\n{question.body}".strip())
        labels.append(question.category.slug)
    return texts, labels


def retrain_topic_model(actor: Actor, *, force: bool = False) -> ModelVersion | None:
    """Train and activate a new topic model when enough new labels accumulated."""
    from schwarmdesk.text.intents import IntentClassifier, IntentDataError  # noqa: PLC0415

    texts, labels = labelled_examples()
    latest = ModelVersion.objects.filter(kind=ModelKind.TOPIC).order_by("-number").first()
    if len(texts) < MIN_TOPIC_LABELS or len(set(labels)) < 2:
        return None
    if not force and latest is not None and len(texts) - latest.label_count < RETRAIN_EVERY:
        return None
    try:
        model = IntentClassifier().fit(texts, labels)
    except IntentDataError as error:
        log.warning("automation.retrain_failed reason=%s", error)
        return None
    number = (latest.number if latest else 0) + 1
    path = classifiers.save_topic_model(model, f"topic-v{number}")
    with transaction.atomic():
        version = ModelVersion.objects.create(
            kind=ModelKind.TOPIC,
            number=number,
            path=str(path),
            label_count=len(texts),
            classes=list(model.classes),
        )
        activate_model_version(actor, version.pk)
    log.info("automation.retrained version=%s labels=%s", version.name, len(texts))
    version.refresh_from_db()
    return version


def sentiment_embedders() -> tuple[str, ...]:
    """The sentence-vector models the sentiment stack reads: those of the evaluation
    (:data:`schwarmdesk.automation.stacking.EMBEDDERS`) that load here; none when
    ``SCHWARMDESK_EMBEDDING_MODEL=none``."""
    from schwarmdesk.automation.stacking import EMBEDDERS  # noqa: PLC0415 -- scikit-learn
    from schwarmdesk.text.embeddings import EmbedderUnavailable, get_embedder  # noqa: PLC0415

    if settings.EMBEDDING_MODEL == "none":
        return ()
    available = []
    for name in EMBEDDERS:
        try:
            get_embedder(name)
        except EmbedderUnavailable as error:
            log.warning("automation.sentiment_embedder_missing name=%s reason=%s", name, error)
            continue
        available.append(name)
    return tuple(available)


def train_sentiment_model(
    actor: Actor, texts: list[str], labels: list[str], *, activate: bool = True
) -> ModelVersion:
    """Fit the sentiment model on labelled texts, store it as the next version and (by
    default) activate it; triage uses it from then on.

    The model is the stacked text model that ``schwarmdesk eval triage`` measures on GermEval
    2017 (:class:`schwarmdesk.automation.stacking.TextStack`, the same class and training
    code), reading the sentence vectors of :func:`sentiment_embedders`.  Messages have no
    source URL, so its source view is not used here.
    """
    from schwarmdesk.automation.stacking import TextStack  # noqa: PLC0415 -- scikit-learn

    embedders = sentiment_embedders()
    try:
        model = TextStack(embedders=embedders).fit(texts, labels)
    except ValueError as error:
        log.warning("automation.sentiment_training_failed reason=%s", error)
        raise Invalid(str(error)) from error
    latest = ModelVersion.objects.filter(kind=ModelKind.SENTIMENT).aggregate(number=Max("number"))
    number = (latest["number"] or 0) + 1
    path = classifiers.models_dir() / f"sentiment-v{number}.joblib"
    model.save(path)
    with transaction.atomic():
        version = ModelVersion.objects.create(
            kind=ModelKind.SENTIMENT,
            number=number,
            path=str(path),
            label_count=len(texts),
            classes=[str(label) for label in model.classes],
        )
        if activate:
            version = activate_model_version(actor, version.pk)
    log.info(
        "automation.sentiment_trained version=%s labels=%s embedders=%s models=%s",
        version.name,
        len(texts),
        ",".join(embedders) or "none",
        ",".join(model.chosen),
    )
    return version


@transaction.atomic
def register_model(actor: Actor, *, kind: str, path: str, label_count: int = 0) -> ModelVersion:
    """Record a model file trained elsewhere (e.g. the sentiment model) as the next version."""
    if kind not in ModelKind.values:
        raise Invalid(f"unknown model kind {kind!r}")
    model = classifiers.load_model(kind, path)  # refuses a file that does not load
    latest = ModelVersion.objects.filter(kind=kind).aggregate(number=Max("number"))["number"]
    return ModelVersion.objects.create(
        kind=kind,
        number=(latest or 0) + 1,
        path=path,
        label_count=label_count,
        classes=[str(label) for label in model.classes],
    )


@transaction.atomic
def activate_model_version(actor: Actor, version_id: int) -> ModelVersion:
    version = ModelVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound("no such model version")
    ModelVersion.objects.filter(kind=version.kind, is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    version.is_active = True
    version.activated_at = timezone.now()
    version.save(update_fields=["is_active", "activated_at"])
    log.info("automation.model_activated version=%s", version.name)
    return version


@transaction.atomic
def rollback_model(actor: Actor, kind: str) -> ModelVersion:
    """Activate the version before the active one."""
    active = ModelVersion.objects.filter(kind=kind, is_active=True).first()
    if active is None:
        raise Invalid(_("There is no active model to roll back."))
    previous = (
        ModelVersion.objects.filter(kind=kind, number__lt=active.number).order_by("-number").first()
    )
    if previous is None:
        raise Invalid(_("There is no earlier version to roll back to."))
    return activate_model_version(actor, previous.pk)


# Knowledge candidates -----------------------------------------------------------------------------


def collect_knowledge_candidate(conversation_id: int) -> KnowledgeCandidate | None:
    """A solved conversation's first question and the agent's final answer, kept for one-click
    publishing; nothing when no agent (other than the bot) answered."""
    conversation = Conversation.objects.filter(pk=conversation_id, status=Status.SOLVED).first()
    if conversation is None:
        return None
    question = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("created_at", "pk")
        .first()
    )
    answer = (
        conversation.messages.filter(direction=Direction.OUTBOUND, author_agent__isnull=False)
        .exclude(visibility=Visibility.INTERNAL)
        .exclude(author_agent__user__username=BOT_USERNAME)
        .order_by("-created_at", "-pk")
        .first()
    )
    if question is None or answer is None:
        return None
    title = (conversation.subject or question.body_text.strip().splitlines()[0])[:200]
    candidate, _created = KnowledgeCandidate.objects.get_or_create(
        conversation=conversation,
        defaults={
            "language": conversation.language or detect_language(question.body_text).code,
            "title": title or conversation.reference,
            "question_text": question.body_text[:20_000],
            "answer_text": answer.body_text[:20_000],
            "solved_by": answer.author_agent,
        },
    )
    return candidate


def access_candidate(agent: Agent, pk: int, *, for_update: bool = False) -> KnowledgeCandidate:
    """A candidate from a conversation the agent may see; NotFound otherwise."""
    from schwarmdesk.channels.actions import access_conversation  # noqa: PLC0415

    candidates = KnowledgeCandidate.objects.all()
    if for_update:
        candidates = candidates.select_for_update()
    candidate = candidates.filter(pk=pk).first()
    if candidate is None:
        raise NotFound("no such candidate")
    access_conversation(agent, candidate.conversation_id)
    return candidate


@transaction.atomic
def publish_candidate(
    agent: Agent,
    candidate_id: int,
    *,
    category_id: int,
    translation_of_id: int | None = None,
) -> Article:
    """Publish a knowledge candidate as a help article in one click (linked to its variant in
    the other language when one is named)."""
    from schwarmdesk.knowledge.actions import create_article  # noqa: PLC0415

    candidate = access_candidate(agent, candidate_id, for_update=True)
    if candidate.status != CandidateStatus.OPEN:
        raise Conflict(_("This candidate was already handled."))
    category = ArticleCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise Invalid(_("Please choose a category."))
    translation_of = None
    if translation_of_id is not None:
        translation_of = Article.objects.filter(pk=translation_of_id).first()
        if translation_of is None or translation_of.language == candidate.language:
            raise Invalid(_("The linked article must be in the other language."))
    article = create_article(
        agent.user,
        category=category,
        language=candidate.language if candidate.language in ("de", "en") else "de",
        title=candidate.title,
        body=candidate.answer_text,
        translation_of=translation_of,
        publish=True,
    )
    candidate.status = CandidateStatus.PUBLISHED
    candidate.article = article
    candidate.save(update_fields=["status", "article"])
    return article


@transaction.atomic
def dismiss_candidate(agent: Agent, candidate_id: int) -> KnowledgeCandidate:
    candidate = access_candidate(agent, candidate_id, for_update=True)
    if candidate.status == CandidateStatus.OPEN:
        candidate.status = CandidateStatus.DISMISSED
        candidate.save(update_fields=["status"])
    return candidate
