"""Web chat: our own widget over a WebSocket in, the visitor's channel-layer group out.

In: the visitor consumer (``channels.consumers``) stores each chat line as a JSON event that
this adapter parses like any other payload. The sender is the visitor id from the signed cookie
(a web-chat identity), or, when the visitor gave one, the e-mail address (an e-mail identity,
never verified), so ``receive`` links the chat to the customer with that address.
Out: the reply is pushed to the visitor's group on the channel layer; a visitor who is not
connected sees it in the history sent on reconnect (the delivery row is the truth). A line from
the offline form (nobody was in the chat) is answered by e-mail too, through the site's mail.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.mail import EmailMessage as DjangoEmailMessage

from schwarmdesk.channels.adapters.base import (
    Capabilities,
    ChannelAdapter,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from schwarmdesk.channels.adapters.payload import load_object
from schwarmdesk.channels.kinds import ChannelKind

MAX_LENGTH = 5000


def visitor_group(channel_id: int | str, visitor_id: str) -> str:
    """The channel-layer group of one visitor's open widgets (group names: ASCII, < 100)."""
    return f"chat.visitor.{channel_id}.{visitor_id}"


def external_id(visitor_id: str, client_message_id: str) -> str:
    return f"chat-{visitor_id}-{client_message_id}"


class WebChat(ChannelAdapter):
    kind = ChannelKind.WEB_CHAT
    capabilities = Capabilities(
        threads=True,
        attachments=False,
        max_length=MAX_LENGTH,
        has_webhook=False,
        repeat_send_is_safe=True,  # the widget shows a line with a known key once
    )

    def verify(self, req: InboundRequest) -> None:
        """Nothing to check: only our own consumer writes these events (signed visitor id)."""

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        chat = load_object(req.body)
        visitor_id = chat.str("visitor_id")
        client_id = chat.str("client_message_id")
        if not visitor_id.isalnum() or not client_id.replace("-", "").isalnum():
            raise ParseError("$.visitor_id or $.client_message_id has characters we never issue")
        try:
            sent_at = datetime.fromisoformat(chat.str("sent_at"))
        except ValueError:
            raise ParseError("$.sent_at is not an ISO date") from None
        if sent_at.tzinfo is None:
            raise ParseError("$.sent_at has no time zone")
        text = chat.str("text").strip()
        if not text:
            return
        address = chat.opt_str("email").strip().lower()
        name = chat.opt_str("name").strip()
        language = chat.opt_str("language")
        language = language if language in ("de", "en") else ""
        if address and "@" not in address:
            raise ParseError("$.email is not an e-mail address")
        is_offline = chat.bool("offline")
        if is_offline and not address:
            raise ParseError("$.offline without $.email: nobody to answer")
        sender = (
            Sender(
                external_id=address,
                handle=address,
                display_name=name,
                language=language,
                is_verified=False,
                identity_kind=ChannelKind.EMAIL,
            )
            if address
            else Sender(external_id=visitor_id, display_name=name, language=language)
        )
        yield InboundMessage(
            kind=self.kind,
            external_id=external_id(visitor_id, client_id),
            sender=sender,
            text=self.truncate(text),
            sent_at=sent_at,
            is_public=False,
            thread_key=f"chat:{visitor_id}",
            reply_context={
                "visitor_id": visitor_id,
                "email": address,
                "language": language,
                **({"answer_by": "email"} if is_offline else {}),
            },
        )

    def send(self, out: OutboundMessage) -> str:
        visitor_id = out.reply_context.get("visitor_id", "")
        if not visitor_id:
            raise PermanentSendError("the chat has no visitor id configured")
        layer = get_channel_layer()
        if layer is None:
            raise PermanentSendError("no channel layer configured (CHANNEL_LAYERS)")
        event = {
            "type": "chat.message",
            "line": {
                "direction": "out",
                "text": self.truncate(out.text),
                "author": out.agent_name,
                "initials": out.agent_initials,
                "key": out.idempotency_key,
            },
        }
        try:
            async_to_sync(layer.group_send)(
                visitor_group(self.config.channel_id, visitor_id), event
            )
        except OSError as error:  # the Redis layer is unreachable: try again later
            raise TransientSendError(f"channel layer unreachable: {error}") from error
        # After the push: a retry pushes the same key again, which the widget shows once.
        if out.reply_context.get("answer_by") == "email":
            self._mail(out, out.reply_context.get("email", ""))
        return f"chat-{out.idempotency_key}" if out.idempotency_key else ""

    def _mail(self, out: OutboundMessage, address: str) -> None:
        """The answer to an offline-form message, by e-mail (the visitor may not come back)."""
        if "@" not in address:
            raise PermanentSendError("the offline message has no e-mail address")
        subject = f"Re: {out.conversation_subject or 'Chat'} [{out.conversation_reference}]"
        signature = f"\n\n-- \n{out.agent_name}" if out.agent_name else ""
        mail = DjangoEmailMessage(
            subject=subject.replace("\n", " ").replace("\r", " "),
            body=f"{out.text}{signature}",
            to=[address],
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _reply in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentSendError(f"mail refused: {error}") from error
            raise TransientSendError(f"mail server: {error}") from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500:
                raise PermanentSendError(f"mail refused: {error}") from error
            raise TransientSendError(f"mail server: {error}") from error
        except OSError as error:  # connection refused, timeout, disconnected (SMTPException too)
            raise TransientSendError(f"mail server unreachable: {error}") from error
