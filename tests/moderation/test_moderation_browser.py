"""Flagging in a real browser: the flag form opens under the question and htmx swaps in the
thank-you without a page load; an agent then approves the post from the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.moderation.models import Decision, Flag
from schwarmdesk.people.actions import create_agent
from tests.community.test_community_browser import log_in, make_community
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser


def test_flag_and_approve(
    live_server: LiveServer,
    browser_context: BrowserContext,
    page: Page,
    page_problems: PageProblems,
) -> None:
    from playwright.sync_api import expect

    # given Erik's question and Dave logged in
    _carol, dave = outside_browser_loop(make_community)
    log_in(browser_context, dave, live_server.url)
    page.goto(f"{live_server.url}/community/")
    page.get_by_role("link", name="Router blinkt rot, kein Internet").click()
    question_url = page.url

    # when Dave flags it as spam
    flag = page.locator("#question details.flag")
    flag.get_by_text("Melden", exact=True).click()
    flag.get_by_label("Spam oder Werbung").check()
    flag.get_by_label("Erklärung (freiwillig)").fill("Werbung für einen Router")
    flag.get_by_role("button", name="Meldung senden").click()

    # then the thank-you replaces the form on the same page
    expect(flag.get_by_role("status")).to_have_text(
        "Danke. Eine Moderatorin oder ein Moderator sieht sich den Beitrag an."
    )
    assert page.url == question_url
    assert outside_browser_loop(lambda: list(Flag.objects.values_list("reason", "text"))) == [
        ("spam", "Werbung für einen Router")
    ]

    # when an agent approves it from the queue
    alice = outside_browser_loop(
        lambda: (
            create_agent(
                None,
                username="alice",
                password="alice-password",
                display_name="Alice Albers",
                initials="AA",
            ).user
        )
    )
    log_in(browser_context, alice, live_server.url)
    page.goto(f"{live_server.url}/community/moderation/")
    expect(page.get_by_text("Spam oder Werbung (1)")).to_be_visible()
    page.get_by_role("button", name="Freigeben").click()

    # then the queue is empty and the decision is recorded
    expect(page.get_by_text("Nichts zu prüfen.")).to_be_visible()
    assert outside_browser_loop(lambda: list(Decision.objects.values_list("kind", flat=True))) == [
        "approve"
    ]
    assert page_problems.failed == []
    assert page_problems.console_errors == []
