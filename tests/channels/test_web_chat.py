"""Web chat: the adapter's fixtures, the visitor and agent sockets, delivery, offline, transcript.

The sockets run through the real ASGI routing with Channels' ``WebsocketCommunicator`` and the
in-memory channel layer; each scenario is one coroutine run with ``async_to_sync``. These tests
use ``transactional_db``: the consumers read the database from worker threads and replies are
sent after commit (Huey immediate), as in production.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.core import mail, signing
from django.test import Client

from schwarmdesk.channels import webchat
from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.adapters.base import (
    ChannelConfig,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from schwarmdesk.channels.adapters.web_chat import WebChat
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus, InboundEvent
from schwarmdesk.channels.routing import websocket_application
from schwarmdesk.conversations.models import Conversation, Message, Visibility
from schwarmdesk.core.errors import Invalid
from schwarmdesk.inbox import actions as inbox
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer
from tests.channels.conftest import FIXTURES, fixture_bytes
from tests.channels.mail_servers import (
    SmtpServer,
    free_port,
    smtp_server,  # noqa: F401 -- the fixture
)

VISITOR = "5f0c8e1b2a7d4c39a1e6b0d4f3c2a918"
SENT_AT = datetime(2026, 11, 23, 14, 2, 11, 120000, tzinfo=UTC)
EXPECTED: dict[str, list[InboundMessage]] = {
    "line.json": [
        InboundMessage(
            kind="web_chat",
            external_id=f"chat-{VISITOR}-c1",
            sender=Sender(external_id=VISITOR, language="de"),
            text="Hallo, mein Router blinkt rot. Was kann ich tun?",
            sent_at=SENT_AT,
            is_public=False,
            thread_key=f"chat:{VISITOR}",
            reply_context={"visitor_id": VISITOR, "email": "", "language": "de"},
        )
    ],
    "line_with_email.json": [
        InboundMessage(
            kind="web_chat",
            external_id=f"chat-{VISITOR}-c2",
            sender=Sender(
                external_id="carol@example.com",
                handle="carol@example.com",
                display_name="Carol Beispiel",
                language="en",
                is_verified=False,
                identity_kind="email",
            ),
            text="I am still waiting for my refund.",
            sent_at=datetime(2026, 11, 23, 14, 3, 40, 500000, tzinfo=UTC),
            is_public=False,
            thread_key=f"chat:{VISITOR}",
            reply_context={"visitor_id": VISITOR, "email": "carol@example.com", "language": "en"},
        )
    ],
    "offline_form.json": [
        InboundMessage(
            kind="web_chat",
            external_id=f"chat-{VISITOR}-f2",
            sender=Sender(
                external_id="neu@example.com",
                handle="neu@example.com",
                language="de",
                is_verified=False,
                identity_kind="email",
            ),
            text="Rückruf bitte",
            sent_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
            is_public=False,
            thread_key=f"chat:{VISITOR}",
            reply_context={
                "visitor_id": VISITOR,
                "email": "neu@example.com",
                "language": "de",
                "answer_by": "email",
            },
        )
    ],
    "ignored_blank_line.json": [],
}

Scenario = Callable[[], Awaitable[None]]


class WebsocketCommunicator:
    """``channels.testing.WebsocketCommunicator``, which cannot be imported without daphne
    (its package imports the live-server test case): the same calls on asgiref's communicator."""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        route, _sep, query = path.partition("?")
        scope = {
            "type": "websocket",
            "path": route,
            "query_string": query.encode(),
            "headers": headers,
            "subprotocols": [],
        }
        # asgiref ships this class without annotations
        self.inner: Any = ApplicationCommunicator(application, scope)  # type: ignore[no-untyped-call]

    async def connect(self, timeout: float = 10) -> tuple[bool, Any]:
        await self.inner.send_input({"type": "websocket.connect"})
        response = await self.inner.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_json_to(self, data: object) -> None:
        await self.inner.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 10) -> Any:
        response = await self.inner.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def receive_nothing(self, timeout: float = 0.1) -> bool:
        return bool(await self.inner.receive_nothing(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.inner.send_input({"type": "websocket.disconnect", "code": code})
        await self.inner.wait(timeout)


def adapter(channel_id: int = 1) -> WebChat:
    return WebChat(ChannelConfig(channel_id=channel_id, api_base_url=""))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_exactly(name: str) -> None:
    request = InboundRequest("POST", fixture_bytes("web_chat", name), {})
    assert list(adapter().parse(request)) == EXPECTED[name]


def test_every_fixture_is_checked() -> None:
    assert {path.name for path in (FIXTURES / "web_chat").iterdir()} == set(EXPECTED)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"visitor_id": "../x", "client_message_id": "1"}', "characters"),
        (
            b'{"visitor_id": "ab", "client_message_id": "1", "sent_at": "2026-11-23T10:00:00Z",'
            b' "text": "x", "offline": true}',
            "nobody to answer",
        ),
        (
            b'{"visitor_id": "ab", "client_message_id": "1", "sent_at": "gestern", "text": "x"}',
            "ISO",
        ),
        (
            b'{"visitor_id": "ab", "client_message_id": "1", "sent_at": "2026-11-23T10:00:00",'
            b' "text": "x"}',
            "time zone",
        ),
        (
            b'{"visitor_id": "ab", "client_message_id": "1", "sent_at": "2026-11-23T10:00:00Z",'
            b' "text": "x", "email": "nope"}',
            "e-mail",
        ),
    ],
)
def test_malformed_lines_raise_parse_error(body: bytes, error: str) -> None:
    with pytest.raises(ParseError, match=error):
        list(adapter().parse(InboundRequest("POST", body, {})))


