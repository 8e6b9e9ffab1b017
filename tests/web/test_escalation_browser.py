"""Issue 4's escalation in a real browser: a question nobody answers escalates when the
(controllable) clock passes its deadline; an agent answers it from the queue; the answer is
public and official, with the agent's initials; the asker's e-mail reaches a real local SMTP
server (aiosmtpd, tests/channels/mail_servers.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.contrib.auth.models import User
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Question
from schwarmdesk.escalation.actions import escalate_due
from schwarmdesk.escalation.models import Escalation, State
from schwarmdesk.people.actions import create_agent
from schwarmdesk.people.models import Agent
from tests.channels.mail_servers import SmtpServer, smtp_server  # noqa: F401 -- fixture
from tests.community.test_community_browser import log_in
from tests.web.browser import PageProblems, outside_browser_loop

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

POSTED_AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
ANSWER = "Bitte ziehen Sie den Stecker für 30 Sekunden; danach blinkt die LED grün."


def given_an_unanswered_question() -> tuple[Agent, Question]:
    agent = create_agent(
        None,
        username="alice",
        password="alice-password",
        display_name="Alice Albers",
        initials="AA",
    )
    carol = User.objects.create_user(
        username="carol", first_name="Carol", last_name="Clausen", email="carol@example.com"
    )
    category = community.create_category(None, name="Internet & Router", slug="internet-router")
    with time_machine.travel(POSTED_AT, tick=False):
        question = community.post_question(
            carol,
            category=category,
            title="Router blinkt rot nach dem Gewitter",
            body="Seit dem Gewitter gestern blinkt die LED rot.",
        )
    return agent, question


def escalation_state(question_id: int) -> str:
    return str(Escalation.objects.get(question_id=question_id).state)


def test_unanswered_question_escalates_and_the_agent_answers_in_public(
    live_server: LiveServer,
    page: Page,
    page_problems: PageProblems,
    settings: Settings,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    # given e-mail goes to the local SMTP server, and Carol's question that nobody answers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    agent, question = outside_browser_loop(given_an_unanswered_question)

    # when the clock stands one minute before the two-hour deadline, nothing escalates
    early = outside_browser_loop(escalate_due, POSTED_AT + dt.timedelta(minutes=119))
    assert early == []
    assert outside_browser_loop(escalation_state, question.pk) == State.SCHEDULED

    # when it passes the deadline
    escalated = outside_browser_loop(escalate_due, POSTED_AT + dt.timedelta(minutes=121))

    # then the question is in the agents' queue
    assert [e.question_id for e in escalated] == [question.pk]
    log_in(page.context, agent.user, live_server.url)
    page.goto(f"{live_server.url}/community/escalations/")
    section = page.locator("section.escalation")
    expect(section.get_by_role("link", name="Router blinkt rot nach dem Gewitter")).to_be_visible()

    # when Alice answers from the queue
    section.get_by_label("Antwort").fill(ANSWER)
    section.get_by_role("button", name="Senden").click()

    # then, for everyone (logged out), the answer is public, official and signed with AA
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{question.get_absolute_url()}")
    official = page.locator("article.post--official")
    expect(official).to_have_count(1)
    expect(official.locator(".post__label--official")).to_have_text("Offizielle Antwort")
    expect(official).to_contain_text(ANSWER)
    expect(official.locator(".avatar")).to_have_text("AA")
    expect(official.locator(".author__name")).to_have_text("Alice Albers")
    assert page_problems.failed == []

    # and Carol's notification e-mail reached the SMTP server, once
    to_carol = [mail for mail in smtp_server.mails if "carol@example.com" in mail.rcpt_tos]
    assert len(to_carol) == 1
    text = to_carol[0].message.get_body(preferencelist=("plain",))
    assert text is not None
    assert ANSWER in text.get_content()
