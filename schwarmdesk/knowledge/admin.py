"""Help-center administration. Every save goes through the actions, so versions are written
and the search index stays right, exactly as for any other writer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from schwarmdesk.knowledge.actions import (
    archive_article,
    create_article,
    delete_article,
    delete_category,
    publish_article,
    save_category,
    unpublish_article,
    update_article,
)
from schwarmdesk.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    Category,
    Status,
)
from schwarmdesk.knowledge.queries import agent_of

STATUS_ACTIONS = {
    Status.PUBLISHED: publish_article,
    Status.DRAFT: unpublish_article,
    Status.ARCHIVED: archive_article,
}


ADD_FIELDS = ("category", "language", "translation_of", "title", "body", "status")
CHANGE_READONLY_FIELDS = (
    "language",
    "slug",
    "author",
    "translation_group",
    "published_at",
    "updated_at",
    "helpful_yes",
    "helpful_no",
)
CHANGE_FIELDS = ("category", "status", "title", "body", "change_note", *CHANGE_READONLY_FIELDS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "name_en", "slug", "parent", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en", "slug"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        save_category(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        delete_category(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        for category in queryset:
            delete_category(request.user, category)


class ArticleVersionInline(admin.TabularInline[ArticleVersion, Article]):
    model = ArticleVersion
    extra = 0
    fields = ("number", "title", "author", "change_note", "created_at")
    readonly_fields = ("number", "title", "author", "change_note", "created_at")
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False


class ArticleForm(forms.ModelForm[Article]):
    change_note = forms.CharField(
        label=_("change note"),
        max_length=300,
        required=False,
        help_text=_("What changed, for the version history."),
    )
    translation_of = forms.ModelChoiceField(
        label=_("translation of"),
        queryset=Article.objects.order_by("title"),
        required=False,
        help_text=_("Link a new article to its German or English variant."),
    )

    class Meta:
        model = Article
        fields = ["category", "language", "title", "body", "status"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        original = data.get("translation_of")
        language = data.get("language")
        if (
            isinstance(original, Article)
            and Article.objects.filter(
                translation_group=original.translation_group, language=language
            ).exists()
        ):
            raise forms.ValidationError(_("That article already has a variant in this language."))
        return data


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    form = ArticleForm
    list_display = [
        "title",
        "language",
        "status",
        "category",
        "author",
        "updated_at",
        "helpful_yes",
        "helpful_no",
    ]
    list_filter = ["status", "language", "category"]
    search_fields = ["title", "body", "slug"]
    list_select_related = ["category", "author"]
    inlines = [ArticleVersionInline]

    def get_fields(self, request: HttpRequest, obj: Article | None = None) -> tuple[str, ...]:
        return ADD_FIELDS if obj is None else CHANGE_FIELDS

    def get_readonly_fields(
        self, request: HttpRequest, obj: Article | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else CHANGE_READONLY_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return agent_of(request.user) is not None and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return agent_of(request.user) is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return agent_of(request.user) is not None and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = create_article(
                request.user,
                category=data["category"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                translation_of=data.get("translation_of"),
                publish=data["status"] == Status.PUBLISHED,
            )
            if data["status"] == Status.ARCHIVED:
                archive_article(request.user, created)
        else:
            article = update_article(
                request.user,
                obj,
                title=data["title"],
                body=data["body"],
                change_note=data.get("change_note", ""),
                category=data["category"],
            )
            created = STATUS_ACTIONS[Status(data["status"])](request.user, article)
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # versions are read-only and written by the actions

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        delete_article(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            delete_article(request.user, article)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin[ArticleFeedback]):
    list_display = ["article", "is_helpful", "comment", "created_at"]
    list_filter = ["is_helpful", "article__language"]
    search_fields = ["article__title", "comment"]
    list_select_related = ["article"]
    fields = ("article", "is_helpful", "comment", "created_at", "updated_at")
    readonly_fields = ("article", "is_helpful", "comment", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers give feedback on the article page

    def has_change_permission(
        self, request: HttpRequest, obj: ArticleFeedback | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ArticleFeedback | None = None
    ) -> bool:
        return False  # the article's counters count every answer
