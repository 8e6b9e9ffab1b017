"""Model files of the versioned topic and sentiment classifiers (DATA_DIR/models/).

A topic model is an :class:`schwarmdesk.text.intents.IntentClassifier` pickled by us; a
sentiment model is a :class:`schwarmdesk.automation.stacking.TextStack` (the model ``eval
triage`` measures), or, in files from before it, a :mod:`schwarmdesk.text.sentiment` model.
Loaded models are cached by file path and modification time, so a rollback or a new version is
picked up at once.
"""

from __future__ import annotations

import importlib
import pickle
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from django.conf import settings


class Predictor(Protocol):
    @property
    def classes(self) -> tuple[str, ...] | list[str]: ...

    def predict_proba(self, texts: list[str], vectors: Any = None) -> npt.NDArray[np.float64]: ...


_lock = threading.Lock()
_cache: dict[tuple[str, int], Predictor] = {}  # by path and modification time


def models_dir() -> Path:
    path = Path(settings.DATA_DIR) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_topic_model(model: object, name: str) -> Path:
    """Write a fitted topic classifier (its own ``save`` where it has one, else a pickle)."""
    save = getattr(model, "save", None)
    if callable(save):
        path = models_dir() / f"{name}.joblib"
        save(path)
        return path
    path = models_dir() / f"{name}.pickle"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    return path


def load_model(kind: str, path: str) -> Predictor:
    """The model stored at ``path`` (our own file under DATA_DIR, never uploaded data)."""
    with _lock:
        key = (path, _modified(path))
        if (cached := _cache.get(key)) is not None:
            return cached
    if kind == "sentiment":
        model: Predictor = _load_sentiment(path)
    elif not path.endswith(".pickle"):
        module = importlib.import_module("schwarmdesk.text.intents")
        model = module.IntentClassifier.load(path)
    else:
        # Our own file written by save_topic_model; DATA_DIR is as trusted as the database.
        model = pickle.loads(Path(path).read_bytes())  # noqa: S301
    with _lock:
        _cache[key] = model
    return model


def _modified(path: str) -> int:
    """The file's modification time: a file written again at the same path (a re-created
    database numbering its versions from 1 again) is read again."""
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return 0


def _load_sentiment(path: str) -> Predictor:
    """The stacked sentiment model at ``path``; an older single-classifier file still loads."""
    stacking = importlib.import_module("schwarmdesk.automation.stacking")
    intents = importlib.import_module("schwarmdesk.text.intents")
    try:
        model: Predictor = stacking.TextStack.load(path)
    except intents.ModelFileError as error:
        if "holds a 'sentiment-classifier'" not in str(error):
            raise
        model = importlib.import_module("schwarmdesk.text.sentiment").SentimentClassifier.load(path)
    return model


def best_label(model: Predictor, text: str) -> tuple[str, float]:
    """The most probable label and its probability."""
    try:
        probabilities = model.predict_proba([text])[0]
    except ValueError:  # a model fitted with sentence vectors needs the query's vector too
        from schwarmdesk.search.semantic import configured_embedder  # noqa: PLC0415

        embedder = configured_embedder()
        if embedder is None:
            raise
        vectors = embedder.encode_queries([text])
        probabilities = model.predict_proba([text], vectors=vectors)[0]
    index = int(np.argmax(probabilities))
    return str(list(model.classes)[index]), float(probabilities[index])
