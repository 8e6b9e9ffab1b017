"""The help center in a real browser: live search, the article, "Was this helpful?"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.knowledge.actions import create_article, create_category
from schwarmdesk.knowledge.models import Article
from schwarmdesk.people.actions import create_agent
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def write_articles() -> Article:
    agent = create_agent(
        None, username="erika", password="erika-password", display_name="Erika Engel", initials="EE"
    )
    category = create_category(
        agent.user, name="Rechnung & Zahlung", name_en="Billing & payment", slug="rechnung"
    )
    german = create_article(
        agent.user,
        category=category,
        language="de",
        title="Rechnungsadresse ändern",
        body="Öffnen Sie **Mein Nordlicht → Persönliche Daten**.",
        publish=True,
    )
    create_article(
        agent.user,
        category=category,
        language="en",
        title="Change your billing address",
        body="Open **Mein Nordlicht → Personal details**.",
        translation_of=german,
        publish=True,
    )
    return german


def test_visitor_searches_reads_and_finds_the_article_helpful(
    live_server: LiveServer, page: Page, page_problems: PageProblems
) -> None:
    from playwright.sync_api import expect

    # given a published German article with an English translation
    german = outside_browser_loop(write_articles)

    # when a visitor opens the help center and types a query
    page.goto(f"{live_server.url}/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hilfe-Center")
    page.get_by_label("Im Hilfe-Center suchen").press_sequentially("Rechnungsadresse")

    # then the result appears below the box without a page load
    results = page.locator("#search-results")
    expect(results.locator(".help-results__count")).to_have_text(
        "1 Artikel zu „Rechnungsadresse“ gefunden"
    )
    hit = results.get_by_role("link", name="Rechnungsadresse ändern")
    expect(hit).to_have_attribute("href", "/help/de/rechnungsadresse-aendern/")
    assert page.url == f"{live_server.url}/help/"

    # when they open the article
    hit.click()

    # then they read it, with its author and a link to the English version
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechnungsadresse ändern")
    expect(page.locator(".article__body strong")).to_have_text("Mein Nordlicht → Persönliche Daten")
    expect(page.locator(".article__author .avatar")).to_have_text("EE")
    expect(page.locator(".article__author > span").nth(1)).to_have_text("Erika Engel")
    expect(page.get_by_role("link", name="English")).to_have_attribute(
        "href", "/help/en/change-your-billing-address/"
    )

    # when they answer "Was this article helpful?" with "Yes"
    feedback = page.locator("#feedback")
    expect(feedback.get_by_text("War dieser Artikel hilfreich?")).to_be_visible()
    feedback.get_by_role("button", name="Ja").click()

    # then the question is swapped for the thanks, in place, and the answer is counted
    expect(page.locator("#feedback-title")).to_have_text("Vielen Dank für Ihr Feedback!")
    expect(page.get_by_role("status")).to_have_text("Schön, dass der Artikel geholfen hat.")
    expect(page.get_by_role("button", name="Ja")).to_have_count(0)
    assert page.url == f"{live_server.url}/help/de/rechnungsadresse-aendern/"
    german = outside_browser_loop(Article.objects.get, pk=german.pk)
    assert (german.helpful_yes, german.helpful_no) == (1, 0)

    # and nothing failed to load (htmx included), nothing logged an error
    assert page_problems.failed == []
    assert page_problems.console_errors == []
