"""Channel configuration (secrets write-only), health, raw events and deliveries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schwarmdesk.channels.actions import replay_event, retry_delivery
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import ParseError
from schwarmdesk.channels.health import credentials_expire_at, get_problems
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, ChannelFailure, Delivery, InboundEvent
from schwarmdesk.channels.queries import get_channel_health
from schwarmdesk.core.errors import DomainError


def parse_secret_lines(text: str) -> dict[str, str]:
    """``name=value`` lines; blank lines are skipped."""
    secrets: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, separator, value = line.partition("=")
        if not separator or not name.strip() or not value.strip():
            raise forms.ValidationError(_("Write one secret per line as name=value."))
        secrets[name.strip()] = value.strip()
    return secrets


class ChannelForm(forms.ModelForm[Channel]):
    api_base_url = forms.URLField(
        label=gettext_lazy("API base URL"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Leave empty for the platform's own API; the Mastodon instance's address."
        ),
    )
    new_secrets = forms.CharField(
        label=gettext_lazy("set secrets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=gettext_lazy(
            "One per line as name=value. Stored secrets are never shown; "
            "a name given here replaces its value, the others stay."
        ),
    )

    class Meta:
        model = Channel
        fields = [
            "kind",
            "name",
            "is_enabled",
            "api_base_url",
            "account_id",
            "sign_public_replies",
            "rate_limit_per_minute",
            "options",
        ]

    def clean_new_secrets(self) -> dict[str, str]:
        secrets = parse_secret_lines(self.cleaned_data.get("new_secrets") or "")
        kind = self.cleaned_data.get("kind") or self.instance.kind
        allowed = set(ADAPTERS[kind].secret_names) if kind in ADAPTERS else set()
        unknown = sorted(set(secrets) - allowed)
        if unknown:
            raise forms.ValidationError(
                _("Unknown secret names: %(names)s. This channel takes: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed)) or "-"}
            )
        return secrets

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        stored = dict(channel.secrets) if isinstance(channel.secrets, dict) else {}
        stored.update(self.cleaned_data.get("new_secrets") or {})
        channel.secrets = stored
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    form = ChannelForm
    list_display = ["name", "kind", "is_enabled", "health_state", "last_event_at", "last_send_at"]
    list_filter = ["kind", "is_enabled", "health_state"]
    readonly_fields = ["webhook_path", "embed_code", "secret_names", "health"]

    @admin.display(description=gettext_lazy("embed code"))
    def embed_code(self, channel: Channel) -> str:
        if channel.pk and channel.kind == ChannelKind.WEB_CHAT:
            snippet = (
                f'<script src="{settings.BASE_URL}/static/chat/widget.js" '
                f'data-channel="{channel.pk}" async></script>'
            )
            return format_html("<code>{}</code>", snippet)
        if not channel.pk or channel.kind != ChannelKind.WEB_FORM:
            return "-"
        url = f"{settings.BASE_URL}/channels/form/{channel.pk}/"
        snippet = (
            f'<iframe src="{url}" title="Contact" loading="lazy" '
            'style="width:100%;min-height:720px;border:0"></iframe>'
        )
        return format_html('<code>{}</code><br><a href="{}">{}</a>', snippet, url, url)

    @admin.display(description=gettext_lazy("webhook address"))
    def webhook_path(self, channel: Channel) -> str:
        if not channel.pk or channel.kind not in ADAPTERS:
            return "-"
        if not ADAPTERS[channel.kind].capabilities.has_webhook:
            return _("polled, no webhook")
        return f"/channels/{channel.kind}/{channel.pk}/webhook/"

    @admin.display(description=gettext_lazy("stored secrets"))
    def secret_names(self, channel: Channel) -> str:
        names = sorted(channel.secrets) if isinstance(channel.secrets, dict) else []
        return ", ".join(f"{name} ••••" for name in names) or _("none")

    @admin.display(description=gettext_lazy("health"))
    def health(self, channel: Channel) -> str:
        if not channel.pk:
            return "-"
        health = get_channel_health(channel)
        never = _("never")
        problems = get_problems(channel)
        warning = format_html(
            '<div class="{}" role="status"><strong>{}</strong>{}</div>',
            "errornote" if problems else "",
            channel.get_health_state_display(),
            format_html_join("", "<br>{}", ((problem.describe(),) for problem in problems)),
        )
        rows = [
            (_("last event received"), health.last_event_at or never),
            (_("last successful send"), health.last_send_at or never),
            (_("errors in the last 24 hours"), health.recent_error_count),
            (_("last error"), health.last_error or "-"),
            (_("deliveries waiting"), health.waiting_deliveries),
            (_("deliveries failed"), health.failed_deliveries),
            (_("last verified webhook request"), channel.last_verified_at or never),
            (_("credentials expire"), credentials_expire_at(channel) or "-"),
        ]
        details = format_html_join("", "<div><strong>{}:</strong> {}</div>", rows)
        return format_html("{}{}", warning, details)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin[InboundEvent]):
    list_display = ["pk", "channel", "status", "message_count", "received_at", "error"]
    list_filter = ["status", "channel"]
    readonly_fields = [
        "channel",
        "body_sha256",
        "headers",
        "status",
        "message_count",
        "error",
        "received_at",
        "processed_at",
    ]
    exclude = ["body"]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Replay the selected events"))
    def replay(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> None:
        count = 0
        for event in queryset:
            try:
                replay_event(request.user, event.pk)
                count += 1
            except (ParseError, DomainError) as error:
                self.message_user(request, f"#{event.pk}: {error}", messages.ERROR)
        self.message_user(request, _("Events replayed: %(count)s.") % {"count": count})


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["pk", "channel", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "channel"]
    readonly_fields = [
        "message",
        "channel",
        "route",
        "status",
        "attempts",
        "next_attempt_at",
        "provider_id",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Retry the selected failed deliveries"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        agent = getattr(request.user, "agent", None)
        if agent is None:
            self.message_user(request, _("Only agents can retry deliveries."), messages.ERROR)
            return
        for delivery in queryset:
            try:
                retry_delivery(agent, delivery.pk)
            except DomainError as error:
                self.message_user(request, f"#{delivery.pk}: {error}", messages.ERROR)


@admin.register(ChannelFailure)
class ChannelFailureAdmin(admin.ModelAdmin[ChannelFailure]):
    list_display = ["created_at", "channel", "source", "reason"]
    list_filter = ["source", "channel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
