"""Writing to the search index. Called by other apps' actions inside their own transaction, so
the index never lags behind, and never keeps what was deleted or hidden."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from schwarmdesk.search.lexical import (
    DocumentTerms,
    delete_postings,
    encode_terms,
    set_public,
    term_frequencies,
    write_postings,
)
from schwarmdesk.search.models import Audience, Kind, SearchDocument
from schwarmdesk.text.analysis import analyze
from schwarmdesk.text.compounds import CompoundSplitter, default_splitter
from schwarmdesk.text.language import detect_language

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 20_000

_splitter_lock = threading.Lock()
_splitter: CompoundSplitter | None = None


def index_splitter() -> CompoundSplitter:
    """The compound splitter over the index's own vocabulary (seeded, grows as text is indexed)."""
    global _splitter  # noqa: PLW0603 -- one lazily built splitter per process
    with _splitter_lock:
        if _splitter is None:
            _splitter = default_splitter()
        return _splitter


@dataclass(frozen=True)
class IndexEntry:
    kind: str
    object_id: int
    audience: str
    title: str
    body: str = ""
    language: str = ""
    url: str = ""
    team_id: int | None = None
    category: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    quality: float = 0.0


def analyze_for_index(text: str, language: str) -> str:
    splitter = index_splitter()
    return encode_terms(analyze(text, language or None, splitter=splitter))


def index_document(entry: IndexEntry) -> SearchDocument:
    """Create or replace the index entry of one object, in the caller's transaction."""
    if entry.kind not in Kind.values:
        raise ValueError(f"unknown search kind {entry.kind!r}")
    if entry.audience not in Audience.values:
        raise ValueError(f"unknown audience {entry.audience!r}")
    body = entry.body[:MAX_BODY_CHARS]
    language = entry.language or detect_language(f"{entry.title}\n{body}").code
    index_splitter().add(f"{entry.title} {body}".split())
    title_terms = analyze_for_index(entry.title, language)
    body_terms = analyze_for_index(body, language)
    with transaction.atomic():
        document, created = SearchDocument.objects.select_for_update().get_or_create(
            kind=entry.kind,
            object_id=entry.object_id,
            defaults={"audience": entry.audience, "title": entry.title[:500]},
        )
        # the embedding depends on the text itself (not on the terms, which move with the
        # splitter's growing vocabulary)
        text_changed = created or document.title != entry.title[:500] or document.body != body
        audience_changed = not created and document.audience != entry.audience
        document.audience = entry.audience
        document.team_id = entry.team_id
        document.language = language
        document.title = entry.title[:500]
        document.body = body
        document.url = entry.url[:500]
        document.category = entry.category[:100]
        document.tags = sorted(entry.tags)
        document.quality = entry.quality
        terms_changed = (
            created or document.title_terms != title_terms or document.body_terms != body_terms
        )
        document.title_terms = title_terms
        document.body_terms = body_terms
        frequencies, length = term_frequencies(title_terms, body_terms)
        document.term_count = length
        if text_changed:
            document.embedding = None
            document.embedded_at = None
            document.embedding_model = ""
        document.save()
        public = entry.audience == Audience.PUBLIC
        if terms_changed:
            write_postings(
                [DocumentTerms(document.pk, frequencies, length, public)], replace=not created
            )
        elif audience_changed:
            set_public(document.pk, public)
        if text_changed:
            transaction.on_commit(_queue_embedding)
    return document


def remove_document(kind: str, object_id: int) -> bool:
    """Remove an object from the index (deleted, hidden, unpublished). True if it was there."""
    return delete_documents(SearchDocument.objects.filter(kind=kind, object_id=object_id)) > 0


def delete_documents(documents: QuerySet[SearchDocument]) -> int:
    """Delete index entries with their postings (and the terms' document counts moved)."""
    with transaction.atomic():
        ids = list(documents.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        delete_postings(ids)
        SearchDocument.objects.filter(pk__in=ids).delete()
    return len(ids)


def _queue_embedding() -> None:
    from schwarmdesk.search.tasks import embed_pending_task  # noqa: PLC0415

    embed_pending_task()
