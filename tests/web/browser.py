"""Helpers shared by the browser tests and their fixtures."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class PageProblems:
    """Everything that went wrong while a page was open: failed requests, console errors."""

    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("console", self._on_console)

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _on_request_failed(self, request: Request) -> None:
        # A request the page itself cancelled is no failure: leaving the page while a live
        # search (htmx) is still on its way aborts it, and so does htmx replacing it.
        if request.failure == "net::ERR_ABORTED":
            return
        self.failed.append(f"{request.failure} {request.url}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


def outside_browser_loop(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run database work of a browser test in a thread of its own and return its result.

    Playwright's sync API keeps an asyncio event loop running in the test's thread. Django then
    takes that thread for async code: it refuses ORM calls (SynchronousOnlyOperation), and with
    the check switched off it would open a second connection, bound to the loop's context, that
    nobody closes (PostgreSQL then cannot drop the test database). A plain thread has neither
    problem; its connections are closed when the work is done. The test's transactional
    database means the live server sees what the thread committed.
    """

    def work() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
