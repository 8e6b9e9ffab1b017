"""The database's full-text index over analysed terms: SQLite FTS5 or PostgreSQL tsvector.

Terms come from :mod:`schwarmdesk.text.analysis` (one analyser for both back ends). Each term is
encoded to plain ``[a-z0-9]`` so that neither FTS5's nor PostgreSQL's tokenizer splits it again
(``e-1043`` stays one term) and no query can inject full-text syntax.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connection

_PLAIN = re.compile(r"[a-z0-9]")

# Column weights: a match in the title counts three times a match in the text.
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0

FTS_TABLE = "search_fts"
DOC_TABLE = "search_searchdocument"


def encode_term(term: str) -> str:
    return "".join(ch if _PLAIN.fullmatch(ch) else f"x{ord(ch):x}" for ch in term.lower())


def encode_terms(terms: Iterable[str]) -> str:
    return " ".join(encoded for encoded in (encode_term(t) for t in terms) if encoded)


@dataclass(frozen=True)
class SqlFilter:
    """A WHERE fragment over the document table aliased ``d``, with its parameters."""

    sql: str
    params: tuple[Any, ...]


def lexical_candidates(
    terms: Sequence[str], where: SqlFilter, *, limit: int
) -> list[tuple[int, float]]:
    """Return (document id, score) for documents matching any term; higher score is better."""
    encoded = _encoded_query(terms)
    if not encoded:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " | ".join(encoded)
            cursor.execute(
                f"SELECT d.id, ts_rank(d.terms_tsv, q) AS score "  # noqa: S608 -- fixed names
                f"FROM {DOC_TABLE} d, to_tsquery('simple', %s) q "
                f"WHERE d.terms_tsv @@ q AND ({where.sql}) "
                f"ORDER BY score DESC, d.id LIMIT %s",
                [query, *where.params, limit],
            )
            return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
        match = " OR ".join(f'"{t}"' for t in encoded)
        cursor.execute(
            f"SELECT d.id, -bm25({FTS_TABLE}, %s, %s) AS score "  # noqa: S608 -- fixed names
            f"FROM {FTS_TABLE} JOIN {DOC_TABLE} d ON d.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND ({where.sql}) "
            f"ORDER BY score DESC, d.id LIMIT %s",
            [TITLE_WEIGHT, BODY_WEIGHT, match, *where.params, limit],
        )
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def _encoded_query(terms: Sequence[str]) -> list[str]:
    encoded = [t for t in sorted({encode_term(term) for term in terms if term}) if t]
    return prune_frequent(encoded)


# A term in more than this share of all documents says little about any of them but makes the
# database rank a large part of the index (measured by `schwarmdesk bench search`).
FREQUENT_SHARE = 0.1
KEEP_AT_LEAST = 2
STATS_SECONDS = 60.0
MIN_DOCUMENTS_FOR_PRUNING = 1000

_stats_lock = threading.Lock()
_stats: dict[str, tuple[float, Any]] = {}
T = TypeVar("T")


def _cached(key: str, compute: Callable[[], T]) -> T:
    with _stats_lock:
        hit = _stats.get(key)
        if hit is not None and time.monotonic() - hit[0] < STATS_SECONDS:
            return cast(T, hit[1])
    value = compute()
    with _stats_lock:
        _stats[key] = (time.monotonic(), value)
    return value


def _document_count() -> int:
    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {DOC_TABLE}")  # noqa: S608 -- fixed name
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    return _cached(f"{connection.alias}:count", count)


def _postgresql_frequencies() -> dict[str, float]:
    """Shares of documents per frequent lexeme, from the planner's statistics (ANALYZE)."""

    def read() -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = %s AND attname = 'terms_tsv'",
                [DOC_TABLE],
            )
            row = cursor.fetchone()
        if not row or row[0] is None:
            return {}
        return {str(term): float(share) for term, share in zip(row[0], row[1], strict=False)}

    return _cached(f"{connection.alias}:pg_freq", read)


def document_shares(encoded: Sequence[str]) -> dict[str, float]:
    """For each encoded term, the share of documents that contain it (absent terms: 0)."""
    if connection.vendor == "postgresql":
        known = _postgresql_frequencies()
        return {term: known.get(term, 0.0) for term in encoded}
    total = _document_count()
    if total == 0:
        return dict.fromkeys(encoded, 0.0)
    placeholders = ", ".join(["%s"] * len(encoded))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM search_fts_vocab WHERE term IN ({placeholders})",  # noqa: S608
            list(encoded),
        )
        counts = {str(term): int(doc) for term, doc in cursor.fetchall()}
    return {term: counts.get(term, 0) / total for term in encoded}


def prune_frequent(encoded: list[str]) -> list[str]:
    """Leave out terms most documents hold; always keep the rarest few."""
    if len(encoded) <= KEEP_AT_LEAST or _document_count() < MIN_DOCUMENTS_FOR_PRUNING:
        return encoded
    shares = document_shares(encoded)
    by_rarity = sorted(encoded, key=lambda term: (shares[term], term))
    kept = [t for t in by_rarity if shares[t] <= FREQUENT_SHARE] or by_rarity[:KEEP_AT_LEAST]
    if len(kept) < KEEP_AT_LEAST:
        kept = by_rarity[:KEEP_AT_LEAST]
    return sorted(kept)


def ranked_matches(terms: Sequence[str], *, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` documents for any of the terms, ranked by the full-text index alone.

    No permission filter: the caller filters these ids (cheap) and falls back to
    :func:`lexical_candidates` when too few are left.
    """
    encoded = _encoded_query(terms)
    if not encoded:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT d.id, ts_rank(d.terms_tsv, q) AS score "  # noqa: S608 -- fixed names
                f"FROM {DOC_TABLE} d, to_tsquery('simple', %s) q WHERE d.terms_tsv @@ q "
                f"ORDER BY score DESC, d.id LIMIT %s",
                [" | ".join(encoded), limit],
            )
        else:
            cursor.execute(
                f"SELECT rowid, -bm25({FTS_TABLE}, %s, %s) AS score FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY score DESC, rowid LIMIT %s",
                [TITLE_WEIGHT, BODY_WEIGHT, " OR ".join(f'"{t}"' for t in encoded), limit],
            )
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def scores_for(terms: Sequence[str], ids: Sequence[int]) -> dict[int, float]:
    """The lexical score of the given documents (0 for those that match no term)."""
    encoded = _encoded_query(terms)
    if not encoded or not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT d.id, ts_rank(d.terms_tsv, q) FROM {DOC_TABLE} d, "  # noqa: S608
                f"to_tsquery('simple', %s) q WHERE d.id IN ({placeholders}) AND d.terms_tsv @@ q",
                [" | ".join(encoded), *ids],
            )
        else:
            cursor.execute(
                f"SELECT rowid, -bm25({FTS_TABLE}, %s, %s) FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
                [TITLE_WEIGHT, BODY_WEIGHT, " OR ".join(f'"{t}"' for t in encoded), *ids],
            )
        return {int(row[0]): float(row[1]) for row in cursor.fetchall()}
