"""In a real browser: an agent opens the inbox, opens a conversation, replies, and sees the
reply with its delivery state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.channels.models import Delivery, DeliveryStatus
from schwarmdesk.conversations.actions import receive
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.people.actions import create_agent, create_customer, create_team, link_identity
from tests.channels.conftest import FakeApi, make_channel
from tests.inbox.conftest import telegram_message
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def given_carols_telegram_conversation(api_url: str) -> Conversation:
    team = create_team(None, name="Bahn & Reisen", slug="travel")
    create_agent(
        None,
        username="alice",
        password="alice-password",
        display_name="Alice Albers",
        initials="AA",
        teams=[team],
    )
    carol = create_customer(None, display_name="Carol Clausen", email="carol@example.com")
    link_identity(None, carol, kind=ChannelKind.TELEGRAM, external_id="5001", is_verified=True)
    channel = make_channel(ChannelKind.TELEGRAM, api_url)
    message = receive(
        None,
        channel_id=channel.pk,
        message=telegram_message("5001", 1, "Mein Zug ist ausgefallen, bekomme ich Geld zurück?"),
    )
    Conversation.objects.filter(pk=message.conversation_id).update(team=team)
    return Conversation.objects.get(pk=message.conversation_id)


def delivery_states() -> list[str]:
    return list(Delivery.objects.values_list("status", flat=True))


def test_agent_opens_the_inbox_and_replies_with_delivery_state(
    live_server: LiveServer, page: Page, page_problems: PageProblems, fake_api: FakeApi
) -> None:
    from playwright.sync_api import expect

    # given Carol's Telegram conversation in Alice's team
    conversation = outside_browser_loop(given_carols_telegram_conversation, fake_api.url)

    # when Alice logs in on her way to the inbox
    page.goto(f"{live_server.url}/accounts/login/?next=/inbox/")
    page.get_by_label("Benutzername").fill("alice")
    page.get_by_label("Passwort").fill("alice-password")
    page.get_by_role("button", name="Anmelden").click()

    # then she sees the inbox, and her team's queue counts Carol's conversation
    expect(page.get_by_role("heading", level=1)).to_have_text("Posteingang")
    expect(page.locator("#count-teams")).to_have_text("1")
    expect(page.locator("#count-mine")).to_have_text("0")

    # when she opens her team's queue, selects the conversation with "j" and opens it with "o"
    page.get_by_role("link", name="Meine Teams").click()
    expect(page.locator(".conversation-row")).to_have_count(1)
    page.keyboard.press("j")
    expect(page.locator(".conversation-row--selected")).to_contain_text(conversation.reference)
    page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_contain_text(conversation.reference)

    # then she reads Carol's message and Carol's identities and history
    expect(page.locator(".thread__message--in")).to_contain_text("Mein Zug ist ausgefallen")
    expect(page.locator(".identities")).to_contain_text("Telegram: 5001")
    # and, loaded after the page, related help articles and similar solved conversations
    expect(page.get_by_role("heading", name="Passende Hilfe-Artikel")).to_be_visible()

    # when she presses "r", writes a reply and sends it
    page.keyboard.press("r")
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.type("Ja, Sie bekommen 25 % zurück.")
    page.get_by_role("button", name="Antwort senden").click()

    # then the reply shows in the thread, signed with her initials, as sent
    reply = page.locator(".thread__message--out").last
    expect(reply).to_contain_text("Ja, Sie bekommen 25 % zurück.")
    expect(reply.locator(".avatar")).to_have_text("AA")
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "sent")
    expect(reply.locator(".delivery")).to_contain_text("gesendet")
    assert outside_browser_loop(delivery_states) == [DeliveryStatus.SENT]
    [sent] = fake_api.requests
    assert sent.path.endswith("/sendMessage")

    # when she presses "e" (outside the reply box), the conversation is solved
    page.locator("h1").click()
    page.keyboard.press("e")
    expect(page.locator("select[name=status]")).to_have_value("solved")

    # and nothing failed to load, nothing logged an error (the live refresh included)
    with page.expect_response(lambda response: "/live/" in response.url, timeout=10_000):
        pass  # one live refresh of the open conversation (htmx polls every 4 s)
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "sent")
    assert page_problems.failed == []
    assert page_problems.console_errors == []
