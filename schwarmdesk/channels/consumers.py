"""WebSocket consumers of the web chat: the visitor's widget and the agents' live inbox.

Visitor (``/ws/chat/<channel id>/?visitor=<signed id>``): ``welcome`` (visitor cookie, online or
offline, history) on connect; sends ``message`` (id, text, optional email and name),
``typing``, ``offline`` (the offline form: text and email), ``transcript`` (email); receives
``message``, ``typing``, ``ack``, ``error``. A cookie we did not sign closes the socket (4403).
Agent (``/ws/inbox/``, session login, agents only): sends ``watch`` (conversation) and
``typing``; receives ``message`` and ``typing`` of watched chats and ``changed`` for the list.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from schwarmdesk.channels import webchat
from schwarmdesk.channels.actions import access_conversation
from schwarmdesk.channels.adapters.web_chat import visitor_group
from schwarmdesk.core.errors import DomainError, Invalid
from schwarmdesk.people.models import Agent

log = logging.getLogger(__name__)

AGENTS_GROUP = "chat.agents"
REFUSED = 4403
# Replies sent by a worker in another process reach this one through the database.
CATCH_UP_SECONDS = 3.0
# A visitor's socket takes at most this many lines (and offline messages) per minute.
LINES_PER_MINUTE = 20


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def _str(content: dict[str, Any], key: str, limit: int = 10_000) -> str:
    value = content.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


class VisitorConsumer(AsyncJsonWebsocketConsumer):
    channel_id: int
    visitor_id: str
    language: str
    group: str
    seen: set[str]
    catch_up: asyncio.Task[None] | None = None
    recent: list[float]

    async def connect(self) -> None:
        self.channel_id = int(self.scope["url_route"]["kwargs"]["channel_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("visitor") or [""])[0] or self._cookie(webchat.COOKIE_NAME)
        language = (query.get("lang") or [""])[0][:2].lower()
        self.language = language if language in ("de", "en") else settings.LANGUAGE_CODE
        try:
            channel = await database_sync_to_async(webchat.get_chat_channel)(self.channel_id)
            if token:
                self.visitor_id = webchat.read_visitor(token)
            else:
                self.visitor_id, token = webchat.new_visitor()
        except DomainError as error:
            log.info("chat.refused channel=%s reason=%s", self.channel_id, error.code)
            await self.close(code=REFUSED)
            return
        self.group = visitor_group(self.channel_id, self.visitor_id)
        self.recent = []
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        online = await database_sync_to_async(webchat.is_online)(channel)
        lines = await self._lines()
        self.seen = {line["key"] for line in lines}
        await self.send_json(
            {"type": "welcome", "visitor": token, "online": online, "lines": lines}
        )
        self.catch_up = asyncio.ensure_future(self._catch_up())

    def _cookie(self, name: str) -> str:
        for header, value in self.scope.get("headers", []):
            if header == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _sep, cookie = part.strip().partition("=")
                    if key == name:
                        return cookie
        return ""

    async def disconnect(self, code: int) -> None:
        if self.catch_up is not None:
            self.catch_up.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _lines(self) -> list[dict[str, str]]:
        lines = await database_sync_to_async(webchat.list_lines)(self.channel_id, self.visitor_id)
        return [asdict(line) for line in lines]

    async def _catch_up(self) -> None:
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            for line in await self._lines():
                if line["key"] not in self.seen:
                    self.seen.add(line["key"])
                    await self.send_json({"type": "message", "line": line})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        language = _str(content, "language", 5)
        try:
            with translation.override(language if language in ("de", "en") else self.language):
                await self._handle(kind, content)
        except DomainError as error:
            await self.send_json(
                {"type": "error", "for": kind, "id": _str(content, "id", 64), "error": str(error)}
            )

    async def _handle(self, kind: object, content: dict[str, Any]) -> None:
        if kind in ("message", "offline"):
            await self._message(content, is_offline=kind == "offline")
        elif kind == "typing":
            await self._typing()
        elif kind == "transcript":
            await self._transcript(content)

    async def _message(self, content: dict[str, Any], *, is_offline: bool) -> None:
        now = time.monotonic()
        self.recent = [at for at in self.recent if at > now - 60]
        if len(self.recent) >= LINES_PER_MINUTE:
            raise Invalid(_("Too many messages at once. Please wait a moment."))
        self.recent.append(now)
        email = _str(content, "email", 254)
        channel = await database_sync_to_async(webchat.get_chat_channel)(self.channel_id)
        message = await database_sync_to_async(webchat.receive_line)(
            channel,
            visitor_id=self.visitor_id,
            client_message_id=_str(content, "id", 100),
            text=_str(content, "text"),
            email=email,
            name=_str(content, "name", 100),
            language=_str(content, "language", 5) or self.language,
            require_email=is_offline,
        )
        line = {
            "key": f"in-{message.external_id}",
            "direction": "in",
            "text": message.body_text,
            "author": "",
            "initials": "",
            "created_at": message.created_at.isoformat(),
        }
        self.seen.add(line["key"])
        await self.send_json({"type": "ack", "id": _str(content, "id", 64), "line": line})
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "line": line})
        notice = {"type": "chat.message", "line": line, "conversation": message.conversation_id}
        await self.channel_layer.group_send(conversation_group(message.conversation_id), notice)
        await self.channel_layer.group_send(
            AGENTS_GROUP, {"type": "inbox.changed", "conversation": message.conversation_id}
        )

    async def _typing(self) -> None:
        conversation = await database_sync_to_async(webchat.latest_conversation)(
            self.channel_id, self.visitor_id
        )
        if conversation is not None:
            await self.channel_layer.group_send(
                conversation_group(conversation.pk),
                {"type": "chat.typing", "who": "visitor", "conversation": conversation.pk},
            )

    async def _transcript(self, content: dict[str, Any]) -> None:
        channel = await database_sync_to_async(webchat.get_chat_channel)(self.channel_id)
        queued = await database_sync_to_async(webchat.request_transcript)(
            channel,
            visitor_id=self.visitor_id,
            email=_str(content, "email", 254),
            language=_str(content, "language", 5) or self.language,
        )
        await self.send_json({"type": "transcript", "queued": queued})

    # Channel-layer events
    async def chat_message(self, event: dict[str, Any]) -> None:
        line = event["line"]
        if line["key"] in self.seen and line["direction"] == "out":
            return
        self.seen.add(line["key"])
        await self.send_json({"type": "message", "line": line})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("who") == "agent":
            await self.send_json({"type": "typing", "who": "agent"})


class AgentConsumer(AsyncJsonWebsocketConsumer):
    agent: Agent
    watching: set[int]

    async def connect(self) -> None:
        user = self.scope.get("user")
        agent = await database_sync_to_async(_agent_of)(user)
        if agent is None:
            await self.close(code=REFUSED)
            return
        self.agent = agent
        self.watching = set()
        await self.channel_layer.group_add(AGENTS_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "agent"):
            return
        await self.channel_layer.group_discard(AGENTS_GROUP, self.channel_name)
        for conversation_id in getattr(self, "watching", set()):
            await self.channel_layer.group_discard(
                conversation_group(conversation_id), self.channel_name
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        conversation_id = content.get("conversation")
        if not isinstance(conversation_id, int):
            return
        try:
            if content.get("type") == "watch":
                await database_sync_to_async(access_conversation)(self.agent, conversation_id)
                self.watching.add(conversation_id)
                await self.channel_layer.group_add(
                    conversation_group(conversation_id), self.channel_name
                )
                await self.send_json({"type": "watching", "conversation": conversation_id})
            elif content.get("type") == "typing" and conversation_id in self.watching:
                await self._typing(conversation_id)
        except DomainError:
            await self.send_json({"type": "error", "conversation": conversation_id})

    async def _typing(self, conversation_id: int) -> None:
        visitor = await database_sync_to_async(_visitor_of)(self.agent, conversation_id)
        if visitor is not None:
            await self.channel_layer.group_send(
                visitor_group(*visitor), {"type": "chat.typing", "who": "agent"}
            )

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "message", "conversation": event["conversation"], "line": event["line"]}
        )

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("who") == "visitor":
            await self.send_json({"type": "typing", "conversation": event["conversation"]})

    async def inbox_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "changed", "conversation": event["conversation"]})


def _agent_of(user: object) -> Agent | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    user_id = getattr(user, "pk", None)
    if not isinstance(user_id, int):
        return None
    return Agent.objects.select_related("user").filter(user_id=user_id).first()


def _visitor_of(agent: Agent, conversation_id: int) -> tuple[int, str] | None:
    return webchat.visitor_of(access_conversation(agent, conversation_id))
