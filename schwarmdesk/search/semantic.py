"""Embeddings: computed by the worker, stored on the index rows, searched in process memory.

Every process keeps a :class:`VectorIndex` of the stored vectors and brings it up to date before
each search by reading the rows embedded since it last looked. Rows that were deleted in the
meantime may linger in memory, but every hit is checked against the database (and the reader's
permissions) before it is returned, so they are never shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from schwarmdesk.search.lexical import IN_CHUNK
from schwarmdesk.search.models import Kind, SearchDocument
from schwarmdesk.search.vectors import VectorIndex
from schwarmdesk.text.chunks import split_chunks
from schwarmdesk.text.embeddings import (
    Embedder,
    EmbedderUnavailable,
    get_embedder,
    semantic_status,
)

log = logging.getLogger(__name__)

# Questions and conversations are compared question-to-question: the query encoding on both
# sides. Articles are passages.
QUERY_ENCODED_KINDS = frozenset({Kind.QUESTION, Kind.CONVERSATION})
EMBED_BATCH = 32
FloatMatrix = npt.NDArray[np.float32]


def configured_embedder() -> Embedder | None:
    """The configured model, or None (with the reason logged once) when it is off or missing."""
    name = settings.EMBEDDING_MODEL
    if name == "none":
        return None
    try:
        return get_embedder(name)
    except EmbedderUnavailable as error:
        _log_unavailable_once(str(error))
        return None


def semantic_search_status() -> tuple[bool, str]:
    """(is_on, reason) for the admin page."""
    name = settings.EMBEDDING_MODEL
    if name == "none":
        return False, "Semantic search is switched off (SCHWARMDESK_EMBEDDING_MODEL=none)."
    return semantic_status(name)


_logged: set[str] = set()


def _log_unavailable_once(reason: str) -> None:
    if reason not in _logged:
        _logged.add(reason)
        log.warning("search.semantic_off reason=%s", reason)


def document_text(document: SearchDocument) -> str:
    return f"{document.title}\n{document.body[:2000]}".strip()


def embed_pending(*, batch_size: int = EMBED_BATCH, max_batches: int | None = None) -> int:
    """Embed rows that have no (current) embedding; returns how many were embedded.

    Questions and conversations get the query encoding (question-to-question similarity);
    other documents the passage encoding plus one passage vector per sentence.
    """
    embedder = configured_embedder()
    if embedder is None:
        return 0
    done = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        pending = list(
            SearchDocument.objects.filter(embedded_at__isnull=True)
            .order_by("pk")
            .only("pk", "kind", "title", "body")[:batch_size]
        )
        if not pending:
            break
        query_like = [d for d in pending if d.kind in QUERY_ENCODED_KINDS]
        passages = [d for d in pending if d.kind not in QUERY_ENCODED_KINDS]
        vectors: dict[int, FloatMatrix] = {}
        chunk_matrices: dict[int, bytes | None] = {}
        if query_like:
            encoded = embedder.encode_queries([document_text(d) for d in query_like])
            vectors.update({d.pk: encoded[i] for i, d in enumerate(query_like)})
        if passages:
            encoded = embedder.encode_passages([document_text(d) for d in passages])
            vectors.update({d.pk: encoded[i] for i, d in enumerate(passages)})
            for document in passages:
                chunks = split_chunks(document_text(document))
                chunk_matrices[document.pk] = (
                    embedder.encode_passages(chunks).astype(np.float32).tobytes()
                    if len(chunks) > 1
                    else None
                )
        now = timezone.now()
        with transaction.atomic():
            for document in pending:
                # Only rows whose text did not change meanwhile (still without embedding).
                SearchDocument.objects.filter(pk=document.pk, embedded_at__isnull=True).update(
                    embedding=vectors[document.pk].astype(np.float32).tobytes(),
                    chunk_embeddings=chunk_matrices.get(document.pk),
                    embedding_model=embedder.name,
                    embedded_at=now,
                )
        done += len(pending)
        batches += 1
    if done:
        log.info("search.embedded documents=%s model=%s", done, embedder.name)
    return done


class ProcessVectors:
    """This process's vectors (documents and their sentences), synchronised from the database.

    A snapshot on disk (:meth:`save_snapshot`, written by the worker) spares a new process the
    graph build: it starts from the snapshot and reads only the rows embedded since.  A snapshot
    of another database or model, or one whose sampled vectors no longer match the rows, is
    ignored (and logged).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model = ""
        self._dimension = 0
        self._documents: VectorIndex | None = None
        self._sentences: VectorIndex | None = None
        self._sentence_counts: dict[int, int] = {}
        self._seen_until: datetime | None = None
        self._at_watermark: set[int] = set()
        self._saved_until: datetime | None = None

    def reset(self) -> None:
        with self._lock:
            self._documents = None
            self._sentences = None
            self._sentence_counts = {}
            self._seen_until = None
            self._at_watermark = set()
            self._saved_until = None

    def synced(self, embedder: Embedder) -> ProcessVectors:
        """Bring the indexes up to date with the rows embedded since the last call.

        While another thread holds the indexes (syncing, or writing the snapshot, which takes
        seconds at a million vectors), a search does not wait: it uses what this process holds,
        at most those seconds behind.
        """
        if not self._lock.acquire(blocking=False):
            if self._documents is not None and self._model == embedder.name:
                return self
            self._lock.acquire()
        try:
            self._sync(embedder)
        finally:
            self._lock.release()
        return self

    def _sync(self, embedder: Embedder) -> None:
        """:meth:`synced`'s work, under the lock."""
        if self._documents is None or self._model != embedder.name:
            self._start(embedder)
        documents, sentences = self._indexes()
        rows = SearchDocument.objects.filter(
            embedded_at__isnull=False, embedding_model=embedder.name
        )
        if self._seen_until is not None:
            rows = rows.filter(embedded_at__gte=self._seen_until)
        columns = ("pk", "embedding", "chunk_embeddings", "embedded_at")
        if self._seen_until is None:
            read = list(rows.values_list(*columns))
            times = {pk: at for pk, _, _, at in read}
        else:
            # Rows at the watermark time were read already (one batch shares its time):
            # ids and times first, so that a search reads no vector it holds already.
            times = {
                pk: at
                for pk, at in rows.values_list("pk", "embedded_at")
                if not (at == self._seen_until and pk in self._at_watermark)
            }
            new_ids = sorted(times)
            read = [
                row
                for start in range(0, len(new_ids), IN_CHUNK)
                for row in SearchDocument.objects.filter(
                    pk__in=new_ids[start : start + IN_CHUNK], embedding_model=embedder.name
                ).values_list(*columns)
            ]
        if not times:
            return
        # The watermark moves by the times of the first read: a row embedded again between
        # the two reads carries a later time and is read again next time, never skipped.
        latest = max(times.values())
        if latest != self._seen_until:
            self._at_watermark = set()
        self._seen_until = latest
        self._at_watermark.update(pk for pk, at in times.items() if at == latest)
        fresh = [
            (pk, bytes(blob), None if chunks is None else bytes(chunks))
            for pk, blob, chunks, _at in read
            if blob is not None
        ]
        if not fresh:
            return
        ids = [pk for pk, _, _ in fresh]
        known = [pk for pk in ids if pk in documents]
        if known:
            documents.remove(known)
            stale = [
                sentence_id(pk, n) for pk in known for n in range(self._sentence_counts.pop(pk, 0))
            ]
            if stale:
                sentences.remove(stale)
        documents.add(
            ids, np.vstack([np.frombuffer(blob, dtype=np.float32) for _, blob, _ in fresh])
        )
        for pk, _, chunks in fresh:
            if chunks is None:
                continue
            matrix = np.frombuffer(chunks, dtype=np.float32).reshape(-1, self._dimension)
            self._sentence_counts[pk] = len(matrix)
            sentences.add([sentence_id(pk, n) for n in range(len(matrix))], matrix)

    def _start(self, embedder: Embedder) -> None:
        """Fresh indexes for ``embedder``: from the snapshot when a usable one exists."""
        self._model = embedder.name
        self._dimension = embedder.dimension
        self._saved_until = None
        folder = snapshot_folder(embedder.name)
        if (folder / SNAPSHOT_META).exists():
            try:
                self._load_snapshot(folder, embedder)
            except (OSError, ValueError, KeyError) as error:
                log.warning("search.snapshot_ignored folder=%s reason=%s", folder, error)
            else:
                return
        self._documents = VectorIndex(embedder.dimension)
        self._sentences = VectorIndex(embedder.dimension)
        self._sentence_counts = {}
        self._seen_until = None
        self._at_watermark = set()

    def _load_snapshot(self, folder: Path, embedder: Embedder) -> None:
        meta = json.loads((folder / SNAPSHOT_META).read_text(encoding="utf-8"))
        if meta.get("version") != SNAPSHOT_VERSION or meta.get("model") != embedder.name:
            raise ValueError(f"written for {meta.get('model')} (version {meta.get('version')})")
        documents = VectorIndex.load(folder / "documents", embedder.dimension)
        sentences = VectorIndex.load(folder / "sentences", embedder.dimension)
        seen_until = datetime.fromisoformat(meta["seen_until"])
        _check_sample(documents, embedder.name, seen_until)
        owners = sentences.ids() // SENTENCE_SLOTS
        found, counts = np.unique(owners, return_counts=True)
        self._documents, self._sentences = documents, sentences
        self._sentence_counts = dict(zip(found.tolist(), counts.tolist(), strict=True))
        self._seen_until = seen_until
        self._at_watermark = set(meta.get("at_watermark", []))
        self._saved_until = self._seen_until
        log.info("search.snapshot_loaded documents=%s sentences=%s", len(documents), len(sentences))

    def save_snapshot(self) -> bool:
        """Write the indexes to the snapshot folder if they changed since; True if written."""
        with self._lock:
            if self._documents is None or self._seen_until is None:
                return False
            if self._saved_until == self._seen_until:
                return False
            documents, sentences = self._indexes()
            folder = snapshot_folder(self._model)
            work = folder.with_name(f"{folder.name}.{os.getpid()}.new")
            shutil.rmtree(work, ignore_errors=True)
            documents.save(work / "documents")
            sentences.save(work / "sentences")
            meta = {
                "version": SNAPSHOT_VERSION,
                "model": self._model,
                "seen_until": self._seen_until.isoformat(),
                "at_watermark": sorted(self._at_watermark),
                "documents": len(documents),
                "sentences": len(sentences),
            }
            (work / SNAPSHOT_META).write_text(json.dumps(meta), encoding="utf-8")
            old = folder.with_name(f"{folder.name}.{os.getpid()}.old")
            if folder.exists():
                folder.rename(old)
            work.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
            self._saved_until = self._seen_until
        log.info("search.snapshot_saved folder=%s documents=%s", folder, meta["documents"])
        return True

    def _indexes(self) -> tuple[VectorIndex, VectorIndex]:
        if self._documents is None or self._sentences is None:
            raise RuntimeError("call synced() first")
        return self._documents, self._sentences

    def __len__(self) -> int:
        """How many documents have a vector in this process."""
        return 0 if self._documents is None else len(self._documents)

    @property
    def is_approximate(self) -> bool:
        return self._documents is not None and self._documents.is_approximate

    def nearest_documents(self, query: FloatMatrix, k: int) -> list[tuple[int, float]]:
        """Documents by their own vector or by their best sentence, best first."""
        documents, sentences = self._indexes()
        found = dict(documents.search(query, k))
        for chunk, score in sentences.search(query, k):
            owner = chunk // SENTENCE_SLOTS
            if score > found.get(owner, -1.0):
                found[owner] = score
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))

    def document_similarities(self, query: FloatMatrix, ids: list[int]) -> dict[int, float]:
        documents, _ = self._indexes()
        return documents.similarities(query, [i for i in ids if i in documents])

    def sentence_similarities(self, query: FloatMatrix, ids: list[int]) -> dict[int, float]:
        """The best sentence cosine of each document that has sentence vectors."""
        _, sentences = self._indexes()
        wanted = [sentence_id(pk, n) for pk in ids for n in range(self._sentence_counts.get(pk, 0))]
        best: dict[int, float] = {}
        for chunk, score in sentences.similarities(query, wanted).items():
            owner = chunk // SENTENCE_SLOTS
            if score > best.get(owner, -2.0):
                best[owner] = score
        return best


