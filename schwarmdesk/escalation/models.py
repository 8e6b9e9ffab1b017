"""Escalation: a community question nobody helped with in time becomes a conversation in the
agents' queue.

``EscalationPolicy`` sets the deadline per community category (2 hours without a row),
counted in the opening hours of ``BusinessHours`` (weekly intervals and holidays in one time
zone; no intervals at all means around the clock). ``Escalation`` is one row per question:
scheduled with a due time when the question is posted, then escalated (with its
conversation) or cancelled with a reason.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_DEADLINE_MINUTES = 120
DEFAULT_TIME_ZONE = "Europe/Berlin"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone.")) from None


class BusinessHours(models.Model):
    """The support team's opening hours; the first row counts."""

    name = models.CharField(_("name"), max_length=100, default="Support")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("For example Europe/Berlin."),
    )

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class OpeningInterval(models.Model):
    hours = models.ForeignKey(
        BusinessHours,
        verbose_name=_("business hours"),
        on_delete=models.CASCADE,
        related_name="intervals",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_interval_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="opening_interval_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Holiday(models.Model):
    hours = models.ForeignKey(
        BusinessHours,
        verbose_name=_("business hours"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["hours", "date"], name="holiday_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class EscalationPolicy(models.Model):
    """How long a question in this category may wait for community help."""

    category = models.OneToOneField(
        "community.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="escalation_policy",
    )
    deadline_minutes = models.PositiveIntegerField(
        _("deadline in business minutes"), default=DEFAULT_DEADLINE_MINUTES
    )
    is_enabled = models.BooleanField(_("escalate"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return f"{self.category}: {self.deadline_minutes} min"


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    ESCALATED = "escalated", _("escalated")
    CANCELLED = "cancelled", _("cancelled")


class CancelReason(models.TextChoices):
    ACCEPTED = "accepted", _("an answer was accepted")
    UPVOTED = "upvoted", _("an answer was upvoted")
    OFFICIAL = "official", _("an agent answered")
    SOLVED = "solved", _("the question was marked as solved")
    REMOVED = "removed", _("the question is no longer public")
    DISABLED = "disabled", _("escalation is switched off for the category")


class Escalation(models.Model):
    question = models.OneToOneField(
        "community.Question",
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="escalation",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    due_at = models.DateTimeField(_("due"))
    conversation = models.OneToOneField(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalation",
    )
    cancel_reason = models.CharField(
        _("reason"), max_length=10, choices=CancelReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="escalation_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=State.values), name="escalation_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.state}"
