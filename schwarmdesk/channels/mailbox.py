"""E-mail in: polling a channel's IMAP mailbox by UID, and importing one raw .eml file.

The poll position is ``<UIDVALIDITY>:<last UID>`` in ``Channel.poll_cursor``. Each new mail is
stored first (its raw bytes as an ``InboundEvent``), then flagged ``\\Seen`` (and moved to
``imap_processed_folder`` when set), then the position moves on: a crash anywhere fetches the
mail again at worst, and the same bytes are the same event, so every mail is received once.
A new UIDVALIDITY (the folder was rebuilt) starts from the beginning, again without duplicates.
"""

from __future__ import annotations

import imaplib
import logging

from django.conf import settings
from imap_tools.errors import ImapToolsError

from schwarmdesk.channels.actions import Ingested, get_adapter, ingest, record_failure
from schwarmdesk.channels.adapters.base import InboundRequest, ParseError, SendError
from schwarmdesk.channels.adapters.email import Email
from schwarmdesk.channels.health import record_credentials_refused
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel, ErrorSource
from schwarmdesk.conversations.models import Message
from schwarmdesk.core.errors import Invalid, NotFound

log = logging.getLogger(__name__)

POLL_BATCH = 200  # mails per poll; the rest come with the next poll, a minute later


def max_mail_bytes() -> int:
    """A mail may carry a few attachments of the allowed size, base64-encoded."""
    return int(settings.MAX_ATTACHMENT_BYTES) * 3


def _ingest_mail(channel: Channel, raw: bytes, method: str) -> list[Message]:
    try:
        result = ingest(channel, InboundRequest(method=method, body=raw, headers={}))
    except ParseError as error:  # kept as a malformed event and a channel failure
        log.warning("mail.malformed channel=%s reason=%s", channel.pk, error)
        return []
    return list(result.messages)


def poll_mailbox(channel: Channel, adapter: Email) -> Ingested | None:
    """Fetch, store and mark every mail that arrived since the stored position."""
    messages: list[Message] = []
    try:
        with adapter.open_mailbox() as mailbox:
            validity = mailbox.uid_validity()
            known, _, last = channel.poll_cursor.partition(":")
            after = int(last) if known == validity and last.isdigit() else 0
            for uid in mailbox.new_uids(after)[:POLL_BATCH]:
                fetched = mailbox.fetch(uid)
                if fetched is not None and len(fetched.raw) > max_mail_bytes():
                    reason = f"mail UID {uid} is too large ({len(fetched.raw)} bytes); left there"
                    record_failure(channel.pk, ErrorSource.INBOUND, reason)
                elif fetched is not None:
                    messages.extend(_ingest_mail(channel, fetched.raw, "IMAP"))
                    mailbox.mark_processed(uid)
                channel.poll_cursor = f"{validity}:{uid}"
                Channel.objects.filter(pk=channel.pk).update(poll_cursor=channel.poll_cursor)
    except SendError as error:
        record_failure(channel.pk, ErrorSource.INBOUND, f"poll failed: {error.reason}")
        log.warning("channel.poll_failed channel=%s reason=%s", channel.pk, error.reason)
        record_credentials_refused(channel.pk, error)  # a refused login warns at once
        return None
    except (imaplib.IMAP4.error, ImapToolsError, OSError) as error:
        reason = f"poll failed: IMAP {error.__class__.__name__}"
        record_failure(channel.pk, ErrorSource.INBOUND, reason)
        log.warning("channel.poll_failed channel=%s reason=%s", channel.pk, reason)
        return None
    log.info(
        "channel.polled channel=%s cursor=%s messages=%s",
        channel.pk,
        channel.poll_cursor,
        len(messages),
    )
    return Ingested(event=None, messages=tuple(messages))


def import_mail(actor: object, *, channel_id: int, raw: bytes) -> Ingested:
    """Receive one raw MIME message (an uploaded .eml) on an e-mail channel, like a polled one.

    Raises ``ParseError`` for a broken mail (kept as a malformed event) and ``Invalid`` for a
    mail too large to store.
    """
    channel = Channel.objects.filter(pk=channel_id, kind=ChannelKind.EMAIL).first()
    if channel is None:
        raise NotFound("no such e-mail channel")
    if len(raw) > max_mail_bytes():
        raise Invalid(f"the mail is too large ({len(raw)} bytes)")
    adapter = get_adapter(channel)
    if not isinstance(adapter, Email):  # pragma: no cover -- the kind says it is
        raise Invalid("not an e-mail channel")
    return ingest(channel, InboundRequest(method="UPLOAD", body=raw, headers={}))
