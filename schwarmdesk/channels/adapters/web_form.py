"""Web form: a post on our own embeddable form in, replies out by e-mail.

In: the form view (``channels.web_form``) checks the form, the honeypot and the rate limit,
then stores the submission as a JSON event that this adapter parses like any other payload. The
sender is the e-mail address typed into the form: an e-mail identity, never verified.
Out: e-mail, through the channel's own SMTP server when ``smtp_host`` is set, else through the
site's outgoing mail (``SCHWARMDESK_SMTP_*``); ``address`` defaults to ``SCHWARMDESK_FROM_EMAIL``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime
from email.utils import parseaddr
from typing import ClassVar

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from schwarmdesk.channels.adapters.base import (
    Capabilities,
    ChannelConfig,
    InboundAttachment,
    InboundMessage,
    InboundRequest,
    ParseError,
    Sender,
)
from schwarmdesk.channels.adapters.email import Email
from schwarmdesk.channels.adapters.payload import load_object
from schwarmdesk.channels.kinds import ChannelKind


def confirmation_message_id(submission_id: str, domain: str) -> str:
    """The confirmation mail's Message-ID, which is also the submission's external id."""
    return f"form-{submission_id}@{domain}"


class WebForm(Email):
    kind = ChannelKind.WEB_FORM
    capabilities = Capabilities(
        threads=True,
        attachments=True,
        max_length=100_000,
        has_webhook=False,
        is_polled=False,
        repeat_send_is_safe=True,  # the same Message-ID again: one message in the thread
    )
    secret_names: ClassVar[tuple[str, ...]] = ("smtp_password",)

    def __init__(self, config: ChannelConfig) -> None:
        super().__init__(config)
        if not self.address:
            self.address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()

    def parse(self, req: InboundRequest) -> Iterator[InboundMessage]:
        form = load_object(req.body)
        submission_id = form.str("submission_id")
        address = form.str("email").strip().lower()
        if "@" not in address:
            raise ParseError("$.email is not an e-mail address")
        try:
            submitted_at = datetime.fromisoformat(form.str("submitted_at"))
        except ValueError:
            raise ParseError("$.submitted_at is not an ISO date") from None
        if submitted_at.tzinfo is None:
            raise ParseError("$.submitted_at has no time zone")
        files = []
        for item in form.objs("attachments"):
            try:
                content = base64.b64decode(item.str("content_base64"), validate=True)
            except binascii.Error:
                raise ParseError(f"{item.path}.content_base64 is not base64") from None
            files.append(InboundAttachment(item.str("filename"), item.str("content_type"), content))
        language = form.opt_str("language")
        language = language if language in ("de", "en") else ""
        name = form.str("name").strip()
        subject = form.opt_str("subject").strip()
        text = form.str("message").strip()
        if not text and not files:  # the form refuses this; a replayed old event may not
            return
        own_id = confirmation_message_id(submission_id, self.domain)
        yield InboundMessage(
            kind=self.kind,
            external_id=own_id,
            sender=Sender(
                external_id=address,
                handle=address,
                display_name=name,
                language=language,
                is_verified=False,
                identity_kind=ChannelKind.EMAIL,
            ),
            text=text,
            sent_at=submitted_at,
            is_public=False,
            thread_key=f"form:{submission_id}",
            reply_context={
                "address": address,
                "name": name,
                "message_id": f"<{own_id}>",
                "references": f"<{own_id}>",
                "subject": subject,
                "language": language,
            },
            subject=subject,
            attachments=tuple(files),
        )

    def connection(self) -> BaseEmailBackend:
        if self.config.option("smtp_host"):
            return super().connection()
        return get_connection(fail_silently=False)
