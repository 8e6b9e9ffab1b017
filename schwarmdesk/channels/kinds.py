"""The channels a customer can reach us on. Pure data: no models, no web imports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    WEB_CHAT = "web_chat", _("Web chat")
    X = "x", _("X (Twitter)")
    FACEBOOK = "facebook", _("Facebook")
    MASTODON = "mastodon", _("Mastodon")
    TELEGRAM = "telegram", _("Telegram")
    COMMUNITY = "community", _("Community")
    PHONE = "phone", _("Phone")
