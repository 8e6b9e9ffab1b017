"""What the ``schwarmdesk bench`` suites share: a throwaway database and a child process on it.

A bench measures in a child process (``python -m <module> _run <json>``) whose Django is set
up on a fresh database: a SQLite file in its own data folder under the bench's work folder, or
a database ``bench_<prefix>_<pid>`` created on a PostgreSQL server and dropped afterwards
(unless kept for profiling). The child prints its result as the last JSON line on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class BenchError(Exception):
    """The bench cannot run (missing data, database unreachable); the message says why."""


def database_with_name(url: str, name: str) -> str:
    """The PostgreSQL URL ``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.contextmanager
def throwaway_database(
    backend: str,
    *,
    prefix: str,
    work: Path,
    database_url: str,
    embedding_model: str = "none",
    keep: bool = False,
) -> Iterator[dict[str, str]]:
    """The environment of a child on a fresh database (and data folder, with its queue).

    Both are removed afterwards; with ``keep`` they stay, and ``WORK/kept-<backend>.json``
    holds the environment to reach them again.
    """
    work = work.resolve()
    data_dir = work / f"run-{backend}-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    environment = {
        "SCHWARMDESK_MODE": "demo",  # DEBUG off, as in production (no query log)
        "SCHWARMDESK_SECRET_KEY": secrets.token_urlsafe(40),
        "SCHWARMDESK_DATA_DIR": str(data_dir),
        "SCHWARMDESK_EMBEDDING_MODEL": embedding_model,
        "SCHWARMDESK_LOG_LEVEL": "warning",
        "DJANGO_SETTINGS_MODULE": "schwarmdesk.settings",
    }
    name = f"bench_{prefix}_{os.getpid()}"
    created = False
    try:
        if backend == "postgresql":
            import psycopg  # noqa: PLC0415 -- only for PostgreSQL runs
            from psycopg import sql  # noqa: PLC0415

            try:
                with psycopg.connect(database_url, autocommit=True) as admin:
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
                    )
                    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.Error as error:
                raise BenchError(f"PostgreSQL at {database_url}: {error}") from error
            created = True
            environment["SCHWARMDESK_DATABASE_URL"] = database_with_name(database_url, name)
        elif backend == "sqlite":
            environment["SCHWARMDESK_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
        else:
            raise BenchError(f"unknown backend {backend!r} (sqlite, postgresql)")
        yield environment
    finally:
        if keep:
            kept = work / f"kept-{backend}.json"
            kept.write_text(json.dumps(environment, indent=1), encoding="utf-8")
            print(
                f"{backend}: database and data folder kept; the environment is in {kept}",
                file=sys.stderr,
                flush=True,
            )
        else:
            if created:
                import psycopg  # noqa: PLC0415
                from psycopg import sql  # noqa: PLC0415

                with psycopg.connect(database_url, autocommit=True) as admin:
                    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                    admin.execute(drop.format(sql.Identifier(name)))
            shutil.rmtree(data_dir, ignore_errors=True)


def run_child(
    module: str, payload: dict[str, Any], environment: dict[str, str], *, label: str
) -> dict[str, Any]:
    """Run ``python -m module _run <payload as JSON>`` with ``environment`` added; its result is
    the last JSON line it prints (its progress goes to stderr, shown as it runs)."""
    completed = subprocess.run(  # noqa: S603 -- our own module, fixed arguments
        [sys.executable, "-m", module, "_run", json.dumps(payload)],
        env={**os.environ, **environment},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"the {label} run failed (exit {completed.returncode}); see above")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"the {label} run printed no result")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
