"""Help-center articles: categories, articles with their versions, and readers' feedback.

Every change goes through :mod:`schwarmdesk.knowledge.actions`, which also keeps the search
index right. German and English variants of one article share a ``translation_group``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from schwarmdesk.core.bilingual import BilingualNames
from schwarmdesk.people.models import Agent


class Category(BilingualNames, models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("English name"), max_length=100, blank=True, help_text=_("Empty: the name is used.")
    )
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:category", kwargs={"slug": self.slug})


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class Article(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    translation_group = models.UUIDField(
        _("translation group"),
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text=_("The same for the German and the English variant of one article."),
    )
    slug = models.SlugField(_("address"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown; HTML is shown as text."))
    current_version = models.ForeignKey(
        "ArticleVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    author = models.ForeignKey(
        Agent,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)
    source_question = models.OneToOneField(
        "community.Question",
        verbose_name=_("from community question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="promoted_article",
        help_text=_("The community question whose accepted answer this article grew from."),
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["category__position", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"],
                name="article_one_variant_per_language",
            ),
            models.UniqueConstraint(
                fields=["language", "slug"], name="article_unique_slug_per_language"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="article_language_valid",
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="article_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", kwargs={"language": self.language, "slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class ArticleVersion(models.Model):
    """One saved state of an article; the article points at its newest one."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        Agent,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_versions",
    )
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="article_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.title} v{self.number}"


class ArticleFeedback(models.Model):
    """A reader's answer to "Was this article helpful?": one per session (or user) and article."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback"
    )
    is_helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="article_feedback",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=~models.Q(session_key=""),
                name="feedback_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=models.Q(user__isnull=False),
                name="feedback_once_per_user",
            ),
            models.CheckConstraint(
                condition=~models.Q(session_key="") | models.Q(user__isnull=False),
                name="feedback_has_a_reader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.title}: {'yes' if self.is_helpful else 'no'}"
