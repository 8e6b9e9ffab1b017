"""Admin: routing rules (ordered), bot settings per channel, model versions (activate, roll
back), triage and bot attempts (read-only), knowledge candidates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from schwarmdesk.automation import actions, queries
from schwarmdesk.automation.models import (
    BotAttempt,
    BotSetting,
    KnowledgeCandidate,
    ModelVersion,
    RoutingRule,
    SourcePrior,
    Triage,
)
from schwarmdesk.core.errors import Invalid


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = (
        "position",
        "name",
        "is_enabled",
        "topic",
        "minimum_urgency",
        "channel_kind",
        "team",
        "skill",
        "priority",
    )
    list_display_links = ("name",)
    list_editable = ("position", "is_enabled")
    fieldsets = (
        (None, {"fields": ("name", "position", "is_enabled")}),
        (
            _("Conditions (empty: any)"),
            {
                "fields": (
                    "topic",
                    "minimum_urgency",
                    "sentiment",
                    "complexity",
                    "channel_kind",
                    "customer_is_vip",
                    "customer_language",
                    "hours",
                    "weekdays",
                )
            },
        ),
        (
            _("Actions"),
            {
                "fields": (
                    "team",
                    "skill",
                    "assign_agent",
                    "priority",
                    "tags",
                    "sla_policy",
                    "auto_reply",
                )
            },
        ),
    )


@admin.register(BotSetting)
class BotSettingAdmin(admin.ModelAdmin[BotSetting]):
    list_display = ("channel_kind", "is_enabled", "threshold", "answers_angry", "answers_urgent")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin[ModelVersion]):
    list_display = ("kind", "number", "is_active", "label_count", "created_at", "activated_at")
    list_filter = ("kind", "is_active")
    readonly_fields = ("kind", "number", "path", "label_count", "classes", "is_active")
    actions = ("activate", "roll_back")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Activate the selected version"))
    def activate(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        version = actions.activate_model_version(request.user, queryset.get().pk)
        self.message_user(request, _("%(name)s is active.") % {"name": version})

    @admin.action(description=_("Roll back to the previous version"))
    def roll_back(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        for kind in sorted(set(queryset.values_list("kind", flat=True))):
            try:
                version = actions.rollback_model(request.user, kind)
            except Invalid as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("%(name)s is active.") % {"name": version})


class ReadOnlyMixin:
    """Written by the automation only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Triage)
class TriageAdmin(ReadOnlyMixin, admin.ModelAdmin[Triage]):
    list_display = ("created_at", "topic", "sentiment", "urgency", "complexity", "language")
    list_filter = ("urgency", "complexity", "sentiment", "topic_source")


@admin.register(BotAttempt)
class BotAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin[BotAttempt]):
    """The list shows the bot's answer rate and helpfulness per day above the attempts."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        stats = queries.daily_bot_stats(30)
        context = {**(extra_context or {}), "points": queries.chart_points(stats)}
        return super().changelist_view(request, extra_context=context)

    list_display = ("created_at", "is_answered", "reason", "confidence", "source_title", "feedback")
    list_filter = ("is_answered", "reason", "feedback")


@admin.register(SourcePrior)
class SourcePriorAdmin(ReadOnlyMixin, admin.ModelAdmin[SourcePrior]):
    list_display = ("kind", "object_id", "helpful", "unhelpful")


@admin.register(KnowledgeCandidate)
class KnowledgeCandidateAdmin(admin.ModelAdmin[KnowledgeCandidate]):
    list_display = ("created_at", "title", "language", "status", "solved_by")
    list_filter = ("status", "language")
    readonly_fields = ("conversation", "article", "solved_by")
