"""``schwarmdesk manage load_demo``: load the Nordlicht Mobil demo data set once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from schwarmdesk.core.errors import DomainError
from schwarmdesk.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent: does nothing when it is already there)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo()
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(summary))