def test_sending_needs_a_visitor() -> None:
    out = OutboundMessage(text="Hallo", is_public=False, reply_context={})
    with pytest.raises(PermanentSendError, match="visitor"):
        adapter().send(out)


# Sockets -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def empty_layer() -> Iterator[None]:
    layer = get_channel_layer()
    assert layer is not None
    async_to_sync(layer.flush)()
    yield
    async_to_sync(layer.flush)()


@pytest.fixture
def chat(transactional_db: None) -> Channel:
    return configure_channel(
        None,
        kind=ChannelKind.WEB_CHAT,
        name="Website",
        secrets={},
        options={"availability": "always"},
    )


def run(scenario: Scenario) -> None:
    async_to_sync(scenario)()


def visitor_socket(chat: Channel, token: str = "", cookie: str = "") -> WebsocketCommunicator:
    path = f"/ws/chat/{chat.pk}/" + (f"?visitor={token}" if token else "")
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return WebsocketCommunicator(websocket_application(), path, headers=headers)


def agent_socket(client: Client | None, origin: bytes = b"http://localhost") -> Any:
    headers = [(b"origin", origin)]
    if client is not None:
        session = client.cookies["sessionid"].value
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(websocket_application(), "/ws/inbox/", headers=headers)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def connect(socket: WebsocketCommunicator) -> dict[str, Any]:
    connected, _code = await socket.connect()
    assert connected
    welcome: dict[str, Any] = await socket.receive_json_from()
    return welcome


async def say(socket: WebsocketCommunicator, text: str, message_id: str, **extra: str) -> Any:
    await socket.send_json_to({"type": "message", "id": message_id, "text": text, **extra})
    return await socket.receive_json_from()


