"""Every state change of the automation: triage, routing, assignment, the answer bot and its
feedback, model versions, knowledge candidates.

Entry points run in the worker after the message or question is committed
(:mod:`schwarmdesk.automation.tasks`): ``handle_message`` = triage, then the bot, then routing;
``handle_question`` = triage, then the bot.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from schwarmdesk.automation import classifiers
from schwarmdesk.automation.models import (
    DEFAULT_PUBLIC_THRESHOLD,
    DEFAULT_THRESHOLD,
    PUBLIC_CHANNELS,
    Assignment,
    BotAttempt,
    BotSetting,
    CandidateStatus,
    Complexity,
    Feedback,
    HoursCondition,
    KnowledgeCandidate,
    ModelKind,
    ModelVersion,
    RoutingRule,
    Sentiment,
    SourcePrior,
    TopicSource,
    Triage,
)
from schwarmdesk.automation.triage import assess_complexity, assess_urgency
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.community.models import Visibility as PostVisibility
from schwarmdesk.conversations.models import (
    Conversation,
    Direction,
    Message,
    Priority,
    Status,
    Visibility,
)
from schwarmdesk.core.errors import Conflict, Invalid, NotFound
from schwarmdesk.knowledge.models import Article
from schwarmdesk.knowledge.models import Category as ArticleCategory
from schwarmdesk.knowledge.models import Status as ArticleStatus
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent, Skill
from schwarmdesk.text.analysis import analyze_query
from schwarmdesk.text.language import detect_language

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


def helpfulness(kind: str, object_id: int) -> float:
    """Posterior mean of "this source solves it" (Beta prior plus the feedback counts)."""
    prior = SourcePrior.objects.filter(kind=kind, object_id=object_id).first()
    helpful = prior.helpful if prior else 0
    unhelpful = prior.unhelpful if prior else 0
    return (PRIOR_HELPFUL + helpful) / (PRIOR_HELPFUL + PRIOR_UNHELPFUL + helpful + unhelpful)


def _overlap(query: str, title: str, language: str) -> float:
    """Lexical fallback similarity (no embedding model): Jaccard overlap of analysed terms."""
    first = set(analyze_query(query, language or None))
    second = set(analyze_query(title, language or None))
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


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
    found: list[Candidate] = []
    for item in similar:
        similarity = item.similarity or _overlap(text, item.title, language)
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
        helpful = helpfulness(kind, object_id)
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


# Triage -------------------------------------------------------------------------------------------


def _predict(kind: str, text: str) -> tuple[str, float, str]:
    """(label, probability, version name) from the active model of ``kind``; ("", 0, "")."""
    version = ModelVersion.objects.filter(kind=kind, is_active=True).first()
    if version is None:
        return "", 0.0, ""
    try:
        model = classifiers.load_model(kind, version.path)
        label, probability = classifiers.best_label(model, text)
    except Exception:  # a missing or broken file must not stop triage: it says "unknown"
        log.exception("automation.model_failed kind=%s version=%s", kind, version.name)
        return "", 0.0, ""
    return label, probability, version.name


@dataclass(frozen=True)
class _Assessment:
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
) -> _Assessment:
    """Language, topic, sentiment, urgency and complexity of one text (no writes)."""
    language = detect_language(text[:5000]).code
    candidates = find_answers(text, language=language, exclude_question=exclude_question)
    versions: dict[str, str] = {}
    topic, topic_confidence, topic_version = _predict(ModelKind.TOPIC, text)
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
    sentiment, sentiment_confidence, sentiment_version = _predict(ModelKind.SENTIMENT, text)
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
    return _Assessment(
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


def _store(assessment: _Assessment, **target: object) -> Triage:
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


def triage_message(actor: Actor, message_id: int) -> tuple[Triage, _Assessment] | None:
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
    recent = (
        Message.objects.filter(
            author_customer=customer,
            direction=Direction.INBOUND,
            created_at__gte=since,
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .count()
    )
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


def triage_question(actor: Actor, question_id: int) -> tuple[Triage, _Assessment] | None:
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


# The answer bot -----------------------------------------------------------------------------------


def _abstain_reason(setting: BotSetting, triage: Triage, assessment: _Assessment) -> str:
    if not setting.is_enabled:
        return "disabled"
    if assessment.is_angry and not setting.answers_angry:
        return "angry"
    if triage.urgency >= Priority.HIGH and not setting.answers_urgent:
        return "urgent"
    if not assessment.candidates:
        return "no_candidate"
    if assessment.candidates[0].confidence < setting.threshold:
        return "below_threshold"
    return ""


def _conversation_block(conversation: Conversation, bot: Agent) -> str:
    """Why the bot must stay out of this conversation ("" when it may answer)."""
    if conversation.assignee_id is not None and conversation.assignee_id != bot.pk:
        return "agent_took_over"
    outbound = (
        Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND)
        .exclude(visibility=Visibility.INTERNAL)
        .order_by("-created_at", "-pk")
    )
    if outbound.filter(author_agent__isnull=False).exclude(author_agent=bot).exists():
        return "agent_took_over"
    last = outbound.first()
    if last is not None and last.author_agent_id == bot.pk:
        return "bot_answered_last"
    return ""


def feedback_token(attempt: BotAttempt) -> str:
    return signing.dumps({"attempt": attempt.pk}, salt=FEEDBACK_SALT)


def feedback_url(attempt: BotAttempt, verdict: str) -> str:
    path = reverse("automation:feedback", kwargs={"token": feedback_token(attempt)})
    return f"{settings.BASE_URL}{path}?verdict={verdict}"


def _bot_text(candidate: Candidate, attempt: BotAttempt, language: str) -> str:
    with override(language if language in ("de", "en") else "de"):
        return "\n\n".join(
            [
                candidate.body.strip()[:3000],
                _("Source: %(title)s %(url)s")
                % {"title": candidate.title, "url": f"{settings.BASE_URL}{candidate.url}"},
                _("Did this solve it? Yes: %(yes)s - I need a person: %(no)s")
                % {
                    "yes": feedback_url(attempt, Feedback.SOLVED),
                    "no": feedback_url(attempt, Feedback.PERSON),
                },
                _("(An automatic answer by %(name)s.)") % {"name": BOT_NAME},
            ]
        )


def _candidates_json(assessment: _Assessment) -> list[dict[str, object]]:
    return [asdict(candidate) for candidate in assessment.candidates]


def answer_message(actor: Actor, triage: Triage, assessment: _Assessment) -> BotAttempt:
    """Answer a customer message from the knowledge base, or hand over (recorded either way)."""
    from schwarmdesk.channels.actions import reply  # noqa: PLC0415 -- channels imports us lazily

    message = triage.message
    if message is None:
        raise Invalid("this triage is of a community question")
    bot = bot_agent()
    setting = bot_setting(message.channel_kind)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
        reason = _conversation_block(conversation, bot) or _abstain_reason(
            setting, triage, assessment
        )
        best = assessment.candidates[0] if assessment.candidates else None
        attempt = BotAttempt.objects.create(
            conversation=conversation,
            message=message,
            is_answered=not reason,
            reason=reason,
            confidence=best.confidence if best else 0.0,
            threshold=setting.threshold,
            candidates=_candidates_json(assessment),
        )
        if not reason and best is not None:
            language = triage.language or conversation.language or conversation.customer.language
            sent = reply(
                bot,
                conversation.pk,
                body=_bot_text(best, attempt, language),
                visibility=message.visibility,
            )
            attempt.reply = sent
            attempt.source_kind, attempt.source_id = best.kind, best.object_id
            attempt.source_title, attempt.source_url = best.title[:300], best.url[:500]
            attempt.save(
                update_fields=["reply", "source_kind", "source_id", "source_title", "source_url"]
            )
    log.info(
        "automation.bot conversation=%s answered=%s reason=%s confidence=%s",
        conversation.pk,
        attempt.is_answered,
        reason,
        attempt.confidence,
    )
    return attempt


def answer_question(actor: Actor, triage: Triage, assessment: _Assessment) -> BotAttempt:
    """Answer a community question as the bot (a community answer), or leave it to people."""
    from schwarmdesk.community.actions import post_answer  # noqa: PLC0415 -- it calls us

    question = triage.question
    if question is None:
        raise Invalid("this triage is of a customer message")
    bot = bot_agent()
    setting = bot_setting(ChannelKind.COMMUNITY)
    reason = ""
    if question.visibility != PostVisibility.VISIBLE:
        reason = "not_visible"
    elif BotAttempt.objects.filter(question=question, is_answered=True).exists():
        reason = "bot_answered_last"
    elif Answer.objects.filter(question=question, is_official=True).exclude(author=bot.user):
        reason = "agent_took_over"
    reason = reason or _abstain_reason(setting, triage, assessment)
    best = assessment.candidates[0] if assessment.candidates else None
    with transaction.atomic():
        attempt = BotAttempt.objects.create(
            question=question,
            is_answered=not reason,
            reason=reason,
            confidence=best.confidence if best else 0.0,
            threshold=setting.threshold,
            candidates=_candidates_json(assessment),
        )
        if not reason and best is not None:
            with override(question.language):
                body = "\n\n".join(
                    [
                        best.body.strip()[:3000],
                        _("Source: [%(title)s](%(url)s)") % {"title": best.title, "url": best.url},
                        _("(An automatic answer by %(name)s.)") % {"name": BOT_NAME},
                    ]
                )
            answer = post_answer(bot.user, question.pk, body=body)
            attempt.community_answer = answer
            attempt.source_kind, attempt.source_id = best.kind, best.object_id
            attempt.source_title, attempt.source_url = best.title[:300], best.url[:500]
            attempt.save(
                update_fields=[
                    "community_answer",
                    "source_kind",
                    "source_id",
                    "source_title",
                    "source_url",
                ]
            )
    return attempt


def access_attempt_by_token(token: str) -> BotAttempt:
    """The bot answer a signed feedback link names; NotFound for a forged or unknown one."""
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=timedelta(days=90))
    except signing.BadSignature:
        raise NotFound("no such answer") from None
    attempt_id = data.get("attempt") if isinstance(data, dict) else None
    if not isinstance(attempt_id, int):
        raise NotFound("no such answer")
    attempt = BotAttempt.objects.filter(pk=attempt_id, is_answered=True).first()
    if attempt is None:
        raise NotFound("no such answer")
    return attempt


def access_community_attempt(actor: Actor, answer_id: int) -> BotAttempt:
    """The bot's community answer; only the question's author gives feedback on it."""
    attempt = (
        BotAttempt.objects.select_related("question")
        .filter(community_answer_id=answer_id, is_answered=True)
        .first()
    )
    if (
        attempt is None
        or attempt.question is None
        or actor is None
        or not actor.is_authenticated
        or attempt.question.author_id != actor.pk
    ):
        raise NotFound("no such answer")
    return attempt


@transaction.atomic
def record_feedback(actor: Actor, attempt_id: int, *, verdict: str) -> BotAttempt:
    """ "This solved it" / "I need a person" on a bot answer; the first verdict counts.

    It moves the source's helpfulness counts (and so future confidence for that source); "I
    need a person" hands the conversation to an agent.
    """
    if verdict not in (Feedback.SOLVED, Feedback.PERSON):
        raise Invalid(f"unknown verdict {verdict!r}")
    attempt = BotAttempt.objects.select_for_update().filter(pk=attempt_id, is_answered=True).first()
    if attempt is None:
        raise NotFound("no such answer")
    if attempt.feedback:
        return attempt
    attempt.feedback = verdict
    attempt.feedback_at = timezone.now()
    attempt.save(update_fields=["feedback", "feedback_at"])
    if attempt.source_id is not None:
        prior, _created = SourcePrior.objects.get_or_create(
            kind=attempt.source_kind, object_id=attempt.source_id
        )
        field = "helpful" if verdict == Feedback.SOLVED else "unhelpful"
        SourcePrior.objects.filter(pk=prior.pk).update(**{field: F(field) + 1})
    if verdict == Feedback.PERSON and attempt.conversation_id is not None:
        conversation = Conversation.objects.select_for_update().get(pk=attempt.conversation_id)
        if conversation.status != Status.OPEN:
            conversation.status = Status.OPEN
            conversation.save(update_fields=["status", "updated_at"])
        if conversation.assignee_id is None:
            assign_balanced(conversation, rule=_last_rule(conversation))
    log.info("automation.feedback attempt=%s verdict=%s", attempt.pk, verdict)
    return attempt


def _last_rule(conversation: Conversation) -> RoutingRule | None:
    triage = (
        Triage.objects.select_related("routing_rule")
        .filter(conversation=conversation, routing_rule__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    return triage.routing_rule if triage else None


# Routing ------------------------------------------------------------------------------------------


def is_business_time(moment: datetime) -> bool:
    """Whether ``moment`` falls into the opening hours (escalation's business hours)."""
    import zoneinfo  # noqa: PLC0415

    from schwarmdesk.escalation.hours import load_schedule  # noqa: PLC0415

    schedule = load_schedule()
    if schedule.always_open:
        return True
    local = moment.astimezone(zoneinfo.ZoneInfo(schedule.time_zone))
    if local.date() in schedule.holidays:
        return False
    return any(
        opens <= local.time() < closes
        for opens, closes in schedule.intervals.get(local.weekday(), [])
    )


def rule_matches(
    rule: RoutingRule,
    *,
    triage: Triage,
    channel_kind: str,
    is_vip: bool,
    customer_language: str,
    moment: datetime,
) -> bool:
    """Every condition the rule sets holds (an empty condition holds always)."""
    checks = (
        not rule.topic or rule.topic.casefold() == triage.topic.casefold(),
        rule.minimum_urgency is None or triage.urgency >= rule.minimum_urgency,
        not rule.sentiment or rule.sentiment == triage.sentiment,
        not rule.complexity or rule.complexity == triage.complexity,
        not rule.channel_kind or rule.channel_kind == channel_kind,
        rule.customer_is_vip is None or rule.customer_is_vip == is_vip,
        not rule.customer_language or rule.customer_language == customer_language,
        not rule.weekdays or timezone.localtime(moment).weekday() in rule.weekdays,
    )
    if not all(checks):
        return False
    if rule.hours == HoursCondition.INSIDE:
        return is_business_time(moment)
    if rule.hours == HoursCondition.OUTSIDE:
        return not is_business_time(moment)
    return True


def match_rule(triage: Triage, conversation: Conversation, channel_kind: str) -> RoutingRule | None:
    customer = conversation.customer
    moment = timezone.now()
    for rule in RoutingRule.objects.filter(is_enabled=True).order_by("position", "pk"):
        if rule_matches(
            rule,
            triage=triage,
            channel_kind=channel_kind,
            is_vip=customer.is_vip,
            customer_language=triage.language or customer.language,
            moment=moment,
        ):
            return rule
    return None


def assign_balanced(
    conversation: Conversation, *, rule: RoutingRule | None = None, skill: Skill | None = None
) -> Agent | None:
    """Give the conversation to the available agent with the skill and language who has the
    fewest open assigned conversations; ties go to the one assigned least recently."""
    skill = skill or (rule.skill if rule else None)
    agents = Agent.objects.filter(is_available=True, user__is_active=True).exclude(
        user__username=BOT_USERNAME
    )
    if conversation.team_id is not None:
        agents = agents.filter(teams=conversation.team_id)
    if skill is not None:
        agents = agents.filter(skills=skill)
    rows = list(
        agents.annotate(
            open_count=Count(
                "assigned_conversations",
                filter=Q(assigned_conversations__status__in=OPEN_STATUSES),
                distinct=True,
            )
        ).order_by("pk")
    )
    language = conversation.language or conversation.customer.language
    speaking = [agent for agent in rows if language in (agent.languages or [])]
    rows = speaking or rows
    if not rows:
        return None
    last = dict(
        Assignment.objects.filter(agent__in=rows)
        .values("agent")
        .annotate(last=Max("assigned_at"))
        .values_list("agent", "last")
    )
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    chosen = min(
        rows,
        key=lambda agent: (agent.open_count, last.get(agent.pk) or epoch, agent.pk),
    )
    Conversation.objects.filter(pk=conversation.pk).update(assignee=chosen)
    conversation.assignee = chosen
    Assignment.objects.create(conversation=conversation, agent=chosen, rule=rule)
    log.info("automation.assigned conversation=%s agent=%s", conversation.pk, chosen.pk)
    return chosen


def route(actor: Actor, triage: Triage, *, assign: bool = True) -> Conversation:
    """Apply the first matching routing rule (team, priority, tags, SLA, auto-reply) and assign."""
    from schwarmdesk.channels.actions import reply  # noqa: PLC0415
    from schwarmdesk.conversations.actions import set_tags  # noqa: PLC0415

    message = triage.message
    if message is None:
        raise Invalid("only a customer message's conversation is routed")
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("customer")
            .get(pk=message.conversation_id)
        )
        rule = match_rule(triage, conversation, message.channel_kind)
        priority = max(conversation.priority, triage.urgency)
        if rule is not None:
            if rule.team_id is not None:
                conversation.team_id = rule.team_id
            if rule.sla_policy is not None:
                priority = max(priority, rule.sla_policy.priority)
            if rule.priority is not None:
                priority = max(priority, rule.priority) if triage.is_urgent else rule.priority
        conversation.priority = priority
        conversation.save(update_fields=["team", "priority", "updated_at"])
        if rule is not None and rule.tag_names:
            names = {tag.name for tag in conversation.tags.all()} | set(rule.tag_names)
            set_tags(actor, conversation, tags=names)
        triage.routing_rule = rule
        triage.save(update_fields=["routing_rule"])
        if rule is not None and rule.auto_reply.strip():
            bot = bot_agent()
            if not _conversation_block(conversation, bot):
                reply(bot, conversation.pk, body=rule.auto_reply, visibility=message.visibility)
        if assign and rule is not None and rule.assign_agent and conversation.assignee_id is None:
            assign_balanced(conversation, rule=rule)
    log.info(
        "automation.routed conversation=%s rule=%s priority=%s",
        conversation.pk,
        rule.pk if rule else None,
        conversation.priority,
    )
    return conversation


# Entry points -------------------------------------------------------------------------------------


def handle_message(message_id: int) -> Triage | None:
    """Triage a new inbound message, let the bot try, then route the conversation."""
    result = triage_message(None, message_id)
    if result is None:
        return None
    triage, assessment = result
    attempt = answer_message(None, triage, assessment)
    route(None, triage, assign=not attempt.is_answered)
    return triage


def handle_question(question_id: int) -> Triage | None:
    result = triage_question(None, question_id)
    if result is None:
        return None
    triage, assessment = result
    answer_question(None, triage, assessment)
    return triage


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


def train_sentiment_model(
    actor: Actor, texts: list[str], labels: list[str], *, activate: bool = True
) -> ModelVersion:
    """Fit the sentiment classifier on labelled texts, store it as the next version and (by
    default) activate it; triage uses it from then on."""
    from schwarmdesk.text.sentiment import SentimentClassifier  # noqa: PLC0415

    model = SentimentClassifier().fit(texts, labels)
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
    log.info("automation.sentiment_trained version=%s labels=%s", version.name, len(texts))
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


__all__ = ["Complexity", "handle_message", "handle_question"]
