"""The conversation page shows the message's triage and its reasons to agents who may see the
conversation, and to nobody else (a customer never sees how her message was assessed)."""

from __future__ import annotations

import pytest
from django.test import Client

from schwarmdesk.automation.actions.assessment import triage_message
from schwarmdesk.automation.models import Triage
from schwarmdesk.conversations.models import Conversation, Direction
from schwarmdesk.people.models import Agent
from tests.inbox.test_permissions import ROLES, login

pytestmark = pytest.mark.django_db

ALLOWED = {"alice", "ada"}  # the travel team's agent and the administrator


def triaged(conversation: Conversation) -> Triage:
    message = conversation.messages.get(direction=Direction.INBOUND)
    result = triage_message(None, message.pk)
    assert result is not None
    return result[0]


@pytest.mark.parametrize("role", ROLES)
def test_the_triage_and_its_reasons_are_shown_to_the_team_only(
    client: Client, request: pytest.FixtureRequest, carol_chat: Conversation, role: str
) -> None:
    # given Carol's "Mein Zug ist ausgefallen" message, triaged: high urgency for outage words
    triage = triaged(carol_chat)
    assert triage.urgency_reasons == [{"code": "outage", "detail": "ausgefallen"}]
    login(client, role, request)

    # when the role opens the conversation in the inbox, in English
    response = client.get(f"/inbox/c/{carol_chat.pk}/", headers={"accept-language": "en"})

    # then the team's agent and the admin see the triage box with the urgency and its reason;
    # the customer, another team's agent and anonymous visitors get nothing of it
    html = response.content.decode()
    if role in ALLOWED:
        assert response.status_code == 200
        assert f'aria-labelledby="triage-heading-{triage.pk}"' in html
        assert "<dt>Urgency</dt><dd>high: outage words (ausgefallen)</dd>" in html
        assert "<dt>Complexity</dt><dd>needs an agent: no help article matches (0 %)</dd>" in html
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert "triage" not in html.casefold()
        assert "outage words" not in html


def test_the_reasons_are_translated_for_a_german_agent(
    client: Client, alice: Agent, carol_chat: Conversation
) -> None:
    triaged(carol_chat)
    client.force_login(alice.user)

    html = client.get(
        f"/inbox/c/{carol_chat.pk}/", headers={"accept-language": "de"}
    ).content.decode()

    assert "<dt>Dringlichkeit</dt>" in html
    assert "Störungswörter (ausgefallen)" in html


def test_a_conversation_without_triage_shows_no_triage_box(
    client: Client, alice: Agent, carol_chat: Conversation
) -> None:
    client.force_login(alice.user)

    response = client.get(f"/inbox/c/{carol_chat.pk}/", headers={"accept-language": "en"})

    assert response.status_code == 200
    assert 'class="triage"' not in response.content.decode()