def test_a_visitor_chats_with_an_agent_live(chat: Channel, alice: Agent) -> None:
    client = logged_in(alice.user)

    async def scenario() -> None:
        visitor = visitor_socket(chat)
        welcome = await connect(visitor)
        assert (welcome["type"], welcome["online"], welcome["lines"]) == ("welcome", True, [])
        token = welcome["visitor"]

        ack = await say(visitor, "Mein Router blinkt rot.", "m1", language="de")
        assert (ack["type"], ack["line"]["text"]) == ("ack", "Mein Router blinkt rot.")
        echo = await visitor.receive_json_from()  # the visitor's other open tabs see it too
        assert echo == {"type": "message", "line": ack["line"]}
        # the same client id again (a resend after a lost ack) stores nothing new
        again = await say(visitor, "Mein Router blinkt rot.", "m1", language="de")
        assert again["line"]["key"] == ack["line"]["key"]
        await visitor.receive_json_from()

        conversation = await database_sync_to_async(Conversation.objects.get)()
        agent = agent_socket(client)
        assert (await agent.connect())[0]
        await agent.send_json_to({"type": "watch", "conversation": conversation.pk})
        assert await agent.receive_json_from() == {
            "type": "watching",
            "conversation": conversation.pk,
        }
        await say(visitor, "Hallo?", "m2")
        await visitor.receive_json_from()
        pushed = await agent.receive_json_from()
        assert (pushed["type"], pushed["conversation"], pushed["line"]["text"]) == (
            "message",
            conversation.pk,
            "Hallo?",
        )
        assert await agent.receive_json_from() == {
            "type": "changed",
            "conversation": conversation.pk,
        }

        await database_sync_to_async(inbox.reply)(
            alice, conversation.pk, body="Bitte einmal neu starten."
        )
        line = (await visitor.receive_json_from())["line"]
        assert (line["direction"], line["text"], line["author"], line["initials"]) == (
            "out",
            "Bitte einmal neu starten.",
            "Alice Albers",
            "AA",
        )

        await visitor.disconnect()
        await agent.disconnect()
        # Reconnecting with the cookie shows the whole chat as the visitor saw it.
        back = await connect(visitor_socket(chat, token))
        assert [item["text"] for item in back["lines"]] == [
            "Mein Router blinkt rot.",
            "Hallo?",
            "Bitte einmal neu starten.",
        ]

    run(scenario)

    conversation = Conversation.objects.get()
    assert conversation.origin_channel == ChannelKind.WEB_CHAT
    assert list(conversation.messages.values_list("body_text", flat=True).order_by("pk")) == [
        "Mein Router blinkt rot.",
        "Hallo?",
        "Bitte einmal neu starten.",
    ]
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert ChannelIdentity.objects.filter(kind=ChannelKind.WEB_CHAT).count() == 1
    assert InboundEvent.objects.filter(channel=chat).count() == 3  # raw lines, replayable


def test_a_reply_to_an_offline_visitor_waits_for_the_reconnect(chat: Channel, alice: Agent) -> None:
    async def scenario() -> None:
        visitor = visitor_socket(chat)
        token = (await connect(visitor))["visitor"]
        await say(visitor, "Ich bin gleich weg.", "m1")
        await visitor.disconnect()
        conversation = await database_sync_to_async(Conversation.objects.get)()
        await database_sync_to_async(inbox.reply)(alice, conversation.pk, body="Wir melden uns.")
        back = await connect(visitor_socket(chat, token))
        assert [(item["direction"], item["text"]) for item in back["lines"]] == [
            ("in", "Ich bin gleich weg."),
            ("out", "Wir melden uns."),
        ]

    run(scenario)


def test_an_internal_note_never_reaches_the_visitor(chat: Channel, alice: Agent) -> None:
    async def scenario() -> None:
        visitor = visitor_socket(chat)
        token = (await connect(visitor))["visitor"]
        await say(visitor, "Hallo", "m1")
        await visitor.receive_json_from()
        conversation = await database_sync_to_async(Conversation.objects.get)()
        await database_sync_to_async(inbox.add_note)(
            alice, conversation.pk, body="Kunde wirkt genervt, bitte schnell."
        )
        assert await visitor.receive_nothing(timeout=webchat_catch_up() + 0.5)
        back = await connect(visitor_socket(chat, token))
        assert [item["text"] for item in back["lines"]] == ["Hallo"]

    run(scenario)

    note = Message.objects.get(visibility=Visibility.INTERNAL)
    assert not Delivery.objects.filter(message=note).exists()
    lines = webchat.list_lines(chat.pk, webchat_visitor_of(note.conversation))
    assert [line.text for line in lines] == ["Hallo"]


