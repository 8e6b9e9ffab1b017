"""``schwarmdesk manage train_moderation --data ../shared/data``: train the offensive-language
detector on GermEval 2018 and save it to the data directory, where the screening loads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schwarmdesk.moderation.evaluation import DataError, train_and_save
from schwarmdesk.moderation.screening import model_path, reset_detector


class Command(BaseCommand):
    help = "Train the offensive-language detector (GermEval 2018) and save it to the data dir."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, required=True, help="../shared/data")
        parser.add_argument("--cache", type=Path, default=None, help="embedding cache folder")
        parser.add_argument("--no-embeddings", action="store_true", help="n-grams only")

    def handle(self, *args: Any, **options: Any) -> None:
        target = model_path()
        try:
            model = train_and_save(
                options["data"],
                target,
                cache_dir=options["cache"],
                use_embeddings=not options["no_embeddings"],
            )
        except DataError as error:
            raise CommandError(str(error)) from error
        reset_detector()
        self.stdout.write(
            f"Saved {target} (threshold {model.threshold:.2f}, "
            f"cross-validated macro-F1 {model.cv_macro_f1:.3f})"
        )
