"""The web chat's state changes and reads: visitors, chat lines, opening hours, transcripts.

A visitor is a random id kept in a signed cookie by the widget; a chat line is stored as a raw
JSON event (replayable, like every channel payload) and received through
``conversations.actions.receive``, idempotently per client message id. What the visitor sees is
the latest conversation of their chat: every message but internal notes, agents' replies once
their delivery was sent.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schwarmdesk.channels.actions import ingest
from schwarmdesk.channels.adapters.base import InboundRequest
from schwarmdesk.channels.adapters.web_chat import MAX_LENGTH
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, DeliveryStatus, MessageRoute
from schwarmdesk.conversations.models import Conversation, Direction, Message, Visibility
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.models import Agent

log = logging.getLogger(__name__)

COOKIE_NAME = "schwarmdesk_chat"
VISITOR_SALT = "schwarmdesk.channels.webchat.visitor"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "mon-fri 09:00-17:00; sat 10:00-14:00"
HOURS_PATTERN = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BadVisitor(Invalid):
    """A visitor cookie that we did not sign (tampered, or from another installation)."""

    code = "bad_visitor"


@dataclass(frozen=True)
class ChatLine:
    key: str  # the widget shows each key once (history and live push overlap)
    direction: str  # "in": the visitor's, "out": an agent's or the bot's
    text: str
    author: str
    initials: str
    created_at: str


def new_visitor() -> tuple[str, str]:
    """A fresh visitor id and the signed cookie value that names it."""
    visitor_id = uuid.uuid4().hex
    return visitor_id, signing.Signer(salt=VISITOR_SALT).sign(visitor_id)


def read_visitor(token: str) -> str:
    try:
        visitor_id = signing.Signer(salt=VISITOR_SALT).unsign(token)
    except signing.BadSignature:
        raise BadVisitor("the visitor cookie is not signed by us") from None
    if not re.fullmatch(r"[0-9a-f]{32}", visitor_id):
        raise BadVisitor("the visitor cookie holds no visitor id")
    return visitor_id


def get_chat_channel(channel_id: int) -> Channel:
    channel = Channel.objects.filter(
        pk=channel_id, kind=ChannelKind.WEB_CHAT, is_enabled=True
    ).first()
    if channel is None:
        raise NotFound("no such chat")
    return channel


def demo_channel(actor: object) -> Channel:
    """The demo's web chat (staffed while an agent is available), created on first use."""
    channel = Channel.objects.filter(kind=ChannelKind.WEB_CHAT, is_enabled=True).first()
    if channel is not None:
        return channel
    return Channel.objects.create(
        kind=ChannelKind.WEB_CHAT, name="Demo-Chat", options={"availability": "agents"}
    )


def _option(channel: Channel, name: str, default: str = "") -> str:
    options = channel.options if isinstance(channel.options, dict) else {}
    return str(options.get(name) or default)


