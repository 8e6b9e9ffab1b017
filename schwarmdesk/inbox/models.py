"""The agent inbox's own data: SLA policies, canned replies, mentions, presence, merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.conversations.models import Conversation, Message, Priority
from schwarmdesk.people.models import Agent, Customer, Team


class SlaPolicy(models.Model):
    """Targets for one priority: first response, next response and resolution, in minutes."""

    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, unique=True
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["-priority"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="sla_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_priority_display())


class CannedReply(models.Model):
    """A prepared answer; ``{{customer.name}}``, ``{{agent.name}}`` and
    ``{{conversation.reference}}`` are filled in when it is inserted."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return self.title


class Mention(models.Model):
    """An agent named in an internal note: the in-app notification (and the e-mail's record)."""

    message = models.ForeignKey(
        Message, verbose_name=_("note"), on_delete=models.CASCADE, related_name="mentions"
    )
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="mentions",
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("mentioned agent"), on_delete=models.CASCADE, related_name="mentions"
    )
    author = models.ForeignKey(
        Agent,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "agent"], name="mention_once_per_note"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} in {self.message_id}"


class ReplyPresence(models.Model):
    """ "Agent X is replying": refreshed while the reply box is in use, stale after a while."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("reply presence")
        verbose_name_plural = _("reply presences")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "agent"], name="reply_presence_once_per_agent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on {self.conversation_id}"


class RoundRobinCursor(models.Model):
    """The agent of a team who got the last round-robin assignment."""

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    last_agent = models.ForeignKey(
        Agent, verbose_name=_("last agent"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("round-robin position")
        verbose_name_plural = _("round-robin positions")

    def __str__(self) -> str:
        return f"{self.team_id}: {self.last_agent_id}"


class CustomerMerge(models.Model):
    """One merge of a customer into another, with exactly what moved, so it can be undone.

    A split is recorded the same way: part of a customer moved to a new customer (the target).
    """

    source = models.ForeignKey(
        Customer, verbose_name=_("merged customer"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.ForeignKey(
        Customer, verbose_name=_("kept customer"), on_delete=models.CASCADE, related_name="merges"
    )
    is_split = models.BooleanField(_("split"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    merged_by = models.ForeignKey(
        Agent, verbose_name=_("merged by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    identity_ids = models.JSONField(_("moved identities"), default=list)
    conversation_ids = models.JSONField(_("moved conversations"), default=list)
    message_ids = models.JSONField(_("moved message authors"), default=list)
    moved_user_id = models.IntegerField(_("moved community account"), null=True, blank=True)
    undone_by = models.ForeignKey(
        Agent, verbose_name=_("undone by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
