"""Embeddings: computed by the worker, stored on the index rows, searched in process memory.

Every process keeps a :class:`VectorIndex` of the stored vectors and brings it up to date before
each search by reading the rows embedded since it last looked. Rows that were deleted in the
meantime may linger in memory, but every hit is checked against the database (and the reader's
permissions) before it is returned, so they are never shown.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from schwarmdesk.search.models import Kind, SearchDocument
from schwarmdesk.search.vectors import VectorIndex
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
    """Embed rows that have no (current) embedding; returns how many were embedded."""
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
        vectors: dict[int, np.ndarray] = {}
        if query_like:
            encoded = embedder.encode_queries([document_text(d) for d in query_like])
            vectors.update({d.pk: encoded[i] for i, d in enumerate(query_like)})
        if passages:
            encoded = embedder.encode_passages([document_text(d) for d in passages])
            vectors.update({d.pk: encoded[i] for i, d in enumerate(passages)})
        now = timezone.now()
        with transaction.atomic():
            for document in pending:
                # Only rows whose text did not change meanwhile (still without embedding).
                SearchDocument.objects.filter(pk=document.pk, embedded_at__isnull=True).update(
                    embedding=vectors[document.pk].astype(np.float32).tobytes(),
                    embedding_model=embedder.name,
                    embedded_at=now,
                )
        done += len(pending)
        batches += 1
    if done:
        log.info("search.embedded documents=%s model=%s", done, embedder.name)
    return done


class ProcessVectors:
    """This process's vector index, synchronised from the database on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._model = ""
        self._seen_until: datetime | None = None
        self._seen_ids: set[int] = set()

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._seen_until = None
            self._seen_ids = set()

    def synced(self, embedder: Embedder) -> VectorIndex:
        with self._lock:
            if self._index is None or self._model != embedder.name:
                self._index = VectorIndex(embedder.dimension)
                self._model = embedder.name
                self._seen_until = None
                self._seen_ids = set()
            rows = SearchDocument.objects.filter(
                embedded_at__isnull=False, embedding_model=embedder.name
            )
            if self._seen_until is not None:
                rows = rows.filter(embedded_at__gte=self._seen_until)
            fresh = [
                (pk, bytes(blob), at)
                for pk, blob, at in rows.values_list("pk", "embedding", "embedded_at")
                if blob is not None and at is not None
            ]
            if fresh:
                ids = [pk for pk, _, _ in fresh]
                known = [pk for pk in ids if pk in self._seen_ids]
                if known:
                    self._index.remove(known)
                matrix = np.vstack([np.frombuffer(blob, dtype=np.float32) for _, blob, _ in fresh])
                self._index.add(ids, matrix)
                self._seen_ids.update(ids)
                self._seen_until = max(at for _, _, at in fresh)
            return self._index


process_vectors = ProcessVectors()