def parse_opening_hours(text: str) -> dict[int, list[tuple[time, time]]]:
    """``"mon-fri 09:00-17:00; sat 10:00-14:00"`` → weekday (0 = Monday) → opening spans."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for part in filter(None, (item.strip().lower() for item in text.split(";"))):
        found = HOURS_PATTERN.match(part)
        if found is None or found["first"] not in DAYS or (found["last"] or "mon") not in DAYS:
            raise Invalid(f"opening hours must look like 'mon-fri 09:00-17:00', not {part!r}")
        first = DAYS.index(found["first"])
        last = DAYS.index(found["last"] or found["first"])
        try:
            span = (time.fromisoformat(found["start"].zfill(5)), _end(found["end"]))
        except ValueError:
            raise Invalid(f"no such time of day in {part!r}") from None
        for day in range(first, last + 1):
            hours.setdefault(day, []).append(span)
    return hours


def _end(text: str) -> time:
    return time.max if text in ("24:00",) else time.fromisoformat(text.zfill(5))


def is_online(channel: Channel, now: datetime | None = None) -> bool:
    """Whether the chat is staffed: ``availability`` = agents (at least one available agent,
    the default), hours (``opening_hours`` in ``time_zone``) or always."""
    availability = _option(channel, "availability", "agents")
    if availability == "always":
        return True
    if availability == "hours":
        try:
            zone = ZoneInfo(_option(channel, "time_zone", settings.TIME_ZONE))
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        local = (now or timezone.now()).astimezone(zone)
        try:
            spans = parse_opening_hours(_option(channel, "opening_hours")).get(local.weekday(), [])
        except Invalid as error:
            log.warning("chat.bad_opening_hours channel=%s reason=%s", channel.pk, error)
            return False
        return any(start <= local.time() <= end for start, end in spans)
    return Agent.objects.filter(is_available=True, user__is_active=True).exists()


def receive_line(
    channel: Channel,
    *,
    visitor_id: str,
    client_message_id: str,
    text: str,
    email: str = "",
    name: str = "",
    language: str = "",
    require_email: bool = False,
) -> Message:
    """Store one chat line from the visitor; the same client message id again changes nothing.

    The offline form (``require_email``) needs an address: nobody is there to answer live.
    """
    text = text.strip()
    email = email.strip().lower()
    if require_email and not email:
        raise Invalid(_("Please enter your e-mail address so that we can answer you."))
    if not text:
        raise Invalid(_("Please write a message first."))
    if len(text) > MAX_LENGTH:
        raise Invalid(_("This message is too long."))
    if email and not EMAIL_PATTERN.match(email):
        raise Invalid(_("Please enter a valid e-mail address."))
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", client_message_id):
        raise Invalid("a client message id has 1 to 64 letters, digits or dashes")
    body = json.dumps(
        {
            "visitor_id": visitor_id,
            "client_message_id": client_message_id,
            "text": text,
            "email": email,
            "name": name.strip()[:100],
            "language": language if language in ("de", "en") else "",
            "sent_at": timezone.now().isoformat(),
            **({"offline": True} if require_email else {}),
        },
        sort_keys=True,
    ).encode()
    ingested = ingest(channel, InboundRequest("POST", body, {"content-type": "application/json"}))
    if not ingested.messages:  # pragma: no cover -- a non-empty line always is a message
        raise Invalid("the chat line was not stored")
    return ingested.messages[0]


def latest_conversation(channel_id: int, visitor_id: str) -> Conversation | None:
    route = (
        MessageRoute.objects.select_related("message__conversation")
        .filter(channel_id=channel_id, thread_key=f"chat:{visitor_id}")
        .order_by("-message__created_at", "-message__pk")
        .first()
    )
    return route.message.conversation if route is not None else None


def list_lines(channel_id: int, visitor_id: str) -> list[ChatLine]:
    """What the visitor may see of their chat: never an internal note, never an unsent reply."""
    conversation = latest_conversation(channel_id, visitor_id)
    if conversation is None:
        return []
    messages = (
        Message.objects.filter(conversation=conversation)
        .exclude(visibility=Visibility.INTERNAL)
        .select_related("author_agent", "delivery")
        .order_by("created_at", "pk")
    )
    lines = []
    for message in messages:
        if message.direction == Direction.INBOUND:
            key = f"in-{message.external_id or message.pk}"
        else:
            delivery = getattr(message, "delivery", None)
            if delivery is None or delivery.status != DeliveryStatus.SENT:
                continue
            key = f"schwarmdesk-delivery-{delivery.pk}"
        agent = message.author_agent
        lines.append(
            ChatLine(
                key=key,
                direction="in" if message.direction == Direction.INBOUND else "out",
                text=message.body_text,
                author=agent.display_name if agent is not None else "",
                initials=agent.initials if agent is not None else "",
                created_at=message.created_at.isoformat(),
            )
        )
    return lines


def visitor_of(conversation: Conversation) -> tuple[int, str] | None:
    """The chat (channel id, visitor id) a conversation came in on, if it is a web chat."""
    route = (
        MessageRoute.objects.filter(
            message__conversation=conversation, channel__kind=ChannelKind.WEB_CHAT
        )
        .order_by("-message__created_at", "-message__pk")
        .first()
    )
    if route is None or not route.thread_key.startswith("chat:"):
        return None
    return route.channel_id, route.thread_key.removeprefix("chat:")


def request_transcript(channel: Channel, *, visitor_id: str, email: str, language: str) -> bool:
    """Queue the visitor's transcript to the address they typed; False when there is none."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise Invalid(_("Please enter a valid e-mail address."))
    if latest_conversation(channel.pk, visitor_id) is None:
        return False
    from schwarmdesk.channels.tasks import send_chat_transcript_task  # noqa: PLC0415

    transaction.on_commit(
        lambda: send_chat_transcript_task(channel.pk, visitor_id, email, language)
    )
    return True


def send_transcript(channel_id: int, visitor_id: str, email: str, language: str) -> bool:
    """E-mail the chat as the visitor saw it (no internal notes) through the site's mail."""
    lines = list_lines(channel_id, visitor_id)
    conversation = latest_conversation(channel_id, visitor_id)
    if not lines or conversation is None:
        return False
    with translation.override(language if language in ("de", "en") else settings.LANGUAGE_CODE):
        subject = _("Your chat transcript %(reference)s") % {
            "reference": f"[{conversation.reference}]"
        }
        body = render_to_string(
            "chat/transcript.txt",
            {"lines": lines, "reference": conversation.reference, "you": _("You")},
        )
    DjangoEmailMessage(
        subject=subject,
        body=body,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    log.info("chat.transcript_sent channel=%s conversation=%s", channel_id, conversation.pk)
    return True
