"""The landing page, the language switch, login and logout in a real browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.people.actions import create_agent
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_visitor_switches_language_and_agent_logs_in_and_out(
    live_server: LiveServer, page: Page, page_problems: PageProblems
) -> None:
    from playwright.sync_api import expect

    # given an agent (created outside Playwright's event loop, see outside_browser_loop)
    outside_browser_loop(
        create_agent,
        None,
        username="erika",
        password="erika-password",
        display_name="Erika Engel",
        initials="EE",
    )

    # when a visitor opens the landing page
    page.goto(f"{live_server.url}/")

    # then it is German
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kundenservice, gemeinsam")
    expect(page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-current", "true")

    # when they press "English" in the language switch
    page.get_by_role("button", name="English").click()

    # then the same page comes back in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer service, together")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    assert page.url == f"{live_server.url}/"

    # when the agent goes to the login page and logs in
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("User name").fill("erika")
    page.get_by_label("Password").fill("erika-password")
    page.get_by_role("button", name="Log in").click()

    # then she is back on the landing page, still in English, with her name and initials
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer service, together")
    assert page.url == f"{live_server.url}/"
    expect(page.locator(".account__name")).to_have_text("Erika Engel")
    expect(page.locator(".account .avatar")).to_have_text("EE")
    expect(page.get_by_role("link", name="Open the inbox")).to_have_attribute("href", "/inbox/")

    # when she logs out
    page.get_by_role("button", name="Log out").click()

    # then she is logged out on the landing page
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator(".account__name")).to_have_count(0)
    assert page.url == f"{live_server.url}/"

    # and nothing failed to load on the way (the stylesheet included), nothing logged an error
    assert page_problems.failed == []
    assert page_problems.console_errors == []


def test_wrong_password_is_announced_on_the_login_page(live_server: LiveServer, page: Page) -> None:
    from playwright.sync_api import expect

    # given the German login page
    page.goto(f"{live_server.url}/accounts/login/")

    # when someone logs in with an unknown user name
    page.get_by_label("Benutzername").fill("nobody")
    page.get_by_label("Passwort").fill("wrong-password")
    page.get_by_role("button", name="Anmelden").click()

    # then an alert explains the problem and the user name field points to it
    expect(page.get_by_role("alert")).to_have_text(
        "Bitte Benutzername und Passwort eingeben. "
        "Beide Felder berücksichtigen die Groß-/Kleinschreibung."
    )
    expect(page.get_by_label("Benutzername")).to_have_attribute("aria-describedby", "login-errors")
    expect(page.get_by_label("Benutzername")).to_have_value("nobody")


def test_keyboard_users_can_skip_to_the_content(live_server: LiveServer, page: Page) -> None:
    from playwright.sync_api import expect

    # given the landing page, where the skip link is hidden until focused
    page.goto(f"{live_server.url}/")
    skip_link = page.get_by_role("link", name="Zum Hauptinhalt springen")
    assert skip_link.bounding_box() is not None
    assert skip_link.evaluate("link => link.getBoundingClientRect().bottom") <= 0

    # when a keyboard user presses Tab, the skip link is the first stop and becomes visible
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    assert skip_link.evaluate("link => link.getBoundingClientRect().top") >= 0
    assert skip_link.evaluate("link => getComputedStyle(link).outlineStyle") == "solid"

    # when they follow it, the focus lands on the main content
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_landing_page_fits_a_phone_screen(live_server: LiveServer, page: Page) -> None:
    from playwright.sync_api import expect

    # given a phone-sized window
    page.set_viewport_size({"width": 360, "height": 740})

    # when the landing page opens
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # then nothing is wider than the screen and the cards are stacked
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    tops = page.locator(".card").evaluate_all(
        "cards => cards.map(card => card.getBoundingClientRect().top)"
    )
    assert len(tops) == 3
    assert tops == sorted(tops)
    assert len(set(tops)) == 3
