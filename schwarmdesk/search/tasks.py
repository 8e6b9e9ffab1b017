"""Background entry points for search."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no types
def embed_pending_task() -> int:
    from schwarmdesk.search.semantic import embed_pending  # noqa: PLC0415

    return embed_pending()
