"""/health answers 200 only when the database and the queue both work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from huey import Huey
from huey.storage import RedisStorage

from tests.conftest import require_service
from tests.core.queues import closed_port, redis_url_for_tests, use_redis_queue


@contextmanager
def unreachable_database() -> Iterator[None]:
    """Point the default connection at a database that cannot be reached, then restore it."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/schwarmdesk.sqlite3"
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db
def test_health_is_ok_when_database_and_queue_work(client: Client, real_queue: Huey) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": connection.vendor}
    assert body["checks"]["queue"] == {"ok": True, "detail": "SqliteStorage, 0 waiting"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True)
def test_health_fails_when_database_is_unreachable(client: Client, real_queue: Huey) -> None:
    with unreachable_database():
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {"ok": False, "detail": "OperationalError"}
    assert body["checks"]["queue"]["ok"] is True


@pytest.mark.django_db
def test_health_fails_when_queue_is_unreachable(client: Client, real_queue: Huey) -> None:
    real_queue.storage = RedisStorage("unreachable", url=f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"] == {"ok": False, "detail": "ConnectionError"}


@pytest.mark.django_db
def test_health_is_ok_on_redis_queue(client: Client, real_queue: Huey) -> None:
    redis_url = redis_url_for_tests()
    if redis_url is None:
        require_service("no Redis for the RedisHuey health test (set SCHWARMDESK_TEST_REDIS_URL)")
    assert redis_url is not None
    use_redis_queue(real_queue, redis_url)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"]["queue"] == {"ok": True, "detail": "RedisStorage, 0 waiting"}
