"""The community in a real browser: search before asking, posting anyway, an answer from
another customer, and the asker accepting it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.community import actions
from schwarmdesk.community.models import Question
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser


def make_community() -> tuple[User, User]:
    carol = User.objects.create_user(username="carol", first_name="Carol", last_name="Clausen")
    dave = User.objects.create_user(username="dave", first_name="Dave", last_name="Dorn")
    erik = User.objects.create_user(username="erik", first_name="Erik", last_name="Ehlers")
    category = actions.create_category(None, name="Internet & Router", slug="internet-router")
    actions.post_question(
        erik,
        category=category,
        title="Router blinkt rot, kein Internet",
        body="Die Info-LED meiner Nordbox 7 blinkt rot.",
    )
    return carol, dave


def session_cookie(user: User, url: str) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def log_in(context: BrowserContext, user: User, url: str) -> None:
    context.clear_cookies()
    context.add_cookies([outside_browser_loop(session_cookie, user, url)])  # type: ignore[list-item]


def test_ask_answer_accept(
    live_server: LiveServer,
    browser_context: BrowserContext,
    page: Page,
    page_problems: PageProblems,
) -> None:
    from playwright.sync_api import expect

    # given an existing question about a red router light, and Carol logged in
    carol, dave = outside_browser_loop(make_community)
    log_in(browser_context, carol, live_server.url)

    # when Carol types her question's title
    page.goto(f"{live_server.url}/community/ask/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Die Community fragen")
    page.get_by_role("textbox", name="Ihre Frage").press_sequentially("Router blinkt rot")

    # then the similar question appears below, without a page load
    suggestions = page.locator("#suggestions")
    expect(suggestions.get_by_role("link", name="Router blinkt rot, kein Internet")).to_be_visible()
    expect(suggestions.get_by_role("button", name="Das beantwortet meine Frage")).to_be_visible()
    assert page.url == f"{live_server.url}/community/ask/"

    # when it does not fit and she posts anyway
    page.get_by_role("textbox", name="Ihre Frage").fill("Router blinkt rot nach dem Gewitter")
    page.get_by_label("Details (optional)").fill("Seit dem Gewitter gestern blinkt es **rot**.")
    page.get_by_label("Kategorie").select_option("internet-router")
    page.get_by_role("button", name="Frage veröffentlichen").click()

    # then her question is public
    expect(page.get_by_role("heading", level=1)).to_have_text("Router blinkt rot nach dem Gewitter")
    question_url = page.url
    expect(page.locator("#question .post__body strong")).to_have_text("rot")

    # when Dave answers it
    log_in(browser_context, dave, live_server.url)
    page.goto(question_url)
    page.get_by_label("Antwort", exact=True).fill(
        "Stecker der Nordbox 7 ziehen, 30 Sekunden warten."
    )
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(page.get_by_role("heading", name="1 Antwort")).to_be_visible()

    # and Carol accepts the answer
    log_in(browser_context, carol, live_server.url)
    page.goto(question_url)
    page.get_by_role("button", name="Diese Antwort akzeptieren").click()

    # then the question is solved with the accepted answer first
    expect(page.locator("#question .badge--solved")).to_have_text("Gelöst")
    first = page.locator(".answers .post--answer").first
    expect(first.locator(".post__label--accepted")).to_have_text("✓ Akzeptierte Antwort")
    expect(first.locator(".author__name")).to_have_text("Dave D.")
    expect(page.get_by_role("button", name="Diese Antwort akzeptieren")).to_have_count(0)
    question = outside_browser_loop(
        Question.objects.get, title="Router blinkt rot nach dem Gewitter"
    )
    assert (question.status, question.answer_count) == ("solved", 1)

    # and nothing failed to load (htmx included), nothing logged an error
    assert page_problems.failed == []
    assert page_problems.console_errors == []
