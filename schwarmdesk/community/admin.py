"""Community administration: categories are edited here; posts are read here and changed
through the public pages (so revisions, counters and the search index stay right)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from schwarmdesk.community.models import (
    Answer,
    Category,
    Comment,
    Deflection,
    Question,
    Revision,
    Tag,
    Vote,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "name_en", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en", "slug"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Posts change only through the actions; the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "category",
        "language",
        "status",
        "visibility",
        "score",
        "answer_count",
    ]
    list_filter = ["status", "visibility", "language", "category"]
    search_fields = ["title", "body"]
    date_hierarchy = "created_at"


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "author", "is_official", "visibility", "score", "created_at"]
    list_filter = ["is_official", "visibility"]
    search_fields = ["body"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "created_at"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "question", "answer", "author", "created_at"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "question", "answer", "created_at"]


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ["typed_title", "question", "article", "created_at"]
