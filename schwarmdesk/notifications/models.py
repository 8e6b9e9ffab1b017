"""Following questions and the e-mails that tell followers what happened.

A :class:`Delivery` row is written in the same transaction as the event (a new answer, an
acceptance); a Huey task sends it after commit. The row is the truth and the unique
constraint makes the event-recipient pair happen once: a retried task finds the row sent and
sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.community.models import Answer, Question


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="follow_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"


class Event(models.TextChoices):
    NEW_ANSWER = "answer", _("new answer")
    OFFICIAL_ANSWER = "official", _("official answer")
    ACCEPTED = "accepted", _("answer accepted")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class Delivery(models.Model):
    """One e-mail to one follower about one event."""

    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "answer", "recipient"], name="delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="delivery_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_pending")]

    def __str__(self) -> str:
        return f"{self.event} #{self.answer_id} → {self.recipient_id}"
