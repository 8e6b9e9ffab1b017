"""What can be indexed: each app registers a source for its kind (in its AppConfig.ready()).

The search app never imports the apps whose content it indexes; ``schwarmdesk reindex`` walks
the sources registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from schwarmdesk.search.indexing import IndexEntry


@dataclass(frozen=True)
class IndexSource:
    kind: str
    # (after object id, batch size) -> the next objects in id order, each with its entry, or
    # None when that object must not be in the index (draft, hidden, ...).
    batch: Callable[[int, int], Sequence[tuple[int, IndexEntry | None]]]
    # every object of the kind, indexed or not (for the progress total and orphan removal)
    objects: Callable[[], QuerySet[Any]]


SOURCES: dict[str, IndexSource] = {}


def register(source: IndexSource) -> None:
    SOURCES[source.kind] = source
