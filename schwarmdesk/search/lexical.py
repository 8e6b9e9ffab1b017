"""The database's full-text index over analysed terms: SQLite FTS5 or PostgreSQL tsvector.

Terms come from :mod:`schwarmdesk.text.analysis` (one analyser for both back ends). Each term is
encoded to plain ``[a-z0-9]`` so that neither FTS5's nor PostgreSQL's tokenizer splits it again
(``e-1043`` stays one term) and no query can inject full-text syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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
    return [t for t in sorted({encode_term(term) for term in terms if term}) if t]


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
