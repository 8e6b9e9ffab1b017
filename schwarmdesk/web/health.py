"""Health checks: the database and the queue must both answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError, connections
from huey import Huey

from schwarmdesk.core.queue import check_queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    is_ok: bool
    detail: str


def check_database(alias: str = "default") -> CheckResult:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, OSError) as error:
        log.warning("health.database_failed error=%s", type(error).__name__)
        connections[alias].close()
        return CheckResult("database", is_ok=False, detail=type(error).__name__)
    return CheckResult("database", is_ok=True, detail=connections[alias].vendor)


def check_worker_queue(huey: Huey) -> CheckResult:
    try:
        waiting = check_queue(huey)
    except Exception as error:  # any backend failure (sqlite, redis) means "not healthy"
        log.warning("health.queue_failed error=%s", type(error).__name__)
        return CheckResult("queue", is_ok=False, detail=type(error).__name__)
    backend = type(huey.storage).__name__
    return CheckResult("queue", is_ok=True, detail=f"{backend}, {waiting} waiting")
