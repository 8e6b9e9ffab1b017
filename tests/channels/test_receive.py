"""conversations.actions.receive: customer matching, threading, idempotency; Mastodon polling."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.test import Client

from schwarmdesk.channels.actions import poll_channel
from schwarmdesk.channels.adapters.base import InboundMessage, Sender
from schwarmdesk.channels.models import Channel, ChannelFailure, InboundEvent
from schwarmdesk.channels.tasks import poll_channels
from schwarmdesk.conversations.actions import receive, set_status
from schwarmdesk.conversations.models import Conversation, Message, Status, Visibility
from schwarmdesk.people.actions import link_identity
from schwarmdesk.people.models import ChannelIdentity, Customer
from tests.channels.conftest import FakeApi, fixture_bytes, post_webhook


def telegram_message(
    number: int, *, reply_to: int | None = None, chat: str = "42"
) -> InboundMessage:
    return InboundMessage(
        kind="telegram",
        external_id=f"{chat}:{number}",
        sender=Sender(chat, "@erika_example", "Erika Example", "de"),
        text=f"Nachricht {number}\nzweite Zeile",
        sent_at=datetime(2026, 11, 23, 12, number, tzinfo=UTC),
        is_public=False,
        thread_key=f"chat:{chat}",
        reply_to_external_id=f"{chat}:{reply_to}" if reply_to else "",
        reply_context={"chat_id": chat, "message_id": str(number)},
    )


def test_a_new_sender_becomes_a_customer_with_a_verified_identity(
    channels: dict[str, Channel],
) -> None:
    message = receive(None, channel_id=channels["telegram"].pk, message=telegram_message(1))

    customer = Customer.objects.get()
    assert (customer.display_name, customer.language) == ("Erika Example", "de")
    identity = ChannelIdentity.objects.get()
    assert (identity.kind, identity.external_id, identity.handle, identity.is_verified) == (
        "telegram",
        "42",
        "@erika_example",
        True,
    )
    assert message.author_customer == customer
    assert message.visibility == Visibility.PRIVATE
    conversation = message.conversation
    assert (conversation.subject, conversation.origin_channel) == ("Nachricht 1", "telegram")
    assert message.route.reply_context == {"chat_id": "42", "message_id": "1"}


def test_the_same_chat_continues_the_open_conversation_and_a_closed_one_is_not_reused(
    channels: dict[str, Channel],
) -> None:
    channel_id = channels["telegram"].pk
    first = receive(None, channel_id=channel_id, message=telegram_message(1))
    second = receive(None, channel_id=channel_id, message=telegram_message(2))
    set_status(None, first.conversation, status=Status.SOLVED)
    third = receive(None, channel_id=channel_id, message=telegram_message(3))
    set_status(None, first.conversation, status=Status.CLOSED)
    fourth = receive(None, channel_id=channel_id, message=telegram_message(4, reply_to=1))

    assert second.conversation_id == first.conversation_id
    assert third.conversation_id == first.conversation_id
    assert Conversation.objects.get(pk=first.conversation_id).status == Status.CLOSED
    assert fourth.conversation_id != first.conversation_id
    assert Customer.objects.count() == 1


def test_a_reply_to_a_message_joins_that_conversation_even_from_another_thread(
    channels: dict[str, Channel], carol: Customer
) -> None:
    channel_id = channels["telegram"].pk
    first = receive(None, channel_id=channel_id, message=telegram_message(1))
    elsewhere = telegram_message(5, reply_to=1)
    elsewhere = InboundMessage(**{**elsewhere.__dict__, "thread_key": "chat:other"})

    second = receive(None, channel_id=channel_id, message=elsewhere)

    assert second.conversation_id == first.conversation_id


def test_another_persons_reply_never_joins_someone_elses_conversation(
    channels: dict[str, Channel],
) -> None:
    channel_id = channels["telegram"].pk
    first = receive(None, channel_id=channel_id, message=telegram_message(1))

    other = receive(None, channel_id=channel_id, message=telegram_message(2, reply_to=1, chat="43"))

    assert other.conversation_id != first.conversation_id
    assert other.author_customer != first.author_customer


def test_receiving_the_same_message_again_returns_the_stored_one(
    channels: dict[str, Channel],
) -> None:
    channel_id = channels["telegram"].pk
    first = receive(None, channel_id=channel_id, message=telegram_message(1))

    again = receive(None, channel_id=channel_id, message=telegram_message(1))

    assert again.pk == first.pk
    assert (Message.objects.count(), Conversation.objects.count(), Customer.objects.count()) == (
        1,
        1,
        1,
    )


def test_telegram_and_x_from_one_person_share_one_customer_and_timeline(
    client: Client, channels: dict[str, Channel], carol: Customer
) -> None:
    # Carol's X account 1001 is known (tests/conftest.py); an agent links her Telegram account.
    link_identity(None, carol, kind="telegram", external_id="5012345678", handle="@carol_example")

    telegram = post_webhook(
        client, channels["telegram"], fixture_bytes("telegram", "private_message.json")
    )
    mention = post_webhook(client, channels["x"], fixture_bytes("x", "mention.json"))

    assert (telegram.status_code, mention.status_code) == (200, 200)
    assert Customer.objects.count() == 1
    timeline = Message.objects.filter(conversation__customer=carol).order_by("pk")
    assert [(message.channel_kind, message.author_customer) for message in timeline] == [
        ("telegram", carol),
        ("x", carol),
    ]
    assert sorted(carol.identities.values_list("kind", flat=True)) == ["email", "telegram", "x"]


def test_mastodon_is_polled_since_the_last_seen_notification(
    fake_api: FakeApi, channels: dict[str, Channel]
) -> None:
    channel = channels["mastodon"]
    fake_api.notifications = json.loads(fixture_bytes("mastodon", "notifications.json"))
    Channel.objects.exclude(pk=channel.pk).update(is_enabled=False)  # the e-mail one polls too

    assert poll_channels.call_local() == 1
    fake_api.notifications = []
    result = poll_channel(channel.pk)

    first, second = fake_api.requests
    assert first.path == "/api/v1/notifications?types%5B%5D=mention&limit=40"
    assert second.path == ("/api/v1/notifications?types%5B%5D=mention&limit=40&since_id=34975861")
    assert first.headers["authorization"] == "Bearer mastodon-token"
    assert result is None
    channel.refresh_from_db()
    assert channel.poll_cursor == "34975861"
    assert Message.objects.count() == 2
    assert InboundEvent.objects.count() == 1


def test_a_failing_poll_is_recorded_and_keeps_the_position(
    fake_api: FakeApi, channels: dict[str, Channel]
) -> None:
    fake_api.fail(401, {"error": "The access token is invalid"})

    assert poll_channel(channels["mastodon"].pk) is None

    channels["mastodon"].refresh_from_db()
    assert channels["mastodon"].poll_cursor == ""
    assert ChannelFailure.objects.get().reason == "poll failed: HTTP 401"
