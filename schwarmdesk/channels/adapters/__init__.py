"""The registry of channel adapters (Healthchecks' ``TRANSPORTS``): kind → adapter class."""

from __future__ import annotations

from schwarmdesk.channels.adapters.base import ChannelAdapter
from schwarmdesk.channels.adapters.email import Email
from schwarmdesk.channels.adapters.facebook import Facebook
from schwarmdesk.channels.adapters.mastodon import Mastodon
from schwarmdesk.channels.adapters.telegram import Telegram
from schwarmdesk.channels.adapters.web_chat import WebChat
from schwarmdesk.channels.adapters.web_form import WebForm
from schwarmdesk.channels.adapters.x import X

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    adapter.kind: adapter for adapter in (Telegram, Facebook, X, Mastodon, Email, WebForm, WebChat)
}

__all__ = ["ADAPTERS", "ChannelAdapter"]
