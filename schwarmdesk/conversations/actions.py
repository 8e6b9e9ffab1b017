"""Every state change on conversations, messages and attachments."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schwarmdesk.automation import hooks as automation
from schwarmdesk.channels.adapters.base import InboundMessage
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import MessageRoute
from schwarmdesk.conversations.indexing import index_conversation
from schwarmdesk.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    Priority,
    Status,
    Tag,
    Visibility,
)
from schwarmdesk.core.errors import Conflict, Invalid
from schwarmdesk.core.html import sanitize_html
from schwarmdesk.core.uploads import check_upload, clean_filename
from schwarmdesk.people.actions import Actor, create_customer, link_identity, normalize_external_id
from schwarmdesk.people.evidence import Evidence, EvidenceKind
from schwarmdesk.people.models import Agent, ChannelIdentity, Customer, Team

log = logging.getLogger(__name__)

# Types we store. The declared type must be on this list and agree with the file's own bytes
# where the bytes say something (text formats carry no signature).
ALLOWED_ATTACHMENT_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "message/rfc822",
    }
)


@transaction.atomic
def start_conversation(
    actor: Actor,
    *,
    customer: Customer,
    origin_channel: str,
    subject: str = "",
    language: str = "",
    priority: int = Priority.NORMAL,
    team: Team | None = None,
    assignee: Agent | None = None,
    tags: Iterable[str] = (),
) -> Conversation:
    if origin_channel not in ChannelKind.values:
        raise Invalid(f"unknown channel kind {origin_channel!r}")
    if priority not in Priority.values:
        raise Invalid(f"unknown priority {priority!r}")
    conversation = Conversation.objects.create(
        customer=customer,
        origin_channel=origin_channel,
        subject=subject.strip()[:300],
        language=language,
        priority=priority,
        team=team,
        assignee=assignee,
    )
    set_tags(actor, conversation, tags=tags)  # also indexes the conversation
    return conversation


def set_tags(actor: Actor, conversation: Conversation, *, tags: Iterable[str]) -> Conversation:
    names = sorted({name.strip().lower() for name in tags if name.strip()})
    with transaction.atomic():
        conversation.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
        index_conversation(conversation)
    return conversation


def add_message(
    actor: Actor,
    conversation: Conversation,
    *,
    direction: str,
    visibility: str,
    channel_kind: str,
    body_text: str,
    body_html: str = "",
    external_id: str | None = None,
    author_customer: Customer | None = None,
    author_agent: Agent | None = None,
    raw_payload: Any = None,
    received_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> Message:
    """Store one message; the counters are recomputed by the worker after commit.

    A second message with the same ``(channel_kind, external_id)`` raises :class:`Conflict`
    and leaves the database exactly as it was.
    """
    if visibility == Visibility.INTERNAL and author_agent is None:
        raise Invalid("an internal note needs an agent as author")
    if direction == Direction.INBOUND and visibility == Visibility.INTERNAL:
        raise Invalid("an internal note cannot come in from a channel")
    if not body_text.strip() and not body_html.strip():
        raise Invalid("a message needs a text")
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                direction=direction,
                visibility=visibility,
                channel_kind=channel_kind,
                external_id=(external_id or "").strip(),
                author_customer=author_customer,
                author_agent=author_agent,
                body_text=body_text,
                body_html=sanitize_html(body_html),
                raw_payload=raw_payload,
                received_at=received_at
                if received_at is not None or direction != Direction.INBOUND
                else timezone.now(),
                sent_at=sent_at,
            )
            if visibility != Visibility.INTERNAL:  # notes are never indexed
                index_conversation(conversation)
            transaction.on_commit(lambda: _queue_counters(conversation.pk))
    except IntegrityError:
        if (
            external_id
            and Message.objects.filter(channel_kind=channel_kind, external_id=external_id).exists()
        ):
            log.info("message.duplicate channel=%s external_id=%s", channel_kind, external_id)
            raise Conflict(
                f"a {channel_kind} message with external id {external_id!r} is already stored"
            ) from None
        raise
    return message


def _queue_counters(conversation_id: int) -> None:
    from schwarmdesk.conversations.tasks import recompute_counters_task  # noqa: PLC0415

    recompute_counters_task(conversation_id)


def recompute_counters(conversation_id: int) -> Conversation | None:
    """Recount a conversation's messages from the rows themselves; idempotent."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        if conversation is None:
            return None
        agent_reply = Q(direction=Direction.OUTBOUND) & ~Q(visibility=Visibility.INTERNAL)
        stats = conversation.messages.aggregate(
            total=Count("pk"),
            inbound=Count("pk", filter=Q(direction=Direction.INBOUND)),
            outbound=Count("pk", filter=agent_reply),
            notes=Count("pk", filter=Q(visibility=Visibility.INTERNAL)),
            last=Max("created_at", filter=~Q(visibility=Visibility.INTERNAL)),
            first_response=Min("created_at", filter=agent_reply),
        )
        conversation.message_count = stats["total"]
        conversation.inbound_count = stats["inbound"]
        conversation.outbound_count = stats["outbound"]
        conversation.note_count = stats["notes"]
        conversation.last_message_at = stats["last"]
        conversation.first_response_at = stats["first_response"]
        conversation.save(
            update_fields=[
                "message_count",
                "inbound_count",
                "outbound_count",
                "note_count",
                "last_message_at",
                "first_response_at",
            ]
        )
    return conversation


