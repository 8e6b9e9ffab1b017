"""Moderation records in the admin: read-only (decisions are taken in the moderator queue)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from schwarmdesk.moderation.models import Decision, Flag, Hold


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]  # shared by three models
    raw_id_fields = ["question", "answer", "comment"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(_ReadOnly):
    list_display = ["created_at", "user", "reason", "is_open", "question", "answer", "comment"]
    list_filter = ["is_open", "reason"]


@admin.register(Hold)
class HoldAdmin(_ReadOnly):
    list_display = ["created_at", "reasons", "is_open", "question", "answer", "comment"]
    list_filter = ["is_open"]


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ["created_at", "moderator", "kind", "previous_visibility", "question", "answer"]
    list_filter = ["kind"]
