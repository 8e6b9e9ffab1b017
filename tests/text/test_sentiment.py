"""The trainable sentiment classifier on a small German/English sample written for these tests."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest

from schwarmdesk.text.intents import (
    MODEL_FORMAT,
    IntentClassifier,
    IntentDataError,
    ModelFileError,
    Prediction,
)
from schwarmdesk.text.sentiment import SENTIMENTS, SentimentClassifier

SAMPLE: list[tuple[str, str]] = [
    ("Schon wieder Verspätung, ich bin so wütend", "negative"),
    ("Der Zug ist ausgefallen, eine Frechheit", "negative"),
    ("Ihr Service ist eine Katastrophe", "negative"),
    ("Niemand hilft mir, total enttäuscht", "negative"),
    ("This is terrible, my order never arrived", "negative"),
    ("Worst support ever, I am furious", "negative"),
    ("Wann fährt der nächste Zug nach Köln?", "neutral"),
    ("Ich habe eine Frage zu meiner Rechnung", "neutral"),
    ("Bitte senden Sie mir das Formular", "neutral"),
    ("Meine Kundennummer ist 12345", "neutral"),
    ("What are your opening hours?", "neutral"),
    ("Please send me the invoice", "neutral"),
    ("Vielen Dank, super Service!", "positive"),
    ("Toll, hat alles perfekt geklappt", "positive"),
    ("Danke für die schnelle Hilfe, großartig", "positive"),
    ("Ich bin sehr zufrieden, danke", "positive"),
    ("Thank you so much, great help!", "positive"),
    ("Excellent service, I love it", "positive"),
]
TEXTS = [text for text, _ in SAMPLE]
LABELS = [label for _, label in SAMPLE]


def _fitted() -> SentimentClassifier:
    return SentimentClassifier().fit(TEXTS, LABELS)


def test_predicts_label_and_probability_in_both_languages() -> None:
    model = _fitted()

    predictions = model.predict(["Danke, super geklappt!", "terrible service, furious", "Frage"])

    assert model.classes == SENTIMENTS
    assert [p.label for p in predictions] == ["positive", "negative", "neutral"]
    assert all(isinstance(p, Prediction) and 1 / 3 < p.probability <= 1.0 for p in predictions)


def test_probabilities_follow_the_classes() -> None:
    model = _fitted()

    probabilities = model.predict_proba(["Vielen Dank!", "Verspätung, Frechheit"])

    assert probabilities.shape == (2, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities.argmax(axis=1).tolist() == [2, 0]
    assert model.predict_proba([]).shape == (0, 3)
    assert model.predict([]) == []


def test_sentence_vectors_are_a_feature() -> None:
    texts = ["hm"] * 6
    labels = ["negative", "positive"] * 3
    vectors = np.array([[1.0, 0.0] if label == "negative" else [0.0, 1.0] for label in labels])
    model = SentimentClassifier().fit(texts, labels, vectors=vectors)

    assert [p.label for p in model.predict(["hm", "hm"], vectors=[[0.0, 1.0], [1.0, 0.0]])] == [
        "positive",
        "negative",
    ]


def test_unusable_training_data_is_refused() -> None:
    with pytest.raises(IntentDataError, match="no training texts"):
        SentimentClassifier().fit([], [])
    with pytest.raises(IntentDataError, match="only one label"):
        SentimentClassifier().fit(["gut", "toll"], ["positive", "positive"])
    with pytest.raises(IntentDataError, match="not fitted"):
        SentimentClassifier().predict(["gut"])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = _fitted()
    path = tmp_path / "sentiment-v1.joblib"

    model.save(path)
    loaded = SentimentClassifier.load(str(path))

    queries = ["Danke!", "Katastrophe", "Rechnung"]
    assert loaded.is_fitted
    assert loaded.classes == model.classes
    assert np.array_equal(loaded.predict_proba(queries), model.predict_proba(queries))


def test_bad_files_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.joblib"
    _fitted().save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:100])
    topics = tmp_path / "topics.joblib"
    IntentClassifier().fit(TEXTS, LABELS).save(topics)
    not_envelope = tmp_path / "list.joblib"
    joblib.dump([1, 2, 3], not_envelope)
    older = tmp_path / "older.joblib"
    joblib.dump({"format": MODEL_FORMAT - 1, "kind": "sentiment-classifier"}, older)

    with pytest.raises(ModelFileError, match="not a model file"):
        SentimentClassifier.load(truncated)
    with pytest.raises(ModelFileError, match="holds a 'intent-classifier', not a 'sentiment"):
        SentimentClassifier.load(topics)
    with pytest.raises(ModelFileError, match="not a schwarmdesk model file"):
        SentimentClassifier.load(not_envelope)
    with pytest.raises(ModelFileError, match=f"model format {MODEL_FORMAT - 1}, this version"):
        SentimentClassifier.load(older)
    with pytest.raises(ModelFileError, match="no such model file"):
        SentimentClassifier.load(tmp_path / "nothing.joblib")
