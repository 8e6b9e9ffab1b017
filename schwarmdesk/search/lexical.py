"""The lexical index in the database: impact-ordered postings, the same on SQLite and PostgreSQL.

Terms come from :mod:`schwarmdesk.text.analysis` (one analyser for both back ends) and are
encoded to plain ``[a-z0-9]`` (``e-1043`` stays one term, no query can inject syntax). Each
document's terms are written with the document, in its transaction: a :class:`Term` row per
distinct term (with the number of documents holding it, for idf) and a :class:`Posting` per
(document, term) holding BM25's term-frequency part, precomputed::

    impact = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average_length))
    score(document) = sum over query terms of idf(term) * impact(term, document)

with Lucene's idf ``ln(1 + (N - n + 0.5) / (n + 0.5))``, ``k1`` = 1.2, ``b`` = 0.75, and a
title term counting three times (tf and length). The average length is the index's average
when the document is written (read at most once a minute), so a posting's impact does not move
when other documents change.

Why not FTS5's ``bm25()`` or PostgreSQL's ``ts_rank``: both score *every* document that holds
a query term before the best ten can be picked, which at a million documents costs a second.
With postings ordered by impact (index ``term, impact DESC``) a query reads only the best few
hundred postings of each term, sums them, and then scores that short candidate list exactly
(primary key ``document, term``).  The result is BM25 over the top of each term's list: a
document that ranks nowhere near the top for any single term can be missed, which the
semantic side and the exact rescoring of every candidate make up for.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, connections

log = logging.getLogger(__name__)
_PLAIN = re.compile(r"[a-z0-9]")

K1 = 1.2
B = 0.75
# A match in the title counts three times a match in the text.
TITLE_WEIGHT = 3.0
MAX_TERM_CHARS = 200
MIN_IDF = 1e-3

DOC_TABLE = "search_searchdocument"
TERM_TABLE = "search_term"
POSTING_TABLE = "search_posting"
# SQLite allows 32,766 parameters per statement; stay well below for IN lists.
IN_CHUNK = 900


def encode_term(term: str) -> str:
    return "".join(ch if _PLAIN.fullmatch(ch) else f"x{ord(ch):x}" for ch in term.lower())


def encode_terms(terms: Iterable[str]) -> str:
    return " ".join(encoded for encoded in (encode_term(t) for t in terms) if encoded)


@dataclass(frozen=True)
class SqlFilter:
    """A WHERE fragment over the document table aliased ``d``, with its parameters."""

    sql: str
    params: tuple[Any, ...]


# ---------------------------------------------------------------------------------------------
# Statistics (cached per process for a minute: N and the average length move slowly)

STATS_SECONDS = 60.0
_stats_lock = threading.Lock()
_stats: dict[str, tuple[float, float]] = {}
T = TypeVar("T")


def _cached(key: str, compute: Callable[[], float]) -> float:
    """``compute()``, cached per process and database for a minute.

    Once a value exists, an expired one is still returned while a background thread computes
    the new one (``count(*)`` over a million rows takes a tenth of a second: no search waits
    for it).
    """
    key = f"{connection.alias}:{key}"
    with _stats_lock:
        hit = _stats.get(key)
        if hit is not None:
            if time.monotonic() - hit[0] >= STATS_SECONDS and key not in _refreshing:
                _refreshing.add(key)
                threading.Thread(
                    target=_refresh, args=(key, connection.alias, compute), daemon=True
                ).start()
            return hit[1]
    value = compute()
    with _stats_lock:
        _stats[key] = (time.monotonic(), value)
    return value


_refreshing: set[str] = set()


def _refresh(key: str, alias: str, compute: Callable[[], float]) -> None:
    try:
        value = compute()  # on this thread's own connection
        with _stats_lock:
            _stats[key] = (time.monotonic(), value)
    except Exception:  # a failed refresh keeps the old value; the next search tries again
        log.exception("search.statistics_refresh_failed key=%s", key)
    finally:
        with _stats_lock:
            _refreshing.discard(key)
        connections[alias].close()


def clear_statistics() -> None:
    """Forget the cached document count and average length (tests, bulk loads)."""
    with _stats_lock:
        _stats.clear()


def _scalar(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def document_count() -> int:
    return int(_cached("count", lambda: _scalar(f"SELECT count(*) FROM {DOC_TABLE}")))  # noqa: S608


def average_length() -> float:
    """The average weighted length of the indexed documents (0.0 for an empty index)."""
    return _cached(
        "average",
        lambda: _scalar(f"SELECT avg(term_count) FROM {DOC_TABLE} WHERE term_count > 0"),  # noqa: S608
    )


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class DocumentTerms:
    """A document's weighted term frequencies, its weighted length and whether it is public."""

    document_id: int
    frequencies: dict[str, float]
    length: float
    public: bool = True


