"""The web form channel's state changes: accept a submission, confirm it by e-mail.

A submission passes the per-address rate limit (database rows, the address only as a keyed
hash), is stored as a raw JSON event like any channel payload (replayable) and received through
``conversations.actions.receive``; the customer then gets a confirmation e-mail with the case
reference in the form's language, sent by a worker after commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schwarmdesk.channels.actions import get_adapter, ingest, record_failure
from schwarmdesk.channels.adapters.base import InboundRequest, SendError
from schwarmdesk.channels.adapters.email import LOOP_MARKER, one_line
from schwarmdesk.channels.adapters.web_form import WebForm
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, ErrorSource, FormSubmission, MessageRoute
from schwarmdesk.conversations.models import Message
from schwarmdesk.core.errors import DomainError, NotFound

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)
DEFAULT_MAX_PER_HOUR = 5
KEEP_SUBMISSIONS = timedelta(days=1)


class TooManySubmissions(DomainError):
    code = "rate_limited"


@dataclass(frozen=True)
class FormAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FormInput:
    name: str
    email: str
    subject: str
    message: str
    language: str
    attachment: FormAttachment | None = None


def access_form_channel(channel_id: int) -> Channel:
    channel = Channel.objects.filter(
        pk=channel_id, kind=ChannelKind.WEB_FORM, is_enabled=True
    ).first()
    if channel is None:
        raise NotFound("no such form")
    return channel


def max_per_hour(channel: Channel) -> int:
    value = str((channel.options or {}).get("max_per_hour", "")) if channel.options else ""
    return int(value) if value.isdigit() else DEFAULT_MAX_PER_HOUR


def client_hash(address: str) -> str:
    """The client's address as a keyed hash: enough to count, never the address itself."""
    key = f"web-form-rate:{settings.SECRET_KEY}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def submit_form(
    channel_id: int, *, data: FormInput, client_address: str, now: datetime | None = None
) -> Message:
    """Accept one form post: rate limit, raw event, message; the confirmation goes later."""
    now = now or timezone.now()
    channel = access_form_channel(channel_id)
    key = client_hash(client_address)
    with transaction.atomic():
        Channel.objects.select_for_update().filter(pk=channel.pk).first()  # one check at a time
        recent = FormSubmission.objects.filter(
            channel=channel, client_hash=key, created_at__gte=now - RATE_WINDOW
        )
        if recent.count() >= max_per_hour(channel):
            log.info("web_form.rate_limited channel=%s", channel.pk)
            raise TooManySubmissions("too many submissions from this address; try again later")
        FormSubmission.objects.create(channel=channel, client_hash=key)
    attachments = []
    if data.attachment is not None:
        attachments.append(
            {
                "filename": data.attachment.filename,
                "content_type": data.attachment.content_type,
                "content_base64": base64.b64encode(data.attachment.content).decode(),
            }
        )
    body = json.dumps(
        {
            "submission_id": uuid.uuid4().hex,
            "submitted_at": now.isoformat(),
            "name": data.name,
            "email": data.email,
            "subject": data.subject,
            "message": data.message,
            "language": data.language,
            "attachments": attachments,
        },
        ensure_ascii=False,
    ).encode()
    result = ingest(channel, InboundRequest("POST", body, {"content-type": "application/json"}))
    message = result.messages[0]
    transaction.on_commit(lambda: queue_confirmation(message.pk))
    log.info("web_form.submitted channel=%s message=%s", channel.pk, message.pk)
    return message


def queue_confirmation(message_id: int) -> None:
    from schwarmdesk.channels.tasks import send_form_confirmation_task  # noqa: PLC0415

    send_form_confirmation_task(message_id)


def send_confirmation(message_id: int) -> bool:
    """E-mail the customer that their request arrived, with its case reference."""
    route = (
        MessageRoute.objects.select_related("channel", "message__conversation")
        .filter(message_id=message_id, channel__kind=ChannelKind.WEB_FORM)
        .first()
    )
    if route is None:
        return False
    adapter = get_adapter(route.channel)
    if not isinstance(adapter, WebForm):  # pragma: no cover -- the kind says it is
        return False
    context = route.reply_context
    conversation = route.message.conversation
    language = context.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("We have received your request %(reference)s") % {
            "reference": f"[{conversation.reference}]"
        }
        if context.get("subject"):
            subject = f"{subject}: {one_line(context['subject'])}"
        body = render_to_string(
            "channels/web_form_confirmation.txt",
            {
                "name": context.get("name", ""),
                "reference": conversation.reference,
                "subject": context.get("subject", ""),
                "text": route.message.body_text,
                "from_name": adapter.config.option("from_name", "Support"),
            },
        )
    mail = DjangoEmailMessage(
        subject=subject,
        body=body,
        from_email=adapter.from_header(),
        to=[context["address"]],
        headers={
            "Message-ID": context["message_id"],
            "X-Loop": f"{LOOP_MARKER} {adapter.address}",
            "Auto-Submitted": "auto-replied",
            "Content-Language": language,
        },
    )
    try:
        adapter.deliver_mail(mail, adapter.connection())
    except SendError as error:
        reason = f"form confirmation not sent: {error.reason}"
        record_failure(route.channel_id, ErrorSource.OUTBOUND, reason)
        log.warning("web_form.confirmation_failed message=%s reason=%s", message_id, error.reason)
        return False
    log.info("web_form.confirmed message=%s", message_id)
    return True


def prune_submissions(now: datetime | None = None) -> int:
    """Forget rate-limit rows that no longer count."""
    cutoff = (now or timezone.now()) - KEEP_SUBMISSIONS
    deleted, _rows = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
