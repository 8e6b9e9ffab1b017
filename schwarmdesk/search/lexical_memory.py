"""An in-memory BM25 index over analysed terms.

The production lexical index lives in the database (impact-ordered postings, see
:mod:`schwarmdesk.search.lexical`, fed with the same analysed terms and the same BM25); this
one is the reference used by ``schwarmdesk eval search`` and by tests, and it can score any
document for any query, which score-level fusion needs ("what is the lexical score of this
semantic candidate?").

Scoring is Lucene's BM25 (``k1`` = 1.2, ``b`` = 0.75, idf = ln(1 + (N - n + 0.5) / (n + 0.5))).
Postings are plain dicts; that is fast enough for the ~10k-document evaluation sets and keeps
incremental ``add``/``remove`` trivial.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


class MemoryBM25:
    """BM25 over ``int`` document ids and pre-analysed term lists; thread-safe."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, dict[int, int]] = {}
        self._lengths: dict[int, int] = {}
        self._total_length = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._lengths)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._lengths

    def add(self, doc_id: int, terms: Sequence[str]) -> None:
        """Index ``terms`` under ``doc_id``; replaces an earlier version of the same id."""
        with self._lock:
            if doc_id in self._lengths:
                self._remove_locked(doc_id)
            for term, count in Counter(terms).items():
                self._postings.setdefault(term, {})[doc_id] = count
            self._lengths[doc_id] = len(terms)
            self._total_length += len(terms)

    def remove(self, doc_id: int) -> None:
        """Forget ``doc_id``; unknown ids are ignored."""
        with self._lock:
            if doc_id in self._lengths:
                self._remove_locked(doc_id)

    def _remove_locked(self, doc_id: int) -> None:
        empty = []
        for term, postings in self._postings.items():
            if postings.pop(doc_id, None) is not None and not postings:
                empty.append(term)
        for term in empty:
            del self._postings[term]
        self._total_length -= self._lengths.pop(doc_id)

    def idf(self, term: str) -> float:
        count = len(self._postings.get(term, ()))
        total = len(self._lengths)
        return math.log(1.0 + (total - count + 0.5) / (count + 0.5))

    def _term_weights(self, terms: Iterable[str]) -> list[tuple[dict[int, int], float]]:
        # A repeated query term counts once per occurrence, as in Lucene.
        weights = []
        for term, count in Counter(terms).items():
            postings = self._postings.get(term)
            if postings:
                weights.append((postings, count * self.idf(term)))
        return weights

    def search(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents for the analysed query ``terms``, best first."""
        with self._lock:
            if not self._lengths:
                return []
            average = self._total_length / len(self._lengths)
            scores: dict[int, float] = {}
            for postings, weight in self._term_weights(terms):
                for doc_id, frequency in postings.items():
                    norm = self.k1 * (1.0 - self.b + self.b * self._lengths[doc_id] / average)
                    gain = weight * frequency * (self.k1 + 1.0) / (frequency + norm)
                    scores[doc_id] = scores.get(doc_id, 0.0) + gain
        if not scores:
            return []
        ids = np.fromiter(scores.keys(), dtype=np.int64, count=len(scores))
        values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        if len(ids) > k:
            top = np.argpartition(-values, k - 1)[:k]
            ids, values = ids[top], values[top]
        order = np.lexsort((ids, -values))
        return [(int(ids[i]), float(values[i])) for i in order]

    def score(self, terms: Sequence[str], doc_ids: Iterable[int]) -> dict[int, float]:
        """The BM25 score of each of ``doc_ids`` (0.0 where nothing matches)."""
        with self._lock:
            wanted = [doc_id for doc_id in doc_ids if doc_id in self._lengths]
            result = dict.fromkeys(wanted, 0.0)
            if not wanted:
                return result
            average = self._total_length / len(self._lengths)
            for postings, weight in self._term_weights(terms):
                for doc_id in wanted:
                    frequency = postings.get(doc_id)
                    if frequency:
                        norm = self.k1 * (1.0 - self.b + self.b * self._lengths[doc_id] / average)
                        result[doc_id] += weight * frequency * (self.k1 + 1.0) / (frequency + norm)
            return result