def term_frequencies(title_terms: str, body_terms: str) -> tuple[dict[str, float], float]:
    """Weighted frequencies of encoded terms (title x3) and the weighted length."""
    frequencies: dict[str, float] = {}
    for term in title_terms.split():
        if len(term) <= MAX_TERM_CHARS:
            frequencies[term] = frequencies.get(term, 0.0) + TITLE_WEIGHT
    for term in body_terms.split():
        if len(term) <= MAX_TERM_CHARS:
            frequencies[term] = frequencies.get(term, 0.0) + 1.0
    return frequencies, sum(frequencies.values())


def impact(frequency: float, length: float, average: float) -> float:
    norm = K1 * (1.0 - B + B * length / average) if average > 0 else K1
    return frequency * (K1 + 1.0) / (frequency + norm)


def idf(holding: int, total: int) -> float:
    return max(MIN_IDF, math.log(1.0 + (total - holding + 0.5) / (holding + 0.5)))


def _chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def term_ids(texts: Iterable[str], *, create: bool) -> dict[str, int]:
    """Ids of the given encoded terms; with ``create``, missing terms are added first."""
    wanted = sorted(set(texts))  # one order everywhere: concurrent writers lock rows alike
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(wanted):
            if create:
                cursor.executemany(
                    f"INSERT INTO {TERM_TABLE} (text, document_count) VALUES (%s, 0) "  # noqa: S608
                    "ON CONFLICT (text) DO NOTHING",
                    [(text,) for text in chunk],
                )
            cursor.execute(
                f"SELECT text, id FROM {TERM_TABLE} WHERE text IN ({_placeholders(len(chunk))})",  # noqa: S608
                list(chunk),
            )
            ids.update((str(text), int(pk)) for text, pk in cursor.fetchall())
    return ids


def _held_terms(document_ids: Sequence[int]) -> Counter[int]:
    """How many of the given documents hold each term (by term id)."""
    held: Counter[int] = Counter()
    with connection.cursor() as cursor:
        for chunk in _chunks(document_ids):
            cursor.execute(
                f"SELECT term_id, count(*) FROM {POSTING_TABLE} "  # noqa: S608
                f"WHERE document_id IN ({_placeholders(len(chunk))}) GROUP BY term_id",
                list(chunk),
            )
            held.update({int(term): int(count) for term, count in cursor.fetchall()})
    return held


def _move_document_counts(deltas: dict[int, int]) -> None:
    changes = sorted((term, delta) for term, delta in deltas.items() if delta)
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {TERM_TABLE} SET document_count = document_count + %s WHERE id = %s",  # noqa: S608
            [(delta, term) for term, delta in changes],
        )


def write_postings(documents: Sequence[DocumentTerms], *, replace: bool = True) -> None:
    """Write the postings of ``documents`` in the caller's transaction.

    With ``replace`` their earlier postings are removed first (an edited document); bulk
    loads of new documents pass ``replace=False``.
    """
    if not documents:
        return
    ids = [d.document_id for d in documents]
    deltas: Counter[int] = Counter()
    if replace:
        deltas.subtract(_held_terms(ids))
        _delete_rows(ids)
    average = average_length() or sum(d.length for d in documents) / len(documents)
    known = term_ids((t for d in documents for t in d.frequencies), create=True)
    rows = []
    for document in documents:
        for text, frequency in document.frequencies.items():
            term = known[text]
            value = impact(frequency, document.length, average)
            rows.append((document.document_id, term, value, document.public))
            deltas[term] += 1
    _insert_postings(rows)
    _move_document_counts(dict(deltas))


COPY_FROM = 1000  # rows from which PostgreSQL's COPY beats a batched INSERT


