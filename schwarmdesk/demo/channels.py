"""Demo channels: one per kind, harmless settings, and routes so that demo replies go somewhere.

Nothing here calls out: the platform channels (X, Facebook, Mastodon, Telegram) and the e-mail
channel point at port 9 of the loopback, where nothing listens, so a reply written in the demo
inbox gets a delivery that is retried with back-off and finally fails with "connection refused",
visible in the conversation. The web form answers through the site's own mail (the console
backend in demo mode) and the web chat through the in-process channel layer: both are sent.
The polled channels (e-mail, Mastodon) are disabled, so the poller never knocks on port 9, and
no demo channel expects events (``expected_event_hours`` 0), so health checks stay quiet until
a demo reply fails.
"""

from __future__ import annotations

from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, MessageRoute
from schwarmdesk.conversations.models import Direction, Message, Visibility

NOWHERE = "http://127.0.0.1:9"  # the discard port: a connection is refused, nothing is sent
QUIET = {"expected_event_hours": "0"}
PLATFORMS = (ChannelKind.X, ChannelKind.FACEBOOK, ChannelKind.MASTODON, ChannelKind.TELEGRAM)
DEMO_ADDRESS = "support@nordlicht.example.com"

# kind: (name, account id, options, enabled)
DEMO_CHANNELS: dict[str, tuple[str, str, dict[str, str], bool]] = {
    ChannelKind.EMAIL: (
        "Support-Postfach (Demo)",
        "",
        {
            "address": DEMO_ADDRESS,
            "from_name": "Nordlicht Mobil Support",
            "smtp_host": "127.0.0.1",
            "smtp_port": "9",
            "smtp_security": "none",
        },
        False,
    ),
    ChannelKind.WEB_FORM: (
        "Kontaktformular (Demo)",
        "",
        {"address": DEMO_ADDRESS, "from_name": "Nordlicht Mobil Support"},
        True,
    ),
    ChannelKind.WEB_CHAT: ("Web-Chat (Demo)", "", {}, True),
    ChannelKind.X: ("@nordlicht_mobil (Demo)", "1500000000000000001", {}, True),
    ChannelKind.FACEBOOK: ("Nordlicht Mobil Facebook-Seite (Demo)", "104857600000001", {}, True),
    ChannelKind.MASTODON: ("@nordlicht@social.example.com (Demo)", "1", {}, False),
    ChannelKind.TELEGRAM: ("Nordlicht Mobil Bot (Demo)", "7000000001", {}, True),
}


def load_demo_channels() -> dict[str, Channel]:
    """One channel per kind (an existing channel of a kind is kept, not duplicated)."""
    channels: dict[str, Channel] = {}
    for kind, (name, account_id, options, is_enabled) in DEMO_CHANNELS.items():
        existing = Channel.objects.filter(kind=kind).order_by("pk").first()
        channels[kind] = existing or configure_channel(
            None,
            kind=kind,
            name=name,
            secrets={},
            api_base_url=NOWHERE if kind in PLATFORMS else "",
            account_id=account_id,
            is_enabled=is_enabled,
            options={**options, **QUIET},
        )
    return channels


def _reply_context(  # noqa: PLR0911 -- one return per channel kind
    message: Message, identity: str, handle: str
) -> tuple[str, dict[str, str]]:
    """The thread key and what the channel's adapter needs to answer this message."""
    conversation = message.conversation
    customer = conversation.customer
    external_id = message.external_id
    kind = message.channel_kind
    if kind in (ChannelKind.EMAIL, ChannelKind.WEB_FORM):
        message_id = external_id if external_id.startswith("<") else f"<{external_id}>"
        return f"mail:{conversation.reference}", {
            "address": identity or customer.email,
            "name": customer.display_name,
            "message_id": message_id,
            "references": message_id,
            "subject": conversation.subject,
            "language": conversation.language,
        }
    if kind == ChannelKind.TELEGRAM:
        chat_id, _colon, number = external_id.rpartition(":")
        return f"chat:{chat_id}", {"chat_id": chat_id, "message_id": number}
    if kind == ChannelKind.X:
        if message.visibility == Visibility.PUBLIC:
            return f"mention:{identity}", {
                "tweet_id": external_id,
                "user_id": identity,
                "screen_name": handle.lstrip("@"),
            }
        return f"dm:{identity}", {"user_id": identity}
    if kind == ChannelKind.FACEBOOK:
        return f"messenger:{identity}", {"recipient_id": identity}
    if kind == ChannelKind.MASTODON:
        visibility = "public" if message.visibility == Visibility.PUBLIC else "direct"
        return f"status:{external_id}", {
            "status_id": external_id,
            "acct": handle.lstrip("@") or identity,
            "visibility": visibility,
        }
    return f"visitor:{identity}", {
        "visitor_id": identity,
        "email": customer.email,
        "language": conversation.language,
    }


def route_demo_messages(channels: dict[str, Channel]) -> int:
    """A route for every inbound demo message, as the channel's webhook or poller would store."""
    inbound = (
        Message.objects.filter(direction=Direction.INBOUND, route__isnull=True)
        .exclude(external_id="")
        .filter(channel_kind__in=list(channels))
        .select_related("conversation__customer")
        .order_by("pk")
    )
    routes = []
    for message in inbound:
        identities = {
            kind: (external_id, handle)
            for kind, external_id, handle in message.conversation.customer.identities.values_list(
                "kind", "external_id", "handle"
            )
        }
        identity, handle = identities.get(message.channel_kind, ("", ""))
        thread_key, context = _reply_context(message, identity, handle)
        routes.append(
            MessageRoute(
                message=message,
                channel=channels[message.channel_kind],
                thread_key=thread_key,
                reply_context=context,
            )
        )
    MessageRoute.objects.bulk_create(routes)
    return len(routes)
