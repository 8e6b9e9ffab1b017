"""A stacked classifier for long, mixed posts (the GermEval 2017 evaluation of ``eval triage``).

Several linear models each read one view of a post — character n-grams, word n-grams, the
source URL's words, sentence vectors — and a multinomial logistic regression combines their
scores.  The combiner is trained on *out-of-fold* scores: the training rows are split into
:data:`INNER_FOLDS` folds, each base model is fitted on the other folds and scores the held
one, so the combiner learns how far to trust each view on rows that view's model did not see.
Its regularisation is chosen by cross-validation (log loss) on those same out-of-fold scores.
Everything happens inside the training rows it is given; the rows to predict are only scored.

No Django imports; scikit-learn is imported by the caller's module (a heavy import).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

FloatMatrix = npt.NDArray[np.float64]
Matrix: TypeAlias = Any  # a dense array or a SciPy sparse matrix (SciPy ships no type stubs)
INNER_FOLDS = 5
META_CS = (0.1, 0.3, 1.0, 3.0, 10.0)  # the combiner's C, chosen by CV on out-of-fold scores
TEXT_CHARS = 3_000  # n-gram views read the start of a post (a few are 30,000-character articles)
WORD_PATTERN = r"(?u)\b\w+\b"
WHOLE_TOKENS = r"\S+"  # whitespace-separated tokens, as they are


class Scorer(Protocol):
    classes_: npt.NDArray[Any]

    def fit(self, x: Any, y: Any) -> Any: ...

    def decision_function(self, x: Any) -> npt.NDArray[np.float64]: ...

    def predict(self, x: Any) -> npt.NDArray[Any]: ...


@dataclass(frozen=True)
class Learner:
    """One base model: a name, the views it reads side by side, and how to make it.

    ``target`` names the labels it learns (another task's training labels may help: a post
    about something else than the company is neutral); ``only`` restricts its training rows to
    those whose ``target`` label is one of these (it still scores every row).
    """

    name: str
    views: tuple[str, ...]
    make: Callable[[], Scorer]
    target: str = ""
    only: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Stacked:
    predicted: list[str]
    meta_c: float


def svm(c: float = 0.5) -> Callable[[], Scorer]:
    return lambda: LinearSVC(C=c, random_state=0)


def logistic(c: float = 3.0) -> Callable[[], Scorer]:
    return lambda: LogisticRegression(C=c, max_iter=3000)


class NearestNeighbours:
    """Label shares among the ``k`` most similar training rows (unit vectors, cosine), each
    neighbour weighted by ``exp(sharpness * (similarity - best))``: near-duplicates and posts of
    the same thread vote with the most weight."""

    def __init__(self, k: int = 10, sharpness: float = 20.0) -> None:
        self.k = k
        self.sharpness = sharpness
        self.classes_: npt.NDArray[Any] = np.zeros(0, dtype=object)
        self._vectors: FloatMatrix = np.zeros((0, 0))
        self._votes: FloatMatrix = np.zeros((0, 0))

    def fit(self, x: Any, y: Any) -> NearestNeighbours:
        self._vectors = np.asarray(x, dtype=np.float64)
        labels = np.asarray(y, dtype=object)
        self.classes_ = np.array(sorted(set(labels.tolist())), dtype=object)
        self._votes = (labels[:, None] == self.classes_[None, :]).astype(np.float64)
        return self

    def decision_function(self, x: Any) -> FloatMatrix:
        similarity = np.asarray(x, dtype=np.float64) @ self._vectors.T
        k = min(self.k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        closeness = np.take_along_axis(similarity, nearest, axis=1)
        weights = np.exp(self.sharpness * (closeness - closeness.max(axis=1, keepdims=True)))
        shares: FloatMatrix = np.einsum("nk,nkc->nc", weights, self._votes[nearest])
        shares /= weights.sum(axis=1, keepdims=True)
        if len(self.classes_) == 2:
            result: FloatMatrix = shares[:, 1] - shares[:, 0]
            return result
        return shares

    def predict(self, x: Any) -> npt.NDArray[Any]:
        scores = self.decision_function(x)
        if scores.ndim == 1:
            scores = np.stack([-scores, scores], axis=1)
        result: npt.NDArray[Any] = self.classes_[scores.argmax(axis=1)]
        return result


def neighbours(k: int = 10) -> Callable[[], Scorer]:
    return lambda: NearestNeighbours(k)


def text_views(
    train_texts: Sequence[str], test_texts: Sequence[str]
) -> dict[str, tuple[sp.csr_matrix, sp.csr_matrix]]:
    """``char`` (2-5-grams within words) and ``word`` (1-2-grams) TF-IDF of the training rows."""
    views = {}
    for name, vectorizer in (
        (
            "char",
            TfidfVectorizer(
                sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), lowercase=False
            ),
        ),
        (
            "word",
            TfidfVectorizer(
                sublinear_tf=True, ngram_range=(1, 2), token_pattern=WORD_PATTERN, lowercase=False
            ),
        ),
    ):
        train = vectorizer.fit_transform([text[:TEXT_CHARS] for text in train_texts])
        views[name] = (train, vectorizer.transform([text[:TEXT_CHARS] for text in test_texts]))
    return views


def words_view(
    train_words: Sequence[str], test_words: Sequence[str]
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """TF-IDF of whitespace-separated tokens (e.g. URL words), fitted on the training rows."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=WHOLE_TOKENS, lowercase=False)
    return vectorizer.fit_transform(list(train_words)), vectorizer.transform(list(test_words))


