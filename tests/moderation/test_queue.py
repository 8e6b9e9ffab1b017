"""The moderator queue: staff only, shows flags with reasons and held posts with scores;
approve, hide and delete are recorded with who, when and what."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Question, Visibility
from schwarmdesk.core.errors import Forbidden
from schwarmdesk.moderation import actions, queries
from schwarmdesk.moderation.models import Decision, Flag
from schwarmdesk.people.models import Agent
from schwarmdesk.search.models import Kind, SearchDocument

QUEUE = "/community/moderation/"


@pytest.fixture
def flagged(question: Question, dave_user: User, erin: User) -> Question:
    actions.flag_post(dave_user, "question", question.pk, reason="spam", text="Nur Werbung")
    actions.flag_post(erin, "question", question.pk, reason="spam")
    return question


@pytest.mark.parametrize(
    ("reader", "status"),
    [("anonymous", 302), ("carol", 404), ("dave", 404), ("bob", 200), ("alice", 200)],
)
def test_the_queue_is_for_staff_only(
    client: Client,
    *,
    flagged: Question,
    carol_user: User,
    dave_user: User,
    alice: Agent,
    bob: Agent,
    reader: str,
    status: int,
) -> None:
    accounts = {"carol": carol_user, "dave": dave_user, "alice": alice.user, "bob": bob.user}
    if reader in accounts:
        client.force_login(accounts[reader])

    response = client.get(QUEUE)

    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == f"/accounts/login/?next={QUEUE}"
    if status == 200:
        html = response.content.decode()
        assert flagged.title in html
        assert "Spam oder Werbung (2)" in html
        assert "Nur Werbung" in html


@pytest.mark.parametrize("reader", ["anonymous", "carol", "dave"])
def test_members_cannot_decide(
    client: Client, flagged: Question, carol_user: User, dave_user: User, reader: str
) -> None:
    accounts = {"carol": carol_user, "dave": dave_user}
    if reader in accounts:
        client.force_login(accounts[reader])

    response = client.post(f"{QUEUE}questions/{flagged.pk}/decide/", {"decision": "delete"})

    assert response.status_code in {302, 404}
    assert Question.objects.get(pk=flagged.pk).visibility == Visibility.VISIBLE
    assert Decision.objects.count() == 0
    with pytest.raises(Forbidden):
        actions.decide(accounts.get(reader), "question", flagged.pk, kind="delete")


def test_approve_clears_the_flags_and_is_recorded(
    client: Client, flagged: Question, alice: Agent, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(alice.user)

    with caplog.at_level(logging.INFO, logger="schwarmdesk.moderation"):
        response = client.post(
            f"{QUEUE}questions/{flagged.pk}/decide/", {"decision": "approve", "note": "passt"}
        )

    assert response.status_code == 302
    assert Flag.objects.filter(question=flagged, is_open=True).count() == 0
    decision = Decision.objects.get()
    assert (decision.moderator, decision.kind, decision.question_id, decision.note) == (
        alice.user,
        "approve",
        flagged.pk,
        "passt",
    )
    assert decision.created_at is not None
    assert (
        f"moderation.decided question={flagged.pk} decision=approve before=visible "
        f"by={alice.user.pk}" in caplog.text
    )
    assert queries.list_queue(alice.user) == []


def test_hide_and_delete_take_the_question_out_of_search(
    flagged: Question, alice: Agent, bob: Agent
) -> None:
    actions.decide(alice.user, "question", flagged.pk, kind="hide")
    hidden = Question.objects.get(pk=flagged.pk).visibility
    indexed = SearchDocument.objects.filter(kind=Kind.QUESTION, object_id=flagged.pk).exists()

    actions.decide(bob.user, "question", flagged.pk, kind="delete")

    assert (hidden, indexed) == (Visibility.HIDDEN, False)
    assert Question.objects.get(pk=flagged.pk).visibility == Visibility.DELETED
    assert list(Decision.objects.order_by("pk").values_list("kind", "previous_visibility")) == [
        ("hide", "visible"),
        ("delete", "hidden"),
    ]


def test_deleting_an_accepted_answer_unaccepts_it(
    question: Question, carol_user: User, dave_user: User, alice: Agent, billing: Category
) -> None:
    answer = community.post_answer(dave_user, question.pk, body="Im Kundenportal unter Profil.")
    community.accept_answer(carol_user, answer.pk)

    actions.decide(alice.user, "answer", answer.pk, kind="delete")

    question.refresh_from_db()
    assert question.accepted_answer_id is None
    assert question.answer_count == 0
    assert Answer.objects.get(pk=answer.pk).visibility == Visibility.DELETED


def test_the_community_page_links_the_queue_for_agents_only(
    client: Client, carol_user: User, alice: Agent
) -> None:
    link = f'<a href="{QUEUE}">Moderations-Warteschlange</a>'
    client.force_login(carol_user)
    member_page = client.get("/community/").content.decode()
    client.force_login(alice.user)
    agent_page = client.get("/community/").content.decode()

    assert link not in member_page
    assert link in agent_page
