"""Reputation in the admin: read-only (points move only through the community's actions)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from schwarmdesk.reputation.models import BadgeAward, PointEvent, Profile


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]  # shared by three models
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(_ReadOnly):
    list_display = ["user", "points"]
    search_fields = ["user__username"]
    ordering = ["-points"]


@admin.register(PointEvent)
class PointEventAdmin(_ReadOnly):
    list_display = ["created_at", "user", "reason", "points", "question"]
    list_filter = ["reason"]
    search_fields = ["user__username", "source"]
    raw_id_fields = ["question", "answer"]


@admin.register(BadgeAward)
class BadgeAwardAdmin(_ReadOnly):
    list_display = ["awarded_at", "user", "badge"]
    list_filter = ["badge"]
