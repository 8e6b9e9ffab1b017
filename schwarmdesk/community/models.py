"""The public community: categories, tags, questions, answers, comments, votes, revisions,
images and deflections ("this answers my question" before a new question was asked).

Every change goes through :mod:`schwarmdesk.community.actions`, which keeps the counters and
the search index right in the same transaction. Questions carry the fields later features
need (``visibility`` for moderation, ``last_activity_at`` for escalation timers).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from schwarmdesk.core.bilingual import BilingualNames
from schwarmdesk.knowledge.models import Article

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class Category(BilingualNames, models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("English name"), max_length=100, blank=True, help_text=_("Empty: the name is used.")
    )
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("community category")
        verbose_name_plural = _("community categories")
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("open")
    SOLVED = "solved", _("solved")


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("visible")
    HIDDEN = "hidden", _("hidden by a moderator")
    DELETED = "deleted", _("deleted")
    HELD = "held", _("awaiting review")  # the moderation screening held it back


class Question(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="community_questions",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown; HTML is shown as text."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="questions")
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    accepted_answer = models.ForeignKey(
        "Answer",
        verbose_name=_("accepted answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    score = models.IntegerField(_("votes"), default=0, editable=False)
    answer_count = models.PositiveIntegerField(_("answers"), default=0, editable=False)
    deflection_count = models.PositiveIntegerField(
        _("questions prevented"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=QuestionStatus.values), name="question_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="question_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES), name="question_language_valid"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="question_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["visibility", "status", "-created_at"], name="question_listing"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:question", kwargs={"pk": self.pk})

    @property
    def is_solved(self) -> bool:
        return self.status == QuestionStatus.SOLVED

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


class Answer(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="community_answers",
    )
    body = models.TextField(_("text"), help_text=_("Markdown; HTML is shown as text."))
    is_official = models.BooleanField(
        _("official"), default=False, editable=False, help_text=_("Written by an agent.")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    score = models.IntegerField(_("votes"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "-score", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values),
                name="answer_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.title} #{self.pk}"

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


def _exactly_one_target(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(models.Q(question__isnull=False) & models.Q(answer__isnull=True))
        | (models.Q(question__isnull=True) & models.Q(answer__isnull=False)),
        name=f"{prefix}_one_target",
    )


class Comment(models.Model):
    """A short remark under a question or an answer."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="community_comments",
    )
    body = models.TextField(_("text"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [_exactly_one_target("comment")]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def thread_id(self) -> int:
        """The id of the question this comment is shown under."""
        if self.question_id is not None:
            return self.question_id
        if self.answer is None:
            raise ValueError("a comment belongs to a question or to an answer")
        return self.answer.question_id


class Revision(models.Model):
    """One saved state of a question, an answer or a comment; number 1 is the original text."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="community_revisions",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(question__isnull=False, answer__isnull=True, comment__isnull=True)
                    | models.Q(question__isnull=True, answer__isnull=False, comment__isnull=True)
                    | models.Q(question__isnull=True, answer__isnull=True, comment__isnull=False)
                ),
                name="revision_one_target",
            ),
            models.UniqueConstraint(
                fields=["question", "number"],
                condition=models.Q(question__isnull=False),
                name="revision_unique_number_per_question",
            ),
            models.UniqueConstraint(
                fields=["answer", "number"],
                condition=models.Q(answer__isnull=False),
                name="revision_unique_number_per_answer",
            ),
            models.UniqueConstraint(
                fields=["comment", "number"],
                condition=models.Q(comment__isnull=False),
                name="revision_unique_number_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Vote(models.Model):
    """One account's up (+1) or down (-1) vote on a question or an answer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="community_votes",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="votes",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="votes",
    )
    value = models.SmallIntegerField(_("vote"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            _exactly_one_target("vote"),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(question__isnull=False),
                name="vote_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["user", "answer"],
                condition=models.Q(answer__isnull=False),
                name="vote_once_per_answer",
            ),
            models.CheckConstraint(condition=models.Q(value__in=[-1, 1]), name="vote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.value:+d}"


def image_path(instance: Image, filename: str) -> str:
    return f"community/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class Image(models.Model):
    """A picture attached to a question or an answer (type and size checked on upload)."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="images",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="images",
    )
    file = models.FileField(_("file"), upload_to=image_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="community_images",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at", "pk"]
        constraints = [_exactly_one_target("image")]

    def __str__(self) -> str:
        return self.filename


class Deflection(models.Model):
    """A visitor said "this answers my question" about an existing question or help article
    while typing a new one: the question they did not need to ask."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("help article"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="community_deflections",
    )
    typed_title = models.CharField(_("typed title"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_deflections",
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(question__isnull=False) & models.Q(article__isnull=True))
                | (models.Q(question__isnull=True) & models.Q(article__isnull=False)),
                name="deflection_one_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(session_key="") | models.Q(user__isnull=False),
                name="deflection_has_a_reader",
            ),
            *[
                models.UniqueConstraint(
                    fields=[target, reader],
                    condition=models.Q(**{f"{target}__isnull": False}) & reader_given,
                    name=f"deflection_once_per_{reader.removesuffix('_key')}_{target}",
                )
                for target in ("question", "article")
                for reader, reader_given in (
                    ("user", models.Q(user__isnull=False)),
                    ("session_key", ~models.Q(session_key="")),
                )
            ],
        ]

    def __str__(self) -> str:
        return self.typed_title or str(self.pk)
