"""What every channel adapter is: pure data in, pure data out, no models.

An adapter checks a request's authenticity (``verify``), turns a verified request into
``InboundMessage`` values (``parse``, pure: ignored events yield nothing, malformed ones raise
``ParseError``) and sends one reply (``send``), raising ``TransientSendError`` or
``PermanentSendError``. ``conversations.actions.receive`` owns customer matching, threading and
idempotency; ``channels.actions`` owns storage, delivery rows and retries.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar


class ChannelError(Exception):
    """Base class for what an adapter reports; the message is safe to log (no payloads)."""


class SignatureError(ChannelError):
    """The request is not from the platform: missing or wrong signature or secret token."""

    status = 401


class HandshakeRefused(ChannelError):
    """A verification handshake (Facebook hub.verify_token) does not match."""

    status = 403


class ParseError(ChannelError):
    """The payload is not in the platform's documented format."""


class Ignored(ChannelError):
    """A well-formed event that must not become a message (auto-reply, bounce, mail loop).

    Unlike an event with nothing for us, its raw body is kept with this reason. A bounce names
    the messages it returns (their external ids) and the mail server's diagnostic.
    """

    def __init__(
        self, reason: str, *, bounced_ids: tuple[str, ...] = (), diagnostic: str = ""
    ) -> None:
        super().__init__(reason)
        self.bounced_ids = bounced_ids
        self.diagnostic = diagnostic


class SendError(ChannelError):
    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class TransientSendError(SendError):
    """Worth trying again later: rate limit, server error, timeout, connection refused."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, status=status)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Trying again will not help until someone changes something (token, recipient, text)."""


@dataclass(frozen=True)
class Capabilities:
    threads: bool
    attachments: bool
    max_length: int
    has_webhook: bool = True
    is_polled: bool = False
    # Sending the same reply again (same idempotency key or Message-ID) is recognised as the
    # same by the receiving side: a send interrupted half-way is simply repeated. Where it is
    # not (Telegram, X, Facebook), an interrupted send is never repeated automatically: it fails
    # with a reason and an agent decides (at most once, never twice).
    repeat_send_is_safe: bool = False


@dataclass(frozen=True)
class ChannelConfig:
    """One configured channel instance as an adapter sees it (never a model)."""

    channel_id: int
    api_base_url: str
    account_id: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict)
    sign_public_replies: bool = True
    options: Mapping[str, str] = field(default_factory=dict)  # not secret: mail servers, ...

    def option(self, name: str, default: str = "") -> str:
        return self.options.get(name, "") or default

    def secret(self, name: str) -> str:
        return self.secrets.get(name, "")


@dataclass(frozen=True)
class InboundRequest:
    """A webhook request (or a polled response) reduced to what adapters may look at."""

    method: str
    body: bytes
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class Sender:
    external_id: str
    handle: str = ""
    display_name: str = ""
    language: str = ""
    is_verified: bool = True  # False where anyone can claim the id (an e-mail From address)
    identity_kind: str = ""  # the identity's channel kind when it differs (a web form's e-mail)


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundMessage:
    """One customer message, normalised. ``external_id`` is unique per channel kind."""

    kind: str
    external_id: str
    sender: Sender
    text: str
    sent_at: datetime
    is_public: bool
    thread_key: str
    reply_to_external_id: str = ""
    reply_context: Mapping[str, str] = field(default_factory=dict)
    subject: str = ""
    html: str = ""  # sanitised
    attachments: tuple[InboundAttachment, ...] = ()
    references: tuple[str, ...] = ()  # earlier messages of the thread, oldest first (e-mail)
    case_number: int | None = None  # a conversation number quoted in the subject ("#SD-000042")


@dataclass(frozen=True)
class OutboundMessage:
    """One reply to send. ``reply_context`` is what parse() recorded for the customer's message."""

    text: str
    is_public: bool
    reply_context: Mapping[str, str]
    agent_initials: str = ""
    idempotency_key: str = ""
    agent_name: str = ""
    conversation_reference: str = ""  # "#SD-000042", for channels with subjects
    conversation_subject: str = ""


@dataclass(frozen=True)
class HandshakeResponse:
    status: int
    body: bytes
    content_type: str


class ChannelAdapter:
    kind: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    secret_names: ClassVar[tuple[str, ...]] = ()
    default_api_base_url: ClassVar[str] = ""

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config

    @property
    def api_base_url(self) -> str:
        return (self.config.api_base_url or self.default_api_base_url).rstrip("/")

    def handshake(self, req: InboundRequest) -> HandshakeResponse | None:
        """Answer a platform's GET verification; None when this adapter has no handshake."""
        return None

    def verify(self, req: InboundRequest) -> None:
        raise NotImplementedError

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        raise NotImplementedError

    def send(self, out: OutboundMessage) -> str:
        raise NotImplementedError

    def truncate(self, text: str) -> str:
        limit = self.capabilities.max_length
        return text if len(text) <= limit else text[: limit - 1] + "…"


def hmac_sha256(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), data, hashlib.sha256).digest()


def require_secret(config: ChannelConfig, name: str) -> str:
    value = config.secret(name)
    if not value:
        raise SignatureError(f"channel has no {name} configured")
    return value
