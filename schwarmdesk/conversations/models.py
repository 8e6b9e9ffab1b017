"""Conversations (cases), their messages and attachments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.people.models import Agent, Customer, Team


class Status(models.TextChoices):
    OPEN = "open", _("open")
    PENDING = "pending", _("pending")
    SOLVED = "solved", _("solved")
    CLOSED = "closed", _("closed")


class Priority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class Direction(models.TextChoices):
    INBOUND = "in", _("inbound")
    OUTBOUND = "out", _("outbound")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    PRIVATE = "private", _("private")
    INTERNAL = "internal", _("internal note")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    origin_channel = models.CharField(
        _("origin channel"), max_length=20, choices=ChannelKind.choices
    )
    assignee = models.ForeignKey(
        Agent,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True)

    # Counters kept by the worker (conversations.tasks.recompute_counters); never edited by hand.
    message_count = models.PositiveIntegerField(_("messages"), default=0, editable=False)
    inbound_count = models.PositiveIntegerField(_("from customer"), default=0, editable=False)
    outbound_count = models.PositiveIntegerField(_("to customer"), default=0, editable=False)
    note_count = models.PositiveIntegerField(_("internal notes"), default=0, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "priority"], name="conversation_status_prio")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="conversation_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values),
                name="conversation_priority_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}".strip()

    @property
    def reference(self) -> str:
        """The case number customers quote, e.g. ``#SD-000042``."""
        return f"#SD-{self.pk:06d}" if self.pk else "#SD-new"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    channel_kind = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("The channel's id for this message (Message-ID, tweet id, update id)."),
    )
    author_customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    author_agent = models.ForeignKey(
        Agent,
        verbose_name=_("agent author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("sanitised HTML"), blank=True)
    raw_payload = models.JSONField(_("raw payload"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_kind", "external_id"],
                condition=~models.Q(external_id=""),
                name="message_unique_external_id_per_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(author_customer__isnull=True)
                | models.Q(author_agent__isnull=True),
                name="message_single_author",
            ),
            models.CheckConstraint(
                condition=~models.Q(visibility="internal") | models.Q(direction="out"),
                name="message_internal_note_not_inbound",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="message_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="message_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_visibility_display()} #{self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{instance.sha256[:16]}/{filename}"


class Attachment(models.Model):
    """A stored file on a message. Size and type are checked by conversations.actions.attach."""

    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return self.filename
