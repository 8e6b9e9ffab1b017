"""Background entry points of moderation."""

from __future__ import annotations

from pathlib import Path

from huey.contrib.djhuey import db_task

from schwarmdesk.moderation.evaluation import train_and_save
from schwarmdesk.moderation.screening import model_path, reset_detector


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def train_detector_task(data_dir: str, use_embeddings: bool = True) -> float:
    """Train and save the offensive-language detector; returns its cross-validated macro-F1."""
    model = train_and_save(Path(data_dir), model_path(), use_embeddings=use_embeddings)
    reset_detector()
    return model.cv_macro_f1
