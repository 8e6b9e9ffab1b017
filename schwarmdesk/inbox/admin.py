from django.contrib import admin

from schwarmdesk.inbox.models import CannedReply, CustomerMerge, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = [
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "is_enabled",
    ]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin[CannedReply]):
    list_display = ["title", "language"]
    list_filter = ["language"]
    search_fields = ["title", "body"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin[CustomerMerge]):
    """Read-only: merges are made and undone in the inbox, where they are recorded."""

    list_display = ["source", "target", "merged_by", "merged_at", "undone_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
