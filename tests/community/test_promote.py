"""A good accepted community answer becomes a help article in one click (agents only)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.community.actions import accept_answer, post_answer
from schwarmdesk.community.models import Question
from schwarmdesk.core.errors import Conflict, Invalid
from schwarmdesk.knowledge.actions import create_category, promote_answer
from schwarmdesk.knowledge.models import Article, Category, Status
from schwarmdesk.people.models import Agent


@pytest.fixture
def help_category(alice: Agent) -> Category:
    return create_category(
        alice.user, name="Rechnung & Zahlung", name_en="Billing & payment", slug="rechnung"
    )


@pytest.fixture
def solved(question: Question, alice: Agent, carol_user: User) -> Question:
    answer = post_answer(
        alice.user, question.pk, body="Im Kundenportal unter **Meine Daten** → Adresse."
    )
    return accept_answer(carol_user, answer.pk)


def test_agent_promotes_accepted_answer_to_a_draft_article(
    solved: Question, alice: Agent, help_category: Category
) -> None:
    article = promote_answer(alice.user, solved.pk, category=help_category)
    assert (article.title, article.language, article.status) == (
        "Wie kann ich meine Rechnungsadresse ändern?",
        "de",
        Status.DRAFT,
    )
    assert article.body.endswith("Im Kundenportal unter **Meine Daten** → Adresse.")
    assert article.source_question_id == solved.pk
    assert article.author == alice
    with pytest.raises(Conflict):
        promote_answer(alice.user, solved.pk, category=help_category)
    assert Article.objects.count() == 1


def test_question_without_accepted_answer_cannot_be_promoted(
    question: Question, alice: Agent, help_category: Category
) -> None:
    with pytest.raises(Invalid):
        promote_answer(alice.user, question.pk, category=help_category)
    assert Article.objects.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "asker"])
def test_only_agents_promote(
    who: str, solved: Question, carol_user: User, help_category: Category, client: Client
) -> None:
    if who == "asker":
        client.force_login(carol_user)
    response = client.post(f"/help/promote/{solved.pk}/", {"category": "rechnung"})
    assert response.status_code in (302, 404)
    assert Article.objects.count() == 0


def test_question_page_offers_promotion_to_agents_only(
    solved: Question, alice: Agent, carol_user: User, help_category: Category, client: Client
) -> None:
    client.force_login(carol_user)
    assert "Turn into a help article" not in client.get(solved.get_absolute_url()).text
    client.force_login(alice.user)
    page = client.get(solved.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Turn into a help article" in page
    response = client.post(f"/help/promote/{solved.pk}/", {"category": "rechnung"})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert "Turn into a help article" not in client.get(solved.get_absolute_url()).text
