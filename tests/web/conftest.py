"""Browser fixtures: Playwright (sync API) driving Debian's Chromium at /usr/bin/chromium.

Playwright's own browser download is never used (no ``playwright install``): the tests need the
system package (``apt-get install chromium``). Without it a browser test is skipped loudly, and
fails under CI=true, where a skipped browser test would hide a broken set-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from tests.web.browser import PageProblems

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # the tests may run as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = (
        f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM}. "
        "Install Debian's package with `apt-get install -y chromium` "
        "(never `playwright install`)."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def playwright(live_server: LiveServer) -> Iterator[Playwright]:
    """Playwright, started after the live server and its transactional database.

    Depending on ``live_server`` orders the teardown: the browser stops before the database is
    flushed. While Playwright runs, database work belongs in ``outside_browser_loop``.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture
def browser(playwright: Playwright, tmp_path: Path) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, f"--disk-cache-dir={tmp_path / 'cache'}"],
        env={**os.environ, "HOME": str(tmp_path)},  # a fresh profile, crash dumps and caches
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh context (cookies, storage) per test; German is the browser's language."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser_context: BrowserContext, page_problems: PageProblems) -> Iterator[Page]:
    opened = browser_context.new_page()
    page_problems.watch(opened)
    try:
        yield opened
    finally:
        opened.close()
