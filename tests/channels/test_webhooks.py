"""The contract every webhook adapter passes, through the one shared webhook view."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.test import Client

from schwarmdesk.channels.actions import MAX_EVENT_BYTES, replay_event
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.models import (
    Channel,
    ChannelFailure,
    EventStatus,
    InboundEvent,
    MessageRoute,
)
from schwarmdesk.conversations.models import Conversation, Message
from schwarmdesk.people.models import ChannelIdentity, Customer
from tests.channels.conftest import FIXTURES, fixture_bytes, post_webhook, signed_headers

WEBHOOK_KINDS = sorted(
    kind for kind, adapter in ADAPTERS.items() if adapter.capabilities.has_webhook
)
POLLED_KINDS = sorted(kind for kind, adapter in ADAPTERS.items() if adapter.capabilities.is_polled)
# Posted through our own form view (channels.web_form) or chat socket (channels.consumers),
# never through the webhook.
FORM_KINDS = sorted(
    kind
    for kind, adapter in ADAPTERS.items()
    if not adapter.capabilities.has_webhook and not adapter.capabilities.is_polled
)


def message_fixture(kind: str) -> bytes:
    name = next(
        path.name
        for path in [*sorted((FIXTURES / kind).glob("*.json")), *(FIXTURES / kind).glob("*.eml")]
        if not path.name.startswith("ignored_")
    )
    return fixture_bytes(kind, name)


def ignored_fixture(kind: str) -> bytes:
    path = next(iter(sorted((FIXTURES / kind).glob("ignored_*.json"))))
    return path.read_bytes()


def counts() -> tuple[int, int, int, int, int]:
    return (
        InboundEvent.objects.count(),
        Message.objects.count(),
        Conversation.objects.count(),
        Customer.objects.count(),
        ChannelIdentity.objects.count(),
    )


def test_every_adapter_is_covered_by_webhook_or_poll() -> None:
    assert sorted(WEBHOOK_KINDS + POLLED_KINDS + FORM_KINDS) == sorted(ADAPTERS)
    assert FORM_KINDS == ["web_chat", "web_form"]
    assert all((FIXTURES / kind).is_dir() for kind in ADAPTERS)


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_a_signed_event_is_stored_with_its_raw_body(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = message_fixture(kind)

    response = post_webhook(client, channels[kind], body)

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert bytes(event.body) == body
    assert event.status == EventStatus.PROCESSED
    assert event.message_count == 1
    message = Message.objects.get()
    assert message.channel_kind == kind
    assert message.route.channel == channels[kind]
    channels[kind].refresh_from_db()
    assert channels[kind].last_event_at is not None


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
@pytest.mark.parametrize("signature", ["missing", "wrong"])
def test_bad_signature_gives_401_and_stores_nothing(
    client: Client, channels: dict[str, Channel], kind: str, signature: str
) -> None:
    before = counts()
    body = message_fixture(kind)
    headers = (
        {}
        if signature == "missing"
        else {
            "X-Telegram-Bot-Api-Secret-Token": "wrong",
            "X-Hub-Signature-256": "sha256=" + "0" * 64,
            "X-Twitter-Webhooks-Signature": "sha256=" + base64.b64encode(b"0" * 32).decode(),
        }
    )

    response = post_webhook(client, channels[kind], body, headers=headers)

    assert response.status_code == 401
    assert counts() == before
    assert ChannelFailure.objects.count() == 0


# Telegram proves itself with a shared secret header, not with a signature over the body.
@pytest.mark.parametrize("kind", [kind for kind in WEBHOOK_KINDS if kind != "telegram"])
def test_a_body_tampered_after_signing_is_refused(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = message_fixture(kind)
    headers = signed_headers(kind, body)

    response = post_webhook(client, channels[kind], body.replace(b"e", b"E", 1), headers=headers)

    assert response.status_code == 401
    assert Message.objects.count() == 0


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_the_same_event_three_times_stores_one_message(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = message_fixture(kind)

    statuses = [post_webhook(client, channels[kind], body).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert MessageRoute.objects.count() == 1


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_replaying_a_stored_event_stores_nothing_new(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    post_webhook(client, channels[kind], message_fixture(kind))
    event = InboundEvent.objects.get()

    result = replay_event(None, event.pk)

    assert [message.pk for message in result.messages] == [Message.objects.get().pk]
    assert Message.objects.count() == 1


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_an_event_with_nothing_for_us_gives_200_and_stores_nothing(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    before = counts()

    response = post_webhook(client, channels[kind], ignored_fixture(kind))

    assert response.status_code == 200
    assert response.getvalue() == b"ignored"
    assert counts() == before


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_an_oversized_body_gives_413_and_stores_nothing(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = b'{"padding": "' + b"x" * MAX_EVENT_BYTES + b'"}'

    response = post_webhook(client, channels[kind], body)

    assert response.status_code == 413
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_a_malformed_body_gives_400_keeps_the_raw_event_and_stores_no_message(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = b'{"object": "page", "entry": [{"id": 5, "messaging": [{"message": 3}]}], "x": '

    response = post_webhook(client, channels[kind], body)

    assert response.status_code == 400
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.MALFORMED
    assert bytes(event.body) == body
    assert Message.objects.count() == 0
    assert ChannelFailure.objects.get().source == "inbound"


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_unknown_channel_kind_mismatch_or_disabled_gives_404(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    body = message_fixture(kind)
    channel = channels[kind]
    other = next(k for k in WEBHOOK_KINDS if k != kind)

    for url in (
        f"/channels/{kind}/999999/webhook/",
        f"/channels/{other}/{channel.pk}/webhook/",
        f"/channels/nope/{channel.pk}/webhook/",
    ):
        assert client.post(url, body, "application/json").status_code == 404
    Channel.objects.filter(pk=channel.pk).update(is_enabled=False)
    assert post_webhook(client, channel, body).status_code == 404
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("kind", POLLED_KINDS + FORM_KINDS)
def test_a_polled_channel_has_no_webhook(
    client: Client, channels: dict[str, Channel], kind: str
) -> None:
    response = post_webhook(client, channels[kind], message_fixture(kind), headers={})

    assert response.status_code == 404
    assert counts() == (0, 0, 0, 0, 0)


def test_x_crc_challenge_answers_with_the_hmac_of_the_token(
    client: Client, channels: dict[str, Channel]
) -> None:
    channel = channels["x"]

    response = client.get(f"/channels/x/{channel.pk}/webhook/", {"crc_token": "challenge-123"})

    assert response.status_code == 200
    digest = hmac.new(b"x-consumer-secret", b"challenge-123", hashlib.sha256).digest()
    assert json.loads(response.content) == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }


def test_facebook_verification_echoes_the_challenge_only_for_the_right_token(
    client: Client, channels: dict[str, Channel]
) -> None:
    url = f"/channels/facebook/{channels['facebook'].pk}/webhook/"
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}

    good = client.get(url, {**query, "hub.verify_token": "fb-verify-token"})
    bad = client.get(url, {**query, "hub.verify_token": "guess"})

    assert (good.status_code, good.content) == (200, b"1158201444")
    assert bad.status_code == 403
    assert b"1158201444" not in bad.content


def test_a_get_without_handshake_is_not_allowed(
    client: Client, channels: dict[str, Channel]
) -> None:
    assert client.get(f"/channels/telegram/{channels['telegram'].pk}/webhook/").status_code == 405


def test_a_channel_without_its_secret_refuses_everything(
    client: Client, channels: dict[str, Channel]
) -> None:
    channel = channels["telegram"]
    Channel.objects.filter(pk=channel.pk).update(secrets={})

    response = post_webhook(
        client,
        channel,
        message_fixture("telegram"),
        headers={
            "X-Telegram-Bot-Api-Secret-Token": "",
        },
    )

    assert response.status_code == 401
    assert counts() == (0, 0, 0, 0, 0)


def test_every_exit_writes_exactly_one_structured_log_line_without_the_payload(
    client: Client, channels: dict[str, Channel], caplog: pytest.LogCaptureFixture
) -> None:
    channel = channels["telegram"]
    body = message_fixture("telegram")

    with caplog.at_level("INFO", logger="schwarmdesk.channels.views"):
        post_webhook(client, channel, body)
        post_webhook(client, channel, body, headers={})

    lines = [record.getMessage() for record in caplog.records if record.name.endswith("views")]
    assert lines == [
        f"webhook.exit kind=telegram channel={channel.pk} status=200 reason=stored 1 "
        f"bytes={len(body)}",
        f"webhook.exit kind=telegram channel={channel.pk} status=401 reason=not verified "
        f"bytes={len(body)}",
    ]
    assert all("Zug" not in record.getMessage() for record in caplog.records)