def webchat_catch_up() -> float:
    from schwarmdesk.channels.consumers import CATCH_UP_SECONDS

    return CATCH_UP_SECONDS


def webchat_visitor_of(conversation: Conversation) -> str:
    found = webchat.visitor_of(conversation)
    assert found is not None
    return found[1]


def test_typing_is_relayed_both_ways(chat: Channel, alice: Agent) -> None:
    client = logged_in(alice.user)

    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        await say(visitor, "Hallo", "m1")
        await visitor.receive_json_from()
        conversation = await database_sync_to_async(Conversation.objects.get)()
        agent = agent_socket(client)
        assert (await agent.connect())[0]
        await agent.send_json_to({"type": "watch", "conversation": conversation.pk})
        await agent.receive_json_from()

        await visitor.send_json_to({"type": "typing"})
        assert await agent.receive_json_from() == {
            "type": "typing",
            "conversation": conversation.pk,
        }
        await agent.send_json_to({"type": "typing", "conversation": conversation.pk})
        assert await visitor.receive_json_from() == {"type": "typing", "who": "agent"}
        await agent.disconnect()
        await visitor.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "0" * 32 + token[32:],  # visitor id changed
        lambda token: "not-a-token",
    ],
    ids=["signature", "visitor-id", "garbage"],
)
def test_a_tampered_visitor_cookie_is_refused(chat: Channel, tamper: Callable[[str], str]) -> None:
    _visitor_id, token = webchat.new_visitor()

    async def scenario() -> None:
        for socket in (
            visitor_socket(chat, tamper(token)),
            visitor_socket(chat, cookie=f"{webchat.COOKIE_NAME}={tamper(token)}"),
        ):
            connected, code = await socket.connect()
            assert (connected, code) == (False, 4403)
        # the untampered cookie works, from the query or the cookie header
        for socket in (
            visitor_socket(chat, token),
            visitor_socket(chat, cookie=f"other=1; {webchat.COOKIE_NAME}={token}"),
        ):
            assert (await connect(socket))["visitor"] == token
            await socket.disconnect()

    run(scenario)

    assert Message.objects.count() == 0


def test_an_unknown_or_disabled_chat_is_refused(chat: Channel) -> None:
    form = configure_channel(None, kind=ChannelKind.WEB_FORM, name="Kontakt", secrets={})
    Channel.objects.filter(pk=chat.pk).update(is_enabled=False)

    async def scenario() -> None:
        for channel in (chat, form):
            connected, code = await visitor_socket(channel).connect()
            assert (connected, code) == (False, 4403)

    run(scenario)


@pytest.mark.parametrize("who", ["anonymous", "customer", "inactive agent", "foreign origin"])
def test_the_agent_socket_refuses_everyone_but_agents(
    chat: Channel, alice: Agent, carol: Customer, who: str
) -> None:
    if who == "anonymous":
        client = None
    elif who == "customer":
        client = logged_in(User.objects.create_user("carol", "carol@example.com", "pw-carol-1"))
    else:
        client = logged_in(alice.user)
    if who == "inactive agent":
        User.objects.filter(pk=alice.user.pk).update(is_active=False)
    origin = b"https://evil.example.net" if who == "foreign origin" else b"http://localhost"

    async def scenario() -> None:
        connected, _code = await agent_socket(client, origin).connect()
        assert not connected

    run(scenario)


def test_an_agent_cannot_watch_a_conversation_outside_their_teams(
    chat: Channel, bob: Agent, carol_conversation: Conversation
) -> None:
    client = logged_in(bob.user)

    async def scenario() -> None:
        agent = agent_socket(client)
        assert (await agent.connect())[0]
        await agent.send_json_to({"type": "watch", "conversation": carol_conversation.pk})
        assert await agent.receive_json_from() == {
            "type": "error",
            "conversation": carol_conversation.pk,
        }
        await agent.send_json_to({"type": "typing", "conversation": carol_conversation.pk})
        assert await agent.receive_nothing(timeout=0.2)
        await agent.disconnect()

    run(scenario)


