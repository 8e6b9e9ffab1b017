"""Every state change on channels: inbound events, replies and their deliveries, polling."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from schwarmdesk.channels import http
from schwarmdesk.channels.adapters import ADAPTERS
from schwarmdesk.channels.adapters.base import (
    ChannelAdapter,
    ChannelConfig,
    Ignored,
    InboundRequest,
    OutboundMessage,
    ParseError,
    PermanentSendError,
    SendError,
    TransientSendError,
)
from schwarmdesk.channels.adapters.email import Email
from schwarmdesk.channels.adapters.mastodon import Mastodon
from schwarmdesk.channels.health import record_credentials_refused
from schwarmdesk.channels.models import (
    Channel,
    ChannelFailure,
    Delivery,
    DeliveryStatus,
    ErrorSource,
    EventStatus,
    InboundEvent,
    MessageRoute,
)
from schwarmdesk.conversations.actions import add_message, receive
from schwarmdesk.conversations.models import Conversation, Direction, Message, Visibility
from schwarmdesk.core.errors import Invalid, NotFound
from schwarmdesk.people.models import Agent

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 1024 * 1024  # a webhook body above this gets 413 and is not read further
# Headers kept with a raw event so that it can be replayed and checked again; nothing else.
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "x-hub-signature-256",
        "x-telegram-bot-api-secret-token",
        "x-twitter-webhooks-signature",
    }
)
SENDING_LEASE = timedelta(minutes=5)  # a send not finished by then was interrupted
INTERRUPTED_SEND = (
    "interrupted while sending: the reply may or may not have reached the customer; "
    "check before sending it again"
)
RATE_WINDOW = timedelta(minutes=1)
DUE_BATCH = 100


def channel_config(channel: Channel) -> ChannelConfig:
    secrets = channel.secrets if isinstance(channel.secrets, dict) else {}
    options = channel.options if isinstance(channel.options, dict) else {}
    return ChannelConfig(
        channel_id=channel.pk,
        api_base_url=channel.api_base_url,
        account_id=channel.account_id,
        secrets={str(key): str(value) for key, value in secrets.items()},
        sign_public_replies=channel.sign_public_replies,
        options={str(key): str(value) for key, value in options.items() if value is not None},
    )


def get_adapter(channel: Channel) -> ChannelAdapter:
    return ADAPTERS[channel.kind](channel_config(channel))


@transaction.atomic
def configure_channel(
    actor: object,
    *,
    kind: str,
    name: str,
    secrets: dict[str, str],
    api_base_url: str = "",
    account_id: str = "",
    is_enabled: bool = True,
    rate_limit_per_minute: int = 30,
    options: dict[str, str] | None = None,
) -> Channel:
    if kind not in ADAPTERS:
        raise Invalid(f"no adapter for channel kind {kind!r}")
    unknown = sorted(set(secrets) - set(ADAPTERS[kind].secret_names))
    if unknown:
        raise Invalid(f"unknown secrets for {kind}: {', '.join(unknown)}")
    return Channel.objects.create(
        kind=kind,
        name=name,
        secrets=secrets,
        api_base_url=api_base_url,
        account_id=account_id,
        is_enabled=is_enabled,
        rate_limit_per_minute=rate_limit_per_minute,
        options=options or {},
    )


# Inbound ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingested:
    event: InboundEvent | None  # None: an ignored event, not kept
    messages: tuple[Message, ...]
    is_duplicate: bool = False


def ingest(channel: Channel, req: InboundRequest) -> Ingested:
    """Keep a verified request's raw body, parse it and receive its messages.

    The raw body is committed first, so a crash later loses nothing and the event can be
    replayed. A malformed body stays stored (status malformed) and raises ``ParseError``; an
    event with nothing for us (read receipts, edits, likes) is not kept. The same body again
    is the same event: its messages are not stored twice.
    """
    Channel.objects.filter(pk=channel.pk).update(last_event_at=timezone.now())
    digest = hashlib.sha256(req.body).hexdigest()
    headers = {name: value for name, value in req.headers.items() if name in KEPT_HEADERS}
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel, body=req.body, body_sha256=digest, headers=headers
            )
    except IntegrityError:
        event = InboundEvent.objects.get(channel=channel, body_sha256=digest)
        if event.status in (EventStatus.PROCESSED, EventStatus.IGNORED):
            return Ingested(event=event, messages=(), is_duplicate=True)
    return process_event(event, adapter=get_adapter(channel), req=req)


def process_event(
    event: InboundEvent, *, adapter: ChannelAdapter, req: InboundRequest | None = None
) -> Ingested:
    if req is None:
        req = InboundRequest(method="POST", body=bytes(event.body), headers=event.headers)
    try:
        parsed = list(adapter.parse(req))
    except ParseError as error:
        event.status = EventStatus.MALFORMED
        event.error = str(error)[:300]
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "processed_at"])
        record_failure(event.channel_id, ErrorSource.INBOUND, f"malformed event: {error}")
        raise
    except Ignored as error:  # kept with its reason (auto-reply, bounce, loop), never answered
        event.status = EventStatus.IGNORED
        event.error = str(error)[:300]
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "processed_at"])
        log.info("channel.event_ignored event=%s reason=%s", event.pk, error)
        if error.bounced_ids:
            mark_bounced(error.bounced_ids, error.diagnostic or str(error))
        return Ingested(event=event, messages=())
    if not parsed:
        event.delete()
        return Ingested(event=None, messages=())
    with transaction.atomic():
        messages = tuple(
            receive(None, channel_id=event.channel_id, message=item) for item in parsed
        )
        event.status = EventStatus.PROCESSED
        event.error = ""
        event.message_count = len(messages)
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "message_count", "processed_at"])
    return Ingested(event=event, messages=messages)


def mark_bounced(message_ids: tuple[str, ...], reason: str) -> int:
    """Sent replies that came back undeliverable fail with the mail server's reason (retryable)."""
    deliveries = Delivery.objects.filter(
        status=DeliveryStatus.SENT, message__external_id__in=message_ids
    )
    count = 0
    for delivery in deliveries:
        _fail(delivery, f"bounced: {reason}")
        count += 1
    return count


