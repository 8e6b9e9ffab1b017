"""Facebook page: Messenger messages and page-feed comments in, Send API and comment replies out.

Webhooks: https://developers.facebook.com/docs/graph-api/webhooks/getting-started
(``hub.challenge`` handshake, ``X-Hub-Signature-256: sha256=<hex HMAC of the body>``),
Messenger ``messages`` events and the page ``feed`` field (``item: comment``, ``verb: add``).
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
    HandshakeRefused,
    HandshakeResponse,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
    SendError,
    SignatureError,
    TransientSendError,
    hmac_sha256,
    require_secret,
)
from schwarmdesk.channels.adapters.payload import Obj, load_object
from schwarmdesk.channels.kinds import ChannelKind

SIGNATURE_HEADER = "x-hub-signature-256"
GRAPH_VERSION = "v21.0"
# Graph API error codes that mean "slow down" (application, user, page and custom limits).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80006})


@dataclass(frozen=True)
class MessengerEvent:
    sender_id: str
    recipient_id: str
    timestamp_ms: int
    mid: str
    text: str
    is_echo: bool
    reply_to_mid: str

    @classmethod
    def from_json(cls, event: Obj) -> MessengerEvent | None:
        message = event.opt_obj("message")
        if message is None:  # delivery, read, postback, reaction: not a customer message
            return None
        reply_to = message.opt_obj("reply_to")
        return cls(
            sender_id=event.obj("sender").id("id"),
            recipient_id=event.obj("recipient").id("id"),
            timestamp_ms=event.int("timestamp"),
            mid=message.str("mid"),
            text=message.opt_str("text"),
            is_echo=message.bool("is_echo"),
            reply_to_mid=reply_to.opt_str("mid") if reply_to is not None else "",
        )


@dataclass(frozen=True)
class FeedComment:
    comment_id: str
    post_id: str
    parent_id: str
    sender_id: str
    sender_name: str
    message: str
    created_time: int

    @classmethod
    def from_json(cls, value: Obj) -> FeedComment | None:
        if value.opt_str("item") != "comment" or value.opt_str("verb") != "add":
            return None  # likes, reactions, edits, removals, new posts
        sender = value.obj("from")
        return cls(
            comment_id=value.str("comment_id"),
            post_id=value.str("post_id"),
            parent_id=value.opt_str("parent_id"),
            sender_id=sender.id("id"),
            sender_name=sender.opt_str("name"),
            message=value.opt_str("message"),
            created_time=value.int("created_time"),
        )


class Facebook(ChannelAdapter):
    kind = ChannelKind.FACEBOOK
    capabilities = Capabilities(threads=True, attachments=True, max_length=2000)
    secret_names = ("app_secret", "page_access_token", "verify_token")
    default_api_base_url = "https://graph.facebook.com"

    def handshake(self, req: InboundRequest) -> HandshakeResponse | None:
        if req.query.get("hub.mode") != "subscribe":
            return None
        expected = self.config.secret("verify_token")
        given = req.query.get("hub.verify_token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise HandshakeRefused("hub.verify_token does not match")
        return HandshakeResponse(200, req.query.get("hub.challenge", "").encode(), "text/plain")

    def verify(self, req: InboundRequest) -> None:
        secret = require_secret(self.config, "app_secret")
        given = req.header(SIGNATURE_HEADER)
        expected = "sha256=" + hmac_sha256(secret, req.body).hex()
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureError("X-Hub-Signature-256 missing or wrong")

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        body = load_object(req.body)
        if body.str("object") != "page":
            return
        for entry in body.objs("entry"):
            page_id = entry.id("id")
            for event in entry.objs("messaging"):
                if (parsed := MessengerEvent.from_json(event)) is not None:
                    yield from self._message(parsed, page_id)
            for change in entry.objs("changes"):
                if change.str("field") != "feed":
                    continue
                comment = FeedComment.from_json(change.obj("value"))
                if comment is not None:
                    yield from self._comment(comment, page_id)

    def _message(self, event: MessengerEvent, page_id: str) -> Iterator[InboundMessage]:
        if event.is_echo or event.sender_id == page_id or not event.text.strip():
            return
        yield InboundMessage(
            kind=self.kind,
            external_id=event.mid,
            sender=Sender(external_id=event.sender_id),
            text=event.text,
            sent_at=datetime.fromtimestamp(event.timestamp_ms / 1000, tz=UTC),
            is_public=False,
            thread_key=f"messenger:{page_id}:{event.sender_id}",
            reply_to_external_id=event.reply_to_mid,
            reply_context={"recipient_id": event.sender_id},
        )

    def _comment(self, comment: FeedComment, page_id: str) -> Iterator[InboundMessage]:
        if comment.sender_id == page_id or not comment.message.strip():
            return  # the page's own replies come back through the feed too
        yield InboundMessage(
            kind=self.kind,
            external_id=f"comment:{comment.comment_id}",
            sender=Sender(external_id=comment.sender_id, display_name=comment.sender_name),
            text=comment.message,
            sent_at=datetime.fromtimestamp(comment.created_time, tz=UTC),
            is_public=True,
            thread_key=f"post:{comment.post_id}",
            reply_to_external_id=(
                f"comment:{comment.parent_id}"
                if comment.parent_id and comment.parent_id != comment.post_id
                else ""
            ),
            reply_context={"comment_id": comment.comment_id, "recipient_id": comment.sender_id},
        )

    def send(self, out: OutboundMessage) -> str:
        token = self.config.secret("page_access_token")
        if not token:
            raise PermanentSendError("no page_access_token configured")
        headers = {"Authorization": f"Bearer {token}"}
        text = self.truncate(out.text)
        comment_id = out.reply_context.get("comment_id", "")
        if out.is_public and comment_id:
            response = http.request(
                "POST",
                f"{self.api_base_url}/{GRAPH_VERSION}/{comment_id}/comments",
                json={"message": text},
                headers=headers,
                classify=classify,
            )
            return "comment:" + load_object(response.content).str("id")
        # A private reply to a comment answers the comment in Messenger (private replies API).
        recipient: dict[str, str] = (
            {"comment_id": comment_id} if comment_id else {"id": out.reply_context["recipient_id"]}
        )
        response = http.request(
            "POST",
            f"{self.api_base_url}/{GRAPH_VERSION}/me/messages",
            json={"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": text}},
            headers=headers,
            classify=classify,
        )
        return load_object(response.content).str("message_id")


def classify(response: httpx.Response) -> SendError | None:
    """Graph API errors carry a code: rate limits come back as 400 with codes 4/17/32/613."""
    status = response.status_code
    if status < 400:
        return None
    code: int | None = None
    detail = ""
    try:
        error = load_object(response.content).obj("error")
        code = error.int("code") if "code" in error else None
        detail = error.opt_str("message")[:200]
    except ParseError:  # a broken error body still has its status
        code, detail = None, ""
    reason = f"HTTP {status} (code {code}): {detail}" if code is not None else f"HTTP {status}"
    if status == 429 or status >= 500 or code in RATE_LIMIT_CODES or code == 2:
        return TransientSendError(
            reason, status=status, retry_after=http.parse_retry_after(response)
        )
    return PermanentSendError(reason, status=status)