def test_a_visitor_with_an_email_joins_the_customer_with_that_address(
    chat: Channel, carol: Customer
) -> None:
    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        ack = await say(visitor, "Wo bleibt meine Erstattung?", "m1", email="Carol@Example.com")
        assert ack["type"] == "ack"
        await visitor.receive_json_from()
        bad = await say(visitor, "Und?", "m2", email="kein-at", language="en")
        assert bad == {
            "type": "error",
            "for": "message",
            "id": "m2",
            "error": "Please enter a valid e-mail address.",
        }

    run(scenario)

    assert Message.objects.get().author_customer == carol
    assert Customer.objects.count() == 1


def test_offline_hours_fall_back_to_the_form(chat: Channel, alice: Agent) -> None:
    chat.options = {
        "availability": "hours",
        "opening_hours": "mon-fri 09:00-17:00",
        "time_zone": "Europe/Berlin",
    }
    chat.save(update_fields=["options"])

    async def scenario() -> None:
        visitor = visitor_socket(chat)
        welcome = await connect(visitor)
        assert welcome["online"] is False
        await visitor.send_json_to({"type": "offline", "id": "f1", "text": "Rückruf bitte"})
        refused = await visitor.receive_json_from()
        assert (refused["type"], refused["for"]) == ("error", "offline")
        await visitor.send_json_to(
            {"type": "offline", "id": "f2", "text": "Rückruf bitte", "email": "neu@example.com"}
        )
        assert (await visitor.receive_json_from())["type"] == "ack"

    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC)):  # a Sunday
        run(scenario)

    conversation = Conversation.objects.get()
    assert ChannelIdentity.objects.filter(
        kind=ChannelKind.EMAIL, external_id="neu@example.com", customer=conversation.customer
    ).exists()
    assert conversation.messages.get().body_text == "Rückruf bitte"

    # the visitor has gone: the agent's answer goes out by e-mail as well
    inbox.reply(alice, conversation.pk, body="Wir rufen Sie morgen an.")

    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neu@example.com"]
    assert mail.outbox[0].subject == f"Re: Rückruf bitte [{conversation.reference}]"
    assert mail.outbox[0].body == "Wir rufen Sie morgen an.\n\n-- \nAlice Albers"