def replay_event(actor: object, event_id: int) -> Ingested:
    """Parse a stored raw event again (after a parser fix); receiving it is idempotent."""
    event = InboundEvent.objects.select_related("channel").filter(pk=event_id).first()
    if event is None:
        raise NotFound("no such event")
    return process_event(event, adapter=get_adapter(event.channel))


def record_failure(channel_id: int, source: str, reason: str) -> None:
    ChannelFailure.objects.create(channel_id=channel_id, source=source, reason=reason[:300])


def poll_channel(channel_id: int) -> Ingested | None:
    """Fetch a polled channel's new notifications (Mastodon) since the stored position."""
    channel = Channel.objects.filter(pk=channel_id, is_enabled=True).first()
    if channel is None:
        return None
    adapter = get_adapter(channel)
    if isinstance(adapter, Email) and adapter.capabilities.is_polled:
        from schwarmdesk.channels.mailbox import poll_mailbox  # noqa: PLC0415 -- it uses ingest

        return poll_mailbox(channel, adapter)
    if not isinstance(adapter, Mastodon):
        raise Invalid(f"{channel.kind} is not a polled channel")
    try:
        poll = adapter.poll(channel.poll_cursor)
    except SendError as error:
        record_failure(channel.pk, ErrorSource.INBOUND, f"poll failed: {error.reason}")
        log.warning("channel.poll_failed channel=%s reason=%s", channel.pk, error.reason)
        record_credentials_refused(channel.pk, error)
        return None
    result = None
    if poll.newest_id != channel.poll_cursor:
        try:
            result = ingest(channel, poll.request)
        except ParseError as error:
            log.warning("channel.poll_malformed channel=%s reason=%s", channel.pk, error)
            return None
        # Only after the messages are stored: a crash before this line polls them again.
        Channel.objects.filter(pk=channel.pk).update(poll_cursor=poll.newest_id)
    log.info("channel.polled channel=%s cursor=%s", channel.pk, poll.newest_id)
    return result


# Outbound --------------------------------------------------------------------------------------


def access_conversation(agent: Agent, pk: int, *, for_update: bool = False) -> Conversation:
    """An agent's conversation: their teams', assigned to them, or not yet given to a team."""
    conversations = Conversation.objects.all()
    if not agent.user.is_superuser:
        conversations = conversations.filter(
            Q(team__isnull=True) | Q(team__in=agent.teams.all()) | Q(assignee=agent)
        )
    if for_update:
        conversations = conversations.select_for_update(of=("self",))
    conversation = conversations.filter(pk=pk).first()
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation


@transaction.atomic
def reply(agent: Agent, conversation_id: int, *, body: str, visibility: str) -> Message:
    """An agent's reply (public or private) in the customer's channel, or an internal note.

    A reply gets a Delivery row in the same transaction, sent by a worker after commit; an
    internal note never gets one.
    """
    if visibility not in Visibility.values:
        raise Invalid(f"unknown visibility {visibility!r}")
    conversation = access_conversation(agent, conversation_id, for_update=True)
    route = (
        MessageRoute.objects.select_related("channel")
        .filter(message__conversation=conversation)
        .order_by("-message__created_at", "-message__pk")
        .first()
    )
    message = add_message(
        agent.user,
        conversation,
        direction=Direction.OUTBOUND,
        visibility=visibility,
        channel_kind=route.channel.kind if route is not None else conversation.origin_channel,
        body_text=body,
        author_agent=agent,
    )
    if visibility != Visibility.INTERNAL and route is not None:
        Delivery.objects.create(
            message=message, channel=route.channel, route=route, next_attempt_at=timezone.now()
        )
        transaction.on_commit(queue_deliveries)
    return message


