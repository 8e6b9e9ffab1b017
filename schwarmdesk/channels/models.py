"""Configured channels, raw inbound events, message routes, outbound deliveries, channel errors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.models import Message


class HealthState(models.TextChoices):
    OK = "ok", _("working")
    WARNING = "warning", _("warning")


class Channel(models.Model):
    """One configured channel instance: a Telegram bot, a Facebook page, an X account, ..."""

    kind = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    api_base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("Leave empty for the platform's own API; the Mastodon instance's address."),
    )
    account_id = models.CharField(
        _("account id"),
        max_length=255,
        blank=True,
        help_text=_("Our own id on the platform (page id, user id, bot id)."),
    )
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_(
            "Settings that are not secret, e.g. the mail servers of an e-mail channel "
            "(see the README, Channels)."
        ),
    )
    # Write-only: admin forms never render these back (see channels.admin.ChannelForm).
    secrets = models.JSONField(_("secrets"), default=dict, blank=True, editable=False)
    sign_public_replies = models.BooleanField(
        _("sign public replies"),
        default=True,
        help_text=_("Add the agent's initials (^AB) to public replies where the channel allows."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("sends per minute"), default=30, help_text=_("At most this many sends per minute.")
    )
    poll_cursor = models.CharField(_("poll position"), max_length=100, blank=True, editable=False)
    last_event_at = models.DateTimeField(_("last event received"), null=True, blank=True)
    last_send_at = models.DateTimeField(_("last successful send"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Channel health (see channels.health): written by the periodic check, never by a form.
    last_verified_at = models.DateTimeField(
        _("last verified webhook request"), null=True, blank=True, editable=False
    )
    verification_failed_at = models.DateTimeField(
        _("last refused webhook request"), null=True, blank=True, editable=False
    )
    credentials_failed_at = models.DateTimeField(
        _("credentials refused"), null=True, blank=True, editable=False
    )
    health_state = models.CharField(
        _("health"),
        max_length=10,
        choices=HealthState.choices,
        default=HealthState.OK,
        editable=False,
    )
    health_problems = models.JSONField(_("health problems"), default=list, editable=False)
    health_changed_at = models.DateTimeField(
        _("health changed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    PROCESSED = "processed", _("processed")
    IGNORED = "ignored", _("ignored")
    MALFORMED = "malformed", _("malformed")


class InboundEvent(models.Model):
    """The raw body of an accepted webhook (or poll), kept so it can be replayed."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="events"
    )
    body = models.BinaryField(_("raw body"))
    body_sha256 = models.CharField(_("SHA-256 of the body"), max_length=64)
    headers = models.JSONField(_("headers"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A platform re-delivering the same event sends the same bytes: one row.
            models.UniqueConstraint(
                fields=["channel", "body_sha256"], name="inbound_event_unique_body"
            ),
        ]
        indexes = [
            # the workers' backlog (channels.batch): small, whatever the history's size
            models.Index(
                fields=["id"],
                condition=models.Q(status="received"),
                name="inbound_event_backlog",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} #{self.pk} {self.status}"


class MessageRoute(models.Model):
    """Where an inbound message came from, and what a reply to it needs (chat id, tweet id)."""

    message = models.OneToOneField(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="route"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="routes"
    )
    thread_key = models.CharField(_("thread"), max_length=255)
    reply_context = models.JSONField(_("reply context"), default=dict)

    class Meta:
        verbose_name = _("message route")
        verbose_name_plural = _("message routes")
        indexes = [models.Index(fields=["channel", "thread_key"], name="route_channel_thread")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.thread_key}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One outbound reply to send; the row is the truth, the queue only wakes a worker."""

    message = models.OneToOneField(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="delivery"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="deliveries"
    )
    route = models.ForeignKey(
        MessageRoute,
        verbose_name=_("in reply to"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="channel_delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="channel_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.status}"


class ErrorSource(models.TextChoices):
    INBOUND = "inbound", _("inbound")
    OUTBOUND = "outbound", _("outbound")


class ChannelFailure(models.Model):
    """One failure on a channel (malformed event, failed send), for the health page."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="failures"
    )
    source = models.CharField(_("where"), max_length=10, choices=ErrorSource.choices)
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("channel failure")
        verbose_name_plural = _("channel failures")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.source}: {self.reason}"


class FormSubmission(models.Model):
    """One accepted web form post, kept for the per-address rate limit (hashed, never the IP)."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="submissions"
    )
    client_hash = models.CharField(_("client"), max_length=64)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [
            models.Index(
                fields=["channel", "client_hash", "created_at"], name="form_submission_rate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.created_at:%Y-%m-%d %H:%M}"
