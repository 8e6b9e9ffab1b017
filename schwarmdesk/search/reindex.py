"""Rebuild the search index from the content itself: resumable, in batches, with progress."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from schwarmdesk.search.indexing import delete_documents, index_document, remove_document
from schwarmdesk.search.models import SearchDocument
from schwarmdesk.search.registry import SOURCES

log = logging.getLogger(__name__)

BATCH = 200


def checkpoint_path() -> Path:
    return Path(settings.DATA_DIR) / "reindex-checkpoint.json"


def _read_checkpoint() -> dict[str, int]:
    try:
        data = json.loads(checkpoint_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_checkpoint(state: dict[str, int]) -> None:
    path = checkpoint_path()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(path)  # atomic: a crash leaves the old or the new checkpoint


Progress = Callable[[str, int, int], None]  # kind, done, total


def reindex(
    kinds: Iterable[str] = (),
    *,
    resume: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> dict[str, int]:
    """Re-analyse every object of the given kinds (all when empty); returns counts per kind.

    With ``resume`` it continues after the last batch a previous, interrupted run committed.
    Entries whose object no longer exists are removed at the end of each kind.
    """
    selected = list(kinds) or sorted(SOURCES)
    unknown = [kind for kind in selected if kind not in SOURCES]
    if unknown:
        raise ValueError(f"nothing to index for: {', '.join(unknown)}")
    state = _read_checkpoint() if resume else {}
    if not resume:
        _write_checkpoint(state)
    counts: dict[str, int] = {}
    for kind in selected:
        source = SOURCES[kind]
        total = source.objects().count()
        after = state.get(kind, 0)
        done = 0
        while True:
            batch = source.batch(after, batch_size)
            if not batch:
                break
            with transaction.atomic():
                for object_id, entry in batch:
                    if entry is None:
                        remove_document(kind, object_id)
                    else:
                        index_document(entry)
            after = batch[-1][0]
            done += len(batch)
            state[kind] = after
            _write_checkpoint(state)
            if progress is not None:
                progress(kind, done, total)
        removed = _remove_orphans(kind)
        if removed:
            log.info("search.reindex_orphans kind=%s removed=%s", kind, removed)
        counts[kind] = done
    checkpoint_path().unlink(missing_ok=True)
    return counts


def _remove_orphans(kind: str) -> int:
    indexed = set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True))
    if not indexed:
        return 0
    existing = set(SOURCES[kind].objects().values_list("pk", flat=True))
    orphans = indexed - existing
    if orphans:
        delete_documents(SearchDocument.objects.filter(kind=kind, object_id__in=list(orphans)))
    return len(orphans)