@transaction.atomic
def retry_delivery(agent: Agent, delivery_id: int) -> Delivery:
    """Send a failed delivery again (after the reason was fixed), with a fresh back-off."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("no such delivery")
    access_conversation(agent, delivery.message.conversation_id)
    if delivery.status != DeliveryStatus.FAILED:
        raise Invalid("only a failed delivery can be retried")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(queue_deliveries)
    return delivery


def queue_deliveries() -> None:
    from schwarmdesk.channels.tasks import deliver_due_task  # noqa: PLC0415

    deliver_due_task()


def deliver_due(now: datetime | None = None) -> int:
    """Send every delivery that is due; returns how many were sent."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:DUE_BATCH])
    return sum(1 for pk in ids if (sent := deliver(pk, now=now)) and sent.status == "sent")


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Mark a due delivery as being sent (one attempt more); None when not due or rate-limited."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(
                "channel", "route", "message", "message__author_agent", "message__conversation"
            )
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status not in (
            DeliveryStatus.PENDING,
            DeliveryStatus.SENDING,
        ):
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        if delivery.status == DeliveryStatus.SENDING and not (
            ADAPTERS[delivery.channel.kind].capabilities.repeat_send_is_safe
        ):
            # The lease ran out: the worker died between recording the attempt and recording
            # its outcome. The reply may have arrived; sending it again could show it twice.
            _fail(delivery, INTERRUPTED_SEND)
            return None
        if delivery.message.visibility == Visibility.INTERNAL:  # never, whatever wrote the row
            _finish(delivery, DeliveryStatus.FAILED, "an internal note is never sent")
            return None
        channel = delivery.channel
        recent = Delivery.objects.filter(channel=channel, sent_at__gt=now - RATE_WINDOW)
        if recent.count() >= channel.rate_limit_per_minute:
            oldest = recent.order_by("sent_at").values_list("sent_at", flat=True).first()
            delivery.next_attempt_at = (oldest or now) + RATE_WINDOW
            delivery.save(update_fields=["next_attempt_at"])
            log.info("delivery.rate_limited delivery=%s channel=%s", delivery.pk, channel.pk)
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + SENDING_LEASE
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return delivery


def deliver(delivery_id: int, *, now: datetime | None = None) -> Delivery | None:
    """Send one delivery through its channel's adapter, outside any transaction."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    message = delivery.message
    agent = message.author_agent
    out = OutboundMessage(
        text=message.body_text,
        is_public=message.visibility == Visibility.PUBLIC,
        reply_context={str(k): str(v) for k, v in delivery.route.reply_context.items()},
        agent_initials=agent.initials if agent is not None else "",
        idempotency_key=f"schwarmdesk-delivery-{delivery.pk}",
        agent_name=agent.display_name if agent is not None else "",
        conversation_reference=message.conversation.reference,
        conversation_subject=message.conversation.subject,
    )
    try:
        provider_id = get_adapter(delivery.channel).send(out)
    except TransientSendError as error:
        if delivery.attempts >= http.MAX_ATTEMPTS:
            reason = f"gave up after {delivery.attempts} attempts: {error.reason}"
            return _fail(delivery, reason)
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + timedelta(
            seconds=http.backoff_seconds(delivery.attempts, error.retry_after)
        )
        delivery.last_error = error.reason[:300]
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        record_failure(delivery.channel_id, ErrorSource.OUTBOUND, error.reason)
        log.info(
            "delivery.retry delivery=%s attempt=%s reason=%s",
            delivery.pk,
            delivery.attempts,
            error.reason,
        )
        return delivery
    except PermanentSendError as error:
        failed = _fail(delivery, error.reason)
        record_credentials_refused(delivery.channel_id, error)  # warns the admins at once
        return failed
    with transaction.atomic():
        delivery.provider_id = provider_id[:255]
        delivery.sent_at = timezone.now()
        _finish(delivery, DeliveryStatus.SENT, "")
        Message.objects.filter(pk=message.pk).update(sent_at=delivery.sent_at)
        clash = Message.objects.filter(channel_kind=message.channel_kind, external_id=provider_id)
        if provider_id and not clash.exists():  # so that replies to our reply thread here
            Message.objects.filter(pk=message.pk).update(external_id=provider_id[:255])
        Channel.objects.filter(pk=delivery.channel_id).update(last_send_at=delivery.sent_at)
    log.info("delivery.sent delivery=%s channel=%s", delivery.pk, delivery.channel_id)
    return delivery


def _fail(delivery: Delivery, reason: str) -> Delivery:
    _finish(delivery, DeliveryStatus.FAILED, reason)
    record_failure(delivery.channel_id, ErrorSource.OUTBOUND, reason)
    log.warning("delivery.failed delivery=%s reason=%s", delivery.pk, reason)
    return delivery


def _finish(delivery: Delivery, status: str, reason: str) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    if reason:
        delivery.last_error = reason[:300]
    delivery.save(
        update_fields=["status", "next_attempt_at", "last_error", "provider_id", "sent_at"]
    )