def _insert_postings(rows: list[tuple[int, int, float, bool]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            # psycopg's COPY protocol: several times faster for bulk loads and reindexing
            columns = f"COPY {POSTING_TABLE} (document_id, term_id, impact, public) FROM STDIN"
            with cursor.cursor.copy(columns) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {POSTING_TABLE} (document_id, term_id, impact, public) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            rows,
        )


def set_public(document_id: int, public: bool) -> None:
    """Move a document's postings to the other audience (its terms unchanged)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {POSTING_TABLE} SET public = %s WHERE document_id = %s",  # noqa: S608
            [public, document_id],
        )


def _delete_rows(document_ids: Sequence[int]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(document_ids):
            cursor.execute(
                f"DELETE FROM {POSTING_TABLE} "  # noqa: S608
                f"WHERE document_id IN ({_placeholders(len(chunk))})",
                list(chunk),
            )


def delete_postings(document_ids: Sequence[int]) -> None:
    """Remove the postings of documents about to be deleted, in the caller's transaction."""
    if not document_ids:
        return
    held = _held_terms(document_ids)
    _delete_rows(document_ids)
    _move_document_counts({term: -count for term, count in held.items()})


# ---------------------------------------------------------------------------------------------
# Querying


@dataclass(frozen=True)
class QueryTerm:
    id: int
    text: str
    weight: float  # idf, times how often the query holds the term


def query_terms(terms: Sequence[str]) -> list[QueryTerm]:
    """The analysed query's terms that the index holds, each with its idf weight."""
    encoded = (encode_term(term) for term in terms if term)
    counts = Counter(t for t in encoded if t and len(t) <= MAX_TERM_CHARS)
    if not counts:
        return []
    texts = sorted(counts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, text, document_count FROM {TERM_TABLE} "  # noqa: S608
            f"WHERE text IN ({_placeholders(len(texts))}) AND document_count > 0",
            texts,
        )
        rows = cursor.fetchall()
    total = max(document_count(), max((int(row[2]) for row in rows), default=0))
    return sorted(
        (
            QueryTerm(int(pk), str(text), counts[str(text)] * idf(int(holding), total))
            for pk, text, holding in rows
        ),
        key=lambda term: term.id,
    )


def _weights_table(terms: Sequence[QueryTerm]) -> tuple[str, list[Any]]:
    """The query terms and their weights as a ``w(term_id, weight)`` VALUES table."""
    rows = ", ".join(["(CAST(%s AS bigint), CAST(%s AS double precision))"] * len(terms))
    params: list[Any] = []
    for term in terms:
        params += [term.id, term.weight]
    return f"w(term_id, weight) AS (VALUES {rows})", params


def _exact_score(documents: str) -> str:
    """The exact score of ``documents.document_id`` over the ``w`` table: a subquery, so that
    both planners read the document's postings by the primary key (document, term)."""
    return (
        f"(SELECT sum(w.weight * p.impact) FROM {POSTING_TABLE} p "  # noqa: S608
        f"JOIN w ON w.term_id = p.term_id WHERE p.document_id = {documents}.document_id)"
    )


def top_matches(
    terms: Sequence[QueryTerm],
    *,
    limit: int,
    where: SqlFilter | None = None,
    public_only: bool = False,
) -> list[tuple[int, float]]:
    """The best ``limit`` documents for any of the terms, best first, as (id, score).

    Reads the ``limit`` highest-impact postings of each term (of public documents only with
    ``public_only``; only of documents passing ``where``, when given), sums them per document,
    and scores the best ``limit`` of those exactly over all query terms: one statement, one
    round trip.
    """
    if not terms or limit <= 0:
        return []
    weights_sql, params = _weights_table(terms)
    parts = []
    audiences = (True,) if public_only else (True, False)
    for term in terms:
        for public in audiences:
            if where is None:
                parts.append(
                    f"SELECT * FROM (SELECT document_id, term_id, impact FROM {POSTING_TABLE} "  # noqa: S608
                    "WHERE term_id = %s AND public = %s "
                    "ORDER BY impact DESC, document_id LIMIT %s) AS t"
                )
                params += [term.id, public, limit]
            else:
                parts.append(
                    f"SELECT * FROM (SELECT p.document_id, p.term_id, p.impact "  # noqa: S608
                    f"FROM {POSTING_TABLE} p JOIN {DOC_TABLE} d ON d.id = p.document_id "
                    f"WHERE p.term_id = %s AND p.public = %s AND ({where.sql}) "
                    "ORDER BY p.impact DESC, p.document_id LIMIT %s) AS t"
                )
                params += [term.id, public, *where.params, limit]
    params.append(limit)
    # The exact score is a subquery per best document, so both planners read that document's
    # postings by the primary key (document, term).  As a join, PostgreSQL (which cannot know
    # the terms' sizes behind the VALUES list) walked every posting of each query term:
    # 750 ms for a common term at a million documents.
    statement = (
        f"WITH {weights_sql}, top AS ({' UNION ALL '.join(parts)}), "  # noqa: S608
        "best AS (SELECT top.document_id AS document_id FROM top "
        "JOIN w ON w.term_id = top.term_id GROUP BY top.document_id "
        "ORDER BY sum(w.weight * top.impact) DESC, top.document_id LIMIT %s) "
        f"SELECT best.document_id, {_exact_score('best')} FROM best"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return sorted(
        ((int(pk), float(score)) for pk, score in rows), key=lambda hit: (-hit[1], hit[0])
    )


def scores_for(terms: Sequence[QueryTerm], ids: Sequence[int]) -> dict[int, float]:
    """The exact lexical score of each given document (0.0 where no term matches).

    One primary-key read (document, term) per document and query term, as a subquery per
    document: with ``document_id IN (...) AND term_id IN (...)`` both planners could choose the
    term index and walk every posting of a common term (PostgreSQL: 1-2 s at a million
    documents; SQLite needed a unary plus to keep off it).
    """
    scores = dict.fromkeys((int(pk) for pk in ids), 0.0)
    if not terms or not scores:
        return scores
    weights_sql, weight_params = _weights_table(terms)
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(scores), IN_CHUNK - len(weight_params)):
            documents = ", ".join(["(CAST(%s AS bigint))"] * len(chunk))
            cursor.execute(
                f"WITH {weights_sql}, d(document_id) AS (VALUES {documents}) "  # noqa: S608
                f"SELECT d.document_id, {_exact_score('d')} FROM d",
                [*weight_params, *chunk],
            )
            for document, value in cursor.fetchall():
                if value is not None:
                    scores[int(document)] = float(value)
    return scores
