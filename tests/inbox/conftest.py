"""Inbox fixtures: Carol writes on Telegram (travel team's conversation), Dave on X (no team),
an administrator Ada, and every channel pointed at the localhost fake API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User

from schwarmdesk.channels.adapters.base import InboundMessage, Sender
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel
from schwarmdesk.conversations.actions import receive
from schwarmdesk.conversations.models import Conversation, Message
from schwarmdesk.people.actions import create_agent, link_identity
from schwarmdesk.people.models import Agent, Customer, Team
from tests.channels.conftest import FakeApi, channels, fake_api  # noqa: F401  # fixtures
from tests.community import conftest as community_conftest
from tests.community.conftest import community_account
from tests.web.conftest import (  # noqa: F401  # the browser fixtures, for test_browser.py
    browser,
    browser_context,
    page,
    page_problems,
    playwright,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    Capture = Callable[..., AbstractContextManager[list[Callable[[], object]]]]
else:
    Capture = object

SENT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def telegram_message(chat_id: str, message_id: int, text: str) -> InboundMessage:
    return InboundMessage(
        kind=ChannelKind.TELEGRAM,
        external_id=f"{chat_id}:{message_id}",
        sender=Sender(external_id=chat_id, handle="", display_name="", language="de"),
        text=text,
        sent_at=SENT_AT,
        is_public=False,
        thread_key=f"chat:{chat_id}",
        reply_context={"chat_id": chat_id, "message_id": str(message_id)},
    )


def x_message(user_id: str, tweet_id: str, text: str) -> InboundMessage:
    return InboundMessage(
        kind=ChannelKind.X,
        external_id=f"dm:{tweet_id}",
        sender=Sender(external_id=user_id, handle="@dave", display_name="Dave", language="en"),
        text=text,
        sent_at=SENT_AT,
        is_public=False,
        thread_key=f"dm:{user_id}",
        reply_context={"user_id": user_id},
    )


@pytest.fixture
def ada(db: None) -> Agent:
    """An administrator: sees every conversation."""
    return create_agent(
        None,
        username="ada",
        password="ada-password",
        display_name="Ada Admin",
        initials="AD",
        email="ada@example.com",
        is_admin=True,
    )


@pytest.fixture
def carol_chat(
    carol: Customer,
    travel_team: Team,
    channels: dict[str, Channel],  # noqa: F811
) -> Conversation:
    """Carol's Telegram conversation, in Alice's travel team."""
    link_identity(None, carol, kind=ChannelKind.TELEGRAM, external_id="5001", is_verified=True)
    message = receive(
        None,
        channel_id=channels["telegram"].pk,
        message=telegram_message("5001", 1, "Mein Zug ist ausgefallen, bekomme ich Geld zurück?"),
    )
    Conversation.objects.filter(pk=message.conversation_id).update(team=travel_team)
    return Conversation.objects.get(pk=message.conversation_id)


@pytest.fixture
def dave_chat(dave: Customer, channels: dict[str, Channel]) -> Conversation:  # noqa: F811
    """Dave's X direct message: no team yet, so every agent sees it."""
    link_identity(None, dave, kind=ChannelKind.X, external_id="2002", is_verified=True)
    message = receive(
        None,
        channel_id=channels["x"].pk,
        message=x_message("2002", "1860000000000000001", "My router keeps rebooting."),
    )
    return Conversation.objects.get(pk=message.conversation_id)


@pytest.fixture
def carol_user(carol: Customer) -> User:
    """Carol's own login: a customer, not an agent."""
    return community_account(carol, "carol")


def customer_visible_messages(conversation: Conversation) -> list[Message]:
    """What a customer could ever be shown of a conversation: never internal notes."""
    return list(conversation.messages.exclude(visibility="internal"))


question = community_conftest.question
billing = community_conftest.billing
