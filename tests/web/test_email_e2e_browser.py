"""Done when (issue 5): an e-mail arrives at the local IMAP server → the poll stores it → it
appears in the agent's inbox → the agent replies in the browser → the reply reaches the local
SMTP server with correct threading headers (In-Reply-To, References, the case in the subject).

Real servers on the loopback (Debian's dovecot, aiosmtpd; tests/channels/mail_servers.py), a
real browser (Debian's Chromium), the poll called directly as the periodic task would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.channels.actions import configure_channel, poll_channel
from schwarmdesk.channels.models import Channel, Delivery, DeliveryStatus
from schwarmdesk.conversations.models import Conversation
from schwarmdesk.people.actions import create_agent
from tests.channels.conftest import OPTIONS, SECRETS, fixture_bytes
from tests.channels.mail_servers import (  # noqa: F401 -- fixtures
    IMAP_USER,
    ImapServer,
    SmtpServer,
    imap_server,
    smtp_server,
)
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

CUSTOMER_MESSAGE_ID = "20261123091234.4711@mail.example.com"  # plain.eml's Message-ID


def given_a_support_mailbox_and_an_agent(imap_port: int, smtp_port: int) -> Channel:
    create_agent(
        None,
        username="alice",
        password="alice-password",
        display_name="Alice Albers",
        initials="AA",
    )
    return configure_channel(
        None,
        kind="email",
        name="Support mailbox",
        secrets=SECRETS["email"],
        options=OPTIONS["email"]
        | {"imap_port": str(imap_port), "imap_user": IMAP_USER, "smtp_port": str(smtp_port)},
    )


def poll(channel_id: int) -> list[int]:
    result = poll_channel(channel_id)
    assert result is not None
    return [message.conversation_id for message in result.messages]


def delivery_states() -> list[tuple[str, str]]:
    return list(Delivery.objects.values_list("status", "last_error"))


def test_mail_from_imap_is_answered_in_the_browser_and_threads_over_smtp(
    live_server: LiveServer,
    page: Page,
    page_problems: PageProblems,
    imap_server: ImapServer,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    # given a support mailbox on the local dovecot and an agent
    channel = outside_browser_loop(
        given_a_support_mailbox_and_an_agent, imap_server.port, smtp_server.port
    )

    # when Carol's mail is appended to the INBOX and the IMAP poll runs
    imap_server.append(fixture_bytes("email", "plain.eml"))
    [conversation_id] = outside_browser_loop(poll, channel.pk)
    conversation = outside_browser_loop(Conversation.objects.get, pk=conversation_id)
    assert [flags for _uid, flags in imap_server.list_mail()] == [b"\\Seen"]

    # then Alice, logged in, finds it in the inbox's unassigned queue
    page.goto(f"{live_server.url}/accounts/login/?next=/inbox/%3Fqueue%3Dunassigned")
    page.get_by_label("Benutzername").fill("alice")
    page.get_by_label("Passwort").fill("alice-password")
    page.get_by_role("button", name="Anmelden").click()
    row = page.locator(".conversation-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(conversation.reference)
    expect(row).to_contain_text("Mein Zug RE 7 ist ausgefallen")

    # when she opens it, reads the mail and replies
    page.get_by_role("link", name=f"{conversation.reference} Mein Zug RE 7").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(conversation.reference)
    expect(page.locator(".thread__message--in")).to_contain_text("Bekomme ich das Geld zurück?")
    page.locator("#reply-body").fill("Ihr Geld kommt in fünf Tagen.")
    page.get_by_role("button", name="Antwort senden").click()

    # then the reply shows as sent ...
    reply = page.locator(".thread__message--out").last
    expect(reply).to_contain_text("Ihr Geld kommt in fünf Tagen.")
    expect(reply.locator(".delivery")).to_have_attribute("data-delivery", "sent")
    assert outside_browser_loop(delivery_states) == [(DeliveryStatus.SENT, "")]

    # ... and reached the local SMTP server, threaded into Carol's mail
    [mail] = smtp_server.mails
    headers = mail.message
    assert headers["In-Reply-To"] == f"<{CUSTOMER_MESSAGE_ID}>"
    assert headers["References"] == f"<{CUSTOMER_MESSAGE_ID}>"
    assert headers["Subject"] == f"Re: Mein Zug RE 7 ist ausgefallen [{conversation.reference}]"
    assert headers["To"] == "Carol Clausen <carol@example.com>"
    assert (mail.mail_from, mail.rcpt_tos) == ("support@example.com", ["carol@example.com"])
    body = headers.get_content().replace("\r\n", "\n")
    assert body == "Ihr Geld kommt in fünf Tagen.\n\n-- \nAlice Albers\n"
    assert page_problems.failed == []
    assert page_problems.console_errors == []
