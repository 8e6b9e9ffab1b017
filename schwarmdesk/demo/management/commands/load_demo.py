from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo data set (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        pass
