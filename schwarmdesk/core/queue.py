"""The background queue: SqliteHuey embedded, RedisHuey when SCHWARMDESK_REDIS_URL is set.

The database stays the source of truth; the queue only wakes workers, so a lost queue entry
delays work but never loses it.
"""

from __future__ import annotations

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey


def make_huey(
    *, name: str, redis_url: str | None, sqlite_path: Path, immediate: bool = False
) -> Huey:
    if redis_url is not None:
        return RedisHuey(name, url=redis_url, immediate=immediate)
    return SqliteHuey(name, filename=str(sqlite_path), immediate=immediate)


def get_huey() -> Huey:
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415 -- needs configured settings

    huey: Huey = HUEY
    return huey


def check_queue(huey: Huey) -> int:
    """Return the number of waiting tasks; raise if the queue's storage cannot be reached."""
    size: int = huey.storage.queue_size()
    return size
