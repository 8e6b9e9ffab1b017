"""The label classifier on a small German/English support sample written for these tests."""

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
    choose_threshold,
    prepare_text,
    save_model,
)

# Three intents, German and English phrasings of each, as customers write them.
SAMPLE: list[tuple[str, str]] = [
    ("Ich habe meine Karte verloren", "card_lost"),
    ("Meine Kreditkarte wurde gestohlen, bitte sperren", "card_lost"),
    ("Karte weg, was nun?", "card_lost"),
    ("Bitte sperren Sie meine verlorene Karte", "card_lost"),
    ("I lost my card yesterday", "card_lost"),
    ("My card was stolen, please block it", "card_lost"),
    ("Can you freeze my lost card?", "card_lost"),
    ("Wie ändere ich meine Rechnungsadresse?", "billing_address"),
    ("Ich bin umgezogen und brauche eine neue Rechnungsadresse", "billing_address"),
    ("Die Adresse auf der Rechnung ist falsch", "billing_address"),
    ("Rechnungsanschrift aktualisieren", "billing_address"),
    ("How do I change my billing address?", "billing_address"),
    ("I moved, please update the address on my invoice", "billing_address"),
    ("Wrong address on my bill", "billing_address"),
    ("Ich habe mein Passwort vergessen", "password_reset"),
    ("Passwort zurücksetzen funktioniert nicht", "password_reset"),
    ("Wie setze ich mein Kennwort zurück?", "password_reset"),
    ("Ich komme nicht mehr in mein Konto, Passwort falsch", "password_reset"),
    ("I forgot my password", "password_reset"),
    ("How can I reset my password?", "password_reset"),
    ("Password reset link does not work", "password_reset"),
]
TEXTS = [text for text, _ in SAMPLE]
LABELS = [label for _, label in SAMPLE]


def _fitted() -> IntentClassifier:
    return IntentClassifier().fit(TEXTS, LABELS)


def test_predicts_clear_cases_in_both_languages() -> None:
    classifier = _fitted()

    predicted = classifier.predict(
        [
            "Karte verloren",
            "Someone stole my card",
            "Neue Rechnungsadresse eintragen",
            "update billing address",
            "Passwort vergessen, bitte helfen",
            "reset password",
        ]
    )

    assert predicted == [
        "card_lost",
        "card_lost",
        "billing_address",
        "billing_address",
        "password_reset",
        "password_reset",
    ]


def test_probabilities_follow_the_classes() -> None:
    classifier = _fitted()

    probabilities = classifier.predict_proba(["Ich habe mein Passwort vergessen", "card stolen"])

    assert classifier.classes == ("billing_address", "card_lost", "password_reset")
    assert probabilities.shape == (2, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[0].argmax() == 2
    assert probabilities[1].argmax() == 1
    assert classifier.predict_proba([]).shape == (0, 3)


def test_umlaut_spellings_are_the_same_word() -> None:
    assert prepare_text("Wie ÄNDERE ich die Straße?") == "wie aendere ich die strasse?"


def test_fitting_twice_gives_identical_results() -> None:
    queries = ["Karte gestohlen", "billing address wrong", "Kennwort"]

    first = _fitted().predict_proba(queries)
    second = _fitted().predict_proba(queries)

    assert np.array_equal(first, second)
    assert _fitted().temperature == IntentClassifier().fit(TEXTS, LABELS).temperature


def test_sentence_vectors_are_a_feature() -> None:
    # Texts that say nothing; only the vectors tell the labels apart.
    texts = ["hallo"] * 8
    labels = ["a", "b"] * 4
    vectors = np.array([[1.0, 0.0] if label == "a" else [0.0, 1.0] for label in labels])
    classifier = IntentClassifier().fit(texts, labels, vectors=vectors)

    assert classifier.predict(["hallo", "hallo"], vectors=[[0.0, 1.0], [1.0, 0.0]]) == ["b", "a"]


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        ([], [], "no training texts"),
        (["Karte verloren", "Karte weg"], ["card_lost", "card_lost"], "only one label"),
        (["Karte verloren"], ["card_lost", "pin"], "1 texts but 2 labels"),
        (["", " "], ["a", "b"], "no characters"),
    ],
)
def test_unusable_training_data_is_refused(
    texts: list[str], labels: list[str], message: str
) -> None:
    with pytest.raises(IntentDataError, match=message):
        IntentClassifier().fit(texts, labels)


