"""Helpers for tests that talk to a real queue and a real worker process."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from huey import Huey
from huey.storage import RedisStorage

REPO = Path(__file__).resolve().parents[2]


def redis_url_for_tests() -> str | None:
    return os.environ.get("SCHWARMDESK_TEST_REDIS_URL") or None


def use_redis_queue(huey: Huey, url: str) -> str:
    """Point the queue at Redis under a name no other test run uses; return the name."""
    name = f"schwarmdesk-test-{uuid.uuid4().hex[:12]}"
    huey.storage = RedisStorage(name, url=url)
    return name


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def database_url_of_test_database() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(str(params.get("USER") or ""))
    password = quote(str(params.get("PASSWORD") or ""))
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgresql://{credentials}{host}:{port}/{params['NAME']}"


def worker_environment(
    *, redis_url: str | None = None, queue_name: str | None = None
) -> dict[str, str]:
    """Environment for a `schwarmdesk worker` process that shares this test's database and queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHWARMDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SCHWARMDESK_MODE="development",
        SCHWARMDESK_SECRET_KEY=settings.SECRET_KEY,
        SCHWARMDESK_DATA_DIR=str(settings.DATA_DIR),
        SCHWARMDESK_DATABASE_URL=database_url_of_test_database(),
        SCHWARMDESK_QUEUE_NAME=queue_name or settings.QUEUE_NAME,
        PYTHONPATH=str(REPO),
    )
    if redis_url is not None:
        env["SCHWARMDESK_REDIS_URL"] = redis_url
    return env


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "schwarmdesk",
        "worker",
        "--threads",
        "1",
        "--poll-delay",
        "0.05",
        "--max-poll-delay",
        "0.2",
    ]
