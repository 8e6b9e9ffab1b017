from django.contrib import admin

from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Skill, Team


class ChannelIdentityInline(admin.TabularInline[ChannelIdentity, Customer]):
    model = ChannelIdentity
    extra = 0
    fields = ["kind", "external_id", "handle", "is_verified", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["display_name", "email", "language", "is_vip", "created_at"]
    list_filter = ["language", "is_vip"]
    search_fields = ["display_name", "email", "identities__external_id", "identities__handle"]
    inlines = [ChannelIdentityInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ChannelIdentity)
class ChannelIdentityAdmin(admin.ModelAdmin[ChannelIdentity]):
    list_display = ["external_id", "kind", "handle", "customer", "is_verified"]
    list_filter = ["kind", "is_verified"]
    search_fields = ["external_id", "handle", "customer__display_name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


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
