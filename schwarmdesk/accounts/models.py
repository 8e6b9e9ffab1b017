"""Customer accounts: a profile next to Django's user, and the attempts that rate limits count.

Accounts that existed before sign-up with e-mail verification (demo members, accounts an
administrator made) have no profile, or one with ``is_email_verified`` true: only a sign-up
through the public form starts unverified. So "unverified" is an explicit marker, never the
absence of one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotifyLevel(models.TextChoices):
    ALL = "all", _("every question I follow")
    MINE = "mine", _("only my own questions")
    NONE = "none", _("no e-mails")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("For e-mails. Empty: the language of the question."),
    )
    notify = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=NotifyLevel.choices,
        default=NotifyLevel.ALL,
    )
    is_email_verified = models.BooleanField(_("e-mail verified"), default=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    activity_seen_at = models.DateTimeField(
        _("activity seen at"),
        null=True,
        blank=True,
        help_text=_("When the member last opened their questions; newer answers count as new."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notify__in=NotifyLevel.values), name="profile_notify_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Attempt(models.Model):
    """One sign-up, password reset or verification e-mail request, counted by rate limits."""

    action = models.CharField(_("action"), max_length=20)
    key = models.CharField(_("key"), max_length=300, help_text=_("An IP address or an e-mail."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        indexes = [models.Index(fields=["action", "key", "created_at"], name="attempt_lookup")]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"
