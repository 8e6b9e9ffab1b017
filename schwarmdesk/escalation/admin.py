"""Escalation settings in the admin: business hours with their intervals and holidays, the
deadline per category; escalations themselves are shown read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from schwarmdesk.escalation.models import (
    BusinessHours,
    Escalation,
    EscalationPolicy,
    Holiday,
    OpeningInterval,
)


class OpeningIntervalInline(admin.TabularInline[OpeningInterval, BusinessHours]):
    model = OpeningInterval
    extra = 0


class HolidayInline(admin.TabularInline[Holiday, BusinessHours]):
    model = Holiday
    extra = 0


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin[BusinessHours]):
    list_display = ["name", "time_zone"]
    inlines = [OpeningIntervalInline, HolidayInline]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin[EscalationPolicy]):
    list_display = ["category", "deadline_minutes", "is_enabled"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin[Escalation]):
    list_display = ["question", "state", "due_at", "conversation", "cancel_reason"]
    list_filter = ["state", "cancel_reason"]
    raw_id_fields = ["question", "conversation"]
    readonly_fields = [
        "question",
        "state",
        "due_at",
        "conversation",
        "cancel_reason",
        "escalated_at",
        "cancelled_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
