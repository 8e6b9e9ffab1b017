from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.inbox.actions import merge_verified_email
from schwarmdesk.people.actions import actor_name
from schwarmdesk.people.evidence import EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Skill, Team


class ChannelIdentityInline(admin.TabularInline[ChannelIdentity, Customer]):
    model = ChannelIdentity
    extra = 0
    fields = ["kind", "external_id", "handle", "is_verified", "created_at", "link_evidence"]
    readonly_fields = ["created_at", "link_evidence"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["display_name", "email", "language", "is_vip", "created_at"]
    list_filter = ["language", "is_vip"]
    search_fields = ["display_name", "email", "identities__external_id", "identities__handle"]
    inlines = [ChannelIdentityInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ChannelIdentity)
class ChannelIdentityAdmin(admin.ModelAdmin[ChannelIdentity]):
    list_display = ["external_id", "kind", "handle", "customer", "is_verified", "link_evidence"]
    list_filter = ["kind", "is_verified", "link_evidence"]
    search_fields = ["external_id", "handle", "customer__display_name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    readonly_fields = ["link_evidence", "link_detail", "linked_by", "linked_at", "link_merge_id"]

    def save_model(
        self, request: HttpRequest, obj: ChannelIdentity, form: Any, change: bool
    ) -> None:
        """An identity given to a customer here is an agent's link; an e-mail identity marked
        verified here links customers like any verified address (never an unverified one)."""
        if "customer" in form.changed_data or not change:
            obj.link_evidence = EvidenceKind.AGENT_LINK
            obj.linked_by = actor_name(request.user)[:200]
            obj.linked_at = timezone.now()
            obj.link_detail = ""
            obj.link_merge_id = None
        super().save_model(request, obj, form, change)
        if "is_verified" in form.changed_data and obj.is_verified and obj.kind == ChannelKind.EMAIL:
            merge_verified_email(request.user, address=obj.external_id)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin[Agent]):
    list_display = ["display_name", "initials", "user", "is_available"]
    list_filter = ["teams", "skills", "is_available"]
    search_fields = ["display_name", "initials", "user__username"]
    filter_horizontal = ["skills", "teams"]
    list_select_related = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    search_fields = ["name"]