def test_an_unreachable_mail_server_is_retried(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    context = {"visitor_id": VISITOR, "email": "neu@example.com", "answer_by": "email"}
    with pytest.raises(TransientSendError, match="unreachable"):
        adapter().send(OutboundMessage(text="Hallo", is_public=False, reply_context=context))
    with pytest.raises(PermanentSendError, match="no e-mail address"):
        adapter().send(
            OutboundMessage(text="x", is_public=False, reply_context={**context, "email": ""})
        )


@pytest.mark.parametrize(
    ("options", "now", "online"),
    [
        ({"availability": "hours", "opening_hours": "mon-fri 09:00-17:00"}, (23, 9, 30), True),
        ({"availability": "hours", "opening_hours": "mon-fri 09:00-17:00"}, (23, 16, 30), False),
        (
            {"availability": "hours", "opening_hours": "mon 08:00-24:00; sun 10:00-12:00"},
            (22, 10, 0),
            True,
        ),
        ({"availability": "hours", "opening_hours": "weekdays"}, (23, 9, 30), False),
        ({"availability": "always"}, (22, 3, 0), True),
        ({}, (22, 3, 0), False),  # agents: nobody available
        (  # an unknown time zone counts as UTC
            {"availability": "hours", "opening_hours": "sun 10:00-11:00", "time_zone": "Mars/Base"},
            (22, 10, 30),
            True,
        ),
    ],
)
def test_when_the_chat_is_online(
    transactional_db: None, options: dict[str, str], now: tuple[int, int, int], online: bool
) -> None:
    """Opening hours are in the channel's time zone (default Europe/Berlin: UTC+1 in November)."""
    channel = Channel(kind=ChannelKind.WEB_CHAT, name="Chat", options=options)
    day, hour, minute = now
    assert webchat.is_online(channel, datetime(2026, 11, day, hour, minute, tzinfo=UTC)) is online


def test_agents_online_means_one_available_agent(chat: Channel, alice: Agent) -> None:
    chat.options = {"availability": "agents"}
    assert webchat.is_online(chat) is True
    Agent.objects.filter(pk=alice.pk).update(is_available=False)
    assert webchat.is_online(chat) is False


def test_opening_hours_are_checked() -> None:
    assert webchat.parse_opening_hours("sat 10:00-14:00; mon-tue 9:00-12:00") == {
        5: [(time(10), time(14))],
        0: [(time(9), time(12))],
        1: [(time(9), time(12))],
    }
    for bad in ("mon-fri", "xyz 09:00-10:00", "mon 25:00-26:00"):
        with pytest.raises(Invalid):
            webchat.parse_opening_hours(bad)


def test_the_transcript_is_emailed_on_request(chat: Channel, alice: Agent) -> None:
    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        await visitor.send_json_to({"type": "transcript", "email": "gast@example.com"})
        assert await visitor.receive_json_from() == {"type": "transcript", "queued": False}
        await say(visitor, "Wie setze ich das Passwort zurück?", "m1")
        await visitor.receive_json_from()
        conversation = await database_sync_to_async(Conversation.objects.get)()
        await database_sync_to_async(inbox.add_note)(alice, conversation.pk, body="Geheim: VIP")
        await database_sync_to_async(inbox.reply)(
            alice, conversation.pk, body="Unter Einstellungen."
        )
        await visitor.receive_json_from()
        await visitor.send_json_to(
            {"type": "transcript", "email": "gast@example.com", "language": "de"}
        )
        assert await visitor.receive_json_from() == {"type": "transcript", "queued": True}

    run(scenario)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    reference = Conversation.objects.get().reference
    assert sent.to == ["gast@example.com"]
    assert sent.subject == f"Ihr Chat-Verlauf [{reference}]"
    assert "Wie setze ich das Passwort zurück?" in sent.body
    assert "Alice Albers:\nUnter Einstellungen." in sent.body
    assert "Geheim" not in sent.body


def test_a_reply_sent_by_a_worker_elsewhere_reaches_the_visitor_by_catching_up(
    chat: Channel, alice: Agent, real_queue: object
) -> None:
    """A worker in another process pushes into its own in-memory layer: the visitor's socket
    still shows the reply once its delivery is sent (read back from the database)."""

    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        await say(visitor, "Hallo", "m1")
        await visitor.receive_json_from()
        conversation = await database_sync_to_async(Conversation.objects.get)()
        await database_sync_to_async(inbox.reply)(alice, conversation.pk, body="Moment bitte.")
        # queued, not sent yet: the visitor sees nothing
        assert await visitor.receive_nothing(timeout=webchat_catch_up() + 0.5)
        await database_sync_to_async(Delivery.objects.update)(status=DeliveryStatus.SENT)
        line = (await visitor.receive_json_from())["line"]
        assert (line["direction"], line["text"]) == ("out", "Moment bitte.")
        await visitor.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ({"id": "m1", "text": "  "}, "Bitte schreiben Sie zuerst eine Nachricht."),
        ({"id": "m1", "text": "x" * 5001}, "Diese Nachricht ist zu lang."),
        (
            {"id": "m/1", "text": "Hallo"},
            "a client message id has 1 to 64 letters, digits or dashes",
        ),
    ],
)
def test_a_bad_line_is_refused_with_a_reason(
    chat: Channel, line: dict[str, str], error: str
) -> None:
    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        await visitor.send_json_to([1, 2])  # not an object: ignored
        await visitor.send_json_to({"type": "message", **line})
        answer = await visitor.receive_json_from()
        assert answer == {"type": "error", "for": "message", "id": line["id"], "error": error}
        await visitor.send_json_to({"type": "transcript", "email": "kein-at"})
        refused = await visitor.receive_json_from()
        assert refused["error"] == "Bitte geben Sie eine gültige E-Mail-Adresse ein."
        await visitor.disconnect()

    run(scenario)

    assert Message.objects.count() == 0


