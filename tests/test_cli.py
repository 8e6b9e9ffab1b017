"""The `schwarmdesk` command as a person uses it: demo, serve and their failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.queues import closed_port

REPO = Path(__file__).resolve().parents[1]


def clean_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHWARMDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["SCHWARMDESK_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def read_until(process: subprocess.Popen[str], *markers: str) -> str:
    """Read the process's output until every marker has appeared (or the process ends)."""
    seen: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        text = "".join(seen)
        if all(marker in text for marker in markers):
            return text
    pytest.fail("process ended before printing " + repr(markers) + ":\n" + "".join(seen))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "schwarmdesk", "demo", "--port", str(port)],
        env=clean_environment(tmp_path),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = read_until(
            process,
            "Uvicorn running on",
            "+ schwarmdesk.conversations.tasks.recompute_counters_task",  # the worker is up
        )
        yield process, port, output
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_demo_serves_landing_page_and_health_with_a_worker(
    demo: tuple[subprocess.Popen[str], int, str], tmp_path: Path
) -> None:
    process, port, output = demo
    # the URL and logins are printed
    assert f"Schwarmdesk is running at http://127.0.0.1:{port}/" in output
    assert "Log in:" in output
    # the landing page and the health check answer
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        assert response.status == 200
        assert "Schwarmdesk" in response.read().decode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
        assert response.status == 200
    # the embedded default: SQLite in WAL mode and the queue in the data directory
    header = (tmp_path / "schwarmdesk.sqlite3").read_bytes()[:100]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[18:20] == b"\x02\x02"  # file format versions 2 = write-ahead log
    assert (tmp_path / "queue.sqlite3").exists()
    assert process.poll() is None


def test_serve_in_production_without_secret_explains_and_exits(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schwarmdesk", "serve", "--port", str(closed_port())],
        env=clean_environment(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "configuration error: SCHWARMDESK_SECRET_KEY" in result.stderr


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schwarmdesk", "--help"],
        env=clean_environment(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("demo", "serve", "worker", "manage"):
        assert command in result.stdout
