"""X (Twitter): Account Activity API webhooks in, API v2 replies out.

Webhooks: https://docs.x.com/x-api/account-activity/introduction — CRC challenge
(``GET ?crc_token=`` → ``{"response_token": "sha256=<base64 HMAC>"}``), every POST signed with
``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the body>`` under the consumer
secret; ``tweet_create_events`` (v1.1 tweet objects) and ``direct_message_events``.
Out: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``; ``POST
/2/dm_conversations/with/:participant_id/messages``.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from schwarmdesk.channels import http
from schwarmdesk.channels.adapters.base import (
    Capabilities,
    ChannelAdapter,
    HandshakeResponse,
    InboundMessage,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    Sender,
    SignatureError,
    hmac_sha256,
    require_secret,
)
from schwarmdesk.channels.adapters.payload import Obj, load_object
from schwarmdesk.channels.kinds import ChannelKind

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
TWEET_DATE = "%a %b %d %H:%M:%S %z %Y"


def sign(secret: str, data: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(secret, data)).decode()


@dataclass(frozen=True)
class Tweet:
    id: str
    text: str
    user_id: str
    screen_name: str
    name: str
    language: str
    created_at: datetime
    in_reply_to_id: str
    is_retweet: bool

    @classmethod
    def from_json(cls, tweet: Obj) -> Tweet:
        user = tweet.obj("user")
        extended = tweet.opt_obj("extended_tweet")
        text = extended.str("full_text") if extended is not None else tweet.str("text")
        try:
            created_at = datetime.strptime(tweet.str("created_at"), TWEET_DATE)  # noqa: DTZ007 -- %z
        except ValueError:
            raise ParseError(f"{tweet.path}.created_at is not a tweet date") from None
        return cls(
            id=tweet.str("id_str"),
            text=text,
            user_id=user.str("id_str"),
            screen_name=user.str("screen_name"),
            name=user.opt_str("name"),
            language=tweet.opt_str("lang"),
            created_at=created_at.astimezone(UTC),
            in_reply_to_id=tweet.opt_str("in_reply_to_status_id_str"),
            is_retweet="retweeted_status" in tweet,
        )


@dataclass(frozen=True)
class DirectMessage:
    id: str
    sender_id: str
    text: str
    created_at: datetime

    @classmethod
    def from_json(cls, event: Obj) -> DirectMessage | None:
        if event.str("type") != "message_create":
            return None
        create = event.obj("message_create")
        timestamp = event.str("created_timestamp")
        if not timestamp.isdigit():
            raise ParseError(f"{event.path}.created_timestamp is not a number")
        return cls(
            id=event.str("id"),
            sender_id=create.str("sender_id"),
            text=create.obj("message_data").str("text"),
            created_at=datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC),
        )


class X(ChannelAdapter):
    kind = ChannelKind.X
    capabilities = Capabilities(threads=True, attachments=False, max_length=280)
    secret_names = ("consumer_secret", "access_token")
    default_api_base_url = "https://api.x.com"

    def handshake(self, req: InboundRequest) -> HandshakeResponse | None:
        token = req.query.get("crc_token")
        if token is None:
            return None
        secret = require_secret(self.config, "consumer_secret")
        body = json.dumps({"response_token": sign(secret, token.encode())}).encode()
        return HandshakeResponse(200, body, "application/json")

    def verify(self, req: InboundRequest) -> None:
        secret = require_secret(self.config, "consumer_secret")
        given = req.header(SIGNATURE_HEADER)
        if not given or not hmac.compare_digest(given.encode(), sign(secret, req.body).encode()):
            raise SignatureError("x-twitter-webhooks-signature missing or wrong")

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        body = load_object(req.body)
        own_id = body.str("for_user_id")
        for raw in body.objs("tweet_create_events"):
            tweet = Tweet.from_json(raw)
            if tweet.user_id == own_id or tweet.is_retweet:
                continue  # our own tweets and replies come back too
            yield InboundMessage(
                kind=self.kind,
                external_id=tweet.id,
                sender=Sender(
                    external_id=tweet.user_id,
                    handle=f"@{tweet.screen_name}",
                    display_name=tweet.name,
                    language=tweet.language if tweet.language in ("de", "en") else "",
                ),
                text=tweet.text,
                sent_at=tweet.created_at,
                is_public=True,
                thread_key=f"mention:{tweet.user_id}",
                reply_to_external_id=tweet.in_reply_to_id,
                reply_context={
                    "tweet_id": tweet.id,
                    "user_id": tweet.user_id,
                    "screen_name": tweet.screen_name,
                },
            )
        users = body.opt_obj("users")
        for raw in body.objs("direct_message_events"):
            message = DirectMessage.from_json(raw)
            if message is None or message.sender_id == own_id:
                continue
            user = users.opt_obj(message.sender_id) if users is not None else None
            yield InboundMessage(
                kind=self.kind,
                external_id=f"dm:{message.id}",
                sender=Sender(
                    external_id=message.sender_id,
                    handle=f"@{user.str('screen_name')}" if user is not None else "",
                    display_name=user.opt_str("name") if user is not None else "",
                ),
                text=message.text,
                sent_at=message.created_at,
                is_public=False,
                thread_key=f"dm:{message.sender_id}",
                reply_context={"user_id": message.sender_id},
            )

    def send(self, out: OutboundMessage) -> str:
        token = self.config.secret("access_token")
        if not token:
            raise PermanentSendError("no access_token configured")
        headers = {"Authorization": f"Bearer {token}"}
        tweet_id = out.reply_context.get("tweet_id", "")
        if out.is_public and tweet_id:
            signature = (
                f" ^{out.agent_initials}"
                if out.agent_initials and self.config.sign_public_replies
                else ""
            )
            limit = self.capabilities.max_length - len(signature)
            text = out.text if len(out.text) <= limit else out.text[: limit - 1] + "…"
            response = http.request(
                "POST",
                f"{self.api_base_url}/2/tweets",
                json={"text": text + signature, "reply": {"in_reply_to_tweet_id": tweet_id}},
                headers=headers,
            )
            return load_object(response.content).obj("data").str("id")
        response = http.request(
            "POST",
            f"{self.api_base_url}/2/dm_conversations/with/{out.reply_context['user_id']}/messages",
            json={"text": out.text[:10000]},
            headers=headers,
        )
        return "dm:" + load_object(response.content).obj("data").str("dm_event_id")
