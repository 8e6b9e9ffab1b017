"""``schwarmdesk manage import_mail FILE.eml [--channel ID]``: receive raw MIME mails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schwarmdesk.channels.adapters.base import ParseError
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.mailbox import import_mail
from schwarmdesk.channels.models import Channel
from schwarmdesk.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Receive raw MIME mails (.eml files) on an e-mail channel, exactly as if they had been "
        "fetched by IMAP: filters, threading, attachments; a file imported twice is stored once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="the .eml files")
        parser.add_argument(
            "--channel", type=int, help="the e-mail channel's id (needed when there are several)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        channel_id = options["channel"]
        if channel_id is None:
            ids = list(Channel.objects.filter(kind=ChannelKind.EMAIL).values_list("pk", flat=True))
            if len(ids) != 1:
                raise CommandError(f"{len(ids)} e-mail channels: name one with --channel ID")
            channel_id = ids[0]
        failed = 0
        for path in options["files"]:
            try:
                result = import_mail(None, channel_id=channel_id, raw=path.read_bytes())
            except (OSError, ParseError, DomainError) as error:
                self.stderr.write(f"{path}: {error}")
                failed += 1
                continue
            if result.is_duplicate:
                outcome = "already imported"
            elif result.messages:
                outcome = f"stored as message {result.messages[0].pk}"
            elif result.event is not None and result.event.error:
                outcome = f"not answered: {result.event.error}"
            else:
                outcome = "nothing to store"
            self.stdout.write(f"{path}: {outcome}")
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} files could not be imported")