SNAPSHOT_VERSION = 1
SNAPSHOT_META = "meta.json"
SNAPSHOT_SAMPLE = 64


def snapshot_folder(model: str) -> Path:
    """Where this database's vector snapshot for ``model`` lives (under the data folder)."""
    database = connection.settings_dict
    parts = (connection.vendor, database.get("HOST"), database.get("PORT"), database["NAME"])
    identity = "|".join(str(part) for part in parts)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(settings.DATA_DIR) / "vectors" / f"{model}-{digest}"


def _check_sample(documents: VectorIndex, model: str, seen_until: datetime) -> None:
    """Compare a sample of the snapshot's vectors with the rows (a re-created database, say).

    Rows embedded after the snapshot are left out: they are read anew in any case.
    """
    ids = documents.ids()
    if not len(ids):
        return
    picked = np.random.default_rng().choice(ids, size=min(SNAPSHOT_SAMPLE, len(ids)), replace=False)
    stored = dict(
        SearchDocument.objects.filter(
            pk__in=picked.tolist(), embedding_model=model, embedded_at__lte=seen_until
        )
        .exclude(embedding=None)
        .values_list("pk", "embedding")
    )
    for pk in picked.tolist():
        blob = stored.get(pk)
        saved = documents.get(pk)
        if blob is None or saved is None:
            continue  # deleted or waiting to be embedded again: read anew when it is
        vector = np.frombuffer(bytes(blob), dtype=np.float32)
        cosine = float(saved @ vector) / max(float(np.linalg.norm(vector)), 1e-12)
        if cosine < 0.999:
            raise ValueError(f"document {pk} has another vector in the database")


SENTENCE_SLOTS = 1024  # sentence vector id = document id * SENTENCE_SLOTS + sentence number


def sentence_id(document_id: int, number: int) -> int:
    return document_id * SENTENCE_SLOTS + number


process_vectors = ProcessVectors()


def save_vector_snapshot() -> bool:
    """Bring this process's vector index up to date and write its snapshot if it changed."""
    embedder = configured_embedder()
    if embedder is None:
        return False
    return process_vectors.synced(embedder).save_snapshot()
