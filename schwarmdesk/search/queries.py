"""Searching: one entry point for the help center, the community, the inbox and the bot.

Who may see what (checked in the database query itself, never after the fact):
* anonymous visitors and customers: public documents only (published articles, visible posts);
* agents: public documents and agent-only documents (conversations) of their teams or of no team;
* administrators (superusers): everything.
Internal notes are never indexed at all.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from schwarmdesk.search.fusion import DEFAULT_PARAMS, FusionInput, fuse
from schwarmdesk.search.indexing import index_splitter
from schwarmdesk.search.lexical import SqlFilter, query_terms, scores_for, top_matches
from schwarmdesk.search.models import Audience, SearchDocument
from schwarmdesk.search.semantic import (
    QUERY_ENCODED_KINDS,
    FloatMatrix,
    configured_embedder,
    process_vectors,
)
from schwarmdesk.text.analysis import QUERY_CONFIDENCE, analyze_query
from schwarmdesk.text.embeddings import Embedder
from schwarmdesk.text.language import detect_language

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
OVERFETCH = 2  # lexical matches fetched per candidate needed, before the permission filter
# The query embedding (C code, without the GIL) runs on this pool while the lexical side reads
# the database: on two cores the embedding's time mostly hides behind the SQL.
_embedding_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="query-embedding")
# The same text is often searched several times within seconds (triage, the answer bot, the
# duplicate finder and the inbox's similar cases all look up one new message): its vector is
# kept for the next lookup.
QUERY_VECTOR_CACHE = 512
_query_vectors: OrderedDict[tuple[str, str], FloatMatrix] = OrderedDict()
_query_vectors_lock = threading.Lock()


def _remembered_vector(model: str, text: str) -> FloatMatrix | None:
    with _query_vectors_lock:
        vector = _query_vectors.get((model, text))
        if vector is not None:
            _query_vectors.move_to_end((model, text))
        return vector


def _start_encoding(embedder: Embedder, text: str) -> Future[FloatMatrix]:
    """The query's vector: remembered, or being encoded on the pool while the caller goes on."""
    known = _remembered_vector(embedder.name, text)
    if known is None:
        return _embedding_pool.submit(_encode_query, embedder, text)
    done: Future[FloatMatrix] = Future()
    done.set_result(known)
    return done


def _encode_query(embedder: Embedder, text: str) -> FloatMatrix:
    vector = embedder.encode_queries([text])
    vector.flags.writeable = False  # shared between searches
    with _query_vectors_lock:
        _query_vectors[(embedder.name, text)] = vector
        while len(_query_vectors) > QUERY_VECTOR_CACHE:
            _query_vectors.popitem(last=False)
    return vector


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    title: str
    snippet: str
    url: str
    language: str
    score: float


