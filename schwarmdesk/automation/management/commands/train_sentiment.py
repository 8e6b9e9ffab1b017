"""``schwarmdesk manage train_sentiment --train FILE``: train the triage's sentiment model (the
stacked text model ``eval triage`` measures) on labelled texts and activate it as the next
model version (roll back in the admin).  Training runs the stack's inner cross-validation:
on GermEval 2017's 2,590 posts it takes minutes.

FILE is a CSV with the header ``text,label`` (the company's own labels) or GermEval 2017's
TSV (``../shared/data/germeval2017/dev.tsv``: text in column 2, sentiment in column 4).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schwarmdesk.automation.actions import train_sentiment_model
from schwarmdesk.core.errors import Invalid

MIN_EXAMPLES = 20


def read_examples(path: Path) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix == ".tsv":
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) >= 4 and row[1].strip() and row[3].strip():
                    texts.append(row[1].strip())
                    labels.append(row[3].strip())
        else:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
                raise CommandError(f"{path}: the CSV needs the header text,label")
            for record in reader:
                if (record.get("text") or "").strip() and (record.get("label") or "").strip():
                    texts.append(record["text"].strip())
                    labels.append(record["label"].strip())
    return texts, labels


class Command(BaseCommand):
    help = "Train the sentiment model on labelled texts and activate it as the next version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", type=Path, required=True, help="CSV text,label or TSV")
        parser.add_argument("--no-activate", action="store_true", help="store, do not activate")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["train"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        texts, labels = read_examples(path)
        if len(texts) < MIN_EXAMPLES or len(set(labels)) < 2:
            raise CommandError(
                f"{path}: {len(texts)} labelled texts with {len(set(labels))} labels; "
                f"at least {MIN_EXAMPLES} texts and two labels are needed"
            )
        try:
            version = train_sentiment_model(
                None, texts, labels, activate=not options["no_activate"]
            )
        except Invalid as error:
            raise CommandError(f"{path}: {error}") from error
        state = "active" if version.is_active else "stored"
        self.stdout.write(
            f"Saved {version.path} as {version.name} ({state}; {len(texts)} texts, "
            f"labels {', '.join(version.classes)})"
        )
