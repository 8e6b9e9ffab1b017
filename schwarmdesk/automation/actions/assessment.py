"""Triage of customer messages and community questions: assess, then store with the item."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from schwarmdesk.automation import classifiers
from schwarmdesk.automation.actions.candidates import (
    BURST_MINUTES,
    BURST_SIZE,
    REPEAT_CONTACTS,
    REPEAT_HOURS,
    VIP_TAG,
    Candidate,
    bot_setting,
    find_answers,
)
from schwarmdesk.automation.models import (
    ModelKind,
    ModelVersion,
    Sentiment,
    TopicSource,
    Triage,
)
from schwarmdesk.automation.triage import assess_complexity, assess_urgency
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community.models import Question
from schwarmdesk.conversations.models import (
    Direction,
    Message,
    Priority,
)
from schwarmdesk.people.actions import Actor
from schwarmdesk.text.language import detect_language

log = logging.getLogger(__name__)

CONTACT_GAP = timedelta(minutes=30)  # lines closer together than this are one contact

# Triage -------------------------------------------------------------------------------------------


def _predict(version: ModelVersion | None, text: str) -> tuple[str, float, str]:
    """(label, probability, version name) from an active model version; ("", 0, "")."""
    if version is None:
        return "", 0.0, ""
    kind = version.kind
    try:
        model = classifiers.load_model(kind, version.path)
        label, probability = classifiers.best_label(model, text)
    except Exception:  # a missing or broken file must not stop triage: it says "unknown"
        log.exception("automation.model_failed kind=%s version=%s", kind, version.name)
        return "", 0.0, ""
    return label, probability, version.name


@dataclass(frozen=True)
class Assessment:
    language: str
    topic: str
    topic_confidence: float
    topic_source: str
    sentiment: str
    sentiment_confidence: float
    urgency: int
    urgency_reasons: list[dict[str, str]]
    is_angry: bool
    complexity: str
    complexity_reasons: list[dict[str, str]]
    model_versions: dict[str, str]
    candidates: list[Candidate]


def assess(
    text: str,
    *,
    channel_kind: str,
    is_vip: bool = False,
    has_vip_tag: bool = False,
    recent_contacts: int = 0,
    exclude_question: int | None = None,
) -> Assessment:
    """Language, topic, sentiment, urgency and complexity of one text (no writes)."""
    language = detect_language(text[:5000]).code
    candidates = find_answers(text, language=language, exclude_question=exclude_question)
    versions: dict[str, str] = {}
    active = {version.kind: version for version in ModelVersion.objects.filter(is_active=True)}
    topic, topic_confidence, topic_version = _predict(active.get(ModelKind.TOPIC), text)
    topic_source = TopicSource.MODEL if topic else TopicSource.NONE
    if topic:
        versions["topic"] = topic_version
    elif candidates and candidates[0].kind == "article":
        topic, topic_confidence = candidates[0].category, candidates[0].similarity
        topic_source = TopicSource.KNOWLEDGE
        versions["topic"] = "knowledge-search"
    # Urgent reports (on the same topic, when there is one) in the last hour: a burst of
    # outage reports raises the urgency further (incidents does the full detection).
    recent_urgent = Triage.objects.filter(
        urgency__gte=Priority.HIGH,
        created_at__gte=timezone.now() - timedelta(minutes=BURST_MINUTES),
    )
    similar_recent = (recent_urgent.filter(topic=topic) if topic else recent_urgent).count()
    sentiment, sentiment_confidence, sentiment_version = _predict(
        active.get(ModelKind.SENTIMENT), text
    )
    if sentiment not in Sentiment.values or not sentiment:
        sentiment, sentiment_confidence = Sentiment.UNKNOWN, 0.0
    else:
        versions["sentiment"] = sentiment_version
    urgency = assess_urgency(
        text,
        is_vip=is_vip,
        has_vip_tag=has_vip_tag,
        recent_contacts=recent_contacts,
        repeat_threshold=REPEAT_CONTACTS,
        similar_recent=similar_recent,
        burst_threshold=BURST_SIZE,
    )
    best = candidates[0].confidence if candidates else 0.0
    complexity, complexity_reasons = assess_complexity(
        text, best_confidence=best, threshold=bot_setting(channel_kind).threshold, urgency=urgency
    )
    return Assessment(
        language=language,
        topic=topic[:100],
        topic_confidence=round(topic_confidence, 4),
        topic_source=topic_source,
        sentiment=sentiment,
        sentiment_confidence=round(sentiment_confidence, 4),
        urgency=urgency.level,
        urgency_reasons=urgency.reasons,
        is_angry=urgency.is_angry or sentiment == Sentiment.NEGATIVE,
        complexity=complexity,
        complexity_reasons=complexity_reasons,
        model_versions=versions,
        candidates=candidates,
    )


def _store(assessment: Assessment, **target: object) -> Triage:
    triage, _created = Triage.objects.update_or_create(
        **target,  # type: ignore[arg-type]  # message= or question= (one-to-one, unique)
        defaults={
            "language": assessment.language,
            "topic": assessment.topic,
            "topic_confidence": assessment.topic_confidence,
            "topic_source": assessment.topic_source,
            "sentiment": assessment.sentiment,
            "sentiment_confidence": assessment.sentiment_confidence,
            "urgency": assessment.urgency,
            "urgency_reasons": assessment.urgency_reasons,
            "complexity": assessment.complexity,
            "complexity_reasons": assessment.complexity_reasons,
            "model_versions": assessment.model_versions,
        },
    )
    return triage


def count_contacts(earlier: list[datetime], *, before: datetime) -> int:
    """Earlier contacts, newest first: lines sent within CONTACT_GAP of each other (a chat
    customer writing three short lines) are one contact; the message's own burst is none."""
    contacts = 0
    later = before
    for moment in earlier:
        if later - moment >= CONTACT_GAP:
            contacts += 1
        later = moment
    return contacts