_FACEBOOK = re.compile(r"^[a-z]+://(?:www\.)?facebook\.com/(\d+)/posts/(\d+)")


def facebook_words(url: str) -> str:
    """The page and post a Facebook comment hangs under, as words (``fbpage=1 fbpost=2``)."""
    match = _FACEBOOK.match(url.strip().lower())
    return f"fbpage={match.group(1)} fbpost={match.group(2)}" if match else ""


def _rows(matrix: Matrix, rows: npt.NDArray[np.intp] | None) -> Matrix:
    return matrix if rows is None else matrix[rows]


def _features(
    views: Mapping[str, Matrix], names: tuple[str, ...], rows: npt.NDArray[np.intp] | None
) -> Matrix:
    if len(names) == 1:
        return _rows(views[names[0]], rows)
    return sp.hstack([sp.csr_matrix(_rows(views[name], rows)) for name in names], format="csr")


def _aligned_scores(model: Scorer | None, features: Matrix, classes: list[str]) -> FloatMatrix:
    """Decision values in the order of ``classes`` (one column for two classes); a class the
    model never saw, or no model at all (one class only), scores 0."""
    columns = 1 if len(classes) == 2 else len(classes)
    result = np.zeros((features.shape[0], columns), dtype=np.float64)
    if model is None:
        return result
    scores = np.asarray(model.decision_function(features), dtype=np.float64)
    known = [str(label) for label in model.classes_]
    if scores.ndim == 1:  # the model saw two classes: the column scores the second
        if columns == 1:
            result[:, 0] = scores if known == classes else -scores
        else:
            result[:, classes.index(known[1])] = scores
            result[:, classes.index(known[0])] = -scores
        return result
    for number, label in enumerate(known):
        result[:, classes.index(label)] = scores[:, number]
    return result


def _fit(
    learner: Learner,
    views: Mapping[str, Matrix],
    gold: npt.NDArray[np.object_],
    rows: npt.NDArray[np.intp],
) -> Scorer | None:
    if learner.only:
        rows = rows[np.isin(gold[rows], list(learner.only))]
    if len(set(gold[rows].tolist())) < 2:
        return None
    model = learner.make()
    model.fit(_features(views, learner.views, rows), gold[rows])
    return model


def stack_predict(
    train_views: Mapping[str, Matrix],
    test_views: Mapping[str, Matrix],
    labels: Sequence[str],
    learners: Sequence[Learner],
    *,
    other_labels: Mapping[str, Sequence[str]] | None = None,
    inner_folds: int = INNER_FOLDS,
    seed: int = 1,
) -> Stacked:
    """Labels for the test rows from ``learners`` combined on out-of-fold training scores.

    ``other_labels``: further training labels by name, for learners whose ``target`` names one.
    With fewer than two examples of some label there are no inner folds: the first learner
    alone predicts.
    """
    gold = np.asarray(labels, dtype=object)
    targets = {"": gold} | {
        name: np.asarray(values, dtype=object) for name, values in (other_labels or {}).items()
    }
    classes = {name: sorted(set(values.tolist())) for name, values in targets.items()}
    everything = np.arange(len(gold))
    folds_count = min(inner_folds, *Counter(gold.tolist()).values())
    if folds_count < 2:
        only = learners[0]
        model = _fit(only, train_views, targets[only.target], everything)
        if model is None:
            return Stacked([str(gold[0])] * _row_count(test_views), 0.0)
        predicted = model.predict(_features(test_views, only.views, None))
        return Stacked([str(label) for label in predicted], 0.0)
    folds = StratifiedKFold(n_splits=folds_count, shuffle=True, random_state=seed)
    out_of_fold: dict[str, FloatMatrix] = {}
    for fit_rows, held_rows in folds.split(np.zeros(len(gold)), gold):
        for learner in learners:
            model = _fit(learner, train_views, targets[learner.target], fit_rows)
            scores = _aligned_scores(
                model,
                _features(train_views, learner.views, held_rows),
                classes[learner.target],
            )
            block = out_of_fold.setdefault(learner.name, np.zeros((len(gold), scores.shape[1])))
            block[held_rows] = scores
    test_blocks = []
    for learner in learners:
        model = _fit(learner, train_views, targets[learner.target], everything)
        test_blocks.append(
            _aligned_scores(
                model, _features(test_views, learner.views, None), classes[learner.target]
            )
        )
    meta_train = np.hstack([out_of_fold[learner.name] for learner in learners])
    combiner = LogisticRegressionCV(
        Cs=list(META_CS),
        l1_ratios=(0.0,),
        cv=StratifiedKFold(n_splits=folds_count, shuffle=True, random_state=seed + 1),
        scoring="neg_log_loss",  # smoother than accuracy on a few hundred held-out rows
        max_iter=3000,
        use_legacy_attributes=False,
    ).fit(meta_train, gold)
    predicted = combiner.predict(np.hstack(test_blocks))
    return Stacked([str(label) for label in predicted], float(np.ravel(combiner.C_)[0]))


def _row_count(views: Mapping[str, Matrix]) -> int:
    return int(next(iter(views.values())).shape[0])
