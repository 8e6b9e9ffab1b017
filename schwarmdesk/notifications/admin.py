from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from schwarmdesk.notifications.models import Delivery, Follow


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin[Follow]):
    list_display = ["user", "question", "created_at"]
    raw_id_fields = ["user", "question"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """Read-only: deliveries are written by the community's actions and sent by the worker."""

    list_display = ["event", "question", "recipient", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "language"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