def sees_public_only(reader: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Anonymous visitors, customers and inactive accounts: public documents only."""
    if reader is None or not reader.is_authenticated or not reader.is_active:
        return True
    if getattr(reader, "is_superuser", False):
        return False
    return getattr(reader, "agent", None) is None


def visible_to(reader: AbstractBaseUser | AnonymousUser | None) -> Q:
    """The documents a reader may see, as a filter on SearchDocument."""
    public = Q(audience=Audience.PUBLIC)
    if sees_public_only(reader):
        return public
    if getattr(reader, "is_superuser", False):
        return Q()
    agent = getattr(reader, "agent", None)
    if agent is None:
        return public
    team_ids = list(agent.teams.values_list("pk", flat=True))
    return public | (
        Q(audience=Audience.AGENTS) & (Q(team_id__isnull=True) | Q(team_id__in=team_ids))
    )


def search(
    reader: AbstractBaseUser | AnonymousUser | None,
    text: str,
    *,
    kinds: Sequence[str] = (),
    language: str = "",
    category: str = "",
    tags: Sequence[str] = (),
    limit: int = 10,
) -> list[SearchHit]:
    """Hybrid search; returns at most ``limit`` hits the reader may see, best first."""
    text = text.strip()[:MAX_QUERY_CHARS]
    if not text:
        return []
    allowed = _allowed(reader, kinds, language, category)
    embedder = configured_embedder()
    encoding = None if embedder is None else _start_encoding(embedder, text)
    guess = detect_language(text)
    query_language = guess.code
    confident = guess.code if guess.confidence >= QUERY_CONFIDENCE else ""
    weighted = query_terms(_analysed(text, confident))
    depth = DEFAULT_PARAMS.candidates
    # Rank in the lexical and the vector index alone, then read the candidates the reader may
    # see in one query; only when the filter leaves too few lexical ones does the filtered
    # (slower) lexical read run.
    public_only = sees_public_only(reader)
    # the public postings of a reader who sees all public documents need no filter after them
    unfiltered = public_only and not (kinds or language or category)
    fetched = depth if unfiltered else depth * OVERFETCH
    ranked = top_matches(weighted, limit=fetched, public_only=public_only)
    nearest: list[tuple[int, float]] = []
    semantic_scores: dict[int, float] = {}
    sentence_scores: dict[int, float] = {}
    vectors = None
    query_vector = None
    if embedder is not None and encoding is not None:
        vectors = process_vectors.synced(embedder)
        query_vector = encoding.result()[0]
        nearest = vectors.nearest_documents(query_vector, depth * 2)
    rows = _candidate_rows(allowed, {pk for pk, _ in ranked} | {pk for pk, _ in nearest})
    lexical = [(pk, score) for pk, score in ranked if pk in rows][:depth]
    if len(lexical) < depth and len(ranked) == fetched and not unfiltered:
        allowed_sql, allowed_params = allowed.values("pk").query.sql_with_params()
        permitted = SqlFilter(f"d.id IN ({allowed_sql})", tuple(allowed_params))
        lexical = top_matches(weighted, limit=depth, where=permitted, public_only=public_only)
        rows.update(_candidate_rows(allowed, {pk for pk, _ in lexical} - set(rows)))
    semantic = [(pk, score) for pk, score in nearest if pk in rows][:depth]
    documents = {pk: rows[pk] for pk in {pk for pk, _ in lexical} | {pk for pk, _ in semantic}}
    if tags:
        wanted = set(tags)
        documents = {pk: d for pk, d in documents.items() if wanted <= set(d.tags)}
    ids = sorted(documents)
    if vectors is not None and query_vector is not None:
        # every candidate gets its exact scores, whichever side found it
        semantic_scores = vectors.document_similarities(query_vector, ids)
        sentence_scores = vectors.sentence_similarities(query_vector, ids)
    lexical_found = {pk for pk, _ in lexical}
    lexical_scores = scores_for(weighted, [pk for pk in ids if pk not in lexical_found])
    fused = fuse(
        FusionInput(
            lexical=[(pk, s) for pk, s in lexical if pk in documents],
            semantic=[(pk, s) for pk, s in semantic if pk in documents],
            query_text=text,
            query_language=query_language or None,
            document_languages={pk: d.language for pk, d in documents.items()},
            quality={pk: d.quality for pk, d in documents.items()},
            lexical_scores=lexical_scores,
            semantic_scores=semantic_scores,
            chunk_scores=sentence_scores,
            question_ids=frozenset(
                pk for pk, d in documents.items() if d.kind in QUERY_ENCODED_KINDS
            ),
        )
    )[:limit]
    snippets = _snippets([pk for pk, _ in fused])
    hits = []
    for pk, score in fused:
        document = documents[pk]
        hits.append(
            SearchHit(
                kind=document.kind,
                object_id=document.object_id,
                title=document.title,
                snippet=snippets.get(pk, ""),
                url=document.url,
                language=document.language,
                score=score,
            )
        )
    return hits


def _allowed(
    reader: AbstractBaseUser | AnonymousUser | None,
    kinds: Sequence[str],
    language: str,
    category: str,
) -> QuerySet[SearchDocument]:
    allowed = SearchDocument.objects.filter(visible_to(reader))
    if kinds:
        allowed = allowed.filter(kind__in=list(kinds))
    if language:
        allowed = allowed.filter(language=language)
    if category:
        allowed = allowed.filter(category=category)
    return allowed


def _analysed(text: str, written_in: str = "") -> list[str]:
    """The query's terms in every language the index holds.

    Documents are analysed in their own language, so "router roaming" must meet German
    "Router" (rout) and English "roaming".  When the query's own language is known, its
    stopwords go in every analysis ("has", "my" are no German stopwords, but noise).
    """
    splitter = index_splitter()
    terms: list[str] = []
    for code, _name in settings.LANGUAGES:
        analysed = analyze_query(text, code, splitter=splitter, written_in=written_in)
        terms.extend(t for t in analysed if t not in terms)
    return terms


class _Candidate(NamedTuple):
    pk: int
    kind: str
    object_id: int
    title: str
    url: str
    language: str
    tags: list[str]
    quality: float


def _candidate_rows(allowed: QuerySet[SearchDocument], ids: set[int]) -> dict[int, _Candidate]:
    """What fusion and the hit list need of each candidate the reader may see (no body)."""
    if not ids:
        return {}
    fields = ("pk", "kind", "object_id", "title", "url", "language", "tags", "quality")
    return {row[0]: _Candidate(*row) for row in allowed.filter(pk__in=ids).values_list(*fields)}


SNIPPET_CHARS = 220


def _snippets(ids: list[int]) -> dict[int, str]:
    """The beginning of each hit's text, read for the final hits only."""
    if not ids:
        return {}
    heads = (
        SearchDocument.objects.filter(pk__in=ids)
        .annotate(head=Substr("body", 1, SNIPPET_CHARS * 3))
        .values_list("pk", "head")
    )
    return {pk: _snippet(head or "") for pk, head in heads}


def _snippet(body: str, length: int = SNIPPET_CHARS) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"
