"""Edge cases of the channel core: refusals, odd payloads, missing credentials, retry headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels import http
from schwarmdesk.channels.actions import (
    configure_channel,
    deliver,
    poll_channel,
    replay_event,
    reply,
    retry_delivery,
)
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import (
    ChannelAdapter,
    ChannelConfig,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
)
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus, InboundEvent
from schwarmdesk.channels.tasks import deliver_due_periodically
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.models import Agent
from tests.channels.conftest import FakeApi, fixture_bytes, post_webhook

EMPTY = ChannelConfig(channel_id=1, api_base_url="http://127.0.0.1:9")


def parse(kind: str, body: object) -> list[object]:
    request = InboundRequest("POST", json.dumps(body).encode(), {})
    return list(ADAPTERS[kind](EMPTY).parse(request))


def test_configure_channel_refuses_unknown_kinds_and_secrets(db: None) -> None:
    with pytest.raises(Invalid):
        configure_channel(None, kind="phone", name="Phone", secrets={})
    with pytest.raises(Invalid):
        configure_channel(None, kind="telegram", name="Bot", secrets={"password": "x"})
    assert Channel.objects.count() == 0


def test_unknown_ids_are_not_found(channels: dict[str, Channel], alice: Agent) -> None:
    with pytest.raises(NotFound):
        replay_event(None, 12345)
    with pytest.raises(NotFound):
        retry_delivery(alice, 12345)
    with pytest.raises(NotFound):
        reply(alice, 12345, body="Hallo", visibility="public")
    assert deliver(12345) is None
    assert poll_channel(12345) is None
    with pytest.raises(Invalid):
        poll_channel(channels["telegram"].pk)


def test_a_reply_needs_a_known_visibility(
    client: Client, channels: dict[str, Channel], alice: Agent
) -> None:
    post_webhook(client, channels["telegram"], fixture_bytes("telegram", "private_message.json"))
    conversation = Conversation.objects.get()

    with pytest.raises(Invalid):
        reply(alice, conversation.pk, body="Hallo", visibility="shouting")


def test_a_superuser_agent_reaches_every_team(
    client: Client,
    channels: dict[str, Channel],
    bob: Agent,
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    post_webhook(client, channels["telegram"], fixture_bytes("telegram", "private_message.json"))
    conversation = Conversation.objects.get()
    conversation.team = alice.teams.get()
    conversation.save(update_fields=["team"])
    bob.user.is_superuser = True
    bob.user.save(update_fields=["is_superuser"])

    with django_capture_on_commit_callbacks(execute=True):
        message = reply(bob, conversation.pk, body="Hallo", visibility="private")

    assert Delivery.objects.get(message=message).status == DeliveryStatus.SENT


def test_a_sent_delivery_is_not_sent_again(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    post_webhook(client, channels["telegram"], fixture_bytes("telegram", "private_message.json"))
    with django_capture_on_commit_callbacks(execute=True):
        reply(alice, Conversation.objects.get().pk, body="Hallo", visibility="private")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    assert deliver(delivery.pk) is None
    assert deliver_due_periodically.call_local() == 0
    assert len(fake_api.requests) == 1


def test_a_malformed_poll_is_kept_and_the_position_stays(
    fake_api: FakeApi, channels: dict[str, Channel]
) -> None:
    fake_api.notifications = [{"id": "7", "type": "mention", "status": {"id": "1"}}]

    assert poll_channel(channels["mastodon"].pk) is None

    channels["mastodon"].refresh_from_db()
    assert channels["mastodon"].poll_cursor == ""
    assert InboundEvent.objects.get().status == "malformed"


def test_other_methods_are_not_allowed(client: Client, channels: dict[str, Channel]) -> None:
    url = f"/channels/x/{channels['x'].pk}/webhook/"

    assert client.put(url, b"{}", content_type="application/json").status_code == 405
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        # Telegram: group chatter and stickers are not requests.
        (
            "telegram",
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "from": {"id": 5, "first_name": "A"},
                    "chat": {"id": -100, "type": "group"},
                    "text": "hi",
                },
            },
        ),
        (
            "telegram",
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "from": {"id": 5, "first_name": "A"},
                    "chat": {"id": 5, "type": "private"},
                    "sticker": {"file_id": "x"},
                },
            },
        ),
        # Facebook: other objects, other fields, likes, the page's own comments.
        ("facebook", {"object": "instagram", "entry": []}),
        (
            "facebook",
            {
                "object": "page",
                "entry": [{"id": "1", "changes": [{"field": "mention", "value": {}}]}],
            },
        ),
        (
            "facebook",
            {
                "object": "page",
                "entry": [
                    {"id": "1", "changes": [{"field": "feed", "value": {"item": "reaction"}}]}
                ],
            },
        ),
        (
            "facebook",
            {
                "object": "page",
                "entry": [
                    {
                        "id": "1",
                        "changes": [
                            {
                                "field": "feed",
                                "value": {
                                    "item": "comment",
                                    "verb": "add",
                                    "from": {"id": "1", "name": "Page"},
                                    "comment_id": "2_3",
                                    "post_id": "1_2",
                                    "message": "Thanks!",
                                    "created_time": 1,
                                },
                            }
                        ],
                    }
                ],
            },
        ),
        # X: our own direct messages and other DM event types.
        (
            "x",
            {
                "for_user_id": "1",
                "direct_message_events": [
                    {
                        "type": "message_create",
                        "id": "9",
                        "created_timestamp": "1",
                        "message_create": {"sender_id": "1", "message_data": {"text": "hi"}},
                    },
                    {"type": "message_delete", "id": "8"},
                ],
            },
        ),
        # Mastodon: a mention without text.
        (
            "mastodon",
            [
                {
                    "id": "1",
                    "type": "mention",
                    "status": {
                        "id": "2",
                        "created_at": "2026-11-23T12:00:00Z",
                        "visibility": "public",
                        "content": "<p></p>",
                        "account": {"username": "a", "acct": "a"},
                    },
                }
            ],
        ),
    ],
)
def test_events_without_a_customer_request_yield_nothing(kind: str, body: object) -> None:
    assert parse(kind, body) == []


MASTODON_STATUS = {
    "id": "2",
    "created_at": "2026-11-23T12:00:00Z",
    "visibility": "public",
    "content": "<p>hi</p>",
    "account": {"username": "a", "acct": "a"},
}


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (
            "x",
            {
                "for_user_id": "1",
                "tweet_create_events": [
                    {
                        "id_str": "5",
                        "text": "hi",
                        "created_at": "yesterday",
                        "user": {"id_str": "2", "screen_name": "b"},
                    }
                ],
            },
        ),
        (
            "x",
            {
                "for_user_id": "1",
                "direct_message_events": [
                    {
                        "type": "message_create",
                        "id": "9",
                        "created_timestamp": "soon",
                        "message_create": {"sender_id": "2", "message_data": {"text": "hi"}},
                    }
                ],
            },
        ),
        (
            "mastodon",
            [{"id": "1", "type": "mention", "status": {**MASTODON_STATUS, "visibility": "x"}}],
        ),
        (
            "mastodon",
            [{"id": "1", "type": "mention", "status": {**MASTODON_STATUS, "created_at": "x"}}],
        ),
        (
            "mastodon",
            [
                {
                    "id": "1",
                    "type": "mention",
                    "status": {**MASTODON_STATUS, "created_at": "2026-11-23T12:00:00"},
                }
            ],
        ),
        ("telegram", {"update_id": 1, "message": {"message_id": True}}),
        ("telegram", {"update_id": 1, "message": {"message_id": 1, "chat": []}}),
        ("facebook", {"object": "page", "entry": [{"id": True}]}),
        ("facebook", {"object": "page", "entry": "all"}),
        ("facebook", {"object": "page", "entry": ["x"]}),
        (
            "facebook",
            {"object": "page", "entry": [{"id": "1", "messaging": [{"message": {"is_echo": 1}}]}]},
        ),
        ("mastodon", ["x"]),
    ],
)
def test_wrong_formats_raise_parse_error_with_the_path(kind: str, body: object) -> None:
    with pytest.raises(ParseError, match=r"\$"):
        parse(kind, body)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_sending_without_credentials_is_permanent(kind: str) -> None:
    if kind == "web_form":
        pytest.skip("sends through the site's own mail when it has no SMTP server of its own")
    if kind == "web_chat":
        pytest.skip("pushes to the visitor over the channel layer: no credentials (test_web_chat)")
    out = OutboundMessage(
        text="Hallo",
        is_public=True,
        reply_context={"chat_id": "1", "recipient_id": "1", "tweet_id": "1", "acct": "a"},
    )
    with pytest.raises(PermanentSendError, match="configured"):
        ADAPTERS[kind](EMPTY).send(out)
    if kind == "mastodon":
        with pytest.raises(PermanentSendError, match="configured"):
            ADAPTERS[kind](EMPTY).poll("")  # type: ignore[attr-defined]


def test_the_base_adapter_has_no_behaviour_of_its_own() -> None:
    adapter = ChannelAdapter(EMPTY)
    request = InboundRequest("GET", b"", {})

    assert adapter.handshake(request) is None
    with pytest.raises(NotImplementedError):
        adapter.verify(request)
    with pytest.raises(NotImplementedError):
        list(adapter.parse(request))
    with pytest.raises(NotImplementedError):
        adapter.send(OutboundMessage(text="", is_public=False, reply_context={}))


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value} if value else {})

    assert http.parse_retry_after(response("7"), now) == 7.0
    assert http.parse_retry_after(response("Mon, 23 Nov 2026 12:01:30 GMT"), now) == 90.0
    assert http.parse_retry_after(response("Mon, 23 Nov 2026 11:00:00 GMT"), now) == 0.0
    assert http.parse_retry_after(response("whenever"), now) is None
    assert http.parse_retry_after(response(""), now) is None
    assert http.backoff_seconds(30) == http.BACKOFF_MAX_SECONDS


def test_models_name_themselves(client: Client, channels: dict[str, Channel]) -> None:
    post_webhook(client, channels["x"], fixture_bytes("x", "mention.json"))
    event = InboundEvent.objects.get()
    route = event.channel.routes.get()

    assert str(event.channel) == "X (Twitter): Test x"
    assert str(event) == f"{event.channel_id} #{event.pk} processed"
    assert str(route) == f"{event.channel_id} mention:1001"
