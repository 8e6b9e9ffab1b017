"""Telegram bot: webhook updates in (secret-token header), ``sendMessage`` out.

https://core.telegram.org/bots/api#update, #setwebhook (``secret_token``), #sendmessage.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from schwarmdesk.channels import http
from schwarmdesk.channels.adapters.base import (
    Capabilities,
    ChannelAdapter,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
    SendError,
    SignatureError,
    TransientSendError,
    require_secret,
)
from schwarmdesk.channels.adapters.payload import Obj, load_object
from schwarmdesk.channels.kinds import ChannelKind

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 -- a header name


@dataclass(frozen=True)
class TelegramMessage:
    message_id: int
    chat_id: str
    chat_type: str
    sender_id: str
    username: str
    display_name: str
    language: str
    date: int
    text: str
    reply_to_message_id: int | None

    @classmethod
    def from_json(cls, message: Obj) -> TelegramMessage:
        chat = message.obj("chat")
        sender = message.obj("from")
        reply_to = message.opt_obj("reply_to_message")
        name = " ".join(
            part for part in (sender.str("first_name"), sender.opt_str("last_name")) if part
        )
        return cls(
            message_id=message.int("message_id"),
            chat_id=chat.id("id"),
            chat_type=chat.str("type"),
            sender_id=sender.id("id"),
            username=sender.opt_str("username"),
            display_name=name,
            language=sender.opt_str("language_code"),
            date=message.int("date"),
            text=message.opt_str("text") or message.opt_str("caption"),
            reply_to_message_id=reply_to.int("message_id") if reply_to is not None else None,
        )


class Telegram(ChannelAdapter):
    kind = ChannelKind.TELEGRAM
    capabilities = Capabilities(threads=False, attachments=True, max_length=4096)
    secret_names = ("bot_token", "webhook_secret")
    default_api_base_url = "https://api.telegram.org"

    def verify(self, req: InboundRequest) -> None:
        expected = require_secret(self.config, "webhook_secret")
        given = req.header(SECRET_HEADER)
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("secret token missing or wrong")

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        update = load_object(req.body)
        update.int("update_id")
        raw = update.opt_obj("message")
        if raw is None:  # edited_message, callback_query, my_chat_member, ...: not a request
            return
        message = TelegramMessage.from_json(raw)
        if not message.text.strip() or message.chat_type != "private":
            return  # stickers, joins, group chatter: nothing to answer
        reply_to = (
            f"{message.chat_id}:{message.reply_to_message_id}"
            if message.reply_to_message_id is not None
            else ""
        )
        yield InboundMessage(
            kind=self.kind,
            external_id=f"{message.chat_id}:{message.message_id}",
            sender=Sender(
                external_id=message.sender_id,
                handle=f"@{message.username}" if message.username else "",
                display_name=message.display_name,
                language=message.language,
            ),
            text=message.text,
            sent_at=datetime.fromtimestamp(message.date, tz=UTC),
            is_public=False,
            thread_key=f"chat:{message.chat_id}",
            reply_to_external_id=reply_to,
            reply_context={"chat_id": message.chat_id, "message_id": str(message.message_id)},
        )

    def send(self, out: OutboundMessage) -> str:
        token = self.config.secret("bot_token")
        if not token:
            raise PermanentSendError("no bot_token configured")
        payload: dict[str, object] = {
            "chat_id": out.reply_context["chat_id"],
            "text": self.truncate(out.text),
        }
        if message_id := out.reply_context.get("message_id"):
            payload["reply_parameters"] = {
                "message_id": int(message_id),
                "allow_sending_without_reply": True,
            }
        response = http.request(
            "POST",
            f"{self.api_base_url}/bot{token}/sendMessage",
            json=payload,
            classify=classify,
        )
        result = load_object(response.content).obj("result")
        return f"{out.reply_context['chat_id']}:{result.int('message_id')}"


def classify(response: httpx.Response) -> SendError | None:
    """Telegram puts the reason and ``retry_after`` in the JSON body, not only in the status."""
    if response.status_code < 400:
        return None
    try:
        body = load_object(response.content)
        description = body.opt_str("description")[:200]
        parameters = body.opt_obj("parameters")
        retry_after: float | None = (
            parameters.int("retry_after")
            if parameters is not None and "retry_after" in parameters
            else None
        )
    except ParseError:  # a broken error body still has its status
        description, retry_after = "", None
    status = response.status_code
    reason = f"HTTP {status}: {description}" if description else f"HTTP {status}"
    if status == 429 or status >= 500:
        if retry_after is None:
            retry_after = http.parse_retry_after(response)
        return TransientSendError(reason, status=status, retry_after=retry_after)
    return PermanentSendError(reason, status=status)