@transaction.atomic
def set_status(actor: Actor, conversation: Conversation, *, status: str) -> Conversation:
    if status not in Status.values:
        raise Invalid(f"unknown status {status!r}")
    now = timezone.now()
    if status == Status.SOLVED and conversation.status != Status.SOLVED:
        automation.conversation_solved(conversation.pk)  # a knowledge candidate, after commit
    conversation.status = status
    fields = ["status", "updated_at"]
    if status == Status.SOLVED and conversation.solved_at is None:
        conversation.solved_at = now
        fields.append("solved_at")
    if status == Status.CLOSED and conversation.closed_at is None:
        conversation.closed_at = now
        fields.append("closed_at")
    conversation.save(update_fields=fields)
    index_conversation(conversation)
    return conversation


def attach_file(
    actor: Actor,
    message: Message,
    *,
    filename: str,
    content: bytes,
    content_type: str,
) -> Attachment:
    """Store a file on a message after checking its size and that its bytes match its type."""
    declared = check_upload(
        content,
        content_type,
        allowed=ALLOWED_ATTACHMENT_TYPES,
        allowed_description=_("images, PDF, text, office documents, ZIP archives and e-mails"),
        limit=settings.MAX_ATTACHMENT_BYTES,
    )
    name = clean_filename(filename)
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        message=message,
        filename=name[:255],
        content_type=declared,
        size=len(content),
        sha256=digest,
    )
    with transaction.atomic():
        attachment.file.save(name, ContentFile(content), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)  # no orphan file when the row is not stored
            raise
    return attachment


# Statuses in which a customer's new message continues the conversation instead of opening one.
CONTINUABLE_STATUSES = (Status.OPEN, Status.PENDING, Status.SOLVED)


def receive(actor: Actor, *, channel_id: int, message: InboundMessage) -> Message:
    """Store one inbound channel message, idempotently on (channel kind, external id).

    The customer is found by channel identity (an unknown identity becomes a new customer);
    the message joins the customer's conversation it replies to, else the one continuing the
    same chat on this channel, else a new one; its route records how to answer it. A message
    delivered again returns the stored one and changes nothing.
    """
    if (stored := _stored_message(message)) is not None:
        return stored
    try:
        with transaction.atomic():
            customer = _match_customer(actor, message)
            conversation = _thread_conversation(actor, channel_id, customer, message)
            stored = add_message(
                actor,
                conversation,
                direction=Direction.INBOUND,
                visibility=Visibility.PUBLIC if message.is_public else Visibility.PRIVATE,
                channel_kind=message.kind,
                body_text=message.text,
                body_html=message.html,
                external_id=message.external_id,
                author_customer=customer,
            )
            _attach_inbound_files(actor, stored, message)
            MessageRoute.objects.create(
                message=stored,
                channel_id=channel_id,
                thread_key=message.thread_key,
                reply_context=dict(message.reply_context),
            )
    except Conflict:
        # The same event arrived twice at once and the other delivery stored it first.
        if (stored := _stored_message(message)) is None:
            raise
        return stored
    automation.message_received(stored.pk)  # triage, answer bot, routing: after commit
    log.info(
        "message.received channel=%s kind=%s message=%s conversation=%s",
        channel_id,
        message.kind,
        stored.pk,
        stored.conversation_id,
    )
    return stored


