"""Queued webhooks under the ASGI server (channels.intake): the guard chain and shared commits.

The requests go through ``schwarmdesk.asgi.application``, the application uvicorn serves. The
writer thread has its own database connection, so these tests commit for real.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.db import connections
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.asgi import application
from schwarmdesk.channels import intake
from schwarmdesk.channels.actions import MAX_EVENT_BYTES
from schwarmdesk.channels.models import Channel, EventStatus, InboundEvent
from schwarmdesk.conversations.models import Message
from tests.channels.conftest import fixture_bytes, make_channel, signed_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def telegram(settings: SettingsWrapper) -> Iterator[Channel]:
    settings.WEBHOOK_PROCESSING = "queued"
    intake.forget_channels()
    yield make_channel("telegram", "http://127.0.0.1:9")
    intake.forget_channels()
    # the writer thread's connection must not outlive the test database
    intake.get_writer().run(connections.close_all).result(timeout=30)


def writer_done() -> None:
    """Wait until the writer thread has done what it was given (here: woken the worker, which
    the immediate test queue runs at once)."""
    intake.get_writer().run(lambda: None).result(timeout=60)


def update(number: int, *, sender: int = 1) -> bytes:
    user = 5_200_000_000 + sender
    message = {
        "message_id": number,
        "from": {"id": user, "is_bot": False, "first_name": "Erika", "language_code": "de"},
        "chat": {"id": user, "first_name": "Erika", "type": "private"},
        "date": 1_763_900_000 + number,
        "text": f"Frage {number}: wo bleibt meine Erstattung?",
    }
    return json.dumps({"update_id": 800_000 + number, "message": message}).encode()


async def call(
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    chunks: int = 1,
    host: str = "127.0.0.1",
) -> tuple[int, str]:
    """One HTTP request through the ASGI application; the answer's status and text."""
    raw_headers = [(b"host", host.encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    if "content-length" not in {name.lower() for name in headers}:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    size = max(1, -(-len(body) // chunks))
    parts = [body[start : start + size] for start in range(0, len(body), size)] or [b""]
    incoming = [
        {"type": "http.request", "body": part, "more_body": number < len(parts) - 1}
        for number, part in enumerate(parts)
    ]
    sent: list[Mapping[str, Any]] = []

    async def receive() -> Mapping[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # the client waits for the answer
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    served: Any = application  # channels types its router for asgiref's TypedDict events
    await served(scope, receive, send)
    status = int(sent[0]["status"])
    text = b"".join(m.get("body", b"") for m in sent[1:]).decode()
    return status, text


def post(channel: Channel, body: bytes, **options: Any) -> tuple[int, str]:
    headers = {**signed_headers(channel.kind, body), "Content-Type": "application/json"}
    path = f"/channels/{channel.kind}/{channel.pk}/webhook/"
    return asyncio.run(call("POST", path, body, headers, **options))


def post_all(channel: Channel, bodies: list[bytes]) -> list[tuple[int, str]]:
    path = f"/channels/{channel.kind}/{channel.pk}/webhook/"

    async def all_at_once() -> list[tuple[int, str]]:
        requests = [
            call("POST", path, body, {**signed_headers(channel.kind, body)}) for body in bodies
        ]
        return list(await asyncio.gather(*requests))

    return asyncio.run(all_at_once())


def test_concurrent_webhooks_share_commits_and_each_is_answered_after_its_body_is_kept(
    telegram: Channel,
) -> None:
    # given 40 distinct updates and 2 of them again in the same burst
    bodies = [update(number, sender=number % 7) for number in range(40)]
    groups_before = intake.get_writer().groups

    # when they arrive at once
    answers = post_all(telegram, [*bodies, bodies[3], bodies[17]])

    # then every one is answered, each body is kept once, and commits were shared
    assert sorted(answers) == [(200, "accepted")] * 40 + [(200, "duplicate")] * 2
    assert InboundEvent.objects.count() == 40
    assert intake.get_writer().groups - groups_before < 40
    # and the worker (the immediate test queue) stored every message once
    writer_done()
    assert Message.objects.filter(channel_kind="telegram").count() == 40
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    kept = InboundEvent.objects.values_list("body", flat=True)
    assert sorted(bytes(body) for body in kept) == sorted(bodies)


def test_the_same_body_delivered_again_later_is_a_duplicate(telegram: Channel) -> None:
    body = fixture_bytes("telegram", "private_message.json")

    assert post(telegram, body) == (200, "accepted")
    assert post(telegram, body) == (200, "duplicate")
    writer_done()

    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_wrong_secret_gets_401_and_stores_nothing(telegram: Channel) -> None:
    body = update(1)
    path = f"/channels/telegram/{telegram.pk}/webhook/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "guessed"}

    status = asyncio.run(call("POST", path, body, headers))

    assert status == (401, "not verified")
    assert InboundEvent.objects.count() == 0
    telegram.refresh_from_db()
    assert telegram.verification_failed_at is not None


def test_a_new_secret_works_at_once_although_the_channel_is_read_once_a_second(
    telegram: Channel,
) -> None:
    # given a channel read by a first request
    assert post(telegram, update(1)) == (200, "accepted")
    # when its secret changes and the platform signs with the new one
    Channel.objects.filter(pk=telegram.pk).update(
        secrets={"bot_token": "123456:TEST-token", "webhook_secret": "rotated"}
    )
    path = f"/channels/telegram/{telegram.pk}/webhook/"
    new = asyncio.run(call("POST", path, update(2), {"X-Telegram-Bot-Api-Secret-Token": "rotated"}))
    old = asyncio.run(call("POST", path, update(3), signed_headers("telegram", update(3))))

    # then the new secret is accepted and the old one refused
    assert (new, old) == ((200, "accepted"), (401, "not verified"))
    assert InboundEvent.objects.count() == 2


@pytest.mark.parametrize("chunks", [1, 4])
def test_an_oversized_body_gets_413_and_is_not_kept(telegram: Channel, chunks: int) -> None:
    body = b"{" + b" " * MAX_EVENT_BYTES + b"}"
    headers = signed_headers("telegram", body)
    if chunks > 1:  # a client that declares less than it sends
        headers["Content-Length"] = "100"
    path = f"/channels/telegram/{telegram.pk}/webhook/"

    status = asyncio.run(call("POST", path, body, headers, chunks=chunks))

    assert status == (413, "too large")
    assert InboundEvent.objects.count() == 0


def test_a_malformed_body_gets_400_and_is_kept_as_malformed(telegram: Channel) -> None:
    assert post(telegram, b'{"update_id": "not a number"}') == (400, "malformed")

    event = InboundEvent.objects.get()
    assert (event.status, event.body) == (EventStatus.MALFORMED, b'{"update_id": "not a number"}')


def test_an_event_with_nothing_for_us_is_answered_and_not_kept(telegram: Channel) -> None:
    body = fixture_bytes("telegram", "ignored_edited_message.json")

    assert post(telegram, body) == (200, "ignored")
    assert InboundEvent.objects.count() == 0


def test_unknown_or_disabled_channels_and_foreign_hosts_are_refused(telegram: Channel) -> None:
    body = update(1)
    headers = signed_headers("telegram", body)
    unknown = asyncio.run(call("POST", "/channels/telegram/999999/webhook/", body, headers))
    wrong_kind = asyncio.run(call("POST", f"/channels/x/{telegram.pk}/webhook/", body, headers))
    path = f"/channels/telegram/{telegram.pk}/webhook/"
    foreign = asyncio.run(call("POST", path, body, headers, host="evil.example.com"))
    Channel.objects.filter(pk=telegram.pk).update(is_enabled=False)
    intake.forget_channels()
    disabled = asyncio.run(call("POST", path, body, headers))

    assert unknown == wrong_kind == disabled == (404, "unknown channel")
    assert foreign == (400, "bad host")
    assert InboundEvent.objects.count() == 0


def test_inline_processing_and_other_requests_are_left_to_django(
    telegram: Channel, settings: SettingsWrapper
) -> None:
    path = f"/channels/telegram/{telegram.pk}/webhook/"
    body = update(1)
    # a GET is Django's (Telegram has no handshake)
    get = asyncio.run(call("GET", path, b"", {}))
    # inline processing: the Django view stores the message in the request
    settings.WEBHOOK_PROCESSING = "inline"
    inline = post(telegram, body)

    assert get == (405, "no handshake")
    assert inline == (200, "stored 1")
    writer_done()
    assert Message.objects.count() == 1
