"""A web-chat visitor and an agent chat live, in two real browsers, over real WebSockets.

pytest-django's live server speaks WSGI only, so this test serves the project's ASGI
application (``schwarmdesk.asgi``: HTTP and WebSockets) with uvicorn on a free loopback port,
in a thread of the test process: it shares the in-memory channel layer and the test database.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect

from schwarmdesk.channels.actions import configure_channel
from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Channel
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.people.models import Agent
from tests.channels.mail_servers import free_port
from tests.web.browser import PageProblems, outside_browser_loop
from tests.web.conftest import TIMEOUT_MS, browser, playwright  # noqa: F401 -- fixtures


@pytest.fixture
def asgi_url(transactional_db: None) -> Iterator[str]:
    # uvicorn's threads open connections of their own: with the production default (reused for
    # 60 s) they would outlive the test and keep PostgreSQL from dropping the test database.
    database = connections.settings["default"]
    kept_for = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            "schwarmdesk.asgi:application",  # the project's own: WhiteNoise serves the widget
            host="127.0.0.1",
            port=port,
            ws="websockets-sansio",
            lifespan="off",
            log_level="warning",
        )
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        database["CONN_MAX_AGE"] = kept_for


def new_context(browser: Browser) -> BrowserContext:  # noqa: F811 -- the fixture's value
    context = browser.new_context(locale="de-DE", viewport={"width": 1100, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_a_visitor_and_an_agent_chat_live(
    asgi_url: str,
    alice: Agent,  # before the browser: its fixtures write to the database
    browser: Browser,  # noqa: F811 -- the fixture
) -> None:
    # given a staffed web chat and Alice logged in (a session cookie made by Django's client)
    def given() -> tuple[Channel, str]:
        chat = configure_channel(
            None,
            kind=ChannelKind.WEB_CHAT,
            name="Website",
            secrets={},
            options={"availability": "always"},
        )
        client = Client()
        client.force_login(alice.user)
        return chat, client.cookies["sessionid"].value

    chat, session = outside_browser_loop(given)
    problems = PageProblems()
    visitor_context, agent_context = new_context(browser), new_context(browser)
    agent_context.add_cookies([{"name": "sessionid", "value": session, "url": asgi_url}])
    visitor, agent = visitor_context.new_page(), agent_context.new_page()
    problems.watch(visitor)
    problems.watch(agent)

    # when a visitor of the demo site opens the chat and writes
    visitor.goto(f"{asgi_url}/chat-demo/?lang=de")
    visitor.get_by_role("button", name="Chat").click()
    expect(visitor.get_by_role("heading", name="Chat mit dem Support")).to_be_visible()
    visitor.get_by_label("Ihre Nachricht").fill("Mein Router blinkt rot.")
    visitor.get_by_role("button", name="Senden").click()
    log = visitor.get_by_role("log")
    expect(log).to_contain_text("Mein Router blinkt rot.")

    # then the conversation is in the agent's inbox
    conversation = outside_browser_loop(Conversation.objects.get)
    assert (conversation.origin_channel, chat.kind) == (ChannelKind.WEB_CHAT, "web_chat")
    agent.goto(f"{asgi_url}/inbox/c/{conversation.pk}/")
    expect(agent.locator("#live")).to_contain_text("Mein Router blinkt rot.")
    expect(agent.locator("html[data-chat-live=watching]")).to_have_count(1)  # its socket is open

    # when the visitor writes again, the open conversation shows it without a reload or poll
    visitor.get_by_label("Ihre Nachricht").press_sequentially("Hallo?")
    expect(agent.locator("#chat-typing")).to_have_text("Der Kunde schreibt …")
    visitor.get_by_label("Ihre Nachricht").press("Enter")
    expect(agent.locator("#live")).to_contain_text("Hallo?", timeout=3_000)  # poll: 4 s

    # when the agent types and replies, the visitor sees the typing and then the reply live
    agent.locator("#reply-body").press_sequentially("Bitte ")
    expect(visitor.get_by_role("status")).to_have_text("Der Support schreibt …")
    agent.locator("#reply-body").press_sequentially("einmal neu starten.")
    agent.locator("#reply-form button[type=submit]").click()
    expect(log.locator("li").last).to_contain_text("Alice Albers")
    expect(log.locator("li").last).to_contain_text("Bitte einmal neu starten.")
    expect(log.locator("li")).to_have_count(3)

    # and after a reload the visitor (same cookie) sees the whole chat again
    visitor.reload()
    visitor.get_by_role("button", name="Chat").click()
    expect(visitor.get_by_role("log").locator("li")).to_have_count(3)
    assert problems.failed == []
    assert problems.console_errors == []
    visitor_context.close()
    agent_context.close()
