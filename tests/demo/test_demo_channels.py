"""Demo channels: one per kind with harmless settings; every inbound demo message has a route,
so a reply from the demo inbox gets a delivery (sent locally or failing visibly, never out)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels.actions import reply
from schwarmdesk.channels.health import check_all_channels
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus, MessageRoute
from schwarmdesk.conversations.models import Conversation, Direction, Message
from schwarmdesk.demo.loader import DemoSummary, load_demo
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent

NOW = datetime(2025, 1, 17, 11, 0, tzinfo=UTC)
CUSTOMER_CHANNELS = set(ChannelKind.values) - {ChannelKind.COMMUNITY, ChannelKind.PHONE}


@pytest.fixture
def demo(db: None) -> DemoSummary:
    return load_demo(now=NOW)


@pytest.fixture
def root(demo: DemoSummary) -> Agent:
    return create_agent(
        None, username="root", password="x", display_name="Rita Root", initials="RR", is_admin=True
    )


def test_one_harmless_channel_per_kind(demo: DemoSummary) -> None:
    channels = Channel.objects.order_by("kind")
    assert Counter(channels.values_list("kind", flat=True)) == dict.fromkeys(CUSTOMER_CHANNELS, 1)
    for channel in channels:
        assert channel.secrets == {}
        assert channel.options["expected_event_hours"] == "0"
        assert channel.api_base_url in ("", "http://127.0.0.1:9")
    disabled = set(channels.filter(is_enabled=False).values_list("kind", flat=True))
    assert disabled == {ChannelKind.EMAIL, ChannelKind.MASTODON}  # the poller leaves them alone
    assert check_all_channels() == 0  # and the health check stays quiet on a fresh demo


def test_every_inbound_demo_message_has_a_route_on_its_channel(demo: DemoSummary) -> None:
    inbound = Message.objects.filter(direction=Direction.INBOUND).exclude(external_id="")
    routes = MessageRoute.objects.select_related("message", "channel")
    assert routes.count() == inbound.count()
    assert all(route.channel.kind == route.message.channel_kind for route in routes)
    assert {route.channel.kind for route in routes} == CUSTOMER_CHANNELS
    telegram = routes.filter(channel__kind=ChannelKind.TELEGRAM).first()
    assert telegram is not None
    chat_id, number = telegram.message.external_id.rsplit(":", 1)
    assert telegram.reply_context == {"chat_id": chat_id, "message_id": number}
    email = routes.filter(channel__kind=ChannelKind.EMAIL).first()
    assert email is not None
    assert email.reply_context["message_id"].startswith("<")
    assert email.reply_context["address"].endswith((".com", ".org", ".net"))


def test_a_reply_from_the_demo_inbox_on_every_channel_gets_a_delivery_that_never_goes_out(
    root: Agent, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # when the administrator replies in the newest conversation of every channel
    for kind in sorted(CUSTOMER_CHANNELS):
        conversation = (
            Conversation.objects.filter(messages__route__channel__kind=kind).order_by("-pk").first()
        )
        assert conversation is not None, kind
        with django_capture_on_commit_callbacks(execute=True):
            reply(root, conversation.pk, body="Danke, wir kümmern uns.", visibility="private")

    # then every reply has a delivery: the web form's is mailed by the site (the test mail box)
    # and the web chat's pushed in-process; the e-mail reply waits for a retry after the refused
    # connection (port 9 of the loopback); the platforms' fail at once: the demo has no tokens
    deliveries = Delivery.objects.select_related("channel", "route")
    assert deliveries.count() == len(CUSTOMER_CHANNELS)
    outcome = {
        delivery.channel.kind: (delivery.status, delivery.last_error) for delivery in deliveries
    }
    assert outcome == {
        ChannelKind.WEB_FORM: (DeliveryStatus.SENT, ""),
        ChannelKind.WEB_CHAT: (DeliveryStatus.SENT, ""),
        ChannelKind.EMAIL: (
            DeliveryStatus.PENDING,
            "SMTP connection failed (ConnectionRefusedError)",
        ),
        ChannelKind.X: (DeliveryStatus.FAILED, "no access_token configured"),
        ChannelKind.FACEBOOK: (DeliveryStatus.FAILED, "no page_access_token configured"),
        ChannelKind.MASTODON: (DeliveryStatus.FAILED, "no access_token configured"),
        ChannelKind.TELEGRAM: (DeliveryStatus.FAILED, "no bot_token configured"),
    }
    web_form = deliveries.get(channel__kind=ChannelKind.WEB_FORM)
    [sent] = mail.outbox
    assert sent.to[0].endswith(f"<{web_form.route.reply_context['address']}>")
