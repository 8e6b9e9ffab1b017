"""Reputation: a ledger of point events, a cached total per member and badges awarded.

The ledger has one row per source (``source`` is unique), so a vote cast twice or an answer
accepted twice cannot count twice; taking a vote or an acceptance back deletes its row and
moves the cached total back in the same transaction (:mod:`schwarmdesk.reputation.actions`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.reputation.rules import BADGES, Reason, TrustLevel


class Profile(models.Model):
    """A member's reputation total, kept with F() next to every ledger change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reputation",
    )
    points = models.IntegerField(_("reputation"), default=0)

    class Meta:
        verbose_name = _("reputation profile")
        verbose_name_plural = _("reputation profiles")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.points}"

    @property
    def level(self) -> TrustLevel:
        return TrustLevel.for_points(self.points)


class PointEvent(models.Model):
    """One reason a member's reputation moved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reputation_events",
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    points = models.IntegerField(_("points"))
    source = models.CharField(_("source"), max_length=100, unique=True)
    question = models.ForeignKey(
        "community.Question",
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    answer = models.ForeignKey(
        "community.Answer",
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("reputation event")
        verbose_name_plural = _("reputation events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at", "user"], name="reputation_month")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.points:+d} ({self.reason})"


class BadgeAward(models.Model):
    """A badge a member earned; each badge at most once per member."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="badges",
    )
    badge = models.CharField(
        _("badge"), max_length=40, choices=[(code, b.name) for code, b in BADGES.items()]
    )
    awarded_at = models.DateTimeField(_("awarded"), auto_now_add=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["awarded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "badge"], name="badge_awarded_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.badge}"

    @property
    def name(self) -> str:
        return str(BADGES[self.badge].name)

    @property
    def description(self) -> str:
        return str(BADGES[self.badge].description)