def _attach_inbound_files(actor: Actor, stored: Message, message: InboundMessage) -> None:
    """Keep each attached file that passes the checks; a refused one is logged, not fatal."""
    for item in message.attachments:
        try:
            with transaction.atomic():
                attach_file(
                    actor,
                    stored,
                    filename=item.filename,
                    content=item.content,
                    content_type=item.content_type,
                )
        except Invalid as error:
            log.info("message.attachment_refused message=%s reason=%s", stored.pk, error)


def _stored_message(message: InboundMessage) -> Message | None:
    return Message.objects.filter(
        channel_kind=message.kind, external_id=message.external_id
    ).first()


def _link_evidence(message: InboundMessage, identity_kind: str) -> Evidence:
    """An address typed into a web form or chat is evidence of its own kind."""
    if identity_kind != message.kind:
        return Evidence(EvidenceKind.SAME_EMAIL, detail=str(message.kind))
    return Evidence(EvidenceKind.FIRST_CONTACT)


def _match_customer(actor: Actor, message: InboundMessage) -> Customer:
    kind, sender = message.sender.identity_kind or message.kind, message.sender
    key = normalize_external_id(kind, sender.external_id)
    identity = ChannelIdentity.objects.select_related("customer").filter(kind=kind, external_id=key)
    if (found := identity.first()) is not None:
        return found.customer
    customer = create_customer(
        actor,
        display_name=sender.display_name or sender.handle or sender.external_id,
        language=sender.language if sender.language in ("de", "en") else "de",
    )
    try:
        with transaction.atomic():
            link_identity(
                actor,
                customer,
                kind=kind,
                external_id=sender.external_id,
                handle=sender.handle,
                is_verified=sender.is_verified,  # the platform vouches (not a From address)
                evidence=_link_evidence(message, kind),
            )
    except Conflict:
        customer.delete()  # another delivery created this identity first: use its customer
        return identity.get().customer
    return customer


def _thread_conversation(
    actor: Actor, channel_id: int, customer: Customer, message: InboundMessage
) -> Conversation:
    candidates = Conversation.objects.filter(
        customer=customer, status__in=CONTINUABLE_STATUSES
    ).order_by("-pk")
    conversation = None
    if message.reply_to_external_id:
        conversation = candidates.filter(
            messages__channel_kind=message.kind,
            messages__external_id=message.reply_to_external_id,
        ).first()
    if conversation is None and message.references:  # Message-IDs are unique across channels
        conversation = candidates.filter(messages__external_id__in=message.references).first()
    if conversation is None and message.case_number is not None:  # "#SD-000042", own cases only
        conversation = candidates.filter(pk=message.case_number).first()
    if conversation is None:
        conversation = candidates.filter(
            messages__route__channel_id=channel_id,
            messages__route__thread_key=message.thread_key,
        ).first()
    if conversation is None:
        first_line = message.text.strip().splitlines()[0] if message.text.strip() else ""
        return start_conversation(
            actor,
            customer=customer,
            origin_channel=message.kind,
            subject=message.subject or first_line[:80],
            language=message.sender.language,
        )
    if conversation.status != Status.OPEN:
        set_status(actor, conversation, status=Status.OPEN)
    return conversation
