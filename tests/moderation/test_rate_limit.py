"""New accounts may post a limited number of questions and answers per hour."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone, translation

from schwarmdesk.community import actions as community
from schwarmdesk.community.models import Answer, Category, Question
from schwarmdesk.moderation.screening import RateLimited
from schwarmdesk.people.models import Agent


@override_settings(NEW_ACCOUNT_POSTS_PER_HOUR=2)
def test_a_new_account_is_limited_per_hour(
    question: Question, dave_user: User, caplog: pytest.LogCaptureFixture
) -> None:
    community.post_answer(dave_user, question.pk, body="Erste Antwort zur Adresse.")
    community.post_answer(dave_user, question.pk, body="Zweite Antwort, ganz anders formuliert.")

    with (
        caplog.at_level(logging.WARNING, logger="schwarmdesk.moderation"),
        translation.override("en"),
        pytest.raises(RateLimited, match="New accounts may post 2 questions or answers per hour"),
    ):
        community.post_answer(dave_user, question.pk, body="Dritte Antwort, wieder etwas anderes.")

    assert Answer.objects.filter(author=dave_user).count() == 2
    assert f"moderation.rate_limited user={dave_user.pk} posts=2 limit=2" in caplog.text

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        later = community.post_answer(dave_user, question.pk, body="Eine Stunde später geht es.")
    assert later.pk is not None


@override_settings(NEW_ACCOUNT_POSTS_PER_HOUR=1)
def test_the_ask_form_shows_the_limit(
    client: Client, question: Question, carol_user: User, billing: Category
) -> None:
    client.force_login(carol_user)  # Carol asked the fixture question a moment ago

    response = client.post(
        "/community/ask/",
        {"title": "Noch eine Frage zur Rechnung", "body": "Text", "category": billing.slug},
    )

    assert response.status_code == 400
    assert "Neue Konten dürfen 1 Frage oder Antwort pro Stunde schreiben." in (
        response.content.decode()
    )
    assert Question.objects.filter(author=carol_user).count() == 1


@override_settings(NEW_ACCOUNT_POSTS_PER_HOUR=1)
def test_older_accounts_and_agents_are_not_limited(
    question: Question, erin: User, alice: Agent
) -> None:
    for number in range(3):
        community.post_answer(erin, question.pk, body=f"Antwort Nummer {number} von Erin.")
        community.post_answer(alice.user, question.pk, body=f"Offizielle Antwort Nummer {number}.")

    assert Answer.objects.filter(author=erin).count() == 3
    assert Answer.objects.filter(author=alice.user).count() == 3