def triage_message(actor: Actor, message_id: int) -> tuple[Triage, Assessment] | None:
    """Triage one inbound customer message and store the result with the message."""
    message = (
        Message.objects.select_related("conversation__customer")
        .filter(pk=message_id, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        return None
    conversation = message.conversation
    customer = conversation.customer
    text = message.body_text or conversation.subject
    since = message.created_at - timedelta(hours=REPEAT_HOURS)
    earlier = (
        Message.objects.filter(
            author_customer=customer,
            direction=Direction.INBOUND,
            created_at__gte=since,
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:100]
    )
    recent = count_contacts(list(earlier), before=message.created_at)
    assessment = assess(
        text,
        channel_kind=message.channel_kind,
        is_vip=customer.is_vip,
        has_vip_tag=conversation.tags.filter(name=VIP_TAG).exists(),
        recent_contacts=recent,
    )
    with transaction.atomic():
        triage = _store(assessment, message=message)
        if triage.conversation_id != conversation.pk:
            triage.conversation = conversation
            triage.save(update_fields=["conversation"])
    log.info(
        "automation.triaged message=%s topic=%s urgency=%s complexity=%s",
        message.pk,
        triage.topic,
        triage.urgency,
        triage.complexity,
    )
    return triage, assessment


def triage_question(actor: Actor, question_id: int) -> tuple[Triage, Assessment] | None:
    question = Question.objects.select_related("author").filter(pk=question_id).first()
    if question is None:
        return None
    customer = getattr(question.author, "customer", None)
    assessment = assess(
        f"{question.title}\n{question.body}".strip(),
        channel_kind=ChannelKind.COMMUNITY,
        is_vip=bool(customer and customer.is_vip),
        has_vip_tag=question.tags.filter(name=VIP_TAG).exists(),
        exclude_question=question.pk,
    )
    return _store(assessment, question=question), assessment
