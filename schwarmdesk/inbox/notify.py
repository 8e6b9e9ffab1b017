"""E-mail to colleagues mentioned in an internal note (the in-app list is the Mention rows)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from schwarmdesk.inbox.models import Mention

log = logging.getLogger(__name__)


def mail_mentions(mention_ids: list[int]) -> int:
    """Send one e-mail per mention not yet e-mailed; returns how many were sent."""
    sent = 0
    for pk in mention_ids:
        with transaction.atomic():
            claimed = Mention.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            mention = Mention.objects.select_related(
                "agent__user", "author", "conversation", "message"
            ).get(pk=pk)
            address = mention.agent.user.email
            if not address:
                continue
            language = mention.agent.languages[0] if mention.agent.languages else "de"
            with override(language if language in ("de", "en") else "de"):
                url = settings.BASE_URL + reverse(
                    "inbox:conversation", args=[mention.conversation_id]
                )
                subject = _("%(author)s mentioned you in %(reference)s") % {
                    "author": mention.author.display_name if mention.author else "Schwarmdesk",
                    "reference": mention.conversation.reference,
                }
                body = f"{mention.message.body_text}\n\n{url}\n"
            send_mail(subject, body, None, [address])
            sent += 1
            log.info("inbox.mention_mailed mention=%s", pk)
    return sent
