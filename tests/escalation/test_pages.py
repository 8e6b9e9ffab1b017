"""Staff pages: the escalation state on the question page, the queue and its answer form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Question
from schwarmdesk.conversations.models import Conversation, Message, Visibility
from schwarmdesk.escalation.actions import escalate_due
from schwarmdesk.people.models import Agent

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
QUEUE = "/community/escalations/"


@pytest.fixture
def monday_question(carol_user: User, router: Category) -> Question:
    with time_machine.travel(MONDAY_10, tick=False):
        return community.post_question(
            carol_user, category=router, title="WLAN bricht ständig ab", body="Jeden Abend."
        )


@pytest.fixture
def escalated(monday_question: Question) -> Conversation:
    escalate_due(MONDAY_10 + dt.timedelta(hours=2))
    return Conversation.objects.get()


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_staff_see_the_scheduled_escalation_customers_do_not(
    client: Client, monday_question: Question, alice: Agent, carol_user: User
) -> None:
    url = monday_question.get_absolute_url()

    as_asker = logged_in(client, carol_user).get(url).content.decode()
    as_agent = logged_in(client, alice.user).get(url).content.decode()

    assert "Eskalation" not in as_asker
    assert "geplant für 23.11.2026 12:00" in as_agent


def test_staff_see_the_conversation_link_once_escalated(
    client: Client, escalated: Conversation, monday_question: Question, alice: Agent
) -> None:
    html = logged_in(client, alice.user).get(monday_question.get_absolute_url()).content.decode()

    assert f'href="/admin/conversations/conversation/{escalated.pk}/change/"' in html


def test_staff_see_why_it_was_cancelled(
    client: Client, monday_question: Question, alice: Agent, dave_user: User, carol_user: User
) -> None:
    answer = community.post_answer(dave_user, monday_question.pk, body="Kanal wechseln.")
    community.accept_answer(carol_user, answer.pk)

    html = logged_in(client, alice.user).get(monday_question.get_absolute_url()).content.decode()

    assert "abgebrochen, weil eine Antwort akzeptiert wurde" in html


def test_the_queue_is_for_agents_only(
    client: Client, escalated: Conversation, carol_user: User, alice: Agent
) -> None:
    assert client.get(QUEUE).status_code == 302  # to the login
    assert logged_in(client, carol_user).get(QUEUE).status_code == 404

    response = logged_in(client, alice.user).get(QUEUE)

    assert response.status_code == 200
    assert "WLAN bricht ständig ab" in response.content.decode()
    assert f'action="/community/escalations/{escalated.pk}/answer/"' in response.content.decode()


def test_an_agent_answers_from_the_queue(
    client: Client, escalated: Conversation, monday_question: Question, alice: Agent
) -> None:
    response = logged_in(client, alice.user).post(
        f"{QUEUE}{escalated.pk}/answer/", {"body": "Bitte Kanal 6 probieren."}
    )

    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert (answer.author, answer.is_official) == (alice.user, True)


def test_an_internal_note_from_the_queue_stays_internal(
    client: Client, escalated: Conversation, alice: Agent
) -> None:
    logged_in(client, alice.user).post(
        f"{QUEUE}{escalated.pk}/answer/", {"body": "Nur für uns", "internal": "1"}
    )

    assert Answer.objects.count() == 0
    assert Message.objects.filter(visibility=Visibility.INTERNAL).count() == 1


def test_a_customer_cannot_post_through_the_queue(
    client: Client, escalated: Conversation, carol_user: User
) -> None:
    response = logged_in(client, carol_user).post(
        f"{QUEUE}{escalated.pk}/answer/", {"body": "Offiziell!"}
    )

    assert response.status_code == 404
    assert Answer.objects.count() == 0
    assert Message.objects.count() == 1


def test_agents_find_the_queue_from_the_community_home(client: Client, alice: Agent) -> None:
    html = logged_in(client, alice.user).get("/community/").content.decode()

    assert '<a href="/community/escalations/">Eskalierte Fragen</a>' in html
