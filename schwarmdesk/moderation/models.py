"""Moderation records: flags that members raise on posts, holds that the screening puts on
suspicious posts, and the decisions moderators take on both.

A row points at exactly one post (a question, an answer or a comment). Every change goes
through :mod:`schwarmdesk.moderation.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schwarmdesk.community.models import Answer, Comment, Question

TARGETS = ("question", "answer", "comment")


def _exactly_one_target(prefix: str) -> models.CheckConstraint:
    only = {
        target: models.Q(**{f"{target}__isnull": False})
        & models.Q(**{f"{other}__isnull": True for other in TARGETS if other != target})
        for target in TARGETS
    }
    return models.CheckConstraint(
        condition=only["question"] | only["answer"] | only["comment"],
        name=f"{prefix}_one_target",
    )


class PostTarget(models.Model):
    """Three optional links of which exactly one is set (a check constraint says so)."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, null=True, blank=True
    )
    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, null=True, blank=True
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        abstract = True

    @property
    def post(self) -> Question | Answer | Comment:
        post = self.question or self.answer or self.comment
        if post is None:  # the check constraint rules this out
            raise ValueError("a moderation record without a post")
        return post

    @property
    def target_kind(self) -> str:
        if self.question_id is not None:
            return "question"
        return "answer" if self.answer_id is not None else "comment"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("spam or advertising")
    OFFENSIVE = "offensive", _("offensive or abusive")
    OFF_TOPIC = "off_topic", _("off-topic")
    OTHER = "other", _("something else")


class Flag(PostTarget):
    """One member says a post should not be here; one flag per member and post."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        on_delete=models.CASCADE,
        related_name="moderation_flags",
    )
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    text = models.CharField(_("explanation"), max_length=500, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-created_at", "-pk"]
        constraints = [
            _exactly_one_target("flag"),
            *[
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=models.Q(**{f"{target}__isnull": False}),
                    name=f"flag_once_per_user_{target}",
                )
                for target in TARGETS
            ],
            models.CheckConstraint(
                condition=models.Q(reason__in=FlagReason.values), name="flag_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["is_open", "-created_at"], name="flag_open")]

    def __str__(self) -> str:
        return f"{self.reason} ({self.target_kind})"


class Hold(PostTarget):
    """The screening kept a post from the public until a moderator looks at it."""

    reasons = models.JSONField(_("reasons"), default=list)
    scores = models.JSONField(_("detector scores"), default=dict)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("held"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("held post")
        verbose_name_plural = _("held posts")
        ordering = ["-created_at", "-pk"]
        constraints = [_exactly_one_target("hold")]
        indexes = [models.Index(fields=["is_open", "-created_at"], name="hold_open")]

    def __str__(self) -> str:
        return f"{', '.join(self.reasons)} ({self.target_kind})"


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("approved")
    HIDE = "hide", _("hidden")
    DELETE = "delete", _("deleted")
    AUTO_HIDE = "auto_hide", _("hidden by flags")


class Decision(PostTarget):
    """Who decided what about a post, and when; kept for the record."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        help_text=_("Empty when the flags of members hid the post."),
    )
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    previous_visibility = models.CharField(_("visibility before"), max_length=10)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            _exactly_one_target("decision"),
            models.CheckConstraint(
                condition=models.Q(kind__in=DecisionKind.values), name="decision_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.target_kind})"
