"""Outbound: reply → Delivery row → after commit, one request to the (fake) platform API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureCallbacks

from schwarmdesk.channels import http
from schwarmdesk.channels.actions import deliver_due, poll_channel, reply, retry_delivery
from schwarmdesk.channels.models import Channel, ChannelFailure, Delivery, DeliveryStatus
from schwarmdesk.channels.queries import get_channel_health
from schwarmdesk.conversations.models import Message, Visibility
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.models import Agent
from tests.channels.conftest import FakeApi, fixture_bytes, post_webhook


def receive_fixture(
    client: Client, fake_api: FakeApi, channel: Channel, name: str, index: int = 0
) -> Message:
    if channel.kind == "mastodon":
        fake_api.notifications = json.loads(fixture_bytes("mastodon", name))
        poll_channel(channel.pk)
        fake_api.requests.clear()
    else:
        assert post_webhook(client, channel, fixture_bytes(channel.kind, name)).status_code == 200
    return Message.objects.filter(channel_kind=channel.kind).order_by("pk")[index]


def send_reply(
    agent: Agent, message: Message, capture: CaptureCallbacks, *, body: str, visibility: str
) -> Message:
    with capture(execute=True):
        return reply(agent, message.conversation_id, body=body, visibility=visibility)


# kind, fixture, index of the message in it, visibility, expected path, expected JSON body
SENDS = [
    (
        "telegram",
        "private_message.json",
        0,
        Visibility.PRIVATE,
        "/bot123456:TEST-token/sendMessage",
        {
            "chat_id": "5012345678",
            "text": "Ihr Geld kommt in fünf Tagen.",
            "reply_parameters": {"message_id": 52, "allow_sending_without_reply": True},
        },
        "5012345678:99",
    ),
    (
        "facebook",
        "messenger_message.json",
        0,
        Visibility.PRIVATE,
        "/v21.0/me/messages",
        {
            "recipient": {"id": "6543210987654321"},
            "messaging_type": "RESPONSE",
            "message": {"text": "Ihr Geld kommt in fünf Tagen."},
        },
        "m_reply_1",
    ),
    (
        "facebook",
        "feed_comment.json",
        0,
        Visibility.PUBLIC,
        "/v21.0/998877665544_1122334455/comments",
        {"message": "Ihr Geld kommt in fünf Tagen."},
        "comment:998877665544_5566778899",
    ),
    (
        "facebook",
        "feed_comment.json",
        0,
        Visibility.PRIVATE,
        "/v21.0/me/messages",
        {
            "recipient": {"comment_id": "998877665544_1122334455"},
            "messaging_type": "RESPONSE",
            "message": {"text": "Ihr Geld kommt in fünf Tagen."},
        },
        "m_reply_1",
    ),
    (
        "x",
        "mention.json",
        0,
        Visibility.PUBLIC,
        "/2/tweets",
        {
            "text": "Ihr Geld kommt in fünf Tagen. ^AA",
            "reply": {"in_reply_to_tweet_id": "1860000000000000101"},
        },
        "1860000000000000999",
    ),
    (
        "x",
        "direct_message.json",
        0,
        Visibility.PRIVATE,
        "/2/dm_conversations/with/2002/messages",
        {"text": "Ihr Geld kommt in fünf Tagen."},
        "dm:1860000000000000998",
    ),
    (
        "mastodon",
        "notifications.json",
        1,
        Visibility.PUBLIC,
        "/api/v1/statuses",
        {
            "status": "@carol@{host} Ihr Geld kommt in fünf Tagen.",
            "in_reply_to_id": "113540000000000001",
            "visibility": "public",
        },
        "{host}/113541000000000001",
    ),
    (
        "mastodon",
        "notifications.json",
        0,
        Visibility.PRIVATE,
        "/api/v1/statuses",
        {
            "status": "@dave@social.example.com Ihr Geld kommt in fünf Tagen.",
            "in_reply_to_id": "113540000000000002",
            "visibility": "direct",
        },
        "{host}/113541000000000001",
    ),
    (  # a "public" reply to a direct message stays direct: never widen who sees it
        "mastodon",
        "notifications.json",
        0,
        Visibility.PUBLIC,
        "/api/v1/statuses",
        {
            "status": "@dave@social.example.com Ihr Geld kommt in fünf Tagen.",
            "in_reply_to_id": "113540000000000002",
            "visibility": "direct",
        },
        "{host}/113541000000000001",
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "index", "visibility", "path", "body", "provider_id"),
    SENDS,
    ids=[f"{send[0]}-{send[1].removesuffix('.json')}-{send[3]}" for send in SENDS],
)
def test_a_reply_is_sent_once_in_the_customers_channel(
    *,
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    kind: str,
    name: str,
    index: int,
    visibility: str,
    path: str,
    body: dict[str, object],
    provider_id: str,
) -> None:
    inbound = receive_fixture(client, fake_api, channels[kind], name, index)
    host = fake_api.url.removeprefix("http://")

    sent = send_reply(
        alice,
        inbound,
        django_capture_on_commit_callbacks,
        body="Ihr Geld kommt in fünf Tagen.",
        visibility=visibility,
    )

    [request] = fake_api.requests
    assert (request.method, request.path) == ("POST", path)
    expected = json.loads(json.dumps(body).replace("{host}", host))
    assert request.body == expected
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.provider_id == provider_id.replace("{host}", host)
    sent.refresh_from_db()
    assert sent.external_id == delivery.provider_id
    assert sent.sent_at is not None
    channels[kind].refresh_from_db()
    assert get_channel_health(channels[kind]).last_send_at == delivery.sent_at
    if kind != "telegram":
        token = {"facebook": "fb-page-token", "x": "x-user-token", "mastodon": "mastodon-token"}
        assert request.headers["authorization"] == f"Bearer {token[kind]}"
    if kind == "mastodon":
        assert request.headers["idempotency-key"] == f"schwarmdesk-delivery-{delivery.pk}"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("telegram", "private_message.json"),
        ("facebook", "messenger_message.json"),
        ("facebook", "feed_comment.json"),
        ("x", "mention.json"),
        ("x", "direct_message.json"),
        ("mastodon", "notifications.json"),
    ],
)
def test_an_internal_note_is_never_sent(
    *,
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    kind: str,
    name: str,
) -> None:
    inbound = receive_fixture(client, fake_api, channels[kind], name)

    note = send_reply(
        alice,
        inbound,
        django_capture_on_commit_callbacks,
        body="Kundin ist VIP, bitte kulant sein.",
        visibility=Visibility.INTERNAL,
    )
    deliver_due(timezone.now() + timedelta(days=1))

    assert note.visibility == Visibility.INTERNAL
    assert Delivery.objects.count() == 0
    assert fake_api.requests == []


def test_a_delivery_row_for_a_note_written_by_mistake_is_still_not_sent(
    client: Client, fake_api: FakeApi, channels: dict[str, Channel], alice: Agent
) -> None:
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    note = reply(alice, inbound.conversation_id, body="intern", visibility=Visibility.INTERNAL)
    Delivery.objects.create(
        message=note, channel=channels["telegram"], route=inbound.route, next_attempt_at=None
    )
    Delivery.objects.update(next_attempt_at=timezone.now())

    deliver_due()

    assert fake_api.requests == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_400_is_permanent_keeps_the_reason_and_an_agent_can_retry(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    fake_api.fail(
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    )

    send_reply(
        alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="private"
    )

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == "HTTP 400: Bad Request: chat not found"
    assert delivery.next_attempt_at is None
    deliver_due(timezone.now() + timedelta(days=1))
    assert len(fake_api.requests) == 1  # a permanent failure is not retried by itself
    assert get_channel_health(channels["telegram"]).recent_error_count == 1

    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(alice, delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(fake_api.requests) == 2


def test_only_failed_deliveries_of_own_conversations_can_be_retried(
    *,
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    bob: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    send_reply(
        alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="private"
    )
    delivery = Delivery.objects.get()
    inbound.conversation.team = alice.teams.get()
    inbound.conversation.save(update_fields=["team"])

    with pytest.raises(Invalid):
        retry_delivery(alice, delivery.pk)
    with pytest.raises(NotFound):
        retry_delivery(bob, delivery.pk)
    with pytest.raises(NotFound):
        reply(bob, inbound.conversation_id, body="Hallo", visibility="private")
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "body", "headers", "wait"),
    [
        (503, {}, {}, http.BACKOFF_BASE_SECONDS),
        (429, {}, {"Retry-After": "120"}, 120.0),
        (429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 45}}, {}, 45.0),
        (502, {}, {"Retry-After": "5"}, http.BACKOFF_BASE_SECONDS),
    ],
    ids=["503", "429-retry-after-header", "429-telegram-retry-after", "502-short-retry-after"],
)
def test_transient_errors_are_retried_after_the_back_off_then_sent(
    *,
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    status: int,
    body: dict[str, object],
    headers: dict[str, str],
    wait: float,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    fake_api.fail(status, body, headers)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        start = timezone.now()
        send_reply(
            alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="private"
        )

        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert delivery.next_attempt_at == start + timedelta(seconds=wait)
        assert delivery.last_error.startswith(f"HTTP {status}")

        traveller.shift(timedelta(seconds=wait - 1))
        assert deliver_due() == 0
        traveller.shift(timedelta(seconds=1))
        assert deliver_due() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.provider_id) == (
        "sent",
        2,
        "5012345678:99",
    )
    assert len(fake_api.requests) == 2
    assert ChannelFailure.objects.filter(source="outbound").count() == 1


def test_back_off_grows_exponentially_and_gives_up_with_the_reason(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["x"], "mention.json")
    for _ in range(http.MAX_ATTEMPTS):
        fake_api.fail(503)
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        send_reply(
            alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="public"
        )
        for _ in range(http.MAX_ATTEMPTS - 1):
            delivery = Delivery.objects.get()
            assert delivery.next_attempt_at is not None
            waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
            traveller.move_to(delivery.next_attempt_at)
            deliver_due()

    delivery = Delivery.objects.get()
    assert waits == [30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == f"gave up after {http.MAX_ATTEMPTS} attempts: HTTP 503"
    assert len(fake_api.requests) == http.MAX_ATTEMPTS


def test_a_refused_connection_is_transient(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    Channel.objects.filter(pk=channels["telegram"].pk).update(api_base_url="http://127.0.0.1:9")

    send_reply(
        alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="private"
    )

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "connection failed (ConnectError)"


@pytest.mark.parametrize(
    ("code", "expected"), [(190, DeliveryStatus.FAILED), (4, DeliveryStatus.PENDING)]
)
def test_facebook_error_codes_decide_between_permanent_and_transient(
    *,
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    code: int,
    expected: str,
) -> None:
    inbound = receive_fixture(client, fake_api, channels["facebook"], "messenger_message.json")
    fake_api.fail(400, {"error": {"message": "Error validating access token", "code": code}})

    send_reply(
        alice, inbound, django_capture_on_commit_callbacks, body="Hallo", visibility="private"
    )

    delivery = Delivery.objects.get()
    assert delivery.status == expected
    assert delivery.last_error == f"HTTP 400 (code {code}): Error validating access token"


def test_the_per_channel_rate_limit_postpones_without_counting_an_attempt(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    Channel.objects.filter(pk=channels["telegram"].pk).update(rate_limit_per_minute=1)
    inbound = receive_fixture(client, fake_api, channels["telegram"], "private_message.json")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        send_reply(
            alice, inbound, django_capture_on_commit_callbacks, body="Eins", visibility="private"
        )
        send_reply(
            alice, inbound, django_capture_on_commit_callbacks, body="Zwei", visibility="private"
        )

        first, second = Delivery.objects.order_by("pk")
        assert (first.status, second.status, second.attempts) == ("sent", "pending", 0)
        assert len(fake_api.requests) == 1
        traveller.shift(timedelta(seconds=61))
        assert deliver_due() == 1

    assert [request.body["text"] for request in fake_api.requests] == ["Eins", "Zwei"]  # type: ignore[index]


def test_public_replies_are_signed_only_when_the_channel_says_so(
    client: Client,
    fake_api: FakeApi,
    channels: dict[str, Channel],
    alice: Agent,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    Channel.objects.filter(pk=channels["x"].pk).update(sign_public_replies=False)
    inbound = receive_fixture(client, fake_api, channels["x"], "mention.json")

    send_reply(
        alice, inbound, django_capture_on_commit_callbacks, body="x" * 300, visibility="public"
    )

    [request] = fake_api.requests
    assert request.body["text"] == "x" * 279 + "…"  # type: ignore[index]
