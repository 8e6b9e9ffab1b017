"""Background entry points for search."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def embed_pending_task() -> int:
    from schwarmdesk.search.semantic import embed_pending  # noqa: PLC0415

    return embed_pending()


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]  # huey ships no types
def save_vector_snapshot_task() -> bool:
    """Every ten minutes: the worker's vector index to disk, if it changed, so that a new web
    process starts from it in seconds instead of building the graph again."""
    from schwarmdesk.search.semantic import save_vector_snapshot  # noqa: PLC0415

    return save_vector_snapshot()
