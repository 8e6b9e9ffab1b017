"""Who may use the inbox: anonymous → login, customers and other teams' agents → 404.

A denied row changes nothing and sends nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from schwarmdesk.channels.models import Delivery
from schwarmdesk.conversations.models import Conversation, Message
from schwarmdesk.inbox.models import Mention
from schwarmdesk.people.models import Agent
from tests.channels.conftest import FakeApi

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "carol", "bob", "alice", "ada"]
ALLOWED = {"alice", "ada"}  # the travel team's agent and the administrator


def login(client: Client, role: str, request: pytest.FixtureRequest) -> None:
    if role == "anonymous":
        return
    if role == "carol":
        user: User = request.getfixturevalue("carol_user")
    else:
        user = request.getfixturevalue(role).user
    client.force_login(user)


def snapshot(conversation: Conversation) -> tuple[object, ...]:
    conversation.refresh_from_db()
    return (
        conversation.status,
        conversation.priority,
        conversation.assignee_id,
        Message.objects.count(),
        Delivery.objects.count(),
        Mention.objects.count(),
        len(mail.outbox),
    )


@pytest.mark.parametrize("role", ROLES)
def test_list(
    client: Client, request: pytest.FixtureRequest, carol_chat: Conversation, role: str
) -> None:
    # given Carol's conversation in the travel team
    login(client, role, request)

    # when the role opens the inbox's "all" queue
    response = client.get("/inbox/?queue=all")

    # then only agents get it, and only agents of the team (or admins) see Carol's case
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/inbox/%3Fqueue%3Dall"
    elif role == "carol":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert (carol_chat.reference in response.content.decode()) == (role in ALLOWED)


@pytest.mark.parametrize("role", ROLES)
def test_view(
    client: Client, request: pytest.FixtureRequest, carol_chat: Conversation, role: str
) -> None:
    login(client, role, request)

    response = client.get(f"/inbox/c/{carol_chat.pk}/")

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == (200 if role in ALLOWED else 404)
    if response.status_code == 200:
        assert "Mein Zug ist ausgefallen" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reply", {"body": "Ja, Sie bekommen 25 % zurück."}),
        ("note", {"body": "@bob bitte prüfen"}),
        ("assign", {"assignee": "me"}),
        ("update", {"status": "solved", "priority": "4"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_write(
    *,
    client: Client,
    request: pytest.FixtureRequest,
    carol_chat: Conversation,
    fake_api: FakeApi,
    bob: Agent,
    role: str,
    action: str,
    data: dict[str, str],
) -> None:
    # given Carol's conversation and what is stored and sent so far
    login(client, role, request)
    before = snapshot(carol_chat)

    # when the role posts the action
    response = client.post(f"/inbox/c/{carol_chat.pk}/{action}/", data)

    # then the team's agent and the admin change it; everyone else is refused and changes
    # nothing, sends nothing
    if role in ALLOWED:
        assert response.status_code == 302
        assert response["Location"] == f"/inbox/c/{carol_chat.pk}/"
        assert snapshot(carol_chat) != before
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert snapshot(carol_chat) == before
        assert fake_api.requests == []


def test_an_agent_sees_no_other_teams_conversation_in_any_queue(
    client: Client, bob: Agent, carol_chat: Conversation
) -> None:
    client.force_login(bob.user)
    for queue in ["mine", "teams", "unassigned", "escalated", "all"]:
        html = client.get(f"/inbox/?queue={queue}&status=any").content.decode()
        assert carol_chat.reference not in html
        html = client.get(f"/inbox/list/?queue={queue}&status=any").content.decode()
        assert carol_chat.reference not in html


def test_a_superuser_without_an_agent_profile_gets_404(client: Client, db: None) -> None:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    assert client.get("/inbox/").status_code == 404
