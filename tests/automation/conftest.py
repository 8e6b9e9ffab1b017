"""Automation fixtures: a Telegram (private) and an X (public) channel, a way to receive a
customer message through conversations.actions.receive with the after-commit work run, and a
published German help article about changing the billing address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

import pytest

from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.adapters.base import InboundMessage, Sender
from schwarmdesk.channels.models import Channel
from schwarmdesk.conversations.actions import receive
from schwarmdesk.conversations.models import Message
from schwarmdesk.knowledge.actions import create_article
from schwarmdesk.knowledge.actions import create_category as create_help_category
from schwarmdesk.knowledge.models import Article, Category
from schwarmdesk.people.models import Agent

Receive = Callable[..., Message]
_ids = count(1)


@pytest.fixture
def telegram(db: None) -> Channel:
    return configure_channel(None, kind="telegram", name="Support-Bot", secrets={})


@pytest.fixture
def x_channel(db: None) -> Channel:
    return configure_channel(None, kind="x", name="@nordlicht", secrets={})


@pytest.fixture
def receive_message(
    telegram: Channel, django_capture_on_commit_callbacks: Callable[..., object]
) -> Receive:
    """Receive a customer message; the triage/bot/routing task runs (Huey is immediate)."""

    def send(
        text: str,
        *,
        sender: str = "5001",
        channel: Channel = telegram,
        is_public: bool = False,
        language: str = "",
        name: str = "Kundin",
    ) -> Message:
        number = next(_ids)
        inbound = InboundMessage(
            kind=channel.kind,
            external_id=f"m-{number}",
            sender=Sender(external_id=sender, display_name=name, language=language),
            text=text,
            sent_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
            is_public=is_public,
            thread_key=f"chat-{sender}",
        )
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            message = receive(None, channel_id=channel.pk, message=inbound)
        message.refresh_from_db()
        return message

    return send


@pytest.fixture
def help_category(alice: Agent) -> Category:
    return create_help_category(
        alice.user, name="Rechnung & Zahlung", name_en="Billing & payment", slug="rechnung"
    )


@pytest.fixture
def help_article(alice: Agent, help_category: Category) -> Article:
    return create_article(
        alice.user,
        category=help_category,
        language="de",
        title="Rechnungsadresse ändern",
        body="Ihre Rechnungsadresse ändern Sie im Kundenportal unter Mein Konto > Adressen.",
        publish=True,
    )
