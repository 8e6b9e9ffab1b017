"""Automation data: triage results, versioned models, routing rules, the answer bot's attempts,
its per-source helpfulness counts and knowledge candidates from solved conversations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.community.models import Answer, Question
from schwarmdesk.conversations.models import Conversation, Message, Priority
from schwarmdesk.inbox.models import SlaPolicy
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.models import Agent, Skill, Team


class Complexity(models.TextChoices):
    KNOWLEDGE_BASE = "knowledge_base", _("answerable from the knowledge base")
    AGENT = "agent", _("needs an agent")
    SPECIALIST = "specialist", _("needs a specialist team")


class Sentiment(models.TextChoices):
    UNKNOWN = "unknown", _("unknown")
    NEGATIVE = "negative", _("negative")
    NEUTRAL = "neutral", _("neutral")
    POSITIVE = "positive", _("positive")


class TopicSource(models.TextChoices):
    NONE = "", _("none")
    MODEL = "model", _("trained topic model")
    KNOWLEDGE = "knowledge", _("nearest help article category")


class Triage(models.Model):
    """What the automation made of one inbound message or community question, with reasons."""

    message = models.OneToOneField(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="triage",
    )
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="triages",
    )
    question = models.OneToOneField(
        Question,
        verbose_name=_("community question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="triage",
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    topic_confidence = models.FloatField(_("topic confidence"), default=0.0)
    topic_source = models.CharField(
        _("topic from"), max_length=10, choices=TopicSource.choices, blank=True
    )
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, default=Sentiment.UNKNOWN
    )
    sentiment_confidence = models.FloatField(_("sentiment confidence"), default=0.0)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Priority.choices, default=Priority.NORMAL
    )
    urgency_reasons = models.JSONField(_("urgency reasons"), default=list, blank=True)
    complexity = models.CharField(
        _("complexity"), max_length=20, choices=Complexity.choices, default=Complexity.AGENT
    )
    complexity_reasons = models.JSONField(_("complexity reasons"), default=list, blank=True)
    model_versions = models.JSONField(_("model versions"), default=dict, blank=True)
    routing_rule = models.ForeignKey(
        "RoutingRule",
        verbose_name=_("routing rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message__isnull=False) | models.Q(question__isnull=False),
                name="triage_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic or '-'} / {self.get_urgency_display()}"

    @property
    def is_urgent(self) -> bool:
        return self.urgency >= Priority.HIGH


class ModelKind(models.TextChoices):
    TOPIC = "topic", _("topic")
    SENTIMENT = "sentiment", _("sentiment")


class ModelVersion(models.Model):
    """One trained model file under DATA_DIR/models/; at most one active version per kind."""

    kind = models.CharField(_("kind"), max_length=20, choices=ModelKind.choices)
    number = models.PositiveIntegerField(_("version"))
    path = models.CharField(_("file"), max_length=500)
    label_count = models.PositiveIntegerField(_("labelled examples"), default=0)
    classes = models.JSONField(_("labels"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="model_version_unique"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_active=True),
                name="model_version_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"

    @property
    def name(self) -> str:
        return f"{self.kind}-v{self.number}"


class HoursCondition(models.TextChoices):
    ANY = "", _("any time")
    INSIDE = "inside", _("during business hours")
    OUTSIDE = "outside", _("outside business hours")


class RoutingRule(models.Model):
    """Ordered: the first enabled rule whose conditions all hold decides the route.

    An empty condition matches everything.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    # Conditions
    topic = models.CharField(_("topic is"), max_length=100, blank=True)
    minimum_urgency = models.PositiveSmallIntegerField(
        _("urgency at least"), choices=Priority.choices, null=True, blank=True
    )
    sentiment = models.CharField(
        _("sentiment is"), max_length=10, choices=Sentiment.choices, blank=True
    )
    complexity = models.CharField(
        _("complexity is"), max_length=20, choices=Complexity.choices, blank=True
    )
    channel_kind = models.CharField(
        _("channel is"), max_length=20, choices=ChannelKind.choices, blank=True
    )
    customer_is_vip = models.BooleanField(_("VIP customer"), null=True, blank=True)
    customer_language = models.CharField(_("customer language is"), max_length=8, blank=True)
    hours = models.CharField(
        _("time"), max_length=10, choices=HoursCondition.choices, blank=True, default=""
    )
    weekdays = models.JSONField(
        _("weekdays"),
        default=list,
        blank=True,
        help_text=_("Numbers 0 (Monday) to 6 (Sunday); empty: every day."),
    )
    # Actions
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True
    )
    skill = models.ForeignKey(
        Skill,
        verbose_name=_("skill needed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    tags = models.CharField(
        _("add tags"), max_length=300, blank=True, help_text=_("Comma-separated.")
    )
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The policy of this priority is set as the conversation's priority."),
    )
    auto_reply = models.TextField(_("auto-reply"), blank=True)
    assign_agent = models.BooleanField(
        _("assign an agent"),
        default=True,
        help_text=_("Give the conversation to the least busy available agent with the skill."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        days = self.weekdays
        if not isinstance(days, list) or any(
            not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6 for day in days
        ):
            raise ValidationError(
                {"weekdays": _("A list of numbers from 0 (Monday) to 6 (Sunday), e.g. [0, 1, 2].")}
            )

    @property
    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.tags.split(",") if name.strip()]


# Public channels: everyone can read the bot's answer, so the bar is higher by default.
PUBLIC_CHANNELS = frozenset(
    {ChannelKind.X, ChannelKind.FACEBOOK, ChannelKind.MASTODON, ChannelKind.COMMUNITY}
)
DEFAULT_THRESHOLD = 0.75
DEFAULT_PUBLIC_THRESHOLD = 0.85


class BotSetting(models.Model):
    """The answer bot's switch and bar for one channel kind (defaults when no row exists)."""

    channel_kind = models.CharField(
        _("channel"), max_length=20, choices=ChannelKind.choices, unique=True
    )
    is_enabled = models.BooleanField(_("bot answers"), default=True)
    threshold = models.FloatField(
        _("confidence threshold"),
        help_text=_("The bot answers only when its calibrated confidence reaches this (0-1)."),
    )
    answers_angry = models.BooleanField(_("answer angry messages"), default=False)
    answers_urgent = models.BooleanField(_("answer urgent messages"), default=False)

    class Meta:
        verbose_name = _("answer bot setting")
        verbose_name_plural = _("answer bot settings")
        ordering = ["channel_kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0.0) & models.Q(threshold__lte=1.0),
                name="bot_setting_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_channel_kind_display())


class SourcePrior(models.Model):
    """Feedback counts for one answer source (Beta-style: helpful + a, unhelpful + b)."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.PositiveIntegerField(_("id"))
    helpful = models.PositiveIntegerField(_("solved it"), default=0)
    unhelpful = models.PositiveIntegerField(_("needed a person"), default=0)

    class Meta:
        verbose_name = _("answer source feedback")
        verbose_name_plural = _("answer source feedback")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="source_prior_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} +{self.helpful} -{self.unhelpful}"


class Feedback(models.TextChoices):
    NONE = "", _("none yet")
    SOLVED = "solved", _("this solved it")
    PERSON = "person", _("I need a person")


class BotAttempt(models.Model):
    """One time the answer bot looked at a new message or question: answered or handed over."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bot_attempts",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("customer message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("community question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bot_attempts",
    )
    is_answered = models.BooleanField(_("answered"), default=False)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    threshold = models.FloatField(_("threshold"), default=0.0)
    candidates = models.JSONField(_("candidate answers"), default=list, blank=True)
    source_kind = models.CharField(_("source kind"), max_length=20, blank=True)
    source_id = models.PositiveIntegerField(_("source id"), null=True, blank=True)
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.CharField(_("source address"), max_length=500, blank=True)
    reply = models.ForeignKey(
        Message,
        verbose_name=_("bot reply"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bot_attempt",
    )
    community_answer = models.OneToOneField(
        Answer,
        verbose_name=_("bot answer in the community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bot_attempt",
    )
    feedback = models.CharField(
        _("feedback"), max_length=10, choices=Feedback.choices, blank=True, default=""
    )
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("answer bot attempt")
        verbose_name_plural = _("answer bot attempts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{'answered' if self.is_answered else 'handed over'} #{self.pk}"


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("open")
    PUBLISHED = "published", _("published")
    DISMISSED = "dismissed", _("dismissed")


class KnowledgeCandidate(models.Model):
    """A solved conversation's question and final answer, ready to become a help article."""

    conversation = models.OneToOneField(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="knowledge_candidate",
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    title = models.CharField(_("title"), max_length=200)
    question_text = models.TextField(_("question"))
    answer_text = models.TextField(_("answer"))
    solved_by = models.ForeignKey(
        Agent, verbose_name=_("solved by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("help article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge candidate")
        verbose_name_plural = _("knowledge candidates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """A conversation given to an agent by the load balancer (ties go to who waited longest)."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="+"
    )
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("routing rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("automatic assignment")
        verbose_name_plural = _("automatic assignments")
        ordering = ["-assigned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.conversation_id} -> {self.agent_id}"