def test_a_signed_cookie_without_a_visitor_id_is_refused(chat: Channel) -> None:
    token = signing.Signer(salt=webchat.VISITOR_SALT).sign("not-a-visitor")

    async def scenario() -> None:
        assert await visitor_socket(chat, token).connect() == (False, 4403)

    run(scenario)


def test_the_agent_socket_ignores_what_it_does_not_understand(
    chat: Channel, alice: Agent, carol_conversation: Conversation
) -> None:
    client = logged_in(alice.user)

    async def scenario() -> None:
        agent = agent_socket(client)
        assert (await agent.connect())[0]
        await agent.send_json_to([1])
        await agent.send_json_to({"type": "watch", "conversation": "1"})
        await agent.send_json_to({"type": "watch", "conversation": carol_conversation.pk})
        assert (await agent.receive_json_from())["type"] == "watching"
        # an e-mail conversation has no chat visitor to tell
        await agent.send_json_to({"type": "typing", "conversation": carol_conversation.pk})
        assert await agent.receive_nothing(timeout=0.3)
        await agent.disconnect()

    run(scenario)


def test_the_demo_page_embeds_the_widget_outside_production(
    transactional_db: None, settings: Any
) -> None:
    response = Client().get("/chat-demo/?lang=en")
    chat = Channel.objects.get(kind=ChannelKind.WEB_CHAT)
    assert response.status_code == 200
    assert (
        f'<script src="/static/chat/widget.js" data-channel="{chat.pk}" async></script>'
        in response.content.decode()
    )
    assert chat.options == {"availability": "agents"}
    assert Client().get("/chat-demo/").status_code == 200
    assert Channel.objects.count() == 1
    settings.IS_PRODUCTION = True
    assert Client().get("/chat-demo/").status_code == 404


def test_no_transcript_without_a_chat(chat: Channel) -> None:
    assert webchat.send_transcript(chat.pk, VISITOR, "gast@example.com", "de") is False
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        (None, None),
        ("550 5.1.1 no such user", PermanentSendError),
        ("451 4.3.0 later", TransientSendError),
    ],
)
def test_an_offline_answer_goes_through_the_sites_mail_server(
    settings: Any,
    smtp_server: SmtpServer,  # noqa: F811 -- the fixture
    refusal: str | None,
    error: type[Exception] | None,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    if refusal:
        smtp_server.refuse(refusal)
    out = OutboundMessage(
        text="Wir rufen an.",
        is_public=False,
        reply_context={"visitor_id": VISITOR, "email": "neu@example.com", "answer_by": "email"},
        agent_name="Alice Albers",
        conversation_reference="#SD-000007",
        conversation_subject="Rückruf\nbitte",
        idempotency_key="schwarmdesk-delivery-7",
    )
    if error is None:
        assert adapter().send(out) == "chat-schwarmdesk-delivery-7"
        (received,) = smtp_server.mails
        assert received.rcpt_tos == ["neu@example.com"]
        assert received.message["Subject"] == "Re: Rückruf bitte [#SD-000007]"
    else:
        with pytest.raises(error, match=r"5\.1\.1|4\.3\.0"):
            adapter().send(out)
        assert smtp_server.mails == []


def test_a_visitor_cannot_flood_the_chat(chat: Channel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("schwarmdesk.channels.consumers.LINES_PER_MINUTE", 2)

    async def scenario() -> None:
        visitor = visitor_socket(chat)
        await connect(visitor)
        for number in (1, 2):
            assert (await say(visitor, f"Nachricht {number}", f"m{number}"))["type"] == "ack"
            await visitor.receive_json_from()
        assert await say(visitor, "Nachricht 3", "m3") == {
            "type": "error",
            "for": "message",
            "id": "m3",
            "error": "Zu viele Nachrichten auf einmal. Bitte warten Sie einen Moment.",
        }
        await visitor.disconnect()

    run(scenario)

    assert Message.objects.count() == 2