def test_vectors_must_match_the_fit() -> None:
    with pytest.raises(IntentDataError, match="not fitted"):
        IntentClassifier().predict(["Karte"])
    with pytest.raises(IntentDataError, match="fitted without sentence vectors"):
        _fitted().predict(["Karte"], vectors=[[0.5, 0.5]])
    with_vectors = IntentClassifier().fit(TEXTS, LABELS, vectors=np.eye(len(TEXTS)))
    with pytest.raises(IntentDataError, match="needs sentence vectors"):
        with_vectors.predict(["Karte"])
    with pytest.raises(IntentDataError, match="one vector per text"):
        IntentClassifier().fit(TEXTS, LABELS, vectors=np.eye(3))


def test_texts_without_words_fall_back_to_characters() -> None:
    classifier = IntentClassifier().fit(["!!!", "???", "!!", "??"], ["angry", "puzzled"] * 2)

    assert classifier.predict(["!!!!", "???"]) == ["angry", "puzzled"]


def test_top_label_confidence_and_answering() -> None:
    classifier = _fitted()

    top = classifier.predict_top(["I forgot my password", "card stolen"])
    confidence = classifier.confidence(["I forgot my password", "card stolen"])

    assert [prediction.label for prediction in top] == ["password_reset", "card_lost"]
    assert [prediction.probability for prediction in top] == confidence.tolist()
    assert classifier.should_answer(["I forgot my password"], threshold=0.0) == [True]
    assert classifier.should_answer(["I forgot my password"], threshold=1.01) == [False]
    assert classifier.confidence([]).shape == (0,)


def test_held_out_fifth_is_recorded_for_the_answer_threshold() -> None:
    classifier = _fitted()

    held = classifier.held_out

    # every 5th example of each label: card_lost and billing_address and password_reset x1
    assert held.gold == ("card_lost", "billing_address", "password_reset")
    assert len(held.predicted) == len(held.confidence) == len(held.is_correct) == 3
    assert held.is_correct.tolist() == [
        p == g for p, g in zip(held.predicted, held.gold, strict=True)
    ]
    assert 0.0 < classifier.default_threshold() <= 1.0
    assert IntentClassifier(calibrate=False).fit(TEXTS, LABELS).held_out.gold == ()


@pytest.mark.parametrize(
    ("confidence", "is_correct", "target", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.6], [True, True, False, True], 0.95, 0.8),
        ([0.9, 0.8, 0.7, 0.6], [True, True, False, True], 0.75, 0.6),
        ([0.9, 0.8], [False, True], 0.95, 1.0),  # never reached: answer only when certain
        ([], [], 0.95, 1.0),
        ([0.8, 0.8, 0.5], [True, False, True], 0.6, 0.5),  # ties are cut together
    ],
)
def test_choose_threshold(
    confidence: list[float], is_correct: list[bool], target: float, expected: float
) -> None:
    assert choose_threshold(confidence, is_correct, target) == expected


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    classifier = _fitted()
    path = tmp_path / "models" / "topics.joblib"

    classifier.save(path)
    loaded = IntentClassifier.load(str(path))

    queries = ["Karte gestohlen", "billing address wrong"]
    assert loaded.classes == classifier.classes
    assert np.array_equal(loaded.predict_proba(queries), classifier.predict_proba(queries))
    assert loaded.default_threshold() == classifier.default_threshold()


def test_bad_model_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.joblib"
    garbage.write_bytes(b"not a model at all")
    with pytest.raises(ModelFileError, match="no such model file"):
        IntentClassifier.load(tmp_path / "missing.joblib")
    with pytest.raises(ModelFileError, match="not a model file"):
        IntentClassifier.load(garbage)
    future = tmp_path / "future.joblib"
    joblib.dump({"format": MODEL_FORMAT + 1, "kind": "intent-classifier", "model": None}, future)
    with pytest.raises(ModelFileError, match=f"model format {MODEL_FORMAT + 1}.*retrain"):
        IntentClassifier.load(future)
    other_kind = tmp_path / "other.joblib"
    save_model(_fitted(), other_kind, kind="sentiment-classifier")
    with pytest.raises(ModelFileError, match="holds a 'sentiment-classifier'"):
        IntentClassifier.load(other_kind)
    old = tmp_path / "old.joblib"
    joblib.dump(
        {"format": MODEL_FORMAT, "kind": "intent-classifier", "sklearn": "0.1", "model": None}, old
    )
    with pytest.raises(ModelFileError, match=r"scikit-learn 0\.1"):
        IntentClassifier.load(old)
