from __future__ import annotations

from django.contrib import admin

from schwarmdesk.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ["user", "is_email_verified", "language", "notify", "created_at"]
    list_filter = ["is_email_verified", "notify", "language"]
    search_fields = ["user__username"]
    readonly_fields = ["email_verified_at", "consented_at", "created_at"]
