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
    encoded = sorted({encode_term(t) for t in terms if t})
    encoded = [t for t in encoded if t]
    if not encoded:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " | ".join(encoded)
            cursor.execute(
                f"SELECT d.id, ts_rank_cd(d.terms_tsv, q, 1) AS score "  # noqa: S608 -- fixed names
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
